"""Checks shared by the fault, crash and concurrency tests: is a feed whole, and what of the
store must not change.

A feed is *whole* when its bytes end with ``END:VCALENDAR`` and CRLF and icalendar reads one
VCALENDAR with a PRODID from them; :func:`icaljs_read` also has them read by ical.js (the
parser Thunderbird uses, ``tests/js/check_icaljs.mjs``; see ``tests/test_interop.py``) when
Node and ical.js are installed.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from icalendar import Calendar

JS_DIR = Path(__file__).resolve().parent / "js"
BOOKKEEPING = ("last_seen",)
"""``events`` columns a refresh writes even when it changes nothing."""


def whole_calendar(data: bytes, name: str = "feed") -> Calendar:
    """The calendar of a complete feed; AssertionError naming ``name`` otherwise."""
    assert data.endswith(b"END:VCALENDAR\r\n"), f"{name}: does not end with END:VCALENDAR"
    assert data.startswith(b"BEGIN:VCALENDAR\r\n"), f"{name}: does not start a VCALENDAR"
    calendar = Calendar.from_ical(data)
    assert calendar.name == "VCALENDAR" and calendar.get("PRODID"), name
    return calendar


def feed_files(folder: Path) -> dict[str, bytes]:
    """Every ``*.ics`` in ``folder`` (hidden temporary files are no feeds), by name."""
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.ics"))
            if not path.name.startswith(".")}


SITE_ENTRIES = frozenset({"index.html", "month.html", "subscribe.html", "events.json",
                          "changes.xml", "assets", "qr", "events"})
"""What the public site (feeds.site) writes next to the feeds."""


def leftovers(folder: Path) -> list[str]:
    """Files in ``folder`` that are neither feeds nor the site (a writer's temporary file
    left behind)."""
    return sorted(path.name for path in folder.iterdir()
                  if (path.suffix != ".ics" and path.name not in SITE_ENTRIES)
                  or path.name.startswith("."))


def icaljs_available() -> bool:
    return shutil.which("node") is not None and (JS_DIR / "node_modules" / "ical.js").is_dir()


def icaljs_read(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """What ical.js reads in each feed (AssertionError when it cannot parse one)."""
    node = shutil.which("node")
    assert node is not None
    done = subprocess.run([node, str(JS_DIR / "check_icaljs.mjs"), *map(str, paths)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def event_rows(store_path: Path, where: str = "", params: Iterable[Any] = (),
               ignore: Sequence[str] = BOOKKEEPING) -> list[dict[str, Any]]:
    """The ``events`` rows (all columns but ``ignore``), by uid."""
    with closing(sqlite3.connect(store_path)) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(f"select * from events {'where ' + where if where else ''} "
                          "order by uid", list(params)).fetchall()
    return [{key: row[key] for key in row.keys() if key not in ignore} for row in rows]


def integrity(store_path: Path) -> str:
    """``PRAGMA integrity_check`` of the store ("ok" when sound)."""
    with closing(sqlite3.connect(store_path)) as db:
        return " ".join(row[0] for row in db.execute("PRAGMA integrity_check"))
