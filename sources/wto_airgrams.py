"""WTO airgrams: the official notices of WTO meetings, from Documents Online's XML search.

Channel: ``GET https://docs.wto.org/dol2fe/Pages/SS/GetXMLResults.aspx`` with
``DataSource=Cat``, ``Language=English``, ``XMLMaxHitsPerPage`` (option ``per_page``, ≤ 100),
``XMLStart`` (0, then 0 + the hits read, up to option ``max_pages``: the only public users
start at 0; if the server counts from 1 instead, a page boundary is read twice and the
repeated airgram is dropped by its symbol, so either reading loses nothing) and
``query=(@Symbol=WTO/AIR/*) AND (@meta_Date>=dd/mm/yyyy)`` (the last option
``lookback_days`` days, from the first of that month; 0 drops the date clause). The endpoint, its parameters and the
``@Symbol=``/``@meta_Date>=`` query forms are confirmed by public users searching ``WT/DS*``;
the airgram query itself is **inferred**. The answer is Autonomy ACI XML (namespace
``http://schemas.autonomy.com/aci/``): ``autn:totalhits``, then one ``autn:hit`` per document
whose ``autn:content/DOCUMENT`` holds SYMBOL (several joined by ``#``), CATTITLE, ISSUINGDATE
(``dd/mm/yyyy``, maybe with a time), FILENAMESA (``Q:/WTO/AIR/...pdf``, several joined by
``#``), BODIES (``#``-separated) and CONTENTS (the text read below).

What becomes an event: an airgram announces a meeting in a sentence such as "The next
meeting of the Dispute Settlement Body will be held in the Centre William Rappard on Tuesday,
27 September 2011, starting at 10 a.m." (also "The Committee on Customs Valuation will hold
its next meeting on ...", a cancellation, a postponement "to" a new date, which gives the old
day as ``postponed`` and the new day as ``confirmed``). The title is the body's name as the
WTO writes it ("Dispute Settlement Body", "General Council", "Committee on Customs
Valuation"). The date is read by :func:`aggregator.core.dates.find_dates` ("Wednesday, 9 and
Thursday, 10 April 2025", "22 - 23 July 2024") in the clause that names the body (a date
without a year takes the year nearest the ISSUINGDATE), the time by :func:`find_time`, in
Europe/Zurich: a one-day meeting with a time is timed, several days make an all-day span
(the starting time is said in the description). The place is the one that sentence (or
another sentence about the meeting) names: a room, "Centre William Rappard" (which is in
Geneva), a city, "Virtual". Without such a sentence, a CATTITLE with one date makes the
meeting, of the body its first parts name (else the first BODIES entry).

The URL is the document as Documents Online serves it (``directdoc.aspx?filename=q:/...
&Open=True``, built from FILENAMESA as public users do; the symbol search page when
FILENAMESA is missing: both inferred). Key: the body's normalized name and the meeting's
first day, so a cancellation or a revised airgram updates the same event. Hits are read
newest first (ISSUINGDATE): the refresh keeps the first announcement of an event and
completes it from later ones, so a cancellation wins over the notice it cancels. The WTO
calendar (``sources.wto``) lists the same meetings under its own keys: two sources, two uids.
Confidence: medium for the channel, medium-low for the wording (composed fixtures).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from aggregator.core.dates import find_dates, find_time, split_sentences
from aggregator.core.encoding import without_surrogate_references
from aggregator.core.model import Event, Status, normalize_title
from aggregator.core.status import status_from_title
from sources.base import ParseError, Request, Response, Source

SEARCH_URL = "https://docs.wto.org/dol2fe/Pages/SS/GetXMLResults.aspx"
DOCUMENT_URL = "https://docs.wto.org/dol2fe/Pages/SS/directdoc.aspx"
SYMBOL_SEARCH_URL = "https://docs.wto.org/dol2fe/Pages/FE_Search/FE_S_S006.aspx"
SYMBOL_QUERY = "@Symbol=WTO/AIR/*"

_MEETING_OF = re.compile(r"\b(?i:meeting|session)s?\s+of\s+the\s+(?=[A-Z])")
_CLAUSE_END = re.compile(r"(?<=\.)(?<!\b[ap]\.m\.)(?<!\bNo\.)\s+(?=[A-Z][a-z]+\s)")
_WILL_MEET = re.compile(r"\b(?:[Tt]he\s+)?(?P<body>[A-Z][^.;:,]*?)\s+(?:will|shall)\s+"
                        r"(?:hold|convene|meet|resume)\b")
_BODY_END = re.compile(
    r"\s*[,;:]|\s+(?:will|shall|is|are|has|have|was|were|to\s+be|scheduled|planned|originally"
    r"|previously|convened|which|starting|beginning)\b"
    r"|\s+on\s+(?=(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|\d)"
    r"|\s+(?:in|at)\s+(?=(?:the\s+)?(?:Centre|Center|CWR\b|Room\b|WTO\b|premises|Geneva))"
    r"|\s+from\s+(?=\d)|\.?\s*$")
_CANCELLED = re.compile(r"\bcancell?(?:ed|ation)\b|\bwill\s+not\s+(?:be\s+held|take\s+place)",
                        re.IGNORECASE)
_POSTPONED = re.compile(r"\bpostpone|\breschedul|\bdeferred\b|\bmoved\b", re.IGNORECASE)
_TENTATIVE = re.compile(r"\bif\s+(?:necessary|needed|required)\b|\btentative|\bprovisional",
                        re.IGNORECASE)
_PLACE = re.compile(r"\b(?:held|take\s+place|convene|meet)\s+(?:in|at)\s+(?:the\s+)?"
                    r"(?P<place>[A-Z][^;]*?)(?=,?\s+(?:on|from|starting|beginning|at\s+\d)\b"
                    r"|,\s+(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|[.;]?\s*$)")
_ROOM = re.compile(r"\bRoom\s+[A-Z0-9][\w-]*")
_CWR = re.compile(r"\bCentre\s+William\s+Rappard\b|\bCWR\b")
_BODY_WORD = re.compile(r"\b(?:Committee|Council|Body|Board|Party|Group|Conference|Session|"
                        r"Review|Forum|Mechanism)\b")
_MEETING_WORD = re.compile(r"\b(?:meeting|session)s?\b", re.IGNORECASE)
_VIRTUAL = re.compile(r"\bvirtual(?:ly)?\b|\bonline\b|\bvideo\s?conferenc", re.IGNORECASE)
_NOT_A_BODY = re.compile(r"^(?:airgram|(?:special |formal |informal )?meeting|notice|proposed"
                         r"|agenda|wto/air)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Airgram:
    """The fields of one search hit that meetings are read from."""

    symbol: str
    title: str
    issued: date | None
    filename: str
    bodies: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Meeting:
    """One meeting an airgram announces, cancels or moves (on ``first`` to ``last``)."""

    body: str
    first: date
    last: date
    clock: time | None
    location: str
    status: Status
    sentence: str


class WtoAirgramsSource(Source):
    """Meeting notices (airgrams, ``WTO/AIR/...``) found through Documents Online."""

    type = "wto-airgrams"
    options = {"lookback_days": int, "per_page": int, "max_pages": int}

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        problems = {}
        if options.get("lookback_days", 0) < 0:
            problems["lookback_days"] = "must be 0 (no limit) or a number of days"
        if not 1 <= options.get("per_page", 100) <= 100:
            problems["per_page"] = "must be between 1 and 100"
        if options.get("max_pages", 1) < 1:
            problems["max_pages"] = "must be at least 1"
        return problems

    def start_requests(self) -> list[Request]:
        options = self.config.options
        query = search_query(self.today, int(options.get("lookback_days", 120)))
        params = (("DataSource", "Cat"), ("Language", "English"),
                  ("XMLMaxHitsPerPage", str(options.get("per_page", 100))),
                  ("XMLStart", "0"), ("query", query))
        return [Request(self.config.url or SEARCH_URL, params=params)]

    def parse(self, response: Response) -> Iterator[Event | Request]:
        root = read_results(response)
        hits = [hit for hit in root.iter() if _local(hit) == "hit"]
        airgrams = unique_symbols(airgram for airgram in map(airgram_from_hit, hits) if airgram)
        for airgram in sorted(airgrams, key=lambda a: a.issued or date.min, reverse=True):
            yield from self.events_of(airgram)
        total = _number(_child_text(root, "totalhits"))
        follow = next_page(response, len(hits), total, int(self.config.options.get("max_pages", 3)))
        if follow:
            yield follow

    def events_of(self, airgram: Airgram) -> list[Event]:
        """The meeting events of one airgram (none when it announces no meeting)."""
        zone = ZoneInfo(self.timezone)
        events: dict[str, Event] = {}
        for meeting in find_meetings(airgram):
            start: date | datetime = meeting.first
            end: date | datetime | None = meeting.last if meeting.last > meeting.first else None
            note = ""
            if meeting.clock and end is None:
                start = datetime.combine(meeting.first, meeting.clock, tzinfo=zone)
            elif meeting.clock:
                note = f"Starts at {meeting.clock:%H:%M} (Geneva time) on the first day."
            key = f"{normalize_title(meeting.body)}|{meeting.first.isoformat()}"
            events.setdefault(key, self.event(
                source_key=key, title=meeting.body, start=start, end=end,
                location=meeting.location, url=document_url(airgram), status=meeting.status,
                kind="meeting", description=describe(airgram, meeting.sentence, note)))
        return list(events.values())


def unique_symbols(airgrams: Iterable[Airgram]) -> list[Airgram]:
    """The airgrams with a symbol seen before dropped (a page boundary read both ways)."""
    seen: set[str] = set()
    kept = []
    for airgram in airgrams:
        if airgram.symbol and airgram.symbol in seen:
            continue
        seen.add(airgram.symbol)
        kept.append(airgram)
    return kept


def search_query(today: date, lookback_days: int) -> str:
    """The Documents Online query for airgrams issued in the last ``lookback_days`` days,
    counted from the first of that month, so the URL (and the name of a recorded response)
    changes once a month, not daily."""
    if lookback_days <= 0:
        return SYMBOL_QUERY
    since = (today - timedelta(days=lookback_days)).replace(day=1)
    return f"({SYMBOL_QUERY}) AND (@meta_Date>={since:%d/%m/%Y})"


def _local(element: Any) -> str:
    """The tag's local name in lower case: ``{ns}hit`` and ``autn:hit`` (an unbound prefix,
    as a recovering parser leaves it) are ``hit``."""
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _child_text(element: Any, name: str) -> str:
    """Text of the first descendant with this local name (any namespace, any case)."""
    for child in element.iter():
        if _local(child) == name.lower():
            return " ".join("".join(child.itertext()).split())
    return ""


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def read_results(response: Response) -> Any:
    """The ``autnresponse`` root of a search answer; ParseError (naming the URL) otherwise."""
    from lxml import etree
    root = None
    body = without_surrogate_references(response.body)  # lxml would keep undecodable bytes
    for recover in (False, True):
        parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=recover,
                                 huge_tree=False)
        try:
            root = etree.fromstring(body, parser)
            break
        except (etree.XMLSyntaxError, ValueError):
            continue
    if recover and not body.rstrip().endswith(b"</autnresponse>"):
        # a cut answer read leniently would make the meetings after the cut look withdrawn
        raise ParseError(f"{response.url}: the XML answer is cut off (no </autnresponse>)")
    if root is None or _local(root) != "autnresponse":
        raise ParseError(f"{response.url}: not a Documents Online (Autonomy ACI) XML answer")
    if _child_text(root, "response").upper() not in ("", "SUCCESS"):
        detail = _child_text(root, "errordescription") or _child_text(root, "error")
        raise ParseError(f"{response.url}: search failed: {detail[:200]}")
    return root


def airgram_from_hit(hit: Any) -> Airgram | None:
    """An Airgram from one ``autn:hit``, or None without a DOCUMENT or a symbol."""
    document = next((node for node in hit.iter() if _local(node) == "document"), None)
    if document is None:
        return None
    symbol = _child_text(document, "SYMBOL").split("#")[0].strip()
    if not symbol:
        return None
    issued = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})", _child_text(document, "ISSUINGDATE"))
    try:
        day = date(int(issued[3]), int(issued[2]), int(issued[1])) if issued else None
    except ValueError:
        day = None
    bodies = tuple(body.strip() for body in _child_text(document, "BODIES").split("#")
                   if body.strip())
    return Airgram(symbol=symbol,
                   title=_child_text(document, "CATTITLE") or _child_text(hit, "title"),
                   issued=day, filename=_child_text(document, "FILENAMESA").split("#")[0].strip(),
                   bodies=bodies,
                   text=" ".join([_child_text(document, "CONTENTS"), _child_text(hit, "summary")]))


def find_meetings(airgram: Airgram) -> list[Meeting]:
    """The meetings an airgram's text announces, else the one its title and bodies name."""
    sentences = [clause for sentence in split_sentences(airgram.text)
                 for clause in _CLAUSE_END.split(sentence)]
    meetings = [meeting for sentence in sentences
                for meeting in meetings_in(sentence, airgram.issued)]
    if meetings:  # a place said in another sentence ("The meeting will be held virtually.")
        place = next((found for sentence in sentences if _MEETING_WORD.search(sentence)
                      and (found := find_place(sentence))), "")
        return [replace(meeting, location=meeting.location or place) for meeting in meetings]
    marked = status_from_title(airgram.title)
    meetings = meetings_in(marked.title, airgram.issued) or title_meeting(marked.title, airgram)
    return [replace(meeting, status=marked.status) if marked.status else meeting
            for meeting in meetings]


