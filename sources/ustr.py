"""USTR public hearings, read from the Federal Register API (JSON, no key).

Channel: ``GET https://www.federalregister.gov/api/v1/documents.json`` with
``conditions[agencies][]=trade-representative-office-of-united-states``,
``conditions[type][]=NOTICE``, ``order=newest``, ``per_page`` and one ``fields[]`` per field
read below; ``conditions[term]`` (option ``term``, default "hearing") and
``conditions[publication_date][gte]`` (option ``since``, YYYY-MM-DD) narrow it. The envelope is
``{count, description, total_pages, next_page_url, results[]}`` (``results`` is absent when
``count`` is 0); ``next_page_url`` is followed until the API's 2,000-result paging limit.
Confidence: high for the channel and fields (several public users); the hearing sentences are
free text, read by the rules below.

Fields of a result: ``title`` (the notice's title, e.g. "Initiation of Section 301
Investigation; Hearing; and Request for Public Comments: <subject>"), ``action`` ("Notice of
public hearing."), ``abstract`` (summary), ``dates`` (free text of the DATES section: where
hearing dates, times and places are stated, often as "May 29, 2024: The Section 301 Committee
will convene a public hearing in … beginning at 9:30 a.m."), ``document_number``
("2024-08104"), ``publication_date`` (YYYY-MM-DD), ``docket_ids`` (["USTR-2024-0005"]; other
agencies put free text here), ``html_url`` (the notice's page), ``type``, ``agencies``.

What becomes an event: each hearing day announced in ``dates`` (else in ``abstract``, else in
``action``) is one ``hearing`` event, in America/New_York (the configured zone): a timed event
when a time is stated, an all-day event otherwise. A multi-day hearing ("June 4-6, 2024") is
one event per day, because a later notice may cancel, move or add single days. Its key is
``<docket>|<day>`` (the normalized subject stands in for a missing docket), so a cancellation
notice gives the same uid with ``status="cancelled"``, and a notice that moves a hearing
("originally scheduled for May 29, 2024, will now be held on June 5, 2024") keeps the key of
the original day with the new start. Conditional days ("If necessary, the hearing will
continue on May 30") are ``tentative``. The title is "Public hearing: <subject>" (subject: the
notice title without its procedural prefix), the same for the announcement and its
cancellation. ``registration_deadline`` is the deadline for requests to appear. Comment
deadlines are not events: every USTR notice has one, and the newsletter lists meetings.

Events come newest notice first (``order=newest``), so the same hearing may come twice in a
refresh, its cancellation or move before its announcement: ``aggregator.refresh`` keeps the
first and completes it from the later ones (the place, the time of the same day).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from aggregator.dates import (DatedSection, TimeSpan, find_dates, find_time,
                              split_at_date_headings, split_sentences)
from aggregator.model import Event, Status, normalize_title
from sources.base import ParseError, Request, Response, Source, SourceConfig

SEARCH_URL = "https://www.federalregister.gov/api/v1/documents.json"
AGENCY = "trade-representative-office-of-united-states"
FIELDS = ("abstract", "action", "agencies", "dates", "docket_ids", "document_number",
          "html_url", "publication_date", "title", "type")
MAX_RESULTS = 2000  # the API answers 400 beyond this many results
DESCRIPTION_LIMIT = 600


@dataclass(frozen=True)
class Notice:
    """The fields of one Federal Register search result that hearings are read from."""

    document_number: str
    title: str
    html_url: str
    publication_date: date
    docket: str = ""
    action: str = ""
    abstract: str = ""
    dates: str = ""


@dataclass(frozen=True)
class Hearing:
    """One announced hearing day; ``key_day`` is the day that identifies it (the original
    day when a notice moves it)."""

    day: date
    key_day: date
    time: TimeSpan | None
    location: str
    status: Status


class UstrSource(Source):
    """USTR notices of public hearings (and their cancellations and changes)."""

    type = "ustr"
    options = {"term": str, "per_page": int, "since": str}

    def __init__(self, config: SourceConfig) -> None:
        super().__init__(config)
        since = config.options.get("since")
        if since is not None:
            date.fromisoformat(since)  # ValueError for a malformed date

    def start_requests(self) -> list[Request]:
        per_page = max(1, min(100, int(self.config.options.get("per_page", 100))))
        params = [("conditions[agencies][]", AGENCY), ("conditions[type][]", "NOTICE")]
        term = self.config.options.get("term", "hearing")
        if term:
            params.append(("conditions[term]", term))
        if self.config.options.get("since"):
            params.append(("conditions[publication_date][gte]", self.config.options["since"]))
        params += [("order", "newest"), ("per_page", str(per_page))]
        params += [("fields[]", name) for name in FIELDS]
        return [Request(self.config.url or SEARCH_URL, params=tuple(params))]

    def parse(self, response: Response) -> Iterator[Event | Request]:
        envelope = read_envelope(response)
        for result in envelope["results"]:
            notice = notice_from_result(result)
            if notice:
                yield from self.events_of(notice)
        next_page = next_page_request(envelope.get("next_page_url"))
        if next_page:
            yield next_page

    def events_of(self, notice: Notice) -> list[Event]:
        """The hearing events one notice announces, cancels or moves."""
        subject = notice_subject(notice.title)
        identity = notice.docket or normalize_title(subject)
        deadlines = appearance_deadlines(notice.dates, notice.publication_date)
        zone = ZoneInfo(self.timezone)
        events = []
        for hearing in find_hearings(notice):
            start: date | datetime = hearing.day
            end: date | datetime | None = None
            if hearing.time:
                start = datetime.combine(hearing.day, hearing.time.start, tzinfo=zone)
                if hearing.time.end and hearing.time.end > hearing.time.start:
                    end = datetime.combine(hearing.day, hearing.time.end, tzinfo=zone)
            events.append(self.event(
                source_key=f"{identity}|{hearing.key_day.isoformat()}",
                title=f"Public hearing: {subject}",
                start=start, end=end, location=hearing.location, url=notice.html_url,
                status=hearing.status, kind="hearing",
                registration_deadline=max((d for d in deadlines if d < hearing.day),
                                          default=None),
                description=describe(notice),
            ))
        return events


def read_envelope(response: Response) -> Mapping[str, Any]:
    """The decoded search envelope; ParseError (naming the URL) for anything else."""
    try:
        data = json.loads(response.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"{response.url}: not JSON ({exc})") from None
    if not isinstance(data, dict) or "errors" in data or not isinstance(data.get("count"), int):
        detail = json.dumps(data)[:200] if not isinstance(data, dict) else \
            json.dumps(data.get("errors") or data.get("message") or sorted(data))[:200]
        raise ParseError(f"{response.url}: not a Federal Register search response: {detail}")
    if not isinstance(data.get("results", []), list):
        raise ParseError(f"{response.url}: 'results' is not a list")
    return {**data, "results": data.get("results", [])}


def next_page_request(url: object) -> Request | None:
    """A request for ``next_page_url``, unless absent or past the API's paging limit."""
    if not isinstance(url, str) or not url.strip():
        return None
    query = parse_qs(urlsplit(url).query)
    try:
        page = int(query.get("page", ["1"])[0])
        per_page = int(query.get("per_page", ["20"])[0])
    except ValueError:
        return Request(url)
    return Request(url) if page * per_page <= MAX_RESULTS else None


