"""Events announced in an RSS 2.0 or Atom feed: ``type = "rss"``.

Channel: the feed at ``url``, read with feedparser (RSS 0.9x/1.0/2.0 and Atom, any
encoding, relative links resolved against the feed). Organizations announce seminars and
meetings as news items: 國際貿易署 ``/RSS/RSS.aspx?nodeID=…``, WTO news, WordPress
``/feed``. Confidence: high for reading the feed; the event date is free text, so medium.

Each item is one event candidate. A feed's own date (``pubDate``, ``updated``) is when the
item was published, not when the event takes place, so the event date is read from the
item's title, else from its summary (HTML removed), in any form :mod:`aggregator.core.dates`
reads: "May 7, 2024", "22 - 23 July 2024", "2024年5月7日", ROC "113年5月7日",
"113/05/07", "5月7日(二)" (a date without a year takes the year nearest the publication
date). A date labelled as a deadline ("報名截止", "deadline", "due") is not the event date;
it becomes the ``registration_deadline`` when it is on or before the event. A time or time
range written right after the event date ("下午2時至4時", "14:00~16:00") makes a timed event
in the source's ``timezone``; otherwise the event is all-day. An item without an event date
is skipped (it is news, not an event) unless option ``use_published = true``, which makes
its publication day an all-day event.

Fields: title (status markers taken out), ``link`` → url, the summary as description, a
"地點：…" / "Venue: …" / "Location: …" line of the summary → location. Key: the item's link,
else its guid, else organization, title and date.

Options: ``use_published`` (bool, default false), ``kind`` (str: meeting, seminar, hearing
or deadline; default meeting).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aggregator.core.dates import DateSpan, find_any_dates, parse_time_range
from aggregator.core.encoding import without_surrogate_references
from aggregator.core.model import KINDS, Event, EventError, title_date_key
from aggregator.core.status import status_from_title
from sources.base import Notice, ParseError, Response, Source
from sources.lib.complete import check_xml
from sources.lib.markup import html_to_text
from sources.lib.when import event_times

_DEADLINE = re.compile(r"截止|期限|deadline|due\b|closes?\b|register by|registration by|"
                       r"apply by|until\b", re.IGNORECASE)
_LOCATION = re.compile(r"^\s*(?:活動|會議|舉辦)?(?:地點|地址|場地|Venue|Location|Place|Where)"
                       r"\s*[:：]\s*(?P<place>.+)$", re.IGNORECASE | re.MULTILINE)
_LABEL_REACH = 16  # characters before a date that may hold its label
_TIME_REACH = 40  # characters after a date that may hold its time


@dataclass(frozen=True)
class WhenAndDeadline:
    """An item's event start and end (dates, or times) and its registration deadline."""

    start: date | datetime
    end: date | datetime | None
    deadline: date | None


