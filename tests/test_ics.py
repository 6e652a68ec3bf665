"""ICS feeds: validity for strict clients, right instants, stable bytes, atomic files."""

from __future__ import annotations

import os
import random
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from aggregator.core.model import Event
from feeds.ics import build_calendar, fold_lines, read_header, write_atomically
from tests.feed_events import (
    FIRST_SEEN,
    LAST_CHANGED,
    LONG_CHINESE,
    TRICKY,
    all_day,
    events_by_uid,
    parse,
    stored,
    timed,
)
from tests.vtimezone_oracle import wall_to_utc

EVENTS = [
    timed("geneva-before-dst", "Europe/Zurich", datetime(2025, 3, 28, 10)),
    timed("geneva-after-dst", "Europe/Zurich", datetime(2025, 3, 31, 10),
          location="Centre William Rappard, Geneva; Switzerland"),
    timed("geneva-summer", "Europe/Zurich", datetime(2025, 7, 22, 15), title=TRICKY),
    timed("geneva-winter", "Europe/Zurich", datetime(2025, 10, 27, 10)),
    timed("washington-summer", "America/New_York", datetime(2025, 4, 22, 9), organization="IMF"),
    timed("washington-winter", "America/New_York", datetime(2025, 12, 2, 9),
          organization="IMF", status="tentative"),
    timed("lima", "America/Lima", datetime(2025, 5, 17, 9), organization="APEC"),
    timed("jakarta", "Asia/Jakarta", datetime(2025, 9, 2, 9), organization="ASEAN",
          status="cancelled"),
    timed("taipei", "Asia/Taipei", datetime(2025, 6, 10, 14), organization="BOFT",
          title=LONG_CHINESE, url="https://www.trade.gov.tw/a?b=1,2;c=3",
          description="報名請洽：02-2397-7226\n名額有限，額滿為止。"),
    all_day("mc14", date(2026, 3, 26), date(2026, 3, 29), status="postponed"),
    all_day("one-day", date(2025, 5, 5)),
]


@pytest.fixture(scope="module")
def feed() -> bytes:
    return build_calendar(EVENTS, name="國際經貿行事曆 Trade calendar", description="測試 Test",
                          refresh_hours=6)


# --- calendar-level properties ---------------------------------------------------------------

def test_feed_reparses_with_every_event(feed):
    assert set(events_by_uid(parse(feed))) == {s.event.uid for s in EVENTS}


def test_calendar_properties(feed):
    text = feed.decode()
    for line in ("VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                 "NAME:國際經貿行事曆 Trade calendar", "X-WR-CALNAME:國際經貿行事曆 Trade calendar",
                 "DESCRIPTION:測試 Test", "X-WR-CALDESC:測試 Test",
                 "REFRESH-INTERVAL;VALUE=DURATION:PT6H", "X-PUBLISHED-TTL:PT6H"):
        assert f"\r\n{line}\r\n" in text, line
    assert re.search(r"\r\nPRODID:[^\r]*tradecal", text)


def test_refresh_interval_follows_the_argument():
    data = build_calendar([], name="n", description="d", refresh_hours=12)
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in data
    assert b"\r\nX-PUBLISHED-TTL:PT12H\r\n" in data


# --- time zones ------------------------------------------------------------------------------

