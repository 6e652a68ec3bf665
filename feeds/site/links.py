"""The site's outgoing links: subscribing to a feed, and adding one event to a calendar.

Subscribe links (:class:`Subscribe`) are built from a feed's absolute URL: ``webcal://``
(Apple Calendar on iPhone and Mac, Outlook and Thunderbird open it), Google Calendar's
``render?cid=webcal://...``, Outlook.com's and Microsoft 365's ``addfromweb?url=...&name=...``.
The page's script rebuilds them the same way from the address the page is actually served
at (``site.js``), so a copy served elsewhere links to its own feeds.

One event (:func:`add_links`): Google Calendar's ``action=TEMPLATE`` and Outlook's
``deeplink/compose`` links, next to the event's own ``.ics`` file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote, urlencode

from feeds.site.model import SiteEvent

GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/render?cid="
OUTLOOK_SUBSCRIBE = "https://outlook.live.com/calendar/0/addfromweb?"
OFFICE_SUBSCRIBE = "https://outlook.office.com/calendar/0/addfromweb?"
GOOGLE_EVENT = "https://calendar.google.com/calendar/render?"
OUTLOOK_EVENT = "https://outlook.live.com/calendar/0/deeplink/compose?"
DETAILS_LIMIT = 600


@dataclass(frozen=True)
class Subscribe:
    """A feed's URL and its subscribe links."""

    url: str
    name: str
    webcal: str
    google: str
    outlook: str
    office: str


def subscribe_links(url: str, name: str) -> Subscribe:
    """The subscribe links of the feed at the absolute http(s) ``url``."""
    webcal = "webcal://" + url.split("://", 1)[-1]
    query = urlencode({"url": url, "name": name}, quote_via=quote)
    return Subscribe(url, name, webcal, GOOGLE_SUBSCRIBE + quote(webcal, safe=":/%"),
                     OUTLOOK_SUBSCRIBE + query, OFFICE_SUBSCRIBE + query)


@dataclass(frozen=True)
class AddLinks:
    """Google Calendar and Outlook links that add one event."""

    google: str
    outlook: str


def add_links(item: SiteEvent, page_url: str) -> AddLinks:
    """Links adding ``item`` to Google Calendar and Outlook; ``page_url`` goes in the
    details."""
    event = item.stored.event
    details = "\n".join(part for part in (item.organizer, event.url, page_url) if part)
    details = details[:DETAILS_LIMIT]
    if isinstance(event.start, datetime):
        end = event.end if isinstance(event.end, datetime) else event.start + timedelta(hours=1)
        google_dates = f"{_utc_stamp(event.start)}/{_utc_stamp(end)}"
        outlook_times = {"startdt": _utc_iso(event.start), "enddt": _utc_iso(end)}
    else:
        after = item.last + timedelta(days=1)
        google_dates = f"{item.first:%Y%m%d}/{after:%Y%m%d}"
        outlook_times = {"startdt": item.first.isoformat(), "enddt": after.isoformat(),
                         "allday": "true"}
    google = GOOGLE_EVENT + urlencode(
        {"action": "TEMPLATE", "text": item.title, "dates": google_dates,
         "details": details, "location": event.location}, quote_via=quote)
    outlook = OUTLOOK_EVENT + urlencode(
        {"path": "/calendar/action/compose", "rru": "addevent", "subject": item.title,
         **outlook_times, "body": details, "location": event.location}, quote_via=quote)
    return AddLinks(google, outlook)


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_web_url(url: str) -> bool:
    """Whether ``url`` may be a link on the site (absolute http or https)."""
    head = url.strip().lower()
    return head.startswith(("http://", "https://")) and len(head.split("://", 1)[1]) > 0


def day_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
