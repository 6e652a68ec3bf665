"""OECD events page and search API (composed fixtures, see tests/fixtures/oecd/README.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.base import ParseError, Request, Response, SourceConfig
from sources.oecd import EVENTS_FACET, EVENTS_URL, SEARCH_URL, OecdSource, event_url

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "oecd"
EVENTS = "https://www.oecd.org/en/events"
API_PAGE_0 = f"{SEARCH_URL}?siteName=oecd&interfaceLanguage=en&page=0&pageSize=5"
URLS = {"events.html": EVENTS_URL, "search-events.json": API_PAGE_0}
TRADE = "OECD Global Forum on Trade 2026"
WORKING_PARTY = ("Meeting of the Working Party on International Trade in Goods and Trade in "
                 "Services Statistics")


def make_source(**options: Any) -> OecdSource:
    return OecdSource(SourceConfig(name="oecd", type="oecd", url="", organization="OECD",
                                   timezone="Europe/Paris", options=options))


def parse(body: bytes | str, url: str = EVENTS_URL, **options: Any) -> list[Event | Request]:
    raw = body.encode() if isinstance(body, str) else body
    return list(make_source(**options).parse(Response(url=url, body=raw)))


def events_of(body: bytes | str, url: str = EVENTS_URL) -> list[Event]:
    return [item for item in parse(body, url) if isinstance(item, Event)]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def search(*results: dict[str, Any], total: int = 1) -> str:
    return json.dumps({"results": list(results), "total": total})


# file, position, path under /en/events, title, start, end, location, status, kind, description
EXPECTED = [
    ("events.html", 0, "2026/03/oecd-global-forum-on-trade-2026.html", TRADE, "2026-03-12",
     "2026-03-14", "", "confirmed", "meeting",
     "Trade ministers, experts and business leaders discuss resilient supply chains."),
    ("events.html", 1, "2026/02/launch-of-area-based-initiatives-to-transform-neighbourhoods.html",
     "Launch of Area-based Initiatives to Transform Neighbourhoods", "2026-02-24T14:00:00+01:00",
     "2026-02-24T15:30:00+01:00", "Virtual", "confirmed", "seminar", ""),
    ("events.html", 2, "2026/04/working-party-on-trade-statistics.html", WORKING_PARTY,
     "2026-04-15", "2026-04-16", "", "cancelled", "meeting", ""),
    ("events.html", 3, "2026/05/oecd-forum-on-green-finance-and-investment.html",
     "OECD Forum on Green Finance and Investment", "2026-05-05", None, "Hybrid", "confirmed",
     "meeting", "The Forum connects finance, policy and research communities."),
    ("events.html", 4, "2026/07/launch-of-oecd-employment-outlook-2026.html",
     "Launch of OECD Employment Outlook 2026", "2026-07-07", None, "Hybrid", "confirmed",
     "seminar", ""),
    ("events.html", 5, "2026/09/launch-oecd-interim-economic-outlook.html",
     "Launch of the OECD Interim Economic Outlook", "2026-09-22T11:00:00+02:00",
     "2026-09-22T12:00:00+02:00", "", "confirmed", "seminar", ""),
    ("search-events.json", 0, "2026/07/launch-of-oecd-employment-outlook-2026.html",
     "Launch of OECD Employment Outlook 2026", "2026-07-07T11:00:00+02:00", None, "",
     "confirmed", "seminar", "Join us on 7 July 2026 for the launch of the OECD Employment "
     "Outlook 2026, webcast live from 11:00 CEST."),
    ("search-events.json", 1, "2026/03/oecd-global-forum-on-trade-2026.html", TRADE,
     "2026-03-12", "2026-03-14", "", "confirmed", "meeting",
     "Registration closes on 20 February 2026. The Global Forum on Trade takes place on "
     "12–14 March 2026 at the OECD Conference Centre in Paris."),
    ("search-events.json", 2, "2025/11/webinar-trade-in-value-added-2025-release.html",
     "Webinar: Trade in Value Added (TiVA) – 2025 release", "2025-11-18", None, "Virtual",
     "confirmed", "seminar", "A presentation of the new TiVA indicators on 18 November 2025."),
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
    assert printed["uid"] == make_uid("oecd", f"{EVENTS}/{path}")
    assert (printed["source"], printed["organization"]) == ("oecd", "OECD")
    assert printed["title"] == title
    assert (printed["start"], printed["end"]) == (start, end)
    assert printed["all_day"] is (len(start) == 10)
    assert printed["timezone"] == "Europe/Paris"
    assert (printed["location"], printed["status"], printed["kind"]) == (location, status, kind)
    assert printed["description"] == description
    assert (printed["registration_deadline"], printed["registration_url"]) == (None, "")
    assert (printed["section"], printed["featured"]) == (None, False)


def test_the_same_event_has_the_same_uid_from_page_and_api() -> None:
    from_page = {event.url: event.uid for event in events_of(fixture("events.html"))}
    from_api = {event.url: event.uid for event in events_of(fixture("search-events.json"),
                                                           API_PAGE_0)}
    shared = set(from_page) & set(from_api)
    assert len(shared) == 2 and all(from_page[url] == from_api[url] for url in shared)


def test_replays_consultations_and_undated_events_are_left_out() -> None:
    urls = {event.url for event in events_of(fixture("events.html"))}
    assert f"{EVENTS}/2025/12/launch-of-the-oecd-economic-outlook-december-2025.html" not in urls
    assert f"{EVENTS}/2026/06/ministerial-council-meeting-2026.html" not in urls
    assert not any("public-consultations" in url for url in urls)


def test_the_page_asks_for_no_more_pages() -> None:
    assert not any(isinstance(item, Request) for item in parse(fixture("events.html")))


def test_the_api_pages_until_total_or_max_pages() -> None:
    [following] = [item for item in parse(fixture("search-events.json"), API_PAGE_0)
                   if isinstance(item, Request)]
    params = dict(following.params)
    assert following.url == SEARCH_URL
    assert (params["page"], params["pageSize"]) == ("1", "5")
    last = f"{SEARCH_URL}?page=1&pageSize=5"
    assert not any(isinstance(item, Request) for item in parse(fixture("search-events.json"),
                                                               last))
    assert not any(isinstance(item, Request) for item in parse(
        fixture("search-events.json"), API_PAGE_0, max_pages=1))
    assert not any(isinstance(item, Request) for item in parse(search(total=3), API_PAGE_0))


def test_start_requests_by_mode() -> None:
    assert make_source().start_requests() == [Request(EVENTS_URL)]
    [request] = make_source(mode="api", page_size=20).start_requests()
    assert request.url == SEARCH_URL
    assert list(request.params) == [
        ("siteName", "oecd"), ("interfaceLanguage", "en"), ("orderBy", "mostRecent"),
        ("page", "0"), ("pageSize", "20"), ("hiddenFacets", EVENTS_FACET)]
    assert ("Accept", "application/json") in request.headers
    [custom] = make_source(mode="api", facet="oecd-content-types:events").start_requests()
    assert ("hiddenFacets", "oecd-content-types:events") in custom.params


def test_check_options() -> None:
    assert OecdSource.check_options({"mode": "html", "page_size": 50, "max_pages": 2}) == {}
    assert set(OecdSource.check_options({"mode": "rss", "page_size": 0, "max_pages": 0})) == {
        "mode", "page_size", "max_pages"}


def test_api_start_and_end_fields_win_over_text() -> None:
    result = {"title": "Forum", "url": f"{EVENTS}/2026/06/forum.html",
              "description": "On 1 June 2026.", "startDateTime": "2026-06-09T22:30:00Z",
              "endDateTime": "2026-06-11T16:00:00+02:00"}
    [event] = events_of(search(result), API_PAGE_0)
    assert (event.start, event.end) == (date(2026, 6, 10), date(2026, 6, 11))


def test_api_date_without_year_takes_the_publication_year() -> None:
    result = {"title": "Webinar on tax", "url": "/en/events/2026/01/webinar-on-tax.html",
              "description": "Join us on 3 February.", "publicationDateTime": "2026-01-20T00:00Z"}
    [event] = events_of(search(result), API_PAGE_0)
    assert event.start == date(2026, 2, 3)


def test_odd_tags_are_ignored() -> None:
    result = {"title": "T", "url": f"{EVENTS}/2026/01/t.html", "description": "5 January 2026",
              "tags": 7}
    [event] = events_of(search(result), API_PAGE_0)
    assert (event.start, event.location) == (date(2026, 1, 5), "")


@pytest.mark.parametrize("result", [
    {"title": "No URL"},
    {"title": "Elsewhere", "url": "https://example.org/en/events/2026/01/x.html",
     "description": "5 January 2026"},
    {"title": "", "url": f"{EVENTS}/2026/01/x.html", "description": "5 January 2026"},
    {"title": "Undated", "url": f"{EVENTS}/2026/01/x.html", "description": "Soon."},
    "not an object",
], ids=["no-url", "other-host", "no-title", "no-date", "not-object"])
def test_a_broken_result_is_skipped(result: object) -> None:
    assert events_of(search(result), API_PAGE_0) == []


def test_a_card_with_a_link_around_an_image_and_a_generic_link_takes_the_heading() -> None:
    body = ('<html><body><h2>Upcoming events</h2><div class="c">'
            '<a href="/en/events/2026/03/x.html"><img alt=""></a><h4>Tax Symposium</h4>'
            '<span>Online</span><p>3 March 2026, 9:30 a.m. - 11 a.m. GMT</p>'
            '<a href="/en/events/2026/03/x.html">Register</a></div>'
            '<div class="c"><a href="/en/events/2026/03/y.html">Other event</a>'
            '<p>4 March 2026</p></div></body></html>')
    first, second = events_of(body)
    assert (first.title, first.location) == ("Tax Symposium", "Virtual")
    assert event_to_json(first)["start"] == "2026-03-03T09:30:00+00:00"
    assert event_to_json(first)["end"] == "2026-03-03T11:00:00+00:00"
    assert (second.title, second.start) == ("Other event", date(2026, 3, 4))


def test_a_page_without_event_links_is_a_parse_error_unless_it_says_so() -> None:
    assert parse("<html><body><h2>Upcoming events</h2><p>No upcoming events.</p></body></html>"
                 ) == []
    with pytest.raises(ParseError, match="oecd.org/en/events.html"):
        parse("<html><body><h2>Upcoming events</h2><div id='app'></div></body></html>")


@pytest.mark.parametrize("body", [b"", b"<html><body>Forbidden</body></html>", b"{not json",
                                  b'{"error": "bad request"}', b'{"results": {}}', b"[1, 2]"])
def test_garbage_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError, match="oecd.org"):
        parse(body)


@pytest.mark.parametrize(("href", "url"), [
    ("/en/events/2026/03/x.html", f"{EVENTS}/2026/03/x.html"),
    ("https://oecd.org/fr/events/2026/03/x.html#agenda",
     "https://oecd.org/fr/events/2026/03/x.html"),
    ("/en/events/public-consultations/2025/09/ailit-framework.html", None),
    ("/en/events.html", None),
    ("https://www.example.org/en/events/2026/03/x.html", None),
    (None, None),
])
def test_event_url(href: str | None, url: str | None) -> None:
    assert event_url(href, EVENTS_URL) == url
