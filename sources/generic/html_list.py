"""Any list page of events, described only by CSS selectors in config.toml (``type =
"html-list"``), and the page-reading helpers the Taiwanese site modules share.

Channel: the HTML page at the source's ``url``, in any encoding (Big5/CP950 pages are common
in Taiwan; :func:`aggregator.core.encoding.decode_body` reads the header, the ``<meta>``, or
guesses). The source's table names CSS selectors (soupsieve syntax):

- ``item`` (required): one element per event: a table row, a list item, a card.
- ``title`` (required, inside an item): the event's title. Status markers ("【取消】",
  "（延期）", "[Cancelled]") are read and cleaned out (:mod:`aggregator.core.status`).
- ``date`` (required, inside an item): its date or range in any form :mod:`aggregator.core.dates`
  reads: ROC ("113/05/07", "民國113年5月7日至9日"), Western ("2024/05/07~05/09"), year-less
  ("5/7(二)", which takes the year nearest the response's Date header, or today), English
  ("7 May 2024"). Labels ("活動日期：") and weekdays may surround it; the cell may also hold
  the time ("113/05/07（二）<br>14:00~16:00") and a registration deadline after a label
  ("報名截止：5/1").
- ``link`` (inside an item): the element whose ``href`` is the event's page; default: the
  first ``a[href]`` of the title. Relative links are resolved against the page (its
  ``<base href>`` if it has one).
- ``location``, ``deadline`` (its first date), ``time`` (a time or range: "14:00~16:00",
  "下午2時至4時"; default: read from the date cell). "待定" / "TBC" in it: time unknown.

An item without a title or a date is skipped (a header row, an announcement). A date with a
time is a timed event in the source's time zone (with its end when a range is given); without
one, an all-day event; several days with only a start time: all-day over those days. Status
words in the date or time cell ("取消", "延期", "Cancelled"; and "暫定" in the date cell)
count as well as the title's. Key: the event's link when it is specific (not the page itself
or the site root, and given by this item only), else the organization, normalized title and
start date. Kind: ``seminar`` for every event (the pages configured this way list
seminars and briefings; there is no option for another kind yet). A page where the ``item``
selector matches nothing is a ParseError (the layout changed, or it is not the page). An
event missing from a later fetch is not taken as withdrawn: a list may show only its latest.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlsplit
from zoneinfo import ZoneInfo

from aggregator.core.dates import (
    TimeSpan,
    find_all_times,
    parse_any_date,
    parse_time_range,
)
from aggregator.core.encoding import decode_body
from aggregator.core.model import Event, Status, title_date_key
from aggregator.core.status import (
    STATUS_WORDS,
    TitleStatus,
    status_from_title,
    status_of_word,
)
from sources.base import ParseError, Response, Source
from sources.lib.complete import check_html
from sources.lib.markup import absolute_url
from sources.lib.when import event_times

if TYPE_CHECKING:  # the parser library is imported where it is used
    from bs4 import BeautifulSoup, Tag

SELECTOR_KEYS = ("item", "title", "date", "link", "location", "deadline", "time")
REQUIRED_KEYS = ("item", "title", "date")
STATUS_ORDER: tuple[Status, ...] = ("cancelled", "postponed", "tentative")
_TENTATIVE_IN_DATE = ("暫定", "tentative", "provisional")
_BREAKS = {"br", "p", "div", "li", "tr", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "h5",
           "h6", "table", "ul", "ol", "dl", "section", "article"}
_LABEL = re.compile(r"^\s*(?:活動|會議|研討會|講座|課程)?\s*(?:名稱|主題|日期|時間|地點|地址|場地|"
                    r"期間|日期時間)\s*[:：︰﹕]\s*|^\s*(?:Date|Time|Venue|Location|Place|Where|"
                    r"When|Title)\s*[:：︰﹕]\s*", re.IGNORECASE)
_DEADLINE_LABEL = re.compile(r"(?:報名)?截止(?:日期|時間|日)?|報名期限|報名至|"
                             r"\b(?:deadline|register\s+by|registration\s+(?:closes|deadline))",
                             re.IGNORECASE)


@dataclass(frozen=True)
class ListItem:
    """The texts and link one list item gives, before they are read as an event."""

    title: str
    when: str
    time: str = ""
    link: str = ""
    location: str = ""
    deadline: str = ""


class HtmlListSource(Source):
    """Events of a list page whose layout config.toml gives as CSS selectors."""

    type = "html-list"
    options = {key: str for key in SELECTOR_KEYS}
    lists_all_upcoming = False  # a list page may show only its latest items

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        import soupsieve
        problems = {key: f"the html-list type needs a CSS selector for {key!r}"
                    for key in REQUIRED_KEYS if not str(options.get(key) or "").strip()}
        for key in SELECTOR_KEYS:
            if key in problems or not str(options.get(key) or "").strip():
                continue
            try:
                soupsieve.compile(options[key])
            except soupsieve.SelectorSyntaxError as exc:
                reason = str(exc).splitlines()[0]
                problems[key] = f"{options[key]!r} is not a CSS selector ({reason})"
        return problems

    def selector(self, key: str) -> str:
        """The configured selector for ``key``, "" when not set."""
        return str(self.config.options.get(key) or "").strip()

    def parse(self, response: Response) -> Iterator[Event]:
        soup = page_soup(response)
        items = soup.select(self.selector("item"))
        if not items:
            raise ParseError(f"{response.url}: no element matches the item selector "
                             f"{self.selector('item')!r}: not the expected list page")
        base = base_url(soup, response.url)
        listed = [entry for entry in (self._read_item(item, base) for item in items) if entry]
        specific = specific_links(listed, response.url)
        reference = reference_date(response, self.timezone, self.today)
        for entry in listed:
            try:
                event = self._event_of(entry, reference, specific)
            except ValueError:  # an item whose fields contradict each other is skipped
                continue
            if event is not None:
                yield event

    def _read_item(self, item: Tag, base: str) -> ListItem | None:
        title_element = item.select_one(self.selector("title"))
        title = strip_label(element_text(title_element)) if title_element else ""
        if not title:
            return None
        when, deadline = split_deadline(self._texts(item, "date"))
        link_element = item.select_one(self.selector("link")) if self.selector("link") \
            else title_element
        return ListItem(title=title, when=when, time=self._texts(item, "time"),
                        link=absolute_link(first_href(link_element), base),
                        location=strip_label(self._texts(item, "location")),
                        deadline=self._texts(item, "deadline") or deadline)

    def _texts(self, item: Tag, key: str) -> str:
        """The text of every element the ``key`` selector matches in ``item``."""
        if not self.selector(key):
            return ""
        return " ".join(filter(None, map(element_text, item.select(self.selector(key)))))

    def _event_of(self, entry: ListItem, reference: date, specific: set[str]) -> Event | None:
        span = parse_any_date(entry.when, reference)
        if span is None:
            return None
        clock = read_clock(entry.time or entry.when, several_days=span.last != span.first)
        start, end = event_times(span.first, span.last, clock, self.timezone, across_days=True)
        titled = read_title(entry.title)
        deadline = parse_any_date(entry.deadline, span.first) if entry.deadline else None
        key = entry.link if entry.link in specific else title_date_key(
            self.organization, titled.title, start)
        return self.event(source_key=key, title=titled.title, start=start, end=end,
                          location=entry.location, url=entry.link,
                          status=merged_status(titled.status, entry.when, entry.time),
                          kind="seminar",
                          registration_deadline=deadline.first if deadline else None)


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


def split_deadline(text: str) -> tuple[str, str]:
    """A date cell cut where a registration deadline label starts: (event part, deadline)."""
    match = _DEADLINE_LABEL.search(text)
    if not match:
        return text, ""
    return text[:match.start()].strip(), text[match.end():].strip(" :：︰﹕")


def first_href(element: Tag | None) -> str:
    """The ``href`` of ``element`` if it is a link, else of its first ``a[href]``."""
    if element is None:
        return ""
    if element.name == "a" and element.get("href"):
        return str(element["href"])
    link = element.select_one("a[href]")
    return str(link["href"]) if link else ""


def base_url(soup: BeautifulSoup, url: str) -> str:
    """The URL relative links of the page resolve against (its ``<base href>`` if any)."""
    from bs4 import Tag
    base = soup.find("base", href=True)
    return (absolute_url(url, str(base["href"])) or url) if isinstance(base, Tag) else url


def absolute_link(href: str, base: str) -> str:
    """``href`` made absolute against ``base``; "" for no link, script or mail links."""
    href = href.strip()
    if not href or href.startswith("#") or re.match(r"(?i)(javascript|mailto|tel):", href):
        return ""
    return absolute_url(base, href)


def specific_links(entries: Iterable[ListItem], page_url: str) -> set[str]:
    """The links that identify one event: not the page itself or a site root, and given by
    one item only (not a "register here" page, nor the page of a series of sessions)."""
    uses = Counter(entry.link for entry in entries if entry.link)
    page = urldefrag(page_url)[0]
    return {link for link, count in uses.items()
            if count == 1 and urldefrag(link)[0] != page and urlsplit(link).path not in ("", "/")}


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
