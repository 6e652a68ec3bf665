"""CSV export of the newsletter tables: read back with ``csv``, cell by cell with the reference."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from feeds.csv_table import (
    BOM,
    SECTION_COLUMN,
    TABLE_COLUMN,
    render_calendar_csv,
    render_events_csv,
    safe_cell,
)
from tests.reference import (
    read_reference,
    reference_calendar,
    reference_events,
    reference_events_tables,
    stored,
)


def read_back(text: str) -> list[list[str]]:
    """The rows a spreadsheet sees: the file as UTF-8 bytes, BOM first, CRLF line ends
    (a line break inside a quoted cell stays as it is)."""
    data = text.encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.split(b"\n", 1)[0].endswith(b"\r") and data.endswith(b"\r\n")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_calendar_csv_is_the_reference_with_a_section_column() -> None:
    reference = read_reference()
    rows = read_back(render_calendar_csv(reference_calendar()))
    assert rows[0] == [SECTION_COLUMN, *reference.cells(0)[0], "uid"]
    expected = [[name, *cells] for name, _, section_rows in reference.calendar_sections()
                for cells in section_rows]
    assert [row[:-1] for row in rows[1:]] == expected
    assert all(row[-1].endswith("@tradecal") for row in rows[1:])


def test_events_csv_is_both_reference_tables_with_a_table_column() -> None:
    reference = read_reference()
    rows = read_back(render_events_csv(reference_events_tables()))
    assert rows[0] == [TABLE_COLUMN, *reference.cells(1)[0], "uid"]
    expected = [[title, *cells] for index, title in enumerate(reference.table_titles)
                for cells in reference.cells(index + 1)[1:]]
    assert [row[:-1] for row in rows[1:]] == expected


def test_chinese_survives_as_utf8() -> None:
    text = render_events_csv(reference_events_tables())
    assert text.startswith(BOM)
    assert "國立政治大學國際經貿組織暨法律研究中心" in text.encode("utf-8").decode("utf-8-sig")


def test_cells_with_commas_quotes_and_line_breaks_read_back_whole() -> None:
    events = [*reference_events(),
              stored("CIECA", 'Trade, "AI" and\nsupply chains', date(2024, 5, 9),
                     kind="seminar", url="https://example.org/a,b")]
    rows = read_back(render_events_csv(reference_events_tables(events)))
    (row,) = [row for row in rows if row[4].startswith("Trade")]
    assert row[4:6] == ['Trade, "AI" and\nsupply chains', "https://example.org/a,b"]


@pytest.mark.parametrize("text, safe", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("4/29-30", "4/29-30"), ("⚫ IMF：x", "⚫ IMF：x"), ("", ""),
])
def test_formula_cells_are_neutralized(text: str, safe: str) -> None:
    assert safe_cell(text) == safe


def test_a_title_that_is_a_formula_is_text_in_the_file() -> None:
    events = [*reference_events(),
              stored("CIECA", "=cmd|' /C calc'!A0", date(2024, 5, 9), kind="seminar")]
    rows = read_back(render_events_csv(reference_events_tables(events)))
    assert "'=cmd|' /C calc'!A0" in [row[4] for row in rows]


def test_empty_sections_have_no_rows() -> None:
    rows = read_back(render_calendar_csv(reference_calendar()))
    assert "RTA" not in {row[0] for row in rows}
