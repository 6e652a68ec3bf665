"""The fetcher against a real HTTP server on 127.0.0.1 (pytest-httpserver); no real sleeps."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request as WsgiRequest
from werkzeug import Response as WsgiResponse

from aggregator import __version__
from aggregator.fetch.fetcher import DEFAULT_USER_AGENT, Fetcher, FetchError, parse_retry_after
from sources.base import Request

CHUNK = b"x" * 65_536


@pytest.fixture
def server(httpserver_ipv4: HTTPServer) -> HTTPServer:
    """The plugin's server bound to 127.0.0.1, cleared between tests."""
    return httpserver_ipv4


@pytest.fixture
def sleeps() -> list[float]:
    """The waits a fetcher asked for, in order (instead of sleeping)."""
    return []


def make_fetcher(sleeps: list[float], **settings: float | int | str) -> Fetcher:
    return Fetcher(sleep=sleeps.append, **settings)  # type: ignore[arg-type]


def test_success_returns_body_status_headers_and_request(
    server: HTTPServer, sleeps: list[float]
) -> None:
    server.expect_request("/events").respond_with_data(
        "<html>ok</html>", content_type="text/html; charset=utf-8", headers={"ETag": '"v1"'}
    )
    request = Request(server.url_for("/events"))
    with make_fetcher(sleeps) as fetcher:
        response = fetcher.get(request)
    assert response.body == b"<html>ok</html>"
    assert response.status == 200
    assert response.url == server.url_for("/events")
    assert response.headers["etag"] == '"v1"'
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.request is request
    assert sleeps == []


def test_default_user_agent_names_project_and_version(server: HTTPServer) -> None:
    server.expect_request("/ua").respond_with_data("ok")
    with Fetcher() as fetcher:
        fetcher.get(Request(server.url_for("/ua")))
    sent = server.log[0][0].headers["User-Agent"]
    assert sent == DEFAULT_USER_AGENT
    assert sent.startswith(f"tradecal/{__version__} (+https://")


def test_configured_user_agent_and_request_headers_are_sent(server: HTTPServer) -> None:
    server.expect_request("/h").respond_with_data("ok")
    request = Request(server.url_for("/h"), headers=(("Accept", "application/json"),))
    with Fetcher(user_agent="newsletter-bot/2 (ops@example.org)") as fetcher:
        fetcher.get(request)
    sent = server.log[0][0].headers
    assert sent["User-Agent"] == "newsletter-bot/2 (ops@example.org)"
    assert sent["Accept"] == "application/json"


def test_repeated_params_are_all_encoded(server: HTTPServer) -> None:
    server.expect_request("/api").respond_with_json({"data": []})
    request = Request(
        server.url_for("/api?lang=en"),
        params=(("fields[]", "title"), ("fields[]", "start_date"), ("page", "2")),
    )
    with Fetcher() as fetcher:
        response = fetcher.get(request)
    args = server.log[0][0].args
    assert args.getlist("fields[]") == ["title", "start_date"]
    assert args.getlist("page") == ["2"]
    assert args.getlist("lang") == ["en"]
    assert "fields%5B%5D=title&fields%5B%5D=start_date" in response.url


def test_retries_a_503_then_succeeds(server: HTTPServer, sleeps: list[float]) -> None:
    server.expect_oneshot_request("/flaky").respond_with_data("busy", status=503)
    server.expect_oneshot_request("/flaky").respond_with_data("fine")
    with make_fetcher(sleeps, backoff=0.5) as fetcher:
        response = fetcher.get(Request(server.url_for("/flaky")))
    assert response.body == b"fine"
    assert len(server.log) == 2
    assert len(sleeps) == 1
    assert 0.5 <= sleeps[0] <= 0.5 * 1.1


def test_honours_retry_after_seconds_on_429(server: HTTPServer, sleeps: list[float]) -> None:
    server.expect_oneshot_request("/limited").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    server.expect_oneshot_request("/limited").respond_with_data("fine")
    with make_fetcher(sleeps) as fetcher:
        assert fetcher.get(Request(server.url_for("/limited"))).body == b"fine"
    assert sleeps == [7.0]


def test_honours_retry_after_date_on_429(server: HTTPServer, sleeps: list[float]) -> None:
    later = datetime.now(UTC) + timedelta(seconds=30)
    server.expect_oneshot_request("/limited").respond_with_data(
        "slow down", status=429, headers={"Retry-After": format_datetime(later, usegmt=True)}
    )
    server.expect_oneshot_request("/limited").respond_with_data("fine")
    with make_fetcher(sleeps) as fetcher:
        fetcher.get(Request(server.url_for("/limited")))
    assert len(sleeps) == 1
    assert 27 <= sleeps[0] <= 30


def test_retry_after_beyond_max_wait_is_not_retried_this_run(
    server: HTTPServer, sleeps: list[float]
) -> None:
    server.expect_oneshot_request("/limited").respond_with_data(
        "", status=503, headers={"Retry-After": "3600"}
    )
    with make_fetcher(sleeps, max_wait=60.0) as fetcher:
        with pytest.raises(FetchError, match="asks to wait 3600 s") as caught:
            fetcher.get(Request(server.url_for("/limited")))
    assert caught.value.status == 503
    assert sleeps == [] and len(server.log) == 1  # retrying sooner would ignore the server


def test_retry_after_within_max_wait_is_waited(server: HTTPServer, sleeps: list[float]) -> None:
    server.expect_oneshot_request("/limited").respond_with_data(
        "", status=503, headers={"Retry-After": "60"}
    )
    server.expect_oneshot_request("/limited").respond_with_data("fine")
    with make_fetcher(sleeps, max_wait=60.0) as fetcher:
        fetcher.get(Request(server.url_for("/limited")))
    assert sleeps == [60.0]


