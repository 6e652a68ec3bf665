"""The index page of the feeds: every feed with its subscribe links, as HTML.

Links are built from the public base URL of the feeds folder (``[feeds] base_url``), so they
are right behind a proxy: the plain URL to copy, ``webcal://`` (Apple Calendar, Outlook and
Thunderbird open it), Google Calendar's ``render?cid=webcal://...`` and Outlook.com's
``addfromweb?url=...&name=...``. Every text on the page is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from feeds.feedset import ALL_FEED, SECTION_PREFIX, SOURCE_PREFIX
from feeds.html import escape
from feeds.ics import read_header

_PAGE_HEAD = """<!doctype html>
<html lang="zh-Hant">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body>
<h1>{title}</h1>
<p>訂閱行事曆 Subscribe: webcal (Apple Calendar, Outlook), Google Calendar, Outlook.com,
or copy the address into any calendar application.</p>
"""
GROUPS: tuple[tuple[str, str], ...] = (
    ("all", "全部 Everything"), ("organization", "組織 Organizations"),
    ("section", "電子報分類 Newsletter sections"), ("source", "來源 Sources"))


@dataclass(frozen=True)
class FeedLink:
    """One feed on the index page, with its subscribe links."""

    filename: str
    name: str
    description: str
    url: str
    webcal: str
    google: str
    outlook: str


def feed_links(paths: Iterable[Path], base_url: str) -> list[FeedLink]:
    """The feeds at ``paths`` (``all.ics`` first), named as each file names itself."""
    links = []
    for path in sorted(paths, key=lambda p: (p.stem != ALL_FEED, p.name)):
        header = read_header(path.read_bytes())
        links.append(subscribe_links(path.name, header.name or path.stem, header.description,
                                     base_url))
    return links


def subscribe_links(filename: str, name: str, description: str, base_url: str) -> FeedLink:
    """The plain URL of a feed and its webcal, Google Calendar and Outlook.com links."""
    url = base_url + quote(filename)
    webcal = "webcal://" + url.split("://", 1)[-1]
    google = ("https://calendar.google.com/calendar/render?cid="
              + quote(webcal, safe=":/%"))
    outlook = ("https://outlook.live.com/calendar/0/addfromweb?"
               + urlencode({"url": url, "name": name}, quote_via=quote))
    return FeedLink(filename, name, description, url, webcal, google, outlook)


def feed_group(filename: str) -> str:
    stem = filename.removesuffix(".ics")
    if stem == ALL_FEED:
        return "all"
    if stem.startswith(SECTION_PREFIX):
        return "section"
    return "source" if stem.startswith(SOURCE_PREFIX) else "organization"


def index_page(title: str, links: Sequence[FeedLink]) -> str:
    """The HTML index: the feeds by group, each with its subscribe links; all text escaped."""
    parts = [_PAGE_HEAD.format(title=escape(title))]
    if not links:
        parts.append("<p>尚無行事曆 No feeds yet: run <code>tradecal export ics</code>.</p>\n")
    for group, heading in GROUPS:
        members = [link for link in links if feed_group(link.filename) == group]
        if not members:
            continue
        parts.append(f"<h2>{escape(heading)}</h2>\n<ul>\n")
        for link in members:
            parts.append(
                f'<li id="{escape(link.filename)}"><strong>{escape(link.name)}</strong>'
                f"<br><small>{escape(link.description).replace(chr(10), '<br>')}</small><br>\n"
                f'<a href="{escape(link.webcal)}">webcal</a> · '
                f'<a href="{escape(link.google)}">Google Calendar</a> · '
                f'<a href="{escape(link.outlook)}">Outlook.com</a> · '
                f'<input readonly size="60" value="{escape(link.url)}" aria-label="URL"> '
                f'<a href="{escape(link.url)}">{escape(link.filename)}</a></li>\n')
        parts.append("</ul>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)
