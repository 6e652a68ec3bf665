"""Every fault a site can have, at once, among sources that stay healthy.

Twenty-two sources, each on its own loopback address (a host of its own to the fetcher):
two healthy ones (one gains events, one is unchanged and answers 304) and one per fault of
:data:`FAULTS`: a refused connection, a server that hangs past the timeout, a 500, a 503
with Retry-After, a 429 asking for an hour, a body cut short of its Content-Length, a body
cut short without one (so HTTP cannot tell), a Big5 page declared UTF-8 and one declaring no
character set, a valid but empty answer, a sharp drop in events, invalid JSON, binary
garbage, invalid XML, an HTML page served as a calendar, a calendar cut in half, a tarpit
(a header line every 0.15 s, never the body), a body sent a byte at a time, a 50 MB body
and a redirect loop. The sites are of four types: USTR (JSON), ICS, WTO airgrams (XML)
and an html-list page in Big5; every event is upcoming, so a refresh that took a fault for
the end of a source's events would cancel them.

One refresh runs with every site healthy, then (module fixture) one with the faults. Per
fault kind it must hold that: the run is recorded in ``runs`` with its outcome and the
reason; the source's stored events are as they were (all columns but ``last_seen``), none
lost, none cancelled; its own feed is byte for byte as it was; ``tradecal sources`` names
its health; the summary names it; and, alone (``tradecal refresh NAME``, no retries, a
0.25 s timeout), it makes the command exit 1. The two Big5 pages are no failure: they must be
read right (the same events as with their charset declared, recorded ``ok``, exit 0). A
drop and an empty answer are held back as ``suspicious``; every other fault is ``failed``
(a body cut without a Content-Length, XML or calendar, is a parse error:
``sources.lib.complete``). Overall: the healthy sources complete, every feed is whole for
icalendar and ical.js, the run exits 1 within a few timeouts.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aggregator.cli import cli
from aggregator.fetch.fetcher import BODY_TIME_FACTOR, GIVE_UP_MARGIN
from aggregator.store.lock import lock_path
from feeds.feedset import slug
from tests.conftest import FIXTURES
from tests.fault_sites import (
    AIRGRAMS_PATH,
    ICS_PATH,
    LIST_PATH,
    USTR_PATH,
    SiteSource,
    airgrams_answer,
    airgrams_source,
    big5_cards,
    cards_source,
    future_ustr_json,
    ics_feed,
    ics_source,
    ustr_source,
    write_config,
)
from tests.feed_checks import event_rows, feed_files, icaljs_available, icaljs_read, whole_calendar
from tests.servers import Handler, LoopbackServer, Reply, endless, hang, redirect_to, truncated

TIMEOUT = 0.5
ALONE_TIMEOUT = 0.25
"""The timeout of the runs of one faulty source alone (the tarpit then takes 1.5 s)."""
PACE = 0.15
"""Seconds between the header lines of the tarpit and the bytes of the crawling body: well
within a timeout, so only the deadline of the whole attempt stops them."""
MAX_BYTES = 5_000_000
DROP_FROM, DROP_TO = 12, 2


def cut_without_length(body: bytes, content_type: str, share: float = 0.7) -> Handler:
    """Send the first ``share`` of ``body`` with no Content-Length, then close: the
    client cannot tell the body is incomplete."""
    def handler(exchange) -> None:  # type: ignore[no-untyped-def]
        exchange.send_response(200)
        exchange.send_header("Content-Type", content_type)
        exchange.send_header("Connection", "close")
        exchange.end_headers()
        exchange.wfile.write(body[: int(len(body) * share)])
        exchange.close_connection = True
    return handler


def tarpit(exchange) -> None:  # type: ignore[no-untyped-def]
    """A status line, then a header line every PACE seconds, never the end of the headers."""
    exchange.wfile.write(b"HTTP/1.1 200 OK\r\n")
    for number in range(1000):
        if exchange.owner.stopping.wait(PACE):
            break
        exchange.wfile.write(b"X-Wait: %d\r\n" % number)
        exchange.wfile.flush()
    exchange.close_connection = True


def crawling(body: bytes) -> Handler:
    """The headers at once, then the body a byte every PACE seconds."""
    def handler(exchange) -> None:  # type: ignore[no-untyped-def]
        exchange.send_response(200)
        exchange.send_header("Content-Length", str(len(body)))
        exchange.end_headers()
        for byte in body:
            if exchange.owner.stopping.wait(PACE):
                break
            exchange.wfile.write(bytes([byte]))
            exchange.wfile.flush()
        exchange.close_connection = True
    return handler


def json_reply(body: bytes, status: int = 200, **headers: str) -> Reply:
    return Reply(body, status, headers={"Content-Type": "application/json", **headers})


@dataclass(frozen=True)
class Site:
    """What a site serves at ``path`` while healthy, and the source reading it."""

    path: str
    source: Callable[[str], SiteSource]
    page: Callable[[str], Reply]


SITES: dict[str, Site] = {
    "ustr": Site(USTR_PATH, ustr_source,
                 lambda name: json_reply(future_ustr_json(name), etag=f'"{name}-1"')),
    "ics": Site(ICS_PATH, ics_source, lambda name: Reply(
        ics_feed(name, DROP_FROM), headers={"Content-Type": "text/calendar"},
        etag=f'"{name}-1"')),
    "airgrams": Site(AIRGRAMS_PATH, airgrams_source, lambda name: Reply(
        airgrams_answer(10), headers={"Content-Type": "text/xml; charset=utf-8"})),
    # served with its charset and a trailing comment, so that the faulty run's bytes differ
    "cards": Site(LIST_PATH, cards_source, lambda name: Reply(
        big5_cards() + b"\n<!-- v1 -->\n", headers={"Content-Type": "text/html; charset=big5"})),
}


@dataclass(frozen=True)
class Fault:
    """A site's fault: the route it answers with once faulty (given the healthy body),
    the run's expected ``outcome`` in ``runs`` and words of the recorded ``error``, and
    how many requests its path gets in the faulty run (None: not checked)."""

    site: str
    route: Callable[[bytes], Reply | Handler | None]
    outcome: str
    error: tuple[str, ...]
    requests: int | None = None
    defect: str = ""


FAULTS: dict[str, Fault] = {
    "refused": Fault("ustr", lambda body: None, "failed",
                     ("fetch error", "robots.txt unreachable", "connection failed")),
    "timeout": Fault("ustr", lambda body: hang(30.0), "failed", ("fetch error", "timed out"), 2),
    "error500": Fault("ustr", lambda body: Reply(b"Internal error", 500), "failed",
                      ("HTTP 500", "after 2 attempts"), 2),
    "busy503": Fault("ustr", lambda body: Reply(b"Maintenance", 503,
                                                headers={"Retry-After": "1"}),
                     "failed", ("HTTP 503", "after 2 attempts"), 2),
    "rate429": Fault("ustr", lambda body: Reply(b"Slow down", 429,
                                                headers={"Retry-After": "3600"}),
                     "failed", ("HTTP 429", "wait 3600 s", "not retried this run"), 1),
    "truncated": Fault("ustr", truncated, "failed", ("fetch error", "connection failed")),
    "cut-xml": Fault(
        "airgrams", lambda body: cut_without_length(body, "text/xml; charset=utf-8"),
        "failed", ("parse error",), 1),
    "big5-as-utf8": Fault("cards", lambda body: Reply(
        big5_cards(), headers={"Content-Type": "text/html; charset=utf-8"}), "ok", (), 1),
    "big5-no-charset": Fault("cards", lambda body: Reply(
        big5_cards(), headers={"Content-Type": "text/html"}), "ok", (), 1),
    "empty": Fault("ustr", lambda body: json_reply(
        (FIXTURES / "ustr" / "search-empty.json").read_bytes()),
        "suspicious", ("suspicious: 0 events", "nothing stored or cancelled"), 1),
    "drop": Fault("ics", lambda body: Reply(
        ics_feed("drop", DROP_TO), headers={"Content-Type": "text/calendar"}),
        "suspicious", (f"suspicious: {DROP_TO} events", f"averaged {DROP_FROM}"), 1),
    "invalid-json": Fault("ustr", lambda body: json_reply(body[: len(body) // 2]),
                          "failed", ("parse error", "not JSON"), 1),
    "garbage": Fault("ustr", lambda body: json_reply(random.Random(5).randbytes(4096)),
                     "failed", ("parse error",), 1),
    "invalid-xml": Fault("airgrams", lambda body: Reply(
        b"<html><body><h1>Server Error in '/' Application.</h1></body></html>",
        headers={"Content-Type": "text/xml"}), "failed", ("parse error",), 1),
    "invalid-ics": Fault("ics", lambda body: Reply(
        b"<!DOCTYPE html><html><body>Please log in</body></html>",
        headers={"Content-Type": "text/calendar"}),
        "failed", ("parse error", "not an iCalendar feed"), 1),
    "cut-ics": Fault("ics", lambda body: cut_without_length(body, "text/calendar", 0.6),
                     "failed", ("parse error", "cut off (no END:VCALENDAR)"), 1),
    "tarpit": Fault("ustr", lambda body: tarpit, "failed",
                    ("too slow: no complete response", "not retried"), 1),
    "crawling": Fault("ustr", crawling, "failed",
                      ("too slow: body incomplete", "not retried"), 1),
    "huge": Fault("ustr", lambda body: endless(50_000_000), "failed",
                  ("fetch error", f"exceeds {MAX_BYTES} bytes"), 1),
    "loop": Fault("ustr", lambda body: redirect_to(USTR_PATH), "failed",
                  ("fetch error", "too many redirects"), 6),  # 5 redirects followed, no retry
}
HEALTHY = {"healthy-json": "ustr", "healthy-ics": "ics"}


@dataclass
class FaultRun:
    """The two runs and what they left: the store and feeds before and after the faults."""

    folder: Path
    before: Path
    """A copy of ``folder`` after the healthy run."""
    first: Result
    result: Result
    seconds: float
    listing: dict[str, dict]
    requests: dict[str, list[float]]
    """Times of the requests each site's path got in the faulty run."""

    def events(self, source: str, folder: Path | None = None) -> list[dict]:
        return event_rows((folder or self.folder) / "tradecal.db", "source = ?", [source])

    def feed(self, source: str, folder: Path | None = None) -> bytes:
        return ((folder or self.folder) / "public" / f"source-{slug(source)}.ics").read_bytes()

    def last_run(self, source: str) -> dict:
        with closing(sqlite3.connect(self.folder / "tradecal.db")) as db:
            db.row_factory = sqlite3.Row
            row = db.execute("select * from runs where source = ? order by id desc limit 1",
                             [source]).fetchone()
        return dict(row)


