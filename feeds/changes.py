"""What changed since the last issue: new, moved, retitled, cancelled and removed events.

The editor checks the issue against this report. It reads ``event_history`` from a moment
(``since``: a time, or an issue of :mod:`aggregator.store.issues`, whose recorded history row id
and hidden events make "since" exact to the row, never to a wall-clock second) and lists,
for the meetings and events the tables print (kinds meeting, hearing, seminar):

- **new** (新增): stored for the first time, and not cancelled since;
- **moved** (改期): start or end changed (dates as the tables print them; the times too when
  only the time moved);
- **retitled** (更名): the title changed;
- **cancelled** (取消): the status became cancelled or postponed (a withdrawn event shows
  nothing else); **reinstated** (恢復): withdrawn before, standing again;
- **removed** (移除): hidden by an editor since (:mod:`aggregator.store.overrides`) and still hidden.

Old values are those before the first change after ``since``, new ones the current ones; a
change that was undone (retitled and back) is no change. Events that ended before the day of
``since`` are left out, and so are other sources' copies of one meeting (as in the tables).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aggregator.core.distinct import WITHDRAWN, distinct_meetings
from aggregator.core.model import Event, EventError, StoredEvent, from_iso
from aggregator.core.settings import Config
from aggregator.store.db import Store
from aggregator.store.edited import edited_events
from aggregator.store.issues import Issue
from aggregator.store.overrides import TABLE as OVERRIDES
from feeds.tables import TABLE_KINDS, format_date_span, printed_under

CHANGE_KINDS: tuple[str, ...] = ("new", "moved", "retitled", "cancelled", "reinstated",
                                 "removed")
KIND_LABELS: dict[str, str] = {
    "new": "新增", "moved": "改期", "retitled": "更名", "cancelled": "取消",
    "reinstated": "恢復", "removed": "移除"}
STATUS_LABELS: dict[str, str] = {
    "confirmed": "確定", "tentative": "暫定", "cancelled": "取消", "postponed": "延期"}
CHANGES_TITLE = "行事曆與活動異動"
CHANGES_COLUMNS: tuple[str, ...] = ("異動", "分類", "單位", "日期", "名稱", "原為", "改為")
HIDDEN_TEXT = "編輯隱藏"


@dataclass(frozen=True)
class Change:
    """One line of the report: what happened to which event, from what to what."""

    kind: str
    uid: str
    placement: str  # the calendar section, or 活動快訊 / 其他經貿相關活動
    organization: str  # short name, as the tables print it
    dates: str  # current dates, as the tables print them
    title: str
    old: str
    new: str
    changed_at: datetime
    first_day: date  # the event's first local day, for the report's order
    url: str = ""

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def cells(self) -> tuple[str, ...]:
        """The printed cells, in the order of :data:`CHANGES_COLUMNS`."""
        return (self.label, self.placement, self.organization, self.dates, self.title,
                self.old, self.new)


@dataclass(frozen=True)
class ChangesReport:
    """The report: its title, the line saying since when, and the changes in order."""

    title: str
    since_line: str
    since: datetime
    columns: tuple[str, ...]
    changes: tuple[Change, ...]

    def of_kind(self, kind: str) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.kind == kind)


def changes_since(store: Store, config: Config, since: datetime | Issue) -> ChangesReport:
    """Every change since ``since`` (a time, naive meaning local time of this machine, or an
    issue), in report order.

    Events are shown as the tables print them (editors' overrides applied: title, section,
    featured); what changed is what the sources changed, from ``event_history``.
    """
    if isinstance(since, Issue):
        moment = since.at.astimezone()
        history = _history_after(store, since.history_id)
        hidden = _hidden_after(store, since)
        line = f"{since.describe()}（{format_since(moment)[:-3]}標記）以後"
    else:
        moment = since.astimezone() if since.tzinfo is None else since
        history = _history_since(store, moment)
        hidden = _hidden_since(store, moment)
        line = format_since(moment)
    current = {stored.event.uid: stored for stored in edited_events(store, include_hidden=True)}
    printed = {stored.event.uid for stored in
               distinct_meetings(s for s in current.values() if not s.hidden)}
    changes: list[Change] = []
    for uid, rows in history.items():
        stored = current.get(uid)
        if stored is not None and uid in printed and _relevant(stored.event, moment):
            changes.extend(_event_changes(stored, rows, config))
    for uid, at in hidden.items():
        if uid in current and current[uid].hidden:
            changes.append(_change("removed", current[uid], config, "", HIDDEN_TEXT, at))
    changes.sort(key=_report_order)
    return ChangesReport(title=CHANGES_TITLE, since_line=line, since=moment,
                         columns=CHANGES_COLUMNS, changes=tuple(changes))


def format_since(since: datetime) -> str:
    """``2024 年 4 月 26 日 16:00 (UTC+08:00) 以後``, in the time zone ``since`` is given in."""
    offset = since.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    return f"{since.year} 年 {since.month} 月 {since.day} 日 {since:%H:%M} ({zone}) 以後"


def _history_since(store: Store, since: datetime) -> dict[str, list[dict[str, Any]]]:
    """History rows at or after ``since``, by uid, oldest first."""
    # Stamps carry their own offsets: compare as text with a day's margin, then exactly.
    margin = (since.astimezone(UTC) - timedelta(days=1)).isoformat()
    rows = store.db.table("event_history").rows_where("changed_at >= ?", [margin],
                                                      order_by="id")
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if datetime.fromisoformat(row["changed_at"]) >= since:
            found.setdefault(row["uid"], []).append(row)
    return found


def _history_after(store: Store, row_id: int) -> dict[str, list[dict[str, Any]]]:
    """History rows after row ``row_id``, by uid, oldest first."""
    found: dict[str, list[dict[str, Any]]] = {}
    for row in store.db.table("event_history").rows_where("id > ?", [row_id], order_by="id"):
        found.setdefault(row["uid"], []).append(row)
    return found


def _hidden_after(store: Store, issue: Issue) -> dict[str, datetime]:
    """Events hidden now that were not hidden when ``issue`` was marked: uid → when."""
    return {uid: at for uid, at in _hidden_since(store, None).items()
            if uid not in issue.hidden}


def _hidden_since(store: Store, since: datetime | None) -> dict[str, datetime]:
    """Events an editor hid at or after ``since`` (any time: None) and has not shown
    again: uid → when."""
    rows = store.db.query(
        f"select uid, value, set_at from {OVERRIDES} "
        "where field = 'hidden' and active = 1 and value = '1'")
    hidden = {row["uid"]: datetime.fromisoformat(row["set_at"]) for row in rows}
    return {uid: at for uid, at in hidden.items() if since is None or at >= since}


def _relevant(event: Event, since: datetime) -> bool:
    return event.kind in TABLE_KINDS and event.local_dates()[1] >= since.date()


def _event_changes(stored: StoredEvent, rows: Sequence[dict[str, Any]],
                   config: Config) -> list[Change]:
    """The report lines of one event, from its history rows since the report's start."""
    event = stored.event
    first_old: dict[str, str | None] = {}
    last_new: dict[str, str | None] = {}
    for row in rows:
        first_old.setdefault(row["field"], row["old"])
        last_new[row["field"]] = row["new"]
    at = max(datetime.fromisoformat(row["changed_at"]) for row in rows)
    withdrawn = event.status in WITHDRAWN
    if "created" in first_old:
        return [] if withdrawn else [_change("new", stored, config, "", _dates(event), at)]
    old_status = first_old.get("status", event.status)
    if withdrawn or old_status in WITHDRAWN:
        if withdrawn == (old_status in WITHDRAWN):
            return []  # withdrawn all along (or only between cancelled and postponed)
        kind = "cancelled" if withdrawn else "reinstated"
        return [_change(kind, stored, config, _status(old_status), _status(event.status), at)]
    found: list[Change] = []
    moved = _moved(event, first_old)
    if moved is not None:
        found.append(_change("moved", stored, config, *moved, at))
    if "title" in first_old and first_old["title"] != last_new["title"]:
        found.append(_change("retitled", stored, config, first_old["title"] or "",
                             last_new["title"] or "", at))
    return found


