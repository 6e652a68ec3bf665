"""``tradecal discover URL``: every response a page loads in the browser, and what it holds.

The page is opened in headless Chromium (:mod:`aggregator.fetch.browser`); each response it loaded
is listed with its URL, content type, size, what it looks like (``js-data``, ``json``,
``xml``, ``ics``, ``rss``, ``jsonld``, ``html``, ``other``) and how many events the adapter
for that kind reads from it (the most any of them reads). That is how an operator finds
the data file behind a page a script fills, and then points a source's ``url`` at it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from aggregator.core.http import Response
from aggregator.core.model import Event
from aggregator.core.settings import SourceConfig
from aggregator.fetch.browser import Loaded
from sources.registry import source_class

ADAPTERS: Mapping[str, tuple[str, ...]] = {
    "js-data": ("wto",), "rss": ("rss",), "ics": ("ics",), "jsonld": ("jsonld",),
    "json": ("worldbank", "oecd", "asean", "ustr", "tribe"),
    "xml": ("wto-airgrams", "rss"), "html": ("jsonld", "oecd", "imf", "apec"),
}
"""Kind of response → the source types that may read events from it."""


@dataclass(frozen=True)
class Found:
    """One response of the page, as ``discover`` lists it."""

    url: str
    content_type: str
    bytes: int
    looks_like: str
    events: int
    adapter: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def events_read(item: Loaded, timezone: str = "UTC") -> tuple[int, str]:
    """The most events an adapter for the response's kind reads from it, and its type."""
    best = (0, "")
    for kind in ADAPTERS.get(item.looks_like, ()):
        config = SourceConfig(name="discover", type=kind, url=item.url,
                              organization="discover", timezone=timezone,
                              options={"node_id": 1} if kind == "trade-gov-tw" else {})
        try:
            source = source_class(kind)(config)
            response = Response(url=item.url, body=item.body, status=item.status,
                                headers={"content-type": item.content_type})
            count = sum(isinstance(found, Event) for found in source.parse(response))
        except Exception:  # noqa: BLE001 - an adapter that cannot read it reads nothing
            continue
        if count > best[0]:
            best = (count, kind)
    return best


def discover(loaded: list[Loaded], timezone: str = "UTC") -> list[Found]:
    """The page's responses with what each holds."""
    found = []
    for item in loaded:
        count, adapter = events_read(item, timezone)
        found.append(Found(item.url, item.content_type.split(";")[0].strip(),
                           len(item.body), item.looks_like, count, adapter))
    return found
