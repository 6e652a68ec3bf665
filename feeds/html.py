"""The newsletter tables as HTML that pastes into Word and e-mail.

Each renderer returns a fragment (a heading, the table, the footer) or, with
``standalone=True``, a whole UTF-8 document around it. Every text is HTML-escaped; a URL
becomes a link only when it is an absolute http or https URL, anything else (``javascript:``,
``data:``, relative paths) is printed as plain text. Control characters other than line
breaks and tabs are left out (HTML has no place for them). Borders and padding are inline
attributes and styles, since Word and mail clients ignore style sheets.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from feeds.tables import CalendarTable, EventsTable, EventsTables

LINKABLE_SCHEMES: frozenset[str] = frozenset({"http", "https"})
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # all but TAB, LF, CR
TABLE_OPEN = ('<table border="1" cellspacing="0" cellpadding="4" '
               'style="border-collapse:collapse">')


def render_calendar_html(table: CalendarTable, standalone: bool = False) -> str:
    """國際經貿行事曆 as an HTML fragment (or a whole document)."""
    width = len(table.columns)
    body = [TABLE_OPEN, table_head(table.columns), "<tbody>"]
    for section in table.sections:
        body.append(_heading_row(f"<strong>{escape(section.name)}</strong>", width))
        if section.subheading:
            body.append(_heading_row(f"<em>{escape(section.subheading)}</em>", width))
        body.extend(table_row(escape(cell) for cell in row.cells()) for row in section.rows)
    body += ["</tbody>", "</table>"]
    parts = [f"<h2>{escape(table.title)}</h2>", f"<p>{escape(table.window)}</p>",
             *body, f"<p>{escape(table.footer)}</p>"]
    return finish_html(parts, table.title, standalone)


def render_events_html(tables: EventsTables, standalone: bool = False) -> str:
    """活動快訊 and 其他經貿相關活動 as an HTML fragment (or a whole document)."""
    parts: list[str] = []
    for table in tables.tables():
        parts.extend(_events_table(table))
    title = "、".join(table.title for table in tables.tables())
    return finish_html(parts, title, standalone)


def escape(text: str, quote: bool = True) -> str:
    """``text`` HTML-escaped, without control characters (but tabs and line breaks)."""
    return html.escape(_CONTROLS.sub("", text), quote=quote)


def link_or_text(url: str) -> str:
    """An ``<a>`` for an absolute http(s) URL, else the escaped text of whatever it is."""
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    if parts.scheme.lower() in LINKABLE_SCHEMES and parts.netloc:
        return f'<a href="{escape(cleaned, quote=True)}">{escape(cleaned)}</a>'
    return escape(url)


def _events_table(table: EventsTable) -> list[str]:
    rows = [table_row([*(escape(cell) for cell in row.cells()[:-1]), link_or_text(row.url)])
            for row in table.rows]
    return [f"<h2>{escape(table.title)}</h2>", TABLE_OPEN, table_head(table.columns),
            "<tbody>", *rows, "</tbody>", "</table>"]


def table_head(columns: Sequence[str]) -> str:
    cells = "".join(f"<th>{escape(column)}</th>" for column in columns)
    return f"<thead><tr>{cells}</tr></thead>"


def _heading_row(content: str, width: int) -> str:
    return f'<tr><td colspan="{width}">{content}</td></tr>'


def table_row(cells: Iterable[str]) -> str:
    """A row of cells whose content is already HTML."""
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def finish_html(parts: list[str], title: str, standalone: bool) -> str:
    fragment = "\n".join(parts) + "\n"
    if not standalone:
        return fragment
    return ('<!DOCTYPE html>\n<html lang="zh-Hant">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n</head>\n<body>\n{fragment}</body>\n</html>\n")
