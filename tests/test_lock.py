"""One writer at a time: the store lock, within a process, across processes, and through the
commands that write."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import cli
from aggregator.store.db import Store
from aggregator.store.lock import LockBusy, StoreLock, holder, lock_path
from tests.servers import LoopbackServer
from tests.ustr_sites import PATH, page_reply, ustr_page, write_config


def test_lock_path_is_next_to_the_store() -> None:
    assert lock_path(Path("/srv/tradecal/tradecal.db")) == Path("/srv/tradecal/tradecal.db.lock")


def test_second_lock_waits_then_gives_up_naming_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "tradecal.db.lock"
    told: list[str] = []
    with StoreLock(path):
        assert f"pid {os.getpid()}" in holder(path)
        started = time.monotonic()
        with pytest.raises(LockBusy, match=f"another refresh is running \\(pid {os.getpid()}"):
            StoreLock(path, timeout=0.3, on_wait=told.append).acquire()
        assert 0.3 <= time.monotonic() - started < 1.0
    assert len(told) == 1 and f"pid {os.getpid()}" in told[0]
    with StoreLock(path, timeout=0):  # released: free at once
        pass
    assert holder(path) == ""


def test_cancelled_wait_ends_early(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    with StoreLock(path):
        started = time.monotonic()
        with pytest.raises(LockBusy):
            StoreLock(path, timeout=30, cancelled=lambda: True).acquire()
        assert time.monotonic() - started < 1.0


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "tradecal.db.lock"
    code = ("import sys, time; from aggregator.store.lock import StoreLock; "
            f"lock = StoreLock({str(path)!r}); lock.acquire(); print('held', flush=True); "
            "time.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        with pytest.raises(LockBusy, match=f"pid {child.pid}"):
            StoreLock(path, timeout=0.2).acquire()
        child.send_signal(signal.SIGKILL)
        child.wait(5)
        with StoreLock(path, timeout=2):  # the kernel released it with the process
            pass
    finally:
        child.kill()
        child.wait()


def invoke(config: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


@pytest.mark.parametrize("command", [
    ("refresh",), ("run",), ("export", "ics"),
    ("import", "hearings.csv"),
])
def test_store_writing_commands_wait_for_the_lock_then_exit_1(tmp_path: Path,
                                                              command: tuple[str, ...]) -> None:
    config = write_config(tmp_path, {"a": "http://127.0.0.1:9/"}, lock_timeout=0.3)
    (tmp_path / "hearings.csv").write_text("organization,title,start\nUSTR,Hearing,2025-06-10\n",
                                           encoding="utf-8")
    if command[0] == "import":
        command = ("import", str(tmp_path / "hearings.csv"))
    Store(tmp_path / "tradecal.db").close()  # export ics reads an existing store only
    with StoreLock(lock_path(tmp_path / "tradecal.db")):
        result = invoke(config, *command)
    assert result.exit_code == 1
    assert "waiting for another refresh to finish" in result.output
    assert "another refresh is running" in result.output and f"pid {os.getpid()}" in result.output
    assert not (tmp_path / "public").exists()


@pytest.mark.real_clock  # two processes racing for the lock with real timeouts
def test_two_refreshes_started_together_never_interleave(tmp_path: Path) -> None:
    with LoopbackServer("127.0.0.2", latency=0.4) as one, \
            LoopbackServer("127.0.0.3", latency=0.4) as two:
        one.routes[PATH] = page_reply(ustr_page("one"))
        two.routes[PATH] = page_reply(ustr_page("two"))
        config = write_config(tmp_path, {"one": one.url(PATH), "two": two.url(PATH)})
        command = [sys.executable, "-m", "aggregator", "--config", str(config), "refresh"]
        first = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        second = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        outputs = [process.communicate(timeout=30)[1] for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    # normally the second waits for the first; on a loaded machine it may start after the
    # first has finished: what must hold either way is that their writes never interleave
    assert sum("waiting for another refresh to finish" in text for text in outputs) <= 1
    with sqlite3.connect(tmp_path / "tradecal.db") as db:
        runs = db.execute("select source, started, finished from runs order by id").fetchall()
    assert len(runs) == 4
    earlier, later = runs[:2], runs[2:]
    assert {r[0] for r in earlier} == {r[0] for r in later} == {"one", "two"}
    assert max(r[2] for r in earlier) <= min(r[1] for r in later)
    # each server saw one run's robots.txt and page, then the other's: never mixed
    for server in (one, two):
        assert [path for path, _, _ in server.log] == ["/robots.txt", PATH] * 2
