"""VTIMEZONE components that every calendar client reads the same way.

A zone is written from its *current* rules, taken from the zone itself: the POSIX TZ string
that ends every version 2+ TZif file (``CET-1CEST,M3.5.0,M10.5.0/3``, ``WIB-7``). The result
has at most one STANDARD and one DAYLIGHT observance, each starting in 1970 and repeating
with a yearly ``RRULE`` (never RDATE: Outlook ignores RDATE-only zones and ical.js misreads
them). A zone without daylight saving time is one STANDARD without a rule.

Times written under such a VTIMEZONE are right for dates the current rules govern, which is
what a feed of present and future meetings needs. Where the footer does not describe a date
(Morocco and Gaza list their Ramadan changes as explicit transitions; a zone whose announced
change lies ahead), :meth:`PosixZone.local_to_utc` lets the writer notice and fall back to UTC.

Transition times outside 00:00-24:00 (``M3.5.0/-1`` in Nuuk, ``M9.1.6/24`` in Santiago,
``M3.4.4/26`` in Israel) move the transition to a neighbouring weekday; they are written as
``BYDAY`` plus a positive ``BYMONTHDAY`` range (RFC 5545 allows both; ical.js misreads
negative ones). Outlook and Exchange import only yearly rules with ``BYDAY`` *or*
``BYMONTHDAY`` and a ``BYDAY`` of one weekday with its occurrence (MS-OXCICAL
2.1.3.1.1.19.2.2), so :func:`feed_zone_rules`, which the feeds use, refuses such zones and
the feeds write their times in UTC. A shifted transition that can cross into another month (``M10.5.4/24`` in
Egypt) or fall in the last week of February has no such form and raises
:class:`UnsupportedZone`, as do the ``Jn`` and ``n`` day forms, which no tzdata zone uses.
"""

from __future__ import annotations

import calendar
import importlib.resources
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

DEFAULT_TRANSITION_TIME = timedelta(hours=2)
OBSERVANCE_START_YEAR = 1970
_ICAL_WEEKDAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # POSIX numbering: 0 = Sunday
_ONE_DAY = timedelta(days=1)

_NAME = r"<[A-Za-z0-9+-]+>|[A-Za-z]{3,}"
_OFFSET = r"[+-]?\d{1,3}(?::\d{1,2}){0,2}"
_RULE = rf"M\d{{1,2}}\.\d\.\d(?:/{_OFFSET})?"
_POSIX_TZ = re.compile(
    rf"(?P<std>{_NAME})(?P<std_offset>{_OFFSET})"
    rf"(?:(?P<dst>{_NAME})(?P<dst_offset>{_OFFSET})?,(?P<start>{_RULE}),(?P<end>{_RULE}))?"
)


class UnsupportedZone(ValueError):
    """A zone whose current rules cannot be written as yearly RRULE observances."""


@dataclass(frozen=True)
class TransitionRule:
    """A POSIX ``Mm.w.d[/time]`` rule: weekday ``weekday`` (0 = Sunday) of week ``week``
    (1-4, or 5 for the last) of ``month``, at ``time`` after that day's local midnight
    (``time`` may be negative or exceed 24 hours)."""

    month: int
    week: int
    weekday: int
    time: timedelta = DEFAULT_TRANSITION_TIME

    def local_datetime(self, year: int) -> datetime:
        """The wall-clock moment of the transition in ``year``, in the offset it ends."""
        first = date(year, self.month, 1)
        posix_weekday = (first.weekday() + 1) % 7
        day = first + timedelta(days=(self.weekday - posix_weekday) % 7 + 7 * (self.week - 1))
        while day.month != self.month:  # week 5 overshot: step back to the last one
            day -= timedelta(days=7)
        return datetime.combine(day, time()) + self.time

    def rrule(self) -> dict[str, object]:
        """The yearly RRULE parts that produce the same dates as this rule."""
        days, _ = divmod(self.time, _ONE_DAY)
        weekday = _ICAL_WEEKDAYS[(self.weekday + days) % 7]
        if days == 0:
            nth = -1 if self.week == 5 else self.week
            return {"FREQ": "YEARLY", "BYMONTH": self.month, "BYDAY": f"{nth}{weekday}"}
        length = calendar.monthrange(2001, self.month)[1]  # February: 28, see below
        if self.week == 5:  # last week; February's varies, and ical.js misreads BYMONTHDAY<0
            first, last = length - 6 + days, length + days
            fits = self.month != 2 and 1 <= first and last <= length
        else:
            first, last = 7 * (self.week - 1) + 1 + days, 7 * self.week + days
            fits = 1 <= first and last <= length
        if not fits:
            raise UnsupportedZone(
                f"transition M{self.month}.{self.week}.{self.weekday} at {self.time} "
                "has no yearly RRULE form that every client reads")
        return {"FREQ": "YEARLY", "BYMONTH": self.month, "BYDAY": weekday,
                "BYMONTHDAY": list(range(first, last + 1))}


