"""國際貿易署 (International Trade Administration, MOEA; www.trade.gov.tw): the items of one
list node (說明會, 研討會 announcements) as events, in Asia/Taipei.

Channel (confirmed by several public users): a list page ``/Pages/List.aspx?nodeID=N`` fills
itself from ``GET /App_Ashx/getDataByNodeid.ashx?nodeID=N&keyword=&calendarFrom=&calendarTo=
&history=y&datatime=all&pageindex=P``, sent with ``Referer: …/Pages/List.aspx?nodeID=N`` and
``Accept: application/json``. The answer is JSON ``{"Html": "…"}``: an HTML fragment whose
items are links ``<a href="…" title="…">…</a>`` to detail pages ``Detail.aspx?nodeID=N&pid=…``.
Which node lists events is not known: ``node_id`` is configuration.

The fragment's inner layout is inferred (no public capture), so it is read tolerantly:

- Every link to a detail page (else every link that is not the pager's) is one item; its
  ``title`` attribute (else its text) is the title, without "(另開新視窗)". When the title
  names the event in 「」 and that name ends like an event ("說明會", "論壇", "研習班"),
  the name is the title and the whole announcement the description.
- The item's row is the nearest enclosing element without another item (a table row, a list
  item; a ``dd`` with its ``dt``). Its cells and inline labels say what each date is:
  "活動日期" / "日期" / "時間" / "期間" (or such a column heading) the event's, "發布日期" /
  "公告日期" / "更新日期" the publication's, "地點" the place.
- The event's date and time: a labelled one in the row, else one written in the title
  ("訂於113年5月21日（星期二）下午2時舉行"; a year-less "6月12日(三)" takes the publication
  year), else, only with ``row_dates = "event"`` (a node that lists events by their date),
  the row's own date, labelled or not. With the default ``row_dates = "published"`` the row's
  unlabelled date is the publication date (as on the known news nodes 22, 40, 45), and an
  item without another date is no event (a 報名簡章, a notice).
- The place: a "地點" in the row, else "假<place>舉行" in the title. Status: the title's
  marker ("【取消】", "（延期）"). Key: the detail page's ``pid`` (the site's own id), else the
  link, else title and date. Kind: seminar.

Links are resolved against the list page (where the fragment is shown), not the ashx URL.
Paging: page 1 asks for pages 2 … min(pages the fragment or JSON shows, ``max_pages``,
default 3); as older pages go unread, an event missing from a fetch is not taken as withdrawn.
Confidence: medium for the channel, low for the fragment's layout (composed fixtures).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urljoin, urlsplit

from aggregator.core.dates import DateSpan, parse_any_date
from aggregator.core.encoding import decode_body, load_json
from aggregator.core.model import Event, title_date_key
from sources.base import ParseError, Request, Response, Source
from sources.lib.listing import (
    element_text,
    merged_status,
    read_clock,
    read_title,
    reference_date,
)
from sources.lib.markup import absolute_url
from sources.lib.when import event_times
from sources.trade_gov_tw_feeds import feed_items, is_feed, is_page_list, page_items

if TYPE_CHECKING:  # the parser library is imported where it is used
    from bs4 import BeautifulSoup, Tag

ENDPOINT = "https://www.trade.gov.tw/App_Ashx/getDataByNodeid.ashx"
LIST_PAGE = "/Pages/List.aspx?nodeID={node}"
ROW_TAGS = ("tr", "li", "dd", "article")
_NEW_WINDOW = re.compile(r"\s*[(（\[［]?\s*(?:另開|開啟)?新(?:視窗|分頁)(?:開啟)?\s*[)）\]］]?\s*")
_QUOTED = re.compile(r"[「『](?P<name>[^「」『』]{1,80})[」』]")
_EVENT_NAME_END = re.compile(r"(?:會|論壇|研習班|研習營|營|班|講座|工作坊|座談|課程|展)$")
_PLACE = re.compile(r"假(?P<place>[^，,。；;「」()（）]{2,40}?)(?:舉行|舉辦|辦理|召開)")
_LABEL = re.compile(r"(?P<label>發布日期|發佈日期|公告日期|更新日期|刊登日期|上架日期|活動日期|"
                    r"活動時間|活動期間|會議日期|舉辦日期|日期|時間|期間|活動地點|地點|"
                    r"\b(?:Date|Time|Venue|Location)\b)\s*[:：︰]?\s*", re.IGNORECASE)
_PUBLISHED = re.compile(r"發布|發佈|公告|更新|刊登|上架")
_PLACE_LABEL = re.compile(r"地點|venue|location", re.IGNORECASE)
_GENERIC = re.compile(r"^(?:更多|詳全文|閱讀更多|看更多|下載|附件|read more|more|download)",
                      re.IGNORECASE)
_PAGES = re.compile(r"共\s*(\d{1,4})\s*頁")
_PAGER_WORDS = re.compile(r"^(?:\d+|上一?頁|下一?頁|第一頁|最[末後]頁|首頁|末頁|[<>«»‹›]+|more|更多)$",
                          re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    """One item of the fragment: its title, link and the labelled texts around it."""

    title: str
    link: str
    event_text: str
    published_text: str
    plain_text: str
    place: str


class TradeGovTwSource(Source):
    """A trade.gov.tw list node, read through the JSON the list page loads."""

    type = "trade-gov-tw"
    options = {"node_id": int, "max_pages": int, "row_dates": str}
    lists_all_upcoming = False  # only max_pages pages are read

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        problems = {}
        if "node_id" not in options or options["node_id"] <= 0:
            problems["node_id"] = "the trade.gov.tw node id (a positive number) is required"
        if not 1 <= options.get("max_pages", 3) <= 20:
            problems["max_pages"] = "must be between 1 and 20"
        if options.get("row_dates", "published") not in ("published", "event"):
            problems["row_dates"] = 'must be "published" or "event"'
        return problems

    @property
    def node_id(self) -> int:
        return int(self.config.options["node_id"])

    @property
    def list_page(self) -> str:
        """The page the fragment is shown in (its links are relative to it)."""
        return urljoin(self.config.url or ENDPOINT, LIST_PAGE.format(node=self.node_id))

    def start_requests(self) -> list[Request]:
        if re.search(r"/Api/Get/pages|/RSS/", self.config.url, re.IGNORECASE):
            return [Request(self.config.url)]  # the pages-API or RSS channel
        return [self.page_request(1)]

    def page_request(self, page: int) -> Request:
        params = (("nodeID", str(self.node_id)), ("keyword", ""), ("calendarFrom", ""),
                  ("calendarTo", ""), ("history", "y"), ("datatime", "all"),
                  ("pageindex", str(page)))
        headers = (("Referer", self.list_page),
                   ("Accept", "application/json, text/javascript, */*; q=0.01"),
                   ("X-Requested-With", "XMLHttpRequest"))
        return Request(self.config.url or ENDPOINT, params=params, headers=headers)

    def parse(self, response: Response) -> Iterator[Event | Request]:
        if is_feed(response.body) or (is_page_list(response.body)
                                      and "/api/get/pages" in response.url.lower()):
            yield from self._parse_other(response)
            return
        from bs4 import BeautifulSoup
        payload = read_payload(response)
        fragment = BeautifulSoup(payload["html"], "lxml")
        served = reference_date(response, self.timezone, self.today)
        for row in read_rows(fragment, self.list_page):
            try:
                event = self.event_of(row, served)
            except ValueError:  # an item whose fields contradict each other is skipped
                continue
            if event is not None:
                yield event
        if page_index(response) == 1:
            last = min(page_count(payload, fragment), int(self.config.options.get("max_pages", 3)))
            yield from (self.page_request(page) for page in range(2, last + 1))

    def _parse_other(self, response: Response) -> Iterator[Event]:
        """The pages-API and RSS channels (``sources.trade_gov_tw_feeds``)."""
        served = reference_date(response, self.timezone, self.today)
        rows = feed_items(response, split_labels) if is_feed(response.body) else \
            page_items(response, self.node_id, self.list_page, split_labels)
        for fields in rows:
            try:
                event = self.event_of(Row(**fields), served)
            except ValueError:
                continue
            if event is not None:
                yield event

    def event_of(self, row: Row, served: date) -> Event | None:
        """The event of a row, or None when it states no event date (module docstring)."""
        published = parse_any_date(row.published_text, served)
        reference = published.first if published else served
        span, source_text = self._event_date(row, reference)
        if span is None:
            return None
        clock = read_clock(source_text, several_days=span.last != span.first) or \
            read_clock(row.event_text, several_days=span.last != span.first)
        start, end = event_times(span.first, span.last, clock, self.timezone, across_days=True)
        titled = read_title(row.title)
        title, description = event_name(titled.title)
        pid = parse_qs(urlsplit(row.link).query.lower()).get("pid", [""])[0]
        key = f"pid:{pid}" if pid else row.link or title_date_key(self.organization, title,
                                                                  start)
        return self.event(source_key=key, title=title, start=start, end=end,
                          location=row.place or title_place(row.title), url=row.link,
                          status=merged_status(titled.status, row.event_text, ""),
                          kind="seminar",
                          description=description)

    def _event_date(self, row: Row, reference: date) -> tuple[DateSpan | None, str]:
        """The event's days and the text they were read from (see the module docstring)."""
        candidates = [row.event_text, row.title]
        if self.config.options.get("row_dates", "published") == "event":
            candidates += [row.plain_text, row.published_text]
        for text in candidates:
            span = parse_any_date(text, reference)
            if span is not None:
                return span, text
        return None, ""


