"""Events on list pages whose markup is not known: found from the links to event pages.

OECD and World Bank list their events as cards that link to dated event pages
(``/en/events/YYYY/MM/…``). A card is the smallest block around such a link that holds a
date, without climbing into a block that links to another event; its title is its heading
(or a title-classed element, or the link's own text when that is not "Read more").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aggregator.core.dates import find_dates
from aggregator.core.model import Kind
from sources.lib.markup import shorten

if TYPE_CHECKING:  # the parser library is imported where it is used
    from bs4 import Tag

__all__ = ["HEADINGS", "card_and_title", "card_of", "kind_of_title", "shorten", "text_of",
           "title_of"]

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_GENERIC_LINK = re.compile(r"^(?:read|learn|find out|see|watch|register|more|details)\b", re.I)
_MEETING = re.compile(r"\b(?:Meetings?|Ministerial|Council|Committee|Forum)\b")


def text_of(element: Tag | None) -> str:
    """An element's text with its white space folded."""
    return " ".join(element.get_text(" ").split()) if element is not None else ""


def card_of(anchor: Tag, url: str, event_url: Callable[[str, str], str | None]) -> Tag:
    """The block around ``anchor`` (a link to ``url``) that first holds a date, climbing no
    higher than the blocks that link to no other event; ``event_url(href, base)`` says which
    links are event pages (None for the others)."""
    from bs4 import Tag
    node = anchor
    while not find_dates(text_of(node)):
        parent = node.parent
        if not isinstance(parent, Tag) or parent.name in ("body", "html", "main"):
            break
        others = {event_url(a["href"], url) for a in parent.find_all("a", href=True)}
        if others - {url, None}:
            break
        node = parent
    return node


def card_and_title(links: list[Tag], url: str,
                   event_url: Callable[[str, str], str | None]) -> tuple[Tag, str]:
    """The card of an event page's ``links`` (to ``url``; the first link's card) and the
    event's title: the first link's with a title, else the card's ("" when none has one)."""
    card = card_of(links[0], url, event_url)
    return card, next((title for title in map(title_of, links) if title), "") or title_of(card)


def title_of(block: Tag) -> str:
    """The heading (or title-classed text) in a link or card, else a link's own text."""
    heading = block.find(HEADINGS) or block.select_one("[class*=title]")
    text = text_of(heading) if heading is not None else text_of(block) if block.name == "a" else ""
    return "" if _GENERIC_LINK.match(text) else text


def kind_of_title(title: str) -> Kind:
    """``meeting`` for councils, committees, ministerials, forums and meetings, else
    ``seminar`` (conferences, launches, webinars)."""
    return "meeting" if _MEETING.search(title) else "seminar"
