"""What the site shows of an event: one :class:`SiteEvent` per meeting of ``all.ics``.

The site takes the same events as ``all.ics`` (:func:`site_events`: the published events,
one per meeting), so the agenda, ``events.json`` and the feed cannot disagree. Each event
knows its newsletter section (WTO / RTA / APEC 及其他國際組織 for the calendar sections, else
活動快訊 when featured, else 其他經貿相關活動), its organization's display name, its anchor
(``e-`` and a hash of the UID: stable, and safe in a URL and a file name; its ``.ics``
file adds a hash of its content), and its time in
the venue's zone and in Taipei's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aggregator.core.distinct import distinct_meetings
from aggregator.core.model import SECTIONS, StoredEvent
from aggregator.core.settings import Config, Organization
from feeds.feedset import published_events
from feeds.tables import printed_under

TAIPEI = "Asia/Taipei"
WEEKDAYS = "一二三四五六日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ZONE_PLACES: dict[str, str] = {
    "Europe/Zurich": "日內瓦", "Europe/Paris": "巴黎", "America/New_York": "美東",
    "America/Washington": "華府", "Asia/Jakarta": "雅加達", "Asia/Shanghai": "北京",
    "America/Lima": "利馬", "Asia/Seoul": "首爾", "Asia/Tokyo": "東京",
    "Asia/Singapore": "新加坡", "Europe/Brussels": "布魯塞爾", "Europe/London": "倫敦",
    "Asia/Bangkok": "曼谷", "Asia/Manila": "馬尼拉", "Australia/Sydney": "雪梨",
    "Asia/Kuala_Lumpur": "吉隆坡", "Asia/Ho_Chi_Minh": "胡志明市", "UTC": "UTC",
    TAIPEI: "台北",
}
"""How a zone is named next to a venue time; others are named by their city (``Lima``)."""
STATUS_MARKS: dict[str, tuple[str, str]] = {
    "cancelled": ("已取消", "Cancelled"), "postponed": ("延期", "Postponed"),
    "tentative": ("暫定", "Tentative"), "changed": ("已變更", "Changed"),
}


@dataclass(frozen=True)
class SiteEvent:
    """One meeting as the site prints it."""

    stored: StoredEvent
    anchor: str
    section: str
    organization: str
    """The organization's key (filters select by it)."""
    organizer: str
    """Its display name, Chinese first (``世界貿易組織 WTO``)."""
    first: date
    last: date
    ics_name: str
    """Its own ``.ics`` file: the anchor and a hash of what the file holds, so an
    unchanged event's file is never rebuilt (:func:`ics_file_name`)."""

    @property
    def uid(self) -> str:
        return self.stored.event.uid

    @property
    def title(self) -> str:
        return self.stored.event.title.strip()

    @property
    def marks(self) -> list[str]:
        """Keys of :data:`STATUS_MARKS` that apply: its status, and ``changed`` when a
        field subscribers see changed since it was first published."""
        status = self.stored.event.status
        marks = [status] if status != "confirmed" else []
        return marks + (["changed"] if self.stored.sequence > 0 else [])

    @property
    def week(self) -> date:
        """The Monday of the week the event starts in."""
        return self.first - timedelta(days=self.first.weekday())


def site_events(events: Iterable[StoredEvent], config: Config, today: date) -> list[SiteEvent]:
    """The events of ``all.ics`` on ``today``, in start order."""
    chosen = distinct_meetings(published_events(list(events), config, today))
    made = [site_event(stored, config) for stored in chosen]
    return sorted(made, key=lambda item: (item.first, start_key(item.stored), item.title,
                                          item.uid))


def upcoming(events: Sequence[SiteEvent], today: date) -> list[SiteEvent]:
    """The events whose last day is today or later."""
    return [item for item in events if item.last >= today]


def site_event(stored: StoredEvent, config: Config) -> SiteEvent:
    event = stored.event
    section = printed_under(stored, config)
    first, last = event.local_dates()
    org = config.organization(event.organization)
    return SiteEvent(stored, anchor(event.uid), section, org.key, display_name(org),
                     first, last, ics_file_name(stored, config))


def ics_file_name(stored: StoredEvent, config: Config) -> str:
    """``e-<anchor hash>-<8 hex>.ics``: the hex digits hash what the file is built from
    (the event, its SEQUENCE, CREATED, LAST-MODIFIED, the feed settings), not last_seen."""
    settings = config.feeds
    content = repr((stored.event, stored.sequence, stored.first_seen, stored.last_changed,
                    settings.calendar_name, settings.refresh_interval_hours,
                    settings.cancelled_prefix, settings.postponed_prefix))
    digest = hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{anchor(stored.event.uid)}-{digest}.ics"


def section_order(config: Config) -> list[str]:
    """The sections in the newsletter's order."""
    return [*SECTIONS, config.newsletter.featured_title, config.newsletter.other_title]


def anchor(uid: str) -> str:
    """``e-`` and 12 hex digits of the UID's hash: the event's anchor and file name."""
    return "e-" + hashlib.sha256(uid.encode("utf-8")).hexdigest()[:12]


def display_name(org: Organization) -> str:
    """``世界貿易組織 WTO``; the short name alone when it is the Chinese name."""
    parts = [org.name_zh, org.short_name] if org.short_name != org.name_zh else [org.name_zh]
    return " ".join(part for part in parts if part) or org.key


def start_key(stored: StoredEvent) -> datetime:
    start = stored.event.start
    if isinstance(start, datetime):
        return start
    return datetime.combine(start, datetime.min.time(), tzinfo=ZoneInfo("UTC"))


def zone_place(zone: str) -> str:
    """The name printed before a venue time (:data:`ZONE_PLACES`, else the zone's city)."""
    return ZONE_PLACES.get(zone) or zone.rsplit("/", 1)[-1].replace("_", " ")


def time_text(item: SiteEvent) -> str:
    """``日內瓦 10:00–13:00（台北 16:00–19:00）``; ``台北 14:00`` for Taipei; "" when
    only the days are known."""
    event = item.stored.event
    if not isinstance(event.start, datetime):
        return ""
    venue = _span(event.start, event.end, event.timezone)
    place = zone_place(event.timezone)
    if event.timezone == TAIPEI:
        return f"{place} {venue}"
    taipei = _span(event.start, event.end, TAIPEI)
    moved = event.start.astimezone(ZoneInfo(TAIPEI)).date() != item.first
    day = f"{WEEKDAYS[event.start.astimezone(ZoneInfo(TAIPEI)).weekday()]} " if moved else ""
    return f"{place} {venue}（台北 {day}{taipei}）"


def _span(start: datetime, end: object, zone: str) -> str:
    local = start.astimezone(ZoneInfo(zone))
    text = local.strftime("%H:%M")
    if isinstance(end, datetime):
        finish = end.astimezone(ZoneInfo(zone))
        if finish.date() == local.date() and finish != local:
            text += "–" + finish.strftime("%H:%M")
    return text


def date_text(item: SiteEvent) -> str:
    """``12/7（一）`` or ``12/7（一）–12/9（三）``."""
    def one(day: date) -> str:
        return f"{day.month}/{day.day}（{WEEKDAYS[day.weekday()]}）"
    if item.first == item.last:
        return one(item.first)
    return f"{one(item.first)}–{one(item.last)}"


def week_title(monday: date) -> tuple[str, str]:
    """Chinese and English heading of a week."""
    sunday = monday + timedelta(days=6)
    return (f"{monday.year} 年 {monday.month} 月 {monday.day} 日–{sunday.month} 月 "
            f"{sunday.day} 日", f"Week of {monday:%d %b %Y}")
