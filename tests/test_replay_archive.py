"""The offline demo: the committed archive is current, and the shipped config runs on it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from aggregator.cli import cli
from aggregator.config import load_config
from tests.replay_archive import ARCHIVE, ROOT, build


def test_committed_archive_is_what_the_fixtures_build(tmp_path: Path) -> None:
    written = build(tmp_path, load_config(ROOT / "config.toml"))
    built = sorted(path.name for path in tmp_path.iterdir())
    committed = sorted(path.name for path in ARCHIVE.iterdir() if path.name != "README.md")
    assert built == committed, "run `python -m tests.replay_archive` after changing fixtures"
    for name in built:
        assert (tmp_path / name).read_bytes() == (ARCHIVE / name).read_bytes(), name
    assert len(written) * 2 == len(built)


def test_shipped_config_runs_offline_on_the_archive(tmp_path: Path) -> None:
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    config = ["--config", str(tmp_path / "config.toml")]
    result = CliRunner().invoke(cli, [*config, "run", "--replay", str(ARCHIVE), "--store",
                                      str(tmp_path / "tradecal.db")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    listing = CliRunner().invoke(cli, [*config, "sources", "--json"])
    rows = [json.loads(line) for line in listing.stdout.splitlines() if line.startswith("{")]
    enabled = {name for name, spec in load_config(ROOT / "config.toml").sources.items()
               if spec.enabled}
    ran = {row["source"]: row for row in rows if row["source"] in enabled}
    assert set(ran) == enabled
    for name, row in ran.items():
        assert row["outcome"] == "ok", (name, row)
        if ran[name]["type"] != "csv":
            assert row["events"], f"{name} read no events from the archive"
    assert (tmp_path / "public" / "all.ics").exists()
