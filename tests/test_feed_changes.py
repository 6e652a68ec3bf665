"""A subscriber follows every change: a source on a local server changes between refreshes.

Done-means of the feeds issue, end to end through the command line: the moved meeting
keeps its UID with a higher SEQUENCE and its new date; the vanished future meeting is
published CANCELLED under its old UID with a higher SEQUENCE; when the source then fails,
nothing is cancelled and the refresh exits 1.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from icalendar import Calendar
from pytest_httpserver import HTTPServer

from aggregator.cli import cli
from tests.conftest import ROOT

TODAY = date(2031, 5, 12)
NOW = "2031-05-12T08:00:00Z"
"""The clock is stopped here for every run of the test (:mod:`aggregator.core.clock`)."""
MOVED_FROM, MOVED_TO = TODAY + timedelta(days=30), TODAY + timedelta(days=33)
VANISHING, STAYING = TODAY + timedelta(days=40), TODAY + timedelta(days=50)


def ics_feed(*events: tuple[str, str, date]) -> str:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20240101T000000Z\r\nSUMMARY:{title}\r\n"
        f"DTSTART;TZID=Europe/Zurich:{day:%Y%m%d}T100000\r\n"
        f"DTEND;TZID=Europe/Zurich:{day:%Y%m%d}T130000\r\nEND:VEVENT\r\n"
        for uid, title, day in events)
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body
            + "END:VCALENDAR\r\n")


def jsonld_page(*events: tuple[str, date]) -> str:
    items = [{"@type": "Event", "name": title, "startDate": day.isoformat(),
              "location": {"@type": "Place", "name": "Centre William Rappard"}}
             for title, day in events]
    return ('<html><head><script type="application/ld+json">'
            + json.dumps({"@context": "https://schema.org", "@graph": items})
            + "</script></head><body></body></html>")


@pytest.fixture
def workdir(tmp_path: Path, httpserver: HTTPServer) -> Path:
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text[:text.index("\n[sources.")].replace("retries = 3", "retries = 0")
    text = text.replace("delay = 1.0", "delay = 0.0")
    text += f"""
[sources.geneva_ics]
type = "ics"
url = "{httpserver.url_for('/calendar.ics')}"
organization = "WTO"

[sources.geneva_page]
type = "jsonld"
url = "{httpserver.url_for('/events.html')}"
organization = "WTO"
"""
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    return tmp_path


def serve(server: HTTPServer, ics: str, page: str) -> None:
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    server.expect_request("/calendar.ics").respond_with_data(ics, content_type="text/calendar")
    server.expect_request("/events.html").respond_with_data(page, content_type="text/html")


def run(workdir: Path) -> int:
    result = CliRunner().invoke(cli, ["--config", str(workdir / "config.toml"), "run"],
                                catch_exceptions=False)
    return result.exit_code


def feed(workdir: Path, name: str) -> dict[str, dict[str, object]]:
    calendar = Calendar.from_ical((workdir / "public" / name).read_bytes())
    return {str(e["UID"]): {"title": str(e["SUMMARY"]), "start": e["DTSTART"].dt,
                            "sequence": int(e.get("SEQUENCE", 0)),
                            "status": str(e.get("STATUS", "CONFIRMED"))}
            for e in calendar.walk("VEVENT")}


def by_title(events: dict[str, dict[str, object]], words: str) -> tuple[str, dict[str, object]]:
    [(uid, event)] = [(u, e) for u, e in events.items() if words in str(e["title"])]
    return uid, event


@pytest.mark.parametrize(("feed_name", "label"), [
    ("source-geneva-ics.ics", "feed UIDs"), ("source-geneva-page.ics", "title and date")])
def test_moves_cancellations_and_failures_reach_the_feed(
        workdir: Path, httpserver: HTTPServer, feed_name: str, label: str,
        frozen_clock) -> None:
    frozen_clock(NOW)
    serve(httpserver,
          ics_feed(("gc@wto", "General Council", MOVED_FROM),
                   ("tnc@wto", "Trade Negotiations Committee", VANISHING),
                   ("cv@wto", "Committee on Customs Valuation", STAYING)),
          jsonld_page(("General Council", MOVED_FROM), ("Trade Negotiations Committee", VANISHING),
                      ("Committee on Customs Valuation", STAYING)))
    assert run(workdir) == 0
    before = feed(workdir, feed_name)
    moved_uid, moved = by_title(before, "General Council")
    gone_uid, gone = by_title(before, "Trade Negotiations")

    serve(httpserver,
          ics_feed(("gc@wto", "General Council", MOVED_TO),
                   ("cv@wto", "Committee on Customs Valuation", STAYING)),
          jsonld_page(("General Council", MOVED_TO), ("Committee on Customs Valuation", STAYING)))
    assert run(workdir) == 0
    after = feed(workdir, feed_name)
    assert set(after) == set(before), f"no UID changes ({label})"
    assert after[moved_uid]["sequence"] > moved["sequence"]  # type: ignore[operator]
    start = after[moved_uid]["start"]
    assert (start.date() if isinstance(start, datetime) else start) == MOVED_TO
    assert after[gone_uid]["status"] == "CANCELLED"
    assert after[gone_uid]["sequence"] > gone["sequence"]  # type: ignore[operator]
    assert str(after[gone_uid]["title"]).startswith("[已取消] ")

    httpserver.clear()  # the source now fails: everything answers 500
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    assert run(workdir) == 1
    assert feed(workdir, feed_name) == after
    staying_uid, staying = by_title(after, "Customs Valuation")
    assert staying["status"] == "CONFIRMED"
