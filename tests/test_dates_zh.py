"""Chinese, ROC and numeric dates, time ranges in every form, and the one-call readers."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aggregator.core.dates import (
    ROC_OFFSET,
    find_all_times,
    find_any_dates,
    find_date_spans_zh,
    find_times_zh,
    fold_width,
    nearest_date_on_weekday,
    parse_any_date,
    parse_time_range,
    roc_year,
    time_unknown,
)

REFERENCE = date(2024, 4, 20)
WEEKDAYS = "一二三四五六日"
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]


def spans(text: str, reference: date | None = REFERENCE) -> list[tuple[str, str, str]]:
    return [(span.first.isoformat(), span.last.isoformat(), text[span.start:span.end])
            for span in find_any_dates(text, reference)]


@pytest.mark.parametrize(("text", "expected"), [
    ("2024年5月7日", [("2024-05-07", "2024-05-07", "2024年5月7日")]),
    ("5月7日(二)", [("2024-05-07", "2024-05-07", "5月7日(二)")]),
    ("5/7(二)", [("2024-05-07", "2024-05-07", "5/7(二)")]),
    ("2024年05月07日 星期二", [("2024-05-07", "2024-05-07", "2024年05月07日 星期二")]),
    ("5月7日 週二", [("2024-05-07", "2024-05-07", "5月7日 週二")]),
    ("113/05/07", [("2024-05-07", "2024-05-07", "113/05/07")]),
    ("113.05.07", [("2024-05-07", "2024-05-07", "113.05.07")]),
    ("113-5-7", [("2024-05-07", "2024-05-07", "113-5-7")]),
    ("113年5月7日", [("2024-05-07", "2024-05-07", "113年5月7日")]),
    ("民國113年5月7日", [("2024-05-07", "2024-05-07", "民國113年5月7日")]),
    ("中華民國 99 年 5 月 7 日", [("2010-05-07", "2010-05-07", "民國 99 年 5 月 7 日")]),
    ("2024/05/07", [("2024-05-07", "2024-05-07", "2024/05/07")]),
    ("2024-05-07T09:30:00+08:00", [("2024-05-07", "2024-05-07", "2024-05-07")]),
    ("2024.5.7", [("2024-05-07", "2024-05-07", "2024.5.7")]),
    ("13/05/2024", [("2024-05-13", "2024-05-13", "13/05/2024")]),
    ("05/13/2024", [("2024-05-13", "2024-05-13", "05/13/2024")]),
    ("日期：１１３／０５／０７（二）", [("2024-05-07", "2024-05-07", "１１３／０５／０７（二）")]),
    ("活動日期︰113年5月7日(Tue)", [("2024-05-07", "2024-05-07", "113年5月7日(Tue)")]),
    # ranges
    ("113年5月7日至5月9日", [("2024-05-07", "2024-05-09", "113年5月7日至5月9日")]),
    ("113年5月7日至9日", [("2024-05-07", "2024-05-09", "113年5月7日至9日")]),
    ("2024/05/07~05/09", [("2024-05-07", "2024-05-09", "2024/05/07~05/09")]),
    ("2024/05/07-09", [("2024-05-07", "2024-05-09", "2024/05/07-09")]),
    ("2024/05/07-2024/05/09", [("2024-05-07", "2024-05-09", "2024/05/07-2024/05/09")]),
    ("5/7-5/9", [("2024-05-07", "2024-05-09", "5/7-5/9")]),
    ("5/7(二)～5/9(四)", [("2024-05-07", "2024-05-09", "5/7(二)～5/9(四)")]),
    ("113年5月7日（星期二）起至113年5月9日（星期四）止",
     [("2024-05-07", "2024-05-09", "113年5月7日（星期二）起至113年5月9日（星期四）")]),
    ("113/12/30－114/01/02", [("2024-12-30", "2025-01-02", "113/12/30－114/01/02")]),
    ("113年12月30日至1月2日", [("2024-12-30", "2025-01-02", "113年12月30日至1月2日")]),
    ("12月30日至1月2日", [("2023-12-30", "2024-01-02", "12月30日至1月2日")]),
    ("113/05/07 14:00~113/05/09 12:00", [("2024-05-07", "2024-05-09",
                                          "113/05/07 14:00~113/05/09")]),
    ("5/7 14:00-16:00", [("2024-05-07", "2024-05-07", "5/7")]),
    # several dates, English among them
    ("報名：113/04/01至113/04/30；活動：5月7日", [("2024-04-01", "2024-04-30",
                                                "113/04/01至113/04/30"),
                                               ("2024-05-07", "2024-05-07", "5月7日")]),
    ("Tuesday, 7 May 2024 (二)", [("2024-05-07", "2024-05-07", "Tuesday, 7 May 2024")]),
    ("April 29-30, 2024", [("2024-04-29", "2024-04-30", "April 29-30, 2024")]),
    ("29 - 30 April 2024", [("2024-04-29", "2024-04-30", "29 - 30 April 2024")]),
    ("30 April - 2 May 2024", [("2024-04-30", "2024-05-02", "30 April - 2 May 2024")]),
])
def test_dates_in_every_form(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize("text", [
    "13/05/07",            # a two-digit year is ROC only after 民國
    "99年5月7日",           # the same before 年
    "07/05/2024",          # day first or month first: cannot be told
    "113/02/30",           # no such day
    "2024/05/09~05/07",    # a range that ends before it starts keeps its start (below)
    "星期二",               # a weekday alone is no date
    "第113/5號 公文",        # no date: 5 is no day of a month here
    "version 1.2.3",
    "14:00-16:00",
    "",
])
def test_what_is_no_date(text: str) -> None:
    found = spans(text)
    if text == "2024/05/09~05/07":
        assert found == [("2024-05-09", "2024-05-09", "2024/05/09")]
    else:
        assert found == []


def test_dates_without_a_year_need_a_reference() -> None:
    assert find_date_spans_zh("5月7日 5/9") == []
    assert find_date_spans_zh("2024年5月7日至5月9日")[0].last == date(2024, 5, 9)
    assert parse_any_date("5/7") is None
    assert parse_any_date("5/7", date(2024, 4, 1)).first == date(2024, 5, 7)  # type: ignore


def test_a_weekday_chooses_the_year_of_a_yearless_date() -> None:
    reference = date(2024, 9, 1)
    assert parse_any_date("1月8日", reference).first == date(2025, 1, 8)  # type: ignore
    assert parse_any_date("1月8日(一)", reference).first == date(2024, 1, 8)  # type: ignore
    assert parse_any_date("1月8日(三)", reference).first == date(2025, 1, 8)  # type: ignore
    assert parse_any_date("1月8日(日)", reference).first == date(2023, 1, 8)  # type: ignore
    assert nearest_date_on_weekday(2, 29, 3, date(2024, 9, 1)) == date(2024, 2, 29)


def test_roc_years() -> None:
    assert ROC_OFFSET == 1911 and roc_year(113) == 2024


def test_fold_width_keeps_offsets() -> None:
    text = "日期︰１１３／０５／０７～０５／０９　１４：００"
    folded = fold_width(text)
    assert folded == "日期:113/05/07~05/09 14:00" and len(folded) == len(text)


@pytest.mark.parametrize(("text", "start", "end"), [
    ("9:30 a.m.", time(9, 30), None),
    ("9:30 a.m. to 5 p.m.", time(9, 30), time(17)),
    ("14:00-16:00", time(14), time(16)),
    ("14:00~16:00", time(14), time(16)),
    ("14:00－16:00", time(14), time(16)),
    ("１４：００～１６：００", time(14), time(16)),
    ("14:00 – 16:00", time(14), time(16)),
    ("下午2時30分", time(14, 30), None),
    ("下午2:30", time(14, 30), None),
    ("上午10時", time(10), None),
    ("14時30分", time(14, 30), None),
    ("晚上7點半", time(19, 30), None),
    ("中午12時", time(12), None),
    ("中午1時30分", time(13, 30), None),
    ("凌晨12時", time(0), None),
    ("下午2時至4時", time(14), time(16)),
    ("下午 2:30 - 4:30", time(14, 30), time(16, 30)),
    ("上午9:30至下午4:30", time(9, 30), time(16, 30)),
    ("上午10時至12時", time(10), time(12)),
    ("上午10時至2時", time(10), time(14)),
    ("時間：09:00-12:00（08:30報到）", time(9), time(12)),
    ("活動時間︰14:00起", time(14), None),
    ("2024-05-07T09:30:00+08:00", time(9, 30), None),
    ("113/05/07（二）下午2時", time(14), None),
    ("14:00~下午3點", time(14), time(15)),
    ("14:00~3點", time(14), None),
])
def test_time_ranges(text: str, start: time, end: time | None) -> None:
    found = parse_time_range(text)
    assert found is not None
    assert (found.start, found.end) == (start, end)


@pytest.mark.parametrize("text", ["TBC", "TBD", "time to be confirmed", "待定", "時間另行通知",
                                  "14:00 (TBC)", "未定", "另訂", "第3點", "3小時", "113/05/07",
                                  "1.5時", "no time", ""])
def test_no_time_or_an_unknown_one(text: str) -> None:
    assert parse_time_range(text) is None


def test_time_unknown_words() -> None:
    assert time_unknown("Time: TBD") and time_unknown("時間：待定")
    assert not time_unknown("TBDX meeting") and not time_unknown("14:00")
    assert not time_unknown("地點待定") and not time_unknown("Venue: TBC")
    assert time_unknown("地點：台北；時間：待定")
    found = parse_time_range("14:00-16:00　地點：待定")
    assert found is not None and (found.start, found.end) == (time(14), time(16))


def test_find_all_times_prefers_the_longer_reading() -> None:
    text = "9:30 a.m. 報到，下午2時至4時 座談，18:00~20:00 晚宴"
    found = [(span.start, span.end, text[span.start_offset:span.end_offset])
             for span in find_all_times(text)]
    assert found == [(time(9, 30), None, "9:30 a.m."), (time(14), time(16), "下午2時至4時"),
                     (time(18), time(20), "18:00~20:00")]
    assert [span.start for span in find_times_zh("上午9時、下午3時")] == [time(9), time(15)]


# --- what is written parses back -------------------------------------------------------------

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))


def written_forms(day: date) -> list[str]:
    """The ways a page may write ``day`` with its year."""
    y, m, d, roc = day.year, day.month, day.day, day.year - ROC_OFFSET
    weekday = WEEKDAYS[day.weekday()]
    forms = [f"{y}/{m:02d}/{d:02d}", f"{y}-{m}-{d}", f"{y}.{m:02d}.{d:02d}", f"{y}年{m}月{d}日",
             f"{y}年{m:02d}月{d:02d}日（星期{weekday}）", f"民國{roc}年{m}月{d}日",
             f"{day.isoformat()}T09:30:00+08:00", f"{d} {MONTH_NAMES[m - 1]} {y}",
             f"{MONTH_NAMES[m - 1]} {d}, {y}", fold_back(f"{y}/{m:02d}/{d:02d}（{weekday}）")]
    if 100 <= roc <= 199:
        forms += [f"{roc}年{m}月{d}日", f"{roc}/{m:02d}/{d:02d}", f"{roc}.{m:02d}.{d:02d}",
                  f"{roc}-{m}-{d}", f"{roc}/{m}/{d}(週{weekday})"]
    if d > 12:
        forms += [f"{d:02d}/{m:02d}/{y}", f"{m:02d}/{d:02d}/{y}"]
    return forms


def fold_back(text: str) -> str:
    """``text`` in full-width characters, as some Big5 pages write digits."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


