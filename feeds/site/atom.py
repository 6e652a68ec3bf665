"""``changes.xml``: an Atom feed of new and changed meetings, for feed readers.

One entry per version of a meeting: its ``id`` is a tag URI of the UID and the ICS
SEQUENCE, so a reader shows a moved or cancelled meeting as a new item ("tell me when a
meeting is added or moved"). The :data:`MAX_ENTRIES` most recently changed meetings of
``all.ics``, newest first; links are absolute (``base_url``), as Atom wants.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import quote
from xml.etree import ElementTree

from feeds.html import escape
from feeds.ics import feed_text
from feeds.site.model import SiteEvent, date_text, time_text

ATOM_NS = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 100
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
VERBS: dict[str, str] = {"cancelled": "取消 Cancelled", "postponed": "延期 Postponed"}


def atom_feed(events: Sequence[SiteEvent], base_url: str, title: str,
              updated: datetime | None) -> bytes:
    """The Atom document (UTF-8 bytes)."""
    ElementTree.register_namespace("", ATOM_NS)
    chosen = sorted(events, key=lambda item: (item.stored.last_changed, item.uid),
                    reverse=True)[:MAX_ENTRIES]
    feed = ElementTree.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": "zh-Hant"})
    newest = max([item.stored.last_changed for item in chosen] + ([updated] if updated else []),
                 default=EPOCH)
    _text(feed, "id", base_url + "changes.xml")
    _text(feed, "title", f"{title}：新增與變更 New and changed meetings")
    _text(feed, "updated", _stamp(newest))
    _link(feed, base_url + "changes.xml", "self", "application/atom+xml")
    _link(feed, base_url + "index.html", "alternate", "text/html")
    author = ElementTree.SubElement(feed, f"{{{ATOM_NS}}}author")
    _text(author, "name", title)
    for item in chosen:
        feed.append(_entry(item, base_url))
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _entry(item: SiteEvent, base_url: str) -> ElementTree.Element:
    stored = item.stored
    entry = ElementTree.Element(f"{{{ATOM_NS}}}entry")
    verb = VERBS.get(stored.event.status) or ("變更 Changed" if stored.sequence else "新增 New")
    _text(entry, "id", f"tag:tradecal,2024:{quote(item.uid, safe='@')}/{stored.sequence}")
    _text(entry, "title", f"{verb}: {item.title}")
    _text(entry, "updated", _stamp(stored.last_changed))
    _text(entry, "published", _stamp(stored.first_seen))
    _link(entry, f"{base_url}index.html#{item.anchor}", "alternate", "text/html")
    lines = [f"{date_text(item)} {time_text(item)}".strip(), item.organizer,
             stored.event.location.strip(), item.section]
    summary = _text(entry, "summary", " · ".join(escape(line) for line in lines if line))
    summary.set("type", "html")
    category = ElementTree.SubElement(entry, f"{{{ATOM_NS}}}category")
    category.set("term", item.section)
    return entry


def _text(parent: ElementTree.Element, tag: str, text: str) -> ElementTree.Element:
    child = ElementTree.SubElement(parent, f"{{{ATOM_NS}}}{tag}")
    child.text = feed_text(text)  # XML has no place for control characters
    return child


def _link(parent: ElementTree.Element, href: str, rel: str, kind: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM_NS}}}link", {"href": href, "rel": rel,
                                                          "type": kind})


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
