"""``aggregator.publish``: every format from one store, files written as spreadsheets and Word
expect them, editors' overrides applied, the changes report."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

import docx
import pytest

from aggregator.publish import (
    EXTENSIONS,
    FORMATS,
    MEDIA_TYPES,
    export_calendar,
    export_changes,
    export_events,
    write_export,
)
from aggregator.store.db import Store
from aggregator.store.issues import record_issue
from aggregator.store.overrides import set_override
from feeds.csv_table import render_calendar_csv, render_events_csv
from feeds.docx import render_calendar_docx
from feeds.html import render_calendar_html, render_events_html
from feeds.markdown import render_calendar_markdown, render_events_markdown
from tests.reference import (
    END,
    START,
    make_config,
    read_reference,
    reference_calendar,
    reference_events,
    reference_events_tables,
)

STORED_AT = datetime(2024, 4, 25, 8, 0, tzinfo=UTC)


@pytest.fixture
def reference_store(store: Store) -> Store:
    """The reference's events, stored source by source as a refresh would."""
    events = [s.event for s in reference_events()]
    for _, group in groupby(events, key=lambda event: event.source):
        store.upsert_events(list(group), now=STORED_AT)
    return store


def test_formats_know_their_files() -> None:
    assert FORMATS == ("markdown", "html", "docx", "csv")
    assert set(EXTENSIONS) == set(MEDIA_TYPES) == set(FORMATS)


@pytest.mark.parametrize("fmt, render", [
    ("markdown", render_calendar_markdown), ("html", render_calendar_html),
    ("csv", render_calendar_csv),
    ("docx", lambda table: render_calendar_docx(table, datetime(2024, 4, 29, tzinfo=UTC))),
])
def test_calendar_from_the_store_in_every_format(reference_store: Store, fmt: str,
                                                 render: object) -> None:
    exported = export_calendar(reference_store, make_config(), START, END, fmt)
    assert exported == render(reference_calendar())  # type: ignore[operator]
    assert isinstance(exported, bytes if fmt == "docx" else str)


@pytest.mark.parametrize("fmt, render", [
    ("markdown", render_events_markdown), ("html", render_events_html),
    ("csv", render_events_csv),
])
def test_events_from_the_store_in_every_text_format(reference_store: Store, fmt: str,
                                                    render: object) -> None:
    exported = export_events(reference_store, make_config(), START, END, fmt)
    assert exported == render(reference_events_tables())  # type: ignore[operator]


def test_events_docx_holds_the_reference(reference_store: Store) -> None:
    data = export_events(reference_store, make_config(), START, END, "docx")
    document = docx.Document(io.BytesIO(data))
    reference = read_reference()
    assert [[[c.text for c in row.cells] for row in table.rows] for table in document.tables] \
        == [reference.cells(1), reference.cells(2)]


def test_docx_bytes_depend_on_the_data_only(reference_store: Store) -> None:
    first = export_calendar(reference_store, make_config(), START, END, "docx")
    assert export_calendar(reference_store, make_config(), START, END, "docx") == first


def test_unknown_format_is_refused(reference_store: Store) -> None:
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        export_calendar(reference_store, make_config(), START, END, "pdf")


def test_hidden_and_retitled_events_as_editors_left_them(reference_store: Store) -> None:
    uids = {s.event.title: s.event.uid for s in reference_store.events()}
    set_override(reference_store, uids["Committee on Customs Valuation"], "hidden", "1")
    set_override(reference_store, uids["2024 臺日 AI 產業合作研討會"], "title", "臺日 AI 研討會")
    for fmt in FORMATS:
        calendar = export_calendar(reference_store, make_config(), START, END, fmt)
        events = export_events(reference_store, make_config(), START, END, fmt)
        if fmt == "docx":
            calendar, events = (_docx_text(data) for data in (calendar, events))
        assert "Customs Valuation" not in calendar, fmt
        assert "臺日 AI 研討會" in events and "2024 臺日 AI 產業合作研討會" not in events, fmt


def test_events_given_by_the_caller_are_the_ones_printed(reference_store: Store) -> None:
    only_wto = [s for s in reference_store.events() if s.event.organization == "WTO"]
    text = export_calendar(reference_store, make_config(), START, END, events=only_wto)
    assert "Customs Valuation" in text and "IMF：" not in text


def test_csv_file_keeps_bom_and_crlf(reference_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "calendar.csv"
    write_export(export_calendar(reference_store, make_config(), START, END, "csv"), out)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\r\n" not in data
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][:2] == ["WTO", "4/30"]


def test_docx_file_is_written_as_bytes(reference_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "calendar.docx"
    data = export_calendar(reference_store, make_config(), START, END, "docx")
    write_export(data, out)
    assert out.read_bytes() == data
    assert docx.Document(str(out)).paragraphs[0].text == "國際經貿行事曆"


@pytest.mark.parametrize("fmt", FORMATS)
def test_changes_in_every_format(reference_store: Store, fmt: str) -> None:
    since = datetime(2024, 4, 24, tzinfo=UTC)
    issue = record_issue(reference_store, START, END, now=since)
    assert "新增" not in str(export_changes(reference_store, make_config(), issue, "csv"))
    exported = export_changes(reference_store, make_config(), since, fmt)
    text = _docx_text(exported) if fmt == "docx" else exported
    assert "Committee on Customs Valuation" in text and "新增" in text


def _docx_text(data: str | bytes) -> str:
    assert isinstance(data, bytes)
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([*(p.text for p in document.paragraphs), *cells])
