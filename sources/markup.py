"""Plain text out of the HTML fragments that feeds and APIs put in their fields, and place
names out of their parts. Shared by the generic adapters (ics, jsonld, rss, tribe)."""

from __future__ import annotations

import html
import re

from bs4 import BeautifulSoup

_BLOCK = re.compile(r"<\s*br\s*/?\s*>|</?\s*(?:p|div|li|ul|ol|h[1-6]|tr|table|blockquote|section)"
                    r"\b[^>]*>", re.IGNORECASE)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: entities decoded, tags removed, a line per block
    (paragraph, list item, ``<br>``), spaces collapsed, empty lines dropped."""
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
