"""WordPress sites running The Events Calendar ("Tribe"): ``type = "tribe"``.

Channel: the plugin's REST API, ``GET {site}/wp-json/tribe/events/v1/events`` with
``page``, ``per_page=50`` (its maximum), ``start_date=YYYY-MM-DD`` and optionally
``categories``; ``url`` may be the site's root (the API path is added) or the API URL itself
(also the ``?rest_route=/tribe/events/v1/events`` form of sites without pretty permalinks).
The answer is ``{events: […], rest_url, next_rest_url, total, total_pages}``;
``next_rest_url`` (absent on the last page) is followed, up to ``max_pages`` pages.
Confidence: high for the shape (the plugin documents it and many public scrapers read it).

Fields of an event: ``id`` (the key), ``url``, ``title`` (HTML entities such as ``&#8211;``
decoded), ``description`` (HTML, reduced to text), ``all_day``, ``start_date`` /
``end_date`` (``"Y-m-d H:i:s"`` wall-clock time in the event's ``timezone``),
``utc_start_date`` / ``utc_end_date``, ``timezone``, ``venue`` ({venue, address, city,
country, …}, or ``[]`` when the event has none) and ``categories``. All-day events are dates
(the end, written as 23:59:59 of the last day, is inclusive).

Time zone: the event's own ``timezone`` when it is an IANA place name. WordPress may instead
hold a bare offset ("UTC+8"): a non-zero offset is applied to the wall-clock time; "UTC" or
"UTC+0" is WordPress's default, commonly left unset while times are typed in local time, so
those times are read in the source's ``timezone``. The event's zone is then the source's.
Status: a marker in the title ("Canceled: …", "【延期】…"); else confirmed.

Options: ``start_date`` (str, YYYY-MM-DD; default ``past_days`` before today),
``past_days`` (int, default 30), ``categories`` (str, category slugs or ids, comma
separated), ``max_pages`` (int, default 20), ``kind`` (str: meeting, seminar, hearing or
deadline; default meeting).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregator.core.encoding import load_json
from aggregator.core.model import KINDS, Event, EventError
from aggregator.core.status import status_from_title
from sources.base import ParseError, Request, Response, Source
from sources.lib.markup import html_to_text, join_place

API_PATH = "/wp-json/tribe/events/v1/events"
PER_PAGE = 50
DEFAULT_PAST_DAYS = 30
DEFAULT_MAX_PAGES = 20
_OFFSET = re.compile(r"^(?:UTC|GMT)\s*(?:(?P<sign>[+-])(?P<hours>\d{1,2})(?:[:.](?P<minutes>\d\d)"
                     r"|\.(?P<fraction>\d+))?)?$", re.IGNORECASE)


class TribeSource(Source):
    """Events of a WordPress site's The Events Calendar REST API."""

    type = "tribe"
    options = {"start_date": str, "past_days": int, "categories": str, "max_pages": int,
               "kind": str}

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        problems = {}
        if "start_date" in options:
            try:
                date.fromisoformat(options["start_date"])
            except ValueError:
                problems["start_date"] = f"{options['start_date']!r} is not a date (YYYY-MM-DD)"
        if options.get("past_days", 0) < 0:
            problems["past_days"] = "must not be negative"
        if options.get("max_pages", 1) < 1:
            problems["max_pages"] = "must be at least 1"
        if options.get("kind", "meeting") not in KINDS:
            problems["kind"] = f"must be one of {', '.join(KINDS)}"
        return problems

    def start_requests(self) -> list[Request]:
        options = self.config.options
        start = options.get("start_date") or (
            self.today - timedelta(days=int(options.get("past_days", DEFAULT_PAST_DAYS)))
        ).isoformat()
        params = [("page", "1"), ("per_page", str(PER_PAGE)), ("start_date", start)]
        if options.get("categories"):
            params.append(("categories", options["categories"]))
        return [Request(api_url(self.config.url), params=tuple(params),
                        headers=(("Accept", "application/json"),))]

    def parse(self, response: Response) -> Iterator[Event | Request]:
        envelope = read_envelope(response)
        for item in envelope["events"]:
            event = self.event_of(item) if isinstance(item, dict) else None
            if event is not None:
                yield event
        max_pages = int(self.config.options.get("max_pages", DEFAULT_MAX_PAGES))
        following = next_page_request(envelope.get("next_rest_url"), max_pages)
        if following is not None:
            yield following

    def event_of(self, item: Mapping[str, Any]) -> Event | None:
        """The event of one API item, or None without a title, start or id."""
        marked = status_from_title(html_to_text(str(item.get("title") or "")))
        identity = item.get("id")
        zone = place_zone(item.get("timezone")) or self.timezone
        start, end = self._parse_start_end(item, zone)
        if not marked.title or start is None or identity in (None, ""):
            return None
        try:
            return self.event(
                source_key=str(identity), title=marked.title, start=start, end=end,
                timezone=zone, location=_parse_location(item.get("venue")),
                url=str(item.get("url") or "").strip(), status=marked.status or "confirmed",
                kind=self.config.options.get("kind", "meeting"),
                description=html_to_text(str(item.get("description") or "")))
        except EventError:
            return None

    def _parse_start_end(self, item: Mapping[str, Any], zone: str
                         ) -> tuple[date | datetime | None, date | datetime | None]:
        start = self._parse_moment(item, "start_date", zone)
        end = self._parse_moment(item, "end_date", zone)
        if start is None:
            return None, None
        if item.get("all_day") in (True, "1", 1, "yes", "true"):
            first = start.date()
            last = end.date() if end is not None else first
            return first, max(first, last)
        return start, end if end is not None and end > start else None

    def _parse_moment(self, item: Mapping[str, Any], key: str, zone: str) -> datetime | None:
        """``start_date``/``end_date`` as an aware datetime in ``zone`` (see the module
        docstring for bare offsets); the ``utc_`` twin when the local one is missing."""
        wall = _wall_clock(item.get(key))
        written = str(item.get("timezone") or "").strip()
        if wall is not None:
            offset = _offset(written) if place_zone(written) is None else None
            if offset:
                return wall.replace(tzinfo=timezone(offset)).astimezone(ZoneInfo(zone))
            return wall.replace(tzinfo=ZoneInfo(zone))
        utc = _wall_clock(item.get(f"utc_{key}"))
        return utc.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)) if utc else None


