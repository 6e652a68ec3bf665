"""What a fetch asks and what it gets: :class:`Request` and :class:`Response`.

The vocabulary shared by the sources (which yield requests and parse responses), the fetcher
that makes them and the HTTP cache that stores them; it knows nothing of the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol, Self


@dataclass(frozen=True)
class Request:
    """One HTTP GET a source wants made. ``params`` may repeat keys (``fields[]``)."""

    url: str
    params: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Response:
    """A response as the source sees it: final URL, status, headers and body bytes."""

    url: str
    body: bytes
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    request: Request | None = None
    related: tuple[Response, ...] = ()
    """Data-bearing responses a browser saw while loading this page (JS data files, JSON,
    XML, ICS); empty for a plain fetch (see ``aggregator.fetch.browser``)."""

    def text(self) -> str:
        """The body decoded as UTF-8 (replacing undecodable bytes)."""
        return self.body.decode("utf-8", errors="replace")


class Fetches(Protocol):
    """Anything that answers a Request with a Response (the fetcher, the replay archive)."""

    def get(self, request: Request) -> Response: ...


class FetchSession(Fetches, Protocol):
    """A :class:`Fetches` holding connections or files: closed after use, also by ``with``."""

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None: ...


class ClosedOnExit:
    """``with`` for a fetch session: leaving the block calls its ``close()``."""

    def close(self) -> None:
        """Release what the session holds (nothing by default)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
