"""The newsletter tables as CSV for spreadsheets: one row per printed row.

UTF-8 with a byte order mark, so Excel opens it with the Chinese intact, and CRLF line
ends. A header row names the columns: the calendar's are ``分類`` (the section the row is
printed under), then the printed cells (日期, 星期, 會議), then ``uid`` (for ``tradecal
edit``); the events tables' are ``表格`` (活動快訊 or 其他經貿相關活動), the five printed
cells, ``uid``. Section headings are not rows: the section column says where each row
belongs. A cell that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) gets a leading ``'``, so text from a website is
never executed. Control characters other than tabs and line breaks are left out (a NUL ends
the cell in some readers).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from feeds.tables import CalendarTable, EventsTables

BOM = "\ufeff"
SECTION_COLUMN = "分類"
TABLE_COLUMN = "表格"
UID_COLUMN = "uid"
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # all but TAB, LF, CR


def render_calendar_csv(table: CalendarTable) -> str:
    """國際經貿行事曆: one row per meeting, its section in the first column."""
    rows = [(section.name, *row.cells(), row.uid)
            for section in table.sections for row in section.rows]
    return write_csv((SECTION_COLUMN, *table.columns, UID_COLUMN), rows)


def render_events_csv(tables: EventsTables) -> str:
    """活動快訊 and 其他經貿相關活動: one row per event, its table in the first column."""
    first = tables.featured
    rows = [(table.title, *row.cells(), row.uid)
            for table in tables.tables() for row in table.rows]
    return write_csv((TABLE_COLUMN, *first.columns, UID_COLUMN), rows)


def write_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A BOM, the header row and the rows, every cell made safe for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return BOM + buffer.getvalue()


def safe_cell(text: str) -> str:
    """``text`` without control characters, with a leading ``'`` when a spreadsheet would
    read it as a formula."""
    text = _CONTROLS.sub("", text)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
