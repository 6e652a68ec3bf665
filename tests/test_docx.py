"""DOCX export of the newsletter tables: the reference's cells in a real Word table.

Each document is opened again with python-docx and read cell by cell: the header row, the
section heading rows (one cell merged across the table: ``gridSpan`` = the column count,
bold, the RTA sub-heading italic), the meeting rows, the title, window and footer
paragraphs; the fonts that make Chinese render; and identical bytes for identical data.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table

from feeds.docx import (
    EAST_ASIA_FONT,
    FIXED_STAMP,
    LATIN_FONT,
    ZIP_TIME,
    render_calendar_docx,
    render_events_docx,
)
from feeds.tables import calendar_table
from tests.reference import (
    make_config,
    read_reference,
    reference_calendar,
    reference_events,
    reference_events_tables,
    stored,
)


def open_docx(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def row_cells(table: Table) -> list[list[str] | tuple[str, str, bool, bool]]:
    """Each row: its cell texts, or ("merged", text, bold, italic) for a row of one cell
    spanning every column."""
    width = len(table.columns)
    rows: list[list[str] | tuple[str, str, bool, bool]] = []
    for row in table.rows:
        cells = row._tr.tc_lst
        if len(cells) == 1 and width > 1:
            assert cells[0].grid_span == width
            runs = row.cells[0].paragraphs[0].runs
            rows.append(("merged", row.cells[0].text, all(r.bold for r in runs),
                         all(r.italic for r in runs)))
        else:
            assert [cell.grid_span for cell in cells] == [1] * width
            rows.append([cell.text for cell in row.cells])
    return rows


def expected_rows(markdown_rows: list[list[str]]) -> list[list[str] | tuple[str, str, bool, bool]]:
    """The reference's rows as the DOCX should hold them: ``**WTO**`` a bold merged row,
    ``*CPTPP、RCEP*`` an italic one."""
    rows: list[list[str] | tuple[str, str, bool, bool]] = []
    for cells in markdown_rows:
        first = cells[0]
        if first.startswith("**") and not any(cells[1:]):
            rows.append(("merged", first.strip("*"), True, False))
        elif first.startswith("*") and not any(cells[1:]):
            rows.append(("merged", first.strip("*"), False, True))
        else:
            rows.append(cells)
    return rows


def test_calendar_docx_holds_the_reference_cell_by_cell() -> None:
    reference = read_reference()
    document = open_docx(render_calendar_docx(reference_calendar()))
    assert [p.text for p in document.paragraphs] == [
        reference.title, reference.window, reference.footer]
    (table,) = document.tables
    assert row_cells(table) == expected_rows(reference.cells(0))


def test_calendar_docx_title_above_and_footer_below_the_table() -> None:
    document = open_docx(render_calendar_docx(reference_calendar()))
    body = [child.tag for child in document.element.body if child.tag != qn("w:sectPr")]
    assert body == [qn("w:p"), qn("w:p"), qn("w:tbl"), qn("w:p")]
    assert document.paragraphs[0].runs[0].bold


def test_calendar_docx_header_row_is_bold_and_repeats() -> None:
    (table,) = open_docx(render_calendar_docx(reference_calendar())).tables
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    assert table.style.name == "Table Grid"


def test_events_docx_holds_both_reference_tables() -> None:
    reference = read_reference()
    document = open_docx(render_events_docx(reference_events_tables()))
    assert [p.text for p in document.paragraphs] == list(reference.table_titles)
    assert [row_cells(table) for table in document.tables] == [
        reference.cells(1), reference.cells(2)]
    body = [child.tag for child in document.element.body if child.tag != qn("w:sectPr")]
    assert body == [qn("w:p"), qn("w:tbl"), qn("w:p"), qn("w:tbl")]


def test_events_docx_links_http_urls_only() -> None:
    events = [*reference_events(),
              stored("CIECA", "Bad link seminar", date(2024, 5, 8), kind="seminar",
                     url="javascript:alert(1)")]
    data = render_events_docx(reference_events_tables(events))
    document = open_docx(data)
    links = document.element.body.findall(".//" + qn("w:hyperlink"))
    targets = [document.part.rels[link.get(qn("r:id"))].target_ref for link in links]
    assert targets == ["https://tinyurl.com/mutu8xxm", "https://tinyurl.com/anhtuxde",
                       "https://tinyurl.com/5x8tn7zb"]
    (bad,) = [row for row in document.tables[1].rows if row.cells[3].text == "Bad link seminar"]
    assert bad.cells[4].text == "javascript:alert(1)"


@pytest.mark.parametrize("render", [
    lambda: render_calendar_docx(reference_calendar()),
    lambda: render_events_docx(reference_events_tables()),
], ids=["calendar", "events"])
def test_every_run_names_an_east_asian_font(render: Callable[[], bytes]) -> None:
    document = open_docx(render())
    runs = document.element.body.findall(".//" + qn("w:r"))
    assert runs
    for run in runs:
        fonts = run.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == EAST_ASIA_FONT
        assert fonts.get(qn("w:ascii")) == LATIN_FONT


def test_document_defaults_name_the_fonts_not_the_theme() -> None:
    document = open_docx(render_calendar_docx(reference_calendar()))
    defaults = document.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(".//" + qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == EAST_ASIA_FONT
    assert fonts.get(qn("w:eastAsiaTheme")) is None
    assert defaults.find(".//" + qn("w:lang")).get(qn("w:eastAsia")) == "zh-TW"


def test_same_data_gives_the_same_bytes() -> None:
    first = render_calendar_docx(reference_calendar())
    assert render_calendar_docx(reference_calendar()) == first
    assert render_events_docx(reference_events_tables()) == \
        render_events_docx(reference_events_tables())
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {ZIP_TIME}
        assert archive.testzip() is None


def test_core_properties_carry_the_given_stamp_and_title() -> None:
    stamp = datetime(2024, 4, 29, tzinfo=UTC)
    properties = open_docx(render_calendar_docx(reference_calendar(), stamp)).core_properties
    assert properties.created == properties.modified == stamp
    assert properties.title == "國際經貿行事曆"
    default = open_docx(render_calendar_docx(reference_calendar())).core_properties
    assert default.created == FIXED_STAMP


def test_empty_window_still_prints_every_section_heading() -> None:
    table = calendar_table([], make_config(), date(2030, 1, 7), date(2030, 1, 31))
    (grid,) = open_docx(render_calendar_docx(table)).tables
    assert [row[1] for row in row_cells(grid)[1:]] == ["WTO", "RTA", "CPTPP、RCEP",
                                                       "APEC 及其他國際組織"]
