"""The reference newsletter and its events, shared by the table, Markdown, HTML and CLI tests.

``read_reference`` parses the transcription in ``fixtures/reference/newsletter-tables.md``;
``reference_events`` are the stored events behind its rows; ``make_config`` is the tests'
organization-to-section configuration.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from aggregator.config import Config, parse_config
from aggregator.core.model import Event, StoredEvent
from feeds.tables import CalendarTable, EventsTables, calendar_table, events_tables

REFERENCE_DIR = Path(__file__).parent / "fixtures" / "reference"
REFERENCE_FILE = REFERENCE_DIR / "newsletter-tables.md"
START, END = date(2024, 4, 29), date(2024, 5, 23)
APEC_SECTION = "APEC 及其他國際組織"
SEEN = datetime(2024, 4, 25, 8, 0, tzinfo=UTC)

CONFIG_TOML: dict[str, Any] = {
    "organizations": {
        "WTO": {"section": "WTO", "timezone": "Europe/Zurich"},
        "CPTPP": {"section": "RTA", "timezone": "Asia/Tokyo"},
        "RCEP": {"section": "RTA", "timezone": "Asia/Jakarta"},
        "IMF": {"section": APEC_SECTION, "timezone": "America/New_York"},
        "APEC": {"section": APEC_SECTION, "timezone": "America/Lima"},
        "USTR": {"section": APEC_SECTION, "timezone": "America/New_York"},
        "ITRI": {"short_name": "工研院", "timezone": "Asia/Taipei"},
        "CIECA": {"short_name": "中華民國國際經濟合作協會"},
        "NCCU-ITOL": {"short_name": "國立政治大學國際經貿組織暨法律研究中心"},
    },
}


def make_config(**newsletter: str) -> Config:
    """The tests' configuration, with optional ``[newsletter]`` settings."""
    raw = dict(CONFIG_TOML, newsletter=newsletter) if newsletter else CONFIG_TOML
    return parse_config(raw, Path("config.toml"))


def stored(organization: str, title: str, start: date | datetime,
           end: date | datetime | None = None, *, timezone: str = "Asia/Taipei",
           position: int = 0, source: str = "test", **fields: Any) -> StoredEvent:
    """A stored event; its key is its organization, title and start."""
    event = Event(source=source, source_key=f"{organization}|{title}|{start.isoformat()}",
                  organization=organization, title=title, start=start, end=end,
                  timezone=timezone, **fields)
    return StoredEvent(event=event, sequence=0, first_seen=SEEN, last_seen=SEEN,
                       last_changed=SEEN, position=position)


def reference_events() -> list[StoredEvent]:
    """The events behind the reference's rows, as sources would store them."""
    geneva, lima = "Europe/Zurich", "America/Lima"
    return [
        # 10:00 in Geneva, stored in UTC as an API would give it.
        stored("WTO", "Committee on Trade and Development - Session on Aid for Trade",
               datetime(2024, 4, 30, 8, 0, tzinfo=UTC), timezone=geneva, source="wto"),
        stored("WTO", "Committee on Customs Valuation", date(2024, 5, 23),
               timezone=geneva, source="wto", position=1),
        stored("IMF", "Ebb and Flow of Globalization–Perspectives on the Role of Trade and "
               "Financial Integration for International Spillovers",
               date(2024, 4, 29), date(2024, 4, 30), timezone="America/New_York", source="imf"),
        stored("APEC", "TELWG Workshop on Meaningful Connectivity in APEC economies",
               date(2024, 5, 2), date(2024, 5, 3), timezone=lima, source="apec", position=0),
        stored("APEC", "TELWG Workshop on Meaningful Connectivity in APEC economies",
               date(2024, 5, 6), timezone=lima, source="apec", position=1),
        stored("APEC", "Digital Week SOM2 - Trade Digitalization and Paperless Trade",
               date(2024, 5, 6), timezone=lima, source="apec", position=2),
        stored("ITRI", "國際地緣政治風險與我國出口管制規定宣導說明會", date(2024, 5, 10),
               kind="seminar", featured=True, registration_deadline=date(2024, 5, 7),
               url="https://tinyurl.com/mutu8xxm"),
        stored("CIECA", "2024 臺日 AI 產業合作研討會", date(2024, 4, 30), kind="seminar",
               url="https://tinyurl.com/anhtuxde"),
        stored("NCCU-ITOL", "跨國企業在台經營之勞工法議題及風險", date(2024, 5, 3),
               kind="seminar", url="https://tinyurl.com/5x8tn7zb"),
    ]


@dataclass(frozen=True)
class Reference:
    """The reference file: its lines of text and its three tables, cell by cell."""

    title: str
    window: str
    footer: str
    table_lines: tuple[tuple[str, ...], ...]  # calendar, 活動快訊, 其他經貿相關活動
    table_titles: tuple[str, ...]  # the line before each events table

    def cells(self, index: int) -> list[list[str]]:
        """Header and body rows of a table (without the ``|---|`` rule)."""
        lines = self.table_lines[index]
        return [split_row(line) for line in lines[:1] + lines[2:]]

    def calendar_sections(self) -> list[tuple[str, str | None, list[tuple[str, ...]]]]:
        """(heading, sub-heading, rows) for each section of the calendar table."""
        sections: list[tuple[str, str | None, list[tuple[str, ...]]]] = []
        for cells in self.cells(0)[1:]:
            first, rest = cells[0], cells[1:]
            if first.startswith("**") and not any(rest):
                sections.append((first.strip("*"), None, []))
            elif first.startswith("*") and not any(rest):
                name, _, rows = sections[-1]
                sections[-1] = (name, first.strip("*"), rows)
            else:
                sections[-1][2].append(tuple(cells))
        return sections


def split_row(line: str) -> list[str]:
    """The cells of a Markdown table row (unescaped ``|`` separates them)."""
    inner = line.strip()[1:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", inner)]


def read_reference() -> Reference:
    text = REFERENCE_FILE.read_text(encoding="utf-8")
    title, window = re.search(r"Title line: `([^`]+)`, then the window: `([^`]+)`", text).groups()
    footer = re.search(r"Footer line: `([^`]+)`", text).group(1)
    lines = text.splitlines()
    tables: list[tuple[str, ...]] = []
    titles: list[str] = []
    for is_table, group in itertools.groupby(enumerate(lines), lambda item: item[1].startswith("|")):
        block = list(group)
        if is_table:
            tables.append(tuple(line for _, line in block))
            previous = [line for line in lines[:block[0][0]] if line.strip()][-1]
            titles.append(previous.rstrip(":"))
    assert len(tables) == 3, "the reference has a calendar and two events tables"
    return Reference(title, window, footer, tuple(tables), tuple(titles[1:]))


def calendar_rows(table: CalendarTable) -> dict[str, list[tuple[str, ...]]]:
    return {section.name: [row.cells() for row in section.rows] for section in table.sections}


def reference_calendar(events: list[StoredEvent] | None = None) -> CalendarTable:
    return calendar_table(events or reference_events(), make_config(), START, END)


def reference_events_tables(events: list[StoredEvent] | None = None) -> EventsTables:
    return events_tables(events or reference_events(), make_config(), START, END)
