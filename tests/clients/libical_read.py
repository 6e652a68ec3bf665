"""Reads ICS feeds with libical (GNOME Evolution's calendar library) and prints, as one JSON
document, what it sees of each: for every VEVENT its UID, text, status, and DTSTART/DTEND as
the instants libical computes, twice: with the feed's own VTIMEZONE
(``i_cal_component_get_timezone``) and with libical's built-in zone of that TZID (system
tzdata), which is what Evolution uses for a TZID naming a location.

usage: /usr/bin/python3 libical_read.py FEED.ics [FEED.ics ...]

Runs under the system Python with Debian's ``python3-gi`` and ``gir1.2-ical-3.0`` (the
project's venv does not hold PyGObject); imports nothing of tradecal. Exit 0 with the JSON,
2 when a file cannot be parsed.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402  (after require_version)

KIND = ICalGLib.ComponentKind
PROPERTY = ICalGLib.PropertyKind


def instant(time: Any, zone: Any) -> str | None:
    """``time`` (whose TZID names ``zone``) in UTC as ``YYYYMMDDTHHMMSSZ``; None without a
    zone."""
    if zone is None:
        return None
    copy = time.clone()
    copy.set_timezone(zone)
    return str(copy.convert_to_zone(ICalGLib.Timezone.get_utc_timezone()).as_ical_string())


def time_of(root: Any, event: Any, kind: Any) -> dict[str, Any] | None:
    """A DTSTART or DTEND as written and as libical turns it into an instant."""
    prop = event.get_first_property(kind)
    if prop is None:
        return None
    time = prop.get_dtstart() if kind == PROPERTY.DTSTART_PROPERTY else prop.get_dtend()
    written = str(time.as_ical_string())
    if time.is_date():
        return {"date": written, "tzid": None}
    parameter = prop.get_first_parameter(ICalGLib.ParameterKind.TZID_PARAMETER)
    tzid = parameter.get_tzid() if parameter is not None else None
    if tzid is None:
        return {"utc": written if time.is_utc() else None, "floating": not time.is_utc(),
                "tzid": None}
    return {"tzid": tzid, "utc": instant(time, root.get_timezone(tzid)),
            "builtin": instant(time, ICalGLib.Timezone.get_builtin_timezone(tzid))}


def event_of(root: Any, event: Any) -> dict[str, Any]:
    categories = []
    prop = event.get_first_property(PROPERTY.CATEGORIES_PROPERTY)
    while prop is not None:
        categories.append(prop.get_categories())
        prop = event.get_next_property(PROPERTY.CATEGORIES_PROPERTY)
    url = event.get_first_property(PROPERTY.URL_PROPERTY)
    status = event.get_first_property(PROPERTY.STATUS_PROPERTY)
    return {
        "uid": event.get_uid(),
        "summary": event.get_summary(),
        "description": event.get_description(),
        "location": event.get_location(),
        "url": url.get_url() if url is not None else None,
        "status": status.get_value_as_string() if status is not None else None,
        "categories": categories,
        "start": time_of(root, event, PROPERTY.DTSTART_PROPERTY),
        "end": time_of(root, event, PROPERTY.DTEND_PROPERTY),
    }


def read_feed(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        root = ICalGLib.Component.new_from_string(handle.read())
    if root is None or root.isa() != KIND.VCALENDAR_COMPONENT:
        raise ValueError("no VCALENDAR")
    zones, events = [], []
    component = root.get_first_component(KIND.ANY_COMPONENT)
    while component is not None:
        if component.isa() == KIND.VTIMEZONE_COMPONENT:
            zones.append(component.get_first_property(PROPERTY.TZID_PROPERTY).get_tzid())
        elif component.isa() == KIND.VEVENT_COMPONENT:
            events.append(event_of(root, component))
        else:
            raise ValueError(f"unexpected component {component.isa()}")
        component = root.get_next_component(KIND.ANY_COMPONENT)
    return {"file": path, "timezones": zones, "events": events}


def main(paths: list[str]) -> int:
    feeds = []
    for path in paths:
        try:
            feeds.append(read_feed(path))
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            print(f"{path}: libical could not read it: {exc}", file=sys.stderr)
            return 2
    json.dump(feeds, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