@dataclass(frozen=True)
class Period:
    """One kind of period of a zone: its name and its offset from UTC (east positive)."""

    name: str
    offset: timedelta


@dataclass(frozen=True)
class PosixZone:
    """The current rules of a zone, as its POSIX TZ string states them."""

    tzid: str
    standard: Period
    daylight: Period | None = None
    daylight_start: TransitionRule | None = None
    daylight_end: TransitionRule | None = None

    def utcoffset(self, utc: datetime) -> timedelta:
        """Offset in effect at the naive UTC moment ``utc``."""
        if self.daylight is None or self.daylight_start is None or self.daylight_end is None:
            return self.standard.offset
        start = self.daylight_start.local_datetime(utc.year) - self.standard.offset
        end = self.daylight_end.local_datetime(utc.year) - self.daylight.offset
        in_daylight = start <= utc < end if start < end else not end <= utc < start
        return self.daylight.offset if in_daylight else self.standard.offset

    def local_to_utc(self, wall: datetime) -> datetime | None:
        """The UTC instant a client computes for naive wall time ``wall`` under these rules:
        the earlier one when the time occurs twice, None when it falls in a gap."""
        instants = self.local_instants(wall)
        return instants[0] if instants else None

    def local_instants(self, wall: datetime) -> list[datetime]:
        """Every UTC instant that naive wall time ``wall`` names under these rules, earliest
        first: two in a repeated hour, none in a gap."""
        offsets = {self.standard.offset} | ({self.daylight.offset} if self.daylight else set())
        return sorted((wall - offset).replace(tzinfo=UTC) for offset in offsets
                      if self.utcoffset(wall - offset) == offset)


def tzif_bytes(tzid: str) -> bytes:
    """The TZif data that ``zoneinfo.ZoneInfo(tzid)`` reads (TZPATH first, then tzdata)."""
    try:
        zoneinfo.ZoneInfo(tzid)  # validates the key and refuses paths such as ``../x``
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise UnsupportedZone(f"unknown time zone {tzid!r}") from exc
    for root in zoneinfo.TZPATH:
        candidate = Path(root, tzid)
        if candidate.is_file():
            return candidate.read_bytes()
    resource = importlib.resources.files("tzdata.zoneinfo").joinpath(*tzid.split("/"))
    return resource.read_bytes()


def posix_footer(tzid: str) -> str:
    """The POSIX TZ string at the end of the zone's TZif data (RFC 8536, section 3.3)."""
    data = tzif_bytes(tzid)
    if not data.startswith(b"TZif") or data[4:5] in (b"\x00", b"1"):
        raise UnsupportedZone(f"{tzid}: TZif data has no footer (version 1 or not TZif)")
    if not data.endswith(b"\n"):
        raise UnsupportedZone(f"{tzid}: TZif footer is not newline-terminated")
    footer = data[:-1].rsplit(b"\n", 1)[-1].decode("ascii")
    if not footer:
        raise UnsupportedZone(f"{tzid}: TZif footer is empty (no rule for future dates)")
    return footer


def parse_posix_tz(tzid: str, text: str) -> PosixZone:
    """Parse a POSIX TZ string; :class:`UnsupportedZone` for forms RRULEs cannot carry."""
    match = _POSIX_TZ.fullmatch(text)
    if match is None:
        raise UnsupportedZone(f"{tzid}: unsupported POSIX TZ string {text!r} "
                              "(only the Mm.w.d rule form can be written as an RRULE)")
    standard = Period(_name(match["std"]), -_duration(match["std_offset"]))
    if match["dst"] is None:
        return PosixZone(tzid, standard)
    dst_offset = (-_duration(match["dst_offset"]) if match["dst_offset"]
                  else standard.offset + timedelta(hours=1))
    return PosixZone(tzid, standard, Period(_name(match["dst"]), dst_offset),
                     _transition(tzid, match["start"]), _transition(tzid, match["end"]))


