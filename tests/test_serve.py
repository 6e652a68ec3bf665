"""`tradecal serve` against a real server on 127.0.0.1: types, validators, 304s, HEAD,
paths that lead out of the folder, and the index page's subscribe links."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from click.testing import CliRunner

from aggregator.cli.context import Context
from aggregator.cli.serve import serve_command
from aggregator.config import parse_config
from aggregator.web import server as serve
from aggregator.web.server import FeedApp, Route, make_feed_server, text_reply
from feeds.feedset import write_feeds
from feeds.ics import build_calendar
from tests.feed_events import all_day

BASE_URL = "https://feeds.example.org/trade/"
SECRET = b"top secret: outside the feeds folder"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Feeds as the writer leaves them, and traps: a file beside the folder, a symlink out
    of it, a hidden temp file, a subfolder."""
    config = parse_config({"feeds": {"output": "public"}, "organizations": {
        "WTO": {"short_name": "WTO", "name_zh": "世界貿易組織", "section": "WTO"}}},
        tmp_path / "config.toml")
    out = tmp_path / "public"
    write_feeds([all_day("mc", date(2025, 6, 10))], config, out, today=date(2025, 6, 1))
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (out / "leak.ics").symlink_to(tmp_path / "secret.txt")
    (out / "alias.ics").symlink_to(out / "wto.ics")
    (out / ".all.ics.x1.tmp").write_bytes(b"partial")
    (out / "sub").mkdir()
    (out / "sub" / "notes.txt").write_text("子資料夾 sub", encoding="utf-8")
    (out / "page.html").write_text("<p>hi</p>", encoding="utf-8")
    (out / "data.bin").write_bytes(b"\x00\x01")
    tricky = build_calendar([], name='<script>alert("x")</script> & 會議', description="d",
                            refresh_hours=6)
    (out / "會議.ics").write_bytes(tricky)
    return out


