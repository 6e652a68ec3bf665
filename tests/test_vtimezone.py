"""VTIMEZONE from POSIX TZ footers, checked against zoneinfo by an independent reading.

The oracle below knows nothing of feeds.vtimezone: it expands each observance's RRULE with
dateutil, as a client would, and the tests compare the resulting transitions with the ones
zoneinfo reports for the same zone.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar, Timezone, vRecur

from feeds import vtimezone as vtz
from feeds.vtimezone import (
    TransitionRule,
    UnsupportedZone,
    parse_posix_tz,
    posix_footer,
    vtimezone,
    zone_rules,
)
from tests.vtimezone_oracle import onsets, wall_to_utc

H = timedelta(hours=1)
DST_ZONES = [
    "Europe/Zurich", "America/New_York", "Europe/London", "Europe/Dublin",
    "America/Nuuk", "America/Santiago", "Asia/Jerusalem", "Australia/Sydney",
    "Australia/Lord_Howe", "Pacific/Chatham", "Antarctica/Troll", "Pacific/Auckland",
]
FIXED_ZONES = ["America/Lima", "Asia/Jakarta", "Asia/Taipei", "Asia/Kolkata", "UTC"]




def zoneinfo_transitions(tzid: str, year: int) -> list[tuple[datetime, timedelta]]:
    """(naive UTC instant, new offset) of each change zoneinfo reports in ``year``."""
    zone = ZoneInfo(tzid)

    def offset(utc: datetime) -> timedelta:
        return utc.replace(tzinfo=UTC).astimezone(zone).utcoffset()

    found, moment = [], datetime(year, 1, 1)
    while moment.year == year:
        if offset(moment) != offset(moment + H):
            low, high = moment, moment + H
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == offset(low) else (low, middle)
            found.append((high.replace(microsecond=0), offset(high)))
        moment += H
    return found


def roundtrip(component: Timezone) -> Timezone:
    """The component as a client sees it: serialized, then parsed again."""
    calendar = Calendar()
    calendar.add_component(component)
    return Calendar.from_ical(calendar.to_ical()).walk("VTIMEZONE")[0]


# --- POSIX TZ strings -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "standard", "daylight"), [
    ("CET-1CEST,M3.5.0,M10.5.0/3", ("CET", 1), ("CEST", 2)),
    ("EST5EDT,M3.2.0,M11.1.0", ("EST", -5), ("EDT", -4)),
    ("<-05>5", ("-05", -5), None),
    ("WIB-7", ("WIB", 7), None),
    ("CST-8", ("CST", 8), None),
    ("IST-5:30", ("IST", 5.5), None),
    ("NST3:30NDT,M3.2.0,M11.1.0", ("NST", -3.5), ("NDT", -2.5)),
    ("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", ("+1030", 10.5), ("+11", 11)),
    ("IST-1GMT0,M10.5.0,M3.5.0/1", ("IST", 1), ("GMT", 0)),
])
def test_parse_posix_tz_names_and_offsets(text, standard, daylight):
    rules = parse_posix_tz("Test/Zone", text)
    assert (rules.standard.name, rules.standard.offset) == (standard[0], standard[1] * H)
    if daylight is None:
        assert rules.daylight is None and rules.daylight_start is None
    else:
        assert (rules.daylight.name, rules.daylight.offset) == (daylight[0], daylight[1] * H)


def test_parse_posix_tz_transition_rules():
    rules = parse_posix_tz("Test/Zone", "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45")
    assert rules.daylight_start == TransitionRule(9, 5, 0, timedelta(hours=2, minutes=45))
    assert rules.daylight_end == TransitionRule(4, 1, 0, timedelta(hours=3, minutes=45))
    assert parse_posix_tz("T/Z", "CET-1CEST,M3.5.0,M10.5.0").daylight_start.time == 2 * H


@pytest.mark.parametrize("text", [
    "EST5EDT,J60,J300",          # Julian day, no leap day
    "EST5EDT,60/2,300/2",        # zero-based day of year
    "EST5EDT",                   # DST without a rule
    "CET-1CEST,M13.5.0,M10.5.0",  # no month 13
    "CET-1CEST,M3.6.0,M10.5.0",   # no week 6
    "EST5EDT,M3.2.0/170,M11.1.0",  # beyond RFC 8536's 167 hours
    "not a zone",
])
def test_unsupported_posix_strings_are_rejected(text):
    with pytest.raises(UnsupportedZone, match="Test/Zone"):
        parse_posix_tz("Test/Zone", text)


# --- transition rules -> RRULE --------------------------------------------------------------

@pytest.mark.parametrize(("rule", "expected"), [
    (TransitionRule(3, 5, 0), "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"),
    (TransitionRule(3, 2, 0), "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"),
    (TransitionRule(10, 5, 0, 3 * H), "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"),
    (TransitionRule(3, 5, 0, -H),  # Nuuk: Saturday 23:00 before the last Sunday
     "FREQ=YEARLY;BYDAY=SA;BYMONTHDAY=24,25,26,27,28,29,30;BYMONTH=3"),
    (TransitionRule(9, 1, 6, 24 * H),  # Santiago: midnight after the first Saturday
     "FREQ=YEARLY;BYDAY=SU;BYMONTHDAY=2,3,4,5,6,7,8;BYMONTH=9"),
    (TransitionRule(3, 4, 4, 26 * H),  # Israel: Friday 02:00 after the fourth Thursday
     "FREQ=YEARLY;BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29;BYMONTH=3"),
])
def test_rrule_of_transition(rule, expected):
    assert vRecur(rule.rrule()).to_ical().decode() == expected


@pytest.mark.parametrize("rule", [
    TransitionRule(10, 5, 4, 24 * H),  # Egypt: the day after the last Thursday may be 1 Nov
    TransitionRule(3, 1, 0, -H),       # the evening before the 1st Sunday may be in February
    TransitionRule(2, 5, 0, -H),       # last week of February moves with leap years
])
def test_transitions_that_may_leave_their_month_are_rejected(rule):
    with pytest.raises(UnsupportedZone, match="RRULE"):
        rule.rrule()


@pytest.mark.parametrize("rule", [
    TransitionRule(3, 5, 0), TransitionRule(3, 2, 0), TransitionRule(11, 1, 0),
    TransitionRule(4, 1, 0, 3 * H), TransitionRule(3, 5, 0, -H),
    TransitionRule(9, 1, 6, 24 * H), TransitionRule(3, 4, 4, 26 * H),
    TransitionRule(10, 4, 4, 50 * H), TransitionRule(4, 5, 5, 0 * H),
])
def test_rrule_and_direct_computation_agree_for_every_year(rule):
    first = rule.local_datetime(1970)
    expanded = rrulestr(vRecur(rule.rrule()).to_ical().decode(), dtstart=first)
    assert list(expanded.between(first, datetime(2101, 1, 1), inc=True)) == [
        rule.local_datetime(year) for year in range(1970, 2101)]


# --- real zones -----------------------------------------------------------------------------

@pytest.mark.parametrize(("tzid", "footer"), [
    ("Europe/Zurich", "CET-1CEST,M3.5.0,M10.5.0/3"),
    ("America/New_York", "EST5EDT,M3.2.0,M11.1.0"),
    ("America/Lima", "<-05>5"),
    ("Asia/Jakarta", "WIB-7"),
    ("Asia/Taipei", "CST-8"),
])
def test_footer_is_read_from_the_zone(tzid, footer):
    assert posix_footer(tzid) == footer


def test_footer_falls_back_to_the_tzdata_package(monkeypatch):
    pytest.importorskip("tzdata")
    monkeypatch.setattr(zoneinfo, "TZPATH", ())
    assert posix_footer("Europe/Zurich") == "CET-1CEST,M3.5.0,M10.5.0/3"


@pytest.mark.parametrize(("data", "message"), [
    (b"TZif\x00" + b"\x00" * 40, "no footer"),
    (b"TZif2" + b"\x00" * 40 + b"\n\n", "empty"),
    (b"TZif2" + b"\x00" * 40 + b"\nCET-1", "newline"),
])
def test_bad_tzif_data_is_rejected(monkeypatch, data, message):
    monkeypatch.setattr(vtz, "tzif_bytes", lambda tzid: data)
    with pytest.raises(UnsupportedZone, match=message):
        posix_footer("Europe/Zurich")


@pytest.mark.parametrize("tzid", ["Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime"])
def test_unknown_or_path_like_zones_are_rejected(tzid):
    with pytest.raises(UnsupportedZone):
        vtimezone(tzid)


def test_every_zone_is_written_with_rrules_or_rejected():
    written = 0
    for tzid in sorted(zoneinfo.available_timezones()):
        try:
            component = roundtrip(vtimezone(tzid))
        except UnsupportedZone:
            continue
        written += 1
        kinds = [sub.name for sub in component.subcomponents]
        assert sorted(kinds) in (["STANDARD"], ["DAYLIGHT", "STANDARD"]), tzid
        for observance in component.subcomponents:
            assert "RDATE" not in observance
            assert observance["DTSTART"].dt.year == 1970
            if len(kinds) == 2:
                assert observance["RRULE"]["FREQ"] == ["YEARLY"], tzid
        daylight = [sub for sub in component.subcomponents if sub.name == "DAYLIGHT"]
        standard = [sub for sub in component.subcomponents if sub.name == "STANDARD"]
        if daylight:
            assert daylight[0]["TZOFFSETTO"].td > standard[0]["TZOFFSETTO"].td, tzid
    assert written > 500


@pytest.mark.parametrize("tzid", FIXED_ZONES)
def test_zone_without_dst_is_one_standard(tzid):
    component = roundtrip(vtimezone(tzid))
    (standard,) = component.subcomponents
    assert standard.name == "STANDARD" and "RRULE" not in standard
    offset = datetime(2025, 6, 1, tzinfo=ZoneInfo(tzid)).utcoffset()
    assert standard["TZOFFSETFROM"].td == standard["TZOFFSETTO"].td == offset


@pytest.mark.parametrize("tzid", DST_ZONES)
def test_rrule_transitions_match_zoneinfo(tzid):
    table = onsets(roundtrip(vtimezone(tzid)), until=2031)
    for year in range(2025, 2031):
        ours = [(instant, offset) for instant, offset in table if instant.year == year]
        assert ours == zoneinfo_transitions(tzid, year), f"{tzid} {year}"


@pytest.mark.parametrize("tzid", DST_ZONES + FIXED_ZONES)
@pytest.mark.parametrize("wall", [datetime(2026, 1, 15, 9), datetime(2026, 7, 15, 9),
                                  datetime(2026, 4, 3, 23, 30), datetime(2026, 10, 30, 0, 30)])
def test_wall_times_convert_like_zoneinfo(tzid, wall):
    expected = wall.replace(tzinfo=ZoneInfo(tzid)).astimezone(UTC)
    assert wall_to_utc(roundtrip(vtimezone(tzid)), wall) == expected
    assert zone_rules(tzid).local_to_utc(wall) == expected


def test_dublin_negative_dst_is_written_as_summer_daylight():
    component = vtimezone("Europe/Dublin")
    by_kind = {sub.name: sub for sub in component.subcomponents}
    assert str(by_kind["DAYLIGHT"]["TZNAME"]) == "IST"
    assert by_kind["DAYLIGHT"]["TZOFFSETTO"].td == H
    assert by_kind["DAYLIGHT"]["DTSTART"].dt == datetime(1970, 3, 29, 1)
    assert str(by_kind["STANDARD"]["TZNAME"]) == "GMT"


def test_local_to_utc_takes_first_of_repeated_hour_and_none_in_gap():
    rules = zone_rules("Europe/Zurich")
    repeated = datetime(2025, 10, 26, 2, 30)
    assert rules.local_to_utc(repeated) == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    assert rules.local_to_utc(datetime(2025, 3, 30, 2, 30)) is None


def test_utcoffset_follows_the_zone_through_a_southern_year():
    rules = zone_rules("Australia/Sydney")
    zone = ZoneInfo("Australia/Sydney")
    for day in range(0, 365, 3):
        moment = datetime(2026, 1, 1, 12) + timedelta(days=day)
        assert rules.utcoffset(moment) == moment.replace(tzinfo=UTC).astimezone(zone).utcoffset()


def test_observance_dtstart_lies_on_its_own_rule():
    component = vtimezone("America/Santiago")
    for observance in component.subcomponents:
        start = observance["DTSTART"].dt
        rule = rrulestr(observance["RRULE"].to_ical().decode(), dtstart=start)
        assert rule[0] == start and start.date() >= date(1970, 1, 1)
