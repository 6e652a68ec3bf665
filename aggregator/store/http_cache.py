"""Incremental refresh: what a source's first response looked like when its events were stored.

The ``http_cache`` table keeps, per source and URL, the ``ETag`` and ``Last-Modified`` of the
response and the SHA-256 of its body, as of the last refresh whose events were *stored*
(a failed or suspicious refresh leaves it as it was). The next refresh of the source asks for
that URL with ``If-None-Match`` / ``If-Modified-Since``; a ``304 Not Modified``, or a body
with the same hash, means the source has not changed: nothing is parsed, the stored events
stay as they are (a skipped source is no sign that its events vanished), and the run is
recorded as ``ok`` with the previous run's count.

Multi-page sources: only the *first* response is compared. A source whose first page is
unchanged is taken as unchanged, which holds for the paged listings sources read (new items
come first, and any change of an item's page changes the listing). Two guards bound the
error: a source with more than one start request (several independent listings) is always
fetched in full, and every source is fetched and parsed in full at least every
``full_refresh_hours`` (see :class:`ValidatorCache`), so a change deeper in a source shows
within that time. A change of the source's configuration or of tradecal's version (the
*fingerprint*) also forces a full fetch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aggregator import __version__
from aggregator.core.http import Request, Response
from aggregator.core.settings import SourceConfig

if TYPE_CHECKING:
    import sqlite_utils

TABLE = "http_cache"
DEFAULT_FULL_REFRESH_HOURS = 24.0


@dataclass(frozen=True)
class CacheEntry:
    """One row of ``http_cache``: the validators of a source's first response."""

    source: str
    url: str
    etag: str = ""
    last_modified: str = ""
    sha256: str = ""
    fingerprint: str = ""
    stored_at: str = ""
    """When the events parsed from this body were stored (a full refresh)."""
    checked_at: str = ""
    """When the source was last found unchanged against this entry."""


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def fingerprint(config: SourceConfig) -> str:
    """A short hash of a source's configuration and tradecal's version: a change of either
    may change what the same body parses into."""
    fields = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    data = json.dumps([fields, __version__], sort_keys=True, default=_plain)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def _plain(value: object) -> object:
    """JSON for what json.dumps does not know (mappings that are not dicts, tuples)."""
    return dict(value) if isinstance(value, Mapping) else repr(value)


def load_entries(db: sqlite_utils.Database) -> dict[tuple[str, str], CacheEntry]:
    """Every entry, by (source, url)."""
    return {(row["source"], row["url"]): CacheEntry(**row) for row in db[TABLE].rows}


def save_entry(db: sqlite_utils.Database, entry: CacheEntry) -> None:
    db.table(TABLE).upsert(dataclasses.asdict(entry), pk=("source", "url"))


def entry_for(source: SourceConfig, url: str, response: Response) -> CacheEntry:
    """The entry describing ``response`` (not yet stored: ``stored_at`` is empty)."""
    return CacheEntry(source=source.name, url=url, etag=response.headers.get("etag", ""),
                      last_modified=response.headers.get("last-modified", ""),
                      sha256=body_hash(response.body), fingerprint=fingerprint(source))


def conditional(request: Request, entry: CacheEntry) -> Request:
    """``request`` asking the server to answer 304 if the body is still the entry's."""
    headers = [(key, value) for key, value in request.headers
               if key.lower() not in ("if-none-match", "if-modified-since")]
    if entry.etag:
        headers.append(("If-None-Match", entry.etag))
    if entry.last_modified:
        headers.append(("If-Modified-Since", entry.last_modified))
    return dataclasses.replace(request, headers=tuple(headers))


def is_unchanged(response: Response, entry: CacheEntry) -> bool:
    """True for a 304, or a body whose hash is the entry's."""
    return response.status == 304 or (bool(entry.sha256) and
                                       body_hash(response.body) == entry.sha256)


def renewed(entry: CacheEntry, response: Response, now: datetime) -> CacheEntry:
    """The entry after an unchanged answer: newer validators if the server sent them."""
    etag = response.headers.get("etag", "") or entry.etag
    modified = response.headers.get("last-modified", "") or entry.last_modified
    return dataclasses.replace(entry, etag=etag, last_modified=modified,
                               checked_at=now.isoformat())


@dataclass(frozen=True)
class ValidatorCache:
    """A read-only snapshot of ``http_cache`` for one refresh run (safe to share between
    the worker threads, which never touch the store)."""

    entries: Mapping[tuple[str, str], CacheEntry]
    now: datetime
    full_refresh_hours: float = DEFAULT_FULL_REFRESH_HOURS

    def usable(self, source: SourceConfig, url: str) -> CacheEntry | None:
        """The entry to revalidate ``url`` of ``source`` against, or None for a full fetch
        (no entry, another configuration or version, or the last full fetch too old)."""
        entry = self.entries.get((source.name, url))
        if entry is None or entry.fingerprint != fingerprint(source) or not entry.stored_at:
            return None
        if self.full_refresh_hours > 0:
            stored = datetime.fromisoformat(entry.stored_at)
            if self.now - stored >= timedelta(hours=self.full_refresh_hours):
                return None
        return entry
