"""Shared test helpers: a configuration like the shipped one, a store in a temp folder."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from aggregator.config import Config, parse_config
from aggregator.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def shipped_config(tmp_path: Path) -> Config:
    """The shipped config.toml, with its store and output moved into a temp folder."""
    raw = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    return parse_config(raw, tmp_path / "config.toml")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "test.db") as opened:
        yield opened
