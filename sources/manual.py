"""Events added by hand: the import CSV of ``tradecal import FILE.csv``.

Format (DESIGN.md): UTF-8 (a BOM is fine), a header row, columns
``organization,title,start,end,timezone,location,url,status,kind,featured,
registration_deadline,section`` in any order; only ``organization``, ``title`` and
``start`` are required. ``start``/``end`` are ``YYYY-MM-DD`` (all-day) or
``YYYY-MM-DDTHH:MM`` (local time of ``timezone``); ``end`` is inclusive; empty cells are
unknown. A start in a daylight-saving gap (02:30 on the night 02:00 becomes 03:00) is read
with the offset before the change, i.e. as 03:30, and the event keeps the row's wall-clock
duration (an end of 03:30 becomes 04:30) rather than shrinking to nothing. ``timezone``
defaults to the organization's, then to Asia/Taipei.

A file is read whole or refused whole: the first bad row raises :class:`CsvImportError`
naming the file and the line. An event's key is its organization, normalized title and
start date, so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregator.model import KINDS, STATUSES, Event, EventError, intended_end, title_date_key

COLUMNS: tuple[str, ...] = (
    "organization", "title", "start", "end", "timezone", "location", "url", "status", "kind",
    "featured", "registration_deadline", "section",
)
REQUIRED: tuple[str, ...] = ("organization", "title", "start")
DEFAULT_TIMEZONE = "Asia/Taipei"
TRUE_WORDS = {"1", "true", "yes", "y", "x", "是", "v"}
FALSE_WORDS = {"", "0", "false", "no", "n", "否"}


class CsvImportError(ValueError):
    """A CSV that cannot be imported; the message names the file and the line."""


class _RowError(ValueError):
    """A problem with one cell; turned into CsvImportError with the line number."""


def read_events_csv(text: str, filename: str, *, source: str = "manual",
                    organization: Callable[[str], tuple[str, str | None]] = lambda org: (org, None),
                    sections: tuple[str, ...] | None = None) -> list[Event]:
    """Every event of an import CSV, in file order; raises CsvImportError on any bad row.

    ``organization`` maps the name written in the file to the configured organization key
    and its default time zone (so "工研院" and "ITRI" are one organization).
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    _check_header(reader.fieldnames, filename)
    events: list[Event] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in row.values()):
            continue
        try:
            event = _row_event(row, source, organization, sections)
        except (_RowError, EventError) as exc:
            raise CsvImportError(f"{filename}, line {line}: {exc}") from None
        if event.uid in seen:
            raise CsvImportError(f"{filename}, line {line}: same event as line {seen[event.uid]}"
                                 f" ({event.organization}, {event.title!r}, {event.start})")
        seen[event.uid] = line
        events.append(event)
    return events


def _check_header(fieldnames: object, filename: str) -> None:
    if not fieldnames:
        raise CsvImportError(f"{filename}, line 1: empty file or no header row")
    names = [str(name).strip() for name in fieldnames]  # type: ignore[attr-defined]
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise CsvImportError(f"{filename}, line 1: unknown column {unknown[0]!r} "
                             f"(columns: {','.join(COLUMNS)})")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise CsvImportError(f"{filename}, line 1: missing column {missing[0]!r}")


def _row_event(row: Mapping[str, str | None], source: str,
               resolve: Callable[[str], tuple[str, str | None]],
               sections: tuple[str, ...] | None) -> Event:
    cell = {str(key).strip(): (value or "").strip() for key, value in row.items() if key}
    for name in REQUIRED:
        if not cell.get(name):
            raise _RowError(f"{name} is empty")
    organization, org_zone = resolve(cell["organization"])
    title = cell["title"]
    zone = _zone(cell.get("timezone") or org_zone or DEFAULT_TIMEZONE)
    start = _when(cell["start"], "start", zone)
    end = _when(cell["end"], "end", zone) if cell.get("end") else None
    if end is not None and isinstance(end, datetime) != isinstance(start, datetime):
        raise _RowError("start and end must both be dates or both date and time")
    if isinstance(start, datetime) and isinstance(end, datetime):
        end = intended_end(start, end)  # a start in a DST gap keeps the row's duration
    return Event(
        source=source, source_key=title_date_key(organization, title, start),
        organization=organization, title=title, start=start, end=end, timezone=zone.key,
        location=cell.get("location", ""), url=cell.get("url", ""),
        status=_choice(cell.get("status", ""), "status", STATUSES, "confirmed"),  # type: ignore[arg-type]
        kind=_choice(cell.get("kind", ""), "kind", KINDS, "meeting"),  # type: ignore[arg-type]
        featured=_flag(cell.get("featured", "")),
        registration_deadline=_deadline(cell.get("registration_deadline", "")),
        section=_section(cell.get("section", ""), sections),
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America" is a folder
        raise _RowError(f"unknown time zone {name!r}") from None


def _when(text: str, column: str, zone: ZoneInfo) -> date | datetime:
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.strptime(text.replace(" ", "T", 1), "%Y-%m-%dT%H:%M")
    except ValueError:
        raise _RowError(f"{column} {text!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    return moment.replace(tzinfo=zone)


def _deadline(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _RowError(f"registration_deadline {text!r} is not YYYY-MM-DD") from None


def _choice(text: str, column: str, allowed: tuple[str, ...], default: str) -> str:
    value = text.lower() or default
    if value not in allowed:
        raise _RowError(f"{column} {text!r} is not one of {', '.join(allowed)}")
    return value


def _flag(text: str) -> bool:
    value = text.lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise _RowError(f"featured {text!r} is not yes/no")


def _section(text: str, sections: tuple[str, ...] | None) -> str | None:
    if not text:
        return None
    if sections is not None and text not in sections:
        raise _RowError(f"section {text!r} is not one of {', '.join(sections)}")
    return text