@pytest.fixture
def server(folder: Path) -> Iterator[str]:
    app = FeedApp(folder, BASE_URL, "國際經貿行事曆 Trade calendar",
                  routes=[Route("/ping", lambda request: text_reply(200, "pong"))])
    httpd = make_feed_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def raw_get(base: str, target: str) -> tuple[int, bytes]:
    """Send ``GET target`` exactly as written (no client normalisation); status and body."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(f"GET {target} HTTP/1.0\r\nHost: x\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


# --- files ------------------------------------------------------------------------------------

def test_feed_is_served_with_type_validators_and_cache_control(server, folder):
    response = httpx.get(f"{server}/all.ics")
    data = (folder / "all.ics").read_bytes()
    assert response.status_code == 200 and response.content == data
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-length"] == str(len(data))
    assert response.headers["etag"] == '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    mtime = datetime.fromtimestamp(int((folder / "all.ics").stat().st_mtime), UTC)
    assert response.headers["last-modified"] == format_datetime(mtime, usegmt=True)
    assert response.headers["cache-control"] == "public, max-age=300"


@pytest.mark.parametrize(("name", "kind"), [
    ("page.html", "text/html; charset=utf-8"), ("sub/notes.txt", "text/plain; charset=utf-8"),
    ("data.bin", "application/octet-stream"), ("alias.ics", "text/calendar; charset=utf-8"),
    (quote("會議.ics"), "text/calendar; charset=utf-8"),
])
def test_other_files_have_sensible_types(server, name, kind):
    response = httpx.get(f"{server}/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == kind


def test_if_none_match_gives_304_and_a_changed_file_gives_200(server, folder):
    first = httpx.get(f"{server}/wto.ics")
    etag = first.headers["etag"]
    for header in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        again = httpx.get(f"{server}/wto.ics", headers={"If-None-Match": header})
        assert again.status_code == 304 and again.content == b"", header
        assert again.headers["etag"] == etag
        assert again.headers["content-length"] == first.headers["content-length"]
    (folder / "wto.ics").write_bytes(first.content.replace(b"WTO", b"WTO!"))
    changed = httpx.get(f"{server}/wto.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_if_modified_since_gives_304_unless_the_file_is_newer(server, folder):
    modified = httpx.get(f"{server}/wto.ics").headers["last-modified"]
    assert httpx.get(f"{server}/wto.ics",
                     headers={"If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(datetime(2001, 1, 1, tzinfo=UTC), usegmt=True)
    assert httpx.get(f"{server}/wto.ics",
                     headers={"If-Modified-Since": earlier}).status_code == 200
    assert httpx.get(f"{server}/wto.ics",
                     headers={"If-Modified-Since": "yesterday"}).status_code == 200
    later = (folder / "wto.ics").stat().st_mtime + 3600  # newer than the date it was asked for
    os.utime(folder / "wto.ics", (later, later))
    assert httpx.get(f"{server}/wto.ics",
                     headers={"If-Modified-Since": modified}).status_code == 200


def test_if_none_match_takes_precedence_over_if_modified_since(server):
    future = format_datetime(datetime.now(UTC) + timedelta(days=1), usegmt=True)
    response = httpx.get(f"{server}/wto.ics",
                         headers={"If-None-Match": '"stale"', "If-Modified-Since": future})
    assert response.status_code == 200


def test_head_has_the_headers_and_no_body(server):
    full = httpx.get(f"{server}/all.ics")
    head = httpx.head(f"{server}/all.ics")
    assert head.status_code == 200 and head.content == b""
    for name in ("content-type", "content-length", "etag", "last-modified"):
        assert head.headers[name] == full.headers[name]
    assert httpx.head(f"{server}/all.ics",
                      headers={"If-None-Match": full.headers["etag"]}).status_code == 304


def test_other_methods_are_refused(server):
    response = httpx.post(f"{server}/all.ics", content=b"x")
    assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD"


def test_added_routes_are_answered(server):
    assert httpx.get(f"{server}/ping").text == "pong\n"


# --- paths out of the folder ------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/..%2fsecret.txt",
    "/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt", "/..\\secret.txt",
    "/%5c..%5csecret.txt", "//etc/passwd", "/etc/passwd", "/leak.ics", "/.all.ics.x1.tmp",
    "/./all.ics", "/all.ics/", "/sub", "/sub/", "/all.ics%00.txt", "/nonesuch.ics",
    "http://x/../secret.txt", "/" + str(Path(__file__).resolve()),
])
def test_paths_that_leave_the_folder_or_name_no_file_are_404(server, target):
    status, body = raw_get(server, target)
    assert status == 404, target
    assert SECRET not in body


def test_the_secret_is_really_there_to_be_found(folder):
    assert (folder.parent / "secret.txt").read_bytes() == SECRET
    assert (folder / "leak.ics").read_bytes() == SECRET  # the symlink works on disk


# --- index ------------------------------------------------------------------------------------

def test_index_lists_every_feed_with_subscribe_links(server, folder):
    response = httpx.get(f"{server}/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    served = sorted(p.name for p in folder.glob("*.ics") if p.name != "leak.ics")
    for name in served:
        url = BASE_URL + quote(name)
        webcal = "webcal://feeds.example.org/trade/" + quote(name)
        assert f'value="{url}"' in page and f'href="{url}"' in page
        assert f'href="{webcal}"' in page
        assert f'href="https://calendar.google.com/calendar/render?cid={webcal}"' in page
        assert "https://outlook.live.com/calendar/0/addfromweb?url=" + quote(url, safe="") in page
    assert "leak.ics" not in page and SECRET.decode() not in page
    assert page.index("all.ics") < page.index("section-wto.ics") < page.index("source-wto.ics")
    assert "世界貿易組織 WTO · 國際經貿行事曆 Trade calendar" in page


def test_index_outlook_link_carries_url_and_name(server):
    page = httpx.get(f"{server}/").text
    start = page.index("https://outlook.live.com/calendar/0/addfromweb?url=" + quote(
        BASE_URL + "wto.ics", safe=""))
    link = page[start:page.index('"', start)].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query == {"url": [BASE_URL + "wto.ics"],
                     "name": ["世界貿易組織 WTO · 國際經貿行事曆 Trade calendar"]}


def test_index_escapes_names(server):
    page = httpx.get(f"{server}/").text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 會議" in page


def test_index_revalidates_by_etag(server):
    first = httpx.get(f"{server}/")
    assert first.headers["etag"].startswith('"')
    again = httpx.get(f"{server}/", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_index_of_an_empty_folder_says_how_to_make_feeds(tmp_path):
    app = FeedApp(tmp_path / "missing", "http://127.0.0.1:8000", "T")
    reply = app.dispatch(serve.WebRequest("GET", "/"))
    assert reply.status == 200 and b"tradecal export ics" in reply.body


# --- command ----------------------------------------------------------------------------------

def test_serve_command_binds_localhost_port_8000_by_default(tmp_path, monkeypatch):
    (tmp_path / "config.toml").write_text('[feeds]\nbase_url = "https://f.example/"\n',
                                          encoding="utf-8")
    seen = {}

    class Stopped:
        server_port = 8000

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def serve_forever(self):
            raise KeyboardInterrupt

    def fake_server(app, host, port):
        seen.update(app=app, host=host, port=port)
        return Stopped()

    monkeypatch.setattr(serve, "make_feed_server", fake_server)
    result = CliRunner().invoke(serve_command, [], obj=Context(tmp_path / "config.toml"))
    assert result.exit_code == 0, result.output
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8000)
    assert seen["app"].base_url == "https://f.example/"
    assert seen["app"].folder == (tmp_path / "public").resolve()
    result = CliRunner().invoke(serve_command, ["--host", "0.0.0.0", "--port", "9001",
                                                "--no-editor"],
                                obj=Context(tmp_path / "config.toml"))
    assert (seen["host"], seen["port"]) == ("0.0.0.0", 9001)
