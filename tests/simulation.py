"""The long-run simulation: a year of refreshes against evolving sites, checked every run.

:func:`simulate` generates a world (:mod:`tests.sim_world`), serves its two sites on
loopback (:mod:`tests.sim_sites`), and runs three deployments of tradecal side by side,
each with its own store and feeds and its own cron zone (the desk's zone, ``[schedule]
timezone``): Taipei, UTC and New York, each running once a day at an hour that cycles
through the night, the morning and the evening. The clock is moved, never waited for:
each run happens with ``TRADECAL_NOW`` at its instant, in this process, through the same
call ``tradecal run`` makes (:func:`aggregator.jobs.refresh_and_publish`). Runs of all
deployments go in time order, and the sites answer as of each run's instant.

About one fetch in twelve (``fault_rate``) meets a fault (outage, empty body, a valid answer listing
nothing, a body cut short with and without Content-Length), never more than two runs in a
row for a deployment and a site. After every run :class:`tests.sim_checks.Checker` checks
the invariants; :class:`Report` sums the world, the faults and the breaches.

    .venv/bin/python -m bench.year_simulation          # the full year, figures printed
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from aggregator.config import load_config
from aggregator.core import clock
from aggregator.jobs import refresh_and_publish
from aggregator.store.db import Store
from sources.registry import build_source
from tests.sim_checks import KINDS, Checker
from tests.sim_sites import FAULTS, SimSites
from tests.sim_world import World, generate

SOURCES = {"ics": "feed", "jsonld": "page"}
CRON: dict[str, tuple[clock_time, ...]] = {
    "Asia/Taipei": (clock_time(6, 30), clock_time(13, 0), clock_time(23, 50)),
    "UTC": (clock_time(0, 10), clock_time(12, 0), clock_time(22, 30)),
    "America/New_York": (clock_time(7, 0), clock_time(18, 0), clock_time(23, 30)),
}
FAULT_RATE = 0.08


@contextmanager
def stopped_clock(instant: datetime) -> Iterator[None]:
    """The clock stopped at ``instant`` (``TRADECAL_NOW``), restored afterwards."""
    before = os.environ.get(clock.NOW_VARIABLE)
    os.environ[clock.NOW_VARIABLE] = instant.isoformat()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(clock.NOW_VARIABLE, None)
        else:
            os.environ[clock.NOW_VARIABLE] = before


@dataclass
class Deployment:
    """One installation: its folder (config, store, feeds), cron zone and checker."""

    zone: str
    folder: Path
    checker: Checker
    faulty_in_a_row: Counter[str] = field(default_factory=Counter)

    def instant(self, day: date) -> datetime:
        hours = CRON[self.zone]
        wall = datetime.combine(day, hours[day.toordinal() % len(hours)])
        return wall.replace(tzinfo=ZoneInfo(self.zone)).astimezone(UTC)


@dataclass
class Report:
    """What a simulation did and found."""

    days: int
    runs: int = 0
    seconds: float = 0.0
    world: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    breaches: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        figures = ", ".join(f"{value} {key}" for key, value in sorted(self.world.items()))
        faults = ", ".join(f"{value} {key}" for key, value in sorted(self.faults.items()))
        found = ", ".join(f"{self.breaches[kind]} {kind}" for kind in KINDS)
        return [f"{self.days} days, {self.runs} runs in 3 cron zones ({self.seconds:.1f} s)",
                f"world: {figures}", f"faults: {sum(self.faults.values())} ({faults})",
                "outcomes: " + ", ".join(f"{v} {k}" for k, v in sorted(self.outcomes.items())),
                f"breaches: {found}", *self.problems[:10]]


def world_figures(world: World, first: date, last: date) -> Counter[str]:
    """Meetings of the simulated days and their changes, counted from the versions."""
    figures: Counter[str] = Counter()
    for meeting in world.meetings:
        if not first <= meeting.versions[0].first <= last + timedelta(days=60):
            continue
        figures["meetings"] += 1
        figures[f"{meeting.site} meetings"] += 1
        for old, new in zip(meeting.versions, meeting.versions[1:]):
            figures["moves"] += new.first != old.first
            figures["retitles"] += new.title != old.title
            figures["withdrawals"] += new.withdrawn and not old.withdrawn
            figures["reinstatements"] += old.withdrawn and not new.withdrawn
    return figures


def write_config(folder: Path, sites: SimSites, zone: str, retention_days: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = f"""[store]
path = "tradecal.db"

