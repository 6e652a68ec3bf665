"""Whether a response reached the end of its format: a body cut short is a parse error.

A server that closes the connection early without having sent a Content-Length leaves a
body that HTTP cannot tell from a whole one (a body cut short of its Content-Length is the
fetcher's to refuse: httpx raises, :mod:`aggregator.fetch.fetcher` retries). Read leniently, a cut
page is a shorter list, and a complete refresh with a shorter list cancels the meetings
after the cut. So each format's reader first checks that the body reaches its format's end
and raises :class:`~sources.base.ParseError` when it does not:

- HTML: a page that opens ``<html`` has its ``</html>``; one that does not (a fragment)
  ends with a tag (``>``);
- iCalendar: every ``BEGIN:VCALENDAR`` line has its ``END:VCALENDAR`` line;
- XML (RSS, Atom, Documents Online): the root element's end tag closes the body (only
  white space, comments or processing instructions after it);
- JavaScript data files (WTO): the body ends with a statement's end (``;`` or ``}``); a cut
  exactly between two statements cannot be seen, and is left to the count guard;
- JSON needs nothing here: a cut document is invalid JSON, which every reader refuses.

Example::

    >>> check_html(b"<html><body><ul><li>General Council", "https://example.org/")
    Traceback (most recent call last):
    ...
    sources.base.ParseError: https://example.org/: the page is cut off (no </html>)
"""

from __future__ import annotations

import re

from sources.base import ParseError

_HTML_OPEN = re.compile(rb"<html[\s>]", re.IGNORECASE)
_HTML_CLOSE = re.compile(rb"</html\s*>", re.IGNORECASE)
_CALENDAR_BEGIN = re.compile(r"^BEGIN:VCALENDAR[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_CALENDAR_END = re.compile(r"^END:VCALENDAR[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_XML_TAIL = rb"\s*>(?:\s|<!--.*?-->|<\?.*?\?>)*\Z"
_JS_LINE_COMMENT = re.compile(r"\s*//[^\"']*\Z")


def check_html(body: bytes, url: str) -> None:
    """ParseError unless the HTML ``body`` reaches its end (module docstring)."""
    if _HTML_OPEN.search(body):
        if not _HTML_CLOSE.search(body):
            raise ParseError(f"{url}: the page is cut off (no </html>)")
    elif body.strip() and not body.rstrip().endswith(b">"):
        raise ParseError(f"{url}: the page is cut off (it ends inside its text)")


def check_calendar(text: str, url: str) -> None:
    """ParseError unless every VCALENDAR of ``text`` ends (module docstring)."""
    if len(_CALENDAR_END.findall(text)) < len(_CALENDAR_BEGIN.findall(text)):
        raise ParseError(f"{url}: the calendar is cut off (no END:VCALENDAR)")


def check_xml(body: bytes, url: str) -> None:
    """ParseError unless the XML ``body`` ends with its root element's end tag."""
    data = _utf8(body).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not data.startswith(b"<"):
        return  # not XML at all: the reader says what it is
    prolog = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", data[:4096], flags=re.DOTALL)
    root = _XML_ROOT.search(prolog)
    if root is None:
        return  # not XML at all: the reader says what it is
    name = root.group(1)
    tail = re.compile(rb"</" + re.escape(name) + _XML_TAIL, re.DOTALL)
    if not tail.search(data[-65_536:]):
        raise ParseError(f"{url}: the XML is cut off (no </{name.decode()}> at its end)")


def check_javascript(text: str, url: str) -> None:
    """ParseError unless the script ``text`` ends with the end of a statement."""
    lines = text[-65_536:].rstrip().splitlines()
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("//")):
        lines.pop()  # trailing comment lines
    body = _JS_LINE_COMMENT.sub("", lines[-1]).rstrip() if lines else ""
    if body and body[-1] not in ";}":
        raise ParseError(f"{url}: the data file is cut off (it ends inside a statement)")


def _utf8(body: bytes) -> bytes:
    """``body`` as UTF-8 when it is UTF-16 (by its BOM); otherwise as it is."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16", errors="replace").encode("utf-8")
    return body
