"""Every feed the suite writes, read by real calendar clients: libical (GNOME Evolution; with
the feed's VTIMEZONE and with its own zones, as Evolution does), node-ical, vobject and
ical.js (Thunderbird). Each client must find every event at the instant the file means
(RFC 5545 and zoneinfo, :func:`tests.client_readings.oracle`) and read its text unchanged;
each file must keep the rules of :mod:`tests.feed_rules` (DTEND after DTSTART, no TZID time
in a repeated hour, both ends alike, Outlook's VTIMEZONE rules, at least one component).
Where the stored events are known, the file must also mean their instants.

The feed sets are :mod:`tests.interop_sets`: test_interop's table, the hard set, the
reference newsletter's events and the replay demo. Clients are installed by ``.ci/run``
(Debian's ``python3-gi`` and ``gir1.2-ical-3.0``, ``npm ci`` in tests/js, vobject from the
``[test]`` extra); a missing one fails the test, naming what to install.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from aggregator.core.model import StoredEvent
from feeds.ics import build_calendar
from feeds.vtimezone import UnsupportedZone, feed_zone_rules, vtimezone
from sources.lib.manual import read_events_csv
from tests import interop_sets
from tests.client_readings import (
    TEXT_FIELDS,
    Reading,
    instant,
    oracle,
    read_icaljs,
    read_libical,
    read_nodeical,
    read_vobject,
)
from tests.feed_events import stored
from tests.feed_rules import feed_problems, outlook_rrule
from tests.interop_sets import FeedSet

SETS = ("store", "hard", "reference", "demo")
Reader = Callable[[list[Path]], dict[str, dict[str, Reading]]]
CLIENTS: dict[str, tuple[Reader, tuple[str, ...]]] = {
    # client: (reader, the fields compared besides start and end)
    "libical": (read_libical, (*TEXT_FIELDS, "categories")),
    "libical-builtin-zones": (lambda paths: read_libical(paths, builtin=True), ()),
    "node-ical": (read_nodeical, (*TEXT_FIELDS, "categories")),
    "vobject": (lambda paths: {path.name: read_vobject(path) for path in paths},
                (*TEXT_FIELDS, "categories")),
    "ical.js": (read_icaljs, ("summary", "description", "location")),
}


@pytest.fixture(scope="module")
def feed_sets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, FeedSet]:
    from tests.test_interop import STORE, TODAY, config_for

    folder = tmp_path_factory.mktemp("store")
    with pytest.MonkeyPatch.context() as monkeypatch:
        demo = interop_sets.demo(tmp_path_factory.mktemp("demo"), monkeypatch)
    return {
        "store": interop_sets.written("store", STORE, config_for(folder), TODAY, folder),
        "hard": interop_sets.hard(tmp_path_factory.mktemp("hard")),
        "reference": interop_sets.reference(tmp_path_factory.mktemp("reference")),
        "demo": demo,
    }


@pytest.mark.parametrize("set_name", SETS)
def test_every_feed_keeps_the_rules_clients_need(feed_sets, set_name):
    feeds = feed_sets[set_name].files()
    assert feeds
    for name, data in feeds.items():
        assert feed_problems(data) == [], (set_name, name)


@pytest.mark.parametrize("set_name", SETS)
@pytest.mark.parametrize("client", CLIENTS)
def test_client_shows_every_event_as_the_feed_means(feed_sets, set_name, client):
    feed_set = feed_sets[set_name]
    reader, fields = CLIENTS[client]
    readings = reader(list(feed_set.paths))
    compared = 0
    for name, data in feed_set.files().items():
        meant, seen = oracle(data), readings[name]
        assert set(seen) == set(meant), (client, name)
        for uid, meaning in meant.items():
            reading = seen[uid]
            assert (reading.start, reading.end) == (meaning.start, meaning.end), \
                (client, name, uid)
            for field in fields:
                assert getattr(reading, field) == getattr(meaning, field), \
                    (client, name, uid, field)
            compared += 1
    assert compared or set_name == "demo"


@pytest.mark.parametrize("set_name", ("store", "hard", "reference"))
def test_feeds_mean_the_stored_instants(feed_sets, set_name):
    feed_set = feed_sets[set_name]
    assert feed_set.events is not None
    for name, data in feed_set.files().items():
        for uid, meaning in oracle(data).items():
            start, end = stored_instants(feed_set.events[uid])
            assert (meaning.start, meaning.end) == (start, end), (name, uid)


def stored_instants(stored: StoredEvent) -> tuple[str, str]:
    """Start and end a client must show for a stored event: the end keeps the wall-clock
    length when a daylight-saving gap pushed it onto the start; no length, no end."""
    event = stored.event
    if not isinstance(event.start, datetime):
        last = event.end or event.start
        return event.start.isoformat(), (last + timedelta(days=1)).isoformat()
    start = event.start.astimezone(UTC)
    end = event.end.astimezone(UTC) if isinstance(event.end, datetime) else start
    wall_length = (event.end or event.start).replace(tzinfo=None) - \
        event.start.replace(tzinfo=None)
    if end <= start < start + wall_length:
        end = start + wall_length
    return instant(start), instant(end)


# --- the cases of the hard set, one by one -----------------------------------------------------

def hard_event(feed_sets: dict[str, FeedSet], key: str) -> tuple[StoredEvent, object]:
    events = feed_sets["hard"].events or {}
    stored = next(s for s in events.values() if s.event.source_key == key)
    data = feed_sets["hard"].files()["all.ics"]
    component = next(c for c in Calendar.from_ical(data).walk("VEVENT")
                     if str(c["UID"]) == stored.event.uid)
    return stored, component


@pytest.mark.parametrize("key", ["ny-repeated-first", "ny-repeated-second", "zrh-repeated",
                                 "dub-repeated", "jlm-repeated", "cht-repeated",
                                 "lhi-repeated", "scl-repeated", "nuuk-repeated"])
def test_a_time_in_a_repeated_hour_is_written_in_utc(feed_sets, key):
    _, component = hard_event(feed_sets, key)
    assert "TZID" not in component["DTSTART"].params
    assert component["DTSTART"].to_ical().endswith(b"Z")


@pytest.mark.parametrize("key", ["ny-gap-start", "dub-gap-start", "jlm-gap-start",
                                 "cht-gap-start"])
def test_a_start_in_a_gap_keeps_its_length(feed_sets, key):
    """A gap start one hour (the gap's length) before its end: the source's end lands on
    the moved start; the feed keeps the hour (other gap starts keep their stated end,
    test_feeds_mean_the_stored_instants)."""
    stored, component = hard_event(feed_sets, key)
    event = stored.event
    wall_length = event.end.replace(tzinfo=None) - event.start.replace(tzinfo=None)
    length = component["DTEND"].dt.astimezone(UTC) - component["DTSTART"].dt.astimezone(UTC)
    assert length == wall_length > timedelta(0)


def test_an_event_across_casablancas_ramadan_change_is_all_utc(feed_sets):
    _, component = hard_event(feed_sets, "cas-across-ramadan")
    for prop in ("DTSTART", "DTEND"):
        assert "TZID" not in component[prop].params and component[prop].to_ical().endswith(b"Z")


def test_zones_outlook_cannot_import_are_written_in_utc(feed_sets):
    data = feed_sets["hard"].files()["all.ics"]
    zones = {str(zone["TZID"]) for zone in Calendar.from_ical(data).walk("VTIMEZONE")}
    assert {"America/New_York", "Europe/Zurich", "Australia/Lord_Howe"} <= zones
    assert not zones & {"America/Santiago", "America/Nuuk", "Asia/Jerusalem", "Asia/Gaza",
                        "Africa/Cairo"}  # Casablanca: a fixed +01 zone, Ramadan times in UTC


def test_subscribers_read_organization_names_not_keys(feed_sets):
    files = feed_sets["hard"].files()
    for name, prefixed in (("all.ics", True), ("section-apec.ics", True),
                           ("worldbank.ics", False), ("source-worldbank.ics", False)):
        (event,) = [c for c in Calendar.from_ical(files[name]).walk("VEVENT")
                    if "Global AI" in str(c["SUMMARY"])]
        title = "Global AI and Digital Summit"
        assert str(event["SUMMARY"]) == ("[World Bank] " + title if prefixed else title)
        assert str(event["DESCRIPTION"]).startswith("主辦 Organization: 世界銀行 World Bank\n")
        assert "WorldBank" not in str(event["DESCRIPTION"])
        assert list(event["CATEGORIES"].cats) == ["World Bank", "APEC 及其他國際組織",
                                                  "會議 Meeting"]


def test_every_feed_without_events_is_still_a_calendar(feed_sets):
    empty = 0
    for feed_set in feed_sets.values():
        for name, data in feed_set.files().items():
            calendar = Calendar.from_ical(data)
            if not calendar.walk("VEVENT"):
                empty += 1
                assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"], name
    assert empty  # the demo and the table leave some organizations without events


def test_an_imported_start_in_a_gap_keeps_the_rows_length(tmp_path):
    """Dublin, 2027-03-28 01:30-02:30: 01:30 does not exist (01:00 becomes 02:00); read as
    02:30 IST, the row keeps its hour instead of ending when it starts."""
    text = ("organization,title,start,end,timezone\n"
            "WTO,Dublin gap,2027-03-28T01:30,2027-03-28T02:30,Europe/Dublin\n")
    [event] = read_events_csv(text, "gap.csv")
    assert event.end.astimezone(UTC) - event.start.astimezone(UTC) == timedelta(hours=1)
    path = tmp_path / "gap.ics"
    path.write_bytes(build_calendar([stored(event)], name="n", description="d", refresh_hours=6))
    assert feed_problems(path.read_bytes()) == []
    for client, (reader, _) in CLIENTS.items():
        reading = reader([path])["gap.ics"][event.uid]
        assert (reading.start, reading.end) == ("20270328T013000Z", "20270328T023000Z"), client


@pytest.mark.parametrize("tzid", ["America/Santiago", "America/Nuuk", "Asia/Jerusalem",
                                  "Asia/Gaza"])
def test_the_outlook_check_refuses_the_rules_these_zones_would_need(tzid):
    """The rule check of the feeds is not vacuous: the VTIMEZONE these zones would need
    (BYDAY with BYMONTHDAY) breaks it, which is why the feeds write their times in UTC."""
    assert any("BYDAY and BYMONTHDAY" in problem for problem in outlook_rrule(vtimezone(tzid)))
    with pytest.raises(UnsupportedZone):
        feed_zone_rules(tzid)