def notice_from_result(result: object) -> Notice | None:
    """A Notice from one search result, or None when a field it needs is missing or wrong."""
    if not isinstance(result, dict):
        return None
    required = [result.get(key) for key in ("document_number", "title", "html_url",
                                            "publication_date")]
    if not all(isinstance(value, str) and value.strip() for value in required):
        return None
    try:
        published = date.fromisoformat(result["publication_date"])
    except ValueError:
        return None
    texts = {key: result.get(key) if isinstance(result.get(key), str) else ""
             for key in ("action", "abstract", "dates")}
    dockets = result.get("docket_ids")
    return Notice(document_number=result["document_number"].strip(),
                  title=" ".join(result["title"].split()), html_url=result["html_url"].strip(),
                  publication_date=published,
                  docket=docket_id(dockets if isinstance(dockets, list) else []), **texts)


def docket_id(docket_ids: list[object]) -> str:
    """The first regulations.gov docket id ("USTR-2024-0005") in ``docket_ids``, else the
    first non-empty entry as written, else ""."""
    entries = [entry.strip() for entry in docket_ids if isinstance(entry, str) and entry.strip()]
    for entry in entries:
        match = re.search(r"\b[A-Z][A-Z0-9]*-\d{4}-\d{4}\b", entry)
        if match:
            return match.group()
    return entries[0] if entries else ""