def api_url(url: str) -> str:
    """The events endpoint for a configured site root or endpoint URL."""
    if "/wp-json/" in url or "rest_route=" in url:
        return url
    return url.rstrip("/") + API_PATH


def read_envelope(response: Response) -> Mapping[str, Any]:
    """The decoded answer; ParseError (naming the URL) unless it holds an ``events`` list."""
    try:
        data = load_json(response.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"{response.url}: not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        detail = (data.get("message") or data.get("code") or sorted(data)
                  if isinstance(data, dict) else type(data).__name__)
        raise ParseError(f"{response.url}: not a The Events Calendar answer: "
                         f"{json.dumps(detail, ensure_ascii=False)[:200]}")
    return data


def next_page_request(url: object, max_pages: int) -> Request | None:
    """A request for ``next_rest_url``, unless absent or beyond ``max_pages``."""
    if not isinstance(url, str) or not url.strip():
        return None
    page = parse_qs(urlsplit(url).query).get("page", ["2"])[0]
    if page.isdigit() and int(page) > max_pages:
        return None
    return Request(url.strip(), headers=(("Accept", "application/json"),))


def place_zone(name: object) -> str | None:
    """``name`` when it is an IANA zone of a place (not UTC, an Etc/ zone or an offset)."""
    if not isinstance(name, str) or "/" not in name or name.startswith("Etc/"):
        return None
    try:
        ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America/Indiana" is a folder
        return None
    return name.strip()


def _offset(name: str) -> timedelta | None:
    """The offset of WordPress's "UTC+8", "UTC-5:30", "UTC+5.5" zone names."""
    match = _OFFSET.match(name)
    if not match or not match["sign"]:
        return None
    minutes = int(match["minutes"] or 0) + round(float(f"0.{match['fraction'] or 0}") * 60)
    delta = timedelta(hours=int(match["hours"]), minutes=minutes)
    return -delta if match["sign"] == "-" else delta


def _wall_clock(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.strip().replace(" ", "T", 1)).replace(tzinfo=None)
    except ValueError:
        return None


def _parse_location(venue: object) -> str:
    if isinstance(venue, list):
        venue = next((item for item in venue if isinstance(item, dict)), None)
    if not isinstance(venue, dict):
        return ""
    name, street, city, country = (" ".join(html_to_text(str(venue.get(key) or "")).split())
                                   for key in ("venue", "address", "city", "country"))
    return join_place(name, street, city, country)