def test_each_used_tzid_has_exactly_one_vtimezone_with_yearly_rules(feed):
    calendar = parse(feed)
    tzids = [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")]
    starts = [component["DTSTART"] for component in calendar.walk("VEVENT")]
    used = {start.params["TZID"] for start in starts if "TZID" in start.params}
    assert sorted(tzids) == sorted(used) == sorted(
        {"Europe/Zurich", "America/New_York", "America/Lima", "Asia/Jakarta", "Asia/Taipei"})
    for zone in calendar.walk("VTIMEZONE"):
        kinds = sorted(sub.name for sub in zone.subcomponents)
        assert kinds in (["STANDARD"], ["DAYLIGHT", "STANDARD"])
        for observance in zone.subcomponents:
            assert "RDATE" not in observance
            if kinds != ["STANDARD"]:
                assert observance["RRULE"]["FREQ"] == ["YEARLY"]


def test_every_zoned_time_maps_to_the_events_instant(feed):
    calendar = parse(feed)
    zones = {str(zone["TZID"]): zone for zone in calendar.walk("VTIMEZONE")}
    originals = {s.event.uid: s.event for s in EVENTS}
    checked = 0
    for component in calendar.walk("VEVENT"):
        event = originals[str(component["UID"])]
        for prop, expected in (("DTSTART", event.start), ("DTEND", event.end)):
            value = component[prop]
            if "TZID" not in value.params:
                continue
            wall = value.dt.replace(tzinfo=None)
            assert wall_to_utc(zones[value.params["TZID"]], wall) == expected.astimezone(UTC)
            checked += 1
    assert checked == 18


@pytest.mark.parametrize(("tz", "wall", "fold"), [
    ("Africa/Cairo", datetime(2025, 10, 30, 23, 30), 0),        # rules no RRULE states
    ("Africa/Casablanca", datetime(2025, 3, 10, 12, 0), 0),     # Ramadan: footer says +01
    ("Europe/Zurich", datetime(2025, 10, 26, 2, 30), 1),        # second 02:30 of the night
])
def test_times_a_vtimezone_cannot_carry_are_written_in_utc(tz, wall, fold):
    start = wall.replace(tzinfo=ZoneInfo(tz), fold=fold)
    event = Event(source="s", source_key="k", organization="WTO", title="t", start=start,
                  timezone=tz)
    calendar = parse(build_calendar([stored(event)], name="n", description="d",
                                    refresh_hours=6))
    (component,) = calendar.walk("VEVENT")
    assert "TZID" not in component["DTSTART"].params
    assert component["DTSTART"].dt == start.astimezone(UTC)
    assert component["DTSTART"].to_ical().endswith(b"Z")
    assert calendar.walk("VTIMEZONE") == []


def test_only_used_zones_are_written():
    lima = timed("lima", "America/Lima", datetime(2025, 5, 17, 9))
    data = build_calendar([lima, all_day("geneva-day", date(2025, 5, 5))], name="n",
                          description="d", refresh_hours=6)
    assert [str(z["TZID"]) for z in parse(data).walk("VTIMEZONE")] == ["America/Lima"]


# --- events ----------------------------------------------------------------------------------

def test_all_day_events_have_exclusive_dtend_and_are_transparent(feed):
    by_uid = events_by_uid(parse(feed))
    for stored_event, end in ((EVENTS[-2], date(2026, 3, 30)), (EVENTS[-1], date(2025, 5, 6))):
        component = by_uid[stored_event.event.uid]
        assert component["DTSTART"].dt == stored_event.event.start
        assert component["DTEND"].dt == end
        assert str(component["TRANSP"]) == "TRANSPARENT"
    assert "\r\nDTSTART;VALUE=DATE:20260326\r\nDTEND;VALUE=DATE:20260330\r\n" in feed.decode()


def test_bookkeeping_comes_from_the_store_not_the_clock(feed):
    by_uid = events_by_uid(parse(feed))
    component = by_uid[EVENTS[0].event.uid]
    assert component["DTSTAMP"].dt == LAST_CHANGED.replace(microsecond=0)
    assert component["LAST-MODIFIED"].dt == LAST_CHANGED.replace(microsecond=0)
    assert component["CREATED"].dt == FIRST_SEEN
    resequenced = build_calendar([replace(EVENTS[0], sequence=4)], name="n", description="d",
                                 refresh_hours=6)
    assert b"\r\nSEQUENCE:4\r\n" in resequenced


@pytest.mark.parametrize(("status", "ics_status", "prefix"), [
    ("confirmed", "CONFIRMED", ""),
    ("tentative", "TENTATIVE", ""),
    ("cancelled", "CANCELLED", "[已取消] "),
    ("postponed", "TENTATIVE", "[延期] "),  # Google drops CANCELLED: README, Calendar clients
])
def test_status_and_title_prefix(status, ics_status, prefix):
    event = all_day("x", date(2025, 5, 5), status=status)
    (component,) = parse(build_calendar([event], name="n", description="d",
                                        refresh_hours=6)).walk("VEVENT")
    assert str(component["STATUS"]) == ics_status
    assert str(component["SUMMARY"]) == prefix + event.event.title


def test_configured_prefixes_replace_the_defaults():
    events = [all_day("c", date(2025, 5, 5), status="cancelled"),
              all_day("p", date(2025, 5, 6), status="postponed")]
    data = build_calendar(events, name="n", description="d", refresh_hours=6,
                          prefixes={"cancelled": "CANCELLED: ", "postponed": "延後："})
    summaries = sorted(str(c["SUMMARY"]) for c in parse(data).walk("VEVENT"))
    assert summaries == ["CANCELLED: Days c", "延後：Days p"]


@pytest.mark.parametrize(("event", "transparent"), [
    (all_day("one", date(2025, 5, 5)), True),
    (all_day("many", date(2025, 5, 5), date(2025, 5, 8)), True),
    (timed("meeting", "Europe/Zurich", datetime(2025, 5, 5, 10)), False),
    (timed("tentative", "Europe/Zurich", datetime(2025, 5, 5, 10), status="tentative"), False),
    (timed("called-off", "Europe/Zurich", datetime(2025, 5, 5, 10), status="cancelled"), True),
    (timed("later", "Europe/Zurich", datetime(2025, 5, 5, 10), status="postponed"), True),
])
def test_all_day_and_cancelled_events_do_not_block_time(event, transparent):
    (component,) = parse(build_calendar([event], name="n", description="d",
                                        refresh_hours=6)).walk("VEVENT")
    assert (str(component.get("TRANSP")) == "TRANSPARENT") is transparent
    assert "TRANSP" in component or not transparent  # OPAQUE is the default, not written


def test_read_header_gives_back_name_and_description(feed):
    header = read_header(feed)
    assert header.name == "國際經貿行事曆 Trade calendar"
    assert header.description == "測試 Test"
    assert "tradecal" in header.prodid
    tricky = build_calendar([], name="A, B; C\\D " + "會" * 40, description="一\n二",
                            refresh_hours=6)
    assert read_header(tricky).name == "A, B; C\\D " + "會" * 40
    assert read_header(tricky).description == "一\n二"
    assert read_header(b"not a calendar") == type(header)("", "", "")


def test_text_survives_escaping_and_folding(feed):
    by_uid = events_by_uid(parse(feed))
    summer = by_uid[EVENTS[2].event.uid]
    assert str(summer["SUMMARY"]) == TRICKY
    geneva = by_uid[EVENTS[1].event.uid]
    assert str(geneva["LOCATION"]) == "Centre William Rappard, Geneva; Switzerland"
    taipei = by_uid[EVENTS[8].event.uid]
    assert str(taipei["SUMMARY"]) == LONG_CHINESE
    assert str(taipei["URL"]) == "https://www.trade.gov.tw/a?b=1,2;c=3"
    assert str(taipei["DESCRIPTION"]) == ("主辦 Organization: BOFT\n來源 Source: boft\n\n"
                                          "報名請洽：02-2397-7226\n名額有限，額滿為止。")


def test_folding_keeps_lines_short_whole_and_crlf(feed):
    assert feed.endswith(b"\r\n") and b"\n" not in feed.replace(b"\r\n", b"")
    assert b"\r" not in feed.replace(b"\r\n", b"")
    lines = feed.split(b"\r\n")[:-1]
    assert any(line.startswith(b" ") for line in lines)  # the long title was folded
    for line in lines:
        assert len(line) <= 75
        line.decode("utf-8")
        assert (len(line) - len(line.rstrip(b"\\"))) % 2 == 0, line


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(
    list("\\,;:\n^\"") + ["é", "會", "😀"]), min_size=1, max_size=200).filter(str.strip))
