"""The SQLite store (sqlite-utils): current events, their history, and refresh runs.

Upserting a source's events compares each with what is stored: a new event is inserted,
a changed one updated field by field (every change written to ``event_history``), an
identical one left alone except for ``last_seen`` and ``position``. A change that a
calendar subscriber would see raises the event's ``sequence``. Each upsert is one
transaction: it lands whole or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from aggregator.core import clock
from aggregator.core.model import Event, StoredEvent, event_to_json, from_iso, parse_iso
from aggregator.store.schema import EVENT_FIELDS, create_tables

# Fields written to ICS: a change in one of them is news to a subscriber.
VISIBLE_FIELDS: tuple[str, ...] = (
    "title", "start", "end", "timezone", "location", "url", "status", "description",
    "organization",
)



@dataclass
class UpsertCounts:
    """What an upsert did, event by event (``cancelled``: vanished events it cancelled)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


@dataclass(frozen=True)
class RunRecord:
    """One row of ``runs``: a source's refresh."""

    id: int
    source: str
    started: str
    finished: str | None
    outcome: str
    events: int
    inserted: int
    updated: int
    unchanged: int
    cancelled: int
    error: str
    channel: str = ""
    warnings: str = ""


def event_row(event: Event) -> dict[str, Any]:
    """The ``events`` columns that come from the event itself."""
    data = event_to_json(event)
    row = {name: data[name] for name in ("uid", *EVENT_FIELDS)}
    first_day, last_day = event.local_dates()
    row.update(all_day=int(event.all_day), featured=int(event.featured),
               first_day=first_day.isoformat(), last_day=last_day.isoformat(),
               span_days=(last_day - first_day).days)
    return row


def row_event(row: dict[str, Any]) -> Event:
    """Rebuild an Event from its ``events`` row."""
    deadline = from_iso(row["registration_deadline"])
    return Event(
        uid=row["uid"], source=row["source"], source_key=row["source_key"],
        organization=row["organization"], title=row["title"],
        start=parse_iso(row["start"]),
        end=from_iso(row["end"]), timezone=row["timezone"], location=row["location"] or "",
        url=row["url"] or "", status=row["status"], kind=row["kind"], section=row["section"],
        featured=bool(row["featured"]),
        registration_deadline=deadline,
        registration_url=row["registration_url"] or "", description=row["description"] or "",
    )


