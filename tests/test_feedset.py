"""Which feeds exist and what each holds: organizations, sections, sources, the window,
retention of cancelled events, disabled sources, orphaned files, notes."""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from aggregator.config import Config, parse_config
from feeds.feedset import (
    HOME_ZONE,
    ORPHAN_NOTE,
    events_in_window,
    feed_specs,
    is_retired,
    slug,
    write_feeds,
)
from feeds.ics import build_calendar, read_header
from tests.feed_events import all_day, events_by_uid, parse, timed

TODAY = date(2025, 6, 1)
ORGANIZATIONS = {
    "WTO": {"short_name": "WTO", "name": "World Trade Organization", "name_zh": "世界貿易組織",
            "section": "WTO"},
    "World Bank": {"short_name": "WB", "name": "World Bank", "name_zh": "世界銀行",
                   "section": "APEC 及其他國際組織"},
    "OECD": {"short_name": "OECD", "name_zh": "經濟合作暨發展組織"},
    "CPTPP": {"short_name": "CPTPP", "section": "RTA"},
}
SOURCES = {
    "wto": {"type": "ustr", "url": "https://www.wto.org/meetings", "organization": "WTO",
            "timezone": "Europe/Zurich"},
    "wb_events": {"type": "worldbank", "url": "https://www.worldbank.org/en/events",
                  "organization": "World Bank", "timezone": "America/New_York"},
    "oecd": {"type": "oecd", "url": "https://www.oecd.org/events", "organization": "OECD",
             "timezone": "Europe/Paris", "enabled": False},
}


def config_for(tmp_path: Path, **feeds: object) -> Config:
    raw = {
        "feeds": {"output": "public", "past_days": 30, "future_days": 365,
                  "refresh_interval_hours": 4, "calendar_name": "國際經貿行事曆 Trade calendar",
                  **feeds},
        "organizations": ORGANIZATIONS,
        "sources": SOURCES,
    }
    return parse_config(raw, tmp_path / "config.toml")


def uids(path: Path) -> set[str]:
    return set(events_by_uid(parse(path.read_bytes())))


# --- names ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "expected"), [
    ("WTO", "wto"), ("World Bank", "world-bank"), ("World_Bank", "world-bank"),
    ("Côte d'Ivoire", "cote-d-ivoire"), ("APEC ", "apec"),
])
def test_slug(key, expected):
    assert slug(key) == expected


def test_slug_of_a_key_without_ascii_is_stable():
    assert slug("經濟部") == slug("經濟部")
    assert re.fullmatch(r"org-[0-9a-f]{10}", slug("經濟部"))


def test_every_configured_feed_exists_with_chinese_and_english_names(tmp_path):
    config = config_for(tmp_path)
    specs = {spec.filename: spec for spec in feed_specs([], config)}
    assert list(specs) == [
        "all.ics", "wto.ics", "world-bank.ics", "oecd.ics", "cptpp.ics",
        "section-wto.ics", "section-rta.ics", "section-apec.ics",
        "source-wto.ics", "source-wb-events.ics", "source-oecd.ics"]
    assert specs["wto.ics"].name == "世界貿易組織 WTO · 國際經貿行事曆 Trade calendar"
    assert specs["wto.ics"].description == (
        "世界貿易組織的會議與活動 Meetings and events of World Trade Organization (WTO)")
    assert specs["section-rta.ics"].name == (
        "分類：區域貿易協定 RTA Section: Regional trade agreements (RTA) · "
        "國際經貿行事曆 Trade calendar")
    assert specs["section-apec.ics"].description == (
        "電子報「APEC 及其他國際組織」分類的會議：WB Meetings of the newsletter section "
        "APEC and other international organizations: WB")
    assert specs["source-wb-events.ics"].name == (
        "來源 Source: wb_events · 世界銀行 WB · 國際經貿行事曆 Trade calendar")
    assert specs["source-wb-events.ics"].description == (
        "世界銀行經由來源「wb_events」公布的會議與活動 Meetings and events of World Bank (WB) "
        "read by source wb_events\nhttps://www.worldbank.org/en/events")
    assert specs["source-oecd.ics"].description.endswith(
        "此來源已停用 This source is disabled: the calendar stays, empty")


def test_organizations_and_sources_with_events_get_feeds_too(tmp_path):
    config = config_for(tmp_path)
    events = [all_day("a", date(2025, 6, 10), organization="ASEAN", source="manual")]
    names = [spec.filename for spec in feed_specs(events, config)]
    assert names[4:6] == ["cptpp.ics", "asean.ics"]
    assert names[-1] == "source-manual.ics"


