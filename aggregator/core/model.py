"""The event: what every source produces and every feed and table consumes.

Dates (DESIGN.md, "The event model"): an all-day event has ``datetime.date`` start/end, a timed event
has timezone-aware ``datetime`` start/end. ``end`` is inclusive for all-day events in the
model (a meeting on 29-30 April has ``end == date(2024, 4, 30)``); it becomes exclusive only
when written to ICS.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Status = Literal["confirmed", "tentative", "cancelled", "postponed"]
Kind = Literal["meeting", "seminar", "hearing", "deadline"]
SECTIONS: tuple[str, ...] = ("WTO", "RTA", "APEC 及其他國際組織")
"""The newsletter calendar's sections, in print order."""
STATUSES: tuple[str, ...] = ("confirmed", "tentative", "cancelled", "postponed")
KINDS: tuple[str, ...] = ("meeting", "seminar", "hearing", "deadline")

UID_DOMAIN = "tradecal"


class EventError(ValueError):
    """An event whose fields contradict each other (end before start, naive datetime, ...)."""


def normalize_title(title: str) -> str:
    """Lower-cased, width-folded, punctuation-free form of a title, for keys and matching."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return re.sub(r"[\W_]+", " ", folded).strip()


def make_uid(source: str, source_key: str) -> str:
    """The stable UID of the event that ``source`` identifies by ``source_key``."""
    digest = hashlib.sha256(f"{source}\x1f{source_key}".encode()).hexdigest()[:20]
    return f"{source}-{digest}@{UID_DOMAIN}"


def title_date_key(organization: str, title: str, start: date | datetime) -> str:
    """Fallback key for sources without their own: organization, normalized title, start date."""
    day = start.date() if isinstance(start, datetime) else start
    return f"{organization}|{normalize_title(title)}|{day.isoformat()}"


@dataclass(frozen=True)
class Event:
    """One meeting, seminar, hearing or deadline, as a source announced it."""

    source: str
    source_key: str
    organization: str
    title: str
    start: date | datetime
    timezone: str
    end: date | datetime | None = None
    location: str = ""
    url: str = ""
    status: Status = "confirmed"
    kind: Kind = "meeting"
    section: str | None = None
    featured: bool = False
    registration_deadline: date | None = None
    registration_url: str = ""
    description: str = ""
    uid: str = field(default="")

    def __post_init__(self) -> None:
        if not self.uid:
            object.__setattr__(self, "uid", make_uid(self.source, self.source_key))
        self._check()

    def _check(self) -> None:
        if not self.title.strip():
            raise EventError("event has an empty title")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America", a folder
            raise EventError(f"unknown time zone {self.timezone!r}") from None
        if self.status not in STATUSES:
            raise EventError(f"unknown status {self.status!r}")
        if self.kind not in KINDS:
            raise EventError(f"unknown kind {self.kind!r}")
        timed = isinstance(self.start, datetime)
        if isinstance(self.start, datetime) and self.start.tzinfo is None:
            raise EventError("timed start must carry a time zone")
        if self.end is None:
            return
        if isinstance(self.end, datetime) != timed:
            raise EventError("start and end must both be dates or both datetimes")
        if self.end < self.start:
            raise EventError(f"end {self.end} is before start {self.start}")

    @property
    def all_day(self) -> bool:
        """True when the event has dates only (no known time)."""
        return not isinstance(self.start, datetime)

    @property
    def time_known(self) -> bool:
        return not self.all_day

    def local_start(self) -> date | datetime:
        """Start in the venue's time zone (dates are returned as they are)."""
        if isinstance(self.start, datetime):
            return self.start.astimezone(ZoneInfo(self.timezone))
        return self.start

    def local_dates(self) -> tuple[date, date]:
        """First and last day of the event on the venue's calendar (inclusive)."""
        first = _local_day(self.start, self.timezone)
        last = _local_day(self.end, self.timezone) if self.end is not None else first
        return first, max(first, last)

    def with_changes(self, **changes: Any) -> Event:
        """The event with some fields replaced (checked again, as a new event is)."""
        return replace(self, **changes)


def intended_end(start: datetime, end: datetime) -> datetime:
    """``end``, unless a daylight-saving gap made it no later than ``start`` although its
    wall time is later (a meeting at 02:30-03:30 on the night 02:00 becomes 03:00: zoneinfo
    reads the missing 02:30 as 03:30, the end too): then the start plus the wall-clock
    duration, so the event keeps its intended length. Compared as instants (Python
    compares aware datetimes of one zone by their wall times)."""
    wall_length = end.replace(tzinfo=None) - start.replace(tzinfo=None)
    if end.astimezone(UTC) <= start.astimezone(UTC) and wall_length.total_seconds() > 0:
        return (start.astimezone(UTC) + wall_length).astimezone(end.tzinfo)
    return end


def _local_day(value: date | datetime, timezone: str) -> date:
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(timezone)).date()
    return value


def to_iso(value: date | datetime | None) -> str | None:
    """ISO 8601 text of a date or aware datetime (with its offset), None stays None."""
    return None if value is None else value.isoformat()


def from_iso(text: str | None) -> date | datetime | None:
    """Inverse of :func:`to_iso`: ``YYYY-MM-DD`` is a date, anything longer a datetime."""
    return parse_iso(text) if text else None


def parse_iso(text: str) -> date | datetime:
    """:func:`from_iso` of a value that must be there (an event's start)."""
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text)


def event_to_json(event: Event) -> dict[str, object]:
    """The JSON object ``tradecal parse`` prints for an event (dates in ISO 8601)."""
    return {
        "uid": event.uid,
        "source": event.source,
        "source_key": event.source_key,
        "organization": event.organization,
        "title": event.title,
        "start": to_iso(event.start),
        "end": to_iso(event.end),
        "all_day": event.all_day,
        "timezone": event.timezone,
        "location": event.location,
        "url": event.url,
        "status": event.status,
        "kind": event.kind,
        "section": event.section,
        "featured": event.featured,
        "registration_deadline": to_iso(event.registration_deadline),
        "registration_url": event.registration_url,
        "description": event.description,
    }


@dataclass(frozen=True)
class StoredEvent:
    """An event as the store holds it, with the bookkeeping feeds need.

    ``last_changed`` is when a subscriber-visible field last changed (feeds write it as
    DTSTAMP and LAST-MODIFIED, so identical data gives identical bytes); ``sequence`` goes
    up with each such change; ``position`` is the order in which the source listed it.

    The rest is what editors' overrides (:mod:`aggregator.store.overrides`) add to the view that
    tables and feeds read: ``short_url`` (printed instead of the URL), ``note`` (for editors,
    not printed), ``hidden`` (left out of tables and feeds), ``overridden`` (the overridden
    fields) and ``override_stale`` (the upstream fields that changed since an override of
    the event was set: the override still applies, but an editor should look).
    """

    event: Event
    sequence: int
    first_seen: datetime
    last_seen: datetime
    last_changed: datetime
    position: int = 0
    short_url: str = ""
    note: str = ""
    hidden: bool = False
    overridden: tuple[str, ...] = ()
    override_stale: tuple[str, ...] = ()
