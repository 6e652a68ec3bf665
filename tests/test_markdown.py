"""Markdown export of the newsletter tables, byte for byte against the reference."""

from __future__ import annotations

from datetime import date

import pytest

from feeds.markdown import escape_cell, render_calendar_markdown, render_events_markdown
from feeds.tables import calendar_table
from tests.reference import (
    END,
    START,
    make_config,
    read_reference,
    reference_calendar,
    reference_events_tables,
    split_row,
    stored,
)


def test_calendar_markdown_is_the_reference() -> None:
    reference = read_reference()
    table = "\n".join(reference.table_lines[0])
    expected = f"{reference.title}\n\n{reference.window}\n\n{table}\n\n{reference.footer}\n"
    assert render_calendar_markdown(reference_calendar()) == expected


def test_events_markdown_is_the_reference() -> None:
    reference = read_reference()
    blocks = [f"{title}\n\n" + "\n".join(lines)
              for title, lines in zip(reference.table_titles, reference.table_lines[1:])]
    assert render_events_markdown(reference_events_tables()) == "\n\n".join(blocks) + "\n"


def test_rendered_calendar_cells_match_the_reference() -> None:
    reference = read_reference()
    lines = render_calendar_markdown(reference_calendar()).splitlines()
    rendered = [split_row(line) for line in lines if line.startswith("|") and "---" not in line]
    assert rendered == reference.cells(0)


def test_empty_calendar_keeps_every_section_heading() -> None:
    markdown = render_calendar_markdown(calendar_table([], make_config(), START, END))
    table = [line for line in markdown.splitlines() if line.startswith("|")]
    assert table == ["| 日期 | 星期 | 會議 |", "|---|---|---|", "| **WTO** | | |",
                     "| **RTA** | | |", "| *CPTPP、RCEP* | | |", "| **APEC 及其他國際組織** | | |"]


def test_pipes_and_line_breaks_stay_inside_their_cell() -> None:
    events = [stored("WTO", "Council | Special\nsession", date(2024, 5, 8)),
              stored("CIECA", "研討會 | 第二場", date(2024, 5, 9), kind="seminar",
                     url="https://example.org/?a=1|2")]
    calendar = render_calendar_markdown(reference_calendar(events)).splitlines()
    row = next(line for line in calendar if line.startswith("| 5/8"))
    assert row == "| 5/8 | 三 | ⚫ Council \\| Special session |"
    assert split_row(row) == ["5/8", "三", "⚫ Council | Special session"]
    events_md = render_events_markdown(reference_events_tables(events)).splitlines()
    seminar = next(line for line in events_md if "研討會" in line)
    assert split_row(seminar) == ["中華民國國際經濟合作協會", "逕自洽詢", "5/9", "研討會 | 第二場",
                                  "https://example.org/?a=1|2"]


@pytest.mark.parametrize(("text", "escaped"), [
    ("a|b", "a\\|b"),
    ("line one\r\nline two", "line one line two"),
    ("  padded  ", "padded"),
    ("全形　空格", "全形　空格"),
])
def test_escape_cell(text: str, escaped: str) -> None:
    assert escape_cell(text) == escaped
