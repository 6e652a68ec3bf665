"""A page a script fills: `discover` finds the data file only a browser sees, and
`fetch = "browser"` reads it (live, recorded, replayed). Debian's Chromium via Playwright;
skipped when either is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import cli
from aggregator.core.sniff import looks_like
from tests.servers import LoopbackServer, Reply

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(),
                                reason="Debian's chromium is not installed")

PAGE = b"""<html><body><ul id="list"></ul><script>
var parts = ["lib", "meet" + "ings_" + "e.js"];  // the address is built by the script
var s = document.createElement("script"); s.src = "/" + parts.join("/");
s.onload = function () { meeting_item.forEach(function (m) {
  var li = document.createElement("li"); li.textContent = m.ev_head;
  document.getElementById("list").appendChild(li); }); };
document.body.appendChild(s);
</script></body></html>"""
DATA = b"""var meeting_item = new Array();
meeting_item[1] = { ev_date:"2030.03.05_10:00:00", ev_head:"General Council",
  ev_links:[{ nl_url:"/english/gc_5mar30_e.htm" }] };
meeting_item[2] = { ev_date:"2030.03.09_00:00:00#2030.03.10_00:00:00",
  ev_head:"Committee on Agriculture", ev_links:[] };
"""


def serve(site: LoopbackServer) -> None:
    site.routes["/english/events.htm"] = Reply(PAGE, headers={"Content-Type": "text/html"})
    site.routes["/lib/meetings_e.js"] = Reply(DATA, headers={
        "Content-Type": "application/javascript"})
    site.routes["/favicon.ico"] = Reply(b"", status=404)


def write_config(folder: Path, url: str) -> Path:
    lines = ["[store]", 'path = "tradecal.db"', "[fetch]", "retries = 0", "delay = 0.0",
             "timeout = 20.0", "[organizations.WTO]", 'short_name = "WTO"',
             'timezone = "Europe/Zurich"', "[sources.wto]", 'type = "wto"', f'url = "{url}"',
             'organization = "WTO"', 'fetch = "browser"', 'channels = ["events-file"]']
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_discover_lists_the_data_file_and_fetch_browser_reads_it(tmp_path: Path) -> None:
    runner = CliRunner()
    with LoopbackServer() as site:
        serve(site)
        page = site.url("/english/events.htm")
        path = write_config(tmp_path, page)
        found = runner.invoke(cli, ["--config", str(path), "discover", "--json", page])
        assert found.exit_code == 0, found.output
        rows = {row["url"]: row for row in map(json.loads, found.stdout.splitlines())}
        data = rows[site.url("/lib/meetings_e.js")]
        assert (data["looks_like"], data["events"], data["bytes"]) == ("js-data", 2, len(DATA))
        assert rows[page]["looks_like"] == "html" and rows[page]["events"] == 0
        assert b"meetings_e.js" not in PAGE  # only a browser finds it
        run = runner.invoke(cli, ["--config", str(path), "refresh"])
        assert run.exit_code == 0 and "wto: 2 events" in run.output, run.output
        recorded = runner.invoke(cli, ["--config", str(path), "record", "wto", "--out",
                                       str(tmp_path / "saved")])
        assert recorded.exit_code == 0 and "2 events" in recorded.output, recorded.output
    (tmp_path / "tradecal.db").unlink()
    replayed = runner.invoke(cli, ["--config", str(path), "refresh", "--full", "--replay",
                                   str(tmp_path / "saved")])
    assert replayed.exit_code == 0 and "wto: 2 events" in replayed.output, replayed.output


@pytest.mark.parametrize(("url", "kind", "body", "expected"), [
    ("https://x/a.js", "application/javascript", DATA, "js-data"),
    ("https://x/jquery.js", "application/javascript", b"(function(){})();", "other"),
    ("https://x/api", "application/json", b'{"a": 1}', "json"),
    ("https://x/ld", "application/ld+json", b'{"@context": "https://schema.org"}', "jsonld"),
    ("https://x/feed", "text/xml", b'<?xml version="1.0"?><rss version="2.0"/>', "rss"),
    ("https://x/s.xml", "text/xml", b'<?xml version="1.0"?><autnresponse/>', "xml"),
    ("https://x/c.ics", "text/calendar", b"BEGIN:VCALENDAR\r\n", "ics"),
    ("https://x/", "text/html", b"<!doctype html><html></html>", "html"),
    ("https://x/logo.png", "image/png", b"\x89PNG", "other"),
])
def test_looks_like(url: str, kind: str, body: bytes, expected: str) -> None:
    assert looks_like(url, kind, body) == expected
