"""How a timed event's start and end are written so that every client shows the same instant.

A time is written as the venue's wall time with its TZID only when that is unambiguous for
every reader:

- the feed's VTIMEZONE maps the wall time back to the same instant (a zone whose rules no
  RRULE Outlook imports states, such as Santiago, Nuuk, Jerusalem, Gaza, Cairo or
  Casablanca's Ramadan hours, or a date its current rules do not govern, does not);
- the wall time occurs once. In a repeated (fall-back) hour RFC 5545 means the first
  occurrence, but libical (Evolution), KCalendarCore and node-ical take the second: an
  hour off. Both occurrences are written in UTC.

When either end cannot be written with its TZID, both are written in UTC: a client that
computes the end as start plus duration in the start's zone (or shows the end in the
start's zone) would otherwise be an hour off across a change.

DTEND is after DTSTART (RFC 5545 3.8.2.2). An end that a daylight-saving gap pushed onto the
start keeps the intended wall-clock duration (:func:`aggregator.core.model.intended_end`; the
import CSV applies it when it reads the row); a timed event that ends when it starts (a
deadline at a moment) has no DTEND, which RFC 5545 3.6.1 reads as ending at its start.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aggregator.core.model import Event, intended_end
from feeds.vtimezone import PosixZone

TimeValue = tuple[datetime, str | None]
"""A value to write and its TZID (None: the value is in UTC)."""


def event_times(event: Event, rules: PosixZone | None) -> dict[str, TimeValue]:
    """``{"dtstart": …, "dtend": …}`` for a timed event (``dtend`` left out when the
    event has no end, or ends when it starts)."""
    assert isinstance(event.start, datetime)
    instants = {"dtstart": utc(event.start)}
    if isinstance(event.end, datetime):
        end = utc(intended_end(event.start, event.end))
        if end > instants["dtstart"]:
            instants["dtend"] = end
    walls = {prop: zoned_wall(instant, event.timezone, rules)
             for prop, instant in instants.items()}
    if all(wall is not None for wall in walls.values()):
        return {prop: (wall, event.timezone) for prop, wall in walls.items()
                if wall is not None}
    return {prop: (utc(instant), None) for prop, instant in instants.items()}


def zoned_wall(instant: datetime, tzid: str, rules: PosixZone | None) -> datetime | None:
    """The naive wall time of ``instant`` in ``tzid`` when every client maps it back to the
    same instant (module docstring), else None."""
    if rules is None:
        return None
    zone = ZoneInfo(tzid)
    wall = instant.astimezone(zone).replace(tzinfo=None)
    repeated = (wall.replace(tzinfo=zone, fold=0).utcoffset()
                != wall.replace(tzinfo=zone, fold=1).utcoffset())
    if repeated or rules.local_instants(wall) != [utc(instant)]:
        return None
    return wall


def used_zones(times: Mapping[str, TimeValue]) -> set[str]:
    """The TZIDs that ``times`` write."""
    return {tzid for _, tzid in times.values() if tzid is not None}


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC to the second; a naive value is taken as UTC already."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(UTC).replace(microsecond=0)
