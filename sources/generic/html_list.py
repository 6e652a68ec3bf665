"""Any list page of events, described only by CSS selectors in config.toml (``type =
"html-list"``); the page-reading helpers it shares with the Taiwanese site modules are in
:mod:`sources.lib.listing`.

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
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlsplit

from aggregator.core.dates import parse_any_date
from aggregator.core.model import Event, title_date_key
from sources.base import ParseError, Response, Source
from sources.lib.listing import (
    element_text,
    merged_status,
    page_soup,
    read_clock,
    read_title,
    reference_date,
    strip_label,
)
from sources.lib.markup import absolute_url
from sources.lib.when import event_times

if TYPE_CHECKING:  # the parser library is imported where it is used
    from bs4 import BeautifulSoup, Tag

SELECTOR_KEYS = ("item", "title", "date", "link", "location", "deadline", "time")
REQUIRED_KEYS = ("item", "title", "date")
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
                event = self.event_of(entry, reference, specific)
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

    def event_of(self, entry: ListItem, reference: date, specific: set[str]) -> Event | None:
        """The event of a list item (its key its link when that is in ``specific``), or None
        when its date cannot be read."""
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


