"""One clock: :mod:`aggregator.core.clock` owns "now" and "today", and nothing else reads the
system's calendar time."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from aggregator.config import parse_config
from aggregator.core import clock
from sources.registry import build_source
from tests.conftest import ROOT

PACKAGES = ("aggregator", "sources", "feeds", "bench")
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
               ("date", "today"), ("time", "time"), ("time", "time_ns")}
ALLOWED = {"aggregator/core/clock.py": "the clock itself"}
"""Modules allowed to read the system clock (a Retry-After date or a file's age is compared
with :func:`aggregator.core.clock.system_now`, which the clock module owns too)."""
ORGANIZATIONS = {"WTO": {"short_name": "WTO"}, "ITRI": {"short_name": "工研院"}}


def clock_calls(path: Path) -> list[str]:
    """``name.attr()`` calls of the system clock in a module, as ``line: text``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else \
                owner.attr if isinstance(owner, ast.Attribute) else ""
            if (name, node.func.attr) in CLOCK_CALLS:
                found.append(f"{node.lineno}: {name}.{node.func.attr}()")
    return found


def test_only_the_clock_module_reads_the_system_clock() -> None:
    offenders = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative not in ALLOWED and (calls := clock_calls(path)):
                offenders[relative] = calls
    assert not offenders, f"read the time through aggregator.core.clock: {offenders}"


def test_the_system_clock_is_not_stopped(frozen_clock) -> None:
    frozen_clock("2001-01-01T00:00:00Z")
    assert clock.now().year == 2001
    assert clock.system_now().year > 2001  # what a server's date or a file's mtime is read by


def test_the_scan_finds_each_form(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("import datetime, time\nfrom datetime import date\n"
                      "a = datetime.datetime.now()\nb = date.today()\nc = time.time()\n"
                      "d = time.monotonic()\n", encoding="utf-8")
    assert clock_calls(module) == ["3: datetime.now()", "4: date.today()", "5: time.time()"]


def test_a_stopped_clock_answers_its_instant_in_every_zone(frozen_clock) -> None:
    frozen_clock("2027-03-10T22:30:00.250Z")
    assert clock.now() == datetime(2027, 3, 10, 22, 30, tzinfo=UTC)
    assert clock.now_exact().microsecond == 250_000
    assert clock.today("UTC") == date(2027, 3, 10)
    assert clock.today("Asia/Taipei") == date(2027, 3, 11)  # 06:30 on the 11th in Taipei
    assert clock.today("America/New_York") == date(2027, 3, 10)
    assert clock.local_now("Asia/Taipei").hour == 6


def test_a_running_clock_moves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.NOW_VARIABLE, raising=False)
    first = clock.now_exact()
    assert first.tzinfo is not None
    assert clock.now_exact() >= first


@pytest.mark.parametrize("value", ["tomorrow", "2027-03-10T22:30:00"])
def test_a_bad_stopped_time_is_named(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(clock.NOW_VARIABLE, value)
    with pytest.raises(clock.ClockError, match="TRADECAL_NOW"):
        clock.now()


def test_a_source_runs_on_its_own_venue_day(frozen_clock, tmp_path: Path) -> None:
    raw = {"organizations": ORGANIZATIONS, "sources": {
        "taipei": {"type": "ics", "url": "https://example.org/a.ics", "organization": "ITRI",
                   "timezone": "Asia/Taipei"},
        "geneva": {"type": "ics", "url": "https://example.org/b.ics", "organization": "WTO",
                   "timezone": "Europe/Zurich"}}}
    config = parse_config(raw, tmp_path / "config.toml")
    frozen_clock(datetime(2027, 3, 10, 22, 30, tzinfo=UTC))
    assert build_source(config.sources["taipei"]).today == date(2027, 3, 11)
    assert build_source(config.sources["geneva"]).today == date(2027, 3, 10)
    given = build_source(config.sources["geneva"], today=date(2030, 1, 2))
    assert given.today == date(2030, 1, 2)


def test_the_airgram_query_follows_the_run_day_not_the_machine(tmp_path: Path) -> None:
    config = parse_config({"organizations": ORGANIZATIONS, "sources": {"air": {
        "type": "wto-airgrams", "url": "", "organization": "WTO",
        "timezone": "Europe/Zurich"}}}, tmp_path / "c.toml")
    early = build_source(config.sources["air"], today=date(2031, 2, 14)).start_requests()
    query = dict(early[0].params)["query"]
    assert "01/10/2030" in query  # 120 days back from 14 Feb 2031, from the 1st of the month
