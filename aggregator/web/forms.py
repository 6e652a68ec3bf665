"""The editor page's forms that change data: per-row corrections, undo, add an event, mark
the issue. Plain HTML forms (POST with the session's CSRF token); no JavaScript needed.
Every text that comes from data is escaped here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from aggregator.core.model import KINDS, SECTIONS
from aggregator.web.actions import SOURCE_DEFAULT


@dataclass(frozen=True)
class FormContext:
    """What every form carries back: the CSRF token, the window and the search."""

    csrf: str
    start: date
    end: date
    search: str = ""

    def hidden(self) -> str:
        """The hidden inputs every form repeats."""
        search = (f'<input type="hidden" name="q" value="{escape(self.search, quote=True)}">'
                  if self.search else "")
        return (csrf_input(self.csrf) +
                f'<input type="hidden" name="from" value="{self.start.isoformat()}">'
                f'<input type="hidden" name="to" value="{self.end.isoformat()}">' + search)


def csrf_input(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{escape(token, quote=True)}">'


def row_form(context: FormContext, uid: str, inner: str, css: str = "inline") -> str:
    """A POST to /editor/edit for event ``uid`` holding ``inner`` (its inputs and buttons)."""
    return (f'<form class="{css}" method="post" action="/editor/edit">' + context.hidden() +
            f'<input type="hidden" name="uid" value="{escape(uid, quote=True)}">'
            f"{inner}</form>")


def button(action: str, label: str) -> str:
    return f'<button type="submit" name="action" value="{action}">{escape(label)}</button>'


def details_forms(context: FormContext, uid: str, deadline: str, short_url: str,
                  section: str | None) -> str:
    """Deadline, short link and section of one event, folded in a <details> element."""
    quoted = escape(uid, quote=True)
    deadline_form = row_form(context, uid, (
        f'<label>報名截止 Deadline <input type="date" name="deadline" '
        f'value="{escape(deadline, quote=True)}" aria-label="Deadline of {quoted}"></label> '
        + button("deadline", "設定 Set") + " " + button("nodeadline", "逕自洽詢 None")), "field")
    link_form = row_form(context, uid, (
        f'<label>短網址 Short link <input type="url" name="short_url" size="28" '
        f'value="{escape(short_url, quote=True)}" placeholder="https://tinyurl.com/…" '
        f'aria-label="Short link of {quoted}"></label> ' + button("short_url", "設定 Set")),
        "field")
    options = [(SOURCE_DEFAULT, "依來源 As the source says"),
               *((name, name) for name in SECTIONS), ("none", "活動表 Events tables")]
    current = SOURCE_DEFAULT if section is None else (section or "none")
    choices = "".join(
        f'<option value="{escape(value, quote=True)}"{" selected" if value == current else ""}>'
        f"{escape(label)}</option>" for value, label in options)
    section_form = row_form(context, uid, (
        f'<label>位置 Section <select name="section" aria-label="Section of {quoted}">'
        f"{choices}</select></label> " + button("section", "移動 Move")), "field")
    return ("<details><summary>更多 More</summary>"
            f"{deadline_form}{link_form}{section_form}</details>")


def undo_form(context: FormContext, undo: Mapping[str, str]) -> str:
    """The "undo" button shown right after an action."""
    inputs = "".join(f'<input type="hidden" name="{escape(name, quote=True)}" '
                     f'value="{escape(value, quote=True)}">'
                     for name, value in undo.items() if name != "uid")
    return row_form(context, undo["uid"], inputs + button("undo", "復原 Undo"))


def issue_form(context: FormContext, last_issue: str) -> str:
    """Mark the window as the newsletter's issue."""
    last = (f"<small>上一期 Last issue: {escape(last_issue)}</small>" if last_issue
            else "<small>尚未標記 No issue marked yet</small>")
    return ('<form method="post" action="/editor/issue" id="issue">' + context.hidden() +
            f'<button type="submit">標記本期 Issue {context.start.isoformat()} – '
            f"{context.end.isoformat()}</button> {last} <small>（下載與預覽不算一期 downloads "
            "and previews are never an issue）</small></form>")


def add_form(context: FormContext, organizations: Sequence[str]) -> str:
    """A new event, with the fields of an import CSV row."""
    orgs = "".join(f'<option value="{escape(key, quote=True)}">{escape(key)}</option>'
                   for key in organizations)
    kinds = "".join(f'<option value="{kind}">{kind}</option>' for kind in KINDS)
    sections = '<option value="">依單位 By organization</option>' + "".join(
        f'<option value="{escape(name, quote=True)}">{escape(name)}</option>'
        for name in SECTIONS)

    def field(label: str, control: str) -> str:
        return f"<label>{escape(label)} {control}</label> "

    return ('<form method="post" action="/editor/add" id="add-event">' + context.hidden() +
            field("單位 Organization", f'<select name="organization" required>{orgs}</select>') +
            field("名稱 Title", '<input type="text" name="title" size="40" maxlength="1000" '
                  "required>") +
            field("開始 Start", '<input type="date" name="start" required>') +
            field("時間 Time", '<input type="time" name="time">') +
            field("結束 End", '<input type="date" name="end">') +
            field("地點 Location", '<input type="text" name="location">') +
            field("網址 URL", '<input type="url" name="url">') +
            field("類別 Kind", f'<select name="kind">{kinds}</select>') +
            field("報名截止 Deadline", '<input type="date" name="registration_deadline">') +
            field("位置 Section", f'<select name="section">{sections}</select>') +
            field("快訊 Featured", '<input type="checkbox" name="featured" value="1">') +
            '<button type="submit">新增 Add</button></form>')


def search_input(search: str) -> str:
    return ('<label>搜尋 Search <input type="search" name="q" '
            f'value="{escape(search, quote=True)}" placeholder="名稱、單位或 UID"></label> ')
