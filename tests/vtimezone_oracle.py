"""An independent reading of a VTIMEZONE, as a client does it (dateutil expands RRULEs).

It knows nothing of feeds.vtimezone; test_vtimezone.py and test_ics.py compare what it
reads with zoneinfo.
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime, timedelta

from dateutil.rrule import rrulestr
from icalendar import Timezone


def onsets(component: Timezone, until: int = 2040) -> list[tuple[datetime, timedelta]]:
    """(naive UTC instant, new offset) for every observance onset up to ``until``."""
    found = []
    for observance in component.subcomponents:
        start = observance["DTSTART"].dt
        before, after = observance["TZOFFSETFROM"].td, observance["TZOFFSETTO"].td
        if "RRULE" in observance:
            rule = rrulestr(observance["RRULE"].to_ical().decode(), dtstart=start)
            walls = rule.between(start, datetime(until + 1, 1, 1), inc=True)
        else:
            walls = [start]
        found += [(wall - before, after) for wall in walls]
    return sorted(found)


def offset_at(table: list[tuple[datetime, timedelta]], utc: datetime) -> timedelta:
    index = bisect.bisect_right([instant for instant, _ in table], utc) - 1
    return table[max(index, 0)][1]


def wall_to_utc(component: Timezone, wall: datetime) -> datetime:
    """The instant RFC 5545 gives a TZID wall time: the first when it occurs twice."""
    table = onsets(component, wall.year + 1)
    offsets = {offset for _, offset in table}
    valid = [wall - off for off in offsets if offset_at(table, wall - off) == off]
    assert valid, f"{wall} does not exist in {component['TZID']}"
    return min(valid).replace(tzinfo=UTC)
