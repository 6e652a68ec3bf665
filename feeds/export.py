"""From the store to what is published: the feeds folder and the newsletter tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from aggregator.config import Config
from aggregator.store import Store
from feeds import html, markdown
from feeds.feedset import write_feeds
from feeds.tables import calendar_table, events_tables

FORMATS: tuple[str, ...] = ("markdown", "html")
WINDOW_DAYS = 24  # Monday .. the Thursday three weeks later: the newsletter's usual window


def default_window(today: date) -> tuple[date, date]:
    """From the Monday after ``today`` for three and a half weeks."""
    monday = today + timedelta(days=7 - today.weekday())
    return monday, monday + timedelta(days=WINDOW_DAYS)


def export_calendar(store: Store, config: Config, start: date, end: date,
                    fmt: str = "markdown") -> str:
    """The 國際經貿行事曆 table of a window, rendered in ``fmt``."""
    table = calendar_table(store.events(), config, start, end)
    renderers: dict[str, Callable[..., str]] = {
        "markdown": markdown.render_calendar_markdown, "html": html.render_calendar_html}
    return renderers[fmt](table)


def export_events(store: Store, config: Config, start: date, end: date,
                  fmt: str = "markdown") -> str:
    """The 活動快訊 and 其他經貿相關活動 tables of a window, rendered in ``fmt``."""
    tables = events_tables(store.events(), config, start, end)
    renderers: dict[str, Callable[..., str]] = {
        "markdown": markdown.render_events_markdown, "html": html.render_events_html}
    return renderers[fmt](tables)


def export_feeds(store: Store, config: Config, out: Path | None, today: date) -> list[Path]:
    """Write every ICS feed into ``out`` (default: the configured output folder)."""
    return write_feeds(store.events(), config, out or config.feeds.output, today)
