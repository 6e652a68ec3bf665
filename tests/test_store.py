"""The store: upsert outcomes, history, sequence, runs, atomicity."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from aggregator.core.model import Event
from aggregator.store.db import Store

T0 = datetime(2024, 4, 1, 8, 0, tzinfo=timezone.utc)
T1 = datetime(2024, 4, 2, 8, 0, tzinfo=timezone.utc)
T2 = datetime(2024, 4, 3, 8, 0, tzinfo=timezone.utc)


def meeting(key: str = "cv", **changes: object) -> Event:
    fields: dict[str, object] = dict(
        source="wto", source_key=key, organization="WTO",
        title="Committee on Customs Valuation", start=date(2024, 5, 23),
        timezone="Europe/Zurich", location="Centre William Rappard, Geneva")
    fields.update(changes)
    return Event(**fields)  # type: ignore[arg-type]


def test_insert_then_identical_upsert_is_a_no_op(store: Store) -> None:
    first = store.upsert_events([meeting(), meeting("gc", title="General Council")], now=T0)
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    before = {s.event.uid: s for s in store.events()}
    again = store.upsert_events([meeting(), meeting("gc", title="General Council")], now=T1)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    after = {s.event.uid: s for s in store.events()}
    for uid, stored in after.items():
        assert stored.event == before[uid].event
        assert stored.sequence == 0
        assert stored.last_changed == T0
        assert stored.last_seen == T1
    assert [h["field"] for h in store.history(meeting().uid)] == ["created"]


def test_visible_change_raises_sequence_and_is_in_history(store: Store) -> None:
    store.upsert_events([meeting()], now=T0)
    counts = store.upsert_events([meeting(start=date(2024, 5, 24))], now=T1)
    assert counts.updated == 1
    stored = store.event(meeting().uid)
    assert stored is not None
    assert stored.event.start == date(2024, 5, 24)
    assert stored.sequence == 1
    assert stored.last_changed == T1
    change = store.history(meeting().uid)[-1]
    assert (change["field"], change["old"], change["new"]) == ("start", "2024-05-23", "2024-05-24")


def test_invisible_change_is_recorded_without_sequence(store: Store) -> None:
    store.upsert_events([meeting()], now=T0)
    store.upsert_events([meeting(featured=True)], now=T1)
    stored = store.event(meeting().uid)
    assert stored is not None and stored.event.featured and stored.sequence == 0
    assert store.history(meeting().uid)[-1]["field"] == "featured"


def test_several_changes_each_recorded_one_sequence_step(store: Store) -> None:
    store.upsert_events([meeting()], now=T0)
    store.upsert_events([meeting(title="Committee on Customs Valuation (resumed)",
                                 status="cancelled")], now=T1)
    stored = store.event(meeting().uid)
    assert stored is not None and stored.sequence == 1
    fields = [h["field"] for h in store.history(meeting().uid)]
    assert fields == ["created", "title", "status"]
    store.upsert_events([meeting()], now=T2)
    assert store.event(meeting().uid).sequence == 2  # type: ignore[union-attr]


def test_timed_event_round_trips_with_its_offset(store: Store) -> None:
    start = datetime(2024, 5, 29, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    event = Event(source="ustr", source_key="USTR-2024-0002|2024-05-29", organization="USTR",
                  title="Public hearing", start=start, timezone="America/New_York",
                  kind="hearing", registration_deadline=date(2024, 5, 1))
    store.upsert_events([event], now=T0)
    stored = store.event(event.uid)
    assert stored is not None
    assert stored.event.start == start
    assert stored.event.start.utcoffset() == start.utcoffset()  # type: ignore[union-attr]
    assert stored.event.registration_deadline == date(2024, 5, 1)
    assert store.upsert_events([event], now=T1).unchanged == 1


def test_failed_upsert_leaves_store_unchanged(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.upsert_events([meeting()], now=T0)
    calls = {"n": 0}
    original = store._upsert_one

    def explode_on_second(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "_upsert_one", explode_on_second)
    with pytest.raises(RuntimeError):
        store.upsert_events([meeting(title="Renamed"), meeting("new", title="New")], now=T1)
    monkeypatch.undo()
    events = store.events()
    assert [s.event.title for s in events] == ["Committee on Customs Valuation"]
    assert [h["field"] for h in store.history(meeting().uid)] == ["created"]


def test_runs_record_outcomes(store: Store) -> None:
    ok = store.start_run("ustr", T0)
    counts = store.upsert_events([meeting()], run_id=ok, now=T0)
    store.finish_run(ok, "ok", counts, events=1, now=T0)
    bad = store.start_run("ustr", T1)
    store.finish_run(bad, "failed", error="fetch error: 503", now=T1)
    last = store.last_runs()["ustr"]
    assert (last.outcome, last.error) == ("failed", "fetch error: 503")
    assert store.last_success("ustr") == T0.isoformat()
    assert store.history(meeting().uid)[0]["run_id"] == ok


def test_store_reopens_from_disk(tmp_path) -> None:
    with Store(tmp_path / "s.db") as first:
        first.upsert_events([meeting()], now=T0)
    with Store(tmp_path / "s.db") as second:
        assert [s.event for s in second.events()] == [meeting()]


def test_events_between_uses_the_venues_days(store: Store) -> None:
    late = datetime(2024, 4, 29, 23, 30, tzinfo=timezone.utc)  # 4/30 01:30 in Geneva
    store.upsert_events([
        meeting("a", start=date(2024, 4, 25), end=date(2024, 4, 29)),
        meeting("b", start=late),
        meeting("c", start=date(2024, 5, 24)),
    ], now=T0)
    found = {s.event.source_key for s in store.events_between(date(2024, 4, 29), date(2024, 5, 23))}
    assert found == {"a", "b"}
    assert {s.event.source_key for s in store.events_between(date(2024, 4, 30),
                                                             date(2024, 4, 30))} == {"b"}


def test_old_stores_get_the_day_columns(tmp_path) -> None:
    import sqlite3
    with Store(tmp_path / "old.db") as first:
        first.upsert_events([meeting()], now=T0)
    with sqlite3.connect(tmp_path / "old.db") as db:
        db.execute("drop index idx_events_first_day")
        db.execute("drop index idx_events_span_days")
        for column in ("first_day", "last_day", "span_days"):
            db.execute(f"alter table events drop column {column}")
    with Store(tmp_path / "old.db") as reopened:
        assert [s.event for s in reopened.events_between(date(2024, 5, 23), date(2024, 5, 23))] \
            == [meeting()]


def test_window_query_is_an_index_range(store: Store) -> None:
    store.upsert_events([meeting("long", start=date(2024, 1, 1), end=date(2024, 3, 31))], now=T0)
    found = store.events_between(date(2024, 3, 30), date(2024, 4, 2))
    assert [s.event.source_key for s in found] == ["long"]
    plan = " ".join(str(row) for row in store.db.execute(
        "explain query plan select * from events where first_day between ? and ? "
        "and last_day >= ?", ["2024-01-01", "2024-04-02", "2024-03-30"]).fetchall())
    assert "idx_events_first_day" in plan