@given(DAYS)
def test_any_written_date_parses_back(day: date) -> None:
    for form in written_forms(day):
        span = parse_any_date(form)
        assert span is not None, form
        assert (span.first, span.last) == (day, day), form
        [inside] = find_any_dates(f"活動日期：{form} 地點：台北")
        assert (inside.first, inside.last) == (day, day), form


@given(DAYS, st.integers(min_value=-150, max_value=150), st.booleans())
def test_a_yearless_date_parses_back_near_its_reference(day: date, offset: int,
                                                        weekday: bool) -> None:
    reference = day + timedelta(days=offset)
    suffix = f"({WEEKDAYS[day.weekday()]})" if weekday else ""
    for form in (f"{day.month}月{day.day}日{suffix}", f"{day.month}/{day.day}{suffix}"):
        span = parse_any_date(form, reference)
        assert span is not None and (span.first, span.last) == (day, day), form


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2098, 12, 31)),
       st.integers(min_value=1, max_value=40))
def test_any_written_range_parses_back(first: date, length: int) -> None:
    last = first + timedelta(days=length)
    roc = first.year - ROC_OFFSET
    forms = [f"{first.year}/{first.month:02d}/{first.day:02d}~{last.month:02d}/{last.day:02d}",
             f"{first.year}年{first.month}月{first.day}日至{last.month}月{last.day}日",
             f"{first:%Y/%m/%d} - {last:%Y/%m/%d}",
             f"民國{roc}年{first.month}月{first.day}日至"
             + f"{last.year - ROC_OFFSET}年{last.month}月{last.day}日"]
    if first.month == last.month:
        forms.append(f"{first.year}年{first.month}月{first.day}日至{last.day}日")
    if first.year == last.year:
        forms.append(f"{first.day} {MONTH_NAMES[first.month - 1]} - {last.day} "
                     f"{MONTH_NAMES[last.month - 1]} {last.year}")
    for form in forms:
        span = parse_any_date(form)
        assert span is not None and (span.first, span.last) == (first, last), form
    yearless = parse_any_date(f"{first.month}/{first.day}-{last.month}/{last.day}", first)
    assert yearless is not None and (yearless.first, yearless.last) == (first, last)


