"""ICS calendars: the store's events as VCALENDARs that Outlook, Google, Apple and
Thunderbird read. Which feeds exist and what each holds is :mod:`feeds.feedset`.

Every byte comes from the data: DTSTAMP and LAST-MODIFIED are the event's ``last_changed``,
CREATED its ``first_seen``, so the same events give the same file. Timed events carry the
venue's TZID and the calendar holds a VTIMEZONE (yearly RRULEs, see :mod:`feeds.vtimezone`)
for each TZID written. A time the VTIMEZONE would not map back to the right instant (a zone
whose rules no RRULE states, a date its current rules do not govern, the second occurrence of
a repeated hour) is written in UTC instead, so every client shows the right moment.

Status: ``postponed`` is published as ``STATUS:CANCELLED`` with a title prefix (``[延期] ``
by default, ``[feeds] postponed_prefix``): the meeting will not happen on the date shown,
and clients hide or strike cancelled events while a tentative one looks like a real date.
When a new date is announced the event keeps its UID, gets the new date and a higher
SEQUENCE, and reappears. ``cancelled`` gets ``STATUS:CANCELLED`` and its own prefix
(``[已取消] ``, ``[feeds] cancelled_prefix``).

Free/busy: every all-day event, one day or several, and every cancelled or postponed one is
``TRANSP:TRANSPARENT``. An all-day entry marks the dates of a meeting somebody else holds; it
must not paint a subscriber's whole day (or week) busy. Timed meetings keep the default
(OPAQUE, not written).

Lines are folded here rather than by icalendar, whose folding can separate a backslash from
the character it escapes: at most 75 octets, never inside a UTF-8 character or an escape.

Hostile text stays text: every TEXT value (title, place, description, calendar names) has
its line breaks written as ``\\n``, a tab made a space, and no other control character
(RFC 5545 TEXT admits none; strict clients refuse the whole feed), see :func:`feed_text`;
it is escaped here (:class:`FeedText`), since icalendar takes a backslash before ``N`` in
the text for a line break and does not escape NAME or X- properties at all.
``URL`` carries only an absolute http(s) URL (:func:`feed_url`): a ``javascript:`` or
``data:`` link is not offered to a client to open.
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
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, vDuration, vText
from icalendar import Event as VEvent

from aggregator.config import FeedSettings
from aggregator.model import Event, StoredEvent
from feeds.vtimezone import PosixZone, UnsupportedZone, vtimezone_from_rules, zone_rules

if TYPE_CHECKING:
    pass

PRODID = "-//tradecal//Trade calendar feeds//EN"
MAX_LINE_OCTETS = 75
ICS_STATUS: Mapping[str, str] = {"confirmed": "CONFIRMED", "tentative": "TENTATIVE",
              "cancelled": "CANCELLED", "postponed": "CANCELLED"}
_FEED_DEFAULTS = {spec.name: spec.default for spec in dataclasses.fields(FeedSettings)}
# The configuration's defaults; write_feeds passes the configured prefixes.
TITLE_PREFIX: Mapping[str, str] = {"cancelled": str(_FEED_DEFAULTS["cancelled_prefix"]),
                                   "postponed": str(_FEED_DEFAULTS["postponed_prefix"])}
_PARAMETER_ESCAPE = "^"  # RFC 6868, in parameter values (before the value's colon)
_TEXT_ESCAPE_START = "\\"  # RFC 5545, in TEXT values (after it)
_TEXT_ESCAPE = re.compile(r"\\([\\;,nN])")
# Controls but TAB, LF, CR; and U+FEFF, an invisible left-over byte-order mark that
# icalendar drops when it starts a value (so it could not be read back anyway).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff]")
_TEXT_SPECIALS = re.compile(r"[\\;,]")
_URL_DROPPED = re.compile(r"[\x00-\x1f\x7f]")  # browsers drop TAB, CR, LF from URLs too
URL_SCHEMES: frozenset[str] = frozenset({"http", "https"})


@dataclass(frozen=True)
class CalendarHeader:
    """What a feed file says about itself, read back from its bytes."""

    name: str
    description: str
    prodid: str


def build_calendar(events: Sequence[StoredEvent], *, name: str, description: str,
                   refresh_hours: int, prefixes: Mapping[str, str] = TITLE_PREFIX) -> bytes:
    """One VCALENDAR holding ``events``, as folded CRLF bytes; ``prefixes`` maps a status
    to the text put before the title."""
    ordered = sorted(events, key=_sort_key)
    zones = _zone_rules_for(stored.event for stored in ordered)
    used_zones: dict[str, PosixZone] = {}
    components = [event_component(stored, zones, used_zones, prefixes) for stored in ordered]
    calendar = _calendar_header(name, description, refresh_hours)
    for tzid in sorted(used_zones):
        calendar.add_component(vtimezone_from_rules(used_zones[tzid]))
    for component in components:
        calendar.add_component(component)
    return fold_lines(calendar.to_ical())


def event_component(stored: StoredEvent, zones: Mapping[str, PosixZone | None],
                    used_zones: dict[str, PosixZone],
                    prefixes: Mapping[str, str] = TITLE_PREFIX) -> VEvent:
    """The VEVENT for one stored event; records each zone it writes a TZID of in
    ``used_zones``.

    ``zones`` maps each time zone of a timed event to its rules (None: write UTC).
    """
    event = stored.event
    component = VEvent()
    component.add("uid", event.uid)
    component.add("dtstamp", _utc(stored.last_changed))
    component.add("created", _utc(stored.first_seen))
    component.add("last-modified", _utc(stored.last_changed))
    component.add("sequence", stored.sequence)
    component.add("summary", FeedText(prefixes.get(event.status, "") + event.title))
    if isinstance(event.start, datetime):
        rules = zones.get(event.timezone)
        for prop, value in (("dtstart", event.start), ("dtend", event.end)):
            if isinstance(value, datetime):
                _add_time(component, prop, value, event.timezone, rules, used_zones)
    else:
        last_day = event.end if isinstance(event.end, date) else event.start
        component.add("dtstart", event.start)
        component.add("dtend", last_day + timedelta(days=1))  # ICS DTEND is exclusive
    if not isinstance(event.start, datetime) or ICS_STATUS[event.status] == "CANCELLED":
        component.add("transp", "TRANSPARENT")
    location, url = FeedText(event.location), feed_url(event.url)
    if location:
        component.add("location", location)
    if url:
        component.add("url", url)
    component.add("description", FeedText(event_description(event)))
    component.add("status", ICS_STATUS[event.status])
    return component


def event_description(event: Event) -> str:
    """DESCRIPTION text: who holds the event, where it was announced, then the details."""
    lines = [f"主辦 Organization: {event.organization}", f"來源 Source: {event.source}"]
    if event.registration_deadline:
        lines.append(f"報名截止 Registration deadline: {event.registration_deadline.isoformat()}")
    if event.registration_url:
        lines.append(f"報名 Registration: {event.registration_url}")
    if event.description:
        lines += ["", event.description]
    return "\n".join(lines)


class FeedText(vText):
    """A TEXT value as feeds write it: :func:`feed_text`, then escaped by RFC 5545 alone
    (backslash, semicolon, comma, line break), whatever the property."""

    def __new__(cls, value: str) -> FeedText:
        return super().__new__(cls, feed_text(value))

    def to_ical(self) -> bytes:
        escaped = _TEXT_SPECIALS.sub(r"\\\g<0>", str(self)).replace("\n", "\\n")
        return escaped.encode("utf-8")


def feed_text(text: str) -> str:
    """``text`` as a feed carries it: CR LF and CR made LF (written ``\\n``), a tab made a
    space, every other control character (C0, DEL, C1) and U+FEFF left out."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROLS.sub("", text)


