"""The truth of the long-run simulation: a year of meetings on two sites, as they change.

Two sites announce meetings (:class:`Meeting`): ``ics``, a calendar feed with a UID per
meeting (venues in Geneva, New York and Taipei, timed or all-day), and ``jsonld``, a page of
schema.org events in Taipei, half of them with a detail-page URL (a key of their own), half
without (known only by title and date). Each meeting has versions (:class:`Version`), each
taking effect on a site day (a UTC date): it is announced, moved, retitled, withdrawn and
reinstated before it begins; after it ends the site drops it (the feed a week later, the
page at once, a few hours or a day later; "Heads of Delegation" as soon as it ends).
Recurring same-title series are built in: "Heads of Delegation"
every Tuesday in Geneva on the feed (each with its own UID), the "Trade Policy Committee"
monthly in Taipei on the page (no key).

Changes a refresh could not tell apart are not generated: on a site, a meeting that goes
(withdrawn, or moved or retitled without a key) and another of the same title that appears
(announced, or moved without a key) within ``GAP_DAYS`` site days of each other and
``2 * match_days`` of each other's dates would look, to a refresh that saw both at once,
like one meeting moved (:mod:`aggregator.reconcile` step 3): no page says otherwise.
No meeting takes a title and date another meeting of its site had (a keyless one would
take that one's key, and no reader could tell the two apart).

Everything is drawn from one seeded ``random.Random``: the same seed, the same year.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

GAP_DAYS = 6
"""Site days between changes that a refresh must not see at once (> the longest run of
failed refreshes the simulation makes: see ``tests.simulation``)."""
MATCH_DAYS = 14
BODIES = ("Committee on Agriculture", "Council for Trade in Goods", "General Council",
          "Committee on Market Access", "Dispute Settlement Body", "Trade Policy Review Body",
          "Committee on Trade Facilitation", "Committee on Customs Valuation")
SEMINARS = ("Semiconductor export controls seminar", "CPTPP accession briefing",
            "Supply chain resilience forum", "Digital trade rules workshop",
            "Carbon border adjustment briefing", "New Southbound trade fair")
ICS_ZONES = ("Europe/Zurich",) * 6 + ("America/New_York", "Asia/Taipei")
TAIPEI = "Asia/Taipei"


@dataclass(frozen=True)
class Version:
    """What the site says of a meeting from site day ``day`` on."""

    day: date
    title: str
    first: date
    clock: time | None  # None: all-day
    days: int = 1  # all-day: how many days; timed: one day
    hours: int = 2
    withdrawn: bool = False


@dataclass
class Meeting:
    """One meeting of one site and its history."""

    number: int
    site: str
    zone: str
    keyed: bool
    drop_hours: int
    versions: list[Version] = field(default_factory=list)

    @property
    def uid(self) -> str:
        """The site's own key: the feed's UID, or the page's detail URL ('' without)."""
        if not self.keyed:
            return ""
        return f"m{self.number}@sim.example.org" if self.site == "ics" else \
            f"/events/{self.number}"

    def version_on(self, day: date) -> Version | None:
        """The version in effect on site day ``day`` (None: not announced yet)."""
        current = None
        for version in self.versions:
            if version.day <= day:
                current = version
        return current

    def listed_at(self, instant: datetime) -> Version | None:
        """The version the site lists at ``instant``, or None (not yet, withdrawn, dropped
        ``drop_hours`` after it ended)."""
        version = self.version_on(site_day(instant))
        if version is None or version.withdrawn:
            return None
        dropped = end_instant(version, self.zone) + timedelta(hours=self.drop_hours)
        return version if instant < dropped else None


def end_instant(version: Version, zone: str) -> datetime:
    """When the meeting ends: its end, or midnight after its last day at the venue."""
    if version.clock is not None:
        return start_instant(version, zone) + timedelta(hours=version.hours)
    wall = datetime.combine(version.first + timedelta(days=version.days), time(0))
    return wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def start_instant(version: Version, zone: str) -> datetime:
    """When the meeting begins: its start, or midnight of its first day at the venue."""
    wall = datetime.combine(version.first, version.clock or time(0))
    return wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def site_day(instant: datetime) -> date:
    """The site day of an instant: sites change at midnight UTC."""
    return instant.astimezone(UTC).date()


@dataclass
class Change:
    """An identity change, for the ambiguity rule: what went and what appeared."""

    site: str
    title: str
    day: date
    gone: tuple[date, ...]
    new: tuple[date, ...]

    def clashes(self, other: Change) -> bool:
        if (self.site, self.title) != (other.site, other.title):
            return False
        if abs((self.day - other.day).days) > GAP_DAYS:
            return False
        pairs = [(a, b) for a in self.gone for b in other.new] + \
            [(a, b) for a in self.new for b in other.gone]
        return any(abs((a - b).days) <= 2 * MATCH_DAYS for a, b in pairs)


@dataclass
class World:
    """Every meeting of the simulated year (see module docstring)."""

    first_day: date
    days: int
    meetings: list[Meeting] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    used: set[tuple[str, str, date]] = field(default_factory=set)

    def on(self, site: str, instant: datetime) -> list[tuple[Meeting, Version]]:
        """What ``site`` lists at ``instant``."""
        listed = ((m, m.listed_at(instant)) for m in self.meetings if m.site == site)
        return [(m, v) for m, v in listed if v is not None]

    def accept(self, change: Change) -> bool:
        """Record ``change`` unless it clashes with one already made."""
        if any(change.clashes(other) for other in self.changes):
            return False
        self.changes.append(change)
        return True


