"""What real calendar clients read in feed files, next to what the files mean.

- :func:`oracle`: each event of a file as RFC 5545 defines it, computed here with icalendar
  for the syntax and zoneinfo for the zones (a TZID wall time is the IANA zone's instant with
  ``fold=0``, the first of a repeated time; a timed event without DTEND ends at its start);
- :func:`read_libical`: libical 3 (GNOME Evolution), through ``tests/clients/libical_read.py``
  under the system Python with Debian's ``python3-gi`` and ``gir1.2-ical-3.0``; each TZID time
  read twice, with the feed's VTIMEZONE and with libical's built-in zone of that name;
- :func:`read_nodeical`: node-ical (npm), ``tests/js/check_nodeical.cjs``, under
  ``TZ=Pacific/Kiritimati`` so that a fallback to the machine's zone shows;
- :func:`read_vobject`: vobject (PyPI), in this process, zones from the VTIMEZONEs;
- :func:`read_icaljs`: ical.js (Thunderbird), ``tests/js/check_icaljs.mjs``.

Every reading is a :class:`Reading` per UID, so one comparison serves every client. Times are
``YYYYMMDDTHHMMSSZ`` (an instant) or ``YYYY-MM-DD`` (a date).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

TESTS = Path(__file__).resolve().parent
JS_DIR = TESTS / "js"
LIBICAL_SCRIPT = TESTS / "clients" / "libical_read.py"
SYSTEM_PYTHON = "/usr/bin/python3"
TEXT_FIELDS = ("summary", "description", "location", "url", "status")


@dataclass(frozen=True)
class Reading:
    """One event as a client shows it."""

    start: str | None
    end: str | None
    summary: str | None = None
    description: str | None = None
    location: str | None = None
    url: str | None = None
    status: str | None = None
    categories: tuple[str, ...] = field(default=())


def instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def oracle(data: bytes) -> dict[str, Reading]:
    """What each event of a feed file means (module docstring)."""
    readings = {}
    for component in Calendar.from_ical(data).walk("VEVENT"):
        start = _meaning(component["DTSTART"])
        end = _meaning(component["DTEND"]) if "DTEND" in component else start
        categories = tuple(str(name) for prop in _all(component, "CATEGORIES")
                           for name in prop.cats)
        readings[str(component["UID"])] = Reading(
            start, end, *(_text(component, name) for name in TEXT_FIELDS),
            categories=categories)
    return readings


def _all(component: Any, name: str) -> list[Any]:
    value = component.get(name)
    return [] if value is None else value if isinstance(value, list) else [value]


def _text(component: Any, name: str) -> str | None:
    value = component.get(name)
    return None if value is None else str(value)


def _meaning(prop: Any) -> str:
    value = prop.dt
    if not isinstance(value, datetime):
        return value.isoformat()
    tzid = prop.params.get("TZID")
    if tzid:  # the IANA zone, fold=0: the first of a repeated time
        return instant(value.replace(tzinfo=ZoneInfo(str(tzid)), fold=0))
    assert value.tzinfo is not None, "floating time"
    return instant(value)


def _compact(text: str | None) -> str | None:
    """``2025-03-28T09:00:00.000Z`` or ``20250328T090000Z`` as ``20250328T090000Z``."""
    if text is None:
        return None
    if len(text) == 10 and text[4] == "-":
        return text
    if len(text) == 8:
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text.replace("-", "").replace(":", "").replace(".000", "")


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Any:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300,
                          check=False, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def read_libical(paths: list[Path], *, builtin: bool = False) -> dict[str, dict[str, Reading]]:
    """libical's reading of each file, by file name (``builtin``: with its own zones)."""
    if not Path(SYSTEM_PYTHON).exists():
        pytest.fail("libical: /usr/bin/python3 with python3-gi and gir1.2-ical-3.0 is needed "
                    "(.ci/run installs them)")
    feeds = _run([SYSTEM_PYTHON, str(LIBICAL_SCRIPT), *map(str, paths)], TESTS)
    key = "builtin" if builtin else "utc"

    def when(time: dict[str, Any] | None) -> str | None:
        if time is None:
            return None
        if "date" in time:
            return _compact(time["date"])
        return time[key] if time.get("tzid") else time["utc"]

    return {Path(feed["file"]).name: {
        event["uid"]: Reading(
            when(event["start"]), when(event["end"]) or when(event["start"]),
            *(event[name] for name in TEXT_FIELDS),
            categories=tuple(name for value in event["categories"]
                             for name in value.split(",")))
        for event in feed["events"]} for feed in feeds}


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed for the ical.js and node-ical readings (Node 20)")
    return node


def read_nodeical(paths: list[Path]) -> dict[str, dict[str, Reading]]:
    """node-ical's reading of each file, by file name."""
    node = _node()
    if not (JS_DIR / "node_modules" / "node-ical").is_dir():
        pytest.fail("node-ical is not installed: run `npm ci` in tests/js (.ci/run does)")
    env = dict(os.environ, TZ="Pacific/Kiritimati")
    result = _run([node, "check_nodeical.cjs", *map(str, paths)], JS_DIR, env)
    return {Path(feed["file"]).name: {
        event["uid"]: Reading(
            _js_time(event["start"]), _js_time(event["end"]),
            *(event[name] for name in TEXT_FIELDS),
            categories=tuple(event["categories"]))
        for event in feed["events"]} for feed in result["feeds"]}


def _js_time(time: dict[str, Any] | None) -> str | None:
    if time is None:
        return None
    return _compact(time.get("date") or time.get("utc") or f"invalid {time}")


def read_icaljs(paths: list[Path]) -> dict[str, dict[str, Reading]]:
    """ical.js's reading of each file, by file name."""
    node = _node()
    feeds = _run([node, "check_icaljs.mjs", *map(str, paths)], JS_DIR)
    return {Path(feed["file"]).name: {
        event["uid"]: Reading(
            _js_time(event["start"]), _js_time(event["end"] or event["start"]),
            event["summary"], event["description"], event["location"])
        for event in feed["events"]} for feed in feeds}


def read_vobject(path: Path) -> dict[str, Reading]:
    """vobject's reading of one file (zones from its VTIMEZONEs, through dateutil)."""
    import vobject  # a test dependency: pyproject's [test] extra

    calendar = vobject.readOne(path.read_text(encoding="utf-8"))
    readings = {}
    for event in getattr(calendar, "vevent_list", []):
        start = _vobject_time(event.dtstart.value)
        end = _vobject_time(event.dtend.value) if hasattr(event, "dtend") else start
        texts = [getattr(event, name).value if hasattr(event, name) else None
                 for name in TEXT_FIELDS]
        categories = tuple(name for line in getattr(event, "categories_list", [])
                           for name in line.value)
        readings[event.uid.value] = Reading(start, end, *texts, categories=categories)
    return readings


def _vobject_time(value: date | datetime) -> str:
    if not isinstance(value, datetime):
        return value.isoformat()
    assert value.tzinfo is not None, "vobject read a floating time"
    return instant(value)


def repeated_wall(wall: datetime, tzid: str) -> bool:
    """Whether naive ``wall`` occurs twice in ``tzid`` (a fall-back hour)."""
    zone = ZoneInfo(tzid)
    return wall.replace(tzinfo=zone, fold=0).utcoffset() != \
        wall.replace(tzinfo=zone, fold=1).utcoffset()
