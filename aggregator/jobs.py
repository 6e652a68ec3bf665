"""One refresh run as ``tradecal run``, ``tradecal refresh`` and the scheduler do it.

Under the store lock (taken by the caller, see :mod:`aggregator.store.lock`): refresh the chosen
sources concurrently, optionally write the feeds, and report what happened in lines a
person reads in a cron mail or the scheduler's log.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from aggregator.config import Config
from aggregator.core import clock
from aggregator.core.http import FetchSession
from aggregator.fetch.fetcher import fetcher_from_settings
from aggregator.fetch.replay import ReplayFetcher
from aggregator.health import source_health
from aggregator.publish import export_feeds
from aggregator.refresh import refresh_all
from aggregator.report import (
    RunReport,
    SourceOutcome,
    scheduled_crash,
    scheduled_line,
    scheduled_skip,
    scheduled_stop,
    stale_warning,
)
from aggregator.store.db import Store
from aggregator.store.lock import LockBusy, StoreLock, lock_path
from sources.base import Source
from sources.registry import build_source

logger = logging.getLogger(__name__)


def build_fetcher(config: Config, replay: Path | None = None) -> FetchSession:
    """The live fetcher of ``[fetch]``, or the replay archive ``replay``."""
    return ReplayFetcher(replay) if replay is not None else fetcher_from_settings(config.fetch)


def store_lock(config: Config, *, on_wait: Callable[[str], None] = lambda holder: None,
               cancelled: Callable[[], bool] = lambda: False) -> StoreLock:
    """The lock every store-writing command holds (wait: ``[fetch] lock_timeout``)."""
    timeout = float(config.fetch.lock_timeout)
    return StoreLock(lock_path(config.store_path), timeout, on_wait=on_wait,
                     cancelled=cancelled)


def refresh_and_publish(config: Config, sources: Sequence[Source], *,
                        replay: Path | None = None, publish: bool = True,
                        out: Path | None = None,
                        on_done: Callable[[SourceOutcome], None] = lambda outcome: None,
                        should_stop: Callable[[], bool] = lambda: False,
                        incremental: bool = True) -> RunReport:
    """Refresh ``sources`` into the store, then (``publish``) write the feeds.

    Call it holding :func:`store_lock`. The feeds are written even when sources failed:
    they then hold those sources' events as they were. ``incremental=False`` fetches and
    parses every source in full (see :mod:`aggregator.store.http_cache`).
    """
    started = time.monotonic()
    fetcher = build_fetcher(config, replay)
    with Store(config.store_path) as store, fetcher:
        outcomes = refresh_all(sources, fetcher, store, on_done=on_done,
                               settings=config.refresh, should_stop=should_stop,
                               incremental=incremental)
        health = source_health(store, config, clock.now())
        report = RunReport(outcomes, 0.0, stale=[h for h in health if h.stale])
        if publish:
            report.feeds, report.feeds_folder = publish_feeds(config, store, out)
    report.seconds = time.monotonic() - started
    return report


class PublishError(OSError):
    """The feeds could not be written (the message names the folder and why)."""


def publish_feeds(config: Config, store: Store, out: Path | None = None) -> tuple[list[Path], Path]:
    """Rewrite every feed from ``store`` into ``out`` (default ``[feeds] output``), as ``run``
    does: each file atomically, unchanged ones untouched. Call it holding the store lock.
    Returns the feeds and the folder; PublishError when the folder cannot be written."""
    folder = out or config.feeds.output
    try:
        paths = export_feeds(store, config, out, clock.today(config.home_zone), now=clock.now())
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PublishError(f"cannot write the feeds to {folder}: {reason}") from None
    return paths, folder


def scheduled_refresh(config: Config, names: Sequence[str], stop: threading.Event,
                      busy: threading.Lock) -> RunReport | None:
    """One scheduled job: refresh ``names`` and write the feeds, logging a line per run.

    Never raises (the scheduler must go on): a busy lock or an unexpected error is logged
    and the job waits for its next turn. Returns the report (None when nothing ran).
    """
    with busy:
        if stop.is_set():
            return None
        label = ", ".join(names)
        try:
            sources = [build_source(config.sources[name]) for name in names]
            with store_lock(config, cancelled=stop.is_set):
                if stop.is_set():  # stopped while the sources were built or the lock awaited
                    return None
                report = refresh_and_publish(config, sources, should_stop=stop.is_set,
                                             on_done=_log_outcome)
        except LockBusy as busy_lock:
            logger.warning("%s", scheduled_skip(label, str(busy_lock)))
            return None
        except Exception:  # logged with its traceback; the scheduler goes on
            logger.exception("%s", scheduled_crash(label))
            return None
        if stop.is_set() and not report.outcomes:  # stopped before any source began
            logger.info("%s", scheduled_stop(label))
            return report
        for health in report.stale:
            logger.warning("%s", stale_warning(health))
        logger.info("%s", scheduled_line(label, report))
        return report


def _log_outcome(outcome: SourceOutcome) -> None:
    (logger.info if outcome.ok else logger.warning)("%s", outcome.summary())
