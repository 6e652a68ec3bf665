"""工研院 ITRI (Industrial Technology Research Institute, www.itri.org.tw): the events of one
list menu of the institute's site (seminars, forums, workshops), in Asia/Taipei.

Channel: server-rendered ASP.NET list pages (no script needed)
``https://www.itri.org.tw/ListStyle.aspx?DisplayStyle=06&SiteID=1&MmmID=<menu>&Page=1``; the
menu id of the events list is not known: option ``mmm_id`` (``display_style`` "06" by default).
Layout (as a public scraper's saved excerpt of the news list, which uses the same display
style, shows it): ``dl#divContent.pic_list`` holds ``dt`` (thumbnail) and ``dd`` pairs; in each
``dd``, ``a.title`` (the title as numeric HTML entities; a relative link
``ListStyle.aspx?DisplayStyle=01_content&SiteID=1&MmmID=…&MGID=<id>``), ``div.Lb`` with ``p``
lines ("日期：2026/09/01"), then a ``p`` summary.

Fields: the title (status markers such as "【取消】" read and cleaned); the date or range
("日期：2026/09/15 ~ 2026/09/16", ROC forms too) and time ("時間：13:30~17:00", or after the
date) from the ``div.Lb`` lines: a timed event when a time is given, else all-day; a "地點："
line is the place; the summary is the description; the link, made absolute, the url. Key:
the item's ``MGID`` (the site's own id), else the link. Kind: seminar. An item without a
title or date is skipped; a page without ``#divContent`` is a ParseError.

Paging: page 1 follows the pager's ``Page=N`` links up to ``max_pages`` (default 2); as older
pages go unread, an event missing from a fetch is not taken as withdrawn.
Confidence: medium for the layout (a public capture of the same display style, 10 items a
page); low for the meaning of "日期" on the events list (on the news list it is the day of
publication; here it is read as the event's day).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from aggregator.core.dates import parse_any_date
from aggregator.core.model import Event, title_date_key
from sources.base import ParseError, Request, Response, Source
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
    from bs4 import Tag

LIST_URL = "https://www.itri.org.tw/ListStyle.aspx"
DESCRIPTION_LIMIT = 300
_PLACE_LINE = re.compile(r"^\s*(?:活動)?(?:地點|地址|場地)\s*[:：︰]")
_PAGE_LINK = re.compile(r"[?&]page=(\d{1,3})(?:&|$)", re.IGNORECASE)


class ItriSource(Source):
    """An itri.org.tw list menu of events (``ListStyle.aspx``, display style 06)."""

    type = "itri"
    options = {"mmm_id": str, "display_style": str, "max_pages": int}
    lists_all_upcoming = False  # only max_pages pages are read

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        problems = {}
        if not re.fullmatch(r"\d{6,25}", str(options.get("mmm_id", ""))):
            problems["mmm_id"] = "the menu id of the list (MmmID, digits) is required"
        if not re.fullmatch(r"\w{1,20}", str(options.get("display_style", "06"))):
            problems["display_style"] = "must be a display style such as \"06\""
        if not 1 <= options.get("max_pages", 2) <= 20:
            problems["max_pages"] = "must be between 1 and 20"
        return problems

    def start_requests(self) -> list[Request]:
        return [self.page_request(1)]

    def page_request(self, page: int) -> Request:
        options = self.config.options
        params = (("DisplayStyle", str(options.get("display_style", "06"))), ("SiteID", "1"),
                  ("MmmID", str(options["mmm_id"])), ("Page", str(page)))
        return Request(self.config.url or LIST_URL, params=params)

    def parse(self, response: Response) -> Iterator[Event | Request]:
        soup = page_soup(response)
        listing = soup.select_one("#divContent") or soup.select_one("dl.pic_list")
        if listing is None:
            raise ParseError(f"{response.url}: no #divContent list: not an ITRI list page")
        reference = reference_date(response, self.timezone, self.today)
        for entry in listing.select("dd"):
            try:
                event = self.event_of(entry, response.url, reference)
            except ValueError:  # an item whose fields contradict each other is skipped
                continue
            if event is not None:
                yield event
        if current_page(response) == 1:
            last = min(last_page(soup), int(self.config.options.get("max_pages", 2)))
            yield from (self.page_request(page) for page in range(2, last + 1))

    def event_of(self, entry: Tag, page_url: str, reference: date) -> Event | None:
        """The event of one ``dd`` item, or None without a title or a readable date."""
        link = entry.select_one("a.title") or entry.select_one("a[href]")
        title = read_title(element_text(link)) if link else None
        lines = [element_text(line) for line in entry.select("div.Lb p, div.Lb li")] or \
            [element_text(block) for block in entry.select("div.Lb")]
        when = " ".join(line for line in lines if not _PLACE_LINE.match(line))
        span = parse_any_date(when, reference)
        if title is None or not title.title or span is None:
            return None
        clock = read_clock(when, several_days=span.last != span.first)
        start, end = event_times(span.first, span.last, clock, self.timezone, across_days=True)
        url = absolute_url(page_url, str(link["href"]).strip()) if link and link.get("href") else ""
        mgid = parse_qs(urlsplit(url).query.lower()).get("mgid", [""])[0]
        key = f"MGID:{mgid}" if mgid else url or title_date_key(self.organization,
                                                                title.title, start)
        return self.event(source_key=key,
                          title=title.title, start=start, end=end, url=url,
                          location=" ".join(strip_label(line) for line in lines
                                            if _PLACE_LINE.match(line)),
                          status=merged_status(title.status, when, ""), kind="seminar",
                          description=summary(entry))


def summary(entry: Tag) -> str:
    """The item's summary paragraphs (outside ``div.Lb``), cut at DESCRIPTION_LIMIT."""
    paragraphs = [element_text(p) for p in entry.find_all("p", recursive=False)]
    text = " ".join(paragraph for paragraph in paragraphs if paragraph)
    if len(text) <= DESCRIPTION_LIMIT:
        return text
    return text[:DESCRIPTION_LIMIT].rstrip(" ，,、") + "…"


def current_page(response: Response) -> int:
    """The page a response answers (1 when it does not say)."""
    params = {key.lower(): value for key, value in response.request.params} \
        if response.request else {}
    value = params.get("page") or next(
        (values[0] for key, values in parse_qs(urlsplit(response.url).query).items()
         if key.lower() == "page"), "1")
    return int(value) if value.isdigit() else 1


def last_page(soup: Tag) -> int:
    """The highest page the pager links to (1 without a pager)."""
    pages = [1]
    for link in soup.select("a[href]"):
        match = _PAGE_LINK.search(str(link["href"]))
        if match and "displaystyle=01_content" not in str(link["href"]).lower():
            pages.append(int(match[1]))
    return max(pages)
