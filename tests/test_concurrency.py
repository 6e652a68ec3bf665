"""The scheduler, manual runs and the feed server at once: no error anywhere, no torn feed
served.

Two ICS sites on loopback addresses change a tenth of their 120 meetings at every request,
so every refresh rewrites the feeds. For :data:`WINDOW` seconds (or until the readers have
seen four versions of all.ics):

- ``tradecal schedule`` (a process, writing to a slow disk as the runs do) refreshes both
  sources every 2.1 seconds;
- ``tradecal run`` processes are started one after another (each waits for the store lock
  while the scheduler holds it, and the scheduler for them);
- ``tradecal serve`` (a process) serves the feeds folder, and reader threads fetch feeds
  from it as fast as they can: GET, conditional GET with the ETag they hold, and HEAD.

Every 200 must be a whole calendar (begins and ends as one, icalendar reads it) whose
Content-Length is its length and whose ETag is its hash; a 304 must name the ETag asked
for; a HEAD must state the Content-Length and ETag of the same version. Afterwards: the
scheduler stops on SIGTERM with exit 0, every run exited 0, the server logged no 5xx,
nobody logged a traceback or an error, every ``runs`` row is ``ok``, and the store passes
``PRAGMA integrity_check``.

A second test makes the race the first can only hope to hit happen every time: a feed
renamed into place between the server's reading a file and its asking for the file's
modification time.
"""

from __future__ import annotations

import builtins
import io
import itertools
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from click.testing import CliRunner

from aggregator.cli import cli
from aggregator.web.server import FeedApp, WebRequest, file_reply, strong_etag
from tests.conftest import ROOT
from tests.fault_sites import ICS_PATH, SiteSource, ics_feed, write_config
from tests.feed_checks import integrity, whole_calendar
from tests.servers import LoopbackServer

WINDOW = 6.0
"""Seconds everything runs at once, at the least; then until the readers have seen
VERSIONS versions of all.ics, the scheduler has finished two refreshes and a manual run has
finished (LONGEST: a bound for a hung process, far above what a loaded machine needs)."""
LONGEST, VERSIONS = 180.0, 4
MEETINGS = 120
PAUSE = 0.005
"""Seconds a reader waits between requests (leaving the writers some CPU)."""
SCHEDULE = "every 0.035m"  # 2.1 s; the configuration counts in minutes at the least
READERS = 3
SLOW_DISK = 0.002
"""Each 16 KiB a writer writes takes this long (a feed written in place, not renamed into
place, would then often be read half written)."""
FEEDS = ("all.ics", "wto.ics", "section-wto.ics", "source-site-a.ics", "source-site-b.ics")
SERVING = re.compile(r"serving .* at http://([\d.]+):(\d+)/")


def changing_feed(site: str):  # type: ignore[no-untyped-def]
    """A handler answering each request with the next version of the site's feed: one
    meeting in ten retitled with the version number."""
    versions = itertools.count(1)

    def handler(exchange) -> None:  # type: ignore[no-untyped-def]
        version = next(versions)
        body = ics_feed(site, MEETINGS).decode("utf-8")
        for number in range(version % 10, MEETINGS, 10):
            body = body.replace(f"meeting {number}\r\n", f"meeting {number} (v{version})\r\n")
        exchange.send(200, body.encode("utf-8"), {"Content-Type": "text/calendar"})
    return handler


class Child:
    """A ``tradecal`` process whose stderr is collected line by line; the writers' on a
    slow disk (:mod:`tests.slow_disk_tradecal`)."""

    def __init__(self, config: Path, *args: str) -> None:
        module = "aggregator" if args[0] == "serve" else "tests.slow_disk_tradecal"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TRADECAL_TEST_SLOW_DISK": str(SLOW_DISK)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "--config", str(config), *args], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: re.Pattern[str], seconds: float = 20.0) -> re.Match[str]:
        deadline = time.monotonic() + seconds
        while True:
            for line in list(self.lines):
                if match := pattern.search(line):
                    return match
            assert time.monotonic() < deadline and self.process.poll() is None, self.output
            time.sleep(0.05)

    def stop(self, signum: int, seconds: float = 20.0) -> int:
        self.process.send_signal(signum)
        return self.finish(seconds)

    def finish(self, seconds: float = 60.0) -> int:
        try:
            code = self.process.wait(seconds)
        finally:
            self.process.kill()
        self._reader.join(5)
        return code

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Reads:
    """What the readers saw: counts, the versions of each feed, and every fault."""

    requests: int = 0
    by_status: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    versions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    lengths: dict[str, int] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def whole(self, name: str, response: httpx.Response) -> None:
        """Check a 200: length, ETag and the calendar itself (once per version)."""
        body, etag = response.content, response.headers.get("etag", "")
        if response.headers.get("content-length") != str(len(body)):
            self.faults.append(f"{name}: Content-Length {response.headers.get('content-length')}"
                               f" for {len(body)} bytes")
        if etag != strong_etag(body):
            self.faults.append(f"{name}: ETag {etag} is not that of the body served")
        with self.lock:
            new = etag not in self.lengths
            self.lengths[etag] = len(body)
            self.versions[name].add(etag)
        if new:
            try:
                whole_calendar(body, name)
            except (AssertionError, ValueError) as fault:
                self.faults.append(f"{name}: torn ({fault})")


