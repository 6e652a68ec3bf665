"""World Bank search API and events page (composed fixtures, see
tests/fixtures/worldbank/README.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.base import ParseError, Request, Response, SourceConfig
from sources.worldbank import EVENTS_URL, SEARCH_URL, WorldBankSource, event_page

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "worldbank"
EVENTS = "https://www.worldbank.org/en/events"
API_FIRST = f"{SEARCH_URL}?format=json&rows=5&os=0&lang_exact=English"
URLS = {"search-events.json": API_FIRST, "events.html": EVENTS_URL}
SUMMIT = "Global AI and Digital Summit 2026"


def make_source(**options: Any) -> WorldBankSource:
    return WorldBankSource(SourceConfig(name="worldbank", type="worldbank", url="",
                                        organization="WorldBank", timezone="America/New_York",
                                        options=options))


def parse(body: bytes | str, url: str = API_FIRST, **options: Any) -> list[Event | Request]:
    raw = body.encode() if isinstance(body, str) else body
    return list(make_source(**options).parse(Response(url=url, body=raw)))


def events_of(body: bytes | str, url: str = API_FIRST) -> list[Event]:
    return [item for item in parse(body, url) if isinstance(item, Event)]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def search(*documents: object, total: int = 1) -> str:
    keyed = {"facets": {}} | {str(n): document for n, document in enumerate(documents)}
    return json.dumps({"rows": 5, "os": 0, "page": 1, "total": total, "documents": keyed})


# file, position, path under /en/events, title, start, end, location, status, kind, description
EXPECTED = [
    ("search-events.json", 0, "2026/10/19/global-ai-and-digital-summit-2026", SUMMIT,
     "2026-10-19", "2026-10-21", "", "confirmed", "seminar",
     "The Global AI & Digital Summit takes place in Seoul on October 19-21, 2026, with a Small "
     "AI hackathon for young innovators."),
    ("search-events.json", 1, "2025/10/22/digital-liberia-week", "Digital Liberia Week",
     "2025-10-22", "2025-10-24", "", "confirmed", "seminar",
     "Join us in Monrovia from October 22 to 24, 2025 for a week on digital public "
     "infrastructure. Country: Liberia."),
    ("search-events.json", 2, "2025/04/23/africa-energy-ministerial-roundtable",
     "Africa Energy Ministerial Roundtable", "2025-04-23T09:00:00-04:00",
     "2025-04-23T10:30:00-04:00", "", "postponed", "meeting",
     "April 23, 2025 | 9:00 am - 10:30 am ET. The roundtable will be rescheduled. "
     "Country: Africa."),
    ("search-events.json", 3, "2024/11/12/poverty-prosperity-and-planet-report-2024-launch",
     "Poverty, Prosperity, and Planet Report 2024: Launch Event", "2024-11-12", None, "",
     "confirmed", "seminar", "Registration opens October 1, 2024."),
    ("events.html", 0, "2026/10/19/global-ai-and-digital-summit-2026", SUMMIT, "2026-10-19",
     "2026-10-21", "Seoul, Korea", "confirmed", "seminar", ""),
    ("events.html", 1, "2025/11/05/jobs-and-growth-dialogue", "Jobs and Growth Dialogue",
     "2025-11-05T10:00:00-05:00", "2025-11-05T11:30:00-05:00", "", "confirmed", "seminar", ""),
    ("events.html", 2, "2025/12/02/land-and-poverty-conference", "Land and Poverty Conference",
     "2025-12-02", None, "", "cancelled", "seminar", ""),
]


@pytest.mark.parametrize("name", sorted(URLS))
def test_each_file_yields_exactly_its_events(name: str) -> None:
    urls = [event.url for event in events_of(fixture(name), URLS[name])]
    assert urls == [f"{EVENTS}/{row[2]}" for row in EXPECTED if row[0] == name]


@pytest.mark.parametrize(("name", "position", "path", "title", "start", "end", "location",
                          "status", "kind", "description"), EXPECTED)
def test_event_fields(name: str, position: int, path: str, title: str, start: str,
                      end: str | None, location: str, status: str, kind: str,
                      description: str) -> None:
    event = events_of(fixture(name), URLS[name])[position]
    printed = event_to_json(event)
    assert printed["source_key"] == printed["url"] == f"{EVENTS}/{path}"
    assert printed["uid"] == make_uid("worldbank", f"{EVENTS}/{path}")
    assert (printed["source"], printed["organization"]) == ("worldbank", "WorldBank")
    assert printed["title"] == title
    assert (printed["start"], printed["end"]) == (start, end)
    assert printed["all_day"] is (len(start) == 10)
    assert printed["timezone"] == "America/New_York"
    assert (printed["location"], printed["status"], printed["kind"]) == (location, status, kind)
    assert printed["description"] == description
    assert (printed["registration_deadline"], printed["registration_url"]) == (None, "")
    assert (printed["section"], printed["featured"]) == (None, False)


def test_api_and_page_give_the_same_uid() -> None:
    api = events_of(fixture("search-events.json"))[0]
    page = events_of(fixture("events.html"), EVENTS_URL)[0]
    assert api.uid == page.uid


def test_the_api_pages_by_offset_until_total_or_max_pages() -> None:
    [following] = [item for item in parse(fixture("search-events.json"))
                   if isinstance(item, Request)]
    params = dict(following.params)
    assert following.url == SEARCH_URL
    assert (params["os"], params["rows"]) == ("5", "5")
    assert not any(isinstance(item, Request) for item in parse(
        fixture("search-events.json"), f"{SEARCH_URL}?rows=5&os=10"))
    assert not any(isinstance(item, Request) for item in parse(
        fixture("search-events.json"), f"{SEARCH_URL}?rows=5&os=5", max_pages=2))
    assert not any(isinstance(item, Request) for item in parse(search(), API_FIRST))
    assert not any(isinstance(item, Request) for item in parse(fixture("events.html"),
                                                               EVENTS_URL))


def test_start_requests_by_mode_and_options() -> None:
    [request] = make_source().start_requests()
    assert request.url == SEARCH_URL
    assert list(request.params) == [
        ("format", "json"), ("rows", "50"), ("os", "0"), ("lang_exact", "English"),
        ("displayconttype_exact", "Event"), ("srt", "lnchdt"), ("order", "desc")]
    [narrow] = make_source(content_type="", query="trade", rows=20).start_requests()
    params = dict(narrow.params)
    assert "displayconttype_exact" not in params
    assert (params["qterm"], params["rows"]) == ("trade", "20")
    assert make_source(mode="html").start_requests() == [Request(EVENTS_URL)]


def test_check_options() -> None:
    assert WorldBankSource.check_options({"mode": "api", "rows": 100, "max_pages": 1}) == {}
    assert set(WorldBankSource.check_options({"mode": "rss", "rows": 500, "max_pages": 0})) == {
        "mode", "rows", "max_pages"}


def test_the_url_day_wins_over_a_range_that_starts_elsewhere() -> None:
    document = {"url": f"{EVENTS}/2025/06/10/x", "title": {"cdata!": "X"},
                "descr": {"cdata!": "Originally June 3-4, 2025; now June 10 and June 12."},
                "lnchdt": "2025-05-01T00:00:00Z"}
    [event] = events_of(search(document))
    assert (event.start, event.end) == (date(2025, 6, 10), None)


@pytest.mark.parametrize("document", [
    {"url": f"{EVENTS}/2025/06/10/x", "title": {"cdata!": ""}},
    {"url": f"{EVENTS}/2025/02/30/x", "title": {"cdata!": "Impossible day"}},
    {"url": f"{EVENTS}/2025/06/x", "title": {"cdata!": "No day"}},
    {"url": "https://www.example.org/en/events/2025/06/10/x", "title": {"cdata!": "Other"}},
    {"title": {"cdata!": "No URL"}},
    "not an object",
], ids=["no-title", "impossible-day", "no-day", "other-host", "no-url", "not-object"])
def test_a_broken_document_is_skipped(document: object) -> None:
    assert events_of(search(document)) == []


def test_a_bare_string_title_is_read() -> None:
    [event] = events_of(search({"url": f"{EVENTS}/2025/06/10/x", "title": "Plain &amp; bare"}))
    assert event.title == "Plain & bare"


@pytest.mark.parametrize("body", [b"", b"<html><body>Service unavailable</body></html>",
                                  b"{broken", b'{"rows": 0}', b'{"documents": []}', b"[]"])
def test_garbage_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError, match="worldbank.org"):
        parse(body)


@pytest.mark.parametrize(("href", "url", "day"), [
    ("/en/events/2025/10/22/digital-liberia-week", f"{EVENTS}/2025/10/22/digital-liberia-week",
     date(2025, 10, 22)),
    ("http://www.bancomundial.org/es/events/2025/05/06/foro", "https://www.bancomundial.org/es/"
     "events/2025/05/06/foro", date(2025, 5, 6)),
    ("https://www.worldbank.org/en/events/2025/10/22/x/#agenda",
     "https://www.worldbank.org/en/events/2025/10/22/x/", date(2025, 10, 22)),
    ("/en/news/press-release/2025/04/22/x", "", None),
    ("/en/events", "", None),
    (None, "", None),
])
def test_event_page(href: str | None, url: str, day: date | None) -> None:
    assert event_page(href, EVENTS_URL) == (url, day)
