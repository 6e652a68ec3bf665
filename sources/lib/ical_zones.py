"""Time zones of iCalendar feeds as IANA names (for :mod:`sources.generic.ical`).

A ``TZID`` may be an IANA name ("Europe/Zurich"), a Windows/Outlook name ("W. Europe
Standard Time", mapped with the CLDR table icalendar 7 ships, or a display name such as
"(UTC-05:00) Eastern Time (US & Canada)", see ``sources.lib.windows_zones``), a vendor-prefixed name
("/citadel.org/20250101_1/Europe/Berlin", RFC 5545's "globally unique" form) or a custom
name with its own ``VTIMEZONE`` ("Customized Time Zone"), whose rules icalendar applies but
which names no place.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sources.lib.windows_zones import display_offset, windows_zone

UTC_NAMES = {"UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "Etc/Universal", "Universal", "Zulu",
             "Etc/Zulu", "UCT", "Etc/UCT", "GMT0", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0"}


def event_zone(start: datetime, feed_zone: str) -> str:
    """The IANA zone of an event starting at ``start``: the zone its TZID names; for UTC,
    floating times and unnamed custom zones, ``feed_zone`` (for a custom zone only when its
    offset at ``start`` agrees; otherwise ``Etc/GMT±N`` for a whole-hour offset, else UTC)."""
    if start.tzinfo is None:
        return feed_zone
    name = iana_name(_zone_name(start.tzinfo))
    if name and name != "UTC":
        return name
    offset = start.utcoffset()
    if name == "UTC" or offset is None or offset == start.astimezone(ZoneInfo(feed_zone)
                                                                     ).utcoffset():
        return feed_zone
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    return f"Etc/GMT{-hours:+d}" if not rest and -14 <= -hours <= 12 and hours else "UTC"


def _zone_name(zone: tzinfo) -> str:
    from icalendar.timezone.tzid import tzid_from_tzinfo
    name = tzid_from_tzinfo(zone)
    if name:
        return name
    return str(getattr(zone, "_tzid", "") or getattr(zone, "key", "") or "")


def iana_name(name: str) -> str | None:
    """The IANA zone a TZID names: itself, a Windows name's CLDR zone, or the zone after a
    vendor prefix; "UTC" for the names of UTC; None when it names no known zone."""
    name = name.strip().strip('"')
    if not name:
        return None
    if name in UTC_NAMES:
        return "UTC"
    candidates = [name.strip("/"), windows_zone(name) or ""]
    parts = name.strip("/").split("/")
    candidates += ["/".join(parts[first:]) for first in range(1, len(parts))]
    for candidate in candidates:
        if candidate and _is_zone(candidate):
            return "UTC" if candidate in UTC_NAMES else candidate
    return None


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America" is a folder
        return False
    return True


def tzid_zone(tzid: str) -> tuple[str | None, bool]:
    """The zone to read a time in whose TZID icalendar could not place (no VTIMEZONE), and
    whether the name was known: its IANA zone; for an unknown display name, the fixed
    ``Etc/GMT±N`` of the offset it states (unknown); else None (unknown, read floating)."""
    if not tzid:
        return None, True
    zone = iana_name(tzid)
    if zone:
        return zone, True
    offset = display_offset(tzid)
    if offset is not None and not offset.total_seconds() % 3600:
        hours = int(offset.total_seconds() // 3600)
        return (f"Etc/GMT{-hours:+d}" if hours else "UTC"), False
    return None, False
