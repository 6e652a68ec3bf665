"""WTO calendar data file: a real 2013 news data file and a composed events file (README)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.base import ParseError, Request, Response, SourceConfig
from sources.lib.js_literals import JsError, JsReader, find_js_items
from sources.wto import DEFAULT_URL, WtoSource, clean_text, parse_when, subject_codes

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "wto"
NEWS = "current_news_e-2013-excerpt.js"
MEETINGS = "meetings_e-composed.js"
NEWS_URL = "https://www.wto.org/library/news/current_news_e.js"
SITE = "https://www.wto.org"
GENEVA = ZoneInfo("Europe/Zurich")


def make_source(**options: Any) -> WtoSource:
    return WtoSource(SourceConfig(name="wto", type="wto", url="", organization="WTO",
                                  timezone="Europe/Zurich", options=options))


def events_of(body: bytes | str, url: str = DEFAULT_URL, **options: Any) -> list[Event]:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    items = list(make_source(**options).parse(Response(url=url, body=raw)))
    assert not any(isinstance(item, Request) for item in items)
    return [item for item in items if isinstance(item, Event)]


def fixture_events(name: str, **options: Any) -> list[Event]:
    return events_of((FIXTURES / name).read_bytes(), NEWS_URL if name == NEWS else DEFAULT_URL,
                     **options)


# file, position, key, title, start, end, url, status, kind, description (start of it)
EXPECTED = [
    (NEWS, 0, f"{SITE}/english/tratop_e/tpr_e/tp382_e.htm", "Trade Policy Review: Suriname",
     "2013-06-10T14:00:00+02:00", "2013-06-12T12:00:00+02:00",
     f"{SITE}/english/tratop_e/tpr_e/tp382_e.htm", "confirmed", "meeting",
     "The second review of the trade policies and practices of Suriname takes place on 10 and "
     "12 June 2013. The basis for the review is a report by the WTO Secretariat and a report by "
     "the Government of Suriname.\n\nSubjects: trade policy reviews; business, trade and the "
     "WTO."),
    (NEWS, 1, f"{SITE}/english/news_e/news13_e/dsb_agenda_24may13_e.htm",
     "Items proposed for consideration at the next meeting of Dispute Settlement Body",
     "2013-05-24T10:00:00+02:00", None, f"{SITE}/english/news_e/news13_e/dsb_agenda_24may13_e.htm",
     "confirmed", "meeting", "The WTO Secretariat has circulated a meeting notice and list of "
     "items proposed for the next meeting, on 24 May 2013, of the Dispute Settlement Body"),
    (NEWS, 2, f"{SITE}/english/news_e/sppl_e/sppl282_e.htm",
     "Economic engagement with emerging countries key to Europe\u2019s growth \u2014 Lamy",
     "2013-05-15T12:00:00+02:00", None, f"{SITE}/english/news_e/sppl_e/sppl282_e.htm",
     "confirmed", "meeting", "Director-General Pascal Lamy, in a speech to Institute Notre "
     "Europe in Brussels on 15 May 2013, said that \u201c90% of the growth"),
    (NEWS, 3, f"{SITE}/english/news_e/news13_e/gc_14may13_e.htm",
     "General Council appoints Azev\u00eado as next Director-General, Lamy pledges smooth "
     "transition", "2013-05-14T17:00:00+02:00", None,
     f"{SITE}/english/news_e/news13_e/gc_14may13_e.htm", "confirmed", "meeting",
     "At a special meeting on 14 May 2013, the General Council approved"),
    (NEWS, 4, f"{SITE}/english/tratop_e/tpr_e/tp381_e.htm", "Trade Policy Review: Macao, China",
     "2013-05-13T14:00:00+02:00", "2013-05-15T12:00:00+02:00",
     f"{SITE}/english/tratop_e/tpr_e/tp381_e.htm", "confirmed", "meeting",
     "The fourth review of the trade policies and practices of Macao, China"),
    (MEETINGS, 0, "WTO|committee on trade and development session on aid for trade|2024-04-29",
     "Committee on Trade and Development - Session on Aid for Trade", "2024-04-29",
     "2024-04-30", f"{SITE}/english/tratop_e/devel_e/a4t_e/aid4trade_e.htm", "confirmed",
     "meeting", "Formal meeting.\n\nSubjects: trade and development; Aid for Trade."),
    (MEETINGS, 1, "WTO|committee on customs valuation|2024-05-23",
     "Committee on Customs Valuation", "2024-05-23", None, "", "confirmed", "meeting",
     "Subjects: rules of origin."),
    (MEETINGS, 2, "https://docs.wto.org/dol2fe/Pages/SS/directdoc.aspx?filename=q:/WTO/AIR/DSB/"
     "142.pdf&Open=True", "Dispute Settlement Body", "2024-05-24T10:00:00+02:00", None,
     "https://docs.wto.org/dol2fe/Pages/SS/directdoc.aspx?filename=q:/WTO/AIR/DSB/142.pdf"
     "&Open=True", "confirmed", "meeting", "Proposed agenda circulated as an \u201cairgram\u201d "
     "(WTO/AIR/DSB/142).\n\nSubjects: dispute settlement."),
    (MEETINGS, 3, "WTO|general council|2024-07-22", "General Council", "2024-07-22",
     "2024-07-23", f"{SITE}/english/thewto_e/gcounc_e/gcounc_e.htm", "confirmed", "meeting",
     "Two-day meeting in the Centre William Rappard.\n\nStarts at 10:00 (Geneva time).\n\n"
     "Subjects: General Council."),
    (MEETINGS, 4, f"{SITE}/english/tratop_e/tpr_e/tp555_e.htm", "Trade Policy Review: Peru",
     "2024-06-05T10:00:00+02:00", "2024-06-07T13:00:00+02:00",
     f"{SITE}/english/tratop_e/tpr_e/tp555_e.htm", "confirmed", "meeting",
     "The sixth review of the trade policies and practices of Peru.\n\nSubjects: trade policy "
     "reviews."),
    (MEETINGS, 5, f"{SITE}/english/res_e/statis_e/miwi_e/workshop_14may24_e.htm",
     'Workshop on the "Made in the World" initiative', "2024-05-14T15:00:00+02:00",
     "2024-05-14T18:00:00+02:00", f"{SITE}/english/res_e/statis_e/miwi_e/workshop_14may24_e.htm",
     "confirmed", "meeting", "Hybrid workshop: members' experts and the Secretariat.\n\n"
     "Subjects: international trade statistics."),
    (MEETINGS, 6, "WTO|council for trade in goods|2024-05-16", "Council for Trade in Goods",
     "2024-05-16", None, "", "cancelled", "meeting", "Subjects: Council for Trade in Goods."),
    (MEETINGS, 7, "WTO|committee on agriculture special session|2024-06-12",
     "Committee on Agriculture - Special Session", "2024-06-12T10:00:00+02:00", None,
     f"{SITE}/english/tratop_e/agric_e/agnegs_12jun24_e.htm", "confirmed", "meeting",
     "Subjects: agriculture negotiations."),
    (MEETINGS, 8, "WTO|committee on agriculture special session resumed|2024-06-13",
     "Committee on Agriculture - Special Session (resumed)", "2024-06-13T10:00:00+02:00", None,
     f"{SITE}/english/tratop_e/agric_e/agnegs_12jun24_e.htm", "confirmed", "meeting",
     "Subjects: agriculture negotiations."),
    (MEETINGS, 9, "WTO|committee on sanitary and phytosanitary measures|2024-06-25",
     "Committee on Sanitary and Phytosanitary Measures", "2024-06-25", None, "", "postponed",
     "meeting", "Subjects: sanitary and phytosanitary measures."),
]


@pytest.mark.parametrize("name", [NEWS, MEETINGS])
def test_each_file_yields_exactly_its_items_in_order(name: str) -> None:
    keys = [event.source_key for event in fixture_events(name)]
    assert keys == [row[2] for row in EXPECTED if row[0] == name]


@pytest.mark.parametrize(("name", "position", "key", "title", "start", "end", "url", "status",
                          "kind", "description"), EXPECTED)
def test_item_fields(name: str, position: int, key: str, title: str, start: str,
                     end: str | None, url: str, status: str, kind: str, description: str) -> None:
    printed = event_to_json(fixture_events(name)[position])
    assert printed["source_key"] == key and printed["uid"] == make_uid("wto", key)
    assert (printed["source"], printed["organization"]) == ("wto", "WTO")
    assert printed["title"] == title
    assert (printed["start"], printed["end"]) == (start, end)
    assert printed["all_day"] is (len(start) == 10)
    assert printed["timezone"] == "Europe/Zurich"
    assert (printed["location"], printed["url"]) == ("", url)
    assert (printed["status"], printed["kind"]) == (status, kind)
    assert printed["description"].startswith(description)
    assert printed["registration_deadline"] is None and printed["registration_url"] == ""
    assert printed["section"] is None and printed["featured"] is False


def test_subjects_option_keeps_only_those_items() -> None:
    titles = [event.title for event in fixture_events(NEWS, subjects="TPR")]
    assert titles == ["Trade Policy Review: Suriname", "Trade Policy Review: Macao, China"]
    assert [event.title for event in fixture_events(MEETINGS, subjects="gc, disp")] == [
        "Dispute Settlement Body", "General Council"]


def test_cancelled_marker_keeps_the_uid_of_the_meeting() -> None:
    announced = events_of('m[1] = {ni_date:"2024.05.16_00:00:00", '
                          'ni_head:"Council for Trade in Goods", ni_links:[]};')
    cancelled = [event for event in fixture_events(MEETINGS) if event.status == "cancelled"]
    assert [event.uid for event in cancelled] == [announced[0].uid]


def test_start_request_defaults_to_the_inferred_data_file() -> None:
    assert make_source().start_requests() == [Request(DEFAULT_URL)]
    config = SourceConfig(name="wto", type="wto", url="https://example.org/x.js",
                          organization="WTO", timezone="Europe/Zurich")
    assert WtoSource(config).start_requests() == [Request("https://example.org/x.js")]


@pytest.mark.parametrize(("text", "start", "end", "note"), [
    ("2024.05.23_00:00:00", date(2024, 5, 23), None, ""),
    ("2024.05.23", date(2024, 5, 23), None, ""),
    ("2024.04.29_00:00:00#2024.04.30_00:00:00", date(2024, 4, 29), date(2024, 4, 30), ""),
    ("2024.05.24_10:00:00", datetime(2024, 5, 24, 10, tzinfo=GENEVA), None, ""),
    ("2024.05.24_10:00:00#2024.05.24_00:00:00", datetime(2024, 5, 24, 10, tzinfo=GENEVA),
     None, ""),
    ("2024.05.24_10:00:00#2024.05.24_09:00:00", datetime(2024, 5, 24, 10, tzinfo=GENEVA),
     None, ""),
    ("2024.05.24_10:00:00#2024.05.24_13:30:00", datetime(2024, 5, 24, 10, tzinfo=GENEVA),
     datetime(2024, 5, 24, 13, 30, tzinfo=GENEVA), ""),
    ("2024.07.22_10:00:00#2024.07.23_00:00:00", date(2024, 7, 22), date(2024, 7, 23),
     "Starts at 10:00 (Geneva time)."),
    ("2024.07.22_00:00:00#2024.07.23_18:00:00", date(2024, 7, 22), date(2024, 7, 23), ""),
    ("2024.07.22_00:00:00#2024.07.21_00:00:00", date(2024, 7, 22), None, ""),
    ("2024.12.16_15:00:00", datetime(2024, 12, 16, 15, tzinfo=GENEVA), None, ""),
])
def test_dates_and_times(text: str, start: date | datetime, end: date | datetime | None,
                         note: str) -> None:
    when = parse_when(text, GENEVA)
    assert when is not None and (when.start, when.end, when.note) == (start, end, note)
    if isinstance(when.start, datetime):
        assert when.start.utcoffset() == start.utcoffset()  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["", "soon", "2024.02.30_10:00:00", "2024.05.24_25:00:00",
                                  "#2024.05.24"])
def test_impossible_dates_are_none(text: str) -> None:
    assert parse_when(text, GENEVA) is None


def test_winter_time_offset() -> None:
    [event] = events_of('m[1]={ni_date:"2024.12.16_15:00:00",ni_head:"General Council"};')
    assert event_to_json(event)["start"] == "2024-12-16T15:00:00+01:00"


@pytest.mark.parametrize(("source", "value"), [
    ('{a:"x", \'b\':\'y\', "c" : 1, d:[1,,2,], e:new Array("p","q"), f:true, g:null,}',
     {"a": "x", "b": "y", "c": 1.0, "d": [1.0, 2.0], "e": ["p", "q"], "f": True, "g": None}),
    (r'"say \"hi\" \'now\'\u00e9\x41\n"', 'say "hi" \'now\'éA\n'),
    ("'one' +\r\n 'two'", "onetwo"),
    ('"line \\\r\ncontinued"', "line continued"),
    ("/* comment */ [ // note\r\n 1 ]", [1.0]),
    ("new Array()", []),
    ("some.variable", None),
    ("0x1F", 31),
])
def test_js_literals(source: str, value: object) -> None:
    assert JsReader(source).value() == value


@pytest.mark.parametrize("source", ['"unterminated', '{a:1 b:2}', "[1, 2", "f(1)", "{:1}",
                                    '"line\nbreak"'])
def test_js_errors(source: str) -> None:
    with pytest.raises(JsError):
        JsReader(source).value()


def test_other_prefixes_push_and_array_literals_are_items() -> None:
    text = ('var events = [{ev_date:"2024.09.10_00:00:00", ev_title:"A", ev_venue:"Room W"},'
            ' {ev_date:"2024.09.11_00:00:00", ev_title:"B"}];\n'
            'events.push({ev_date:"2024.09.12_09:30:00", ev_title:"C &amp; D"});\n'
            'subject[subject.length] = { code:"ACC", title:"accessions" };')
    items = find_js_items(text)
    assert [item.get("head", "title") for item in items] == ["A", "B", "C &amp; D"]
    events = events_of(text)
    assert [(event.title, event.location) for event in events] == [
        ("A", "Room W"), ("B", ""), ("C & D", "")]


def test_a_broken_item_is_skipped_not_the_file() -> None:
    text = ('x[1] = {ni_date:"2024.09.10", ni_head:"Good one"};\n'
            'x[2] = {ni_date:"2024.09.11", ni_head:"Broken" ni_intro:""};\n'
            'x[3] = {ni_date:"2024.09.12", ni_head:""};\n'
            'x[4] = {ni_date:"2024.09.13", ni_head:"<b>Bold</b>&nbsp;title", ni_links:"none"};\n'
            'x[5] = {ni_head:"No date"};\n')
    assert [event.title for event in events_of(text)] == ["Good one", "Bold title"]


def test_shared_links_fall_back_to_title_and_date() -> None:
    events = [event for event in fixture_events(MEETINGS) if "agnegs" in event.url]
    assert [event.source_key.startswith("WTO|") for event in events] == [True, True]
    assert len({event.uid for event in events}) == 2


def test_links_resolve_against_the_site_when_parsed_from_a_local_file() -> None:
    text = 'x[1]={ni_date:"2024.09.10",ni_head:"T",ni_links:[{nl_url:"/english/a_10_e.htm"}]};'
    [event] = events_of(text, url="file:///srv/tradecal/meetings_e.js")
    assert event.url == "https://www.wto.org/english/a_10_e.htm"
    assert event.source_key == event.url


def test_a_data_file_without_items_is_empty_not_an_error() -> None:
    assert events_of("var meeting_item = new Array();\r\n// none this week\r\n") == []


@pytest.mark.parametrize("body", [b"<html><body>Not found</body></html>", b"", b"\xff\xfe\x00",
                                  b"Service temporarily unavailable"])
def test_garbage_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError, match="meetings_e.js"):
        events_of(body)


def test_helpers() -> None:
    assert clean_text("A&nbsp;<i>b</i>\r\n  c&rsquo;s") == "A b c\u2019s"
    assert subject_codes("tpr#BUS, gc") == frozenset({"TPR", "BUS", "GC"})
    assert subject_codes("") == frozenset()
