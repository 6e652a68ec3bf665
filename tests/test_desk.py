"""The editor's ordinary week through the command line (issue 15): undo and correct again,
corrections that reach the feeds, issues, organization keys, errors without tracebacks."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.desk import AIRGRAM_COPY, CUSTOMS, Desk, make_desk


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setenv("TRADECAL_NOW", "2024-04-26T08:00:00Z")
    return make_desk(tmp_path)


# --- 1. undo never splits a meeting announced by two sources ---------------------------------

def test_retitle_clear_then_retitle_the_other_copy_prints_once(desk: Desk) -> None:
    first = desk.uid(CUSTOMS, "wto")
    assert desk.calendar().count(CUSTOMS) == 1
    desk.ok("edit", first, "--title", "Customs Valuation (formal)")
    desk.ok("edit", first, "--clear", "title")
    desk.ok("edit", AIRGRAM_COPY.uid, "--title", "Customs Valuation (informal)")
    calendar = desk.calendar()
    assert calendar.count("Customs Valuation (informal)") == 1
    assert CUSTOMS not in calendar
    desk.ok("export", "ics")
    titles = desk.ics_titles()
    assert titles.count("Customs Valuation (informal)") == 1 and CUSTOMS not in titles


def test_hide_show_then_hide_the_other_copy_hides_the_meeting(desk: Desk) -> None:
    first = desk.uid(CUSTOMS, "wto")
    desk.ok("edit", first, "--hide")
    desk.ok("edit", first, "--show")
    assert desk.calendar().count(CUSTOMS) == 1
    desk.ok("edit", AIRGRAM_COPY.uid, "--hide")
    assert CUSTOMS not in desk.calendar()
    desk.ok("export", "ics")
    assert CUSTOMS not in desk.ics_titles()


# --- 2. corrections reach the feeds at once ---------------------------------------------------

def test_edit_and_import_rewrite_the_feeds_and_say_so(desk: Desk, tmp_path: Path) -> None:
    desk.ok("export", "ics")
    uid = desk.uid(CUSTOMS, "wto")
    result = desk.ok("edit", uid, "--title", "Customs Valuation (formal)")
    assert "feeds to" in result.stderr and "subscribers" in result.stderr
    assert "Customs Valuation (formal)" in desk.ics_titles()
    csv = tmp_path / "more.csv"
    csv.write_text("organization,title,start\nCIECA,出口管制說明會,2024-05-10\n",
                   encoding="utf-8")
    result = desk.ok("import", str(csv))
    assert "1 event (1 new" in result.stderr and "feeds to" in result.stderr
    assert "出口管制說明會" in desk.ics_titles()


# --- 3. an issue is explicit; 8. "since" is exact ---------------------------------------------

def write_cieca(desk: Desk, rows: str) -> None:
    folder = desk.path.parent / "data"
    folder.mkdir(exist_ok=True)
    (folder / "cieca-events.csv").write_text(
        "organization,title,start,end,status\n" + rows, encoding="utf-8")


def test_previews_are_not_issues_and_changes_read_the_issue(desk: Desk) -> None:
    desk.calendar()  # a preview
    result = desk.tc("export", "changes")
    assert result.exit_code == 2 and "no issue recorded yet" in result.output
    write_cieca(desk, "CIECA,經貿講座,2024-05-08,,\nCIECA,關務研討會,2024-05-15,,\n")
    desk.ok("refresh", "cieca")
    marked = desk.ok("export", "calendar", *("--from", "2024-04-29", "--to", "2024-05-23"),
                     "--issue")
    assert "recorded issue 1: 2024-04-29 – 2024-05-23" in marked.stderr
    # Same second as the refresh: the move and the cancellation are all that changed.
    write_cieca(desk, "CIECA,經貿講座,2024-05-09,,\nCIECA,關務研討會,2024-05-15,,cancelled\n")
    desk.ok("refresh", "cieca")
    desk.calendar()  # previews after the issue change nothing
    desk.calendar("--format", "html")
    changes = desk.ok("export", "changes").stdout
    assert "改期" in changes and "經貿講座" in changes
    assert "取消" in changes and "關務研討會" in changes
    assert "新增" not in changes
    assert desk.ok("export", "changes", "--since-issue", "1").stdout == changes
    listing = desk.ok("export", "issues").stdout.splitlines()
    assert listing[0].split("\t") == ["issue", "from", "to", "marked"]
    assert listing[1].split("\t")[:3] == ["1", "2024-04-29", "2024-05-23"]
    missing = desk.tc("export", "changes", "--since-issue", "2")
    assert missing.exit_code == 2 and "no issue 2" in missing.output


# --- 4. organization keys ---------------------------------------------------------------------

def test_a_source_of_an_unknown_organization_exits_2_listing_the_keys(desk: Desk) -> None:
    text = desk.path.read_text(encoding="utf-8")
    desk.path.write_text(text.replace('organization = "IMF"', 'organization = "IMFF"'),
                         encoding="utf-8")
    result = desk.tc("sources")
    assert result.exit_code == 2
    assert "sources.imf.organization: unknown organization 'IMFF'" in result.output
    assert "APEC" in result.output and "WTO" in result.output


def test_csv_organizations_match_keys_short_names_and_names_ignoring_case(
        desk: Desk, tmp_path: Path) -> None:
    csv = tmp_path / "rows.csv"
    csv.write_text("organization,title,start\nwto,Trade Policy Review: Ruritania,2024-05-14\n"
                   "world trade organization,Council for Trade in Services,2024-05-15\n"
                   "世界貿易組織,Committee on Agriculture,2024-05-16\n", encoding="utf-8")
    desk.ok("import", str(csv))
    wto = desk.calendar().split("RTA")[0]
    for title in ("Ruritania", "Council for Trade in Services", "Committee on Agriculture"):
        assert title in wto
    bad = tmp_path / "bad.csv"
    bad.write_text("organization,title,start\nWTO,General Council,2024-05-20\n"
                   "WTTO,Goods Council,2024-05-21\n", encoding="utf-8")
    result = desk.tc("import", str(bad))
    assert result.exit_code == 1
    assert "line 3: unknown organization 'WTTO'" in result.stderr
    assert "General Council" not in desk.calendar()


# --- 7. input as offices save it ---------------------------------------------------------------

def test_import_reads_big5_roc_dates_and_excel_trailing_columns(desk: Desk,
                                                                tmp_path: Path) -> None:
    csv = tmp_path / "big5.csv"
    csv.write_bytes(("organization,title,start,end,,,\r\n"
                     "中華民國國際經濟合作協會,臺日經貿研討會,113/05/07,113/05/08,,,\r\n"
                     "CIECA,碁盤研討會,2024/05/13,,,,\r\n").encode("cp950"))
    result = desk.ok("import", str(csv))
    assert "2 events (2 new" in result.stderr and "Big5 (CP950)" in result.stderr
    events = desk.ok("export", "events", *("--from", "2024-04-29", "--to", "2024-05-23")).stdout
    assert "臺日經貿研討會" in events and "碁盤研討會" in events and "| 5/7-8 | 臺日經貿研討會" in events
    bom = tmp_path / "bom.csv"
    bom.write_bytes("organization,title,start\nCIECA,講座,2024-05-20\n".encode("utf-8-sig"))
    assert "UTF-8 with BOM" in desk.ok("import", str(bom)).stderr


def test_every_bad_row_is_named_at_once_and_nothing_is_stored(desk: Desk,
                                                             tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("organization,title,start\nCIECA,好的一列,2024-05-20\n"
                   "CIECA,日期錯,2024-13-01\nCIECA,,2024-05-21\nNOPE,單位錯,2024-05-22\n",
                   encoding="utf-8")
    result = desk.tc("import", str(csv))
    assert result.exit_code == 1
    for line in ("line 3: start '2024-13-01'", "line 4: title is empty",
                 "line 5: unknown organization 'NOPE'"):
        assert line in result.stderr
    assert "3 bad rows" in result.stderr and "nothing was stored" in result.stderr
    assert "好的一列" not in desk.ok("export", "events", *("--from", "2024-04-29", "--to",
                                                        "2024-05-23")).stdout


# --- 5. messages, not tracebacks --------------------------------------------------------------

def test_export_to_a_missing_folder_says_so(desk: Desk, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "dir" / "x.md"
    result = desk.tc("export", "calendar", "--out", str(out), "--issue")
    assert result.exit_code == 1
    assert f"cannot write {out}" in result.stderr and "no folder" in result.stderr
    assert "recorded issue" not in result.stderr
    assert desk.ok("export", "issues").stdout.count("\n") == 1  # the header alone


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_feeds_folder_is_a_message(desk: Desk) -> None:
    output = desk.config.feeds.output
    output.mkdir()
    output.chmod(0o500)
    try:
        for args in (("export", "ics"), ("edit", desk.uid(CUSTOMS, "wto"), "--hide")):
            result = desk.tc(*args)
            assert result.exit_code == 1 and "cannot write the feeds to" in result.stderr
    finally:
        output.chmod(0o700)


def test_an_unwritable_feeds_folder_is_a_message_even_for_root(desk: Desk) -> None:
    output = desk.config.feeds.output
    output.parent.mkdir(exist_ok=True)
    output.write_text("a file where the folder should be", encoding="utf-8")
    for args in (("export", "ics"), ("edit", desk.uid(CUSTOMS, "wto"), "--hide")):
        result = desk.tc(*args)
        assert result.exit_code == 1, result.output
        assert f"cannot write the feeds to {output}" in result.stderr


def test_a_mistyped_store_path_is_refused_not_created(desk: Desk) -> None:
    text = desk.path.read_text(encoding="utf-8")
    desk.path.write_text(text.replace('path = "tradecal.db"', 'path = "tradecal.bd"'),
                         encoding="utf-8")
    for args in (("sources",), ("export", "calendar"), ("edit", "--list"),
                 ("export", "changes", "--since", "2024-01-01"), ("export", "ics")):
        result = desk.tc(*args)
        assert result.exit_code == 2, args
        assert "no store at" in result.stderr and "tradecal.bd" in result.stderr
    assert not (desk.path.parent / "tradecal.bd").exists()


# --- 6. the demo in its own store ---------------------------------------------------------------

def test_replay_writes_a_scratch_store_and_says_where(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADECAL_NOW", "2024-04-26T08:00:00Z")
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    desk = Desk(tmp_path / "config.toml")
    result = desk.tc("run", "--replay", str(ROOT / "examples" / "replay"))
    scratch = tmp_path / "replay-store"
    assert f"scratch store {scratch / 'tradecal.db'}" in result.stderr
    assert "wrote" in result.stderr and str(scratch / "public") in result.stderr
    assert not (tmp_path / "tradecal.db").exists() and not (tmp_path / "public").exists()
    assert (scratch / "public" / "all.ics").exists()
    demo = desk.ok("--store", str(scratch / "tradecal.db"), "export", "calendar",
                   "--from", "2024-04-29", "--to", "2024-05-23").stdout
    assert "Committee on" in demo
    real = desk.tc("export", "calendar")
    assert real.exit_code == 2 and "no store at" in real.stderr


# --- 9. the smaller items -----------------------------------------------------------------------

def test_one_event_is_singular(desk: Desk, tmp_path: Path) -> None:
    csv = tmp_path / "one.csv"
    csv.write_text("organization,title,start\nCIECA,講座,2024-05-20\n", encoding="utf-8")
    assert "one.csv: 1 event (1 new" in desk.ok("import", str(csv)).stderr


def test_an_ambiguous_prefix_says_how_many_are_shown(desk: Desk, tmp_path: Path) -> None:
    csv = tmp_path / "many.csv"
    rows = "".join(f"CIECA,講座 {n},2024-05-{n:02d}\n" for n in range(1, 16))
    csv.write_text("organization,title,start\n" + rows, encoding="utf-8")
    desk.ok("import", str(csv))
    result = desk.tc("edit", "manual-", "--hide")
    assert result.exit_code == 2
    assert "matches 15 events; give more of it (the first 10 shown)" in result.stderr


def test_a_window_across_years_prints_the_year(desk: Desk, tmp_path: Path) -> None:
    csv = tmp_path / "winter.csv"
    csv.write_text("organization,title,start,end,registration_deadline\n"
                   "WTO,Council for Trade in Goods,2024-12-04,,\n"
                   "WTO,General Council,2025-01-17,,\n"
                   "CIECA,新年講座,2025-01-08,,2024-12-31\n", encoding="utf-8")
    desk.ok("import", str(csv))
    window = ("--from", "2024-12-01", "--to", "2025-01-31")
    calendar = desk.ok("export", "calendar", *window).stdout
    assert "| 2024/12/4 |" in calendar and "| 2025/1/17 |" in calendar
    events = desk.ok("export", "events", *window).stdout
    assert "| 2024/12/31 | 2025/1/8 | 新年講座 |" in events
    assert "| 12/4 |" in desk.ok("export", "calendar", "--from", "2024-12-01", "--to",
                                 "2024-12-24").stdout


def test_sigterm_stops_run_with_a_message(tmp_path: Path) -> None:
    asked = threading.Event()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        held: list[socket.socket] = []

        def accept() -> None:
            connection, _ = listener.accept()  # never answered: the run waits on it
            held.append(connection)
            asked.set()

        threading.Thread(target=accept, daemon=True).start()
        config = tmp_path / "config.toml"
        config.write_text(f"""
[organizations.WTO]
timezone = "Europe/Zurich"
[fetch]
timeout = 600.0
retries = 0
robots = false
[sources.slow]
type = "ics"
url = "http://127.0.0.1:{port}/feed.ics"
organization = "WTO"
""", encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-m", "aggregator", "--config", str(config), "run"], cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "TRADECAL_NOW": "2024-04-26T08:00:00Z"})
        try:
            assert asked.wait(60), "the run never asked the server"
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
            for connection in held:
                connection.close()
    assert process.returncode == 143
    assert "stopped by SIGTERM" in stderr and "Traceback" not in stderr
