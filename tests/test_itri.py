"""工研院 ITRI ListStyle.aspx event lists (composed fixtures, see README)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.base import ParseError, Request, Response, SourceConfig
from sources.itri import DESCRIPTION_LIMIT, LIST_URL, ItriSource

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "itri"
MMM = "1036276263153520257"
PAGE = f"{LIST_URL}?DisplayStyle=06&SiteID=1&MmmID={MMM}&Page="
ITEM = f"{LIST_URL}?DisplayStyle=01_content&SiteID=1&MmmID={MMM}&MGID="


def make_source(**options: Any) -> ItriSource:
    return ItriSource(SourceConfig(name="itri", type="itri", url="", organization="ITRI",
                                   timezone="Asia/Taipei", options={"mmm_id": MMM, **options}))


def parse_page(body: bytes, page: int = 1, source: ItriSource | None = None,
               with_request: bool = True) -> list[Event | Request]:
    source = source or make_source()
    request = source.page_request(page) if with_request else None
    return list(source.parse(Response(url=f"{PAGE}{page}", body=body, request=request)))


def events_of(name: str, page: int = 1) -> list[Event]:
    return [item for item in parse_page((FIXTURES / name).read_bytes(), page)
            if isinstance(item, Event)]


# file, MGID, title, start, end, location, status, description (its start)
EXPECTED = [
    ("events-page-1.html", "115080314221157318", "2026智慧製造國際論壇 共創AI製造新價值",
     "2026-09-01", None, "", "confirmed", "工研院將於台北國際會議中心舉辦智慧製造國際論壇"),
    ("events-page-1.html", "115081015302266071", "淨零碳排技術研討會",
     "2026-09-15T09:30:00+08:00", "2026-09-16T16:30:00+08:00", "工研院中興院區51館",
     "confirmed", "研討會介紹淨零排放相關技術與產業實務。"),
    ("events-page-1.html", "115081711090383415", "半導體先進封裝技術說明會",
     "2026-09-22T13:30:00+08:00", "2026-09-22T17:00:00+08:00", "", "cancelled",
     "因故取消，造成不便敬請見諒。"),
    ("events-page-1.html", "115082410455512290", "生醫材料產學合作媒合會",
     "2026-10-06T14:00:00+08:00", "2026-10-06T17:00:00+08:00", "工研院光復院區 國際會議廳",
     "postponed", "延期日期另行公告。"),
    ("events-page-1.html", "115083109152207761", "綠能科技工作坊", "2026-10-20", None, "",
     "confirmed", "工作坊報名資訊將於近期公布。"),
    ("events-page-2.html", "115072210300145526", "AI晶片設計實務課程",
     "2026-08-25T09:00:00+08:00", "2026-08-25T12:00:00+08:00", "", "confirmed",
     "課程介紹AI晶片設計流程。"),
]


@pytest.mark.parametrize(("name", "page"), [("events-page-1.html", 1),
                                            ("events-page-2.html", 2),
                                            ("events-empty.html", 1)])
def test_each_page_yields_exactly_its_events(name: str, page: int) -> None:
    assert [event.source_key for event in events_of(name, page)] == \
        [f"MGID:{row[1]}" for row in EXPECTED if row[0] == name]


@pytest.mark.parametrize(("name", "mgid", "title", "start", "end", "location", "status",
                          "description"), EXPECTED, ids=[row[2] for row in EXPECTED])
def test_event_fields(name: str, mgid: str, title: str, start: str, end: str | None,
                      location: str, status: str, description: str) -> None:
    [event] = [event for event in events_of(name, int(name[-6]))
               if event.source_key == f"MGID:{mgid}"]
    printed = event_to_json(event)
    assert printed["uid"] == make_uid("itri", f"MGID:{mgid}")
    assert (printed["organization"], printed["timezone"]) == ("ITRI", "Asia/Taipei")
    assert printed["title"] == title
    assert (printed["start"], printed["end"], printed["all_day"]) == (start, end,
                                                                      len(start) == 10)
    assert (printed["location"], printed["status"], printed["kind"]) == (location, status,
                                                                       "seminar")
    assert printed["url"] == f"{ITEM}{mgid}"
    assert printed["registration_deadline"] is None
    assert printed["description"].startswith(description)
    assert len(printed["description"]) <= DESCRIPTION_LIMIT + 1


def test_start_request_and_paging() -> None:
    [request] = make_source().start_requests()
    assert (request.url, dict(request.params)) == (LIST_URL, {
        "DisplayStyle": "06", "SiteID": "1", "MmmID": MMM, "Page": "1"})
    body = (FIXTURES / "events-page-1.html").read_bytes()
    requests = [item for item in parse_page(body) if isinstance(item, Request)]
    assert [dict(item.params)["Page"] for item in requests] == ["2"]
    wider = [item for item in parse_page(body, source=make_source(max_pages=9))
             if isinstance(item, Request)]
    assert [dict(item.params)["Page"] for item in wider] == ["2", "3"]
    assert not [item for item in parse_page(body, page=2) if isinstance(item, Request)]
    # `tradecal parse` gives no request: the page number comes from the URL
    assert len([item for item in parse_page(body, with_request=False)
                if isinstance(item, Request)]) == 1


def test_items_without_date_or_title_are_skipped() -> None:
    body = ("<dl id='divContent'><dd><a class='title' href='x?MGID=1'></a>"
            "<div class='Lb'><p>日期：2026/09/01</p></div></dd>"
            "<dd><a class='title' href='x?MGID=2'>沒有日期</a><div class='Lb'><p>日期：</p></div></dd>"
            "<dd><a class='title' href='x?MGID=3'>民國日期</a><div class='Lb'>"
            "<p>日期：115.09.01</p></div></dd></dl>").encode()
    events = [item for item in parse_page(body) if isinstance(item, Event)]
    assert [(event.source_key, event.start.isoformat()) for event in events] == [
        ("MGID:3", "2026-09-01")]


@pytest.mark.parametrize("body", [b"<html><body><h1>Runtime Error</h1></body></html>",
                                  b"\x00\x01binary", b""])
def test_a_page_without_the_list_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError, match="ListStyle.aspx"):
        parse_page(body)


def test_check_options() -> None:
    assert ItriSource.check_options({"mmm_id": MMM}) == {}
    assert set(ItriSource.check_options({})) == {"mmm_id"}
    problems = ItriSource.check_options({"mmm_id": "menu", "display_style": "06&x=1",
                                         "max_pages": 0})
    assert set(problems) == {"mmm_id", "display_style", "max_pages"}
