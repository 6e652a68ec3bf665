"""``tradecal serve``: the feeds folder over HTTP: the feeds and the public site written next
to them (:mod:`feeds.site`; before the first export, an index page of subscribe links).

A small WSGI application on the standard library (``wsgiref``, one thread per request):
exact-path routes first (``/`` is the index; more pages add a :class:`Route`), then the
files of the folder. Files are answered for GET and HEAD with their type (``.ics`` is
``text/calendar; charset=utf-8``, without which Google garbles Chinese), a strong ETag (a
hash of the bytes), Last-Modified (the file's mtime: the feed writer leaves unchanged files
untouched), ``Cache-Control: public, max-age=300``, and 304 Not Modified when If-None-Match
matches or, without If-None-Match, when the file is not newer than If-Modified-Since.

Nothing outside the folder is served: a path with ``..``, ``.`` or empty segments (also
percent-encoded), a backslash or NUL, a hidden file (the writer's ``.name.tmp``), a folder,
or a symbolic link that leads out of the folder is answered 404.

The index page (:mod:`feeds.subscribe`) takes its feed URLs from ``[feeds] base_url``, so
they are right behind a proxy. The server binds 127.0.0.1 unless told otherwise; publish it
through a reverse proxy.

The editor page (:mod:`aggregator.web.editor`) is mounted at ``/editor``. Bound to a loopback
address it is open to anyone on this machine (no token needed); bound to any other
address the server refuses to start unless ``[serve] token`` is set (at least
:data:`MIN_TOKEN_LENGTH` characters), and then the editor asks for the token. ``--no-editor``
serves the feeds alone, on any address. A request body (the editor's forms) is read up to
:data:`MAX_BODY` bytes; a longer one is answered 413.
"""

from __future__ import annotations

import hashlib
import ipaddress
import mimetypes
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from aggregator.core import clock
from feeds.subscribe import feed_links, index_page

CACHE_CONTROL = "public, max-age=300"
TEXT_TYPES: Mapping[str, str] = {
    ".ics": "text/calendar; charset=utf-8", ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".md": "text/markdown; charset=utf-8",
    ".csv": "text/csv; charset=utf-8", ".json": "application/json",
}
READ_METHODS = frozenset({"GET", "HEAD"})
MAX_BODY = 64 * 1024
MIN_TOKEN_LENGTH = 12


@dataclass(frozen=True)
class WebRequest:
    """What a handler sees of a request to the server: method, decoded path, query string,
    lower-case headers, and the body (POST forms). (A source's request for a page is
    :class:`aggregator.core.http.Request`.)"""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class Reply:
    """A whole response: status, headers, body. HEAD drops the body; a 304 has none but
    states the Content-Length of the 200 it stands for (RFC 9110, 8.6)."""

    status: HTTPStatus
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


Handler = Callable[[WebRequest], Reply]


@dataclass(frozen=True)
class Route:
    """An exact path, its handler, and the methods it answers."""

    path: str
    handler: Handler
    methods: frozenset[str] = READ_METHODS


