"""Times of day: English ("9:30 a.m.", "noon", "10 a.m. ET", "9:30 a.m. to 5 p.m."),
24-hour ("14:00", "14:00-16:00", "14:00~16:00", "14:00－16:00") and Chinese ("下午2時30分",
"下午2:30", "上午10時", "14時30分", "晚上7點半", "下午2時至4時").

:func:`parse_time_range` is the one call for a cell or sentence that states a time: it gives
the first time or time range in any of these forms, and None when there is none or when the
text says the time is not known yet ("TBC", "TBD", "待定", "另行通知"): an unknown time is
never guessed. :func:`find_times` keeps to the English and 24-hour forms (the USTR reader's).
"""

from __future__ import annotations

import re
from datetime import time

from aggregator.core.dates.spans import TimeSpan, fold_width

_CLOCK = (r"(?:(?P<{0}h>1[0-2]|0?[1-9])(?:[:.](?P<{0}m>[0-5]\d))?(?::?\s*)(?P<{0}ap>[ap])\.?\s?m\b\.?"
          r"|(?P<{0}word>noon|midday|midnight)"
          r"|(?P<{0}h24>[01]?\d|2[0-3])[:h](?P<{0}m24>[0-5]\d)\b(?!:?\s*[ap]\.?\s?m\b))")
"""A clock time; "2:00: pm" (a stray colon, as some event templates print it) included."""
_ZONE = (r"(?:\s*\(?(?P<zone>Eastern(?:\s+(?:Standard|Daylight))?(?:\s+Time)?"
         r"|(?-i:[ECMP][SD]?T|GMT|UTC|CES?T)|Geneva\s+time)\b\)?)?")
_ENGLISH_TIME_RE = re.compile(
    rf"\b{_CLOCK.format('a')}(?:\s*(?:-|–|—|\bto\b|\buntil\b|\btill\b)\s*{_CLOCK.format('b')})?"
    rf"{_ZONE}",
    re.IGNORECASE,
)


def find_times(text: str) -> list[TimeSpan]:
    """Every English or 24-hour time of day (or time range) in ``text``, in order."""
    found = []
    for match in _ENGLISH_TIME_RE.finditer(text):
        end = _clock(match, "b") if (match["bh"] or match["bword"] or match["bh24"]) else None
        found.append(TimeSpan(_clock(match, "a"), end, match["zone"] or "",
                              match.start(), match.end()))
    return found


def find_time(text: str) -> TimeSpan | None:
    """The first time of day in ``text``, or None."""
    times = find_times(text)
    return times[0] if times else None


def parse_time(text: str) -> time:
    """The time of exactly "9:30 a.m.", "10 AM", "noon" or "14:00"; ValueError otherwise."""
    match = _ENGLISH_TIME_RE.fullmatch(text.strip())
    if not match or match["bh"] or match["bword"] or match["bh24"]:
        raise ValueError(f"not a time of day: {text!r}")
    return _clock(match, "a")


def _clock(match: re.Match[str], prefix: str) -> time:
    word = (match[f"{prefix}word"] or "").lower()
    if word:
        return time(0) if word == "midnight" else time(12)
    if match[f"{prefix}h24"]:
        return time(int(match[f"{prefix}h24"]), int(match[f"{prefix}m24"]))
    hour = int(match[f"{prefix}h"]) % 12
    if match[f"{prefix}ap"].lower() == "p":
        hour += 12
    return time(hour, int(match[f"{prefix}m"] or 0))


def english_time_at(text: str, position: int) -> re.Match[str] | None:
    """The English time that starts exactly at ``position`` of ``text``, if any."""
    return _ENGLISH_TIME_RE.match(text, position)


_PM = ("下午", "午後", "晚上", "傍晚", "晚間", "夜間")
_PERIOD = r"(?P<{0}p>上午|早上|清晨|凌晨|中午|下午|午後|晚上|傍晚|晚間|夜間)"
_ZH_CLOCK = (rf"(?:{_PERIOD}\s*)?(?P<{{0}}h>[01]?\d|2[0-3])\s*"
             r"(?:[:](?P<{0}m>[0-5]\d)(?::[0-5]\d)?(?!\d)"
             r"|(?P<{0}unit>[時时點点])(?:\s*(?P<{0}mz>[0-5]?\d)\s*分|(?P<{0}half>半))?)")
