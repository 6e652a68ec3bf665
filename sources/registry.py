"""Source types by the name config.toml uses for them (``type = "..."``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sources.apec import ApecSource
from sources.asean import AseanSource
from sources.base import Source, SourceConfig
from sources.generic.csv_file import CsvFileSource
from sources.generic.html_list import HtmlListSource
from sources.generic.ical import IcsSource
from sources.imf import ImfSource
from sources.itri import ItriSource
from sources.generic.jsonld import JsonLdSource
from sources.oecd import OecdSource
from sources.generic.rss import RssSource
from sources.trade_gov_tw import TradeGovTwSource
from sources.generic.tribe import TribeSource
from sources.ustr import UstrSource
from sources.worldbank import WorldBankSource
from sources.wto import WtoSource
from sources.wto_airgrams import WtoAirgramsSource

SOURCE_TYPES: Mapping[str, type[Source]] = {
    cls.type: cls for cls in (
        UstrSource, WtoSource, WtoAirgramsSource, ApecSource, ImfSource, OecdSource,
        WorldBankSource, AseanSource, IcsSource, JsonLdSource, RssSource, TribeSource,
        CsvFileSource, HtmlListSource, TradeGovTwSource, ItriSource,
    )
}


def build_source(config: SourceConfig, today: date | None = None) -> Source:
    """The source object a ``[sources.NAME]`` table describes, running on ``today`` (in
    the source's zone; by default today by :mod:`aggregator.core.clock`)."""
    return SOURCE_TYPES[config.type](config, today=today)
