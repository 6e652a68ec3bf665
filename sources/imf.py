"""IMF seminars, conferences and events, read from the server-rendered list page (HTML).

Channel: ``GET https://www.imf.org/en/News/Seminars``. Each item is a ``div.result-row``: the
date line in ``p.date`` ("April 29, 2024", or a range such as "April 29-30, 2024" or
"September 30 - October 1, 2025", maybe with a time), the title and link in ``h6 > a`` (a
relative URL, absolutized against the page), and the place in the link of the row's last
``p`` ("Washington, DC"); other paragraphs are the description. Conference pages carry their
start date in the URL (``/en/News/Seminars/Conferences/2024/11/20/slug``, lower case on the
newer site): it stands in when the date line is missing or unreadable, and gives the year to a
date line without one. Where the page links to a next page ("Next", ``rel=next``) that link is
followed up to the ``max_pages`` option (default 3).
Confidence: medium. The row layout comes from one public third-party scraper, not from a
saved copy of the page. Should the rows disappear (a redesign), every link to a dated
conference page still becomes an event (title and start date only); a page with neither is
not the seminars list, and ParseError says so.

Fields: ``title`` (status markers such as "[Postponed]" taken out and turned into the status),
``start``/``end`` (all-day dates, end inclusive; a single day with a stated time is a timed
event in the configured zone, America/New_York, unless the line names GMT/UTC), ``location``,
``url`` (also the ``source_key``; title and date where a row has no link), ``kind``
("meeting" for Meetings, Ministerials, Councils and Committees, else "seminar").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from aggregator.core.dates import TimeSpan, find_dates, find_times
from aggregator.core.encoding import decode_body
from aggregator.core.model import Event, Kind, title_date_key
from aggregator.core.status import status_from_title
from sources.base import ParseError, Request, Response, Source
from sources.lib.complete import check_html
from sources.lib.markup import absolute_url, shorten
from sources.lib.when import event_times

if TYPE_CHECKING:  # the parser library is imported where it is used
    from bs4 import BeautifulSoup, Tag

LIST_URL = "https://www.imf.org/en/News/Seminars"
_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})/[^/?#]+/?$")
_CONFERENCE = re.compile(r"/news/seminars/.*/(?:19|20)\d\d/\d{1,2}/\d{1,2}/[^/?#]+/?$", re.I)
_MEETING = re.compile(r"\b(?:Meetings?|Ministerial|Council|Committee)\b")
_NO_RESULTS = re.compile(r"\bno (?:results|events|upcoming events|items)\b", re.I)
_NEXT_WORDS = {"next", "next page", "next ›", "next »", "›", "»", ">"}
_PAGE_KEYS = {"page", "p", "pg", "pagenumber"}


@dataclass(frozen=True)
class Row:
    """One listed event as the page shows it (texts whitespace-normalized, URL absolute)."""

    title: str
    url: str
    date_text: str = ""
    location: str = ""
    description: str = ""


@dataclass(frozen=True)
class DaysAndTime:
    """The days of an event (inclusive) and the time of day its date line states, if any:
    what :func:`sources.lib.when.event_times` turns into a start and an end."""

    first: date
    last: date
    time: TimeSpan | None = None


class ImfSource(Source):
    """The IMF's list of seminars, conferences and events."""

    type = "imf"
    options = {"max_pages": int}

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        if options.get("max_pages", 3) < 1:
            return {"max_pages": "must be at least 1"}
        return {}

    def start_requests(self) -> list[Request]:
        return [Request(self.config.url or LIST_URL)]

    def parse(self, response: Response) -> Iterator[Event | Request]:
        check_html(response.body, response.url)
        from bs4 import BeautifulSoup
        soup = BeautifulSoup(decode_body(response.body, response.headers), "lxml")
        elements = soup.select("div.result-row")
        rows = [row for row in (read_row(element, response.url) for element in elements) if row]
        if not elements:
            rows = conference_links(soup, response.url)
            if not rows and not _NO_RESULTS.search(soup.get_text(" ")):
                raise ParseError(f"{response.url}: no div.result-row rows and no dated "
                                 "conference links: not the IMF seminars list")
        for row in rows:
            event = self.event_of(row)
            if event is not None:
                yield event
        following = next_page(soup, response.url, int(self.config.options.get("max_pages", 3)))
        if following is not None:
            yield following

    def event_of(self, row: Row) -> Event | None:
        """The event a row announces, or None when no date can be read for it."""
        when = _parse_when(row.date_text, url_date(row.url))
        if when is None:
            return None
        marked = status_from_title(row.title)
        start, end = event_times(when.first, when.last, when.time, self.timezone)
        return self.event(
            source_key=row.url or title_date_key(self.organization, marked.title, start),
            title=marked.title, start=start, end=end, location=row.location, url=row.url,
            status=marked.status or "confirmed", kind=_parse_kind(marked.title),
            description=row.description)


