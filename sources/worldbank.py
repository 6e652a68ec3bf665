"""World Bank events, read from the Bank's search API (JSON), or from its events page (HTML).

Channel ``mode = "api"`` (default): ``GET https://search.worldbank.org/api/v2/news`` with
``format=json``, ``rows`` (option ``rows``), ``os`` (offset), ``lang_exact`` (option
``language``, default "English"), ``displayconttype_exact`` (option ``content_type``,
default "Event"; "" leaves it out), ``qterm`` (option ``query``), ``srt=lnchdt``,
``order=desc``. The answer is ``{rows, os, page, total, documents: {"<id>": {id, url,
title: {"cdata!": …}, descr: {"cdata!": …}, lnchdt, country, conttype, …}, "facets": {…}}}``
(the ``facets`` entry is no document and is skipped); pages are followed up to ``max_pages``.
Only documents whose URL is an event page (``/en/events/YYYY/MM/DD/slug``, any language)
become events, so a wrong content-type filter yields too few events, never wrong ones.
Confidence: high for the endpoint and the document fields (several public users, read for
news); low for the "Event" content type, which no public user shows.

Channel ``mode = "html"``: ``GET https://www.worldbank.org/en/events``; every link to an
event page is an event, its title the link's (or its card's heading) text. Confidence: low:
whether the page lists its events without a script is not known. ``parse`` reads either
format whatever the mode, so ``tradecal parse`` works on both kinds of saved file.

Dates: the start is the date in the event URL (dependable: the Bank files event pages under
their date); the end comes from a range in the title, description or card that starts on
that day ("April 23-24, 2025"), and a single day with a stated time ("9:00 a.m. ET") is timed
in America/New_York. ``lnchdt`` is when the page was published, not the event date: it only
gives the year to dates written without one. ``title`` has status markers taken out;
``location`` is the card's location or venue line (HTML), empty from the API (its ``country``
is the subject, not the venue, and goes to the description); ``url`` (https) is the
``source_key``; ``kind`` is "meeting" for Meetings, Ministerials, Councils, Committees and
Forums, else "seminar". A document or link whose URL carries no valid day is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from aggregator.core.dates import find_dates, find_times
from aggregator.core.model import Event
from aggregator.core.status import status_from_title
from sources.base import ParseError, Request, Response, Source
from sources.lib.event_cards import card_and_title, kind_of_title, shorten, text_of
from sources.lib.listing import page_soup
from sources.lib.markup import absolute_url
from sources.lib.site_search import plain_text, read_search, search_query
from sources.lib.when import event_times

if TYPE_CHECKING:  # the parser library is imported where it is used
    from bs4 import BeautifulSoup, Tag

SEARCH_URL = "https://search.worldbank.org/api/v2/news"
EVENTS_URL = "https://www.worldbank.org/en/events"
SITE_BASE = "https://www.worldbank.org/"
MODES = ("api", "html")

_EVENT_PATH = re.compile(r"^/[a-z]{2}/events/((?:19|20)\d\d)/(\d\d)/(\d\d)/[^/]+/?$")
_HOSTS = re.compile(r"(?:^|\.)(?:worldbank\.org|bancomundial\.org|banquemondiale\.org)$")
_GENERIC_COUNTRIES = {"", "world", "global"}


@dataclass(frozen=True)
class Listing:
    """One listed event: page URL (https), its day, title, and the text around it."""

    url: str
    day: date
    title: str
    text: str = ""
    location: str = ""
    description: str = ""
    reference: date | None = None


class WorldBankSource(Source):
    """World Bank events (conferences, launches, seminars, the Spring and Annual Meetings)."""

    type = "worldbank"
    options = {"mode": str, "rows": int, "max_pages": int, "content_type": str,
               "language": str, "query": str}

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        problems = {}
        if options.get("mode", "api") not in MODES:
            problems["mode"] = f"must be one of {', '.join(MODES)}"
        if not 1 <= options.get("rows", 50) <= 100:
            problems["rows"] = "must be between 1 and 100"
        if options.get("max_pages", 4) < 1:
            problems["max_pages"] = "must be at least 1"
        return problems

    def start_requests(self) -> list[Request]:
        if self.config.options.get("mode", "api") == "html":
            return [Request(self.config.url or EVENTS_URL)]
        return [self._search_request(0, int(self.config.options.get("rows", 50)))]

    def _search_request(self, offset: int, rows: int) -> Request:
        options = self.config.options
        params = [("format", "json"), ("rows", str(rows)), ("os", str(offset)),
                  ("lang_exact", options.get("language", "English")),
                  ("displayconttype_exact", options.get("content_type", "Event")),
                  ("qterm", options.get("query", "")), ("srt", "lnchdt"), ("order", "desc")]
        return Request(self.config.url or SEARCH_URL,
                       params=tuple((key, value) for key, value in params if value))

    def parse(self, response: Response) -> Iterator[Event | Request]:
        search = read_search(response, "documents", dict, "a World Bank search response")
        listings = (read_page(page_soup(response), response.url) if search is None
                    else [item for item in map(listing_of_document, search["documents"].values())
                          if item])
        for listing in listings:
            yield self.event_of(listing)
        following = self._next_search(response, search) if search is not None else None
        if following is not None:
            yield following

    def event_of(self, listing: Listing) -> Event:
        """The event of a listing: its URL's day, completed from its text."""
        marked = status_from_title(listing.title)
        start, end = _parse_start_end(listing, self.timezone)
        return self.event(source_key=listing.url, title=marked.title, start=start, end=end,
                          location=listing.location, url=listing.url,
                          status=marked.status or "confirmed", kind=kind_of_title(marked.title),
                          description=listing.description)

    def _next_search(self, response: Response, data: Mapping[str, Any]) -> Request | None:
        query = search_query(response)
        try:
            offset, rows, total = int(query["os"]), int(query["rows"]), int(data["total"])
        except (KeyError, TypeError, ValueError):
            return None
        page = offset // max(rows, 1) + 1
        if offset + rows < total and page < self.config.options.get("max_pages", 4):
            return self._search_request(offset + rows, rows)
        return None


