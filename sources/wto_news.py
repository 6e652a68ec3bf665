"""Which WTO news items announce a meeting: the WTO source's news channels (option
``meetings_only``), the news data file ``/library/news/current_news_e.js`` and the news RSS
``/library/rss/latest_news_e.xml``.

Kept (confirmed on the real 2013 news file, ``tests/fixtures/wto``):

- the Dispute Settlement Body's "next meeting" item ("Items proposed for consideration at
  the next meeting of Dispute Settlement Body"): its ``ni_date`` is the meeting's date and
  time (10:00 Geneva); the event is titled "Dispute Settlement Body meeting";
- "Trade Policy Review: X", whose ``ni_date`` is ``start#end`` of the review's sessions;
- a General Council, council, committee, body or working party meeting named as such in the
  headline ("General Council meeting", "Committee on Agriculture meets").

Left out: speeches, press releases, dispute filings and reports, news that only names a
council ("General Council appoints Azevêdo as next Director-General").

In the RSS the date is the publication time, so a kept item's meeting day is read from its
text ("the next meeting, on 24 May 2013") when it says one, else the publication day; it is
all-day (the feed gives no meeting time).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aggregator.core.dates import find_dates
from aggregator.core.model import Event, title_date_key
from aggregator.core.status import status_from_title
from sources.base import Response
from sources.generic.rss import read_feed

DSB_TITLE = "Dispute Settlement Body meeting"
_DSB = re.compile(r"\bnext meeting of (?:the )?Dispute Settlement Body\b|"
                  r"\bDispute Settlement Body\b.{0,40}\bnext meeting\b", re.IGNORECASE)
_TPR = re.compile(r"^\s*Trade Policy Review\s*:\s*\S", re.IGNORECASE)
_BODY = (r"(?:General Council|Council for Trade in (?:Goods|Services)|TRIPS Council|"
         r"Council|Committee|Sub-Committee|Dispute Settlement Body|Trade Negotiations "
         r"Committee|Working Party|Negotiating Group)")
_MEETING = re.compile(rf"\b{_BODY}\b[^.;:]{{0,80}}?\b(?:meeting|meets|session)\b|"
                      rf"\bmeeting of (?:the )?{_BODY}\b", re.IGNORECASE)
_NOT_MEETING = re.compile(r"\b(?:appoints?|speech|press release|requests? (?:for )?"
                          r"consultations|panel report|files?|rules?|adopts? report)\b",
                          re.IGNORECASE)


def meeting_title(headline: str) -> str | None:
    """The title of the meeting a news headline announces, or None for other news."""
    if _DSB.search(headline):
        return DSB_TITLE
    if _TPR.search(headline):
        return " ".join(headline.split())
    if _MEETING.search(headline) and not _NOT_MEETING.search(headline):
        return " ".join(headline.split())
    return None


def rss_meetings(source_event: Callable[..., Event], response: Response, zone: ZoneInfo,
                 ) -> Iterator[Event]:
    """The meetings announced by the items of the WTO news RSS."""
    feed = read_feed(response)  # ParseError when cut short or not a feed
    for entry in feed.entries:
        headline = re.sub(r"<[^>]*>", " ", str(entry.get("title", "")))
        marked = status_from_title(" ".join(headline.split()))
        title = meeting_title(marked.title)
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        posted = (datetime(*published[:6]).replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()
                  if published else None)
        text = re.sub(r"<[^>]*>", " ", str(entry.get("summary", "")))
        day = _meeting_day(text, posted)
        if title is None or day is None:
            continue
        link = str(entry.get("link", "")).strip()
        yield source_event(source_key=link or title_date_key("WTO", title, day), title=title,
                           start=day, url=link, status=marked.status or "confirmed",
                           kind="meeting", description=" ".join(text.split()))


def _meeting_day(text: str, posted: date | None) -> date | None:
    """The day the text gives for the meeting ("on 24 May 2013"), else the posting day."""
    spans = find_dates(text, posted)
    return spans[0].first if spans else posted