def test_gives_up_after_the_configured_retries(server: HTTPServer, sleeps: list[float]) -> None:
    server.expect_request("/down").respond_with_data("down", status=502)
    url = server.url_for("/down")
    with make_fetcher(sleeps, retries=2, backoff=1.0) as fetcher, pytest.raises(
        FetchError
    ) as caught:
        fetcher.get(Request(url))
    assert len(server.log) == 3
    assert len(sleeps) == 2
    assert 1.0 <= sleeps[0] <= 1.1 and 2.0 <= sleeps[1] <= 2.2  # exponential, small jitter
    assert caught.value.url == url
    assert url in str(caught.value) and "502" in str(caught.value)


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_client_errors_fail_without_retry(
    server: HTTPServer, sleeps: list[float], status: int
) -> None:
    server.expect_request("/missing").respond_with_data("no", status=status)
    with make_fetcher(sleeps) as fetcher, pytest.raises(FetchError, match=str(status)):
        fetcher.get(Request(server.url_for("/missing")))
    assert len(server.log) == 1
    assert sleeps == []


def test_timeout_is_retried_then_reported(server: HTTPServer, sleeps: list[float]) -> None:
    def too_slow(request: WsgiRequest) -> WsgiResponse:
        time.sleep(0.3)
        return WsgiResponse("late")

    server.expect_request("/slow").respond_with_handler(too_slow)
    with make_fetcher(sleeps, timeout=0.1, retries=1, backoff=0.01) as fetcher:
        with pytest.raises(FetchError, match="timed out") as caught:
            fetcher.get(Request(server.url_for("/slow")))
    assert caught.value.url == server.url_for("/slow")
    assert len(sleeps) == 1


def test_connection_refused_is_retried_then_reported(sleeps: list[float]) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    with make_fetcher(sleeps, retries=2, backoff=0.01) as fetcher:
        with pytest.raises(FetchError, match="connection failed"):
            fetcher.get(Request(url))
    assert len(sleeps) == 2


def test_body_over_limit_rejected_by_content_length(
    server: HTTPServer, sleeps: list[float]
) -> None:
    server.expect_request("/big").respond_with_data(b"x" * 2_000)
    with make_fetcher(sleeps, max_bytes=1_000) as fetcher:
        with pytest.raises(FetchError, match="Content-Length"):
            fetcher.get(Request(server.url_for("/big")))
    assert sleeps == []


def test_streamed_body_over_limit_stops_reading_early(
    server: HTTPServer, sleeps: list[float]
) -> None:
    chunks_sent: list[int] = []

    def endless(request: WsgiRequest) -> WsgiResponse:
        def stream() -> Iterator[bytes]:
            for number in range(16_384):  # 1 GiB if the client read it all
                chunks_sent.append(number)
                yield CHUNK

        return WsgiResponse(stream(), content_type="application/octet-stream")

    server.expect_request("/stream").respond_with_handler(endless)
    with make_fetcher(sleeps, max_bytes=100_000) as fetcher:
        with pytest.raises(FetchError, match="exceeds 100000 bytes"):
            fetcher.get(Request(server.url_for("/stream")))
    assert "content-length" not in {key.lower() for key in server.log[0][1].headers.keys()}
    assert len(chunks_sent) < 1_024  # stopped long before the end (socket buffers aside)
    assert sleeps == []


def test_body_exactly_at_limit_is_accepted(server: HTTPServer) -> None:
    server.expect_request("/edge").respond_with_data(b"y" * 1_000)
    with Fetcher(max_bytes=1_000) as fetcher:
        assert len(fetcher.get(Request(server.url_for("/edge"))).body) == 1_000


def test_redirect_is_followed_and_final_url_reported(server: HTTPServer) -> None:
    server.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/new?page=1"}
    )
    server.expect_request("/new").respond_with_data("moved here")
    request = Request(server.url_for("/old"))
    with Fetcher() as fetcher:
        response = fetcher.get(request)
    assert response.body == b"moved here"
    assert response.url == server.url_for("/new?page=1")
    assert response.request is request


def test_redirect_loop_is_rejected(server: HTTPServer, sleeps: list[float]) -> None:
    server.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    with make_fetcher(sleeps, max_redirects=3) as fetcher:
        with pytest.raises(FetchError, match="too many redirects"):
            fetcher.get(Request(server.url_for("/loop")))
    assert len(server.log) == 4  # the request and three redirects, then no retry
    assert sleeps == []


def test_invalid_url_is_a_fetch_error() -> None:
    with Fetcher() as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(Request("ftp://example.org/calendar.ics"))
    assert caught.value.url == "ftp://example.org/calendar.ics"


NOW = datetime(2025, 3, 4, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Tue, 04 Mar 2025 12:01:30 GMT", 90.0),
        ("Tue, 04 Mar 2025 11:00:00 GMT", 0.0),  # already past: no wait
        ("soon", None),
        ("-5", None),
    ],
)
def test_parse_retry_after(value: str, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_file_urls_are_read_from_disk(tmp_path) -> None:
    path = tmp_path / "活動.csv"
    path.write_text("organization,title,start\n", encoding="utf-8")
    with Fetcher(max_bytes=100) as fetcher:
        response = fetcher.get(Request(path.as_uri()))
        assert response.body == path.read_bytes()
        with pytest.raises(FetchError, match="cannot read file"):
            fetcher.get(Request((tmp_path / "absent.csv").as_uri()))
    path.write_bytes(b"x" * 101)
    with Fetcher(max_bytes=100) as fetcher, pytest.raises(FetchError, match="exceeds 100"):
        fetcher.get(Request(path.as_uri()))
