"""The CSV file adapter (``type = "csv"``) over a composed file (see fixtures/csv/README)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.base import ParseError, Request, Response, SourceConfig
from sources.generic.csv_file import CsvFileSource

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "csv"
URL = "file:///srv/tradecal/cieca-events.csv"
HEADER = ("organization,title,start,end,timezone,location,url,status,kind,featured,"
          "registration_deadline,section\n")


def make_source(url: str = URL, section: str | None = None,
                featured: bool = False) -> CsvFileSource:
    return CsvFileSource(SourceConfig(name="cieca-csv", type="csv", url=url,
                                      organization="CIECA", timezone="Asia/Taipei",
                                      section=section, featured=featured))


def events_of(body: bytes | None = None, source: CsvFileSource | None = None) -> list[Event]:
    raw = body if body is not None else (FIXTURES / "events.csv").read_bytes()
    return list((source or make_source()).parse(Response(url=URL, body=raw)))


# key, title, start, end, timezone, location, url, status, kind, featured, deadline, section
EXPECTED = [
    ("CIECA|臺美經貿合作論壇|2024-10-15", "臺美經貿合作論壇", "2024-10-15T14:00:00+08:00",
     "2024-10-15T17:00:00+08:00", "Asia/Taipei", "台北君悅酒店 凱悅廳",
     "https://www.example.org.tw/forum-2024", "confirmed", "seminar", True, "2024-10-08", None),
    ("CIECA|apec 中小企業部長會議|2024-09-02", "APEC 中小企業部長會議", "2024-09-02", "2024-09-03",
     "America/Lima", "Lima, Peru", "", "confirmed", "meeting", False, None,
     "APEC 及其他國際組織"),
    ("CIECA|東協投資環境說明會|2024-11-05", "東協投資環境說明會", "2024-11-05", None,
     "Asia/Taipei", "", "", "postponed", "seminar", False, None, None),
    ("CIECA|歐盟碳邊境調整機制 cbam 因應講座|2024-11-20", "歐盟碳邊境調整機制（CBAM）因應講座",
     "2024-11-20T09:30:00+08:00", "2024-11-20T12:00:00+08:00", "Asia/Taipei", "線上", "",
     "tentative", "seminar", False, None, None),
]


def test_the_file_yields_exactly_its_rows() -> None:
    assert [event.source_key for event in events_of()] == [row[0] for row in EXPECTED]


@pytest.mark.parametrize("row", EXPECTED, ids=[row[1] for row in EXPECTED])
def test_event_fields(row: tuple[Any, ...]) -> None:
    key, title, start, end, zone, location, url, status, kind, featured, deadline, section = row
    [event] = [e for e in events_of() if e.source_key == key]
    assert event_to_json(event) == {
        "uid": make_uid("cieca-csv", key), "source": "cieca-csv", "source_key": key,
        "organization": "CIECA", "title": title, "start": start, "end": end,
        "all_day": len(start) == 10, "timezone": zone, "location": location, "url": url,
        "status": status, "kind": kind, "section": section, "featured": featured,
        "registration_deadline": deadline, "registration_url": "", "description": "",
    }


@pytest.mark.parametrize(("url", "expected"), [
    (URL, URL), ("/srv/tradecal/cieca events.csv", "file:///srv/tradecal/cieca%20events.csv"),
    ("https://docs.example.org/sheet/export?format=csv",
     "https://docs.example.org/sheet/export?format=csv"),
])
def test_start_request_is_the_file_url(url: str, expected: str) -> None:
    assert make_source(url).start_requests() == [Request(expected)]


def test_a_bad_row_refuses_the_whole_file_naming_file_and_line() -> None:
    body = (HEADER + "CIECA,Good,2024-10-01,,,,,,,,,\nCIECA,Bad,2024-13-01,,,,,,,,,\n").encode()
    with pytest.raises(ParseError, match=r"cieca-events\.csv, line 3: start"):
        events_of(body)


@pytest.mark.parametrize("body", [b"", b"not,a,known,header\n1,2,3,4\n",
                                  b"<html><body>login</body></html>"])
def test_garbage_is_a_parse_error_naming_the_file(body: bytes) -> None:
    with pytest.raises(ParseError, match=r"cieca-events\.csv"):
        events_of(body)


def test_unknown_section_is_refused() -> None:
    body = (HEADER + "CIECA,Talk,2024-10-01,,,,,,,,,Sports\n").encode()
    with pytest.raises(ParseError, match="section"):
        events_of(body)


def test_source_section_and_featured_fill_what_rows_leave_empty() -> None:
    events = events_of(source=make_source(section="RTA", featured=True))
    assert [(e.section, e.featured) for e in events] == [
        ("RTA", True), ("APEC 及其他國際組織", True), ("RTA", True), ("RTA", True)]


def test_a_status_cell_wins_over_a_title_marker() -> None:
    body = (HEADER + "CIECA,[取消] 說明會,2024-10-01,,,,,tentative,,,,\n").encode()
    [event] = events_of(body)
    assert (event.title, event.status) == ("說明會", "tentative")


def test_big5_file_saved_by_excel_is_read() -> None:
    body = (HEADER + "CIECA,經貿講座,2024-10-01,,,臺北,,,,,,\n").encode("cp950")
    [event] = events_of(body)
    assert (event.title, event.location) == ("經貿講座", "臺北")


def test_a_row_of_an_unknown_organization_refuses_the_file_naming_the_line() -> None:
    body = (HEADER + "CIECA,研討會,2024-10-01,,,,,,,,,\n"
            "ITRI,產業趨勢研討會,2024-10-01T14:00,,,,,,,,,\n").encode()
    with pytest.raises(ParseError, match=r"line 3: unknown organization 'ITRI'"):
        events_of(body)


def test_rows_of_other_configured_organizations_take_their_key_and_zone() -> None:
    source = CsvFileSource(SourceConfig(
        name="cieca-csv", type="csv", url=URL, organization="CIECA", timezone="Asia/Taipei",
        known_organizations={"工研院": ("ITRI", "Asia/Taipei"), "wto": ("WTO", "Europe/Zurich")}))
    body = (HEADER + "工研院,出口管制說明會,2024-05-10,,,,,,seminar,,,\n"
            "WTO,General Council,2024-05-22T10:00,,,,,,,,,\n"
            "cieca,研討會,2024-05-03,,,,,,seminar,,,\n").encode()
    events = events_of(body, source)
    assert [(e.organization, e.timezone) for e in events] == [
        ("ITRI", "Asia/Taipei"), ("WTO", "Europe/Zurich"), ("CIECA", "Asia/Taipei")]
    assert events[1].start.utcoffset().total_seconds() == 7200  # type: ignore[union-attr]