class Store:
    """The tradecal database. Open with a path (``":memory:"`` for tests)."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        import sqlite_utils  # here, not at the top: `tradecal --help` never opens a store

        self.db = sqlite_utils.Database(path)
        if str(path) != ":memory:":
            self.db.enable_wal()
        self.db.execute("PRAGMA busy_timeout = 30000")
        self._fill_day_columns(create_tables(self.db))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fill_day_columns(self, missing: Sequence[str]) -> None:
        """Fill the venue-local day columns that an older store just got, from each row."""
        if not missing:
            return
        table = self.db["events"]
        with self.db.atomic():
            for row in list(table.rows):
                new = event_row(row_event(row))
                table.update(row["uid"], {name: new[name] for name in missing})

    def upsert_events(self, events: Sequence[Event], *, run_id: int | None = None,
                      now: datetime | None = None) -> UpsertCounts:
        """Store a source's events in one transaction; return what changed."""
        stamp = (now or clock.now()).isoformat()
        counts = UpsertCounts()
        with self.db.atomic():
            for position, event in enumerate(events):
                self._upsert_one(event, position, stamp, run_id, counts)
        return counts

    def apply_fetch(self, events: Sequence[Event], vanished: Sequence[str],
                    aliases: Mapping[str, str], *, source: str, run_id: int | None = None,
                    now: datetime | None = None) -> UpsertCounts:
        """Store a complete fetch in one transaction: its events, the aliases it
        established, and the cancellation of the events it no longer lists."""
        stamp = (now or clock.now()).isoformat()
        with self.db.atomic():
            counts = self.upsert_events(events, run_id=run_id, now=now)
            for key, uid in aliases.items():
                self.db.table("aliases").upsert(
                    {"source": source, "source_key": key, "uid": uid, "since": stamp},
                    pk=("source", "source_key"))
            for uid in vanished:
                self._set_status(uid, "cancelled", stamp, run_id)
            counts.cancelled = len(vanished)
        return counts

    def _set_status(self, uid: str, status: str, stamp: str, run_id: int | None) -> None:
        old = self.db.table("events").get(uid)
        if old["status"] == status:
            return
        self._record_history(uid, "status", old["status"], status, stamp, run_id)
        self.db.table("events").update(uid, {"status": status, "last_changed": stamp,
                                             "sequence": old["sequence"] + 1})

    def aliases(self, source: str) -> dict[str, str]:
        """source_key → uid of the keys matched to an earlier event of ``source``."""
        rows = self.db.table("aliases").rows_where("source = ?", [source])
        return {row["source_key"]: row["uid"] for row in rows}

    def recent_counts(self, source: str, runs: int) -> list[int]:
        """Event counts of the source's latest accepted or suspicious runs, newest first."""
        rows = self.db.query(
            "select events from runs where source = ? and outcome in ('ok', 'suspicious') "
            "order by id desc limit ?", [source, runs])
        return [row["events"] for row in rows]

    def _upsert_one(self, event: Event, position: int, stamp: str, run_id: int | None,
                    counts: UpsertCounts) -> None:
        new = event_row(event)
        table = self.db.table("events")
        old = next(iter(table.rows_where("uid = ?", [event.uid])), None)
        if old is None:
            new.update(first_seen=stamp, last_seen=stamp, last_changed=stamp, sequence=0,
                       position=position)
            table.insert(new)
            self._record_history(event.uid, "created", None, event.title, stamp, run_id)
            counts.inserted += 1
            return
        changed = [name for name in EVENT_FIELDS if old[name] != new[name]]
        bookkeeping: dict[str, Any] = {"last_seen": stamp, "position": position,
                                       "first_day": new["first_day"],
                                       "last_day": new["last_day"],
                                       "span_days": new["span_days"]}
        if changed:
            for name in changed:
                self._record_history(event.uid, name, old[name], new[name], stamp, run_id)
            visible = any(name in VISIBLE_FIELDS or name == "all_day" for name in changed)
            bookkeeping.update(last_changed=stamp,
                               sequence=old["sequence"] + (1 if visible else 0))
            counts.updated += 1
        else:
            counts.unchanged += 1
        table.update(event.uid, {**{name: new[name] for name in changed}, **bookkeeping})

    def _record_history(self, uid: str, field: str, old: Any, new: Any, stamp: str,
                        run_id: int | None) -> None:
        self.db.table("event_history").insert(
            {"uid": uid, "field": field, "old": _text(old), "new": _text(new),
             "changed_at": stamp, "run_id": run_id})

    def events(self, where: str | None = None,
               params: Sequence[Any] = ()) -> list[StoredEvent]:
        """Stored events (optionally filtered by an SQL ``where``), in start order."""
        rows = self.db.table("events").rows_where(where, list(params),
                                                  order_by="start, position, uid")
        return [_stored(row) for row in rows]

    def events_between(self, first: date, last: date) -> list[StoredEvent]:
        """Stored events whose venue-local days overlap ``first`` .. ``last``.

        An indexed range, never a full scan: an overlapping event starts no earlier than
        ``first`` minus the longest event's length (``span_days``, itself indexed).
        """
        rows = list(self.db.query("select max(span_days) as span from events"))
        longest = rows[0]["span"] or 0
        earliest = first - timedelta(days=longest)
        return self.events("first_day between ? and ? and last_day >= ?",
                           [earliest.isoformat(), last.isoformat(), first.isoformat()])

    def event(self, uid: str) -> StoredEvent | None:
        found = self.events("uid = ?", [uid])
        return found[0] if found else None

    def history(self, uid: str) -> list[dict[str, Any]]:
        """Every recorded change of one event, oldest first."""
        return list(self.db.table("event_history").rows_where("uid = ?", [uid], order_by="id"))

    def start_run(self, source: str, now: datetime | None = None) -> int:
        """Open a ``runs`` row for a source's refresh; return its id."""
        table = self.db.table("runs")
        table.insert({"source": source, "started": (now or clock.now()).isoformat(),
                      "finished": None, "outcome": "running", "events": 0, "inserted": 0,
                      "updated": 0, "unchanged": 0, "error": ""})
        return int(table.last_pk)

    def finish_run(self, run_id: int, outcome: str, counts: UpsertCounts | None = None,
                   error: str = "", events: int = 0, now: datetime | None = None,
                   channel: str = "", warnings: str = "") -> None:
        """Close a ``runs`` row with its outcome (``ok`` or ``failed``), counts and the
        channel that answered."""
        counts = counts or UpsertCounts()
        self.db.table("runs").update(run_id, {
            "finished": (now or clock.now()).isoformat(), "outcome": outcome, "events": events,
            "inserted": counts.inserted, "updated": counts.updated,
            "unchanged": counts.unchanged, "cancelled": counts.cancelled,
            "error": error[:500], "channel": channel, "warnings": warnings[:1000]})

    def last_runs(self) -> dict[str, RunRecord]:
        """The latest run of each source."""
        rows = self.db.query(
            "select * from runs where id in (select max(id) from runs group by source)")
        return {row["source"]: RunRecord(**row) for row in rows}

    def last_successes(self) -> dict[str, str]:
        """The finish time (ISO text) of each source's latest successful run; a source that
        never succeeded is absent. The one definition of "last success" (health, scheduler)."""
        rows = self.db.execute(f"{_LAST_SUCCESS} group by source").fetchall()
        return {name: finished for name, finished in rows if finished}

    def last_success(self, source: str) -> str | None:
        """The finish time of ``source``'s latest successful run, or None."""
        row = self.db.execute(f"{_LAST_SUCCESS} and source = ?", [source]).fetchone()
        return row[1] if row else None


_LAST_SUCCESS = "select source, max(finished) from runs where outcome = 'ok'"


def _stored(row: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        event=row_event(row), sequence=row["sequence"],
        first_seen=datetime.fromisoformat(row["first_seen"]),
        last_seen=datetime.fromisoformat(row["last_seen"]),
        last_changed=datetime.fromisoformat(row["last_changed"]),
        position=row["position"] or 0,
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
