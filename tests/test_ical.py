"""The generic ICS adapter (``type = "ics"``) over composed feeds (see fixtures/ical/README)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.base import Notice, ParseError, Response, SourceConfig
from sources.generic.ical import IcsSource, read_calendars, reference_day
from sources.lib.ical_zones import event_zone, iana_name

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ical"
URL = "https://calendar.example.org/feeds/trade.ics"
SERIES = "1a2b3c4d5e6f7g8h9i0j1k2l3m@google.com"
BRIEFING = "weekly-briefing@events.example.org"
CHINESE = ("經濟部國際貿易署「2024年臺歐盟貿易政策對話」說明會, 暨印太經濟架構（IPEF）供應鏈協定; "
           "更新簡報與意見交流座談會（第二場）")
OUTLOOK_UID = "040000008200E00074C5B7101A82E00800000000{}"
TPE = "臺北市中正區湖口街1號"


def make_source(zone: str = "Asia/Taipei", **options: Any) -> IcsSource:
    return IcsSource(SourceConfig(name="trade-ics", type="ics", url=URL, organization="TRADE",
                                  timezone=zone, options=options))


def events_of(name: str, source: IcsSource | None = None, body: bytes | None = None,
              headers: dict[str, str] | None = None) -> list[Event]:
    raw = body if body is not None else (FIXTURES / name).read_bytes()
    response = Response(url=URL, body=raw, headers=headers or {})
    return [item for item in (source or make_source()).parse(response)
            if isinstance(item, Event)]


def floating_source() -> IcsSource:
    return make_source(past_days=14, future_days=28)


def briefing(day: str) -> tuple[str, ...]:
    return (f"{BRIEFING}|{day}T08:30:00", "Weekly trade briefing", f"{day}T08:30:00+01:00",
            f"{day}T09:00:00+01:00", "Europe/Paris", "Room 2", "", "confirmed", "")


# key, title, start, end, timezone, location, url, status, description (first line), then
# for outlook/floating rows the same shape; positions are the order the feed gives.
GOOGLE = [
    ("5q1k7r0cdn3v0rj6e2ti9bq8lc@google.com", "APEC CTI2 Meeting",
     "2024-05-13T09:00:00+08:00", "2024-05-13T17:00:00+08:00", "Asia/Taipei", "Arequipa, Peru",
     "", "confirmed", "APEC Committee on Trade and Investment, second meeting of 2024."),
    ("0g3u8v5m1o2p7q4r6s9t0u1v2w@google.com", "WTO General Council",
     "2024-05-22T10:00:00+02:00", "2024-05-22T18:00:00+02:00", "Europe/Zurich",
     "Centre William Rappard, Rue de Lausanne 154, 1211 Geneva",
     "https://www.wto.org/english/thewto_e/gcounc_e/gcounc_e.htm", "confirmed",
     "Agenda in WT/GC/W/925.\nRoom: CR\nWTO news"),
    ("3kd8s0v1a2b3c4d5e6f7g8h9i0@google.com", "RCEP Joint Committee (4th meeting)",
     "2024-06-04", "2024-06-06", "Asia/Taipei", "", "", "confirmed", ""),
    ("7hj2k4l6m8n0p2q4r6s8t0u2v4@google.com", "Deadline: comments on IPEF supply chain notice",
     "2024-06-20", "2024-06-20", "Asia/Taipei", "", "", "confirmed", ""),
    (f"{SERIES}|2024-05-07T06:00:00Z", "經貿政策週會", "2024-05-07T14:00:00+08:00",
     "2024-05-07T16:00:00+08:00", "Asia/Taipei", TPE, "", "confirmed", ""),
    (f"{SERIES}|2024-05-14T06:00:00Z", "經貿政策週會", "2024-05-14T14:00:00+08:00",
     "2024-05-14T16:00:00+08:00", "Asia/Taipei", TPE, "", "confirmed", ""),
    (f"{SERIES}|2024-05-28T06:00:00Z", "經貿政策週會", "2024-05-30T10:00:00+08:00",
     "2024-05-30T12:00:00+08:00", "Asia/Taipei", TPE, "", "confirmed", ""),
    (f"{SERIES}|2024-06-04T06:00:00Z", "經貿政策週會", "2024-06-04T14:00:00+08:00",
     "2024-06-04T16:00:00+08:00", "Asia/Taipei", TPE, "", "cancelled", ""),
    (f"{SERIES}|2024-06-11T06:00:00Z", "經貿政策週會", "2024-06-11T14:00:00+08:00",
     "2024-06-11T16:00:00+08:00", "Asia/Taipei", TPE, "", "confirmed", ""),
    ("9z8y7x6w5v4u3t2s1r0q9p8o7n@google.com", "CPTPP Commission virtual meeting",
     "2024-06-18T14:00:00+08:00", "2024-06-18T16:00:00+08:00", "Asia/Taipei", "", "",
     "cancelled", ""),
    ("4f5g6h7i8j9k0l1m2n3o4p5q6r@google.com", CHINESE, "2024-06-25T09:30:00+08:00",
     "2024-06-25T13:00:00+08:00", "Asia/Taipei", "台北國際會議中心201室, 臺北市信義路五段1號", "",
     "confirmed", "主辦：經濟部國際貿易署\n協辦：中華民國全國工業總會"),
    ("2b3c4d5e6f7g8h9i0j1k2l3m4n@google.com",
     "ASEAN Economic Ministers consultations with Taiwan business",
     "2024-06-27T09:30:00+08:00", "2024-06-27T12:00:00+08:00", "Asia/Taipei", "", "",
     "tentative", ""),
]
OUTLOOK = [
    (OUTLOOK_UID.format("A0C1F3C2A8F6DA01000000000000000010000000D6E4A1C3B2F5E74A9A1B2C3D4E5F6071"),
     "OECD Trade Committee", "2024-10-15T10:00:00+02:00", "2024-10-15T13:00:00+02:00",
     "Europe/Berlin", "OECD Conference Centre, 2 rue André Pascal, Paris", "", "confirmed",
     "Trade Committee, 189th session.\n\nAgenda: TAD/TC/A(2024)2"),
    (OUTLOOK_UID.format("B1D2E3F4A5B6DA01000000000000000010000000E7F8091A2B3C4D5E6F708192A3B4C5D6"),
     "APEC 資深官員會議（SOM3）", "2024-10-21", "2024-10-22", "Asia/Taipei", "Lima, Peru", "",
     "confirmed", ""),
    (OUTLOOK_UID.format("C2D3E4F5A6B7DA01000000000000000010000000F8091A2B3C4D5E6F708192A3B4C5D6E7"),
     "出口管制說明會報名截止", "2024-11-01", "2024-11-01", "Asia/Taipei", "", "", "confirmed", ""),
    (OUTLOOK_UID.format("D3E4F5A6B7C8DA01000000000000000010000000091A2B3C4D5E6F708192A3B4C5D6E7F8"),
     "ASEAN SEOM preparatory meeting", "2024-11-05T09:00:00+07:00",
     "2024-11-05T17:00:00+07:00", "Etc/GMT-7", "ASEAN Secretariat, Jakarta", "", "confirmed", ""),
    (OUTLOOK_UID.format("E4F5A6B7C8D9DA010000000000000000100000001A2B3C4D5E6F708192A3B4C5D6E7F809"),
     "半導體供應鏈趨勢研討會", "2024-11-06T14:00:00+08:00", "2024-11-06T16:30:00+08:00",
     "Asia/Taipei", "工研院產科國際所", "", "postponed", ""),
]
FLOATING = [
    ("seminar-2025-031@events.example.org", "Global Forum on Trade 2025",
     "2025-03-12T09:30:00+01:00", "2025-03-13T17:30:00+01:00", "Europe/Paris",
     "OECD Conference Centre, Paris, France",
     "https://events.example.org/2025/03/global-forum-on-trade", "confirmed",
     "Two days of sessions on trade and the green transition."),
    ("seminar-2025-032@events.example.org", "Webinar: tariff data for SMEs",
     "2025-04-02T14:00:00+02:00", "2025-04-02T15:30:00+02:00", "Europe/Paris", "Online",
     "https://events.example.org/2025/04/webinar-tariff-data", "confirmed", ""),
    briefing("2025-02-19"), briefing("2025-02-26"), briefing("2025-03-12"),
    briefing("2025-03-19"), briefing("2025-03-26"),
    ("TRADE|easter recess no meetings|2025-04-14", "Easter recess (no meetings)", "2025-04-14",
     "2025-04-15", "Europe/Paris", "", "", "confirmed", ""),
]
CASES = ([("google-export.ics", n, row) for n, row in enumerate(GOOGLE)]
         + [("outlook-export.ics", n, row) for n, row in enumerate(OUTLOOK)]
         + [("floating-times.ics", n, row) for n, row in enumerate(FLOATING)])


@pytest.mark.parametrize(("name", "rows"), [("google-export.ics", GOOGLE),
                                            ("outlook-export.ics", OUTLOOK),
                                            ("floating-times.ics", FLOATING)])
def test_each_feed_yields_exactly_its_events(name: str, rows: list[tuple[str, ...]]) -> None:
    source = floating_source() if name == "floating-times.ics" else make_source()
    assert [event.source_key for event in events_of(name, source)] == [row[0] for row in rows]


@pytest.mark.parametrize(("name", "position", "row"), CASES,
                         ids=[f"{name}-{n}" for name, n, _ in CASES])
def test_event_fields(name: str, position: int, row: tuple[str, ...]) -> None:
    key, title, start, end, zone, location, url, status, description = row
    source = floating_source() if name == "floating-times.ics" else make_source()
    event = events_of(name, source)[position]
    assert event_to_json(event) == {
        "uid": make_uid("trade-ics", key), "source": "trade-ics", "source_key": key,
        "organization": "TRADE", "title": title, "start": start, "end": end,
        "all_day": len(start) == 10, "timezone": zone, "location": location, "url": url,
        "status": status, "kind": "meeting", "section": None, "featured": False,
        "registration_deadline": None, "registration_url": "", "description": description,
    }


def test_folded_chinese_title_is_cut_inside_a_character_and_read_back_exactly() -> None:
    raw = (FIXTURES / "google-export.ics").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # a fold splits a three-byte character: the file is cut raw
    [event] = [e for e in events_of("google-export.ics") if e.title.startswith("經濟部")]
    assert event.title == CHINESE and "," in event.title and ";" in event.title


def test_every_occurrence_has_its_own_uid_and_a_moved_one_keeps_its_key() -> None:
    series = [e for e in events_of("google-export.ics") if e.source_key.startswith(SERIES)]
    assert len({event.uid for event in series}) == len(series) == 5
    moved = series[2]
    assert moved.start == datetime(2024, 5, 30, 10, tzinfo=ZoneInfo("Asia/Taipei"))
    assert moved.source_key.endswith("2024-05-28T06:00:00Z")  # the original occurrence
    assert date(2024, 5, 21) not in {event.start.date() for event in series}  # EXDATE


def test_a_series_that_ends_is_expanded_whole_whatever_today_is() -> None:
    far = {"Date": "Mon, 01 Jan 2035 00:00:00 GMT"}
    series = [e for e in events_of("google-export.ics", headers=far)
              if e.source_key.startswith(SERIES)]
    assert len(series) == 5


def test_endless_series_default_window_is_90_days_back_and_400_ahead_of_dtstamp() -> None:
    events = [e for e in events_of("floating-times.ics") if e.source_key.startswith(BRIEFING)]
    starts = [event.start.date() for event in events]
    assert starts[0] == date(2024, 12, 4)  # first Wednesday on or after 2025-03-01 - 90 days
    assert starts[-1] == date(2026, 4, 1)  # last Wednesday on or before 2025-03-01 + 400 days
    assert len(events) == 70 - 1  # 70 Wednesdays, less the EXDATE of 5 March 2025
    assert date(2025, 3, 5) not in starts


def test_date_header_is_today_for_the_window() -> None:
    headers = {"date": "Wed, 01 Oct 2025 06:00:00 GMT"}
    events = [e for e in events_of("floating-times.ics", floating_source(), headers=headers)
              if e.source_key.startswith(BRIEFING)]
    assert events[0].start.date() == date(2025, 9, 17)
    assert events[0].start.utcoffset() == timedelta(hours=2)  # summer time in Paris
    assert len(events) == 7  # 17 September to 29 October, both ends included


def test_reference_day_falls_back_to_dtstamp_then_to_the_run_date() -> None:
    [calendar] = read_calendars(Response(URL, (FIXTURES / "floating-times.ics").read_bytes()))
    run_day = date(2031, 6, 2)
    assert reference_day(Response(URL, b""), calendar, run_day) == date(2025, 3, 1)
    assert reference_day(Response(URL, b"", headers={"Date": "nonsense"}), calendar,
                         run_day) == date(2025, 3, 1)
    [empty] = read_calendars(Response(URL, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"))
    assert reference_day(Response(URL, b""), empty, run_day) == run_day


def test_floating_times_without_x_wr_timezone_are_read_in_the_source_zone() -> None:
    body = (FIXTURES / "floating-times.ics").read_bytes().replace(
        b"X-WR-TIMEZONE:Europe/Paris\n", b"")
    [forum] = events_of("", make_source("America/New_York"), body=body)[:1]
    assert forum.timezone == "America/New_York"
    assert event_to_json(forum)["start"] == "2025-03-12T09:30:00-04:00"


def test_utc_times_take_the_source_zone_without_x_wr_timezone() -> None:
    body = (FIXTURES / "google-export.ics").read_bytes().replace(
        b"X-WR-TIMEZONE:Asia/Taipei\r\n", b"")
    first = events_of("", make_source("Europe/Zurich"), body=body)[0]
    assert (first.timezone, event_to_json(first)["start"]) == ("Europe/Zurich",
                                                              "2024-05-13T03:00:00+02:00")


def test_lf_line_endings_and_several_calendars_in_one_body() -> None:
    one = b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20240501\n" \
          b"SUMMARY:First\nEND:VEVENT\nEND:VCALENDAR\n"
    two = one.replace(b"UID:a", b"UID:b").replace(b"First", b"Second")
    events = events_of("", body=one + two)
    assert [(e.source_key, e.title, e.start, e.end) for e in events] == [
        ("a", "First", date(2024, 5, 1), date(2024, 5, 1)),
        ("b", "Second", date(2024, 5, 1), date(2024, 5, 1))]


def test_a_broken_event_is_skipped_not_the_feed() -> None:
    body = (FIXTURES / "google-export.ics").read_bytes().replace(
        b"DTSTART:20240513T010000Z", b"DTSTART:next Tuesday", 1)
    keys = [event.source_key for event in events_of("", body=body)]
    assert "5q1k7r0cdn3v0rj6e2ti9bq8lc@google.com" not in keys and len(keys) == 11
    notices = [item for item in make_source().parse(Response(url=URL, body=body))
               if isinstance(item, Notice)]
    assert [notice.text for notice in notices] == [f"{URL}: 1 unreadable event(s) skipped"]


def test_a_lone_recurrence_id_keys_the_occurrence() -> None:
    body = (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x@example.org\r\n"
            b"RECURRENCE-ID;VALUE=DATE:20240501\r\nDTSTART;VALUE=DATE:20240502\r\n"
            b"SUMMARY:Moved day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    [event] = events_of("", body=body)
    assert event.source_key == "x@example.org|2024-05-01" and event.start == date(2024, 5, 2)


@pytest.mark.parametrize(("name", "expected"), [
    ("Europe/Zurich", "Europe/Zurich"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("Eastern Standard Time", "America/New_York"),
    ("/citadel.org/20250101_1/Asia/Taipei", "Asia/Taipei"),
    ('"Asia/Jakarta"', "Asia/Jakarta"),
    ("UTC", "UTC"), ("Etc/UTC", "UTC"), ("GMT", "UTC"),
    ("Customized Time Zone", None), ("", None), ("../../etc/passwd", None),
])
def test_iana_name(name: str, expected: str | None) -> None:
    assert iana_name(name) == expected


def test_event_zone_of_an_unnamed_offset() -> None:
    from datetime import timezone
    eight = datetime(2024, 5, 7, 9, tzinfo=timezone(timedelta(hours=8), "Custom"))
    assert event_zone(eight, "Asia/Taipei") == "Asia/Taipei"
    assert event_zone(eight, "Europe/Paris") == "Etc/GMT-8"
    half = datetime(2024, 5, 7, 9, tzinfo=timezone(timedelta(hours=5, minutes=30), "X"))
    assert event_zone(half, "Europe/Paris") == "UTC"
    assert event_zone(datetime(2024, 5, 7, 9), "Europe/Paris") == "Europe/Paris"


def test_kind_option_and_option_checks() -> None:
    events = events_of("outlook-export.ics", make_source(kind="seminar"))
    assert {event.kind for event in events} == {"seminar"}
    assert IcsSource.check_options({"past_days": 30, "future_days": 365, "kind": "hearing"}) == {}
    assert set(IcsSource.check_options({"past_days": -1, "future_days": -5, "kind": "party"})) \
        == {"past_days", "future_days", "kind"}


@pytest.mark.parametrize("body", [
    b"", b"<html><body>Calendar moved</body></html>", b'{"events": []}',
    b"BEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\n",
])
def test_garbage_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError, match="trade.ics"):
        events_of("", body=body)


def test_an_empty_calendar_yields_nothing() -> None:
    assert events_of("", body=b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n") == []


def test_all_day_series_daily_exdate_list_and_a_broken_rule() -> None:
    body = b"""BEGIN:VCALENDAR
