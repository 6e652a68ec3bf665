"""``tradecal doctor`` and ``tradecal discover``: the first run on a host with network."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from aggregator.cli.context import EXIT_FAILED, EXIT_OK, Context, console, pass_context


@click.command()
@click.argument("names", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source and channel.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for what was fetched (default: tests/fixtures/NAME/recorded).")
@pass_context
def doctor(context: Context, names: tuple[str, ...], as_json: bool, out: Path | None) -> None:
    """Check SOURCE(s) (default: every enabled one) channel by channel, live.

    For each channel: HTTP status, bytes, time, events, the share with a time, an end, a
    location and a URL, the date range, three sample rows, and a verdict with the next
    step (ok, empty, blocked, disallowed, failed). What was fetched is saved as `record`
    saves it. Exit 0 when every source checked has an ok channel, else 1.

    Example:

    \b
        tradecal doctor
        tradecal doctor wto imf --json --out /tmp/doctor
    """
    from aggregator.doctor import check_source, healthy
    from aggregator.fetch.replay import RecordingFetcher, note_provenance

    config = context.checked_config
    chosen = names or tuple(name for name, spec in config.sources.items() if spec.enabled)
    checks = []
    for name in chosen:
        source = context.source(name)
        folder = out / name if out else Path("tests") / "fixtures" / name / "recorded"
        with RecordingFetcher(context.fetcher(None), folder) as recorder:
            found = check_source(source, recorder)
        if recorder.saved:
            note_provenance(folder, recorder.saved)
        checks += found
        for check in found:
            if as_json:
                click.echo(json.dumps(check.as_json(), ensure_ascii=False))
            else:
                for line in check.lines():
                    click.echo(line)
    sys.exit(EXIT_OK if healthy(checks) else EXIT_FAILED)


@click.command(name="discover")
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per response.")
@pass_context
def discover_command(context: Context, url: str, as_json: bool) -> None:
    """Open URL in headless Chromium and list every response it loaded: URL, content type,
    bytes, what it looks like, and how many events an adapter reads from it.

    Example:

    \b
        tradecal discover https://www.wto.org/english/news_e/events_e.htm
    """
    from aggregator.core.http import Request
    from aggregator.discover import discover
    from aggregator.fetch.browser import browser_for
    from aggregator.fetch.fetcher import FetchError

    browser = browser_for(context.fetcher(None))
    try:
        browser.get(Request(url))
    except FetchError as exc:
        if not browser.seen:
            console().print(f"{url}: {exc.reason}", markup=False, style="red")
            sys.exit(EXIT_FAILED)
    for found in discover(browser.seen):
        if as_json:
            click.echo(json.dumps(found.as_json(), ensure_ascii=False))
        else:
            reader = f" ({found.adapter})" if found.adapter else ""
            click.echo(f"{found.looks_like:8} {found.events:4} events{reader:15} "
                       f"{found.bytes:9} B  {found.content_type or '-':28} {found.url}")
