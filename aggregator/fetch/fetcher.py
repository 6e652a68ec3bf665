"""The HTTP fetcher: every request a source makes goes through :class:`Fetcher`.

It sends a polite, identifying User-Agent, follows a limited number of redirects, retries
server errors, rate limits (429) and transport failures with exponential backoff and jitter
(honouring ``Retry-After``; a server that asks for a longer wait than ``max_wait`` is not
retried this run), and refuses bodies larger than a configured limit while streaming them.
The timeout bounds each wait for a byte; a whole attempt, headers and body, is given up
after ``BODY_TIME_FACTOR`` timeouts and not retried this run, so a server that trickles its
answer (a tarpit sending a header line every few seconds) cannot hold a run for hours.
Whatever goes wrong ends as one :class:`FetchError` that names the URL.

Politeness (see :mod:`aggregator.fetch.politeness`): at most ``concurrency`` requests at once to
one host, started ``delay`` seconds apart, and, with ``robots=True``, each host's robots.txt
fetched once per fetcher and obeyed. A fetcher is safe to share between threads: one
refresh run uses one fetcher for all its sources.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

from aggregator import __version__
from aggregator.core import clock
from aggregator.core.http import ClosedOnExit, Request, Response
from aggregator.core.settings import FetchSettings
from aggregator.fetch.politeness import (
    ALLOW_ALL,
    HostLimiter,
    RobotsCache,
    RobotsFile,
    origin,
)

logger = logging.getLogger(__name__)

DEFAULT_USER_AGENT = (
    f"tradecal/{__version__} (+https://github.com/tradecal/tradecal; trade-event calendar)"
)
JITTER_FRACTION = 0.1
"""Backoff waits are stretched by up to this fraction, so retries from many runs spread out."""
BODY_TIME_FACTOR = 4
"""A response still arriving this many timeouts after the request started is given up on
(the timeout alone bounds each wait for a byte, not a server that trickles)."""
GIVE_UP_MARGIN = 0.5
"""Seconds past ``BODY_TIME_FACTOR`` timeouts that an attempt still stuck in its headers is
waited for (a trickling body is refused at the deadline itself, with a clearer reason)."""
DEFAULT_CONCURRENCY = 2
"""Requests at once to one host when the configuration does not say."""
DEFAULT_DELAY = 1.0
"""Seconds between the starts of two requests to one host when the configuration does not
say."""


class FetchError(Exception):
    """A request that could not be answered with a usable response; names the URL."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


