"""Refresh: fetch each source, parse its responses, store its events, record the run.

One source's failure (network, parse error, bad event) is recorded in ``runs`` and never
stops the others, nor touches that source's stored events: events are stored only after
every page of the source was fetched and parsed.

Sources are fetched and parsed concurrently, each in a worker thread (:func:`fetch_source`;
the fetcher keeps each host within its limits), and stored one at a time in the calling
thread (:func:`store_collected`), as each finishes: SQLite connections stay in their thread.
A source whose first response is unchanged since its events were stored is not parsed at
all (see :mod:`aggregator.store.http_cache`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime

from aggregator.channels import try_channels
from aggregator.config import RefreshSettings
from aggregator.core import clock
from aggregator.core.http import Fetches, Request, Response
from aggregator.core.model import Event, EventError
from aggregator.fetch.fetcher import FetchError, full_url
from aggregator.reconcile import is_suspicious, merge_duplicates, reconcile
from aggregator.report import SourceOutcome, suspicious_error
from aggregator.store import http_cache
from aggregator.store.db import Store, UpsertCounts
from aggregator.store.http_cache import CacheEntry, ValidatorCache
from sources.base import Notice, ParseError, Source

MAX_REQUESTS_PER_SOURCE = 200
_QUERY = re.compile(r"(\b(?:https?|file)://[^\s?#]+)\?[^\s)]*?(?=:?(?:\s|\)|$))")


class SourceFailed(Exception):
    """A source could not be read; the message is short enough for a summary line."""


DEFAULT_WORKERS = 16
"""Sources fetched at once (each host still gets no more than its own limit)."""


@dataclass
class Collected:
    """What fetching and parsing one source gave, before anything is stored."""

    source: Source
    started: datetime
    events: list[Event] = field(default_factory=list)
    requests: int = 0
    error: str = ""
    unchanged: bool = False
    validators: CacheEntry | None = None
    """The first response's validators: stored with the events (or, when unchanged,
    renewed)."""
    channel: str = ""
    """The channel that answered (see ``aggregator.channels``)."""
    notices: list[str] = field(default_factory=list)
    """What the source reported besides events (items skipped, unknown zones)."""


def collect(source: Source, fetcher: Fetches, limit: int = MAX_REQUESTS_PER_SOURCE,
            answered: Mapping[Request, Response] | None = None,
            notices: list[str] | None = None) -> tuple[list[Event], int]:
    """Every event of a source, following its requests; returns events and request count.

    ``answered`` holds responses already fetched for some of the requests; what the source
    reports besides events (:class:`~sources.base.Notice`) is added to ``notices``.
    """
    answered = answered or {}
    pending: list[Request] = list(source.start_requests())
    seen: set[Request] = set()
    events: list[Event] = []
    while pending:
        request = pending.pop(0)
        if request in seen:
            continue
        if len(seen) >= limit:
            raise SourceFailed(f"more than {limit} requests; stopped at {request.url}")
        seen.add(request)
        response = answered.get(request) or fetcher.get(request)
        for item in source.parse_loaded(response):
            if isinstance(item, Request):
                pending.append(item)
            elif isinstance(item, Notice):
                if notices is not None:
                    notices.append(item.text)
            else:
                events.append(item)
    return merge_duplicates(events), len(seen)


def fetch_source(source: Source, fetcher: Fetches, cache: ValidatorCache | None = None,
                 now: datetime | None = None) -> Collected:
    """Fetch and parse one source (in any thread: no store access) through its channels,
    in order, until one yields events (``aggregator.channels``); never raises.

    With a ``cache``, a source with one start request asks for it conditionally, and is
    ``unchanged`` (nothing parsed) when the answer is a 304 or the same body.
    """
    started = now or clock.now()
    return try_channels(
        source, fetcher, lambda channel, channel_fetcher: _fetch_channel(
            channel, channel_fetcher, cache, started),
        lambda channel, error: Collected(channel, started=started, error=error))


def _fetch_channel(source: Source, fetcher: Fetches, cache: ValidatorCache | None,
                   started: datetime) -> Collected:
    """Fetch and parse one channel of a source (see :func:`fetch_source`)."""
    collected = Collected(source, started=started)
    try:
        answered = _ask_first(source, fetcher, cache, collected) if cache is not None else {}
        if not collected.unchanged:
            collected.events, collected.requests = collect(source, fetcher, answered=answered,
                                                           notices=collected.notices)
    except Exception as exc:  # noqa: BLE001 - any failure of one source is recorded, not fatal
        collected.error = describe_failure(exc)
    return collected


def _ask_first(source: Source, fetcher: Fetches, cache: ValidatorCache,
               collected: Collected) -> dict[Request, Response]:
    """Ask for the start request of a single-start source, conditionally if the cache has
    it: mark ``collected`` unchanged when it is, else give the response to parse."""
    starts = list(source.start_requests())
    if len(starts) != 1:
        return {}
    request = starts[0]
    url = request.url if request.url.startswith("file:") else full_url(request)
    entry = cache.usable(source.config, url)
    response = fetcher.get(http_cache.conditional(request, entry) if entry else request)
    response = dataclasses.replace(response, request=request)
    if entry is not None and http_cache.is_unchanged(response, entry):
        collected.requests, collected.unchanged = 1, True
        collected.validators = http_cache.renewed(entry, response, cache.now)
        return {}
    if response.status == 304:
        raise SourceFailed(f"HTTP 304 Not Modified, but no stored copy ({url})")
    collected.validators = http_cache.entry_for(source.config, url, response)
    return {request: response}


def store_collected(collected: Collected, store: Store,
                    settings: RefreshSettings | None = None,
                    now: datetime | None = None) -> SourceOutcome:
    """Store what a source's fetch gave and record its run (in the store's thread).

    A failed fetch stores nothing. A suspicious one (far fewer events than the source's
    recent runs) stores nothing either and is flagged ``suspicious`` in ``runs``. An
    unchanged one stores nothing and is recorded ``ok`` with the previous count. A
    complete one is reconciled with the stored events (moved meetings keep their UID,
    vanished future ones are cancelled; see ``aggregator.reconcile``) in one transaction.
    """
    settings = settings or RefreshSettings()
    now = now or clock.now()
    name = collected.source.name
    run_id = store.start_run(name, collected.started)
    if collected.error:
        store.finish_run(run_id, "failed", error=collected.error, now=now)
        return SourceOutcome(name, ok=False, requests=collected.requests,
                             error=collected.error, channel=collected.channel)
    if collected.unchanged:
        kept = _last_count(store, name)
        counts = UpsertCounts(unchanged=kept)
        store.finish_run(run_id, "ok", counts, events=kept, now=now,
                         channel=collected.channel)
        if collected.validators:
            http_cache.save_entry(store.db, collected.validators)
        return SourceOutcome(name, ok=True, events=kept, requests=collected.requests,
                             counts=counts, unchanged=True, channel=collected.channel)
    events = collected.events
    recent = store.recent_counts(name, settings.recent_runs)
    if is_suspicious(len(events), recent, settings.min_count_ratio):
        message = suspicious_error(len(events), sum(recent) / len(recent))
        store.finish_run(run_id, "suspicious", events=len(events), error=message, now=now,
                         channel=collected.channel)
        return SourceOutcome(name, ok=False, events=len(events),
                             requests=collected.requests, error=message)
    stored = store.events("source = ?", [name])
    settled = reconcile(events, stored, store.aliases(name), now, settings.match_days)
    vanished = settled.vanished if collected.source.lists_all_upcoming else []
    counts = store.apply_fetch(settled.events, vanished, settled.new_aliases,
                               source=name, run_id=run_id, now=now)
    store.finish_run(run_id, "ok", counts, events=len(events), now=now,
                     channel=collected.channel, warnings="; ".join(collected.notices))
    if collected.validators:  # after the events: a crash between leaves a full next fetch
        http_cache.save_entry(store.db, dataclasses.replace(
            collected.validators, stored_at=now.isoformat(), checked_at=now.isoformat()))
    return SourceOutcome(name, ok=True, events=len(events), requests=collected.requests,
                         counts=counts, channel=collected.channel,
                         warnings=list(collected.notices))


def _last_count(store: Store, source: str) -> int:
    """The event count of the source's latest accepted run."""
    rows = list(store.db.query("select events from runs where source = ? and outcome = 'ok' "
                               "order by id desc limit 1", [source]))
    return int(rows[0]["events"]) if rows else 0