def title_meeting(title: str, airgram: Airgram) -> list[Meeting]:
    """The meeting of a title such as "Committee on Trade and Development - Session on Aid for
    Trade - Meeting - 30 April 2024": the body its first parts name (else the first of
    BODIES), on its only date."""
    parts = re.split(r"\s+[-–]\s+", title)
    named = [part for part in itertools.takewhile(
        lambda part: not _NOT_A_BODY.match(part) and not find_dates(part), parts)]
    head = " - ".join(named).strip()
    body = head if _BODY_WORD.search(head) and not _NOT_A_BODY.match(head) else \
        airgram.bodies[0] if airgram.bodies else ""
    spans = find_dates(title, airgram.issued)
    if not body or len(spans) != 1:
        return []
    clock = find_time(title)
    return [Meeting(body, spans[0].first, spans[0].last, clock.start if clock else None,
                    find_place(title), _status(title), title)]


def body_named(sentence: str) -> tuple[str, int] | None:
    """The WTO body a sentence speaks of, and where the text after its name starts."""
    start = _MEETING_OF.search(sentence)
    if start:
        end = _BODY_END.search(sentence, start.end())
        body, after = sentence[start.end():end.start() if end else None].strip(" ."), start.end()
    elif will := _WILL_MEET.search(sentence):
        body, after = will["body"].strip(), will.start("body")
    else:
        return None
    return (body, after + len(body)) if _BODY_WORD.search(body) else None


