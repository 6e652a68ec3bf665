"""USTR hearings from Federal Register search responses (composed fixtures, see README)."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.base import ParseError, Request, Response, SourceConfig
from sources.lib.markup import DESCRIPTION_LIMIT
from sources.ustr import (
    SEARCH_URL,
    UstrSource,
    describe,
    docket_id,
    next_page_request,
    notice_subject,
)
from sources.ustr_hearings import Notice, hearings_in

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ustr"
URL = "https://www.federalregister.gov/api/v1/documents.json?page=1"
ITC = ("Main hearing room of the U.S. International Trade Commission, 500 E Street SW, "
       "Washington DC 20436")
AGOA = ("Public hearing: Eligibility of Sub-Saharan African Countries for the African Growth "
        "and Opportunity Act (AGOA) Benefits")
SHIP = ("Public hearing: China's Targeting of the Maritime, Logistics, and Shipbuilding Sectors "
        "for Dominance")
TIMBER = ("Public hearing: Proposed Action in Section 301 Investigation of Vietnam's Acts, "
          "Policies, and Practices Related to the Import and Use of Illegal Timber")
DOCS = "https://www.federalregister.gov/documents"


def make_source(**options: Any) -> UstrSource:
    return UstrSource(SourceConfig(name="ustr", type="ustr", url="", organization="USTR",
                                   timezone="America/New_York", options=options))


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def parse_body(body: bytes | dict[str, Any]) -> list[Event | Request]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return list(make_source().parse(Response(url=URL, body=raw)))


def events_of(body: bytes | dict[str, Any]) -> list[Event]:
    return [item for item in parse_body(body) if isinstance(item, Event)]


def result(document_number: str) -> dict[str, Any]:
    for name in ("search-page-1.json", "search-page-2.json"):
        for item in fixture(name)["results"]:
            if item["document_number"] == document_number:
                return item
    raise KeyError(document_number)


def page_of(*results: dict[str, Any]) -> dict[str, Any]:
    return {"count": len(results), "description": "composed", "total_pages": 1,
            "results": list(results)}


# file, position among the file's events, then the fields `tradecal parse` prints.
EXPECTED = [
    ("search-page-1.json", 0, "USTR-2024-0004|2024-06-26", AGOA, "2024-06-26", None, "",
     "cancelled", None, f"{DOCS}/2024/06/21/2024-13517/"),
    ("search-page-1.json", 1, "USTR-2024-0011|2024-06-18", TIMBER, "2024-06-25T09:30:00-04:00",
     None, "", "confirmed", None, f"{DOCS}/2024/06/14/2024-13020/"),
    ("search-page-1.json", 2, "USTR-2024-0005|2024-06-04", SHIP, "2024-06-04T10:00:00-04:00",
     None, ITC, "confirmed", None, f"{DOCS}/2024/05/24/2024-11436/"),
    ("search-page-1.json", 3, "USTR-2024-0005|2024-06-05", SHIP, "2024-06-05T10:00:00-04:00",
     None, ITC, "confirmed", None, f"{DOCS}/2024/05/24/2024-11436/"),
    ("search-page-1.json", 4, "USTR-2024-0011|2024-06-18", TIMBER, "2024-06-18T09:30:00-04:00",
     "2024-06-18T16:30:00-04:00", "Room 1, 1724 F Street NW, Washington DC 20508", "confirmed",
     "2024-06-07", f"{DOCS}/2024/05/10/2024-10215/"),
    ("search-page-2.json", 0, "USTR-2024-0004|2024-06-26", AGOA, "2024-06-26T10:00:00-04:00",
     None, "Virtual", "confirmed", "2024-06-12", f"{DOCS}/2024/04/26/2024-08872/"),
    ("search-page-2.json", 1, "USTR-2024-0005|2024-05-29", SHIP, "2024-05-29T09:30:00-04:00",
     None, ITC, "confirmed", "2024-05-22", f"{DOCS}/2024/04/19/2024-08104/"),
    ("search-page-2.json", 2, "USTR-2024-0005|2024-05-30", SHIP, "2024-05-30", None, ITC,
     "tentative", "2024-05-22", f"{DOCS}/2024/04/19/2024-08104/"),
    ("search-page-2.json", 3, "USTR-2023-0014|2024-02-21",
     "Public hearing: 2024 Special 301 Review", "2024-02-21", None, "Virtual", "confirmed",
     "2024-01-30", f"{DOCS}/2023/12/19/2023-27896/"),
    ("search-page-2.json", 4, "USTR-2023-0014|2024-02-22",
     "Public hearing: 2024 Special 301 Review", "2024-02-22", None, "Virtual", "tentative",
     "2024-01-30", f"{DOCS}/2023/12/19/2023-27896/"),
]


@pytest.mark.parametrize("name", ["search-page-1.json", "search-page-2.json"])
def test_each_page_yields_exactly_its_hearings(name: str) -> None:
    keys = [event.source_key for event in events_of(fixture(name))]
    assert keys == [row[2] for row in EXPECTED if row[0] == name]


@pytest.mark.parametrize(("name", "position", "key", "title", "start", "end", "location",
                          "status", "deadline", "url"), EXPECTED)
def test_hearing_fields(name: str, position: int, key: str, title: str, start: str,
                        end: str | None, location: str, status: str, deadline: str | None,
                        url: str) -> None:
    event = events_of(fixture(name))[position]
    printed = event_to_json(event)
    assert printed["source_key"] == key
    assert printed["uid"] == make_uid("ustr", key)
    assert printed["title"] == title
    assert (printed["start"], printed["end"]) == (start, end)
    assert printed["all_day"] is (len(start) == 10)
    assert printed["timezone"] == "America/New_York"
    assert (printed["location"], printed["status"], printed["kind"]) == (location, status,
                                                                        "hearing")
    assert printed["registration_deadline"] == deadline
    assert printed["url"].startswith(url) and printed["organization"] == "USTR"
    assert event.description.endswith(f"docket {key.split('|')[0]}.")


def test_cancellation_and_move_keep_the_uid_of_the_hearing() -> None:
    page_1, page_2 = events_of(fixture("search-page-1.json")), events_of(
        fixture("search-page-2.json"))
    cancelled, announced = page_1[0], page_2[0]
    assert cancelled.status == "cancelled" and announced.status == "confirmed"
    assert cancelled.uid == announced.uid
    moved, original = page_1[1], page_1[4]
    assert moved.start.date() == date(2024, 6, 25) and original.start.date() == date(2024, 6, 18)
    assert moved.uid == original.uid
    assert len({event.uid for event in page_1 + page_2}) == 8


def test_winter_hearing_carries_eastern_standard_offset() -> None:
    notice = dict(result("2023-27896"),
                  dates="February 21, 2024: The Special 301 Subcommittee will hold a public "
                        "hearing beginning at 10 a.m. ET.")
    [event] = events_of(page_of(notice))
    assert event_to_json(event)["start"] == "2024-02-21T10:00:00-05:00"
    assert event.start.utcoffset().total_seconds() == -5 * 3600  # type: ignore[union-attr]


@pytest.mark.parametrize("document_number", ["2024-10877", "2024-05210", "2024-04015"],
                         ids=["comment-request", "charter-renewal", "hearing-already-held"])
def test_a_notice_without_a_hearing_yields_none(document_number: str) -> None:
    assert parse_body(page_of(result(document_number))) == []


def test_first_page_asks_for_the_next() -> None:
    page = fixture("search-page-1.json")
    requests = [item for item in parse_body(page) if isinstance(item, Request)]
    assert requests == [Request(page["next_page_url"])]
    assert not any(isinstance(item, Request) for item in parse_body(fixture("search-page-2.json")))


def test_empty_search_yields_nothing() -> None:
    assert parse_body((FIXTURES / "search-empty.json").read_bytes()) == []


@pytest.mark.parametrize(("url", "follows"), [
    (f"{SEARCH_URL}?order=newest&page=2&per_page=100", True),
    (f"{SEARCH_URL}?order=newest&page=20&per_page=100", True),
    (f"{SEARCH_URL}?order=newest&page=21&per_page=100", False),
    (f"{SEARCH_URL}?page=101", False),
    ("", False),
    (None, False),
])
def test_paging_stops_at_the_api_limit(url: str | None, follows: bool) -> None:
    assert (next_page_request(url) is not None) is follows


def test_start_request_asks_for_ustr_notices_and_the_fields_read() -> None:
    [request] = make_source().start_requests()
    params = list(request.params)
    assert request.url == SEARCH_URL
    assert ("conditions[agencies][]", "trade-representative-office-of-united-states") in params
    assert ("conditions[type][]", "NOTICE") in params
    assert ("conditions[term]", "hearing") in params
    assert ("order", "newest") in params and ("per_page", "100") in params
    assert sorted(value for key, value in params if key == "fields[]") == [
        "abstract", "action", "agencies", "dates", "docket_ids", "document_number",
        "html_url", "publication_date", "title", "type"]
    assert not any(key.startswith("conditions[publication_date]") for key, _ in params)


def test_start_request_options() -> None:
    config = SourceConfig(name="ustr", type="ustr", url="http://127.0.0.1:9/documents.json",
                          organization="USTR", timezone="America/New_York",
                          options={"term": "", "per_page": 500, "since": "2024-01-01"})
    [request] = UstrSource(config).start_requests()
    params = dict(request.params)
    assert request.url == "http://127.0.0.1:9/documents.json"
    assert "conditions[term]" not in params
    assert params["per_page"] == "100"
    assert params["conditions[publication_date][gte]"] == "2024-01-01"
    problems = UstrSource.check_options({"since": "last year", "per_page": 0})
    assert set(problems) == {"since", "per_page"}
    assert UstrSource.check_options({"since": "2024-01-01", "per_page": 100}) == {}


@pytest.mark.parametrize("body", [
    b"<html><body>Service Unavailable</body></html>",
    b"\xff\xfe\x00",
    b"[]",
    b'{"errors": {"per_page": "must be at most 1000"}}',
    b'{"status": 400, "message": "Invalid request"}',
    b'{"count": 3, "results": {"0": {}}}',
    b'{"results": []}',
])
def test_garbage_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError, match="documents.json"):
        parse_body(body)


def test_a_broken_result_is_skipped_not_the_page() -> None:
    page = fixture("search-page-2.json")
    del page["results"][0]["html_url"]
    page["results"][1]["publication_date"] = "soon"
    page["results"][2] = "not an object"
    page["results"][3]["title"] = None
    page["results"][4]["docket_ids"] = None
    page["results"][4]["abstract"] = 42
    page["results"].append({"document_number": "2024-00001"})
    events = events_of(page)
    assert [event.source_key for event in events] == [
        "2024 special 301 review|2024-02-21", "2024 special 301 review|2024-02-22"]
    assert [event.description for event in events] == ["Federal Register document 2023-27896."] * 2


def test_without_docket_the_subject_keys_the_hearing() -> None:
    announced = dict(result("2024-08872"), docket_ids=[])
    cancelled = dict(result("2024-13517"), docket_ids=[])
    first, second = events_of(page_of(cancelled, announced))
    assert first.source_key == second.source_key == (
        "eligibility of sub saharan african countries for the african growth and opportunity "
        "act agoa benefits|2024-06-26")
    assert (first.status, second.status) == ("cancelled", "confirmed")


PUBLISHED = date(2024, 5, 10)


@pytest.mark.parametrize(("text", "expected"), [
    ("The hearing has been postponed from May 29, 2024 to June 5, 2024.",
     [("2024-06-05", "2024-05-29", None, "confirmed")]),
    ("The hearing has been rescheduled from June 4-5, 2024 to June 11-12, 2024.",
     [("2024-06-11", "2024-06-04", None, "confirmed"),
      ("2024-06-12", "2024-06-05", None, "confirmed")]),
    ("The hearing will be held on June 4, 2024, if requests to appear are received.",
     [("2024-06-04", "2024-06-04", None, "tentative")]),
    ("The public hearing scheduled for June 12, 2024, has been postponed.",
     [("2024-06-12", "2024-06-12", None, "postponed")]),
    ("June 4 and 5, 2024: The Committee will hold the hearing at noon.",
     [("2024-06-04", "2024-06-04", time(12), "confirmed"),
      ("2024-06-05", "2024-06-05", time(12), "confirmed")]),
    ("June 4, 2024, 9:30 a.m.: The public hearing will be held in Room 1, 1724 F Street NW.",
     [("2024-06-04", "2024-06-04", time(9, 30), "confirmed")]),
    ("The public hearing originally scheduled for June 4-6, 2024, will now be held on "
     "June 11-12, 2024.",
     [("2024-06-06", "2024-06-06", None, "cancelled"),
      ("2024-06-11", "2024-06-04", None, "confirmed"),
      ("2024-06-12", "2024-06-05", None, "confirmed")]),
    ("The hearing will be held on May 28, 2024; if necessary, the hearing will continue "
     "on May 29.", [("2024-05-28", "2024-05-28", None, "confirmed"),
                    ("2024-05-29", "2024-05-29", None, "tentative")]),
    ("The public hearing on June 12, 2024 is cancelled.",
     [("2024-06-12", "2024-06-12", None, "cancelled")]),
    ("The hearing will begin on May 29, 2024, as scheduled.", []),
    ("No public hearing will be held on May 29, 2024.", []),
    ("Requests to appear at the hearing are due May 22, 2024.", []),
    ("Post-hearing rebuttal comments are due June 12, 2024.", []),
    ("The hearing held on January 9, 2024 was well attended.", []),
    ("If no requests to appear are received by May 22, 2024, the hearing will be cancelled.",
     []),
    ("USTR will hold a public hearing on the proposed action.", []),
])
def test_hearing_sentences(text: str,
                           expected: list[tuple[str, str, time | None, str]]) -> None:
    found = [(hearing.day.isoformat(), hearing.key_day.isoformat(),
              hearing.time.start if hearing.time else None, hearing.status)
             for hearing in hearings_in(text, PUBLISHED)]
    assert found == expected


@pytest.mark.parametrize(("text", "location"), [
    ("The TPSC will convene a public hearing on June 26, 2024 at 10 a.m. via videoconference.",
     "Virtual"),
    ("June 26, 2024: The TPSC will convene a public hearing. The hearing will be held "
     "virtually.", "Virtual"),
    ("The hearing will be held at the Office of the United States Trade Representative, "
     "600 17th Street NW, Washington DC, on June 26, 2024.",
     "Office of the United States Trade Representative, 600 17th Street NW, Washington DC"),
    ("The hearing will take place on June 26, 2024 at the hearing.", ""),
    ("The Committee will hold a public hearing on May 29, 2024 beginning at 10 a.m. each day "
     "in the main hearing room of the U.S. International Trade Commission, 500 E Street SW, "
     "Washington DC 20436.", ITC),
])
def test_hearing_places(text: str, location: str) -> None:
    [hearing] = hearings_in(text, PUBLISHED)
    assert hearing.location == location


def test_a_cancellation_notice_cancels_what_it_names() -> None:
    text = "The hearing on June 12, 2024 will not take place. The June 13 session will proceed."
    found = [(hearing.day, hearing.status) for hearing in hearings_in(text, PUBLISHED,
                                                                      cancelling=True)]
    assert found == [(date(2024, 6, 12), "cancelled")]


@pytest.mark.parametrize(("title", "subject"), [
    ("Initiation of Section 301 Investigation; Hearing; and Request for Public Comments: "
     "China's Targeting of the Semiconductor Industry",
     "China's Targeting of the Semiconductor Industry"),
    ("Request for Comments and Notice of a Public Hearing Regarding the 2024 Special 301 "
     "Review", "2024 Special 301 Review"),
    ("Cancellation of Public Hearing Concerning the Eligibility of Sub-Saharan African "
     "Countries for AGOA Benefits", "Eligibility of Sub-Saharan African Countries for AGOA "
     "Benefits"),
    ("Notice of Public Hearing on Proposed Action", "Proposed Action"),
    ("Trade Advisory Committee on Africa; Charter Renewal",
     "Trade Advisory Committee on Africa; Charter Renewal"),
    ("Section 301: A Title Whose Prefix Is No Procedure", "Section 301: A Title Whose Prefix "
     "Is No Procedure"),
])
def test_notice_subject(title: str, subject: str) -> None:
    assert notice_subject(title) == subject


@pytest.mark.parametrize(("docket_ids", "expected"), [
    (["USTR-2024-0005"], "USTR-2024-0005"),
    (["Docket No. USTR-2023-0014"], "USTR-2023-0014"),
    (["", "Document Identifier: CMS-855B", "USTR-2024-0002"], "USTR-2024-0002"),
    (["Document Identifier: CMS-855B"], "Document Identifier: CMS-855B"),
    ([None, 3], ""),
    ([], ""),
])
def test_docket_id(docket_ids: list[object], expected: str) -> None:
    assert docket_id(docket_ids) == expected


def test_description_is_the_shortened_abstract_and_its_reference() -> None:
    notice = Notice(document_number="2024-08104", title="T", html_url="https://example.org",
                    publication_date=PUBLISHED, docket="USTR-2024-0005",
                    abstract="The   Committee " + "invites comments " * 60)
    text = describe(notice)
    summary, reference = text.split("\n\n")
    assert summary.startswith("The Committee invites") and summary.endswith(" …")
    assert len(summary) <= DESCRIPTION_LIMIT + 2
    assert reference == "Federal Register document 2024-08104, docket USTR-2024-0005."
