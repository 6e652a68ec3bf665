"""The newsletter's tables as data: 國際經貿行事曆, 活動快訊 and 其他經貿相關活動.

The model holds every cell as the newsletter prints it (see
``reference/newsletter-tables.md``), so that each output format (Markdown, HTML, and later
DOCX and CSV) only lays the same cells out. Rules the model applies:

- **Which table.** An event's section is ``event.section`` if set, else its organization's
  section in the configuration (an empty ``event.section``, an editor's "no section",
  means none). An event with a section goes to the calendar, in that
  section, even when it is featured; one without a section goes to the events tables:
  featured ones to 活動快訊, the rest to 其他經貿相關活動.
- **Which events.** Kinds meeting, hearing and seminar; ``deadline`` events (comment
  periods and the like) are not printed in either table, since neither lists deadlines as
  rows. Cancelled and postponed events are left out.
- **Which dates.** An event belongs to the window ``[start, end]`` when its span of local
  dates at the venue overlaps it (a meeting on 4/28-29 appears in a window starting 4/29,
  printed with its whole span). Every date is the venue's local date.
- **Which order.** Rows follow the local start date, then the local start time (all-day
  events before timed ones on the same day), then the source, then the order in which the
  source listed them (``position``), then the uid, so the order is stable.
- **Which link.** The events tables print the event's short link (an editor's override,
  ``StoredEvent.short_url``) where one is set, else its URL, else its registration URL.
  An editor's note (``StoredEvent.note``) is carried in the row for the editor page, and
  not printed.

Editors' overrides (hidden, retitled, moved, featured, ...) are applied before the events
reach this module: callers pass :func:`aggregator.store.edited.edited_events`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from aggregator.core.distinct import distinct_meetings
from aggregator.core.model import SECTIONS, StoredEvent
from aggregator.core.settings import Config

CALENDAR_COLUMNS: tuple[str, ...] = ("日期", "星期", "會議")
EVENTS_COLUMNS: tuple[str, ...] = ("主辦/執行單位", "報名截止日期", "活動日期", "活動名稱", "活動網址")
BULLET = "⚫ "
ORGANIZATION_SEPARATOR = "："
TABLE_KINDS: frozenset[str] = frozenset({"meeting", "hearing", "seminar"})
SKIPPED_STATUSES: frozenset[str] = frozenset({"cancelled", "postponed"})
WEEKDAYS = "一二三四五六日"
RTA_SECTION = "RTA"


@dataclass(frozen=True)
class CalendarRow:
    """One meeting line of the calendar; ``uid``, ``url`` and ``note`` are for renderers
    and editors."""

    date: str
    weekday: str
    meeting: str
    uid: str
    url: str = ""
    note: str = ""

    def cells(self) -> tuple[str, str, str]:
        """The three printed cells: 日期, 星期, 會議."""
        return (self.date, self.weekday, self.meeting)


@dataclass(frozen=True)
class CalendarSection:
    """A section of the calendar: its heading, an optional sub-heading, and its rows."""

    name: str
    subheading: str | None
    rows: tuple[CalendarRow, ...]


@dataclass(frozen=True)
class CalendarTable:
    """國際經貿行事曆: title, window line, the three sections in order, footer."""

    title: str
    window: str
    columns: tuple[str, ...]
    sections: tuple[CalendarSection, ...]
    footer: str


@dataclass(frozen=True)
class EventsRow:
    """One event line of 活動快訊 or 其他經貿相關活動."""

    organizer: str
    deadline: str
    dates: str
    name: str
    url: str
    uid: str
    note: str = ""

    def cells(self) -> tuple[str, str, str, str, str]:
        """The five printed cells, in the order of :data:`EVENTS_COLUMNS`."""
        return (self.organizer, self.deadline, self.dates, self.name, self.url)


@dataclass(frozen=True)
class EventsTable:
    """One events table: its title, columns and rows."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[EventsRow, ...]


@dataclass(frozen=True)
class EventsTables:
    """活動快訊 (featured) and 其他經貿相關活動 (the rest), printed in that order."""

    featured: EventsTable
    other: EventsTable

    def tables(self) -> tuple[EventsTable, EventsTable]:
        return (self.featured, self.other)


def calendar_table(events: Sequence[StoredEvent], config: Config,
                   start: date, end: date) -> CalendarTable:
    """The calendar of meetings in ``[start, end]``, by section."""
    chosen = _printable(events, config, start, end, lambda section: section is not None)
    sections = tuple(
        CalendarSection(
            name=name,
            subheading=config.newsletter.rta_subheading if name == RTA_SECTION else None,
            rows=tuple(_calendar_row(stored, config, name, start.year != end.year)
                       for stored in chosen if event_section(stored, config) == name),
        )
        for name in SECTIONS
    )
    return CalendarTable(
        title=config.newsletter.calendar_title,
        window=format_window(start, end),
        columns=CALENDAR_COLUMNS,
        sections=sections,
        footer=config.newsletter.footer,
    )