def read_payload(response: Response) -> dict[str, Any]:
    """The JSON answer with its fragment under "html"; ParseError (naming the URL) else."""
    try:
        data = load_json(decode_body(response.body, response.headers, is_html=False))
    except json.JSONDecodeError as exc:
        raise ParseError(f"{response.url}: not JSON ({exc})") from None
    fragment = {str(key).lower(): value for key, value in data.items()}.get("html") \
        if isinstance(data, dict) else None
    if not isinstance(fragment, str):
        raise ParseError(f"{response.url}: no 'Html' fragment in the answer: "
                         f"{json.dumps(data, ensure_ascii=False)[:200]}")
    return {**{str(key).lower(): value for key, value in data.items()}, "html": fragment}


def read_rows(fragment: BeautifulSoup, page_url: str) -> list[Row]:
    """The items of a fragment, in order (see the module docstring)."""
    items = item_links(fragment)
    rows = []
    for link, title in items:
        labelled = labelled_texts(row_of(link, [other for other, _ in items]), link)
        rows.append(Row(title=title, link=absolute_url(page_url, str(link["href"]).strip()),
                        event_text=" ".join(text for kind, text in labelled if kind == "event"),
                        published_text=" ".join(t for kind, t in labelled if kind == "published"),
                        plain_text=" ".join(text for kind, text in labelled if kind == "row"),
                        place=" ".join(text for kind, text in labelled if kind == "place")))
    return rows


