"""What the date and time readers return, and the helpers they share.

A :class:`DateSpan` is one date or an inclusive range of days found in a text, with the
place it was found; a :class:`TimeSpan` is a time of day or a time range. Every reader works
on text whose full-width ASCII has been folded by :func:`fold_width`, which keeps each
character in its place, so the offsets it reports index the original text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

# Full-width ASCII (U+FF01-U+FF5E) to ASCII, the ideographic space to a space, the dashes and
# waves people type between two dates or times to "-" and "~", and the Big5 colons ("︰")
# and small parentheses to ASCII: one character each.
_WIDTH_TABLE: dict[int, str] = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
_WIDTH_TABLE.update({0x3000: " ", 0x00A0: " ", 0x301C: "~", 0x223C: "~", 0x2010: "-",
                     0x2011: "-", 0x2012: "-", 0x2212: "-", 0xFE63: "-", 0xFE58: "-",
                     0xFE30: ":", 0xFE55: ":", 0xFE59: "(", 0xFE5A: ")"})


@dataclass(frozen=True)
class DateSpan:
    """Consecutive days written as one date or range; ``start``/``end`` locate the text."""

    first: date
    last: date
    start: int
    end: int

    def days(self) -> list[date]:
        """Every day from ``first`` to ``last`` inclusive."""
        count = (self.last - self.first).days + 1
        return [self.first + timedelta(days=n) for n in range(count)]


@dataclass(frozen=True)
class TimeSpan:
    """A time of day, with the end of a range ("9:30 a.m. to 5 p.m.") and a zone label."""

    start: time
    end: time | None
    zone: str
    start_offset: int
    end_offset: int


def fold_width(text: str) -> str:
    """``text`` with full-width digits, letters and punctuation made ASCII ("１１３／５／７"
    → "113/5/7", "～" → "~"), character for character, so offsets stay valid."""
    return text.translate(_WIDTH_TABLE)


def nearest_date(month: int, day: int, reference: date) -> date:
    """The date with this month and day closest to ``reference`` (year inferred)."""
    candidates = _candidates(month, day, reference)
    if not candidates:
        raise ValueError(f"no year has day {day} of month {month}")
    return min(candidates, key=lambda candidate: abs((candidate - reference).days))


def nearest_date_on_weekday(month: int, day: int, weekday: int | None,
                            reference: date) -> date:
    """Like :func:`nearest_date`, but among the years near ``reference`` prefer those where
    the day falls on ``weekday`` (Monday 0 … Sunday 6) when one is written with the date."""
    if weekday is not None:
        matching = [candidate for candidate in _candidates(month, day, reference)
                    if candidate.weekday() == weekday]
        if matching:
            return min(matching, key=lambda candidate: abs((candidate - reference).days))
    return nearest_date(month, day, reference)


def _candidates(month: int, day: int, reference: date) -> list[date]:
    found = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            found.append(date(year, month, day))
        except ValueError:  # 29 February in a common year, or no such day at all
            continue
    return found


def drop_overlaps(spans: list[DateSpan]) -> list[DateSpan]:
    """Spans in text order, keeping the longer of two readings of the same text. Spans of
    one list ("May 29 and 30, 2024": two days, one piece of text) stay together."""
    chosen: list[DateSpan] = []
    for span in sorted(spans, key=lambda item: (item.start, -(item.end - item.start))):
        if chosen and span.start < chosen[-1].end and \
                (span.start, span.end) != (chosen[-1].start, chosen[-1].end):
            continue
        if span not in chosen:
            chosen.append(span)
    return chosen
