"""A response archive: save live responses to a folder, and answer requests from it offline.

``tradecal record`` saves what a :class:`~aggregator.fetch.fetcher.Fetcher` returned with
:func:`save_response` (or through a :class:`RecordingFetcher`); ``--replay DIR`` swaps the
fetcher for a :class:`ReplayFetcher` over that folder. Each response is two files named by
:func:`archive_name` of the request as asked: ``<stem>.body`` (the body bytes, ready for
``tradecal parse``) and ``<stem>.json`` (URLs, status, headers, when it was saved).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from aggregator.core import clock
from aggregator.core.http import ClosedOnExit, FetchSession, Request, Response
from aggregator.fetch.browser import browser_for
from aggregator.fetch.fetcher import (
    DEFAULT_MAX_BYTES,
    FetchError,
    full_url,
    read_local_file,
)

SLUG_LENGTH = 80
HASH_LENGTH = 12


DATE_IN_QUERY = re.compile(
    r"(?<!\d)(?:\d{4}([-/.])\d{1,2}\1\d{1,2}|\d{1,2}([-/.])\d{1,2}\2\d{4})(?!\d)")
"""A calendar date written in a query value (2026-07-01, 2026/7/1, 01/07/2026, 1.7.2026)."""


def stable_url(url: str) -> str:
    """``url`` with every date in its query replaced by ``{date}``: the parts of a request
    that do not move with the clock (a "since" parameter computed from today does)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(DATE_IN_QUERY.search(value) for _, value in pairs):
        return url
    stable = [(name, DATE_IN_QUERY.sub("{date}", value)) for name, value in pairs]
    return urlunsplit(parts._replace(query=urlencode(stable)))


def archive_name(request: Request) -> str:
    """A deterministic, filesystem-safe file stem for a request, the same on any day.

    A readable slug of host and path, then a short hash of the whole URL with the dates in
    its query normalized (:func:`stable_url`), so requests that differ only in their query
    never share a file, and a request whose "since" date follows the calendar keeps its name.
    """
    url = full_url(request)
    parsed = httpx.URL(url)
    readable = f"{parsed.raw_host.decode('ascii')}{parsed.path}".lower()  # IDN as punycode
    slug = re.sub(r"[^a-z0-9]+", "-", readable).strip("-")[:SLUG_LENGTH].rstrip("-")
    digest = hashlib.sha256(stable_url(url).encode("utf-8")).hexdigest()[:HASH_LENGTH]
    return f"{slug or 'response'}-{digest}"


