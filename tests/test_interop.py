"""Every feed the writer produces, read by two independent parsers: icalendar and ical.js
(the parser Thunderbird uses, driven by tests/js/check_icaljs.mjs under Node).

The store holds meetings in Geneva, Washington, Lima, Jakarta and Taipei, before, across
and after daylight-saving changes, tentative, cancelled and postponed ones, all-day ones
over several days, and long Chinese titles full of commas, semicolons, backslashes and
newlines. For each feed file both parsers must find exactly the events it should hold, at
the instants zoneinfo gives, with the text unchanged; and the file's lines must be folded
at 75 octets without splitting a UTF-8 character or an escape.

ical.js is installed by ``npm ci`` in tests/js (``.ci/run`` does it). Without Node the
ical.js half is skipped, saying so; with Node but without ical.js it fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aggregator.config import Config, parse_config
from aggregator.core.model import Event, StoredEvent
from feeds.feedset import write_feeds
from feeds.ics import feed_text
from feeds.ics_text import EventText, event_text
from tests.feed_events import LONG_CHINESE, TRICKY, all_day, parse, timed
from tests.vtimezone_oracle import wall_to_utc

JS_DIR = Path(__file__).resolve().parent / "js"
SCRIPT = JS_DIR / "check_icaljs.mjs"
TODAY = date(2025, 6, 1)
MESSY_CHINESE = ("第14屆部長會議（MC14）, 雅溫得; 議程\\草案 \\n 非換行\n第二行：「貿易, 投資; 數位」"
                 + "會\\" * 12 + "，結束")
ESCAPES_EVERYWHERE = "會\\,;" * 30
ORGANIZATIONS = {
    "WTO": {"short_name": "WTO", "name_zh": "世界貿易組織", "section": "WTO"},
    "IMF": {"short_name": "IMF", "name_zh": "國際貨幣基金", "section": "APEC 及其他國際組織"},
    "APEC": {"short_name": "APEC", "name_zh": "亞太經濟合作", "section": "APEC 及其他國際組織"},
    "ASEAN": {"short_name": "ASEAN", "name_zh": "東南亞國家協會"},
    "CPTPP": {"short_name": "CPTPP", "section": "RTA"},
    "TRADE": {"short_name": "國際貿易署", "name_zh": "經濟部國際貿易署"},
}


def zurich(key: str, wall: datetime, **fields: Any) -> StoredEvent:
    return timed(key, "Europe/Zurich", wall, **fields)


STORE = [
    # Geneva: before, across and after both 2025 changes, and the next year's spring
    zurich("gva-before-spring", datetime(2025, 3, 28, 10)),
    zurich("gva-across-spring", datetime(2025, 3, 29, 22), hours=6),  # ends after 02:00->03:00
    zurich("gva-after-spring", datetime(2025, 3, 31, 10), title=TRICKY,
           location="Centre William Rappard, Geneva; CH\\1211"),
    zurich("gva-summer", datetime(2025, 7, 22, 15), title=MESSY_CHINESE, status="tentative"),
    zurich("gva-across-autumn", datetime(2025, 10, 25, 23), hours=5),  # spans 03:00->02:00
    zurich("gva-repeated-hour", datetime(2025, 10, 26, 2, 30), hours=1),  # first 02:30
    zurich("gva-2026-spring", datetime(2026, 3, 30, 9), sequence=3),
    all_day("mc14", date(2026, 3, 26), date(2026, 3, 29), status="postponed",
            title="第十四屆部長會議 MC14, Yaoundé; 延期"),
    all_day("gc-one-day", date(2025, 7, 23)),
    # Washington: spring-forward night, summer, autumn, winter
    timed("dc-spring", "America/New_York", datetime(2025, 3, 9, 1, 30), hours=2,
          organization="IMF", title="IMF seminar across the spring change"),
    timed("dc-summer", "America/New_York", datetime(2025, 4, 22, 9), organization="IMF"),
    timed("dc-autumn", "America/New_York", datetime(2025, 11, 2, 0, 30), hours=3,
          organization="IMF"),
    timed("dc-winter", "America/New_York", datetime(2025, 12, 2, 9), organization="IMF",
          status="tentative", title=ESCAPES_EVERYWHERE),
    # Lima (no DST), Jakarta (no DST), Taipei (no DST)
    timed("lima", "America/Lima", datetime(2025, 5, 17, 9), organization="APEC",
          title="APEC 貿易部長會議 MRT, Lima; Perú"),
    timed("lima-late", "America/Lima", datetime(2025, 11, 14, 23, 30), hours=2,
          organization="APEC"),  # ends on the next day
    timed("jakarta", "Asia/Jakarta", datetime(2025, 9, 2, 9), organization="ASEAN",
          status="cancelled", title="東協經濟部長會議（AEM）；取消"),
    timed("jakarta-old-cancelled", "Asia/Jakarta", datetime(2025, 4, 1, 9),
          organization="ASEAN", status="cancelled"),  # past its retention: not published
    timed("taipei", "Asia/Taipei", datetime(2025, 6, 10, 14), organization="TRADE",
          source="manual", title=LONG_CHINESE, url="https://www.trade.gov.tw/a?b=1,2;c=3",
          description="報名請洽：02-2397-7226\n名額有限，額滿為止；\\ 備註, 其他"),
    all_day("taipei-expo", date(2025, 6, 25), date(2025, 6, 28), organization="TRADE",
            source="manual", timezone="Asia/Taipei", title=LONG_CHINESE + "\n" + LONG_CHINESE),
    # A zone whose rules no yearly RRULE states: written in UTC
    timed("cairo", "Africa/Cairo", datetime(2025, 10, 30, 23, 30), organization="CPTPP"),
]
PUBLISHED = [s for s in STORE if s.event.source_key != "jakarta-old-cancelled"]


def config_for(tmp_path: Path) -> Config:
    sources = {
        "wto": {"type": "ustr", "url": "https://www.wto.org/", "organization": "WTO"},
        "imf": {"type": "imf", "url": "https://www.imf.org/", "organization": "IMF"},
        "apec": {"type": "ustr", "url": "https://www.apec.org/", "organization": "APEC"},
        "asean": {"type": "ustr", "url": "https://asean.org/", "organization": "ASEAN"},
    }
    for table in sources.values():
        table["timezone"] = "UTC"
    return parse_config({"feeds": {"output": "public", "past_days": 90, "future_days": 540,
                                   "retention_days": 30},
                         "organizations": ORGANIZATIONS, "sources": sources},
                        tmp_path / "config.toml")


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp_path = tmp_path_factory.mktemp("interop")
    paths = write_feeds(STORE, config_for(tmp_path), tmp_path / "public", today=TODAY)
    return {path.name: path.read_bytes() for path in paths}


@pytest.fixture(scope="module")
def icaljs(feeds: dict[str, bytes],
           tmp_path_factory: pytest.TempPathFactory) -> dict[str, Mapping[str, Any]]:
    """What ical.js reads in each feed file, by file name."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the ical.js (Thunderbird) half of the interop "
                    "tests needs Node 20 and `npm ci` in tests/js")
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        pytest.fail("ical.js is not installed: run `npm ci` in tests/js (.ci/run does)")
    folder = tmp_path_factory.mktemp("icaljs")
    for name, data in feeds.items():
        (folder / name).write_bytes(data)
    done = subprocess.run([node, str(SCRIPT), *(str(folder / name) for name in feeds)],
                          cwd=JS_DIR, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return {Path(feed["file"]).name: feed for feed in json.loads(done.stdout)}


SECTION_OF = {"WTO": "wto", "IMF": "apec", "APEC": "apec", "CPTPP": "rta"}


def expected_members(name: str) -> set[str]:
    """UIDs a feed must hold, worked out here from the table above."""
    stem = name.removesuffix(".ics")

    def belongs(event: Event) -> bool:
        if stem == "all":
            return True
        if stem.startswith("section-"):
            return SECTION_OF.get(event.organization) == stem.removeprefix("section-")
        if stem.startswith("source-"):
            return event.source == stem.removeprefix("source-")
        return event.organization.lower() == stem

    return {s.event.uid for s in PUBLISHED if belongs(s.event)}


def text_of(name: str) -> EventText:
    """Names and prefixes of feed ``name``: "[IMF] " before titles in all and the sections."""
    prefixed = name == "all.ics" or name.startswith("section-")
    return event_text(config_for(Path("interop")), organization_prefix=prefixed)


def expected_summary(stored: StoredEvent, name: str) -> str:
    return feed_text(text_of(name).summary(stored.event))


def expected_description(stored: StoredEvent, name: str) -> str:
    return feed_text(text_of(name).description(stored.event))


BY_UID = {s.event.uid: s for s in STORE}


# --- the files ---------------------------------------------------------------------------------

def test_every_feed_was_written(feeds):
    assert {"all.ics", "wto.ics", "imf.ics", "apec.ics", "asean.ics", "trade.ics",
            "cptpp.ics", "section-wto.ics", "section-rta.ics", "section-apec.ics",
            "source-wto.ics", "source-imf.ics", "source-manual.ics"} <= set(feeds)


def test_lines_are_folded_at_75_octets_without_splitting_characters_or_escapes(feeds):
    for name, data in feeds.items():
        assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b""), name
        lines = data.split(b"\r\n")[:-1]
        for number, line in enumerate(lines):
            assert len(line) <= 75, (name, number)
            line.decode("utf-8")  # a split character would not decode
            assert (len(line) - len(line.rstrip(b"\\"))) % 2 == 0, (name, line)
    assert any(line.startswith(b" ") for line in feeds["all.ics"].split(b"\r\n"))


