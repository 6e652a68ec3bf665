"""Events added by hand: the import CSV of ``tradecal import FILE.csv``.

Format: text (the caller decodes it: UTF-8 with or without a BOM, or Big5 as
Excel saves it in Taiwan), a header row, columns ``organization,title,start,end,timezone,
location,url,status,kind,featured,registration_deadline,section`` in any order; only
``organization``, ``title`` and ``start`` are required. Columns without a name (Excel's
trailing empty columns) are ignored while they are empty. ``start``/``end`` are a date,
``YYYY-MM-DD``, ``YYYY/MM/DD`` or ROC ``113/05/07`` (all-day), or a date and ``HH:MM``
(local time of ``timezone``, after ``T`` or a space); ``end`` is inclusive; empty cells are
unknown. A start in a daylight-saving gap (02:30 on the night 02:00 becomes 03:00) is read
with the offset before the change, i.e. as 03:30, and the event keeps the row's wall-clock
duration (an end of 03:30 becomes 04:30) rather than shrinking to nothing. ``timezone``
defaults to the organization's, then to Asia/Taipei.

A file is read whole or refused whole: :class:`CsvImportError` names every bad row (up to
:data:`MAX_ERRORS`) with its line. An event's key is its organization, normalized title and
start date, so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregator.core.dates import roc_year
from aggregator.core.model import KINDS, STATUSES, Event, EventError, intended_end, title_date_key

COLUMNS: tuple[str, ...] = (
    "organization", "title", "start", "end", "timezone", "location", "url", "status", "kind",
    "featured", "registration_deadline", "section",
)
REQUIRED: tuple[str, ...] = ("organization", "title", "start")
DEFAULT_TIMEZONE = "Asia/Taipei"
TRUE_WORDS = {"1", "true", "yes", "y", "x", "是", "v"}
FALSE_WORDS = {"", "0", "false", "no", "n", "否"}
MAX_ERRORS = 20
"""Bad rows named at most in one refusal."""


class CsvImportError(ValueError):
    """A CSV that cannot be imported; the message names the file and each bad line
    (``problems`` holds them one by one)."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (message,)


class RowError(ValueError):
    """A problem with one cell; turned into CsvImportError with the line number."""


Resolver = Callable[[str], "tuple[str, str | None] | None"]
"""Organization name written in a row → its configured key and time zone (None: unknown)."""


