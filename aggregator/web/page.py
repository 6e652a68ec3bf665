"""The editor page's HTML: the window and search form, downloads, preview, changes, the issue
button, the rows to correct (title first) and the form to add an event.

Plain server-rendered HTML without JavaScript (the forms that change data are in
:mod:`aggregator.web.forms`). Every text that comes from data is escaped
here (the previews come escaped from the tables' HTML renderer); every form that changes
data is a POST carrying the session's CSRF token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from urllib.parse import urlencode

from aggregator.core.model import StoredEvent
from aggregator.web.forms import (
    FormContext,
    add_form,
    button,
    csrf_input,
    details_forms,
    issue_form,
    row_form,
    search_input,
    undo_form,
)

TABLES: tuple[tuple[str, str], ...] = (
    ("calendar", "國際經貿行事曆 Calendar"), ("events", "活動快訊、其他經貿相關活動 Events"),
    ("changes", "異動 Changes"))
FORMAT_LABELS = {"markdown": "Markdown", "html": "HTML", "docx": "Word (.docx)",
                 "csv": "Excel (.csv)"}
_STYLE = """body{font-family:system-ui,"Noto Sans CJK TC","PMingLiU",sans-serif;margin:1.5em;
max-width:75em}table{border-collapse:collapse}td,th{vertical-align:top}
.edit td,.edit th{border-bottom:1px solid #ccc;padding:.3em .5em;text-align:left}
form.inline{display:inline;margin:0}.badge{font-size:80%;padding:0 .3em;border-radius:.2em;
background:#eee}.stale{background:#fd8;font-weight:bold}.message{background:#dfd;
padding:.5em}.error{background:#fdd;padding:.5em}code{font-size:85%}
section.preview{border:1px solid #aaa;padding:0 1em 1em;margin:1em 0}
.uid{color:#666;font-size:75%}.title{font-weight:600}form.field{margin:.2em 0}
.hint{background:#eef;padding:.5em}#add-event label{display:inline-block;margin:.2em .5em .2em 0}"""


@dataclass(frozen=True)
class EditRow:
    """An event of the window as the editor sees it, with what editors changed."""

    uid: str
    dates: str
    placement: str
    organization: str
    title: str
    upstream_title: str
    featured: bool
    in_calendar: bool
    overridden: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    note: str = ""
    deadline: str = ""
    short_url: str = ""
    section: str | None = None  # the editor's section ("" none), None: as the source says


@dataclass(frozen=True)
class Page:
    """Everything the page shows."""

    start: date
    end: date
    csrf: str
    formats: Sequence[str]
    calendar_html: str
    events_html: str
    changes_html: str
    rows: Sequence[EditRow]
    hidden: Sequence[EditRow]
    since: date | None = None
    message: str = ""
    logout: bool = False
    search: str = ""
    undo: Mapping[str, str] = field(default_factory=dict)
    organizations: Sequence[str] = ()
    last_issue: str = ""
    hint: str = ""

    @property
    def forms(self) -> FormContext:
        return FormContext(self.csrf, self.start, self.end, self.search)


def matching(rows: list[EditRow], words: str) -> list[EditRow]:
    """The rows whose title (as printed or upstream), organization, placement or UID holds
    every one of ``words`` (case-insensitive)."""
    wanted = words.casefold().split()
    if not wanted:
        return rows
    return [row for row in rows if all(word in " ".join(
        (row.title, row.upstream_title, row.organization, row.placement, row.uid)).casefold()
        for word in wanted)]


def undo_fields(query: Mapping[str, str]) -> dict[str, str]:
    """The hidden fields of the undo form offered right after an action (empty: none)."""
    if not query.get("undo_field") or not query.get("uid"):
        return {}
    return {name: query[name] for name in ("uid", "undo_field", "undo_value", "undo_clear")
            if name in query}


def empty_hint(events: list[StoredEvent], start: date, end: date) -> str:
    """Why a window shows nothing: the days the store's events do cover (empty: none)."""
    if not events:
        return "資料庫沒有任何活動 The store holds no events yet: run `tradecal run` first."
    days = [stored.event.local_dates() for stored in events]
    first, last = min(d[0] for d in days), max(d[1] for d in days)
    return (f"此期間沒有活動 Nothing between {start} and {end}: the store's events run from "
            f"{first} to {last}.")


def editor_page(page: Page) -> str:
    """The whole editor page."""
    window = {"from": page.start.isoformat(), "to": page.end.isoformat()}
    message = ""
    if page.message:
        undo = f" {undo_form(page.forms, page.undo)}" if page.undo else ""
        message = f'<div class="message" role="status">{escape(page.message)}{undo}</div>'
    parts = [
        _head("編輯台 Editor · 國際經貿行事曆"),
        "<h1>編輯台 Editor</h1>",
        _window_form(page),
        f'<p class="hint" role="note">{escape(page.hint)}</p>' if page.hint else "",
        "<h2>下載 Download</h2>", _downloads(page, window),
        '<h2>預覽 Preview</h2><section class="preview" id="preview">',
        page.calendar_html, page.events_html, "</section>",
        '<h2 id="changes">自上期以來的異動 Changes since the last issue</h2>',
        issue_form(page.forms, page.last_issue),
        _since_form(page), page.changes_html,
        '<h2 id="edit">編輯 Edit the events of this window</h2>',
        message,
        _edit_table(page.rows, page, hidden=False),
        "<h3>已隱藏 Hidden</h3>",
        _edit_table(page.hidden, page, hidden=True) if page.hidden
        else "<p>（無）None hidden in this window.</p>",
        '<h2 id="add">新增活動 Add an event</h2>',
        "<p><small>與匯入 CSV 的一列相同 The fields of an import CSV row.</small></p>",
        add_form(page.forms, page.organizations),
        _logout(page) if page.logout else "",
        "</body></html>\n",
    ]
    return "\n".join(part for part in parts if part)


def login_page(csrf: str, message: str = "") -> str:
    """The token form shown when the editor needs one."""
    error = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    return "\n".join([
        _head("登入 Sign in · 編輯台 Editor"), "<h1>編輯台 Editor</h1>", error,
        '<form method="post" action="/editor/login">', csrf_input(csrf),
        ('<label>權杖 Token <input type="password" name="token" '
         'autocomplete="current-password" required autofocus></label> '
         '<button type="submit">登入 Sign in</button></form>'),
        "</body></html>\n"])


def error_page(message: str) -> str:
    return "\n".join([_head("錯誤 Error · 編輯台 Editor"), "<h1>編輯台 Editor</h1>",
                      f'<p class="error" role="alert">{escape(message)}</p>',
                      '<p><a href="/editor">返回 Back to the editor</a></p>',
                      "</body></html>\n"])


def _head(title: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="zh-Hant">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>")


def _window_form(page: Page) -> str:
    return (
        '<form method="get" action="/editor" id="window">'
        f'<label>從 From <input type="date" name="from" value="{page.start.isoformat()}" '
        'required></label> '
        f'<label>到 To <input type="date" name="to" value="{page.end.isoformat()}" '
        'required></label> '
        + (f'<input type="hidden" name="since" value="{page.since.isoformat()}">'
           if page.since else "")
        + search_input(page.search)
        + '<button type="submit">預覽 Preview</button> '
        '<a href="/editor">預設 Default window</a></form>')


def _since_form(page: Page) -> str:
    since = page.since.isoformat() if page.since else ""
    return (
        '<form method="get" action="/editor#changes" id="since">'
        f'<input type="hidden" name="from" value="{page.start.isoformat()}">'
        f'<input type="hidden" name="to" value="{page.end.isoformat()}">'
        f'<label>自 Since <input type="date" name="since" value="{since}"></label> '
        '<button type="submit">顯示 Show</button> '
        "<small>（空白：上一期匯出以來 empty: since the last issue's export）</small></form>")


def _downloads(page: Page, window: dict[str, str]) -> str:
    items = []
    for table, label in TABLES:
        links = []
        for fmt in page.formats:
            query = {"table": table, "format": fmt, **window}
            if table == "changes" and page.since:
                query["since"] = page.since.isoformat()
            href = "/editor/download?" + urlencode(query)
            links.append(f'<a href="{escape(href, quote=True)}" download>'
                         f"{escape(FORMAT_LABELS.get(fmt, fmt))}</a>")
        items.append(f"<li>{escape(label)}: {' · '.join(links)}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def _edit_table(rows: Sequence[EditRow], page: Page, hidden: bool) -> str:
    if not rows:
        found = "No event matches the search" if page.search else "Nothing in this window"
        return f"<p>（無）{found}.</p>"
    head = ("<tr><th>名稱 Title</th><th>日期 Dates</th><th>位置 Where</th>"
            "<th>動作 Actions</th></tr>")
    body = [_edit_row(row, page, hidden) for row in rows]
    table_id = "hidden-events" if hidden else "edit-events"
    return f'<table class="edit" id="{table_id}">{head}{"".join(body)}</table>'


def _edit_row(row: EditRow, page: Page, hidden: bool) -> str:
    title = f'<span class="title">{escape(row.title)}</span>'
    if row.title != row.upstream_title:
        title += f'<br><small>來源 Upstream: {escape(row.upstream_title)}</small>'
    badges = "".join(f'<span class="badge">{escape(name)}</span> ' for name in row.overridden)
    if row.stale:
        badges += (f'<span class="badge stale">stale: upstream changed '
                   f'{escape(", ".join(row.stale))}</span>')
    note = f"<br><small>備註 Note: {escape(row.note)}</small>" if row.note else ""
    actions = _actions(row, page, hidden)
    return (f'<tr data-uid="{escape(row.uid, quote=True)}"><td>{title}{note}<br>{badges}'
            f'<span class="uid">{escape(row.uid)}</span></td><td>{escape(row.dates)}</td>'
            f"<td>{escape(row.placement)}<br><small>{escape(row.organization)}</small></td>"
            f"<td>{actions}</td></tr>")


def _actions(row: EditRow, page: Page, hidden: bool) -> str:
    forms = page.forms
    if hidden:
        return row_form(forms, row.uid, button("show", "顯示 Show"))
    buttons = [button("hide", "隱藏 Hide")]
    if not row.in_calendar:
        buttons.append(button("unfeature", "取消快訊 Unfeature") if row.featured
                       else button("feature", "列入快訊 Feature"))
    if "title" in row.overridden:
        buttons.append(button("untitle", "還原名稱 Restore title"))
    if row.stale:
        buttons.append(button("confirm", "已確認 Confirm"))
    label = f"新名稱 New title of {row.uid}"
    retitle = row_form(forms, row.uid, (
        f'<input type="text" name="title" value="{escape(row.title, quote=True)}" size="40" '
        f'maxlength="1000" required aria-label="{escape(label, quote=True)}"> '
        + button("title", "改名 Retitle")))
    return (row_form(forms, row.uid, " ".join(buttons)) + " " + retitle +
            details_forms(forms, row.uid, row.deadline, row.short_url, row.section))


def _logout(page: Page) -> str:
    return ('<form method="post" action="/editor/logout">' + csrf_input(page.csrf) +
            '<button type="submit">登出 Sign out</button></form>')
