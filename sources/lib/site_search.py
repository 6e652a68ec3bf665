"""An organization's site search (a JSON API) or its events page (HTML), told apart by the
body: the search envelope checked, the query a search page answers, and the plain text of
the HTML its fields hold.

OECD and World Bank offer both channels and read either whatever their ``mode`` (so that
``tradecal parse`` works on both kinds of saved file): a body that opens with ``{`` or ``[``
is the search's answer, anything else the events page (:func:`sources.lib.listing.page_soup`).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aggregator.core.encoding import decode_body, load_json
from sources.base import ParseError, Response


def read_search(response: Response, items: str, shape: type[list[Any]] | type[dict[str, Any]],
                what: str) -> dict[str, Any] | None:
    """The search envelope, whose ``items`` entry is a list or dict (``shape``); None when
    the body is a page, not JSON; ParseError (naming the URL) for JSON of another form,
    ``what`` naming the expected answer ("an OECD search response")."""
    text = decode_body(response.body, response.headers)
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        data = load_json(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{response.url}: not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get(items), shape):
        noun = "list" if shape is list else "object"
        raise ParseError(f"{response.url}: not {what} (no {items!r} {noun})")
    return data


def search_query(response: Response) -> dict[str, str]:
    """The parameters a search response answers: its URL's query, with the request's own."""
    query = dict(parse_qsl(urlsplit(response.url).query))
    if response.request is not None:
        query.update(response.request.params)
    return query


def plain_text(value: object) -> str:
    """Text of a JSON string that may hold HTML tags or entities ("" for a non-string)."""
    from bs4 import BeautifulSoup
    if not isinstance(value, str):
        return ""
    return " ".join(BeautifulSoup(value, "html.parser").get_text(" ").split())
