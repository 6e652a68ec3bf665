"""The public site without a browser: events.json equals all.ics, the Atom feed reads back,
the agenda says what the issue asks, and every page and link works from a plain static
server (``http.server``), not only from ``tradecal serve``."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit

import feedparser
import pytest
from icalendar import Calendar

from aggregator.publish import export_feeds
from aggregator.store.db import Store
from aggregator.web.server import FeedApp, WebRequest
from tests.site_data import CANCELLED, CHANGED, NOW, POSTPONED, TODAY, build_site

SCHEMA_STATUSES = {"CONFIRMED": {"https://schema.org/EventScheduled"},
                   "TENTATIVE": {"https://schema.org/EventScheduled",
                                 "https://schema.org/EventPostponed"},  # postponed: TENTATIVE
                   "CANCELLED": {"https://schema.org/EventCancelled"}}
PAGES = ("index.html", "month.html", "subscribe.html")
OUTSIDE = ("https://calendar.google.com/calendar/render?",
           "https://outlook.live.com/calendar/0/", "https://outlook.office.com/calendar/0/")


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def static_site(tmp_path: Path, frozen_clock) -> Iterator[tuple[str, Path]]:
    """The site built for, and served by, ``http.server`` on a free loopback port."""
    frozen_clock(NOW)
    public = tmp_path / "public"
    public.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(public)))
    base = f"http://127.0.0.1:{server.server_port}/"
    build_site(tmp_path, base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, public
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(tmp_path: Path, frozen_clock) -> Path:
    frozen_clock(NOW)
    return build_site(tmp_path).feeds.output


def ics_events(path: Path) -> dict[str, tuple[object, str]]:
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(c["UID"]): (c.decoded("DTSTART"), str(c["STATUS"]))
            for c in calendar.walk("VEVENT")}


def as_start(text: str) -> date | datetime:
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


def test_events_json_holds_exactly_the_events_of_all_ics(site: Path) -> None:
    feed = ics_events(site / "all.ics")
    document = json.loads((site / "events.json").read_text(encoding="utf-8"))
    assert document["@context"] == "https://schema.org"
    graph = document["@graph"]
    assert len(graph) == len(feed) >= 12
    for item in graph:
        start, status = feed[item["identifier"]]
        assert as_start(item["startDate"]) == start
        assert item["eventStatus"] in SCHEMA_STATUSES[status]
        assert item["@type"] == "Event" and item["name"]
        assert item["location"]["@type"] == "Place" and item["location"]["name"]
        assert item["organizer"]["@type"] == "Organization" and item["organizer"]["name"]
        assert item["url"].startswith("http://127.0.0.1:8000/index.html#e-")
    statuses = {item["name"]: item["eventStatus"].rsplit("/", 1)[1] for item in graph}
    assert statuses[CANCELLED] == "EventCancelled"
    assert statuses[POSTPONED] == "EventPostponed"


def test_agenda_embeds_its_events_as_json_ld(site: Path) -> None:
    page = (site / "index.html").read_text(encoding="utf-8")
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert found
    embedded = json.loads(found.group(1))["@graph"]
    anchors = set(re.findall(r'<li class="event[^"]*" id="(e-[0-9a-f]{12})"', page))
    assert {item["@id"].rsplit("#", 1)[1] for item in embedded} == anchors
    assert len(anchors) >= 12


def test_atom_feed_of_new_and_changed_meetings_reads_back(site: Path) -> None:
    parsed = feedparser.parse((site / "changes.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    titles = [entry.title for entry in parsed.entries]
    assert titles[0] == f"變更 Changed: {CHANGED}"  # the newest change first
    assert f"取消 Cancelled: {CANCELLED}" in titles
    assert any(title.startswith("新增 New: ") for title in titles)
    assert len({entry.id for entry in parsed.entries}) == len(parsed.entries)
    assert all(entry.link.startswith("http://127.0.0.1:8000/index.html#e-")
               for entry in parsed.entries)


def test_agenda_shows_times_marks_sections_and_deadlines(site: Path) -> None:
    page = (site / "index.html").read_text(encoding="utf-8")
    assert "日內瓦 10:00（台北 16:00）" in page
    assert "日內瓦 10:00–13:00（台北 16:00–19:00）" in page  # the changed meeting
    for mark in ("mark-cancelled", "mark-postponed", "mark-changed"):
        assert mark in page
    week = page[page.index("2024 年 4 月 29 日"):page.index("2024 年 5 月 6 日")]
    order = [week.index(f"<h3>{name}</h3>") for name in
             ("WTO", "APEC 及其他國際組織", "其他經貿相關活動")]
    assert order == sorted(order)
    assert '<time datetime="2024-05-07">5/7</time>' in page  # ITRI's registration deadline
    assert "<title>國際經貿行事曆 Trade calendar</title>" in page


def test_subscribe_page_offers_the_right_feeds_first(site: Path) -> None:
    page = (site / "subscribe.html").read_text(encoding="utf-8")
    main, advanced = page.split('<details class="advanced">')
    assert 'id="feed-all"' in main and 'id="feed-section-wto"' in main
    assert 'id="feed-wto"' in main
    assert 'id="feed-trade"' not in main and 'id="feed-source-trade"' in advanced
    assert "此來源已停用" in advanced and "尚未成功抓取" in advanced
    assert "wp-json" not in page  # no raw API addresses
    assert page.count("· 國際經貿行事曆 Trade calendar</h3>") == 0  # no repeated title
    assert "section-rta" in main and "目前沒有即將舉行的活動" in main  # empty, and says so


def test_a_second_export_changes_nothing_and_drops_files_of_gone_events(
        tmp_path: Path, frozen_clock) -> None:
    frozen_clock(NOW)
    config = build_site(tmp_path)
    public = config.feeds.output
    stray = public / "events" / "e-000000000000-00000000.ics"
    stray.write_text("old", encoding="utf-8")
    before = {path: path.read_bytes() for path in public.rglob("*") if path.is_file()}
    with Store(config.store_path) as store:
        export_feeds(store, config, None, TODAY)
    after = {path: path.read_bytes() for path in public.rglob("*") if path.is_file()}
    assert not stray.exists()
    del before[stray]
    assert after == before
    assert not [path for path in public.rglob(".*") if path.is_file()]  # no temporaries


class Links(HTMLParser):
    """Every href and src of a page, and every id."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            if name in values:
                self.links.append(values[name] or "")
        if values.get("id"):
            self.ids.add(str(values["id"]))


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