def invoke(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultRun]:
    folder = tmp_path_factory.mktemp("faults")
    names = {**HEALTHY, **{name: fault.site for name, fault in FAULTS.items()}}
    with ExitStack() as stack:
        servers = {name: stack.enter_context(LoopbackServer(f"127.0.0.{11 + number}"))
                   for number, name in enumerate(names)}
        healthy: dict[str, Reply] = {}
        for name, site in names.items():
            healthy[name] = SITES[site].page(name)
            servers[name].routes[SITES[site].path] = healthy[name]
        config = write_config(folder, {name: SITES[site].source(servers[name].url(
            SITES[site].path)) for name, site in names.items()},
            timeout=TIMEOUT, retries=1, max_bytes=MAX_BYTES)
        first = invoke(config, "run")
        before = folder.parent / "faults-before"
        shutil.copytree(folder, before)

        servers["healthy-json"].routes[USTR_PATH] = json_reply(
            future_ustr_json("healthy-json", copies=2), etag='"healthy-json-2"')
        for name, fault in FAULTS.items():
            route = fault.route(healthy[name].body)
            if route is None:
                servers[name].stop()
            else:
                servers[name].routes[SITES[fault.site].path] = route
            servers[name].reset_counts()
        started = time.monotonic()
        result = invoke(config, "run")
        seconds = time.monotonic() - started
        requests = {name: [when for path, _, when in server.log if path != "/robots.txt"]
                    for name, server in servers.items()}
        listing = invoke(config, "sources", "--json")
        yield FaultRun(folder, before, first, result, seconds,
                       {row["source"]: row for row in map(json.loads,
                                                          listing.stdout.splitlines())},
                       requests)


