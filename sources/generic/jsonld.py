"""schema.org events in JSON-LD: ``type = "jsonld"``.

Channel: any page at ``url`` whose ``<script type="application/ld+json">`` blocks describe
schema.org ``Event``s (Google asks event sites for them, so many CMSs, ticketing sites such
as Accupass and WordPress event plugins write them), or a bare JSON-LD document. Confidence:
high for the vocabulary (schema.org); sites fill it unevenly, hence the tolerance below.

Where events are found: a node whose ``@type`` (a string or a list, with or without a
``schema:`` / ``https://schema.org/`` prefix) is ``Event`` or any type ending in "Event"
(BusinessEvent, EducationEvent, SocialEvent, ...), anywhere in a block: alone, in a list,
in an ``@graph``, or nested (an ``ItemList``'s ``itemListElement``, an event's ``subEvent``).
A block that is not valid JSON is skipped (HTML comments and CDATA wrappers around the JSON
are removed first); a page without any JSON-LD raises ``ParseError``. ``{"@id": …}``
references are resolved against the other nodes of the page.

Fields of an event:

- ``name`` → title (HTML entities decoded, tags removed, status markers taken out).
- ``startDate`` / ``endDate``: a date alone is an all-day event (``endDate`` is inclusive,
  as in the model); a date-time with an offset or "Z" keeps its instant; a date-time without
  one is read in the source's ``timezone``. The event's time zone is always the source's
  ``timezone`` (JSON-LD gives offsets, not places), and times are given in it. A start
  written at exactly 00:00 with no end, or with an end at 00:00 or 23:59, is how CMSs write
  an all-day event: it becomes one (an end at 00:00 is exclusive). A non-ISO date
  ("May 7, 2024") is read as an all-day date.
- ``eventStatus`` (EventScheduled, EventRescheduled, EventCancelled, EventPostponed,
  EventMovedOnline, any prefix) → confirmed / confirmed on the new date / cancelled /
  postponed / confirmed. A status marker in the title ("[Cancelled]") wins over a scheduled
  (often a CMS default) or absent ``eventStatus``, not over a rescheduled one.
- ``location``: a ``Place`` (name, then its ``PostalAddress`` streetAddress,
  addressLocality, addressCountry, see :func:`join_place`), a text, a
  ``VirtualLocation`` ("Online"), or a list of these (joined with "; ").
- ``url`` (resolved against the page with ``urljoin``; the page's URL when absent),
  ``description`` (HTML removed, trimmed) followed by "Organizer: …" from ``organizer``,
  ``offers`` → ``registration_url`` (when it is not the event's url) and
  ``registration_deadline`` (``validThrough``, when it is on or before the start).
- Key: the event's absolute ``url``, else its ``@id``, when that identifies one event on the
  page; else organization, title and start date (``previousStartDate`` when given, so a
  rescheduled event keeps its uid).

Options: ``kind`` (str: meeting, seminar, hearing or deadline; default meeting).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aggregator.core.dates import find_dates
from aggregator.core.encoding import decode_body, load_json
from aggregator.core.model import KINDS, Event, EventError, title_date_key
from aggregator.core.status import status_from_title
from sources.base import ParseError, Response, Source
from sources.lib.complete import check_html
from sources.lib.markup import absolute_url, html_to_text, join_place

STATUSES = {"eventscheduled": "confirmed", "eventrescheduled": "confirmed",
            "eventmovedonline": "confirmed", "eventcancelled": "cancelled",
            "eventcanceled": "cancelled", "eventpostponed": "postponed"}
_WRAPPERS = re.compile(r"<!--|-->|(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>")
_ALL_DAY_ENDS = (time(0), time(23, 59), time(23, 59, 59))


@dataclass(frozen=True)
class Draft:
    """An event read from one node, before its key is chosen."""

    fields: dict[str, Any]
    url: str
    node_id: str
    key_start: date | datetime


class JsonLdSource(Source):
    """schema.org Events in a page's JSON-LD."""

    type = "jsonld"
    options = {"kind": str}

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        if options.get("kind", "meeting") not in KINDS:
            return {"kind": f"must be one of {', '.join(KINDS)}"}
        return {}

    def parse(self, response: Response) -> Iterator[Event]:
        documents = read_documents(response)
        index = node_index(documents)
        drafts: list[Draft] = []
        for node in event_nodes(documents):
            draft = self._parse_draft(node, index, response.url)
            if draft and all(draft.fields != seen.fields for seen in drafts):
                drafts.append(draft)
        for draft in drafts:
            event = self.event_of(draft, drafts)
            if event is not None:
                yield event

    def _parse_draft(self, node: Mapping[str, Any], index: Mapping[str, Any],
                     page_url: str) -> Draft | None:
        marked = status_from_title(_plain(_first(node.get("name"))))
        start, end = _parse_start_end(node, self.timezone)
        if not marked.title or start is None:
            return None
        url = _parse_url(node.get("url"), page_url)
        registration_url, deadline = _parse_offers(_resolve(node.get("offers"), index),
                                                   page_url, start)
        fields = {
            "title": marked.title, "start": start, "end": end,
            "location": _parse_location(node.get("location"), index),
            "url": url or page_url,
            "status": _parse_status(node.get("eventStatus"), marked.status),
            "kind": self.config.options.get("kind", "meeting"),
            "description": _parse_description(node, index),
            "registration_url": "" if registration_url == url else registration_url,
            "registration_deadline": deadline,
        }
        previous = _parse_when(_first(node.get("previousStartDate")), self.timezone)
        node_id = _first(node.get("@id"))
        return Draft(fields, url, absolute_url(page_url, node_id) if isinstance(node_id, str)
                     and node_id.strip() else "", previous or start)

    def event_of(self, draft: Draft, drafts: list[Draft]) -> Event | None:
        """The event of a draft, keyed among the page's ``drafts``; None when the event model
        refuses its fields."""
        try:
            return self.event(source_key=self._key(draft, drafts), **draft.fields)
        except EventError:
            return None

    def _key(self, draft: Draft, drafts: list[Draft]) -> str:
        """The url, else the @id, when no other event on the page has it; else title+date."""
        for attribute in ("url", "node_id"):
            value = getattr(draft, attribute)
            if value and sum(getattr(other, attribute) == value for other in drafts) == 1:
                return value
        return title_date_key(self.organization, draft.fields["title"], draft.key_start)