def test_feeds_whose_names_collide_are_refused(tmp_path):
    config = config_for(tmp_path)
    clash = all_day("x", date(2025, 6, 10), organization="world-bank")
    with pytest.raises(ValueError, match="world-bank.ics"):
        write_feeds([clash], config, tmp_path / "public", today=TODAY)


# --- what each feed holds ---------------------------------------------------------------------

def test_each_feed_holds_its_events(tmp_path):
    config = config_for(tmp_path)
    wto = timed("wto", "Europe/Zurich", datetime(2025, 6, 20, 10), source="wto")
    bank = timed("bank", "America/New_York", datetime(2025, 6, 20, 9), organization="WB",
                 source="wb_events")
    moved = all_day("moved", date(2025, 6, 12), organization="WB", source="wb_events",
                    section="WTO")
    asean = timed("asean", "Asia/Jakarta", datetime(2025, 6, 21, 9), organization="ASEAN")
    taiwan = all_day("tw", date(2025, 6, 22), organization="TRADE", source="manual",
                     timezone="Asia/Taipei")
    events = [wto, bank, moved, asean, taiwan]
    out = tmp_path / "public"
    paths = write_feeds(events, config, out, today=TODAY)
    assert sorted(os.listdir(out)) == sorted(p.name for p in paths)  # no temp files left
    held = {p.name: uids(p) for p in paths}
    uid = {name: e.event.uid for name, e in
           (("wto", wto), ("bank", bank), ("moved", moved), ("asean", asean), ("tw", taiwan))}
    assert held["all.ics"] == set(uid.values())
    assert held["wto.ics"] == {uid["wto"]}
    assert held["world-bank.ics"] == {uid["bank"], uid["moved"]}  # "WB" is its short name
    assert held["oecd.ics"] == held["cptpp.ics"] == held["section-rta.ics"] == set()
    assert held["section-wto.ics"] == {uid["wto"], uid["moved"]}  # the event's own section
    assert held["section-apec.ics"] == {uid["bank"]}
    assert held["source-wb-events.ics"] == {uid["bank"], uid["moved"]}
    assert held["source-manual.ics"] == {uid["tw"]}
    assert held["trade.ics"] == {uid["tw"]}
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT4H" in (out / "section-apec.ics").read_bytes()
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in paths)


def test_window_keeps_events_that_overlap_it():
    spanning = all_day("span", date(2025, 5, 25), date(2025, 6, 3))
    before = all_day("before", date(2025, 5, 30))
    kept = events_in_window([spanning, before], date(2025, 6, 1), date(2025, 6, 30))
    assert kept == [spanning]


def test_window_bounds_every_feed(tmp_path):
    config = config_for(tmp_path)
    events = [all_day("in", date(2025, 6, 10)), all_day("old", date(2025, 4, 1)),
              all_day("far", date(2026, 7, 1))]
    write_feeds(events, config, tmp_path / "public", today=TODAY)
    assert uids(tmp_path / "public" / "all.ics") == {events[0].event.uid}


@pytest.mark.parametrize("status", ["cancelled", "postponed"])
def test_cancelled_events_stay_for_the_retention_period_then_leave(tmp_path, status):
    config = config_for(tmp_path, retention_days=30, past_days=90)
    last_kept = all_day("kept", date(2025, 4, 20), date(2025, 5, 2), status=status)
    gone = all_day("gone", date(2025, 5, 1), status=status)
    zoned = timed("zoned", "Asia/Jakarta", datetime(2025, 5, 2, 23, 30), hours=1,
                  organization="ASEAN", status=status)  # 2 May in Jakarta, 1 May in UTC
    confirmed = all_day("confirmed", date(2025, 4, 1))
    events = [last_kept, gone, zoned, confirmed]
    write_feeds(events, config, tmp_path / "public", today=TODAY)
    assert uids(tmp_path / "public" / "all.ics") == {
        last_kept.event.uid, zoned.event.uid, confirmed.event.uid}
    assert is_retired(gone.event, TODAY, 30) and not is_retired(zoned.event, TODAY, 30)
    assert not is_retired(confirmed.event, date(2030, 1, 1), 30)


