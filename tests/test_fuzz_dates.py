"""Fuzzing the date and time readers (:mod:`aggregator.core.dates`) with hypothesis.

What ``tests/test_dates.py`` and ``tests/test_dates_zh.py`` already fuzz (one English
date, Chinese/numeric dates and ranges, times and ranges in Chinese and 24-hour forms,
character junk) is not repeated. Here:

- text built from the readers' own vocabulary (month and weekday names, numbers of any
  size, range words, 年月日, 民國, clocks, TBC, controls) never makes a reader raise, and
  every span it reports lies inside the text, in order, with its first day before its last;
- English ranges in every written form (within a month, across months and years, with
  weekdays, abbreviated or capital month names) and lists ("May 29 and 30, 2024") parse back;
- a year-less English date takes the year nearest the reference;
- a date in any form, set in unrelated text, is found with its place in the text;
- impossible dates (30 February, 31 April, day 0) are never read as dates;
- English clock ranges ("9:30 a.m. to 5:15 p.m.", "noon until 2 p.m.", "14h30") parse back.
"""

from __future__ import annotations

import calendar
from datetime import date, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.core.dates import (
    ROC_OFFSET,
    find_all_times,
    find_any_dates,
    find_date_spans_zh,
    find_dates,
    find_times,
    find_times_zh,
    fold_width,
    parse_any_date,
    parse_time_range,
    split_at_date_headings,
    split_sentences,
    time_unknown,
)
from aggregator.core.dates.english import month_number, parse_month_day_year
from aggregator.core.dates.times import parse_time

FUZZ = settings(max_examples=150, deadline=None)
DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
REFERENCES = st.none() | DAYS
FULL_MONTHS = list(calendar.month_name)[1:]
WEEKDAY_NAMES = list(calendar.day_name)

VOCABULARY = [
    *FULL_MONTHS, *(name[:3] for name in FULL_MONTHS), "Sept.", "MAY", "DECEMBER", "may",
    *WEEKDAY_NAMES, "Mon.", "Thur", "Wed.,", " to ", " through ", " until ", " and ", ", and ",
    " & ", "-", "–", "—", "~", "～", "－", "/", ".", ",", ", ", " ", "  ", "\n", "\t", ":",
    "st", "nd", "th", "年", "月", "日", "號", "至", "到", "起", "民國", "(二)", "（星期三）",
    "週五",
    "上午", "下午", "晚上", "時", "分", "點", "半", "a.m.", "p.m.", "AM", "pm", "noon", "midnight",
    "ET", "(Geneva time)", "GMT", "TBC", "待定", "地點", "T", "Z", "+08:00", "１２", "／",
    "\x00", "\x1b", "\u202e", "\u3000", "😀", "U.S.", "No.", ":\n",
]
TOKENS = st.one_of(st.sampled_from(VOCABULARY), st.integers(0, 99999).map(str),
                   st.integers(0, 40).map(lambda n: f"{n:02d}"))
WORDY_TEXT = st.lists(TOKENS, max_size=30).map("".join)


# --- no reader ever raises, and what they report is consistent ------------------------------

def check_date_spans(text: str, spans: list) -> None:
    for span in spans:
        assert 0 <= span.start < span.end <= len(text), (text, span)
        assert span.first <= span.last, (text, span)
    assert [span.start for span in spans] == sorted(span.start for span in spans)


def check_time_spans(text: str, spans: list) -> None:
    for span in spans:
        assert 0 <= span.start_offset < span.end_offset <= len(text), (text, span)
        assert isinstance(span.start, time) and (span.end is None or isinstance(span.end, time))