REAL_TIMING = {"tarpit", "crawling"}
"""Faults whose verdict is a real timeout racing the server's pauses."""


def fault_params() -> list[object]:
    return [pytest.param(name, id=name, marks=[
        *([pytest.mark.xfail(strict=True, reason=f"defect: {fault.defect}")]
          if fault.defect else []),
        *([pytest.mark.real_clock] if name in REAL_TIMING else [])])
        for name, fault in FAULTS.items()]


def test_healthy_run_stores_every_site(fault_run: FaultRun) -> None:
    assert fault_run.first.exit_code == 0, fault_run.first.output
    for name in [*HEALTHY, *FAULTS]:
        assert fault_run.events(name, fault_run.before), f"{name} stored nothing"


def test_the_faulty_run_exits_1_in_bounded_time(fault_run: FaultRun) -> None:
    assert fault_run.result.exit_code == 1, fault_run.result.output
    # the slowest: the tarpit, given up after BODY_TIME_FACTOR timeouts (and a margin);
    # the hang: two timeouts and a backoff of about a second; the 503: a second's wait
    # (three times that: a bound against a hang, not a timing a loaded machine could miss)
    limit = 3 * (BODY_TIME_FACTOR * TIMEOUT + GIVE_UP_MARGIN + 2.0)
    assert fault_run.seconds < limit, f"took {fault_run.seconds:.1f} s"


