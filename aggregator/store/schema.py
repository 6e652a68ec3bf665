"""Every table of the store, created in one place when a :class:`~aggregator.store.db.Store`
opens a database (an older store gets the columns it lacks).

- ``events``, ``event_history``, ``runs``, ``aliases``: what the sources said, and when
  (:mod:`aggregator.store.db`);
- ``overrides``: editors' changes (:mod:`aggregator.store.overrides`);
- ``http_cache``: the validators of the last responses (:mod:`aggregator.store.http_cache`);
- ``issues``: the newsletter's issues as marked (:mod:`aggregator.store.issues`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from aggregator.store.http_cache import TABLE as HTTP_CACHE
from aggregator.store.http_cache import CacheEntry

if TYPE_CHECKING:
    import sqlite_utils

EVENT_FIELDS: tuple[str, ...] = (
    "source", "source_key", "organization", "title", "start", "end", "all_day", "timezone",
    "location", "url", "status", "kind", "section", "featured", "registration_deadline",
    "registration_url", "description",
)
OVERRIDES = "overrides"
ISSUES = "issues"
DAY_COLUMNS: dict[str, type] = {"first_day": str, "last_day": str, "span_days": int}
"""The venue-local day columns of ``events`` (stores made before them get them empty)."""
RUN_TEXT_COLUMNS = ("channel", "warnings")
"""Columns of ``runs`` added after 0.1: the channel that answered, what it said."""


def create_tables(db: sqlite_utils.Database) -> list[str]:
    """Create every table the store lacks; the names of the day columns an older ``events``
    table had to get (empty, for :class:`~aggregator.store.db.Store` to fill)."""
    columns: dict[str, Any] = {name: str for name in EVENT_FIELDS}
    columns.update(uid=str, all_day=int, featured=int, first_seen=str, last_seen=str,
                   last_changed=str, sequence=int, position=int, **DAY_COLUMNS)
    db["events"].create(columns, pk="uid", if_not_exists=True)
    missing = [name for name in DAY_COLUMNS if name not in db["events"].columns_dict]
    for name in missing:
        db["events"].add_column(name, DAY_COLUMNS[name])
    db["event_history"].create(
        {"id": int, "uid": str, "field": str, "old": str, "new": str, "changed_at": str,
         "run_id": int},
        pk="id", if_not_exists=True)
    _create_runs(db)
    db["aliases"].create(
        {"source": str, "source_key": str, "uid": str, "since": str},
        pk=("source", "source_key"), if_not_exists=True)
    db[OVERRIDES].create(
        {"uid": str, "field": str, "value": str, "set_at": str, "checked_at": str,
         "fingerprint": str, "upstream": str, "revision": int, "active": int},
        pk=("uid", "field"), if_not_exists=True)
    db[HTTP_CACHE].create({field.name: str for field in dataclasses.fields(CacheEntry)},
                          pk=("source", "url"), if_not_exists=True)
    db[ISSUES].create(
        {"id": int, "start": str, "end": str, "at": str, "history_id": int, "hidden": str},
        pk="id", if_not_exists=True)
    db["event_history"].create_index(["uid"], if_not_exists=True)
    db["events"].create_index(["source"], if_not_exists=True)
    db["events"].create_index(["first_day"], if_not_exists=True)
    db["events"].create_index(["span_days"], if_not_exists=True)
    db["runs"].create_index(["source", "id"], if_not_exists=True)
    return missing


def _create_runs(db: sqlite_utils.Database) -> None:
    db["runs"].create(
        {"id": int, "source": str, "started": str, "finished": str, "outcome": str,
         "events": int, "inserted": int, "updated": int, "unchanged": int,
         "cancelled": int, "error": str, **{name: str for name in RUN_TEXT_COLUMNS}},
        pk="id", if_not_exists=True)
    if "cancelled" not in db["runs"].columns_dict:  # stores made before 0.1
        db["runs"].add_column("cancelled", int, not_null_default=0)
    for name in RUN_TEXT_COLUMNS:
        if name not in db["runs"].columns_dict:
            db["runs"].add_column(name, str, not_null_default="")