def save_response(
    directory: Path, response: Response, *, saved_at: datetime | None = None
) -> Path:
    """Write a response as ``<stem>.body`` and ``<stem>.json``; return the metadata path.

    The files are named after ``response.request`` (the request as asked, before redirects),
    so that replaying the same request finds them.
    """
    if response.request is None:
        raise ValueError(f"cannot archive a response without its request: {response.url}")
    directory.mkdir(parents=True, exist_ok=True)
    stem = archive_name(response.request)
    metadata = {
        "url": full_url(response.request),
        "final_url": response.url,
        "status": response.status,
        "headers": dict(response.headers),
        "saved_at": (saved_at or clock.now()).isoformat(timespec="seconds"),
    }
    if response.related:  # what a browser loaded with the page, saved alongside it
        metadata["related"] = [save_related(directory, item, saved_at) for item in
                               response.related]
    (directory / f"{stem}.body").write_bytes(response.body)
    metadata_path = directory / f"{stem}.json"
    metadata_path.write_text(
        json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return metadata_path


def save_related(directory: Path, response: Response, saved_at: datetime | None) -> str:
    """Save one response a browser loaded with a page; its URL (the page's metadata
    lists it, so a replay hands it back with the page)."""
    request = response.request or Request(response.url)
    save_response(directory, dataclasses.replace(response, request=request),
                  saved_at=saved_at)
    return full_url(request)


def _with_related(directory: Path, metadata_path: Path, response: Response) -> Response:
    """The saved page with the responses saved as loaded with it."""
    urls = _load_metadata(metadata_path).get("related") or []
    related = []
    for url in urls if isinstance(urls, list) else []:
        path = directory / f"{archive_name(Request(str(url)))}.json"
        if path.with_suffix(".body").is_file():
            related.append(read_saved(path, Request(str(url))))
    return dataclasses.replace(response, related=tuple(related)) if related else response


def _load_metadata(path: Path) -> dict[str, Any]:
    """The metadata saved next to a body; a FetchError if it is not a JSON object."""
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FetchError(str(path), f"unreadable archive metadata ({error})") from error
    if not isinstance(metadata, dict):
        raise FetchError(str(path), "archive metadata is not a JSON object")
    return metadata


class ReplayFetcher(ClosedOnExit):
    """Answers requests from a folder that :func:`save_response` wrote; no network at all."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _nearest(self, url: str) -> Path | None:
        return nearest_saved(self.directory, url) if self.directory.is_dir() else None

    def get(self, request: Request) -> Response:
        """The saved response to this request; FetchError if none was saved.

        A saved error status (4xx, 5xx) raises FetchError, as the live fetcher would.
        """
        if request.url.startswith("file:"):
            return read_local_file(request, DEFAULT_MAX_BYTES)  # a local file needs no archive
        url = full_url(request)
        stem = archive_name(request)
        metadata = self.directory / f"{stem}.json"
        if not (self.directory / f"{stem}.body").is_file():
            metadata = self._nearest(url) or metadata
        if not metadata.with_suffix(".body").is_file():
            raise FetchError(url, f"no saved response in {self.directory} ({stem})")
        response = _with_related(self.directory, metadata, read_saved(metadata, request))
        if response.status >= 400:
            raise FetchError(url, f"HTTP {response.status} (saved in {self.directory})")
        return response

    def browser(self) -> ReplayFetcher:
        """A page saved from the browser is answered as saved, with what it loaded."""
        return self


def _query(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query,
                                                                   keep_blank_values=True)


def nearest_saved(directory: Path, url: str) -> Path | None:
    """The saved response for the same address whose query differs least from ``url``'s.

    A request whose parameters follow the clock (a "since" date a month later) still finds
    the response saved for it; it must have the same parameter names, and one saved
    response must agree on strictly more values than any other.
    """
    address, wanted = _query(url)
    scored = []
    for metadata in directory.glob("*.json"):
        try:
            saved_address, saved = _query(str(_load_metadata(metadata).get("url", "")))
        except FetchError:
            continue
        if saved_address == address and saved.keys() == wanted.keys():
            scored.append((sum(saved[k] == wanted[k] for k in wanted), metadata))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


def read_saved(metadata_path: Path, request: Request | None = None) -> Response:
    """The response saved as ``<stem>.json`` and ``<stem>.body`` (any status)."""
    metadata = _load_metadata(metadata_path)
    body_path = metadata_path.with_suffix(".body")
    try:
        body = body_path.read_bytes()
    except OSError as error:
        raise FetchError(str(body_path), f"unreadable archived body ({error})") from error
    return Response(
        url=str(metadata.get("final_url") or metadata.get("url") or ""),
        body=body,
        status=int(metadata.get("status", 200)),
        headers={str(key): str(value) for key, value in metadata.get("headers", {}).items()},
        request=request or Request(str(metadata.get("url") or "")),
    )


@dataclass
class RecordingFetcher(ClosedOnExit):
    """A live fetcher that also saves every response it returns into ``directory``."""

    fetcher: FetchSession
    directory: Path
    saved: list[Path] = field(default_factory=list)

    def close(self) -> None:
        """Close the wrapped fetcher."""
        self.fetcher.close()

    def browser(self) -> RecordingFetcher:
        """The wrapped fetcher's browser, saving into the same folder."""
        return RecordingFetcher(browser_for(self.fetcher), self.directory, self.saved)

    def get(self, request: Request) -> Response:
        """Fetch live, save the response, and return it."""
        response = self.fetcher.get(request)
        self.saved.append(save_response(self.directory, response))
        return response


def note_provenance(directory: Path, saved: list[Path]) -> Path:
    """Add a line per saved response to the folder's README.md: a live capture, URL, date."""
    readme = directory / "README.md"
    lines = [] if readme.exists() else [
        "# Recorded responses", "",
        "Live captures saved by `tradecal record`; each `.json` holds the URL, status, headers",
        "and time of its `.body`.", ""]
    for path in saved:
        metadata = _load_metadata(path)
        lines.append(f"- `{path.stem}.body`: live capture of {metadata.get('url')} "
                     f"on {metadata.get('saved_at')} (`tradecal record`).")
    with readme.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return readme
