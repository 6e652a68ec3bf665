"""Refresh orchestration: paging, failures isolated, duplicates merged, runs recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aggregator.fetch import FetchError
from aggregator.model import Event
from aggregator.reconcile import merge_duplicates
from aggregator.refresh import collect, refresh_all, refresh_source
from aggregator.store import Store
from sources.base import ParseError, Request, Response, Source, SourceConfig


class PagedSource(Source):
    """A tiny JSON source: {"events": [[key, title, date]], "next": url-or-null}."""

    type = "test-paged"

    def parse(self, response: Response) -> Iterator[Event | Request]:
        try:
            page = json.loads(response.body)
        except ValueError as exc:
            raise ParseError(f"{response.url}: not JSON") from exc
        if page.get("next"):
            yield Request(page["next"])
        for key, title, day in page["events"]:
            yield self.event(source_key=key, title=title, start=date.fromisoformat(day))


class DictFetcher:
    """Answers from a dict of URL -> body; raises FetchError for anything else."""

    def __init__(self, pages: dict[str, object]) -> None:
        self.pages = pages
        self.asked: list[str] = []

    def get(self, request: Request) -> Response:
        self.asked.append(request.url)
        if request.url not in self.pages:
            raise FetchError(request.url, "HTTP 503")
        body = self.pages[request.url]
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return Response(url=request.url, body=raw, request=request)


def paged(name: str = "paged", url: str = "https://example.org/p1") -> PagedSource:
    return PagedSource(SourceConfig(name=name, type="test-paged", url=url, organization="WTO",
                                    timezone="Europe/Zurich"))


PAGES = {
    "https://example.org/p1": {"events": [["a", "General Council", "2024-05-22"]],
                               "next": "https://example.org/p2"},
    "https://example.org/p2": {"events": [["b", "Committee on Customs Valuation", "2024-05-23"]],
                               "next": None},
}


def test_collect_follows_pages_once() -> None:
    fetcher = DictFetcher({**PAGES, "https://example.org/p2": {
        "events": [["b", "Committee on Customs Valuation", "2024-05-23"]],
        "next": "https://example.org/p1"}})
    events, requests = collect(paged(), fetcher)
    assert [e.source_key for e in events] == ["a", "b"]
    assert requests == 2 and fetcher.asked == ["https://example.org/p1", "https://example.org/p2"]


def test_failure_of_one_source_keeps_others_and_stored_events(store: Store) -> None:
    good, bad = paged("good"), paged("bad", "https://example.org/missing")
    refresh_source(bad, DictFetcher({"https://example.org/missing": PAGES["https://example.org/p1"]}),
                   store)
    before = [s.event for s in store.events()]
    outcomes = refresh_all([bad, good], DictFetcher(PAGES), store)
    assert [o.ok for o in outcomes] == [False, True]
    assert "fetch error" in outcomes[0].error and "example.org/missing" in outcomes[0].error
    bad_events = [s.event for s in store.events() if s.event.source == "bad"]
    assert bad_events == before
    assert store.last_runs()["bad"].outcome == "failed"
    assert store.last_runs()["good"].events == 2


def test_failure_on_second_page_stores_nothing(store: Store) -> None:
    fetcher = DictFetcher({"https://example.org/p1": PAGES["https://example.org/p1"],
                           "https://example.org/p2": b"<html>maintenance</html>"})
    outcome = refresh_source(paged(), fetcher, store)
    assert not outcome.ok and outcome.error.startswith("parse error")
    assert store.events() == []


def test_merge_keeps_first_and_completes_it() -> None:
    zone = ZoneInfo("America/New_York")
    common = dict(source="ustr", source_key="k", organization="USTR", timezone="America/New_York",
                  title="Public hearing")
    cancelled = Event(**common, start=date(2024, 5, 29), status="cancelled")  # type: ignore[arg-type]
    original = Event(**common, start=datetime(2024, 5, 29, 9, 30, tzinfo=zone),  # type: ignore[arg-type]
                     location="USITC, 500 E Street SW")
    [merged] = merge_duplicates([cancelled, original])
    assert merged.status == "cancelled"
    assert merged.start == datetime(2024, 5, 29, 9, 30, tzinfo=zone)
    assert merged.location == "USITC, 500 E Street SW"
    moved = Event(**common, start=datetime(2024, 6, 5, 9, 30, tzinfo=zone))  # type: ignore[arg-type]
    [kept] = merge_duplicates([cancelled, moved])
    assert kept.start == date(2024, 5, 29)  # another day: not the same announcement's time


class BrokenSource(PagedSource):
    """A source with a bug: any exception, not only ParseError."""

    def parse(self, response: Response) -> Iterator[Event | Request]:
        raise KeyError("ni_date")


def test_a_bug_in_one_source_is_recorded_and_others_still_run(store: Store) -> None:
    broken = BrokenSource(SourceConfig(name="broken", type="test-paged",
                                       url="https://example.org/p1", organization="WTO",
                                       timezone="Europe/Zurich"))
    outcomes = refresh_all([broken, paged()], DictFetcher(PAGES), store)
    assert [o.ok for o in outcomes] == [False, True]
    assert outcomes[0].error == "KeyError: 'ni_date'"
    assert store.last_runs()["broken"].error == "KeyError: 'ni_date'"
    assert {s.event.source for s in store.events()} == {"paged"}
