"""The html-list adapter: list pages described by CSS selectors (composed fixtures, see README)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.base import ParseError, Response, SourceConfig
from sources.generic.html_list import HtmlListSource, split_deadline
from sources.lib.listing import element_text, merged_status, read_title, strip_label

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html_list"
TABLE_URL = "https://www.example.org.tw/news/list.asp?page=1"
CARDS_URL = "https://www.example.org.tw/zh/news/list.php"
ENGLISH_URL = "https://www.example.org/en/events/"
SERVED = {"Date": "Tue, 23 Jul 2024 02:00:00 GMT"}

PAGES: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "big5-table.html": (TABLE_URL, {}, {
        "item": "table.list_table tr", "title": "td.title", "date": "td.date",
        "time": "td.time", "location": "td.place", "deadline": "td.deadline"}),
    "big5-cards-no-charset.html": (CARDS_URL, SERVED, {
        "item": "li.item", "title": "h3.ttl", "date": "p.date", "location": "p.place"}),
    "english-events.html": (ENGLISH_URL, {}, {
        "item": "article.event", "title": ".event-title", "date": ".event-date",
        "time": ".event-time", "location": ".event-venue", "deadline": ".event-deadline",
        "link": "a.more"}),
}


def make_source(url: str = TABLE_URL, **options: Any) -> HtmlListSource:
    return HtmlListSource(SourceConfig(name="seminars", type="html-list", url=url,
                                       organization="CIECA", timezone="Asia/Taipei",
                                       options=options))


def events_of(name: str) -> list[Event]:
    url, headers, options = PAGES[name]
    response = Response(url=url, body=(FIXTURES / name).read_bytes(), headers=headers)
    return list(make_source(url, **options).parse(response))


def parse_html(html: str, url: str = TABLE_URL, **options: Any) -> list[Event]:
    selectors = {"item": "li", "title": ".t", "date": ".d", **options}
    body = f"<html><body><ul>{html}</ul></body></html>".encode()
    return list(make_source(url, **selectors).parse(Response(url=url, body=body,
                                                             headers=SERVED)))


TABLE = "https://www.example.org.tw/news/detail.asp?id="
CARD = "https://www.example.org.tw/zh/activity/view.php?sn="
# file, key, title, start, end, location, url, status, registration deadline
EXPECTED = [
    ("big5-table.html", f"{TABLE}1301", "2024 美國出口管制新規說明會", "2024-05-07T14:00:00+08:00",
     "2024-05-07T16:00:00+08:00", "台北國際會議中心 201室", f"{TABLE}1301", "confirmed",
     "2024-05-01"),
    ("big5-table.html", f"{TABLE}1302", "RCEP 原產地規則研討會", "2024-05-14T14:00:00+08:00",
     "2024-05-14T16:30:00+08:00", "高雄展覽館 3樓 會議室", f"{TABLE}1302", "cancelled", None),
    ("big5-table.html", "https://www.example.org.tw/events/detail.asp?id=1303",
     "CPTPP 市場商機論壇", "2024-05-21T09:30:00+08:00", "2024-05-22T16:30:00+08:00",
     "線上（Webex）", "https://www.example.org.tw/events/detail.asp?id=1303", "postponed",
     "2024-05-15"),
    ("big5-table.html", "CIECA|印太經濟架構 ipef 座談會|2024-06-04", "印太經濟架構（IPEF）座談會",
     "2024-06-04", None, "經濟部國際貿易署 1樓 國際會議廳", "", "confirmed", "2024-05-28"),
    ("big5-table.html", "https://www.trade.gov.tw/Pages/Detail.aspx?nodeID=45&pid=800001",
     "東協市場拓銷 說明會", "2024-06-18T10:00:00+08:00", None, "台中市工業區服務中心",
     "https://www.trade.gov.tw/Pages/Detail.aspx?nodeID=45&pid=800001", "cancelled",
     "2024-06-11"),
    ("big5-table.html", f"{TABLE}1307", "APEC 數位經濟論壇", "2024-07-02T13:30:00+08:00",
     "2024-07-02T17:00:00+08:00", "台北君悅酒店 3樓 凱悅廳", f"{TABLE}1307", "confirmed",
     "2024-06-25"),
    ("big5-cards-no-charset.html", f"{CARD}88", "新南向市場 商機說明會",
     "2024-08-06T14:00:00+08:00", "2024-08-06T16:00:00+08:00", "台中市工業區服務中心 2樓",
     f"{CARD}88", "confirmed", None),
    ("big5-cards-no-charset.html", f"{CARD}89", "碳邊境調整機制（CBAM）因應座談",
     "2024-08-13T14:00:00+08:00", "2024-08-13T16:00:00+08:00", "台北市 集思台大會議中心",
     f"{CARD}89", "confirmed", "2024-08-09"),
    ("big5-cards-no-charset.html", "https://www.example.org.tw/zh/news/activity/view.php?sn=90",
     "綠色貿易研討會", "2024-08-20", "2024-08-22", "高雄 駁二藝術特區",
     "https://www.example.org.tw/zh/news/activity/view.php?sn=90", "cancelled", None),
    ("big5-cards-no-charset.html", f"{CARD}91", "印度市場 拓銷 研習班", "2024-08-27", None, "線上",
     f"{CARD}91", "postponed", None),
    ("big5-cards-no-charset.html", f"{CARD}92", "供應鏈韌性論壇", "2024-09-03T09:30:00+08:00",
     None, "", f"{CARD}92", "confirmed", None),
    ("big5-cards-no-charset.html", "CIECA|半導體供應鏈座談|2024-09-10", "半導體供應鏈座談",
     "2024-09-10", None, "", "", "cancelled", None),
    ("english-events.html", "https://www.example.org/events/2024/digital-trade-forum",
     "Digital Trade Forum 2024", "2024-05-07T09:30:00+08:00", "2024-05-07T12:30:00+08:00",
     "Grand Hotel, Taipei", "https://www.example.org/events/2024/digital-trade-forum",
     "confirmed", "2024-04-30"),
    ("english-events.html", "https://www.example.org/events/2024/mc14-briefing?lang=en#top",
     "Briefing on WTO MC14 Outcomes", "2024-05-14", None, "Online",
     "https://www.example.org/events/2024/mc14-briefing?lang=en#top", "cancelled", None),
    ("english-events.html", "https://www.example.org/en/events/2024/roo-workshop",
     "Rules of Origin Workshop", "2024-06-12T09:00:00+08:00", "2024-06-14T17:00:00+08:00",
     "Taipei World Trade Center, Room 3", "https://www.example.org/en/events/2024/roo-workshop",
     "confirmed", None),
    ("english-events.html", "CIECA|apec sme workshop|2024-07-02", "APEC SME Workshop",
     "2024-07-02T14:00:00+08:00", None, "", "", "tentative", None),
]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_yields_exactly_its_events(name: str) -> None:
    assert [event.source_key for event in events_of(name)] == \
        [row[1] for row in EXPECTED if row[0] == name]


@pytest.mark.parametrize(("name", "key", "title", "start", "end", "location", "url", "status",
                          "deadline"), EXPECTED, ids=[f"{row[0]}:{row[2]}" for row in EXPECTED])
def test_event_fields(name: str, key: str, title: str, start: str, end: str | None,
                      location: str, url: str, status: str, deadline: str | None) -> None:
    [event] = [event for event in events_of(name) if event.source_key == key]
    printed = event_to_json(event)
    assert printed["uid"] == make_uid("seminars", key)
    assert (printed["source"], printed["organization"]) == ("seminars", "CIECA")
    assert printed["title"] == title
    assert (printed["start"], printed["end"]) == (start, end)
    assert printed["all_day"] is (len(start) == 10)
    assert printed["timezone"] == "Asia/Taipei"
    assert (printed["location"], printed["url"], printed["status"]) == (location, url, status)
    assert (printed["kind"], printed["registration_deadline"]) == ("seminar", deadline)
    assert (printed["section"], printed["featured"], printed["description"],
            printed["registration_url"]) == (None, False, "", "")


def test_big5_decodes_by_header_as_well_as_by_meta() -> None:
    url, _, options = PAGES["big5-table.html"]
    body = (FIXTURES / "big5-table.html").read_bytes()
    meta = b'<meta http-equiv="Content-Type" content="text/html; charset=big5" />'
    stripped = body.replace(meta, b"")
    for raw, headers in ((stripped, {"content-type": "text/html; charset=Big5"}),
                         (stripped, {})):
        events = list(make_source(url, **options).parse(Response(url, raw, headers=headers)))
        assert [event.title for event in events] == \
            [row[2] for row in EXPECTED if row[0] == "big5-table.html"]


def test_a_page_without_items_is_a_parse_error_naming_the_url() -> None:
    with pytest.raises(ParseError, match="example.org.tw/news/list.asp"):
        parse_html("", item="table.list_table tr")
    with pytest.raises(ParseError, match="list.asp"):
        list(make_source(**PAGES["big5-table.html"][2]).parse(
            Response(TABLE_URL, b"\x00\xff not html at all")))


def test_items_without_title_or_date_are_skipped() -> None:
    events = parse_html('<li><span class="d">2024/05/07</span></li>'
                        '<li><b class="t">  </b><span class="d">2024/05/07</span></li>'
                        '<li><b class="t">No date</b><span class="d">TBD</span></li>'
                        '<li><b class="t">No cell</b></li>'
                        '<li><b class="t">Kept</b><span class="d">2024/05/07</span></li>')
    assert [event.title for event in events] == ["Kept"]


@pytest.mark.parametrize(("cell", "start", "end"), [
    ("活動日期：113/05/07（二）<br>時間：14:00~16:00", "2024-05-07T14:00:00+08:00",
     "2024-05-07T16:00:00+08:00"),
    ("113年5月7日(星期二) 下午2時30分", "2024-05-07T14:30:00+08:00", None),
    ("2024/05/07~05/09", "2024-05-07", "2024-05-09"),
    ("5/7(二)-5/9(四) 09:30", "2024-05-07", "2024-05-09"),
    ("113/05/07 14:00~113/05/09 12:00", "2024-05-07T14:00:00+08:00",
     "2024-05-09T12:00:00+08:00"),
    ("113/05/07 時間待定", "2024-05-07", None),
    ("2024-05-07 16:00-14:00", "2024-05-07T16:00:00+08:00", None),
    ("活動日期︰１１３．０５．０７", "2024-05-07", None),
])
def test_date_and_time_in_one_cell(cell: str, start: str, end: str | None) -> None:
    [event] = parse_html(f'<li><a class="t" href="/e/1">Seminar</a><p class="d">{cell}</p></li>')
    assert (event_to_json(event)["start"], event_to_json(event)["end"]) == (start, end)


def test_the_time_cell_wins_and_its_unknown_time_makes_an_all_day_event() -> None:
    html = ('<li><a class="t" href="/e/1">A</a><p class="d">113/05/07 09:00</p>'
            '<p class="h">待定</p></li>'
            '<li><a class="t" href="/e/2">B</a><p class="d">113/05/08 09:00</p>'
            '<p class="h"> </p></li>'
            '<li><a class="t" href="/e/3">C</a><p class="d">113/05/09</p>'
            '<p class="h">上午10時至12時</p></li>')
    starts = [event_to_json(event)["start"] for event in parse_html(html, time=".h")]
    assert starts == ["2024-05-07", "2024-05-08T09:00:00+08:00", "2024-05-09T10:00:00+08:00"]


def test_links_default_to_the_title_and_resolve_against_page_and_base() -> None:
    html = ('<li><div class="t"><span>Intro</span> <a href="../e/1">One</a></div>'
            '<p class="d">2024/05/07</p></li>'
            '<li><a class="t" href="#">Two</a><p class="d">2024/05/08</p>'
            '<a class="x" href="/e/2">more</a></li>')
    first, second = parse_html(html)
    assert (first.url, first.title) == ("https://www.example.org.tw/e/1", "Intro One")
    assert second.url == "" and second.source_key == "CIECA|two|2024-05-08"
    based = parse_html('<li><a class="t" href="e/3">Three</a><p class="d">2024/05/09</p></li>'
                       '<base href="https://other.example.org/base/">')
    assert based[0].url == "https://other.example.org/base/e/3"


def test_a_shared_or_page_link_does_not_identify_an_event() -> None:
    html = ('<li><a class="t" href="/register">Forum A</a><p class="d">2024/05/07</p></li>'
            '<li><a class="t" href="/register">Forum B</a><p class="d">2024/05/08</p></li>'
            '<li><a class="t" href="list.asp?page=1">Forum C</a><p class="d">2024/05/09</p></li>'
            '<li><a class="t" href="/">Forum D</a><p class="d">2024/05/10</p></li>'
            '<li><a class="t" href="/e/5">Forum E</a><p class="d">2024/05/11</p></li>'
            '<li><a class="t" href="/e/5">Forum E</a><p class="d">2024/06/11</p></li>'
            '<li><a class="t" href="/e/6">Forum F</a><p class="d">2024/06/12</p></li>')
    keys = [event.source_key for event in parse_html(html)]
    assert keys == ["CIECA|forum a|2024-05-07", "CIECA|forum b|2024-05-08",
                    "CIECA|forum c|2024-05-09", "CIECA|forum d|2024-05-10",
                    "CIECA|forum e|2024-05-11", "CIECA|forum e|2024-06-11",
                    "https://www.example.org.tw/e/6"]


def test_a_yearless_date_takes_the_year_nearest_the_served_date() -> None:
    def start_of(cell: str, served: str) -> str:
        body = f'<ul><li><a class="t" href="/e/1">A</a><p class="d">{cell}</p></li></ul>'
        source = make_source(item="li", title=".t", date=".d")
        [event] = source.parse(Response(TABLE_URL, body.encode(), headers={"Date": served}))
        return event.start.isoformat()

    july, new_year = "Tue, 23 Jul 2024 02:00:00 GMT", "Mon, 1 Jan 2024 00:00:00 GMT"
    assert start_of("1/8", july) == "2025-01-08"  # January 2025 is nearer than January 2024
    assert start_of("1/8", new_year) == "2024-01-08"
    assert start_of("1/8(三)", new_year) == "2025-01-08"  # the weekday says which year
    assert start_of("1月8日（週一）", new_year) == "2024-01-08"


def test_config_section_and_featured_reach_the_events() -> None:
    config = SourceConfig(name="seminars", type="html-list", url=TABLE_URL, organization="NCCU",
                          timezone="Asia/Taipei", section="RTA", featured=True,
                          options={"item": "li", "title": ".t", "date": ".d"})
    body = b'<ul><li><a class="t" href="/e">A</a><p class="d">2024/05/07</p></li></ul>'
    [event] = HtmlListSource(config).parse(Response(TABLE_URL, body))
    assert (event.section, event.featured, event.organization) == ("RTA", True, "NCCU")


def test_check_options_names_each_bad_key() -> None:
    assert HtmlListSource.check_options(PAGES["english-events.html"][2]) == {}
    problems = HtmlListSource.check_options({"item": "tr", "title": "td[", "link": "a::",
                                             "location": ""})
    assert set(problems) == {"title", "date", "link"}
    assert "date" in problems["date"] and "'td['" in problems["title"]
    assert set(HtmlListSource.check_options({})) == {"item", "title", "date"}
    assert set(HtmlListSource.options) == {"item", "title", "date", "link", "location",
                                           "deadline", "time"}
    assert all(kind is str for kind in HtmlListSource.options.values())


def test_element_text_keeps_inline_words_together() -> None:
    from bs4 import BeautifulSoup
    soup = BeautifulSoup("<div>出口<b>管制</b><br>說明會<!-- note --><script>x()</script>"
                         "<p>第二 行</p>\n  </div>", "lxml")
    assert element_text(soup.div) == "出口管制 說明會 第二 行"
    assert element_text(None) == ""


@pytest.mark.parametrize(("text", "title", "status"), [
    ("【取消】RCEP 研討會", "RCEP 研討會", "cancelled"),
    ("取消 半導體座談", "半導體座談", "cancelled"),
    ("半導體座談 延期", "半導體座談", "postponed"),
    ("取消補助說明會", "取消補助說明會", None),
    ("Tentative Agenda Review", "Tentative Agenda Review", None),
    ("暫定", "暫定", None),
])
def test_read_title(text: str, title: str, status: str | None) -> None:
    assert (read_title(text).title, read_title(text).status) == (title, status)


@pytest.mark.parametrize(("title_status", "date_text", "time_text", "expected"), [
    (None, "113/05/07", "14:00", "confirmed"),
    (None, "113/05/07（取消）", "", "cancelled"),
    (None, "113/05/07", "延期", "postponed"),
    (None, "113/05/07（暫定）", "", "tentative"),
    (None, "113/05/07", "TBC", "confirmed"),
    (None, "113/05/07 時間待定", "", "confirmed"),
    ("tentative", "113/05/07 Cancelled", "", "cancelled"),
    ("postponed", "", "", "postponed"),
])
def test_merged_status(title_status: str | None, date_text: str, time_text: str,
                       expected: str) -> None:
    assert merged_status(title_status, date_text, time_text) == expected  # type: ignore[arg-type]


def test_labels_and_deadlines_are_cut_from_cells() -> None:
    assert strip_label("地點︰台北") == "台北"
    assert strip_label("Venue: Grand Hotel") == "Grand Hotel"
    assert strip_label("會議室：201") == "會議室：201"
    assert split_deadline("113/08/13 14:00 報名截止：113/08/09 17:00") == (
        "113/08/13 14:00", "113/08/09 17:00")
    assert split_deadline("7 May 2024. Registration deadline: 30 April") == (
        "7 May 2024.", "30 April")
    assert split_deadline("113/08/13") == ("113/08/13", "")
