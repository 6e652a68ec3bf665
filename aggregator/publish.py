"""From the store to what is published: the feeds folder, the newsletter tables, the changes.

Every table format renders the one table model of :mod:`feeds.tables`, so the formats
cannot disagree. Markdown, HTML and CSV are text (``str``); DOCX is a file (``bytes``):
write either with :func:`write_export`. Tables and feeds read the store's events with the
editors' overrides applied (:func:`aggregator.store.edited.edited_events`), unless the caller
passes ``events`` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from aggregator.core import clock
from aggregator.core.model import StoredEvent
from aggregator.core.settings import Config
from aggregator.health import SourceHealth, source_health, stale_notice
from aggregator.store.db import Store
from aggregator.store.edited import edited_events
from aggregator.store.issues import Issue
from feeds import csv_table, docx, html, markdown
from feeds.changes import changes_since
from feeds.changes_render import CHANGES_RENDERERS
from feeds.tables import CalendarTable, EventsTables, calendar_table, events_tables

if TYPE_CHECKING:
    from feeds.site.catalog import SourceState

FORMATS: tuple[str, ...] = ("markdown", "html", "docx", "csv")
EXTENSIONS: dict[str, str] = {"markdown": ".md", "html": ".html", "docx": ".docx",
                              "csv": ".csv"}
MEDIA_TYPES: dict[str, str] = {
    "markdown": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv; charset=utf-8",
}
WINDOW_DAYS = 24  # Monday .. the Thursday three weeks later: the newsletter's usual window

Rendered = str | bytes
T = TypeVar("T")


def default_window(today: date) -> tuple[date, date]:
    """From the Monday after ``today`` for three and a half weeks."""
    monday = today + timedelta(days=7 - today.weekday())
    return monday, monday + timedelta(days=WINDOW_DAYS)


def export_calendar(store: Store, config: Config, start: date, end: date,
                    fmt: str = "markdown", *,
                    events: Sequence[StoredEvent] | None = None) -> Rendered:
    """The 國際經貿行事曆 table of a window, rendered in ``fmt``."""
    table = calendar_table(_events(store, events, (start, end)), config, start, end)
    renderers: dict[str, Callable[[CalendarTable], Rendered]] = {
        "markdown": markdown.render_calendar_markdown,
        "html": html.render_calendar_html,
        "docx": lambda data: docx.render_calendar_docx(data, _stamp(start)),
        "csv": csv_table.render_calendar_csv,
    }
    return _renderer(renderers, fmt)(table)


def export_events(store: Store, config: Config, start: date, end: date,
                  fmt: str = "markdown", *,
                  events: Sequence[StoredEvent] | None = None) -> Rendered:
    """The 活動快訊 and 其他經貿相關活動 tables of a window, rendered in ``fmt``."""
    tables = events_tables(_events(store, events, (start, end)), config, start, end)
    renderers: dict[str, Callable[[EventsTables], Rendered]] = {
        "markdown": markdown.render_events_markdown,
        "html": html.render_events_html,
        "docx": lambda data: docx.render_events_docx(data, _stamp(start)),
        "csv": csv_table.render_events_csv,
    }
    return _renderer(renderers, fmt)(tables)


def export_changes(store: Store, config: Config, since: datetime | Issue,
                   fmt: str = "markdown") -> Rendered:
    """What changed since ``since``, a time or an issue (see :mod:`feeds.changes`), rendered
    in ``fmt``."""
    return _renderer(CHANGES_RENDERERS, fmt)(changes_since(store, config, since))


def export_feeds(store: Store, config: Config, out: Path | None, today: date, *,
                 events: Sequence[StoredEvent] | None = None,
                 now: datetime | None = None) -> list[Path]:
    """Write every ICS feed into ``out`` (default: the configured output folder), and the
    public site next to them (:mod:`feeds.site`); return the feeds' paths.

    A stale source (no success for a long while) is named in the description of every
    feed that holds its events.
    """
    from feeds.feedset import write_feeds  # iCalendar is loaded by the commands that write feeds
    from feeds.site import write_site

    health = source_health(store, config, clock.now())
    notes = {row.source: [stale_notice([row.source])] for row in health if row.stale}
    settings = config.feeds
    window = (today - timedelta(days=max(settings.past_days, settings.retention_days)),
              today + timedelta(days=settings.future_days))
    chosen = list(_events(store, events, window))
    paths = write_feeds(chosen, config, out or settings.output, today, source_notes=notes,
                        now=now)
    write_site(chosen, config, out or settings.output, today, states_from_health(health))
    return paths


def write_export(data: Rendered, out: Path) -> None:
    """Write an export to a file: text as UTF-8 (CSV keeps its BOM and CRLF), DOCX as is."""
    if isinstance(data, bytes):
        out.write_bytes(data)
    else:
        with out.open("w", encoding="utf-8", newline="") as handle:
            handle.write(data)


def _events(store: Store, events: Sequence[StoredEvent] | None,
            window: tuple[date, date]) -> Sequence[StoredEvent]:
    """``events`` if given, else the store's events whose days overlap ``window``, as
    editors left them (hidden ones out): an indexed query, never a full scan."""
    return edited_events(store, window=window) if events is None else events


def _stamp(start: date) -> datetime:
    """The DOCX created/modified time: the window's start, so equal data gives equal bytes."""
    return datetime.combine(start, time.min, tzinfo=UTC)


def _renderer(renderers: dict[str, Callable[[T], Rendered]],
                 fmt: str) -> Callable[[T], Rendered]:
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    return renderers[fmt]


def states_from_health(rows: Sequence[SourceHealth]) -> dict[str, SourceState]:
    """:class:`SourceState` of each source from :func:`~aggregator.health.source_health`."""
    from feeds.site.catalog import SourceState

    return {row.source: SourceState(
        enabled=row.enabled, ever_run=row.last_run is not None,
        last_success=datetime.fromisoformat(row.last_success) if row.last_success else None)
        for row in rows}