def read_documents(response: Response) -> list[Any]:
    """The decoded JSON of every JSON-LD block of the page (or of a bare JSON-LD body)."""
    from bs4 import BeautifulSoup
    text = decode_body(response.body, response.headers)
    if text.lstrip().startswith(("{", "[")):
        document = _load(text)
        if document is None:
            raise ParseError(f"{response.url}: not JSON-LD (invalid JSON)")
        return [document]
    check_html(response.body, response.url)  # a block cut off would be skipped: fewer events
    soup = BeautifulSoup(text, "lxml")
    scripts = soup.find_all("script", attrs={"type": re.compile(r"ld\+json", re.IGNORECASE)})
    if not scripts:
        raise ParseError(f"{response.url}: no JSON-LD (<script type=application/ld+json>)")
    documents = [_load(script.string or script.get_text()) for script in scripts]
    return [document for document in documents if document is not None]


def _load(text: str) -> Any:
    cleaned = _WRAPPERS.sub("", text).strip().rstrip(";")
    try:
        return load_json(cleaned, strict=False)
    except ValueError:
        return None


def event_nodes(value: Any) -> Iterator[Mapping[str, Any]]:
    """Every Event node in ``value``, depth first, in document order."""
    if isinstance(value, list):
        for item in value:
            yield from event_nodes(item)
    elif isinstance(value, dict):
        if any(name == "Event" or name.endswith("Event") for name in _types(value)):
            yield value
        for key, item in value.items():
            if key != "@context":
                yield from event_nodes(item)


def node_index(value: Any, index: dict[str, Any] | None = None) -> dict[str, Any]:
    """Nodes with an ``@id`` and content, by id, so that references can be followed."""
    index = {} if index is None else index
    if isinstance(value, list):
        for item in value:
            node_index(item, index)
    elif isinstance(value, dict):
        if isinstance(value.get("@id"), str) and len(value) > 1:
            index.setdefault(value["@id"], value)
        for item in value.values():
            node_index(item, index)
    return index


def _types(node: Mapping[str, Any]) -> list[str]:
    kinds = node.get("@type", [])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return [re.split(r"[/:#]", kind.strip())[-1] for kind in kinds if isinstance(kind, str)]


def _resolve(value: Any, index: Mapping[str, Any]) -> Any:
    if isinstance(value, dict) and set(value) == {"@id"}:
        return index.get(value["@id"], value)
    if isinstance(value, list):
        return [_resolve(item, index) for item in value]
    return value


def _first(value: Any) -> Any:
    return (value[0] if value else None) if isinstance(value, list) else value


