"""Text of a response body: the right character set, whether it is declared or not.

Order of evidence: a byte-order mark; the ``charset`` of the Content-Type header; a
``<meta charset>`` or ``<meta http-equiv>`` in the page (or an XML declaration); then
strict UTF-8; then Big5 as Taiwanese sites write it (CP950, a superset); then Beautiful
Soup's own detection. "big5" declared anywhere is read as CP950, whose extra characters
(e.g. 碁, 銹) plain Big5 lacks.

Escaped text can decode to what no UTF-8 file or store can hold: a lone surrogate (JSON
``"\\ud800"``, JavaScript ``'\\udc00'``, XML ``&#xD800;``). :func:`load_json`,
:func:`without_surrogates` and :func:`without_surrogate_references` make each one U+FFFD
(and join a JavaScript pair into its character).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

ALIASES = {"big5": "cp950", "big-5": "cp950", "x-x-big5": "cp950", "cn-big5": "cp950",
           "gb2312": "gb18030", "gbk": "gb18030"}
FALLBACKS = ("utf-8", "cp950")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_SURROGATE = re.compile("[\ud800-\udfff]")
_CHAR_REFERENCE = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")


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
    from bs4.dammit import EncodingDetector, UnicodeDammit
    declared = [canonical(header_charset(headers or {}))]
    bom_stripped, bom_encoding = EncodingDetector.strip_byte_order_mark(body)
    if bom_encoding:
        return bom_stripped.decode(bom_encoding, errors="replace")
    in_document = EncodingDetector.find_declared_encoding(body, is_html=is_html)
    declared.append(canonical(in_document))
    for encoding in [e for e in declared if e] + list(FALLBACKS):
        try:
            return body.decode(encoding)
        except (LookupError, ValueError):  # UnicodeDecodeError, or a NUL in the codec's name
            continue
    dammit = UnicodeDammit(body, is_html=is_html)
    if dammit.unicode_markup is not None:
        return dammit.unicode_markup
    return body.decode("utf-8", errors="replace")


ENCODING_NAMES = {"utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8", "cp950": "Big5 (CP950)"}


def decode_text_file(body: bytes) -> tuple[str, str]:
    """A text file as offices save it (a CSV from Excel): UTF-8 with or without a BOM, else
    Big5 as Excel writes it in Taiwan (CP950). Returns the text and the encoding's name as
    people know it (:data:`ENCODING_NAMES`); UnicodeDecodeError when it is none of them."""
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8"), ENCODING_NAMES["utf-8-sig"]
    try:
        return body.decode("utf-8"), ENCODING_NAMES["utf-8"]
    except UnicodeDecodeError as not_utf8:
        try:
            return body.decode("cp950"), ENCODING_NAMES["cp950"]
        except UnicodeDecodeError:
            raise not_utf8 from None


def without_surrogates(text: str) -> str:
    """``text`` with each surrogate pair joined into its character and each lone surrogate
    made U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def without_surrogate_references(body: bytes) -> bytes:
    """XML or HTML bytes with each character reference to a surrogate (``&#xD800;``,
    ``&#55296;``) made ``&#xFFFD;``: lxml's recovering parser keeps one as bytes that fail
    when the text is read, and feedparser fails on it outright."""
    return _CHAR_REFERENCE.sub(_surrogate_reference, body)


def _surrogate_reference(match: re.Match[bytes]) -> bytes:
    digits = match[1].decode("ascii")
    number = int(digits[1:], 16) if digits[0] in "xX" else int(digits)
    return b"&#xFFFD;" if 0xD800 <= number <= 0xDFFF else match[0]


def load_json(text: str | bytes, **options: Any) -> Any:
    """``json.loads(text, **options)`` with every string (keys too) :func:`without_surrogates`;
    a document nested too deeply to read is a ``json.JSONDecodeError`` too."""
    try:
        return _clean_strings(json.loads(text, **options))
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", str(text[:40]), 0) from None


def _clean_strings(value: Any) -> Any:
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, list):
        return [_clean_strings(item) for item in value]
    if isinstance(value, dict):
        return {_clean_strings(key): _clean_strings(item) for key, item in value.items()}
    return value
