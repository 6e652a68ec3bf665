"""WTO airgrams from Documents Online XML search answers (composed fixtures, see README)."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Any

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from aggregator.reconcile import merge_duplicates
from sources.base import ParseError, Request, Response, SourceConfig
from sources.wto_airgrams import (
    SEARCH_URL,
    Airgram,
    WtoAirgramsSource,
    body_named,
    document_url,
    find_meetings,
    find_place,
    meetings_in,
    next_page,
    search_query,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "wto_airgrams"
PAGE_1, PAGE_2, EMPTY = "airgrams-page-1.xml", "airgrams-page-2.xml", "airgrams-empty.xml"
QUERY = "DataSource=Cat&Language=English&XMLMaxHitsPerPage=5&query=%40Symbol%3DWTO%2FAIR%2F%2A"
START = {PAGE_1: 1, PAGE_2: 6, EMPTY: 1}
DOC = "https://docs.wto.org/dol2fe/Pages/SS/directdoc.aspx?filename=q:/WTO/AIR/"
CWR = "Centre William Rappard, Geneva"
ISSUED = date(2024, 5, 8)


def make_source(**options: Any) -> WtoAirgramsSource:
    return WtoAirgramsSource(SourceConfig(name="wto_airgrams", type="wto-airgrams", url="",
                                          organization="WTO", timezone="Europe/Zurich",
                                          options=options))


def parse_body(body: bytes, start: int = 1, **options: Any) -> list[Event | Request]:
    url = f"{SEARCH_URL}?{QUERY}&XMLStart={start}"
    return list(make_source(**options).parse(Response(url=url, body=body)))


def fixture_items(name: str, **options: Any) -> list[Event | Request]:
    return parse_body((FIXTURES / name).read_bytes(), START[name], **options)


def fixture_events(name: str) -> list[Event]:
    return [item for item in fixture_items(name) if isinstance(item, Event)]


def hit(contents: str, title: str = "Airgram", symbol: str = "WTO/AIR/4999",
        bodies: str = "", issued: str = "08/05/2024") -> bytes:
    return (f'<autnresponse xmlns:autn="http://schemas.autonomy.com/aci/"><response>SUCCESS'
            f'</response><responsedata><autn:totalhits>1</autn:totalhits><autn:hit>'
            f'<autn:content><DOCUMENT><SYMBOL>{symbol}</SYMBOL><CATTITLE>{title}</CATTITLE>'
            f'<ISSUINGDATE>{issued}</ISSUINGDATE><BODIES>{bodies}</BODIES>'
            f'<CONTENTS>{contents}</CONTENTS></DOCUMENT></autn:content></autn:hit>'
            f'</responsedata></autnresponse>').encode()


def events_of(body: bytes) -> list[Event]:
    return [item for item in parse_body(body) if isinstance(item, Event)]


# file, position, key, title, start, end, location, url, status, description
EXPECTED = [
    (PAGE_1, 3, "dispute settlement body|2024-05-24", "Dispute Settlement Body",
     "2024-05-24T10:00:00+02:00", None, CWR, f"{DOC}DSB/142.pdf&Open=True", "confirmed",
     "The next meeting of the Dispute Settlement Body will be held in the Centre William "
     "Rappard on Friday, 24 May 2024, starting at 10 a.m.\n\nAirgram WTO/AIR/DSB/142, issued "
     "14 May 2024."),
    (PAGE_1, 4, "committee on customs valuation|2024-05-23", "Committee on Customs Valuation",
     "2024-05-23", None, "Room W", f"{DOC}4071.pdf&Open=True", "confirmed",
     "The Committee on Customs Valuation will hold its next formal meeting on Thursday, 23 May, "
     "in Room W.\n\nAirgram WTO/AIR/4071, issued 8 May 2024."),
    (PAGE_1, 0, "general council|2024-07-22", "General Council", "2024-07-22", "2024-07-23",
     CWR, f"{DOC}GC/45.pdf&Open=True", "confirmed",
     "The next meeting of the General Council will take place in the Centre William Rappard "
     "on Monday, 22 and Tuesday, 23 July 2024, starting at 10 a.m.\n\nStarts at 10:00 (Geneva "
     "time) on the first day.\n\nAirgram WTO/AIR/GC/45, issued 8 July 2024."),
    (PAGE_1, 1, "committee on market access|2024-06-20", "Committee on Market Access",
     "2024-06-20", None, "", f"{DOC}4083.pdf&Open=True", "postponed",
     "The meeting of the Committee on Market Access scheduled for Thursday, 20 June 2024 has "
     "been postponed to Thursday, 27 June 2024.\n\nAirgram WTO/AIR/4083, issued 10 June 2024."),
    (PAGE_1, 2, "committee on market access|2024-06-27", "Committee on Market Access",
     "2024-06-27", None, "", f"{DOC}4083.pdf&Open=True", "confirmed",
     "The meeting of the Committee on Market Access scheduled for Thursday, 20 June 2024 has "
     "been postponed to Thursday, 27 June 2024.\n\nAirgram WTO/AIR/4083, issued 10 June 2024."),
    (PAGE_2, 2, "committee on trade and development session on aid for trade|2024-04-30",
     "Committee on Trade and Development - Session on Aid for Trade", "2024-04-30", None, "",
     f"{DOC}4065.pdf&Open=True", "confirmed",
     "Committee on Trade and Development - Session on Aid for Trade - Meeting - 30 April 2024"
     "\n\nAirgram WTO/AIR/4065, issued 16 April 2024."),
    (PAGE_2, 0, "general council|2025-04-09", "General Council", "2025-04-09", "2025-04-10", "",
     "https://docs.wto.org/dol2fe/Pages/FE_Search/FE_S_S006.aspx?DataSource=Cat&query="
     "@Symbol=WTO/AIR/GC/51&Language=ENGLISH&Context=FomerScriptedSearch&languageUIChanged="
     "true", "cancelled",
     "The special meeting of the General Council scheduled for Wednesday, 9 and Thursday, "
     "10 April 2025 is cancelled.\n\nAirgram WTO/AIR/GC/51, issued 2 April 2025."),
    (PAGE_2, 1, "trade policy review body|2024-07-22", "Trade Policy Review Body", "2024-07-22",
     "2024-07-23", "Virtual", f"{DOC}TPR/88.pdf&Open=True", "confirmed",
     "The Trade Policy Review Body will meet on 22 - 23 July 2024 for the fifth Trade Policy "
     "Review of the Separate Customs Territory of Taiwan, Penghu, Kinmen and Matsu (Chinese "
     "Taipei).\n\nAirgram WTO/AIR/TPR/88, issued 24 June 2024."),
]


@pytest.mark.parametrize("name", [PAGE_1, PAGE_2, EMPTY])
def test_each_page_yields_exactly_its_meetings(name: str) -> None:
    keys = [event.source_key for event in fixture_events(name)]  # newest airgram first
    assert keys == [row[2] for row in sorted(EXPECTED, key=lambda row: row[1])
                    if row[0] == name]


@pytest.mark.parametrize(("name", "position", "key", "title", "start", "end", "location", "url",
                          "status", "description"), EXPECTED)
def test_meeting_fields(name: str, position: int, key: str, title: str, start: str,
                        end: str | None, location: str, url: str, status: str,
                        description: str) -> None:
    printed = event_to_json(fixture_events(name)[position])
    assert printed["source_key"] == key and printed["uid"] == make_uid("wto_airgrams", key)
    assert (printed["source"], printed["organization"]) == ("wto_airgrams", "WTO")
    assert printed["title"] == title
    assert (printed["start"], printed["end"]) == (start, end)
    assert printed["all_day"] is (len(start) == 10)
    assert printed["timezone"] == "Europe/Zurich"
    assert (printed["location"], printed["url"]) == (location, url)
    assert (printed["status"], printed["kind"]) == (status, "meeting")
    assert printed["description"] == description
    assert printed["registration_deadline"] is None and printed["registration_url"] == ""
    assert printed["section"] is None and printed["featured"] is False


def test_first_page_asks_for_the_next_and_the_last_does_not() -> None:
    requests = [item for item in fixture_items(PAGE_1) if isinstance(item, Request)]
    assert len(requests) == 1 and requests[0].url == SEARCH_URL
    assert dict(requests[0].params) == {"DataSource": "Cat", "Language": "English",
                                        "XMLMaxHitsPerPage": "5", "XMLStart": "6",
                                        "query": "@Symbol=WTO/AIR/*"}
    assert not any(isinstance(item, Request) for item in fixture_items(PAGE_2))
    assert not any(isinstance(item, Request) for item in fixture_items(PAGE_1, max_pages=1))


def test_next_page_keeps_the_request_parameters() -> None:
    request = Request(SEARCH_URL, params=(("DataSource", "Cat"), ("XMLMaxHitsPerPage", "100"),
                                          ("XMLStart", "101"), ("query", "@Symbol=WTO/AIR/*")))
    response = Response(url=SEARCH_URL + "?x", body=b"", request=request)
    follow = next_page(response, 100, 450, 3)
    assert follow is not None and dict(follow.params)["XMLStart"] == "201"
    assert next_page(response, 100, 450, 2) is None  # page 3 is past max_pages
    assert next_page(response, 100, 200, 5) is None  # all 200 hits read
    assert next_page(response, 40, None, 5) is None  # a short page is the last


def test_a_cancellation_keeps_the_uid_of_the_meeting_it_cancels() -> None:
    announced = events_of(hit("A special meeting of the General Council will be held on "
                              "Wednesday, 9 and Thursday, 10 April 2025.", issued="20/03/2025"))
    cancelled = [event for event in fixture_events(PAGE_2) if event.status == "cancelled"]
    assert [event.uid for event in cancelled] == [announced[0].uid]


def test_start_request() -> None:
    [request] = make_source(lookback_days=30, per_page=50).start_requests()
    params = dict(request.params)
    assert request.url == SEARCH_URL
    assert (params["DataSource"], params["Language"], params["XMLMaxHitsPerPage"],
            params["XMLStart"]) == ("Cat", "English", "50", "0")
    assert params["query"].startswith("(@Symbol=WTO/AIR/*) AND (@meta_Date>=")


def test_search_query() -> None:
    assert search_query(date(2024, 5, 31), 90) == \
        "(@Symbol=WTO/AIR/*) AND (@meta_Date>=01/03/2024)"
    assert search_query(date(2024, 5, 10), 90) == search_query(date(2024, 5, 20), 90) == \
        "(@Symbol=WTO/AIR/*) AND (@meta_Date>=01/02/2024)"  # the URL changes once a month
    assert search_query(date(2024, 5, 31), 0) == "@Symbol=WTO/AIR/*"


def test_check_options() -> None:
    assert WtoAirgramsSource.check_options({"lookback_days": 120, "per_page": 100,
                                            "max_pages": 3}) == {}
    assert set(WtoAirgramsSource.check_options({"lookback_days": -1, "per_page": 500,
                                                "max_pages": 0})) == {
        "lookback_days", "per_page", "max_pages"}


@pytest.mark.parametrize(("sentence", "body", "first", "last", "clock", "status", "place"), [
    ("The next meeting of the Dispute Settlement Body will be held in the Centre William "
     "Rappard on Tuesday, 27 September 2011, starting at 10 a.m.", "Dispute Settlement Body",
     "2011-09-27", "2011-09-27", time(10), "confirmed", CWR),
    ("The next meeting of the Committee on Customs Valuation will be held on Wednesday, 9 and "
     "Thursday, 10 April 2025 in Room D, Centre William Rappard.",
     "Committee on Customs Valuation", "2025-04-09", "2025-04-10", None, "confirmed",
     f"Room D, {CWR}"),
    ("The next meeting of the Council for Trade in Goods will take place on 22 - 23 July 2024 "
     "at 10.00 a.m.", "Council for Trade in Goods", "2024-07-22", "2024-07-23", time(10),
     "confirmed", ""),
    ("The Committee on Trade and Development (Dedicated Session on Small Economies) will hold "
     "a meeting on 14 May 2024 at 3 p.m.",
     "Committee on Trade and Development (Dedicated Session on Small Economies)",
     "2024-05-14", "2024-05-14", time(15), "confirmed", ""),
    ("The Thirteenth Session of the Ministerial Conference will be held in Abu Dhabi, United "
     "Arab Emirates, from 26 to 29 February 2024.", "Ministerial Conference", "2024-02-26",
     "2024-02-29", None, "confirmed", "Abu Dhabi, United Arab Emirates"),
    ("If necessary, the meeting of the Working Party on the Accession of Ethiopia will "
     "continue on 15 May 2024.", "Working Party on the Accession of Ethiopia", "2024-05-15",
     "2024-05-15", None, "tentative", ""),
    ("The meeting of the Committee on Agriculture scheduled for 20 June 2024 will not take "
     "place.", "Committee on Agriculture", "2024-06-20", "2024-06-20", None, "cancelled", ""),
    ("The next meeting of the General Council will be held virtually on 3 June.",
     "General Council", "2024-06-03", "2024-06-03", None, "confirmed", "Virtual"),
])
def test_meeting_sentences(sentence: str, body: str, first: str, last: str,
                           clock: time | None, status: str, place: str) -> None:
    [meeting] = meetings_in(sentence, ISSUED)
    assert (meeting.body, str(meeting.first), str(meeting.last)) == (body, first, last)
    assert (meeting.clock, meeting.status, meeting.location) == (clock, status, place)


@pytest.mark.parametrize("sentence", [
    "Delegations wishing to propose items should inform the Secretariat by 13 May 2024.",
    "Members will meet informally on 3 June 2024.",
    "The next meeting of the Dispute Settlement Body will be announced in due course.",
    "The Chairperson of the General Council will hold consultations.",
])
def test_sentences_without_a_meeting(sentence: str) -> None:
    assert meetings_in(sentence, ISSUED) == []


def test_body_names() -> None:
    assert body_named("A special meeting of the General Council is convened") == (
        "General Council", len("A special meeting of the General Council"))
    assert body_named("In June, the Trade Negotiations Committee will meet") == (
        "Trade Negotiations Committee", len("In June, the Trade Negotiations Committee"))
    assert body_named("Delegations will meet") is None


def test_title_fallback_and_status_marker_in_the_title() -> None:
    airgram = Airgram(symbol="WTO/AIR/4100", title="[Cancelled] Committee on Rules of Origin - "
                      "Meeting - 12 June 2024", issued=ISSUED, filename="",
                      bodies=("Committee on Rules of Origin",), text="")
    [meeting] = find_meetings(airgram)
    assert (meeting.body, str(meeting.first), meeting.status) == (
        "Committee on Rules of Origin", "2024-06-12", "cancelled")
    bodies_only = Airgram(symbol="WTO/AIR/4101", title="Airgram - Meeting on 12 June 2024",
                          issued=ISSUED, filename="", bodies=("Committee on Safeguards",), text="")
    assert [m.body for m in find_meetings(bodies_only)] == ["Committee on Safeguards"]
    no_date = Airgram(symbol="WTO/AIR/4102", title="Committee on Safeguards - Airgram",
                      issued=ISSUED, filename="", bodies=(), text="")
    assert find_meetings(no_date) == []


@pytest.mark.parametrize(("filename", "url"), [
    ("Q:/WTO/AIR/4071.pdf", f"{DOC}4071.pdf&Open=True"),
    ("q:\\WTO\\AIR\\DSB\\142.pdf", f"{DOC}DSB/142.pdf&Open=True"),
    ("", "https://docs.wto.org/dol2fe/Pages/FE_Search/FE_S_S006.aspx?DataSource=Cat&query="
         "@Symbol=WTO/AIR/4071&Language=ENGLISH&Context=FomerScriptedSearch&languageUIChanged="
         "true"),
])
def test_document_urls(filename: str, url: str) -> None:
    airgram = Airgram(symbol="WTO/AIR/4071", title="", issued=None, filename=filename,
                      bodies=(), text="")
    assert document_url(airgram) == url


def test_places() -> None:
    assert find_place("held in the CWR on 3 June") == CWR
    assert find_place("The meeting will take place in Room W.") == "Room W"
    assert find_place("The meeting will be held on 3 June.") == ""


def test_a_broken_hit_is_skipped_not_the_page() -> None:
    body = (FIXTURES / PAGE_1).read_text(encoding="utf-8")
    body = body.replace("<SYMBOL>WTO/AIR/DSB/142</SYMBOL>", "<SYMBOL></SYMBOL>", 1)
    body = body.replace("<ISSUINGDATE>08/05/2024 00:00:00</ISSUINGDATE>",
                        "<ISSUINGDATE>soon</ISSUINGDATE>", 1)
    body = body.replace("<DOCUMENT>", "<NOTADOCUMENT>", 1).replace(
        "</DOCUMENT>", "</NOTADOCUMENT>", 1)
    keys = [event.source_key for event in parse_body(body.encode()) if isinstance(event, Event)]
    assert keys == ["general council|2024-07-22", "committee on market access|2024-06-20",
                    "committee on market access|2024-06-27"]  # 23 May has no year, no reference


def test_slightly_broken_xml_is_read() -> None:
    body = hit("The next meeting of the General Council will be held on 3 June 2024 & later.")
    assert [event.title for event in events_of(body)] == ["General Council"]


@pytest.mark.parametrize("body", [
    b"<html><body>Service Unavailable</body></html>",
    b"",
    b"not xml at all",
    b'{"hits": []}',
    b'<autnresponse xmlns:autn="http://schemas.autonomy.com/aci/"><action>QUERY</action>'
    b'<response>ERROR</response><responsedata><errorid>AXEQUERY-1</errorid><errordescription>'
    b'Invalid query</errordescription></responsedata></autnresponse>',
])
def test_garbage_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError, match="GetXMLResults.aspx"):
        parse_body(body)


def test_newest_airgram_comes_first_so_its_news_wins() -> None:
    def document(text: str, issued: str) -> str:
        return (f"<autn:hit><autn:content><DOCUMENT><SYMBOL>WTO/AIR/{issued[:2]}</SYMBOL>"
                f"<ISSUINGDATE>{issued}</ISSUINGDATE><CONTENTS>{text}</CONTENTS></DOCUMENT>"
                f"</autn:content></autn:hit>")
    body = ('<autnresponse xmlns:autn="http://schemas.autonomy.com/aci/"><responsedata>'
            + document("The next meeting of the General Council will be held on 3 June 2024.",
                       "01/05/2024")
            + document("The meeting of the General Council scheduled for 3 June 2024 has been "
                       "cancelled.", "20/05/2024")
            + "</responsedata></autnresponse>")
    events = events_of(body.encode())
    assert [event.status for event in events] == ["cancelled", "confirmed"]
    assert events[0].uid == events[1].uid


def test_no_next_page_without_the_search_that_asked_for_it() -> None:
    body = (FIXTURES / PAGE_1).read_bytes()
    offline = make_source().parse(Response(url=SEARCH_URL, body=body))
    assert not any(isinstance(item, Request) for item in offline)
    recorded = Response(url=f"{SEARCH_URL}?{QUERY}", body=body,
                        request=Request(f"{SEARCH_URL}?{QUERY}"))
    follow = [item for item in make_source().parse(recorded) if isinstance(item, Request)]
    assert [dict(item.params)["XMLStart"] for item in follow] == ["5"]  # hits 0-4 read


def test_a_page_boundary_read_twice_gives_each_airgram_once() -> None:
    """From XMLStart=0, a server counting from 1 repeats the last hit of page 1 on page 2:
    the repeated airgram (same symbol) is dropped, so its meeting is not doubled."""
    def document(symbol: str, text: str) -> str:
        return (f"<autn:hit><autn:content><DOCUMENT><SYMBOL>{symbol}</SYMBOL>"
                f"<ISSUINGDATE>01/05/2024</ISSUINGDATE><CONTENTS>{text}</CONTENTS></DOCUMENT>"
                f"</autn:content></autn:hit>")
    council = "The next meeting of the General Council will be held on 3 June 2024."
    body = ('<autnresponse xmlns:autn="http://schemas.autonomy.com/aci/"><responsedata>'
            + document("WTO/AIR/GC/1", council) + document("WTO/AIR/GC/1", council)
            + "</responsedata></autnresponse>").encode()
    assert len(events_of(body)) == 1
    overlap = [event for page in (body, body) for event in events_of(page)]
    assert len(merge_duplicates(overlap)) == 1