def item_links(fragment: BeautifulSoup) -> list[tuple[Tag, str]]:
    """The links that are items, with their titles, in order: not the pager's, not generic
    ("更多", "下載"), one per target (the one with the longest title)."""
    best: dict[str, tuple[int, Tag, str]] = {}
    for index, link in enumerate(fragment.select("a[href]")):
        title = " ".join(_NEW_WINDOW.sub(" ", str(link.get("title") or "")).split())
        title = title if len(title) >= len(element_text(link).rstrip(".…")) \
            else element_text(link)
        if is_pager(link) or len(title) < 4 or _GENERIC.match(title):
            continue
        href = str(link["href"]).strip()
        if href not in best or len(title) > len(best[href][2]):
            best[href] = (best[href][0] if href in best else index, link, title)
    return [(link, title) for _, link, title in sorted(best.values(), key=lambda item: item[0])]


def is_pager(link: Tag) -> bool:
    """True for the pager's links ("1", "下一頁", "pageindex=2") and script-only links."""
    href = str(link["href"]).strip().lower()
    return ("pageindex=" in href or href.startswith(("javascript:", "#"))
            or bool(_PAGER_WORDS.match(element_text(link))))


def row_of(link: Tag, items: list[Tag]) -> list[Tag]:
    """The elements that make the item's row: the nearest enclosing table row or list item
    holding no other item (with a ``dd``'s ``dt``), else the link's widest such parent."""
    from bs4 import Tag
    others = {id(item) for item in items if item is not link}
    node = link
    while isinstance(node.parent, Tag) and node.parent.name not in ("[document]", "html", "body"):
        if any(id(found) in others for found in node.parent.find_all("a")):
            break
        node = node.parent
        if node.name in ROW_TAGS:
            break
    before = node.find_previous_sibling("dt") if node.name == "dd" else None
    return [before, node] if isinstance(before, Tag) else [node]


