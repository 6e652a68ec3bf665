"""The store as tables and feeds show it: every editor's override applied.

:func:`edited_events` is the one view every table, feed, export and the editor page reads
(the rules, stale overrides and shared meetings included, are in :mod:`aggregator.store.overrides`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from aggregator.core.distinct import meeting_identity
from aggregator.core.model import StoredEvent
from aggregator.store.db import Store
from aggregator.store.overrides import (
    FEED_VISIBLE,
    FIELDS,
    UPSTREAM_FIELDS,
    History,
    Override,
    OverrideState,
    fingerprint,
    overrides,
    upstream_fields,
)


def edited_events(store: Store, *, include_hidden: bool = False,
                  window: tuple[date, date] | None = None) -> list[StoredEvent]:
    """The store's events as tables and feeds show them: every override applied, hidden
    events left out (unless ``include_hidden``), in the store's order; only those whose
    venue-local days overlap ``window`` when one is given."""
    events = store.events() if window is None else store.events_between(*window)
    found = overrides(store, include_cleared=True)
    if not found:
        return events
    applied = apply_overrides(events, found, history=store.history)
    return [stored for stored in applied if include_hidden or not stored.hidden]


def override_states(store: Store) -> list[OverrideState]:
    """Every active override, with the upstream fields changed since it was checked."""
    events = {stored.event.uid: stored for stored in store.events()}
    states = []
    for override in overrides(store):
        stored = events.get(override.uid)
        changed = changed_fields(stored, override, store.history) if stored else ()
        states.append(OverrideState(override, stored.event.title if stored else None, changed))
    return states


def changed_fields(stored: StoredEvent, override: Override,
                   history: History | None = None) -> tuple[str, ...]:
    """Upstream fields of ``stored`` that changed since ``override`` was checked: those that
    differ from its copy, and those its history (``history(uid)``, read only when the event
    changed since) records changing since: changed, then changed back."""
    current = upstream_fields(stored.event)
    if fingerprint(current) != override.fingerprint:
        differ = {name for name in UPSTREAM_FIELDS
                  if current.get(name) != override.upstream.get(name)}
    else:
        differ = set()
    if stored.last_changed > override.checked_at and history is not None:
        since = override.checked_at.isoformat()
        differ |= {str(row["field"]) for row in history(stored.event.uid)
                   if str(row["changed_at"]) > since and row["field"] in UPSTREAM_FIELDS}
    return tuple(name for name in UPSTREAM_FIELDS if name in differ)


def apply_overrides(events: Sequence[StoredEvent], found: Sequence[Override],
                    history: History | None = None) -> list[StoredEvent]:
    """``events`` with ``found`` applied (module docstring), hidden ones marked ``hidden``.

    ``found`` may hold cleared rows: they count for SEQUENCE only. ``history(uid)`` gives
    an event's history rows, to name fields that changed and changed back.
    """
    by_uid: dict[str, list[Override]] = {}
    for override in found:
        by_uid.setdefault(override.uid, []).append(override)
    groups = _meeting_groups(events)
    result = []
    for stored in events:
        own = by_uid.get(stored.event.uid, [])
        shared = [o for other in groups.get(meeting_identity(stored), ())
                  if other.event.source != stored.event.source
                  for o in by_uid.get(other.event.uid, [])]
        if not own and not shared:
            result.append(stored)
            continue
        stale: set[str] = set()
        for override in own:
            if override.active:
                stale |= set(changed_fields(stored, override, history))
        result.append(_apply(stored, _effective(own, shared), [*own, *shared], stale))
    return result


def _meeting_groups(events: Iterable[StoredEvent]) -> dict[tuple[str, str, date],
                                                           list[StoredEvent]]:
    groups: dict[tuple[str, str, date], list[StoredEvent]] = {}
    for stored in events:
        groups.setdefault(meeting_identity(stored), []).append(stored)
    return groups


def _effective(own: Sequence[Override], shared: Sequence[Override]) -> dict[str, str]:
    """Field → value: of the active overrides of every copy of the meeting (the event's own
    and other sources' copies), the newest of each field (the event's own on a tie).

    A cleared override counts for nothing here (only for SEQUENCE): after ``--clear`` or
    ``--show`` on one copy, an override set on another copy applies to both, so undoing a
    correction never splits one meeting into two rows.
    """
    values: dict[str, str] = {}
    ranked = [(o.set_at, 0, o) for o in shared] + [(o.set_at, 1, o) for o in own]
    for _, _, override in sorted(ranked, key=lambda item: (item[0], item[1])):
        if override.active:
            values[override.field] = override.value
    return values


def _apply(stored: StoredEvent, values: Mapping[str, str], rows: Sequence[Override],
           stale: set[str]) -> StoredEvent:
    event = stored.event
    changes: dict[str, Any] = {}
    if "title" in values:
        changes["title"] = values["title"]
    if "section" in values:
        changes["section"] = values["section"]  # "" means: in no section
    if "featured" in values:
        changes["featured"] = values["featured"] == "1"
    if "deadline" in values:
        changes["registration_deadline"] = (date.fromisoformat(values["deadline"])
                                            if values["deadline"] else None)
    visible = [o for o in rows if o.field in FEED_VISIBLE]
    last_changed = max([stored.last_changed, *(o.set_at for o in visible)])
    return replace(
        stored, event=event.with_changes(**changes) if changes else event,
        sequence=stored.sequence + sum(o.revision for o in visible),
        last_changed=last_changed,
        short_url=values.get("short_url", stored.short_url),
        note=values.get("note", stored.note),
        hidden=values.get("hidden") == "1",
        overridden=tuple(name for name in FIELDS if name in values),
        override_stale=tuple(name for name in UPSTREAM_FIELDS if name in stale))
