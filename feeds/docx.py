"""The newsletter tables as a Word document (python-docx), laid out like the reference.

Above the table the title (國際經貿行事曆) and the window line, below it the source footer;
the table has a header row (repeated on every page), one row per meeting, and each
section's heading as a row merged across the table (bold; the RTA sub-heading
``CPTPP、RCEP`` italic). The events document holds 活動快訊 and 其他經貿相關活動, each
under its title; an http(s) URL is a live link.

Chinese renders in Word whatever its language: every run names a Latin font and an East
Asian one (``w:eastAsia``), and so do the document defaults. The bytes depend only on the
cells and the ``stamp`` given for the document's created/modified times: the zip entries
carry a fixed time, so the same data gives the same file. Control characters (which XML
cannot carry: a NUL in a title would fail the whole document) are left out of every text
and link; tabs and line breaks stay.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from feeds.tables import CalendarTable, EventsTables

if TYPE_CHECKING:  # the parser library is imported where it is used
    from docx.document import Document as DocumentObject
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.table import Table, _Row
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

LATIN_FONT = "Times New Roman"
EAST_ASIA_FONT = "新細明體"  # PMingLiU, the usual Traditional Chinese body font
EAST_ASIA_LANGUAGE = "zh-TW"
TABLE_STYLE = "Table Grid"  # single borders on every cell
FIXED_STAMP = datetime(2000, 1, 1, tzinfo=UTC)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
LINK_SCHEMES = ("http://", "https://")
TEXT_WIDTH_CM = 17.0  # A4 with 2 cm margins
CALENDAR_WIDTHS_CM: tuple[float, ...] = (2.4, 2.0, 12.6)
EVENTS_WIDTHS_CM: tuple[float, ...] = (3.6, 2.2, 2.0, 5.6, 3.6)
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def render_calendar_docx(table: CalendarTable, stamp: datetime = FIXED_STAMP) -> bytes:
    """國際經貿行事曆 as a .docx: title, window, the table by section, footer."""
    document = new_document(table.title, stamp)
    add_paragraph(document, table.title, bold=True, size=14)
    add_paragraph(document, table.window)
    grid = add_table(document, table.columns, CALENDAR_WIDTHS_CM)
    for section in table.sections:
        add_heading_row(grid, section.name, bold=True)
        if section.subheading:
            add_heading_row(grid, section.subheading, italic=True)
        for row in section.rows:
            add_row(grid, row.cells(), CALENDAR_WIDTHS_CM)
    add_paragraph(document, table.footer, size=9, space_before=6)
    return document_bytes(document)


def render_events_docx(tables: EventsTables, stamp: datetime = FIXED_STAMP) -> bytes:
    """活動快訊 and 其他經貿相關活動 as a .docx, each table under its title."""
    document = new_document("、".join(table.title for table in tables.tables()), stamp)
    for index, table in enumerate(tables.tables()):
        add_paragraph(document, table.title, bold=True, size=14,
                      space_before=12 if index else 0)
        grid = add_table(document, table.columns, EVENTS_WIDTHS_CM)
        for row in table.rows:
            add_row(grid, row.cells(), EVENTS_WIDTHS_CM, link_last=True)
    return document_bytes(document)


def new_document(title: str, stamp: datetime = FIXED_STAMP) -> DocumentObject:
    """An empty A4 document with East Asian fonts, tight paragraphs and fixed properties."""
    from docx import Document
    from docx.shared import Cm, Pt
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    margin = Cm((21.0 - TEXT_WIDTH_CM) / 2)
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = Cm(2.0)
    _set_default_fonts(document)
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    properties = document.core_properties
    properties.title = xml_text(title)
    properties.author = properties.last_modified_by = "tradecal"
    properties.created = properties.modified = properties.last_printed = \
        stamp.astimezone(UTC).replace(tzinfo=None)
    properties.revision = 1
    return document


def add_paragraph(document: DocumentObject, text: str, *, bold: bool = False,
                  size: float | None = None, space_before: float = 0) -> Paragraph:
    """A paragraph of one run of ``text`` (below the last one), 6 pt after it."""
    from docx.shared import Pt
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(space_before)
    paragraph.paragraph_format.space_after = Pt(6)
    run = add_run(paragraph, text, bold=bold)
    if size is not None:
        run.font.size = Pt(size)
    return paragraph


def add_table(document: DocumentObject, columns: Sequence[str],
              widths_cm: Sequence[float]) -> Table:
    """A bordered table with its header row (bold, repeated on each page)."""
    from docx.shared import Cm
    table = document.add_table(rows=0, cols=len(columns))
    table.style = document.styles[TABLE_STYLE]
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    row = add_row(table, columns, widths_cm, bold=True)
    header = row._tr.get_or_add_trPr()
    header.append(_element("w:tblHeader"))
    return table


def add_row(table: Table, cells: Sequence[str], widths_cm: Sequence[float], *,
            bold: bool = False, link_last: bool = False) -> _Row:
    """A row of plain cells; with ``link_last`` the last cell links when it is a URL."""
    from docx.shared import Cm
    row = table.add_row()
    for index, (cell, text) in enumerate(zip(row.cells, map(xml_text, cells), strict=True)):
        cell.width = Cm(widths_cm[index])
        paragraph = cell.paragraphs[0]
        if link_last and index == len(cells) - 1 and text.strip().startswith(LINK_SCHEMES):
            add_hyperlink(paragraph, text.strip())
        elif text:
            add_run(paragraph, text, bold=bold)
    return row


def add_heading_row(table: Table, text: str, *, bold: bool = False,
                    italic: bool = False) -> None:
    """A row of one cell merged across the whole table, holding a section heading."""
    from docx.shared import Cm
    row = table.add_row()
    first, last = row.cells[0], row.cells[-1]
    merged = first.merge(last) if first is not last else first
    merged.width = Cm(sum(column.width.cm for column in table.columns))
    add_run(merged.paragraphs[0], text, bold=bold, italic=italic)


def add_run(paragraph: Paragraph, text: str, *, bold: bool = False,
            italic: bool = False) -> Run:
    """A run of ``text`` with both fonts named, so Chinese never falls back."""
    run = paragraph.add_run(xml_text(text))
    run.bold = bold or None
    run.italic = italic or None
    _name_fonts(run._r.get_or_add_rPr())
    return run


def add_hyperlink(paragraph: Paragraph, url: str) -> None:
    """A live link showing its own URL (blue, underlined); line breaks and tabs are left
    out of it, as browsers do."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.shared import RGBColor
    url = re.sub(r"[\t\r\n]", "", xml_text(url))
    relation = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = _element("w:hyperlink", {"r:id": relation})
    run = add_run(paragraph, url)
    run.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    run.font.underline = True
    link.append(run._r)  # moved from the paragraph into the link
    paragraph._p.append(link)


