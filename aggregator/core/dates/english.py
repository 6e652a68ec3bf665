"""Dates written in English prose, as organizations announce their meetings.

Find "May 29, 2024", "June 4-6, 2024", "May 29 and 30, 2024", "30 May – 2 June 2024",
"22 - 23 July 2024" in running text, split text into sentences without breaking at the
periods of "U.S." or "a.m.", and cut it at dated headings ("May 29, 2024: ..."). English
times ("9:30 a.m.") are read in :mod:`aggregator.core.dates.times`. Nothing here knows a source.

Month names are matched only when capitalized (so the verb "may" is never a month). A date
without a year takes the year that puts it closest to a reference date (usually the
publication date of the text); without a reference it is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from aggregator.core.dates.spans import DateSpan, nearest_date
from aggregator.core.dates.times import english_time_at

MONTHS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

_MONTH_NAMES = (r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
                r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?")
# Capitalized ("May") or all capitals ("MAY"), never lower case (the verb "may").
_MONTH = rf"(?:{_MONTH_NAMES}|{_MONTH_NAMES.upper()})\b\.?"
_WEEKDAY = (r"(?:(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|Mon|Tue|Wed|Thu|Thur|Fri|Sat"
            r"|Sun)\.?,?\s+)")
# A day of the month that is not the hour of a time ("May 5, 10 a.m.") nor part of a year.
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d:])(?!\s*[ap]\.?\s?m\b)"
_RANGE = r"\s*(?:-|–|—|\bto\b|\bthrough\b|\bthru\b|\buntil\b)\s*"
_SEP = rf"(?:{_RANGE}|\s*(?:,\s*and\b|,|\band\b|&)\s*)"
_DAYS = rf"{_WEEKDAY}?{_DAY}(?:{_SEP}{_WEEKDAY}?{_DAY})*"
_YEAR = r"(?:,?\s*(?P<{}>(?:19|20)\d\d)(?!\d))"

_DATE_RE = re.compile(
    # May 30 - June 2, 2024 / May 30, 2024 - June 2, 2024
    rf"\b(?P<m1>{_MONTH})\s*(?P<d1>{_DAY}){_YEAR.format('y1')}?{_RANGE}{_WEEKDAY}?"
    rf"(?P<m2>{_MONTH})\s*(?P<d2>{_DAY}){_YEAR.format('y2')}?"
    # 30 May - 2 June 2024
    rf"|\b{_WEEKDAY}?(?P<d3>{_DAY})\s+(?P<m3>{_MONTH}){_YEAR.format('y3')}?{_RANGE}{_WEEKDAY}?"
    rf"(?P<d4>{_DAY})\s+(?P<m4>{_MONTH}){_YEAR.format('y4')}?"
    # May 29, June 4-6, May 29 and 30 (, 2024)
    rf"|\b(?P<m5>{_MONTH})\s*(?P<days5>{_DAYS}){_YEAR.format('y5')}?"
    # 29 May, 22 - 23 July, Wednesday, 9 and Thursday, 10 April (2025)
    rf"|\b(?P<days6>{_DAYS})\s+(?P<m6>{_MONTH}){_YEAR.format('y6')}?"
)
_DAY_TOKEN_RE = re.compile(r"\d+|[-–—]|\b(?:to|through|thru|until)\b")


@dataclass(frozen=True)
class DatedSection:
    """A piece of text under a date heading ("May 29, 2024: ..."); ``days`` lists the
    heading's days, ``heading`` its text (which may hold a time), ``body`` what follows."""

    days: tuple[date, ...]
    heading: str
    body: str


def month_number(name: str) -> int:
    """1-12 for a month name or abbreviation ("Sept.", "june"); ValueError otherwise."""
    key = name.strip().rstrip(".").lower()[:3]
    if key not in MONTHS or not name.strip().rstrip(".").isalpha():
        raise ValueError(f"not a month: {name!r}")
    return MONTHS[key]


def parse_month_day_year(text: str) -> date:
    """The date of exactly "May 29, 2024" (also "Sept. 3 2024", "May 29th, 2024")."""
    match = re.fullmatch(rf"\s*({_MONTH})\s*(\d{{1,2}})(?:st|nd|rd|th)?,?\s*(\d{{4}})\s*",
                         text)
    if not match:
        raise ValueError(f"not a 'Month D, YYYY' date: {text!r}")
    return date(int(match[3]), month_number(match[1]), int(match[2]))


def find_dates(text: str, reference: date | None = None) -> list[DateSpan]:
    """Every date and date range in ``text``, in order of appearance.

    A range ("June 4-6", "May 30 - June 2") is one span; a list ("May 29 and 30, 2024")
    gives one span per item. Impossible dates ("February 30") are skipped.
    """
    spans: list[DateSpan] = []
    for match in _DATE_RE.finditer(text):
        try:
            spans.extend(_spans_of(match, reference))
        except ValueError:
            continue
    return spans


