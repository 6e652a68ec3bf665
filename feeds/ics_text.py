"""What a subscriber reads of an event in a feed: its SUMMARY, DESCRIPTION and CATEGORIES,
in the names people know (``世界銀行 World Bank``), never the configuration's keys
(``WorldBank``, ``wb_events``).

- SUMMARY: the status prefix (``[已取消] ``, ``[延期] ``), then, in the feeds that mix
  organizations (``all.ics`` and the section feeds by default, ``[feeds]
  organization_prefix``), the organization's short name in brackets (``[IMF] ``), unless
  the title already starts with it; then the title.
- DESCRIPTION: ``主辦 Organization:`` the organization's Chinese and English names,
  ``來源 Source:`` the site the event was read from (``wto.org``; ``編輯部匯入 Added by the
  editors`` for the import CSV), the registration lines, then the event's own text.
- CATEGORIES: the organization's short name, the newsletter section (if any) and the kind
  in Chinese and English (``會議 Meeting``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aggregator.core.model import Event
from aggregator.core.settings import Config, Organization

KIND_LABELS: Mapping[str, str] = {"meeting": "會議 Meeting", "seminar": "研討會 Seminar",
                                  "hearing": "聽證會 Hearing", "deadline": "截止日 Deadline"}
MANUAL_SOURCE = "manual"
MANUAL_LABEL = "編輯部匯入 Added by the editors"


@dataclass(frozen=True)
class OrgLabel:
    """How an organization is named to subscribers."""

    short: str
    full: str  # Chinese and English names, ``世界貿易組織 World Trade Organization (WTO)``
    section: str | None = None


@dataclass(frozen=True)
class EventText:
    """The names and prefixes a feed writes; a bare one names everything by its key."""

    prefixes: Mapping[str, str] = field(default_factory=dict)  # by status
    organizations: Mapping[str, OrgLabel] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    organization_prefix: bool = False

    def organization(self, key: str) -> OrgLabel:
        """The label of organization ``key`` (its key when it is not configured)."""
        return self.organizations.get(key) or OrgLabel(key, key)

    def summary(self, event: Event) -> str:
        """Status prefix, organization prefix (when on) and title."""
        title = event.title
        short = self.organization(event.organization).short
        if self.organization_prefix and short and \
                not title.casefold().startswith(short.casefold()):
            title = f"[{short}] {title}"
        return self.prefixes.get(event.status, "") + title

    def description(self, event: Event) -> str:
        """Who holds the event, where it was announced, registration, then the details."""
        source = self.sources.get(event.source) or (
            MANUAL_LABEL if event.source == MANUAL_SOURCE else event.source)
        lines = [f"主辦 Organization: {self.organization(event.organization).full}",
                 f"來源 Source: {source}"]
        if event.registration_deadline:
            lines.append(
                f"報名截止 Registration deadline: {event.registration_deadline.isoformat()}")
        if event.registration_url:
            lines.append(f"報名 Registration: {event.registration_url}")
        if event.description:
            lines += ["", event.description]
        return "\n".join(lines)

    def categories(self, event: Event) -> list[str]:
        """Organization, newsletter section (the event's own, else its organization's),
        kind; no repeats."""
        label = self.organization(event.organization)
        section = event.section if event.section is not None else label.section
        found = [label.short, section or "", KIND_LABELS.get(event.kind, event.kind)]
        return [name for index, name in enumerate(found) if name and name not in found[:index]]


def event_text(config: Config, *, organization_prefix: bool = False) -> EventText:
    """The subscriber's names for ``config``'s organizations and sources."""
    organizations = {key: org_label(org) for key, org in config.organizations.items()}
    for org in config.organizations.values():  # events may name one by its short name
        organizations.setdefault(org.short_name, org_label(org))
    sources = {name: _site(source.url) or name for name, source in config.sources.items()}
    prefixes = {"cancelled": config.feeds.cancelled_prefix,
                "postponed": config.feeds.postponed_prefix}
    return EventText(prefixes, organizations, sources, organization_prefix)


def org_label(org: Organization) -> OrgLabel:
    """``世界貿易組織 World Trade Organization (WTO)``: Chinese name, English name, and the
    short name when it is neither and is written in Latin letters."""
    names = [name for name in (org.name_zh, org.name) if name]
    if org.short_name not in names and (org.short_name.isascii() or not names):
        names.append(f"({org.short_name})" if names else org.short_name)
    return OrgLabel(org.short_name, " ".join(names), org.section)


def _site(url: str) -> str:
    """``wto.org`` for ``https://www.wto.org/…``; empty for a local file or no URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    return parts.hostname.removeprefix("www.")
