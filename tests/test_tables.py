"""The newsletter table model against the reference transcription and its rules.

The configuration, the events and the parsed reference come from tests/reference.py.
"""

from __future__ import annotations

import csv
import random
import re
from datetime import UTC, date, datetime

import pytest

from aggregator.core.model import StoredEvent
from feeds.tables import (
    calendar_table,
    events_tables,
    format_date_span,
    format_weekday_span,
    format_window,
)
from tests.reference import (
    APEC_SECTION,
    END,
    REFERENCE_DIR,
    START,
    calendar_rows,
    make_config,
    read_reference,
    reference_calendar,
    reference_events,
    reference_events_tables,
    stored,
)

# --- the reference itself ------------------------------------------------------------------

def test_calendar_matches_reference_cell_by_cell() -> None:
    reference = read_reference()
    table = reference_calendar()
    assert [table.title, table.window, table.footer] == [
        reference.title, reference.window, reference.footer]
    assert list(table.columns) == reference.cells(0)[0]
    model = [(section.name, section.subheading, [row.cells() for row in section.rows])
             for section in table.sections]
    assert model == reference.calendar_sections()


@pytest.mark.parametrize("index", [0, 1])
def test_events_tables_match_reference_cell_by_cell(index: int) -> None:
    reference = read_reference()
    table = reference_events_tables().tables()[index]
    assert table.title == reference.table_titles[index]
    assert list(table.columns) == reference.cells(index + 1)[0]
    assert [list(row.cells()) for row in table.rows] == reference.cells(index + 1)[1:]


@pytest.mark.parametrize("seed", range(4))
def test_order_of_the_input_does_not_matter(seed: int) -> None:
    shuffled = reference_events()
    random.Random(seed).shuffle(shuffled)
    assert reference_calendar(shuffled) == reference_calendar()
    assert reference_events_tables(shuffled) == reference_events_tables()


def csv_events() -> list[StoredEvent]:
    """The composed CSV's rows as stored events, positions in file order (dates only)."""
    path = REFERENCE_DIR / "reference-rows.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        stored(row["organization"], row["title"], date.fromisoformat(row["start"]),
               date.fromisoformat(row["end"]) if row["end"] else None,
               timezone=row["timezone"], position=position, source="manual",
               url=row["url"], kind=row["kind"], featured=row["featured"] == "yes",
               registration_deadline=(date.fromisoformat(row["registration_deadline"])
                                      if row["registration_deadline"] else None))
        for position, row in enumerate(rows)
    ]


def test_composed_csv_rows_reproduce_the_reference() -> None:
    reference = read_reference()
    assert [(name, sub, rows) for name, sub, rows in reference.calendar_sections()] == [
        (s.name, s.subheading, [r.cells() for r in s.rows])
        for s in reference_calendar(csv_events()).sections]
    tables = reference_events_tables(csv_events()).tables()
    assert [[list(row.cells()) for row in table.rows] for table in tables] == [
        reference.cells(1)[1:], reference.cells(2)[1:]]


# --- cell formats ------------------------------------------------------------------------

@pytest.mark.parametrize(("first", "last", "dates", "weekdays"), [
    (date(2024, 5, 6), date(2024, 5, 6), "5/6", "一"),
    (date(2024, 5, 5), date(2024, 5, 5), "5/5", "日"),
    (date(2024, 4, 29), date(2024, 4, 30), "4/29-30", "一~二"),
    (date(2024, 4, 30), date(2024, 5, 2), "4/30-5/2", "二~四"),
    (date(2024, 12, 30), date(2025, 1, 2), "12/30-1/2", "一~四"),
    (date(2024, 11, 9), date(2024, 11, 16), "11/9-16", "六~六"),
])
def test_date_and_weekday_cells(first: date, last: date, dates: str, weekdays: str) -> None:
    assert format_date_span(first, last) == dates
    assert format_weekday_span(first, last) == weekdays


def test_window_line() -> None:
    assert format_window(date(2024, 12, 2), date(2025, 1, 5)) == "2024 年 12 月 2 日～2025 年 1 月 5 日"


# --- which rows, where -------------------------------------------------------------------

def test_meeting_across_a_months_end() -> None:
    event = stored("APEC", "SOM2", date(2024, 4, 30), date(2024, 5, 2), timezone="America/Lima")
    assert calendar_rows(reference_calendar([event]))[APEC_SECTION] == [
        ("4/30-5/2", "二~四", "⚫ APEC：SOM2")]


