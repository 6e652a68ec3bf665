"""A public site built the way ``tradecal run`` builds it, for the site's tests.

The shipped configuration (``trade`` is disabled there; most sources never ran), a store
holding the reference newsletter's events (composed: tests/reference.py) plus a timed WTO
meeting, a cancelled, a postponed and a changed one, one successful run of ``wto``, and
:func:`aggregator.publish.export_feeds` as of :data:`TODAY` with the clock stopped at :data:`NOW`.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from pathlib import Path

from aggregator.config import Config, parse_config
from aggregator.core.model import Event
from aggregator.publish import export_feeds
from aggregator.store.db import Store
from tests.conftest import ROOT
from tests.reference import SEEN, reference_events

TODAY = date(2024, 4, 26)
NOW = "2024-04-26T02:00:00+00:00"
GENEVA = "Europe/Zurich"
CHANGED_AT = SEEN + timedelta(hours=5)
TIMED_TITLE = "Committee on Trade and Development - Session on Aid for Trade"
CANCELLED = "Council for Trade in Services"
POSTPONED = "Working Party on Domestic Regulation"
CHANGED = "Trade Policy Review: Japan"


def wto(title: str, start: date | datetime, **fields: object) -> Event:
    return Event(source="wto", source_key=title, organization="WTO", title=title,
                 start=start, timezone=GENEVA, **fields)  # type: ignore[arg-type]


def extra_events() -> list[Event]:
    """Meetings that show the agenda's marks (all WTO, in the reference's weeks)."""
    return [wto(CANCELLED, date(2024, 5, 8), status="cancelled"),
            wto(POSTPONED, date(2024, 5, 9), status="postponed"),
            wto(CHANGED, datetime(2024, 5, 14, 8, 0, tzinfo=UTC),
                end=datetime(2024, 5, 14, 11, 0, tzinfo=UTC), location="CR-Room W")]


def site_config(folder: Path, base_url: str) -> Config:
    raw = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    raw["feeds"]["base_url"] = base_url
    return parse_config(raw, folder / "config.toml")


def build_site(folder: Path, base_url: str = "http://127.0.0.1:8000/") -> Config:
    """Fill a store in ``folder`` and export the feeds and the site; the caller stops the
    clock at :data:`NOW` first."""
    config = site_config(folder, base_url)
    events = [stored.event for stored in reference_events()]
    with Store(config.store_path) as store:
        for _, group in groupby(sorted(events, key=lambda e: e.source), key=lambda e: e.source):
            store.upsert_events(list(group), now=SEEN)
        store.upsert_events(extra_events(), now=SEEN)
        moved = [event.with_changes(location="CR-Room E") for event in extra_events()
                 if event.title == CHANGED]
        store.upsert_events(moved, now=CHANGED_AT)
        run = store.start_run("wto", now=CHANGED_AT)
        store.finish_run(run, "ok", events=6, now=CHANGED_AT)
        export_feeds(store, config, None, TODAY)
    return config