class FeedApp:
    """The WSGI application: routes, then the files of ``folder``."""

    def __init__(self, folder: Path, base_url: str, title: str,
                 routes: Iterable[Route] = ()) -> None:
        self.folder = folder.resolve()
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.title = title
        self.routes: dict[str, Route] = {}
        for route in (Route("/", self.index), Route("/index.html", self.index), *routes):
            self.add_route(route)

    def add_route(self, route: Route) -> None:
        self.routes[route.path] = route

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> list[bytes]:
        request = request_from_environ(environ)
        reply = self.dispatch(request) if request else text_reply(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large")
        headers = list(reply.headers)
        if not any(name.lower() == "content-length" for name, _ in headers):
            headers.append(("Content-Length", str(len(reply.body))))
        status = HTTPStatus(reply.status)
        start_response(f"{status.value} {status.phrase}", headers)
        return [b"" if request and request.method == "HEAD" else reply.body]

    def dispatch(self, request: WebRequest) -> Reply:
        route = self.routes.get(request.path)
        methods = route.methods if route else READ_METHODS
        if request.method not in methods:
            return text_reply(HTTPStatus.METHOD_NOT_ALLOWED, "method not allowed",
                              ("Allow", ", ".join(sorted(methods))))
        if route:
            return route.handler(request)
        path = self.resolve(request.path)
        if path is None:
            return text_reply(HTTPStatus.NOT_FOUND, "not found")
        return file_reply(path, request)

    def resolve(self, url_path: str) -> Path | None:
        """The file under the folder that ``url_path`` names, or None (module docstring)."""
        if not url_path.startswith("/") or "\\" in url_path or "\0" in url_path:
            return None
        segments = url_path[1:].split("/")
        if any(not part or part.startswith(".") for part in segments):
            return None
        try:
            path = self.folder.joinpath(*segments).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        inside = path.is_relative_to(self.folder) and path != self.folder
        return path if inside and path.is_file() else None

    def index(self, request: WebRequest) -> Reply:
        """The site's ``index.html`` (:mod:`feeds.site`) once an export wrote it; before
        that, a page listing the feeds."""
        site = self.resolve("/index.html")
        if site is not None:
            return file_reply(site, request)
        feeds = [path for path in sorted(self.folder.glob("*.ics"))
                 if self.resolve("/" + path.name) is not None]
        page = index_page(self.title, feed_links(feeds, self.base_url))
        body = page.encode("utf-8")
        etag = strong_etag(body)
        headers = (("Content-Type", TEXT_TYPES[".html"]), ("Content-Length", str(len(body))),
                   ("ETag", etag), ("Cache-Control", "no-cache"))
        if not_modified(request, etag, None):
            return Reply(HTTPStatus.NOT_MODIFIED, headers)
        return Reply(HTTPStatus.OK, headers, body)


def request_from_environ(environ: Mapping[str, Any]) -> WebRequest | None:
    """The WebRequest of a WSGI environ; the path is decoded as UTF-8 (PEP 3333 gives latin-1).
    None when the body is longer than :data:`MAX_BODY`."""
    raw = str(environ.get("PATH_INFO", "")).encode("latin-1", "replace")
    headers = {key[5:].replace("_", "-").lower(): str(value)
               for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        return None
    body = environ["wsgi.input"].read(length) if length > 0 and "wsgi.input" in environ \
        else b""
    return WebRequest(method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
                      path=raw.decode("utf-8", "replace"),
                      query=str(environ.get("QUERY_STRING", "")), headers=headers, body=body)


def file_reply(path: Path, request: WebRequest) -> Reply:
    """A file with its validators, or 304 when the client's copy is current.

    Bytes and date come from one open handle, so a feed replaced meanwhile (feeds are
    renamed into place) never goes out with the other version's date.
    """
    with path.open("rb") as handle:
        modified = datetime.fromtimestamp(int(os.fstat(handle.fileno()).st_mtime), UTC)
        data = handle.read()
    etag = strong_etag(data)
    headers = (("Content-Type", content_type(path)), ("Content-Length", str(len(data))),
               ("ETag", etag), ("Last-Modified", format_datetime(modified, usegmt=True)),
               ("Cache-Control", CACHE_CONTROL), ("X-Content-Type-Options", "nosniff"))
    if not_modified(request, etag, modified):
        return Reply(HTTPStatus.NOT_MODIFIED, headers)
    return Reply(HTTPStatus.OK, headers, data)


def not_modified(request: WebRequest, etag: str, modified: datetime | None) -> bool:
    """RFC 9110, 13.1.2-3: If-None-Match (weak comparison) decides when present; else
    If-Modified-Since, for GET and HEAD."""
    if request.method not in READ_METHODS:
        return False
    if "if-none-match" in request.headers:
        listed = request.headers["if-none-match"].split(",")
        tags = [tag.strip().removeprefix("W/") for tag in listed]
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if modified is None or not since:
        return False
    try:
        client = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    return client.tzinfo is not None and modified <= client


def strong_etag(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    return TEXT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or \
        "application/octet-stream"


def text_reply(status: HTTPStatus, text: str, *headers: tuple[str, str]) -> Reply:
    return Reply(status, (("Content-Type", TEXT_TYPES[".txt"]), *headers),
                 (text + "\n").encode())


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """wsgiref's server, one thread per request."""

    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    """wsgiref's handler, logging one line per request to stderr, stamped with the time
    (UTC), without reverse DNS."""

    def address_string(self) -> str:
        return str(self.client_address[0])

    def log_message(self, format: str, *args: Any) -> None:
        stamp = clock.now().isoformat()
        sys.stderr.write(f"{stamp} {self.address_string()} - {format % args}\n")


def make_feed_server(app: FeedApp, host: str = "127.0.0.1", port: int = 8000) -> WSGIServer:
    """A threading server for ``app`` (port 0: any free port; see ``server_port``)."""
    return make_server(host, port, app, server_class=ThreadingWSGIServer,
                       handler_class=QuietHandler)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is only reachable from this machine."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def editor_refusal(host: str, token: str) -> str | None:
    """Why the editor must not be served on ``host`` with ``token``, or None."""
    if is_loopback(host):
        return None
    if not token:
        return (f"refusing to serve the editor on {host}: anyone who can reach it could edit "
                "the calendar. Set [serve] token in the configuration, bind 127.0.0.1, or "
                "serve the feeds alone with --no-editor")
    if len(token) < MIN_TOKEN_LENGTH:
        return (f"refusing to serve the editor on {host}: [serve] token is shorter than "
                f"{MIN_TOKEN_LENGTH} characters")
    return None