@FUZZ
@given(WORDY_TEXT | st.text(max_size=120), REFERENCES)
def test_no_reader_raises_on_text_made_of_date_words(text: str, reference: date | None) -> None:
    assert len(fold_width(text)) == len(text)  # offsets of the folded text index the text
    spans = find_any_dates(text, reference)
    check_date_spans(text, spans)
    assert parse_any_date(text, reference) == (spans[0] if spans else None)
    check_date_spans(text, find_dates(text, reference))
    check_date_spans(text, find_date_spans_zh(fold_width(text), reference))
    for reader in (find_times, find_times_zh, find_all_times):
        check_time_spans(text, reader(text))
    found = parse_time_range(text)
    assert found is None or not time_unknown(text)
    for sentence in split_sentences(text):
        assert sentence and sentence in text
    for section in split_at_date_headings(text, reference):
        assert section.body and section.body in text


@FUZZ
@given(WORDY_TEXT)
def test_exact_readers_accept_or_refuse_with_value_error(text: str) -> None:
    for reader in (parse_month_day_year, parse_time, month_number):
        try:
            reader(text)
        except ValueError:
            pass


# --- English ranges and lists, written every way, parse back ------------------------------------

def month_name(month: int, style: int) -> str:
    """A month as pages write it: full, abbreviated with a period, or in capitals."""
    full = FULL_MONTHS[month - 1]
    if style == 1:
        return "Sept." if month == 9 else (full if len(full) <= 4 else full[:3] + ".")
    return full.upper() if style == 2 else full


def english_range_forms(first: date, last: date, style: int) -> list[str]:
    """Ways an English page writes the days ``first`` to ``last`` (inclusive)."""
    m1, m2 = month_name(first.month, style), month_name(last.month, style)
    d1, d2, y1, y2 = first.day, last.day, first.year, last.year
    w1, w2 = WEEKDAY_NAMES[first.weekday()], WEEKDAY_NAMES[last.weekday()]
    forms = [f"{m1} {d1}, {y1} - {m2} {d2}, {y2}", f"{d1} {m1} {y1} to {d2} {m2} {y2}",
             f"{w1}, {d1} {m1} {y1} – {w2}, {d2} {m2} {y2}"]
    if y1 == y2:
        forms += [f"{m1} {d1} - {m2} {d2}, {y2}", f"{d1} {m1} – {d2} {m2} {y2}",
                  f"{w1}, {m1} {d1} through {w2}, {m2} {d2}, {y2}"]
    if (y1, first.month) == (y2, last.month) and d1 < d2:
        forms += [f"{m1} {d1}-{d2}, {y1}", f"{d1} - {d2} {m1} {y1}", f"{m1} {d1} to {d2}, {y1}"]
    return forms


@FUZZ
@given(DAYS, st.integers(0, 45), st.integers(0, 2))
def test_english_ranges_parse_back(first: date, length: int, style: int) -> None:
    last = first + timedelta(days=length)
    for form in english_range_forms(first, last, style):
        spans = find_dates(f"The meeting will be held {form}, in Geneva.")
        assert [(span.first, span.last) for span in spans] == [(first, last)], form
        span = parse_any_date(form)
        assert span is not None and (span.first, span.last) == (first, last), form


@FUZZ
@given(DAYS, st.integers(1, 3), st.integers(0, 2))
def test_english_lists_give_one_span_per_day(first: date, count: int, style: int) -> None:
    days = [first + timedelta(days=n) for n in range(count)]
    if days[-1].month != first.month:
        days = [first]
    name, year = month_name(first.month, style), first.year
    numbers = [str(day.day) for day in days]
    listed = ", ".join(numbers[:-1]) + (" and " if len(numbers) > 1 else "") + numbers[-1]
    for form in (f"{name} {listed}, {year}", f"{listed} {name} {year}"):
        spans = find_dates(form)
        assert [(span.first, span.last) for span in spans] == [(day, day) for day in days], form


