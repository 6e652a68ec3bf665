"""APEC calendar page: two composed layouts (cards, table) and variations (README)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.apec import DEFAULT_URL, ApecSource, date_span, parse_host_timezones
from sources.base import ParseError, Request, Response, SourceConfig

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "apec"
CARDS = "calendar-cards-composed.html"
TABLE = "calendar-table-composed.html"
HOSTS = "2024=America/Lima,2025=Asia/Seoul,2026=Asia/Shanghai"
CAL = "https://www.apec.org/Press/Calendar"
TELWG = "TELWG Workshop on Meaningful Connectivity in APEC economies"
DIGITAL = "Digital Week SOM2 - Trade Digitalization and Paperless Trade"


def make_source(**options: Any) -> ApecSource:
    options.setdefault("host_timezones", HOSTS)
    return ApecSource(SourceConfig(name="apec", type="apec", url=DEFAULT_URL,
                                   organization="APEC", timezone="Asia/Shanghai",
                                   options=options))


def events_of(body: bytes | str, headers: dict[str, str] | None = None,
              **options: Any) -> list[Event]:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    items = list(make_source(**options).parse(Response(url=DEFAULT_URL, body=raw,
                                                       headers=headers or {})))
    assert not any(isinstance(item, Request) for item in items)
    return items  # type: ignore[return-value]


def fixture_events(name: str) -> list[Event]:
    return events_of((FIXTURES / name).read_bytes())


def page(body: str) -> str:
    return f"<html><head><title>Calendar</title></head><body>{body}</body></html>"


# file, key, title, start, end, timezone, location, url, status, description
EXPECTED = [
    (CARDS, f"{CAL}/2024/0502-TELWG-Workshop", TELWG, "2024-05-02", "2024-05-03",
     "America/Lima", "Arequipa, Peru", f"{CAL}/2024/0502-TELWG-Workshop", "confirmed",
     "Forum: Telecommunications and Information Working Group (TELWG)."),
    (CARDS, f"{CAL}/2024/0506-TELWG-Workshop", TELWG, "2024-05-06", None, "America/Lima",
     "Arequipa, Peru", f"{CAL}/2024/0506-TELWG-Workshop", "confirmed",
     "Forum: Telecommunications and Information Working Group (TELWG)."),
    (CARDS, "APEC|digital week som2 trade digitalization and paperless trade|2024-05-06",
     DIGITAL, "2024-05-06", None, "America/Lima", "Arequipa, Peru", "", "confirmed",
     "Forum: SOM2."),
    (CARDS, f"{CAL}/2024/0513-SOM2", "Second Senior Officials\u2019 Meeting (SOM2)",
     "2024-05-13", "2024-05-14", "America/Lima", "Arequipa, Peru", f"{CAL}/2024/0513-SOM2",
     "confirmed", "Forum: Senior Officials\u2019 Meeting."),
    (CARDS, "APEC|workshop on green public procurement|2024-05-20",
     "Workshop on Green Public Procurement", "2024-05-20", None, "America/Lima", "Virtual", "",
     "cancelled", "Forum: Government Procurement Experts Group (GPEG)."),
    (CARDS, f"{CAL}/2024/0530-SMEWG", "58th Small and Medium Enterprises Working Group Meeting",
     "2024-05-30", "2024-06-02", "America/Lima", "Pucallpa, Peru", f"{CAL}/2024/0530-SMEWG",
     "confirmed", "Forum: SMEWG."),
    (CARDS, f"{CAL}/2025/0224-SOM1",
     "First Senior Officials\u2019 Meeting (SOM1) and Related Meetings", "2025-02-24",
     "2025-03-09", "Asia/Seoul", "Gyeongju, Korea", f"{CAL}/2025/0224-SOM1", "confirmed",
     "Forum: SOM1."),
    (CARDS, "APEC|informal senior officials meeting isom|2026-12-02",
     "Informal Senior Officials\u2019 Meeting (ISOM)", "2026-12-02", "2026-12-03",
     "Asia/Shanghai", "China", "", "confirmed", "Forum: ISOM."),
    (TABLE, f"{CAL}/2024/0502-TELWG-Workshop", TELWG, "2024-05-02", "2024-05-03",
     "America/Lima", "Arequipa, Peru", f"{CAL}/2024/0502-TELWG-Workshop", "confirmed",
     "Forum: TELWG."),
    (TABLE, f"{CAL}/2024/0506-TELWG-Workshop", TELWG, "2024-05-06", None, "America/Lima",
     "Arequipa, Peru", f"{CAL}/2024/0506-TELWG-Workshop", "confirmed", "Forum: TELWG."),
    (TABLE, "APEC|digital week som2 trade digitalization and paperless trade|2024-05-06",
     DIGITAL, "2024-05-06", None, "America/Lima", "Arequipa, Peru", "", "confirmed",
     "Forum: SOM2."),
    (TABLE, "APEC|meeting of ministers responsible for trade mrt|2024-05-15",
     "Meeting of Ministers Responsible for Trade (MRT)", "2024-05-15", None, "America/Lima",
     "Arequipa, Peru", "", "confirmed", "Forum: MRT."),
    (TABLE, "APEC|policy partnership on women and the economy ppwe meeting|2024-05-15",
     "Policy Partnership on Women and the Economy (PPWE) Meeting", "2024-05-15", "2024-05-16",
     "America/Lima", "Arequipa, Peru", "", "postponed", "Forum: PPWE."),
]
POSITIONS = [sum(1 for earlier in EXPECTED[:index] if earlier[0] == row[0])
             for index, row in enumerate(EXPECTED)]


@pytest.mark.parametrize("name", [CARDS, TABLE])
def test_each_page_yields_its_meetings_in_the_order_apec_lists_them(name: str) -> None:
    keys = [event.source_key for event in fixture_events(name)]
    assert keys == [row[1] for row in EXPECTED if row[0] == name]


@pytest.mark.parametrize(("position", "row"), list(zip(POSITIONS, EXPECTED)),
                         ids=[f"{row[0][:14]}-{pos}" for pos, row in zip(POSITIONS, EXPECTED)])
def test_meeting_fields(position: int, row: tuple[str, ...]) -> None:
    name, key, title, start, end, zone, location, url, status, description = row
    printed = event_to_json(fixture_events(name)[position])
    assert printed["source_key"] == key and printed["uid"] == make_uid("apec", key)
    assert (printed["source"], printed["organization"]) == ("apec", "APEC")
    assert printed["title"] == title
    assert (printed["start"], printed["end"], printed["all_day"]) == (start, end, True)
    assert printed["timezone"] == zone
    assert (printed["location"], printed["url"]) == (location, url)
    assert (printed["status"], printed["kind"]) == (status, "meeting")
    assert printed["description"] == description
    assert printed["registration_deadline"] is None and printed["registration_url"] == ""
    assert printed["section"] is None and printed["featured"] is False


def test_the_same_workshop_on_two_dates_is_two_meetings() -> None:
    events = [event for event in fixture_events(CARDS) if event.title == TELWG]
    assert len({event.uid for event in events}) == 2
    shared = page('<ul><li>2 - 3 May 2024 <a href="/w">TELWG Workshop</a></li>'
                  '<li>06 May 2024 <a href="/w">TELWG Workshop</a></li></ul>')
    assert [event.source_key for event in events_of(shared)] == [
        "APEC|telwg workshop|2024-05-02", "APEC|telwg workshop|2024-05-06"]


def test_labelled_list_items_without_classes() -> None:
    body = page('<ul><li><strong>Date:</strong> 10 - 11 June 2024<br>'
                '<a href="/m/a">Meeting A</a><br>Venue: Lima, Peru<br>Forum: CTI</li>'
                '<li><strong>Date:</strong> 12 June 2024<br><a href="/m/b">Meeting B</a><br>'
                'Venue: Virtual</li></ul>')
    printed = [event_to_json(event) for event in events_of(body)]
    assert [(e["title"], e["start"], e["end"], e["location"], e["description"], e["url"])
            for e in printed] == [
        ("Meeting A", "2024-06-10", "2024-06-11", "Lima, Peru", "Forum: CTI.",
         "https://www.apec.org/m/a"),
        ("Meeting B", "2024-06-12", None, "Virtual", "", "https://www.apec.org/m/b")]


def test_articles_with_dates_without_year_take_the_response_date() -> None:
    body = page('<main><section><article><time>10 June</time><h2>Article meeting</h2>'
                '<p>Lima, Peru</p></article><article><time>11 June</time><h2>'
                '<a href="https://other.example.org/m">Elsewhere</a></h2><p>Cancelled</p>'
                '<p>Singapore</p></article></section></main>')
    events = events_of(body, {"Date": "Mon, 27 May 2024 10:00:00 GMT"})
    assert [(e.title, str(e.start), e.location, e.status, e.source_key) for e in events] == [
        ("Article meeting", "2024-06-10", "Lima, Peru", "confirmed",
         "APEC|article meeting|2024-06-10"),
        ("Elsewhere", "2024-06-11", "Singapore", "cancelled", "APEC|elsewhere|2024-06-11")]
    assert events[1].url == "https://other.example.org/m"
    assert events_of(body) == []  # no year and no Date header: nothing is guessed


def test_a_single_card_and_a_table_without_header() -> None:
    single = page('<div class="events"><div class="event"><p class="event-date">1 July 2024'
                  '</p><p class="event-title">Solo</p><p class="event-location">Auckland, '
                  'New Zealand</p></div></div>')
    [event] = events_of(single)
    assert (event.title, event.location, event.timezone) == ("Solo", "Auckland, New Zealand",
                                                             "America/Lima")
    table = page('<table><tr><td>1 July 2024</td><td>No header row</td><td>Santiago, Chile'
                 '</td></tr><tr><td>2 July 2024</td><td><a href="/m2">Second</a></td>'
                 '<td>ABAC</td></tr></table>')
    assert [(e.title, e.location, e.description) for e in events_of(table)] == [
        ("No header row", "Santiago, Chile", ""), ("Second", "", "Forum: ABAC.")]


def test_years_outside_the_host_table_take_the_source_zone() -> None:
    body = page('<ul><li>5 March 2027 <b>Future meeting</b></li></ul>')
    assert [event.timezone for event in events_of(body)] == ["Asia/Shanghai"]
    assert [event.timezone for event in events_of(body, host_timezones="")] == ["Asia/Shanghai"]


@pytest.mark.parametrize(("text", "zones"), [
    (HOSTS, {2024: "America/Lima", 2025: "Asia/Seoul", 2026: "Asia/Shanghai"}),
    (" 2024 = America/Lima ; 2025=Asia/Seoul ", None),
    ("", {}),
])
def test_host_timezones(text: str, zones: dict[int, str] | None) -> None:
    if zones is None:
        with pytest.raises(ValueError):
            parse_host_timezones(text)
    else:
        assert parse_host_timezones(text) == zones


@pytest.mark.parametrize(("value", "problem"), [
    ("2024=America/Lima,2025=Asia/Seoul", None),
    ("2024:America/Lima", "is not YEAR=Zone"),
    ("24=America/Lima", "is not YEAR=Zone"),
    ("2024=Mars/Olympus", "is not a known time zone"),
])
def test_check_options(value: str, problem: str | None) -> None:
    found = ApecSource.check_options({"host_timezones": value})
    assert (found == {}) if problem is None else problem in found["host_timezones"]
    assert ApecSource.check_options({}) == {}


@pytest.mark.parametrize(("text", "first", "last"), [
    ("2 - 3 May 2024", "2024-05-02", "2024-05-03"),
    ("06 May 2024", "2024-05-06", "2024-05-06"),
    ("Date: 30 April - 2 May 2024", "2024-04-30", "2024-05-02"),
    ("Thursday, 2 - Friday, 3 May 2024", "2024-05-02", "2024-05-03"),
    ("Updated 29 April 2024.", None, None),
    ("TELWG Workshop, 2 May 2024", None, None),
    ("To be confirmed", None, None),
])
def test_date_lines(text: str, first: str | None, last: str | None) -> None:
    span = date_span(text, None)
    assert (str(span.first), str(span.last)) == (first, last) if span else first is None


def test_an_empty_calendar_is_not_an_error() -> None:
    assert events_of(page("<h1>Calendar</h1><p>No upcoming meetings.</p>")) == []


@pytest.mark.parametrize("body", [b"", b"Service temporarily unavailable", b'{"error": 1}',
                                  b"<html><body><h1>Page not found</h1></body></html>",
                                  b"\xff\xfe\x00"])
def test_garbage_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError, match="apec.org/Press/Calendar"):
        events_of(body)


def test_comments_and_scripts_are_not_meetings() -> None:
    body = page('<!-- 2 May 2024 --><script>var d = "3 May 2024";</script>'
                '<ul><li>6 May 2024 <b>Real meeting</b></li></ul>')
    assert [event.title for event in events_of(body)] == ["Real meeting"]
