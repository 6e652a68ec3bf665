"""OECD events, read from the events page (HTML), or from the site's search API (JSON).

Channel ``mode = "html"`` (default): ``GET https://www.oecd.org/en/events.html``. The page
has the sections "Featured", "Upcoming events" and "Recent replays" (headings); each event
is a card linking to ``/en/events/YYYY/MM/slug.html``, with a date line ("5 March 2026",
"12–14 March 2026", "12-13 March 2025", maybe a time such as "14:00-15:30 CET") and a format
tag ("In person", "Virtual", "Hybrid"). Cards are found from their links, not from class
names: a card is the largest block around an event link that holds a date and no other
event's link. Events under "Recent replays" (or "Past events") are past and skipped.
Confidence: medium for the sections, date forms, tags and URLs (described publicly); low for
the exact markup, which no public copy shows: hence the link-based reading.

Channel ``mode = "api"``: ``GET https://api.oecd.org/webcms/search/faceted-search`` with
``siteName=oecd``, ``interfaceLanguage=en``, ``orderBy=mostRecent``, ``page`` (from 0),
``pageSize`` (option ``page_size``) and ``hiddenFacets`` (option ``facet``, default
``oecd-search-config-pillars:events``, inferred) → ``{results: [{title, description, url,
publicationDateTime, tags: [{id, title}]}], total}``; pages are followed up to ``max_pages``.
``publicationDateTime`` is when the page was published, not the event date, so the date is
read from the title and description (a date in the URL's month preferred), or from
``startDateTime``/``endDateTime`` should a result carry them (not documented). A result with
no readable date is skipped. Confidence: high for the endpoint and envelope (several public
users), low for the events facet and for dates being stated in descriptions. ``parse`` reads
either format whatever the mode, so ``tradecal parse`` works on both kinds of saved file.

Fields: ``title`` (status markers taken out), ``start``/``end`` (all-day dates, end inclusive;
a single day with a stated time is timed in Europe/Paris, or UTC for "GMT"/"UTC"),
``location`` ("Virtual", "Hybrid"; empty for in-person events, whose venue is not listed),
``url`` (the event page, also the ``source_key``), ``kind`` ("meeting" for Meetings,
Ministerials, Councils, Committees and Forums, else "seminar"), ``description``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from aggregator.core.dates import DateSpan, TimeSpan, find_dates, find_times
from aggregator.core.model import Event
from aggregator.core.status import status_from_title
from sources.base import ParseError, Request, Response, Source
from sources.lib.event_cards import HEADINGS, card_and_title, kind_of_title, shorten, text_of
from sources.lib.listing import page_soup
from sources.lib.markup import absolute_url
from sources.lib.site_search import plain_text, read_search, search_query
from sources.lib.when import event_times

if TYPE_CHECKING:  # the parser library is imported where it is used
    from bs4 import BeautifulSoup, Tag

EVENTS_URL = "https://www.oecd.org/en/events.html"
SEARCH_URL = "https://api.oecd.org/webcms/search/faceted-search"
SITE = "https://www.oecd.org"
EVENTS_FACET = "oecd-search-config-pillars:events"
MODES = ("html", "api")

_EVENT_PATH = re.compile(r"^/(?:[a-z]{2}/)?events/((?:19|20)\d\d)/(\d\d)/[^/]+\.html$")
_SECTION = re.compile(r"^(?P<name>featured|upcoming|recent replays?|replays?|past events?)\b",
                      re.I)
_PAST = re.compile(r"replay|past", re.I)
_NO_EVENTS = re.compile(r"\bno (?:upcoming )?events\b", re.I)
_FORMATS = {"in person": "", "in-person": "", "virtual": "Virtual", "online": "Virtual",
            "hybrid": "Hybrid"}


@dataclass(frozen=True)
class Listing:
    """One event as a channel lists it: page URL, title, the text holding its date, format."""

    url: str
    title: str
    text: str
    location: str = ""
    description: str = ""
    reference: date | None = None


class OecdSource(Source):
    """OECD events (conferences, launches, forums, webinars)."""

    type = "oecd"
    options = {"mode": str, "page_size": int, "max_pages": int, "facet": str}

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        problems = {}
        if options.get("mode", "html") not in MODES:
            problems["mode"] = f"must be one of {', '.join(MODES)}"
        if not 1 <= options.get("page_size", 50) <= 100:
            problems["page_size"] = "must be between 1 and 100"
        if options.get("max_pages", 4) < 1:
            problems["max_pages"] = "must be at least 1"
        return problems

    def start_requests(self) -> list[Request]:
        if self.config.options.get("mode", "html") == "html":
            return [Request(self.config.url or EVENTS_URL)]
        return [self._search_request(0, int(self.config.options.get("page_size", 50)))]

    def _search_request(self, page: int, size: int) -> Request:
        params = (("siteName", "oecd"), ("interfaceLanguage", "en"), ("orderBy", "mostRecent"),
                  ("page", str(page)), ("pageSize", str(size)),
                  ("hiddenFacets", self.config.options.get("facet", EVENTS_FACET)))
        return Request(self.config.url or SEARCH_URL, params=params,
                       headers=(("Accept", "application/json"),))

    def parse(self, response: Response) -> Iterator[Event | Request]:
        search = read_search(response, "results", list, "an OECD search response")
        listings = (read_page(page_soup(response), response.url) if search is None
                    else [item for item in map(listing_of_result, search["results"]) if item])
        for listing in listings:
            event = self.event_of(listing)
            if event is not None:
                yield event
        following = self._next_search(response, search) if search is not None else None
        if following is not None:
            yield following

    def event_of(self, listing: Listing) -> Event | None:
        """The event of a listing, or None when no date can be read for it."""
        span = _parse_span(listing)
        if span is None:
            return None
        marked = status_from_title(listing.title)
        start, end = _parse_start_end(span, listing.text[span.end:], self.timezone)
        return self.event(source_key=listing.url, title=marked.title, start=start, end=end,
                          location=listing.location, url=listing.url,
                          status=marked.status or "confirmed", kind=kind_of_title(marked.title),
                          description=listing.description)

    def _next_search(self, response: Response, data: Mapping[str, Any]) -> Request | None:
        query = search_query(response)
        try:
            page, size, total = int(query["page"]), int(query["pageSize"]), int(data["total"])
        except (KeyError, TypeError, ValueError):
            return None
        if (page + 1) * size < total and page + 1 < self.config.options.get("max_pages", 4):
            return self._search_request(page + 1, size)
        return None


def listing_of_result(result: object) -> Listing | None:
    """A Listing from one search result; None when it is not an event page."""
    if not isinstance(result, dict) or not isinstance(result.get("url"), str):
        return None
    url = event_url(result["url"], SITE)
    title = plain_text(result.get("title"))
    if not url or not title:
        return None
    description = plain_text(result.get("description"))
    days = [_paris_day(result.get(key)) for key in ("startDateTime", "endDateTime")]
    dated = " - ".join(f"{day.day} {day:%B} {day.year}" for day in days if day)
    given = result.get("tags")
    listed = given if isinstance(given, list) else []
    tags = [plain_text(tag.get("title")).lower() for tag in listed if isinstance(tag, dict)]
    location = next((_FORMATS[tag] for tag in tags if tag in _FORMATS), "")
    return Listing(url=url, title=title, text=dated or f"{title}. {description}",
                   location=location, description=shorten(description),
                   reference=_paris_day(result.get("publicationDateTime")))


def read_page(soup: BeautifulSoup, page_url: str) -> list[Listing]:
    """The listings of the events page, upcoming and featured (past sections skipped)."""
    section = ""
    anchors: dict[str, list[Tag]] = {}
    past: set[str] = set()
    for element in soup.find_all(True):
        if element.name in HEADINGS and (match := _SECTION.match(text_of(element))):
            section = match["name"]
        elif element.name == "a" and (url := event_url(element.get("href"), page_url)):
            anchors.setdefault(url, []).append(element)
            if _PAST.search(section):
                past.add(url)
    if not anchors and not _NO_EVENTS.search(soup.get_text(" ")):
        raise ParseError(f"{page_url}: no links to /en/events/YYYY/MM/… pages: "
                         "not the OECD events page")
    return [listing for url, links in anchors.items() if url not in past
            if (listing := _listing_of_card(url, links))]


def _listing_of_card(url: str, links: list[Tag]) -> Listing | None:
    """The listing of one event page from its links and their card; None without a title."""
    card, title = card_and_title(links, url, event_url)
    if not title:
        return None
    strings = [" ".join(piece.split()) for piece in card.find_all(string=True)]
    location = next((_FORMATS[s.lower()] for s in strings if s.lower() in _FORMATS), "")
    paragraphs = [text_of(p) for p in card.find_all("p")
                  if not find_dates(text_of(p)) and not find_times(text_of(p))]
    text = text_of(card).replace(title, " ", 1)
    return Listing(url=url, title=title, text=text, location=location,
                   description=shorten(" ".join(p for p in paragraphs
                                                 if p.lower() not in _FORMATS)))


def event_url(href: object, base: str) -> str | None:
    """The absolute URL of an OECD event page (``/en/events/YYYY/MM/slug.html``), else None."""
    if not isinstance(href, str) or not href.strip():
        return None
    url = absolute_url(base, href.strip()).split("#")[0]
    parts = urlsplit(url)
    if parts.netloc.lower() not in ("www.oecd.org", "oecd.org"):
        return None
    return url if _EVENT_PATH.match(parts.path) else None


def _parse_span(listing: Listing) -> DateSpan | None:
    """The event's dates: a span in the URL's month if any, else the first span."""
    match = _EVENT_PATH.match(urlsplit(listing.url).path)
    month = (int(match[1]), int(match[2])) if match else None
    reference = listing.reference or (date(month[0], month[1], 15) if month else None)
    spans = find_dates(listing.text, reference)
    in_month = [span for span in spans if (span.first.year, span.first.month) == month]
    return (in_month or spans)[0] if in_month or spans else None


def _parse_start_end(span: DateSpan, after: str,
                     zone_name: str) -> tuple[date | datetime, date | datetime | None]:
    """The event's start and end: its days, timed by a time stated just after its date."""
    times: list[TimeSpan] = find_times(after[:80])
    return event_times(span.first, span.last, times[0] if times else None, zone_name)


def _paris_day(value: object) -> date | None:
    """The day of an ISO date-time string, in Paris when it has an offset (else None)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo("Europe/Paris"))
    return moment.date()
