"""Stored events for the feed tests: builders, and parsing helpers for what the feeds hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from aggregator.core.model import Event, StoredEvent

FIRST_SEEN = datetime(2025, 1, 6, 8, 0, 0, tzinfo=UTC)
LAST_CHANGED = datetime(2025, 2, 3, 4, 5, 6, 789000, tzinfo=UTC)
LONG_CHINESE = ("經濟部國際貿易署「新南向」商機說明會，討論：東協市場；供應鏈重組，數位貿易規則；"
                "淨零碳排與綠色貿易，以及臺灣與東南亞國家之經貿合作、投資保障協定與關稅減讓進度")
TRICKY = "Trade Policy Review: Chile, Peru; Day 1\\2\nsecond line"


def stored(event: Event, sequence: int = 0) -> StoredEvent:
    return StoredEvent(event, sequence, FIRST_SEEN, LAST_CHANGED, LAST_CHANGED)


def timed(key: str, tz: str, wall: datetime, hours: float = 3, *, organization: str = "WTO",
          title: str = "", source: str = "", sequence: int = 0, **fields) -> StoredEvent:
    """A meeting at ``wall`` venue time in ``tz``, ``hours`` long; the source defaults to
    the organization's name in lower case."""
    start = wall.replace(tzinfo=ZoneInfo(tz))
    return stored(Event(source=source or organization.lower(), source_key=key,
                        organization=organization, title=title or f"Meeting {key}",
                        start=start, timezone=tz, end=start + timedelta(hours=hours), **fields),
                  sequence)


def all_day(key: str, first: date, last: date | None = None, *, organization: str = "WTO",
            source: str = "", timezone: str = "Europe/Zurich", **fields) -> StoredEvent:
    """An all-day event from ``first`` to ``last`` (inclusive)."""
    return stored(Event(source=source or organization.lower(), source_key=key,
                        organization=organization, title=fields.pop("title", f"Days {key}"),
                        start=first, end=last, timezone=timezone, **fields))


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def events_by_uid(calendar: Calendar) -> dict[str, object]:
    return {str(component["UID"]): component for component in calendar.walk("VEVENT")}
