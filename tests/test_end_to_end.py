"""The whole path against a local HTTP server: refresh, run, feeds, sources, record, replay."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from aggregator.cli import cli
from aggregator.config import load_config
from tests.conftest import FIXTURES, ROOT

USTR = FIXTURES / "ustr"
PATH = "/api/v1/documents.json"


def serve_ustr(server: HTTPServer) -> None:
    """Page 1 at the search path, page 2 where page 1's next_page_url (rewritten) points;
    no robots.txt."""
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    page1 = json.loads((USTR / "search-page-1.json").read_text(encoding="utf-8"))
    page1["next_page_url"] = server.url_for("/page2")
    server.expect_request(PATH).respond_with_json(page1)
    server.expect_request("/page2").respond_with_data(
        (USTR / "search-page-2.json").read_bytes(), content_type="application/json")


@pytest.fixture
def workdir(tmp_path: Path, httpserver: HTTPServer) -> Path:
    """The shipped config without its sources but USTR, pointed at the local server."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text[:text.index("\n[sources.")] + f"""
[sources.ustr]
type = "ustr"
url = "{httpserver.url_for(PATH)}"
organization = "USTR"
timezone = "America/New_York"
"""
    text = text.replace("retries = 3", "retries = 0").replace("timeout = 30.0", "timeout = 5.0")
    text = text.replace("past_days = 90", "past_days = 36500")  # the fixtures are of 2024
    text = text.replace("retention_days = 30", "retention_days = 36500")
    text = text.replace("delay = 1.0", "delay = 0.0")  # one local server: no pause needed
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    return tmp_path


def invoke(workdir: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(workdir / "config.toml"), *args],
                              catch_exceptions=False)


def stored_events(workdir: Path) -> list[dict]:
    result = invoke(workdir, "export", "ics", "--out", str(workdir / "check"))
    assert result.exit_code == 0
    import sqlite3
    with sqlite3.connect(workdir / "tradecal.db") as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("select * from events order by uid")]


def test_run_fetches_pages_stores_and_writes_feeds(workdir: Path, httpserver: HTTPServer) -> None:
    serve_ustr(httpserver)
    result = invoke(workdir, "run")
    assert result.exit_code == 0, result.output
    assert "[1/1] ustr" in result.output and "from 2 request(s)" in result.output
    robots, request = httpserver.log[0][0], httpserver.log[1][0]
    assert robots.path == "/robots.txt"
    assert request.args.getlist("fields[]")[:3] == ["abstract", "action", "agencies"]
    assert request.headers["User-Agent"].startswith("tradecal/")
    events = stored_events(workdir)
    assert events and all(e["kind"] == "hearing" for e in events)
    feed = (workdir / "public" / "all.ics").read_text(encoding="utf-8")
    assert feed.count("BEGIN:VEVENT") == len(events)
    assert (workdir / "public" / "ustr.ics").exists()
    agoa = [e for e in events if "AGOA" in e["title"]]
    assert agoa and all(e["status"] == "cancelled" for e in agoa)
    assert all(e["all_day"] == 0 for e in agoa)  # the time comes from the announcement


def test_failed_source_exits_1_and_keeps_events(workdir: Path, httpserver: HTTPServer) -> None:
    serve_ustr(httpserver)
    assert invoke(workdir, "refresh").exit_code == 0
    before = stored_events(workdir)
    feed_before = (workdir / "check" / "all.ics").read_bytes()
    httpserver.clear()
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request(PATH).respond_with_data("down for maintenance", status=503)
    result = invoke(workdir, "refresh", "ustr")
    assert result.exit_code == 1
    assert "ustr: FAILED" in result.output and "503" in result.output
    after = stored_events(workdir)
    assert after == before
    assert (workdir / "check" / "all.ics").read_bytes() == feed_before
    listing = invoke(workdir, "sources", "--json")
    [row] = [json.loads(line) for line in listing.output.splitlines()]
    assert row["outcome"] == "failed" and "503" in row["error"]
    assert row["last_success"] is not None


def test_record_then_replay_gives_the_same_store(workdir: Path, httpserver: HTTPServer,
                                                 tmp_path_factory: pytest.TempPathFactory) -> None:
    serve_ustr(httpserver)
    archive = workdir / "recorded"
    result = invoke(workdir, "record", "ustr", "--out", str(archive))
    assert result.exit_code == 0, result.output
    assert len(list(archive.glob("*.body"))) == 2
    assert invoke(workdir, "refresh").exit_code == 0
    live = stored_events(workdir)
    httpserver.clear()  # the replay must not need the server
    other = tmp_path_factory.mktemp("replay")
    shutil.copy(workdir / "config.toml", other / "config.toml")
    replayed = invoke(other, "run", "--replay", str(archive), "--store",
                      str(load_config(other / "config.toml").store_path))
    assert replayed.exit_code == 0, replayed.output
    strip = ("first_seen", "last_seen", "last_changed")
    assert [{k: v for k, v in e.items() if k not in strip} for e in stored_events(other)] == \
        [{k: v for k, v in e.items() if k not in strip} for e in live]


def test_replay_without_saved_response_fails_the_source(workdir: Path) -> None:
    result = invoke(workdir, "refresh", "--replay", str(workdir / "empty"))
    assert result.exit_code == 1
    assert "ustr: FAILED" in result.output and "empty" in result.output
