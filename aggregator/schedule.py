"""``tradecal schedule``: refresh every source on its own schedule, in the foreground.

A source's ``schedule`` (else every ``[schedule] interval_hours``) is an interval ("every
6h", "every 90m", "every 1d"; also "2h30m", "every 6 hours"), each run moved by up to
``jitter_minutes`` (at most a quarter of the interval) so that many installations do not
strike a site at the same minute, or a cron expression ("0 */6 * * *", five fields, in the
system's time zone; day of week 0 or 7 = Sunday, as in cron, which APScheduler's own
``from_crontab`` gets wrong). Sources with the same schedule form one job, refreshed
together (concurrently across hosts) and followed by one export of the feeds.

APScheduler 3 runs the jobs one at a time (one worker thread; each also takes the store
lock, so a ``tradecal run`` from cron or a shell waits its turn, or is waited for). Missed
runs are coalesced into one and run if no more than ``misfire_grace_minutes`` late; a job
still running when it is due again is not started twice. At start, a job with a source
overdue (no success within its interval) runs at once.

SIGTERM and SIGINT stop the scheduler: the refresh under way starts no further source,
stores those already fetched, writes the feeds, and the process exits 0.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from aggregator.core.settings import Config, ScheduleSettings, SourceConfig

if TYPE_CHECKING:  # APScheduler is imported where a trigger or the scheduler is built:
    # config loading reads schedules with this module's grammar and stays quick
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.base import BaseTrigger

logger = logging.getLogger(__name__)

_UNITS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)")
_WORDS = ((r"days?", "d"), (r"hours?|hrs?", "h"), (r"minutes?|mins?", "m"),
          (r"seconds?|secs?", "s"))
PERIOD_SAMPLES = 64
PERIOD_HORIZON = timedelta(days=400)
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def schedule_settings(config: Config) -> ScheduleSettings:
    """The ``[schedule]`` settings of a Config."""
    return config.schedule


def default_schedule(settings: ScheduleSettings) -> Schedule:
    """The schedule of a source that names none: every ``interval_hours``."""
    return Schedule(f"every {settings.interval_hours:g}h",
                    interval=timedelta(hours=settings.interval_hours))


@dataclass(frozen=True)
class Schedule:
    """When a source is refreshed: every ``interval``, or at the times of ``cron``."""

    text: str
    interval: timedelta | None = None
    cron: tuple[str, ...] = ()

    def trigger(self, settings: ScheduleSettings, zone: ZoneInfo) -> BaseTrigger:
        """The APScheduler trigger of this schedule."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        if self.interval is not None:
            jitter = int(min(settings.jitter_minutes * 60,
                             self.interval.total_seconds() / 4)) or None
            return IntervalTrigger(seconds=self.interval.total_seconds(), timezone=zone,
                                   jitter=jitter)
        minute, hour, day, month, weekday = self.cron
        return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                           day_of_week=cron_weekdays(weekday), timezone=zone)

    def period(self, now: datetime, zone: ZoneInfo | None = None) -> timedelta:
        """The time between two runs (for a cron schedule: the longest gap between its
        next runs, so a weekdays-only schedule counts the weekend)."""
        if self.interval is not None:
            return self.interval
        trigger = self.trigger(ScheduleSettings(jitter_minutes=0), zone or ZoneInfo("UTC"))
        previous, longest = None, timedelta(0)
        for _ in range(PERIOD_SAMPLES):
            fire = trigger.get_next_fire_time(previous, previous or now)
            if previous is not None and fire is not None and fire == previous:
                fire = trigger.get_next_fire_time(previous, previous + timedelta(seconds=1))
            if fire is None or fire > now + PERIOD_HORIZON:
                break
            if previous is not None:
                longest = max(longest, fire - previous)
            previous = fire
        return longest or PERIOD_HORIZON


def parse_schedule(text: str) -> Schedule:
    """A schedule from its text; ValueError saying what is wrong."""
    cleaned = " ".join(text.lower().split())
    cleaned = cleaned.removeprefix("every ")
    compact = cleaned.replace(" ", "")
    for words, unit in _WORDS:
        compact = re.sub(rf"(?<=\d)(?:{words})(?=\d|$)", unit, compact)
    pairs = _INTERVAL.findall(compact)
    if pairs and "".join(number + unit for number, unit in pairs) == compact:
        seconds = sum(float(number) * _UNITS[unit] for number, unit in pairs)
        if seconds <= 0:
            raise ValueError(f"schedule {text!r}: the interval must be above zero")
        return Schedule(text, interval=timedelta(seconds=seconds))
    parts = cleaned.split(" ")
    if len(parts) != 5:
        raise ValueError(f"schedule {text!r}: neither an interval (6h, 90m, 1d, 2h30m) nor "
                         "a cron expression of five fields (0 */6 * * *)")
    schedule = Schedule(text, cron=tuple(parts))
    try:
        schedule.trigger(ScheduleSettings(jitter_minutes=0), ZoneInfo("UTC"))
    except ValueError as error:
        raise ValueError(f"schedule {text!r}: {error}") from None
    return schedule