BEGIN:VEVENT
UID:allday-series
DTSTART;VALUE=DATE:20240506
DTEND;VALUE=DATE:20240508
RRULE:FREQ=WEEKLY;COUNT=3
EXDATE;VALUE=DATE:20240513
SUMMARY:Two-day weekly workshop
END:VEVENT
BEGIN:VEVENT
UID:daily
DTSTART:20240506T010000Z
DTEND:20240506T020000Z
RRULE:FREQ=DAILY;UNTIL=20240508T010000Z
EXDATE:20240507T010000Z
SUMMARY:Daily stand-up
END:VEVENT
BEGIN:VEVENT
UID:broken
DTSTART:20240506T010000Z
RRULE:FREQ=SOMETIMES
SUMMARY:Broken rule
END:VEVENT
END:VCALENDAR
"""
    found = [(e.source_key, event_to_json(e)["start"], event_to_json(e)["end"])
             for e in events_of("", body=body)]
    assert found == [
        ("allday-series|2024-05-06", "2024-05-06", "2024-05-07"),
        ("allday-series|2024-05-20", "2024-05-20", "2024-05-21"),
        ("daily|2024-05-06T01:00:00Z", "2024-05-06T09:00:00+08:00", "2024-05-06T10:00:00+08:00"),
        ("daily|2024-05-08T01:00:00Z", "2024-05-08T09:00:00+08:00", "2024-05-08T10:00:00+08:00"),
        ("broken", "2024-05-06T09:00:00+08:00", None),
    ]