def test_the_healthy_sources_complete(fault_run: FaultRun) -> None:
    output = fault_run.result.output
    assert "healthy-json: 8 events (4 new, 0 changed, 4 unchanged)" in output, output
    assert "healthy-ics: unchanged since the last refresh, 12 events kept" in output, output
    assert len(fault_run.events("healthy-json")) == 8
    for name in HEALTHY:
        assert fault_run.last_run(name)["outcome"] == "ok"
        assert fault_run.listing[name]["health"] == "ok"
    feed = whole_calendar(fault_run.feed("healthy-json"))
    assert len(feed.walk("VEVENT")) == 8


@pytest.mark.parametrize("name", fault_params())
def test_the_run_is_recorded_with_its_reason(fault_run: FaultRun, name: str) -> None:
    fault = FAULTS[name]
    run = fault_run.last_run(name)
    assert run["outcome"] == fault.outcome, run
    assert run["finished"], run
    for words in fault.error:
        assert words in run["error"], run["error"]
    if fault.outcome == "ok":
        assert run["error"] == "" and run["events"] == len(fault_run.events(name))
    health = fault_run.listing[name]
    assert health["health"] == {"failed": "failing", "suspicious": "suspicious",
                                "ok": "ok"}[fault.outcome]


@pytest.mark.parametrize("name", fault_params())
def test_no_event_is_lost_cancelled_or_changed(fault_run: FaultRun, name: str) -> None:
    before = fault_run.events(name, fault_run.before)
    after = fault_run.events(name)
    assert len(after) == len(before)  # none lost
    assert [row["status"] for row in after] == [row["status"] for row in before]  # none cancelled
    assert after == before  # nothing else changed either (but last_seen)


