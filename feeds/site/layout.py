"""The frame every page of the site shares: head, navigation, footer; and small HTML helpers.

Links are relative (the site works from any host and sub-path); the stylesheet and the
script are files next to the pages (no CDN). Every text is HTML-escaped here or by the
caller with :func:`feeds.html.escape`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from feeds.html import escape

CSS = "assets/site.css"
SCRIPT = "assets/site.js"
ATOM = "changes.xml"
EVENTS_JSON = "events.json"
PAGES: tuple[tuple[str, str, str], ...] = (
    ("index.html", "議程", "Agenda"), ("month.html", "月曆", "Month"),
    ("subscribe.html", "訂閱", "Subscribe"))
_CURRENT = ' aria-current="page"'
_CJK = re.compile(r"[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Frame:
    """What every page repeats: the site's title and when its data was last fetched."""

    site_title: str
    updated: datetime | None


def page(frame: Frame, current: str, heading: str, body: str, head_extra: str = "") -> str:
    """A whole page: ``heading`` is the page's own title (the site title is added once)."""
    title = frame.site_title if current == "index.html" else f"{heading} · {frame.site_title}"
    nav = "".join(
        f'<li><a href="{name}"{_CURRENT if name == current else ""}>{bilingual(zh, en)}</a></li>'
        for name, zh, en in PAGES)
    return f"""<!doctype html>
<html lang="zh-Hant">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{CSS}">
<link rel="alternate" type="application/atom+xml" href="{ATOM}" title="新增與變更的會議 New and changed meetings">
<script src="{SCRIPT}" defer></script>
{head_extra}</head>
<body>
<a class="skip" href="#main">跳到內容 <span lang="en">Skip to content</span></a>
<header class="top">
<p class="brand"><a href="index.html">{escape(frame.site_title)}</a></p>
<nav aria-label="網站 Site"><ul>{nav}</ul></nav>
</header>
<main id="main">
<h1>{escape(heading)}</h1>
{body}
</main>
<footer class="bottom">
<p>資料更新 <span lang="en">Data updated</span>: {escape(updated_text(frame.updated))}</p>
<p>給程式 <span lang="en">For programs</span>: <a href="{EVENTS_JSON}">events.json</a>
(schema.org JSON-LD) · <a href="{ATOM}">Atom</a> · <a href="all.ics">all.ics</a></p>
</footer>
</body>
</html>
"""


def updated_text(moment: datetime | None) -> str:
    """``2026-12-05 14:00（台北）``, or a note that nothing was fetched yet."""
    if moment is None:
        return "尚未抓取 not fetched yet"
    local = moment.astimezone(ZoneInfo("Asia/Taipei"))
    return f"{local:%Y-%m-%d %H:%M}（台北時間 Taipei time）"


def lang_of(text: str) -> str:
    """``' lang="en"'`` for a text in Latin letters without Chinese, else ""."""
    return ' lang="en"' if _LATIN.search(text) and not _CJK.search(text) else ""


def bilingual(zh: str, en: str) -> str:
    """``中文 <span lang="en">English</span>``, escaped."""
    return f'{escape(zh)} <span lang="en">{escape(en)}</span>'