def _spans_of(match: re.Match[str], reference: date | None) -> list[DateSpan]:
    for m1, d1, y1, m2, d2, y2 in (("m1", "d1", "y1", "m2", "d2", "y2"),
                                   ("m3", "d3", "y3", "m4", "d4", "y4")):
        if match[m1]:
            last = _make_date(match[y2], match[m2], match[d2], reference)
            year = match[y1] or str(last.year)
            first = _make_date(year, match[m1], match[d1], reference)
            if first > last and not match[y1]:
                first = first.replace(year=first.year - 1)
            return [_span(first, last, match)] if first <= last else []
    month, days, year = ((match["m5"], match["days5"], match["y5"]) if match["m5"]
                         else (match["m6"], match["days6"], match["y6"]))
    return [_span(_make_date(year, month, first, reference),
                  _make_date(year, month, last, reference), match)
            for first, last in _day_ranges(days)]


def _day_ranges(days: str) -> list[tuple[str, str]]:
    """"4-6" → [("4", "6")]; "29 and 30" → [("29", "29"), ("30", "30")]."""
    ranges: list[tuple[str, str]] = []
    joining = False
    for token in _DAY_TOKEN_RE.findall(days):
        if not token.isdigit():
            joining = True
        elif joining and ranges:
            ranges[-1] = (ranges[-1][0], token)
            joining = False
        else:
            ranges.append((token, token))
    return ranges


def _make_date(year: str | None, month: str, day: str, reference: date | None) -> date:
    number = month_number(month)
    day_number = int(re.sub(r"\D", "", day))
    if year:
        return date(int(year), number, day_number)
    if reference is None:
        raise ValueError("a date without a year and no reference date")
    return nearest_date(number, day_number, reference)


def _span(first: date, last: date, match: re.Match[str]) -> DateSpan:
    if last < first:
        raise ValueError(f"range ends before it starts: {match[0]!r}")
    return DateSpan(first, last, match.start(), match.end())


# Abbreviations whose period never ends a sentence, and those that may ("... 9:30 a.m. The").
_NEVER_FINAL = {"u.s", "u.s.c", "u.k", "u.n", "no", "nos", "mr", "mrs", "ms", "dr", "st", "ave",
                "blvd", "e.g", "i.e", "vs", "cf", "fed", "reg", "sec", "secs", "art", "para",
                "approx", "dept", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
                "sept", "oct", "nov", "dec"}
_MAYBE_FINAL = {"a.m", "p.m"}
_ZONE_WORD_RE = re.compile(r"\(?(?:[ECMP][SD]?T|Eastern|GMT|UTC)\b")
_BREAK_RE = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: breaks at ". " before a capital or digit and at newlines,
    but not after "U.S.", "No.", "Sept." or an initial, nor after "a.m." before a zone."""
    sentences: list[str] = []
    begin = 0
    for match in _BREAK_RE.finditer(text):
        if "\n" not in match.group() and match.group().startswith(".") \
                and not _ends_sentence(text, match):
            continue
        sentences.append(text[begin:match.end()].strip())
        begin = match.end()
    sentences.append(text[begin:].strip())
    return [sentence for sentence in sentences if sentence]


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    word = text[:match.start()].rsplit(None, 1)[-1].lstrip("(\"'“").lower()
    if word in _NEVER_FINAL or (len(word) == 1 and word.isalpha()):
        return False
    if word in _MAYBE_FINAL:
        return not _ZONE_WORD_RE.match(text, match.end())
    return True


_HEADING_JOIN_RE = re.compile(r"[\s,]*(?:and|&)?\s*")
_HEADING_TIME_RE = re.compile(r",?\s*(?:at\s+)?")
_HEADING_COLON_RE = re.compile(r"\s*:(?!\d)")


def split_at_date_headings(text: str, reference: date | None = None) -> list[DatedSection]:
    """``text`` cut at headings such as "May 29, 2024:", "June 4 and 5, 2024:" or
    "June 12, 2024 at 11:59 p.m. EDT:" (dates, maybe a time, then a colon) that open the
    text, a line or a sentence. The text before the first heading comes with no days."""
    spans = find_dates(text, reference)
    cuts: list[tuple[int, int, tuple[date, ...]]] = [(0, 0, ())]  # heading start, body start
    first = 0
    while first < len(spans):
        last = first
        while last + 1 < len(spans) and _HEADING_JOIN_RE.fullmatch(
                text, spans[last].end, max(spans[last].end, spans[last + 1].start)):
            last += 1
        colon = _heading_colon(text, spans[last].end)
        if colon is not None and _opens_sentence(text[:spans[first].start]):
            days = sorted({day for span in spans[first:last + 1] for day in span.days()})
            cuts.append((spans[first].start, colon, tuple(days)))
        first = last + 1
    ends = [start for start, _, _ in cuts[1:]] + [len(text)]
    sections = [DatedSection(days, text[start:body].rstrip(": "), text[body:end].strip())
                for (start, body, days), end in zip(cuts, ends)]
    return [section for section in sections if section.body]


def _heading_colon(text: str, position: int) -> int | None:
    """Where the body starts when a colon (after an optional time) follows ``position``."""
    skipped = _HEADING_TIME_RE.match(text, position)  # always matches: each part is optional
    position = skipped.end() if skipped else position
    clock = english_time_at(text, position)
    colon = _HEADING_COLON_RE.match(text, clock.end() if clock else position)
    return colon.end() if colon else None


def _opens_sentence(before: str) -> bool:
    stripped = before.rstrip()
    return not stripped or stripped[-1] in ".;:" or "\n" in before[len(stripped):]
