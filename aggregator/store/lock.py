"""One writer at a time: a lock file next to the store, across processes.

Every command that writes the store or the feeds (``run``, ``refresh``, ``import``,
``export ics``, each scheduled refresh) holds :class:`StoreLock` while it works; a second one
waits up to ``timeout`` seconds, then gives up with :class:`LockBusy` (the command line
exits 1 with "another refresh is running").

It is an ``fcntl.flock`` on ``<store>.lock`` (Linux and the BSDs; no extra package): the
kernel releases it when the holder's process ends, however it ends, so a killed run never
leaves a stale lock behind (a lock file that *exists* means nothing; only the flock counts).
The holder writes its pid, start time and command into the file, for the waiting one's
message. Locks taken through separate opens conflict within one process too, so two
threads of the scheduler serialize like two processes.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

from aggregator.core import clock

DEFAULT_TIMEOUT = 600.0
POLL_SECONDS = 0.2


class LockBusy(Exception):
    """The lock stayed held by another run for the whole wait."""


def lock_path(store_path: Path) -> Path:
    """The lock file of a store: ``tradecal.db`` → ``tradecal.db.lock``."""
    return store_path.with_name(store_path.name + ".lock")


def holder(path: Path) -> str:
    """Who holds (or last held) the lock, as its holder wrote it; "" if unknown."""
    try:
        return " ".join(path.read_text(encoding="utf-8").split())[:200]
    except OSError:
        return ""


class StoreLock:
    """An exclusive lock on ``path``, waited for at most ``timeout`` seconds.

    ``on_wait`` is told once, with the holder's description, when the lock is busy;
    ``cancelled`` is polled while waiting (a scheduler shutting down stops waiting).
    """

    def __init__(self, path: Path, timeout: float = DEFAULT_TIMEOUT, *,
                 on_wait: Callable[[str], None] = lambda holder: None,
                 cancelled: Callable[[], bool] = lambda: False,
                 poll: float = POLL_SECONDS) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.on_wait = on_wait
        self.cancelled = cancelled
        self.poll = poll
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, waiting for it; LockBusy when the wait is over or cancelled."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    self.on_wait(holder(self.path))
                    told = True
                if time.monotonic() >= deadline or self.cancelled():
                    os.close(fd)
                    who = holder(self.path)
                    raise LockBusy(f"another refresh is running ({who or 'holder unknown'}); "
                                   f"gave up after waiting {self.timeout:.0f} s "
                                   f"for {self.path}") from None
                time.sleep(self.poll)
        self._fd = fd
        os.ftruncate(fd, 0)
        since = clock.now().isoformat(timespec="seconds")
        os.pwrite(fd, f"pid {os.getpid()} since {since}: {' '.join(_command())}\n"
                  .encode(), 0)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.release()


def _command() -> list[str]:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "tradecal"
    return [name, *sys.argv[1:]][:8]
