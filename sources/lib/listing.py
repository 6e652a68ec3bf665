"""Reading list pages of events whose markup the source knows: the page's HTML, an element's
visible text, labels ("地點：", "Venue:"), the year of dates written without one, the time a
cell states, status words in the title and in the date and time cells.

Shared by the html-list adapter (:mod:`sources.generic.html_list`) and the site modules that
read Taiwanese list pages (:mod:`sources.itri`, :mod:`sources.trade_gov_tw`).
"""

from __future__ import annotations

import re
from datetime import date
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from aggregator.core.dates import TimeSpan, find_all_times, parse_time_range
from aggregator.core.encoding import decode_body
from aggregator.core.model import Status
from aggregator.core.status import STATUS_WORDS, TitleStatus, status_from_title, status_of_word
from sources.base import Response
from sources.lib.complete import check_html

if TYPE_CHECKING:  # the parser library is imported where it is used
    from bs4 import BeautifulSoup, Tag

STATUS_ORDER: tuple[Status, ...] = ("cancelled", "postponed", "tentative")
_TENTATIVE_IN_DATE = ("暫定", "tentative", "provisional")
_BREAKS = {"br", "p", "div", "li", "tr", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "h5",
           "h6", "table", "ul", "ol", "dl", "section", "article"}
_LABEL = re.compile(r"^\s*(?:活動|會議|研討會|講座|課程)?\s*(?:名稱|主題|日期|時間|地點|地址|場地|"
                    r"期間|日期時間)\s*[:：︰﹕]\s*|^\s*(?:Date|Time|Venue|Location|Place|Where|"
                    r"When|Title)\s*[:：︰﹕]\s*", re.IGNORECASE)


def page_soup(response: Response) -> BeautifulSoup:
    """The response's HTML, decoded by its declared or detected character set; ParseError
    when the page is cut off (:mod:`sources.lib.complete`)."""
    check_html(response.body, response.url)
    from bs4 import BeautifulSoup
    return BeautifulSoup(decode_body(response.body, response.headers), "lxml")


def element_text(element: Tag | None) -> str:
    """The visible text of an element, whitespace collapsed; ``<br>`` and block elements
    separate words, inline tags do not (so "出口<b>管制</b>" stays "出口管制")."""
    from bs4 import Comment, Tag
    from bs4.element import NavigableString
    if element is None:
        return ""
    parts: list[str] = []
    for node in element.descendants:
        if isinstance(node, Tag) and node.name in _BREAKS:
            parts.append(" ")
        elif isinstance(node, NavigableString) and not isinstance(node, Comment) \
                and getattr(node.parent, "name", "") not in ("script", "style"):
            parts.append(str(node))
    return " ".join("".join(parts).split())


def strip_label(text: str) -> str:
    """``text`` without a leading label such as "地點：" or "Venue:"."""
    return _LABEL.sub("", text, count=1).strip()


def reference_date(response: Response, timezone: str, today: date) -> date:
    """The day a list was served (its Date header), else ``today`` (the run's), in the
    source's zone: the year given to dates written without one."""
    zone = ZoneInfo(timezone)
    for name, value in response.headers.items():
        if name.lower() == "date":
            try:
                return parsedate_to_datetime(value).astimezone(zone).date()
            except (TypeError, ValueError, IndexError):
                break
    return today


def read_clock(text: str, several_days: bool = False) -> TimeSpan | None:
    """The time or time range ``text`` states. Over several days, a start and an end time
    written apart ("113/05/07 14:00 ~ 113/05/09 12:00") make one range."""
    clock = parse_time_range(text)
    if clock is None or clock.end is not None or not several_days:
        return clock
    times = find_all_times(text)
    if len(times) < 2:
        return clock
    return TimeSpan(times[0].start, times[-1].end or times[-1].start, "",
                    times[0].start_offset, times[-1].end_offset)


def read_title(text: str) -> TitleStatus:
    """The title without its status marker; also a bare Chinese status word set off by a
    space at either end ("取消 出口管制說明會"), which :func:`status_from_title` leaves."""
    titled = status_from_title(text)
    if titled.status is not None:
        return titled
    words = titled.title.split()
    for index in (0, -1):
        status = status_of_word(words[index]) if len(words) > 1 else None
        if status is not None and not words[index].isascii():
            rest = words[1:] if index == 0 else words[:-1]
            return TitleStatus(" ".join(rest), status)
    return titled


def _cell_words() -> list[tuple[Status, bool, re.Pattern[str]]]:
    """(status, found in the date cell only, pattern) for each status word."""
    patterns = []
    for status, words in STATUS_WORDS.items():
        for word in words:
            if status == "tentative" and word not in _TENTATIVE_IN_DATE:
                continue  # "待定" / "TBC" in a cell say the time is unknown, not the event
            body = re.escape(word).replace(r"\ ", r"\s+")
            pattern = rf"\b{body}\b" if word.isascii() else body
            patterns.append((status, status == "tentative", re.compile(pattern, re.IGNORECASE)))
    return patterns


_CELL_WORDS = _cell_words()


def merged_status(title_status: Status | None, date_text: str, time_text: str) -> Status:
    """The strongest status the title or the date and time cells state (cancelled over
    postponed over tentative); confirmed when none does."""
    found = {title_status}
    for status, date_only, pattern in _CELL_WORDS:
        if pattern.search(date_text) or (not date_only and pattern.search(time_text)):
            found.add(status)
    return next((status for status in STATUS_ORDER if status in found), "confirmed")
