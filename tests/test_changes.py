"""What changed since the last issue: a second refresh moves, cancels, retitles and adds.

The store is filled by ``Store.apply_fetch`` with explicit times: a first refresh before
``SINCE``, one change between it and ``SINCE`` (which the report must not list), and a
second refresh after ``SINCE``. The report must list exactly what the second one did to
meetings and events the tables print.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import docx
import pytest
from bs4 import BeautifulSoup

from aggregator.core.model import Event
from aggregator.store.db import Store
from aggregator.store.issues import last_issue, record_issue
from aggregator.store.overrides import clear_override, set_override
from feeds.changes import (
    CHANGES_COLUMNS,
    ChangesReport,
    changes_since,
    format_since,
)
from feeds.changes_render import (
    NO_CHANGES,
    render_changes_csv,
    render_changes_docx,
    render_changes_html,
    render_changes_markdown,
)
from tests.reference import make_config

FIRST = datetime(2024, 4, 20, 8, 0, tzinfo=UTC)
BETWEEN = datetime(2024, 4, 23, 8, 0, tzinfo=UTC)
SINCE = datetime(2024, 4, 25, 0, 0, tzinfo=UTC)
SECOND = datetime(2024, 4, 27, 8, 0, tzinfo=UTC)
LIMA = ZoneInfo("America/Lima")


def wto(key: str, title: str, start: date, end: date | None = None, **fields: Any) -> Event:
    return Event(source="wto", source_key=key, organization="WTO", title=title, start=start,
                 end=end, timezone="Europe/Zurich", **fields)


def apec(key: str, title: str, start: datetime) -> Event:
    return Event(source="apec", source_key=key, organization="APEC", title=title,
                 start=start, timezone="America/Lima")


def seminar(key: str, title: str, start: date, **fields: Any) -> Event:
    return Event(source="cieca", source_key=key, organization="CIECA", title=title,
                 start=start, timezone="Asia/Taipei", kind="seminar", **fields)


FIRST_WTO = [
    wto("A", "General Council", date(2024, 5, 7), date(2024, 5, 8)),
    wto("B", "Committee on Agriculture", date(2024, 5, 10)),
    wto("C", "Council for Trade in Goods", date(2024, 5, 14)),
    wto("D", "Committee on Customs Valuation", date(2024, 5, 23)),
    wto("E", "Trade Policy Review: Suriname", date(2024, 5, 2)),
    wto("H", "Comments due on the fisheries text", date(2024, 5, 15), kind="deadline"),
    wto("I", "Committee on Safeguards", date(2024, 4, 10)),
    wto("K", "Committee on Market Access", date(2024, 5, 13)),
]
SECOND_WTO = [
    wto("A", "General Council", date(2024, 5, 22), date(2024, 5, 23)),  # moved
    # B vanished: cancelled by apply_fetch
    wto("C", "Council for Trade in Goods (Goods Council)", date(2024, 5, 14)),  # retitled
    wto("D", "Committee on Customs Valuation", date(2024, 5, 23)),  # unchanged
    wto("E", "Trade Policy Review: Suriname (second session)", date(2024, 5, 2)),  # as before
    wto("H", "Comments due on the fisheries text", date(2024, 5, 20), kind="deadline"),
    wto("I", "Committee on Safeguards (formal meeting)", date(2024, 4, 10)),  # past
    wto("K", "Committee on Market Access", date(2024, 5, 13), status="postponed"),
    wto("F", "Dispute Settlement Body", date(2024, 5, 17)),  # new
]
TELWG = "TELWG Workshop on Meaningful Connectivity"


@pytest.fixture
def refreshed(store: Store) -> Store:
    """The store after both refreshes (and the change in between)."""
    store.apply_fetch(FIRST_WTO, [], {}, source="wto", now=FIRST)
    store.upsert_events([apec("G", TELWG, datetime(2024, 5, 6, 10, 0, tzinfo=LIMA))], now=FIRST)
    between = [e.with_changes(title="Trade Policy Review: Suriname (second session)")
               if e.source_key == "E" else e for e in FIRST_WTO]
    store.apply_fetch(between, [], {}, source="wto", now=BETWEEN)
    vanished = [FIRST_WTO[1].uid]
    store.apply_fetch(SECOND_WTO, vanished, {}, source="wto", now=SECOND)
    store.upsert_events([apec("G", TELWG, datetime(2024, 5, 6, 14, 0, tzinfo=LIMA))],
                        now=SECOND)
    store.upsert_events([seminar("J", "2024 臺日 AI 產業合作研討會", date(2024, 5, 9))],
                        now=SECOND)
    return store


def lines(report: ChangesReport) -> list[tuple[str, str, str, str, str]]:
    return [(c.kind, c.dates, c.title, c.old, c.new) for c in report.changes]


def test_report_lists_exactly_what_the_second_refresh_did(refreshed: Store) -> None:
    report = changes_since(refreshed, make_config(), SINCE)
    assert lines(report) == [
        ("new", "5/9", "2024 臺日 AI 產業合作研討會", "", "5/9"),
        ("new", "5/17", "Dispute Settlement Body", "", "5/17"),
        ("moved", "5/6", TELWG, "5/6 10:00", "5/6 14:00"),
        ("moved", "5/22-23", "General Council", "5/7-8", "5/22-23"),
        ("retitled", "5/14", "Council for Trade in Goods (Goods Council)",
         "Council for Trade in Goods", "Council for Trade in Goods (Goods Council)"),
        ("cancelled", "5/10", "Committee on Agriculture", "確定", "取消"),
        ("cancelled", "5/13", "Committee on Market Access", "確定", "延期"),
    ]


def test_each_line_says_where_the_event_is_printed(refreshed: Store) -> None:
    report = changes_since(refreshed, make_config(), SINCE)
    placed = {(c.organization, c.placement) for c in report.changes}
    assert placed == {("中華民國國際經濟合作協會", "其他經貿相關活動"), ("WTO", "WTO"),
                      ("APEC", "APEC 及其他國際組織")}
    assert report.changes[0].cells() == (
        "新增", "其他經貿相關活動", "中華民國國際經濟合作協會", "5/9",
        "2024 臺日 AI 產業合作研討會", "", "5/9")


def test_since_after_everything_lists_nothing(refreshed: Store) -> None:
    assert changes_since(refreshed, make_config(), SECOND + timedelta(seconds=1)).changes == ()


def test_since_before_the_first_refresh_lists_events_as_new(refreshed: Store) -> None:
    report = changes_since(refreshed, make_config(), FIRST - timedelta(days=1))
    assert {c.kind for c in report.changes} == {"new"}
    titles = {c.title for c in report.changes}
    assert "Committee on Agriculture" not in titles  # added, then cancelled: nothing to print
    assert "Committee on Customs Valuation" in titles


def test_a_change_undone_is_no_change(store: Store) -> None:
    event = wto("X", "Committee on Budget", date(2024, 5, 8))
    store.upsert_events([event], now=FIRST)
    store.upsert_events([event.with_changes(title="Committee on Budget, Finance")], now=SECOND)
    store.upsert_events([event], now=SECOND + timedelta(hours=1))
    assert changes_since(store, make_config(), SINCE).changes == ()


def test_a_cancelled_meeting_that_is_back_is_reinstated(store: Store) -> None:
    event = wto("X", "Committee on Budget", date(2024, 5, 8))
    store.upsert_events([event.with_changes(status="cancelled")], now=FIRST)
    store.upsert_events([event], now=SECOND)
    assert lines(changes_since(store, make_config(), SINCE)) == [
        ("reinstated", "5/8", "Committee on Budget", "取消", "確定")]


def test_another_sources_copy_of_a_meeting_is_not_new(store: Store) -> None:
    store.upsert_events([wto("X", "Committee on Budget", date(2024, 5, 8))], now=FIRST)
    airgram = Event(source="wto-airgrams", source_key="WTO/AIR/1", organization="WTO",
                    title="Committee on Budget", start=date(2024, 5, 8), timezone="Europe/Zurich")
    store.upsert_events([airgram], now=SECOND)
    assert changes_since(store, make_config(), SINCE).changes == ()


def test_an_event_hidden_since_is_removed(refreshed: Store) -> None:
    council = SECOND_WTO[2].uid
    set_override(refreshed, council, "hidden", "1", now=SECOND + timedelta(hours=1))
    report = changes_since(refreshed, make_config(), SINCE)
    (removed,) = report.of_kind("removed")
    assert (removed.uid, removed.title, removed.new) == (
        council, "Committee on Customs Valuation", "編輯隱藏")
    assert report.changes[-1] == removed


def test_hidden_before_since_or_shown_again_is_not_removed(refreshed: Store) -> None:
    moved = SECOND_WTO[0].uid  # General Council, moved by the second refresh
    set_override(refreshed, moved, "hidden", "1", now=BETWEEN)
    shown = SECOND_WTO[2].uid
    set_override(refreshed, shown, "hidden", "1", now=SECOND)
    clear_override(refreshed, shown, "hidden", now=SECOND + timedelta(hours=1))
    report = changes_since(refreshed, make_config(), SINCE)
    assert report.of_kind("removed") == ()
    assert "General Council" not in {c.title for c in report.changes}  # not printed at all


def test_an_editors_title_is_the_one_shown(refreshed: Store) -> None:
    council = SECOND_WTO[1].uid
    set_override(refreshed, council, "title", "貨品貿易理事會", now=SECOND)
    (retitled,) = changes_since(refreshed, make_config(), SINCE).of_kind("retitled")
    assert (retitled.title, retitled.old) == ("貨品貿易理事會", "Council for Trade in Goods")


def test_a_store_without_overrides_is_fine(refreshed: Store) -> None:
    assert not refreshed.db["overrides"].exists() or refreshed.db["overrides"].count == 0
    assert changes_since(refreshed, make_config(), SINCE).of_kind("removed") == ()


def test_naive_since_is_local_time(refreshed: Store) -> None:
    naive = SINCE.astimezone().replace(tzinfo=None)
    assert changes_since(refreshed, make_config(), naive).changes == \
        changes_since(refreshed, make_config(), SINCE).changes


def test_since_line() -> None:
    taipei = datetime(2024, 4, 26, 16, 5, tzinfo=ZoneInfo("Asia/Taipei"))
    assert format_since(taipei) == "2024 年 4 月 26 日 16:05 (UTC+08:00) 以後"
    assert format_since(SINCE) == "2024 年 4 月 25 日 00:00 (UTC+00:00) 以後"


def test_an_issue_is_exact_to_the_history_row_not_the_second(store: Store) -> None:
    """A refresh, the issue, then a refresh that moves and cancels, all in one second: the
    report since the issue lists the move and the cancellation, only the new one as new."""
    config = make_config()
    store.apply_fetch(FIRST_WTO, [], {}, source="wto", now=FIRST)
    assert last_issue(store) is None
    issue = record_issue(store, date(2024, 4, 29), date(2024, 5, 23), now=FIRST)
    store.apply_fetch(SECOND_WTO, [FIRST_WTO[1].uid], {}, source="wto", now=FIRST)
    found = {(change.kind, change.title) for change in changes_since(store, config, issue).changes}
    assert {title for kind, title in found if kind == "new"} == {"Dispute Settlement Body"}
    assert ("moved", "General Council") in found
    assert ("cancelled", "Committee on Agriculture") in found
    assert last_issue(store) == issue and issue.number == 1
    assert "第 1 期 2024-04-29 – 2024-05-23" in changes_since(store, config, issue).since_line


def test_html_report_escapes_and_links(store: Store) -> None:
    store.upsert_events([seminar("S", "<script>alert(1)</script>", date(2024, 5, 9),
                                 url="https://example.org/s?a=1&b=2")], now=SECOND)
    html = render_changes_html(changes_since(store, make_config(), SINCE))
    assert "<script>" not in html
    soup = BeautifulSoup(html, "html.parser")
    cells = [td.get_text(" ") for td in soup.find_all("td")]
    assert "<script>alert(1)</script> https://example.org/s?a=1&b=2" in cells
    assert soup.a["href"] == "https://example.org/s?a=1&b=2"


def test_docx_report_cell_by_cell(refreshed: Store) -> None:
    report = changes_since(refreshed, make_config(), SINCE)
    document = docx.Document(io.BytesIO(render_changes_docx(report)))
    assert [p.text for p in document.paragraphs] == [report.title, report.since_line]
    (table,) = document.tables
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        list(CHANGES_COLUMNS), *[list(change.cells()) for change in report.changes]]
    assert render_changes_docx(report) == render_changes_docx(report)


def test_csv_report_reads_back(refreshed: Store) -> None:
    report = changes_since(refreshed, make_config(), SINCE)
    text = render_changes_csv(report)
    rows = list(csv.reader(io.StringIO(text.encode("utf-8").decode("utf-8-sig"))))
    assert rows[0] == [*CHANGES_COLUMNS, "uid"]
    assert rows[1:] == [[*change.cells(), change.uid] for change in report.changes]


@pytest.mark.parametrize("render", [render_changes_markdown, render_changes_html])
def test_empty_report_says_so(store: Store, render: Any) -> None:
    text = render(changes_since(store, make_config(), SINCE))
    assert NO_CHANGES in text and "<table" not in text and "|---" not in text


def test_empty_report_in_docx_and_csv(store: Store) -> None:
    report = changes_since(store, make_config(), SINCE)
    document = docx.Document(io.BytesIO(render_changes_docx(report)))
    assert document.tables == [] and document.paragraphs[-1].text == NO_CHANGES
    assert render_changes_csv(report).splitlines() == ["\ufeff" + ",".join(
        [*CHANGES_COLUMNS, "uid"])]