def generate(seed: int, first_day: date, days: int, density: float = 1.0) -> World:
    """A year (``days``) of meetings from ``first_day``; ``density`` scales how many."""
    rng = random.Random(seed)
    world = World(first_day, days)
    span = (first_day - timedelta(days=20), first_day + timedelta(days=days + 60))
    _series(world, rng, span)
    day = span[0]
    while day < span[1]:
        if rng.random() < 0.35 * density:
            _one_off(world, rng, "ics", day)
        if rng.random() < 0.25 * density:
            _one_off(world, rng, "jsonld", day)
        day += timedelta(days=1)
    for meeting in world.meetings:
        _evolve(world, rng, meeting)
    return world


def _series(world: World, rng: random.Random, span: tuple[date, date]) -> None:
    day = span[0] + timedelta(days=(1 - span[0].weekday()) % 7)  # Tuesdays
    while day < span[1]:
        _add(world, "ics", "Europe/Zurich", True, 0,
             Version(day - timedelta(days=6), "Heads of Delegation", day, time(10, 0)))
        day += timedelta(days=7)
    month = date(span[0].year, span[0].month, 1)
    while month < span[1]:
        meeting_day = month + timedelta(days=rng.randrange(8, 20))
        _add(world, "jsonld", TAIPEI, False, rng.choice((0, 0, 6, 30)),
             Version(meeting_day - timedelta(days=40), "Trade Policy Committee", meeting_day,
                     time(14, 0)))
        month = (month + timedelta(days=32)).replace(day=1)


def _one_off(world: World, rng: random.Random, site: str, day: date) -> None:
    first = day + timedelta(days=rng.randrange(20, 90))
    if site == "ics":
        zone, keyed, drop, title = rng.choice(ICS_ZONES), True, 7 * 24, rng.choice(BODIES)
    else:
        zone, keyed, drop, title = TAIPEI, rng.random() < 0.5, rng.choice((0, 0, 6, 30)), \
            rng.choice(SEMINARS)
    timed = rng.random() < 0.65
    if not timed and site == "ics":
        zone = "Europe/Zurich"  # an all-day VEVENT has no zone: the feed's
    clock = time(rng.choice((9, 10, 14, 15, 20)), rng.choice((0, 30))) if timed else None
    days = 1 if timed else rng.choice((1, 1, 2, 3))
    _add(world, site, zone, keyed, drop, Version(day, title, first, clock, days))


def _add(world: World, site: str, zone: str, keyed: bool, drop: int, version: Version) -> None:
    """A meeting announced with ``version``, unless that would be ambiguous."""
    if (site, version.title, version.first) in world.used:
        return
    if not world.accept(Change(site, version.title, version.day, (), (version.first,))):
        return
    world.used.add((site, version.title, version.first))
    world.meetings.append(Meeting(len(world.meetings), site, zone, keyed, drop, [version]))


def _evolve(world: World, rng: random.Random, meeting: Meeting) -> None:
    """Moves, retitles, a withdrawal and maybe a reinstatement, before the meeting."""
    day = meeting.versions[0].day
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        current = meeting.versions[-1]
        day += timedelta(days=rng.randrange(3, 20))
        if day > current.first - timedelta(days=3):
            return
        kind = rng.choices(("move", "retitle", "withdraw"), (5, 2, 2))[0]
        new = _changed(rng, meeting, current, kind, day)
        if new is not None and _allowed(world, meeting, current, new):
            meeting.versions.append(new)
            if new.withdrawn and rng.random() < 0.5:
                back = day + timedelta(days=rng.randrange(2, 15))
                if back <= current.first - timedelta(days=2) and \
                        world.accept(Change(meeting.site, current.title, back, (), ())):
                    meeting.versions.append(replace(current, day=back))
                return


def _changed(rng: random.Random, meeting: Meeting, current: Version, kind: str,
             day: date) -> Version | None:
    if kind == "withdraw":
        return replace(current, day=day, withdrawn=True)
    if kind == "retitle":
        return replace(current, day=day, title=current.title + " (resumed session)") \
            if meeting.keyed and "(resumed" not in current.title else None
    reach = 10 if meeting.keyed else 5
    shift = rng.choice([d for d in range(-reach, reach + 1) if d])
    first = current.first + timedelta(days=shift)
    return replace(current, day=day, first=first) if first >= day + timedelta(days=2) else None


def _allowed(world: World, meeting: Meeting, current: Version, new: Version) -> bool:
    """Whether the change stays unambiguous (module docstring); records it if so."""
    keyless = not meeting.keyed
    if (meeting.site, new.title, new.first) in world.used and \
            (new.title, new.first) != (current.title, current.first):
        return False
    gone = (current.first,) if new.withdrawn or (keyless and new.first != current.first) else ()
    appeared = (new.first,) if keyless and new.first != current.first else ()
    if not world.accept(Change(meeting.site, current.title, new.day, gone, appeared)):
        return False
    world.used.add((meeting.site, new.title, new.first))
    return True
