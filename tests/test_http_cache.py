"""Incremental refresh: conditional requests, 304 and unchanged bodies skip parsing and keep
events; only a stored refresh updates the validators."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest
from click.testing import CliRunner

from aggregator.cli import cli
from aggregator.config import RefreshSettings
from aggregator.core.model import Event
from aggregator.fetch.fetcher import Fetcher
from aggregator.refresh import refresh_source
from aggregator.store import http_cache
from aggregator.store.db import Store
from sources.base import Request, Response, SourceConfig
from tests.servers import LoopbackServer, Reply
from tests.test_refresh import PagedSource
from tests.ustr_sites import PATH, page_reply, ustr_page, write_config

NOW = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
PAGE_1 = {"events": [["a", "General Council", "2024-05-22"],
                     ["b", "Committee on Agriculture", "2024-05-28"]], "next": None}


class CountingSource(PagedSource):
    """PagedSource that counts the responses it parses."""

    parsed: ClassVar[list[str]] = []

    def parse(self, response: Response) -> Iterator[Event | Request]:
        CountingSource.parsed.append(response.url)
        yield from super().parse(response)


@pytest.fixture(autouse=True)
def reset_counter() -> None:
    CountingSource.parsed = []


def source(url: str, name: str = "paged", **options: object) -> CountingSource:
    return CountingSource(SourceConfig(name=name, type="test-paged", url=url,
                                       organization="WTO", timezone="Europe/Zurich",
                                       options=options))


def body(page: dict[str, object]) -> bytes:
    return json.dumps(page).encode()


def refresh(src: CountingSource, store: Store, when: datetime = NOW, **settings: object):
    with Fetcher(retries=0) as fetcher:
        return refresh_source(src, fetcher, store, now=when,
                              settings=RefreshSettings(**settings))  # type: ignore[arg-type]


def rows(store: Store) -> list[dict[str, object]]:
    return [dict(row) for row in store.db["events"].rows]


def test_304_skips_parsing_and_keeps_events(store: Store) -> None:
    with LoopbackServer() as server:
        server.routes["/p1"] = Reply(body(PAGE_1), etag='"v1"',
                                     last_modified="Wed, 01 May 2024 05:00:00 GMT")
        src = source(server.url("/p1"))
        first = refresh(src, store)
        before = rows(store)
        second = refresh(src, store, NOW + timedelta(hours=6))
        conditional = server.log[-1][1]
    assert first.ok and not first.unchanged and first.counts.inserted == 2
    assert conditional["If-None-Match"] == '"v1"'
    assert conditional["If-Modified-Since"] == "Wed, 01 May 2024 05:00:00 GMT"
    assert second.ok and second.unchanged and second.events == 2 and second.requests == 1
    assert "unchanged since the last refresh, 2 events kept" in second.summary()
    assert len(CountingSource.parsed) == 1  # the 304 was not parsed
    assert rows(store) == before  # nothing touched, nothing cancelled
    last = store.last_runs()["paged"]
    assert (last.outcome, last.events, last.unchanged, last.inserted) == ("ok", 2, 2, 0)
    [entry] = http_cache.load_entries(store.db).values()
    assert entry.etag == '"v1"' and entry.stored_at == NOW.isoformat()
    assert entry.checked_at == (NOW + timedelta(hours=6)).isoformat()


def test_same_body_without_validators_is_unchanged_by_its_hash(store: Store) -> None:
    with LoopbackServer() as server:
        server.routes["/p1"] = Reply(body(PAGE_1))
        src = source(server.url("/p1"))
        refresh(src, store)
        second = refresh(src, store)
        assert "If-None-Match" not in server.log[-1][1]
    assert second.unchanged and len(CountingSource.parsed) == 1


def test_changed_body_is_parsed_and_stored(store: Store) -> None:
    with LoopbackServer() as server:
        server.routes["/p1"] = Reply(body(PAGE_1), etag='"v1"')
        src = source(server.url("/p1"))
        refresh(src, store)
        changed = {**PAGE_1, "events": [*PAGE_1["events"],  # type: ignore[list-item]
                                        ["c", "Trade Policy Review", "2024-05-30"]]}
        server.routes["/p1"] = Reply(body(changed), etag='"v2"')
        second = refresh(src, store)
    assert second.ok and not second.unchanged and second.counts.inserted == 1
    assert http_cache.load_entries(store.db)[("paged", server.url("/p1"))].etag == '"v2"'


def test_multi_page_source_unchanged_when_its_first_page_is(store: Store) -> None:
    with LoopbackServer() as server:
        server.routes["/p1"] = Reply(body({**PAGE_1, "next": server.url("/p2")}), etag='"1"')
        server.routes["/p2"] = Reply(body({"events": [["c", "TPR", "2024-06-03"]],
                                           "next": None}), etag='"2"')
        src = source(server.url("/p1"))
        assert refresh(src, store).events == 3
        server.reset_counts()
        again = refresh(src, store)
        assert again.unchanged and again.events == 3
        assert server.requests_to("/p2") == 0 and server.requests_to("/p1") == 1


def test_failed_refresh_keeps_old_validators_so_the_next_is_full(store: Store) -> None:
    with LoopbackServer() as server:
        server.routes["/p1"] = Reply(body({**PAGE_1, "next": server.url("/p2")}), etag='"1"')
        src = source(server.url("/p1"))  # /p2 has no route: 500
        assert not refresh(src, store).ok
        assert http_cache.load_entries(store.db) == {}
        server.routes["/p2"] = Reply(body({"events": [], "next": None}))
        again = refresh(src, store)
        assert "If-None-Match" not in server.log[-2][1]  # /p1 asked in full
    assert again.ok and not again.unchanged and again.counts.inserted == 2


def test_suspicious_refresh_does_not_move_the_validators(store: Store) -> None:
    with LoopbackServer() as server:
        server.routes["/p1"] = Reply(body(PAGE_1), etag='"full"')
        src = source(server.url("/p1"))
        refresh(src, store)
        server.routes["/p1"] = Reply(body({"events": [], "next": None}), etag='"empty"')
        held = refresh(src, store)
        assert not held.ok and held.error.startswith("suspicious")
        assert http_cache.load_entries(store.db)[("paged", server.url("/p1"))].etag == '"full"'
        held_again = refresh(src, store)  # the empty page is still parsed, still held back
    assert not held_again.ok and len(CountingSource.parsed) == 3
    assert len(store.events()) == 2 and all(s.event.status == "confirmed"
                                            for s in store.events())


def test_configuration_change_or_age_forces_a_full_fetch(store: Store) -> None:
    with LoopbackServer() as server:
        server.routes["/p1"] = Reply(body(PAGE_1), etag='"v1"')
        refresh(source(server.url("/p1")), store)
        other = source(server.url("/p1"), term="x")  # another configuration
        assert not refresh(other, store).unchanged
        assert refresh(other, store, NOW + timedelta(hours=23)).unchanged
        late = refresh(other, store, NOW + timedelta(hours=24))
        assert not late.unchanged
        assert "If-None-Match" not in server.log[-1][1]


def test_full_refresh_hours_zero_never_forces_a_full_fetch() -> None:
    config = SourceConfig(name="s", type="t", url="u", organization="WTO", timezone="UTC")
    entry = http_cache.CacheEntry("s", "u", etag='"1"', fingerprint=http_cache.fingerprint(config),
                                  stored_at=NOW.isoformat())
    entries = {("s", "u"): entry}
    year_later = NOW + timedelta(days=365)
    assert http_cache.ValidatorCache(entries, year_later).usable(config, "u") is None
    assert http_cache.ValidatorCache(entries, year_later, 0).usable(config, "u") == entry
    assert http_cache.ValidatorCache(entries, NOW).usable(config, "other") is None


class TwoListings(CountingSource):
    def start_requests(self) -> list[Request]:
        return [Request(self.config.url), Request(self.config.url + "?past=1")]


def test_source_with_several_start_requests_is_always_fetched_in_full(store: Store) -> None:
    with LoopbackServer() as server:
        server.routes["/p1"] = Reply(body(PAGE_1), etag='"v1"')
        src = TwoListings(source(server.url("/p1")).config)
        refresh(src, store)
        again = refresh(src, store)
        assert all("If-None-Match" not in headers for _, headers, _ in server.log)
    assert not again.unchanged and again.counts.unchanged == 2


def test_unexpected_304_is_a_failure(store: Store) -> None:
    with LoopbackServer() as server:
        server.routes["/p1"] = Reply(b"", 304)
        outcome = refresh(source(server.url("/p1")), store)
    assert not outcome.ok and "304" in outcome.error


def test_conditional_request_replaces_old_validators() -> None:
    entry = http_cache.CacheEntry("s", "u", etag='"2"', last_modified="")
    request = Request("https://example.org/", headers=(("If-None-Match", '"1"'),
                                                       ("Accept", "text/html")))
    assert http_cache.conditional(request, entry).headers == (("Accept", "text/html"),
                                                               ("If-None-Match", '"2"'))


def test_full_option_fetches_and_parses_an_unchanged_source(tmp_path) -> None:
    with LoopbackServer() as server:
        server.routes[PATH] = page_reply(ustr_page())
        config = str(write_config(tmp_path, {"a": server.url(PATH)}))
        runner = CliRunner()
        assert runner.invoke(cli, ["--config", config, "refresh"]).exit_code == 0
        again = runner.invoke(cli, ["--config", config, "refresh"])
        full = runner.invoke(cli, ["--config", config, "refresh", "--full"])
        asked = [headers for path, headers, _ in server.log if path == PATH]
    assert "unchanged since the last refresh" in again.output
    assert "4 events (0 new, 0 changed, 4 unchanged) from 1 request(s)" in full.output
    assert ["If-None-Match" in headers for headers in asked] == [False, True, False]
