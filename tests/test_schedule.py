"""The scheduler: schedules parsed, jobs and triggers built, one job run directly, and
SIGTERM/SIGINT handled by a real ``tradecal schedule`` process (no waiting for hours)."""

from __future__ import annotations

import logging
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from click.testing import CliRunner

from aggregator.cli import cli
from aggregator.config import Config, ScheduleSettings, parse_config
from aggregator.jobs import scheduled_refresh, store_lock
from aggregator.schedule import build_scheduler, cron_weekdays, parse_schedule, plan_jobs, source_schedule
from sources.base import SourceConfig
from tests.servers import LoopbackServer
from tests.ustr_sites import PATH, page_reply, ustr_page, write_config

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)  # a Saturday


@pytest.mark.parametrize(("text", "interval"), [
    ("every 6h", timedelta(hours=6)), ("6h", timedelta(hours=6)),
    ("every 30m", timedelta(minutes=30)), ("every 1d", timedelta(days=1)),
    ("2h30m", timedelta(hours=2, minutes=30)), ("every 6 hours", timedelta(hours=6)),
    ("every 1.5h", timedelta(minutes=90)),
])
def test_interval_schedules(text: str, interval: timedelta) -> None:
    schedule = parse_schedule(text)
    assert schedule.interval == interval and schedule.period(NOW) == interval


@pytest.mark.parametrize(("text", "period"), [
    ("0 */6 * * *", timedelta(hours=6)), ("*/15 * * * *", timedelta(minutes=15)),
    ("0 9 * * 1-5", timedelta(days=3)),  # Friday to Monday
    ("0 9 * * 0", timedelta(days=7)), ("0 0 1 * *", timedelta(days=31)),
])
def test_cron_schedules_and_their_longest_gap(text: str, period: timedelta) -> None:
    assert parse_schedule(text).period(NOW) == period


@pytest.mark.parametrize("text", ["daily", "every 0h", "0 25 * * *", "* * * *", "", "6x"])
def test_bad_schedules_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="schedule"):
        parse_schedule(text)


@pytest.mark.parametrize(("field", "names"), [
    ("*", "*"), ("1", "mon"), ("0", "sun"), ("7", "sun"), ("1-5", "mon,tue,wed,thu,fri"),
    ("5-7", "sun,fri,sat"), ("*/2", "sun,tue,thu,sat"), ("mon,wed", "mon,wed"),
    ("0,6", "sun,sat"),
])
def test_cron_day_of_week_counts_from_sunday(field: str, names: str) -> None:
    assert cron_weekdays(field) == names


def test_cron_monday_fires_on_monday() -> None:
    trigger = parse_schedule("0 9 * * 1").trigger(ScheduleSettings(), ZoneInfo("UTC"))
    assert trigger.get_next_fire_time(None, NOW) == datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def spec(name: str, schedule: str | None = None, enabled: bool = True) -> SourceConfig:
    return SourceConfig(name=name, type="ustr", url="https://x.example/", organization="USTR",
                        timezone="America/New_York", enabled=enabled, schedule=schedule)


SOURCES = {"a": spec("a"), "b": spec("b"), "c": spec("c", "0 7 * * 1-5"),
           "d": spec("d", "every 1d"), "off": spec("off", enabled=False)}


def test_jobs_group_sources_by_schedule_and_run_overdue_ones_at_once() -> None:
    settings = ScheduleSettings(interval_hours=6.0)
    last = {"a": NOW - timedelta(hours=1), "b": NOW - timedelta(hours=7),
            "c": NOW - timedelta(hours=2), "d": NOW - timedelta(hours=2)}
    jobs = {job.schedule.text: job for job in plan_jobs(SOURCES, settings, last, NOW)}
    assert {text: job.sources for text, job in jobs.items()} == {
        "every 6h": ("a", "b"), "0 7 * * 1-5": ("c",), "every 1d": ("d",)}
    assert jobs["every 6h"].first_run == NOW  # b is overdue
    assert jobs["0 7 * * 1-5"].first_run is None and jobs["every 1d"].first_run is None
    never = plan_jobs({"a": spec("a")}, settings, {}, NOW)
    assert never[0].first_run == NOW
    assert source_schedule(spec("x"), ScheduleSettings(interval_hours=2)).interval == \
        timedelta(hours=2)


def test_scheduler_jobs_and_triggers() -> None:
    settings = ScheduleSettings(interval_hours=6.0, jitter_minutes=10.0,
                                misfire_grace_minutes=30.0)
    ran: list[list[str]] = []
    jobs = plan_jobs(SOURCES, settings, {"a": NOW, "b": NOW, "c": NOW, "d": NOW}, NOW)
    scheduler = build_scheduler(jobs, ran.append, settings)
    built = {job.id: job for job in scheduler.get_jobs()}
    assert set(built) == {"refresh[every 6h]", "refresh[0 7 * * 1-5]", "refresh[every 1d]"}
    six = built["refresh[every 6h]"]
    assert isinstance(six.trigger, IntervalTrigger)
    assert six.trigger.interval == timedelta(hours=6) and six.trigger.jitter == 600
    assert six.args == (["a", "b"],) and six.name == "refresh a, b"
    assert (six.coalesce, six.max_instances, six.misfire_grace_time) == (True, 1, 1800)
    cron = built["refresh[0 7 * * 1-5]"].trigger
    assert isinstance(cron, CronTrigger) and cron.jitter is None
    assert {f.name: str(f) for f in cron.fields}["day_of_week"] == "mon,tue,wed,thu,fri"
    six.func(*six.args)
    assert ran == [["a", "b"]]


