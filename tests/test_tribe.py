"""The Events Calendar REST adapter (``type = "tribe"``), composed pages (fixtures README)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.base import ParseError, Request, Response, SourceConfig
from sources.generic.tribe import API_PATH, TribeSource, api_url, next_page_request, place_zone

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tribe"
SITE = "https://centre.example.org.tw"
API = f"{SITE}{API_PATH}"
EVENT_URL = f"{SITE}/event"
JSON = (("Accept", "application/json"),)


RUN_DAY = date(2031, 5, 12)


def make_source(**options: Any) -> TribeSource:
    return TribeSource(SourceConfig(name="centre-tribe", type="tribe", url=SITE,
                                    organization="NCCU", timezone="Asia/Taipei",
                                    options=options), today=RUN_DAY)


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def parse_body(body: bytes | dict[str, Any], source: TribeSource | None = None
               ) -> list[Event | Request]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return list((source or make_source()).parse(Response(url=f"{API}/?page=1", body=raw)))


def events_of(body: bytes | dict[str, Any]) -> list[Event]:
    return [item for item in parse_body(body) if isinstance(item, Event)]


def one_event(**changes: Any) -> dict[str, Any]:
    item = dict(fixture("events-page-1.json")["events"][0], **changes)
    return {"events": [item], "total": 1, "total_pages": 1}


# file, position, key, title, start, end, timezone, location, url, status, description
EXPECTED = [
    ("events-page-1.json", 0, "10412", "CPTPP “Accession” Seminar – Services & Investment",
     "2024-09-10T14:00:00+08:00", "2024-09-10T17:00:00+08:00", "Asia/Taipei",
     "Taipei International Convention Center, No. 1, Sec. 5, Xinyi Rd., Taipei, Taiwan",
     f"{EVENT_URL}/cptpp-accession-seminar/", "confirmed",
     "A half-day seminar on the accession process.\nSpeakers from government & industry."),
    ("events-page-1.json", 1, "10437", "APEC 貿易部長會議", "2024-05-17", "2024-05-18",
     "America/Lima", "Arequipa, Peru", f"{EVENT_URL}/apec-ministers-responsible-for-trade/",
     "confirmed", ""),
    ("events-page-1.json", 2, "10455", "Export control compliance webinar",
     "2024-09-24T10:00:00+08:00", "2024-09-24T11:30:00+08:00", "Asia/Taipei", "",
     f"{EVENT_URL}/export-control-webinar/", "cancelled", "Online via Webex."),
    ("events-page-2.json", 0, "10470", "RCEP 原產地規則座談會", "2024-10-08T09:30:00+08:00",
     "2024-10-08T12:00:00+08:00", "Asia/Taipei", "政大公企中心, 臺北市大安區金華街187號, 臺灣",
     f"{EVENT_URL}/rcep-roundtable/", "confirmed", "地點：政大公企中心"),
]


@pytest.mark.parametrize("name", ["events-page-1.json", "events-page-2.json"])
def test_each_page_yields_exactly_its_events(name: str) -> None:
    assert [e.source_key for e in events_of(fixture(name))] == [
        row[2] for row in EXPECTED if row[0] == name]


@pytest.mark.parametrize(("name", "position", "key", "title", "start", "end", "zone",
                          "location", "url", "status", "description"), EXPECTED)
def test_event_fields(name: str, position: int, key: str, title: str, start: str,
                      end: str | None, zone: str, location: str, url: str, status: str,
                      description: str) -> None:
    assert event_to_json(events_of(fixture(name))[position]) == {
        "uid": make_uid("centre-tribe", key), "source": "centre-tribe", "source_key": key,
        "organization": "NCCU", "title": title, "start": start, "end": end,
        "all_day": len(start) == 10, "timezone": zone, "location": location, "url": url,
        "status": status, "kind": "meeting", "section": None, "featured": False,
        "registration_deadline": None, "registration_url": "", "description": description,
    }


def test_first_page_asks_for_the_next_and_the_last_does_not() -> None:
    page = fixture("events-page-1.json")
    requests = [item for item in parse_body(page) if isinstance(item, Request)]
    assert requests == [Request(page["next_rest_url"], headers=JSON)]
    assert not any(isinstance(item, Request) for item in parse_body(fixture("events-page-2.json")))


@pytest.mark.parametrize(("url", "max_pages", "follows"), [
    (f"{API}/?page=2&per_page=50", 20, True),
    (f"{API}/?page=20&per_page=50", 20, True),
    (f"{API}/?page=21&per_page=50", 20, False),
    (f"{API}/?page=3", 2, False),
    ("", 20, False), (None, 20, False),
])
def test_paging_stops_at_max_pages(url: str | None, max_pages: int, follows: bool) -> None:
    assert (next_page_request(url, max_pages) is not None) is follows


def test_start_request_asks_for_fifty_events_from_the_start_date() -> None:
    [request] = make_source(start_date="2024-05-01", categories="seminar,41").start_requests()
    assert request == Request(API, params=(("page", "1"), ("per_page", "50"),
                                           ("start_date", "2024-05-01"),
                                           ("categories", "seminar,41")), headers=JSON)
    [default] = make_source().start_requests()
    assert dict(default.params)["start_date"] == "2031-04-12"  # 30 days before the run day
    [shorter] = make_source(past_days=0).start_requests()
    assert dict(shorter.params)["start_date"] == "2031-05-12"


@pytest.mark.parametrize(("url", "expected"), [
    (SITE, API), (f"{SITE}/", API), (API, API),
    (f"{SITE}/?rest_route=/tribe/events/v1/events", f"{SITE}/?rest_route=/tribe/events/v1/events"),
])
def test_api_url(url: str, expected: str) -> None:
    assert api_url(url) == expected


@pytest.mark.parametrize(("zone", "start"), [
    ("Europe/Paris", "2024-09-10T14:00:00+02:00"),
    ("UTC+8", "2024-09-10T14:00:00+08:00"),
    ("UTC-5", "2024-09-11T03:00:00+08:00"),
    ("UTC+5:30", "2024-09-10T16:30:00+08:00"),
    ("UTC+5.5", "2024-09-10T16:30:00+08:00"),
    ("UTC+0", "2024-09-10T14:00:00+08:00"),
    ("UTC", "2024-09-10T14:00:00+08:00"),
    ("", "2024-09-10T14:00:00+08:00"),
    ("Mars/Olympus_Mons", "2024-09-10T14:00:00+08:00"),
])
def test_event_time_zone_forms(zone: str, start: str) -> None:
    [event] = events_of(one_event(timezone=zone))
    printed = event_to_json(event)
    assert printed["start"] == start
    assert printed["timezone"] == ("Europe/Paris" if zone == "Europe/Paris" else "Asia/Taipei")


def test_utc_start_is_used_when_the_local_one_is_missing() -> None:
    [event] = events_of(one_event(start_date=None, end_date=None))
    printed = event_to_json(event)
    assert (printed["start"], printed["end"]) == ("2024-09-10T14:00:00+08:00",
                                                  "2024-09-10T17:00:00+08:00")


@pytest.mark.parametrize("venue", [[], None, "", [{"venue": "Room 3", "city": "Taipei"}],
                                   {"venue": "", "city": ""}])
def test_venue_forms(venue: Any) -> None:
    [event] = events_of(one_event(venue=venue))
    assert event.location == ("Room 3, Taipei" if isinstance(venue, list) and venue else "")


def test_a_broken_event_is_skipped_not_the_page() -> None:
    page = fixture("events-page-1.json")
    page["events"][0]["start_date"] = "soon"
    page["events"][0]["utc_start_date"] = None
    page["events"][1]["title"] = ""
    page["events"][2] = "not an event"
    page["events"].append({"title": "No id", "start_date": "2024-10-01 10:00:00"})
    assert events_of(page) == []


def test_end_before_start_is_dropped() -> None:
    [event] = events_of(one_event(end_date="2024-09-10 13:00:00"))
    assert event.end is None


def test_options_are_checked() -> None:
    assert TribeSource.check_options({"start_date": "2024-05-01", "past_days": 7,
                                      "max_pages": 5, "kind": "seminar"}) == {}
    assert set(TribeSource.check_options({"start_date": "May", "past_days": -1, "max_pages": 0,
                                          "kind": "party"})) == {"start_date", "past_days",
                                                                 "max_pages", "kind"}


@pytest.mark.parametrize(("name", "expected"), [
    ("Asia/Taipei", "Asia/Taipei"), ("UTC", None), ("Etc/GMT-8", None), ("UTC+8", None),
    ("Nowhere/Town", None), (None, None),
])
def test_place_zone(name: object, expected: str | None) -> None:
    assert place_zone(name) == expected


@pytest.mark.parametrize("body", [
    b"<html><body>Maintenance</body></html>",
    b'{"code":"rest_no_route","message":"No route was found matching the URL and request '
    b'method.","data":{"status":404}}',
    b'{"events": {}}', b"[]", b"\xff\xfe",
])
def test_garbage_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError, match="tribe/events/v1/events"):
        parse_body(body)


def test_no_events_yields_nothing() -> None:
    assert parse_body({"events": [], "rest_url": API, "total": 0, "total_pages": 0}) == []
