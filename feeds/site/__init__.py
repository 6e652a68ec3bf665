"""The public site written next to the feeds: static files any web server can serve.

:func:`write_site` writes into the feeds folder, each file atomically like the feeds
(:func:`feeds.ics.write_atomically`; a file whose bytes would not change is left alone):

- ``index.html``: the agenda (:mod:`feeds.site.agenda`), with its events as JSON-LD;
- ``month.html``: month grids (:mod:`feeds.site.month`);
- ``subscribe.html``: the feeds and how to subscribe (:mod:`feeds.site.subscribe_page`);
- ``events.json``: every event of ``all.ics`` as schema.org JSON-LD (:mod:`feeds.site.jsonld`);
- ``changes.xml``: Atom feed of new and changed meetings (:mod:`feeds.site.atom`);
- ``assets/site.css``, ``assets/site.js`` (package data), ``qr/<feed>.svg``,
  ``events/<anchor>-<hash>.ics`` (one upcoming event each, named by a hash of its content
  so an unchanged one is not rebuilt; files of events gone or changed are removed).

Temporary files that killed writers left (older than an hour) are removed, as the feeds' are.

Every link between them is relative; absolute URLs (QR codes, Atom, JSON-LD) start with
``[feeds] base_url``. The site's title is ``[feeds] site_title``, else the calendar name.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import date
from importlib import resources
from pathlib import Path

from aggregator.core.model import StoredEvent
from aggregator.core.settings import Config
from feeds.feedset import remove_stale_temporaries
from feeds.ics import build_calendar, write_atomically
from feeds.site.agenda import agenda_page
from feeds.site.atom import atom_feed
from feeds.site.catalog import SourceState, feed_cards
from feeds.site.jsonld import embedded, events_json
from feeds.site.layout import Frame
from feeds.site.links import subscribe_links
from feeds.site.model import SiteEvent, section_order, site_events, upcoming
from feeds.site.month import month_page
from feeds.site.subscribe_page import qr_svg, subscribe_page

ASSETS = ("site.css", "site.js")
_EVENT_FILE = re.compile(r"e-[0-9a-f]{12}-[0-9a-f]{8}\.ics")


def write_site(events: Sequence[StoredEvent], config: Config, out_dir: Path, today: date,
               states: Mapping[str, SourceState] | None = None) -> list[Path]:
    """Write the site for ``events`` (the feeds' input) into ``out_dir``; return the paths.
    ``states`` says which sources are disabled, never fetched, and when each last
    succeeded."""
    states = states or {}
    base_url = site_base_url(config)
    everything = site_events(events, config, today)
    ahead = upcoming(everything, today)
    cards = feed_cards(events, config, today, states)
    successes = [state.last_success for state in states.values() if state.last_success]
    frame = Frame(config.feeds.site_title or config.feeds.calendar_name,
                  max(successes) if successes else None)
    for folder in ("", "assets", "qr", "events"):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(out_dir / folder, pattern=".*.tmp")  # left by killed writers
    written = [write_atomically(out_dir / "assets" / name, _asset(name)) for name in ASSETS]
    qr_sizes = {}
    for card in cards:
        path = out_dir / "qr" / f"{card.stem}.svg"
        qr_sizes[card.stem], made = _qr_code(path, base_url + card.filename)
        written.append(write_atomically(path, made) if made else path)
    _remove_unlisted(out_dir / "qr", "*.svg", {f"{card.stem}.svg" for card in cards})
    written += _event_files(ahead, config, out_dir / "events")
    all_links = subscribe_links(base_url + "all.ics", config.feeds.calendar_name)
    pages = {
        "index.html": agenda_page(frame, ahead, section_order(config), all_links, base_url,
                                  embedded(ahead, base_url)),
        "month.html": month_page(frame, ahead, today),
        "subscribe.html": subscribe_page(frame, cards, base_url, qr_sizes),
    }
    for name, text in pages.items():
        written.append(write_atomically(out_dir / name, text.encode("utf-8")))
    written.append(write_atomically(out_dir / "events.json", events_json(everything, base_url)))
    written.append(write_atomically(out_dir / "changes.xml",
                                    atom_feed(everything, base_url, frame.site_title,
                                              frame.updated)))
    return written


def site_base_url(config: Config) -> str:
    """``[feeds] base_url`` ending in ``/``."""
    base = config.feeds.base_url
    return base if base.endswith("/") else base + "/"


def _qr_code(path: Path, url: str) -> tuple[int, bytes | None]:
    """The width of the QR code of ``url``, and its SVG unless ``path`` already holds it
    (drawing a code is most of the site's writing time)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    width = re.search(r'<svg[^>]* width="(\d+)"', text)
    if width and f"<title>{html.escape(url, quote=False)}</title>" in text:
        return int(width.group(1)), None
    data, size = qr_svg(url)
    return size, data


def _asset(name: str) -> bytes:
    return resources.files("feeds.site").joinpath("assets", name).read_bytes()


def _event_files(events: Sequence[SiteEvent], config: Config, folder: Path) -> list[Path]:
    """One ``.ics`` per event (what "add to calendar" downloads); stale ones removed."""
    settings = config.feeds
    prefixes = {"cancelled": settings.cancelled_prefix, "postponed": settings.postponed_prefix}
    written = []
    for item in events:
        path = folder / item.ics_name
        if not path.is_file():  # the name hashes the content: an existing file is current
            data = build_calendar([item.stored], name=item.title,
                                  description=f"{item.organizer} · {settings.calendar_name}",
                                  refresh_hours=settings.refresh_interval_hours,
                                  prefixes=prefixes)
            write_atomically(path, data)
        written.append(path)
    _remove_unlisted(folder, "e-*.ics", {path.name for path in written})
    return written


def _remove_unlisted(folder: Path, pattern: str, keep: set[str]) -> None:
    """Delete the files of ``folder`` matching ``pattern`` that are not in ``keep`` (only
    names this module writes: event files, QR codes)."""
    for path in folder.glob(pattern):
        if path.name in keep or path.is_symlink() or not path.is_file():
            continue
        if pattern.endswith(".ics") and not _EVENT_FILE.fullmatch(path.name):
            continue
        path.unlink(missing_ok=True)
