"""ICS feeds: the store's events as calendars that Outlook, Google, Apple and Thunderbird read.

Every byte comes from the data: DTSTAMP and LAST-MODIFIED are the event's ``last_changed``,
CREATED its ``first_seen``, so the same events give the same file. Timed events carry the
venue's TZID and the calendar holds a VTIMEZONE (yearly RRULEs, see :mod:`feeds.vtimezone`)
for each TZID written. A time the VTIMEZONE would not map back to the right instant (a zone
whose rules no RRULE states, a date its current rules do not govern, the second occurrence of
a repeated hour) is written in UTC instead, so every client shows the right moment.

Status: ``postponed`` is published as ``STATUS:CANCELLED`` with the title prefix ``[延期] ``:
the meeting will not happen on the date shown, and clients hide or strike cancelled events
while a tentative one looks like a real date. When a new date is announced the event keeps
its UID, gets the new date and a higher SEQUENCE, and reappears. ``cancelled`` gets
``[已取消] `` and ``STATUS:CANCELLED``.

Lines are folded here rather than by icalendar, whose folding can separate a backslash from
the character it escapes: at most 75 octets, never inside a UTF-8 character or an escape.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, vDuration
from icalendar import Event as VEvent

from aggregator.config import Config, Organization
from aggregator.model import Event, StoredEvent
from feeds.vtimezone import PosixZone, UnsupportedZone, vtimezone_from_rules, zone_rules

PRODID = "-//tradecal//Trade calendar feeds//EN"
ALL_FEED = "all"
MAX_LINE_OCTETS = 75
ICS_STATUS: Mapping[str, str] = {"confirmed": "CONFIRMED", "tentative": "TENTATIVE",
              "cancelled": "CANCELLED", "postponed": "CANCELLED"}
TITLE_PREFIX: Mapping[str, str] = {"cancelled": "[已取消] ", "postponed": "[延期] "}
_ESCAPE_STARTERS = ("\\", "^")  # TEXT escapes (RFC 5545) and parameter escapes (RFC 6868)


def build_calendar(events: Sequence[StoredEvent], *, name: str, description: str,
                   refresh_hours: int) -> bytes:
    """One VCALENDAR holding ``events``, as folded CRLF bytes."""
    ordered = sorted(events, key=_sort_key)
    zones = _zone_rules_for(stored.event for stored in ordered)
    used_zones: dict[str, PosixZone] = {}
    components = [event_component(stored, zones, used_zones) for stored in ordered]
    calendar = _calendar_header(name, description, refresh_hours)
    for tzid in sorted(used_zones):
        calendar.add_component(vtimezone_from_rules(used_zones[tzid]))
    for component in components:
        calendar.add_component(component)
    return fold_lines(calendar.to_ical())


def event_component(stored: StoredEvent, zones: Mapping[str, PosixZone | None],
                    used_zones: dict[str, PosixZone]) -> VEvent:
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
    component.add("summary", TITLE_PREFIX.get(event.status, "") + event.title)
    if isinstance(event.start, datetime):
        rules = zones.get(event.timezone)
        for prop, value in (("dtstart", event.start), ("dtend", event.end)):
            if isinstance(value, datetime):
                _add_time(component, prop, value, event.timezone, rules, used_zones)
    else:
        last_day = event.end if isinstance(event.end, date) else event.start
        component.add("dtstart", event.start)
        component.add("dtend", last_day + timedelta(days=1))  # ICS DTEND is exclusive
        component.add("transp", "TRANSPARENT")
    if event.location:
        component.add("location", event.location)
    if event.url:
        component.add("url", event.url)
    component.add("description", event_description(event))
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


def fold_lines(data: bytes) -> bytes:
    """Unfold icalendar's output and fold it again: CRLF, lines of at most 75 octets, never
    splitting a UTF-8 character or a backslash (or ``^``) escape."""
    text = data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    lines = [line for line in text.split("\r\n") if line]
    return "".join(_fold(line) + "\r\n" for line in lines).encode("utf-8")


def write_feeds(events: Sequence[StoredEvent], config: Config, out_dir: Path,
                today: date | None = None) -> list[Path]:
    """Write ``all.ics`` and one ``<org-slug>.ics`` per organization into ``out_dir``.

    Only events within ``[today - past_days, today + future_days]`` are written (``today``
    defaults to the system's date; pass it for reproducible output). Every
    configured organization gets its file, even when it has no event, so a published URL
    never turns into a 404. Returns the paths, ``all.ics`` first.
    """
    settings = config.feeds
    today = today or date.today()
    shown = events_in_window(events, today - timedelta(days=settings.past_days),
                             today + timedelta(days=settings.future_days))
    organizations = _feed_organizations(events, config)
    out_dir.mkdir(parents=True, exist_ok=True)
    refresh = settings.refresh_interval_hours
    all_data = build_calendar(
        shown, name=settings.calendar_name, refresh_hours=refresh,
        description=f"{settings.calendar_name}：全部組織的會議與活動 "
                    "Meetings and events of all organizations")
    paths = [write_atomically(out_dir / f"{ALL_FEED}.ics", all_data)]
    for slug, org in organizations.items():
        members = [s for s in shown if config.organization(s.event.organization).key == org.key]
        name, description = organization_calendar_names(org, settings.calendar_name)
        data = build_calendar(members, name=name, description=description,
                              refresh_hours=refresh)
        paths.append(write_atomically(out_dir / f"{slug}.ics", data))
    return paths


def events_in_window(events: Iterable[StoredEvent], first: date,
                     last: date) -> list[StoredEvent]:
    """Events with at least one local day in ``[first, last]``."""
    chosen = []
    for stored in events:
        start, end = stored.event.local_dates()
        if end >= first and start <= last:
            chosen.append(stored)
    return chosen


def organization_slug(key: str) -> str:
    """File name stem of an organization's feed: lower-case ASCII (``World Bank`` ->
    ``world-bank``); a key without any ASCII letter or digit gets ``org-`` and a hash."""
    ascii_text = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "org-" + hashlib.sha256(key.encode()).hexdigest()[:10]


def organization_calendar_names(org: Organization, calendar_name: str) -> tuple[str, str]:
    """Calendar NAME and DESCRIPTION of an organization's feed, in Chinese and English."""
    english = org.name if org.name and org.name != org.short_name else ""
    label = " ".join(part for part in (org.name_zh, org.short_name) if part)
    name = f"{label} · {calendar_name}"
    who_zh = org.name_zh or org.short_name
    who_en = f"{english} ({org.short_name})" if english else org.short_name
    return name, f"{who_zh}的會議與活動 Meetings and events of {who_en}"


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
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("description", description)
    calendar.add("x-wr-caldesc", description)
    calendar.add("refresh-interval", vDuration(interval), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(interval))
    return calendar


def _feed_organizations(events: Sequence[StoredEvent], config: Config) -> dict[str, Organization]:
    """Slug -> organization for every configured organization and every one with events."""
    keys = list(config.organizations)
    keys += sorted({config.organization(s.event.organization).key for s in events} - set(keys))
    by_slug: dict[str, Organization] = {}
    for key in keys:
        slug = organization_slug(key)
        if slug == ALL_FEED or slug in by_slug:
            raise ValueError(f"organization {key!r}: feed name {slug}.ics is already taken")
        by_slug[slug] = config.organization(key)
    return by_slug


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
    """Characters of ``line``, with each escape (``\\x``, ``^x``) kept as one unit."""
    units: list[str] = []
    index = 0
    while index < len(line):
        step = 2 if line[index] in _ESCAPE_STARTERS and index + 1 < len(line) else 1
        units.append(line[index:index + step])
        index += step
    return units
