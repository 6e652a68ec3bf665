"""Plain text out of the HTML fragments that feeds and APIs put in their fields, place
names out of their parts, and links made absolute. Shared by the source modules."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

_BLOCK = re.compile(r"<\s*br\s*/?\s*>|</?\s*(?:p|div|li|ul|ol|h[1-6]|tr|table|blockquote|section)"
                    r"\b[^>]*>", re.IGNORECASE)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: entities decoded, tags removed, a line per block
    (paragraph, list item, ``<br>``), spaces collapsed, empty lines dropped."""
    from bs4 import BeautifulSoup
    text = html.unescape(markup)
    if "<" in text and ">" in text:
        text = BeautifulSoup(_BLOCK.sub("\n", text), "html.parser").get_text()
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def join_place(name: str, street: str = "", *areas: str) -> str:
    """"Venue, street, city, country" without empty or repeated parts: a part equal to an
    earlier one, or a city or country the street already names ("臺北市大安區…"), is left out."""
    kept: list[str] = []
    for part in (name, street, *areas):
        folded = part.casefold()
        if not part or any(folded == earlier.casefold() for earlier in kept):
            continue
        if part in areas and street and folded in street.casefold():
            continue
        kept.append(part)
    return ", ".join(kept)


def absolute_url(base: str, link: str) -> str:
    """``link`` resolved against ``base`` (``urljoin``); "" for a link urllib refuses to
    read (an unclosed IPv6 host such as ``//[x``), so one broken link never fails a page."""
    try:
        return urljoin(base, link)
    except ValueError:
        return ""


DESCRIPTION_LIMIT = 600


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """``text`` cut at a word before ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