def validator_cache(store: Store, settings: RefreshSettings | None = None,
                    now: datetime | None = None) -> ValidatorCache:
    """The store's ``http_cache`` as of now, for one run."""
    hours = (settings.full_refresh_hours if settings is not None
             else http_cache.DEFAULT_FULL_REFRESH_HOURS)
    return ValidatorCache(http_cache.load_entries(store.db), now or clock.now(), float(hours))


def refresh_source(source: Source, fetcher: Fetches, store: Store,
                   now: datetime | None = None,
                   settings: RefreshSettings | None = None,
                   incremental: bool = True) -> SourceOutcome:
    """Fetch, parse and store one source, recording the run; never raises for its failures
    (see :func:`fetch_source` and :func:`store_collected`)."""
    cache = validator_cache(store, settings, now) if incremental else None
    return store_collected(fetch_source(source, fetcher, cache, now), store, settings, now)


def describe_failure(exc: BaseException) -> str:
    """A one-line description of why a source failed."""
    kind = {ParseError: "parse error", EventError: "bad event", SourceFailed: "stopped"}
    label = next((text for cls, text in kind.items() if isinstance(exc, cls)), "")
    message = " ".join(str(exc).split()) or type(exc).__name__
    url, reason = getattr(exc, "url", None), getattr(exc, "reason", None)
    if isinstance(url, str) and isinstance(reason, str):
        message = f"{reason} ({url.split('?', 1)[0]})"  # the reason first; the query is noise
    if not label:
        label = "fetch error" if isinstance(exc, FetchError) else type(exc).__name__
    message = _QUERY.sub(r"\1?…", message)  # a long query would hide the reason after it
    return f"{label}: {message}"[:300]


