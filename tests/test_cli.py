"""The command line, end to end: import, export, parse, refresh, sources, exit codes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import cli
from tests.conftest import FIXTURES, ROOT

REFERENCE_CSV = FIXTURES / "reference" / "reference-rows.csv"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder with a copy of the shipped config.toml (its store and feeds land here)."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace("past_days = 90", "past_days = 36500")  # the reference is of 2024
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    return tmp_path


def invoke(workdir: Path, *args: str):
    runner = CliRunner()
    return runner.invoke(cli, ["--config", str(workdir / "config.toml"), *args],
                         catch_exceptions=False)


def count_events(workdir: Path) -> int:
    with sqlite3.connect(workdir / "tradecal.db") as db:
        return db.execute("select count(*) from events").fetchone()[0]


def test_missing_config_exits_2(tmp_path: Path) -> None:
    result = invoke(tmp_path, "sources")
    assert result.exit_code == 2
    assert "not found" in result.output


def test_bad_config_exits_2_naming_the_key(workdir: Path) -> None:
    config = workdir / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'timezone = "America/New_York"\nenabled = true', 'timezone = "Washington"\nenabled = true'),
        encoding="utf-8")
    result = invoke(workdir, "sources")
    assert result.exit_code == 2
    assert "sources.ustr.timezone" in result.output


def test_a_bad_source_option_stops_the_commands_that_build_sources(workdir: Path) -> None:
    """A source's own keys are checked by its type when a command builds sources (refresh,
    run, parse, record, doctor, schedule, and ``sources``, the health check); the commands
    that only read the store (export, edit, serve) never import the parsers, so they work
    meanwhile."""
    config = workdir / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[sources.wto]\n", "[sources.wto]\nmeetings_only = \"yes\"\n"), encoding="utf-8")
    assert invoke(workdir, "import", str(REFERENCE_CSV)).exit_code == 0
    for command in (["refresh", "ustr"], ["run"], ["parse", "wto", str(REFERENCE_CSV)],
                    ["schedule", "--list"], ["sources"]):
        result = invoke(workdir, *command)
        assert result.exit_code == 2, command
        assert "sources.wto.meetings_only: must be bool, not str ('yes')" in result.output
    result = invoke(workdir, "export", "calendar", "--from", "2024-04-29", "--to", "2024-05-23")
    assert result.exit_code == 0
    assert "國際經貿行事曆" in result.output


def test_unknown_source_is_a_usage_error(workdir: Path) -> None:
    result = invoke(workdir, "refresh", "nonesuch")
    assert result.exit_code == 2
    assert "unknown source 'nonesuch'" in result.output


def test_import_twice_changes_nothing_and_feeds_stay_identical(workdir: Path) -> None:
    first = invoke(workdir, "import", str(REFERENCE_CSV))
    assert first.exit_code == 0, first.output
    assert "9 new" in first.output
    assert invoke(workdir, "export", "ics", "--out", str(workdir / "a")).exit_code == 0
    second = invoke(workdir, "import", str(REFERENCE_CSV))
    assert "0 new, 0 changed, 9 unchanged" in second.output
    assert invoke(workdir, "export", "ics", "--out", str(workdir / "b")).exit_code == 0
    names = sorted(str(p.relative_to(workdir / "a")) for p in (workdir / "a").rglob("*")
                   if p.is_file())  # the feeds and the site next to them
    assert "all.ics" in names and "wto.ics" in names and "index.html" in names
    assert names == sorted(str(p.relative_to(workdir / "b")) for p in (workdir / "b").rglob("*")
                           if p.is_file())
    for name in names:
        assert (workdir / "a" / name).read_bytes() == (workdir / "b" / name).read_bytes()
    assert (workdir / "a" / "all.ics").read_bytes().count(b"BEGIN:VEVENT") == 9


def test_bad_csv_row_is_refused_and_nothing_stored(workdir: Path) -> None:
    invoke(workdir, "import", str(REFERENCE_CSV))
    bad = workdir / "bad.csv"
    lines = REFERENCE_CSV.read_text(encoding="utf-8").splitlines()
    lines.append("WTO,General Council,2024-05-22,,,,,,,,,")
    lines.append("WTO,Trade Policy Review,2024-05-30,2024-05-28,,,,,,,,")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke(workdir, "import", str(bad))
    assert result.exit_code == 1
    assert f"line {len(lines)}" in result.output and "before start" in result.output
    assert count_events(workdir) == 9


def test_export_calendar_and_events_to_file(workdir: Path) -> None:
    invoke(workdir, "import", str(REFERENCE_CSV))
    out = workdir / "calendar.md"
    result = invoke(workdir, "export", "calendar", "--from", "2024-04-29", "--to", "2024-05-23",
                    "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("國際經貿行事曆")
    assert "| 4/29-30 | 一~二 | ⚫ IMF：Ebb and Flow" in text
    events = invoke(workdir, "export", "events", "--from", "2024-04-29", "--to", "2024-05-23",
                    "--format", "html")
    assert events.exit_code == 0
    assert "國際地緣政治風險與我國出口管制規定宣導說明會" in events.output
    assert "逕自洽詢" in events.output


def test_export_window_must_be_ordered(workdir: Path) -> None:
    result = invoke(workdir, "export", "calendar", "--from", "2024-05-23", "--to", "2024-04-29")
    assert result.exit_code == 2


def test_parse_prints_json_lines(workdir: Path) -> None:
    page = FIXTURES / "ustr" / "search-page-1.json"
    result = invoke(workdir, "parse", "ustr", str(page))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert rows and all(row["organization"] == "USTR" for row in rows)
    for key in ("uid", "source", "title", "start", "end", "all_day", "timezone", "location",
                "url", "status", "kind", "registration_deadline"):
        assert key in rows[0]


def test_parse_garbage_exits_1(workdir: Path) -> None:
    garbage = workdir / "garbage.json"
    garbage.write_bytes(b"\x00\xffnot json")
    result = invoke(workdir, "parse", "ustr", str(garbage))
    assert result.exit_code == 1
    assert "garbage.json" in result.output


def test_interrupted_run_exits_130_and_says_what_is_kept(workdir: Path, monkeypatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("aggregator.jobs.refresh_and_publish", interrupted)
    result = CliRunner().invoke(cli, ["--config", str(workdir / "config.toml"), "run"])
    assert result.exit_code == 130
    assert "interrupted: the sources stored so far are kept" in result.output
