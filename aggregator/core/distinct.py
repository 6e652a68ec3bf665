"""One entry per meeting when several sources announce it.

The WTO's calendar and its airgram both announce "Committee on Customs Valuation" on 23 May;
the newsletter prints it once and a calendar subscriber sees it once. Two stored events of
*different* sources are the same meeting when they have the same organization, the same
normalized title and the same first day on the venue's calendar. Of such a group the one
stored first is kept (so the UID a subscriber sees does not switch between sources); one
still standing is preferred to a cancelled or postponed one only when they differ in status,
since one source's cancellation is not the organization's. Events of one source are never
merged: a source that lists a meeting twice means two meetings.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from aggregator.core.model import StoredEvent, normalize_title

WITHDRAWN = ("cancelled", "postponed")


def meeting_identity(stored: StoredEvent) -> tuple[str, str, date]:
    """What makes two sources' events one meeting: organization, title, first local day."""
    event = stored.event
    return event.organization, normalize_title(event.title), event.local_dates()[0]


def distinct_meetings(events: Iterable[StoredEvent]) -> list[StoredEvent]:
    """The events with other sources' copies of the same meeting left out, in input order."""
    events = list(events)
    groups: dict[tuple[str, str, date], list[StoredEvent]] = {}
    for stored in events:
        groups.setdefault(meeting_identity(stored), []).append(stored)
    source_of = {key: _chosen(group).event.source for key, group in groups.items()}
    return [stored for stored in events
            if stored.event.source == source_of[meeting_identity(stored)]]


def _chosen(group: list[StoredEvent]) -> StoredEvent:
    standing = [s for s in group if s.event.status not in WITHDRAWN] or group
    return min(standing, key=lambda s: (s.first_seen, s.event.source, s.event.uid))
