"""What a refresh run reports, and every line it is told in.

The one place for the wording: a source's outcome line (:meth:`SourceOutcome.summary`), the
``[i/n]`` progress line of ``tradecal refresh`` and ``run`` (:func:`progress`), the run's
summary for a cron mail (:meth:`RunReport.summary`) and the scheduler's log lines
(:func:`stale_warning`, :func:`scheduled_line` and, for a run that did not finish,
:func:`scheduled_skip`, :func:`scheduled_crash`, :func:`scheduled_stop`). :mod:`aggregator.refresh` and
:mod:`aggregator.jobs` fill these records; the command line and the scheduler print them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aggregator.core.words import counted
from aggregator.health import SourceHealth
from aggregator.store.db import UpsertCounts


@dataclass
class SourceOutcome:
    """What refreshing one source did (``unchanged``: skipped, its first response was)."""

    name: str
    ok: bool
    events: int = 0
    requests: int = 0
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    error: str = ""
    unchanged: bool = False
    channel: str = ""
    """The channel that answered (see ``aggregator.channels``)."""
    warnings: list[str] = field(default_factory=list)
    """What the source reported besides events: items skipped, unknown time zones."""

    def summary(self) -> str:
        if not self.ok:
            return f"{self.name}: FAILED: {self.error}"
        if self.unchanged:
            return (f"{self.name}: unchanged since the last refresh, {counted(self.events, 'event')} "
                    f"kept ({self.requests} request(s))")
        c = self.counts
        cancelled = f", {c.cancelled} cancelled (gone from the source)" if c.cancelled else ""
        via = f" via {self.channel}" if self.channel not in ("", "main") else ""
        warned = f"; WARNING: {'; '.join(self.warnings)}" if self.warnings else ""
        return (f"{self.name}: {counted(self.events, 'event')} ({c.inserted} new, {c.updated} changed, "
                f"{c.unchanged} unchanged{cancelled}) from {self.requests} request(s){via}"
                f"{warned}")


def suspicious_error(events: int, average: float) -> str:
    """Why a run with far fewer events than usual stored nothing (its ``runs`` error)."""
    return (f"suspicious: {counted(events, 'event')}, recent runs averaged {average:.0f}; "
            "nothing stored or cancelled")


def progress(index: int, total: int, outcome: SourceOutcome) -> tuple[str, str]:
    """The line printed as the ``index``-th of ``total`` sources is stored: the counter
    (``[2/5] ``) and the outcome's summary (which the command line colours)."""
    return f"[{index}/{total}] ", outcome.summary()


@dataclass
class RunReport:
    """What one run did: each source's outcome, stale sources, the feeds written."""

    outcomes: list[SourceOutcome]
    seconds: float
    feeds: list[Path] = field(default_factory=list)
    feeds_folder: Path | None = None
    stale: list[SourceHealth] = field(default_factory=list)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]

    def headline(self) -> str:
        failed = self.failed
        events = sum(outcome.events for outcome in self.outcomes)
        text = (f"{len(self.outcomes) - len(failed)} of {len(self.outcomes)} sources "
                f"refreshed, {counted(events, 'event')} read")
        return text + (f"; failed: {', '.join(o.name for o in failed)}" if failed else "")

    def summary(self) -> list[str]:
        """Lines for people: the headline, each failure, each stale source, the feeds."""
        lines = [self.headline() + f" ({self.seconds:.1f} s)"]
        lines += [f"  FAILED {outcome.name}: {outcome.error}" for outcome in self.failed]
        lines += [f"  STALE {h.source}: {_no_success(h)} (schedule {h.schedule})"
                  for h in self.stale]
        if self.feeds_folder is not None:
            lines.append(f"wrote {counted(len(self.feeds), 'feed')} to {self.feeds_folder}")
        return lines


def stale_warning(health: SourceHealth) -> str:
    """The scheduler's warning for a stale source after a run."""
    return f"{health.source} is stale: {_no_success(health)}"


def scheduled_line(label: str, report: RunReport) -> str:
    """The scheduler's log line for a run of the sources ``label`` names."""
    return (f"refresh of {label}: {report.headline()} ({report.seconds:.1f} s); "
            f"wrote {len(report.feeds)} feeds")


def scheduled_skip(label: str, reason: str) -> str:
    """The scheduler's warning for a run that did not start (the store stayed locked)."""
    return f"refresh of {label} skipped: {reason}"


def scheduled_crash(label: str) -> str:
    """The scheduler's error for a run an unexpected exception stopped (logged with it)."""
    return f"refresh of {label} stopped by an unexpected error"


def scheduled_stop(label: str) -> str:
    """The scheduler's line for a run stopped (SIGTERM) before any source began."""
    return f"refresh of {label} stopped before it began; feeds rewritten"


def _no_success(health: SourceHealth) -> str:
    return f"no success since {health.last_success or 'it was added'}"