def shipped_like(tmp_path: Path, url: str) -> Config:
    path = write_config(tmp_path, {"a": url})
    return parse_config(tomllib.loads(path.read_text(encoding="utf-8")), path)


def test_a_scheduled_job_refreshes_writes_feeds_and_logs_a_line(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with LoopbackServer() as server:
        server.routes[PATH] = page_reply(ustr_page())
        config = shipped_like(tmp_path, server.url(PATH))
        caplog.set_level(logging.INFO)
        report = scheduled_refresh(config, ["a"], threading.Event(), threading.Lock())
    assert report is not None and not report.failed
    assert (tmp_path / "public" / "all.ics").exists()
    lines = [r.getMessage() for r in caplog.records if r.name == "aggregator.jobs"]
    assert any(line.startswith("refresh of a: 1 of 1 sources refreshed, 4 events read")
               and "wrote" in line for line in lines)


def test_a_scheduled_job_skips_when_another_refresh_holds_the_lock(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = shipped_like(tmp_path, "http://127.0.0.1:9/")
    config = config.__class__(**{**config.__dict__, "fetch": config.fetch.__class__(
        **{**config.fetch.__dict__, "lock_timeout": 0.2})})
    stop, busy = threading.Event(), threading.Lock()
    with store_lock(config):
        assert scheduled_refresh(config, ["a"], stop, busy) is None
    assert "refresh of a skipped: another refresh is running" in caplog.text
    stop.set()
    assert scheduled_refresh(config, ["a"], stop, busy) is None  # stopping: nothing runs
    assert not (tmp_path / "tradecal.db").exists() or not sqlite3.connect(
        tmp_path / "tradecal.db").execute("select count(*) from runs").fetchone()[0]


def test_schedule_list_prints_jobs(tmp_path: Path) -> None:
    path = write_config(tmp_path, {"a": "https://a.example/", "b": "https://b.example/"})
    path.write_text(path.read_text(encoding="utf-8").replace(
        '[sources.b]\ntype = "ustr"', '[sources.b]\ntype = "ustr"\nschedule = "0 7 * * *"'),
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(path), "schedule", "--list"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "every 6h: a; next run now (overdue)"
    assert result.stdout.splitlines()[1].startswith("0 7 * * *: b; next run ")


class Scheduler:
    """A ``tradecal schedule`` process whose stderr is collected line by line."""

    def __init__(self, config: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aggregator", "--config", str(config), "schedule"],
            stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, condition, seconds: float = 15.0) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, "\n".join(self.lines)
            assert self.process.poll() is None, "\n".join(self.lines)
            time.sleep(0.05)

    def logged(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def stop(self, signum: int, seconds: float = 10.0) -> tuple[int, float]:
        started = time.monotonic()
        self.process.send_signal(signum)
        code = self.process.wait(seconds)
        self._reader.join(5)
        return code, time.monotonic() - started


def test_sigterm_finishes_the_refresh_under_way_then_exits(tmp_path: Path) -> None:
    with LoopbackServer(latency=1.0) as server:
        server.routes[PATH] = page_reply(ustr_page())
        config = write_config(tmp_path, {"a": server.url(PATH)})
        scheduler = Scheduler(config)
        try:
            scheduler.wait_for(lambda: server.requests_to(PATH) == 1)  # the page is under way
            code, seconds = scheduler.stop(signal.SIGTERM)
        finally:
            scheduler.process.kill()
    assert code == 0, "\n".join(scheduler.lines)
    assert seconds < 5
    assert scheduler.logged("SIGTERM: finishing the refresh under way, then exiting")
    assert scheduler.logged("refresh of a: 1 of 1 sources refreshed")
    assert scheduler.logged("scheduler stopped")
    with sqlite3.connect(tmp_path / "tradecal.db") as db:
        assert db.execute("select outcome from runs").fetchall() == [("ok",)]
    assert (tmp_path / "public" / "all.ics").read_bytes().count(b"BEGIN:VEVENT") == 4


def test_sigint_while_idle_exits_at_once(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        server.routes[PATH] = page_reply(ustr_page())
        config = write_config(tmp_path, {"a": server.url(PATH)})
        scheduler = Scheduler(config)
        try:
            scheduler.wait_for(lambda: scheduler.logged("refresh of a:"))
            code, seconds = scheduler.stop(signal.SIGINT)
        finally:
            scheduler.process.kill()
    assert code == 0 and seconds < 3, "\n".join(scheduler.lines)
    assert scheduler.logged("SIGINT: finishing the refresh under way")
    assert scheduler.logged("scheduler stopped")
