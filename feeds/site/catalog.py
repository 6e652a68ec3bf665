"""The feeds the subscribe page offers, each with its event count, next event and last update.

People first want everything, a newsletter section, or an organization: those with events
are the main list. Behind the "advanced" fold: each source's feed, organizations with no
events now, and disabled or never-fetched sources, each saying why it is empty. Orphaned
feeds (kept for old subscribers) are not offered.

The members of a feed are chosen exactly as :func:`feeds.feedset.write_feeds` chooses them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from aggregator.core.distinct import distinct_meetings
from aggregator.core.model import StoredEvent
from aggregator.core.settings import Config
from feeds.feedset import FeedSpec, event_origin, feed_specs, published_events, source_origins
from feeds.site.model import SiteEvent, site_event, start_key


@dataclass(frozen=True)
class SourceState:
    """What the site says of a source: enabled, ever fetched, last success."""

    enabled: bool = True
    ever_run: bool = True
    last_success: datetime | None = None


@dataclass(frozen=True)
class FeedCard:
    """One feed on the subscribe page."""

    spec: FeedSpec
    label: str
    count: int
    upcoming: int
    next_event: SiteEvent | None
    updated: datetime | None
    advanced: bool
    note: str
    """Why it is empty or aside ("" when it is neither)."""

    @property
    def filename(self) -> str:
        return self.spec.filename

    @property
    def stem(self) -> str:
        return self.spec.stem


KIND_ORDER: Mapping[str, int] = {"all": 0, "section": 1, "organization": 2, "source": 3}
NOTES: Mapping[str, str] = {
    "disabled": "此來源已停用，行事曆保留但沒有活動 Source disabled: the calendar stays, empty",
    "never": "此來源尚未成功抓取，抓取後自動出現活動 Not fetched yet: events appear after "
             "the first successful refresh",
    "empty": "目前沒有即將舉行的活動；有新活動時會自動出現 No events now: new ones appear "
             "by themselves",
}


def feed_cards(events: Sequence[StoredEvent], config: Config, today: date,
               states: Mapping[str, SourceState]) -> list[FeedCard]:
    """Every offered feed in page order: main list first (all, sections, organizations),
    then the advanced ones."""
    published = published_events(events, config, today)
    placed = [(stored, event_origin(stored.event, config)) for stored in published]
    origins = source_origins(events, config)
    cards = []
    for spec in feed_specs(events, config):
        members = [stored for stored, origin in placed if spec.selects(origin)]
        if spec.kind != "source":
            members = distinct_meetings(members)
        sources = [name for name, found in origins.items()
                   if any(spec.selects(origin) for origin in found)]
        cards.append(_card(spec, members, config, today, sources, states))
    return sorted(cards, key=lambda card: (card.advanced, KIND_ORDER.get(card.spec.kind, 9)))


def _card(spec: FeedSpec, members: Sequence[StoredEvent], config: Config, today: date,
          sources: Sequence[str], states: Mapping[str, SourceState]) -> FeedCard:
    ahead = sorted((stored for stored in members if stored.event.local_dates()[1] >= today),
                   key=start_key)
    known = [states[name] for name in sources if name in states]
    successes = [state.last_success for state in known if state.last_success]
    updated = max(successes) if successes else None
    note = ""
    state = states.get(spec.key) if spec.kind == "source" else None
    if state is not None and not state.enabled:
        note = NOTES["disabled"]
    elif state is not None and not state.ever_run:
        note = NOTES["never"]
    elif not ahead:
        note = NOTES["empty"]
    advanced = spec.kind == "source" or (spec.kind == "organization" and not ahead)
    return FeedCard(spec, feed_label(spec, config), len(members), len(ahead),
                    site_event(ahead[0], config) if ahead else None, updated, advanced,
                    note)


def feed_label(spec: FeedSpec, config: Config) -> str:
    """The feed's name without the calendar name every feed repeats."""
    if spec.kind == "all":
        return "全部活動 Everything"
    name = spec.name
    for tail in (f" · {config.feeds.calendar_name}", config.feeds.calendar_name):
        name = name.removesuffix(tail)
    return name.strip(" ·") or spec.stem
