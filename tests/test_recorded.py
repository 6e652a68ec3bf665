"""Every response saved by `tradecal record` under tests/fixtures/<source>/ parses.

A capture becomes a regression test without code changes: each saved response is parsed by
its source (the folder's name, as configured in the shipped config.toml); it must parse
without error, be described in the folder's README.md, and, where a `<stem>.expected.jsonl`
sits next to it, give exactly those events.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aggregator.config import load_config
from aggregator.core.model import event_to_json
from aggregator.fetch.replay import note_provenance, read_saved, save_response
from aggregator.reconcile import merge_duplicates
from sources.base import Request, Response
from sources.registry import build_source
from tests.conftest import FIXTURES, ROOT

SAVED = sorted(FIXTURES.glob("*/**/*.json"))
RECORDED = [path for path in SAVED if path.with_suffix(".body").is_file()]


def parse_saved(source_name: str, metadata: Path) -> list[dict]:
    config = load_config(ROOT / "config.toml")
    source = build_source(config.sources[source_name])
    response = read_saved(metadata)
    events = [item for item in source.parse(response) if not isinstance(item, Request)]
    return [event_to_json(event) for event in merge_duplicates(events)]


@pytest.mark.parametrize("metadata", RECORDED, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_recorded_response_parses(metadata: Path) -> None:
    source_name = metadata.relative_to(FIXTURES).parts[0]
    events = parse_saved(source_name, metadata)
    readme = (metadata.parent / "README.md").read_text(encoding="utf-8")
    assert metadata.stem in readme, "every capture is described in the folder's README.md"
    expected = metadata.with_suffix(".expected.jsonl")
    if expected.exists():
        lines = expected.read_text(encoding="utf-8").splitlines()
        assert events == [json.loads(line) for line in lines if line.strip()]


def test_a_new_capture_is_picked_up(tmp_path: Path) -> None:
    """What record writes is what the test above reads (same folder layout, README line)."""
    body = (FIXTURES / "ustr" / "search-page-2.json").read_bytes()
    request = Request("https://www.federalregister.gov/api/v1/documents.json?page=2")
    metadata = save_response(tmp_path, Response(url=request.url, body=body, request=request))
    readme = note_provenance(tmp_path, [metadata]).read_text(encoding="utf-8")
    assert metadata.stem in readme and "live capture of https://www.federalregister.gov" in readme
    assert read_saved(metadata).body == body
    events = parse_saved("ustr", metadata)
    assert events and all(event["kind"] == "hearing" for event in events)