def xml_text(text: str) -> str:
    """``text`` without the control characters (and non-characters) XML cannot carry."""
    return _CONTROLS.sub("", text)


def document_bytes(document: DocumentObject) -> bytes:
    """The .docx file, its zip entries stamped with a fixed time."""
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


def _set_default_fonts(document: DocumentObject) -> None:
    """Document defaults: named Latin and East Asian fonts (not the theme's), zh-TW."""
    from docx.oxml.ns import qn
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = _element("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = _element("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = _element("w:rPr")
        rpr_default.append(rpr)
    _name_fonts(rpr)
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = _element("w:lang")
        rpr.append(language)
    language.set(qn("w:eastAsia"), EAST_ASIA_LANGUAGE)


def _name_fonts(rpr: BaseOxmlElement) -> None:
    """Name the fonts in an ``w:rPr``; theme font attributes would override them."""
    from docx.oxml.ns import qn
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = _element("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for name, font in (("w:ascii", LATIN_FONT), ("w:hAnsi", LATIN_FONT),
                       ("w:eastAsia", EAST_ASIA_FONT), ("w:cs", LATIN_FONT)):
        fonts.set(qn(name), font)


def _element(tag: str, attributes: dict[str, str] | None = None) -> BaseOxmlElement:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    element = OxmlElement(tag)
    for name, value in (attributes or {}).items():
        element.set(qn(name), value)
    return element


def _fixed_zip_times(data: bytes) -> bytes:
    """The same zip with every entry dated :data:`ZIP_TIME` (python-docx uses "now")."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(entry))
    return out.getvalue()
