"""APEC meeting calendar, read from its HTML page (best effort, low confidence).

Channel: ``https://www.apec.org/Press/Calendar`` (HTML; no feed or JSON is known). No public
scraper or saved copy of this page's markup could be found, so the parser is built around a
defensive reading rather than a known layout: a meeting is the largest element around one
date line ("2 - 3 May 2024", "06 May 2024", "30 April - 2 May 2024", read by
:func:`aggregator.core.dates.find_dates`) that holds nothing else dated: a table row, a list item,
an article or a card (an element whose class names an item, card, event, meeting or row).
Inside it: the meeting's name is the first heading, else the element classed as a title,
else the first link, else the longest line (as APEC writes it: "TELWG Workshop on Meaningful
Connectivity in APEC economies"; status markers read by
:func:`aggregator.core.status.status_from_title`); the venue is the element classed or labelled
venue/location/economy, else a line naming an APEC economy or "Virtual" ("Arequipa, Peru");
the forum (TELWG, SOM2, …) the element classed or labelled forum/group/committee, else the
first acronym of the name. Table columns are read by their header labels where a header row
exists. Links are absolutized against the page. Years are read from the dates; a date
without one takes the year nearest the response's ``Date`` header.

Time zone: the host economy's, which changes every year. Option ``host_timezones``
("2024=America/Lima,2025=Asia/Seoul,2026=Asia/Shanghai") maps years to zones; a meeting's
start year picks its zone, other years take the source's ``timezone``. All meetings are
all-day (the calendar gives dates only) and ``meeting``s. Meetings come in the order APEC
lists them (the newsletter keeps it for same-day rows). Key: the meeting's link when it is
its own (on the page's site, not the calendar itself, not shared by another row), else
:func:`title_date_key`, so the same workshop on 2-3 May and on 6 May stays two meetings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregator.core.dates import DateSpan, find_dates
from aggregator.core.encoding import decode_body
from aggregator.core.model import Event, title_date_key
from aggregator.core.status import status_from_title, status_of_word
from sources.base import ParseError, Response, Source
from sources.lib.complete import check_html
from sources.lib.markup import absolute_url

if TYPE_CHECKING:  # the parser library is imported where it is used
    from bs4 import BeautifulSoup, Tag

DEFAULT_URL = "https://www.apec.org/Press/Calendar"
ECONOMIES = ("Australia", "Brunei Darussalam", "Canada", "Chile", "China", "Hong Kong",
             "Indonesia", "Japan", "Korea", "Malaysia", "Mexico", "New Zealand",
             "Papua New Guinea", "Peru", "Philippines", "Russia", "Singapore", "Chinese Taipei",
             "Thailand", "United States", "USA", "Viet Nam", "Vietnam", "Virtual", "Online",
             "Hybrid")
_ITEM_TAGS = frozenset({"li", "tr", "article"})
_STOP_TAGS = frozenset({"body", "html", "main", "table", "tbody", "thead", "ul", "ol", "dl",
                        "[document]"})
_ITEM_CLASS = re.compile(r"item|card|event|meeting|row|entry|result", re.IGNORECASE)
_GROUP_CLASS = re.compile(r"__|list|wrap|container|grid|items|events|meetings|results|rows|"
                          r"entries|cards", re.IGNORECASE)
_CLASS_ROLES: Mapping[str, str] = MappingProxyType({
    "title": r"title|name|heading", "venue": r"venue|location|place|economy|city|country",
    "forum": r"forum|fora|committee|working-?group|category"})
_HEADER_ROLES: Mapping[str, str] = MappingProxyType({
    "title": r"meeting|event|title|name|activity", "venue": r"venue|location|place|economy|"
    r"city|host", "forum": r"forum|fora|group|committee"})
_LABEL = re.compile(r"^\s*(?P<label>dates?|venue|location|place|economy|host(?: economy)?|"
                    r"forum|fora|sub-?fora|group|committee)\s*[:：]\s*", re.IGNORECASE)
_DATE_NOISE = re.compile(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|\b(?:dates?|to|and)\b|"
                         r"[\s,:\-–—/.()]", re.IGNORECASE)
_ACRONYM = re.compile(r"\b(?!APEC\b)[A-Z][A-Z&]{1,}[A-Z0-9]*\b")
_ECONOMY = re.compile(r"\b(?:" + "|".join(map(re.escape, ECONOMIES)) + r")\b")


@dataclass(frozen=True)
class Row:
    """What one calendar entry says, as text."""

    span: DateSpan
    title: str
    link: str
    venue: str
    forum: str
    status_word: str = ""


def parse_host_timezones(text: str) -> dict[int, str]:
    """{2024: "America/Lima", ...} from "2024=America/Lima, 2025=Asia/Seoul"; ValueError
    naming the first bad entry."""
    zones: dict[int, str] = {}
    for entry in filter(None, (part.strip() for part in re.split(r"[,;\s]+", text))):
        year, equals, zone = entry.partition("=")
        if not (equals and re.fullmatch(r"\d{4}", year.strip())):
            raise ValueError(f"{entry!r} is not YEAR=Zone (e.g. 2024=America/Lima)")
        try:
            ZoneInfo(zone.strip())
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America" is a folder
            raise ValueError(f"{zone.strip()!r} is not a known time zone") from None
        zones[int(year)] = zone.strip()
    return zones


class ApecSource(Source):
    """APEC's calendar of meetings (the HTML page)."""

    type = "apec"
    options = {"host_timezones": str}

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        try:
            parse_host_timezones(options.get("host_timezones", ""))
        except ValueError as exc:
            return {"host_timezones": str(exc)}
        return {}

    def parse(self, response: Response) -> Iterator[Event]:
        check_html(response.body, response.url)
        from bs4 import BeautifulSoup
        text = decode_body(response.body, response.headers)
        soup = BeautifulSoup(text, "lxml")
        for junk in soup(["script", "style", "noscript", "template"]):
            junk.decompose()
        if soup.body is None or not soup.body.get_text(strip=True) or "<" not in text:
            raise ParseError(f"{response.url}: not an HTML page")
        rows = calendar_rows(soup, response.url, reference_date(response.headers))
        if not rows and "calendar" not in soup.get_text(" ").lower():
            raise ParseError(f"{response.url}: neither meetings nor a calendar on this page")
        zones = parse_host_timezones(self.config.options.get("host_timezones", ""))
        own_links = Counter(row.link for row in rows if _own_link(row.link, response.url))
        for row in rows:
            event = self.event_of(row, row.link if own_links[row.link] == 1 else "", zones)
            if event is not None:
                yield event

    def event_of(self, row: Row, key_link: str, zones: Mapping[int, str]) -> Event | None:
        """The meeting of a row (keyed by ``key_link``, the site's own page for this row
        only, else by title and date; in its year's host zone from ``zones``), or None
        without a title."""
        marked = status_from_title(row.title)
        if not marked.title:
            return None
        start, end = row.span.first, row.span.last
        return self.event(
            source_key=key_link or title_date_key(self.organization, marked.title, start),
            title=marked.title, start=start, end=end if end > start else None,
            timezone=zones.get(start.year, self.timezone), location=row.venue,
            url=row.link, status=marked.status or status_of_word(row.status_word)
            or "confirmed", kind="meeting",
            description=f"Forum: {row.forum}." if row.forum else "")


