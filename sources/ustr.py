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
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aggregator.core.encoding import load_json
from aggregator.core.model import Event, normalize_title
from sources.base import ParseError, Request, Response, Source
from sources.lib.markup import shorten
from sources.lib.when import event_times
from sources.ustr_hearings import Notice, appearance_deadlines, find_hearings

SEARCH_URL = "https://www.federalregister.gov/api/v1/documents.json"
AGENCY = "trade-representative-office-of-united-states"
FIELDS = ("abstract", "action", "agencies", "dates", "docket_ids", "document_number",
          "html_url", "publication_date", "title", "type")
MAX_RESULTS = 2000  # the API answers 400 beyond this many results


class UstrSource(Source):
    """USTR notices of public hearings (and their cancellations and changes)."""

    type = "ustr"
    options = {"term": str, "per_page": int, "since": str}

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        problems = {}
        if "since" in options:
            try:
                date.fromisoformat(options["since"])
            except ValueError:
                problems["since"] = f"{options['since']!r} is not a date (YYYY-MM-DD)"
        if not 1 <= options.get("per_page", 100) <= 100:
            problems["per_page"] = "must be between 1 and 100 (the API's limit)"
        return problems

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
        events = []
        for hearing in find_hearings(notice):
            start, end = event_times(hearing.day, hearing.day, hearing.time, self.timezone)
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
        data = load_json(response.body)
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
    texts = {key: value if isinstance(value := result.get(key), str) else ""
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
    text = shorten(text)
    source = f"Federal Register document {notice.document_number}"
    source += f", docket {notice.docket}." if notice.docket else "."
    return f"{text}\n\n{source}" if text else source