def zone_rules(tzid: str) -> PosixZone:
    """The current rules of ``tzid``, read from its own TZif footer."""
    return parse_posix_tz(tzid, posix_footer(tzid))


def feed_zone_rules(tzid: str) -> PosixZone:
    """The rules of ``tzid`` when every client, Outlook included, reads its VTIMEZONE;
    :class:`UnsupportedZone` for a zone whose transitions need ``BYMONTHDAY`` (Santiago,
    Nuuk, Jerusalem, Gaza): MS-OXCICAL wants ``BYDAY`` with an occurrence and no
    ``BYMONTHDAY``."""
    rules = zone_rules(tzid)
    for rule in (rules.daylight_start, rules.daylight_end):
        if rule is not None and "BYMONTHDAY" in rule.rrule():
            raise UnsupportedZone(f"{tzid}: transition M{rule.month}.{rule.week}.{rule.weekday}"
                                  f" at {rule.time} has no RRULE form Outlook imports")
    return rules


def vtimezone(tzid: str) -> Timezone:
    """A VTIMEZONE for ``tzid`` with at most one STANDARD and one DAYLIGHT, yearly RRULEs."""
    return vtimezone_from_rules(zone_rules(tzid))


def vtimezone_from_rules(rules: PosixZone) -> Timezone:
    """The VTIMEZONE that states ``rules``; the period with the larger offset is DAYLIGHT
    (so Dublin, whose POSIX "daylight" is winter GMT, is written like London)."""
    component = Timezone()
    component.add("tzid", rules.tzid)
    if rules.daylight is None or rules.daylight_start is None or rules.daylight_end is None:
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(OBSERVANCE_START_YEAR, 1, 1))
        _add_offsets(standard, rules.standard, rules.standard.offset)
        component.add_component(standard)
        return component
    into_daylight = (rules.daylight, rules.standard.offset, rules.daylight_start)
    into_standard = (rules.standard, rules.daylight.offset, rules.daylight_end)
    for period, offset_from, rule in sorted((into_standard, into_daylight),
                                            key=lambda item: item[0].offset):
        observance = (TimezoneDaylight() if period.offset > offset_from
                      else TimezoneStandard())
        observance.add("dtstart", rule.local_datetime(OBSERVANCE_START_YEAR))
        observance.add("rrule", rule.rrule())
        _add_offsets(observance, period, offset_from)
        component.add_component(observance)
    return component


def _add_offsets(observance: TimezoneStandard | TimezoneDaylight, period: Period,
                 offset_from: timedelta) -> None:
    observance.add("tzname", period.name)
    observance.add("tzoffsetfrom", offset_from)
    observance.add("tzoffsetto", period.offset)


def _name(text: str) -> str:
    return text.strip("<>")


def _duration(text: str) -> timedelta:
    """``[+-]hh[:mm[:ss]]`` as a timedelta (sign kept as written)."""
    sign = -1 if text.startswith("-") else 1
    parts = [int(part) for part in text.lstrip("+-").split(":")] + [0, 0]
    return sign * timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])


def _transition(tzid: str, text: str) -> TransitionRule:
    date_part, _, time_part = text.partition("/")
    month, week, weekday = (int(part) for part in date_part[1:].split("."))
    if not (1 <= month <= 12 and 1 <= week <= 5 and 0 <= weekday <= 6):
        raise UnsupportedZone(f"{tzid}: invalid transition rule {text!r}")
    moment = _duration(time_part) if time_part else DEFAULT_TRANSITION_TIME
    if abs(moment) > timedelta(hours=167):
        raise UnsupportedZone(f"{tzid}: transition time out of range in {text!r}")
    rule = TransitionRule(month, week, weekday, moment)
    try:
        rule.rrule()
    except UnsupportedZone as exc:
        raise UnsupportedZone(f"{tzid}: {exc}") from None
    return rule
