"""The layers stay light: the command line and config loading import no parser, scheduler,
HTTP client or Word library until a command uses it (DESIGN.md; `python -m bench.startup`
times the difference). Checked by the modules a fresh interpreter has loaded, not by time."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

HEAVY = ("bs4", "lxml", "soupsieve", "icalendar", "recurring_ical_events", "feedparser",
         "docx", "httpx", "apscheduler", "sqlite_utils", "rich")


def loaded_modules(code: str) -> set[str]:
    """The modules loaded by a fresh interpreter that runs ``code``."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def loaded_after(code: str) -> set[str]:
    """The top-level packages loaded by a fresh interpreter that runs ``code``."""
    return {name.split(".")[0] for name in loaded_modules(code)}


def test_the_command_line_loads_no_heavy_library_before_a_command_runs() -> None:
    assert sorted(loaded_after("import aggregator.cli") & set(HEAVY)) == []


def test_loading_the_shipped_config_loads_no_parser_library() -> None:
    path = str(ROOT / "config.toml")
    loaded = loaded_after("from pathlib import Path\nfrom aggregator.config import load_config\n"
                          f"load_config(Path({path!r}))")
    assert sorted(loaded & set(HEAVY)) == []
    assert "sources" in loaded  # the configured types' options were checked


def test_a_command_that_reads_the_store_imports_no_source_module() -> None:
    code = ("from pathlib import Path\nfrom aggregator.cli.context import Context\n"
            f"Context(Path({str(ROOT / 'config.toml')!r})).config")
    modules = loaded_modules(code)
    light = {"sources", "sources.base", "sources.registry", "sources.channels"}
    assert sorted(name for name in modules if name.startswith("sources") and name not in light) == []


def test_the_commands_that_build_sources_check_their_options_first() -> None:
    code = ("from pathlib import Path\nfrom aggregator.cli.context import Context\n"
            f"Context(Path({str(ROOT / 'config.toml')!r})).checked_config")
    assert "sources.wto" in loaded_modules(code)