_PROCEDURE = re.compile(r"\b(?:hearings?|comments?|notice|request|initiation|cancell?ation|"
                        r"extension|additional|rescheduling|postponement|change)\b", re.I)
_ABOUT = re.compile(r"\bHearings?\b.*?\b(?:Regarding|Concerning|Relating to|on)\s+(?:the\s+)?"
                    r"(?P<subject>.+)$")


def notice_subject(title: str) -> str:
    """What a notice is about: its title without the procedural prefix
    ("Cancellation of Public Hearing: X" and "Notice of Public Hearing Regarding X" → X)."""
    head, colon, tail = title.partition(": ")
    if colon and tail.strip() and _PROCEDURE.search(head):
        return tail.strip()
    about = _ABOUT.search(title)
    return about["subject"].strip() if about else title


def describe(notice: Notice) -> str:
    """The abstract, shortened at a word, and the notice's document number and docket."""
    text = " ".join(notice.abstract.split())
    if len(text) > DESCRIPTION_LIMIT:
        text = text[:DESCRIPTION_LIMIT].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    source = f"Federal Register document {notice.document_number}"
    source += f", docket {notice.docket}." if notice.docket else "."
    return f"{text}\n\n{source}" if text else source


_NOT_THE_HEARING = re.compile(
    r"\b(?:post|pre)-hearing\b|\bhearing room\b"
    r"|\b(?:requests?|notices? of intent)\s+to\s+(?:appear|testify)"
    r"(?:\s+(?:at|in)\s+the\s+(?:public\s+)?hearing)?"
    r"|\b(?:appear|testify|participate)\s+(?:at|in)\s+the\s+(?:public\s+)?hearing", re.I)
_HEARING = re.compile(r"\bhearings?\b", re.I)
_NO_HEARING = re.compile(r"\bno (?:public )?hearings?\b", re.I)
_CALLED_OFF = r"\b(?:will|shall) not (?:be held|take place|convene|proceed)\b"
_SCHEDULING = re.compile(
    r"\b(?:will|shall|to)\s+(?:now\s+|also\s+)?(?:be\s+)?(?:convene|hold|held|take\s+place|"
    r"begin|commence|continue|resume|conduct)\b|\b(?:re)?scheduled\b|\bcancel|\bpostpon|"
    + _CALLED_OFF, re.I)
_CANCELLATION_NOTICE = re.compile(r"\bcancell?(?:ation|ing|ed)\b[^.;:]*\bhearings?\b"
                                  r"|\bhearings?\b[^.;:]*\bcancell?(?:ation|ed)\b", re.I)
_CANCELLED = re.compile(r"\b(?:is|are|has been|have been|was|were)\s+(?:hereby\s+)?cancell?ed\b"
                        r"|\bcancell?ing\b|\bcancell?ation\b|" + _CALLED_OFF, re.I)
