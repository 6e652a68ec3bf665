"""What a source is: a pure function from responses to events and follow-up requests.

A source never opens a socket, a file or the store, and never reads the clock: the day
of the run, in the source's zone, is handed to it as :attr:`Source.today`. The refresh loop (``aggregator.refresh``)
asks it for its first requests, fetches them through ``aggregator.fetch.fetcher``, and hands each
response to :meth:`Source.parse`, which yields :class:`~aggregator.core.model.Event` objects and,
where the site pages or links to details, further :class:`Request` objects.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from aggregator.core import clock
from aggregator.core.http import Request, Response
from aggregator.core.model import Event
from aggregator.core.settings import SourceConfig

__all__ = ["Notice", "ParseError", "Request", "Response", "Source", "SourceConfig"]


class ParseError(ValueError):
    """A response that cannot be read as the source's format; names the URL."""


@dataclass(frozen=True)
class Notice:
    """Something a source tells the run besides events: an item it skipped as unreadable,
    a time zone it did not know. Yielded by :meth:`Source.parse`; shown in the run's
    summary and kept in its ``runs`` row."""

    text: str


class Source:
    """Base class of every source module. Subclasses describe one website or format.

    ``type`` is the value of ``type =`` in config.toml that selects the class;
    ``options`` lists the extra keys the type accepts in its ``[sources.NAME]`` table,
    with their Python types, so that config loading can validate them;
    ``lists_all_upcoming`` says whether an upcoming event missing from a complete fetch
    has been withdrawn.
    """

    type: ClassVar[str] = ""
    options: ClassVar[Mapping[str, builtins.type]] = {}
    lists_all_upcoming: ClassVar[bool] = True
    """True when a successful fetch lists every upcoming event the site announces, so an
    upcoming event missing from it was withdrawn (feeds that show only the latest items,
    such as RSS, set it False: their missing events are not cancelled)."""

    def __init__(self, config: SourceConfig, today: date | None = None) -> None:
        self.config = config
        self.today = today if today is not None else clock.today(config.timezone)
        """The day the refresh runs, in the source's zone: a source never reads the clock."""

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        """Problems with the values of this type's own keys, by key (none by default)."""
        return {}

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def organization(self) -> str:
        return self.config.organization

    @property
    def timezone(self) -> str:
        return self.config.timezone

    def start_requests(self) -> list[Request]:
        """The first requests of a refresh (by default, the configured URL)."""
        return [Request(self.config.url)]

    def parse(self, response: Response) -> Iterator[Event | Request | Notice]:
        """Read one response; yield events, follow-up requests (and :class:`Notice`)."""
        raise NotImplementedError

    def parse_loaded(self, response: Response) -> Iterator[Event | Request | Notice]:
        """Read a response and the data responses a browser loaded with it
        (``response.related``): a page a script fills is read from its data. A related
        response this source cannot read is passed over; if none can be read, the page's
        own ParseError stands."""
        if not response.related:
            yield from self.parse(response)
            return
        read, failure = False, None
        for part in (response, *response.related):
            try:
                items = list(self.parse(part))
            except ParseError as exc:
                failure = failure or exc
                continue
            read = read or bool(items) or part is response
            yield from items
        if not read and failure is not None:
            raise failure

    def event(self, **fields: Any) -> Event:
        """An Event of this source, with the source's name, organization and defaults."""
        fields.setdefault("source", self.name)
        fields.setdefault("organization", self.organization)
        fields.setdefault("timezone", self.timezone)
        if self.config.section is not None:
            fields.setdefault("section", self.config.section)
        fields.setdefault("featured", self.config.featured)
        return Event(**fields)
