"""``tradecal schedule``: the scheduler in the foreground (see :mod:`aggregator.schedule`)."""

from __future__ import annotations

import logging
import sys
import threading
from datetime import datetime

import click

from aggregator.cli.context import EXIT_USAGE, Context, console, pass_context
from aggregator.core import clock
from aggregator.core.settings import ScheduleSettings
from aggregator.schedule import (
    Job,
    build_scheduler,
    plan_jobs,
    run_scheduler,
    schedule_settings,
    schedule_zone,
)
from aggregator.store.db import Store

LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"


@click.command()
@click.option("--list", "list_only", is_flag=True,
              help="Print each job (schedule, sources, next run) and exit.")
@pass_context
def schedule(context: Context, list_only: bool) -> None:
    """Refresh each source on its schedule and write the feeds after each refresh.

    Runs in the foreground, logging a line per run to stderr; SIGTERM or Ctrl-C finishes
    the refresh under way and exits. The configuration is read once: restart the
    scheduler after changing it.

    Example:

    \b
        tradecal schedule --list
        tradecal schedule
    """
    config = context.checked_config
    settings = schedule_settings(config)
    now = clock.now()
    with context.store(create=True) as store:
        last = last_successes(store)
    try:
        jobs = plan_jobs(config.sources, settings, last, now)
    except ValueError as error:
        console().print(f"config error: {error}", markup=False, style="red")
        sys.exit(EXIT_USAGE)
    if list_only:
        for job in jobs:
            click.echo(describe(job, settings))
        return
    from aggregator.jobs import scheduled_refresh  # the fetcher and sources, when they run

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr)
    for noisy in ("apscheduler", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    stop, busy = threading.Event(), threading.Lock()
    scheduler = build_scheduler(
        jobs, lambda names: scheduled_refresh(config, names, stop, busy), settings)
    logger = logging.getLogger("aggregator.schedule")
    logger.info("scheduler started with %d job(s)", len(jobs))
    for job in jobs:
        logger.info("  %s", describe(job, settings))
    if not jobs:
        logger.warning("no enabled source: nothing to schedule")
        return
    run_scheduler(scheduler, stop, busy)


def last_successes(store: Store) -> dict[str, datetime | None]:
    """Each source's latest successful run (finish time)."""
    return {name: datetime.fromisoformat(value)
            for name, value in store.last_successes().items()}


def describe(job: Job, settings: ScheduleSettings) -> str:
    """``6h: wto, imf; next run now (overdue)`` (or the trigger's next time)."""
    if job.first_run is not None:
        when = "now (overdue)"
    else:
        zone = schedule_zone(settings)
        fire = job.schedule.trigger(settings, zone).get_next_fire_time(None, clock.local_now(zone))
        when = fire.isoformat(timespec="minutes") if fire else "never"
    return f"{job.schedule.text}: {', '.join(job.sources)}; next run {when}"
