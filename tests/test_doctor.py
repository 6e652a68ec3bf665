"""`tradecal doctor`: each verdict from a local site built for it, the saved captures, the
exit status."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from aggregator.cli import cli
from aggregator.doctor import verdict_of
from tests.conftest import FIXTURES
from tests.servers import LoopbackServer, Reply

ICS = (FIXTURES / "ical" / "google-export.ics").read_bytes()
PAGE = ("<html><head><title>Events</title></head><body><main>"
        + "<p>Our new events page is coming soon.</p>" * 40 + "</main></body></html>").encode()
CHALLENGE = (b"<html><head><title>Just a moment...</title></head><body>"
             b"<div id='cf-chl-widget'>Checking your browser</div></body></html>")
ROUTES = {
    "ok": ("/feeds/ok.ics", Reply(ICS, headers={"Content-Type": "text/calendar"})),
    "empty": ("/feeds/moved.ics", Reply(PAGE, headers={"Content-Type": "text/html"})),
    "forbidden": ("/feeds/forbidden.ics", Reply(b"Forbidden", status=403)),
    "throttled": ("/feeds/throttled.ics", Reply(b"Slow down", status=429)),
    "challenge": ("/feeds/challenge.ics", Reply(CHALLENGE, headers={"Content-Type": "text/html"})),
    "private": ("/private/calendar.ics", Reply(ICS)),
    "broken": ("/feeds/broken.ics", Reply(b"oops", status=500)),
}
EXPECTED = {"ok": "ok", "empty": "empty", "forbidden": "blocked", "throttled": "blocked",
            "challenge": "blocked", "private": "disallowed", "broken": "failed"}


def write_config(folder: Path, site: LoopbackServer, names: list[str]) -> Path:
    lines = ["[store]", 'path = "tradecal.db"', "[fetch]", "retries = 0", "delay = 0.0",
             "timeout = 5.0", "robots = true", "[organizations.X]", 'short_name = "X"',
             'timezone = "Europe/Paris"']
    for name in names:
        lines += [f"[sources.{name}]", 'type = "ics"', f'url = "{site.url(ROUTES[name][0])}"',
                  'organization = "X"']
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def serve(site: LoopbackServer) -> None:
    site.routes["/robots.txt"] = Reply(b"User-agent: *\nDisallow: /private/\n")
    for path, reply in ROUTES.values():
        site.routes[path] = reply


def test_each_verdict_from_a_site_built_for_it(tmp_path: Path) -> None:
    with LoopbackServer() as site:
        serve(site)
        path = write_config(tmp_path, site, list(ROUTES))
        result = CliRunner().invoke(cli, ["--config", str(path), "doctor", "--json",
                                          "--out", str(tmp_path / "captures")])
    rows = {row["source"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert {name: row["verdict"] for name, row in rows.items()} == EXPECTED
    assert result.exit_code == 1  # some source has no ok channel
    for row in rows.values():
        assert {"source", "channel", "status", "events", "verdict"} <= set(row)
    ok = rows["ok"]
    assert (ok["channel"], ok["status"], ok["bytes"]) == ("main", 200, len(ICS))
    assert ok["events"] > 0 and set(ok["coverage"]) == {"time", "end", "location", "url"}
    assert ok["first"] <= ok["last"] and 1 <= len(ok["samples"]) <= 3
    assert (rows["forbidden"]["status"], rows["throttled"]["status"]) == (403, 429)
    assert "fetch = \"browser\"" in rows["challenge"]["next_step"]
    assert rows["empty"]["status"] == 200 and rows["empty"]["events"] == 0
    saved = sorted(p.name for p in (tmp_path / "captures" / "ok").iterdir())
    assert "README.md" in saved and any(name.endswith(".body") for name in saved)


def test_exit_zero_when_every_source_has_an_ok_channel(tmp_path: Path) -> None:
    with LoopbackServer() as site:
        serve(site)
        path = write_config(tmp_path, site, ["ok"])
        result = CliRunner().invoke(cli, ["--config", str(path), "doctor",
                                          "--out", str(tmp_path / "captures")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok / main [plain]: OK HTTP 200")
    assert "with time " in result.stdout


def test_verdict_rules() -> None:
    class Refused(Exception):
        status = 403
    assert verdict_of(3, 200, 10, b"", None) == "ok"
    assert verdict_of(0, None, 0, b"", Refused("x")) == "blocked"
    assert verdict_of(0, 200, 100, b"", ValueError("not ICS")) == "failed"  # a stub
    assert verdict_of(0, 200, 5000, b"<html>", None) == "empty"
