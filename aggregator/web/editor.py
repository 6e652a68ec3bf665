"""The editor page of ``tradecal serve``: choose a window, preview and download the tables,
see what changed since the last issue, correct events, add one, and mark the issue.

Routes (mounted by :mod:`aggregator.web.server`):

- ``GET /editor?from=YYYY-MM-DD&to=YYYY-MM-DD&since=YYYY-MM-DD&q=WORDS``: the page (default
  window: :func:`aggregator.publish.default_window` of today; default ``since``: the last issue
  marked, see :mod:`aggregator.store.issues`; ``q`` keeps the rows whose title, organization or
  UID holds the words);
- ``GET /editor/download?table=calendar|events|changes&format=...&from=&to=&since=``: a
  table in any export format, as a file (a download is never an issue);
- ``POST /editor/edit`` (``uid``, ``action`` of :data:`aggregator.web.actions.ACTIONS`,
  and its value): the overrides that ``tradecal edit`` sets, then 303 back to the page,
  which offers to undo the action;
- ``POST /editor/add``: a new event, from the fields of an import CSV row;
- ``POST /editor/issue``: record the window as the newsletter's issue;
- ``GET|POST /editor/login``, ``POST /editor/logout``: when a token is configured.

Every change is published at once: under the store lock the store is changed and every feed
rewritten (as ``tradecal run`` writes them), and the page says so. Who may use the page, and
the checks every form passes: :mod:`aggregator.web.guard`. The store is opened for each
request (requests run in threads of their own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from html import escape
from http import HTTPStatus
from urllib.parse import urlencode

from aggregator.config import Config
from aggregator.core import clock
from aggregator.core.model import StoredEvent
from aggregator.jobs import PublishError, publish_feeds, store_lock
from aggregator.publish import (
    EXTENSIONS,
    FORMATS,
    MEDIA_TYPES,
    default_window,
    export_calendar,
    export_changes,
    export_events,
)
from aggregator.store.db import Store
from aggregator.store.edited import apply_overrides
from aggregator.store.issues import Issue, last_issue, record_issue
from aggregator.store.lock import LockBusy
from aggregator.store.overrides import overrides
from aggregator.web.actions import ACTIONS, ActionError, apply_action, event_from_form, store_manual
from aggregator.web.guard import SECURITY_HEADERS, Guard, SessionHandler, form, html_reply, params, redirect
from aggregator.web.page import EditRow, Page, editor_page, empty_hint, error_page, matching, undo_fields
from aggregator.web.server import Reply, Route, WebRequest
from feeds.changes import changes_since
from feeds.changes_render import render_changes_html
from feeds.html import render_calendar_html, render_events_html
from feeds.tables import TABLE_KINDS, calendar_table, event_section, events_tables, format_date_span, printed_under

MAX_WINDOW_DAYS = 400
DEFAULT_SINCE_DAYS = 7
POST_ONLY = frozenset({"POST"})
TABLES = ("calendar", "events", "changes")

class BadRequest(ValueError):
    """A request whose parameters make no sense; the message is shown to the editor."""


class Editor:
    """The editor's routes over one configuration."""

    def __init__(self, config: Config, *, token: str = "",
                 today: Callable[[], date] | None = None, secret: bytes | None = None) -> None:
        self.config = config
        self.today = today or (lambda: clock.today(config.home_zone))
        self.guard = Guard(token, config.feeds.base_url, secret)

    def routes(self) -> list[Route]:
        wrap = self.guard.wrap
        page = wrap(answer_bad_requests(self.page))
        return [Route("/editor", page), Route("/editor/", page),
                Route("/editor/download", wrap(answer_bad_requests(self.download))),
                *(Route(f"/editor/{name}", wrap(answer_bad_requests(handler), changes=True),
                        POST_ONLY)
                  for name, handler in (("edit", self.edit), ("add", self.add),
                                        ("issue", self.issue))),
                Route("/editor/login", self.guard.login, frozenset({"GET", "HEAD", "POST"})),
                Route("/editor/logout", wrap(self.guard.logout, changes=True), POST_ONLY)]

    # --- pages -------------------------------------------------------------------------------

    def page(self, request: WebRequest, sid: str) -> Reply:
        query = params(request.query)
        start, end = self.window(query)
        since = optional_date(query.get("since", ""), "since")
        with Store(self.config.store_path) as store:
            upstream = store.events()
            edited = apply_overrides(upstream, overrides(store, include_cleared=True),
                                     history=store.history)
            since_at, note = self.since(store, since)
            changes = render_changes_html(changes_since(store, self.config, since_at))
            issue = last_issue(store)
        visible = [stored for stored in edited if not stored.hidden]
        calendar = calendar_table(visible, self.config, start, end)
        tables = events_tables(visible, self.config, start, end)
        titles = {stored.event.uid: stored.event.title for stored in upstream}
        by_uid = {stored.event.uid: stored for stored in edited}
        rows = [self.edit_row(by_uid[row.uid], titles, row.date)
                for section in calendar.sections for row in section.rows]
        rows += [self.edit_row(by_uid[row.uid], titles, row.dates)
                 for table in tables.tables() for row in table.rows]
        hidden = [self.edit_row(stored, titles, format_date_span(*stored.event.local_dates()))
                  for stored in edited if stored.hidden and _shows(stored, start, end)]
        words = query.get("q", "").strip()
        page = Page(start=start, end=end, csrf=self.guard.csrf_token(sid), formats=FORMATS,
                    calendar_html=render_calendar_html(calendar),
                    events_html=render_events_html(tables),
                    changes_html=(f"<p>{note}</p>" if note else "") + changes,
                    rows=matching(rows, words), hidden=matching(hidden, words), since=since,
                    message=self.message(query, titles), logout=bool(self.guard.token),
                    search=words, undo=undo_fields(query),
                    organizations=sorted(self.config.organizations),
                    last_issue=issue.describe() if issue else "",
                    hint="" if rows or hidden else empty_hint(upstream, start, end))
        return html_reply(HTTPStatus.OK, editor_page(page))

    def window(self, query: Mapping[str, str]) -> tuple[date, date]:
        default_start, default_end = default_window(self.today())
        start = optional_date(query.get("from", ""), "from") or default_start
        end = optional_date(query.get("to", ""), "to") or (
            start + (default_end - default_start))
        if end < start:
            raise BadRequest(f"結束日早於開始日 The window ends ({end}) before it starts "
                             f"({start})")
        if (end - start).days > MAX_WINDOW_DAYS:
            raise BadRequest(f"期間過長 The window is longer than {MAX_WINDOW_DAYS} days")
        return start, end

    def since(self, store: Store, since: date | None) -> tuple[datetime | Issue, str]:
        """Where the changes start (a time or the last issue), and a note saying how that
        was chosen (HTML-safe)."""
        if since is not None:
            return datetime.combine(since, datetime.min.time()).astimezone(), ""
        issue = last_issue(store)
        if issue is not None:
            return issue, ""
        start = datetime.combine(self.today() - timedelta(days=DEFAULT_SINCE_DAYS),
                                 datetime.min.time()).astimezone()
        return start, (f"尚未標記任何一期 No issue has been marked yet (the 標記本期 Issue button "
                       f"does): showing the last {DEFAULT_SINCE_DAYS} days.")

    def edit_row(self, stored: StoredEvent, titles: Mapping[str, str], dates: str) -> EditRow:
        event = stored.event
        section = event_section(stored, self.config)
        placement = printed_under(stored, self.config)
        deadline = event.registration_deadline
        return EditRow(
            uid=event.uid, dates=dates, placement=placement,
            organization=self.config.organization(event.organization).short_name,
            title=event.title, upstream_title=titles.get(event.uid, event.title),
            featured=event.featured, in_calendar=section is not None,
            overridden=stored.overridden, stale=stored.override_stale, note=stored.note,
            deadline=deadline.isoformat() if deadline else "", short_url=stored.short_url or "",
            section=event.section if "section" in stored.overridden else None)

    def message(self, query: Mapping[str, str], titles: Mapping[str, str]) -> str:
        done = ACTIONS.get(query.get("done", ""))
        if query.get("done") == "issue":
            return f"已標記本期 Issue {query.get('issue', '')} recorded: {query.get('window', '')}"
        if query.get("done") == "add":
            done = "已新增 Added"
        if not done:
            return ""
        title = titles.get(query.get("uid", ""))
        text = f"{done}: {title}" if title else done
        if query.get("feeds"):
            text += f" · 已更新 {query['feeds']} 個訂閱檔 feeds rewritten"
        return text

    def download(self, request: WebRequest, sid: str) -> Reply:
        query = params(request.query)
        table, fmt = query.get("table", ""), query.get("format", "")
        if table not in TABLES or fmt not in FORMATS:
            raise BadRequest(f"table: calendar, events or changes; format: "
                             f"{', '.join(FORMATS)}")
        start, end = self.window(query)
        since = optional_date(query.get("since", ""), "since")
        with Store(self.config.store_path) as store:
            if table == "calendar":
                data = export_calendar(store, self.config, start, end, fmt)
            elif table == "events":
                data = export_events(store, self.config, start, end, fmt)
            else:
                data = export_changes(store, self.config, self.since(store, since)[0], fmt)
        if fmt == "html" and isinstance(data, str):
            data = standalone_html(data, f"{table} {start.isoformat()} – {end.isoformat()}")
        body = data if isinstance(data, bytes) else data.encode("utf-8")
        name = f"{table}-{start.isoformat()}-{end.isoformat()}{EXTENSIONS[fmt]}"
        return Reply(HTTPStatus.OK, (
            ("Content-Type", MEDIA_TYPES[fmt]),
            ("Content-Disposition", f'attachment; filename="{name}"'), *SECURITY_HEADERS),
            body)

    @contextmanager
    def publishing(self) -> Iterator[tuple[Store, list[int]]]:
        """The store under the lock; on leaving, every feed rewritten (its count appended
        to the list). BadRequest when the lock stays busy or the feeds cannot be written."""
        written: list[int] = []
        try:
            with store_lock(self.config), Store(self.config.store_path) as store:
                yield store, written
                written.append(len(publish_feeds(self.config, store)[0]))
        except LockBusy as busy:
            raise BadRequest(f"稍後再試 Try again in a moment: {busy}") from None
        except PublishError as exc:
            raise BadRequest(f"已存入，但訂閱檔未更新 Stored, but {exc}") from None

    def edit(self, request: WebRequest, sid: str) -> Reply:
        fields = form(request)
        uid, action = fields.get("uid", ""), fields.get("action", "")
        start, end = self.window(fields)
        if action not in ACTIONS:
            raise BadRequest(f"unknown action {action!r}")
        with self.publishing() as (store, written):
            if store.event(uid) is None:
                return html_reply(HTTPStatus.NOT_FOUND,
                                  error_page(f"找不到活動 No event has the UID {uid!r}"))
            try:
                undo = apply_action(store, uid, action, fields)
            except ActionError as exc:
                raise BadRequest(str(exc)) from None
        query = {**self.back(fields, start, end), "done": action, "uid": uid,
                 "feeds": str(written[0])}
        if undo is not None:
            query.update(undo_field=undo.field, undo_value=undo.value or "")
            if undo.value is None:
                query["undo_clear"] = "1"
        return redirect(f"/editor?{urlencode(query)}#edit")

    def add(self, request: WebRequest, sid: str) -> Reply:
        fields = form(request)
        start, end = self.window(fields)
        try:
            event = event_from_form(fields, self.config)
        except ActionError as exc:
            raise BadRequest(f"無法新增 Not added: {exc}") from None
        with self.publishing() as (store, written):
            store_manual(store, [event])
        query = {**self.back(fields, start, end), "done": "add", "uid": event.uid,
                 "feeds": str(written[0])}
        return redirect(f"/editor?{urlencode(query)}#edit")

    def issue(self, request: WebRequest, sid: str) -> Reply:
        fields = form(request)
        start, end = self.window(fields)
        with Store(self.config.store_path) as store:
            issue = record_issue(store, start, end)
        query = {**self.back(fields, start, end), "done": "issue", "issue": str(issue.number),
                 "window": f"{start.isoformat()} – {end.isoformat()}"}
        return redirect(f"/editor?{urlencode(query)}#edit")

    @staticmethod
    def back(fields: Mapping[str, str], start: date, end: date) -> dict[str, str]:
        """The page's query to return to after a form: the window and the search."""
        query = {"from": start.isoformat(), "to": end.isoformat()}
        if fields.get("q", "").strip():
            query["q"] = fields["q"].strip()
        return query


def _shows(stored: StoredEvent, start: date, end: date) -> bool:
    first, last = stored.event.local_dates()
    return stored.event.kind in TABLE_KINDS and first <= end and last >= start


def optional_date(text: str, name: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadRequest(f"{name}: YYYY-MM-DD, not {text!r}") from None


def standalone_html(fragment: str, title: str) -> str:
    """An HTML fragment as a whole UTF-8 document (a downloaded file opens right)."""
    if fragment.lstrip().lower().startswith("<!doctype"):
        return fragment
    return ('<!DOCTYPE html>\n<html lang="zh-Hant">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n</head>\n<body>\n{fragment}</body>\n</html>\n")


def answer_bad_requests(handler: SessionHandler) -> SessionHandler:
    """``handler``, with its BadRequest answered 400 on an error page."""
    def answering(request: WebRequest, sid: str) -> Reply:
        try:
            return handler(request, sid)
        except BadRequest as exc:
            return html_reply(HTTPStatus.BAD_REQUEST, error_page(str(exc)))
    return answering