class RssSource(Source):
    """Events announced as the items of an RSS or Atom feed."""

    type = "rss"
    lists_all_upcoming = False  # a feed shows only its latest items
    options = {"use_published": bool, "kind": str}

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> dict[str, str]:
        if options.get("kind", "meeting") not in KINDS:
            return {"kind": f"must be one of {', '.join(KINDS)}"}
        return {}

    def parse(self, response: Response) -> Iterator[Event | Notice]:
        skipped = 0
        for entry in read_feed(response).entries:
            try:
                event = self.event_of(entry)
            except (EventError, ValueError, TypeError, OverflowError):
                skipped += 1  # one unreadable item never costs the feed
                continue
            if event is not None:
                yield event
        if skipped:
            yield Notice(f"{response.url}: {skipped} unreadable item(s) skipped")

    def event_of(self, entry: Mapping[str, Any]) -> Event | None:
        """The event a feed item announces, or None when it has no title or event date."""
        marked = status_from_title(html_to_text(entry.get("title", "") or ""))
        summary = _parse_summary(entry)
        published = self._parse_published(entry)
        when = self._parse_when(marked.title, summary, published)
        if not marked.title or when is None:
            return None
        link = (entry.get("link") or "").strip()
        link = link if link.startswith(("http://", "https://")) else ""
        key = link or (entry.get("id") or "").strip() or title_date_key(
            self.organization, marked.title, when.start)
        return self.event(
            source_key=key, title=marked.title, start=when.start, end=when.end,
            location=_parse_location(summary), url=link,
            status=marked.status or "confirmed",
            kind=self.config.options.get("kind", "meeting"),
            registration_deadline=when.deadline, description=summary)

    def _parse_published(self, entry: Mapping[str, Any]) -> date | None:
        """The publication day in the source's zone (feedparser gives UTC)."""
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if not stamp:
            return None
        year, month, day, hour, minute, second = stamp[:6]
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        return moment.astimezone(ZoneInfo(self.timezone)).date()

    def _parse_when(self, title: str, summary: str, published: date | None
                    ) -> WhenAndDeadline | None:
        """The event date of an item: the title's, else the summary's; the time written after
        it (in the summary too, for a title's single day); the deadline from either text."""
        when = self._when_in(title, published) or self._when_in(summary, published)
        if when is None:
            if published is not None and self.config.options.get("use_published", False):
                # an announcement: its deadline ("報名截止日：…") is kept whatever its day
                deadline = _first_deadline(f"{title}\n{summary}", published, date.max)
                return WhenAndDeadline(published, published, deadline)
            return None
        if not isinstance(when.start, datetime) and when.end == when.start:
            timed = self._when_in(summary, published, on=when.start)
            if timed is not None and isinstance(timed.start, datetime):
                when = WhenAndDeadline(timed.start, timed.end, when.deadline or timed.deadline)
        if when.deadline is None:
            first = when.start.date() if isinstance(when.start, datetime) else when.start
            deadline = _first_deadline(summary, published, first)
            when = WhenAndDeadline(when.start, when.end, deadline)
        return when

    def _when_in(self, text: str, reference: date | None, on: date | None = None
                 ) -> WhenAndDeadline | None:
        """The first date in ``text`` that is not a deadline (the first that is ``on`` that
        day, when given), with its time and the deadline before it."""
        spans = find_any_dates(text, reference)
        deadlines = [span for span in spans if _is_deadline(text, span)]
        events = [span for span in spans if span not in deadlines
                  and (on is None or span.first == span.last == on)]
        if not events:
            return None
        span = events[0]
        deadline = next((d.first for d in deadlines if d.first <= span.first), None)
        times = None
        if span.first == span.last:
            after = text[span.end:span.end + _TIME_REACH].split("\n")[0]
            times = parse_time_range(after)
        if times is None:
            return WhenAndDeadline(span.first, span.last, deadline)
        start, end = event_times(span.first, span.first, times, self.timezone)
        return WhenAndDeadline(start, end, deadline)


def read_feed(response: Response) -> Any:
    """The feedparser result; ParseError (naming the URL) when the body is not a feed."""
    import feedparser
    headers = {key.lower(): value for key, value in response.headers.items()}
    headers.setdefault("content-location", response.url)
    check_xml(response.body, response.url)
    try:
        feed = feedparser.parse(without_surrogate_references(response.body),
                                response_headers=headers)
    except (ValueError, LookupError) as exc:  # feedparser's decoding gave up (a NUL in a charset)
        raise ParseError(f"{response.url}: not an RSS or Atom feed (unreadable: {exc})") from None
    if not feed.get("version") and not feed.entries:
        reason = feed.get("bozo_exception") or "no RSS or Atom feed found"
        raise ParseError(f"{response.url}: not an RSS or Atom feed ({reason})")
    return feed


def _is_deadline(text: str, span: DateSpan) -> bool:
    """Whether the words just before a date on its line call it a deadline ("報名截止：")."""
    label = text[max(0, span.start - _LABEL_REACH):span.start].split("\n")[-1]
    return bool(_DEADLINE.search(label))


def _first_deadline(text: str, reference: date | None, first_day: date) -> date | None:
    spans = find_any_dates(text, reference)
    return next((span.first for span in spans
                 if _is_deadline(text, span) and span.first <= first_day), None)


def _parse_summary(entry: Mapping[str, Any]) -> str:
    summary = entry.get("summary") or ""
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value", "")
    return html_to_text(summary)


def _parse_location(summary: str) -> str:
    match = _LOCATION.search(summary)
    return " ".join(match["place"].split()).rstrip("。.;；") if match else ""
