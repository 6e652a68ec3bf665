"""WTO meetings and events calendar, read from the JavaScript data file behind it.

Channel: ``https://www.wto.org/english/news_e/events_e/events_list_view_e.htm`` is filled in
the browser from a data file under ``https://www.wto.org/library/``; a plain download of the
page holds no rows. That file's exact URL is not publicly documented: the source's ``url``
(config) names it, defaulting to :data:`DEFAULT_URL`, an **inferred** path to confirm with one
live capture (``tradecal record wto``). The file is assumed to follow the style of the site's
public data files, confirmed on a real 2013 copy of ``/library/news/current_news_e.js``::

    news_item[2118] = {
     ni_date:"2013.06.10_14:00:00#2013.06.12_12:00:00", ni_head:"Trade Policy Review: Suriname",
     ni_intro:"The second review ...", ni_subject:"TPR#BUS", ni_country:"SUR",
     ni_links:[{ nl_text:"TPR documents", nl_url:"/english/tratop_e/tpr_e/tp382_e.htm", ...}]};

It is read as data, never executed (``sources.lib.js_literals``): every ``name[N] = {...}``,
``name.push({...})`` or ``name = [{...}, ...]`` whose object has a date and a heading is an
item, whatever the prefix of its keys (``ni_``, ``ev_``, ...).

Fields: ``*_date`` is ``YYYY.MM.DD_HH:MM:SS``, optionally ``#`` and the end, in Geneva local
time. 00:00:00 is how the site writes a date without a time (member join dates are
``1995.01.01_00:00:00``), so a midnight start is an all-day event and a midnight end is an
inclusive last day; a multi-day meeting with a start time but no end time becomes an all-day
span (its start time is said in the description), because a timed start cannot carry a date
end. ``*_head`` is the title as the WTO writes it (tags stripped, HTML entities decoded,
status markers read by :func:`aggregator.core.status.status_from_title`); ``*_intro`` and the
subject codes of ``*_subject`` (``TPR#BUS``, named as in the site's ``news_vars_e.js``) make
the description; ``*_links`` gives the URL (the first link with a URL, absolutized against
the data file's URL); a ``*_location``/``*_venue`` field, if the file has one, the location.
Option ``subjects`` ("TPR#GC") keeps only items with one of those subject codes.

Key: the link URL when it is specific to the item (its file name or query carries a number or
date of two digits or more, as ``tp382_e.htm``, ``dsb_agenda_24may13_e.htm`` or a Documents
Online ``filename=q:/WTO/AIR/DSB/142.pdf`` do, and no other item of the file shares it;
gateway pages such as ``gcounc_e.htm`` or ``aid4trade_e.htm`` are not), else
:func:`title_date_key`. Every item is a ``meeting`` (workshops too: the newsletter's calendar
lists them as meetings). A meeting that is also announced by an airgram
(``sources.wto_airgrams``) has another uid there: two sources, two keys. Confidence: high for
the item syntax (a real file), low for the events file's URL and for which fields it has.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from types import MappingProxyType
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from aggregator.core.encoding import decode_body
from aggregator.core.model import Event, title_date_key
from aggregator.core.sniff import looks_like_js_data
from aggregator.core.status import status_from_title
from sources.base import ParseError, Request, Response, Source
from sources.lib.complete import check_javascript
from sources.lib.js_literals import JsItem, find_js_items
from sources.lib.markup import absolute_url
from sources.wto_news import meeting_title, rss_meetings

DEFAULT_URL = "https://www.wto.org/library/events/event_resources/meetings_e.js"  # inferred
SITE = "https://www.wto.org/"
SUBJECTS: Mapping[str, str] = MappingProxyType({
    "ACC": "accessions", "AGRI": "agriculture", "AGNG": "agriculture negotiations",
    "AID": "Aid for Trade", "ANTI": "anti-dumping", "AB": "Appellate Body",
    "BUS": "business, trade and the WTO", "COTT": "Cotton Sub-Committee",
    "DEVEL": "trade and development", "DGPL": "Director-General",
    "DISP": "dispute settlement", "DDA": "Doha Development Agenda",
    "ENVIR": "trade and environment", "FISH": "negotiations on fisheries subsidies",
    "GC": "General Council", "GOOD": "Council for Trade in Goods",
    "GPRO": "government procurement", "IMPL": "import licensing",
    "ITA": "Information Technology Agreement", "TRIP": "intellectual property",
    "MINIS": "ministerial conferences", "NEGO": "negotiating meetings",
    "NAMA": "non-agricultural market access negotiations", "PFOR": "WTO Public Forum",
    "RTA": "regional trade agreements", "RULE": "rules negotiations",
    "ROI": "rules of origin", "SAFE": "safeguard measures",
    "SPS": "sanitary and phytosanitary measures", "SERV": "services",
    "SCM": "subsidies and countervailing measures", "TECH": "technical assistance",
    "TBT": "technical barriers to trade", "STAT": "international trade statistics",
    "FAC": "trade facilitation",
    "TNC": "Trade Negotiations Committee", "TPR": "trade policy reviews",
    "TRA": "WTO training courses", "SPPL": "Speech Pascal Lamy",
    "DGSEL": "Director-General selection process",
})
_STAMP = re.compile(r"(\d{4})[./-](\d{1,2})[./-](\d{1,2})"
                    r"(?:[_T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_NUMBERED = re.compile(r"\d{2,}")


@dataclass(frozen=True)
class WhenAndNote:
    """An item's start and end as the event model wants them, with a note for what is lost
    (the start time of a meeting of several days)."""

    start: date | datetime
    end: date | datetime | None
    note: str = ""


class WtoSource(Source):
    """The WTO's meetings and events calendar (its JavaScript data file)."""

    type = "wto"
    options = {"subjects": str, "meetings_only": bool}

    def start_requests(self) -> list[Request]:
        return [Request(self.config.url or DEFAULT_URL)]

    def parse(self, response: Response) -> Iterator[Event | Request]:
        text = decode_body(response.body, response.headers, is_html=False)
        meetings_only = bool(self.config.options.get("meetings_only"))
        if meetings_only and re.match(r"\s*<(?:\?xml|rss|feed)\b", text):
            yield from rss_meetings(self.event, response, ZoneInfo(self.timezone))
            return
        check_javascript(text, response.url)
        items = find_js_items(text)
        if not items and not looks_like_js_data(text):
            raise ParseError(f"{response.url}: not a WTO JavaScript data file")
        wanted = subject_codes(self.config.options.get("subjects", ""))
        base = response.url if urlsplit(response.url).scheme in ("http", "https") else SITE
        links = [item_link(item, base) for item in items]
        shared = Counter(link for link in links if link)
        for item, link in zip(items, links):
            if wanted and not wanted & subject_codes(_text(item.get("subject"))):
                continue
            event = self.event_of(item, link if shared[link] == 1 else "", link)
            if event:
                yield event

    def event_of(self, item: JsItem, key_link: str, link: str) -> Event | None:
        """The event of one item, or None when its title or date is missing or broken."""
        marked = status_from_title(clean_text(_text(item.get("head", "title"))))
        when = parse_when(_text(item.get("date")), ZoneInfo(self.timezone))
        if not marked.title or when is None:
            return None
        if self.config.options.get("meetings_only"):  # a news file: meetings only
            title = meeting_title(marked.title)
            if title is None:
                return None
            marked = dataclasses.replace(marked, title=title)
        parts = urlsplit(key_link)
        specific = bool(_NUMBERED.search(parts.path.rsplit("/", 1)[-1] + parts.query))
        return self.event(
            source_key=key_link if specific else title_date_key(self.organization,
                                                                marked.title, when.start),
            title=marked.title, start=when.start, end=when.end, url=link,
            location=clean_text(_text(item.get("location", "venue", "place"))),
            status=marked.status or "confirmed", kind="meeting",
            description=describe(item, when.note),
        )


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def clean_text(text: str) -> str:
    """Text of an HTML fragment: tags removed, entities decoded, whitespace collapsed."""
    without_tags = re.sub(r"<[^>]*>", " ", text)
    return " ".join(html.unescape(without_tags).replace("\xa0", " ").split())


