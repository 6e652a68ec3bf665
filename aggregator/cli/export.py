"""The ``tradecal export`` commands and ``tradecal sources``."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import click

from aggregator.cli.context import EXIT_FAILED, Context, console, pass_context
from aggregator.core import clock
from aggregator.health import source_health
from aggregator.publish import (
    FORMATS,
    default_window,
    export_calendar,
    export_changes,
    export_events,
    write_export,
)
from aggregator.store.issues import Issue, find_issue, issues, last_issue, record_issue

window_from = click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]),
                           help="First day of the window (default: the Monday after today).")
window_to = click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]),
                         help="Last day of the window (default: 24 days after --from).")
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="markdown", show_default=True,
    help="markdown; html (pastes into Word and e-mail); docx (a Word document: needs --out "
         "or a redirected stdout); csv (UTF-8 with BOM, opens in Excel).")
out_option = click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
                          help="Write to this file instead of stdout.")


@click.group()
def export() -> None:
    """Write the ICS feeds, the newsletter tables or what changed.

    Example:

    \b
        tradecal export calendar --from 2024-04-29 --to 2024-05-23
    """


@export.command(name="ics")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the feeds (default: [feeds] output).")
@pass_context
def export_ics(context: Context, out: Path | None) -> None:
    """Write the ICS feeds: all.ics, one per organization, section and source.

    Example:

    \b
        tradecal export ics --out public
    """
    with context.store() as store, context.lock():
        context.publish(store, out, correction=False)


def _window(start: datetime | None, end: datetime | None, today: date) -> tuple[date, date]:
    default_start, default_end = default_window(today)
    first = start.date() if start else default_start
    last = end.date() if end else first + (default_end - default_start)
    if last < first:
        raise click.UsageError(f"--to {last} is before --from {first}")
    return first, last


def _emit(data: str | bytes, out: Path | None) -> None:
    """Data to ``--out`` (text as UTF-8, DOCX as bytes) or stdout; DOCX never to a terminal."""
    if out is not None:
        try:
            write_export(data, out)
        except OSError as exc:
            folder = "" if out.parent.is_dir() else f" (no folder {out.parent})"
            console().print(f"cannot write {out}: {exc.strerror or exc}{folder}", markup=False,
                            style="red")
            sys.exit(EXIT_FAILED)
        console().print(f"wrote {out}", markup=False)
    elif isinstance(data, bytes):
        stream = sys.stdout.buffer  # (click.get_binary_stream is deprecated in Click 8.5)
        if stream.isatty():
            raise click.UsageError("--format docx writes a Word file: give --out FILE")
        stream.write(data)
        stream.flush()
    else:
        click.echo(data, nl=not data.endswith("\n"))


@export.command(name="calendar")
@window_from
@window_to
@format_option
@out_option
@click.option("--issue", "mark", is_flag=True,
              help="Record this window as the newsletter's next issue (`export changes` then "
                   "lists what changed since it). Without it, an export is a preview.")
@pass_context
def export_calendar_command(context: Context, start: datetime | None, end: datetime | None,
                            fmt: str, out: Path | None, mark: bool) -> None:
    """The 國際經貿行事曆 table for a window of dates.

    Only --issue records the window as an issue; every other export is a preview.

    Example:

    \b
        tradecal export calendar --from 2024-04-29 --to 2024-05-23
        tradecal export calendar --format docx --out calendar.docx
        tradecal export calendar --from 2024-04-29 --to 2024-05-23 --issue
    """
    first, last = _window(start, end, clock.today(context.config.home_zone))
    with context.store() as store:
        _emit(export_calendar(store, context.config, first, last, fmt), out)
        if mark:
            issue = record_issue(store, first, last)
            console().print(f"recorded issue {issue.number}: {first} – {last} "
                            f"(`tradecal export changes` lists what changes after it)",
                            markup=False)


@export.command(name="events")
@window_from
@window_to
@format_option
@out_option
@pass_context
def export_events_command(context: Context, start: datetime | None, end: datetime | None,
                          fmt: str, out: Path | None) -> None:
    """The 活動快訊 and 其他經貿相關活動 tables for a window of dates.

    Example:

    \b
        tradecal export events --from 2024-04-29 --to 2024-05-23 --format html
    """
    first, last = _window(start, end, clock.today(context.config.home_zone))
    with context.store() as store:
        _emit(export_events(store, context.config, first, last, fmt), out)


@export.command(name="changes")
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
              help="Changes from this day (00:00) or time, local time of this machine.")
@click.option("--since-issue", "since_issue", type=click.IntRange(min=1), metavar="N",
              help="Changes since issue N (`tradecal export issues` lists them).")
@format_option
@out_option
@pass_context
def export_changes_command(context: Context, since: datetime | None, since_issue: int | None,
                           fmt: str, out: Path | None) -> None:
    """What changed since a date, an issue, or (default) the last issue: new, moved,
    retitled, cancelled and removed meetings and events, to check the issue against.

    Example:

    \b
        tradecal export changes
        tradecal export changes --since-issue 3
        tradecal export changes --since 2024-04-22 --format csv --out changes.csv
    """
    if since is not None and since_issue is not None:
        raise click.UsageError("give --since or --since-issue, not both")
    with context.store() as store:
        start: datetime | Issue | None
        if since_issue is not None:
            start = find_issue(store, since_issue)
            if start is None:
                known = len(issues(store))
                raise click.UsageError(f"no issue {since_issue} (issues recorded: {known}; "
                                       "see `tradecal export issues`)")
        else:
            start = since or last_issue(store)
        if start is None:
            raise click.UsageError("no issue recorded yet: mark one with `tradecal export "
                                   "calendar --issue`, or give --since YYYY-MM-DD")
        _emit(export_changes(store, context.config, start, fmt), out)


@export.command(name="issues")
@pass_context
def export_issues_command(context: Context) -> None:
    """The issues recorded (`export calendar --issue`): number, window, when marked.
    Tab-separated, oldest first.

    Example:

    \b
        tradecal export issues
    """
    with context.store() as store:
        found = issues(store)
    click.echo("issue\tfrom\tto\tmarked")
    for issue in found:
        click.echo(f"{issue.number}\t{issue.start}\t{issue.end}\t"
                   f"{issue.at.astimezone().isoformat(timespec='seconds')}")
    if not found:
        console().print("no issue recorded yet: `tradecal export calendar --issue` marks one",
                        markup=False)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
@pass_context
def sources(context: Context, as_json: bool) -> None:
    """Each configured source: health, last run, counts, last error.

    health is one of ok, failing (the last run failed), suspicious (held back: far fewer
    events than usual), stale (no success for [schedule] stale_after times its
    interval), never run, disabled. Tab-separated, or --json. Checks every source's own
    keys in config.toml first.

    Example:

    \b
        tradecal sources
        tradecal sources --json
    """
    config = context.checked_config
    with context.store() as store:
        rows = [health.as_row() for health in source_health(store, config, clock.now())]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    click.echo("\t".join(label for label, _ in COLUMNS))
    for row in rows:
        click.echo("\t".join(_cell(row[key]) for _, key in COLUMNS))


COLUMNS = (("source", "source"), ("type", "type"), ("org", "organization"),
           ("enabled", "enabled"), ("health", "health"), ("schedule", "schedule"),
           ("last run", "last_run"), ("outcome", "outcome"), ("events", "events"),
           ("average", "average"), ("last success", "last_success"),
           ("last error", "last_error"), ("channel", "channel"))


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())
