"""Generic adapters on the shapes real publishers write (composed fixtures, labelled in
tests/fixtures/ical/README.md): The Events Calendar's shared VTIMEZONE, Outlook display-name
TZIDs, templates' "2:00: pm", RSS announcements with a 報名截止日, one unreadable event."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from aggregator.core.dates import parse_time_range
from aggregator.core.model import Event
from sources.base import Notice, Response, SourceConfig
from sources.generic.ical import IcsSource
from sources.generic.rss import RssSource
from sources.lib.windows_zones import windows_zone
from tests.conftest import FIXTURES

URL = "https://events.example.org/?ical=1"


def read(name: str, zone: str = "Asia/Taipei") -> tuple[list[Event], list[str]]:
    source = IcsSource(SourceConfig(name="x", type="ics", url=URL, organization="X",
                                    timezone=zone), today=date(2024, 5, 1))
    items = list(source.parse(Response(url=URL, body=(FIXTURES / "ical" / name).read_bytes())))
    return ([item for item in items if isinstance(item, Event)],
            [item.text for item in items if isinstance(item, Notice)])


def test_one_vtimezone_with_several_tzids_keeps_the_feed() -> None:
    events, notices = read("tribe-shared-vtimezone-composed.ics")
    assert [(e.title, e.start, e.timezone) for e in events] == [
        ("Trade Outlook Webinar", datetime(2024, 5, 15, 9, tzinfo=ZoneInfo("America/New_York")),
         "America/New_York"),
        ("Paris Trade Forum", datetime(2024, 5, 20, 14, tzinfo=ZoneInfo("Europe/Paris")),
         "Europe/Paris")]
    assert notices == []


def test_outlook_display_names_are_their_zones_and_an_unknown_one_is_named() -> None:
    events, notices = read("outlook-display-names-composed.ics")
    by_title = {event.title: event for event in events}
    webinar = by_title["Trade Outlook Webinar"]
    assert webinar.start.astimezone(ZoneInfo("UTC")).time() == time(13)  # 09:00 EDT
    assert webinar.timezone == "America/New_York" and webinar.end is not None
    sydney = by_title["APEC Services Dialogue"]
    assert sydney.start.astimezone(ZoneInfo("UTC")) == datetime(2024, 5, 20, 4,
                                                                tzinfo=ZoneInfo("UTC"))
    assert by_title["CPTPP seminar"].timezone == "Asia/Taipei"
    brasilia = by_title["Mercosur briefing"]  # not mapped: its stated offset, and a warning
    assert brasilia.start.astimezone(ZoneInfo("UTC")).time() == time(13)
    assert notices == [f"{URL}: unknown time zone '(UTC-03:00) Brasilia' (read as its stated "
                       "offset, or as floating time)"]


@pytest.mark.parametrize(("name", "zone"), [
    ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
    ("(UTC-08:00) Pacific Time (US & Canada)", "America/Los_Angeles"),
    ("(UTC+08:00) Taipei", "Asia/Taipei"),
    ("(UTC+09:00) Osaka, Sapporo, Tokyo", "Asia/Tokyo"),
    ("(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", "Asia/Kolkata"),
    ("(UTC) Coordinated Universal Time", "UTC"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("(UTC-03:00) Brasilia", None),
    ("(UTC+03:00) Sydney", None),  # a place whose zone disagrees with the stated offset
])
def test_windows_names(name: str, zone: str | None) -> None:
    assert windows_zone(name) == zone


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2:00: pm-3:30: pm", time(14), time(15, 30)),
    ("10:00: am – 12:00: pm", time(10), time(12)),
    ("2:00 pm-3:30 pm", time(14), time(15, 30)),
])
def test_template_times_keep_their_end(text: str, start: time, end: time) -> None:
    span = parse_time_range(text)
    assert span is not None and (span.start, span.end) == (start, end)


def test_rss_announcement_keeps_its_deadline() -> None:
    body = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            "<item><title>新南向市場拓銷研習班招生</title><link>https://x.example.tw/a</link>"
            "<description>歡迎報名參加。報名截止日：113年5月31日（星期五）</description>"
            "<pubDate>Thu, 02 May 2024 02:00:00 GMT</pubDate></item>"
            "<item><title>Broken</title><link>https://x.example.tw/b</link>"
            "<pubDate>Thu, 02 May 2024 02:00:00 GMT</pubDate></item></channel></rss>")
    source = RssSource(SourceConfig(name="x", type="rss", url="https://x.example.tw/rss",
                                    organization="X", timezone="Asia/Taipei",
                                    options={"use_published": True}), today=date(2024, 5, 1))
    items = list(source.parse(Response(url=source.config.url, body=body.encode())))
    [announcement, _] = [item for item in items if isinstance(item, Event)]
    assert (announcement.start, announcement.registration_deadline) == (date(2024, 5, 2),
                                                                        date(2024, 5, 31))
