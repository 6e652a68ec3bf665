"""The editor's desk for the CLI tests: the shipped configuration in a temp folder, its store
holding the reference events (and a second source's copy of one meeting), and ``tc(...)``,
which runs ``tradecal --config ... ARGS`` as a user would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from click.testing import CliRunner, Result
from icalendar import Calendar

from aggregator.cli import cli
from aggregator.config import Config, load_config
from aggregator.core.model import Event
from aggregator.store.db import Store
from tests.conftest import ROOT
from tests.reference import reference_events

CUSTOMS = "Committee on Customs Valuation"
SEMINAR = "2024 臺日 AI 產業合作研討會"
SEEN = datetime(2024, 4, 25, 8, 0, tzinfo=UTC)
AIRGRAM_COPY = Event(source="wto_airgrams", source_key="WTO/AIR/CV/1", organization="WTO",
                     title=CUSTOMS, start=date(2024, 5, 23), timezone="Europe/Zurich")
WINDOW = ("--from", "2024-04-29", "--to", "2024-05-23")


@dataclass(frozen=True)
class Desk:
    """A configuration file in a temp folder, and how to run tradecal on it."""

    path: Path

    @property
    def config(self) -> Config:
        return load_config(self.path)

    def tc(self, *args: str, input: str | bytes | None = None) -> Result:
        """``tradecal --config PATH ARGS`` (exceptions propagate: a traceback fails)."""
        return CliRunner().invoke(cli, ["--config", str(self.path), *args], input=input,
                                  catch_exceptions=False)

    def ok(self, *args: str) -> Result:
        result = self.tc(*args)
        assert result.exit_code == 0, result.output
        return result

    def calendar(self, *args: str) -> str:
        return self.ok("export", "calendar", *WINDOW, *args).stdout

    def all_ics(self) -> Calendar:
        return Calendar.from_ical((self.config.feeds.output / "all.ics").read_bytes())

    def ics_titles(self) -> list[str]:
        """The titles in all.ics, without the organization prefix (``[WTO] ``)."""
        return [re.sub(r"^\[[^\]]+\] ", "", str(event["SUMMARY"]))
                for event in self.all_ics().walk("VEVENT")]

    def uid(self, title: str, source: str | None = None) -> str:
        with Store(self.config.store_path) as store:
            return next(s.event.uid for s in store.events() if s.event.title == title
                        and (source is None or s.event.source == source))


def make_desk(folder: Path, *, copy: bool = True) -> Desk:
    """The shipped config in ``folder`` with the reference events (and the airgram copy)."""
    path = folder / "config.toml"
    path.write_text((ROOT / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    events = [stored.event for stored in reference_events()]
    with Store(load_config(path).store_path) as store:
        store.upsert_events(events, now=SEEN)
        if copy:
            store.upsert_events([AIRGRAM_COPY], now=SEEN)
    return Desk(path)