@FUZZ
@given(DAYS, st.integers(-150, 150), st.integers(0, 2))
def test_a_yearless_english_date_takes_the_nearest_year(day: date, offset: int,
                                                        style: int) -> None:
    reference = day + timedelta(days=offset)
    name = month_name(day.month, style)
    for form in (f"{day.day} {name}", f"{name} {day.day}",
                 f"{WEEKDAY_NAMES[day.weekday()]}, {day.day} {name}"):
        spans = find_dates(f"Opening session: {form}.", reference)
        assert [(span.first, span.last) for span in spans] == [(day, day)], form
        assert find_dates(f"Opening session: {form}.") == []  # no year, no reference: none


# --- a date in unrelated text is found where it is -----------------------------------------------

NOISE = st.text(alphabet=st.sampled_from(list("會議說明研討活動舉辦於本署敬請踴躍參加"
                                             " ，。；！abcxyzQW")), max_size=30)


def any_forms(day: date) -> list[str]:
    y, m, d = day.year, day.month, day.day
    forms = [f"{FULL_MONTHS[m - 1]} {d}, {y}", f"{d} {FULL_MONTHS[m - 1]} {y}",
             f"{y}/{m:02d}/{d:02d}", f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}",
             f"{y}.{m:02d}.{d:02d}"]
    if 1 <= y - ROC_OFFSET <= 199:
        forms += [f"民國{y - ROC_OFFSET}年{m}月{d}日"]
    return forms


@FUZZ
@given(DAYS, NOISE, NOISE, st.integers(0, 7))
def test_a_date_among_other_text_is_found_in_its_place(day: date, before: str, after: str,
                                                       which: int) -> None:
    forms = any_forms(day)
    form = forms[which % len(forms)]
    text = f"{before} {form} {after}"
    start = len(before) + 1
    spans = find_any_dates(text)
    assert [(span.first, span.last) for span in spans] == [(day, day)], text
    assert (spans[0].start, spans[0].end) == (start, start + len(form)), text


# --- impossible dates are no dates --------------------------------------------------------------

@FUZZ
@given(st.integers(1990, 2060), st.integers(1, 12), st.integers(0, 40))
def test_impossible_days_are_never_read(year: int, month: int, day: int) -> None:
    if 1 <= day <= calendar.monthrange(year, month)[1]:
        return
    name = FULL_MONTHS[month - 1]
    for form in (f"{name} {day}, {year}", f"{day} {name} {year}", f"{year}/{month:02d}/{day:02d}",
                 f"{year}年{month}月{day}日", f"民國{year - ROC_OFFSET}年{month}月{day}日"):
        assert find_any_dates(f"日期：{form}") == [], form


# --- English clock ranges parse back ------------------------------------------------------------

CLOCKS = st.times().map(lambda value: value.replace(second=0, microsecond=0))


def twelve_hour(value: time, dotted: bool) -> str:
    if value == time(12):
        return "noon"
    hour = value.hour % 12 or 12
    suffix = ("p.m." if dotted else "PM") if value.hour >= 12 else ("a.m." if dotted else "AM")
    minutes = f":{value.minute:02d}" if value.minute or dotted else ""
    return f"{hour}{minutes} {suffix}"


@FUZZ
@given(CLOCKS, CLOCKS, st.booleans(), st.sampled_from([" to ", " - ", "–", " until "]))
def test_english_clock_ranges_parse_back(first: time, second: time, dotted: bool,
                                         separator: str) -> None:
    if time(0) in (first, second):
        return  # "12 a.m." is written "midnight" on these pages
    form = f"{twelve_hour(first, dotted)}{separator}{twelve_hour(second, dotted)}"
    found = find_times(f"The hearing runs from {form} ET.")
    assert [(span.start, span.end, span.zone) for span in found] == [(first, second, "ET")], form
    ranged = parse_time_range(form)
    assert ranged is not None and (ranged.start, ranged.end) == (first, second), form
    assert parse_time_range(f"{form} (TBC)") is None  # unknown stays unknown


@FUZZ
@given(CLOCKS)
def test_continental_clocks_parse_back(value: time) -> None:
    found = parse_time_range(f"Début à {value.hour}h{value.minute:02d}")
    assert found is not None and (found.start, found.end) == (value, None)