_CONDITIONAL = re.compile(r"\b(?:if|unless|in the event)\b", re.I)
_RESTATED = re.compile(r"\bas (?:originally |previously )?(?:scheduled|announced)\b", re.I)
_GOING_AHEAD = re.compile(r"\bwill (?:still )?(?:be held|convene|take place|proceed)\b", re.I)
_POSTPONED = re.compile(r"\b(?:is|are|has been|have been)\s+(?:hereby\s+)?postponed\b"
                        r"|\bpostponing\b|\bpostponement\b", re.I)
_TENTATIVE = re.compile(r"\bas (?:necessary|needed)\b|\bmay (?:continue|be extended)\b", re.I)
_ORIGINAL_CUE = re.compile(r"\b(?:originally|previously|formerly|initially)\b"
                           r"|\b(?:rescheduled|moved|postponed|changed)\s+from\b", re.I)
_MOVED_FROM_TO = re.compile(r"\b((?:rescheduled|moved|postponed|changed)\s+from\s+[^;]*?)"
                            r"\s+(?:to|until)\s+(?=[A-Z0-9])", re.I)
_NEW_CUE = re.compile(r"\b(?:will|shall|now|instead)\b|\b(?:to|until)\s*$", re.I)
_APPEARANCE = re.compile(r"\b(?:requests?|notices?\s+of\s+intent)\s+to\s+(?:appear|testify)", re.I)
_VIRTUAL = re.compile(r"\bvirtual(?:ly)?\b|\bvideo\s?conferenc\w*|\bwebcast\b|\bonline\b", re.I)
_PLACE_START = re.compile(r"\b(?:in|at)\s+(?=the\s|[A-Z0-9])")
_PLACE_END = re.compile(
    r",?\s+(?:(?:beginning|starting|commencing|which|if|unless|and\s+(?:will|may|via|by)"
    r"|to\s+(?:consider|discuss|receive|hear)|at\s+noon)\b|(?:from|at)\s+\d"
    r"|on\s+(?:[A-Z]|the\s+\d))|;|\.?\s*$")
_PLACE_WORD = re.compile(r"\b(?:[Rr]oom|Commission|Building|Street|Avenue|Washington|Center|"
                         r"Centre|Hall|Suite|Floor|Auditorium|Hotel|Office)\b")


def find_hearings(notice: Notice) -> list[Hearing]:
    """The hearing days a notice announces, cancels or moves: from ``dates``, else from the
    abstract, else from the action line."""
    cancelling = bool(_CANCELLATION_NOTICE.search(f"{notice.title} {notice.action}"))
    for text in (notice.dates, notice.abstract, notice.action):
        hearings = hearings_in(text, notice.publication_date, cancelling)
        if hearings:
            return hearings
    return []


def hearings_in(text: str, published: date, cancelling: bool = False) -> list[Hearing]:
    """Hearing days in one free text; what two sentences say of the same day is combined."""
    by_day: dict[date, Hearing] = {}
    for section in split_at_date_headings(text, published):
        for clause in clauses(section.body):
            if not announces_hearing(clause):
                continue
            venue = find_venue(clause, section.body, text)
            for hearing in _clause_hearings(clause, section, published, cancelling, venue):
                known = by_day.get(hearing.day)
                by_day[hearing.day] = _combine(known, hearing) if known else hearing
    return sorted(by_day.values(), key=lambda hearing: hearing.day)


def clauses(text: str) -> list[str]:
    """Sentences of ``text``, further cut at semicolons."""
    return [part for sentence in split_sentences(text)
            for part in re.split(r";\s+", sentence) if part.strip()]


def announces_hearing(clause: str) -> bool:
    """True when a clause schedules, moves or cancels a hearing (not a post-hearing
    deadline or a request to appear)."""
    text = _NOT_THE_HEARING.sub(" ", clause)
    return bool(_HEARING.search(text) and _SCHEDULING.search(text)
                and not _NO_HEARING.search(text))


