"""The invariants of the long-run simulation, checked against the truth after every run.

A :class:`Checker` follows one deployment (one store, one feeds folder). After each run it
is told which sites were read successfully, and it checks, against the world
(:mod:`tests.sim_world`):

- **nothing lost**: every meeting the site listed at a good run is one stored event of its
  source, with the site's title and start; once seen, its record is never gone;
- **no false cancellation**: a stored event is cancelled only when its meeting was
  withdrawn (as of the site's last good run) before it began;
- **withdrawals are cancelled**: a meeting withdrawn before the last good run, and not
  begun then, is cancelled;
- **one UID per meeting**: a meeting keeps the UID it was first stored under (no split),
  no two meetings share one (no merge), and a source has no more records than meetings;
- **SEQUENCE never decreases** in the feed;
- **the feed**: ``all.ics`` parses (icalendar); it holds a meeting exactly when its days meet
  the window and, if cancelled, it is at most ``retention_days`` past at its venue; a
  cancelled one is ``STATUS:CANCELLED``; the start of every meeting as the site last listed
  it is the right instant (a date for an all-day one).

Each breach is counted once per kind and meeting (or UID, or feed), and the first few
described (:attr:`Checker.problems`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar

from aggregator.core.model import StoredEvent, normalize_title
from aggregator.store.db import Store
from tests.sim_world import Meeting, Version, World, site_day, start_instant

KINDS = ("lost", "false cancellation", "missed cancellation", "split", "merge",
         "extra record", "sequence decreased", "feed unreadable", "wrong presence",
         "wrong status", "wrong instant")


@dataclass
class Checker:
    """The invariants for one deployment; see the module docstring."""

    world: World
    sources: dict[str, str]  # site -> source name
    retention_days: int
    past_days: int
    future_days: int
    uid_of: dict[tuple[str, int], str] = field(default_factory=dict)
    owner_of: dict[str, tuple[str, int]] = field(default_factory=dict)
    last_good: dict[str, datetime] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    breaches: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    found: set[tuple[str, str]] = field(default_factory=set)

    def breach(self, kind: str, what: str, text: str = "") -> None:
        """Count a breach of ``kind`` by ``what`` (a meeting, a UID, a feed) once."""
        if (kind, what) in self.found:
            return
        self.found.add((kind, what))
        self.breaches[kind] += 1
        if len(self.problems) < 20:
            self.problems.append(f"{kind}: {what} {text}".rstrip())

    def after_run(self, now: datetime, good: set[str], store: Store, feed: Path,
                  home_today: date) -> None:
        """Check everything after a run at ``now`` that read the sites ``good``."""
        events = {stored.event.uid: stored for stored in store.events()}
        for site in good:
            self.last_good[site] = now
            self._listed(site, now, [s for s in events.values()
                                     if s.event.source == self.sources[site]])
        for site in self.last_good:
            self._known(site, events)
        self._feed(feed, events, now, home_today)

    def _listed(self, site: str, now: datetime, stored: list[StoredEvent]) -> None:
        for meeting, version in self.world.on(site, now):
            found = [s for s in stored if _same(s, meeting, version)]
            if len(found) != 1:
                self.breach("lost" if not found else "extra record", f"{site} #{meeting.number}",
                            f"{version.title} {version.first} at {now:%Y-%m-%d %H:%M}Z: "
                            f"{len(found)} stored")
                continue
            uid, key = found[0].event.uid, (site, meeting.number)
            known = self.uid_of.setdefault(key, uid)
            if known != uid:
                self.breach("split", f"{site} #{meeting.number}", f"was {known}, now {uid}")
                self.uid_of[key] = uid
            owner = self.owner_of.setdefault(uid, key)
            if owner != key:
                self.breach("merge", f"{site} #{meeting.number}", f"{uid} holds #{owner[1]}")
        if len(stored) > sum(1 for owner in self.owner_of.values() if owner[0] == site):
            self.breach("extra record", site, f"{len(stored)} records at {now}")

    def _known(self, site: str, events: dict[str, StoredEvent]) -> None:
        seen = self.last_good[site]
        for (owner, number), uid in self.uid_of.items():
            if owner != site:
                continue
            meeting = self.world.meetings[number]
            version = meeting.version_on(site_day(seen))
            current = events.get(uid)
            if current is None:
                self.breach("lost", f"{site} #{number}", f"{uid} is gone from the store")
                continue
            cancelled = current.event.status == "cancelled"
            withdrawn = version is not None and version.withdrawn
            if cancelled and not withdrawn:
                self.breach("false cancellation", f"{site} #{number}", f"{current.event.title} "
                            f"{current.event.start} (site as of {seen:%Y-%m-%d %H:%M}Z)")
            elif withdrawn and not cancelled and start_instant(version, meeting.zone) > seen:
                self.breach("missed cancellation", f"{site} #{number}", current.event.title)

    def _feed(self, feed: Path, events: dict[str, StoredEvent], now: datetime,
              home_today: date) -> None:
        try:
            calendar = Calendar.from_ical(feed.read_bytes())
        except (OSError, ValueError) as error:
            self.breach("feed unreadable", f"{feed} at {now}", str(error))
            return
        published = {str(c["UID"]): c for c in calendar.walk("VEVENT")}
        for uid, component in published.items():
            sequence = int(component.get("SEQUENCE", 0))
            if sequence < self.sequences.get(uid, 0):
                self.breach("sequence decreased", uid, f"{self.sequences[uid]} → {sequence}")
            self.sequences[uid] = sequence
        for (site, number), uid in self.uid_of.items():
            current = events.get(uid)
            if current is not None:
                self._published(current, published.get(uid), now, home_today)
                self._instant(site, self.world.meetings[number], published.get(uid))

    def _published(self, current: StoredEvent, component: object, now: datetime,
                   home_today: date) -> None:
        first, last = current.event.local_dates()
        venue_today = now.astimezone(ZoneInfo(current.event.timezone)).date()
        cancelled = current.event.status == "cancelled"
        expected = last >= home_today - timedelta(days=self.past_days) and \
            first <= home_today + timedelta(days=self.future_days) and \
            not (cancelled and (venue_today - last).days > self.retention_days)
        if expected != (component is not None):
            self.breach("wrong presence", current.event.uid, f"{current.event.status} "
                        f"{first}..{last}: expected {'in' if expected else 'out of'} the feed "
                        f"on {now:%Y-%m-%d %H:%M}Z")
        elif component is not None and cancelled != (
                str(component.get("STATUS", "")).upper() == "CANCELLED"):  # type: ignore[attr-defined]
            self.breach("wrong status", current.event.uid, str(component.get("STATUS")))  # type: ignore[attr-defined]

    def _instant(self, site: str, meeting: Meeting, component: object) -> None:
        version = meeting.listed_at(self.last_good[site])
        if version is None or component is None:
            return
        start = component["DTSTART"].dt  # type: ignore[index]
        expected: date | datetime = version.first if version.clock is None else \
            start_instant(version, meeting.zone)
        if isinstance(start, datetime) != isinstance(expected, datetime) or start != expected:
            self.breach("wrong instant", f"{site} #{meeting.number}", f"{start} for {expected}")


def _same(stored: StoredEvent, meeting: Meeting, version: Version) -> bool:
    """Whether a stored event has the title and start the site gives the meeting."""
    event = stored.event
    if normalize_title(event.title) != normalize_title(version.title):
        return False
    if version.clock is None:
        return event.all_day and event.start == version.first
    return not event.all_day and event.start == start_instant(version, meeting.zone)