def _moved(event: Event, first_old: dict[str, str | None]) -> tuple[str, str] | None:
    """(old, new) dates, or the times when only they moved; None when nothing moved."""
    if not {"start", "end", "timezone"} & first_old.keys():
        return None
    try:
        before = event.with_changes(
            start=from_iso(first_old.get("start") or event.start.isoformat()),
            end=from_iso(first_old["end"]) if "end" in first_old else event.end,
            timezone=first_old.get("timezone") or event.timezone)
    except EventError:  # old fields that no longer fit together: compare first days
        day = date.fromisoformat((first_old.get("start") or event.start.isoformat())[:10])
        old_day = format_date_span(day, day)
        return None if old_day == _dates(event) else (old_day, _dates(event))
    old, new = _dates(before), _dates(event)
    if old == new:
        old, new = _dates(before, with_time=True), _dates(event, with_time=True)
    return None if old == new else (old, new)


def _dates(event: Event, with_time: bool = False) -> str:
    """The dates as the tables print them; with the local start time if asked and known."""
    text = format_date_span(*event.local_dates())
    local = event.local_start()
    if with_time and isinstance(local, datetime):
        text += f" {local:%H:%M}"
    return text


def _status(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "")


def _change(kind: str, stored: StoredEvent, config: Config, old: str, new: str,
            at: datetime) -> Change:
    event = stored.event
    return Change(kind=kind, uid=event.uid, placement=printed_under(stored, config),
                  organization=config.organization(event.organization).short_name,
                  dates=_dates(event), title=event.title.strip(), old=old, new=new,
                  changed_at=at, first_day=event.local_dates()[0],
                  url=stored.short_url or event.url or event.registration_url)


def _report_order(change: Change) -> tuple[int, date, str, str, str]:
    return (CHANGE_KINDS.index(change.kind), change.first_day, change.organization,
            change.title, change.uid)
