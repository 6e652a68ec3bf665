"""Which ICS feeds exist, what each holds, and writing them all into the output folder.

The feeds (file name stems, lower-case ASCII):

- ``all``: every published event;
- one per organization, ``<slug>`` (``wto``, ``world-bank``): every configured organization
  and every one that has an event in the store;
- one per newsletter section, ``section-wto``, ``section-rta``, ``section-apec`` (for
  "APEC 及其他國際組織"): an event's section is its own ``section``, else its organization's;
  events without a section (the Taiwanese organizers) are in no section feed;
- one per source, ``source-<slug>`` (``source-ustr``, ``source-manual`` for imported CSV):
  every configured source, enabled or not, and every one that has an event in the store.

Each feed is named in Chinese and English (``NAME``, ``X-WR-CALNAME``, ``DESCRIPTION``,
``X-WR-CALDESC``). Its events name their organization and source as subscribers know them
(:mod:`feeds.ics_text`); in the feeds of the kinds ``[feeds] organization_prefix`` lists
(``all`` and ``section`` by default) each title starts with ``[SHORT NAME] ``. A feed
without events holds the VTIMEZONE of its zone (:func:`feed_zone`), so it stays valid
iCalendar.

What is published: events with a local day in ``[today - past_days, today + future_days]``,
except (a) cancelled and postponed events whose last local day is more than
``retention_days`` before today at their venue (they leave the feeds; the store keeps them;
given the instant, each event's today is the venue's, else the one ``today``) and (b) events
of a configured source that is disabled (its feed stays, as an empty calendar, until the
source is enabled again).

A feed URL, once published, stays: nothing here deletes a file. A ``*.ics`` file in the
output folder that tradecal wrote (its PRODID says so) and that no feed produces any more
(an organization or source removed from the configuration) is rewritten as an empty
calendar that keeps its name and says it is no longer updated, so subscribers see its
events go rather than an error. Files that tradecal did not write are left alone.

Each file is replaced atomically (:func:`feeds.ics.write_atomically`: a hidden temporary
file ``.NAME.ics.XXXX.tmp``, then a rename), so a writer killed at any moment leaves every
feed whole, old or new, and at most a temporary file; one older than
:data:`STALE_TEMPORARY_SECONDS` is removed by the next writer.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from aggregator.core import clock
from aggregator.core.distinct import distinct_meetings
from aggregator.core.model import SECTIONS, Event, StoredEvent
from aggregator.core.settings import Config, Organization
from feeds.ics import PRODID, build_calendar, read_header, write_atomically
from feeds.ics_text import event_text

ALL_FEED = "all"
SECTION_PREFIX = "section-"
SOURCE_PREFIX = "source-"
FeedKind = Literal["all", "organization", "section", "source", "orphan"]
STALE_TEMPORARY_SECONDS = 3600.0
"""A feed's temporary file this old was left by a writer that was killed before renaming it
(a live writer renames within seconds)."""


@dataclass(frozen=True)
class SectionNames:
    """File name slug and Chinese / English labels of a newsletter section's feed."""

    slug: str
    zh: str
    en: str


SECTION_NAMES: Mapping[str, SectionNames] = {
    "WTO": SectionNames("wto", "WTO", "WTO"),
    "RTA": SectionNames("rta", "區域貿易協定 RTA", "Regional trade agreements (RTA)"),
    "APEC 及其他國際組織": SectionNames("apec", "APEC 及其他國際組織",
                                 "APEC and other international organizations"),
}
ORPHAN_NOTE = ("此行事曆已停止更新，不再有活動 This calendar is no longer updated and holds no "
               "events (its organization, section or source left the configuration)")
DISABLED_NOTE = "此來源已停用 This source is disabled: the calendar stays, empty"
HOME_ZONE = "Asia/Taipei"
"""The zone of a feed that has no organization or source of its own, when ``[schedule]
timezone`` does not name the desk's."""


@dataclass(frozen=True)
class Origin:
    """What a feed selects by: the organization key, section and source of an event (or of
    a configured source)."""

    organization: str
    section: str | None
    source: str


@dataclass(frozen=True)
class FeedSpec:
    """One feed: its file name stem, names, and what it selects (``key`` is the
    organization key, section or source name its ``kind`` selects by)."""

    stem: str
    kind: FeedKind
    key: str
    name: str
    description: str

    @property
    def filename(self) -> str:
        return f"{self.stem}.ics"

    def selects(self, origin: Origin) -> bool:
        """Whether events (or notes of a source) of ``origin`` belong in this feed."""
        return {"all": True, "organization": origin.organization == self.key,
                "section": origin.section == self.key, "source": origin.source == self.key,
                "orphan": False}[self.kind]