def read_row(element: Tag, page_url: str) -> Row | None:
    """A Row from one ``div.result-row``; None when it has neither title link nor heading."""
    link = (element.select_one("h6 > a[href]")
            or element.select_one("h1 a[href], h2 a[href], h3 a[href], h4 a[href], h5 a[href]"))
    heading = link or element.select_one("h1, h2, h3, h4, h5, h6")
    title = _text(heading) if heading is not None else ""
    if not title:
        return None
    url = absolute_url(page_url, str(link["href"]).strip()) if link is not None else ""
    date_tag = element.select_one("p.date, .date")
    location, place = _parse_location(element, link)
    skipped = {id(date_tag), id(place)}
    paragraphs = [_text(p) for p in element.find_all("p") if id(p) not in skipped]
    return Row(title=title, url=url, date_text=_text(date_tag) if date_tag else "",
               location=location, description=shorten(" ".join(p for p in paragraphs if p)))


def conference_links(soup: BeautifulSoup, page_url: str) -> list[Row]:
    """Rows from links to dated conference pages (the fallback when no rows are found)."""
    rows: dict[str, Row] = {}
    for anchor in soup.find_all("a", href=True):
        url = absolute_url(page_url, str(anchor["href"]).strip())
        title = _text(anchor)
        if _CONFERENCE.search(urlsplit(url).path) and title and url not in rows:
            rows[url] = Row(title=title, url=url)
    return list(rows.values())


def next_page(soup: BeautifulSoup, page_url: str, max_pages: int) -> Request | None:
    """A request for the next page of the list, if linked and within ``max_pages``."""
    current = page_number(page_url) or 1
    for anchor in soup.find_all("a", href=True):
        rel = [value.lower() for value in anchor.get("rel") or []]
        classes = [value.lower() for value in anchor.get("class") or []]
        if "next" in rel or "next" in classes or _text(anchor).lower() in _NEXT_WORDS:
            url = absolute_url(page_url, str(anchor["href"]).strip())
            number = page_number(url)
            if number is not None and current < number <= max_pages:
                return Request(url)
    return None


def page_number(url: str) -> int | None:
    """The page number a list URL asks for (``?page=2``), or None."""
    for key, value in parse_qsl(urlsplit(url).query):
        if key.lower() in _PAGE_KEYS and value.isdigit():
            return int(value)
    return None


def url_date(url: str) -> date | None:
    """The date in an event URL (``…/2024/11/20/slug``), or None."""
    match = _URL_DATE.search(urlsplit(url).path)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _parse_when(date_text: str, from_url: date | None) -> DaysAndTime | None:
    """Days and time of the date line (a date without a year takes the URL's), else the URL's
    date, else None."""
    spans = find_dates(date_text, from_url)
    if spans:
        times = find_times(date_text[spans[0].end:]) or find_times(date_text[:spans[0].start])
        return DaysAndTime(spans[0].first, spans[0].last, times[0] if times else None)
    if from_url is not None:
        return DaysAndTime(from_url, from_url)
    return None


def _parse_location(element: Tag, link: Tag | None) -> tuple[str, Tag | None]:
    """The place (text of the link in the row's last paragraph, unless that links to the event
    itself) and that paragraph."""
    marked = element.select_one(".location")
    if marked is not None:
        return _text(marked), marked
    paragraphs = [p for p in element.find_all("p") if "date" not in (p.get("class") or [])]
    if paragraphs:
        anchor = paragraphs[-1].find("a")
        to_event = link is not None and anchor is not None and anchor.get("href") == link["href"]
        if anchor is not None and not to_event and _text(anchor):
            return _text(anchor), paragraphs[-1]
    return "", None


def _parse_kind(title: str) -> Kind:
    return "meeting" if _MEETING.search(title) else "seminar"


def _text(element: Tag | None) -> str:
    return " ".join(element.get_text(" ").split()) if element is not None else ""
