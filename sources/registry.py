"""Source types by the name config.toml uses for them (``type = "..."``).

The table names each type's module and class; a module is imported when its type is first
asked for (:func:`source_class`), so a command that reads the store never loads the parsers
of every site (and their HTML, XML and iCalendar libraries).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from datetime import date

from sources.base import Source, SourceConfig

SOURCE_TYPES: Mapping[str, str] = {
    "ustr": "sources.ustr:UstrSource",
    "wto": "sources.wto:WtoSource",
    "wto-airgrams": "sources.wto_airgrams:WtoAirgramsSource",
    "apec": "sources.apec:ApecSource",
    "imf": "sources.imf:ImfSource",
    "oecd": "sources.oecd:OecdSource",
    "worldbank": "sources.worldbank:WorldBankSource",
    "asean": "sources.asean:AseanSource",
    "trade-gov-tw": "sources.trade_gov_tw:TradeGovTwSource",
    "itri": "sources.itri:ItriSource",
    "ics": "sources.generic.ical:IcsSource",
    "jsonld": "sources.generic.jsonld:JsonLdSource",
    "rss": "sources.generic.rss:RssSource",
    "tribe": "sources.generic.tribe:TribeSource",
    "csv": "sources.generic.csv_file:CsvFileSource",
    "html-list": "sources.generic.html_list:HtmlListSource",
}
"""Each type's ``module:Class``; the class's own ``type`` is the key (a test checks)."""


def source_class(kind: str) -> type[Source]:
    """The class of source type ``kind`` (KeyError for an unknown type)."""
    module, _, name = SOURCE_TYPES[kind].partition(":")
    cls: type[Source] = getattr(importlib.import_module(module), name)
    return cls


def build_source(config: SourceConfig, today: date | None = None) -> Source:
    """The source object a ``[sources.NAME]`` table describes, running on ``today`` (in
    the source's zone; by default today by :mod:`aggregator.core.clock`)."""
    return source_class(config.type)(config, today=today)
