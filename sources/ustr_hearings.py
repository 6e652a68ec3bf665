"""How USTR notices word their hearings: the free-text reader behind ``sources.ustr``.

A notice's DATES section (else its abstract, else its action line) is cut into dated
sections ("May 29, 2024: …") and clauses; a clause that schedules, moves or cancels a
hearing gives one :class:`Hearing` per day it names, with the time, the place and the
status the clause states. Post-hearing deadlines and requests to appear are not hearings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from aggregator.core.dates import DatedSection, TimeSpan, find_dates, find_time, split_at_date_headings, split_sentences
from aggregator.core.model import Status


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
