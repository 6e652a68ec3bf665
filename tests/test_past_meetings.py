"""A meeting that already happened is never cancelled, moved or taken over (issue 11).

"Past" is the venue's: a meeting has begun when its start instant is not after now (an
all-day one: when its first day on the venue's calendar is today or earlier there), never
when the UTC date or the machine's date says so. The reproductions below failed before:
a Taipei seminar dropped from its page was cancelled by a refresh at 06:30 Taipei time the
next morning (22:30 UTC, still its day in UTC); a new "Heads of Delegation" a week later
took over the record of the one that had met.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from aggregator import reconcile as rec
from aggregator.config import parse_config
from aggregator.core.model import Event
from aggregator.refresh import refresh_source
from aggregator.store.db import Store
from feeds.feedset import write_feeds
from sources.base import SourceConfig
from sources.registry import build_source
from tests.feed_events import all_day, events_by_uid, parse, stored, timed
from tests.test_feedset import ORGANIZATIONS, SOURCES
from tests.test_refresh import DictFetcher

URL = "https://seminars.example.tw/calendar.ics"


def ics(*events: tuple[str, str, str, str]) -> bytes:
    """A feed of timed events given as (uid, title, UTC start, UTC end) in ICS form."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//past meetings//EN"]
    for uid, title, start, end in events:
        lines += ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20270101T000000Z",
                  f"DTSTART:{start}", f"DTEND:{end}", f"SUMMARY:{title}", "END:VEVENT"]
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


def refresh_at(store: Store, instant: str, body: bytes, zone: str,
               monkeypatch: pytest.MonkeyPatch):
    """Refresh an ICS source of ``zone`` from ``body`` with the clock stopped at
    ``instant`` (no ``now`` handed in: the refresh reads the clock, as the CLI does)."""
    monkeypatch.setenv("TRADECAL_NOW", instant)
    config = SourceConfig(name="seminars", type="ics", url=URL, organization="ITRI",
                          timezone=zone)
    return refresh_source(build_source(config), DictFetcher({URL: body}), store)


SEMINAR = ("seminar@itri", "Semiconductor export controls seminar",
           "20270310T060000Z", "20270310T080000Z")  # 14:00-16:00 in Taipei
LATER = ("later@itri", "Supply chain forum", "20270420T020000Z", "20270420T040000Z")


