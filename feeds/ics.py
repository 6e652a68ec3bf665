"""ICS calendars: the store's events as VCALENDARs that Outlook, Google, Apple and
Thunderbird read. Which feeds exist and what each holds is :mod:`feeds.feedset`.

Every byte comes from the data: DTSTAMP and LAST-MODIFIED are the event's ``last_changed``,
CREATED its ``first_seen``, so the same events give the same file. Timed events carry the
venue's TZID and the calendar holds a VTIMEZONE (yearly RRULEs, see :mod:`feeds.vtimezone`)
for each TZID written. A time that some client would read as another instant (a zone whose
rules no RRULE Outlook imports states, a date its current rules do not govern, either
occurrence of a repeated hour) is written in UTC instead, and then so is the other end of
the event (:mod:`feeds.ics_times`). A calendar without events holds the VTIMEZONE of its
``zone`` (RFC 5545 3.6 wants at least one component; Google drops a feed it cannot parse).
What the subscriber reads (names, CATEGORIES, prefixes) is :mod:`feeds.ics_text`.

Status (README, "Calendar clients", has the sources): ``cancelled`` is published as
``STATUS:CANCELLED`` with a title prefix (``[已取消] `` by default, ``[feeds]
cancelled_prefix``): the meeting is off, and whether a client hides it (Google) or strikes it
through (Apple, Thunderbird), the subscriber reads it right. ``postponed`` is published as
``STATUS:TENTATIVE`` with its prefix (``[延期] ``, ``[feeds] postponed_prefix``): Google
removes cancelled events from subscribed feeds, so a postponed meeting published as cancelled
would vanish there without the word that says it is postponed; tentative, it stays visible
in every client, marked not firm, the prefix telling why. When a new date is announced the
event keeps its UID, gets the new date and a higher SEQUENCE.

Free/busy: every all-day event, one day or several, and every cancelled or postponed one is
``TRANSP:TRANSPARENT``. An all-day entry marks the dates of a meeting somebody else holds; it
must not paint a subscriber's whole day (or week) busy. Timed meetings keep the default
(OPAQUE, not written).

Lines are folded here rather than by icalendar, whose folding can separate a backslash from
the character it escapes: at most 75 octets, never inside a UTF-8 character or an escape.

Hostile text stays text: every TEXT value (title, place, description, calendar names) has
its line breaks (also U+2028, U+2029 and U+0085, which node-ical does not take for text)
written as ``\\n``, a tab made a space, and no other control character
(RFC 5545 TEXT admits none; strict clients refuse the whole feed), see :func:`feed_text`;
it is escaped here (:class:`FeedText`), since icalendar takes a backslash before ``N`` in
the text for a line break and does not escape NAME or X- properties at all.
``URL`` carries only an absolute http(s) URL (:func:`feed_url`): a ``javascript:`` or
``data:`` link is not offered to a client to open; a non-ASCII one is percent-encoded (its
host in IDNA), as RFC 3986 wants.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, vDuration, vText
from icalendar import Event as VEvent

from aggregator.core.model import Event, StoredEvent
from aggregator.core.settings import FeedSettings
from feeds.ics_fold import fold_lines
from feeds.ics_text import EventText
from feeds.ics_times import event_times, used_zones, utc
from feeds.vtimezone import PosixZone, UnsupportedZone, feed_zone_rules, vtimezone_from_rules, zone_rules

PRODID = "-//tradecal//Trade calendar feeds//EN"
ICS_STATUS: Mapping[str, str] = {"confirmed": "CONFIRMED", "tentative": "TENTATIVE",
                                 "cancelled": "CANCELLED", "postponed": "TENTATIVE"}
WITHDRAWN: frozenset[str] = frozenset({"cancelled", "postponed"})  # never block time
_FEED_DEFAULTS = {spec.name: spec.default for spec in dataclasses.fields(FeedSettings)}
# The configuration's defaults; write_feeds passes the configured prefixes.
TITLE_PREFIX: Mapping[str, str] = {"cancelled": str(_FEED_DEFAULTS["cancelled_prefix"]),
                                   "postponed": str(_FEED_DEFAULTS["postponed_prefix"])}
_TEXT_ESCAPE = re.compile(r"\\([\\;,nN])")
# Controls but TAB, LF, CR; and U+FEFF, an invisible left-over byte-order mark that
# icalendar drops when it starts a value (so it could not be read back anyway).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff]")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x85]")  # made LF
# node-ical unescapes "\n" before "\\", so a backslash followed by n reads as a line break,
# and it strips double quotes around a whole value: a WORD JOINER (U+2060, invisible)
# keeps such text as it is shown.
WORD_JOINER = "\u2060"
_BACKSLASH_N = re.compile(r"\\(?=[nN])")
_QUOTED = re.compile(r'^(".*")$')
_TEXT_SPECIALS = re.compile(r"[\\;,]")
_URL_DROPPED = re.compile(r"[\x00-\x1f\x7f]")  # browsers drop TAB, CR, LF from URLs too
URL_SCHEMES: frozenset[str] = frozenset({"http", "https"})
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]~_"  # RFC 3986 reserved and unreserved: kept as they are
EMPTY_FEED_ZONE = "Etc/UTC"


@dataclass(frozen=True)
class CalendarHeader:
    """What a feed file says about itself, read back from its bytes."""

    name: str
    description: str
    prodid: str


def build_calendar(events: Sequence[StoredEvent], *, name: str, description: str,
                   refresh_hours: int, prefixes: Mapping[str, str] = TITLE_PREFIX,
                   text: EventText | None = None, zone: str = EMPTY_FEED_ZONE) -> bytes:
    """One VCALENDAR holding ``events``, as folded CRLF bytes. ``text`` names organizations
    and sources (default: ``prefixes``, mapping a status to the text put before the title,
    and keys as names); ``zone`` gives the VTIMEZONE of a calendar without events."""
    text = text or EventText(prefixes=prefixes)
    ordered = sorted(events, key=_sort_key)
    zones = _zone_rules_for(stored.event for stored in ordered)
    written: dict[str, PosixZone] = {}
    components = [event_component(stored, zones, written, text) for stored in ordered]
    calendar = _calendar_header(name, description, refresh_hours)
    if not components:
        written[zone] = _empty_feed_zone(zone)
    for tzid in sorted(written):
        calendar.add_component(vtimezone_from_rules(written[tzid]))
    for component in components:
        calendar.add_component(component)
    return fold_lines(calendar.to_ical())


def event_component(stored: StoredEvent, zones: Mapping[str, PosixZone | None],
                    written: dict[str, PosixZone], text: EventText | None = None) -> VEvent:
    """The VEVENT for one stored event; records each zone it writes a TZID of in
    ``written``.

    ``zones`` maps each time zone of a timed event to its rules (None: write UTC).
    """
    text = text or EventText()
    event = stored.event
    component = VEvent()
    component.add("uid", event.uid)
    component.add("dtstamp", utc(stored.last_changed))
    component.add("created", utc(stored.first_seen))
    component.add("last-modified", utc(stored.last_changed))
    component.add("sequence", stored.sequence)
    component.add("summary", FeedText(text.summary(event)))
    if isinstance(event.start, datetime):
        rules = zones.get(event.timezone)
        times = event_times(event, rules)
        for prop, (value, tzid) in times.items():
            component.add(prop, value, parameters={"TZID": tzid} if tzid else None)
        if rules is not None and used_zones(times):
            written[event.timezone] = rules
    else:
        last_day = event.end if isinstance(event.end, date) else event.start
        component.add("dtstart", event.start)
        component.add("dtend", last_day + timedelta(days=1))  # ICS DTEND is exclusive
    if not isinstance(event.start, datetime) or event.status in WITHDRAWN:
        component.add("transp", "TRANSPARENT")
    location, url = FeedText(event.location), feed_url(event.url)
    if location:
        component.add("location", location)
    if url:
        component.add("url", url)
    component.add("description", FeedText(text.description(event)))
    component.add("categories", FeedCategories(text.categories(event)))
    component.add("status", ICS_STATUS[event.status])
    return component


def event_description(event: Event, text: EventText | None = None) -> str:
    """DESCRIPTION text (:meth:`feeds.ics_text.EventText.description`)."""
    return (text or EventText()).description(event)


class FeedText(vText):
    """A TEXT value as feeds write it: :func:`feed_text`, then escaped by RFC 5545 alone
    (backslash, semicolon, comma, line break), whatever the property."""

    def __new__(cls, value: str) -> FeedText:
        return super().__new__(cls, feed_text(value))

    def to_ical(self) -> bytes:
        escaped = _TEXT_SPECIALS.sub(r"\\\g<0>", str(self)).replace("\n", "\\n")
        return escaped.encode("utf-8")


class FeedCategories(vText):
    """A CATEGORIES value: each name :func:`feed_text` and escaped, joined by commas."""

    def __new__(cls, names: Sequence[str]) -> FeedCategories:
        self = super().__new__(cls, ",".join(names))
        self.names = [feed_text(name).replace("\n", " ") for name in names]
        return self

    def to_ical(self) -> bytes:
        return ",".join(_TEXT_SPECIALS.sub(r"\\\g<0>", name)
                        for name in self.names).encode("utf-8")


def feed_text(text: str) -> str:
    """``text`` as a feed carries it: CR LF, CR, U+2028, U+2029 and U+0085 made LF
    (written ``\\n``), a tab made a space, every other control character (C0, DEL, C1)
    and U+FEFF left out; an invisible U+2060 after a backslash that precedes ``n`` and
    after a closing double quote that ends a wholly quoted value (node-ical, above)."""
    text = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text).replace("\t", " "))
    text = _BACKSLASH_N.sub("\\\\" + WORD_JOINER, text)
    return _QUOTED.sub(r"\1" + WORD_JOINER, text)


def feed_url(url: str) -> str | None:
    """``url`` when it is an absolute http(s) URL (control characters and line breaks left
    out, spaces and other characters a URI does not admit percent-encoded, a non-ASCII host
    in IDNA), else None: no ``javascript:``, ``data:`` or relative link."""
    cleaned = _URL_DROPPED.sub("", feed_text(url)).strip()
    try:
        parts = urlsplit(cleaned)
    except ValueError:  # an unbalanced [ in the host
        return None
    if parts.scheme.lower() not in URL_SCHEMES or not parts.netloc:
        return None
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            host = (parts.hostname or "").encode("idna").decode("ascii")
            netloc = netloc.replace(parts.hostname or "", host) if host else netloc
        except UnicodeError:
            pass  # left to percent-encoding below
    return urlunsplit((parts.scheme, quote(netloc, safe=_URL_SAFE),
                       *(quote(part, safe=_URL_SAFE) for part in parts[2:])))


def read_header(data: bytes) -> CalendarHeader:
    """Name, description and PRODID of a feed file (the lines before its first component),
    unescaped; empty strings for what it does not say."""
    text = data.decode("utf-8", "replace").replace("\r\n ", "").replace("\r\n\t", "")
    found: dict[str, str] = {}
    for line in text.split("\r\n")[1:]:
        if line.upper().startswith(("BEGIN:", "END:VCALENDAR")):
            break
        key, _, value = line.partition(":")
        name = key.split(";", 1)[0].upper()
        found.setdefault(name, _TEXT_ESCAPE.sub(_unescape, value))
    return CalendarHeader(name=found.get("X-WR-CALNAME") or found.get("NAME", ""),
                          description=found.get("X-WR-CALDESC") or found.get("DESCRIPTION", ""),
                          prodid=found.get("PRODID", ""))


def write_atomically(path: Path, data: bytes) -> Path:
    """Replace ``path`` with ``data`` through a temporary file in the same folder; a file
    that already holds exactly ``data`` is left untouched (its mtime serves as
    Last-Modified)."""
    if path.is_file() and path.read_bytes() == data:
        return path
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes 0600; web servers must read feeds
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


def _calendar_header(name: str, description: str, refresh_hours: int) -> Calendar:
    interval = timedelta(hours=refresh_hours)
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", FeedText(name))
    calendar.add("x-wr-calname", FeedText(name))
    calendar.add("description", FeedText(description))
    calendar.add("x-wr-caldesc", FeedText(description))
    calendar.add("refresh-interval", vDuration(interval), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(interval))
    return calendar


def _zone_rules_for(events: Iterable[Event]) -> dict[str, PosixZone | None]:
    """Rules of each zone a timed event uses; None for zones no VTIMEZONE that every client
    reads can state."""
    zones: dict[str, PosixZone | None] = {}
    for event in events:
        if isinstance(event.start, datetime) and event.timezone not in zones:
            try:
                zones[event.timezone] = feed_zone_rules(event.timezone)
            except UnsupportedZone:
                zones[event.timezone] = None
    return zones


def _empty_feed_zone(tzid: str) -> PosixZone:
    """The rules of the VTIMEZONE an empty calendar holds: ``tzid``'s, else UTC's."""
    try:
        return feed_zone_rules(tzid)
    except UnsupportedZone:
        return zone_rules(EMPTY_FEED_ZONE)


def _sort_key(stored: StoredEvent) -> tuple[datetime, str]:
    """Start instant (an all-day event starts at local midnight of its venue), then UID."""
    event = stored.event
    start = event.start
    if not isinstance(start, datetime):
        start = datetime.combine(start, datetime.min.time(), ZoneInfo(event.timezone))
    return start.astimezone(UTC), event.uid


def _unescape(match: re.Match[str]) -> str:
    return "\n" if match[1] in "nN" else match[1]
