"""The HTTP fetcher: every request a source makes goes through :class:`Fetcher`.

It sends a polite, identifying User-Agent, follows a limited number of redirects, retries
server errors, rate limits (429) and transport failures with exponential backoff (honouring
``Retry-After``), and refuses bodies larger than a configured limit while streaming them.
Whatever goes wrong ends as one :class:`FetchError` that names the URL.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

from aggregator import __version__
from sources.base import Request, Response

logger = logging.getLogger(__name__)

DEFAULT_USER_AGENT = (
    f"tradecal/{__version__} (+https://github.com/tradecal/tradecal; trade-event calendar)"
)
JITTER_FRACTION = 0.1
"""Backoff waits are stretched by up to this fraction, so retries from many runs spread out."""


class FetchError(Exception):
    """A request that could not be answered with a usable response; names the URL."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class _Retryable(Exception):
    """One failed attempt that may succeed if tried again after ``retry_after`` (if known)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds to wait according to a ``Retry-After`` value (delta-seconds or HTTP-date).

    Returns None for a value that is neither; a date in the past means no wait (0.0).
    """
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def full_url(request: Request) -> str:
    """The URL a request asks for: its params appended to any query the URL already has."""
    url = httpx.URL(request.url)
    if not request.params:
        return str(url)
    added = str(httpx.QueryParams(list(request.params))).encode("ascii")
    query = url.query + b"&" + added if url.query else added
    return str(url.copy_with(query=query))


class Fetcher:
    """A synchronous HTTP client for sources' requests; use it as a context manager."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        max_bytes: int = 20_000_000,
        max_redirects: int = 5,
        user_agent: str = "",
        backoff: float = 1.0,
        max_wait: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.retries = retries
        self.max_bytes = max_bytes
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            max_redirects=max_redirects,
            headers={"User-Agent": user_agent or DEFAULT_USER_AGENT},
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections this fetcher holds open."""
        self._client.close()

    def get(self, request: Request) -> Response:
        """GET a request, retrying what may pass; raise FetchError when it cannot be had."""
        if request.url.startswith("file:"):
            return self._read_file(request)
        try:
            url = full_url(request)
        except httpx.InvalidURL as error:
            raise FetchError(request.url, f"invalid URL ({error})") from error
        for attempt in range(self.retries + 1):
            try:
                return self._attempt(request, url)
            except _Retryable as failure:
                if attempt == self.retries:
                    raise FetchError(url, f"{failure.reason} (after {attempt + 1} attempts)")
                wait = self._wait_before_retry(attempt, failure.retry_after)
                logger.info("%s: %s; retrying in %.1f s", url, failure.reason, wait)
                self.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _read_file(self, request: Request) -> Response:
        """A local file named by a ``file:`` URL (a CSV source kept next to the config)."""
        path = Path(url2pathname(urlsplit(request.url).path))
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                raise FetchError(request.url, f"file of {size} bytes exceeds {self.max_bytes}")
            body = path.read_bytes()
        except OSError as error:
            raise FetchError(request.url, f"cannot read file ({error.strerror})") from error
        return Response(url=request.url, body=body, status=200, headers={}, request=request)

    def _wait_before_retry(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``attempt + 1``, never above max_wait."""
        if retry_after is not None:
            return min(retry_after, self.max_wait)
        delay = self.backoff * 2**attempt
        delay += random.uniform(0.0, JITTER_FRACTION * delay)
        return min(delay, self.max_wait)

    def _attempt(self, request: Request, url: str) -> Response:
        """One GET of ``request`` (whose full URL is ``url``): a Response, or an error.

        Raises _Retryable for what may pass and FetchError for what will not.
        """
        try:
            with self._client.stream("GET", url, headers=dict(request.headers)) as reply:
                self._check_status(url, reply)
                body = self._read_limited(url, reply)
                return Response(
                    url=str(reply.url),
                    body=body,
                    status=reply.status_code,
                    headers={key.lower(): value for key, value in reply.headers.items()},
                    request=request,
                )
        except httpx.TooManyRedirects as error:
            raise FetchError(url, f"too many redirects ({error})") from error
        except httpx.TimeoutException as error:
            raise _Retryable(f"timed out ({type(error).__name__})") from error
        except (httpx.NetworkError, httpx.RemoteProtocolError) as error:
            reason = str(error) or type(error).__name__
            raise _Retryable(f"connection failed ({reason})") from error
        except httpx.HTTPError as error:
            raise FetchError(url, f"{type(error).__name__}: {error}") from error

    def _check_status(self, url: str, reply: httpx.Response) -> None:
        """Raise _Retryable for 5xx and 429, FetchError for other 4xx."""
        status = reply.status_code
        if status == 429 or status >= 500:
            header = reply.headers.get("retry-after")
            retry_after = parse_retry_after(header, datetime.now(UTC)) if header else None
            raise _Retryable(f"HTTP {status} {reply.reason_phrase}", retry_after)
        if status >= 400:
            raise FetchError(url, f"HTTP {status} {reply.reason_phrase}")

    def _read_limited(self, url: str, reply: httpx.Response) -> bytes:
        """The (decoded) body, refusing it as soon as it grows past max_bytes."""
        declared = reply.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(
                url, f"body of {declared} bytes (Content-Length) exceeds {self.max_bytes}"
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in reply.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(url, f"body exceeds {self.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