def read_events_csv(text: str, filename: str, *, source: str = "manual",
                    organization: Resolver = lambda org: (org, None),
                    sections: tuple[str, ...] | None = None) -> list[Event]:
    """Every event of an import CSV, in file order; raises CsvImportError naming every bad
    row (up to :data:`MAX_ERRORS`).

    ``organization`` maps the name written in the file to the configured organization key
    and its default time zone (so "工研院" and "ITRI" are one organization), or to None for
    a name no organization goes by (the row is bad).
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    _check_header(reader.fieldnames, filename)
    events: list[Event] = []
    seen: dict[str, int] = {}
    problems: list[str] = []
    for row in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in _cells(row)):
            continue
        try:
            event = row_event(row, source, organization, sections)
            if event.uid in seen:
                raise RowError(f"same event as line {seen[event.uid]} ({event.organization}, "
                                f"{event.title!r}, {event.start})")
        except (RowError, EventError) as exc:
            problems.append(f"{filename}, line {line}: {exc}")
            if len(problems) >= MAX_ERRORS:
                problems.append(f"{filename}: stopped after {MAX_ERRORS} bad rows")
                break
            continue
        seen[event.uid] = line
        events.append(event)
    if problems:
        bad = len([p for p in problems if ", line " in p])
        head = problems[0] if len(problems) == 1 else (
            f"{filename}: {bad} bad rows:\n  " + "\n  ".join(problems))
        raise CsvImportError(head, tuple(problems))
    return events


def _cells(row: Mapping[str | None, object]) -> list[str]:
    """A row's cell texts (a cell beyond the header's columns comes as a list)."""
    cells: list[str] = []
    for value in row.values():
        cells.extend(value if isinstance(value, list) else [str(value or "")])
    return cells


def _check_header(fieldnames: object, filename: str) -> None:
    if not fieldnames:
        raise CsvImportError(f"{filename}, line 1: empty file or no header row")
    names = [str(name).strip() for name in fieldnames]  # type: ignore[attr-defined]
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        raise CsvImportError(f"{filename}, line 1: unknown column {unknown[0]!r} "
                             f"(columns: {','.join(COLUMNS)})")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise CsvImportError(f"{filename}, line 1: missing column {missing[0]!r}")


def row_event(row: Mapping[str | None, object], source: str, resolve: Resolver,
              sections: tuple[str, ...] | None) -> Event:
    """The event of one row (column name → cell); RowError or EventError when it is bad."""
    if row.get(None):  # cells beyond the header's columns
        raise RowError("more cells than the header has columns")
    cell = {str(key).strip(): str(value or "").strip() for key, value in row.items() if key}
    if cell.get("", ""):
        raise RowError(f"a value in a column without a name: {cell['']!r}")
    for name in REQUIRED:
        if not cell.get(name):
            raise RowError(f"{name} is empty")
    resolved = resolve(cell["organization"])
    if resolved is None:
        raise RowError(f"unknown organization {cell['organization']!r} (not a key, short "
                        "name or name of an organization in the configuration)")
    organization, org_zone = resolved
    title = cell["title"]
    zone = _zone(cell.get("timezone") or org_zone or DEFAULT_TIMEZONE)
    start = _when(cell["start"], "start", zone)
    end = _when(cell["end"], "end", zone) if cell.get("end") else None
    if end is not None and isinstance(end, datetime) != isinstance(start, datetime):
        raise RowError("start and end must both be dates or both date and time")
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
        raise RowError(f"unknown time zone {name!r}") from None


_DATE = re.compile(r"(\d{2,4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DATE_TIME = re.compile(_DATE.pattern + r"(?:(?:T|\s+)(\d{1,2}):(\d{2}))?")


def _when(text: str, column: str, zone: ZoneInfo) -> date | datetime:
    match = _DATE_TIME.fullmatch(text.strip())
    day = _day(match) if match else None
    if day is None:
        raise RowError(f"{column} {text!r} is not a date (YYYY-MM-DD, YYYY/MM/DD or ROC "
                        "113/05/07), with or without a time HH:MM")
    if match[4] is None:  # type: ignore[index]
        return day
    hour, minute = int(match[4]), int(match[5])  # type: ignore[index]
    if hour > 23 or minute > 59:
        raise RowError(f"{column} {text!r}: no such time of day")
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def _day(match: re.Match[str]) -> date | None:
    """The date of a ``year/month/day`` match: a year of 2 or 3 digits is an ROC year."""
    year, month, day = (int(match[index]) for index in (1, 2, 3))
    if len(match[1]) == 4 and year < 1900 or len(match[1]) not in (2, 3, 4):
        return None
    try:
        return date(roc_year(year) if len(match[1]) < 4 else year, month, day)
    except ValueError:
        return None


def _deadline(text: str) -> date | None:
    if not text:
        return None
    match = _DATE.fullmatch(text.strip())
    found = _day(match) if match else None
    if found is None:
        raise RowError(f"registration_deadline {text!r} is not a date (YYYY-MM-DD, "
                        "YYYY/MM/DD or ROC 113/05/07)")
    return found


def _choice(text: str, column: str, allowed: tuple[str, ...], default: str) -> str:
    value = text.lower() or default
    if value not in allowed:
        raise RowError(f"{column} {text!r} is not one of {', '.join(allowed)}")
    return value


def _flag(text: str) -> bool:
    value = text.lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise RowError(f"featured {text!r} is not yes/no")


def _section(text: str, sections: tuple[str, ...] | None) -> str | None:
    if not text:
        return None
    if sections is not None and text not in sections:
        raise RowError(f"section {text!r} is not one of {', '.join(sections)}")
    return text