[feeds]
output = "public"
retention_days = {retention_days}

[fetch]
timeout = 5.0
retries = 0
delay = 0.0

[schedule]
timezone = "{zone}"

[organizations.WTO]
short_name = "WTO"
section = "WTO"
timezone = "Europe/Zurich"

[organizations.TRADE]
short_name = "國際貿易署"
timezone = "Asia/Taipei"

[sources.feed]
type = "ics"
url = "{sites.url('ics')}"
organization = "WTO"

[sources.page]
type = "jsonld"
url = "{sites.url('jsonld')}"
organization = "TRADE"
"""
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def simulate(folder: Path, *, days: int, seed: int = 11, first_day: date = date(2027, 1, 4),
             retention_days: int = 30, density: float = 1.0,
             fault_rate: float = FAULT_RATE) -> Report:
    """Run ``days`` simulated days (module docstring) in ``folder``; return the report."""
    started = time.monotonic()
    world = generate(seed, first_day, days, density)
    rng = random.Random(seed + 1)
    report = Report(days, world=world_figures(world, first_day,
                                              first_day + timedelta(days=days - 1)))
    with SimSites(world) as sites:
        deployments = []
        for zone in CRON:
            path = write_config(folder / zone.replace("/", "-"), sites, zone, retention_days)
            config = load_config(path)
            checker = Checker(world, SOURCES, retention_days, config.feeds.past_days,
                              config.feeds.future_days)
            deployments.append(Deployment(zone, path.parent, checker))
        runs = sorted((deployment.instant(first_day + timedelta(days=offset)), number)
                      for offset in range(days) for number, deployment in enumerate(deployments))
        for instant, number in runs:
            run_once(deployments[number], sites, instant, rng, report, fault_rate)
    for deployment in deployments:
        report.breaches.update(deployment.checker.breaches)
        report.problems += [f"{deployment.zone}: {p}" for p in deployment.checker.problems]
    report.seconds = time.monotonic() - started
    return report


def run_once(deployment: Deployment, sites: SimSites, instant: datetime, rng: random.Random,
             report: Report, fault_rate: float = FAULT_RATE) -> None:
    """One ``tradecal run`` of a deployment at ``instant``, then the checks."""
    sites.now, sites.faults = instant, {}
    for site in SOURCES:
        if rng.random() < fault_rate and deployment.faulty_in_a_row[site] < 2:
            sites.faults[site] = rng.choice(FAULTS)
            report.faults[sites.faults[site]] += 1
            deployment.faulty_in_a_row[site] += 1
        else:
            deployment.faulty_in_a_row[site] = 0
    with stopped_clock(instant):
        config = load_config(deployment.folder / "config.toml")
        sources = [build_source(source) for source in config.sources.values()]
        outcome = refresh_and_publish(config, sources)
        home_today = clock.today(config.home_zone)
    report.runs += 1
    by_name = {o.name: o for o in outcome.outcomes}
    good = set()
    for site, name in SOURCES.items():
        result = by_name[name]
        report.outcomes["ok" if result.ok else result.error.split(":")[0]] += 1
        if result.ok and site not in sites.faults:  # a first run may accept "zero"
            good.add(site)
        elif site not in sites.faults:
            deployment.checker.breach("lost", f"{name} at {instant}",
                                      f"failed without a fault: {result.error}")
    with Store(config.store_path) as store:
        deployment.checker.after_run(instant, good, store,
                                     deployment.folder / "public" / "all.ics", home_today)
