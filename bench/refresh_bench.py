"""Benchmark of a refresh run against local servers (run by hand, never in the tests).

Starts one server per host on 127.0.0.2, 127.0.0.3, … (all loopback), each answering every
request (robots.txt included) after a fixed latency with a USTR-type search page carrying an
ETag. With the shipped politeness settings ([fetch] delay, concurrency, robots.txt) it
measures:

(a) the wall time of refreshing N sources on N hosts divided by that of one source on one
    host (target: at most 1.3 for 6 hosts at 500 ms): hosts are fetched side by side;
(b) the bytes transferred (both directions, counted by the servers) by a second refresh of
    the unchanged sources divided by the first (target: at most 5 %): conditional requests
    are answered 304 and nothing is parsed.

Usage, from the repository root:

    .venv/bin/python -m bench.refresh_bench [--hosts 6] [--latency 0.5] [--copies 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tomllib
from contextlib import ExitStack
from pathlib import Path

from aggregator.config import Config, parse_config
from aggregator.jobs import refresh_and_publish
from sources.registry import build_source
from tests.servers import LoopbackServer
from tests.ustr_sites import PATH, page_reply, ustr_page, write_config

SHIPPED_FETCH = {"timeout": 30.0, "retries": 3, "delay": 1.0, "concurrency": 2}


def load(folder: Path, urls: dict[str, str]) -> Config:
    path = write_config(folder, urls, **SHIPPED_FETCH)
    return parse_config(tomllib.loads(path.read_text(encoding="utf-8")), path)


def refresh(config: Config) -> float:
    """Seconds one refresh of every source takes; fails loudly if a source fails."""
    sources = [build_source(spec) for spec in config.sources.values()]
    started = time.monotonic()
    report = refresh_and_publish(config, sources, publish=False)
    seconds = time.monotonic() - started
    if report.failed:
        raise SystemExit(f"benchmark source failed: {report.failed[0].summary()}")
    return seconds


def wall_time(servers: list[LoopbackServer], rounds: int) -> float:
    """Median seconds of a first refresh (fresh store) of one source per server."""
    times = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as folder:
            urls = {f"site{n}": server.url(PATH) for n, server in enumerate(servers)}
            times.append(refresh(load(Path(folder), urls)))
    return statistics.median(times)


def transferred(servers: list[LoopbackServer]) -> tuple[int, int]:
    """Bytes of a first and of a second refresh of the same unchanged sources."""
    with tempfile.TemporaryDirectory() as folder:
        urls = {f"site{n}": server.url(PATH) for n, server in enumerate(servers)}
        config = load(Path(folder), urls)
        counts = []
        for _ in range(2):
            for server in servers:
                server.reset_counts()
            refresh(config)
            counts.append(sum(server.sent + server.received for server in servers))
    return counts[0], counts[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=6)
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per response")
    parser.add_argument("--copies", type=int, default=20,
                        help="copies of the fixture's notices per page (page size)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with ExitStack() as stack:
        servers = [stack.enter_context(LoopbackServer(f"127.0.0.{2 + n}", args.latency))
                   for n in range(args.hosts)]
        for n, server in enumerate(servers):
            server.routes[PATH] = page_reply(ustr_page(f"site{n}", args.copies))
        page_bytes = len(page_reply(ustr_page("site0", args.copies)).body)
        one = wall_time(servers[:1], args.rounds)
        many = wall_time(servers, args.rounds)
        first, second = transferred(servers)
    print(f"{args.hosts} hosts, {args.latency * 1000:.0f} ms per response, pages of "
          f"{page_bytes} bytes, fetch settings {SHIPPED_FETCH}, robots.txt on")
    print(f"(a) wall time: 1 host {one:.2f} s, {args.hosts} hosts {many:.2f} s, "
          f"ratio {many / one:.2f} (target <= 1.3)")
    print(f"(b) bytes: first refresh {first}, second (unchanged) {second}, "
          f"ratio {second / first:.1%} (target <= 5 %)")


if __name__ == "__main__":
    main()
