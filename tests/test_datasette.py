"""``datasette/metadata.json`` against a real store: every table, column, facet and sort it
names exists, the canned queries run; and, when the optional extra is installed, Datasette
itself serves the store with the titles, facets and sorted upcoming events."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from aggregator.core import clock
from aggregator.core.model import Event
from aggregator.store.db import Store
from aggregator.store.issues import record_issue
from tests.conftest import ROOT

METADATA = ROOT / "datasette" / "metadata.json"
DATABASE = "tradecal"  # the shipped config's store is tradecal.db
FACETS = {"organization", "section", "status", "source", "kind"}


def metadata() -> dict[str, Any]:
    return json.loads(METADATA.read_text(encoding="utf-8"))


def database() -> dict[str, Any]:
    return metadata()["databases"][DATABASE]


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A store named like the shipped one, with events around today, a run, an export,
    and the tables other modules add (overrides, http_cache)."""
    path = tmp_path / f"{DATABASE}.db"
    today = clock.today("UTC")
    events = [
        _event("past", "Meeting last month", today - timedelta(days=30)),
        _event("ongoing", "Meeting since yesterday", today - timedelta(days=1),
               today + timedelta(days=1)),
        _event("later", "Meeting next week", today + timedelta(days=7)),
        _event("soon", "Meeting tomorrow", today + timedelta(days=1)),
    ]
    with Store(path) as store:
        run = store.start_run("wto")
        store.finish_run(run, "ok", store.upsert_events(events, run_id=run), events=4)
        record_issue(store, today, today + timedelta(days=24))
    return path


def _event(key: str, title: str, start: date, end: date | None = None) -> Event:
    return Event(source="wto", source_key=key, organization="WTO", title=title, start=start,
                 end=end, timezone="Europe/Zurich")


def test_metadata_names_tables_and_columns_of_a_real_store(store_path: Path) -> None:
    with Store(store_path) as store:
        tables = set(store.db.table_names())
        for name, spec in database()["tables"].items():
            assert name in tables, name
            columns = set(store.db[name].columns_dict)
            named = set(spec.get("columns", {})) | set(spec.get("facets", []))
            named |= {spec[key] for key in ("sort", "sort_desc", "label_column") if key in spec}
            assert named <= columns, (name, named - columns)
            assert spec["title"] and spec["description"]


def test_every_column_of_the_main_tables_is_described(store_path: Path) -> None:
    tables = database()["tables"]
    with Store(store_path) as store:
        for name in ("events", "event_history", "runs", "aliases", "overrides", "issues"):
            assert set(tables[name]["columns"]) == set(store.db[name].columns_dict), name


def test_events_facet_on_organization_section_status_source_kind() -> None:
    events = database()["tables"]["events"]
    assert set(events["facets"]) == FACETS
    assert events["sort"] == "start"


def test_upcoming_query_lists_events_not_over_by_start(store_path: Path) -> None:
    query = database()["queries"]["upcoming"]["sql"]
    with Store(store_path) as store:
        rows = list(store.db.query(query, {"organization": ""}))
        assert [row["title"] for row in rows] == [
            "Meeting since yesterday", "Meeting tomorrow", "Meeting next week"]
        assert list(store.db.query(query, {"organization": "IMF"})) == []


def test_recent_changes_query_runs(store_path: Path) -> None:
    query = database()["queries"]["recent_changes"]["sql"]
    with Store(store_path) as store:
        rows = list(store.db.query(query))
    assert {row["field"] for row in rows} == {"created"} and len(rows) == 4


# --- Datasette itself (the optional extra) -------------------------------------------------------

def _get(path: Path, url: str) -> Any:
    app = pytest.importorskip("datasette.app")
    datasette = app.Datasette([str(path)], metadata=metadata())

    async def fetch() -> Any:
        return await datasette.client.get(url)

    return asyncio.run(fetch())


def test_datasette_serves_titled_tables_with_facets(store_path: Path) -> None:
    response = _get(store_path, f"/{DATABASE}/events.json?_shape=objects")
    assert response.status_code == 200
    body = response.json()
    facets = body["facet_results"]
    if "results" in facets:  # Datasette 1.0 nests them
        facets = facets["results"]
    assert FACETS <= set(facets)
    assert [row["start"] for row in body["rows"]] == sorted(row["start"] for row in body["rows"])
    page = _get(store_path, f"/{DATABASE}/events")
    assert page.status_code == 200 and "<h1" in page.text and "Events" in page.text


def test_datasette_runs_the_upcoming_query(store_path: Path) -> None:
    response = _get(store_path, f"/{DATABASE}/upcoming.json?_shape=array&organization=")
    assert response.status_code == 200
    assert [row["title"] for row in response.json()] == [
        "Meeting since yesterday", "Meeting tomorrow", "Meeting next week"]
    page = _get(store_path, f"/{DATABASE}")
    assert "Upcoming events" in page.text
