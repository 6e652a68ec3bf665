"""``month.html``: a month grid (Monday first) for this month and each later month that has
meetings, up to :data:`MAX_MONTHS`; each meeting links to its entry in the agenda.

A meeting is listed on each of its days, up to :data:`MAX_SPAN_DAYS`; a longer one only on
its first day (a six-week consultation would fill the grid).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from feeds.html import escape
from feeds.site.layout import Frame, bilingual, lang_of, page
from feeds.site.model import WEEKDAYS, WEEKDAYS_EN, SiteEvent

MAX_MONTHS = 12
MAX_SPAN_DAYS = 14
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


def month_page(frame: Frame, events: Sequence[SiteEvent], today: date) -> str:
    """The page: one grid per month from ``today``'s month."""
    by_day: dict[date, list[SiteEvent]] = defaultdict(list)
    for item in events:
        span = (item.last - item.first).days
        days = range(span + 1) if span < MAX_SPAN_DAYS else range(1)
        for offset in days:
            by_day[item.first + timedelta(days=offset)].append(item)
    last = max([today, *by_day])
    months: list[str] = []
    year, month = today.year, today.month
    while (year, month) <= (last.year, last.month) and len(months) < MAX_MONTHS:
        months.append(_grid(year, month, by_day, today))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return page(frame, "month.html", "月曆 Month view", "\n".join(months))


def _grid(year: int, month: int, by_day: dict[date, list[SiteEvent]], today: date) -> str:
    heading = f"{year} 年 {month} 月"
    head = "".join(f'<th scope="col"><abbr title="{en}">{zh}</abbr></th>'
                   for zh, en in zip(WEEKDAYS, WEEKDAYS_EN))
    rows = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells = [_cell(day, by_day.get(day, []), day.month == month, day == today)
                 for day in week]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<section class="month" aria-label="{escape(heading)}">'
            f"<h2>{bilingual(heading, f'{MONTHS_EN[month - 1]} {year}')}</h2>\n"
            f'<table class="grid"><thead><tr>{head}</tr></thead>\n<tbody>'
            + "\n".join(rows) + "</tbody></table></section>")


def _cell(day: date, items: list[SiteEvent], inside: bool, is_today: bool) -> str:
    classes = " ".join(name for name, on in (("out", not inside), ("today", is_today)) if on)
    label = f'<span class="day">{day.day}</span>'
    links = "".join(
        f'<li class="{" ".join(f"is-{key}" for key in item.marks)}">'
        f'<a href="index.html#{item.anchor}"{lang_of(item.title)}>{escape(item.title)}</a></li>'
        for item in items) if inside else ""
    listed = f"<ul>{links}</ul>" if links else ""
    current = ' aria-current="date"' if is_today else ""
    return f'<td class="{classes}"{current}>{label}{listed}</td>'
