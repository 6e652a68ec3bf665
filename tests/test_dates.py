"""English date and time phrases: dates, ranges, lists, times, sentences, dated headings."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aggregator.core.dates import (
    find_dates,
    find_time,
    find_times,
    month_number,
    nearest_date,
    parse_month_day_year,
    parse_time,
    split_at_date_headings,
    split_sentences,
)

REFERENCE = date(2024, 4, 19)
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]


@pytest.mark.parametrize(("text", "expected"), [
    ("May 29, 2024", date(2024, 5, 29)),
    ("Sept. 3, 2024", date(2024, 9, 3)),
    ("Dec 1 2023", date(2023, 12, 1)),
    ("May 29th, 2024", date(2024, 5, 29)),
    ("  February 29, 2024 ", date(2024, 2, 29)),
])
def test_parse_month_day_year(text: str, expected: date) -> None:
    assert parse_month_day_year(text) == expected


@pytest.mark.parametrize("text", ["29 May 2024", "May 29", "February 30, 2024",
                                  "May 29, 2024 and more", "Mayday 29, 2024"])
def test_parse_month_day_year_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_month_day_year(text)


@pytest.mark.parametrize(("name", "number"), [("January", 1), ("Sept.", 9), ("sep", 9),
                                              ("june", 6), ("Dec.", 12)])
def test_month_number(name: str, number: int) -> None:
    assert month_number(name) == number


@pytest.mark.parametrize(("text", "expected"), [
    ("May 29, 2024: The hearing", [("2024-05-29", "2024-05-29")]),
    ("June 4-6, 2024", [("2024-06-04", "2024-06-06")]),
    ("June 4 through 6, 2024", [("2024-06-04", "2024-06-06")]),
    ("May 29 and 30, 2024", [("2024-05-29", "2024-05-29"), ("2024-05-30", "2024-05-30")]),
    ("June 4, 5 and 6, 2024", [("2024-06-04", "2024-06-04"), ("2024-06-05", "2024-06-05"),
                               ("2024-06-06", "2024-06-06")]),
    ("May 29, 2024 and May 30, 2024", [("2024-05-29", "2024-05-29"),
                                       ("2024-05-30", "2024-05-30")]),
    ("May 30 – June 2, 2024", [("2024-05-30", "2024-06-02")]),
    ("December 30, 2024 – January 2, 2025", [("2024-12-30", "2025-01-02")]),
    ("Dec. 30 - Jan. 2, 2025", [("2024-12-30", "2025-01-02")]),
    ("30 May - 2 June 2024", [("2024-05-30", "2024-06-02")]),
    ("22 - 23 July 2024", [("2024-07-22", "2024-07-23")]),
    ("Wednesday, 9 and Thursday, 10 April 2025", [("2025-04-09", "2025-04-09"),
                                                  ("2025-04-10", "2025-04-10")]),
    ("on May 5, 10 a.m.", [("2024-05-05", "2024-05-05")]),
    ("Section 301 March 5, 2024, under Executive Order 14257", [("2024-03-05", "2024-03-05")]),
    ("USTR may hold a hearing; the 2024 review", []),
    ("February 30, 2024", []),
    ("June 6-4, 2024", []),
])
def test_find_dates(text: str, expected: list[tuple[str, str]]) -> None:
    found = [(span.first.isoformat(), span.last.isoformat())
             for span in find_dates(text, REFERENCE)]
    assert found == expected


def test_find_dates_locates_the_text() -> None:
    text = "Hearing: June 4-6, 2024 in Washington"
    [span] = find_dates(text)
    assert text[span.start:span.end] == "June 4-6, 2024"
    assert span.days() == [date(2024, 6, 4), date(2024, 6, 5), date(2024, 6, 6)]


def test_a_date_without_year_needs_a_reference() -> None:
    assert find_dates("on May 29") == []
    assert [span.first for span in find_dates("on May 29", date(2024, 4, 1))] == \
        [date(2024, 5, 29)]


@pytest.mark.parametrize(("month", "day", "reference", "expected"), [
    (1, 30, date(2023, 12, 19), date(2024, 1, 30)),
    (12, 20, date(2024, 1, 5), date(2023, 12, 20)),
    (5, 29, date(2024, 4, 19), date(2024, 5, 29)),
    (2, 29, date(2023, 3, 1), date(2024, 2, 29)),
])
def test_nearest_date(month: int, day: int, reference: date, expected: date) -> None:
    assert nearest_date(month, day, reference) == expected


@pytest.mark.parametrize(("text", "start", "end", "zone"), [
    ("beginning at 9:30 a.m.", time(9, 30), None, ""),
    ("at noon", time(12), None, ""),
    ("at 10 a.m. ET", time(10), None, "ET"),
    ("10 AM (Eastern Time)", time(10), None, "Eastern Time"),
    ("from 9:30 a.m. to 4:30 p.m. EDT", time(9, 30), time(16, 30), "EDT"),
    ("9.30am", time(9, 30), None, ""),
    ("12 p.m.", time(12), None, ""),
    ("12 a.m.", time(0), None, ""),
    ("by 11:59 p.m.", time(23, 59), None, ""),
    ("from 14:00-15:30", time(14), time(15, 30), ""),
    ("10 a.m. et al.", time(10), None, ""),
])
def test_find_time(text: str, start: time, end: time | None, zone: str) -> None:
    found = find_time(text)
    assert found is not None
    assert (found.start, found.end, found.zone) == (start, end, zone)


@pytest.mark.parametrize("text", ["a meeting at 1 a member", "Room 1, 1724 F Street",
                                  "section 3 amends it", "no time here"])
def test_find_time_finds_none(text: str) -> None:
    assert find_time(text) is None


def test_find_times_in_order() -> None:
    text = "opens at 9:30 a.m.; comments due by 11:59 p.m. EDT"
    assert [(span.start, span.zone) for span in find_times(text)] == \
        [(time(9, 30), ""), (time(23, 59), "EDT")]


@pytest.mark.parametrize(("text", "expected"), [("9:30 a.m.", time(9, 30)),
                                                ("noon", time(12)), ("14:00", time(14))])
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["9:30 a.m. to 5 p.m.", "soon", "25:00"])
def test_parse_time_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


def test_split_sentences_keeps_abbreviations() -> None:
    text = ("The Committee will convene in the main hearing room of the U.S. International "
            "Trade Commission, 500 E. Street SW, Washington DC 20436 beginning at 9:30 a.m. "
            "Post-hearing comments are due. It starts at 10 a.m. ET on Sept. 3. "
            "See Docket No. USTR-2024-0005. Done!\nNext line")
    assert split_sentences(text) == [
        "The Committee will convene in the main hearing room of the U.S. International Trade "
        "Commission, 500 E. Street SW, Washington DC 20436 beginning at 9:30 a.m.",
        "Post-hearing comments are due.",
        "It starts at 10 a.m. ET on Sept. 3.",
        "See Docket No. USTR-2024-0005.",
        "Done!",
        "Next line",
    ]


def test_split_at_date_headings() -> None:
    text = ("The schedule is as follows. April 19, 2024: Portal opens.\n"
            "June 12, 2024 at 11:59 p.m. EDT: Deadline for requests to appear.\n"
            "June 4 and 5, 2024: Hearing in Room 1 (see May 2, 2024: not a heading).")
    sections = split_at_date_headings(text)
    assert [(section.days, section.heading, section.body) for section in sections] == [
        ((), "", "The schedule is as follows."),
        ((date(2024, 4, 19),), "April 19, 2024", "Portal opens."),
        ((date(2024, 6, 12),), "June 12, 2024 at 11:59 p.m. EDT",
         "Deadline for requests to appear."),
        ((date(2024, 6, 4), date(2024, 6, 5)), "June 4 and 5, 2024",
         "Hearing in Room 1 (see May 2, 2024: not a heading)."),
    ]


def test_split_at_date_headings_without_headings() -> None:
    [section] = split_at_date_headings("Comments are due by May 22, 2024.")
    assert (section.days, section.body) == ((), "Comments are due by May 22, 2024.")


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)))
def test_any_written_date_is_found_again(day: date) -> None:
    written = f"{MONTH_NAMES[day.month - 1]} {day.day}, {day.year}"
    assert parse_month_day_year(written) == day
    [span] = find_dates(f"The hearing will be held on {written}, at the Commission.")
    assert (span.first, span.last) == (day, day)


@given(st.times().map(lambda value: value.replace(second=0, microsecond=0)))
def test_any_written_time_is_found_again(value: time) -> None:
    hour = value.hour % 12 or 12
    written = f"{hour}:{value.minute:02d} {'p.m.' if value.hour >= 12 else 'a.m.'}"
    assert parse_time(written) == value
    found = find_time(f"beginning at {written} ET.")
    assert found is not None and (found.start, found.zone) == (value, "ET")


@pytest.mark.parametrize(("text", "expected"), [
    ("Tuesday 30 April to Thursday 2 May 2024", [("2024-04-30", "2024-05-02")]),
    ("Tuesday, April 30 - Thursday, May 2, 2024", [("2024-04-30", "2024-05-02")]),
    ("Wed. 9 April 2025", [("2025-04-09", "2025-04-09")]),
    ("Mon, 29 April 2024", [("2024-04-29", "2024-04-29")]),
    ("APRIL 29, 2024", [("2024-04-29", "2024-04-29")]),
    ("12–14 March 2026", [("2026-03-12", "2026-03-14")]),
    ("MAYDAY 5, 2024", []),
])
def test_find_dates_weekday_and_capital_forms(text: str, expected: list[tuple[str, str]]) -> None:
    found = [(span.first.isoformat(), span.last.isoformat())
             for span in find_dates(text, REFERENCE)]
    assert found == expected


def test_find_any_dates_keeps_every_day_of_a_list() -> None:
    from aggregator.core.dates import find_any_dates
    found = [(span.first, span.last) for span in
             find_any_dates("Wednesday, 9 and Thursday, 10 April 2025; 113/05/07")]
    assert found == [(date(2025, 4, 9), date(2025, 4, 9)), (date(2025, 4, 10), date(2025, 4, 10)),
                     (date(2024, 5, 7), date(2024, 5, 7))]


def test_the_package_exports_every_reader() -> None:
    from aggregator.core import dates
    from aggregator.core.dates import anydate, chinese, english, spans, times
    assert dates.DateSpan is spans.DateSpan is english.DateSpan
    assert dates.TimeSpan is spans.TimeSpan is times.TimeSpan
    assert dates.find_dates is english.find_dates and dates.find_times is times.find_times
    assert dates.parse_any_date is anydate.parse_any_date
    assert dates.find_date_spans_zh is chinese.find_date_spans_zh
    assert all(hasattr(dates, name) for name in dates.__all__)