def meetings_in(sentence: str, reference: date | None) -> list[Meeting]:
    """The meeting(s) one sentence announces, cancels or moves."""
    named = body_named(sentence)
    if named is None:
        return []
    body, after = named
    spans = find_dates(sentence[after:], reference)
    if not spans:
        return []
    status, place = _status(sentence), find_place(sentence)
    clock = find_time(sentence[after:])
    start = clock.start if clock else None
    if status == "postponed" and len(spans) > 1 and spans[-1].first > spans[0].last:
        old, new = spans[0], spans[-1]
        return [Meeting(body, old.first, old.last, None, place, "postponed", sentence),
                Meeting(body, new.first, new.last, start, place, "confirmed", sentence)]
    days = [span for span in spans if span.start == spans[0].start]  # "9 and 10 April"
    return [Meeting(body, days[0].first, max(span.last for span in days), start, place, status,
                    sentence)]


def _status(text: str) -> Status:
    if _CANCELLED.search(text):
        return "cancelled"
    if _POSTPONED.search(text):
        return "postponed"
    return "tentative" if _TENTATIVE.search(text) else "confirmed"


def find_place(sentence: str) -> str:
    """Where a sentence says the meeting is held ("Centre William Rappard, Geneva")."""
    room = _ROOM.search(sentence)
    if _CWR.search(sentence):
        return ", ".join(([room[0]] if room else []) + ["Centre William Rappard", "Geneva"])
    if room:
        return room[0]
    match = _PLACE.search(sentence)
    if match:
        return match["place"].strip(" ,")
    return "Virtual" if _VIRTUAL.search(sentence) else ""