def test_cancelled_and_postponed_titles_take_the_configured_prefixes(tmp_path):
    config = config_for(tmp_path, cancelled_prefix="CANCELLED ", postponed_prefix="(延) ")
    events = [all_day("c", date(2025, 6, 10), status="cancelled"),
              all_day("p", date(2025, 6, 11), status="postponed")]
    write_feeds(events, config, tmp_path / "public", today=TODAY)
    calendar = parse((tmp_path / "public" / "wto.ics").read_bytes())
    assert sorted(str(c["SUMMARY"]) for c in calendar.walk("VEVENT")) == [
        "(延) Days p", "CANCELLED Days c"]
    assert {str(c["SUMMARY"]): str(c["STATUS"]) for c in calendar.walk("VEVENT")} == {
        "(延) Days p": "TENTATIVE", "CANCELLED Days c": "CANCELLED"}  # Google drops CANCELLED


def test_a_disabled_sources_feed_stays_empty_and_its_events_leave_every_feed(tmp_path):
    config = config_for(tmp_path)
    oecd = all_day("oecd", date(2025, 6, 10), organization="OECD", source="oecd",
                   timezone="Europe/Paris")
    other = all_day("other", date(2025, 6, 10), organization="OECD", source="manual",
                    timezone="Europe/Paris")
    write_feeds([oecd, other], config, tmp_path / "public", today=TODAY)
    out = tmp_path / "public"
    assert uids(out / "source-oecd.ics") == set()
    assert uids(out / "oecd.ics") == uids(out / "all.ics") == {other.event.uid}


def test_source_notes_go_to_every_feed_holding_the_source(tmp_path):
    config = config_for(tmp_path)
    notes = {"wb_events": ["資料可能過時 wb_events has failed since 2025-05-20"],
             "manual": ["manual note"]}
    manual = all_day("m", date(2025, 6, 10), organization="OECD", source="manual",
                     timezone="Europe/Paris")
    paths = write_feeds([manual], config, tmp_path / "public", today=TODAY,
                        source_notes=notes)
    described = {p.name: read_header(p.read_bytes()).description for p in paths}
    stale = {name for name, text in described.items() if "wb_events has failed" in text}
    assert stale == {"all.ics", "world-bank.ics", "section-apec.ics", "source-wb-events.ics"}
    assert {name for name, text in described.items() if "manual note" in text} == {
        "all.ics", "oecd.ics", "source-manual.ics"}
    assert described["all.ics"].split("\n")[1:] == [
        "manual note", "資料可能過時 wb_events has failed since 2025-05-20"]


# --- files ------------------------------------------------------------------------------------

def test_identical_store_gives_identical_files_left_untouched(tmp_path):
    config = config_for(tmp_path)
    out = tmp_path / "public"
    events = [all_day("in-window", date(2025, 6, 10))]
    first = write_feeds(events, config, out, today=TODAY)
    for path in first:
        os.utime(path, (1_000_000_000, 1_000_000_000))
    data = {p: p.read_bytes() for p in first}
    second = write_feeds(list(reversed(events)), config, out, today=date(2025, 6, 2))
    assert second == first
    assert all(p.read_bytes() == data[p] and p.stat().st_mtime == 1_000_000_000
               for p in second)


def test_an_orphaned_feed_stays_as_an_empty_calendar_with_its_name(tmp_path):
    out = tmp_path / "public"
    config = config_for(tmp_path)
    asean = all_day("a", date(2025, 6, 10), organization="ASEAN")
    write_feeds([asean], config, out, today=TODAY)
    assert uids(out / "asean.ics") == {asean.event.uid}
    (out / "holidays.ics").write_bytes(b"BEGIN:VCALENDAR\r\nPRODID:-//Other//EN\r\n")
    (out / ".asean.ics.x.tmp").write_bytes(b"partial")
    paths = write_feeds([], config, out, today=TODAY)  # ASEAN's events are gone
    assert paths[-2:] == [out / "asean.ics", out / "source-asean.ics"]
    header = read_header((out / "asean.ics").read_bytes())
    assert header.name == "ASEAN · 國際經貿行事曆 Trade calendar"
    assert header.description == ORPHAN_NOTE
    assert uids(out / "asean.ics") == set()
    assert (out / "holidays.ics").read_bytes() == b"BEGIN:VCALENDAR\r\nPRODID:-//Other//EN\r\n"
    again = (out / "asean.ics").read_bytes()
    write_feeds([], config, out, today=TODAY)
    assert (out / "asean.ics").read_bytes() == again
    assert build_calendar([], name=header.name, description=ORPHAN_NOTE,
                          refresh_hours=4, zone=HOME_ZONE) == again
