"""Eight sources turn faulty at once while one stays healthy.

The faults: a 500; a 503 with Retry-After; a truncated body; binary garbage; a valid but
empty result; a server that hangs past the timeout; a 50 MB body; a redirect loop. The
refresh must end within a few timeouts, exit 1, name every failing source (in its output
and in ``tradecal sources``), lose or cancel none of their stored events, and leave the
feeds valid and as they were.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from contextlib import ExitStack
from pathlib import Path

from click.testing import CliRunner
from icalendar import Calendar

from aggregator.cli import cli
from tests.conftest import FIXTURES
from tests.servers import LoopbackServer, Reply, endless, hang, redirect_to, truncated
from tests.ustr_sites import PATH, page_reply, ustr_page, write_config

TIMEOUT = 1.0
FAULTS = ("error500", "busy503", "truncated", "garbage", "empty", "hanging", "huge", "loop")


def faulty_route(name: str, page: bytes):
    """What the site called ``name`` answers once it has turned faulty."""
    return {
        "error500": Reply(b"Internal error", 500),
        "busy503": Reply(b"Maintenance", 503, headers={"Retry-After": "1"}),
        "truncated": truncated(page),
        "garbage": Reply(random.Random(5).randbytes(4096),
                         headers={"Content-Type": "application/json"}),
        "empty": Reply((FIXTURES / "ustr" / "search-empty.json").read_bytes(),
                       headers={"Content-Type": "application/json"}),
        "hanging": hang(30.0),
        "huge": endless(50_000_000),
        "loop": redirect_to(PATH),
    }[name]


def invoke(config: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def snapshot(folder: Path) -> tuple[list[tuple], dict[str, bytes]]:
    with sqlite3.connect(folder / "tradecal.db") as db:
        events = db.execute("select * from events order by uid").fetchall()
    feeds = {path.name: path.read_bytes() for path in sorted((folder / "public").glob("*.ics"))}
    return events, feeds


def test_eight_faulty_sources_and_one_healthy(tmp_path: Path) -> None:
    names = ("healthy", *FAULTS)
    with ExitStack() as stack:
        servers = {name: stack.enter_context(LoopbackServer(f"127.0.0.{11 + n}"))
                   for n, name in enumerate(names)}
        pages = {name: ustr_page(name) for name in names}
        for name, server in servers.items():
            server.routes[PATH] = page_reply(pages[name])
        config = write_config(tmp_path, {name: server.url(PATH)
                                         for name, server in servers.items()},
                              timeout=TIMEOUT, retries=1)
        first = invoke(config, "run")
        assert first.exit_code == 0, first.output
        events_before, feeds_before = snapshot(tmp_path)
        assert len(events_before) == 4 * len(names)

        for name in FAULTS:
            servers[name].routes[PATH] = faulty_route(name, page_reply(pages[name]).body)
        started = time.monotonic()
        result = invoke(config, "run")
        elapsed = time.monotonic() - started
        listing = invoke(config, "sources", "--json")

    assert result.exit_code == 1
    assert elapsed < 6 * TIMEOUT, f"took {elapsed:.1f} s"  # the hang: 2 timeouts + backoff
    failed_lines = [line for line in result.output.splitlines() if "FAILED" in line]
    for name in FAULTS:
        assert any(f"FAILED {name}:" in line for line in failed_lines), result.output
    assert "healthy: unchanged since the last refresh" in result.output
    assert result.output.count("FAILED ") == len(FAULTS)
    health = {row["source"]: row for row in map(json.loads, listing.stdout.splitlines())}
    assert health["healthy"]["health"] == "ok"
    assert {name: health[name]["health"] for name in FAULTS} == {
        **{name: "failing" for name in FAULTS}, "empty": "suspicious"}
    reasons = {name: health[name]["error"] for name in FAULTS}
    assert "HTTP 500" in reasons["error500"] and "HTTP 503" in reasons["busy503"]
    assert reasons["truncated"].startswith("fetch error: connection failed")
    assert reasons["garbage"].startswith("parse error")
    assert reasons["empty"].startswith("suspicious: 0 events")
    assert "timed out" in reasons["hanging"]
    assert "exceeds 20000000 bytes" in reasons["huge"]
    assert "too many redirects" in reasons["loop"]

    events_after, feeds_after = snapshot(tmp_path)
    assert events_after == events_before  # nothing lost, nothing cancelled, nothing touched
    assert feeds_after == feeds_before
    for name, data in feeds_after.items():
        calendar = Calendar.from_ical(data)
        assert calendar.get("PRODID"), name
    everything = Calendar.from_ical(feeds_after["all.ics"])
    assert len(everything.walk("VEVENT")) == len(events_before)