@pytest.mark.parametrize(("organization", "timezone", "start", "end", "expected"), [
    # 00:30 in Geneva on 2 May is 22:30 UTC on 1 May.
    ("WTO", "Europe/Zurich", datetime(2024, 5, 1, 22, 30, tzinfo=UTC), None, ("5/2", "四")),
    # 20:00 in Lima on 6 May is 01:00 UTC on 7 May.
    ("APEC", "America/Lima", datetime(2024, 5, 7, 1, 0, tzinfo=UTC), None, ("5/6", "一")),
    # 9:00 on 29 April to 18:00 on 30 April in Washington.
    ("IMF", "America/New_York", datetime(2024, 4, 29, 13, 0, tzinfo=UTC),
     datetime(2024, 4, 30, 22, 0, tzinfo=UTC), ("4/29-30", "一~二")),
])
def test_timed_meetings_print_the_venues_local_date(
        organization: str, timezone: str, start: datetime, end: datetime | None,
        expected: tuple[str, str]) -> None:
    event = stored(organization, "Meeting", start, end, timezone=timezone)
    rows = [row for section in reference_calendar([event]).sections for row in section.rows]
    assert [row.cells()[:2] for row in rows] == [expected]


@pytest.mark.parametrize(("start", "end", "timezone", "printed"), [
    (date(2024, 4, 25), date(2024, 4, 26), "Asia/Taipei", None),
    (date(2024, 4, 28), date(2024, 4, 29), "Asia/Taipei", "4/28-29"),
    (date(2024, 4, 20), date(2024, 6, 1), "Asia/Taipei", "4/20-6/1"),
    (date(2024, 5, 23), date(2024, 5, 24), "Asia/Taipei", "5/23-24"),
    (date(2024, 5, 24), None, "Asia/Taipei", None),
    # 23:00 UTC on 28 April is already 29 April in Taipei: inside.
    (datetime(2024, 4, 28, 23, 0, tzinfo=UTC), None, "Asia/Taipei", "4/29"),
    # 23:00 UTC on 23 May is 24 May in Taipei: outside.
    (datetime(2024, 5, 23, 23, 0, tzinfo=UTC), None, "Asia/Taipei", None),
    # 02:00 UTC on 24 May is still 23 May in Lima: inside.
    (datetime(2024, 5, 24, 2, 0, tzinfo=UTC), None, "America/Lima", "5/23"),
])
def test_window_takes_events_whose_local_dates_overlap_it(
        start: date | datetime, end: date | None, timezone: str, printed: str | None) -> None:
    events = [stored("APEC", "Meeting", start, end, timezone=timezone),
              stored("CIECA", "Seminar", start, end, timezone=timezone, kind="seminar")]
    calendar = calendar_rows(reference_calendar(events))[APEC_SECTION]
    other = reference_events_tables(events).other.rows
    assert [row[0] for row in calendar] == ([printed] if printed else [])
    assert [row.dates for row in other] == ([printed] if printed else [])


def test_rta_meetings_go_under_the_subheading_with_their_agreement() -> None:
    events = [stored("RCEP", "Joint Committee", date(2024, 5, 15), timezone="Asia/Jakarta"),
              stored("CPTPP", "Commission", date(2024, 5, 8), timezone="Asia/Tokyo")]
    table = reference_calendar(events)
    rta = table.sections[1]
    assert (rta.name, rta.subheading) == ("RTA", "CPTPP、RCEP")
    assert [row.cells() for row in rta.rows] == [
        ("5/8", "三", "⚫ CPTPP：Commission"), ("5/15", "三", "⚫ RCEP：Joint Committee")]
    assert [len(section.rows) for section in table.sections] == [0, 2, 0]


def test_sections_are_always_all_three_in_order() -> None:
    table = reference_calendar([stored("IMF", "Board", date(2024, 5, 1))])
    assert [(s.name, s.subheading) for s in table.sections] == [
        ("WTO", None), ("RTA", "CPTPP、RCEP"), (APEC_SECTION, None)]
    empty = calendar_table([], make_config(), START, END)
    assert [len(s.rows) for s in empty.sections] == [0, 0, 0]
    tables = events_tables([], make_config(), START, END)
    assert (tables.featured.rows, tables.other.rows) == ((), ())


@pytest.mark.parametrize(("organization", "section", "landed", "meeting"), [
    ("APEC", "RTA", "RTA", "⚫ APEC：Talks"),
    ("WTO", APEC_SECTION, APEC_SECTION, "⚫ WTO：Talks"),
    ("ITRI", "WTO", "WTO", "⚫ 工研院：Talks"),
    ("ITRI", APEC_SECTION, APEC_SECTION, "⚫ 工研院：Talks"),
])
def test_an_events_own_section_overrides_its_organizations(
        organization: str, section: str, landed: str, meeting: str) -> None:
    event = stored(organization, "Talks", date(2024, 5, 2), section=section, featured=True)
    assert calendar_rows(reference_calendar([event]))[landed] == [("5/2", "四", meeting)]
    tables = reference_events_tables([event])
    assert (tables.featured.rows, tables.other.rows) == ((), ())


