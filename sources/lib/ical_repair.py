"""iCalendar text as real publishers write it, made readable before icalendar reads it.

- The Events Calendar (WordPress) writes one ``VTIMEZONE`` holding the rules of several
  zones, each after its own ``TZID:`` line; icalendar refuses the whole feed (``'list'
  object has no attribute 'strip'``). :func:`split_shared_timezones` makes one VTIMEZONE
  per TZID.
- When the feed as a whole still cannot be read, :func:`one_by_one` reads each VEVENT on
  its own (with the feed's header and time zones), so one broken event costs only itself.
"""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icalendar import Calendar

_BLOCK = re.compile(r"BEGIN:VTIMEZONE\r?\n(.*?)END:VTIMEZONE\r?\n?", re.DOTALL | re.IGNORECASE)
_EVENT = re.compile(r"BEGIN:VEVENT\r?\n.*?END:VEVENT\r?\n?", re.DOTALL | re.IGNORECASE)
_OTHER = re.compile(r"BEGIN:(VEVENT|VTODO|VJOURNAL|VFREEBUSY)\r?\n.*?END:\1\r?\n?",
                    re.DOTALL | re.IGNORECASE)


def split_shared_timezones(text: str) -> str:
    """The text with each VTIMEZONE that names several TZIDs split into one per TZID."""
    def split(match: re.Match[str]) -> str:
        lines = match[1].splitlines(keepends=True)
        depth, parts = 0, [[]]  # type: tuple[int, list[list[str]]]
        for line in lines:
            upper = line.strip().upper()
            if upper.startswith("TZID:") and depth == 0 and any(
                    piece.strip().upper().startswith("TZID:") for piece in parts[-1]):
                parts.append([])
            depth += upper.startswith("BEGIN:") - upper.startswith("END:")
            parts[-1].append(line)
        if len(parts) == 1:
            return match[0]
        newline = "\r\n" if "\r\n" in match[0] else "\n"
        return "".join(f"BEGIN:VTIMEZONE{newline}{''.join(part)}END:VTIMEZONE{newline}"
                       for part in parts)
    return _BLOCK.sub(split, text)


def one_by_one(text: str) -> tuple[list[Calendar], int]:
    """Each VEVENT of the text read on its own; the calendars read and how many failed."""
    from icalendar import Calendar

    head = text[:text.upper().find("BEGIN:VEVENT")] if "BEGIN:VEVENT" in text.upper() else text
    head = _OTHER.sub("", head).replace("END:VCALENDAR", "")
    timezones = "".join(match[0] for match in _BLOCK.finditer(text))
    head = _BLOCK.sub("", head)
    newline = "\r\n" if "\r\n" in text else "\n"
    calendars, failed = [], 0
    for event in _EVENT.finditer(text):
        single = f"{head}{timezones}{event[0]}END:VCALENDAR{newline}"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                calendar = Calendar.from_ical(single)
        except (ValueError, KeyError, IndexError, AttributeError, TypeError, OSError):
            failed += 1
            continue
        calendars.append(calendar)
    return calendars, failed
