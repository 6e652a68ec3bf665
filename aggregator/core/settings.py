"""The validated configuration as typed settings, one dataclass per table of config.toml.

``aggregator.config`` reads and validates the file into these; every other module only
reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aggregator.core.model import Event

DEFAULT_FOOTER = "資料來源：WTO、IMF/World Bank、OECD、APEC、ASEAN、USTR 等各組織行事曆"


@dataclass(frozen=True)
class SourceConfig:
    """A ``[sources.NAME]`` table of config.toml, validated."""

    name: str
    type: str
    url: str
    organization: str
    timezone: str
    enabled: bool = True
    section: str | None = None
    featured: bool = False
    schedule: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    known_organizations: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)
    """Names of the configured organizations (key and short name) → key and time zone."""
    channels: tuple[str, ...] = ()
    """The channels to try, in order, by name (empty: the type's default order; see
    ``sources.channels``)."""
    fetch: str = "plain"
    """How pages are loaded: "plain" (HTTP) or "browser" (headless Chromium)."""


@dataclass(frozen=True)
class Organization:
    """An ``[organizations.KEY]`` table: how the organization is printed and filed."""

    key: str
    short_name: str
    name: str = ""
    name_zh: str = ""
    section: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class FeedSettings:
    """The ``[feeds]`` table."""

    output: Path
    base_url: str
    refresh_interval_hours: int = 6
    past_days: int = 90
    future_days: int = 540
    calendar_name: str = "國際經貿行事曆 Trade calendar"
    retention_days: int = 30
    cancelled_prefix: str = "[已取消] "
    postponed_prefix: str = "[延期] "
    organization_prefix: tuple[str, ...] = ("all", "section")
    """Kinds of feed (all, organization, section, source) whose titles start with the
    organization's short name in brackets (``[IMF] ``)."""
    site_title: str = ""
    """Title of the public site (``index.html``); empty: ``calendar_name``."""


@dataclass(frozen=True)
class RefreshSettings:
    """The ``[refresh]`` table: when a changed or missing event is the same meeting."""

    match_days: int = 14
    min_count_ratio: float = 0.5
    recent_runs: int = 5
    full_refresh_hours: float = 24.0


@dataclass(frozen=True)
class FetchSettings:
    """The ``[fetch]`` table: how politely and patiently sites are fetched."""

    timeout: float = 30.0
    retries: int = 3
    max_bytes: int = 20_000_000
    max_redirects: int = 5
    user_agent: str = ""
    concurrency: int = 2
    delay: float = 1.0
    lock_timeout: float = 600.0
    robots: bool = True
    browser: str = "/usr/bin/chromium"
    """The Chromium that ``fetch = "browser"`` drives (never a bundled download)."""


@dataclass(frozen=True)
class ScheduleSettings:
    """The ``[schedule]`` table: defaults of ``tradecal schedule`` and of source health."""

    interval_hours: float = 6.0
    jitter_minutes: float = 10.0
    misfire_grace_minutes: float = 60.0
    stale_after: float = 3.0
    timezone: str = ""


@dataclass(frozen=True)
class ServeSettings:
    """The ``[serve]`` table: ``tradecal serve`` and its editor page."""

    host: str = "127.0.0.1"
    port: int = 8000
    token: str = ""


@dataclass(frozen=True)
class NewsletterSettings:
    """The ``[newsletter]`` table: titles and footer of the printed tables."""

    calendar_title: str = "國際經貿行事曆"
    featured_title: str = "活動快訊"
    other_title: str = "其他經貿相關活動"
    footer: str = DEFAULT_FOOTER
    rta_subheading: str = "CPTPP、RCEP"
    no_deadline: str = "逕自洽詢"


@dataclass(frozen=True)
class Config:
    """The whole validated configuration."""

    path: Path
    store_path: Path
    feeds: FeedSettings
    fetch: FetchSettings
    refresh: RefreshSettings
    schedule: ScheduleSettings
    serve: ServeSettings
    newsletter: NewsletterSettings
    organizations: Mapping[str, Organization]
    sources: Mapping[str, SourceConfig]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def organization(self, key: str) -> Organization:
        """The organization known by ``key`` (or by its short name); a bare one if unknown."""
        if key in self.organizations:
            return self.organizations[key]
        for org in self.organizations.values():
            if org.short_name == key:
                return org
        return Organization(key=key, short_name=key)

    def find_organization(self, name: str) -> Organization | None:
        """The configured organization ``name`` stands for: its key, short name, name or
        Chinese name, ignoring case and surrounding blanks; None when none matches."""
        return match_organization(self.organizations, name)

    @property
    def home_zone(self) -> str | None:
        """The desk's zone (``[schedule] timezone``; None: this machine's): the zone of
        "today" for exports and the feeds' window."""
        return self.schedule.timezone or None

    def section_of(self, organization: str) -> str | None:
        """The newsletter calendar section an organization's meetings go to, if any."""
        return self.organization(organization).section

    def event_section(self, event: Event) -> str | None:
        """The calendar section of an event: its own, else its organization's; an empty
        one (an editor's "no section") is none. The one rule of the tables and the feeds."""
        own = event.section
        return (own if own is not None else self.section_of(event.organization)) or None


def match_organization(organizations: Mapping[str, Organization],
                       name: str) -> Organization | None:
    """The organization of ``organizations`` that ``name`` stands for (its key, short name,
    name or Chinese name, ignoring case and surrounding blanks), or None."""
    wanted = " ".join(name.split()).casefold()
    if not wanted:
        return None
    for org in organizations.values():
        names = (org.key, org.short_name, org.name, org.name_zh)
        if any(" ".join(text.split()).casefold() == wanted for text in names if text):
            return org
    return None