_ZH_TIME_RE = re.compile(
    rf"(?<![\d.])(?<!\d[:/]){_ZH_CLOCK.format('a')}"
    rf"(?:\s*(?:-|~|–|—|至|到)\s*{_ZH_CLOCK.format('b')})?")
_ZH_ONE_CLOCK_RE = re.compile(_ZH_CLOCK.format("a"))
_PLACE_BEFORE_RE = re.compile(r"(?:地點|場地|地址|venue|location|place)\W{0,3}$", re.IGNORECASE)
_UNKNOWN_RE = re.compile(
    r"\b(?:TBC|TBD|TBA|to\s+be\s+(?:confirmed|determined|announced|advised))\b"
    r"|待定|未定|另行通知|另行公告|另訂|另定|待確認|待公布|再行通知", re.IGNORECASE)


def find_times_zh(text: str) -> list[TimeSpan]:
    """Every Chinese or 24-hour time (or range) in ``text``: "下午2時30分", "14:00~16:00"."""
    folded = fold_width(text)
    found = []
    for match in _ZH_TIME_RE.finditer(folded):
        start = _zh_clock(match, "a", None)
        if start is None:
            continue
        end = _zh_clock(match, "b", match["ap"]) if match["bh"] else None
        if match["bh"] and end is None:  # the second clock is no time ("3點"): keep the first
            alone = _ZH_ONE_CLOCK_RE.match(folded, match.start())
            stop = alone.end() if alone else match.end("ah")
            found.append(TimeSpan(start, None, "", match.start(), stop))
            continue
        if end is not None and match["ap"] and not match["bp"] and match["ap"] not in _PM \
                and end.hour < start.hour:
            end = end.replace(hour=end.hour + 12)  # "上午10時至2時" ends in the afternoon
        found.append(TimeSpan(start, end, "", match.start(), match.end()))
    return found


def _zh_clock(match: re.Match[str], prefix: str, inherited: str | None) -> time | None:
    """The time one clock of a Chinese match gives; None for "3點" without a period or
    minutes (more often "point 3" than three o'clock)."""
    period = match[f"{prefix}p"] or inherited
    unit = match[f"{prefix}unit"]
    if unit in ("點", "点") and not (match[f"{prefix}p"] or match[f"{prefix}mz"]
                                     or match[f"{prefix}half"]):
        return None
    hour = int(match[f"{prefix}h"])
    minute = int(match[f"{prefix}m"] or match[f"{prefix}mz"] or 0)
    if match[f"{prefix}half"]:
        minute = 30
    if period in _PM and hour < 12 or period == "中午" and hour < 6:
        hour += 12
    elif period == "凌晨" and hour == 12:
        hour = 0
    return time(hour, minute) if hour < 24 else None


def find_all_times(text: str) -> list[TimeSpan]:
    """Every time in ``text`` in any form (English, 24-hour, Chinese), in text order; where
    two readings cover the same text, the longer ("9:30 a.m." over "9:30")."""
    folded = fold_width(text)
    readings = sorted(find_times(folded) + find_times_zh(folded),
                      key=lambda span: (span.start_offset, -(span.end_offset - span.start_offset)))
    chosen: list[TimeSpan] = []
    for span in readings:
        if not chosen or span.start_offset >= chosen[-1].end_offset:
            chosen.append(span)
    return chosen


def time_unknown(text: str) -> bool:
    """True when ``text`` says the time is not known yet ("TBC", "TBD", "待定", "另行通知"),
    not only the place ("地點待定", "Venue: TBC")."""
    folded = fold_width(text)
    return any(not _PLACE_BEFORE_RE.search(folded, max(0, match.start() - 12), match.start())
               for match in _UNKNOWN_RE.finditer(folded))


def parse_time_range(text: str) -> TimeSpan | None:
    """The first time or time range stated in ``text`` in any form; None when there is none
    or when the text says the time is still unknown ("14:00 (TBC)" too: unknown stays so)."""
    if time_unknown(text):
        return None
    times = find_all_times(text)
    return times[0] if times else None