def document_url(airgram: Airgram) -> str:
    """The airgram as Documents Online serves it (inferred forms, see the module docstring)."""
    if airgram.filename:
        filename = re.sub(r"^([A-Za-z]):", lambda drive: f"{drive[1].lower()}:",
                          airgram.filename.replace("\\", "/"))
        return f"{DOCUMENT_URL}?filename={quote(filename, safe=':/')}&Open=True"
    return (f"{SYMBOL_SEARCH_URL}?DataSource=Cat&query=@Symbol={quote(airgram.symbol, safe='/')}"
            "&Language=ENGLISH&Context=FomerScriptedSearch&languageUIChanged=true")


def describe(airgram: Airgram, sentence: str, note: str) -> str:
    """The announcing sentence, the time note, and the airgram's symbol and date."""
    issued = f", issued {airgram.issued.day} {airgram.issued:%B %Y}" if airgram.issued else ""
    parts = [" ".join(sentence.split()), note, f"Airgram {airgram.symbol}{issued}."]
    return "\n\n".join(part for part in parts if part)


def next_page(response: Response, count: int, total: int | None,
              max_pages: int) -> Request | None:
    """The request for the next page of hits, while pages are full and below ``max_pages``;
    None too for an answer read without the search that asked for it (``tradecal parse``)."""
    request = response.request
    if request is not None and request.params:
        base, params = request.url, list(request.params)
    else:
        parts = urlsplit(response.url)
        base = urlunsplit(parts._replace(query="", fragment=""))
        params = parse_qsl(parts.query, keep_blank_values=True)
    values = dict(params)
    start = _number(values.get("XMLStart", "0")) or 0
    per_page = _number(values.get("XMLMaxHitsPerPage", "")) or count
    following = start + count
    if "query" not in values or count == 0 or count < per_page \
            or (total is not None and following > total) \
            or following // per_page + 1 > max_pages:
        return None
    if "XMLStart" not in values:
        params.append(("XMLStart", "0"))
    params = [(key, str(following) if key == "XMLStart" else value) for key, value in params]
    return Request(base, params=tuple(params))
