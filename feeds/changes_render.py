"""The changes report in the tables' formats: Markdown, HTML, DOCX and CSV.

Each lays out the same cells (:meth:`feeds.changes.Change.cells`) with the helpers of the
newsletter tables' renderer of its format: a title line, the line saying since when, then
one table row per change (or a line saying there is none). The CSV adds the event's uid.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from feeds import docx as word
from feeds.changes import ChangesReport
from feeds.csv_table import UID_COLUMN, write_csv
from feeds.html import TABLE_OPEN, escape, finish_html, link_or_text, table_head
from feeds.html import table_row as html_row
from feeds.markdown import header_lines, one_line
from feeds.markdown import table_row as markdown_row

NO_CHANGES = "（無異動）"
CHANGES_WIDTHS_CM: tuple[float, ...] = (1.3, 2.4, 1.6, 1.6, 5.1, 2.5, 2.5)


def render_changes_markdown(report: ChangesReport) -> str:
    """Title, since line, and a pipe table of the changes."""
    lines = [one_line(report.title), "", one_line(report.since_line), ""]
    if not report.changes:
        return "\n".join([*lines, NO_CHANGES]) + "\n"
    lines += header_lines(report.columns)
    lines.extend(markdown_row(change.cells()) for change in report.changes)
    return "\n".join(lines) + "\n"


def render_changes_html(report: ChangesReport, standalone: bool = False) -> str:
    """An HTML fragment (or document): heading, since line, the table; names link."""
    parts = [f"<h2>{escape(report.title)}</h2>", f"<p>{escape(report.since_line)}</p>"]
    if not report.changes:
        parts.append(f"<p>{escape(NO_CHANGES)}</p>")
        return finish_html(parts, report.title, standalone)
    name = report.columns.index("名稱")
    rows = []
    for change in report.changes:
        cells = [escape(cell) for cell in change.cells()]
        if change.url:
            cells[name] = f"{cells[name]}<br>{link_or_text(change.url)}"
        rows.append(html_row(cells))
    parts += [TABLE_OPEN, table_head(report.columns), "<tbody>", *rows, "</tbody>", "</table>"]
    return finish_html(parts, report.title, standalone)


def render_changes_docx(report: ChangesReport, stamp: datetime | None = None) -> bytes:
    """A Word document: title, since line, a bordered table of the changes."""
    document = word.new_document(report.title, stamp or report.since)
    word.add_paragraph(document, report.title, bold=True, size=14)
    word.add_paragraph(document, report.since_line)
    if not report.changes:
        word.add_paragraph(document, NO_CHANGES)
    else:
        table = word.add_table(document, report.columns, CHANGES_WIDTHS_CM)
        for change in report.changes:
            word.add_row(table, change.cells(), CHANGES_WIDTHS_CM)
    return word.document_bytes(document)


def render_changes_csv(report: ChangesReport) -> str:
    """UTF-8 CSV with BOM: a header row, one row per change, its uid last."""
    rows = [(*change.cells(), change.uid) for change in report.changes]
    return write_csv((*report.columns, UID_COLUMN), rows)


CHANGES_RENDERERS: dict[str, Callable[[ChangesReport], str | bytes]] = {
    "markdown": render_changes_markdown, "html": render_changes_html,
    "docx": render_changes_docx, "csv": render_changes_csv}
