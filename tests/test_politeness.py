"""Per-host limits and robots.txt, alone and through the fetcher (local servers only)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from aggregator.fetch.fetcher import Fetcher, FetchError
from aggregator.fetch.politeness import HostLimiter, RobotsCache, RobotsFile, agent_token, origin, robots_url
from sources.base import Request
from tests.servers import LoopbackServer, Reply

ROBOTS = b"""User-agent: *
Disallow: /private
Allow: /private/calendar

User-agent: otherbot
Disallow: /
"""


def test_origin_robots_url_and_agent_token() -> None:
    assert origin("HTTPS://Example.ORG:8443/a/b?c=1") == "https://example.org:8443"
    assert robots_url("http://127.0.0.2:80/x/y") == "http://127.0.0.2:80/robots.txt"
    assert agent_token("tradecal/0.1 (+https://github.com/tradecal/tradecal)") == "tradecal"
    assert agent_token("newsletter-bot (ops@example.org)") == "newsletter-bot"
    assert agent_token("") == "*"


def test_robots_rules_longest_match_and_groups() -> None:
    robots = RobotsFile.parse(ROBOTS)
    assert robots.allows("https://example.org/events", "tradecal/0.1")
    assert not robots.allows("https://example.org/private/notes", "tradecal/0.1")
    assert robots.allows("https://example.org/private/calendar.ics", "tradecal/0.1")
    assert not robots.allows("https://example.org/events", "otherbot/2")
    assert RobotsFile().allows("https://example.org/anything", "tradecal")
    assert not RobotsFile(unreachable="HTTP 503").allows("https://example.org/", "tradecal")


def test_robots_cache_loads_once_per_host_even_from_many_threads() -> None:
    loads: list[str] = []

    def load(url: str) -> RobotsFile:
        loads.append(url)
        time.sleep(0.05)
        return RobotsFile()

    cache = RobotsCache(load)
    urls = [f"https://{host}/page{n}" for host in ("a.org", "b.org") for n in range(10)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(cache.get, urls))
    assert sorted(loads) == ["https://a.org/robots.txt", "https://b.org/robots.txt"]


def test_limiter_spaces_starts_to_one_host_by_the_delay() -> None:
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = HostLimiter(concurrency=1, delay=2.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        with limiter.slot("https://a.org"):
            now[0] += 0.5  # the request takes half a second
    with limiter.slot("https://b.org"):  # another host: no wait
        pass
    assert waits == [1.5, 1.5]
    limiter.raise_delay("https://a.org", 500.0)  # a Crawl-delay, capped
    assert limiter.delay_of("https://a.org") == 60.0
    assert limiter.delay_of("https://b.org") == 2.0


def test_limiter_never_exceeds_concurrency_per_host() -> None:
    limiter = HostLimiter(concurrency=2)
    running: dict[str, int] = {"a": 0, "b": 0}
    highest: dict[str, int] = {"a": 0, "b": 0}
    lock = threading.Lock()

    def request(host: str) -> None:
        with limiter.slot(host):
            with lock:
                running[host] += 1
                highest[host] = max(highest[host], running[host])
            time.sleep(0.02)
            with lock:
                running[host] -= 1

    with ThreadPoolExecutor(12) as pool:
        list(pool.map(request, ["a", "b"] * 12))
    assert highest == {"a": 2, "b": 2}
    with pytest.raises(ValueError):
        HostLimiter(concurrency=0)


def test_fetcher_keeps_each_host_within_its_limit_and_hosts_apart() -> None:
    with LoopbackServer("127.0.0.2", latency=0.2) as one, \
            LoopbackServer("127.0.0.3", latency=0.2) as two:
        for server in (one, two):
            server.routes["/page"] = Reply(b"ok")
        urls = [one.url("/page")] * 3 + [two.url("/page")] * 3
        with Fetcher(concurrency=1, robots=True) as fetcher, ThreadPoolExecutor(6) as pool:
            started = time.monotonic()
            list(pool.map(lambda url: fetcher.get(Request(url)), urls))
            elapsed = time.monotonic() - started
    assert one.max_in_flight == 1 and two.max_in_flight == 1
    assert one.requests_to("/robots.txt") == 1 and two.requests_to("/robots.txt") == 1
    # each host: robots + 3 pages one after another (0.8 s); both hosts side by side
    assert 0.75 < elapsed < 1.55  # one after the other: 1.6 s


def test_disallowed_url_fails_naming_robots_and_is_not_requested() -> None:
    with LoopbackServer() as server:
        server.routes["/robots.txt"] = Reply(ROBOTS)
        server.routes["/private/notes"] = Reply(b"secret")
        server.routes["/private/calendar"] = Reply(b"ok")
        with Fetcher(robots=True, user_agent="tradecal/test") as fetcher:
            with pytest.raises(FetchError, match="robots.txt disallows /private/notes for "
                                                 "tradecal"):
                fetcher.get(Request(server.url("/private/notes")))
            assert fetcher.get(Request(server.url("/private/calendar"))).body == b"ok"
        assert server.requests_to("/private/notes") == 0
        assert server.requests_to("/robots.txt") == 1


def test_robots_for_the_configured_agent_group() -> None:
    with LoopbackServer() as server:
        server.routes["/robots.txt"] = Reply(ROBOTS)
        server.routes["/events"] = Reply(b"ok")
        with Fetcher(robots=True, user_agent="otherbot/2 (ops@example.org)") as fetcher, \
                pytest.raises(FetchError, match="robots.txt disallows /events for otherbot"):
            fetcher.get(Request(server.url("/events")))


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_missing_robots_allows_everything(status: int) -> None:
    with LoopbackServer() as server:
        server.routes["/robots.txt"] = Reply(b"no", status)
        server.routes["/events"] = Reply(b"ok")
        with Fetcher(robots=True) as fetcher:
            assert fetcher.get(Request(server.url("/events"))).body == b"ok"


def test_unreachable_robots_allows_nothing_this_run() -> None:
    with LoopbackServer() as server:
        server.routes["/robots.txt"] = Reply(b"down", 503)
        server.routes["/events"] = Reply(b"ok")
        with Fetcher(robots=True, retries=1, sleep=lambda s: None) as fetcher:
            for _ in range(2):
                with pytest.raises(FetchError, match="robots.txt unreachable: HTTP 503"):
                    fetcher.get(Request(server.url("/events")))
        assert server.requests_to("/robots.txt") == 2  # one fetch, retried once; then cached
        assert server.requests_to("/events") == 0


def test_crawl_delay_spaces_the_hosts_requests() -> None:
    with LoopbackServer() as server:
        server.routes["/robots.txt"] = Reply(b"User-agent: *\nCrawl-delay: 0.3\n")
        server.routes["/events"] = Reply(b"ok")
        with Fetcher(robots=True) as fetcher:
            fetcher.get(Request(server.url("/events")))
            fetcher.get(Request(server.url("/events")))
            assert fetcher.limiter.delay_of(origin(server.url())) == 0.3
        times = [when for path, _, when in server.log if path == "/events"]
    assert times[1] - times[0] >= 0.29


def test_robots_off_by_default_and_never_for_files(tmp_path) -> None:
    local = tmp_path / "events.csv"
    local.write_text("organization,title,start\n", encoding="utf-8")
    with LoopbackServer() as server:
        server.routes["/events"] = Reply(b"ok")
        with Fetcher() as fetcher:
            fetcher.get(Request(server.url("/events")))
        with Fetcher(robots=True) as fetcher:
            fetcher.get(Request(local.as_uri()))
        assert server.requests_to("/robots.txt") == 0