def test_featured_seminars_sorted_by_date_in_the_featured_table() -> None:
    extra = stored("CIECA", "供應鏈韌性座談會", date(2024, 5, 2), kind="seminar", featured=True,
                   registration_deadline=date(2024, 4, 30), url="https://example.org/seminar")
    tables = reference_events_tables(reference_events() + [extra])
    assert [row.cells() for row in tables.featured.rows] == [
        ("中華民國國際經濟合作協會", "4/30", "5/2", "供應鏈韌性座談會", "https://example.org/seminar"),
        ("工研院", "5/7", "5/10", "國際地緣政治風險與我國出口管制規定宣導說明會",
         "https://tinyurl.com/mutu8xxm")]
    assert len(tables.other.rows) == 2


@pytest.mark.parametrize(("status", "printed"), [
    ("cancelled", False), ("postponed", False), ("tentative", True), ("confirmed", True)])
def test_cancelled_and_postponed_events_are_left_out(status: str, printed: bool) -> None:
    events = [stored("WTO", "General Council", date(2024, 5, 8), status=status),
              stored("ITRI", "說明會", date(2024, 5, 8), status=status, featured=True)]
    assert len(calendar_rows(reference_calendar(events))["WTO"]) == int(printed)
    assert len(reference_events_tables(events).featured.rows) == int(printed)


@pytest.mark.parametrize(("kind", "printed"), [
    ("meeting", True), ("hearing", True), ("seminar", True), ("deadline", False)])
def test_kinds_printed(kind: str, printed: bool) -> None:
    events = [stored("USTR", "Section 301 hearing", date(2024, 5, 29), kind=kind),
              stored("CIECA", "研討會", date(2024, 5, 9), kind=kind)]
    table = calendar_table(events, make_config(), START, date(2024, 5, 31))
    assert calendar_rows(table)[APEC_SECTION] == (
        [("5/29", "三", "⚫ USTR：Section 301 hearing")] if printed else [])
    assert len(reference_events_tables(events).other.rows) == int(printed)


def test_same_date_rows_ordered_by_time_then_source_then_position() -> None:
    geneva = "Europe/Zurich"
    day = date(2024, 5, 7)
    events = [
        stored("WTO", "Afternoon", datetime(2024, 5, 7, 12, 0, tzinfo=UTC), timezone=geneva),
        stored("WTO", "Morning", datetime(2024, 5, 7, 7, 0, tzinfo=UTC), timezone=geneva,
               position=9),
        stored("WTO", "Listed third", day, timezone=geneva, position=3),
        stored("WTO", "Listed first", day, timezone=geneva, position=1),
        stored("WTO", "Other source", day, timezone=geneva, position=0, source="wto-docs"),
        stored("WTO", "Day before", date(2024, 5, 6), timezone=geneva, position=99),
    ]
    names = [row[2] for row in calendar_rows(reference_calendar(events))["WTO"]]
    assert names == ["⚫ Day before", "⚫ Listed first", "⚫ Listed third", "⚫ Other source",
                     "⚫ Morning", "⚫ Afternoon"]


def test_rows_sorted_by_local_date_not_utc_date() -> None:
    lima = "America/Lima"
    events = [stored("APEC", "All day on 5/7", date(2024, 5, 7), timezone=lima),
              # 20:00 on 6 May in Lima is 01:00 UTC on 7 May.
              stored("APEC", "Evening of 5/6", datetime(2024, 5, 7, 1, 0, tzinfo=UTC),
                     timezone=lima, position=5)]
    rows = calendar_rows(reference_calendar(events))[APEC_SECTION]
    assert [row[:2] for row in rows] == [("5/6", "一"), ("5/7", "二")]
    assert rows[0][2] == "⚫ APEC：Evening of 5/6"


def test_newsletter_settings_come_from_configuration() -> None:
    config = make_config(calendar_title="行事曆", footer="來源：測試", rta_subheading="CPTPP",
                         no_deadline="請洽主辦單位", featured_title="精選", other_title="其他")
    events = reference_events()
    table = calendar_table(events, config, START, END)
    assert (table.title, table.footer, table.sections[1].subheading) == (
        "行事曆", "來源：測試", "CPTPP")
    tables = events_tables(events, config, START, END)
    assert (tables.featured.title, tables.other.title) == ("精選", "其他")
    assert [row.deadline for row in tables.other.rows] == ["請洽主辦單位", "請洽主辦單位"]


def test_events_url_falls_back_to_registration_url() -> None:
    event = stored("CIECA", "研討會", date(2024, 5, 9), kind="seminar",
                   registration_url="https://example.org/register")
    assert reference_events_tables([event]).other.rows[0].url == "https://example.org/register"


def test_unknown_event_section_is_an_error_naming_the_event() -> None:
    event = stored("WTO", "Council", date(2024, 5, 9), section="NAFTA")
    with pytest.raises(ValueError, match=re.escape(event.event.uid)):
        reference_calendar([event])


def test_window_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        calendar_table([], make_config(), END, START)
