"""Who may use the editor page, and which of its forms are genuine.

Every visitor gets a random session cookie (HttpOnly, SameSite=Strict, path ``/editor``);
forms carry a CSRF token, an HMAC of the session id under a per-process secret. A POST is
refused (403) unless its CSRF token matches its session cookie *and* its ``Origin`` (or,
without one, its ``Referer``) is this site: the request's Host or the public base URL.

Without a token (allowed on loopback addresses only, see
:func:`aggregator.web.server.editor_refusal`) every request must name a loopback host in
``Host``, so a web page that rebinds its DNS name to 127.0.0.1 is refused. With a token
(``[serve] token``) nothing but the sign-in form is shown until the token is given; the
session id is replaced on sign-in; a wrong token costs half a second. Sessions live in
memory for :data:`SESSION_SECONDS` (a restart signs everybody out), at most
:data:`MAX_SESSIONS` at once.

Every reply of the editor is ``no-store``, may not be framed, and may run no script
(Content-Security-Policy).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import sha256
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, urlsplit

from aggregator.web.page import error_page, login_page
from aggregator.web.server import Reply, WebRequest, is_loopback

COOKIE = "tradecal_editor"
MAX_SESSIONS = 1000
SESSION_SECONDS = 12 * 3600
WRONG_TOKEN_DELAY = 0.5
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Cache-Control", "no-store"), ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", ("default-src 'none'; style-src 'unsafe-inline'; "
                                 "form-action 'self'; frame-ancestors 'none'; "
                                 "base-uri 'none'")))

SessionHandler = Callable[[WebRequest, str], Reply]
"""A handler of the editor: the request and its session id (see :meth:`Guard.wrap`)."""


@dataclass
class Session:
    """A visitor: whether they gave the token, and when the session began."""

    authenticated: bool
    created: float


class Guard:
    """Sessions, the token, and the checks every editor request passes."""

    def __init__(self, token: str = "", base_url: str = "",
                 secret: bytes | None = None) -> None:
        self.token = token
        self.base_url = base_url
        self._secret = secret or secrets.token_bytes(32)
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def csrf_token(self, sid: str) -> str:
        return hmac.new(self._secret, b"csrf:" + sid.encode(), sha256).hexdigest()

    def wrap(self, handler: SessionHandler, changes: bool = False) -> Callable[[WebRequest], Reply]:
        """``handler`` behind the checks; ``changes``: a form that changes data (POST)."""
        def guarded(request: WebRequest) -> Reply:
            refusal = self.refusal(request, changes)
            if refusal:
                return refusal
            sid, new = self.session(request)
            session = self._sessions.get(sid)
            if self.token and not (session and session.authenticated):
                if changes:
                    return html_reply(HTTPStatus.FORBIDDEN, error_page("請先登入 Sign in first"))
                reply = html_reply(HTTPStatus.UNAUTHORIZED, login_page(self.csrf_token(sid)))
            else:
                reply = handler(request, sid)
            return with_cookie(reply, sid) if new else reply
        return guarded

    def refusal(self, request: WebRequest, changes: bool) -> Reply | None:
        """403 for a foreign Host (without a token) or a cross-site or forged POST."""
        host = request.headers.get("host", "")
        if not self.token and not is_loopback(urlsplit(f"//{host}").hostname or ""):
            return html_reply(HTTPStatus.FORBIDDEN, error_page(
                "此位址不受理 This host name is not served: open the editor at "
                "http://127.0.0.1:PORT/editor"))
        if changes and not (self.same_origin(request) and self.csrf_ok(request)):
            return html_reply(HTTPStatus.FORBIDDEN, error_page(
                "拒絕跨站請求 Refused: the form did not come from this editor page (reload "
                "the page and try again)"))
        return None

    def same_origin(self, request: WebRequest) -> bool:
        """The Origin (else the Referer) names this site: the Host or the public base URL."""
        claimed = request.headers.get("origin") or request.headers.get("referer") or ""
        netloc = urlsplit(claimed).netloc.lower()
        ours = {request.headers.get("host", "").lower(), urlsplit(self.base_url).netloc.lower()}
        return claimed.startswith(("http://", "https://")) and bool(netloc) and netloc in ours

    def csrf_ok(self, request: WebRequest) -> bool:
        sid = cookie(request)
        given = form(request).get("csrf", "")
        if not (sid and sid in self._sessions and given):
            return False
        return hmac.compare_digest(given, self.csrf_token(sid))

    def session(self, request: WebRequest) -> tuple[str, bool]:
        """The request's session id, and whether it was made now (to be sent as a cookie)."""
        sid = cookie(request)
        with self._lock:
            known = self._sessions.get(sid or "")
            if sid and known and time.monotonic() - known.created < SESSION_SECONDS:
                return sid, False
            return self._new_session(authenticated=not self.token), True

    def _new_session(self, authenticated: bool) -> str:
        """A new session id (call holding the lock); the oldest tenth go when full."""
        if len(self._sessions) >= MAX_SESSIONS:
            oldest = sorted(self._sessions, key=lambda key: self._sessions[key].created)
            for key in oldest[:MAX_SESSIONS // 10]:
                del self._sessions[key]
        sid = secrets.token_urlsafe(32)
        self._sessions[sid] = Session(authenticated, time.monotonic())
        return sid

    def login(self, request: WebRequest) -> Reply:
        """The token form (GET) and its check (POST); without a token, the editor itself."""
        if not self.token:
            return redirect("/editor")
        refusal = self.refusal(request, changes=request.method == "POST")
        if refusal:
            return refusal
        sid, new = self.session(request)
        if request.method != "POST":
            reply = html_reply(HTTPStatus.OK, login_page(self.csrf_token(sid)))
            return with_cookie(reply, sid) if new else reply
        given = form(request).get("token", "")
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            time.sleep(WRONG_TOKEN_DELAY)
            return html_reply(HTTPStatus.FORBIDDEN,
                              login_page(self.csrf_token(sid), "權杖不符 Wrong token"))
        with self._lock:
            self._sessions.pop(sid, None)
            fresh = self._new_session(authenticated=True)
        return with_cookie(redirect("/editor"), fresh)

    def logout(self, request: WebRequest, sid: str) -> Reply:
        with self._lock:
            self._sessions.pop(sid, None)
        return redirect("/editor")


def cookie(request: WebRequest) -> str | None:
    """The editor's session id as the request's Cookie header gives it."""
    try:
        jar = SimpleCookie(request.headers.get("cookie", ""))
    except CookieError:
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel else None


def params(query: str) -> dict[str, str]:
    """A query string's (or form's) first value of each name."""
    parsed = parse_qs(query, keep_blank_values=True, max_num_fields=50)
    return {name: values[0] for name, values in parsed.items()}


def form(request: WebRequest) -> dict[str, str]:
    """The fields of a urlencoded POST body (empty for anything else)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method != "POST" or kind != "application/x-www-form-urlencoded":
        return {}
    try:
        return params(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}


def html_reply(status: HTTPStatus, page: str) -> Reply:
    return Reply(status, (("Content-Type", "text/html; charset=utf-8"), *SECURITY_HEADERS),
                 page.encode("utf-8"))


def redirect(location: str) -> Reply:
    """303 See Other: after a POST the browser GETs ``location`` (a path on this site)."""
    return Reply(HTTPStatus.SEE_OTHER, (("Location", location), *SECURITY_HEADERS))


def with_cookie(reply: Reply, sid: str) -> Reply:
    value = f"{COOKIE}={sid}; Path=/editor; HttpOnly; SameSite=Strict"
    return Reply(reply.status, (*reply.headers, ("Set-Cookie", value)), reply.body)