# --- icalendar --------------------------------------------------------------------------------

def test_icalendar_reads_each_feed_with_the_right_events_times_and_text(feeds):
    for name, data in feeds.items():
        calendar = parse(data)
        assert str(calendar["METHOD"]) == "PUBLISH", name
        zones = {str(zone["TZID"]): zone for zone in calendar.walk("VTIMEZONE")}
        components = calendar.walk("VEVENT")
        assert {str(c["UID"]) for c in components} == expected_members(name), name
        used = set()
        for component in components:
            stored = BY_UID[str(component["UID"])]
            assert str(component["SUMMARY"]) == expected_summary(stored, name)
            assert str(component["DESCRIPTION"]) == expected_description(stored, name)
            assert str(component.get("LOCATION", "")) == stored.event.location
            assert int(component["SEQUENCE"]) == stored.sequence
            used |= check_icalendar_times(component, stored, zones)
        if components:  # every zone written is used, every used one written
            assert used == set(zones), name
        else:  # an empty feed holds its zone's VTIMEZONE, to be valid iCalendar
            assert len(zones) == 1 and not calendar.walk("VEVENT"), name


def check_icalendar_times(component: Any, stored: StoredEvent,
                          zones: Mapping[str, Any]) -> set[str]:
    """Start and end as icalendar and an independent VTIMEZONE reading give them, against
    zoneinfo; returns the TZIDs used."""
    event = stored.event
    used = set()
    if not isinstance(event.start, datetime):
        last = event.end or event.start
        assert component["DTSTART"].dt == event.start
        assert component["DTEND"].dt == last + timedelta(days=1)
        return used
    for prop, expected in (("DTSTART", event.start), ("DTEND", event.end)):
        value = component[prop]
        instant = expected.astimezone(UTC)
        assert value.dt.astimezone(UTC) == instant, (event.source_key, prop)
        if "TZID" in value.params:
            tzid = value.params["TZID"]
            used.add(tzid)
            assert tzid == event.timezone
            assert wall_to_utc(zones[tzid], value.dt.replace(tzinfo=None)) == instant
    return used


