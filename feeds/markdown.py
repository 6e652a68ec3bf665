"""The newsletter tables as Markdown pipe tables, laid out like the reference.

A section heading is a row whose first cell is bold (``| **WTO** | | |``), the RTA
sub-heading one whose first cell is italic (``| *CPTPP、RCEP* | | |``). Cell text has its
``|`` escaped and its line breaks folded into spaces, so a row always stays one line; its
backslashes, ``<``, ``[`` and ``]`` are escaped and its control characters left out, so
that a Markdown renderer shows a title's ``<script>`` or ``[link](javascript:…)`` as the
text it is, never as markup or a link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from feeds.tables import CalendarTable, EventsTable, EventsTables

_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # all but TAB, LF, CR
_MARKUP = re.compile(r"([\\<\[\]|])")  # backslash too: "\\|" must not free the pipe


def render_calendar_markdown(table: CalendarTable) -> str:
    """國際經貿行事曆: title, window, the table by section, footer."""
    width = len(table.columns)
    lines = [one_line(table.title), "", one_line(table.window), "", *header_lines(table.columns)]
    for section in table.sections:
        lines.append(_heading_row(f"**{one_line(section.name)}**", width))
        if section.subheading:
            lines.append(_heading_row(f"*{one_line(section.subheading)}*", width))
        lines.extend(table_row(row.cells()) for row in section.rows)
    lines += ["", one_line(table.footer)]
    return "\n".join(lines) + "\n"


def render_events_markdown(tables: EventsTables) -> str:
    """活動快訊 then 其他經貿相關活動, each a title line and a table."""
    blocks = [_events_block(table) for table in tables.tables()]
    return "\n\n".join(blocks) + "\n"


def escape_cell(text: str) -> str:
    """Cell text safe inside a pipe table: line breaks made spaces, control characters out,
    ``\\``, ``|``, ``<``, ``[`` and ``]`` escaped with a backslash."""
    return _MARKUP.sub(r"\\\1", _CONTROLS.sub("", one_line(text)))


def _events_block(table: EventsTable) -> str:
    lines = [one_line(table.title), "", *header_lines(table.columns)]
    lines.extend(table_row(row.cells()) for row in table.rows)
    return "\n".join(lines)


def header_lines(columns: Sequence[str]) -> list[str]:
    return [table_row(columns), "|" + "---|" * len(columns)]


def _heading_row(first_cell: str, width: int) -> str:
    return _join([first_cell.replace("|", "\\|"), *[""] * (width - 1)])


def table_row(cells: Sequence[str]) -> str:
    return _join([escape_cell(cell) for cell in cells])


def _join(cells: Sequence[str]) -> str:
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"


def one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text).strip()
