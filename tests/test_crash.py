"""SIGKILL at random moments of a refresh and of an export: nothing torn, nothing lost, and
the next run ends where an uninterrupted one does.

The inputs: four ICS sources of 400 meetings each (1,600 events over four and a half years) in two
versions, saved as replay archives (``tradecal run --replay DIR``, no network). Version B
withdraws, moves, retitles and adds meetings, so a run over B inserts, updates and cancels
events in every source's transaction and rewrites every feed. Every ``tradecal`` process
runs with its clock stopped at :data:`NOW` (:mod:`tests.slow_disk_tradecal`), so that two runs
over the same inputs give the same bytes.

- State A: a run over A. Reference: a clean run over B on a copy of A.
- Refresh lanes: copies of A where ``tradecal run --replay B`` is killed four times in a
  row (each run resuming what the last left), at a random moment of the refresh (before
  the first source is stored, or just after the first, second or third) or of the feed
  writing after it, or as soon as a feed's temporary file appears; then run to the end.
- Export lanes: copies of A whose store was refreshed over B, where ``tradecal export ics``
  is killed four times at random moments (once as soon as a temporary file appears), each
  time with A's feeds put back (so that it has every feed to rewrite); then run to the end.

The processes write to a slow disk (:data:`SLOW_DISK`), so that many kills land while a
file is half written.

After every kill: ``PRAGMA integrity_check`` is ok; each source's events are all as in A or
all as in the reference (a source's refresh is one transaction); every feed exists and is
byte for byte A's or the reference's (whole; the reference feeds are checked whole with
icalendar); any other file in the feeds folder is a hidden temporary file. After the last
run: events, their history (but ids), aliases, validators and feeds are the reference's.
Lanes run three at a time; delays come from a seeded random generator.
"""

from __future__ import annotations

import os
import queue
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from aggregator.fetch.replay import save_response
from feeds.feedset import STALE_TEMPORARY_SECONDS
from sources.base import Request, Response
from tests.conftest import ROOT
from tests.fault_sites import SiteSource, write_config
from tests.feed_checks import (
    SITE_ENTRIES,
    event_rows,
    feed_files,
    icaljs_available,
    icaljs_read,
    integrity,
    whole_calendar,
)

NOW = "2026-06-01T08:00:00+00:00"
SOURCES = ("wto-calendar", "council-calendar", "committee-calendar", "forum-calendar")
EVENTS_PER_SOURCE = 400
SEED = 20260601
RUN_LANES, RUN_KILLS = 3, 4
"""Three copies of state A, each with four kills of ``run`` in a row, then a whole run."""
EXPORT_LANES, EXPORT_KILLS = 2, 4
"""Two copies of the refreshed state, each with four kills of ``export ics``, then a whole
export."""
FEED_WINDOW = {"past_days": 90, "future_days": 540}
"""The shipped window: the feeds hold about a third of the store's events."""
PARALLEL = 3
"""Lanes at once (their processes sleep on the slow disk part of the time)."""
SLOW_DISK = 0.005
"""A slow disk (see :mod:`tests.slow_disk_tradecal`): each 16 KiB written and each fsync takes
this long, so that kills land while a feed is half written, and before its rename."""
TEMPORARY = re.compile(r"^\.[\w.-]+\.ics\.\w+\.tmp$")
SITE_TEMPORARY = re.compile(r"^\.[\w.-]+\.(?:html|json|xml|css|js|svg)\.\w+\.tmp$")
"""A site page's temporary file (written next to the feeds, renamed into place)."""
STORED = re.compile(r"^\[(\d+)/\d+\] ")


# The inputs -----------------------------------------------------------------------------

