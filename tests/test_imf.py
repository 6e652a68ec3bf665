"""IMF seminars list (composed fixtures, see tests/fixtures/imf/README.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.base import ParseError, Request, Response, SourceConfig
from sources.imf import LIST_URL, ImfSource, page_number, url_date

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imf"
SITE = "https://www.imf.org"
CONF = f"{SITE}/en/News/Seminars/Conferences"
PAGE_1 = LIST_URL
PAGE_2 = f"{LIST_URL}?page=2"
DC = "Washington, DC"


def make_source(**options: Any) -> ImfSource:
    return ImfSource(SourceConfig(name="imf", type="imf", url="", organization="IMF",
                                  timezone="America/New_York", options=options))


def parse(body: bytes | str, url: str = PAGE_1, **options: Any) -> list[Event | Request]:
    raw = body.encode() if isinstance(body, str) else body
    return list(make_source(**options).parse(Response(url=url, body=raw)))


def events_of(body: bytes | str, url: str = PAGE_1, **options: Any) -> list[Event]:
    return [item for item in parse(body, url, **options) if isinstance(item, Event)]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def page(*rows: str, extra: str = "") -> str:
    return f"<html><body><main>{''.join(rows)}</main>{extra}</body></html>"


# file, position, url (= source_key), title, start, end, location, status, kind, description
EXPECTED = [
    ("seminars.html", 0, f"{CONF}/2024/11/20/12th-statistical-forum",
     "12th Statistical Forum: Measuring the Implications of Artificial Intelligence on the "
     "Economy", "2024-11-20", "2024-11-21", DC, "confirmed", "seminar",
     "The forum brings together statisticians, academics and policymakers to discuss how AI "
     "changes the measurement of the economy."),
    ("seminars.html", 1, f"{CONF}/2024/12/04/book-talk-sovereign-debt",
     "Book Talk: Sovereign Debt & Its Discontents", "2024-12-04T09:00:00-05:00",
     "2024-12-04T10:30:00-05:00", "Virtual", "confirmed", "seminar",
     "An online discussion with the authors."),
    ("seminars.html", 2,
     f"{SITE}/en/Publications/WEO/Issues/2025/01/17/world-economic-outlook-update-january-2025",
     "World Economic Outlook Update, January 2025", "2025-01-17", None, "", "confirmed",
     "seminar", "Release of the World Economic Outlook Update."),
    ("seminars.html", 3, f"{CONF}/2025/03/11/joint-imf-seminar-on-fiscal-rules",
     "Joint IMF Seminar on Fiscal Rules", "2025-03-11", None, DC, "confirmed", "seminar", ""),
    ("seminars.html", 4, "https://meetings.imf.org/en/2025/Spring",
     "2025 Spring Meetings of the World Bank Group and the International Monetary Fund",
     "2025-04-21", "2025-04-26", DC, "confirmed", "meeting", ""),
    ("seminars.html", 5, f"{CONF}/2025/05/13/regional-economic-outlook-asia-pacific",
     "Regional Economic Outlook: Asia and Pacific", "2025-05-13", None, "Tokyo, Japan",
     "confirmed", "seminar", ""),
    ("seminars.html", 6, f"{CONF}/2025/09/30/high-level-conference-capital-flows",
     "High-Level Conference on Capital Flows & Macroprudential Policy", "2025-09-30",
     "2025-10-01", DC, "postponed", "seminar", "New dates will be announced."),
    ("seminars.html", 7,
     f"{SITE}/en/news/seminars/conferences/2026/06/29/2026-imf-mena-research-conference",
     "2026 IMF MENA Research Conference", "2026-06-29", "2026-06-30",
     "Dubai, United Arab Emirates", "confirmed", "seminar", ""),
    ("seminars-page-2.html", 0, f"{CONF}/2024/04/29/conference-on-fiscal-policy-and-growth",
     "Conference on Fiscal Policy and Long-Term Growth", "2024-04-29", "2024-04-30", DC,
     "confirmed", "seminar", "A two-day conference organized by the Fiscal Affairs Department."),
    ("seminars-page-2.html", 1, f"{CONF}/2024/03/05/ministerial-roundtable-on-debt",
     "Ministerial Roundtable on Debt", "2024-03-05", None, "", "confirmed", "meeting", ""),
]
URLS = {"seminars.html": PAGE_1, "seminars-page-2.html": PAGE_2}


@pytest.mark.parametrize("name", sorted(URLS))
def test_each_page_yields_exactly_its_events(name: str) -> None:
    keys = [event.source_key for event in events_of(fixture(name), URLS[name])]
    assert keys == [row[2] for row in EXPECTED if row[0] == name]


@pytest.mark.parametrize(("name", "position", "url", "title", "start", "end", "location",
                          "status", "kind", "description"), EXPECTED)
def test_event_fields(name: str, position: int, url: str, title: str, start: str,
                      end: str | None, location: str, status: str, kind: str,
                      description: str) -> None:
    event = events_of(fixture(name), URLS[name])[position]
    printed = event_to_json(event)
    assert printed["source_key"] == printed["url"] == url
    assert printed["uid"] == make_uid("imf", url)
    assert (printed["source"], printed["organization"]) == ("imf", "IMF")
    assert printed["title"] == title
    assert (printed["start"], printed["end"]) == (start, end)
    assert printed["all_day"] is (len(start) == 10)
    assert printed["timezone"] == "America/New_York"
    assert (printed["location"], printed["status"], printed["kind"]) == (location, status, kind)
    assert printed["description"] == description
    assert (printed["registration_deadline"], printed["registration_url"]) == (None, "")
    assert (printed["section"], printed["featured"]) == (None, False)


def test_first_page_asks_for_the_second_and_the_second_for_none() -> None:
    first = [item for item in parse(fixture("seminars.html")) if isinstance(item, Request)]
    assert first == [Request(PAGE_2)]
    assert not any(isinstance(item, Request)
                   for item in parse(fixture("seminars-page-2.html"), PAGE_2))


def test_paging_stops_at_max_pages() -> None:
    assert not any(isinstance(item, Request)
                   for item in parse(fixture("seminars.html"), max_pages=1))
    third = page('<div class="result-row"><p class="date">May 1, 2025</p><h6><a href="/a">A'
                 '</a></h6></div>', extra='<a rel="next" href="/en/News/Seminars?page=4">›</a>')
    assert not any(isinstance(item, Request) for item in parse(third, f"{LIST_URL}?page=3"))
    assert [item for item in parse(third, f"{LIST_URL}?page=3", max_pages=5)
            if isinstance(item, Request)] == [Request(f"{LIST_URL}?page=4")]


@pytest.mark.parametrize("link", ['<a class="next" href="#">Next</a>',
                                  '<a class="next" href="/en/News/Seminars">Next</a>',
                                  '<a href="/en/News/Seminars?page=1">Next</a>'])
def test_a_next_link_that_does_not_advance_is_not_followed(link: str) -> None:
    body = page('<div class="result-row"><p class="date">May 1, 2025</p><h6><a href="/a">A'
                '</a></h6></div>', extra=link)
    assert not any(isinstance(item, Request) for item in parse(body))


def test_the_date_line_wins_over_the_url_and_a_yearless_line_takes_the_urls_year() -> None:
    body = page(
        '<div class="result-row"><p class="date">Dec 2, 2024</p><h6><a href="/en/News/'
        'Seminars/Conferences/2024/11/20/moved">Moved</a></h6></div>',
        '<div class="result-row"><p class="date">June 3 - 4</p><h6><a href="/en/News/'
        'Seminars/Conferences/2025/06/03/no-year">No year</a></h6></div>',
        '<div class="result-row"><p class="date">Date TBC</p><h6>No link, no date</h6></div>')
    moved, no_year = events_of(body)
    assert (moved.start, moved.end) == (date(2024, 12, 2), None)
    assert (no_year.start, no_year.end) == (date(2025, 6, 3), date(2025, 6, 4))


def test_a_row_without_a_link_is_keyed_by_title_and_date() -> None:
    body = page('<div class="result-row"><p class="date">July 8, 2025</p>'
                '<h6>Virtual Seminar on   Data</h6></div>')
    [event] = events_of(body)
    assert event.url == "" and event.title == "Virtual Seminar on Data"
    assert event.source_key == "IMF|virtual seminar on data|2025-07-08"


def test_a_gmt_time_is_read_in_utc() -> None:
    body = page('<div class="result-row"><p class="date">March 3, 2025, 14:00 GMT</p>'
                '<h6><a href="/en/News/Seminars/Conferences/2025/03/03/x">X</a></h6></div>')
    [event] = events_of(body)
    assert event_to_json(event)["start"] == "2025-03-03T14:00:00+00:00"
    assert event.timezone == "America/New_York"


def test_without_rows_dated_conference_links_are_read() -> None:
    body = page('<ul><li><a href="/en/news/seminars/conferences/2026/11/17/imf-oecd-'
                'conference">IMF-OECD-PIIE-World Bank Conference</a></li>'
                '<li><a href="/en/news/seminars/conferences/g20-data-gaps-initiative">DGI</a>'
                '</li><li><a href="/en/News">News</a></li></ul>')
    [event] = events_of(body)
    assert (event.title, event.start, event.location) == (
        "IMF-OECD-PIIE-World Bank Conference", date(2026, 11, 17), "")
    assert event.url == f"{SITE}/en/news/seminars/conferences/2026/11/17/imf-oecd-conference"


def test_a_page_that_says_it_has_no_results_is_empty() -> None:
    assert parse(page("<p>There are no results for your search.</p>")) == []


@pytest.mark.parametrize("body", [
    b"",
    b"<html><body><h1>Access Denied</h1></body></html>",
    b'{"results": []}',
    b"\xff\xfe\x00\x00garbage",
])
def test_garbage_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError, match="imf.org/en/News/Seminars"):
        parse(body)


def test_a_broken_row_is_skipped_not_the_page() -> None:
    body = page('<div class="result-row"><p class="date">May 1, 2025</p></div>',
                '<div class="result-row"><p class="date">soon</p><h6><a href="/en/x">X</a>'
                '</h6></div>',
                '<div class="result-row"><p class="date">May 2, 2025</p><h6><a href="/en/y">'
                'Y</a></h6><p>text</p><p><a href="/en/y">Y again</a></p></div>')
    [event] = events_of(body)
    assert (event.title, event.start, event.location, event.description) == (
        "Y", date(2025, 5, 2), "", "text Y again")


@pytest.mark.parametrize(("url", "day"), [
    (f"{CONF}/2024/11/20/12th-statistical-forum", date(2024, 11, 20)),
    (f"{SITE}/en/news/seminars/conferences/2026/06/29/x/", date(2026, 6, 29)),
    (f"{CONF}/2024/02/30/impossible", None),
    (f"{SITE}/en/news/seminars/conferences/g20-data-gaps-initiative", None),
    ("", None),
])
def test_url_date(url: str, day: date | None) -> None:
    assert url_date(url) == day


@pytest.mark.parametrize(("url", "number"), [
    (f"{LIST_URL}?page=2", 2), (f"{LIST_URL}?Page=3&x=1", 3), (LIST_URL, None),
    (f"{LIST_URL}?page=last", None)])
def test_page_number(url: str, number: int | None) -> None:
    assert page_number(url) == number


def test_start_request_and_options() -> None:
    assert make_source().start_requests() == [Request(LIST_URL)]
    config = SourceConfig(name="imf", type="imf", url="http://127.0.0.1:9/seminars",
                          organization="IMF", timezone="America/New_York")
    assert ImfSource(config).start_requests() == [Request("http://127.0.0.1:9/seminars")]
    assert ImfSource.check_options({"max_pages": 0}) == {"max_pages": "must be at least 1"}
    assert ImfSource.check_options({"max_pages": 3}) == {}
