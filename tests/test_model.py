"""The event model: identity, consistency checks, venue-local dates, ISO round trips."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from aggregator.core.model import (
    Event,
    EventError,
    event_to_json,
    from_iso,
    make_uid,
    normalize_title,
    title_date_key,
    to_iso,
)


def event(**changes: object) -> Event:
    fields: dict[str, object] = dict(source="wto", source_key="k", organization="WTO",
                                     title="General Council", start=date(2024, 5, 22),
                                     timezone="Europe/Zurich")
    fields.update(changes)
    return Event(**fields)  # type: ignore[arg-type]


def test_uid_depends_on_source_and_key_only() -> None:
    assert event().uid == event(title="Renamed", start=date(2024, 6, 1)).uid == make_uid("wto", "k")
    assert event().uid != event(source_key="other").uid != event(source="imf").uid
    assert event().uid.endswith("@tradecal")


@pytest.mark.parametrize(("changes", "words"), [
    ({"title": "  "}, "empty title"),
    ({"status": "maybe"}, "status"),
    ({"kind": "party"}, "kind"),
    ({"end": date(2024, 5, 21)}, "before start"),
    ({"start": datetime(2024, 5, 22, 10, 0)}, "time zone"),
    ({"start": datetime(2024, 5, 22, 10, 0, tzinfo=UTC), "end": date(2024, 5, 22)}, "both"),
])
def test_inconsistent_events_are_refused(changes: dict[str, object], words: str) -> None:
    with pytest.raises(EventError, match=words):
        event(**changes)


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(EventError, match="Mars/Base"):
        event(timezone="Mars/Base")
    with pytest.raises(EventError, match="America"):  # a folder of zones, not a zone
        event(timezone="America")


def test_local_dates_are_the_venues() -> None:
    late = datetime(2024, 4, 29, 23, 30, tzinfo=UTC)  # 01:30 on 4/30 in Geneva
    timed = event(start=late, end=datetime(2024, 4, 30, 8, 0, tzinfo=UTC))
    assert timed.local_dates() == (date(2024, 4, 30), date(2024, 4, 30))
    assert timed.local_start().tzinfo == ZoneInfo("Europe/Zurich")  # type: ignore[union-attr]
    assert event(end=date(2024, 5, 23)).local_dates() == (date(2024, 5, 22), date(2024, 5, 23))
    assert event().all_day and not timed.all_day and timed.time_known


def test_iso_round_trip_keeps_offsets() -> None:
    moment = datetime(2024, 5, 29, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    assert to_iso(moment) == "2024-05-29T09:30:00-04:00"
    assert from_iso(to_iso(moment)) == moment
    assert from_iso("2024-05-29") == date(2024, 5, 29)
    assert from_iso(None) is None and to_iso(None) is None


def test_titles_normalize_for_keys() -> None:
    assert normalize_title("  Committee on Customs  Valuation!") == "committee on customs valuation"
    assert normalize_title("ＷＴＯ　部長會議") == "wto 部長會議"
    assert title_date_key("WTO", "General Council", datetime(2024, 5, 22, 10, tzinfo=UTC)) == \
        "WTO|general council|2024-05-22"


def test_json_form_has_the_contract_fields() -> None:
    data = event_to_json(event(registration_deadline=date(2024, 5, 1)))
    for key in ("uid", "source", "organization", "title", "start", "end", "all_day", "timezone",
                "location", "url", "status", "kind", "registration_deadline"):
        assert key in data
    assert data["registration_deadline"] == "2024-05-01" and data["all_day"] is True
