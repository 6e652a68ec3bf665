"""The channels of each organization: other ways to read the same events, tried in order.

A channel is one source configuration derived from a ``[sources.NAME]`` table: a type, a URL,
options and how pages are loaded (``plain`` HTTP or a headless ``browser``). The refresh
tries a source's channels in order and keeps the first that yields events
(``aggregator.channels``); ``channels = [...]`` in the table picks and orders them by name,
``fetch = "browser"`` loads every channel's pages in the browser.

The channel a table describes itself (its ``url`` and mode) is always one of them; the
others use the organization's public addresses. A type not listed here has one channel,
``main``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sources.base import SourceConfig

WTO_EVENTS_PAGE = "https://www.wto.org/english/news_e/events_e/events_list_view_e.htm"
WTO_NEWS_FILE = "https://www.wto.org/library/news/current_news_e.js"
WTO_NEWS_RSS = "https://www.wto.org/library/rss/latest_news_e.xml"
ASEAN_FEED = "https://asean.org/feed/"
ASEAN_POSTS = "https://asean.org/wp-json/wp/v2/posts"
TRADE_PAGES_API = "https://www.trade.gov.tw/Api/Get/pages"
TRADE_LIST_JSON = "https://www.trade.gov.tw/App_Ashx/getDataByNodeid.ashx"
TRADE_RSS = "https://www.trade.gov.tw/RSS/RSS.aspx"
OECD_API = "https://api.oecd.org/webcms/search/faceted-search"
OECD_PAGE = "https://www.oecd.org/en/events.html"
WORLDBANK_API = "https://search.worldbank.org/api/v2/news"
WORLDBANK_PAGE = "https://www.worldbank.org/en/events"
FETCHES = ("plain", "browser")
PUBLIC_URLS = (WTO_EVENTS_PAGE, WTO_NEWS_FILE, WTO_NEWS_RSS, ASEAN_FEED, ASEAN_POSTS,
               TRADE_PAGES_API, TRADE_LIST_JSON, TRADE_RSS, OECD_API, OECD_PAGE,
               WORLDBANK_API, WORLDBANK_PAGE, "https://www.wto.org/", "https://www.imf.org/")
"""The organizations' own addresses: a table pointing elsewhere (a mirror, a test site)
has its channels moved onto its own host."""


@dataclass(frozen=True)
class ChannelSpec:
    """One channel of a source type: its name and what it changes in the table.

    ``url`` None keeps the table's URL; ``options`` replace the table's (a ``type`` other
    than the table's starts from no options); ``fetch`` None keeps the table's.
    """

    name: str
    url: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    type: str | None = None
    fetch: str | None = None

    def apply(self, config: SourceConfig) -> SourceConfig:
        """The table as this channel reads it."""
        same_type = self.type in (None, config.type)
        options = {**(config.options if same_type else {}), **self.options}
        return dataclasses.replace(
            config, type=self.type or config.type, url=config.url if self.url is None
            else self.url, options=options, fetch=self.fetch or config.fetch)


def _mode(config: SourceConfig, default: str) -> str:
    return str(config.options.get("mode", default))


def _own_or(mine: bool, url: str) -> str | None:
    """The table's URL when the table describes this channel, else the public one."""
    return None if mine else url


def _wto(config: SourceConfig) -> list[ChannelSpec]:
    return [ChannelSpec("events-file"),
            ChannelSpec("events-page", url=WTO_EVENTS_PAGE, fetch="browser"),
            ChannelSpec("news-file", url=WTO_NEWS_FILE, options={"meetings_only": True}),
            ChannelSpec("news-rss", url=WTO_NEWS_RSS, options={"meetings_only": True})]


def _asean(config: SourceConfig) -> list[ChannelSpec]:
    return [ChannelSpec("rss", url=ASEAN_FEED), ChannelSpec("rest-api", url=_own_or(
        "wp-json" in config.url or not config.url, ASEAN_POSTS))]


def _trade(config: SourceConfig) -> list[ChannelSpec]:
    node = str(config.options.get("node_id", ""))
    return [ChannelSpec("pages-api", url=f"{TRADE_PAGES_API}?nodeid={node}"),
            ChannelSpec("list-json", url=_own_or(
                "getDataByNodeid" in config.url or not config.url, TRADE_LIST_JSON)),
            ChannelSpec("rss", url=f"{TRADE_RSS}?nodeID={node}")]


def _oecd(config: SourceConfig) -> list[ChannelSpec]:
    api, page = _mode(config, "html") == "api", _mode(config, "html") == "html"
    return [ChannelSpec("faceted-search", url=_own_or(api, OECD_API),
                        options={"mode": "api"}),
            ChannelSpec("events-page", url=_own_or(page, OECD_PAGE),
                        options={"mode": "html"}),
            ChannelSpec("events-page-browser", url=_own_or(page, OECD_PAGE),
                        options={"mode": "html"}, fetch="browser")]


def _worldbank(config: SourceConfig) -> list[ChannelSpec]:
    api = _mode(config, "api") == "api"
    return [ChannelSpec("api", url=_own_or(api, WORLDBANK_API),
                        options={"mode": "api"}),
            ChannelSpec("events-page", url=_own_or(not api, WORLDBANK_PAGE),
                        options={"mode": "html"})]


def _imf(config: SourceConfig) -> list[ChannelSpec]:
    return [ChannelSpec("plain"), ChannelSpec("browser", fetch="browser")]


CHANNELS: Mapping[str, Callable[[SourceConfig], list[ChannelSpec]]] = {
    "wto": _wto, "asean": _asean, "trade-gov-tw": _trade, "oecd": _oecd,
    "worldbank": _worldbank, "imf": _imf,
}
"""Source type → its channels in their default order."""


def channel_specs(config: SourceConfig) -> list[ChannelSpec]:
    """Every channel of the table's type, in the default order."""
    maker = CHANNELS.get(config.type)
    return maker(config) if maker else [ChannelSpec("main")]


def source_channels(config: SourceConfig) -> list[tuple[str, SourceConfig]]:
    """The channels a table asks for (``channels``, else all), in order, as configs.

    An unknown name raises ValueError naming the known ones (config loading reports it).
    """
    specs = {spec.name: spec for spec in channel_specs(config)}
    wanted = config.channels or tuple(specs)
    unknown = [name for name in wanted if name not in specs]
    if unknown:
        raise ValueError(f"unknown channel {unknown[0]!r} (known: {', '.join(specs)})")
    return [(name, specs[name].apply(config)) for name in wanted]
