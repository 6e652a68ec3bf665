"""The newsletter's issues: the windows an editor marked as published, in the ``issues`` table.

An issue is explicit: ``tradecal export calendar --issue`` or the editor page's "Issue"
button records one; a preview, a download or ``export calendar`` alone never does. Each row
keeps what "changes since this issue" needs, exactly, whatever the wall clock says:

- ``history_id``: the id of the newest ``event_history`` row when the issue was marked
  (row ids only grow, so a change is after the issue exactly when its row id is greater,
  even within the same second);
- ``hidden``: the UIDs editors had hidden then (an event hidden since is a removal).

Numbers count from 1 in the order issues were marked; ``tradecal export issues`` lists them,
``tradecal export changes --since-issue N`` reads one, and "since the last issue" (the CLI's
default and the editor page's) reads the newest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from aggregator.core import clock
from aggregator.store.db import Store
from aggregator.store.overrides import TABLE as OVERRIDES
from aggregator.store.schema import ISSUES

TABLE = ISSUES  # created with the others by aggregator.store.schema


@dataclass(frozen=True)
class Issue:
    """One issue of the newsletter: its number, window, when it was marked, and the store's
    state then (see the module docstring)."""

    number: int
    start: date
    end: date
    at: datetime
    history_id: int
    hidden: frozenset[str]

    def describe(self) -> str:
        """``第 3 期 2024-04-29 – 2024-05-23``: how reports and pages name it."""
        return f"第 {self.number} 期 {self.start.isoformat()} – {self.end.isoformat()}"


def record_issue(store: Store, start: date, end: date, now: datetime | None = None) -> Issue:
    """Mark the window ``start`` .. ``end`` as the newsletter's next issue."""
    history = list(store.db.query("select max(id) as id from event_history"))[0]["id"] or 0
    hidden = sorted(row["uid"] for row in store.db.query(
        f"select uid from {OVERRIDES} where field = 'hidden' and active = 1 and value = '1'"))
    stamp = (now or clock.now()).astimezone(UTC).isoformat()
    with store.db.atomic():
        store.db.table(TABLE).insert({
            "start": start.isoformat(), "end": end.isoformat(), "at": stamp,
            "history_id": history, "hidden": json.dumps(hidden)})
    return issues(store)[-1]


def issues(store: Store) -> list[Issue]:
    """Every issue, oldest first."""
    rows = store.db.table(TABLE).rows_where(order_by="id")
    return [_issue(row) for row in rows]


def find_issue(store: Store, number: int) -> Issue | None:
    """Issue ``number``, if there is one."""
    return next((issue for issue in issues(store) if issue.number == number), None)


def last_issue(store: Store) -> Issue | None:
    """The newest issue, if any was marked."""
    found = issues(store)
    return found[-1] if found else None


def _issue(row: dict[str, Any]) -> Issue:
    return Issue(number=int(row["id"]),
                 start=date.fromisoformat(str(row["start"])),
                 end=date.fromisoformat(str(row["end"])),
                 at=datetime.fromisoformat(str(row["at"])),
                 history_id=int(row["history_id"] or 0),
                 hidden=frozenset(json.loads(str(row["hidden"] or "[]"))))