@pytest.mark.parametrize("name", fault_params())
def test_its_feed_is_as_it_was(fault_run: FaultRun, name: str) -> None:
    data = fault_run.feed(name)
    assert data == fault_run.feed(name, fault_run.before)
    assert len(whole_calendar(data, name).walk("VEVENT")) == len(fault_run.events(name))


@pytest.mark.parametrize("name", fault_params())
def test_the_summary_names_it(fault_run: FaultRun, name: str) -> None:
    output = fault_run.result.output
    headline = next(line for line in output.splitlines() if "sources refreshed" in line)
    failed = headline.split("; failed: ", 1)[1].split(" (")[0].split(", ")
    if FAULTS[name].outcome == "ok":
        assert name not in failed
        assert f"FAILED {name}:" not in output
        count = len(fault_run.events(name))
        assert f"{name}: {count} events (0 new, 0 changed, {count} unchanged)" in output
    else:
        assert name in failed
        line = next(line for line in output.splitlines() if f"FAILED {name}: " in line)
        assert FAULTS[name].error[0] in line


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=[pytest.mark.real_clock] if name in REAL_TIMING else [])
    for name, fault in FAULTS.items() if fault.requests is not None])
def test_retries_as_the_fault_deserves(fault_run: FaultRun, name: str) -> None:
    times = fault_run.requests[name]
    assert len(times) == FAULTS[name].requests, times
    if name == "busy503":  # Retry-After: 1 was honoured
        assert times[1] - times[0] >= 0.95


@pytest.mark.parametrize("name", fault_params())
def test_alone_it_makes_refresh_exit_1(fault_run: FaultRun, name: str,
                                       tmp_path: Path) -> None:
    """``tradecal refresh NAME`` on the store as it was before the faults, no retries, a
    shorter timeout."""
    folder = tmp_path / "copy"
    shutil.copytree(fault_run.before, folder)
    lock_path(folder / "tradecal.db").unlink(missing_ok=True)
    config = folder / "config.toml"
    text = config.read_text(encoding="utf-8").replace("retries = 1", "retries = 0")
    config.write_text(text.replace(f"timeout = {TIMEOUT!r}", f"timeout = {ALONE_TIMEOUT!r}"),
                      encoding="utf-8")
    result = invoke(config, "refresh", name)
    fault = FAULTS[name]
    assert result.exit_code == (0 if fault.outcome == "ok" else 1), result.output
    assert ("failed: " + name in result.output) == (fault.outcome != "ok"), result.output
    assert event_rows(folder / "tradecal.db", "source = ?", [name]) == \
        fault_run.events(name, fault_run.before)


def test_every_feed_is_whole(fault_run: FaultRun) -> None:
    feeds = feed_files(fault_run.folder / "public")
    assert len(feeds) > len(FAULTS)
    calendars = {name: whole_calendar(data, name) for name, data in feeds.items()}
    for name in [*HEALTHY, *FAULTS]:  # a source's own feed holds every event it has
        events = calendars[f"source-{slug(name)}.ics"].walk("VEVENT")
        assert len(events) == len(fault_run.events(name)), name
    # all.ics: one entry per meeting (sites serving the same page announce the same ones);
    # the meetings of these three sites are theirs alone
    alone = sum(len(fault_run.events(name)) for name in ("healthy-json", "healthy-ics", "drop"))
    assert len(calendars["all.ics"].walk("VEVENT")) >= alone


@pytest.mark.skipif(not icaljs_available(), reason="node or ical.js (tests/js) not installed")
def test_icaljs_reads_every_feed(fault_run: FaultRun) -> None:
    paths = sorted((fault_run.folder / "public").glob("*.ics"))
    read = icaljs_read(paths)
    assert [Path(feed["file"]).name for feed in read] == [path.name for path in paths]
    for feed in read:
        source = Path(feed["file"]).stem.removeprefix("source-")
        if source in FAULTS or source in HEALTHY:
            assert len(feed["events"]) == len(fault_run.events(source)), source