def _clause_hearings(clause: str, section: DatedSection, published: date, cancelling: bool,
                     venue: str) -> list[Hearing]:
    status = _status(clause, cancelling)
    if status is None:
        return []
    clause = _MOVED_FROM_TO.sub(r"\1, now ", clause)  # "moved from May 29 to June 5" is no range
    spans = find_dates(clause, published)
    original = [day for span in spans if _is_original(clause, span.start) for day in span.days()]
    new = [day for span in spans if not _is_original(clause, span.start) for day in span.days()]
    time = find_time(clause)
    if not spans:  # the day is the heading's: "May 29, 2024: The Committee will convene ..."
        new, time = list(section.days), time or find_time(section.heading)
    if status == "cancelled":
        return [Hearing(day, day, time, venue, status) for day in original + new]
    if status == "confirmed" and _RESTATED.search(clause) and not (original and new):
        return []  # "will begin on May 29, 2024, as scheduled": its own notice announced it
    if original and new and status == "postponed":
        status = "confirmed"  # postponed to a new date: it takes place then
    moved = [Hearing(day, key, time, venue, status) for key, day in zip(original, new)]
    added = [Hearing(day, day, time, venue, status) for day in new[len(original):]]
    dropped = [Hearing(day, day, None, venue, "cancelled" if new else status)
               for day in original[len(new):]]
    return moved + added + dropped


def _is_original(clause: str, position: int) -> bool:
    """True when the date at ``position`` is the day a hearing was "originally scheduled"."""
    cues = list(_ORIGINAL_CUE.finditer(clause, 0, position))
    return bool(cues) and not _NEW_CUE.search(clause[cues[-1].end():position])


def _status(clause: str, cancelling: bool) -> Status | None:
    """What a clause says of its hearing; None for "If no requests to appear are received,
    the hearing will be cancelled" (which announces nothing)."""
    conditional = _CONDITIONAL.search(clause)
    if conditional and re.search(r"cancel|postpon", clause, re.I):
        return None
    if _CANCELLED.search(clause) or (cancelling and not _GOING_AHEAD.search(clause)):
        return "cancelled"
    if _POSTPONED.search(clause):
        return "postponed"
    return "tentative" if conditional or _TENTATIVE.search(clause) else "confirmed"


def _combine(first: Hearing, second: Hearing) -> Hearing:
    key_day = first.key_day if first.key_day != first.day else second.key_day
    return replace(first, key_day=key_day, time=first.time or second.time,
                   location=first.location or second.location)


def find_venue(clause: str, *context: str) -> str:
    """Where a hearing is held: a place named in the clause ("in the main hearing room of the
    U.S. International Trade Commission, 500 E Street SW, …"), or "Virtual"; else the same
    read from the sentences of the wider ``context`` that speak of the hearing."""
    groups = [[clause]] + [[sentence for sentence in split_sentences(text)
                            if _HEARING.search(sentence)] for text in context]
    for sentences in groups:
        places = [place for place in map(_place, sentences) if place]
        if places:
            return places[0]
        if any(_VIRTUAL.search(sentence) for sentence in sentences):
            return "Virtual"
    return ""


def _place(sentence: str) -> str:
    """The first "in/at the …" phrase of a sentence that names a building, room or street."""
    for start in _PLACE_START.finditer(sentence):
        rest = sentence[start.end():]
        end = _PLACE_END.search(rest)
        candidate = re.sub(r"^the\s+", "", rest[:end.start() if end else None].strip(" ,"))
        clock = find_time(candidate)
        if _PLACE_WORD.search(candidate) and not (clock and clock.start_offset == 0):
            return candidate[0].upper() + candidate[1:]
    return ""


def appearance_deadlines(text: str, published: date) -> list[date]:
    """Dates by which requests to appear at a hearing are due, in order."""
    days: set[date] = set()
    for section in split_at_date_headings(text, published):
        for clause in clauses(section.body):
            if _APPEARANCE.search(clause):
                spans = find_dates(clause, published)
                days.update([span.last for span in spans] or section.days)
    return sorted(days)