def labelled_texts(row: list[Tag], link: Tag) -> list[tuple[str, str]]:
    """(kind, text) pieces of a row without the title: kind "event", "published", "place"
    or "row" (unlabelled), from inline labels or the table's column headings."""
    pieces: list[tuple[str, str]] = []
    for part in row:
        cells = part.find_all(["td", "th"], recursive=False) if part.name == "tr" else [part]
        headings = column_headings(part) if part.name == "tr" else []
        for index, cell in enumerate(cells):
            text = element_text(cell).replace(element_text(link), " ")
            heading = headings[index] if index < len(headings) else ""
            pieces += split_labels(f"{heading}: {text}" if heading else text)
    return pieces


def column_headings(row: Tag) -> list[str]:
    """The texts of the heading cells of the table a row belongs to."""
    table = row.find_parent("table")
    heading_row = next((tr for tr in table.find_all("tr") if tr.find("th")), None) \
        if table else None
    return [element_text(cell) for cell in heading_row.find_all(["th", "td"])] \
        if heading_row else []


def split_labels(text: str) -> list[tuple[str, str]]:
    """A text cut at its labels, each piece with the kind its label gives."""
    pieces = []
    kind, begin = "row", 0
    for match in _LABEL.finditer(text):
        pieces.append((kind, text[begin:match.start()]))
        label = match["label"]
        kind = "published" if _PUBLISHED.search(label) else \
            "place" if _PLACE_LABEL.search(label) else "event"
        begin = match.end()
    pieces.append((kind, text[begin:]))
    return [(kind, piece.strip(" :：︰")) for kind, piece in pieces if piece.strip(" :：︰")]


def event_name(title: str) -> tuple[str, str]:
    """(title, description): the event's name in 「」 when the announcement gives one that
    ends like an event, with the announcement as description; else the title and ""."""
    quoted = [match["name"].strip() for match in _QUOTED.finditer(title)]
    if len(quoted) == 1 and len(quoted[0]) >= 4 and _EVENT_NAME_END.search(quoted[0]):
        return quoted[0], title if title.strip(" 「」『』") != quoted[0] else ""
    return title, ""


def title_place(title: str) -> str:
    """The place of "假台北國際會議中心舉行" in an announcement's title, else ""."""
    match = _PLACE.search(title)
    return match["place"].strip() if match else ""


def page_index(response: Response) -> int:
    """The page a response answers (1 when it does not say)."""
    params = dict(response.request.params) if response.request else {}
    value = params.get("pageindex") or parse_qs(urlsplit(response.url).query).get(
        "pageindex", ["1"])[0]
    return int(value) if str(value).isdigit() else 1


def page_count(payload: Mapping[str, Any], fragment: BeautifulSoup) -> int:
    """How many pages the list has, by the JSON's page count or the fragment's pager."""
    counts = [1]
    for key, value in payload.items():
        if "page" in key and ("count" in key or "total" in key) and str(value).isdigit():
            counts.append(int(value))
    counts += [int(found) for found in _PAGES.findall(element_text(fragment))]
    for link in fragment.select("a"):
        attributes = " ".join(f"{name}={value}" for name, value in link.attrs.items())
        counts += [int(found) for found in re.findall(r"page(?:index)?=[\"']?(\d{1,4})",
                                                      attributes, re.IGNORECASE)]
    return max(counts)