def meetings(name: str, version: str) -> bytes:
    """A source's ICS feed: meetings four days apart from 400 days before NOW; version B
    withdraws every 20th from the 4th, moves every 20th from the 6th by two days, retitles
    every 20th from the 8th and adds 5%."""
    first = date.fromisoformat(NOW[:10]) - timedelta(days=400)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//crash//EN"]
    count = EVENTS_PER_SOURCE + (EVENTS_PER_SOURCE // 20 if version == "B" else 0)
    for number in range(count):
        day, title = first + timedelta(days=4 * number), f"{name} meeting {number}"
        if version == "B" and number % 20 == 3:
            continue
        if version == "B" and number % 20 == 5:
            day += timedelta(days=2)
        if version == "B" and number % 20 == 7:
            title += " (revised agenda)"
        lines += ["BEGIN:VEVENT", f"UID:{name}-{number}@example.org",
                  "DTSTAMP:20260101T000000Z", f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                  f"SUMMARY:{title}", "LOCATION:Geneva", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def url(name: str) -> str:
    return f"https://{name}.example.org/events.ics"


def save_archive(folder: Path, version: str) -> Path:
    for name in SOURCES:
        save_response(folder, Response(url(name), meetings(name, version), 200,
                                       {"content-type": "text/calendar"}, Request(url(name))))
    return folder


def tradecal(folder: Path, *args: str) -> subprocess.Popen[str]:
    """``tradecal --config folder/config.toml ARGS``, clock stopped at NOW, stderr piped (a
    replay writes into folder's own store, not a scratch one)."""
    if "--replay" in args:
        args = (*args, "--store", str(folder / "tradecal.db"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRADECAL_NOW": NOW,
           "TRADECAL_TEST_SLOW_DISK": str(SLOW_DISK)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.slow_disk_tradecal", "--config",
         str(folder / "config.toml"), *args],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


class Lines:
    """A process's stderr lines as they come, with when each came."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.started = time.monotonic()
        self.queue: queue.Queue[tuple[float, str] | None] = queue.Queue()
        self.seen: list[tuple[float, str]] = []
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            self.queue.put((time.monotonic() - self.started, line))
        self.queue.put(None)

    def wait_for_stored(self, count: int, timeout: float = 60.0) -> bool:
        """Wait until the ``count``-th source is reported stored; False when the output
        ended first."""
        deadline = time.monotonic() + timeout
        while sum(1 for _, line in self.seen if STORED.match(line)) < count:
            item = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
            if item is None:
                return False
            self.seen.append(item)
        return True

    def rest(self) -> str:
        self.thread.join(timeout=60)
        while not self.queue.empty():
            item = self.queue.get()
            if item is not None:
                self.seen.append(item)
        return "".join(line for _, line in self.seen)


def finish(folder: Path, *args: str) -> tuple[str, list[float], float]:
    """Run tradecal to its end (exit 0 asserted): its stderr, when each source was reported
    stored and when it ended (seconds from its start)."""
    process = tradecal(folder, *args)
    lines = Lines(process)
    code = process.wait(timeout=120)
    ended = time.monotonic() - lines.started
    output = lines.rest()
    assert code == 0, output
    assert "waiting for another refresh" not in output, output
    return output, [when for when, line in lines.seen if STORED.match(line)], ended


# What a state is ------------------------------------------------------------------------

@dataclass(frozen=True)
class State:
    """A folder's events (per source), history, aliases, validators and feeds."""

    events: dict[str, list[dict[str, Any]]]
    history: list[tuple]
    aliases: list[tuple]
    validators: list[tuple]
    feeds: dict[str, bytes]

    @classmethod
    def of(cls, folder: Path) -> State:
        store = folder / "tradecal.db"
        with closing(sqlite3.connect(store)) as db:
            history = db.execute("select uid, field, old, new, changed_at from event_history "
                                 "order by uid, field, old, new").fetchall()
            aliases = db.execute("select * from aliases order by source, source_key").fetchall()
            validators = db.execute("select source, url, etag, last_modified, sha256, "
                                    "fingerprint, stored_at from http_cache "
                                    "order by source").fetchall()
        return cls({name: event_rows(store, "source = ?", [name]) for name in SOURCES},
                   history, aliases, validators, feed_files(folder / "public"))


@dataclass
class Reference:
    """State A, the reference state after B, and how long the clean runs took."""

    inputs: Path
    a: State
    b: State
    first_stored: float
    """Seconds from the start of the clean run over B until its first source was stored."""
    export_phase: float
    """Seconds from its last source stored until it ended (writing the feeds)."""
    export_command: float
    """Seconds a clean ``tradecal export ics`` of B took."""


@dataclass
class Kill:
    """One SIGKILL: when (what the killer waited for), and whether the process was still
    running (a process that ended first was not killed)."""

    command: str
    moment: str
    killed: bool


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    inputs = tmp_path_factory.mktemp("crash")
    save_archive(inputs / "archive-A", "A")
    save_archive(inputs / "archive-B", "B")
    first = inputs / "state-A"
    first.mkdir()
    write_config(first, {name: SiteSource("ics", url(name), {"past_days": 36500,
                                                             "future_days": 36500})
                         for name in SOURCES}, feeds=FEED_WINDOW)
    finish(first, "run", "--replay", str(inputs / "archive-A"))
    clean = inputs / "state-B"
    shutil.copytree(first, clean)
    _, stored, ended = finish(clean, "run", "--replay", str(inputs / "archive-B"))
    assert len(stored) == len(SOURCES)
    exported = export_lane_start(first, clean, inputs / "exported")
    _, _, export_command = finish(exported, "export", "ics")
    a, b = State.of(first), State.of(clean)
    assert State.of(exported).feeds == b.feeds  # the export alone writes the same feeds
    return Reference(inputs, a, b, stored[0], ended - stored[-1], export_command)


def export_lane_start(state_a: Path, state_b: Path, folder: Path) -> Path:
    """A copy of ``state_a`` whose store is B's: its feeds are A's, its events B's."""
    shutil.copytree(state_a, folder)
    for name in ("tradecal.db", "tradecal.db-wal", "tradecal.db-shm"):
        (folder / name).unlink(missing_ok=True)
        if (state_b / name).exists():
            shutil.copy2(state_b / name, folder / name)
    return folder


# Killing ----------------------------------------------------------------------------------

def kill_run(folder: Path, archive: Path, rng: random.Random, reference: Reference) -> Kill:
    """Start ``run --replay archive`` and SIGKILL it: before the first source is stored,
    just after the first, second or third, while it writes the feeds, or as soon as a
    feed's temporary file is there (written, not yet renamed)."""
    process = tradecal(folder, "run", "--replay", str(archive))
    lines = Lines(process)
    stored = rng.randrange(len(SOURCES) + 2)
    delay = rng.uniform(0.0, 1.0)
    if stored == 0:
        time.sleep(delay * reference.first_stored)
        moment = "refresh: no source stored yet"
    elif stored < len(SOURCES):
        lines.wait_for_stored(stored)
        time.sleep(delay * 0.03)
        moment = f"refresh: {stored} of {len(SOURCES)} sources stored"
    elif stored == len(SOURCES):
        lines.wait_for_stored(stored)
        time.sleep(delay * reference.export_phase)
        moment = "run: writing the feeds"
    else:
        wait_for_temporary(folder, process)
        moment = "run: a feed written, not yet renamed"
    return _kill(process, lines, "run", moment)


def kill_export(folder: Path, rng: random.Random, reference: Reference,
                at_rename: bool) -> Kill:
    """Start ``export ics`` and SIGKILL it at a random moment of its run, or as soon as a
    feed's temporary file is there."""
    process = tradecal(folder, "export", "ics")
    lines = Lines(process)
    delay = rng.uniform(0.0, 0.7)  # of the reference export's time: most kills land even
    # when the machine's load changed since the reference was measured
    if at_rename:
        wait_for_temporary(folder, process)
    else:
        time.sleep(delay * reference.export_command)
    return _kill(process, lines, "export",
                 "export: a feed written, not yet renamed" if at_rename else "export: any time")


def wait_for_temporary(folder: Path, process: subprocess.Popen[str]) -> None:
    """Return as soon as the feeds folder holds a temporary file (or the process ended)."""
    while process.poll() is None and not temporaries(folder):
        time.sleep(0.002)


def temporaries(folder: Path) -> list[Path]:
    return sorted(path for path in (folder / "public").iterdir() if TEMPORARY.match(path.name))


def _kill(process: subprocess.Popen[str], lines: Lines, command: str, moment: str) -> Kill:
    """SIGKILL the process unless it has ended; it must end killed or with exit 0."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    code = process.wait(timeout=60)
    output = lines.rest()
    assert code in (-signal.SIGKILL, 0), f"{command} ended with {code}: {output}"
    return Kill(command, moment, killed=code == -signal.SIGKILL)


def check_whole(folder: Path, reference: Reference) -> None:
    """The state a kill may leave: a sound store, each source all A or all B, every feed
    whole (A's bytes or B's), nothing else in the feeds folder but hidden temporary files."""
    assert integrity(folder / "tradecal.db") == "ok"
    for name in SOURCES:
        rows = event_rows(folder / "tradecal.db", "source = ?", [name])
        assert rows == reference.a.events[name] or rows == reference.b.events[name], \
            f"{name}: events neither all A nor all B"
    feeds = feed_files(folder / "public")
    assert feeds.keys() == reference.b.feeds.keys(), "a feed is missing"
    for name, data in feeds.items():
        assert data in (reference.a.feeds[name], reference.b.feeds[name]), f"{name} is torn"
    others = [path.name for path in (folder / "public").iterdir()
              if path.name not in feeds and path.name not in SITE_ENTRIES]
    assert all(TEMPORARY.match(name) or SITE_TEMPORARY.match(name) for name in others), others


def check_after(kill: Kill, folder: Path, reference: Reference) -> None:
    try:
        check_whole(folder, reference)
    except AssertionError as failure:
        failure.add_note(f"after {kill}")
        raise


def run_lane(folder: Path, seed: int, reference: Reference) -> list[Kill]:
    """Kill ``run`` RUN_KILLS times in a row (each run resumes what the last left), check
    the state after each kill, then run it to the end."""
    rng = random.Random(seed)
    archive = reference.inputs / "archive-B"
    kills = []
    for _ in range(RUN_KILLS):
        kills.append(kill_run(folder, archive, rng, reference))
        check_after(kills[-1], folder, reference)
    finish(folder, "run", "--replay", str(archive))
    return kills


def export_lane(folder: Path, seed: int, reference: Reference) -> list[Kill]:
    """Kill ``export ics`` EXPORT_KILLS times, each time with A's feeds back in place (so
    that each export has every feed to rewrite), check after each kill, then export to the
    end."""
    rng = random.Random(seed)
    kills = []
    for number in range(EXPORT_KILLS):
        for name, data in reference.a.feeds.items():
            (folder / "public" / name).write_bytes(data)
        kills.append(kill_export(folder, rng, reference, at_rename=number == 1))
        check_after(kills[-1], folder, reference)
    finish(folder, "export", "ics")
    return kills


@dataclass
class Lanes:
    """The lanes' folders, their kills, and any failure, by kind ("run", "export")."""

    folders: dict[str, list[Path]]
    kills: dict[str, list[Kill]]
    failures: dict[str, list[BaseException]]
    seconds: float


@pytest.fixture(scope="module")
def lanes(reference: Reference) -> Lanes:
    root = reference.inputs / "lanes"
    jobs = []
    for number in range(RUN_LANES):
        folder = root / f"run-{number}"
        shutil.copytree(reference.inputs / "state-A", folder)
        jobs.append(("run", folder, run_lane, SEED + number))
    for number in range(EXPORT_LANES):
        folder = export_lane_start(reference.inputs / "state-A", reference.inputs / "state-B",
                                   root / f"export-{number}")
        jobs.append(("export", folder, export_lane, SEED + 100 + number))
    result = Lanes({"run": [], "export": []}, {"run": [], "export": []},
                   {"run": [], "export": []}, 0.0)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        futures = [(kind, folder, pool.submit(work, folder, seed, reference))
                   for kind, folder, work, seed in jobs]
        for kind, folder, future in futures:
            result.folders[kind].append(folder)
            try:
                result.kills[kind] += future.result()
            except BaseException as failure:  # noqa: BLE001 - reported by the lane's test
                failure.add_note(f"in lane {folder.name}")
                result.failures[kind].append(failure)
    result.seconds = time.monotonic() - started
    return result


# The tests -----------------------------------------------------------------------------

def test_reference_feeds_are_whole(reference: Reference) -> None:
    for state in (reference.a, reference.b):
        assert state.feeds.keys() == reference.b.feeds.keys()
        for name, data in state.feeds.items():
            whole_calendar(data, name)
    with_events = {name for name, data in reference.b.feeds.items() if b"BEGIN:VEVENT" in data}
    changed = {name for name in reference.b.feeds
               if reference.a.feeds[name] != reference.b.feeds[name]}
    assert changed == with_events  # B rewrites every feed with events: each can be torn
    assert {"all.ics", "wto.ics", *(f"source-{name}.ics" for name in SOURCES)} <= changed
    for name in SOURCES:
        assert reference.a.events[name] != reference.b.events[name]
        cancelled = Counter(row["status"] for row in reference.b.events[name])["cancelled"]
        assert cancelled > 0


@pytest.mark.skipif(not icaljs_available(), reason="node or ical.js (tests/js) not installed")
def test_icaljs_reads_the_reference_feeds(reference: Reference) -> None:
    folder = reference.inputs / "state-B" / "public"
    read = icaljs_read(sorted(folder.glob("*.ics")))
    assert len(read) == len(reference.b.feeds)
    counts = {Path(feed["file"]).name: len(feed["events"]) for feed in read}
    assert counts == {name: data.count(b"BEGIN:VEVENT")
                      for name, data in reference.b.feeds.items()}


def _report(lanes: Lanes, kind: str) -> None:
    if lanes.failures[kind]:
        raise lanes.failures[kind][0]
    moments = Counter(kill.moment for kill in lanes.kills[kind] if kill.killed)
    left = sum(len(temporaries(folder)) for folder in lanes.folders[kind])
    print(f"\n{kind}: {sum(moments.values())} kills in {lanes.seconds:.1f} s "
          f"(all lanes): {dict(moments)}; {left} temporary files left")


def test_killed_refreshes_leave_a_whole_state_and_the_next_run_ends_as_a_clean_one(
        lanes: Lanes, reference: Reference) -> None:
    _report(lanes, "run")
    killed = [kill for kill in lanes.kills["run"] if kill.killed]
    assert len(killed) >= RUN_LANES * RUN_KILLS * 3 // 4, lanes.kills["run"]
    assert any(kill.moment.startswith("refresh") for kill in killed)
    assert any(kill.moment.startswith("run: writing") for kill in killed)
    assert any(kill.moment.startswith("run: a feed written") for kill in killed)
    for folder in lanes.folders["run"]:
        assert State.of(folder) == reference.b, folder.name


def test_killed_exports_leave_whole_feeds_and_the_next_export_ends_as_a_clean_one(
        lanes: Lanes, reference: Reference) -> None:
    _report(lanes, "export")
    killed = [kill for kill in lanes.kills["export"] if kill.killed]
    assert len(killed) >= EXPORT_LANES * EXPORT_KILLS // 2, lanes.kills["export"]
    assert any(kill.moment == "export: any time" for kill in killed)
    assert any(kill.moment.startswith("export: a feed written") for kill in killed)
    for folder in lanes.folders["export"]:
        assert State.of(folder) == reference.b, folder.name


@pytest.mark.real_clock  # a temporary file's age is its mtime against the system clock
def test_the_next_writer_removes_temporary_files_that_killed_ones_left(
        lanes: Lanes, reference: Reference) -> None:
    folders = [folder for folder in lanes.folders["run"] + lanes.folders["export"]
               if temporaries(folder)]
    assert folders, "no kill landed between a feed's temporary file and its rename"
    folder = folders[0]
    left = temporaries(folder)
    hours_ago = time.time() - 2 * STALE_TEMPORARY_SECONDS
    for path in left:
        os.utime(path, (hours_ago, hours_ago))
    fresh = folder / "public" / ".all.ics.fresh0.tmp"  # a live writer's: too young to touch
    fresh.write_bytes(b"BEGIN:VCALENDAR\r\n")
    finish(folder, "export", "ics")
    assert temporaries(folder) == [fresh]
    assert State.of(folder).feeds == reference.b.feeds
