"""The ``tradecal`` command line on a slow disk: ``python -m tests.slow_disk_tradecal ARGS`` with
``TRADECAL_TEST_SLOW_DISK`` set to a number of seconds.

To run it with its clock stopped, set ``TRADECAL_NOW`` (:mod:`aggregator.core.clock`) in its
environment: tradecal stamps what it stores and picks the feeds' events by that one clock,
so two runs over the same inputs give the same bytes, and a run that was killed and run
again can be compared with one that was not.

With ``TRADECAL_TEST_SLOW_DISK`` set to a number of seconds, files are written as on a slow
disk: each write opened by ``open`` trickles out in chunks of :data:`CHUNK` bytes, that long
apart, and each ``os.fsync`` takes that long too; a kill then often lands while a file is
half written, and between writing a feed's temporary file and renaming it. SQLite writes
and syncs in C and is not slowed. Nothing else is changed: the command is
:func:`aggregator.cli.main` as installed.
"""

from __future__ import annotations

import builtins
import io
import os
import sys
import time
from typing import IO, Any

import aggregator.cli

CHUNK = 16 * 1024


class _Trickling:
    """A file opened for writing whose writes trickle out (see the module docstring)."""

    def __init__(self, inner: IO[Any], pause: float) -> None:
        self.inner, self.pause = inner, pause

    def write(self, data: Any) -> int:
        for start in range(0, len(data), CHUNK):
            self.inner.write(data[start:start + CHUNK])
            self.inner.flush()
            time.sleep(self.pause)
        return len(data)

    def __enter__(self) -> _Trickling:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.inner.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def slow_disk(pause: float) -> None:
    """Make ``open`` (also ``io.open``, ``os.fdopen``, ``Path.write_bytes``) trickle its
    writes and ``os.fsync`` wait ``pause`` seconds."""
    real_open, sync = io.open, os.fsync

    def trickling_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        opened = real_open(file, mode, *args, **kwargs)
        writing = any(flag in mode for flag in "wax+")
        return _Trickling(opened, pause) if writing else opened

    def slow_sync(fd: int) -> None:
        sync(fd)
        time.sleep(pause)

    io.open = builtins.open = trickling_open  # type: ignore[assignment]
    os.fsync = slow_sync


if __name__ == "__main__":
    if os.environ.get("TRADECAL_TEST_SLOW_DISK"):
        slow_disk(float(os.environ["TRADECAL_TEST_SLOW_DISK"]))
    sys.argv[0] = "tradecal"
    aggregator.cli.main()
