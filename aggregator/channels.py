"""Trying a source's channels in order: the first that yields events answers for it.

The channels of a type are described in :mod:`sources.channels`. When a table points at
another host than the organization's (a mirror, a test site on 127.0.0.1), every channel's
public address is moved onto that host, so a channel never leaves the host it was given.
A channel with ``fetch = "browser"`` gets its pages through the fetcher's browser
(:meth:`aggregator.fetch.fetcher.Fetcher.browser`; a replay archive answers as it is).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

from aggregator.core.settings import SourceConfig
from aggregator.fetch.browser import browser_for
from sources.base import Source
from sources.channels import PUBLIC_URLS, channel_specs, source_channels
from sources.registry import build_source


class Fetches(Protocol):
    def get(self, request: Any) -> Any: ...


class Outcome(Protocol):
    """What one channel's fetch gave (``aggregator.refresh.Collected``)."""

    events: list[Any]
    error: str
    unchanged: bool
    channel: str


OutcomeT = TypeVar("OutcomeT", bound=Outcome)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _rebased(url: str, origin: tuple[str, str]) -> str:
    parts = urlsplit(url)
    return urlunsplit((origin[0], origin[1], parts.path, parts.query, parts.fragment))


def channels_of(source: Source) -> list[tuple[str, Source]]:
    """The source's channels, in order, each as a source of its own (the source itself
    for the channel its table describes)."""
    config = source.config
    if len(channel_specs(config)) == 1 and not config.channels:
        return [(channel_specs(config)[0].name, source)]
    public = {_origin(url) for url in PUBLIC_URLS}
    origin = _origin(config.url) if config.url else None
    move = origin is not None and origin[0] in ("http", "https") and origin not in public
    found: list[tuple[str, Source]] = []
    for name, channel in source_channels(config):
        if move and origin is not None and channel.url and _origin(channel.url) in public:
            channel = dataclasses.replace(channel, url=_rebased(channel.url, origin))
        same = _same(channel, config)
        found.append((name, source if same else build_source(channel, today=source.today)))
    return found


def _same(channel: SourceConfig, config: SourceConfig) -> bool:
    return (channel.type, channel.url, dict(channel.options), channel.fetch) == (
        config.type, config.url, dict(config.options), config.fetch)


def channel_fetcher(source: Source, fetcher: Fetches) -> Fetches:
    """The fetcher a channel's pages go through: the browser for ``fetch = "browser"``."""
    if source.config.fetch != "browser":
        return fetcher
    return browser_for(fetcher)


def try_channels(source: Source, fetcher: Fetches,
                 fetch_one: Callable[[Source, Fetches], OutcomeT],
                 failed: Callable[[Source, str], OutcomeT]) -> OutcomeT:
    """Fetch the source through its channels in order; the first that yields events (or
    is unchanged since it last did) answers. Else the first channel that read without
    error (no events), else a failure naming what each channel said."""
    quiet: OutcomeT | None = None
    errors: list[str] = []
    channels = channels_of(source)
    for name, channel in channels:
        try:
            outcome = fetch_one(channel, channel_fetcher(channel, fetcher))
        except RuntimeError as exc:
            outcome = failed(channel, f"fetch error: {exc}")
        outcome.channel = name
        if outcome.unchanged or (outcome.events and not outcome.error):
            return outcome
        if outcome.error:
            errors.append(f"{name}: {outcome.error}" if len(channels) > 1 else outcome.error)
        elif quiet is None:
            quiet = outcome
    if quiet is not None:
        return quiet
    result = failed(source, "; ".join(errors)[:480])
    result.channel = ""
    return result