CLOCKS = st.times().map(lambda value: value.replace(second=0, microsecond=0))


def written_times(value: time) -> list[str]:
    """The ways a page may write a time of day."""
    hour, minute = value.hour, value.minute
    twelve = hour % 12 or 12
    period = "下午" if hour >= 12 else "上午"
    chinese_hour = twelve if hour >= 12 else hour
    forms = [f"{hour:02d}:{minute:02d}", f"{hour}時{minute}分",
             fold_back(f"{hour:02d}:{minute:02d}"),
             f"{twelve}:{minute:02d} {'p.m.' if hour >= 12 else 'a.m.'}"]
    if hour >= 1:
        forms.append(f"{period}{chinese_hour}時{minute:02d}分" if minute else
                     f"{period}{chinese_hour}時")
        forms.append(f"{period}{chinese_hour}:{minute:02d}")
    return forms


@given(CLOCKS)
def test_any_written_time_parses_back(value: time) -> None:
    for form in written_times(value):
        found = parse_time_range(f"時間：{form}")
        assert found is not None and (found.start, found.end) == (value, None), form


@given(CLOCKS, CLOCKS)
def test_any_written_time_range_parses_back(first: time, second: time) -> None:
    for separator in ("-", "~", "－", "～", " – ", "至"):
        form = f"{first:%H:%M}{separator}{second:%H:%M}"
        found = parse_time_range(form)
        assert found is not None and (found.start, found.end) == (first, second), form


JUNK = st.text(alphabet=st.sampled_from(list("0123456789１２/.-~～:：年月日號至到起(（）)星期週二"
                                            "上午下午時分點半 TBCMayJune民國")), max_size=60)


@given(st.one_of(st.text(max_size=200), JUNK), st.none() | DAYS)
def test_junk_never_raises(text: str, reference: date | None) -> None:
    for span in find_any_dates(text, reference):
        assert 0 <= span.start < span.end <= len(text) and span.first <= span.last
    parse_any_date(text, reference)
    for found in find_all_times(text):
        assert 0 <= found.start_offset < found.end_offset <= len(text)
    parse_time_range(text)
    time_unknown(text)
