"""Any iCalendar (ICS) feed: ``type = "ics"``.

Channel: the feed at ``url`` (RFC 5545), as Google Calendar, Outlook, Apple Calendar,
WordPress plugins ("?ical=1") and most event sites export it. Read with icalendar 7;
recurring events are expanded with recurring-ical-events. Confidence: high (a standard).

What becomes an event: every ``VEVENT`` with a ``SUMMARY`` and a ``DTSTART``.

- Title: ``SUMMARY`` (icalendar unescapes ``\\,`` ``\\;`` ``\\n``; folded lines are joined at
  the byte level first, so a fold inside a multi-byte character, as careless exporters cut
  long Chinese titles, reads back exactly). Status markers in it ("[Cancelled]", "（延期）")
  are taken out by :func:`aggregator.core.status.status_from_title`.
- Status: ``STATUS:CANCELLED`` → cancelled; else a marker in the title; else
  ``STATUS:TENTATIVE`` → tentative; else confirmed.
- Times: a ``DTSTART;TZID=…`` is read in that zone: an IANA name, a Windows/Outlook name
  ("W. Europe Standard Time", mapped with icalendar's CLDR table), a vendor-prefixed name
  ("/citadel.org/…/Europe/Berlin") or a custom ``VTIMEZONE`` (its own rules give the instant).
  UTC times (``…Z``) keep their instant. Floating times (no zone) are read in the feed's
  ``X-WR-TIMEZONE``, else in the source's ``timezone``. ``VALUE=DATE`` events are all-day;
  the model's end is inclusive, so ``DTEND`` (exclusive) minus one day; without ``DTEND``
  (or ``DURATION``) an all-day event lasts one day. A timed event without an end has none.
  Outlook's midnight-to-midnight events flagged ``X-MICROSOFT-CDO-ALLDAYEVENT:TRUE`` are
  all-day too.
- Time zone of the event: the zone of its ``DTSTART`` when that names a real place (IANA or
  a mappable name); for UTC, floating and unmappable custom zones, the feed's
  ``X-WR-TIMEZONE``, else the source's ``timezone`` (for an unmappable custom zone, only when
  its offset at the start agrees; otherwise a fixed ``Etc/GMT±N`` zone of that offset).
- Location, URL, description: ``LOCATION`` (lines joined with ", "), ``URL``,
  ``DESCRIPTION`` (HTML, as Google sometimes writes it, reduced to text).
- Key: the feed's ``UID``; an occurrence of a series (or a moved occurrence, which carries
  ``RECURRENCE-ID``) is ``UID|<original start>`` (UTC ISO 8601 for timed, the date for
  all-day), so every occurrence has its own uid and a moved one keeps it. No ``UID``: the
  organization, title and date (:func:`aggregator.core.model.title_date_key`).

Recurring events (``RRULE``/``RDATE``, with ``EXDATE`` and overriding ``RECURRENCE-ID``
components): a series that ends (``COUNT`` or ``UNTIL`` in every rule) is expanded whole,
up to :data:`MAX_OCCURRENCES`; an endless one within a window of ``past_days`` (default 90)
before and ``future_days`` (default 400) after "today". A source has no clock, so "today" is
the date of the response's ``Date`` header, else of the newest ``DTSTAMP`` in the feed (an
export's time), else the machine's date. A rule that repeats more often than hourly or more
than 24 times a day (``FREQ=SECONDLY``: no meeting does) or never advances (``INTERVAL=0``)
would take hours to expand: its components are read as written.

Options: ``past_days`` (int), ``future_days`` (int), ``kind`` (str: meeting, seminar,
hearing or deadline; default meeting).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from itertools import islice
from math import prod
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from aggregator.core.encoding import decode_body
from aggregator.core.model import KINDS, Event, EventError, title_date_key
from aggregator.core.status import status_from_title
from sources.base import Notice, ParseError, Response, Source
from sources.lib.complete import check_calendar
from sources.lib.ical_repair import one_by_one, split_shared_timezones
from sources.lib.ical_zones import event_zone, iana_name, tzid_zone
from sources.lib.markup import html_to_text

if TYPE_CHECKING:  # the parser library is imported where it is used
    from icalendar import Calendar, Component

DEFAULT_PAST_DAYS = 90
DEFAULT_FUTURE_DAYS = 400
MAX_OCCURRENCES = 1000
_FOLD = re.compile(rb"\r?\n[ \t]")
_TAG = re.compile(r"<(?:br|p|div|a|b|i|u|span|ul|ol|li|strong|em|html)\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class Window:
    """The days within which an endless series is expanded."""

    first: date
    last: date


class IcsSource(Source):
    """Events of any iCalendar feed."""

    type = "ics"
    options = {"past_days": int, "future_days": int, "kind": str}

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        problems = {key: "must not be negative" for key in ("past_days", "future_days")
                    if options.get(key, 0) < 0}
        if options.get("kind", "meeting") not in KINDS:
            problems["kind"] = f"must be one of {', '.join(KINDS)}"
        return problems

    def parse(self, response: Response) -> Iterator[Event | Notice]:
        calendars, skipped = read_calendars_counted(response)
        unknown: set[str] = set()
        for calendar in calendars:
            feed_zone = iana_name(str(calendar.get("X-WR-TIMEZONE", ""))) or self.timezone
            window = self._window(reference_day(response, calendar, self.today))
            for component, key in occurrences(calendar, window):
                try:
                    event = self.event_of(component, key, feed_zone, unknown)
                except Unreadable:
                    skipped += 1
                    continue
                if event is not None:
                    yield event
        if skipped:
            yield Notice(f"{response.url}: {skipped} unreadable event(s) skipped")
        for name in sorted(unknown):
            yield Notice(f"{response.url}: unknown time zone {name!r} (read as its stated "
                         "offset, or as floating time)")

    def _window(self, today: date) -> Window:
        past = int(self.config.options.get("past_days", DEFAULT_PAST_DAYS))
        future = int(self.config.options.get("future_days", DEFAULT_FUTURE_DAYS))
        return Window(today - timedelta(days=past), today + timedelta(days=future))

    def event_of(self, component: Component, key: str | None,
                 feed_zone: str, unknown: set[str]) -> Event | None:
        """The event of one VEVENT (or occurrence); None when it lacks a title or start;
        Unreadable when its times or fields cannot be read. A TZID that names no known
        zone is added to ``unknown``."""
        marked = status_from_title(_text(component.get("SUMMARY")))
        try:
            start, end, zone = _parse_times(component, feed_zone, unknown)
        except (KeyError, AttributeError, TypeError, ValueError) as exc:
            raise Unreadable(str(exc)) from None
        if not marked.title or start is None:
            return None
        try:
            return self.event(
                source_key=key or title_date_key(self.organization, marked.title, start),
                title=marked.title, start=start, end=end, timezone=zone,
                location=_parse_location(component), url=_text(component.get("URL")),
                status=_parse_status(component, marked.status),
                kind=self.config.options.get("kind", "meeting"),
                description=_parse_description(component))
        except EventError as exc:
            raise Unreadable(str(exc)) from None


class Unreadable(ValueError):
    """One event that cannot be read: skipped and counted, never the whole feed."""


def read_calendars(response: Response) -> list[Calendar]:
    """Every VCALENDAR of the body; ParseError (naming the URL) when there is none."""
    return read_calendars_counted(response)[0]


def read_calendars_counted(response: Response) -> tuple[list[Calendar], int]:
    """Every VCALENDAR of the body and how many events could not be read (a feed that
    icalendar refuses whole is read event by event, see ``sources.lib.ical_repair``);
    ParseError (naming the URL) when nothing can be read."""
    from icalendar import Calendar
    body = _FOLD.sub(b"", response.body)
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = decode_body(body, response.headers, is_html=False)
    if "BEGIN:VCALENDAR" not in text.upper():
        raise ParseError(f"{response.url}: not an iCalendar feed (no BEGIN:VCALENDAR)")
    check_calendar(text, response.url)
    text = split_shared_timezones(text)
    try:
        with warnings.catch_warnings():  # icalendar warns when it guesses a vendor TZID
            warnings.simplefilter("ignore")
            calendars = Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, AttributeError, TypeError, OSError) as exc:
        # icalendar's own errors; AttributeError: a repeated TZID; OSError: TZID=America
        calendars, failed = one_by_one(text)
        if not calendars:
            raise ParseError(f"{response.url}: unreadable iCalendar feed ({exc})") from None
        return calendars, failed
    return [calendar for calendar in calendars if isinstance(calendar, Calendar)], 0


def reference_day(response: Response, calendar: Calendar, today: date) -> date:
    """"Today" for the feed: the response's Date header, else the newest DTSTAMP, else
    ``today`` (the run's)."""
    for name, value in response.headers.items():
        if name.lower() == "date":
            try:
                return parsedate_to_datetime(value).date()
            except (TypeError, ValueError):
                break
    stamps = []
    for component in calendar.walk("VEVENT"):
        try:
            stamps.append(_as_datetime(component["DTSTAMP"].dt))
        except (KeyError, AttributeError, TypeError, ValueError):
            continue
    return max(stamps).date() if stamps else today


def occurrences(calendar: Calendar, window: Window) -> Iterator[tuple[Component, str | None]]:
    """Each single event and each occurrence of each series, with its key (None: no UID)."""
    groups: dict[str, list[Component]] = {}
    for number, component in enumerate(calendar.walk("VEVENT")):
        uid = _text(component.get("UID"))
        groups.setdefault(uid or f"\x00{number}", []).append(component)
    for uid, members in groups.items():
        has_uid = not uid.startswith("\x00")
        if not any(_is_series(member) for member in members):
            for member in members:
                yield member, _occurrence_key(uid, member) if has_uid else None
            continue
        for occurrence in _expand(members, window):
            yield occurrence, _occurrence_key(uid, occurrence) if has_uid else None


def _is_series(component: Component) -> bool:
    return ("RRULE" in component or "RDATE" in component) and "RECURRENCE-ID" not in component


def _expand(members: list[Component], window: Window) -> Iterator[Component]:
    """The occurrences of one series (master and overrides): all of them when every rule
    ends, else those within the window; the components as written when a rule is broken
    or could run for hours (:func:`_runaway`)."""
    import recurring_ical_events
    from icalendar import Calendar
    series = Calendar()
    for member in members:
        series.add_component(member)
    try:
        query = recurring_ical_events.of(series)
        rules = [rule for member in members if _is_series(member) for rule in member.rrules]
        if any(_runaway(rule) for rule in rules):
            raise ValueError("a rule whose expansion could run for hours")
        if all(rule.get("COUNT") or rule.get("UNTIL") for rule in rules):
            found = list(islice(query.all(), MAX_OCCURRENCES))
        else:
            found = list(query.between(window.first, window.last + timedelta(days=1)))
    except (ValueError, TypeError, KeyError, AttributeError):
        found = members
    yield from found


def _runaway(rule: Mapping[str, list[Any]]) -> bool:
    """A rule whose expansion could run for hours: repeating more often than hourly or more
    than 24 times a day (no series of meetings does), or never advancing (``INTERVAL=0``)."""
    if any(frequency in ("SECONDLY", "MINUTELY") for frequency in rule.get("FREQ", [])):
        return True
    if any(not isinstance(step, int) or step < 1 for step in rule.get("INTERVAL", [])):
        return True
    return prod(len(rule.get(part) or [0]) for part in ("BYHOUR", "BYMINUTE", "BYSECOND")) > 24


def _occurrence_key(uid: str, component: Component) -> str:
    recurrence = component.get("RECURRENCE-ID")
    if recurrence is None:
        return uid
    try:
        return f"{uid}|{_instant_key(recurrence.dt)}"
    except (ValueError, AttributeError, TypeError):  # unreadable (or repeated): keep its text
        return f"{uid}|{_text(recurrence)}"


def _instant_key(value: date | datetime) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    return value.isoformat()


def _parse_times(component: Component, feed_zone: str, unknown: set[str],
                 ) -> tuple[date | datetime | None, date | datetime | None, str]:
    """Start, end (inclusive for all-day) and the event's time zone. A time whose TZID
    icalendar could not place (no VTIMEZONE: an Outlook display name) is read in the zone
    that name maps to (``sources.lib.ical_zones.tzid_zone``); an unknown one goes to
    ``unknown``."""
    if "DTSTART" not in component:
        return None, None, feed_zone
    start = component["DTSTART"].dt
    if isinstance(start, datetime) and start.tzinfo is None:
        tzid = str(component["DTSTART"].params.get("TZID", ""))
        named, known = tzid_zone(tzid)
        feed_zone = named or feed_zone
        if not known:
            unknown.add(tzid)
    end = component["DTEND"].dt if "DTEND" in component else None
    duration = component["DURATION"].dt if "DURATION" in component else None
    if _outlook_all_day(component, start, end):
        start, end = start.date(), end.date()  # type: ignore[union-attr]
    if not isinstance(start, datetime):
        return start, _all_day_end(start, end, duration), feed_zone
    zone = event_zone(start, feed_zone)
    start = _localize(start, feed_zone).astimezone(ZoneInfo(zone))
    if isinstance(end, datetime):
        end = _localize(end, feed_zone).astimezone(ZoneInfo(zone))
    elif isinstance(duration, timedelta):
        end = start + duration
    else:
        end = None
    return start, end if end is not None and end > start else None, zone


def _outlook_all_day(component: Component, start: object, end: object) -> bool:
    flag = _text(component.get("X-MICROSOFT-CDO-ALLDAYEVENT")).upper() == "TRUE"
    return (flag and isinstance(start, datetime) and isinstance(end, datetime)
            and start.time() == end.time() == datetime.min.time() and end > start)


def _all_day_end(start: date, end: object, duration: object) -> date:
    """The inclusive last day: DTEND (exclusive) minus a day; one day when none is given."""
    if isinstance(end, datetime):
        end = end.date()
    if not isinstance(end, date) and isinstance(duration, timedelta):
        end = start + duration
    if isinstance(end, date) and end > start:
        return end - timedelta(days=1)
    return start


def _localize(value: datetime, feed_zone: str) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(feed_zone))


def _as_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _parse_status(component: Component, marked: str | None) -> str:
    status = _text(component.get("STATUS")).upper()
    if status == "CANCELLED":
        return "cancelled"
    if marked:
        return marked
    return "tentative" if status == "TENTATIVE" else "confirmed"


def _parse_location(component: Component) -> str:
    lines = [" ".join(line.split()) for line in _text(component.get("LOCATION")).splitlines()]
    return ", ".join(line for line in lines if line)


def _parse_description(component: Component) -> str:
    text = _text(component.get("DESCRIPTION"))
    if _TAG.search(text):
        return html_to_text(text)
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    return "\n".join(lines).strip()


def _text(value: object) -> str:
    """A text property as str ("" when absent); a repeated property gives its first value."""
    if isinstance(value, list):
        value = value[0] if value else None
    return "" if value is None else str(value).strip()
