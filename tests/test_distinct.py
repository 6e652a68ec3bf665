"""One entry per meeting across sources."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from aggregator.core.distinct import distinct_meetings
from aggregator.core.model import Event, StoredEvent

T0 = datetime(2024, 4, 1, tzinfo=UTC)


def stored(source: str, title: str, day: date, *, seen: int = 0, status: str = "confirmed",
           key: str = "") -> StoredEvent:
    event = Event(source=source, source_key=key or f"{title}|{day}", organization="WTO",
                  title=title, start=day, timezone="Europe/Zurich", status=status)  # type: ignore[arg-type]
    when = T0 + timedelta(days=seen)
    return StoredEvent(event=event, sequence=0, first_seen=when, last_seen=when,
                       last_changed=when)


def test_other_sources_copy_of_a_meeting_is_left_out() -> None:
    calendar = stored("wto", "Committee on Customs Valuation", date(2024, 5, 23))
    airgram = stored("wto_airgrams", "COMMITTEE ON CUSTOMS VALUATION", date(2024, 5, 23), seen=1)
    other_day = stored("wto_airgrams", "Committee on Customs Valuation", date(2024, 5, 24))
    assert distinct_meetings([airgram, calendar, other_day]) == [calendar, other_day]


def test_one_sources_two_entries_stay() -> None:
    first = stored("apec", "TELWG Workshop", date(2024, 5, 6), key="a")
    second = stored("apec", "TELWG Workshop", date(2024, 5, 6), key="b")
    assert distinct_meetings([first, second]) == [first, second]


def test_a_standing_copy_beats_one_sources_cancellation() -> None:
    cancelled = stored("wto", "General Council", date(2024, 5, 22), status="cancelled")
    standing = stored("wto_airgrams", "General Council", date(2024, 5, 22), seen=3)
    assert distinct_meetings([cancelled, standing]) == [standing]
    both = stored("wto_airgrams", "General Council", date(2024, 5, 22), status="cancelled")
    assert distinct_meetings([cancelled, both]) == [cancelled]
