"""What a response holds, judged from its URL, Content-Type and first bytes.

Used where responses arrive unlabelled: the browser's data-bearing responses
(:mod:`aggregator.fetch.browser`), ``tradecal discover`` and the WTO page's script data.
"""

from __future__ import annotations

import re

_JSON_LD = re.compile(rb'"@(?:context|type)"\s*:')
_JS_DATA = re.compile(r"=\s*(?:new\s+Array\s*\(|\[|\{)")


def looks_like_js_data(text: str) -> bool:
    """True for JavaScript that declares data (``var x = new Array();``), even with no item."""
    return not text.lstrip().startswith("<") and bool(_JS_DATA.search(text))


def looks_like(url: str, content_type: str, body: bytes) -> str:
    """What a response holds: js-data, json, jsonld, xml, rss, ics, html or other."""
    kind = content_type.split(";")[0].strip().lower()
    path = url.split("?", 1)[0].lower()
    head = body[:2000].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"BEGIN:VCALENDAR") or kind == "text/calendar" or path.endswith(".ics"):
        return "ics"
    if re.match(rb"<(?:\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", head, re.S) \
            or "rss" in kind or "atom" in kind:
        return "rss"
    if head.startswith((b"{", b"[")) or "json" in kind:
        return "jsonld" if "ld+json" in kind or _JSON_LD.search(head) else "json"
    if head.startswith(b"<?xml") or kind.endswith("/xml"):
        return "xml"
    if head[:1] == b"<" or "html" in kind:
        return "html"
    if "javascript" in kind or path.endswith(".js"):
        text = body.decode("utf-8", errors="replace")
        return "js-data" if looks_like_js_data(text) else "other"
    return "other"
