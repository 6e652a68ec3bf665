"""Identity across changes and cancellation of vanished events, through refresh_source."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from aggregator.config import RefreshSettings
from aggregator.core.model import Event, StoredEvent, title_date_key
from aggregator.reconcile import is_suspicious, match_moved, reconcile
from aggregator.refresh import refresh_source
from aggregator.store.db import Store
from tests.test_refresh import DictFetcher, paged

NOW = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
URL = "https://example.org/p1"


def page(*events: tuple[str, str]) -> dict[str, object]:
    """A PagedSource page whose events are keyed by title and date (no key of their own)."""
    rows = [[title_date_key("WTO", title, date.fromisoformat(day)), title, day]
            for title, day in events]
    return {"events": rows, "next": None}


def refresh(store: Store, body: object, when: datetime = NOW, **settings: object):
    fetcher = DictFetcher({URL: body} if body is not None else {})
    return refresh_source(paged(), fetcher, store, now=when,
                          settings=RefreshSettings(**settings))  # type: ignore[arg-type]


def by_title(store: Store) -> dict[str, StoredEvent]:
    return {s.event.title: s for s in store.events()}


BASE = page(("General Council", "2024-05-22"), ("Committee on Agriculture", "2024-05-28"),
            ("Council for Trade in Goods", "2024-04-20"))


def test_moved_meeting_keeps_its_uid_with_higher_sequence(store: Store) -> None:
    refresh(store, BASE)
    before = by_title(store)["General Council"]
    outcome = refresh(store, page(("General Council", "2024-05-24"),
                                  ("Committee on Agriculture", "2024-05-28"),
                                  ("Council for Trade in Goods", "2024-04-20")))
    assert outcome.ok and outcome.counts.inserted == 0 and outcome.counts.cancelled == 0
    after = by_title(store)["General Council"]
    assert after.event.uid == before.event.uid
    assert after.event.start == date(2024, 5, 24)
    assert after.sequence == before.sequence + 1
    assert len(store.events()) == 3
    # the next refresh finds the moved meeting through its alias, and changes nothing
    again = refresh(store, page(("General Council", "2024-05-24"),
                                ("Committee on Agriculture", "2024-05-28"),
                                ("Council for Trade in Goods", "2024-04-20")))
    assert (again.counts.unchanged, again.counts.inserted) == (3, 0)


def test_far_move_is_a_new_meeting_and_the_old_one_is_cancelled(store: Store) -> None:
    refresh(store, BASE)
    refresh(store, page(("General Council", "2024-07-22"), ("Committee on Agriculture", "2024-05-28"),
                        ("Council for Trade in Goods", "2024-04-20")), match_days=14)
    councils = [s for s in store.events() if s.event.title == "General Council"]
    assert sorted((str(s.event.start), s.event.status) for s in councils) == [
        ("2024-05-22", "cancelled"), ("2024-07-22", "confirmed")]


def test_vanished_future_event_is_cancelled_past_one_left_alone(store: Store) -> None:
    refresh(store, BASE)
    before = by_title(store)["Committee on Agriculture"]
    outcome = refresh(store, page(("General Council", "2024-05-22")), min_count_ratio=0.1)
    assert outcome.counts.cancelled == 1
    after = by_title(store)
    assert after["Committee on Agriculture"].event.status == "cancelled"
    assert after["Committee on Agriculture"].sequence == before.sequence + 1
    assert after["Council for Trade in Goods"].event.status == "confirmed"  # past: untouched
    assert store.history(before.event.uid)[-1]["field"] == "status"
    # it comes back: confirmed again, sequence up again
    refresh(store, BASE)
    back = by_title(store)["Committee on Agriculture"]
    assert back.event.status == "confirmed" and back.sequence == before.sequence + 2


def test_failed_fetch_cancels_nothing(store: Store) -> None:
    refresh(store, BASE)
    before = store.events()
    outcome = refresh(store, None)
    assert not outcome.ok
    assert store.events() == before


def test_sharp_drop_is_suspicious_and_changes_nothing(store: Store) -> None:
    many = page(*[(f"Meeting {n}", f"2024-05-{n + 1:02d}") for n in range(10)])
    refresh(store, many)
    before = store.events()
    outcome = refresh(store, page(("Meeting 1", "2024-05-02")), min_count_ratio=0.5)
    assert not outcome.ok and outcome.error.startswith("suspicious")
    assert store.events() == before
    assert store.last_runs()["paged"].outcome == "suspicious"
    empty = refresh(store, page())
    assert not empty.ok and store.events() == before


def test_rss_like_sources_never_cancel(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    refresh(store, BASE)
    monkeypatch.setattr(type(paged()), "lists_all_upcoming", False)
    refresh(store, page(("General Council", "2024-05-22"), ("Council for Trade in Goods",
                                                            "2024-04-20")), min_count_ratio=0.1)
    assert by_title(store)["Committee on Agriculture"].event.status == "confirmed"


def event(title: str, day: str, key: str | None = None) -> Event:
    start = date.fromisoformat(day)
    return Event(source="s", source_key=key or title_date_key("WTO", title, start),
                 organization="WTO", title=title, start=start, timezone="Europe/Zurich")


def stored(e: Event) -> StoredEvent:
    return StoredEvent(event=e, sequence=0, first_seen=NOW, last_seen=NOW, last_changed=NOW)


def test_match_takes_the_nearest_and_each_stored_event_once() -> None:
    old = [stored(event("GC", "2024-05-10")), stored(event("GC", "2024-05-20"))]
    new = [event("GC", "2024-05-19"), event("GC", "2024-05-12"), event("GC", "2024-05-21")]
    moves = match_moved(new, old, 14, NOW)
    assert moves == {new[0].uid: old[1].event.uid, new[1].uid: old[0].event.uid}


def test_same_uid_means_same_meeting_whatever_changed() -> None:
    old = stored(event("Hearing", "2024-05-29", key="USTR-2024-0002|2024-05-29"))
    moved = event("Public hearing (rescheduled)", "2024-06-05", key="USTR-2024-0002|2024-05-29")
    result = reconcile([moved], [old], {}, NOW, 14)
    assert [e.uid for e in result.events] == [old.event.uid] and result.vanished == []


def test_titles_match_after_normalizing() -> None:
    old = [stored(event("Committee on Customs Valuation", "2024-05-23"))]
    new = [event("  COMMITTEE ON CUSTOMS VALUATION. ", "2024-05-24")]
    assert match_moved(new, old, 3, NOW) == {new[0].uid: old[0].event.uid}
    assert match_moved(new, old, 0, NOW) == {}


@pytest.mark.parametrize(("count", "recent", "expected"), [
    (5, [], False), (5, [10, 10], False), (4, [10, 10], True), (0, [2], True), (0, [0, 0], False)])
def test_is_suspicious(count: int, recent: list[int], expected: bool) -> None:
    assert is_suspicious(count, recent, 0.5) is expected