def write_feeds(events: Sequence[StoredEvent], config: Config, out_dir: Path,
                today: date | None = None, *,
                source_notes: Mapping[str, Sequence[str]] | None = None,
                now: datetime | None = None) -> list[Path]:
    """Write every feed (module docstring) into ``out_dir``; return the paths, ``all.ics``
    first, then organizations, sections, sources, and orphaned files. A meeting that
    several sources announce is in each source's feed, and once in the others
    (:mod:`aggregator.core.distinct`).

    ``today`` (the window's) defaults to the desk's date by the clock, ``now`` (retention,
    counted in each event's own zone) to the clock's instant when ``today`` is not given.
    ``source_notes`` maps a source name to lines added to the DESCRIPTION of every feed
    that holds that source's events (a stale source, say). A file whose bytes would not
    change is left untouched.
    """
    settings = config.feeds
    now = now or (clock.now() if today is None else None)
    today = today or clock.today(config.home_zone)
    published = published_events(events, config, today, now)
    specs = feed_specs(events, config)
    origins = source_origins(events, config)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir)
    texts = {prefixed: event_text(config, organization_prefix=prefixed)
             for prefixed in (False, True)}
    placed = [(stored, event_origin(stored.event, config)) for stored in published]
    paths = []
    for spec in specs:
        members = [stored for stored, origin in placed if spec.selects(origin)]
        if spec.kind != "source":  # a source's own feed keeps all it says
            members = distinct_meetings(members)
        notes = [line for source, lines in sorted((source_notes or {}).items())
                 if any(spec.selects(origin) for origin in origins.get(source, ()))
                 for line in lines]
        data = build_calendar(members, name=spec.name,
                              description="\n".join([spec.description, *notes]),
                              refresh_hours=settings.refresh_interval_hours,
                              text=texts[spec.kind in settings.organization_prefix],
                              zone=feed_zone(spec, config))
        paths.append(write_atomically(out_dir / spec.filename, data))
    for spec in orphaned_feeds(out_dir, {spec.filename for spec in specs}, config):
        data = build_calendar([], name=spec.name, description=spec.description,
                              refresh_hours=settings.refresh_interval_hours,
                              zone=feed_zone(spec, config))
        paths.append(write_atomically(out_dir / spec.filename, data))
    return paths


def feed_zone(spec: FeedSpec, config: Config) -> str:
    """The zone of a feed: its organization's, its source's, else the desk's
    (``[schedule] timezone``, else :data:`HOME_ZONE`)."""
    home = config.home_zone or HOME_ZONE
    if spec.kind == "organization":
        return config.organization(spec.key).timezone or home
    source = config.sources.get(spec.key) if spec.kind == "source" else None
    return source.timezone if source else home


def remove_stale_temporaries(out_dir: Path, now: float | None = None, *,
                             pattern: str = ".*.ics.*.tmp") -> list[Path]:
    """Delete the feeds' temporary files (or others ``pattern`` names) in ``out_dir`` older
    than :data:`STALE_TEMPORARY_SECONDS` (what killed writers left); return them."""
    now = clock.system_now().timestamp() if now is None else now
    removed = []
    for path in sorted(out_dir.glob(pattern)):
        try:
            status = path.lstat()
            if path.is_symlink() or not path.is_file() or \
                    now - status.st_mtime <= STALE_TEMPORARY_SECONDS:
                continue
            path.unlink()
        except OSError:  # gone meanwhile, or not ours to delete: leave it
            continue
        removed.append(path)
    return removed


def published_events(events: Iterable[StoredEvent], config: Config, today: date,
                     now: datetime | None = None) -> list[StoredEvent]:
    """The events the feeds show on ``today`` (module docstring: window, retention, disabled
    sources); with ``now``, retention counts days from each venue's today at that instant."""
    settings = config.feeds
    first = today - timedelta(days=settings.past_days)
    last = today + timedelta(days=settings.future_days)
    disabled = {name for name, source in config.sources.items() if not source.enabled}
    return [stored for stored in events_in_window(events, first, last)
            if stored.event.source not in disabled
            and not is_retired(stored.event, venue_today(stored.event, now) if now else today,
                               settings.retention_days)]


def events_in_window(events: Iterable[StoredEvent], first: date,
                     last: date) -> list[StoredEvent]:
    """Events with at least one local day in ``[first, last]``."""
    chosen = []
    for stored in events:
        start, end = stored.event.local_dates()
        if end >= first and start <= last:
            chosen.append(stored)
    return chosen


def venue_today(event: Event, now: datetime) -> date:
    """The date at the event's venue (its own zone) at the instant ``now``."""
    return now.astimezone(ZoneInfo(event.timezone)).date()


def is_retired(event: Event, today: date, retention_days: int) -> bool:
    """A cancelled or postponed event whose last local day is more than ``retention_days``
    before ``today``."""
    _, last = event.local_dates()
    return event.status in ("cancelled", "postponed") and (
        today - last).days > retention_days


def event_origin(event: Event, config: Config) -> Origin:
    """Organization key, section (the event's own, else its organization's; an empty one,
    an editor's "no section", is none) and source."""
    return Origin(config.organization(event.organization).key, config.event_section(event),
                  event.source)


def source_origins(events: Iterable[StoredEvent], config: Config) -> dict[str, set[Origin]]:
    """Each source's origins: its configuration's and those of its stored events."""
    origins: dict[str, set[Origin]] = {}
    for name, source in config.sources.items():
        organization = config.organization(source.organization)
        origins.setdefault(name, set()).add(
            Origin(organization.key, source.section or organization.section, name))
    for stored in events:
        origins.setdefault(stored.event.source, set()).add(event_origin(stored.event, config))
    return origins