def events_tables(events: Sequence[StoredEvent], config: Config,
                  start: date, end: date) -> EventsTables:
    """The events without a calendar section in ``[start, end]``: featured, then the rest."""
    chosen = _printable(events, config, start, end, lambda section: section is None)
    settings = config.newsletter

    def table(title: str, featured: bool) -> EventsTable:
        rows = tuple(_events_row(stored, config, start.year != end.year) for stored in chosen
                     if stored.event.featured == featured)
        return EventsTable(title=title, columns=EVENTS_COLUMNS, rows=rows)

    return EventsTables(featured=table(settings.featured_title, True),
                        other=table(settings.other_title, False))


def event_section(stored: StoredEvent, config: Config) -> str | None:
    """The calendar section of an event: its own, else its organization's, else None."""
    event = stored.event
    section = config.event_section(event)
    if section is not None and section not in SECTIONS:
        raise ValueError(f"event {event.uid}: unknown section {section!r} "
                         f"(known: {', '.join(SECTIONS)})")
    return section


def printed_under(stored: StoredEvent, config: Config) -> str:
    """The newsletter heading an event is printed under: its calendar section, else
    活動快訊 when featured, else 其他經貿相關活動 (titles from ``[newsletter]``). The one
    rule of the tables, the changes report, the editor page and the site."""
    section = event_section(stored, config)
    if section is not None:
        return section
    settings = config.newsletter
    return settings.featured_title if stored.event.featured else settings.other_title


def format_date_span(first: date, last: date, with_year: bool = False) -> str:
    """``M/D``, ``M/D-D`` within one month, ``M/D-M/D`` across months; with the years
    (``2024/12/30-2025/1/2``) when asked (for a window across years)."""
    if with_year:
        if first == last:
            return f"{first.year}/{first.month}/{first.day}"
        return f"{first.year}/{first.month}/{first.day}-{last.year}/{last.month}/{last.day}"
    if first == last:
        return f"{first.month}/{first.day}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.month}/{first.day}-{last.day}"
    return f"{first.month}/{first.day}-{last.month}/{last.day}"


def format_weekday_span(first: date, last: date) -> str:
    """Chinese weekday (一 .. 日) of a day, or ``一~二`` for a span."""
    if first == last:
        return WEEKDAYS[first.weekday()]
    return f"{WEEKDAYS[first.weekday()]}~{WEEKDAYS[last.weekday()]}"


def format_window(start: date, end: date) -> str:
    """The window line: ``2024 年 4 月 29 日～2024 年 5 月 23 日``."""
    return f"{_long_date(start)}～{_long_date(end)}"


def _long_date(day: date) -> str:
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def _printable(events: Iterable[StoredEvent], config: Config, start: date, end: date,
               wants_section: Callable[[str | None], bool]) -> list[StoredEvent]:
    """The events a table prints, in row order."""
    if end < start:
        raise ValueError(f"window ends ({end}) before it starts ({start})")
    chosen = [
        stored for stored in distinct_meetings(events)
        if stored.event.kind in TABLE_KINDS
        and stored.event.status not in SKIPPED_STATUSES
        and _overlaps(stored, start, end)
        and wants_section(event_section(stored, config))
    ]
    return sorted(chosen, key=_row_order)


def _overlaps(stored: StoredEvent, start: date, end: date) -> bool:
    first, last = stored.event.local_dates()
    return first <= end and last >= start


def _row_order(stored: StoredEvent) -> tuple[date, bool, time, str, int, str]:
    event = stored.event
    local = event.local_start()
    day, _ = event.local_dates()
    clock = local.time() if isinstance(local, datetime) else time.min
    return (day, event.time_known, clock, event.source, stored.position, event.uid)


def _calendar_row(stored: StoredEvent, config: Config, section: str,
                  with_year: bool = False) -> CalendarRow:
    event = stored.event
    first, last = event.local_dates()
    short_name = config.organization(event.organization).short_name
    name = event.title.strip()
    if short_name != section:  # WTO meetings in the WTO section stand alone
        name = f"{short_name}{ORGANIZATION_SEPARATOR}{name}"
    return CalendarRow(
        date=format_date_span(first, last, with_year),
        weekday=format_weekday_span(first, last),
        meeting=f"{BULLET}{name}",
        uid=event.uid,
        url=stored.short_url or event.url,
        note=stored.note,
    )


def _events_row(stored: StoredEvent, config: Config, with_year: bool = False) -> EventsRow:
    event = stored.event
    deadline = event.registration_deadline
    return EventsRow(
        organizer=config.organization(event.organization).short_name,
        deadline=(format_date_span(deadline, deadline, with_year) if deadline
                  else config.newsletter.no_deadline),
        dates=format_date_span(*event.local_dates(), with_year),
        name=event.title.strip(),
        url=stored.short_url or event.url or event.registration_url,
        uid=event.uid,
        note=stored.note,
    )
