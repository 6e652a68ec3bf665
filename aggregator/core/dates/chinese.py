"""Dates as Taiwanese and Chinese pages write them, Western or ROC (民國) years.

Forms read, with or without full-width digits and a weekday after them ("(二)", "（星期二）",
"週二", "(Tue)"):

- Western: "2024年5月7日", "2024/05/07", "2024-5-7", "2024.05.07", and "07/05/2024" or
  "05/07/2024" only where the day cannot be mistaken for the month (one number above 12).
- ROC: "民國113年5月7日", "113年5月7日", "113/05/07", "113.05.07", "113-5-7" (year + 1911).
  A year of two or three digits is read as ROC only where the form says so: "民國" before
  it, or three digits (100-199) before "年" or a date separator. "13/05/07" is no date.
- Without a year: "5月7日", "5/7" (month first, as Taiwan writes it), which take the year
  nearest the reference date (on the written weekday, where one is given), and are skipped
  without a reference.
- Ranges: a date, then 至 / 到 / ~ / - / – / —, then a full date, a month and day
  ("5月9日", "05/09") or a day ("9日", "09"): "113年5月7日至5月9日", "2024/05/07~05/09",
  "5/7-5/9", "12月30日至1月2日" (into the next year), "113/05/07 14:00~113/05/09".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from aggregator.core.dates.spans import DateSpan, fold_width, nearest_date_on_weekday

ROC_OFFSET = 1911
MAX_RANGE_DAYS = 366  # a longer "range" is two unrelated dates, not one event
WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAY_EN = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_DAY_MARK = r"\s*[日號号]"
_WESTERN = r"(?P<y>(?:19|20)\d\d)"
_ROC = r"(?:民\s*國|民\s*国)\s*(?P<roc>\d{1,3})"
_ROC3 = r"(?P<roc3>1\d\d)"
_TOKEN_RE = re.compile(
    # 2024年5月7日, 民國113年5月7日, 113年5月7日
    rf"(?<!\d)(?:{_ROC}|{_WESTERN}|{_ROC3})\s*年\s*(?P<m1>\d{{1,2}})\s*月\s*(?P<d1>\d{{1,2}})"
    rf"(?:{_DAY_MARK})?(?!\d)"
    # 2024/05/07, 2024-5-7, 2024.05.07, 113/05/07, 民國113.05.07
    rf"|(?<![\d/.])(?:{_ROC.replace('roc', 'roc_n')}\s*|(?P<y_n>(?:19|20)\d\d)"
    rf"|(?P<roc3_n>1\d\d))(?P<sep>[/.-])(?P<m2>\d{{1,2}})(?P=sep)(?P<d2>\d{{1,2}})(?![\d/])"
    # 07/05/2024 (day or month first, decided only when one of them is above 12)
    rf"|(?<![\d/.])(?P<a3>\d{{1,2}})/(?P<b3>\d{{1,2}})/(?P<y3>(?:19|20)\d\d)(?!\d)"
    # 5月7日 (no year)
    rf"|(?<![\d年])(?P<m4>\d{{1,2}})\s*月\s*(?P<d4>\d{{1,2}}){_DAY_MARK}"
    # 5/7 (no year, month first)
    rf"|(?<![\d/.])(?<!\d:)(?P<m5>\d{{1,2}})/(?P<d5>\d{{1,2}})(?![\d/:])"
)
_WEEKDAY_RE = re.compile(
    r"\s*(?:\(\s*(?:星期|週|周|禮拜|礼拜)?\s*(?P<zh>[一二三四五六日天])\s*\)"
    r"|(?:星期|週|周|禮拜|礼拜)\s*(?P<zh2>[一二三四五六日天])"
    r"|\(\s*(?P<en>mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\s*\))", re.IGNORECASE)
_CLOCK_BETWEEN_RE = re.compile(r"\s*(?:\d{1,2}:\d{2}(?::\d{2})?)")
_RANGE_SEP_RE = re.compile(r"\s*(?:起\s*)?(?:至|到|迄|~|-|–|—)\s*")
_ROC_END_RE = re.compile(
    rf"(?P<r>\d{{1,3}})(?:\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})(?:{_DAY_MARK})?"
    rf"|(?P<s>[/.-])(?P<m2>\d{{1,2}})(?P=s)(?P<d2>\d{{1,2}}))(?!\d)")
_DAY_ONLY_RE = re.compile(rf"(?P<d>\d{{1,2}})(?:{_DAY_MARK})?(?![\d/.:月年])")


@dataclass(frozen=True)
class _Token:
    """One date as written: its numbers (year None when not written) and where it is."""

    year: int | None
    month: int
    day: int
    weekday: int | None
    start: int
    end: int
    roc: bool = False


def find_date_spans_zh(text: str, reference: date | None = None) -> list[DateSpan]:
    """Every Chinese, ROC or numeric date and date range in ``text``, in order.

    Dates without a year need ``reference`` (else they are skipped); impossible dates
    ("113/02/30") and ranges that end before they start are skipped.
    """
    folded = fold_width(text)
    tokens = [token for token in map(_token, _TOKEN_RE.finditer(folded)) if token]
    spans: list[DateSpan] = []
    index = 0
    while index < len(tokens):
        first = tokens[index]
        last, used = _range_end(folded, first, tokens[index + 1:])
        index += 1 + used
        span = _resolve(first, last, reference)
        if span is None and last is not first:
            span = _resolve(first, first, reference)  # the range is wrong; keep its start
        if span is not None:
            spans.append(span)
    return spans


def roc_year(year: int) -> int:
    """The Western year of ROC year ``year`` (民國113年 → 2024)."""
    return year + ROC_OFFSET


def _token(match: re.Match[str]) -> _Token | None:
    year: int | None = None
    for group, offset in (("y", 0), ("y_n", 0), ("y3", 0), ("roc", ROC_OFFSET),
                          ("roc3", ROC_OFFSET), ("roc_n", ROC_OFFSET), ("roc3_n", ROC_OFFSET)):
        if match[group]:
            year = int(match[group]) + offset
    roc = bool(match["roc"] or match["roc3"] or match["roc_n"] or match["roc3_n"])
    month, day = _month_day(match)
    if month is None or day is None:
        return None
    weekday = _WEEKDAY_RE.match(match.string, match.end())
    return _Token(year, month, day, _weekday_number(weekday), match.start(),
                  weekday.end() if weekday else match.end(), roc)


def _month_day(match: re.Match[str]) -> tuple[int | None, int | None]:
    for month, day in (("m1", "d1"), ("m2", "d2"), ("m4", "d4"), ("m5", "d5")):
        if match[month]:
            return int(match[month]), int(match[day])
    first, second = int(match["a3"]), int(match["b3"])
    if first > 12 >= second:
        return second, first
    if second > 12 >= first or first == second:
        return first, second
    return None, None  # "07/05/2024": day first or month first cannot be told


def _weekday_number(match: re.Match[str] | None) -> int | None:
    if match is None:
        return None
    if match["en"]:
        return _WEEKDAY_EN.index(match["en"][:3].lower())
    name = (match["zh"] or match["zh2"]).replace("天", "日")
    return WEEKDAYS_ZH.index(name)


def _range_end(text: str, first: _Token, following: list[_Token]) -> tuple[_Token, int]:
    """The token that ends a range starting at ``first`` (``first`` itself when none) and
    how many of ``following`` it used up."""
    position = first.end
    clock = _CLOCK_BETWEEN_RE.match(text, position)
    separator = _RANGE_SEP_RE.match(text, clock.end() if clock else position)
    if not separator:
        return first, 0
    after = separator.end()
    if following and following[0].start == after:
        return following[0], 1
    roc_end = _ROC_END_RE.match(text, after) if first.roc else None
    if roc_end:  # "民國89年1月1日至89年1月2日": the first date says the second is ROC too
        month, day_number = roc_end["m"] or roc_end["m2"], roc_end["d"] or roc_end["d2"]
        weekday = _WEEKDAY_RE.match(text, roc_end.end())
        return _Token(int(roc_end["r"]) + ROC_OFFSET, int(month), int(day_number),
                      _weekday_number(weekday), after,
                      weekday.end() if weekday else roc_end.end(), True), 0
    day = _DAY_ONLY_RE.match(text, after)
    if day and not clock:
        weekday = _WEEKDAY_RE.match(text, day.end())
        end = weekday.end() if weekday else day.end()
        return _Token(first.year, first.month, int(day["d"]), _weekday_number(weekday),
                      day.start(), end), 0
    return first, 0


def _resolve(first: _Token, last: _Token, reference: date | None) -> DateSpan | None:
    """The days a token pair means, with years taken from each other or the reference."""
    try:
        year = first.year or last.year
        if year is None:
            if reference is None:
                return None
            start = nearest_date_on_weekday(first.month, first.day, first.weekday, reference)
        else:
            start = date(year, first.month, first.day)
            if first.year is None and last.year is not None and start > date(
                    last.year, last.month, last.day):
                start = start.replace(year=year - 1)
        end = date(last.year or start.year, last.month, last.day)
        if end < start and last.year is None and last.month < first.month:
            end = end.replace(year=end.year + 1)  # "12月30日至1月2日" ends in the next year
    except ValueError:
        return None
    if end < start or (end - start).days > MAX_RANGE_DAYS:
        return None
    return DateSpan(start, end, first.start, last.end)
