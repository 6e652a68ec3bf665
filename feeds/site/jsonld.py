"""schema.org ``Event`` objects in JSON-LD: ``events.json`` (every event of ``all.ics``)
and the agenda page's embedded script (its upcoming events).

Each event has ``identifier`` (its ICS UID), ``name``, ``startDate``/``endDate`` (ISO 8601:
a date for an all-day event, else the venue's local time with its offset), ``eventStatus``
(``EventScheduled``, ``EventCancelled``, ``EventPostponed``), ``location`` (a ``Place``,
"to be announced" when the source gave none), ``organizer`` (an ``Organization``) and
``url`` (the event's entry on the agenda; ``sameAs`` the organizer's page).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from feeds.site.links import is_web_url
from feeds.site.model import SiteEvent

SCHEMA = "https://schema.org"
STATUS: dict[str, str] = {
    "confirmed": f"{SCHEMA}/EventScheduled", "tentative": f"{SCHEMA}/EventScheduled",
    "cancelled": f"{SCHEMA}/EventCancelled", "postponed": f"{SCHEMA}/EventPostponed",
}
_RAW = re.compile(r"[\x7f-\x9f\u2028\u2029]")  # valid in JSON, not wanted raw in HTML
UNKNOWN_PLACE = "未公布 To be announced"


def event_object(item: SiteEvent, base_url: str) -> dict[str, Any]:
    """One schema.org Event."""
    event = item.stored.event
    if isinstance(event.start, datetime):
        local = event.start.astimezone(ZoneInfo(event.timezone))
        start = local.isoformat()
        end_value = event.end if isinstance(event.end, datetime) else None
        end = end_value.astimezone(local.tzinfo).isoformat() if end_value else None
    else:
        start, end = item.first.isoformat(), item.last.isoformat()
    data: dict[str, Any] = {
        "@type": "Event",
        "@id": f"{base_url}index.html#{item.anchor}",
        "identifier": event.uid,
        "name": item.title,
        "startDate": start,
        "eventStatus": STATUS[event.status],
        "location": {"@type": "Place", "name": event.location.strip() or UNKNOWN_PLACE},
        "organizer": {"@type": "Organization", "name": item.organizer,
                      "alternateName": item.organization},
        "url": f"{base_url}index.html#{item.anchor}",
        "keywords": item.section,
    }
    if end:
        data["endDate"] = end
    if is_web_url(event.url):
        data["sameAs"] = event.url.strip()
    if event.registration_deadline:
        data["offers"] = {"@type": "Offer", "availabilityEnds":
                          event.registration_deadline.isoformat(),
                          **({"url": event.registration_url.strip()}
                             if is_web_url(event.registration_url) else {})}
    if event.description.strip():
        data["description"] = event.description.strip()[:1000]
    return data


def events_document(events: Sequence[SiteEvent], base_url: str) -> dict[str, Any]:
    """A JSON-LD document: ``@context`` and the events as ``@graph``."""
    return {"@context": SCHEMA, "@graph": [event_object(item, base_url) for item in events]}


def events_json(events: Sequence[SiteEvent], base_url: str) -> bytes:
    """``events.json``: indented UTF-8 JSON."""
    text = json.dumps(events_document(events, base_url), ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")


def embedded(events: Sequence[SiteEvent], base_url: str) -> str:
    """The same document for a ``<script type="application/ld+json">`` (``<``, ``>``, ``&``,
    DEL, C1 controls and line separators escaped, so no title can close the script)."""
    text = json.dumps(events_document(events, base_url), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _RAW.sub(lambda match: f"\\u{ord(match.group()):04x}", text)

