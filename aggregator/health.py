"""How each source is doing, from its recorded runs: for ``tradecal sources``, the run
summary and the feeds' description.

- **stale**: an enabled source with no successful run within ``stale_after`` times its
  schedule's interval (``[schedule]``; a source that never succeeded counts from its first
  run). Its events stay in the feeds, but they may be out of date.
- **suspicious**: its latest run was held back as suspicious (far fewer events than its
  recent average, see :func:`aggregator.reconcile.is_suspicious`), or its latest accepted
  run fell below ``min_count_ratio`` of the runs before it.
- **failing**: its latest run failed.

The SQL reads the ``runs`` table that :mod:`aggregator.store.db` writes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from aggregator.core.settings import Config, ScheduleSettings
from aggregator.schedule import schedule_settings, source_schedule
from aggregator.store.db import Store

SHORT_ERROR = 100


@dataclass(frozen=True)
class SourceHealth:
    """One source's state, as ``tradecal sources`` shows it."""

    source: str
    type: str
    organization: str
    enabled: bool
    schedule: str
    last_run: str | None
    outcome: str
    events: int | None
    average: float | None
    """Mean event count of the accepted runs before the latest one (up to recent_runs)."""
    last_success: str | None
    error: str
    """The latest run's error ("" when it went well)."""
    last_error: str
    """The latest error of any recent run, shortened."""
    last_error_at: str | None
    stale: bool
    suspicious: bool
    channel: str = ""
    """The channel that answered the latest successful run ("" before any)."""

    @property
    def health(self) -> str:
        """One word: disabled, never run, stale, failing, suspicious or ok."""
        if not self.enabled:
            return "disabled"
        if self.last_run is None:
            return "never run"
        if self.stale:
            return "stale"
        if self.outcome == "failed":
            return "failing"
        return "suspicious" if self.suspicious else "ok"

    def as_row(self) -> dict[str, Any]:
        return {**asdict(self), "health": self.health}


def source_health(store: Store, config: Config, now: datetime) -> list[SourceHealth]:
    """The health of every configured source, in configuration order."""
    settings = schedule_settings(config)
    recent_runs = config.refresh.recent_runs
    successes = store.last_successes()
    return [_health(store, config, name, settings, now, recent_runs, successes.get(name))
            for name in config.sources]


def stale_sources(store: Store, config: Config, now: datetime) -> list[str]:
    """Names of the enabled sources that are stale (for the feeds' DESCRIPTION)."""
    return [h.source for h in source_health(store, config, now) if h.stale]


def stale_notice(names: list[str]) -> str:
    """A sentence for the feeds' description naming stale sources ("" when none)."""
    if not names:
        return ""
    english = f"Not refreshed recently, their events may be out of date: {', '.join(names)}."
    return f"{english} 以下來源近期未能更新，活動資訊可能過時：{'、'.join(names)}。"


def _runs(store: Store, source: str, limit: int) -> list[dict[str, Any]]:
    return list(store.db.query(
        "select * from runs where source = ? and outcome != 'running' "
        "order by id desc limit ?", [source, limit]))


def _health(store: Store, config: Config, name: str, settings: ScheduleSettings,
            now: datetime, recent_runs: int, success: str | None) -> SourceHealth:
    spec = config.sources[name]
    schedule = source_schedule(spec, settings)
    runs = _runs(store, name, recent_runs + 1)
    latest = runs[0] if runs else None
    accepted = [run["events"] for run in runs[1:] if run["outcome"] == "ok"]
    average = sum(accepted) / len(accepted) if accepted else None
    errored = next((run for run in runs if run["error"]), None)
    drop = (latest is not None and latest["outcome"] == "ok" and average is not None
            and latest["events"] < config.refresh.min_count_ratio * average)
    return SourceHealth(
        source=name, type=spec.type, organization=spec.organization, enabled=spec.enabled,
        schedule=schedule.text,
        last_run=latest["started"] if latest else None,
        outcome=latest["outcome"] if latest else "never",
        events=latest["events"] if latest else None,
        average=round(average, 1) if average is not None else None,
        last_success=success,
        error=(latest["error"] or "") if latest else "",
        last_error=_short(errored["error"]) if errored else "",
        last_error_at=(errored["finished"] or errored["started"]) if errored else None,
        stale=spec.enabled and _stale(store, name, success, schedule.period(now),
                                      settings.stale_after, now),
        suspicious=bool(latest and latest["outcome"] == "suspicious") or drop,
        channel=_one(store, "select channel from runs where source = ? and outcome = 'ok' "
                     "order by id desc limit 1", name) or "",
    )


def _stale(store: Store, name: str, success: str | None, period: timedelta,
           multiple: float, now: datetime) -> bool:
    since = success or _one(store, "select min(started) from runs where source = ?", name)
    if since is None:
        return False  # never run: nothing to be stale about yet
    return now - datetime.fromisoformat(since) > period * multiple


def _one(store: Store, sql: str, name: str) -> str | None:
    rows = list(store.db.execute(sql, [name]).fetchall())
    return rows[0][0] if rows else None


def _short(error: str) -> str:
    text = " ".join(error.split())
    return text if len(text) <= SHORT_ERROR else text[: SHORT_ERROR - 1] + "…"
