"""The editor page through its WSGI application (and once through a real server on
127.0.0.1): window, preview, downloads, changes, the edit forms, and what protects them."""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from docx import Document

from aggregator.cli.context import Context
from aggregator.cli.serve import serve_command
from aggregator.config import Config, load_config
from aggregator.core.model import Event
from aggregator.publish import export_calendar, export_events
from aggregator.store.db import Store
from aggregator.store.edited import override_states
from aggregator.store.issues import issues, record_issue
from aggregator.web import server as serve
from aggregator.web.editor import Editor
from aggregator.web.server import MAX_BODY, FeedApp, make_feed_server
from tests.conftest import ROOT
from tests.reference import END, START, reference_events

ISSUE_DAY = date(2024, 4, 26)  # a Friday: the default window is the reference's
HOST = "127.0.0.1:8000"
ORIGIN = f"http://{HOST}"
CUSTOMS = "Committee on Customs Valuation"
SEMINAR = "2024 臺日 AI 產業合作研討會"
TOKEN = "a-long-editor-token-2024"


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "config.toml"
    path.write_text((ROOT / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    loaded = load_config(path)
    with Store(loaded.store_path) as store:
        store.upsert_events([stored.event for stored in reference_events()],
                            now=datetime(2024, 4, 20, tzinfo=UTC))
    return loaded


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str:
        return next((value for key, value in self.headers if key.lower() == name.lower()), "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.text, "html.parser")


@dataclass
class Client:
    """A browser stand-in: keeps the cookie, sends Host (and Origin on POST)."""

    app: FeedApp
    host: str = HOST
    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, path: str, **query: str) -> Answer:
        return self.call("GET", path, urlencode(query))

    def post(self, path: str, data: Mapping[str, str], origin: str | None = ORIGIN,
             **headers: str) -> Answer:
        if origin is not None:
            headers.setdefault("origin", origin)
        return self.call("POST", path, "", urlencode(data).encode(), headers)

    def call(self, method: str, path: str, query: str = "", body: bytes = b"",
             headers: Mapping[str, str] | None = None) -> Answer:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
            "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
            "HTTP_HOST": self.host}
        if body:
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        seen: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
            seen.update(status=int(status.split()[0]), headers=response_headers)

        data = b"".join(self.app(environ, start_response))
        answer = Answer(seen["status"], seen["headers"], data)
        for name, value in answer.headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
        return answer

    def follow(self, answer: Answer) -> Answer:
        """GET the page a 303 points to."""
        parts = urlsplit(answer.header("Location"))
        return self.call("GET", parts.path, parts.query)

    def csrf(self, page: Answer | None = None) -> str:
        page = page or self.get("/editor")
        return page.soup.find("input", {"name": "csrf"})["value"]

    def act(self, uid: str, action: str, **fields: str) -> Answer:
        data = {"csrf": self.csrf(), "uid": uid, "action": action, "from": START.isoformat(),
                "to": END.isoformat(), **fields}
        return self.post("/editor/edit", data)


def make_app(config: Config, token: str = "") -> FeedApp:
    editor = Editor(config, token=token, today=lambda: ISSUE_DAY)
    return FeedApp(config.feeds.output, config.feeds.base_url, "feeds", editor.routes())


@pytest.fixture
def client(config: Config) -> Client:
    return Client(make_app(config))


def uid_of(config: Config, title: str) -> str:
    with Store(config.store_path) as store:
        return next(s.event.uid for s in store.events() if s.event.title == title)


def preview(answer: Answer) -> str:
    return str(answer.soup.find(id="preview"))


def changes_part(answer: Answer) -> str:
    """The page's text from the changes heading to the edit heading."""
    return answer.text.split('id="changes"')[1].split('id="edit"')[0]


def edit_rows(answer: Answer, table: str = "edit-events") -> list[str]:
    found = answer.soup.find(id=table)
    return [" ".join(tr.get_text(" ").split()) for tr in found.find_all("tr")[1:]] \
        if found else []


# --- the page ---------------------------------------------------------------------------------

def test_default_window_previews_the_tables_as_exported(client: Client, config: Config) -> None:
    page = client.get("/editor")
    assert page.status == 200
    assert page.soup.find("input", {"name": "from"})["value"] == "2024-04-29"
    assert page.soup.find("input", {"name": "to"})["value"] == "2024-05-23"
    with Store(config.store_path) as store:
        calendar = export_calendar(store, config, START, END, "html")
        events = export_events(store, config, START, END, "html")
    assert str(calendar) in page.text and str(events) in page.text
    assert len(edit_rows(page)) == 9
    assert edit_rows(page, "hidden-events") == []


def test_security_headers_and_session_cookie(client: Client) -> None:
    page = client.get("/editor")
    cookie = page.header("Set-Cookie")
    assert re.fullmatch(r"tradecal_editor=[\w-]{40,}; Path=/editor; HttpOnly; SameSite=Strict",
                        cookie)
    assert page.header("Cache-Control") == "no-store"
    assert page.header("X-Frame-Options") == "DENY"
    assert "default-src 'none'" in page.header("Content-Security-Policy")
    assert "script" not in page.text.lower()
    assert client.get("/editor").header("Set-Cookie") == ""  # the session is kept


def test_chosen_window(client: Client) -> None:
    page = client.get("/editor", **{"from": "2024-05-06", "to": "2024-05-10"})
    rows = page.soup.find(id="edit-events").find_all("tr")[1:]
    assert [row.find_all("td")[1].get_text() for row in rows] == ["5/6", "5/6", "5/10"]
    assert "2024 年 5 月 6 日～2024 年 5 月 10 日" in preview(page)
    only_from = client.get("/editor", **{"from": "2024-05-06"})
    assert only_from.soup.find("input", {"name": "to"})["value"] == "2024-05-30"


@pytest.mark.parametrize("query", [
    {"from": "2024-05-10", "to": "2024-05-01"}, {"from": "10/5/2024"},
    {"from": "2024-01-01", "to": "2026-01-01"}, {"since": "yesterday"},
])
def test_bad_windows_are_400(client: Client, query: dict[str, str]) -> None:
    answer = client.get("/editor", **query)
    assert answer.status == 400
    assert answer.soup.find(attrs={"role": "alert"})


# --- downloads --------------------------------------------------------------------------------

@pytest.mark.parametrize("table", ["calendar", "events", "changes"])
@pytest.mark.parametrize(("fmt", "kind", "suffix"), [
    ("markdown", "text/markdown", ".md"), ("html", "text/html", ".html"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     ".docx"), ("csv", "text/csv", ".csv")])
def test_downloads_in_every_format(client: Client, table: str, fmt: str, kind: str,
                                   suffix: str) -> None:
    answer = client.get("/editor/download", table=table, format=fmt,
                        **{"from": "2024-04-29", "to": "2024-05-23"})
    assert answer.status == 200
    assert answer.header("Content-Type").startswith(kind)
    assert answer.header("Content-Disposition") == (
        f'attachment; filename="{table}-2024-04-29-2024-05-23{suffix}"')
    if fmt == "docx":
        assert zipfile.is_zipfile(io.BytesIO(answer.body))
    elif fmt == "csv":
        assert answer.body.startswith("\ufeff".encode())
    elif fmt == "html":
        assert answer.text.startswith("<!DOCTYPE html>") and 'charset="utf-8"' in answer.text


def test_download_links_on_the_page_cover_every_table_and_format(client: Client) -> None:
    links = [a["href"] for a in client.get("/editor").soup.select("a[download]")]
    assert len(links) == 12
    queries = [parse_qs(urlsplit(link).query) for link in links]
    assert {(q["table"][0], q["format"][0]) for q in queries} == {
        (t, f) for t in ("calendar", "events", "changes")
        for f in ("markdown", "html", "docx", "csv")}
    assert all(q["from"] == ["2024-04-29"] and q["to"] == ["2024-05-23"] for q in queries)


def test_downloaded_docx_holds_the_reference_rows(client: Client) -> None:
    answer = client.get("/editor/download", table="calendar", format="docx")
    document = Document(io.BytesIO(answer.body))
    cells = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert ["5/23", "四", "⚫ Committee on Customs Valuation"] in cells


@pytest.mark.parametrize("query", [{"table": "other", "format": "csv"},
                                   {"table": "calendar", "format": "pdf"}, {}])
def test_bad_downloads_are_400(client: Client, query: dict[str, str]) -> None:
    assert client.get("/editor/download", **query).status == 400


def test_downloads_are_never_an_issue_the_issue_button_is(client: Client,
                                                           config: Config) -> None:
    client.get("/editor/download", table="events", format="csv")
    client.get("/editor/download", table="calendar", format="docx")
    with Store(config.store_path) as store:
        assert issues(store) == []
    answer = client.post("/editor/issue", {"csrf": client.csrf(), "from": "2024-04-29",
                                           "to": "2024-05-23"})
    assert answer.status == 303
    with Store(config.store_path) as store:
        [issue] = issues(store)
    assert (issue.number, issue.start, issue.end) == (1, START, END)
    page = client.follow(answer)
    assert "Issue 1 recorded" in page.text and "第 1 期 2024-04-29 – 2024-05-23" in page.text


# --- changes since the last issue -------------------------------------------------------------

def test_changes_since_the_last_issue(client: Client, config: Config) -> None:
    page = client.get("/editor")
    assert "No issue has been marked yet" in page.text
    with Store(config.store_path) as store:
        record_issue(store, START, END, now=datetime(2024, 4, 21, tzinfo=UTC))
        store.upsert_events([Event(source="wto", source_key="new-1", organization="WTO",
                                   title="Council for Trade in Goods", start=date(2024, 5, 8),
                                   timezone="Europe/Zurich")],
                            now=datetime(2024, 4, 22, tzinfo=UTC))
    changes = changes_part(client.get("/editor"))
    assert "Council for Trade in Goods" in changes and "新增" in changes
    assert "2024 年 4 月 21 日" in changes  # since the issue exported on the 21st
    later = changes_part(client.get("/editor", since="2024-04-23"))
    assert "Council for Trade in Goods" not in later and "（無異動）" in later


# --- editing ----------------------------------------------------------------------------------

def test_hide_and_show_again(client: Client, config: Config) -> None:
    customs = uid_of(config, CUSTOMS)
    answer = client.act(customs, "hide")
    assert answer.status == 303
    location = answer.header("Location")
    assert location.startswith("/editor?from=2024-04-29&to=2024-05-23&done=hide")
    page = client.get("/editor", **{k: v[0] for k, v in
                                   parse_qs(urlsplit(location).query).items()})
    assert f"已隱藏 Hidden: {CUSTOMS}" in page.soup.find(attrs={"role": "status"}).get_text()
    assert CUSTOMS not in preview(page)
    assert [row for row in edit_rows(page, "hidden-events") if CUSTOMS in row]
    assert client.act(customs, "show").status == 303
    page = client.get("/editor")
    assert CUSTOMS in preview(page) and edit_rows(page, "hidden-events") == []


def test_feature_retitle_restore_and_confirm(client: Client, config: Config) -> None:
    seminar = uid_of(config, SEMINAR)
    client.act(seminar, "feature")
    client.act(seminar, "title", title="  臺日 AI   研討會 ")
    page = client.get("/editor")
    featured = preview(page).split("其他經貿相關活動")[0]
    assert "臺日 AI 研討會" in featured and SEMINAR not in preview(page)
    row = next(r for r in edit_rows(page) if "臺日 AI 研討會" in r)
    assert f"來源 Upstream: {SEMINAR}" in row and "取消快訊 Unfeature" in row
    with Store(config.store_path) as store:  # the source moves the seminar
        event = store.event(seminar).event  # type: ignore[union-attr]
        store.upsert_events([event.with_changes(start=date(2024, 5, 2))])
    row = next(r for r in edit_rows(client.get("/editor")) if "研討會" in r)
    assert "stale: upstream changed start" in row
    client.act(seminar, "confirm")
    client.act(seminar, "untitle")
    client.act(seminar, "unfeature")
    page = client.get("/editor")
    assert SEMINAR in preview(page).split("其他經貿相關活動")[1]
    assert "stale:" not in page.soup.get_text()
    with Store(config.store_path) as store:
        assert [(s.override.field, s.override.value, s.stale) for s in
                override_states(store)] == [("featured", "0", False)]


def test_bad_edits(client: Client, config: Config) -> None:
    customs = uid_of(config, CUSTOMS)
    assert client.act("nope@tradecal", "hide").status == 404
    assert client.act(customs, "explode").status == 400
    assert client.act(customs, "title", title="   ").status == 400
    assert client.get("/editor/edit").status == 405
    with Store(config.store_path) as store:
        assert override_states(store) == []


def test_everything_is_escaped(client: Client, config: Config) -> None:
    nasty = '<script>alert("x")</script> & <b>'
    with Store(config.store_path) as store:
        store.upsert_events([Event(source="test", source_key="nasty", organization="CIECA",
                                   title=nasty, start=date(2024, 5, 2), timezone="Asia/Taipei",
                                   kind="seminar", url='javascript:alert("u")')])
    uid = uid_of(config, nasty)
    client.act(uid, "title", title='"><img src=x onerror=alert(1)> ' + nasty)
    page = client.get("/editor", done="title", uid=uid)
    assert "<script>" not in page.text and "<img" not in page.text
    assert "<b>" not in page.text
    assert '"><img' not in page.text
    assert unescape("&lt;script&gt;") in page.soup.get_text()
    assert 'href="javascript' not in page.text


# --- what protects the forms ------------------------------------------------------------------

def refused(client: Client, config: Config, answer: Answer) -> None:
    assert answer.status == 403, answer.text
    with Store(config.store_path) as store:
        assert override_states(store) == []


def test_post_without_or_with_a_wrong_csrf_token_is_refused(client: Client,
                                                            config: Config) -> None:
    customs = uid_of(config, CUSTOMS)
    data = {"uid": customs, "action": "hide"}
    client.get("/editor")
    refused(client, config, client.post("/editor/edit", data))
    refused(client, config, client.post("/editor/edit", {**data, "csrf": "0" * 64}))
    other = Client(client.app)
    stolen = other.csrf()  # a valid token, of somebody else's session
    refused(client, config, client.post("/editor/edit", {**data, "csrf": stolen}))
    fresh = Client(client.app)  # a token without its cookie
    refused(client, config, fresh.post("/editor/edit", {**data, "csrf": stolen}))


@pytest.mark.parametrize("headers", [
    {"origin": "https://evil.example"}, {"origin": "null"},
    {"origin": None, "referer": "https://evil.example/editor"}, {"origin": None},
    {"origin": "http://127.0.0.1:9999"},
])
def test_cross_site_posts_are_refused(client: Client, config: Config,
                                      headers: dict[str, str | None]) -> None:
    data = {"csrf": client.csrf(), "uid": uid_of(config, CUSTOMS), "action": "hide"}
    origin = headers.pop("origin")
    refused(client, config, client.post("/editor/edit", data, origin, **headers))


def test_same_site_referer_without_origin_is_accepted(client: Client, config: Config) -> None:
    data = {"csrf": client.csrf(), "uid": uid_of(config, CUSTOMS), "action": "hide",
            "from": "2024-04-29", "to": "2024-05-23"}
    answer = client.post("/editor/edit", data, None, referer=f"{ORIGIN}/editor")
    assert answer.status == 303


def test_foreign_host_names_are_refused_without_a_token(config: Config) -> None:
    rebound = Client(make_app(config), host="attacker.example:8000")
    assert rebound.get("/editor").status == 403
    assert rebound.get("/editor/download", table="calendar", format="csv").status == 403
    assert Client(make_app(config), host="localhost:8000").get("/editor").status == 200
    assert Client(make_app(config), host="[::1]:8000").get("/editor").status == 200


def test_body_too_large_is_413(client: Client) -> None:
    answer = client.call("POST", "/editor/edit", body=b"x" * (MAX_BODY + 1))
    assert answer.status == 413


# --- with a token -----------------------------------------------------------------------------

def test_token_is_asked_before_anything_is_shown(config: Config) -> None:
    client = Client(make_app(config, TOKEN), host="editor.example.org")
    origin = "http://editor.example.org"
    first = client.get("/editor")
    assert first.status == 401 and CUSTOMS not in first.text
    assert first.soup.find("input", {"name": "token", "type": "password"})
    assert client.get("/editor/download", table="calendar", format="csv").status == 401
    csrf = client.csrf(first)
    data = {"csrf": csrf, "uid": uid_of(config, CUSTOMS), "action": "hide"}
    refused(client, config, client.post("/editor/edit", data, origin))
    wrong = client.post("/editor/login", {"csrf": csrf, "token": "guess"}, origin)
    assert wrong.status == 403 and "Wrong token" in wrong.text
    assert client.post("/editor/login", {"token": TOKEN}, origin).status == 403  # no csrf
    before = dict(client.cookies)
    signed_in = client.post("/editor/login", {"csrf": csrf, "token": TOKEN}, origin)
    assert signed_in.status == 303 and client.cookies != before  # a new session id
    page = client.get("/editor")
    assert page.status == 200 and CUSTOMS in preview(page)
    answer = client.post("/editor/edit", {**data, "csrf": client.csrf(page)}, origin)
    assert answer.status == 303
    stale_client = Client(client.app, host="editor.example.org", cookies=before)
    assert stale_client.get("/editor").status == 401
    assert client.post("/editor/logout", {"csrf": client.csrf()}, origin).status == 303
    assert client.get("/editor").status == 401


# --- tradecal serve ---------------------------------------------------------------------------

class StoppedServer:
    server_port = 8000

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> bool:
        return False

    def serve_forever(self) -> None:
        raise KeyboardInterrupt


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def fake_server(app: FeedApp, host: str, port: int) -> StoppedServer:
        seen.update(app=app, host=host, port=port)
        return StoppedServer()

    monkeypatch.setattr(serve, "make_feed_server", fake_server)
    return seen


def with_serve_table(config: Config, table: str) -> Path:
    text = config.path.read_text(encoding="utf-8")
    config.path.write_text(re.sub(r"(?m)^\[serve\].*?(?=^\[|\Z)", "", text, flags=re.DOTALL) +
                           f"\n[serve]\n{table}\n", encoding="utf-8")
    return config.path


@pytest.mark.parametrize(("table", "args", "message"), [
    ("", ["--host", "0.0.0.0"], "Set [serve] token"),
    ('token = "short"', ["--host", "192.0.2.1"], "shorter than 12"),
    ('host = "0.0.0.0"', [], "refusing to serve the editor on 0.0.0.0"),
])
def test_serve_refuses_the_editor_elsewhere_without_a_token(
        config: Config, started: dict[str, Any], table: str, args: list[str],
        message: str) -> None:
    path = with_serve_table(config, table)
    result = CliRunner().invoke(serve_command, args, obj=Context(path))
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert started == {}


def test_serve_mounts_the_editor(config: Config, started: dict[str, Any]) -> None:
    path = with_serve_table(config, f'token = "{TOKEN}"\nport = 8123')
    result = CliRunner().invoke(serve_command, ["--host", "0.0.0.0"], obj=Context(path))
    assert result.exit_code == 0, result.output
    assert (started["host"], started["port"]) == ("0.0.0.0", 8123)
    assert "/editor" in started["app"].routes
    assert "editor at http://0.0.0.0:8000/editor" in result.stderr
    result = CliRunner().invoke(serve_command, [], obj=Context(path))
    assert started["host"] == "127.0.0.1"
    assert started["app"].routes["/editor"].handler(
        serve.WebRequest("GET", "/editor", headers={"host": HOST})).status == 401


def test_serve_feeds_alone_anywhere(config: Config, started: dict[str, Any]) -> None:
    result = CliRunner().invoke(serve_command, ["--host", "0.0.0.0", "--no-editor"],
                                obj=Context(config.path))
    assert result.exit_code == 0, result.output
    assert "/editor" not in started["app"].routes


# --- a real server ----------------------------------------------------------------------------

@pytest.fixture
def server(config: Config) -> Iterator[str]:
    httpd = make_feed_server(make_app(config), "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_real_server_round_trip(server: str, config: Config) -> None:
    with httpx.Client(base_url=server, follow_redirects=False) as http:
        page = http.get("/editor")
        csrf = BeautifulSoup(page.text, "html.parser").find("input", {"name": "csrf"})["value"]
        data = {"csrf": csrf, "uid": uid_of(config, CUSTOMS), "action": "hide",
                "from": "2024-04-29", "to": "2024-05-23"}
        assert http.post("/editor/edit", data=data).status_code == 403  # no Origin
        answer = http.post("/editor/edit", data=data, headers={"Origin": server})
        assert answer.status_code == 303
        back = http.get(answer.headers["Location"])
        assert back.status_code == 200 and "已隱藏 Hidden" in back.text


# --- what the page adds to the command line (issue 15) -----------------------------------------

def test_each_action_rewrites_the_feeds_and_can_be_undone(client: Client, config: Config,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADECAL_NOW", "2024-04-26T08:00:00Z")
    customs = uid_of(config, CUSTOMS)
    answer = client.act(customs, "hide")
    feed = (config.feeds.output / "all.ics").read_text(encoding="utf-8")
    assert customs not in feed and "Session on Aid for Trade" in feed.replace("\r\n ", "")
    page = client.follow(answer)
    status = page.soup.find(attrs={"role": "status"})
    assert "feeds rewritten" in status.get_text()
    undo = {i["name"]: i["value"] for i in status.find_all("input")}
    assert undo["undo_field"] == "hidden" and undo["undo_clear"] == "1"
    assert client.post("/editor/edit", {**undo, "action": "undo"}).status == 303
    assert CUSTOMS in preview(client.get("/editor"))
    assert customs in (config.feeds.output / "all.ics").read_text(encoding="utf-8")


def test_deadline_short_link_and_section_forms(client: Client, config: Config) -> None:
    seminar = uid_of(config, SEMINAR)
    client.act(seminar, "deadline", deadline="2024-04-26")
    client.act(seminar, "short_url", short_url="https://tinyurl.com/new1")
    events = preview(client.get("/editor"))
    assert "4/26" in events and "https://tinyurl.com/new1" in events
    answer = client.act(seminar, "section", section="RTA")
    assert SEMINAR in preview(client.get("/editor")).split("其他經貿相關活動")[0]
    page = client.follow(answer)
    undo = {i["name"]: i["value"] for i in page.soup.find(attrs={"role": "status"})
            .find_all("input")}
    client.post("/editor/edit", {**undo, "action": "undo"})
    assert client.act(seminar, "nodeadline").status == 303
    assert client.act(seminar, "deadline", deadline="soon").status == 400
    with Store(config.store_path) as store:
        values = {s.override.field: s.override.value for s in override_states(store)}
    assert values == {"deadline": "", "short_url": "https://tinyurl.com/new1"}


def test_add_an_event_as_a_csv_row_would(client: Client, config: Config) -> None:
    fields = {"csrf": client.csrf(), "from": "2024-04-29", "to": "2024-05-23",
              "organization": "CIECA", "title": "2024 臺美供應鏈論壇", "start": "2024-05-15",
              "time": "14:00", "kind": "seminar", "featured": "1"}
    answer = client.post("/editor/add", fields)
    assert answer.status == 303
    assert "2024 臺美供應鏈論壇" in preview(client.follow(answer)).split("其他經貿相關活動")[0]
    with Store(config.store_path) as store:
        [added] = [s.event for s in store.events() if s.event.source == "manual"]
    assert (added.organization, added.timezone) == ("CIECA", "Asia/Taipei")
    bad = client.post("/editor/add", {**fields, "organization": "NOPE"})
    assert bad.status == 400 and "unknown organization" in bad.text


def test_search_keeps_matching_rows_and_an_empty_window_says_why(client: Client) -> None:
    rows = edit_rows(client.get("/editor", q="telwg"))
    assert len(rows) == 2 and all("TELWG" in row for row in rows)
    empty = client.get("/editor", **{"from": "2026-01-05", "to": "2026-01-29"})
    hint = empty.soup.find(attrs={"role": "note"}).get_text()
    assert "the store's events run from 2024-04-29 to 2024-05-23" in hint
