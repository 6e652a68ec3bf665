"""Source health from the recorded runs: stale, failing, suspicious, averages, last error."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from aggregator.cli import cli
from aggregator.config import Config, parse_config
from aggregator.health import source_health, stale_notice, stale_sources
from aggregator.store.db import Store, UpsertCounts
from tests.ustr_sites import write_config

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
SOURCES = ("fine", "broken", "dropped", "quiet", "new", "off", "hourly")


def config(tmp_path: Path) -> Config:
    path = write_config(tmp_path, {name: f"https://{name}.example/" for name in SOURCES})
    text = path.read_text(encoding="utf-8")
    text = text.replace('[sources.off]\ntype = "ustr"',
                        '[sources.off]\ntype = "ustr"\nenabled = false')
    text = text.replace('[sources.hourly]\ntype = "ustr"',
                        '[sources.hourly]\ntype = "ustr"\nschedule = "0 * * * *"')
    path.write_text(text, encoding="utf-8")
    return parse_config(tomllib.loads(text), path)


def record(store: Store, source: str, hours_ago: float, outcome: str, events: int = 0,
           error: str = "") -> None:
    when = NOW - timedelta(hours=hours_ago)
    run = store.start_run(source, when)
    store.finish_run(run, outcome, UpsertCounts(unchanged=events), error=error, events=events,
                     now=when + timedelta(seconds=30))


def fill(store: Store) -> None:
    for hours, events in zip((30, 24, 18, 12, 6), (38, 40, 42, 44, 41)):
        record(store, "fine", hours, "ok", events)
        record(store, "dropped", hours, "ok", 40)
    record(store, "fine", 1, "ok", 42)
    record(store, "broken", 7, "ok", 10)
    record(store, "broken", 1, "failed", error="fetch error: HTTP 500 Internal Server Error "
                                                "(https://broken.example/) " + "x" * 200)
    record(store, "dropped", 1, "suspicious", 3, "suspicious: 3 events, recent runs averaged 40")
    record(store, "quiet", 30, "ok", 5)  # the last success 30 h ago: five intervals of 6 h
    record(store, "quiet", 1, "failed", error="parse error: not JSON")
    record(store, "off", 100, "ok", 1)
    record(store, "hourly", 4, "ok", 2)  # hourly cron: stale after 3 h


def test_health_of_each_source(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    with Store(tmp_path / "tradecal.db") as store:
        fill(store)
        health = {h.source: h for h in source_health(store, cfg, NOW)}
        stale = stale_sources(store, cfg, NOW)
    assert {name: h.health for name, h in health.items()} == {
        "fine": "ok", "broken": "failing", "dropped": "suspicious", "quiet": "stale",
        "new": "never run", "off": "disabled", "hourly": "stale"}
    assert stale == ["quiet", "hourly"]
    fine = health["fine"]
    assert fine.events == 42 and fine.average == 41.0 and fine.last_error == ""
    assert fine.schedule == "every 6h" and fine.last_success == (NOW - timedelta(hours=1) +
                                                                 timedelta(seconds=30)).isoformat()
    broken = health["broken"]
    assert broken.outcome == "failed" and broken.error.startswith("fetch error: HTTP 500")
    assert len(broken.last_error) == 100 and broken.last_error.endswith("…")
    assert broken.last_error_at == (NOW - timedelta(hours=1, seconds=-30)).isoformat()
    assert health["dropped"].suspicious and health["dropped"].events == 3
    assert health["dropped"].average == 40.0
    assert health["hourly"].schedule == "0 * * * *"
    assert health["new"].outcome == "never" and health["new"].events is None
    assert not health["off"].stale  # disabled: never stale


def test_a_source_that_never_succeeded_is_stale_from_its_first_run(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    with Store(tmp_path / "tradecal.db") as store:
        record(store, "new", 20, "failed", error="fetch error: timed out")
        record(store, "new", 1, "failed", error="fetch error: timed out")
        assert stale_sources(store, cfg, NOW) == ["new"]
        assert stale_sources(store, cfg, NOW - timedelta(hours=2)) == []


def test_stale_after_is_read_from_the_schedule_table(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    def after(multiple: float) -> Config:
        return dataclasses.replace(cfg, schedule=dataclasses.replace(cfg.schedule,
                                                                     stale_after=multiple))

    with Store(tmp_path / "tradecal.db") as store:
        fill(store)
        assert stale_sources(store, after(10.0), NOW) == []
        assert stale_sources(store, after(1.0), NOW) == ["broken", "quiet", "hourly"]


def test_stale_notice_names_the_sources() -> None:
    assert stale_notice([]) == ""
    notice = stale_notice(["wto", "imf"])
    assert "wto, imf" in notice and "wto、imf" in notice


def test_sources_command_table_and_json(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    with Store(tmp_path / "tradecal.db") as store:
        fill(store)
    runner = CliRunner()
    table = runner.invoke(cli, ["--config", str(cfg.path), "sources"], catch_exceptions=False)
    assert table.exit_code == 0
    header, *lines = table.stdout.splitlines()
    assert header.split("\t") == ["source", "type", "org", "enabled", "health", "schedule",
                                  "last run", "outcome", "events", "average", "last success",
                                  "last error", "channel"]
    rows = {line.split("\t")[0]: line.split("\t") for line in lines}
    assert rows["new"][4:10] == ["never run", "every 6h", "-", "never", "-", "-"]
    assert rows["off"][3:5] == ["no", "disabled"]
    listing = runner.invoke(cli, ["--config", str(cfg.path), "sources", "--json"])
    objects = {o["source"]: o for o in map(json.loads, listing.stdout.splitlines())}
    # stale is judged against the real clock here: every run above is long past
    assert objects["fine"]["health"] == "stale" and objects["fine"]["stale"] is True
    assert objects["broken"]["error"].startswith("fetch error: HTTP 500")
    assert set(objects["fine"]) >= {"source", "type", "organization", "enabled", "last_run",
                                    "outcome", "events", "average", "last_success", "error",
                                    "last_error", "last_error_at", "stale", "suspicious",
                                    "health", "schedule"}


def test_run_summary_names_failed_and_stale_sources_for_a_cron_mail(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    long_ago = datetime.now(UTC) - timedelta(days=30)
    with Store(tmp_path / "tradecal.db") as store:
        run = store.start_run("quiet", long_ago)
        store.finish_run(run, "ok", events=5, now=long_ago)
    text = cfg.path.read_text(encoding="utf-8")
    for name in SOURCES:
        if name not in ("quiet", "off"):
            text = text.replace(f'[sources.{name}]\ntype = "ustr"',
                                f'[sources.{name}]\ntype = "ustr"\nenabled = false')
    cfg.path.write_text(text.replace("https://quiet.example/", "http://127.0.0.1:9/"),
                        encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(cfg.path), "run"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("[1/1] quiet: FAILED: fetch error: robots.txt unreachable")
    assert lines[1].startswith("0 of 1 sources refreshed, 0 events read; failed: quiet (")
    assert lines[2].startswith("  FAILED quiet: fetch error: robots.txt unreachable")
    assert lines[3] == (f"  STALE quiet: no success since {long_ago.isoformat()} "
                        "(schedule every 6h)")
    assert lines[4].startswith("wrote ") and lines[4].endswith(str(tmp_path / "public"))