def subject_codes(text: str) -> frozenset[str]:
    """The subject codes of "TPR#BUS" (also comma- or space-separated), upper-cased."""
    return frozenset(code.upper() for code in re.split(r"[#,;\s]+", text) if code)


def item_link(item: JsItem, base: str) -> str:
    """The absolute URL of the item's first link that has one, else ""."""
    links = item.get("links")
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict):
            url = _text(JsItem(link).get("url")).strip()
            if url and not url.startswith(("#", "javascript:", "mailto:")):
                return absolute_url(base, html.unescape(url))
    return ""


def _stamp(text: str) -> tuple[date, time | None] | None:
    """The day and time of "2013.06.10_14:00:00" (time None for 00:00:00 or none)."""
    match = _STAMP.search(text)
    if not match:
        return None
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
        clock = time(int(match[4]), int(match[5]), int(match[6] or 0)) if match[4] else None
    except ValueError:
        return None
    return day, clock if clock != time(0) else None


def parse_when(text: str, zone: ZoneInfo) -> WhenAndNote | None:
    """Start and end of "START[#END]" in Geneva time (rules in the module docstring)."""
    first, _, second = text.partition("#")
    start = _stamp(first)
    if start is None:
        return None
    end = _stamp(second)
    (day, clock), (last, last_clock) = start, end or start
    if last < day or (last == day and end is not None and clock and last_clock
                      and last_clock <= clock):
        last, last_clock = day, None
    if clock is None or (last > day and last_clock is None):
        note = f"Starts at {clock:%H:%M} (Geneva time)." if clock else ""
        return WhenAndNote(day, last if last > day else None, note)
    begin = datetime.combine(day, clock, tzinfo=zone)
    finish = datetime.combine(last, last_clock, tzinfo=zone) if last_clock else None
    return WhenAndNote(begin, finish if finish and finish > begin else None)


def describe(item: JsItem, note: str) -> str:
    """The item's introduction, the note on its time, and its subjects in words."""
    codes = [code for code in re.split(r"[#,;\s]+", _text(item.get("subject"))) if code]
    subjects = "; ".join(SUBJECTS.get(code.upper(), code) for code in codes)
    parts = [clean_text(_text(item.get("intro"))), note,
             f"Subjects: {subjects}." if subjects else ""]
    return "\n\n".join(part for part in parts if part)
