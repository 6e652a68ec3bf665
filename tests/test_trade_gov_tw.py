"""國際貿易署 trade.gov.tw list nodes through getDataByNodeid.ashx (composed fixtures, README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.base import ParseError, Request, Response, SourceConfig
from sources.trade_gov_tw import ENDPOINT, TradeGovTwSource, event_name, split_labels, title_place

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "trade_gov_tw"
DETAIL = "https://www.trade.gov.tw/Pages/Detail.aspx?nodeID=4326&pid="
TAITRA = "https://www.taitra.org.tw/seminar/2024-global-outlook"


def make_source(**options: Any) -> TradeGovTwSource:
    return TradeGovTwSource(SourceConfig(name="trade", type="trade-gov-tw", url="",
                                         organization="TRADE", timezone="Asia/Taipei",
                                         options={"node_id": 4326, **options}))


def parse_page(body: bytes | dict[str, Any], page: int = 1,
               source: TradeGovTwSource | None = None) -> list[Event | Request]:
    source = source or make_source()
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return list(source.parse(Response(url=ENDPOINT, body=raw,
                                      request=source.page_request(page))))


def events_of(name: str, page: int = 1, **options: Any) -> list[Event]:
    items = parse_page((FIXTURES / name).read_bytes(), page, make_source(**options))
    return [item for item in items if isinstance(item, Event)]


def fragment(html: str) -> dict[str, str]:
    return {"Html": html}


ANNOUNCED = ("「2024美國市場商機說明會」訂於113年5月21日（星期二）下午2時至4時30分舉行")
GLOBAL = ("經濟部國際貿易署委託外貿協會辦理「2024全球經貿情勢研討會」，訂於6月12日(三)上午9時30分"
          "假台北國際會議中心舉行")
# file, key, title, start, end, location, url, status, description
EXPECTED = [
    ("node-page-1.json", "pid:801234", "2024美國市場商機說明會", "2024-05-21T14:00:00+08:00",
     "2024-05-21T16:30:00+08:00", "", f"{DETAIL}801234", "confirmed", ANNOUNCED),
    ("node-page-1.json", "pid:801240", "RCEP原產地規則說明會", "2024-06-04", None, "",
     f"{DETAIL}801240", "cancelled", "「RCEP原產地規則說明會」（原訂113年6月4日）"),
    ("node-page-1.json", TAITRA, "2024全球經貿情勢研討會", "2024-06-12T09:30:00+08:00", None,
     "台北國際會議中心", TAITRA, "confirmed", GLOBAL),
    ("node-page-1.json", "pid:801302", "APEC數位貿易研討會", "2024-06-20", None, "",
     f"{DETAIL}801302", "postponed", "「APEC數位貿易研討會」113年6月20日"),
    ("node-page-1.json", "pid:801311", "碳邊境調整機制(CBAM)因應說明會",
     "2024-07-02T14:00:00+08:00", "2024-07-02T16:00:00+08:00", "集思台大會議中心",
     f"{DETAIL}801311", "confirmed", ""),
    ("node-page-2.json", "pid:801100", "2024印度市場商機說明會", "2024-08-05", "2024-08-09", "",
     f"{DETAIL}801100", "confirmed", ""),
    ("node-page-2.json", "pid:801150", "「東協市場拓銷團」說明會 8/15(四) 14:00",
     "2024-08-15T14:00:00+08:00", None, "", f"{DETAIL}801150", "confirmed", ""),
]


@pytest.mark.parametrize(("name", "page"), [("node-page-1.json", 1), ("node-page-2.json", 2),
                                            ("node-empty.json", 1)])
def test_each_page_yields_exactly_its_events(name: str, page: int) -> None:
    assert [event.source_key for event in events_of(name, page)] == \
        [row[1] for row in EXPECTED if row[0] == name]


@pytest.mark.parametrize(("name", "key", "title", "start", "end", "location", "url", "status",
                          "description"), EXPECTED, ids=[row[1] for row in EXPECTED])
def test_event_fields(name: str, key: str, title: str, start: str, end: str | None,
                      location: str, url: str, status: str, description: str) -> None:
    [event] = [event for event in events_of(name, int(name[-6]))
               if event.source_key == key]
    printed = event_to_json(event)
    assert printed["uid"] == make_uid("trade", key)
    assert (printed["organization"], printed["timezone"]) == ("TRADE", "Asia/Taipei")
    assert printed["title"] == title
    assert (printed["start"], printed["end"], printed["all_day"]) == (start, end,
                                                                      len(start) == 10)
    assert (printed["location"], printed["url"], printed["status"]) == (location, url, status)
    assert (printed["kind"], printed["registration_deadline"]) == ("seminar", None)
    assert printed["description"] == description


def test_start_request_asks_like_the_list_page() -> None:
    [request] = make_source().start_requests()
    assert request.url == ENDPOINT
    assert dict(request.params) == {"nodeID": "4326", "keyword": "", "calendarFrom": "",
                                    "calendarTo": "", "history": "y", "datatime": "all",
                                    "pageindex": "1"}
    headers = dict(request.headers)
    assert headers["Referer"] == "https://www.trade.gov.tw/Pages/List.aspx?nodeID=4326"
    assert headers["Accept"].startswith("application/json")


def test_page_one_asks_for_the_other_pages_up_to_max_pages() -> None:
    body = (FIXTURES / "node-page-1.json").read_bytes()
    requests = [item for item in parse_page(body) if isinstance(item, Request)]
    assert [dict(request.params)["pageindex"] for request in requests] == ["2"]
    assert requests[0].headers == make_source().page_request(2).headers
    more = fragment('<a href="Detail.aspx?pid=1" title="A">「A說明會」5/7</a> 共 9 頁')
    assert len([item for item in parse_page(more) if isinstance(item, Request)]) == 2
    assert len([item for item in parse_page(more, source=make_source(max_pages=5))
                if isinstance(item, Request)]) == 4
    assert not [item for item in parse_page(more, page=2) if isinstance(item, Request)]
    counted = {"Html": "", "PageCount": 4}
    assert len([item for item in parse_page(counted, source=make_source(max_pages=9))
                if isinstance(item, Request)]) == 3


def test_row_dates_event_reads_the_rows_own_date() -> None:
    events = events_of("node-page-1.json", row_dates="event")
    assert [(event.source_key, event.start.isoformat()) for event in events][2] == \
        ("pid:800977", "2024-04-15")
    assert [event.title for event in events][2] == "新南向市場拓銷研習班"


def test_a_yearless_title_date_takes_the_publication_year() -> None:
    html = ('<ul><li><a href="Detail.aspx?pid=9" title="「年終說明會」1月8日舉行">x</a>'
            '<span>發布日期：2024-12-20</span></li></ul>')
    [event] = [item for item in parse_page(fragment(html)) if isinstance(item, Event)]
    assert event.start.isoformat() == "2025-01-08"


def test_links_resolve_against_the_list_page_and_pager_links_are_no_items() -> None:
    html = ('<dl><dt>2024-05-02</dt><dd><a href="Detail.aspx?nodeID=4326&amp;pid=5">'
            '研討會 113年5月7日</a></dd>'
            '<dt>2024-05-03</dt><dd><a href="../News/View.aspx?id=6">座談會 113/05/08</a></dd></dl>'
            '<a href="List.aspx?nodeID=4326&amp;pageindex=2">2</a>'
            '<a href="javascript:goPage(3)">下一頁</a><a href="#">更多</a>')
    events = [item for item in parse_page(fragment(html)) if isinstance(item, Event)]
    assert [(event.url, event.start.isoformat()) for event in events] == [
        ("https://www.trade.gov.tw/Pages/Detail.aspx?nodeID=4326&pid=5", "2024-05-07"),
        ("https://www.trade.gov.tw/News/View.aspx?id=6", "2024-05-08")]


@pytest.mark.parametrize("body", [
    b"<html><body>Runtime Error</body></html>",
    b"[]",
    b'{"Message": "An error has occurred."}',
    b'{"Html": null}',
])
def test_garbage_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError, match="getDataByNodeid.ashx"):
        parse_page(body)


def test_a_json_answer_in_another_casing_or_with_a_bom_is_read() -> None:
    body = "\ufeff" + json.dumps({"html": '<a href="Detail.aspx?pid=7">「測試說明會」113/05/07</a>'})
    [event] = [item for item in parse_page(body.encode("utf-8")) if isinstance(item, Event)]
    assert (event.source_key, event.title) == ("pid:7", "測試說明會")


def test_check_options() -> None:
    assert TradeGovTwSource.check_options({"node_id": 4326}) == {}
    assert set(TradeGovTwSource.check_options({})) == {"node_id"}
    problems = TradeGovTwSource.check_options({"node_id": 0, "max_pages": 50,
                                               "row_dates": "sometimes"})
    assert set(problems) == {"node_id", "max_pages", "row_dates"}
    assert TradeGovTwSource.options == {"node_id": int, "max_pages": int, "row_dates": str}


@pytest.mark.parametrize(("title", "name", "description"), [
    ("「2024美國市場商機說明會」訂於5月21日舉行", "2024美國市場商機說明會",
     "「2024美國市場商機說明會」訂於5月21日舉行"),
    ("「2024印度市場商機說明會」", "2024印度市場商機說明會", ""),
    ("「東協市場拓銷團」說明會", "「東協市場拓銷團」說明會", ""),
    ("「A論壇」與「B研討會」", "「A論壇」與「B研討會」", ""),
])
def test_event_name(title: str, name: str, description: str) -> None:
    assert event_name(title) == (name, description)


def test_title_place_and_labels() -> None:
    assert title_place(GLOBAL) == "台北國際會議中心"
    assert title_place("訂於6月12日舉行") == ""
    assert split_labels("發布日期：113-04-02 活動期間：113/08/05~113/08/09 地點︰台北") == [
        ("published", "113-04-02"), ("event", "113/08/05~113/08/09"), ("place", "台北")]
    assert split_labels("Updated 2024-05-02") == [("row", "Updated 2024-05-02")]