def reference_date(headers: Mapping[str, str]) -> date | None:
    """The day of the response's ``Date`` header, for dates written without a year."""
    value = next((v for k, v in headers.items() if k.lower() == "date"), "")
    try:
        return parsedate_to_datetime(value).date() if value else None
    except (TypeError, ValueError):
        return None


def _own_link(link: str, page: str) -> bool:
    parts, here = urlsplit(link), urlsplit(page)
    return bool(link) and parts.netloc == here.netloc and parts.path.rstrip("/") != \
        here.path.rstrip("/")


def _text(element: Tag) -> str:
    return " ".join(element.get_text(" ").split())


def date_span(text: str, reference: date | None) -> DateSpan | None:
    """The span of a text that is only a date line ("Dates: Thursday, 2 - 3 May 2024")."""
    text = _LABEL.sub("", text)
    spans = find_dates(text, reference)
    if len(spans) != 1 or len(text) > 60:
        return None
    rest = text[:spans[0].start] + text[spans[0].end:]
    return spans[0] if not _DATE_NOISE.sub("", rest) else None


@dataclass(frozen=True)
class Anchor:
    """A date line of the page: the smallest element holding only it, or a bare text whose
    parent holds more ("<li>Date: <b>…</b> 2 - 3 May 2024<br>…</li>")."""

    tag: Tag
    text: str
    span: DateSpan


def date_anchors(soup: BeautifulSoup, reference: date | None) -> list[Anchor]:
    """Every date line of the page, in page order: for each text, the largest element
    around it whose whole text is a date line ("<div><span>13 - 14</span> May 2024</div>"),
    else the text itself when it is one."""
    from bs4 import Tag
    from bs4.element import PreformattedString
    anchors: list[Anchor] = []
    seen: set[int] = set()
    for node in soup.find_all(string=True):
        text = " ".join(node.split())
        if not text or isinstance(node, PreformattedString) or not isinstance(node.parent, Tag):
            continue  # comments, CDATA and doctypes are not shown
        tag: Tag | None = node.parent
        found: Tag | None = None
        while isinstance(tag, Tag) and tag.name != "[document]" and len(_text(tag)) <= 80:
            if date_span(_text(tag), reference):
                found = tag
            elif found is not None:
                break
            tag = tag.parent
        anchor_tag, line = (found, _text(found)) if found else (node.parent, text)
        span = date_span(line, reference)
        if span and id(anchor_tag) not in seen:
            seen.add(id(anchor_tag))
            anchors.append(Anchor(anchor_tag, line, span))
    return anchors


