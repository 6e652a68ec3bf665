"""ASEAN meetings from asean.org's WordPress posts (composed fixture, see
tests/fixtures/asean/README.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from aggregator.core.model import Event, event_to_json, make_uid
from sources.asean import POSTS_URL, AseanSource, venue_zone
from sources.base import ParseError, Request, Response, SourceConfig

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "asean"
FIRST_PAGE = f"{POSTS_URL}?per_page=7&page=1&orderby=date&order=desc&search=meeting"
SITE = "https://asean.org"


def make_source(**options: Any) -> AseanSource:
    return AseanSource(SourceConfig(name="asean", type="asean", url="", organization="ASEAN",
                                    timezone="Asia/Jakarta", options=options))


def parse(body: bytes | str, url: str = FIRST_PAGE, headers: dict[str, str] | None = None,
          **options: Any) -> list[Event | Request]:
    raw = body.encode() if isinstance(body, str) else body
    response = Response(url=url, body=raw, headers=headers or {})
    return list(make_source(**options).parse(response))


def events_of(body: bytes | str) -> list[Event]:
    return [item for item in parse(body) if isinstance(item, Event)]


def fixture() -> bytes:
    return (FIXTURES / "posts-meeting.json").read_bytes()


def post(title: str, content: str, published: str = "2025-03-01T10:00:00",
         link: str = f"{SITE}/x/") -> dict[str, Any]:
    return {"id": 1, "date": published, "link": link, "title": {"rendered": title},
            "content": {"rendered": content}, "excerpt": {"rendered": ""}}


# key, title, start, end, location, timezone, status, slug of the post, description
EXPECTED = [
    ("ASEAN|32nd asean economic ministers retreat|2026-03-12",
     "32nd ASEAN Economic Ministers’ Retreat", "2026-03-12", "2026-03-13", "Manila, Philippines",
     "Asia/Manila", "confirmed", "asean-economic-ministers-to-convene-in-manila",
     "The 32nd ASEAN Economic Ministers’ Retreat will be held on 12-13 March 2026 in Manila, "
     "Philippines."),
    ("ASEAN|3rd asean ministerial meeting on standards and conformance ammsc|2025-06-16",
     "3rd ASEAN Ministerial Meeting on Standards and Conformance (AMMSC)", "2025-06-16",
     "2025-06-17", "Bangkok, Thailand", "Asia/Bangkok", "postponed",
     "postponed-3rd-asean-ministerial-meeting-on-standards-and-conformance",
     "The 3rd ASEAN Ministerial Meeting on Standards and Conformance has been postponed."),
    ("ASEAN|46th asean summit|2025-05-26", "46th ASEAN Summit", "2025-05-26", None,
     "Kuala Lumpur Convention Centre, Kuala Lumpur, Malaysia", "Asia/Kuala_Lumpur", "confirmed",
     "chairmans-statement-of-the-46th-asean-summit",
     "The 46th ASEAN Summit was held on 26 May 2025 at the Kuala Lumpur Convention Centre, "
     "Kuala Lumpur, Malaysia, under the chairmanship of Malaysia. We reaffirmed our commitment "
     "to building a resilient and […]"),
    ("ASEAN|special asean economic ministers meeting|2025-04-10",
     "Special ASEAN Economic Ministers’ Meeting", "2025-04-10", None, "Virtual", "Asia/Jakarta",
     "confirmed", "joint-statement-of-the-special-asean-economic-ministers-meeting",
     "The Special ASEAN Economic Ministers’ Meeting convened via videoconference on 10 April "
     "2025."),
    ("ASEAN|56th asean economic ministers aem meeting|2024-09-21",
     "56th ASEAN Economic Ministers’ (AEM) Meeting", "2024-09-21", "2024-09-24",
     "Vientiane, Lao PDR", "Asia/Vientiane", "confirmed",
     "joint-media-statement-of-the-56th-asean-economic-ministers-aem-meeting",
     "The 56th ASEAN Economic Ministers’ (AEM) Meeting was held on 21-24 September 2024 in "
     "Vientiane, Lao PDR. The Meeting was chaired by the Minister of Industry and Commerce of "
     "Lao PDR. […]"),
    ("ASEAN|43rd asean tourism forum|2024-01-22", "43rd ASEAN Tourism Forum", "2024-01-22",
     "2024-01-26", "Vientiane, Lao PDR", "Asia/Vientiane", "confirmed",
     "asean-secretary-general-attends-the-asean-tourism-forum-2024",
     "The ASEAN Secretary-General attended the opening ceremony of the ASEAN Tourism Forum."),
]


def test_the_fixture_yields_exactly_its_meetings() -> None:
    assert [event.source_key for event in events_of(fixture())] == [row[0] for row in EXPECTED]


@pytest.mark.parametrize("position", range(len(EXPECTED)))
def test_event_fields(position: int) -> None:
    key, title, start, end, location, zone, status, slug, description = EXPECTED[position]
    printed = event_to_json(events_of(fixture())[position])
    assert printed["source_key"] == key
    assert printed["uid"] == make_uid("asean", key)
    assert (printed["source"], printed["organization"]) == ("asean", "ASEAN")
    assert printed["title"] == title
    assert (printed["start"], printed["end"], printed["all_day"]) == (start, end, True)
    assert (printed["location"], printed["timezone"]) == (location, zone)
    assert (printed["status"], printed["kind"]) == (status, "meeting")
    assert printed["url"] == f"{SITE}/{slug}/"
    assert printed["description"] == description
    assert (printed["registration_deadline"], printed["registration_url"]) == (None, "")
    assert (printed["section"], printed["featured"]) == (None, False)


def test_a_post_about_something_else_is_skipped() -> None:
    assert not any("investment-report" in event.url for event in events_of(fixture()))


@pytest.mark.parametrize(("headers", "url", "follows"), [
    ({"X-WP-TotalPages": "3"}, FIRST_PAGE, True),
    ({"x-wp-totalpages": "1"}, FIRST_PAGE, False),
    ({}, FIRST_PAGE, True),  # a full page (7 posts of per_page=7) and no header: ask on
    ({}, FIRST_PAGE.replace("per_page=7", "per_page=50"), False),  # a short page: the last
    ({"X-WP-TotalPages": "3"}, FIRST_PAGE.replace("page=1", "page=2"), False),  # max_pages 2
])
def test_paging(headers: dict[str, str], url: str, follows: bool) -> None:
    requests = [item for item in parse(fixture(), url, headers) if isinstance(item, Request)]
    assert bool(requests) is follows
    if requests:
        assert dict(requests[0].params)["page"] == "2"


def test_start_request_and_options() -> None:
    [request] = make_source().start_requests()
    assert request.url == POSTS_URL
    assert list(request.params) == [("per_page", "50"), ("page", "1"), ("orderby", "date"),
                                    ("order", "desc"), ("search", "meeting")]
    [request] = make_source(search="", categories="12, 31", per_page=20).start_requests()
    params = dict(request.params)
    assert "search" not in params
    assert (params["categories"], params["per_page"]) == ("12,31", "20")
    assert AseanSource.check_options({"categories": "12,31", "per_page": 100}) == {}
    assert set(AseanSource.check_options({"categories": "news", "per_page": 0,
                                          "max_pages": 0})) == {"categories", "per_page",
                                                                "max_pages"}


def test_a_dated_title_is_enough_and_a_dateline_is_not_the_meeting_date() -> None:
    first = post("ASEAN Senior Economic Officials’ Meeting, 2-4 April 2025", "<p>Agenda.</p>")
    second = post("Media release", "<p>SINGAPORE, 1 March 2025 &#8211; The 14th ASEAN "
                  "Connectivity Forum will take place on 9 March 2025 at the Marina Bay Sands, "
                  "Singapore.</p>")
    one, two = events_of(json.dumps([first, second]))
    assert (one.title, one.start, one.end, one.location, one.timezone) == (
        "ASEAN Senior Economic Officials’ Meeting", date(2025, 4, 2), date(2025, 4, 4), "",
        "Asia/Jakarta")
    assert (two.title, two.start, two.location, two.timezone) == (
        "14th ASEAN Connectivity Forum", date(2025, 3, 9), "Marina Bay Sands, Singapore",
        "Asia/Singapore")


def test_a_date_without_a_year_takes_the_publication_year() -> None:
    body = json.dumps([post("Joint Statement of the 8th ASEAN Energy Ministers Meeting",
                            "<p>The Meeting was held on 20 December in Dili, Timor-Leste.</p>",
                            published="2026-01-05T08:00:00")])
    [event] = events_of(body)
    assert (event.start, event.timezone) == (date(2025, 12, 20), "Asia/Dili")


@pytest.mark.parametrize(("text", "zone"), [
    ("Nusa Dua, Bali, Indonesia", "Asia/Makassar"),
    ("Jakarta, Indonesia", "Asia/Jakarta"),
    ("Surabaya, Indonesia", "Asia/Jakarta"),
    ("Ha Noi, Viet Nam", "Asia/Ho_Chi_Minh"),
    ("Nay Pyi Taw, Myanmar", "Asia/Yangon"),
    ("Bandar Seri Begawan, Brunei Darussalam", "Asia/Brunei"),
    ("Siem Reap, Cambodia", "Asia/Phnom_Penh"),
    ("Tokyo, Japan", None),
    ("", None),
])
def test_venue_zone(text: str, zone: str | None) -> None:
    assert venue_zone(text) == zone


@pytest.mark.parametrize("item", [
    post("No date anywhere", "<p>The Meeting was productive.</p>"),
    post("ASEAN welcomes new members", "<p>It was announced on 5 March 2025.</p>"),
    {"id": 2, "title": {"rendered": "No link 46th ASEAN Summit, 26 May 2025"}},
    {"id": 3, "link": f"{SITE}/y/", "title": {"rendered": ""}},
    post("Joint Statement of the 9th ASEAN Law Ministers Meeting",
         "<p>The Meeting was held on 3 October in Manila.</p>", published="soon"),
    "not an object",
], ids=["no-date", "no-meeting", "no-link", "no-title", "no-year-nor-publication-date",
        "not-object"])
def test_a_post_without_a_dated_meeting_is_skipped(item: object) -> None:
    assert events_of(json.dumps([item])) == []


def test_an_unreadable_publication_date_does_not_lose_a_fully_dated_meeting() -> None:
    body = json.dumps([post("46th ASEAN Summit, 26 May 2025", "", published="soon")])
    [event] = events_of(body)
    assert (event.title, event.start) == ("46th ASEAN Summit", date(2025, 5, 26))


@pytest.mark.parametrize("body", [b"", b"<html><body>Just a moment...</body></html>",
                                  b'{"code": "rest_post_invalid_page_number", "message": '
                                  b'"The page number requested is larger than the number of '
                                  b'pages available.", "data": {"status": 400}}',
                                  b'{"posts": []}'])
def test_garbage_is_a_parse_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ParseError, match="asean.org/wp-json"):
        parse(body)


def test_an_empty_list_is_no_events_and_no_next_page() -> None:
    assert parse(b"[]") == []
