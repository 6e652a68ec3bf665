"""The store's schema lives in one place (:mod:`aggregator.store.schema`): opening a store
creates every table, and no other module creates one."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

from aggregator.store.db import Store
from tests.conftest import ROOT

TABLES = {"events", "event_history", "runs", "aliases", "overrides", "http_cache", "issues"}


def table_creations(path: Path) -> list[int]:
    """Lines of sqlite-utils' table creation: ``db["name"].create(...)`` or
    ``db.table(name).create(...)``, whatever the columns are written as."""
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "create"
            and isinstance(node.func.value, (ast.Subscript, ast.Call))]


def test_opening_a_store_creates_every_table(tmp_path: Path) -> None:
    with Store(tmp_path / "t.db") as store:
        assert TABLES <= set(store.db.table_names())


def test_only_the_schema_module_creates_tables() -> None:
    offenders = {}
    for package in ("aggregator", "sources", "feeds"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative != "aggregator/store/schema.py" and (lines := table_creations(path)):
                offenders[relative] = lines
    assert offenders == {}
    assert table_creations(ROOT / "aggregator" / "store" / "schema.py")


def test_an_older_store_gets_the_columns_it_lacks(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute("create table runs (id integer primary key, source text, started text, "
                   "finished text, outcome text, events integer, inserted integer, "
                   "updated integer, unchanged integer, error text)")
        db.execute("insert into runs (source, outcome) values ('wto', 'ok')")
    with Store(path) as store:
        columns = store.db["runs"].columns_dict
        assert {"cancelled", "channel", "warnings"} <= set(columns)
        assert list(store.db.query("select source, cancelled, channel from runs")) == [
            {"source": "wto", "cancelled": 0, "channel": ""}]
