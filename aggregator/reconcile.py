"""What a complete fetch of a source means for the events already stored from it.

Identity across changes. An incoming event is the same meeting as a stored one when:

1. they have the same UID: the source's own key (Federal Register docket and day, an event
   URL, a feed's UID) did not change, whatever else did; or
2. the stored event was matched to that key before (an *alias*, kept in the store); or
3. the incoming event is new, a stored event of the same source has the same normalized
   title, their start dates are at most ``match_days`` apart, the stored event's own key is
   gone from this fetch (the old date no longer listed), and the stored event has neither
   begun (a meeting that happened is never moved: next week's meeting of the same body is
   a new one) nor been cancelled by an earlier refresh (a meeting announced later at
   another date is a new one, not the withdrawn one back). Each stored event is matched at
   most once, nearest date first (on a tie, the earlier new date). The incoming event then
   takes the stored UID, and its key becomes an alias of that UID.

Cancellation. A stored event of the source that this fetch no longer lists, that has not
begun, and that is not already cancelled, is *vanished*: the refresh marks it cancelled.
Only a complete fetch may do this: a failed fetch never gets here, and a suspicious one (far
fewer events than the source's recent runs) is stopped before (see :func:`is_suspicious`).
Events that have begun and drop off a source's list stay as they are.

"Begun" is the venue's (:func:`has_begun`): a timed event has begun at its start instant,
an all-day one at midnight of its first day in its own zone; never by the UTC date or the
machine's. A Taipei seminar of 10 March, dropped from its page and refreshed at 06:30 on
11 March in Taipei (22:30 on 10 March in UTC), happened: it is not cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from aggregator.core.model import Event, StoredEvent, normalize_title


@dataclass(frozen=True)
class Reconciled:
    """Incoming events with their UIDs settled, new aliases, and the UIDs that vanished."""

    events: list[Event]
    new_aliases: dict[str, str] = field(default_factory=dict)  # source_key -> uid
    vanished: list[str] = field(default_factory=list)


def reconcile(incoming: Sequence[Event], stored: Sequence[StoredEvent],
              aliases: Mapping[str, str], now: datetime, match_days: int) -> Reconciled:
    """Settle identities of one source's fetch against its stored events at the instant
    ``now`` (see module doc)."""
    events = merge_duplicates(_aliased(event, aliases) for event in incoming)
    stored_by_uid = {s.event.uid: s for s in stored}
    listed = {event.uid for event in events}
    gone = [s for s in stored if s.event.uid not in listed]
    moves = match_moved([e for e in events if e.uid not in stored_by_uid], gone, match_days,
                        now)
    events = [e.with_changes(uid=moves[e.uid]) if e.uid in moves else e for e in events]
    new_aliases = {e.source_key: e.uid for e in events if e.uid in moves.values()}
    settled = {event.uid for event in events}
    vanished = [s.event.uid for s in stored
                if s.event.uid not in settled and s.event.status != "cancelled"
                and not has_begun(s.event, now)]
    return Reconciled(events=events, new_aliases=new_aliases, vanished=vanished)


def has_begun(event: Event, now: datetime) -> bool:
    """Whether ``event`` has begun at the instant ``now``: a timed one at its start, an
    all-day one when its first day has come in the event's own zone."""
    if isinstance(event.start, datetime):
        return event.start <= now
    return event.local_dates()[0] <= now.astimezone(ZoneInfo(event.timezone)).date()


def match_moved(new: Sequence[Event], gone: Sequence[StoredEvent], match_days: int,
                now: datetime) -> dict[str, str]:
    """New-event UID → stored UID for each new event that is a gone one moved in time
    (only stored events that have not begun at ``now`` nor been cancelled can have moved)."""
    movable = [stored for stored in gone
               if not has_begun(stored.event, now) and stored.event.status != "cancelled"]
    pairs = []
    for event in new:
        title = normalize_title(event.title)
        start = event.local_dates()[0]
        for stored in movable:
            if normalize_title(stored.event.title) != title:
                continue
            distance = abs((stored.event.local_dates()[0] - start).days)
            if distance <= match_days:
                pairs.append((distance, start, event.uid, stored.event.uid))
    moves: dict[str, str] = {}
    taken: set[str] = set()
    for _, _, new_uid, old_uid in sorted(pairs):  # nearest first; ties: earlier new date
        if new_uid not in moves and old_uid not in taken:
            moves[new_uid] = old_uid
            taken.add(old_uid)
    return moves


def is_suspicious(count: int, recent_counts: Sequence[int], min_ratio: float) -> bool:
    """True when ``count`` falls below ``min_ratio`` of the recent runs' average."""
    if not recent_counts:
        return False
    average = sum(recent_counts) / len(recent_counts)
    return average > 0 and count < min_ratio * average


def merge_duplicates(events: Iterable[Event]) -> list[Event]:
    """One event per uid; the first announcement wins, completed by later ones.

    Sources list their newest information first (USTR: newest notice first), so a
    cancellation notice is kept over the original announcement, and a field the first
    leaves empty (place, description, deadline, the time of day on the same date) is taken from
    a later announcement of the same event.
    """
    merged: dict[str, Event] = {}
    for event in events:
        first = merged.get(event.uid)
        merged[event.uid] = event if first is None else _complete(first, event)
    return list(merged.values())


def _complete(first: Event, later: Event) -> Event:
    changes: dict[str, object] = {}
    for name in ("location", "description", "url", "registration_url",
                 "registration_deadline"):
        if not getattr(first, name) and getattr(later, name):
            changes[name] = getattr(later, name)
    if first.all_day and not later.all_day and first.local_dates() == later.local_dates():
        changes.update(start=later.start, end=later.end)
    return first.with_changes(**changes) if changes else first


def _aliased(event: Event, aliases: Mapping[str, str]) -> Event:
    uid = aliases.get(event.source_key)
    return event.with_changes(uid=uid) if uid and uid != event.uid else event
