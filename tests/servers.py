"""Scripted HTTP servers on loopback addresses, for tests and the benchmark.

Each :class:`LoopbackServer` listens on one address of 127.0.0.0/8 (127.0.0.2, 127.0.0.3, …
are distinct hosts to the fetcher, all loopback), answers each path with a :class:`Reply`
(after an optional latency; with ``etag`` set, a matching ``If-None-Match`` gets a 304) or
with a handler function for faults (hang, truncate, stream, garbage), and counts the bytes
it receives and sends, and the most requests it had under way at once. ``/robots.txt``
answers 404 unless routed; any other path without a route, 500.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, BinaryIO, Self
from urllib.parse import urlsplit


@dataclass
class Reply:
    """A canned answer."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""


Handler = Callable[["_Exchange"], None]


class _Counting:
    """A write-through wrapper counting the bytes written."""

    def __init__(self, inner: BinaryIO, add: Callable[[int], None]) -> None:
        self.inner, self.add = inner, add

    def write(self, data: bytes) -> int:
        self.add(len(data))
        return self.inner.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _Exchange(BaseHTTPRequestHandler):
    """One request; dispatched to the server's routes."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.wfile = _Counting(self.wfile, self.server.owner.count_sent)  # type: ignore[assignment]

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # the name http.server calls
        owner = self.server.owner
        owner.count_received(len(self.raw_requestline) + len(bytes(self.headers)))
        path = urlsplit(self.path).path
        owner.log.append((path, dict(self.headers), time.monotonic()))
        owner.enter()
        try:
            self.dispatch(path)
        finally:
            owner.leave()

    def dispatch(self, path: str) -> None:
        owner = self.owner
        if owner.latency:
            time.sleep(owner.latency)
        route = owner.routes.get(path)
        if route is None:
            route = Reply(b"not found", 404) if path == "/robots.txt" else \
                Reply(b"no route", 500)
        if isinstance(route, Reply):
            self.reply(route)
        else:
            route(self)

    def reply(self, reply: Reply) -> None:
        """Send a canned reply (304 when it carries the ETag the client has)."""
        headers = dict(reply.headers)
        if reply.etag:
            headers["ETag"] = reply.etag
        if reply.last_modified:
            headers["Last-Modified"] = reply.last_modified
        if reply.etag and self.headers.get("If-None-Match") == reply.etag:
            self.send(304, b"", headers)
            return
        self.send(reply.status, reply.body, headers)

    def send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    @property
    def owner(self) -> LoopbackServer:
        return self.server.owner


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LoopbackServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: clients that hang up (timeouts, refused bodies) are what tests do."""


class LoopbackServer:
    """A threaded HTTP server on ``host`` (a loopback address), any free port."""

    def __init__(self, host: str = "127.0.0.1", latency: float = 0.0) -> None:
        self.latency = latency
        self.routes: dict[str, Reply | Handler] = {}
        self.log: list[tuple[str, dict[str, str], float]] = []
        self.sent = 0
        self.received = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server((host, 0), _Exchange)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()  # releases hanging handlers
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str = "/") -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def count_sent(self, size: int) -> None:
        with self._lock:
            self.sent += size

    def count_received(self, size: int) -> None:
        with self._lock:
            self.received += size

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def reset_counts(self) -> None:
        with self._lock:
            self.sent = self.received = 0
        self.log.clear()

    def requests_to(self, path: str) -> int:
        return sum(1 for logged, _, _ in self.log if logged == path)


# Faults, as handlers -------------------------------------------------------------------

def hang(seconds: float = 60.0) -> Handler:
    """Say nothing for ``seconds`` (or until the server stops)."""
    def handler(exchange: _Exchange) -> None:
        exchange.owner.stopping.wait(seconds)
        exchange.close_connection = True
    return handler


def truncated(body: bytes) -> Handler:
    """Announce the whole body, send half of it, close the connection."""
    def handler(exchange: _Exchange) -> None:
        exchange.send_response(200)
        exchange.send_header("Content-Type", "application/json")
        exchange.send_header("Content-Length", str(len(body)))
        exchange.end_headers()
        exchange.wfile.write(body[: len(body) // 2])
        exchange.close_connection = True
    return handler


def endless(total: int, chunk: bytes = b"x" * 65_536) -> Handler:
    """Stream ``total`` bytes without a Content-Length (closed-delimited)."""
    def handler(exchange: _Exchange) -> None:
        exchange.send_response(200)
        exchange.send_header("Content-Type", "application/json")
        exchange.send_header("Connection", "close")
        exchange.end_headers()
        exchange.close_connection = True
        sent = 0
        try:
            while sent < total and not exchange.owner.stopping.is_set():
                exchange.wfile.write(chunk)
                sent += len(chunk)
        except OSError:  # the client stopped reading
            pass
    return handler


def redirect_to(location: str, status: int = 302) -> Handler:
    def handler(exchange: _Exchange) -> None:
        exchange.send(status, b"", {"Location": location})
    return handler
