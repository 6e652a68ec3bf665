"""Editors' overrides: corrections that outlive every refresh, applied to tables and feeds.

An editor can hide an event, retitle it, move it to another calendar section (or out of the
calendar, into the events tables), mark it featured or not, set the short link the tables
print, set or clear its registration deadline, and add a note. Each decision is one row of
the ``overrides`` table, keyed by event UID and field:

- ``value``: the text of the decision (``hidden``: ``1``; ``featured``: ``1`` or ``0``;
  ``section``: a section of :data:`aggregator.core.model.SECTIONS`, or empty for none;
  ``deadline``: ``YYYY-MM-DD``, or empty for no deadline; the others: the text itself);
- ``set_at``: when the value was set or cleared; ``checked_at``: when an editor last saw
  the upstream event (setting, or ``--confirm``);
- ``fingerprint`` and ``upstream``: a hash and a copy of the event's upstream fields
  (:data:`UPSTREAM_FIELDS`) at ``checked_at``;
- ``revision``: how often the value was set or cleared; ``active``: 0 once cleared (the row
  stays, its value emptied, so a feed's SEQUENCE never goes back down).

Refreshes never touch the table; tables and feeds read the store through
:func:`aggregator.store.edited.edited_events`, the one view with every override applied.

**Upstream changed since.** When the event's upstream fields differ from the copy taken at
``checked_at`` (or its history records a change to one of them since then), the override
is *stale*: it is still applied (the editor's word stands until an editor says otherwise:
a retitled meeting does not jump back to the source's wording on the morning of the issue),
but it is flagged: ``tradecal edit --list`` prints ``stale: upstream changed title`` and the
editor page marks the row. Setting the override again, clearing it, or ``tradecal edit UID
--confirm`` settles it. A change of description or registration link alone does not flag.

**One meeting, several sources.** The tables and feeds print a meeting once even when
several sources announce it (:mod:`aggregator.core.distinct`). An override of one copy applies to
every copy of the same meeting (same organization, upstream title and first day): of the
active overrides of a field among the copies, the newest wins (a cleared one counts for
nothing), so hiding, retitling or undoing either copy never lets another take its place.

**Feeds.** A hidden event leaves the feeds (a subscriber's calendar drops it). A change of
the title, deadline or visibility raises the event's SEQUENCE by one for each set or clear
and moves its LAST-MODIFIED to the override's time, so calendar clients take the new text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from aggregator.core import clock
from aggregator.core.model import SECTIONS, Event, StoredEvent, event_to_json
from aggregator.store.db import Store
from aggregator.store.schema import OVERRIDES

TABLE = OVERRIDES  # created with the others by aggregator.store.schema
FIELDS: tuple[str, ...] = ("hidden", "title", "section", "featured", "short_url", "deadline",
                           "note")
"""The fields an editor can override, in the order ``--list`` prints them."""
UPSTREAM_FIELDS: tuple[str, ...] = (
    "organization", "title", "start", "end", "all_day", "timezone", "location", "url",
    "status", "kind", "section", "featured", "registration_deadline",
)
"""The event fields whose upstream change flags an override."""
FEED_VISIBLE: frozenset[str] = frozenset({"hidden", "title", "deadline"})
"""Override fields a calendar subscriber sees (they raise SEQUENCE)."""
MAX_TEXT = 1000
History = Callable[[str], Iterable[Mapping[str, Any]]]
"""An event's history rows by UID (:meth:`aggregator.store.db.Store.history`)."""


class OverrideError(ValueError):
    """A value an override field does not take (the message says what it takes)."""


class UnknownEvent(LookupError):
    """No stored event (or override) has this UID or UID prefix."""


class AmbiguousUid(LookupError):
    """A UID prefix that several events share; ``matches`` lists them."""

    def __init__(self, prefix: str, matches: Sequence[str]) -> None:
        super().__init__(f"UID prefix {prefix!r} matches {len(matches)} events")
        self.matches = tuple(matches)


@dataclass(frozen=True)
class Override:
    """One row of the ``overrides`` table."""

    uid: str
    field: str
    value: str
    set_at: datetime
    checked_at: datetime
    fingerprint: str
    upstream: Mapping[str, Any]
    revision: int
    active: bool


@dataclass(frozen=True)
class OverrideState:
    """An active override and how it stands against the event today."""

    override: Override
    title: str | None
    changed: tuple[str, ...]

    @property
    def gone(self) -> bool:
        """The event is no longer in the store."""
        return self.title is None

    @property
    def stale(self) -> bool:
        return bool(self.changed) or self.gone

    def describe(self) -> str:
        """``ok``, ``stale: upstream changed title, start`` or ``event gone``."""
        if self.gone:
            return "event gone"
        if self.changed:
            return "stale: upstream changed " + ", ".join(self.changed)
        return "ok"


# --- values -----------------------------------------------------------------------------------

def parse_value(field: str, text: str) -> str:
    """The stored text of an override of ``field`` given as ``text``; OverrideError if bad.

    ``section`` takes a section name, a unique case-insensitive prefix of one (``apec``), or
    ``none``; ``deadline`` takes ``YYYY-MM-DD`` or ``none``; ``short_url`` an http(s) URL.
    """
    if field not in FIELDS:
        raise OverrideError(f"unknown field {field!r} (known: {', '.join(FIELDS)})")
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise OverrideError(f"{field}: longer than {MAX_TEXT} characters")
    if field in ("hidden", "featured"):
        if text not in ("0", "1"):
            raise OverrideError(f"{field}: 1 or 0, not {text!r}")
        return text
    if field == "title":
        if not text:
            raise OverrideError("title: must not be empty")
        return " ".join(text.split())
    if field == "section":
        return _section(text)
    if field == "deadline":
        return _deadline(text)
    if field == "short_url":
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in text:
            raise OverrideError(f"short_url: an http(s) URL, not {text!r}")
        return text
    return text  # note