def test_times_no_vtimezone_can_carry_are_in_utc(feeds):
    components = {str(c["UID"]): c for c in parse(feeds["all.ics"]).walk("VEVENT")}
    for key in ("gva-repeated-hour", "cairo"):
        uid = next(s.event.uid for s in STORE if s.event.source_key == key)
        assert "TZID" not in components[uid]["DTSTART"].params
        assert components[uid]["DTSTART"].to_ical().endswith(b"Z")


# --- ical.js ----------------------------------------------------------------------------------

def test_icaljs_reads_each_feed_with_the_right_events(icaljs, feeds):
    assert set(icaljs) == set(feeds)
    for name, feed in icaljs.items():
        assert feed["method"] == "PUBLISH", name
        assert {event["uid"] for event in feed["events"]} == expected_members(name), name
        assert len(feed["events"]) == len(expected_members(name)), name  # no duplicates


def test_icaljs_instants_match_zoneinfo(icaljs):
    checked = 0
    for name, feed in icaljs.items():
        for event in feed["events"]:
            stored = BY_UID[event["uid"]].event
            assert event["missingZones"] == [], (name, event["uid"])
            if isinstance(stored.start, datetime):
                for key, expected in (("start", stored.start), ("end", stored.end)):
                    assert event[key]["utc"] == iso_utc(expected), (name, stored.source_key, key)
                    checked += 1
            else:
                last = stored.end or stored.start
                assert event["start"] == {"date": stored.start.isoformat(), "tzid": None}
                assert event["end"] == {"date": (last + timedelta(days=1)).isoformat(),
                                        "tzid": None}
    assert checked > 100


def test_icaljs_reads_text_exactly(icaljs):
    for name, feed in icaljs.items():
        for event in feed["events"]:
            stored = BY_UID[event["uid"]]
            assert event["summary"] == expected_summary(stored, name)
            assert event["description"] == expected_description(stored, name)
            assert (event["location"] or "") == stored.event.location
            assert event["sequence"] == stored.sequence


def test_icaljs_sees_status_and_transparency(icaljs):
    events = {event["uid"]: event for event in icaljs["all.ics"]["events"]}
    for uid, event in events.items():
        stored = BY_UID[uid].event
        assert event["status"] == {"confirmed": "CONFIRMED", "tentative": "TENTATIVE",
                                   "postponed": "TENTATIVE"}.get(stored.status, "CANCELLED")
        cancelled = stored.status in ("cancelled", "postponed")
        all_day_event = not isinstance(stored.start, datetime)
        assert (event["transp"] == "TRANSPARENT") is (cancelled or all_day_event)


def iso_utc(moment: datetime | None) -> str:
    assert moment is not None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
