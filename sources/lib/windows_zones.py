"""Outlook/Exchange time zone names as IANA zones.

Windows zone IDs ("Eastern Standard Time") map through CLDR's windowsZones table as the
icalendar package ships it (``icalendar.timezone.windows_to_olson``, generated from CLDR,
kept current by icalendar's maintainers). Outlook also writes *display names* with no
VTIMEZONE, such as ``(UTC-05:00) Eastern Time (US & Canada)`` or ``(GMT+10:00) Canberra,
Melbourne, Sydney``; CLDR has no table of those, so a display name is read by rule, and
every answer must agree with the offset the name states (as the zone's standard offset):

1. the words before any bracket, as a Windows ID ("Eastern Time" → "Eastern Standard Time");
2. else a place it lists that is the city of an IANA zone ("Sydney" → Australia/Sydney);
3. else nothing: :func:`display_offset` still gives the stated offset, and the caller names
   the zone as unknown in the run's warnings.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

_DISPLAY = re.compile(r"^\s*\(\s*(?:UTC|GMT)\s*(?:(?P<sign>[+\-\u2212])\s*(?P<hours>\d{1,2})"
                      r"(?::?(?P<minutes>\d{2}))?)?\s*\)\s*(?P<places>.+?)\s*$", re.IGNORECASE)


def display_offset(name: str) -> timedelta | None:
    """The offset a display name states ("(UTC-05:00) …" → -5 h), else None."""
    match = _DISPLAY.match(name)
    if not match:
        return None
    if not match["hours"]:
        return timedelta(0)
    sign = -1 if match["sign"] in ("-", "\u2212") else 1
    return sign * timedelta(hours=int(match["hours"]), minutes=int(match["minutes"] or 0))


def windows_zone(name: str) -> str | None:
    """The IANA zone of a Windows ID or an Outlook display name, else None."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    if name in WINDOWS_TO_OLSON:
        return WINDOWS_TO_OLSON[name]
    offset, match = display_offset(name), _DISPLAY.match(name)
    if offset is None or match is None:
        return None
    places = match["places"]
    words = re.sub(r"\([^)]*\)", " ", places).split()
    bare = " ".join(words)
    for candidate in (bare, bare.replace(" Time", " Standard Time"), f"{bare} Standard Time"):
        zone = WINDOWS_TO_OLSON.get(candidate)
        if zone and standard_offset(zone) == offset:
            return zone
    for place in re.split(r"[,;/]|\band\b", re.sub(r"[()]", ",", places)):
        for zone in _cities().get(place.strip().lower().replace(" ", "_"), ()):
            if standard_offset(zone) == offset:
                return zone
    return "UTC" if offset == timedelta(0) and re.search(r"universal|\bUTC\b", places,
                                                         re.IGNORECASE) else None


def standard_offset(zone: str) -> timedelta | None:
    """The zone's standard (smaller of January's and July's) offset in 2025."""
    offsets = [datetime(2025, month, 1, tzinfo=ZoneInfo(zone)).utcoffset()
               for month in (1, 7)]
    return min(offset for offset in offsets if offset is not None)


@lru_cache(maxsize=1)
def _cities() -> dict[str, tuple[str, ...]]:
    """IANA zones by their city, lower case ("sydney" → Australia/Sydney)."""
    found: dict[str, list[str]] = {}
    for zone in sorted(available_timezones()):
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "US/")):
            found.setdefault(zone.rsplit("/", 1)[1].lower(), []).append(zone)
    return {city: tuple(zones) for city, zones in found.items()}
