"""ASEAN meetings, read from the statements asean.org posts (WordPress REST API, JSON).

Channel: ``GET https://asean.org/wp-json/wp/v2/posts`` with ``per_page`` (option, ≤ 100),
``page``, ``orderby=date``, ``order=desc``, ``search`` (option, default "meeting"; "" for
every post) and ``categories`` (option: WordPress category ids, "12,34"). The answer is a
list of WordPress posts: ``id``, ``date`` (publication, local), ``link``, ``title.rendered``,
``content.rendered``, ``excerpt.rendered`` (HTML, entities such as ``&#8217;``); an error is
an object ``{code, message}``. Pages are followed while ``X-WP-TotalPages`` (or a full page)
says there are more, up to ``max_pages`` (default 2).
Confidence: low. The WordPress API is the standard one and asean.org is known to answer it,
but the site has no public calendar of meetings (no events plugin was seen: should
``/wp-json/`` ever list ``tribe/events/v1``, configure a ``tribe`` source instead), so the
meetings are read from the prose of the statements, joint media statements and press
releases that report them, mostly after the fact.

What becomes an event: a post whose title (or dated sentence) names a meeting ("56th ASEAN
Economic Ministers' (AEM) Meeting", "46th ASEAN Summit", "ASEAN Tourism Forum") and whose
title or a sentence saying it is, was or will be held/convened states its dates ("… was held
on 21-24 September 2024 in Vientiane, Lao PDR"). ``title``: the meeting's name (status
markers taken out of the post title first); ``start``/``end``: all-day dates, end inclusive
(ASEAN statements rarely give times); ``location``: the place after "in"/"at" in that
sentence, "Virtual" for videoconferences; ``timezone``: the venue's (a member state's capital
or a known venue city, e.g. Bali → Asia/Makassar), else the configured Asia/Jakarta; ``url``:
the post; ``source_key``: meeting name and first day (several posts on one meeting merge);
``description``: the post's excerpt.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aggregator.core.dates import DateSpan, find_dates, split_sentences
from aggregator.core.encoding import decode_body, load_json
from aggregator.core.model import Event, title_date_key
from aggregator.core.status import status_from_title
from sources.base import ParseError, Request, Response, Source
from sources.generic.rss import read_feed

POSTS_URL = "https://asean.org/wp-json/wp/v2/posts"
DESCRIPTION_LIMIT = 600

VENUE_ZONES: tuple[tuple[str, str], ...] = (
    # Cities first: Indonesia spans three zones, and a city names the venue more exactly.
    ("Bali", "Asia/Makassar"), ("Nusa Dua", "Asia/Makassar"),
    ("Labuan Bajo", "Asia/Makassar"), ("Makassar", "Asia/Makassar"),
    ("Jakarta", "Asia/Jakarta"), ("Kuala Lumpur", "Asia/Kuala_Lumpur"),
    ("Singapore", "Asia/Singapore"), ("Bangkok", "Asia/Bangkok"), ("Manila", "Asia/Manila"),
    ("Hanoi", "Asia/Ho_Chi_Minh"), ("Ha Noi", "Asia/Ho_Chi_Minh"),
    ("Vientiane", "Asia/Vientiane"), ("Phnom Penh", "Asia/Phnom_Penh"),
    ("Siem Reap", "Asia/Phnom_Penh"), ("Yangon", "Asia/Yangon"), ("Nay Pyi Taw", "Asia/Yangon"),
    ("Naypyidaw", "Asia/Yangon"), ("Bandar Seri Begawan", "Asia/Brunei"), ("Dili", "Asia/Dili"),
    ("Indonesia", "Asia/Jakarta"), ("Malaysia", "Asia/Kuala_Lumpur"),
    ("Thailand", "Asia/Bangkok"), ("Philippines", "Asia/Manila"),
    ("Viet Nam", "Asia/Ho_Chi_Minh"), ("Vietnam", "Asia/Ho_Chi_Minh"),
    ("Lao PDR", "Asia/Vientiane"), ("Laos", "Asia/Vientiane"), ("Cambodia", "Asia/Phnom_Penh"),
    ("Myanmar", "Asia/Yangon"), ("Brunei", "Asia/Brunei"), ("Timor-Leste", "Asia/Dili"),
)
"""Venue words (cities before countries) and the IANA zone of a meeting held there."""

_NAME_WORD = (r"(?:\d{1,3}(?:st|nd|rd|th)|[A-Z][\w'’&+\-]*|\([A-Z][\w+\-]*\)"
              r"|of|on|and|for|the|to|with)")
_GATHERING = r"(?:Meetings?|Summits?|Forum|Retreat|Conference|Dialogue|Council|Session)"
_MEETING = re.compile(
    rf"(?:(?:\d{{1,3}}(?:st|nd|rd|th)|Special|Informal|Inaugural)\s+(?:and\s+)?)*"
    rf"[A-Z][\w'’&+\-]*"
    rf"(?:\s+{_NAME_WORD})*?\s+{_GATHERING}\b"
    rf"(?:\s+(?:on|for)\s+[A-Z][\w'’&+\-]*(?:\s+(?:and\s+)?[A-Z][\w'’&+\-]*)*)?"
    rf"(?:\s+\([A-Z][\w+\-]*\))?")
_HELD = re.compile(r"\b(?:held|hold|holds|convene[sd]?|took place|takes? place|met|meets?|"
                   r"gathered|hosted|hosts?|opened|scheduled)\b", re.I)
_PLACE = re.compile(r"\b(?:in|at)\s+(?:the\s+)?(?P<place>[A-Z][\w.'’\-]*"
                    r"(?:(?:\s+|,\s*)(?:[A-Z][\w.'’\-]*|PDR|de|of|the|Darussalam))*)")
_VIRTUAL = re.compile(r"\b(?:video\s?conferenc\w*|virtual(?:ly)?|online)\b", re.I)
_NOT_PLACES = {"the", "this", "that", "their", "its"}
_MONTH_WORDS = {"january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december", "jan", "feb", "mar", "apr",
                "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
_STATEMENT = re.compile(r"^.*?\b(?:Statements?|Release|Communiqu[ée]|Declaration|Remarks|Speech|"
                        r"Address|Report)\s+(?:of|on|by|at|for|to)\s+(?:the\s+)?", re.I)
_CATEGORIES = re.compile(r"^\d+(?:\s*,\s*\d+)*$")


@dataclass(frozen=True)
class Post:
    """A WordPress post as read here: plain texts, link and publication day."""

    id: int
    link: str
    title: str
    text: str
    excerpt: str
    published: date | None


class AseanSource(Source):
    """Meetings reported by ASEAN statements and press releases on asean.org."""

    type = "asean"
    options = {"search": str, "categories": str, "per_page": int, "max_pages": int}

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        problems = {}
        if options.get("categories") and not _CATEGORIES.match(options["categories"]):
            problems["categories"] = "must be WordPress category ids separated by commas"
        if not 1 <= options.get("per_page", 50) <= 100:
            problems["per_page"] = "must be between 1 and 100 (WordPress's limit)"
        if options.get("max_pages", 2) < 1:
            problems["max_pages"] = "must be at least 1"
        return problems

    def start_requests(self) -> list[Request]:
        if self.config.url.rstrip("/").endswith("/feed"):
            return [Request(self.config.url)]  # the RSS channel: the latest posts
        return [self._posts_request(1)]

    def _posts_request(self, page: int) -> Request:
        options = self.config.options
        params = [("per_page", str(options.get("per_page", 50))), ("page", str(page)),
                  ("orderby", "date"), ("order", "desc"),
                  ("search", options.get("search", "meeting")),
                  ("categories", options.get("categories", "").replace(" ", ""))]
        return Request(self.config.url or POSTS_URL,
                       params=tuple((key, value) for key, value in params if value))

    def parse(self, response: Response) -> Iterator[Event | Request]:
        posts = read_posts(response)
        for post in posts:
            event = self.event_of(post)
            if event is not None:
                yield event
        if self.config.url.rstrip("/").endswith("/feed"):
            return  # the feed has no further pages
        following = self._next_page(response, len(posts))
        if following is not None:
            yield following

    def event_of(self, post: Post) -> Event | None:
        """The meeting a post reports, or None when it names no dated meeting."""
        marked = status_from_title(post.title)
        sentence, span = _dated_sentence(marked.title, post.text, post.published)
        name = _parse_name(marked.title) or _parse_name(sentence)
        if span is None or not name:
            return None
        location = _parse_location(sentence)
        return self.event(
            source_key=title_date_key(self.organization, name, span.first), title=name,
            start=span.first, end=span.last if span.last != span.first else None,
            timezone=venue_zone(" ".join((location, sentence))) or self.timezone,
            location=location, url=post.link, status=marked.status or "confirmed",
            kind="meeting", description=_shorten(post.excerpt))

    def _next_page(self, response: Response, count: int) -> Request | None:
        query = dict(parse_qsl(urlsplit(response.url).query))
        if response.request is not None:
            query.update(response.request.params)
        page = int(query["page"]) if query.get("page", "").isdigit() else 1
        per_page = int(query.get("per_page", "10")) if query.get("per_page", "").isdigit() else 10
        headers = {name.lower(): value for name, value in response.headers.items()}
        total = headers.get("x-wp-totalpages", "")
        more = page < int(total) if total.isdigit() else count >= per_page > 0
        if more and page < self.config.options.get("max_pages", 2):
            return self._posts_request(page + 1)
        return None


def read_posts(response: Response) -> list[Post]:
    """The posts of a response (the REST API's list, or the ``/feed/`` RSS channel's
    items); ParseError (naming the URL) for anything else."""
    if re.match(rb"\s*(?:\xef\xbb\xbf)?<(?:\?xml|rss|feed)\b", response.body):
        return feed_posts(response)
    try:
        data = load_json(decode_body(response.body, response.headers, is_html=False))
    except json.JSONDecodeError as exc:
        raise ParseError(f"{response.url}: not JSON ({exc})") from None
    if isinstance(data, dict) and "code" in data:
        raise ParseError(f"{response.url}: WordPress error {data.get('code')}: "
                         f"{str(data.get('message', ''))[:200]}")
    if not isinstance(data, list):
        raise ParseError(f"{response.url}: not a list of WordPress posts")
    return [post for post in map(post_of, data) if post is not None]


def feed_posts(response: Response) -> list[Post]:
    """The posts of the WordPress RSS feed (``/feed/``): title, link, ``content:encoded``
    (else the description), the description as excerpt, ``pubDate``."""
    feed = read_feed(response)  # ParseError when cut short or not a feed
    posts = []
    for entry in feed.entries:
        content = entry.get("content") or [{}]
        stamp = entry.get("published_parsed")
        item = {"id": 0, "link": entry.get("link"), "title": {"rendered": entry.get("title")},
                "content": {"rendered": content[0].get("value") or entry.get("summary", "")},
                "excerpt": {"rendered": entry.get("summary", "")},
                "date": f"{stamp[0]:04d}-{stamp[1]:02d}-{stamp[2]:02d}" if stamp else None}
        post = post_of(item)
        if post is not None:
            posts.append(post)
    return posts


def post_of(item: object) -> Post | None:
    """A Post from one item of the list; None when it lacks a title or link."""
    if not isinstance(item, dict) or not isinstance(item.get("link"), str):
        return None
    title = _rendered(item.get("title"))
    if not title:
        return None
    published = item.get("date")
    try:
        day = date.fromisoformat(published[:10]) if isinstance(published, str) else None
    except ValueError:
        day = None
    ident = item.get("id")
    return Post(id=ident if isinstance(ident, int) else 0,
                link=item["link"].strip(), title=title, text=_rendered(item.get("content")),
                excerpt=_rendered(item.get("excerpt")), published=day)


def venue_zone(text: str) -> str | None:
    """The IANA zone of the first venue word found in ``text`` (cities before countries)."""
    for word, zone in VENUE_ZONES:
        if re.search(rf"\b{re.escape(word)}\b", text):
            return zone
    return None


def _dated_sentence(title: str, text: str,
                    published: date | None) -> tuple[str, DateSpan | None]:
    """The title when it states dates, else the first sentence saying when a meeting is,
    was or will be held, with the first date span after that verb (else its first)."""
    spans = find_dates(title, published)
    if spans:
        return title, spans[0]
    for sentence in split_sentences(text):
        spans = find_dates(sentence, published)
        verb = _HELD.search(sentence)
        if spans and verb:  # a dateline ("JAKARTA, 20 February 2026 –") precedes the verb
            return sentence, next((s for s in spans if s.start > verb.start()), spans[0])
    return "", None


def _parse_name(text: str) -> str:
    """The first meeting named in ``text`` ("56th ASEAN Economic Ministers' (AEM) Meeting"),
    after a statement's own prefix ("Joint Media Statement of the …")."""
    for match in _MEETING.finditer(_STATEMENT.sub("", text, count=1)):
        name = re.sub(r"^(?:The|A|An)\s+", "", match.group())
        if name.split()[0].rstrip(".").lower() not in _MONTH_WORDS:
            return name
    return ""


def _parse_location(sentence: str) -> str:
    """The place the sentence names after "in"/"at"; "Virtual" for a videoconference."""
    for match in _PLACE.finditer(sentence):
        place = match["place"].strip(" ,.")
        words = place.split()
        first = words[0].rstrip(".").lower() if words else ""
        if first and first not in _NOT_PLACES | _MONTH_WORDS and place != "ASEAN" \
                and not find_dates(place):
            return place
    return "Virtual" if _VIRTUAL.search(sentence) else ""


def _rendered(value: object) -> str:
    """Plain text of a ``{"rendered": "<p>…</p>"}`` field, entities unescaped."""
    from bs4 import BeautifulSoup
    if isinstance(value, dict):
        value = value.get("rendered")
    if not isinstance(value, str):
        return ""
    return " ".join(BeautifulSoup(value, "html.parser").get_text(" ").split())


def _shorten(text: str) -> str:
    if len(text) <= DESCRIPTION_LIMIT:
        return text
    return text[:DESCRIPTION_LIMIT].rsplit(" ", 1)[0].rstrip(",;:") + " …"
