"""Channels: each organization's ways in, tried in order; the first with events answers,
the run records it and ``tradecal sources`` shows it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from aggregator.channels import channels_of
from aggregator.cli import cli
from aggregator.fetch.fetcher import FetchError, full_url
from aggregator.refresh import fetch_source
from aggregator.store.db import Store
from sources.base import Request, Response, SourceConfig
from sources.registry import build_source
from tests.conftest import FIXTURES
from tests.servers import LoopbackServer, Reply

GENEVA = ZoneInfo("Europe/Zurich")
NEWS_2013 = FIXTURES / "wto" / "current_news_e-2013-excerpt.js"


@dataclass
class SiteFetcher:
    """Answers URLs (without query) from a dict; anything else is a 404. Logs each ask."""

    routes: dict[str, bytes]
    asked: list[str] = field(default_factory=list)
    browser_routes: dict[str, bytes] | None = None

    def get(self, request: Request) -> Response:
        url = full_url(request)
        address = url.split("?", 1)[0]
        self.asked.append(address)
        if address not in self.routes:
            raise FetchError(url, "HTTP 404 Not Found", 404)
        return Response(url=url, body=self.routes[address], request=request)

    def __getattr__(self, name: str) -> Any:
        if name == "browser" and self.browser_routes is not None:
            return lambda: SiteFetcher(self.browser_routes or {}, self.asked)
        raise AttributeError(name)


def source(kind: str, url: str = "", organization: str = "X", zone: str = "UTC",
           **options: Any) -> Any:
    config = SourceConfig(name=kind, type=kind, url=url, organization=organization,
                          timezone=zone, options=options)
    return build_source(config, today=date(2024, 5, 1))


def test_wto_real_2013_news_file_gives_only_its_meetings_in_geneva_time() -> None:
    wto = source("wto", "https://www.wto.org/library/news/current_news_e.js", "WTO",
                 "Europe/Zurich", meetings_only=True)
    response = Response(url=wto.config.url, body=NEWS_2013.read_bytes())
    events = sorted(wto.parse(response), key=lambda event: event.start)
    assert [(event.title, event.start, event.end) for event in events] == [
        ("Trade Policy Review: Macao, China", datetime(2013, 5, 13, 14, tzinfo=GENEVA),
         datetime(2013, 5, 15, 12, tzinfo=GENEVA)),
        ("Dispute Settlement Body meeting", datetime(2013, 5, 24, 10, tzinfo=GENEVA), None),
        ("Trade Policy Review: Suriname", datetime(2013, 6, 10, 14, tzinfo=GENEVA),
         datetime(2013, 6, 12, 12, tzinfo=GENEVA)),
    ]  # the speech (2137) and the appointment news (2134) are left out
    assert all(event.kind == "meeting" for event in events)
    assert events[1].url.endswith("/dsb_agenda_24may13_e.htm")


def test_wto_whole_real_2013_news_file_keeps_3_of_its_16_items() -> None:
    """The whole file (CRLF, as saved in 2013): speeches, press releases, dispute news,
    Appellate Body reports, DG selection news are all left out."""
    wto = source("wto", "https://www.wto.org/library/news/current_news_e.js", "WTO",
                 "Europe/Zurich", meetings_only=True)
    body = (FIXTURES / "wto" / "current_news_e-2013-full.js").read_bytes()
    assert body.count(b"news_item[") == 16
    events = list(wto.parse(Response(url=wto.config.url, body=body)))
    assert sorted((event.title, event.start.isoformat()) for event in events) == [
        ("Dispute Settlement Body meeting", "2013-05-24T10:00:00+02:00"),
        ("Trade Policy Review: Macao, China", "2013-05-13T14:00:00+02:00"),
        ("Trade Policy Review: Suriname", "2013-06-10T14:00:00+02:00")]


def test_wto_news_rss_keeps_the_dsb_meeting_on_its_day() -> None:
    wto = source("wto", "https://www.wto.org/library/rss/latest_news_e.xml", "WTO",
                 "Europe/Zurich", meetings_only=True)
    body = (FIXTURES / "wto" / "latest_news_e-composed.xml").read_bytes()
    events = list(wto.parse(Response(url=wto.config.url, body=body)))
    assert [(event.title, event.start) for event in events] == [
        ("Dispute Settlement Body meeting", date(2013, 5, 24))]


WTO_FILE = "https://www.wto.org/library/events/event_resources/meetings_e.js"
WTO_NEWS = "https://www.wto.org/library/news/current_news_e.js"
WTO_RSS = "https://www.wto.org/library/rss/latest_news_e.xml"
OECD_API = "https://api.oecd.org/webcms/search/faceted-search"
OECD_PAGE = "https://www.oecd.org/en/events.html"
ASEAN_API = "https://asean.org/wp-json/wp/v2/posts"
TRADE_JSON = "https://www.trade.gov.tw/App_Ashx/getDataByNodeid.ashx"


def fixture(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


CASES = [  # (source, routes served, channel that answers, channels asked before it)
    (lambda: source("wto", WTO_FILE, "WTO", "Europe/Zurich"),
     {WTO_NEWS: NEWS_2013.read_bytes()}, "news-file", ["events-file", "events-page"]),
    (lambda: source("wto", WTO_FILE, "WTO", "Europe/Zurich"),
     {WTO_RSS: fixture("wto/latest_news_e-composed.xml")}, "news-rss",
     ["events-file", "events-page", "news-file"]),
    (lambda: source("wto", WTO_FILE, "WTO", "Europe/Zurich"),
     {WTO_FILE: fixture("wto/meetings_e-composed.js")}, "events-file", []),
    (lambda: source("asean", ASEAN_API), {"https://asean.org/feed/":
                                          fixture("asean/feed-composed.xml")}, "rss", []),
    (lambda: source("asean", ASEAN_API), {ASEAN_API: fixture("asean/posts-meeting.json")},
     "rest-api", ["rss"]),
    (lambda: source("trade-gov-tw", TRADE_JSON, zone="Asia/Taipei", node_id=4326),
     {"https://www.trade.gov.tw/Api/Get/pages": fixture("trade_gov_tw/pages-api-composed.json")},
     "pages-api", []),
    (lambda: source("trade-gov-tw", TRADE_JSON, zone="Asia/Taipei", node_id=4326),
     {TRADE_JSON: fixture("trade_gov_tw/node-page-1.json")}, "list-json", ["pages-api"]),
    (lambda: source("trade-gov-tw", TRADE_JSON, zone="Asia/Taipei", node_id=4326),
     {"https://www.trade.gov.tw/RSS/RSS.aspx": fixture("trade_gov_tw/rss-composed.xml")},
     "rss", ["pages-api", "list-json"]),
    (lambda: source("oecd", OECD_PAGE, zone="Europe/Paris", mode="html"),
     {OECD_API: fixture("oecd/search-events.json")}, "faceted-search", []),
    (lambda: source("oecd", OECD_PAGE, zone="Europe/Paris", mode="html"),
     {OECD_PAGE: fixture("oecd/events.html")}, "events-page", ["faceted-search"]),
    (lambda: source("worldbank", "https://search.worldbank.org/api/v2/news",
                    zone="America/New_York"),
     {"https://www.worldbank.org/en/events": fixture("worldbank/events.html")},
     "events-page", ["api"]),
]


@pytest.mark.parametrize(("make", "routes", "answers", "before"), CASES)
def test_the_first_channel_with_events_answers(make: Any, routes: dict[str, bytes],
                                               answers: str, before: list[str]) -> None:
    chosen = make()
    fetcher = SiteFetcher(routes)
    collected = fetch_source(chosen, fetcher)
    assert collected.channel == answers and collected.events, collected.error
    names = [name for name, _ in channels_of(chosen)]
    assert names.index(answers) == len(before) and names[:len(before)] == before


def test_imf_goes_to_the_browser_when_the_plain_fetch_is_refused() -> None:
    page = "https://www.imf.org/en/News/Seminars"
    imf = source("imf", page, zone="America/New_York", max_pages=1)
    fetcher = SiteFetcher({}, browser_routes={page: fixture("imf/seminars.html")})
    collected = fetch_source(imf, fetcher)
    assert collected.channel == "browser" and collected.events
    assert fetcher.asked == [page, page]  # plain (404 here), then the browser


def test_every_channel_failing_names_each() -> None:
    collected = fetch_source(source("worldbank", "https://search.worldbank.org/api/v2/news",
                                    zone="America/New_York"), SiteFetcher({}))
    assert collected.channel == "" and not collected.events
    assert collected.error.startswith("api: fetch error: HTTP 404")
    assert "events-page: fetch error: HTTP 404" in collected.error


def test_a_table_on_another_host_keeps_every_channel_there() -> None:
    wto = source("wto", "http://127.0.0.1:9/x/meetings_e.js", "WTO", "Europe/Zurich")
    urls = [channel.config.url for _, channel in channels_of(wto)]
    assert all(urlsplit(url).netloc == "127.0.0.1:9" for url in urls)
    assert urls[2] == "http://127.0.0.1:9/library/news/current_news_e.js"


def test_channels_key_picks_and_orders(tmp_path: Path) -> None:
    path = write_config(tmp_path, "https://www.wto.org/x.js", 'channels = ["news-rss"]')
    with Store(tmp_path / "tradecal.db"):  # `sources` reads an existing store only
        pass
    result = CliRunner().invoke(cli, ["--config", str(path), "sources"])
    assert result.exit_code == 0, result.output
    bad = write_config(tmp_path, "https://www.wto.org/x.js", 'channels = ["telepathy"]')
    refused = CliRunner().invoke(cli, ["--config", str(bad), "sources"])
    assert refused.exit_code == 2 and "unknown channel 'telepathy'" in refused.output


def write_config(folder: Path, url: str, *extra: str) -> Path:
    lines = ["[store]", 'path = "tradecal.db"', "[fetch]", "retries = 0", "delay = 0.0",
             "timeout = 5.0", "[organizations.WTO]", 'short_name = "WTO"',
             'timezone = "Europe/Zurich"', "[sources.wto]", 'type = "wto"', f'url = "{url}"',
             'organization = "WTO"', *extra]
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_refresh_falls_back_over_loopback_and_sources_names_the_channel(tmp_path: Path,
                                                                         ) -> None:
    with LoopbackServer() as site:
        site.routes["/library/events/event_resources/meetings_e.js"] = Reply(status=404)
        site.routes["/library/news/current_news_e.js"] = Reply(NEWS_2013.read_bytes())
        path = write_config(tmp_path, site.url("/library/events/event_resources/meetings_e.js"),
                            'channels = ["events-file", "news-file", "news-rss"]')
        run = CliRunner().invoke(cli, ["--config", str(path), "refresh"])
        assert run.exit_code == 0, run.output
        assert "3 events" in run.output and "via news-file" in run.output
    listing = CliRunner().invoke(cli, ["--config", str(path), "sources", "--json"])
    [row] = [json.loads(line) for line in listing.stdout.splitlines()]
    assert (row["channel"], row["events"], row["outcome"]) == ("news-file", 3, "ok")
    table = CliRunner().invoke(cli, ["--config", str(path), "sources"])
    header, line = table.stdout.splitlines()
    assert dict(zip(header.split("\t"), line.split("\t")))["channel"] == "news-file"