def test_a_taipei_seminar_dropped_the_next_morning_is_not_cancelled(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    refresh_at(store, "2027-03-09T01:00:00Z", ics(SEMINAR, LATER), "Asia/Taipei", monkeypatch)
    # 06:30 on 11 March in Taipei, still 10 March in UTC: the site dropped the seminar
    outcome = refresh_at(store, "2027-03-10T22:30:00Z", ics(LATER), "Asia/Taipei",
                         monkeypatch)
    seminar = next(s for s in store.events() if s.event.title.startswith("Semiconductor"))
    assert outcome.ok and outcome.counts.cancelled == 0
    assert (seminar.event.status, seminar.sequence) == ("confirmed", 0)


def test_a_zurich_evening_meeting_dropped_after_midnight_there_is_not_cancelled(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    evening = ("evening@wto", "Reception for delegations", "20270701T170000Z",
               "20270701T190000Z")  # 19:00-21:00 in Geneva (CEST)
    future = ("future@wto", "General Council", "20270722T080000Z", "20270722T150000Z")
    refresh_at(store, "2027-06-30T08:00:00Z", ics(evening, future), "Europe/Zurich",
               monkeypatch)
    outcome = refresh_at(store, "2027-07-01T22:30:00Z", ics(future), "Europe/Zurich",
                         monkeypatch)  # 00:30 on 2 July in Geneva
    assert outcome.counts.cancelled == 0
    assert {s.event.status for s in store.events()} == {"confirmed"}


def test_a_meeting_that_has_begun_is_not_cancelled_on_its_day(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    refresh_at(store, "2027-03-09T01:00:00Z", ics(SEMINAR, LATER), "Asia/Taipei", monkeypatch)
    refresh_at(store, "2027-03-10T09:00:00Z", ics(LATER), "Asia/Taipei", monkeypatch)
    assert {s.event.status for s in store.events()} == {"confirmed"}


def test_a_future_meeting_dropped_is_still_cancelled(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    refresh_at(store, "2027-03-09T01:00:00Z", ics(SEMINAR, LATER), "Asia/Taipei", monkeypatch)
    outcome = refresh_at(store, "2027-03-10T05:59:00Z", ics(LATER), "Asia/Taipei",
                         monkeypatch)  # a minute before it begins
    assert outcome.counts.cancelled == 1


HOD = "Heads of Delegation"


def hod(day: int, key: str) -> Event:
    return Event(source="wto", source_key=key, organization="WTO", title=HOD,
                 start=date(2027, 3, day), timezone="Europe/Zurich")


def test_a_new_meeting_of_a_series_never_takes_over_one_that_met(store: Store) -> None:
    met = stored(hod(3, "hod-0303"))
    now = datetime(2027, 3, 5, 9, 0, tzinfo=UTC)
    nxt = hod(10, "hod-0310")
    assert rec.match_moved([nxt], [met], 14, now) == {}
    settled = rec.reconcile([nxt], [met], {}, now, 14)
    assert [e.uid for e in settled.events] == [nxt.uid] and settled.vanished == []


def test_a_series_refreshed_through_the_store_keeps_every_meeting(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    first = ("hod-0303@wto", HOD, "20270303T090000Z", "20270303T110000Z")
    second = ("hod-0310@wto", HOD, "20270310T090000Z", "20270310T110000Z")
    refresh_at(store, "2027-03-01T06:00:00Z", ics(first), "Europe/Zurich", monkeypatch)
    refresh_at(store, "2027-03-05T06:00:00Z", ics(second), "Europe/Zurich", monkeypatch)
    meetings = sorted((s.event.start, s.event.status, s.sequence) for s in store.events())
    assert meetings == [(datetime(2027, 3, 3, 9, tzinfo=UTC), "confirmed", 0),
                        (datetime(2027, 3, 10, 9, tzinfo=UTC), "confirmed", 0)]


def test_a_future_meeting_moved_still_keeps_its_record() -> None:
    future = stored(hod(10, "hod-0310"))
    moved = hod(12, "hod-0312")
    now = datetime(2027, 3, 5, 9, 0, tzinfo=UTC)
    assert rec.match_moved([moved], [future], 14, now) == {moved.uid: future.event.uid}


@pytest.mark.parametrize(("instant", "begun"), [
    ("2027-03-10T05:59:59Z", False), ("2027-03-10T06:00:00Z", True)])
def test_a_timed_meeting_begins_at_its_start_instant(instant: str, begun: bool) -> None:
    seminar = timed("s", "Asia/Taipei", datetime(2027, 3, 10, 14, 0), hours=2)
    assert rec.has_begun(seminar.event, datetime.fromisoformat(instant)) is begun


@pytest.mark.parametrize(("instant", "begun"), [
    ("2027-03-09T22:59:59Z", False), ("2027-03-09T23:00:00Z", True)])
def test_an_all_day_meeting_begins_at_midnight_at_its_venue(instant: str, begun: bool) -> None:
    council = all_day("c", date(2027, 3, 10))  # Geneva: midnight is 23:00 UTC the day before
    assert rec.has_begun(council.event, datetime.fromisoformat(instant)) is begun


def test_retention_counts_days_at_the_venue(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A cancelled Geneva meeting of 1 June stays 30 days after its date in Geneva, even
    when it is already 2 July in Taipei (the desk's zone)."""
    config = parse_config({"feeds": {"output": "public", "retention_days": 30},
                           "schedule": {"timezone": "Asia/Taipei"},
                           "organizations": ORGANIZATIONS, "sources": SOURCES},
                          tmp_path / "config.toml")
    gone = all_day("gone", date(2027, 6, 1), status="cancelled")
    monkeypatch.setenv("TRADECAL_NOW", "2027-07-01T17:00:00Z")  # 19:00 Geneva, 01:00 Taipei
    write_feeds([gone], config, tmp_path / "public")
    assert gone.event.uid in events_by_uid(parse((tmp_path / "public" / "all.ics").read_bytes()))


def test_a_meeting_announced_after_a_withdrawal_is_a_new_one() -> None:
    withdrawn = stored(hod(20, "hod-0320").with_changes(status="cancelled"))
    later = hod(25, "hod-0325")
    now = datetime(2027, 3, 5, 9, 0, tzinfo=UTC)
    assert rec.match_moved([later], [withdrawn], 14, now) == {}