def feed_specs(events: Sequence[StoredEvent], config: Config) -> list[FeedSpec]:
    """Every feed, ``all`` first; ValueError when two would share a file name."""
    calendar_name = config.feeds.calendar_name
    specs = [FeedSpec(ALL_FEED, "all", "", calendar_name,
                      f"{calendar_name}：全部組織的會議與活動 "
                      "Meetings and events of all organizations")]
    organizations = list(config.organizations)
    organizations += sorted({config.organization(s.event.organization).key for s in events}
                            - set(organizations))
    specs += [organization_feed(config.organization(key), calendar_name)
              for key in organizations]
    sections = list(SECTIONS)
    sections += sorted({origin.section for stored in events
                        if (origin := event_origin(stored.event, config)).section}
                       - set(sections))
    specs += [section_feed(section, config) for section in sections]
    sources = list(config.sources)
    sources += sorted({s.event.source for s in events} - set(sources))
    specs += [source_feed(name, config) for name in sources]
    _check_unique(specs)
    return specs


def organization_feed(org: Organization, calendar_name: str) -> FeedSpec:
    """The feed of one organization."""
    name, description = organization_calendar_names(org, calendar_name)
    return FeedSpec(slug(org.key), "organization", org.key, name, description)


def organization_calendar_names(org: Organization, calendar_name: str) -> tuple[str, str]:
    """Calendar NAME and DESCRIPTION of an organization's feed, in Chinese and English."""
    name = f"{_label(org)} · {calendar_name}"
    return name, f"{org.name_zh or org.short_name}的會議與活動 Meetings and events of {_who(org)}"


def section_feed(section: str, config: Config) -> FeedSpec:
    """The feed of one newsletter section, naming the organizations filed under it."""
    names = SECTION_NAMES.get(section) or SectionNames(slug(section), section, section)
    members = [org.short_name for org in config.organizations.values()
               if org.section == section]
    listed = f"：{'、'.join(members)}" if members else ""
    listed_en = f": {', '.join(members)}" if members else ""
    return FeedSpec(
        SECTION_PREFIX + names.slug, "section", section,
        f"分類：{names.zh} Section: {names.en} · {config.feeds.calendar_name}",
        f"電子報「{section}」分類的會議{listed} "
        f"Meetings of the newsletter section {names.en}{listed_en}")


def source_feed(name: str, config: Config) -> FeedSpec:
    """The feed of one source (configured or not: ``manual`` holds imported events)."""
    source = config.sources.get(name)
    org = config.organization(source.organization) if source else None
    label = f"來源 Source: {name}" + (f" · {_label(org)}" if org else "")
    description = (f"{org.name_zh or org.short_name}經由來源「{name}」公布的會議與活動 "
                   f"Meetings and events of {_who(org)} read by source {name}" if org else
                   f"來源「{name}」的會議與活動 Meetings and events of source {name}")
    if source and source.url.startswith(("https://", "http://")):
        description += f"\n{source.url}"
    if source and not source.enabled:
        description += f"\n{DISABLED_NOTE}"
    return FeedSpec(SOURCE_PREFIX + slug(name), "source", name,
                    f"{label} · {config.feeds.calendar_name}", description)


def orphaned_feeds(out_dir: Path, produced: set[str], config: Config) -> list[FeedSpec]:
    """Files tradecal wrote in ``out_dir`` that no feed produces now, as empty feeds that
    keep their old name."""
    orphans = []
    for path in sorted(out_dir.glob("*.ics")):
        if path.name in produced or path.name.startswith(".") or not path.is_file():
            continue
        header = read_header(path.read_bytes())
        if header.prodid != PRODID:
            continue
        orphans.append(FeedSpec(path.stem, "orphan", "",
                                header.name or f"{path.stem} · {config.feeds.calendar_name}",
                                ORPHAN_NOTE))
    return orphans


def slug(key: str) -> str:
    """File name stem for a key: lower-case ASCII (``World Bank`` -> ``world-bank``); a key
    without any ASCII letter or digit gets ``org-`` and a hash."""
    ascii_text = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return text or "org-" + hashlib.sha256(key.encode()).hexdigest()[:10]


def _label(org: Organization) -> str:
    """``世界貿易組織 WTO``; the short name alone when it is the Chinese name."""
    parts = (org.name_zh, org.short_name) if org.short_name != org.name_zh else (org.name_zh,)
    return " ".join(part for part in parts if part)


def _who(org: Organization) -> str:
    english = org.name if org.name and org.name != org.short_name else ""
    return f"{english} ({org.short_name})" if english else org.short_name


def _check_unique(specs: Sequence[FeedSpec]) -> None:
    seen: dict[str, FeedSpec] = {}
    for spec in specs:
        if spec.stem in seen:
            first = seen[spec.stem]
            raise ValueError(f"{spec.kind} {spec.key!r}: feed name {spec.filename} is already "
                             f"taken by {first.kind} {first.key or first.stem!r}")
        seen[spec.stem] = spec