def refresh_all(sources: Sequence[Source], fetcher: Fetches, store: Store,
                on_start: Callable[[Source], None] = lambda source: None,
                on_done: Callable[[SourceOutcome], None] = lambda outcome: None,
                settings: RefreshSettings | None = None, *,
                workers: int = DEFAULT_WORKERS, incremental: bool = True,
                should_stop: Callable[[], bool] = lambda: False) -> list[SourceOutcome]:
    """Refresh sources concurrently; one failure never stops the others.

    ``on_start`` is called as each source is handed to a worker, ``on_done`` as each is
    stored (in the order they finish); the outcomes come back in the order of ``sources``.
    Once ``should_stop()`` is true no further source is started; those under way are
    finished and stored, the others are left out of the result (and of ``runs``).
    """
    if not sources:
        return []
    cache = validator_cache(store, settings) if incremental else None

    def work(source: Source) -> Collected | None:
        return None if should_stop() else fetch_source(source, fetcher, cache)

    outcomes: dict[int, SourceOutcome] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(sources))),
                              thread_name_prefix="refresh")
    try:
        futures: dict[Future[Collected | None], int] = {}
        for index, source in enumerate(sources):
            on_start(source)
            futures[pool.submit(work, source)] = index
        for future in as_completed(futures):
            collected = future.result()
            if collected is not None:
                outcome = store_collected(collected, store, settings)
                outcomes[futures[future]] = outcome
                on_done(outcome)
    finally:  # on an interrupt: drop the sources not started, let the others end
        pool.shutdown(wait=False, cancel_futures=True)
    return [outcomes[index] for index in sorted(outcomes)]