def parse(data: bytes) -> Links:
    links = Links()
    links.feed(data.decode("utf-8"))
    return links


def test_every_page_and_link_works_from_a_plain_static_server(
        static_site: tuple[str, Path]) -> None:
    base, _ = static_site
    parsed: dict[str, Links] = {}
    for name in PAGES:
        status, body = fetch(base + name)
        assert status == 200
        parsed[base + name] = parse(body)
    checked: set[str] = set()
    for page_url, links in parsed.items():
        for link in links.links:
            assert link.strip(), f"empty link on {page_url}"
            target = urljoin(page_url, link)
            address, fragment = urldefrag(target)
            if target.startswith(OUTSIDE):
                check_service_link(target, base)
                continue
            if target.startswith("webcal://"):
                assert target == "webcal://" + base.split("://")[1] + target.rsplit("/", 1)[1]
                continue
            if urlsplit(target).netloc != urlsplit(base).netloc:
                assert target.startswith("https://"), target  # an event's own page
                continue
            if address not in checked:
                assert fetch(address)[0] == 200, address
                checked.add(address)
            if fragment:
                assert fragment in parsed[address].ids, target
    assert {base + "events.json", base + "changes.xml", base + "all.ics"} <= checked
    assert any("/events/e-" in address for address in checked)
    assert any("/qr/" in address for address in checked)


def check_service_link(url: str, base: str) -> None:
    query = parse_qs(urlsplit(url).query)
    if "cid" in query:
        assert query["cid"][0].startswith("webcal://" + base.split("://")[1])
    elif "addfromweb" in url:
        assert query["url"][0].startswith(base) and query["name"][0]
    else:  # one event's template
        assert query.get("text") or query.get("subject"), url


def test_tradecal_serve_answers_the_site(site: Path) -> None:
    app = FeedApp(site, "http://127.0.0.1:8000/", "title")
    reply = app.dispatch(WebRequest("GET", "/"))
    assert reply.body == (site / "index.html").read_bytes()
    for path in ("/subscribe.html", "/assets/site.css", "/events.json", "/qr/all.svg"):
        assert app.dispatch(WebRequest("GET", path)).status == 200, path
