"""國際貿易署's other two channels, read into the same rows as its list JSON
(``sources.trade_gov_tw``):

- ``GET /Api/Get/pages?nodeid=N``: a JSON list of pages, each with ``PageTitle``,
  ``PageContent`` (HTML), ``PagePublishTime`` (``2020-05-07T10:00:00``) and ``PageSummary``
  (confirmed by about ten public projects reading node 45); a page's link is its
  ``PageUrl``/``Url``/``Link`` if it has one, else ``Detail.aspx?nodeID=N&pid=PageId``.
- ``GET /RSS/RSS.aspx?nodeID=N``: RSS 2.0 (``title``, ``link``, ``description``,
  ``pubDate``).

The content's labelled parts ("活動日期：", "地點：") say the event's date and place, as a
list row's do; the publication time is the row's published date.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin

from aggregator.core.encoding import decode_body, load_json
from sources.base import ParseError, Response
from sources.generic.rss import read_feed

LINK_KEYS = ("pageurl", "url", "link", "href")
ID_KEYS = ("pageid", "id", "pid")


def is_feed(body: bytes) -> bool:
    """True for an RSS or Atom answer."""
    return bool(re.match(rb"\s*(?:\xef\xbb\xbf)?<(?:\?xml|rss|feed)\b", body))


def is_page_list(body: bytes) -> bool:
    """True for a JSON list (the pages API), not the list JSON's ``{"Html": …}``."""
    return body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")


def _text(html: str) -> str:
    from bs4 import BeautifulSoup

    return " ".join(BeautifulSoup(html or "", "lxml").get_text(" ").split())


def row_fields(title: str, link: str, content: str, published: str,
               split: Any) -> dict[str, str]:
    """The fields of a ``Row`` from one item: labelled parts of the content by kind."""
    pieces = split(content)
    return {"title": " ".join(title.split()), "link": link,
            "event_text": " ".join(text for kind, text in pieces if kind == "event"),
            "published_text": published,
            "plain_text": " ".join(text for kind, text in pieces if kind == "row"),
            "place": " ".join(text for kind, text in pieces if kind == "place")}


def page_items(response: Response, node: int, list_page: str, split: Any,
               ) -> list[dict[str, str]]:
    """The rows of a pages-API answer; ParseError naming the URL for anything else."""
    try:
        data = load_json(decode_body(response.body, response.headers, is_html=False))
    except json.JSONDecodeError as exc:
        raise ParseError(f"{response.url}: not JSON ({exc})") from None
    if not isinstance(data, list):
        raise ParseError(f"{response.url}: not a list of pages")
    rows = []
    for item in data:
        if not isinstance(item, dict):
            continue
        fields = {str(key).lower(): value for key, value in item.items()}
        title = str(fields.get("pagetitle") or "")
        if not title.strip():
            continue
        link = next((str(fields[k]) for k in LINK_KEYS if fields.get(k)), "")
        ident = next((str(fields[k]) for k in ID_KEYS if fields.get(k)), "")
        if not link and ident:
            link = f"Detail.aspx?nodeID={node}&pid={ident}"
        content = _text(str(fields.get("pagecontent") or fields.get("pagesummary") or ""))
        published = str(fields.get("pagepublishtime") or "").replace("T", " ")[:10]
        rows.append(row_fields(title, urljoin(list_page, link) if link else "", content,
                               published, split))
    return rows


def feed_items(response: Response, split: Any) -> list[dict[str, str]]:
    """The rows of the RSS channel."""
    feed = read_feed(response)  # ParseError when cut short or not a feed
    rows = []
    for entry in feed.entries:
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = f"{stamp[0]:04d}-{stamp[1]:02d}-{stamp[2]:02d}" if stamp else ""
        rows.append(row_fields(str(entry.get("title", "")), str(entry.get("link", "")),
                               _text(str(entry.get("summary", ""))), published, split))
    return rows