def cron_weekdays(field: str) -> str:
    """A cron day-of-week field in APScheduler's terms: names, since APScheduler 3 counts
    0 as Monday where cron counts 0 (and 7) as Sunday."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = 0, 6
        else:
            low, _, high = span.partition("-")
            first = _weekday(low)
            last = _weekday(high) if high else (6 if step else first)
            if high == "7":
                last = 7
        numbers = range(first, last + 1, int(step) if step else 1)
        days.update(number % 7 for number in numbers)
    return ",".join(_DAYS[day] for day in sorted(days))


def _weekday(token: str) -> int:
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token)
    if token[:3] in _DAYS:
        return _DAYS.index(token[:3])
    raise ValueError(f"day of week {token!r} is not 0-7 or sun-sat")


def source_schedule(spec: SourceConfig, settings: ScheduleSettings) -> Schedule:
    """A source's schedule: its own ``schedule`` key, else the default."""
    return parse_schedule(spec.schedule) if spec.schedule else default_schedule(settings)


def schedule_zone(settings: ScheduleSettings) -> ZoneInfo:
    """The zone of cron expressions: ``[schedule] timezone`` if the config has one, else
    the system's."""
    from tzlocal import get_localzone

    if settings.timezone:
        return ZoneInfo(settings.timezone)
    local = get_localzone()
    return local if isinstance(local, ZoneInfo) else ZoneInfo(str(local))


@dataclass(frozen=True)
class Job:
    """Sources refreshed together on one schedule, and when the first run is due."""

    schedule: Schedule
    sources: tuple[str, ...]
    first_run: datetime | None
    """Now, when a source is overdue; else None (the trigger decides)."""

    @property
    def id(self) -> str:
        return f"refresh[{self.schedule.text}]"


def plan_jobs(sources: Mapping[str, SourceConfig], settings: ScheduleSettings,
              last_success: Mapping[str, datetime | None], now: datetime) -> list[Job]:
    """One job per distinct schedule of the enabled sources."""
    groups: dict[str, list[str]] = {}
    schedules: dict[str, Schedule] = {}
    for name, spec in sources.items():
        if spec.enabled:
            schedule = source_schedule(spec, settings)
            groups.setdefault(schedule.text, []).append(name)
            schedules[schedule.text] = schedule
    jobs = []
    for text, names in groups.items():
        period = schedules[text].period(now)
        overdue = any((last := last_success.get(name)) is None or now - last >= period
                      for name in names)
        jobs.append(Job(schedules[text], tuple(names), now if overdue else None))
    return jobs


def build_scheduler(jobs: Sequence[Job], run: Callable[[Sequence[str]], object],
                    settings: ScheduleSettings) -> BlockingScheduler:
    """A BlockingScheduler running ``run(source names)`` for each job, one at a time."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler

    zone = schedule_zone(settings)
    scheduler = BlockingScheduler(timezone=zone,
                                  executors={"default": ThreadPoolExecutor(max_workers=1)})
    grace = int(settings.misfire_grace_minutes * 60) or None
    for job in jobs:
        extra = {"next_run_time": job.first_run} if job.first_run is not None else {}
        scheduler.add_job(run, job.schedule.trigger(settings, zone), args=[list(job.sources)],
                          id=job.id, name=f"refresh {', '.join(job.sources)}", coalesce=True,
                          max_instances=1, misfire_grace_time=grace, **extra)
    return scheduler


def _shutdown(scheduler: BlockingScheduler) -> None:
    """Stop the scheduler's loop (waiting for it to be running, if it is just starting)."""
    from apscheduler.schedulers import SchedulerNotRunningError

    for _ in range(200):
        try:
            scheduler.shutdown(wait=False)
            return
        except SchedulerNotRunningError:
            time.sleep(0.05)


def run_scheduler(scheduler: BlockingScheduler, stop: threading.Event,
                  busy: threading.Lock) -> None:
    """Run until SIGTERM or SIGINT; then let the job under way finish (it watches ``stop``
    and holds ``busy`` while it runs) and return."""

    def on_signal(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():
            logger.warning("%s: already stopping, finishing the refresh under way", name)
            return
        stop.set()
        logger.info("%s: finishing the refresh under way, then exiting", name)
        # not in the handler itself: the main loop it interrupts may hold the scheduler's locks
        threading.Thread(target=_shutdown, args=(scheduler,), daemon=True).start()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if not stop.is_set():
            scheduler.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    with busy:  # wait for the job under way, if any
        pass
    logger.info("scheduler stopped")