def calendar_rows(soup: BeautifulSoup, page: str, reference: date | None) -> list[Row]:
    """Every dated entry of the page, in page order."""
    anchors = date_anchors(soup, reference)
    counts = Counter(id(tag) for anchor in anchors
                     for tag in [anchor.tag, *anchor.tag.parents])
    rows = []
    for anchor in anchors:
        row = _row(_card(anchor.tag, counts), anchor, page)
        if row:
            rows.append(row)
    return rows


def _card(start: Tag, counts: Mapping[int, int]) -> Tag:
    """The entry around a date line (rules in the module docstring)."""
    card = start
    for ancestor in start.parents:
        if ancestor.name in _STOP_TAGS or counts[id(ancestor)] > 1:
            break
        card = ancestor
        if ancestor.name in _ITEM_TAGS or any(
                _ITEM_CLASS.search(token) and not _GROUP_CLASS.search(token)
                for token in ancestor.get("class") or []):
            break
    return card


def _by_role(card: Tag, role: str) -> Tag | None:
    """The element of the card whose class (or, in a table, column header) names a role."""
    if card.name == "tr":
        cells = card.find_all(["td", "th"], recursive=False)
        for header, cell in zip(_column_headers(card), cells):
            if re.search(_HEADER_ROLES[role], header, re.IGNORECASE):
                return cell
    pattern = re.compile(_CLASS_ROLES[role], re.IGNORECASE)
    return next((tag for tag in card.find_all(True)
                 if any(pattern.search(token) for token in tag.get("class") or [])), None)


def _column_headers(row: Tag) -> list[str]:
    table = row.find_parent("table")
    header = table.find("tr") if table else None
    if header is None or header is row or not header.find("th"):
        return []
    return [_text(cell).lower() for cell in header.find_all(["th", "td"], recursive=False)]


def _lines(card: Tag) -> list[str]:
    return [" ".join(line.split()) for line in card.get_text("\n").splitlines()
            if line.strip()]


def _labelled(lines: list[str], labels: str) -> str:
    for line in lines:
        match = _LABEL.match(line)
        if match and re.fullmatch(labels, match["label"], re.IGNORECASE):
            return line[match.end():].strip()
    return ""


def _row(card: Tag, anchor: Anchor, page: str) -> Row | None:
    """The fields of one entry; None when it has no name."""
    lines = [line for line in _lines(card) if line != anchor.text
             and not date_span(line, None) and _LABEL.sub("", line)]
    title_tag = _title_tag(card)
    named = [line for line in lines if re.search(r"[a-z]", line) and not _ECONOMY.search(line)
             and not status_of_word(line.strip("()[] "))]
    title = _text(title_tag) if title_tag else next(iter(named), max(lines, key=len, default=""))
    if not title:
        return None
    rest = [line for line in lines if line != title and not _LABEL.match(line)]
    status_word = next((line for line in rest if status_of_word(line.strip("()[] "))), "")
    return Row(anchor.span, title, _link(card, title_tag, page), _venue(card, lines, rest),
               _forum(card, lines, rest, title), status_word.strip("()[] "))


def _title_tag(card: Tag) -> Tag | None:
    """The first heading, else the element classed (or headed) as the title, else the first
    link with words."""
    return (card.find(["h1", "h2", "h3", "h4", "h5", "h6"]) or _by_role(card, "title")
            or next((a for a in card.find_all("a", href=True)
                     if re.search(r"[A-Za-z]{3}", _text(a)) and not date_span(_text(a), None)),
                    None))


def _link(card: Tag, title_tag: Tag | None, page: str) -> str:
    """The title's link (else the entry's first), absolute; "" for none or a non-page."""
    link_tag = title_tag if title_tag is not None and title_tag.name == "a" else (
        (title_tag.find("a", href=True) if title_tag is not None else None)
        or card.find("a", href=True))
    href = str(link_tag.get("href", "")).strip() if link_tag is not None else ""
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return ""
    return absolute_url(page, href)


def _venue(card: Tag, lines: list[str], rest: list[str]) -> str:
    tag = _by_role(card, "venue")
    venue = (_text(tag) if tag else "") or _labelled(
        lines, r"venue|location|place|economy|host(?: economy)?") or next(
        (line for line in rest if _ECONOMY.search(line) and len(line) < 80), "")
    return _LABEL.sub("", venue)


def _forum(card: Tag, lines: list[str], rest: list[str], title: str) -> str:
    tag = _by_role(card, "forum")
    forum = (_text(tag) if tag else "") or _labelled(
        lines, r"forum|fora|sub-?fora|group|committee") or next(
        (line for line in rest if re.fullmatch(r"[A-Z][A-Z0-9&-]{1,15}", line)), "") or next(
        iter(_ACRONYM.findall(title)), "")
    return _LABEL.sub("", forum)