def _plain(value: Any) -> str:
    """One line of text: entities decoded, tags removed, whitespace collapsed."""
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if not isinstance(value, str):
        return ""
    return " ".join(html_to_text(value).split())


def _parse_start_end(node: Mapping[str, Any], zone: str
                     ) -> tuple[date | datetime | None, date | datetime | None]:
    """Start and end: dates (end inclusive) or datetimes in ``zone``; see the docstring."""
    start = _parse_when(_first(node.get("startDate")), zone)
    end = _parse_when(_first(node.get("endDate")), zone)
    if isinstance(start, datetime) and _all_day_written(start, end):
        day = start.date()
        start, end = day, _last_day(day, end if isinstance(end, datetime) else None)
    if start is None:
        return None, None
    if isinstance(start, datetime):
        start = start.astimezone(ZoneInfo(zone))
        end = end.astimezone(ZoneInfo(zone)) if isinstance(end, datetime) else None
        return start, end if end is not None and end > start else None
    end = end if type(end) is date and end >= start else start
    return start, end


def _all_day_written(start: datetime, end: date | datetime | None) -> bool:
    """A start at 00:00 with no end, or with an end at 00:00 or 23:59 (as written)."""
    return start.time() == time(0) and (
        end is None or (isinstance(end, datetime) and end.time() in _ALL_DAY_ENDS))


def _last_day(first: date, end: datetime | None) -> date:
    if end is None:
        return first
    last = end.date() - timedelta(days=1) if end.time() == time(0) else end.date()
    return max(first, last)


def _parse_when(value: Any, zone: str) -> date | datetime | None:
    """A schema.org Date or DateTime (ISO 8601) as written; naive times read in ``zone``."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return date.fromisoformat(text)
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        spans = find_dates(text)
        return spans[0].first if spans else None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


def _parse_status(value: Any, marked: str | None) -> str:
    """``eventStatus`` cancelled or postponed wins; else a title marker (unless the event
    was rescheduled: then the marker names the old date); else confirmed."""
    if isinstance(value, dict):
        value = value.get("@id") or value.get("name")
    word = re.split(r"[/:#]", value.strip())[-1].lower() if isinstance(value, str) else ""
    status = STATUSES.get(word)
    if status in ("cancelled", "postponed"):
        return status
    if marked and word != "eventrescheduled":
        return marked
    return "confirmed"


def _parse_location(value: Any, index: Mapping[str, Any]) -> str:
    value = _resolve(value, index)
    places = value if isinstance(value, list) else [value]
    names = [_place_text(_resolve(place, index), index) for place in places]
    return "; ".join(dict.fromkeys(name for name in names if name))


def _place_text(place: Any, index: Mapping[str, Any]) -> str:
    if isinstance(place, str):
        return _plain(place)
    if not isinstance(place, dict):
        return ""
    if "VirtualLocation" in _types(place):
        return "Online"
    address = _resolve(place.get("address"), index)
    if not isinstance(address, dict):
        return join_place(_plain(place.get("name")), _plain(address))
    country = _resolve(address.get("addressCountry"), index)
    return join_place(_plain(place.get("name")), _plain(address.get("streetAddress")),
                      _plain(address.get("addressLocality")),
                      _plain(country.get("name") if isinstance(country, dict) else country))


def _parse_url(value: Any, page_url: str) -> str:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url")
    if not isinstance(value, str) or not value.strip():
        return ""
    return absolute_url(page_url, html.unescape(value.strip()))


def _parse_offers(value: Any, page_url: str,
                  start: date | datetime) -> tuple[str, date | None]:
    offer = _first(value)
    if not isinstance(offer, dict):
        return "", None
    until = _parse_when(_first(offer.get("validThrough")), "UTC")
    day = until.date() if isinstance(until, datetime) else until
    first_day = start.date() if isinstance(start, datetime) else start
    return _parse_url(offer.get("url"), page_url), day if day and day <= first_day else None


def _parse_description(node: Mapping[str, Any], index: Mapping[str, Any]) -> str:
    text = _first(node.get("description"))
    description = html_to_text(text) if isinstance(text, str) else ""
    organizer = _resolve(node.get("organizer"), index)
    names = [_plain(item.get("name") if isinstance(item, dict) else item)
             for item in (organizer if isinstance(organizer, list) else [organizer])]
    names = [name for name in dict.fromkeys(names) if name]
    if names:
        description += ("\n\n" if description else "") + "Organizer: " + ", ".join(names)
    return description
