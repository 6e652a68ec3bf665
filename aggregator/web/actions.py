"""What the editor page's forms do to the store: the row actions (the overrides that
``tradecal edit`` sets), undoing the last one, and adding an event as an import row would.

Every action returns an :class:`Undo`: the field it touched and the override that field had
before (None: none), so the page can offer "undo" right after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aggregator.config import Config
from aggregator.core.model import SECTIONS, Event, EventError
from aggregator.store.db import Store, UpsertCounts
from aggregator.store.overrides import (
    OverrideError,
    clear_override,
    confirm_overrides,
    overrides,
    set_override,
)
from sources.lib.manual import COLUMNS, RowError, row_event

MANUAL_SOURCE = "manual"
ACTIONS: Mapping[str, str] = {
    "hide": "已隱藏 Hidden", "show": "已恢復顯示 Shown again", "feature": "已列入快訊 Featured",
    "unfeature": "已取消快訊 No longer featured", "title": "已改名 Retitled",
    "untitle": "已還原名稱 Title restored", "confirm": "已確認 Confirmed",
    "deadline": "已設定報名截止日 Deadline set", "nodeadline": "已設為逕自洽詢 No deadline",
    "short_url": "已設定短網址 Short link set", "section": "已移動 Section changed",
    "undo": "已復原 Undone"}
FIELD_OF: Mapping[str, str] = {
    "hide": "hidden", "show": "hidden", "feature": "featured", "unfeature": "featured",
    "title": "title", "untitle": "title", "deadline": "deadline", "nodeadline": "deadline",
    "short_url": "short_url", "section": "section"}
SOURCE_DEFAULT = "source"
"""The section form's value for "as the source and configuration say" (no override)."""


class ActionError(ValueError):
    """A form whose values an action does not take; the message says why."""


@dataclass(frozen=True)
class Undo:
    """How to undo an action: set ``field`` back to ``value`` (None: no override)."""

    field: str
    value: str | None


def apply_action(store: Store, uid: str, action: str, fields: Mapping[str, str]) -> Undo | None:
    """One of the page's actions on event ``uid``; returns how to undo it (None: cannot)."""
    if action == "confirm":
        confirm_overrides(store, uid)
        return None
    if action == "undo":
        field = fields.get("undo_field", "")
        _restore(store, uid, field, None if fields.get("undo_clear") else
                 fields.get("undo_value", ""))
        return None
    target = FIELD_OF.get(action)
    if target is None:
        raise ActionError(f"unknown action {action!r}")
    before = next((o.value for o in overrides(store) if o.uid == uid and o.field == target),
                  None)
    _restore(store, uid, target, _value(action, fields))
    return Undo(target, before)


def _value(action: str, fields: Mapping[str, str]) -> str | None:
    """The override value an action sets (None: it clears the override)."""
    fixed = {"hide": "1", "show": None, "feature": "1", "unfeature": "0", "untitle": None,
             "nodeadline": ""}
    if action in fixed:
        return fixed[action]
    text = fields.get(action, "").strip()
    if action == "section":
        return None if text in ("", SOURCE_DEFAULT) else text
    if action in ("deadline", "short_url"):
        return text or None
    return text  # a title (an empty one is refused)


def _restore(store: Store, uid: str, field: str, value: str | None) -> None:
    try:
        if value is None:
            clear_override(store, uid, field)
        else:
            set_override(store, uid, field, value)
    except OverrideError as exc:
        raise ActionError(str(exc)) from None


def event_from_form(fields: Mapping[str, str], config: Config) -> Event:
    """The event an "add an event" form describes, read as an import CSV row would be
    (:func:`sources.lib.manual.row_event`); ActionError naming what is wrong."""
    row: dict[str | None, object] = {name: fields.get(name, "").strip() for name in COLUMNS}
    if fields.get("time", "").strip() and row["start"]:
        row["start"] = f"{row['start']}T{fields['time'].strip()}"
    row["featured"] = "yes" if fields.get("featured") else ""

    def organization(name: str) -> tuple[str, str | None] | None:
        found = config.find_organization(name)
        return None if found is None else (found.key, found.timezone)

    try:
        return row_event(row, MANUAL_SOURCE, organization, SECTIONS)
    except (RowError, EventError) as exc:
        raise ActionError(str(exc)) from None


def store_manual(store: Store, events: list[Event]) -> UpsertCounts:
    """Store events added by hand (an import, the page's form) as one run of ``manual``."""
    run_id = store.start_run(MANUAL_SOURCE)
    counts = store.upsert_events(events, run_id=run_id)
    store.finish_run(run_id, "ok", counts, events=len(events))
    return counts