def feed_url(url: str) -> str | None:
    """``url`` when it is an absolute http(s) URL (control characters and line breaks left
    out, spaces encoded), else None: no ``javascript:``, ``data:`` or relative link."""
    cleaned = _URL_DROPPED.sub("", url).strip().replace(" ", "%20")
    parts = urlsplit(cleaned)
    if parts.scheme.lower() in URL_SCHEMES and parts.netloc:
        return cleaned
    return None


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


def fold_lines(data: bytes) -> bytes:
    """Unfold icalendar's output and fold it again: CRLF, lines of at most 75 octets, never
    splitting a UTF-8 character or a backslash (or ``^``) escape."""
    text = data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    lines = [line for line in text.split("\r\n") if line]
    return "".join(_fold(line) + "\r\n" for line in lines).encode("utf-8")


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
    """Rules of each zone a timed event uses; None for zones no VTIMEZONE can state."""
    zones: dict[str, PosixZone | None] = {}
    for event in events:
        if isinstance(event.start, datetime) and event.timezone not in zones:
            try:
                zones[event.timezone] = zone_rules(event.timezone)
            except UnsupportedZone:
                zones[event.timezone] = None
    return zones


def _add_time(component: VEvent, prop: str, instant: datetime, tzid: str,
              rules: PosixZone | None, used_zones: dict[str, PosixZone]) -> None:
    """Write ``instant`` as venue wall time with TZID when the VTIMEZONE maps it back to
    the same instant, else in UTC."""
    wall = instant.astimezone(ZoneInfo(tzid)).replace(tzinfo=None)
    if rules is not None and rules.local_to_utc(wall) == instant:
        component.add(prop, wall, parameters={"TZID": tzid})
        used_zones[tzid] = rules
    else:
        component.add(prop, _utc(instant))


def _sort_key(stored: StoredEvent) -> tuple[datetime, str]:
    """Start instant (an all-day event starts at local midnight of its venue), then UID."""
    event = stored.event
    start = event.start
    if not isinstance(start, datetime):
        start = datetime.combine(start, datetime.min.time(), ZoneInfo(event.timezone))
    return start.astimezone(UTC), event.uid


def _unescape(match: re.Match[str]) -> str:
    return "\n" if match[1] in "nN" else match[1]


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC to the second; a naive value is taken as UTC already."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(UTC).replace(microsecond=0)


def _fold(line: str) -> str:
    """One content line folded at 75 octets between whole characters and whole escapes."""
    units = _line_units(line)
    pieces: list[str] = []
    current, size = "", 0
    for unit in units:
        width = len(unit.encode("utf-8"))
        limit = MAX_LINE_OCTETS - (1 if pieces else 0)  # continuation lines start with a space
        if current and size + width > limit:
            pieces.append(current)
            current, size = "", 0
        current += unit
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _line_units(line: str) -> list[str]:
    """Characters of ``line``, with each escape kept as one unit: ``^x`` in the name and
    parameters, ``\\x`` in the value (a ``^`` in a value is a character, so it must not
    pair up a backslash that begins the next escape)."""
    value_start = _value_start(line)
    units: list[str] = []
    index = 0
    while index < len(line):
        starter = _PARAMETER_ESCAPE if index < value_start else _TEXT_ESCAPE_START
        step = 2 if line[index] == starter and index + 1 < len(line) else 1
        units.append(line[index:index + step])
        index += step
    return units


def _value_start(line: str) -> int:
    """Index just after the colon that ends a content line's name and parameters (a colon
    inside a quoted parameter value does not count)."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return index + 1
    return len(line)