class _Retryable(Exception):
    """One failed attempt that may succeed if tried again after ``retry_after`` (if known)."""

    def __init__(self, reason: str, retry_after: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status


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


DEFAULT_MAX_BYTES = 20_000_000


def read_local_file(request: Request, max_bytes: int) -> Response:
    """A local file named by a ``file:`` URL (a CSV source kept next to the config)."""
    path = Path(url2pathname(urlsplit(request.url).path))
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FetchError(request.url, f"file of {size} bytes exceeds {max_bytes}")
        body = path.read_bytes()
    except OSError as error:
        raise FetchError(request.url, f"cannot read file ({error.strerror})") from error
    return Response(url=request.url, body=body, status=200, headers={}, request=request)


class Fetcher(ClosedOnExit):
    """A synchronous HTTP client for sources' requests; use it as a context manager."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = 5,
        user_agent: str = "",
        backoff: float = 1.0,
        max_wait: float = 120.0,
        concurrency: int = 1,
        delay: float = 0.0,
        robots: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        browser_path: str = "/usr/bin/chromium",
    ) -> None:
        self.timeout = timeout
        self.browser_path = browser_path
        self.retries = retries
        self.max_bytes = max_bytes
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.user_agent = user_agent or DEFAULT_USER_AGENT
        self.limiter = HostLimiter(concurrency, delay)
        self.robots = RobotsCache(self._load_robots) if robots else None
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            max_redirects=max_redirects,
            headers={"User-Agent": self.user_agent},
        )

    def close(self) -> None:
        """Close the connections this fetcher holds open."""
        self._client.close()

    def get(self, request: Request) -> Response:
        """GET a request, retrying what may pass; raise FetchError when it cannot be had
        (or when the host's robots.txt does not allow it)."""
        if request.url.startswith("file:"):
            return read_local_file(request, self.max_bytes)
        try:
            url = full_url(request)
        except httpx.InvalidURL as error:
            raise FetchError(request.url, f"invalid URL ({error})") from error
        if self.robots is not None and url.startswith(("http:", "https:")):
            self._check_robots(url)
        return self._get_http(request, url)

    def check_allowed(self, url: str) -> None:
        """Raise FetchError when the host's robots.txt does not allow ``url`` (robots on)."""
        if self.robots is not None and url.startswith(("http:", "https:")):
            self._check_robots(url)

    def _get_http(self, request: Request, url: str) -> Response:
        """GET ``url`` (the full URL of ``request``) with retries, within the host's limits."""
        host = origin(url)
        for attempt in range(self.retries + 1):
            try:
                with self.limiter.slot(host):
                    return self._attempt(request, url)
            except _Retryable as failure:
                if attempt == self.retries:
                    tries = f"{attempt + 1} attempt{'s' if attempt else ''}"
                    raise FetchError(url, f"{failure.reason} (after {tries})",
                                     failure.status) from None
                wait = self._wait_before_retry(attempt, failure.retry_after)
                if wait is None:
                    raise FetchError(url, f"{failure.reason}; the server asks to wait "
                                     f"{failure.retry_after:.0f} s, longer than "
                                     f"{self.max_wait:.0f} s: not retried this run",
                                     failure.status) from None
                logger.info("%s: %s; retrying in %.1f s", url, failure.reason, wait)
                self.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _check_robots(self, url: str) -> None:
        """Raise FetchError unless the host's robots.txt allows this fetcher ``url``."""
        assert self.robots is not None
        rules = self.robots.get(url)
        if rules.unreachable:
            raise FetchError(url, f"robots.txt unreachable: {rules.unreachable}; not fetching")
        if not rules.allows(url, self.user_agent):
            path = httpx.URL(url).raw_path.decode("ascii", errors="replace")
            raise FetchError(url, f"robots.txt disallows {path} for "
                             f"{self.user_agent.split('/', 1)[0]}")

    def _load_robots(self, url: str) -> RobotsFile:
        """Fetch and read one host's robots.txt (no robots.txt: everything allowed)."""
        try:
            response = self._get_http(Request(url), url)
        except FetchError as error:
            if error.status is not None and 400 <= error.status < 500:
                return ALLOW_ALL
            return RobotsFile(unreachable=error.reason)
        robots = RobotsFile.parse(response.body)
        delay = robots.crawl_delay(self.user_agent)
        if delay:
            self.limiter.raise_delay(origin(url), delay)
        return robots

    def _wait_before_retry(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``; None when the server asks
        for more than max_wait (then it is not retried)."""
        if retry_after is not None:
            return retry_after if retry_after <= self.max_wait else None
        delay = self.backoff * 2**attempt
        delay += random.uniform(0.0, JITTER_FRACTION * delay)
        return min(delay, self.max_wait)

    def _attempt(self, request: Request, url: str) -> Response:
        """One GET of ``request`` (whose full URL is ``url``): a Response, or an error;
        given up after ``BODY_TIME_FACTOR`` timeouts in all.

        The exchange runs in a daemon thread, because a blocking read cannot be cut short:
        an exchange given up on is left to end by itself, which it does at the latest when
        this fetcher closes its connections (at the end of the run).
        Raises _Retryable for what may pass and FetchError for what will not (a response
        that crawls is not asked for again this run).
        """
        started = time.monotonic()
        done: queue.Queue[tuple[Response | None, BaseException | None]] = queue.Queue(1)

        def exchange() -> None:
            try:
                done.put((self._exchange(request, url, started), None))
            except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
                done.put((None, error))

        threading.Thread(target=exchange, name="fetch", daemon=True).start()
        limit = BODY_TIME_FACTOR * self.timeout
        try:
            response, error = done.get(timeout=limit + GIVE_UP_MARGIN)
        except queue.Empty:
            raise FetchError(url, f"too slow: no complete response after {limit:.0f} s; "
                             "not retried this run") from None
        if error is not None:
            raise error
        assert response is not None
        return response

    def _exchange(self, request: Request, url: str, started: float) -> Response:
        """Send the GET and read the answer (see :meth:`_attempt`)."""
        try:
            with self._client.stream("GET", url, headers=dict(request.headers)) as reply:
                self._check_status(url, reply)
                body = self._read_limited(url, reply, started)
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
            retry_after = parse_retry_after(header, clock.system_now()) if header else None
            raise _Retryable(f"HTTP {status} {reply.reason_phrase}", retry_after, status)
        if status >= 400:
            raise FetchError(url, f"HTTP {status} {reply.reason_phrase}", status)

    def _read_limited(self, url: str, reply: httpx.Response, started: float) -> bytes:
        """The (decoded) body, refusing it as soon as it grows past max_bytes or takes
        longer than BODY_TIME_FACTOR timeouts."""
        declared = reply.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(
                url, f"body of {declared} bytes (Content-Length) exceeds {self.max_bytes}"
            )
        deadline = started + BODY_TIME_FACTOR * self.timeout
        chunks: list[bytes] = []
        size = 0
        for chunk in reply.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(url, f"body exceeds {self.max_bytes} bytes")
            if time.monotonic() > deadline:
                raise FetchError(url, f"too slow: body incomplete after "
                                 f"{BODY_TIME_FACTOR * self.timeout:.0f} s; not retried "
                                 "this run")
            chunks.append(chunk)
        return b"".join(chunks)


def fetcher_from_settings(settings: FetchSettings) -> Fetcher:
    """A Fetcher configured by the ``[fetch]`` table (its defaults: :class:`FetchSettings`)."""
    return Fetcher(
        timeout=float(settings.timeout), retries=settings.retries, max_bytes=settings.max_bytes,
        max_redirects=settings.max_redirects, user_agent=settings.user_agent,
        concurrency=settings.concurrency, delay=float(settings.delay), robots=settings.robots,
        browser_path=settings.browser,
    )
