"""Being a good citizen towards the organizations' websites: per-host limits and robots.txt.

A *host* here is an origin: scheme, host name and port (``https://www.wto.org``), the scope
in which RFC 9309 applies a robots.txt and in which a site feels our load.

:class:`HostLimiter` lets at most ``concurrency`` requests run at once against one host and
starts them at least ``delay`` seconds apart (a robots.txt ``Crawl-delay`` raises that delay
for its host, up to :data:`MAX_CRAWL_DELAY`). Requests to different hosts never wait for
each other.

:class:`RobotsCache` holds one :class:`RobotsFile` per host for the life of a fetcher (one
refresh run): the robots.txt is fetched once, the first time a URL of that host is asked
for, and read by Protego (RFC 9309: longest match wins, ``*`` and ``$`` wildcards). As RFC
9309 says: a robots.txt that does not exist (any 4xx) allows everything; one that cannot be
reached (5xx, a timeout, a refused connection) allows nothing, so the source fails this run
with that reason and is tried again next run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

MAX_CRAWL_DELAY = 60.0
"""A robots.txt Crawl-delay above this many seconds is taken as this many."""
ROBOTS_MAX_BYTES = 500 * 1024
"""RFC 9309: a crawler must read at least the first 500 KiB of a robots.txt; we read that."""


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lowercased: the unit of politeness."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def robots_url(url: str) -> str:
    """Where the robots.txt that governs ``url`` lives."""
    return f"{origin(url)}/robots.txt"


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against (``tradecal`` of
    ``tradecal/0.1 (+https://…)``)."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"


@dataclass
class _Host:
    """One host's limits and when its next request may start (monotonic seconds)."""

    slots: threading.BoundedSemaphore
    delay: float
    next_start: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class HostLimiter:
    """At most ``concurrency`` requests at once per host, their starts ``delay`` s apart."""

    def __init__(self, concurrency: int = 1, delay: float = 0.0, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self.concurrency = concurrency
        self.delay = max(0.0, delay)
        self.clock = clock
        self.sleep = sleep
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def _host(self, host: str) -> _Host:
        with self._lock:
            if host not in self._hosts:
                self._hosts[host] = _Host(threading.BoundedSemaphore(self.concurrency),
                                          self.delay)
            return self._hosts[host]

    def raise_delay(self, host: str, delay: float) -> None:
        """Space this host's requests at least ``delay`` seconds apart from now on."""
        state = self._host(host)
        with state.lock:
            state.delay = max(state.delay, min(delay, MAX_CRAWL_DELAY))

    def delay_of(self, host: str) -> float:
        """The spacing currently applied to ``host``."""
        return self._host(host).delay

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold one of the host's request slots, starting no sooner than its delay allows."""
        state = self._host(host)
        with state.slots:
            with state.lock:
                now = self.clock()
                start = max(now, state.next_start)
                state.next_start = start + state.delay
            if start > now:
                self.sleep(start - now)
            yield


@dataclass(frozen=True)
class RobotsFile:
    """What a host's robots.txt says, or why it could not be had."""

    rules: Protego | None = None
    """The parsed file; None when there is none (everything allowed) or it is unreachable."""
    unreachable: str = ""
    """Why the file could not be fetched (5xx, network): then nothing is allowed."""

    def allows(self, url: str, user_agent: str) -> bool:
        if self.unreachable:
            return False
        return self.rules is None or bool(self.rules.can_fetch(url, agent_token(user_agent)))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.rules is None:
            return None
        value = self.rules.crawl_delay(agent_token(user_agent))
        return float(value) if value is not None else None

    @classmethod
    def parse(cls, body: bytes) -> RobotsFile:
        """A robots.txt body (only its first 500 KiB are read)."""
        text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        return cls(rules=Protego.parse(text))


ALLOW_ALL = RobotsFile()


class RobotsCache:
    """Each host's robots.txt, loaded once (by ``load``, given the robots.txt URL)."""

    def __init__(self, load: Callable[[str], RobotsFile]) -> None:
        self._load = load
        self._files: dict[str, RobotsFile] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> RobotsFile:
        """The robots.txt governing ``url`` (fetched on first use; one fetch per host)."""
        host = origin(url)
        with self._lock:
            host_lock = self._locks.setdefault(host, threading.Lock())
        with host_lock:
            if host not in self._files:
                self._files[host] = self._load(robots_url(url))
            return self._files[host]
