"""Refresh orchestration: paging, failures isolated, duplicates merged, runs recorded."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aggregator.core.model import Event
from aggregator.fetch.fetcher import FetchError
from aggregator.reconcile import merge_duplicates
from aggregator.refresh import collect, describe_failure, refresh_all, refresh_source
from aggregator.store.db import Store
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


class SlowFetcher(DictFetcher):
    """DictFetcher taking ``seconds`` per request, noting the threads that asked."""

    def __init__(self, pages: dict[str, object], seconds: float) -> None:
        super().__init__(pages)
        self.seconds = seconds
        self.threads: set[str] = set()

    def get(self, request: Request) -> Response:
        self.threads.add(threading.current_thread().name)
        time.sleep(self.seconds)
        return super().get(request)


class ThreadNotingStore(Store):
    """A Store that notes the thread of every write."""

    writers: set[str]

    def start_run(self, *args: object, **kwargs: object) -> int:
        self.writers.add(threading.current_thread().name)
        return super().start_run(*args, **kwargs)  # type: ignore[arg-type]

    def apply_fetch(self, *args: object, **kwargs: object):  # type: ignore[override]
        self.writers.add(threading.current_thread().name)
        return super().apply_fetch(*args, **kwargs)  # type: ignore[arg-type]


def test_sources_are_fetched_side_by_side_and_stored_in_the_callers_thread(tmp_path) -> None:
    pages = {f"https://host{n}.example/p": {"events": [[f"k{n}", f"Meeting {n}", "2024-05-22"]],
                                            "next": None} for n in range(6)}
    sources = [paged(f"s{n}", f"https://host{n}.example/p") for n in range(6)]
    fetcher = SlowFetcher(pages, 0.3)
    done: list[str] = []
    with ThreadNotingStore(tmp_path / "t.db") as store:
        store.writers = set()
        started = time.monotonic()
        outcomes = refresh_all(sources, fetcher, store, on_done=lambda o: done.append(o.name))
        elapsed = time.monotonic() - started
        assert store.writers == {threading.current_thread().name}
    assert elapsed < 0.9  # six sources of 0.3 s each, side by side
    assert len(fetcher.threads) == 6 and threading.current_thread().name not in fetcher.threads
    assert [o.name for o in outcomes] == [f"s{n}" for n in range(6)]  # the order asked
    assert sorted(done) == sorted(o.name for o in outcomes) and all(o.ok for o in outcomes)


def test_stop_lets_the_source_under_way_finish_and_starts_no_other(store: Store) -> None:
    stop = threading.Event()

    class StoppingFetcher(DictFetcher):
        def get(self, request: Request) -> Response:
            stop.set()  # the signal comes while the first source is being fetched
            return super().get(request)

    sources = [paged("first"), paged("second"), paged("third")]
    outcomes = refresh_all(sources, StoppingFetcher(PAGES), store, workers=1,
                           should_stop=stop.is_set)
    assert [o.name for o in outcomes] == ["first"] and outcomes[0].ok
    assert set(store.last_runs()) == {"first"}
    assert {s.event.source for s in store.events()} == {"first"}


def test_failure_descriptions_drop_long_queries_but_keep_the_reason() -> None:
    url = "https://example.org/api/v1/documents.json?" + "&".join(f"f{n}=x" for n in range(80))
    assert describe_failure(ParseError(f"{url}: not JSON (Expecting value)")) == \
        "parse error: https://example.org/api/v1/documents.json?…: not JSON (Expecting value)"
    assert describe_failure(FetchError(url, "HTTP 503")) == \
        "fetch error: HTTP 503 (https://example.org/api/v1/documents.json)"