def read_feeds(base: str, stop: threading.Event, reads: Reads, seed: int) -> None:
    """GET, conditional GET and HEAD random feeds until ``stop``; an exception is a fault."""
    try:
        _read_feeds(base, stop, reads, seed)
    except Exception as error:  # a reader that dies must not pass for one that saw nothing
        reads.faults.append(f"reader {seed} stopped: {error!r}")


def _read_feeds(base: str, stop: threading.Event, reads: Reads, seed: int) -> None:
    held: dict[str, str] = {}
    with httpx.Client(base_url=base, timeout=10.0) as client:
        for turn in itertools.count(seed):
            if stop.wait(PAUSE):
                return
            name = FEEDS[turn % len(FEEDS)]
            kind = ("get", "conditional", "head")[(turn // len(FEEDS)) % 3]
            headers = {"If-None-Match": held[name]} if kind == "conditional" and name in held \
                else {}
            response = client.request("HEAD" if kind == "head" else "GET", f"/{name}",
                                      headers=headers)
            with reads.lock:
                reads.requests += 1
                reads.by_status[response.status_code] += 1
            etag = response.headers.get("etag", "")
            if response.status_code == 200 and kind != "head":
                reads.whole(name, response)
                held[name] = etag
            elif response.status_code == 200:  # HEAD: the headers of one version
                known = reads.lengths.get(etag)
                if known is not None and response.headers.get("content-length") != str(known):
                    reads.faults.append(f"HEAD {name}: Content-Length "
                                        f"{response.headers.get('content-length')}, "
                                        f"the version {etag} has {known}")
            elif response.status_code == 304:
                if etag != headers.get("If-None-Match"):
                    reads.faults.append(f"{name}: 304 with ETag {etag} for "
                                        f"{headers.get('If-None-Match')}")
            else:
                reads.faults.append(f"{name}: HTTP {response.status_code}")


def scheduled_refreshes(scheduler: Child) -> list[str]:
    """The scheduler's log lines of finished refreshes of both sites."""
    return [line for line in scheduler.lines if "refresh of site-a, site-b:" in line]


def enough_seen(reads: Reads, scheduler: Child, codes: list[int]) -> bool:
    """Everything the test asserts on has happened at least as often as it asks: versions
    of all.ics read, scheduled refreshes, finished manual runs."""
    return (len(reads.versions["all.ics"]) >= VERSIONS and len(scheduled_refreshes(scheduler))
            >= 2 and len(codes) >= 1)


def wait_until(condition: Callable[[], bool], at_least: float, at_most: float) -> None:
    """Wait ``at_least`` seconds and then until ``condition`` holds (``at_most`` seconds
    in all: a bound for a hung child, not a timing the test depends on)."""
    started = time.monotonic()
    while time.monotonic() - started < at_least or (
            not condition() and time.monotonic() - started < at_most):
        time.sleep(0.1)


def runs_until(config: Path, stop: threading.Event, codes: list[int],
               outputs: list[str]) -> None:
    """Start ``tradecal run`` after ``tradecal run`` until ``stop``."""
    while not stop.is_set():
        child = Child(config, "run")
        codes.append(child.finish())
        outputs.append(child.output)


@pytest.mark.real_clock  # APScheduler's and the processes' timed waits hang under libfaketime
def test_scheduler_runs_and_server_together(tmp_path: Path) -> None:
    with LoopbackServer("127.0.0.41") as site_a, LoopbackServer("127.0.0.42") as site_b:
        site_a.routes[ICS_PATH] = changing_feed("site-a")
        site_b.routes[ICS_PATH] = changing_feed("site-b")
        sources = {name: SiteSource("ics", server.url(ICS_PATH),
                                    {"future_days": 3650, "schedule": SCHEDULE})
                   for name, server in (("site-a", site_a), ("site-b", site_b))}
        config = write_config(tmp_path, sources, lock_timeout=60.0)
        with config.open("a", encoding="utf-8") as handle:
            handle.write("\n[schedule]\njitter_minutes = 0\n")
        first = CliRunner().invoke(cli, ["--config", str(config), "run"])
        assert first.exit_code == 0, first.output

        server = Child(config, "serve", "--port", "0")
        host, port = server.wait_for(SERVING).groups()
        scheduler = Child(config, "schedule")
        stop, reads = threading.Event(), Reads()
        codes: list[int] = []
        outputs: list[str] = []
        workers = [threading.Thread(target=read_feeds, daemon=True,
                                    args=(f"http://{host}:{port}", stop, reads, seed))
                   for seed in range(READERS)]
        workers.append(threading.Thread(target=runs_until, args=(config, stop, codes, outputs),
                                        daemon=True))
        try:
            for worker in workers:
                worker.start()
            wait_until(lambda: enough_seen(reads, scheduler, codes), at_least=WINDOW,
                       at_most=LONGEST)
            stop.set()
            for worker in workers:
                worker.join(60)
            scheduler_code = scheduler.stop(signal.SIGTERM)
            server_code = server.stop(signal.SIGINT)
        finally:
            stop.set()
            scheduler.process.kill()
            server.process.kill()

    assert not reads.faults, reads.faults[:10]
    assert reads.requests > 50 and reads.by_status[200] > 10, reads
    assert len(reads.versions["all.ics"]) >= VERSIONS, "the feeds hardly changed while read"

    assert scheduler_code == 0, scheduler.output
    refreshes = scheduled_refreshes(scheduler)
    assert len(refreshes) >= 2, scheduler.output
    assert all("2 of 2 sources refreshed" in line for line in refreshes), scheduler.output
    assert codes and all(code == 0 for code in codes), outputs
    assert server_code == 0, server.output
    for name, output in [("schedule", scheduler.output), ("serve", server.output),
                         *(("run", output) for output in outputs)]:
        assert "Traceback" not in output and " ERROR " not in output, f"{name}: {output}"
        assert "FAILED" not in output and "another refresh is running" not in output, \
            f"{name}: {output}"
    statuses = re.findall(r'" (\d{3}) ', server.output)
    assert statuses and not [status for status in statuses if status.startswith("5")]

    assert integrity(tmp_path / "tradecal.db") == "ok"
    with closing(sqlite3.connect(tmp_path / "tradecal.db")) as db:
        outcomes = db.execute("select outcome, count(*) from runs group by outcome").fetchall()
    assert dict(outcomes).keys() == {"ok"}, outcomes
    assert dict(outcomes)["ok"] >= 2 * (1 + len(refreshes) + len(codes))
    print(f"\n{reads.requests} reads ({dict(reads.by_status)}), "
          f"{len(reads.versions['all.ics'])} versions of all.ics seen; "
          f"{len(refreshes)} scheduled refreshes, {len(codes)} manual runs")


class _ReplacedAfterRead:
    """A file opened for reading that, once read, has a new version renamed over its path
    (a feed writer's rename landing just after the server read the bytes)."""

    def __init__(self, inner: IO[bytes], path: Path, new: bytes) -> None:
        self.inner, self.path, self.new = inner, path, new

    def read(self, *args: int) -> bytes:
        data = self.inner.read(*args)
        staged = self.path.with_name(f".{self.path.name}.new.tmp")
        staged.write_bytes(self.new)
        staged.replace(self.path)
        return data

    def __enter__(self) -> _ReplacedAfterRead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_feed_replaced_while_served_keeps_its_own_last_modified(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    feed = tmp_path / "all.ics"
    feed.write_bytes(b"BEGIN:VCALENDAR\r\nX-VERSION:old\r\nEND:VCALENDAR\r\n")
    an_hour_before = feed.stat().st_mtime - 3600
    os.utime(feed, (an_hour_before, an_hour_before))
    new = b"BEGIN:VCALENDAR\r\nX-VERSION:new\r\nEND:VCALENDAR\r\n"
    real_open, pending = io.open, [True]

    def open_feed(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        opened = real_open(file, mode, *args, **kwargs)
        if pending and Path(str(file)) == feed and "r" in mode:
            pending.clear()
            return _ReplacedAfterRead(opened, feed, new)
        return opened

    monkeypatch.setattr(io, "open", open_feed)
    monkeypatch.setattr(builtins, "open", open_feed)
    app = FeedApp(tmp_path, "http://127.0.0.1/", "test")
    path = app.resolve("/all.ics")
    assert path is not None
    first = file_reply(path, WebRequest("GET", "/all.ics"))
    assert not pending and b"old" in first.body  # the rename landed while it was served
    last_modified = dict(first.headers)["Last-Modified"]
    replaced_at = datetime.fromtimestamp(feed.stat().st_mtime, UTC)
    assert parsedate_to_datetime(last_modified) < replaced_at - timedelta(minutes=30)
    again = file_reply(path, WebRequest("GET", "/all.ics",
                                     headers={"if-modified-since": last_modified}))
    assert again.status == HTTPStatus.OK and b"new" in again.body  # the change is not missed
