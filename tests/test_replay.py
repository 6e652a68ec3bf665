"""The response archive: names, saving, and replaying live responses offline."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from aggregator.fetch.fetcher import Fetcher, FetchError
from aggregator.fetch.replay import (
    RecordingFetcher,
    ReplayFetcher,
    archive_name,
    save_response,
)
from sources.base import Request, Response

SAFE_STEM = re.compile(r"^[a-z0-9-]+$")


@pytest.mark.parametrize(
    ("request_", "slug"),
    [
        (
            Request("https://www.wto.org/english/news_e/news_e.htm"),
            "www-wto-org-english-news-e-news-e-htm",
        ),
        (
            Request("https://api.example.org/v1/events", params=(("page", "2"),)),
            "api-example-org-v1-events",
        ),
        (Request("https://www.trade.gov.tw/"), "www-trade-gov-tw"),
        (Request("https://例子.tw/活動/列表"), "xn-fsqu00a-tw"),  # IDN host as punycode
    ],
)
def test_archive_name_is_a_readable_safe_slug_plus_hash(request_: Request, slug: str) -> None:
    stem = archive_name(request_)
    assert SAFE_STEM.match(stem)
    assert stem.startswith(slug + "-")
    assert len(stem) == len(slug) + 1 + 12
    assert archive_name(request_) == stem  # deterministic


def test_archive_name_is_truncated_for_long_paths() -> None:
    stem = archive_name(Request("https://example.org/" + "segment/" * 60))
    assert SAFE_STEM.match(stem)
    assert len(stem) <= 80 + 1 + 12


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            Request("https://h.example/a", params=(("page", "1"),)),
            Request("https://h.example/a", params=(("page", "2"),)),
        ),
        (Request("https://h.example/a?page=1"), Request("https://h.example/a?page=2")),
        (
            Request("https://h.example/a", params=(("fields[]", "x"), ("fields[]", "y"))),
            Request("https://h.example/a", params=(("fields[]", "y"), ("fields[]", "x"))),
        ),
        (Request("https://h.example/a-b"), Request("https://h.example/a/b")),
    ],
)
def test_archive_name_tells_different_urls_apart(first: Request, second: Request) -> None:
    assert archive_name(first) != archive_name(second)


def test_params_and_the_same_query_in_the_url_share_a_name() -> None:
    in_params = Request("https://h.example/a", params=(("page", "1"), ("q", "wto")))
    in_url = Request("https://h.example/a?page=1&q=wto")
    assert archive_name(in_params) == archive_name(in_url)


def test_save_writes_body_and_metadata_keyed_by_the_request(tmp_path: Path) -> None:
    request = Request("https://h.example/old", params=(("lang", "zh"),))
    response = Response(
        url="https://h.example/new?lang=zh",
        body="活動列表".encode(),
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        request=request,
    )
    saved_at = datetime(2025, 3, 4, 8, 30, tzinfo=UTC)
    metadata_path = save_response(tmp_path / "archive", response, saved_at=saved_at)
    stem = archive_name(request)
    assert metadata_path == tmp_path / "archive" / f"{stem}.json"
    assert (tmp_path / "archive" / f"{stem}.body").read_bytes() == "活動列表".encode()
    assert json.loads(metadata_path.read_text(encoding="utf-8")) == {
        "url": "https://h.example/old?lang=zh",
        "final_url": "https://h.example/new?lang=zh",
        "status": 200,
        "headers": {"content-type": "text/html; charset=utf-8"},
        "saved_at": "2025-03-04T08:30:00+00:00",
    }


def test_save_refuses_a_response_without_its_request(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="without its request"):
        save_response(tmp_path, Response(url="https://h.example/", body=b""))


def test_replay_returns_what_was_saved(tmp_path: Path) -> None:
    request = Request("https://h.example/list", params=(("fields[]", "a"), ("fields[]", "b")))
    original = Response(
        url="https://h.example/list/?fields%5B%5D=a&fields%5B%5D=b",
        body=b"\x00\xffbinary-safe\r\n",
        status=203,
        headers={"etag": '"abc"', "content-type": "application/json"},
        request=request,
    )
    save_response(tmp_path, original)
    with ReplayFetcher(tmp_path) as replay:
        replayed = replay.get(Request(request.url, params=request.params))
    assert replayed.body == original.body
    assert replayed.status == original.status
    assert replayed.url == original.url
    assert dict(replayed.headers) == dict(original.headers)
    assert replayed.request == request


def test_replay_of_an_unsaved_request_names_url_and_directory(tmp_path: Path) -> None:
    saved = Request("https://h.example/a")
    save_response(tmp_path, Response(url=saved.url, body=b"a", request=saved))
    with ReplayFetcher(tmp_path) as replay, pytest.raises(FetchError) as caught:
        replay.get(Request("https://h.example/a", params=(("page", "2"),)))
    assert caught.value.url == "https://h.example/a?page=2"
    assert str(tmp_path) in str(caught.value)


def test_replay_of_a_saved_error_status_fails_like_the_network(tmp_path: Path) -> None:
    request = Request("https://h.example/gone")
    save_response(tmp_path, Response(url=request.url, body=b"", status=404, request=request))
    with pytest.raises(FetchError, match="404"):
        ReplayFetcher(tmp_path).get(request)


def test_record_live_then_replay_offline(httpserver_ipv4: HTTPServer, tmp_path: Path) -> None:
    server = httpserver_ipv4
    server.expect_request("/old").respond_with_data("", status=302, headers={"Location": "/new"})
    server.expect_request("/new").respond_with_data(
        "<ul><li>MC14</li></ul>",
        content_type="text/html",
        headers={"Last-Modified": "Tue, 04 Mar 2025 08:00:00 GMT"},
    )
    request = Request(server.url_for("/old"), params=(("year", "2025"),))
    with RecordingFetcher(Fetcher(retries=0), tmp_path) as recorder:
        live = recorder.get(request)
    server.clear()  # from here on the server answers nothing
    with ReplayFetcher(tmp_path) as replay:
        replayed = replay.get(request)
    assert live.url.endswith("/new")
    assert (replayed.url, replayed.status, replayed.body) == (live.url, live.status, live.body)
    assert dict(replayed.headers) == dict(live.headers)
    assert replayed.headers["last-modified"] == "Tue, 04 Mar 2025 08:00:00 GMT"
    assert len(list(tmp_path.iterdir())) == 2


def test_replay_finds_a_request_whose_date_parameter_moved_on(tmp_path: Path) -> None:
    def saved(url: str, body: bytes) -> None:
        request = Request(url)
        save_response(tmp_path, Response(url=url, body=body, request=request))

    base = "https://docs.example.org/search?query=AIR&since=01/03/2026&start="
    saved(base + "1", b"page one")
    saved(base + "101", b"page two")
    with ReplayFetcher(tmp_path) as replay:
        moved = "https://docs.example.org/search?query=AIR&since=01/04/2026&start="
        assert replay.get(Request(moved + "101")).body == b"page two"
        assert replay.get(Request(moved + "1")).body == b"page one"
        with pytest.raises(FetchError, match="no saved response"):
            replay.get(Request("https://docs.example.org/search?query=AIR&since=x"))
        with pytest.raises(FetchError, match="no saved response"):  # a tie is no answer
            replay.get(Request("https://docs.example.org/search?query=AIR&since=x&start=7"))


def test_replay_reads_local_files_directly(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(b"organization,title,start\n")
    with ReplayFetcher(tmp_path / "archive") as replay:
        assert replay.get(Request(path.as_uri())).body == path.read_bytes()
