"""The ``tradecal`` command line (the contract of DESIGN.md).

Exit status: 0 when all went well, 1 when a source failed or an input file was refused
(the other sources still ran and stored) or when another refresh kept the store locked for
all of ``[fetch] lock_timeout`` ("another refresh is running"), 2 for a usage or
configuration error (130 when a refresh is interrupted by Ctrl-C). People's output
(progress, summaries) goes to stderr; data (JSON lines, tables) to stdout or --out.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from aggregator import __version__
from aggregator.cli.context import EXIT_FAILED, EXIT_OK, Context, console, pass_context, replay_option
from aggregator.cli.doctor import discover_command, doctor
from aggregator.cli.edit import edit_command
from aggregator.cli.export import export, sources
from aggregator.cli.schedule import schedule
from aggregator.cli.serve import serve_command
from aggregator.core.model import SECTIONS, Event, EventError, event_to_json
from aggregator.core.words import counted

if TYPE_CHECKING:  # the commands import the refresh, fetcher and sources when they run
    from aggregator.core.settings import Config
    from aggregator.report import SourceOutcome

EXIT_INTERRUPTED = 130  # the shell's code for a run stopped by Ctrl-C
EXIT_TERMINATED = 143  # ... and by SIGTERM


class Terminated(BaseException):
    """SIGTERM arrived (a BaseException, like Ctrl-C's, so no handler of errors takes it)."""


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`Terminated` in the main thread (elsewhere: as
    before)."""
    def handler(signum: int, frame: object) -> None:
        raise Terminated()

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Configuration file (default: $TRADECAL_CONFIG, then ./config.toml).")
@click.option("--store", "store_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Store to use instead of [store] path (e.g. the demo's), its feeds in the "
                   "folder public beside it.")
@click.version_option(__version__, prog_name="tradecal")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, store_path: Path | None) -> None:
    """tradecal: the trade-event calendar (collect, store, publish ICS and tables).

    Example:

    \b
        tradecal run --replay examples/replay
        tradecal --store replay-store/tradecal.db export calendar --from 2024-04-29 --to 2024-05-23
    """
    ctx.obj = Context(config_path, store_path)


REPLAY_FOLDER = "replay-store"
"""Where ``--replay`` writes without ``--store``: this folder next to config.toml holds the
scratch store (``tradecal.db``) and its feeds (``public/``)."""
store_option = click.option(
    "--store", "store_path", type=click.Path(path_type=Path, dir_okay=False),
    help="Store to write instead of [store] path, its feeds in the folder public beside it "
         f"(with --replay the default is the scratch store {REPLAY_FOLDER}/tradecal.db).")


full_option = click.option(
    "--full", is_flag=True,
    help="Fetch and parse every source in full, even one whose first response is unchanged.")


@cli.command()
@click.argument("names", nargs=-1)
@replay_option
@store_option
@full_option
@pass_context
def refresh(context: Context, names: tuple[str, ...], replay: Path | None,
            store_path: Path | None, full: bool) -> None:
    """Fetch, parse and store SOURCE(s) (default: every enabled source).

    With --replay, into a scratch store unless --store names one.

    Example:

    \b
        tradecal refresh ustr imf
        tradecal refresh --replay examples/replay
    """
    _choose_store(context, replay, store_path, None)
    sys.exit(_refresh(context, names, replay, publish=False, out=None, full=full))


@cli.command()
@replay_option
@store_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the feeds (default: [feeds] output).")
@full_option
@pass_context
def run(context: Context, replay: Path | None, store_path: Path | None, out: Path | None,
        full: bool) -> None:
    """Refresh every enabled source, then write the ICS feeds.

    Ends with a summary (each failed or stale source and why) and exits 1 when a source
    failed: run it from cron and the mail says what needs a look. With --replay, the store
    and the feeds are a scratch copy (replay-store/ next to config.toml) unless --store
    names a store.

    Example:

    \b
        tradecal run
        tradecal run --replay examples/replay --store demo/tradecal.db
    """
    _choose_store(context, replay, store_path, out)
    sys.exit(_refresh(context, (), replay, publish=True, out=out, full=full))


def _choose_store(context: Context, replay: Path | None, store_path: Path | None,
                  out: Path | None) -> None:
    """``--store``, else for a replay the scratch store (feeds beside it), said aloud."""
    if store_path is not None:
        context.use_store(store_path)
    elif replay is not None and context.store_path is None:
        store = context.config_path.absolute().parent / REPLAY_FOLDER / "tradecal.db"
        context.use_store(store)
        feeds = "" if out else f" and its feeds in {store.parent / 'public'}"
        console().print(f"replay: writing to the scratch store {store}{feeds}, not the "
                        f"configured store; read it with `tradecal --store {store} export "
                        "calendar …`, or replay into a store of your choice with --store",
                        markup=False)


def _refresh(context: Context, names: tuple[str, ...], replay: Path | None, *,
             publish: bool, out: Path | None, full: bool) -> int:
    from rich.markup import escape

    from aggregator import jobs, report

    config = context.checked_config
    chosen = names or tuple(name for name, s in config.sources.items() if s.enabled)
    sources = [context.source(name) for name in chosen]
    err = console()
    position = iter(range(1, len(sources) + 1))

    def finished(outcome: SourceOutcome) -> None:
        style = "green" if outcome.ok else "red"
        counter, line = report.progress(next(position), len(sources), outcome)
        err.print(f"{counter}[{style}]{escape(line)}[/]")

    try:
        with sigterm_raises(), context.lock():
            context.store(create=True).close()  # says so when it makes a new store
            done = jobs.refresh_and_publish(config, sources, replay=replay, publish=publish,
                                            out=out, on_done=finished, incremental=not full)
    except jobs.PublishError as exc:
        err.print(f"{exc}; the sources were stored, the feeds are not", markup=False,
                  style="red")
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt:
        err.print("interrupted: the sources stored so far are kept, the feeds were not "
                  "written", markup=False, style="red")
        sys.exit(EXIT_INTERRUPTED)
    except Terminated:
        err.print("stopped by SIGTERM: the sources stored so far are kept, the feeds were not "
                  "written", markup=False, style="red")
        sys.stdout.flush()
        sys.stderr.flush()
        # Now, without waiting for fetches under way (each source is stored in one
        # transaction; the lock is freed by the system).
        os._exit(EXIT_TERMINATED)
    for line in done.summary():
        err.print(line, markup=False)
    return EXIT_FAILED if done.failed else EXIT_OK


@cli.command()
@click.argument("name")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--url", help="The URL the file was fetched from (for relative links).")
@pass_context
def parse(context: Context, name: str, file: Path, url: str | None) -> None:
    """Parse a saved response of source NAME offline; print its events as JSON lines.

    An event announced twice in the file (a hearing and its cancellation) is printed once,
    as it would be stored: the newest announcement, completed by the older.

    Example:

    \b
        tradecal parse imf tests/fixtures/imf/seminars.html --url https://www.imf.org/en/News/Seminars
    """
    from rich.markup import escape

    from aggregator.core.http import Request, Response
    from aggregator.reconcile import merge_duplicates
    from sources.base import Notice, ParseError

    source = context.source(name)
    response = Response(url=url or source.config.url or file.resolve().as_uri(),
                        body=file.read_bytes())
    try:
        items = list(source.parse(response))
    except (ParseError, EventError) as exc:
        console().print(f"[red]{escape(f'{file}: {exc}')}[/]")
        sys.exit(EXIT_FAILED)
    for item in items:
        if isinstance(item, Request):
            console().print(f"follow-up request (not fetched): {item.url}", markup=False)
        elif isinstance(item, Notice):
            console().print(f"warning: {item.text}", markup=False)
    for event in merge_duplicates(item for item in items if isinstance(item, Event)):
        click.echo(json.dumps(event_to_json(event), ensure_ascii=False))


@cli.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@pass_context
def import_(context: Context, file: Path) -> None:
    """Add events by hand from a CSV file (all rows or none), then rewrite the feeds.

    UTF-8 (with or without a BOM) or Big5/CP950 as Excel saves it in Taiwan; every bad row
    is named at once.

    Example:

    \b
        tradecal import data/cieca-events.csv
    """
    from rich.markup import escape

    from aggregator.core.encoding import decode_text_file
    from aggregator.web.actions import store_manual
    from sources.lib.manual import CsvImportError, read_events_csv
    config = context.config
    try:
        text, encoding = decode_text_file(file.read_bytes())
        events = read_events_csv(text, str(file), organization=lambda name: _known(config, name),
                                 sections=SECTIONS)
    except UnicodeDecodeError as exc:
        console().print(f"[red]refused:[/] {escape(str(file))}: neither UTF-8 nor Big5 text "
                        f"(byte {exc.start}); save the CSV as UTF-8; nothing was stored")
        sys.exit(EXIT_FAILED)
    except CsvImportError as exc:
        console().print(f"[red]refused:[/] {escape(str(exc))}\nnothing was stored")
        sys.exit(EXIT_FAILED)
    with context.lock(), context.store(create=True) as store:
        counts = store_manual(store, events)
        console().print(f"{file}: {counted(len(events), 'event')} ({counts.inserted} new, "
                        f"{counts.updated} changed, {counts.unchanged} unchanged), read as "
                        f"{encoding}", markup=False)
        context.publish(store)


@cli.command()
@click.argument("name")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the saved responses (default: tests/fixtures/NAME/recorded).")
@pass_context
def record(context: Context, name: str, out: Path | None) -> None:
    """Fetch source NAME live and save every response as a fixture (and for --replay).

    Each response is saved as <stem>.body and <stem>.json (URL, status, headers, date),
    and a line naming it as a live capture is added to the folder's README.md. The
    fixture tests then parse every saved response of the source.

    Example:

    \b
        tradecal record ustr --out tests/fixtures/ustr/recorded
    """
    from aggregator.fetch.replay import RecordingFetcher, note_provenance
    from aggregator.refresh import fetch_source

    source = context.source(name)
    folder = out or Path("tests") / "fixtures" / name / "recorded"
    with RecordingFetcher(context.fetcher(None), folder) as recorder:
        collected = fetch_source(source, recorder)  # through its channels, as a refresh
    if recorder.saved:
        note_provenance(folder, recorder.saved)
    if collected.error:
        console().print(f"{name}: {collected.error}", markup=False, style="red")
        sys.exit(EXIT_FAILED)
    via = f" (channel {collected.channel})" if collected.channel not in ("", "main") else ""
    console().print(f"{name}: saved {len(recorder.saved)} response(s) to {folder}{via}; they "
                    f"parse into {counted(len(collected.events), 'event')}", markup=False)


def _known(config: Config, name: str) -> tuple[str, str | None] | None:
    """A CSV row's organization: a configured one's key and zone, or None (refused)."""
    found = config.find_organization(name)
    return None if found is None else (found.key, found.timezone)


cli.add_command(export)
cli.add_command(edit_command)
cli.add_command(sources)
cli.add_command(schedule)
cli.add_command(serve_command)
cli.add_command(doctor)
cli.add_command(discover_command)


def main() -> None:
    """Entry point of the ``tradecal`` console script."""
    cli(prog_name="tradecal")
