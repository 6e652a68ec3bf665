"""The editor page of ``tradecal serve``: choose a window, preview and download the tables,
see what changed since the last issue, hide / feature / retitle events.

Routes (mounted by :mod:`aggregator.serve`):

- ``GET /editor?from=YYYY-MM-DD&to=YYYY-MM-DD&since=YYYY-MM-DD``: the page (default window:
  :func:`feeds.export.default_window` of today; default ``since``: the last export of the
  calendar made before today, i.e. the last issue, else the last seven days);
- ``GET /editor/download?table=calendar|events|changes&format=...&from=&to=&since=``: a
  table in any export format, as a file (downloading the calendar records an export, as
  the issue is being made);
- ``POST /editor/edit`` (``uid``, ``action`` = hide, show, feature, unfeature, title,
  untitle, confirm; ``title``): the overrides of :mod:`aggregator.overrides` (the same
  that ``tradecal edit`` sets), then 303 back to the page;
- ``GET|POST /editor/login``, ``POST /editor/logout``: when a token is configured.

Who may use it, and the checks every form passes: :mod:`aggregator.editor_guard`. The
store is opened for each request (requests run in threads of their own).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from html import escape
from http import HTTPStatus
from urllib.parse import urlencode

from aggregator import clock
from aggregator.config import Config
from aggregator.edited import apply_overrides
from aggregator.editor_guard import (
    SECURITY_HEADERS,
    Guard,
    form,
    html_reply,
    params,
    redirect,
)
from aggregator.editor_page import EditRow, Page, editor_page, error_page
from aggregator.model import StoredEvent
from aggregator.overrides import (
    clear_override,
    confirm_overrides,
    overrides,
    set_override,
)
from aggregator.serve import Reply, Request, Route
from aggregator.store import Store
from feeds.changes import changes_since, record_export
from feeds.changes_render import render_changes_html
from feeds.export import (
    EXTENSIONS,
    FORMATS,
    MEDIA_TYPES,
    default_window,
    export_calendar,
    export_changes,
    export_events,
)
from feeds.html import render_calendar_html, render_events_html
from feeds.tables import (
    TABLE_KINDS,
    calendar_table,
    event_section,
    events_tables,
    format_date_span,
)

MAX_WINDOW_DAYS = 400
DEFAULT_SINCE_DAYS = 7
POST_ONLY = frozenset({"POST"})
TABLES = ("calendar", "events", "changes")
ACTIONS: Mapping[str, str] = {
    "hide": "已隱藏 Hidden", "show": "已恢復顯示 Shown again", "feature": "已列入快訊 Featured",
    "unfeature": "已取消快訊 No longer featured", "title": "已改名 Retitled",
    "untitle": "已還原名稱 Title restored", "confirm": "已確認 Confirmed"}

SessionHandler = Callable[[Request, str], Reply]


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
                Route("/editor/edit", wrap(answer_bad_requests(self.edit), changes=True),
                      POST_ONLY),
                Route("/editor/login", self.guard.login, frozenset({"GET", "HEAD", "POST"})),
                Route("/editor/logout", wrap(self.guard.logout, changes=True), POST_ONLY)]

    # --- pages -------------------------------------------------------------------------------

    def page(self, request: Request, sid: str) -> Reply:
        query = params(request.query)
        start, end = self.window(query)
        since = optional_date(query.get("since", ""), "since")
        with Store(self.config.store_path) as store:
            upstream = store.events()
            edited = apply_overrides(upstream, overrides(store, include_cleared=True),
                                     history=store.history)
            since_at, note = self.since(store, since)
            changes = render_changes_html(changes_since(store, self.config, since_at))
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
        page = Page(start=start, end=end, csrf=self.guard.csrf_token(sid), formats=FORMATS,
                    calendar_html=render_calendar_html(calendar),
                    events_html=render_events_html(tables),
                    changes_html=(f"<p>{note}</p>" if note else "") + changes,
                    rows=rows, hidden=hidden, since=since,
                    message=self.message(query, titles), logout=bool(self.guard.token))
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

    def since(self, store: Store, since: date | None) -> tuple[datetime, str]:
        """When the changes start, and a note saying how that was chosen (HTML-safe)."""
        if since is not None:
            return datetime.combine(since, datetime.min.time()).astimezone(), ""
        last = last_issue(store, self.today())
        if last is not None:
            return last, ""
        start = datetime.combine(self.today() - timedelta(days=DEFAULT_SINCE_DAYS),
                                 datetime.min.time()).astimezone()
        return start, (f"尚無匯出紀錄 No earlier issue was exported from this store: showing "
                       f"the last {DEFAULT_SINCE_DAYS} days.")

    def edit_row(self, stored: StoredEvent, titles: Mapping[str, str], dates: str) -> EditRow:
        event = stored.event
        section = event_section(stored, self.config)
        settings = self.config.newsletter
        placement = section or (settings.featured_title if event.featured
                                else settings.other_title)
        return EditRow(
            uid=event.uid, dates=dates, placement=placement,
            organization=self.config.organization(event.organization).short_name,
            title=event.title, upstream_title=titles.get(event.uid, event.title),
            featured=event.featured, in_calendar=section is not None,
            overridden=stored.overridden, stale=stored.override_stale, note=stored.note)

    def message(self, query: Mapping[str, str], titles: Mapping[str, str]) -> str:
        done = ACTIONS.get(query.get("done", ""))
        if not done:
            return ""
        title = titles.get(query.get("uid", ""))
        return f"{done}: {title}" if title else done

    def download(self, request: Request, sid: str) -> Reply:
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
                if request.method == "GET":
                    record_export(store, "calendar", start, end)
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

    def edit(self, request: Request, sid: str) -> Reply:
        fields = form(request)
        uid, action = fields.get("uid", ""), fields.get("action", "")
        start, end = self.window(fields)
        if action not in ACTIONS:
            raise BadRequest(f"unknown action {action!r}")
        with Store(self.config.store_path) as store:
            if store.event(uid) is None:
                return html_reply(HTTPStatus.NOT_FOUND,
                                  error_page(f"找不到活動 No event has the UID {uid!r}"))
            try:
                apply_action(store, uid, action, fields.get("title", ""))
            except ValueError as exc:
                raise BadRequest(str(exc)) from None
        query = urlencode({"from": start.isoformat(), "to": end.isoformat(), "done": action,
                           "uid": uid})
        return redirect(f"/editor?{query}#edit")


def apply_action(store: Store, uid: str, action: str, title: str) -> None:
    """One of the page's actions as an override (the same ones ``tradecal edit`` sets)."""
    if action == "hide":
        set_override(store, uid, "hidden", "1")
    elif action == "show":
        clear_override(store, uid, "hidden")
    elif action in ("feature", "unfeature"):
        set_override(store, uid, "featured", "1" if action == "feature" else "0")
    elif action == "title":
        set_override(store, uid, "title", title)
    elif action == "untitle":
        clear_override(store, uid, "title")
    elif action == "confirm":
        confirm_overrides(store, uid)


def last_issue(store: Store, today: date) -> datetime | None:
    """The last export of the calendar made before ``today`` (local time): the last issue."""
    if not store.db.table("exports").exists():
        return None
    midnight = datetime.combine(today, datetime.min.time()).astimezone()
    found = None
    for row in store.db.query("select at from exports where kind = 'calendar'"):
        at = datetime.fromisoformat(row["at"])
        if at < midnight and (found is None or at > found):
            found = at
    return found


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
    def answering(request: Request, sid: str) -> Reply:
        try:
            return handler(request, sid)
        except BadRequest as exc:
            return html_reply(HTTPStatus.BAD_REQUEST, error_page(str(exc)))
    return answering
