"""Start and end of an event from its days and a stated time: the one rule of the sources.

Days without a time are an all-day event (``end`` the last day, None for a single day). A
single day with a stated time is a timed event, in UTC when the time is labelled GMT or
UTC, else in the source's zone; its end is kept only when it is after the start.
``across_days`` (list pages that print "5/7-5/9 09:00-17:00") also times an event of
several days when both its start and end times are given: from the first day's start to
the last day's end.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from aggregator.core.dates import TimeSpan

UTC_LABELS = frozenset({"GMT", "UTC"})


def event_times(first: date, last: date, clock: TimeSpan | None, zone_name: str, *,
                across_days: bool = False) -> tuple[date | datetime, date | datetime | None]:
    """The event's start and end (see the module docstring)."""
    several_days = last != first
    timed = clock is not None and (not several_days
                                   or (across_days and clock.end is not None))
    if clock is None or not timed:
        return first, (last if several_days else None)
    zone = ZoneInfo("UTC" if clock.zone.upper() in UTC_LABELS else zone_name)
    start = datetime.combine(first, clock.start, tzinfo=zone)
    end = datetime.combine(last, clock.end, tzinfo=zone) if clock.end else None
    return start, (end if end is not None and end > start else None)
