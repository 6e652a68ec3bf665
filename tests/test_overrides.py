"""Editors' overrides: values, the table, the view every table and feed reads, refreshes that
keep them, upstream changes that flag them, and one meeting announced by several sources."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from aggregator.config import Config, parse_config
from aggregator.core.model import Event
from aggregator.publish import export_calendar, export_events, export_feeds
from aggregator.store.db import Store
from aggregator.store.edited import edited_events, override_states
from aggregator.store.overrides import (
    AmbiguousUid,
    OverrideError,
    UnknownEvent,
    clear_override,
    confirm_overrides,
    overrides,
    parse_value,
    resolve_uid,
    set_override,
)
from feeds.changes import changes_since
from tests.reference import CONFIG_TOML, END, START, reference_events

T0 = datetime(2024, 4, 25, 8, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)
T2 = T0 + timedelta(hours=2)
T3 = T0 + timedelta(hours=3)
ISSUE_DAY = date(2024, 4, 26)
CUSTOMS = "Committee on Customs Valuation"
SEMINAR = "2024 臺日 AI 產業合作研討會"


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return parse_config(dict(CONFIG_TOML, feeds={"output": "public"}), tmp_path / "config.toml")


def upstream() -> list[Event]:
    return [stored.event for stored in reference_events()]


@pytest.fixture
def filled(store: Store) -> Store:
    for source in ("wto", "imf", "apec", "test"):
        store.upsert_events([e for e in upstream() if e.source == source], now=T0)
    return store


def uid_of(store: Store, title: str) -> str:
    return next(s.event.uid for s in store.events() if s.event.title == title)


def calendar_text(store: Store, config: Config) -> str:
    return str(export_calendar(store, config, START, END, "markdown"))


def events_text(store: Store, config: Config) -> str:
    return str(export_events(store, config, START, END, "markdown"))


def feed(store: Store, config: Config, name: str = "all.ics") -> Calendar:
    export_feeds(store, config, None, ISSUE_DAY)
    return Calendar.from_ical((config.feeds.output / name).read_bytes())


def vevent(calendar: Calendar, uid: str):
    found = [c for c in calendar.walk("VEVENT") if str(c["UID"]) == uid]
    return found[0] if found else None


# --- values -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "text", "stored"), [
    ("hidden", "1", "1"), ("featured", "0", "0"), ("title", "  New   title ", "New title"),
    ("section", "RTA", "RTA"), ("section", "apec", "APEC 及其他國際組織"),
    ("section", "none", ""), ("section", "wto", "WTO"), ("deadline", "2024-05-07", "2024-05-07"),
    ("deadline", "none", ""), ("short_url", "https://tinyurl.com/abc", "https://tinyurl.com/abc"),
    ("note", "checked with the WTO", "checked with the WTO"),
])
def test_values_are_checked_and_normalized(field: str, text: str, stored: str) -> None:
    assert parse_value(field, text) == stored


@pytest.mark.parametrize(("field", "text"), [
    ("hidden", "yes"), ("title", "   "), ("section", "ASEAN"), ("section", "RTA+"),
    ("deadline", "5/7"), ("short_url", "javascript:alert(1)"), ("short_url", "tinyurl.com/x"),
    ("colour", "red"), ("note", "x" * 1001),
])
def test_bad_values_are_refused(field: str, text: str) -> None:
    with pytest.raises(OverrideError):
        parse_value(field, text)


# --- the table and the uid --------------------------------------------------------------------

def test_unknown_event_and_uid_prefixes(filled: Store) -> None:
    customs = uid_of(filled, CUSTOMS)
    with pytest.raises(UnknownEvent):
        set_override(filled, "nope@tradecal", "hidden", "1")
    assert resolve_uid(filled, customs) == customs
    assert resolve_uid(filled, customs[:12]) == customs
    with pytest.raises(AmbiguousUid) as ambiguous:
        resolve_uid(filled, "apec-")
    assert len(ambiguous.value.matches) == 3
    with pytest.raises(UnknownEvent):
        resolve_uid(filled, "zzz")
    with pytest.raises(UnknownEvent):
        resolve_uid(filled, "")


def test_set_clear_and_the_rows_kept(filled: Store) -> None:
    uid = uid_of(filled, CUSTOMS)
    set_override(filled, uid, "title", "Customs Valuation", now=T1)
    set_override(filled, uid, "title", "Customs Valuation Committee", now=T2)
    [row] = overrides(filled)
    assert (row.field, row.value, row.revision, row.set_at) == (
        "title", "Customs Valuation Committee", 2, T2)
    assert row.upstream["title"] == CUSTOMS and row.fingerprint
    assert clear_override(filled, uid, "title", now=T3) is True
    assert clear_override(filled, uid, "title") is False
    assert overrides(filled) == []
    [cleared] = overrides(filled, include_cleared=True)
    assert (cleared.active, cleared.value, cleared.revision) == (False, "", 3)


# --- applied everywhere -----------------------------------------------------------------------

def test_hidden_event_leaves_tables_and_feeds_and_comes_back(filled: Store,
                                                             config: Config) -> None:
    customs, seminar = uid_of(filled, CUSTOMS), uid_of(filled, SEMINAR)
    set_override(filled, customs, "hidden", "1", now=T1)
    set_override(filled, seminar, "hidden", "1", now=T1)
    assert CUSTOMS not in calendar_text(filled, config)
    assert SEMINAR not in events_text(filled, config)
    assert "Session on Aid for Trade" in calendar_text(filled, config)
    calendar = feed(filled, config)
    assert vevent(calendar, customs) is None
    assert vevent(feed(filled, config, "section-wto.ics"), customs) is None
    assert {s.event.uid for s in edited_events(filled, include_hidden=True) if s.hidden} == {
        customs, seminar}
    clear_override(filled, customs, "hidden", now=T2)
    assert CUSTOMS in calendar_text(filled, config)
    shown = vevent(feed(filled, config), customs)
    assert int(shown["SEQUENCE"]) == 2  # hidden (1) then shown (2): clients take it back
    assert shown["LAST-MODIFIED"].dt == T2


def test_retitle_reaches_tables_and_feeds_with_a_higher_sequence(filled: Store,
                                                                 config: Config) -> None:
    customs, seminar = uid_of(filled, CUSTOMS), uid_of(filled, SEMINAR)
    before = vevent(feed(filled, config), customs)
    set_override(filled, customs, "title", "海關估價委員會 Customs Valuation", now=T1)
    set_override(filled, seminar, "title", "臺日 AI 產業合作研討會", now=T1)
    assert "| 5/23 | 四 | ⚫ 海關估價委員會 Customs Valuation |" in calendar_text(filled, config)
    assert "| 4/30 | 臺日 AI 產業合作研討會 |" in events_text(filled, config)
    after = vevent(feed(filled, config), customs)
    assert str(after["SUMMARY"]) == "[WTO] 海關估價委員會 Customs Valuation"  # all.ics: "[ORG] "
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after["LAST-MODIFIED"].dt == T1 > before["LAST-MODIFIED"].dt


def test_section_moves_between_sections_and_out_of_the_calendar(filled: Store,
                                                                config: Config) -> None:
    customs = uid_of(filled, CUSTOMS)
    aid = uid_of(filled, "Committee on Trade and Development - Session on Aid for Trade")
    set_override(filled, customs, "section", "RTA")
    set_override(filled, aid, "section", "")
    calendar = calendar_text(filled, config)
    rta = calendar.split("**RTA**")[1].split("**APEC")[0]
    assert "⚫ WTO：Committee on Customs Valuation" in rta
    assert "Aid for Trade" not in calendar
    assert "| WTO | 逕自洽詢 | 4/30 | Committee on Trade and Development - Session on Aid for " \
           "Trade | |" in events_text(filled, config)
    assert vevent(feed(filled, config, "section-rta.ics"), customs) is not None
    assert vevent(feed(filled, config, "section-wto.ics"), customs) is None
    assert vevent(feed(filled, config, "section-wto.ics"), aid) is None
    assert vevent(feed(filled, config, "wto.ics"), aid) is not None


def test_featured_short_url_deadline_and_note(filled: Store, config: Config) -> None:
    seminar = uid_of(filled, SEMINAR)
    itri = uid_of(filled, "國際地緣政治風險與我國出口管制規定宣導說明會")
    set_override(filled, seminar, "featured", "1")
    set_override(filled, seminar, "short_url", "https://tinyurl.com/short1")
    set_override(filled, seminar, "deadline", "2024-04-29")
    set_override(filled, seminar, "note", "主辦單位確認 confirmed by phone")
    set_override(filled, itri, "featured", "0")
    set_override(filled, itri, "deadline", "")
    text = events_text(filled, config)
    featured, other = text.split("其他經貿相關活動")
    assert ("| 中華民國國際經濟合作協會 | 4/29 | 4/30 | 2024 臺日 AI 產業合作研討會 | "
            "https://tinyurl.com/short1 |") in featured
    assert "| 工研院 | 逕自洽詢 | 5/10 |" in other
    assert "anhtuxde" not in text and "confirmed by phone" not in text
    [edited] = [s for s in edited_events(filled) if s.event.uid == seminar]
    assert (edited.note, edited.short_url) == ("主辦單位確認 confirmed by phone",
                                               "https://tinyurl.com/short1")
    assert edited.overridden == ("title", "section", "featured", "short_url", "deadline",
                                 "note")[2:]
    description = str(vevent(feed(filled, config), seminar)["DESCRIPTION"])
    assert "2024-04-29" in description
    assert "confirmed by phone" not in description


# --- refreshes --------------------------------------------------------------------------------

def test_overrides_survive_a_refresh_and_flag_upstream_changes(filled: Store,
                                                               config: Config) -> None:
    customs = uid_of(filled, CUSTOMS)
    aid = uid_of(filled, "Committee on Trade and Development - Session on Aid for Trade")
    set_override(filled, customs, "title", "Customs Valuation (special session)", now=T1)
    set_override(filled, aid, "hidden", "1", now=T1)
    wto = [e for e in upstream() if e.source == "wto"]
    filled.upsert_events(wto, now=T2)  # the same again: nothing changed upstream
    assert [state.describe() for state in override_states(filled)] == ["ok", "ok"]
    moved = [e.with_changes(start=date(2024, 5, 22), end=date(2024, 5, 22),
                            title=CUSTOMS + " ") if e.title == CUSTOMS else e for e in wto]
    filled.upsert_events(moved, now=T3)
    states = {state.override.uid: state for state in override_states(filled)}
    assert states[customs].describe() == "stale: upstream changed title, start, end"
    assert states[aid].describe() == "ok"
    # Still applied: the editor's title, the source's new date; the aid meeting still hidden.
    calendar = calendar_text(filled, config)
    assert "| 5/22 | 三 | ⚫ Customs Valuation (special session) |" in calendar
    assert "Aid for Trade" not in calendar
    [edited] = [s for s in edited_events(filled) if s.event.uid == customs]
    assert edited.override_stale == ("title", "start", "end")
    assert confirm_overrides(filled, customs, now=T3 + timedelta(minutes=1)) == 1
    assert [state.describe() for state in override_states(filled)] == ["ok", "ok"]


def test_a_change_undone_upstream_still_flags(filled: Store) -> None:
    customs = uid_of(filled, CUSTOMS)
    set_override(filled, customs, "note", "n", now=T1)
    wto = [e for e in upstream() if e.source == "wto"]
    filled.upsert_events([e.with_changes(location="Room W") if e.title == CUSTOMS else e
                          for e in wto], now=T2)
    filled.upsert_events(wto, now=T3)
    [state] = override_states(filled)
    assert state.describe() == "stale: upstream changed location"


def test_override_of_a_vanished_event_is_listed_as_gone(filled: Store) -> None:
    customs = uid_of(filled, CUSTOMS)
    set_override(filled, customs, "hidden", "1")
    filled.db.table("events").delete(customs)
    [state] = override_states(filled)
    assert (state.describe(), state.stale) == ("event gone", True)
    assert resolve_uid(filled, customs[:14], with_overrides=True) == customs


# --- one meeting, several sources -------------------------------------------------------------

def test_override_covers_other_sources_copies_of_the_meeting(filled: Store,
                                                             config: Config) -> None:
    calendar_copy = Event(source="wto_airgrams", source_key="WTO/AIR/CV/1", organization="WTO",
                          title=CUSTOMS, start=date(2024, 5, 23), timezone="Europe/Zurich")
    filled.upsert_events([calendar_copy], now=T1)
    customs = uid_of(filled, CUSTOMS)
    assert calendar_text(filled, config).count(CUSTOMS) == 1
    set_override(filled, customs, "title", "Customs Valuation", now=T2)
    calendar = calendar_text(filled, config)
    assert calendar.count("Customs Valuation") == 1 and CUSTOMS not in calendar
    set_override(filled, customs, "hidden", "1", now=T3)
    assert "Customs Valuation" not in calendar_text(filled, config)
    all_feed = feed(filled, config)
    assert vevent(all_feed, customs) is None and vevent(all_feed, calendar_copy.uid) is None
    # The copy's own feed (the airgrams source) follows the editor too: with its only
    # event hidden, an unconfigured source has no feed at all.
    assert not (config.feeds.output / "source-wto-airgrams.ics").exists()


# --- the changes report reads the same table ---------------------------------------------------

def test_hiding_is_a_removal_in_the_changes_report(filled: Store, config: Config) -> None:
    customs = uid_of(filled, CUSTOMS)
    set_override(filled, customs, "hidden", "1", now=T2)
    report = changes_since(filled, config, T1)
    assert [(c.kind, c.uid) for c in report.changes] == [("removed", customs)]
    clear_override(filled, customs, "hidden", now=T3)
    assert changes_since(filled, config, T1).changes == ()
