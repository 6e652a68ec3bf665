"""Refresh: fetch each source, parse its responses, store its events, record the run.

One source's failure (network, parse error, bad event) is recorded in ``runs`` and never
stops the others, nor touches that source's stored events: events are stored only after
every page of the source was fetched and parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from aggregator.config import RefreshSettings
from aggregator.model import Event, EventError
from aggregator.reconcile import is_suspicious, merge_duplicates, reconcile
from aggregator.store import Store, UpsertCounts, utcnow
from sources.base import ParseError, Request, Response, Source

MAX_REQUESTS_PER_SOURCE = 200


class Fetches(Protocol):
    """Anything that answers a Request with a Response (the fetcher, the replay archive)."""

    def get(self, request: Request) -> Response: ...


class SourceFailed(Exception):
    """A source could not be read; the message is short enough for a summary line."""


@dataclass
class SourceOutcome:
    """What refreshing one source did."""

    name: str
    ok: bool
    events: int = 0
    requests: int = 0
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    error: str = ""

    def summary(self) -> str:
        if not self.ok:
            return f"{self.name}: FAILED: {self.error}"
        c = self.counts
        cancelled = f", {c.cancelled} cancelled (gone from the source)" if c.cancelled else ""
        return (f"{self.name}: {self.events} events ({c.inserted} new, {c.updated} changed, "
                f"{c.unchanged} unchanged{cancelled}) from {self.requests} request(s)")


def collect(source: Source, fetcher: Fetches,
            limit: int = MAX_REQUESTS_PER_SOURCE) -> tuple[list[Event], int]:
    """Every event of a source, following its requests; returns events and request count."""
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
        response = fetcher.get(request)
        for item in source.parse(response):
            if isinstance(item, Request):
                pending.append(item)
            else:
                events.append(item)
    return merge_duplicates(events), len(seen)


def refresh_source(source: Source, fetcher: Fetches, store: Store,
                   now: datetime | None = None,
                   settings: RefreshSettings | None = None) -> SourceOutcome:
    """Fetch, parse and store one source, recording the run; never raises for its failures.

    A failed fetch stores nothing. A suspicious one (far fewer events than the source's
    recent runs) stores nothing either and is flagged ``suspicious`` in ``runs``. A
    complete one is reconciled with the stored events (moved meetings keep their UID,
    vanished future ones are cancelled; see ``aggregator.reconcile``) in one transaction.
    """
    settings = settings or RefreshSettings()
    now = now or utcnow()
    run_id = store.start_run(source.name, now)
    try:
        events, requests = collect(source, fetcher)
    except Exception as exc:  # noqa: BLE001 - any failure of one source is recorded, not fatal
        message = describe_failure(exc)
        store.finish_run(run_id, "failed", error=message, now=now)
        return SourceOutcome(source.name, ok=False, error=message)
    recent = store.recent_counts(source.name, settings.recent_runs)
    if is_suspicious(len(events), recent, settings.min_count_ratio):
        average = sum(recent) / len(recent)
        message = (f"suspicious: {len(events)} events, recent runs averaged {average:.0f}; "
                   "nothing stored or cancelled")
        store.finish_run(run_id, "suspicious", events=len(events), error=message, now=now)
        return SourceOutcome(source.name, ok=False, events=len(events), requests=requests,
                             error=message)
    stored = store.events("source = ?", [source.name])
    settled = reconcile(events, stored, store.aliases(source.name), now.date(),
                        settings.match_days)
    vanished = settled.vanished if source.lists_all_upcoming else []
    counts = store.apply_fetch(settled.events, vanished, settled.new_aliases,
                               source=source.name, run_id=run_id, now=now)
    store.finish_run(run_id, "ok", counts, events=len(events), now=now)
    return SourceOutcome(source.name, ok=True, events=len(events), requests=requests,
                         counts=counts)


def describe_failure(exc: BaseException) -> str:
    """A one-line description of why a source failed."""
    kind = {ParseError: "parse error", EventError: "bad event", SourceFailed: "stopped"}
    label = next((text for cls, text in kind.items() if isinstance(exc, cls)), "")
    message = " ".join(str(exc).split()) or type(exc).__name__
    url, reason = getattr(exc, "url", None), getattr(exc, "reason", None)
    if isinstance(url, str) and isinstance(reason, str):
        message = f"{reason} ({url.split('?', 1)[0]})"  # the reason first; the query is noise
    if not label:
        label = "fetch error" if type(exc).__name__ == "FetchError" else type(exc).__name__
    return f"{label}: {message}"[:300]


def refresh_all(sources: Sequence[Source], fetcher: Fetches, store: Store,
                on_start: Callable[[Source], None] = lambda source: None,
                on_done: Callable[[SourceOutcome], None] = lambda outcome: None,
                settings: RefreshSettings | None = None) -> list[SourceOutcome]:
    """Refresh each source in turn; one failure never stops the others."""
    outcomes = []
    for source in sources:
        on_start(source)
        outcome = refresh_source(source, fetcher, store, settings=settings)
        on_done(outcome)
        outcomes.append(outcome)
    return outcomes
