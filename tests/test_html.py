"""HTML export of the newsletter tables: the reference's cells, escaping, safe links."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup, Tag

from feeds.html import link_or_text, render_calendar_html, render_events_html
from tests.reference import (
    read_reference,
    reference_calendar,
    reference_events,
    reference_events_tables,
    stored,
)


def table_cells(table: Tag) -> list[list[str]]:
    """Every row of an HTML table as the texts of its cells (header row first)."""
    return [[cell.get_text() for cell in row.find_all(["th", "td"])]
            for row in table.find_all("tr")]


def markdown_plain(cells: list[str]) -> list[str]:
    """A reference row as printed text: ``**WTO**`` is WTO, empty filler cells dropped."""
    if cells[0].startswith("*") and not any(cells[1:]):
        return [cells[0].strip("*")]
    return cells


def test_calendar_html_matches_the_reference_cell_by_cell() -> None:
    reference = read_reference()
    soup = BeautifulSoup(render_calendar_html(reference_calendar()), "html.parser")
    assert soup.h2.get_text() == reference.title
    assert [p.get_text() for p in soup.find_all("p")] == [reference.window, reference.footer]
    (table,) = soup.find_all("table")
    assert [th.get_text() for th in table.find_all("th")] == reference.cells(0)[0]
    assert table_cells(table) == [markdown_plain(row) for row in reference.cells(0)]


def test_calendar_html_headings_span_the_table() -> None:
    soup = BeautifulSoup(render_calendar_html(reference_calendar()), "html.parser")
    headings = [(td["colspan"], td.find(["strong", "em"]).name, td.get_text())
                for td in soup.find_all("td", colspan=True)]
    assert headings == [("3", "strong", "WTO"), ("3", "strong", "RTA"),
                        ("3", "em", "CPTPP、RCEP"), ("3", "strong", "APEC 及其他國際組織")]


def test_events_html_matches_the_reference_cell_by_cell() -> None:
    reference = read_reference()
    soup = BeautifulSoup(render_events_html(reference_events_tables()), "html.parser")
    assert [h2.get_text() for h2 in soup.find_all("h2")] == list(reference.table_titles)
    tables = soup.find_all("table")
    assert [table_cells(table) for table in tables] == [reference.cells(1), reference.cells(2)]
    links = [a["href"] for a in soup.find_all("a")]
    assert links == [row[4] for row in reference.cells(1)[1:] + reference.cells(2)[1:]]


def test_every_text_is_escaped() -> None:
    events = reference_events() + [
        stored("WTO", "<script>alert(1)</script> & <b>bold</b>", date(2024, 5, 8)),
        stored("<img src=x onerror=alert(1)>", "A & B", date(2024, 5, 9), kind="seminar",
               url="javascript:alert(1)")]
    calendar = render_calendar_html(reference_calendar(events))
    listing = render_events_html(reference_events_tables(events))
    for page in (calendar, listing):
        soup = BeautifulSoup(page, "html.parser")
        assert soup.find_all(["script", "img", "b"]) == []
    assert "⚫ <script>alert(1)</script> & <b>bold</b>" in BeautifulSoup(
        calendar, "html.parser").get_text()
    row = next(tr for tr in BeautifulSoup(listing, "html.parser").find_all("tr")
               if "A & B" in tr.get_text())
    assert [td.get_text() for td in row.find_all("td")] == [
        "<img src=x onerror=alert(1)>", "逕自洽詢", "5/9", "A & B", "javascript:alert(1)"]
    assert row.find("a") is None


@pytest.mark.parametrize("url", [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "/relative/path",
    "ftp://example.org/file",
    "http://",
    "tinyurl.com/mutu8xxm",
])
def test_only_http_urls_become_links(url: str) -> None:
    soup = BeautifulSoup(f"<td>{link_or_text(url)}</td>", "html.parser")
    assert soup.find("a") is None
    assert soup.get_text() == url
    assert soup.find("script") is None


@pytest.mark.parametrize("url", [
    "https://tinyurl.com/mutu8xxm",
    "HTTP://EXAMPLE.ORG/path",
    "https://example.org/?a=1&b=<2>",
    'https://example.org/"onmouseover="alert(1)',
])
def test_http_urls_become_links_with_escaped_href(url: str) -> None:
    soup = BeautifulSoup(link_or_text(url), "html.parser")
    (anchor,) = soup.find_all("a")
    assert anchor.attrs == {"href": url}
    assert anchor.get_text() == url


def test_standalone_document_declares_utf8() -> None:
    fragment = render_events_html(reference_events_tables())
    document = render_events_html(reference_events_tables(), standalone=True)
    assert "<html" not in fragment
    assert document.startswith("<!DOCTYPE html>")
    soup = BeautifulSoup(document, "html.parser")
    assert soup.find("meta")["charset"] == "utf-8"
    assert soup.title.get_text() == "活動快訊、其他經貿相關活動"
    assert fragment in document
    calendar = BeautifulSoup(render_calendar_html(reference_calendar(), standalone=True),
                             "html.parser")
    assert calendar.title.get_text() == "國際經貿行事曆"
    assert calendar.html["lang"] == "zh-Hant"