def listing_of_document(document: object) -> Listing | None:
    """A Listing from one search document; None for the facets entry and non-event pages."""
    if not isinstance(document, dict):
        return None
    url, day = event_page(document.get("url"), SITE_BASE)
    title = _cdata(document.get("title"))
    if not url or day is None or not title:
        return None
    description = _cdata(document.get("descr"))
    given = document.get("country")
    country = given if isinstance(given, str) else ""
    about = f"Country: {country.strip()}." if country.strip().lower() not in \
        _GENERIC_COUNTRIES else ""
    return Listing(url=url, day=day, title=title, text=f"{title}. {description}",
                   description=shorten(" ".join(filter(None, [description, about]))),
                   reference=_written_day(document.get("lnchdt")))


def read_page(soup: BeautifulSoup, page_url: str) -> list[Listing]:
    """The listings of the events page: one per linked event page."""
    links: dict[str, list[Tag]] = {}
    days: dict[str, date] = {}
    for anchor in soup.find_all("a", href=True):
        url, day = event_page(anchor["href"], page_url)
        if url and day is not None:
            links.setdefault(url, []).append(anchor)
            days[url] = day
    if not links:
        raise ParseError(f"{page_url}: no links to /en/events/YYYY/MM/DD/… pages: not the "
                         "World Bank events page (or its list is filled by a script)")
    listings = []
    for url, anchors in links.items():
        card, title = card_and_title(anchors, url, event_url)
        if title:
            place = card.select_one("[class*=location], [class*=venue]")
            listings.append(Listing(url=url, day=days[url], title=title,
                                    text=text_of(card).replace(title, " ", 1),
                                    location=text_of(place)))
    return listings


def event_page(href: object, base: str) -> tuple[str, date | None]:
    """The https URL of a World Bank event page and the day in it, else ("", None)."""
    if not isinstance(href, str) or not href.strip():
        return "", None
    parts = urlsplit(absolute_url(base, href.strip()))
    match = _EVENT_PATH.match(parts.path)
    if not match or not _HOSTS.search(parts.netloc.lower()):
        return "", None
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return "", None
    return urlunsplit(("https", parts.netloc.lower(), parts.path, parts.query, "")), day


def event_url(href: object, base: str) -> str | None:
    """The https URL of a World Bank event page (as :func:`event_page`), else None."""
    return event_page(href, base)[0] or None


def _parse_start_end(listing: Listing,
                     zone_name: str) -> tuple[date | datetime, date | datetime | None]:
    """The URL's day (all-day), to the end of a range starting on it; timed for one day with
    a time after its date."""
    spans = [span for span in find_dates(listing.text, listing.reference or listing.day)
             if span.first == listing.day]
    if spans and spans[0].last > listing.day:
        return listing.day, spans[0].last
    times = find_times(listing.text[spans[0].end:spans[0].end + 80]) if spans else []
    return event_times(listing.day, listing.day, times[0] if times else None, zone_name)


def _cdata(value: object) -> str:
    """Plain text of a ``{"cdata!": "…"}`` field (or a bare string), tags and entities read."""
    return plain_text(value.get("cdata!") if isinstance(value, dict) else value)


def _written_day(value: object) -> date | None:
    """The day an ISO date-time string is written for (its first ten characters), else None."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
