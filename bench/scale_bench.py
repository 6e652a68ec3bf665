"""Scale: exports read their window, not the store; a big refresh upserts in reasonable time.

Two stores hold the same events in and around the export windows (one week's tables, the
feeds' past and future days); the big one also holds years of other events, 100,000 in all
over ten years. The ratio of export times (big / small) shows whether exporting scans the
store (it grows with the store) or reads an indexed window (it stays near 1). Also: peak
memory of an export (tracemalloc), and the time of a refresh that upserts 10,000 new events
and of the same refresh again (all unchanged).

    .venv/bin/python -m bench.scale_bench
    .venv/bin/python -m bench.scale_bench --events 100000 --window-events 1000
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from aggregator.config import Config, load_config
from aggregator.core.http import Request, Response
from aggregator.core.model import Event
from aggregator.core.settings import SourceConfig
from aggregator.publish import export_calendar, export_events, export_feeds
from aggregator.refresh import refresh_source
from aggregator.store.db import Store
from sources.base import Source

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 26)
ORGS = [("WTO", "Europe/Zurich"), ("IMF", "America/New_York"), ("APEC", "America/Lima"),
        ("ASEAN", "Asia/Jakarta"), ("OECD", "Europe/Paris"), ("ITRI", "Asia/Taipei")]
NOW = datetime(2026, 11, 26, 6, tzinfo=timezone.utc)


def make_event(rng: random.Random, key: str, day: date, source: str = "bench") -> Event:
    org, zone = rng.choice(ORGS)
    title = f"{rng.choice(['Committee on', 'Working Party on', '研討會', 'Workshop on'])} {key}"
    if rng.random() < 0.5:
        start: date | datetime = day
        end: date | datetime | None = day + timedelta(days=rng.choice([0, 0, 1, 2]))
    else:
        start = datetime(day.year, day.month, day.day, rng.choice([9, 10, 14]),
                         tzinfo=ZoneInfo(zone))
        end = start + timedelta(hours=3)
    return Event(source=source, source_key=key, organization=org, title=title, start=start,
                 end=end, timezone=zone, location="Geneva", url=f"https://example.org/{key}")


def window_days(config: Config) -> tuple[date, date]:
    """The span every export together reads: the feeds' window (it holds the week)."""
    feeds = config.feeds
    return (TODAY - timedelta(days=max(feeds.past_days, feeds.retention_days)),
            TODAY + timedelta(days=feeds.future_days))


def events_in(rng: random.Random, count: int, first: date, last: date,
              prefix: str) -> list[Event]:
    span = (last - first).days
    return [make_event(rng, f"{prefix}{n}", first + timedelta(days=rng.randrange(span)))
            for n in range(count)]


def events_outside(rng: random.Random, count: int, first: date, last: date) -> list[Event]:
    """Events over ten years around TODAY, none overlapping ``first`` .. ``last``."""
    start, years = TODAY - timedelta(days=5 * 365), 10 * 365
    found: list[Event] = []
    while len(found) < count:
        day = start + timedelta(days=rng.randrange(years))
        if first - timedelta(days=3) <= day <= last:
            continue
        found.append(make_event(rng, f"out{len(found)}", day))
    return found


def fill(store: Store, events: list[Event], chunk: int = 5000) -> None:
    for offset in range(0, len(events), chunk):
        store.upsert_events(events[offset:offset + chunk], now=NOW)


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return min(times)


def export_all(store: Store, config: Config, out: Path) -> None:
    week = (TODAY + timedelta(days=4), TODAY + timedelta(days=10))
    export_calendar(store, config, *week, "markdown")
    export_events(store, config, *week, "markdown")
    export_feeds(store, config, out, TODAY)


def peak_memory(work: Callable[[], object]) -> int:
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


class ListSource(Source):
    """A source whose one response is a ready list of events (no parsing cost)."""

    type = "bench-list"

    def __init__(self, events: list[Event]) -> None:
        super().__init__(SourceConfig(name="big", type=self.type, url="bench://big",
                                      organization="WTO", timezone="Europe/Zurich"))
        self.events = events

    def parse(self, response: Response) -> Iterator[Event]:
        yield from self.events


class NoNetwork:
    def get(self, request: Request) -> Response:
        return Response(url=request.url, body=b"", request=request)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--window-events", type=int, default=1_000)
    parser.add_argument("--refresh-events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    config = load_config(ROOT / "config.toml")
    first, last = window_days(config)
    rng = random.Random(2026)
    inside = events_in(rng, args.window_events, first, last, "in")
    outside = events_outside(rng, args.events - args.window_events, first, last)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        small, big = Store(base / "small.db"), Store(base / "big.db")
        began = time.perf_counter()
        fill(small, inside)
        fill(big, inside + outside)
        print(f"stores built in {time.perf_counter() - began:.1f} s: "
              f"{args.window_events:,} and {args.events:,} events; window {first} .. {last}")
        small_time = best_of(args.runs, lambda: export_all(small, config, base / "p1"))
        big_time = best_of(args.runs, lambda: export_all(big, config, base / "p2"))
        peak = peak_memory(lambda: export_all(big, config, base / "p3"))
        print(f"export (week's tables + feeds): {args.window_events:,} events {small_time:.3f} s,"
              f" {args.events:,} events {big_time:.3f} s, ratio {big_time / small_time:.2f}"
              " (target <= 1.5)")
        print(f"peak memory of an export from the big store: {peak / 1e6:.1f} MB")
        fresh = events_in(random.Random(7), args.refresh_events, first, last, "new")
        source = ListSource(fresh)
        def refresh() -> object:  # parse and upsert in full (no unchanged-body shortcut)
            return refresh_source(source, NoNetwork(), big, now=NOW, incremental=False)

        first_run, again = best_of(1, refresh), best_of(1, refresh)
        print(f"refresh upserting {args.refresh_events:,} new events: {first_run:.2f} s; "
              f"the same again (all unchanged): {again:.2f} s")
        small.close()
        big.close()


if __name__ == "__main__":
    main()