@example("\\N")
def test_any_title_round_trips_through_folding(title):
    event = all_day("x", date(2025, 5, 5)).event.with_changes(title=title)
    data = build_calendar([stored(event)], name="n", description="d", refresh_hours=6)
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75 and (len(line) - len(line.rstrip(b"\\"))) % 2 == 0
        line.decode("utf-8")
    (component,) = parse(data).walk("VEVENT")
    # An invisible WORD JOINER follows a backslash before n/N (feeds.ics: clients would read
    # a literal "\\N" as a line break); otherwise the title comes back as written.
    assert str(component["SUMMARY"]).replace("\u2060", "") == title.replace("\u2060", "")


@pytest.mark.parametrize("padding", range(48, 80, 3))
@pytest.mark.parametrize("run", ["\\" * 10, "\\," * 8, "會\\" * 8])
def test_folds_never_split_a_backslash_escape(padding, run):
    title = "a" * padding + run
    event = all_day("x", date(2025, 5, 5)).event.with_changes(title=title)
    data = build_calendar([stored(event)], name="n", description="d", refresh_hours=6)
    assert b"\r\n " in data
    for line in data.split(b"\r\n"):
        assert (len(line) - len(line.rstrip(b"\\"))) % 2 == 0, line
    assert str(parse(data).walk("VEVENT")[0]["SUMMARY"]) == title


def test_fold_lines_refolds_folded_input():
    long = "SUMMARY:" + "會" * 40 + "\\\\" * 20
    refolded = fold_lines((long[:30] + "\r\n " + long[30:] + "\r\n").encode())
    assert refolded.replace(b"\r\n ", b"") == (long + "\r\n").encode()
    assert max(len(line) for line in refolded.split(b"\r\n")) <= 75


def test_identical_input_gives_identical_bytes(feed):
    shuffled = EVENTS[:]
    random.Random(4).shuffle(shuffled)
    again = build_calendar(shuffled, name="國際經貿行事曆 Trade calendar", description="測試 Test",
                           refresh_hours=6)
    assert again == feed


def test_events_are_sorted_by_start_then_uid(feed):
    components = parse(feed).walk("VEVENT")
    starts = []
    for component in components:
        start = component["DTSTART"].dt
        if not isinstance(start, datetime):
            start = datetime.combine(start, datetime.min.time(), ZoneInfo("Europe/Zurich"))
        starts.append((start.astimezone(UTC), str(component["UID"])))
    assert starts == sorted(starts)


# --- files -----------------------------------------------------------------------------------

def test_failed_write_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "all.ics"
    target.write_bytes(b"old")

    def broken_replace(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["all.ics"]
