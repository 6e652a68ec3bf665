"""Text of a response body: the right character set, whether it is declared or not.

Order of evidence: a byte-order mark; the ``charset`` of the Content-Type header; a
``<meta charset>`` or ``<meta http-equiv>`` in the page (or an XML declaration); then
strict UTF-8; then Big5 as Taiwanese sites write it (CP950, a superset); then Beautiful
Soup's own detection. "big5" declared anywhere is read as CP950, whose extra characters
(e.g. 碁, 銹) plain Big5 lacks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bs4.dammit import EncodingDetector, UnicodeDammit

ALIASES = {"big5": "cp950", "big-5": "cp950", "x-x-big5": "cp950", "cn-big5": "cp950",
           "gb2312": "gb18030", "gbk": "gb18030"}
FALLBACKS = ("utf-8", "cp950")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def header_charset(headers: Mapping[str, str]) -> str | None:
    """The charset named by a Content-Type header, if any (header names in any case)."""
    for name, value in headers.items():
        if name.lower() == "content-type":
            match = _CHARSET.search(value)
            return match.group(1) if match else None
    return None


def canonical(encoding: str | None) -> str | None:
    """The codec to use for a declared encoding name (Big5 → CP950)."""
    if not encoding:
        return None
    name = encoding.strip().lower()
    return ALIASES.get(name, name)


def decode_body(body: bytes, headers: Mapping[str, str] | None = None,
                is_html: bool = True) -> str:
    """The body as text, by the order of evidence in the module docstring."""
    declared = [canonical(header_charset(headers or {}))]
    bom_stripped, bom_encoding = EncodingDetector.strip_byte_order_mark(body)
    if bom_encoding:
        return bom_stripped.decode(bom_encoding, errors="replace")
    in_document = EncodingDetector.find_declared_encoding(body, is_html=is_html)
    declared.append(canonical(in_document))
    for encoding in [e for e in declared if e] + list(FALLBACKS):
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    dammit = UnicodeDammit(body, is_html=is_html)
    if dammit.unicode_markup is not None:
        return dammit.unicode_markup
    return body.decode("utf-8", errors="replace")
