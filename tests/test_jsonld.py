"""The schema.org JSON-LD adapter (``type = "jsonld"``) over composed pages (fixtures README)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.base import ParseError, Response, SourceConfig
from sources.generic.jsonld import JsonLdSource
from sources.lib.markup import html_to_text, join_place

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "jsonld"
# fixture: (page URL, organization, time zone)
PAGES = {
    "single-event.html": ("https://events.example.org/zh-TW/events/20240912-supply-chain",
                          "CIECA", "Asia/Taipei"),
    "list-page.html": ("https://forum.example.org/events/", "OECD", "Europe/Paris"),
    "graph-page.html": ("https://centre.example.edu/events/apec-services-dialogue/", "NCCU",
                        "Asia/Taipei"),
}
SUPPLY = "https://events.example.org/zh-TW/events/20240912-supply-chain"
FORUM = "https://forum.example.org/events/2025"
CENTRE = "https://centre.example.edu/events/apec-services-dialogue/"
TICC = "Taipei International Convention Center, No. 1, Sec. 5, Xinyi Rd., Taipei, Taiwan"


def make_source(name: str = "list-page.html", **options: Any) -> JsonLdSource:
    _, organization, zone = PAGES[name]
    return JsonLdSource(SourceConfig(name="events-jsonld", type="jsonld", url=PAGES[name][0],
                                     organization=organization, timezone=zone,
                                     options=options))


def events_of(name: str, body: bytes | None = None, url: str | None = None,
              source: JsonLdSource | None = None) -> list[Event]:
    raw = body if body is not None else (FIXTURES / name).read_bytes()
    response = Response(url=url or PAGES.get(name, PAGES["list-page.html"])[0], body=raw)
    return list((source or make_source(name if name in PAGES else "list-page.html"))
                .parse(response))


def page(*nodes: Any) -> bytes:
    """An HTML page with one JSON-LD block per node."""
    blocks = "".join(f'<script type="application/ld+json">{json.dumps(node)}</script>'
                     for node in nodes)
    return f"<html><head>{blocks}</head><body></body></html>".encode()


# key, title, start, end, location, url, status, description, registration url, deadline
EXPECTED = {
    "single-event.html": [
        (SUPPLY, "2024 全球供應鏈重組與臺灣布局研討會", "2024-09-12T14:00:00+08:00",
         "2024-09-12T17:00:00+08:00", "集思台大會議中心 蘇格拉底廳, 臺北市大安區羅斯福路四段85號B1, TW",
         SUPPLY, "confirmed",
         "邀請產官學專家，剖析 美中科技競爭下的供應鏈重組趨勢。\n議程：\n13:30 報到\n14:00 專題演講\n\n"
         "Organizer: 中華經濟研究院 WTO及RTA中心", f"{SUPPLY}/register", "2024-09-09"),
    ],
    "list-page.html": [
        (f"{FORUM}/03/trade-investment-outlook", "Trade & Investment Outlook 2025", "2025-03-12",
         "2025-03-13", "OECD Conference Centre, 2 rue André Pascal, Paris, France",
         f"{FORUM}/03/trade-investment-outlook", "confirmed", "", "", None),
        (f"{FORUM}/03/digital-trade-roundtable", "Roundtable on digital trade rules",
         "2025-03-20T09:30:00+01:00", "2025-03-20T12:30:00+01:00", "Brussels, Belgium",
         f"{FORUM}/03/digital-trade-roundtable", "cancelled", "", "", None),
        (f"{FORUM}/04/rcep-rules-of-origin", "Workshop: rules of origin under RCEP",
         "2025-04-08", "2025-04-08", "Singapore", f"{FORUM}/04/rcep-rules-of-origin",
         "postponed", "", "", None),
        (f"{FORUM}/05/trade-and-climate", "Annual conference on trade and climate",
         "2025-05-06T10:00:00+02:00", "2025-05-07T16:00:00+02:00",
         "Palais des Nations, Avenue de la Paix 8-14, 1211 Geneva, Switzerland; Online",
         f"{FORUM}/05/trade-and-climate", "confirmed", "", "", None),
        (f"{FORUM}/05/export-controls-briefing", "Members' briefing on export controls",
         "2025-05-21T17:00:00+02:00", "2025-05-21T18:00:00+02:00", "Online",
         f"{FORUM}/05/export-controls-briefing", "confirmed", "", "", None),
    ],
    "graph-page.html": [
        (f"{CENTRE}#event", "APEC Trade Policy Dialogue on Services", "2024-08-20T09:00:00+08:00",
         "2024-08-20T17:30:00+08:00", TICC, CENTRE, "confirmed",
         "A day of dialogue on services trade & regulation.\nTwo sessions:\nDigital services\n"
         "Professional services\n\nOrganizer: Policy Centre, APEC Group on Services", "", None),
        (f"{CENTRE}#session-1", "Session 1: Digital services", "2024-08-20T09:00:00+08:00",
         "2024-08-20T12:00:00+08:00", TICC, CENTRE, "confirmed", "", "", None),
        (f"{CENTRE}#session-2", "Session 2: Professional services", "2024-08-20T13:30:00+08:00",
         "2024-08-20T17:30:00+08:00", TICC, CENTRE, "cancelled", "", "", None),
        ("NCCU|seminar on cptpp accession|2024-09-03", "Seminar on CPTPP accession",
         "2024-09-03", "2024-09-04", "National Chengchi University, Taipei, TW", CENTRE,
         "confirmed", "", "", None),
    ],
}
CASES = [(name, n, row) for name, rows in EXPECTED.items() for n, row in enumerate(rows)]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_page_yields_exactly_its_events(name: str) -> None:
    assert [event.source_key for event in events_of(name)] == [row[0] for row in EXPECTED[name]]


@pytest.mark.parametrize(("name", "position", "row"), CASES,
                         ids=[f"{name}-{n}" for name, n, _ in CASES])
def test_event_fields(name: str, position: int, row: tuple[Any, ...]) -> None:
    key, title, start, end, location, url, status, description, registration, deadline = row
    _, organization, zone = PAGES[name]
    assert event_to_json(events_of(name)[position]) == {
        "uid": make_uid("events-jsonld", key), "source": "events-jsonld", "source_key": key,
        "organization": organization, "title": title, "start": start, "end": end,
        "all_day": len(start) == 10, "timezone": zone, "location": location, "url": url,
        "status": status, "kind": "meeting", "section": None, "featured": False,
        "registration_deadline": deadline, "registration_url": registration,
        "description": description,
    }


EVENT = {"@context": "https://schema.org", "@type": "Event", "name": "Trade dialogue",
         "startDate": "2025-06-03T10:00:00+02:00"}


@pytest.mark.parametrize(("status", "expected"), [
    ("EventScheduled", "confirmed"), ("https://schema.org/EventRescheduled", "confirmed"),
    ("http://schema.org/EventCancelled", "cancelled"), ("schema:EventCanceled", "cancelled"),
    ("https://schema.org/EventPostponed", "postponed"), ("EventMovedOnline", "confirmed"),
    ({"@id": "https://schema.org/EventCancelled"}, "cancelled"), ("Sold out", "confirmed"),
])
def test_event_status(status: Any, expected: str) -> None:
    [event] = events_of("x", page(dict(EVENT, eventStatus=status)))
    assert event.status == expected


def test_title_marker_gives_the_status_when_event_status_says_nothing() -> None:
    [event] = events_of("x", page(dict(EVENT, name="Trade dialogue (postponed)")))
    assert (event.title, event.status) == ("Trade dialogue", "postponed")
    [event] = events_of("x", page(dict(EVENT, name="[Cancelled] Trade dialogue",
                                       eventStatus="EventScheduled")))
    assert (event.title, event.status) == ("Trade dialogue", "cancelled")
    [event] = events_of("x", page(dict(EVENT, name="Trade dialogue (rescheduled)",
                                       eventStatus="https://schema.org/EventRescheduled")))
    assert (event.title, event.status) == ("Trade dialogue", "confirmed")
    [event] = events_of("x", page(dict(EVENT, name="Trade dialogue (tentative)",
                                       eventStatus="EventPostponed")))
    assert (event.title, event.status) == ("Trade dialogue", "postponed")


def test_rescheduled_event_keeps_the_key_of_its_previous_date() -> None:
    before = dict(EVENT, startDate="2025-06-03")
    after = dict(EVENT, startDate="2025-06-10", previousStartDate="2025-06-03",
                 eventStatus="https://schema.org/EventRescheduled")
    [first], [second] = events_of("x", page(before)), events_of("x", page(after))
    assert first.uid == second.uid and second.start == date(2025, 6, 10)
    assert second.status == "confirmed"


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("2025-06-03", None, ("2025-06-03", "2025-06-03")),
    ("2025-06-03", "2025-06-05", ("2025-06-03", "2025-06-05")),
    ("2025-06-03", "2025-06-01", ("2025-06-03", "2025-06-03")),
    ("2025-06-03T10:00", "2025-06-03T12:00", ("2025-06-03T10:00:00+02:00",
                                             "2025-06-03T12:00:00+02:00")),
    ("2025-06-03 10:00:00", None, ("2025-06-03T10:00:00+02:00", None)),
    ("2025-06-03T08:00:00Z", "2025-06-03T07:00:00Z", ("2025-06-03T10:00:00+02:00", None)),
    ("2025-06-03T10:00:00.000+0200", None, ("2025-06-03T10:00:00+02:00", None)),
    ("2025-06-03T00:00:00+02:00", None, ("2025-06-03", "2025-06-03")),
    ("2025-06-03T00:00:00+02:00", "2025-06-04T23:59:59+02:00", ("2025-06-03", "2025-06-04")),
    ("2025-06-03T00:00:00+02:00", "2025-06-05T00:00:00+02:00", ("2025-06-03", "2025-06-04")),
    ("2025-06-03T00:00:00+02:00", "2025-06-03T12:00:00+02:00",
     ("2025-06-03T00:00:00+02:00", "2025-06-03T12:00:00+02:00")),
    ("June 3, 2025", None, ("2025-06-03", "2025-06-03")),
])
def test_start_and_end_forms(start: str, end: str | None,
                             expected: tuple[str, str | None]) -> None:
    node = dict(EVENT, startDate=start)
    if end:
        node["endDate"] = end
    [event] = events_of("x", page(node))
    printed = event_to_json(event)
    assert (printed["start"], printed["end"]) == expected
    assert printed["timezone"] == "Europe/Paris"


@pytest.mark.parametrize("location", [
    None, 42, {"@type": "Place"}, [],
])
def test_missing_or_odd_location_is_empty(location: Any) -> None:
    [event] = events_of("x", page(dict(EVENT, location=location)))
    assert event.location == ""


def test_location_forms() -> None:
    place = {"@type": "Place", "name": "Palais des Congrès", "address": {
        "@type": "PostalAddress", "streetAddress": "2 Place de la Porte Maillot",
        "addressLocality": "Paris", "addressCountry": {"@type": "Country", "name": "France"}}}
    text_address = {"@type": "Place", "address": "Rue de Lausanne 154, Geneva"}
    cases = [(place, "Palais des Congrès, 2 Place de la Porte Maillot, Paris, France"),
             (text_address, "Rue de Lausanne 154, Geneva"),
             ("  Geneva,\n Switzerland ", "Geneva, Switzerland"),
             ({"@type": "VirtualLocation", "url": "https://x.example"}, "Online"),
             ([place, "Paris"], "Palais des Congrès, 2 Place de la Porte Maillot, Paris, France; "
                                "Paris")]
    for value, expected in cases:
        [event] = events_of("x", page(dict(EVENT, location=value)))
        assert event.location == expected


def test_events_in_a_list_a_graph_and_nested() -> None:
    first = dict(EVENT, name="First", url="/a")
    second = dict(EVENT, name="Second", url="/b", subEvent=[dict(EVENT, name="Inner",
                                                                  url="/c")])
    body = page([first, {"@graph": [{"@type": "WebSite"}, second]}])
    assert [e.title for e in events_of("x", body)] == ["First", "Second", "Inner"]


def test_a_url_shared_by_several_events_does_not_key_them() -> None:
    one = dict(EVENT, name="Morning session", url="/day")
    two = dict(EVENT, name="Afternoon session", url="/day", startDate="2025-06-03T14:00")
    events = events_of("x", page(one, two))
    assert [e.source_key for e in events] == ["OECD|morning session|2025-06-03",
                                              "OECD|afternoon session|2025-06-03"]
    assert {e.url for e in events} == {"https://forum.example.org/day"}


def test_the_same_event_twice_on_a_page_is_one_event() -> None:
    node = dict(EVENT, url="/dialogue")
    assert len(events_of("x", page(node, {"@graph": [node]}))) == 1


def test_a_bare_json_ld_document() -> None:
    body = json.dumps([dict(EVENT, url="https://x.example/e/1")]).encode()
    [event] = events_of("x", body)
    assert event.source_key == "https://x.example/e/1"


def test_invalid_blocks_and_events_without_name_or_date_are_skipped() -> None:
    body = page(dict(EVENT, name=""), dict(EVENT, startDate="soon"),
                {"@type": "Event", "name": "No date"}).replace(
        b"</head>", b'<script type="application/ld+json">{not json</script></head>')
    assert events_of("x", body) == []


def test_kind_option_and_its_check() -> None:
    [event] = events_of("x", page(EVENT), source=make_source(kind="seminar"))
    assert event.kind == "seminar"
    assert JsonLdSource.check_options({"kind": "seminar"}) == {}
    assert set(JsonLdSource.check_options({"kind": "gala"})) == {"kind"}


def test_offers_deadline_only_when_before_the_event() -> None:
    node = dict(EVENT, url="/e", offers=[{"@type": "Offer", "url": "/e",
                                          "validThrough": "2025-07-01T00:00:00+02:00"}])
    [event] = events_of("x", page(node))
    assert (event.registration_url, event.registration_deadline) == ("", None)


@pytest.mark.parametrize("body", [
    b"<html><body><h1>Events</h1><p>No structured data</p></body></html>",
    b"{not json", b"",
])
def test_garbage_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError, match="forum.example.org"):
        events_of("x", body)


def test_a_page_with_json_ld_but_no_events_yields_nothing() -> None:
    assert events_of("x", page({"@type": "Organization", "name": "Forum"})) == []


@pytest.mark.parametrize(("markup", "text"), [
    ("<p>One&nbsp;<b>bold</b> line</p><p>Two</p>", "One bold line\nTwo"),
    ("A &amp; B<br/>C", "A & B\nC"),
    ("plain   text\n\n  more ", "plain text\nmore"),
    ("<ul><li>x</li><li>y</li></ul>", "x\ny"),
])
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(("parts", "text"), [
    (("Arequipa", "", "Arequipa", "Peru"), "Arequipa, Peru"),
    (("政大公企中心", "臺北市大安區金華街187號", "臺北市", "臺灣"), "政大公企中心, 臺北市大安區金華街187號, 臺灣"),
    (("Taipei International Convention Center", "No. 1, Sec. 5, Xinyi Rd.", "Taipei"),
     "Taipei International Convention Center, No. 1, Sec. 5, Xinyi Rd., Taipei"),
    (("", "", "Geneva", "geneva"), "Geneva"),
    (("",), ""),
])
def test_join_place(parts: tuple[str, ...], text: str) -> None:
    assert join_place(*parts) == text
