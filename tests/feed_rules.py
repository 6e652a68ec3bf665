"""Rules a feed file must keep so that every client shows it the same way, checked on the
bytes (own code, no client): each returns the broken rules as readable lines.

- RFC 5545: a VCALENDAR holds at least one component (3.6); DTEND is after DTSTART and of
  the same value type (3.8.2.2); every TZID has its VTIMEZONE (3.2.19); URL is a URI
  (RFC 3986: ASCII only); no U+2028/U+2029/U+0085 in a value (node-ical drops the property);
- client behaviour: no TZID time inside a repeated hour (libical, KCalendarCore and node-ical
  take the second occurrence, RFC 5545 the first); both ends of an event with a TZID or both
  in UTC (a client computing the end in the start's zone is an hour off otherwise);
- Outlook/Exchange (MS-OXCICAL 2.1.3.1.1.19.2.2): a VTIMEZONE observance's RRULE is yearly,
  has BYDAY or BYMONTHDAY but not both, one BYMONTH, and a BYDAY of one weekday with its
  occurrence (``2SU``, ``-1SU``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from icalendar import Calendar

from tests.client_readings import oracle, repeated_wall

OUTLOOK_BYDAY = re.compile(r"^[+-]?[1-5](SU|MO|TU|WE|TH|FR|SA)$")
SEPARATORS = re.compile("[\u2028\u2029\x85]")


def feed_problems(data: bytes) -> list[str]:
    """Every rule (module docstring) the feed file ``data`` breaks."""
    calendar = Calendar.from_ical(data)
    problems = [] if calendar.subcomponents else ["VCALENDAR without any component"]
    zones = {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")}
    for zone in calendar.walk("VTIMEZONE"):
        problems += [f"VTIMEZONE {zone['TZID']}: {problem}" for problem in outlook_rrule(zone)]
    meanings = oracle(data)
    for component in calendar.walk("VEVENT"):
        uid = str(component["UID"])
        problems += [f"{uid}: {problem}" for problem in event_problems(component, zones)]
        meaning = meanings[uid]
        if "DTEND" in component and meaning.end is not None and meaning.start is not None \
                and not meaning.end > meaning.start:
            problems.append(f"{uid}: DTEND {meaning.end} is not after DTSTART {meaning.start}")
    text = data.decode("utf-8")
    if SEPARATORS.search(text):
        problems.append("U+2028, U+2029 or U+0085 in a value")
    return problems


def event_problems(component: Any, zones: set[str]) -> list[str]:
    """DTSTART/DTEND and URL rules of one VEVENT."""
    problems = []
    kinds = set()
    for name in ("DTSTART", "DTEND"):
        if name not in component:
            continue
        prop = component[name]
        value = prop.dt
        tzid = prop.params.get("TZID")
        kinds.add("date" if not isinstance(value, datetime) else "tzid" if tzid else "utc")
        if tzid and str(tzid) not in zones:
            problems.append(f"{name} TZID {tzid} has no VTIMEZONE")
        if tzid and repeated_wall(value.replace(tzinfo=None), str(tzid)):
            problems.append(f"{name} {value} {tzid} is in a repeated hour")
    if len(kinds) > 1:
        problems.append(f"DTSTART and DTEND of different kinds ({', '.join(sorted(kinds))})")
    url = component.get("URL")
    if url is not None and (not str(url).isascii() or re.search(r"\s", str(url))):
        problems.append(f"URL {url!r} is not a URI")
    return problems


def outlook_rrule(zone: Any) -> list[str]:
    """What Outlook refuses in a VTIMEZONE's observance rules (module docstring)."""
    problems = []
    for observance in zone.subcomponents:
        rule = observance.get("RRULE")
        if rule is None:
            continue
        parts = {key.upper(): [str(value) for value in
                               (values if isinstance(values, (list, tuple)) else [values])]
                 for key, values in rule.items()}
        if parts.get("FREQ") != ["YEARLY"]:
            problems.append(f"RRULE {parts} is not yearly")
        if "BYDAY" in parts and "BYMONTHDAY" in parts:
            problems.append(f"RRULE {parts} has both BYDAY and BYMONTHDAY")
        if len(parts.get("BYMONTH", [])) != 1:
            problems.append(f"RRULE {parts} needs one BYMONTH")
        days = parts.get("BYDAY", [])
        if days and (len(days) != 1 or not OUTLOOK_BYDAY.match(days[0])):
            problems.append(f"RRULE {parts}: BYDAY must be one weekday with its occurrence")
    return problems
