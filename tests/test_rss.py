"""The RSS/Atom adapter (``type = "rss"``) over composed feeds (see fixtures/rss/README)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.base import ParseError, Response, SourceConfig
from sources.generic.rss import RssSource

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rss"
# fixture: (feed URL, organization, time zone)
FEEDS = {
    "trade-news.xml": ("https://www.trade.gov.tw/RSS/RSS.aspx?nodeID=9999", "TRADE",
                       "Asia/Taipei"),
    "events.atom": ("https://forum.example.org/news.atom", "WTO", "Europe/Zurich"),
}
DETAIL = "https://www.trade.gov.tw/Pages/Detail.aspx?nodeID=9999&pid="
FORUM = "https://forum.example.org/events/2024"


def make_source(name: str = "events.atom", **options: Any) -> RssSource:
    url, organization, zone = FEEDS[name]
    return RssSource(SourceConfig(name="news-rss", type="rss", url=url,
                                  organization=organization, timezone=zone, options=options))


def events_of(name: str, body: bytes | None = None,
              source: RssSource | None = None) -> list[Event]:
    raw = body if body is not None else (FIXTURES / name).read_bytes()
    feed = name if name in FEEDS else "events.atom"
    return list((source or make_source(feed)).parse(Response(url=FEEDS[feed][0], body=raw)))


def rss(*items: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f'<link>https://forum.example.org/</link>{"".join(items)}</channel></rss>').encode()


def item(title: str, description: str = "", link: str = "https://forum.example.org/e/1",
         published: str = "Mon, 03 Jun 2024 09:00:00 +0000") -> str:
    return (f"<item><title>{title}</title><link>{link}</link><description>{description}"
            f"</description><pubDate>{published}</pubDate></item>")


# key, title, start, end, location, url, status, deadline, description
EXPECTED = {
    "trade-news.xml": [
        (f"{DETAIL}771201", "「2024年印度市場商機說明會」歡迎報名", "2024-05-07T14:00:00+08:00",
         "2024-05-07T16:00:00+08:00", "臺北國際會議中心201會議室（臺北市信義路五段1號）",
         f"{DETAIL}771201", "confirmed", "2024-05-03",
         "報名截止日期：113年5月3日（星期五）\n活動日期：113年5月7日（星期二）下午2時至4時\n"
         "地點：臺北國際會議中心201會議室（臺北市信義路五段1號）\n主辦單位：經濟部國際貿易署"),
        (f"{DETAIL}771355", "越南市場拓銷研討會 5月21日登場", "2024-05-21T14:00:00+08:00",
         "2024-05-21T16:30:00+08:00", "高雄展覽館 301會議室", f"{DETAIL}771355", "confirmed",
         None, "時間：5月21日（二）14:00~16:30\n會議地點：高雄展覽館 301會議室"),
        (f"{DETAIL}771040", "日本市場拓銷說明會", "2024-05-15", "2024-05-15", "",
         f"{DETAIL}771040", "cancelled", None,
         "原訂於113/05/15舉辦之日本市場拓銷說明會，因故取消，造成不便敬請見諒。"),
        (f"{DETAIL}770988", "2024台灣國際智慧能源週", "2024-10-16", "2024-10-18",
         "台北南港展覽館1館", f"{DETAIL}770988", "confirmed", None,
         "展期：113年10月16日至18日\n地點：台北南港展覽館1館"),
    ],
    "events.atom": [
        (f"{FORUM}/general-council-july", "General Council, 22 - 23 July 2024", "2024-07-22",
         "2024-07-23", "Centre William Rappard, Geneva", f"{FORUM}/general-council-july",
         "confirmed", None, "The General Council meets in Geneva. Agenda items include "
         "e-commerce and dispute settlement reform.\nVenue: Centre William Rappard, Geneva"),
        (f"{FORUM}/fisheries-webinar", "Webinar on the Fisheries Subsidies Agreement",
         "2024-07-10T15:00:00+02:00", "2024-07-10T16:30:00+02:00", "Online",
         f"{FORUM}/fisheries-webinar", "confirmed", "2024-07-05",
         "Registration closes July 5.\nJoin us on Wednesday, 10 July 2024, 15:00-16:30 for a "
         "webinar on implementing the agreement.\nLocation: Online"),
        ("tag:forum.example.org,2024:gender-workshop", "Workshop on trade and gender",
         "2024-09-03", "2024-09-03", "", "", "postponed", None,
         "The workshop planned for September 3, 2024 is postponed; a new date will follow."),
    ],
}
CASES = [(name, n, row) for name, rows in EXPECTED.items() for n, row in enumerate(rows)]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_feed_yields_exactly_its_events(name: str) -> None:
    assert [event.source_key for event in events_of(name)] == [row[0] for row in EXPECTED[name]]


@pytest.mark.parametrize(("name", "position", "row"), CASES,
                         ids=[f"{name}-{n}" for name, n, _ in CASES])
def test_event_fields(name: str, position: int, row: tuple[Any, ...]) -> None:
    key, title, start, end, location, url, status, deadline, description = row
    _, organization, zone = FEEDS[name]
    assert event_to_json(events_of(name)[position]) == {
        "uid": make_uid("news-rss", key), "source": "news-rss", "source_key": key,
        "organization": organization, "title": title, "start": start, "end": end,
        "all_day": len(start) == 10, "timezone": zone, "location": location, "url": url,
        "status": status, "kind": "meeting", "section": None, "featured": False,
        "registration_deadline": deadline, "registration_url": "", "description": description,
    }


def test_news_without_an_event_date_is_skipped_unless_use_published() -> None:
    titles = [event.title for event in events_of("events.atom")]
    assert "Annual report 2023 published" not in titles
    source = make_source(use_published=True)
    report = [e for e in events_of("events.atom", source=source)
              if e.title == "Annual report 2023 published"]
    assert [(e.start, e.end, e.url) for e in report] == [
        (date(2024, 6, 20), date(2024, 6, 20), "https://forum.example.org/news/2024/annual-report")]


def test_publication_day_is_read_in_the_source_zone() -> None:
    body = rss(item("Briefing notes", published="Mon, 03 Jun 2024 23:30:00 +0000"))
    [event] = events_of("x", body, make_source(use_published=True))
    assert event.start == date(2024, 6, 4)  # 01:30 in Geneva


def test_a_year_less_date_takes_the_year_nearest_publication() -> None:
    body = rss(item("Seminar on 5 January", published="Mon, 30 Dec 2024 09:00:00 +0000"))
    [event] = events_of("x", body)
    assert event.start == date(2025, 1, 5)


def test_a_deadline_alone_is_no_event_date() -> None:
    body = rss(item("Call for papers", "Deadline: 30 June 2024."))
    assert events_of("x", body) == []


def test_a_multi_day_title_date_does_not_borrow_a_summary_time() -> None:
    body = rss(item("Forum, 4-5 June 2024", "Opens 4 June 2024 at 09:00."))
    [event] = events_of("x", body)
    assert (event.start, event.end) == (date(2024, 6, 4), date(2024, 6, 5))


def test_a_time_after_the_date_in_the_title() -> None:
    body = rss(item("Webinar 12 June 2024, 10:00-11:00 ", ""))
    [event] = events_of("x", body)
    zone = ZoneInfo("Europe/Zurich")
    assert (event.start, event.end) == (datetime(2024, 6, 12, 10, tzinfo=zone),
                                        datetime(2024, 6, 12, 11, tzinfo=zone))


def test_item_without_link_or_guid_is_keyed_by_title_and_date() -> None:
    body = rss("<item><title>Meeting on 12 June 2024</title></item>")
    [event] = events_of("x", body)
    assert (event.source_key, event.url) == ("WTO|meeting on 12 june 2024|2024-06-12", "")


def test_kind_option_and_its_check() -> None:
    events = events_of("events.atom", source=make_source(kind="seminar"))
    assert {event.kind for event in events} == {"seminar"}
    assert RssSource.check_options({"kind": "deadline", "use_published": True}) == {}
    assert set(RssSource.check_options({"kind": "webinar"})) == {"kind"}


def test_an_empty_feed_yields_nothing() -> None:
    assert events_of("x", rss()) == []


@pytest.mark.parametrize("body", [
    b"<html><head><title>Not found</title></head><body>Sorry</body></html>",
    b"", b'{"items": []}',
])
def test_garbage_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError, match="news.atom"):
        events_of("x", body)


def test_a_deadline_in_the_summary_of_a_title_dated_item() -> None:
    body = rss(item("Seminar on 12 June 2024", "Register by 5 June 2024. Room 4."))
    [event] = events_of("x", body)
    assert (event.start, event.registration_deadline) == (date(2024, 6, 12), date(2024, 6, 5))