def _section(text: str) -> str:
    if text.casefold() in ("", "none", "-"):
        return ""
    if text in SECTIONS:
        return text
    matches = [name for name in SECTIONS if name.casefold().startswith(text.casefold())]
    if len(matches) != 1:
        raise OverrideError(f"section: one of {', '.join(SECTIONS)} or none, not {text!r}")
    return matches[0]


def _deadline(text: str) -> str:
    if text.casefold() in ("", "none"):
        return ""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise OverrideError(f"deadline: YYYY-MM-DD or none, not {text!r}") from None


def describe_value(field: str, value: str) -> str:
    """How ``--list`` and the editor page show a stored value."""
    if field == "hidden":
        return "hidden"
    if field == "featured":
        return "featured" if value == "1" else "not featured"
    if field in ("section", "deadline") and not value:
        return "none"
    return value


# --- the table --------------------------------------------------------------------------------

def upstream_fields(event: Event) -> dict[str, Any]:
    """The event's fields that an override is checked against (:data:`UPSTREAM_FIELDS`)."""
    data = event_to_json(event)
    return {name: data[name] for name in UPSTREAM_FIELDS}


def fingerprint(fields: Mapping[str, Any]) -> str:
    text = json.dumps(dict(fields), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def set_override(store: Store, uid: str, field: str, value: str,
                 now: datetime | None = None) -> Override:
    """Set ``field`` of event ``uid`` to ``value`` (checked by :func:`parse_value`)."""
    value = parse_value(field, value)
    stored = store.event(uid)
    if stored is None:
        raise UnknownEvent(uid)
    stamp = (now or clock.now()).isoformat()
    upstream = upstream_fields(stored.event)
    old = _row(store, uid, field)
    with store.db.atomic():
        store.db.table(TABLE).upsert(
            {"uid": uid, "field": field, "value": value, "set_at": stamp, "checked_at": stamp,
             "fingerprint": fingerprint(upstream),
             "upstream": json.dumps(upstream, ensure_ascii=False),
             "revision": (old["revision"] if old else 0) + 1, "active": 1},
            pk=("uid", "field"))
    return _override(store.db.table(TABLE).get((uid, field)))  # the row just written


def clear_override(store: Store, uid: str, field: str, now: datetime | None = None) -> bool:
    """Clear ``field`` of event ``uid``; False when it was not set."""
    if field not in FIELDS:
        raise OverrideError(f"unknown field {field!r} (known: {', '.join(FIELDS)})")
    old = _row(store, uid, field)
    if old is None or not old["active"]:
        return False
    store.db.table(TABLE).update((uid, field), {
        "active": 0, "value": "", "set_at": (now or clock.now()).isoformat(),
        "revision": old["revision"] + 1})
    return True


def confirm_overrides(store: Store, uid: str, now: datetime | None = None) -> int:
    """Take the event's upstream fields as seen: its overrides are no longer stale.
    Returns how many active overrides were confirmed."""
    stored = store.event(uid)
    if stored is None:
        raise UnknownEvent(uid)
    upstream = upstream_fields(stored.event)
    rows = [o for o in overrides(store) if o.uid == uid]
    with store.db.atomic():
        for override in rows:
            store.db.table(TABLE).update((uid, override.field), {
                "checked_at": (now or clock.now()).isoformat(),
                "fingerprint": fingerprint(upstream),
                "upstream": json.dumps(upstream, ensure_ascii=False)})
    return len(rows)


def overrides(store: Store, *, include_cleared: bool = False) -> list[Override]:
    """The overrides, by UID and field order."""
    where = None if include_cleared else "active = 1"
    found = [_override(row) for row in store.db.table(TABLE).rows_where(where)]
    return sorted(found, key=lambda o: (o.uid, FIELDS.index(o.field)
                                        if o.field in FIELDS else len(FIELDS)))


def _row(store: Store, uid: str, field: str) -> dict[str, Any] | None:
    return next(iter(store.db.table(TABLE).rows_where("uid = ? and field = ?", [uid, field])),
                None)


def _override(row: dict[str, Any]) -> Override:
    return Override(
        uid=row["uid"], field=row["field"], value=row["value"] or "",
        set_at=datetime.fromisoformat(row["set_at"]),
        checked_at=datetime.fromisoformat(row["checked_at"]),
        fingerprint=row["fingerprint"] or "", upstream=json.loads(row["upstream"] or "{}"),
        revision=row["revision"] or 0, active=bool(row["active"]))


# --- finding events ---------------------------------------------------------------------------

def resolve_uid(store: Store, text: str, *, with_overrides: bool = False) -> str:
    """The UID that ``text`` names: a stored UID, or a unique prefix of one (also of UIDs
    that only overrides still hold, with ``with_overrides``)."""
    text = text.strip()
    if not text:
        raise UnknownEvent(text)
    query = "select uid from events where uid = ? or substr(uid, 1, ?) = ?"
    uids = {row["uid"] for row in store.db.query(query, [text, len(text), text])}
    if with_overrides:
        uids |= {o.uid for o in overrides(store) if o.uid.startswith(text)}
    if text in uids:
        return text
    if len(uids) == 1:
        return uids.pop()
    if not uids:
        raise UnknownEvent(text)
    raise AmbiguousUid(text, sorted(uids))


def find_events(store: Store, words: str, limit: int = 50) -> list[StoredEvent]:
    """Stored events whose title or UID holds ``words`` (case-insensitive), for people
    looking for a UID."""
    needle = f"%{words.strip()}%"
    return store.events("title like ? or uid like ?", [needle, needle])[:limit]


# --- the view ---------------------------------------------------------------------------------
