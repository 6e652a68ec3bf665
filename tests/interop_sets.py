"""The feed files the interop tests give to real clients: each set is a folder of feeds
written by tradecal and, where known, the stored events behind them.

- ``store``: test_interop's own table (Geneva, Washington, Lima, Jakarta, Taipei, Cairo);
- ``hard``: :mod:`tests.interop_hard_set` (gaps and repeated hours in eleven zones, ...);
- ``reference``: the events behind the reference newsletter's rows (:mod:`tests.reference`);
- ``demo``: what ``tradecal run --replay examples/replay`` writes with the shipped
  configuration, on a fixed day inside the replayed events' dates.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import cli
from aggregator.config import Config
from aggregator.core.model import StoredEvent
from feeds.feedset import write_feeds
from tests.conftest import ROOT
from tests.interop_hard_set import TODAY as HARD_TODAY
from tests.interop_hard_set import hard_config, hard_set
from tests.reference import START, make_config, reference_events

DEMO_NOW = "2024-05-01T00:00:00Z"  # inside examples/replay's meetings


@dataclass(frozen=True)
class FeedSet:
    """A folder of feed files and the stored events they were written from (None: unknown)."""

    name: str
    paths: tuple[Path, ...]
    events: dict[str, StoredEvent] | None = None

    def files(self) -> dict[str, bytes]:
        return {path.name: path.read_bytes() for path in self.paths}


def written(name: str, events: Sequence[StoredEvent], config: Config, today: date,
            folder: Path) -> FeedSet:
    paths = write_feeds(events, config, folder / "public", today=today)
    return FeedSet(name, tuple(paths), {stored.event.uid: stored for stored in events})


def hard(folder: Path) -> FeedSet:
    return written("hard", hard_set(), hard_config(folder), HARD_TODAY, folder)


def reference(folder: Path) -> FeedSet:
    events = list(reference_events())
    return written("reference", events, make_config(), START, folder)


def demo(folder: Path, monkeypatch: pytest.MonkeyPatch) -> FeedSet:
    """The replay demo with the shipped configuration (its data/ CSVs alongside)."""
    shutil.copy(ROOT / "config.toml", folder / "config.toml")
    shutil.copytree(ROOT / "data", folder / "data")
    monkeypatch.setenv("TRADECAL_NOW", DEMO_NOW)
    result = CliRunner().invoke(cli, ["--config", str(folder / "config.toml"), "run",
                                      "--replay", str(ROOT / "examples" / "replay")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return FeedSet("demo", tuple(sorted((folder / "replay-store" / "public").glob("*.ics"))))
