"""The import CSV: every column, all-or-nothing refusal with line numbers."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from sources.lib.manual import CsvImportError, read_events_csv

HEADER = ("organization,title,start,end,timezone,location,url,status,kind,featured,"
          "registration_deadline,section\n")


def resolve(name: str) -> tuple[str, str | None]:
    return {"工研院": ("ITRI", "Asia/Taipei"), "WTO": ("WTO", "Europe/Zurich")}.get(
        name, (name, None))


def read(text: str):
    return read_events_csv(text, "events.csv", organization=resolve,
                           sections=("WTO", "RTA", "APEC 及其他國際組織"))


def test_every_column_is_read() -> None:
    [event] = read(HEADER + "工研院,國際地緣政治風險與我國出口管制規定宣導說明會,2024-05-10T14:00,"
                   "2024-05-10T16:30,,台北,https://tinyurl.com/mutu8xxm,tentative,seminar,yes,"
                   "2024-05-07,\n")
    zone = ZoneInfo("Asia/Taipei")
    assert event.organization == "ITRI"
    assert event.start == datetime(2024, 5, 10, 14, 0, tzinfo=zone)
    assert event.end == datetime(2024, 5, 10, 16, 30, tzinfo=zone)
    assert event.timezone == "Asia/Taipei"
    assert (event.location, event.url) == ("台北", "https://tinyurl.com/mutu8xxm")
    assert (event.status, event.kind, event.featured) == ("tentative", "seminar", True)
    assert event.registration_deadline == date(2024, 5, 7)
    assert event.section is None


def test_minimal_columns_in_any_order_with_bom_and_quotes() -> None:
    text = "\ufefftitle,start,organization\n\"Committee on Trade, and Development\",2024-04-30,WTO\n"
    [event] = read(text)
    assert event.title == "Committee on Trade, and Development"
    assert event.start == date(2024, 4, 30) and event.all_day
    assert event.timezone == "Europe/Zurich"
    assert (event.status, event.kind, event.featured) == ("confirmed", "meeting", False)


def test_unknown_organization_defaults_to_taipei_and_blank_lines_skipped() -> None:
    events = read("organization,title,start\n\n某大學,研討會,2024-05-03\n,,\n")
    assert [e.timezone for e in events] == ["Asia/Taipei"]


def test_same_file_gives_same_uids() -> None:
    text = HEADER + "WTO,General Council,2024-05-22,2024-05-23,,,,,,,,\n"
    assert [e.uid for e in read(text)] == [e.uid for e in read(text)]


@pytest.mark.parametrize(("row", "line", "words"), [
    ("WTO,GC,2024-02-30,,,,,,,,,", 3, "start '2024-02-30'"),
    ("WTO,GC,2024-05-23,2024-05-22,,,,,,,,", 3, "before start"),
    ("WTO,GC,2024-05-23,,Mars/Base,,,,,,,", 3, "time zone"),
    ("WTO,GC,2024-05-23,,,,,maybe,,,,", 3, "status"),
    ("WTO,GC,2024-05-23,,,,,,party,,,", 3, "kind"),
    ("WTO,GC,2024-05-23,,,,,,,perhaps,,", 3, "featured"),
    ("WTO,GC,2024-05-23,,,,,,,,next week,", 3, "registration_deadline"),
    ("WTO,GC,2024-05-23,,,,,,,,,Elsewhere", 3, "section"),
    (",GC,2024-05-23,,,,,,,,,", 3, "organization is empty"),
    ("WTO,GC,2024-05-23T10:00,2024-05-24,,,,,,,,", 3, "both"),
    ("WTO,Committee on Customs Valuation,2024-05-23,,,,,,,,,", 3, "same event as line 2"),
])
def test_bad_row_refuses_file_with_line_number(row: str, line: int, words: str) -> None:
    good = "WTO,Committee on Customs Valuation,2024-05-23,,,,,,,,,\n"
    with pytest.raises(CsvImportError) as caught:
        read(HEADER + good + row + "\n")
    message = str(caught.value)
    assert f"events.csv, line {line}:" in message
    assert words in message


def test_line_numbers_count_quoted_newlines() -> None:
    text = HEADER + 'WTO,"Two\nlines",2024-05-23,,,,,,,,,\nWTO,Bad,2024-13-01,,,,,,,,,\n'
    with pytest.raises(CsvImportError, match="line 4"):
        read(text)


@pytest.mark.parametrize(("header", "words"), [
    ("", "no header"),
    ("organization,title,start,colour\n", "unknown column 'colour'"),
    ("organization,title\n", "missing column 'start'"),
])
def test_bad_headers(header: str, words: str) -> None:
    body = "WTO,GC,2024-05-23\n" if header else ""
    with pytest.raises(CsvImportError, match=words):
        read(header + body)
