"""The offline demo: an archive of saved responses that ``tradecal run --replay`` answers from.

``examples/replay/`` holds, for every enabled source of the shipped config.toml, the
responses its requests get, taken from the sources' fixtures (composed from the sites'
documented layouts; see each ``tests/fixtures/<source>/README.md``) in the order the source
asks for them. Rebuild it after changing a fixture or a source's requests:

    python -m tests.replay_archive

``tests/test_replay_archive.py`` checks that the committed archive is what this builds.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from aggregator.config import Config, load_config
from aggregator.fetch.fetcher import (
    DEFAULT_MAX_BYTES,
    FetchError,
    full_url,
    read_local_file,
)
from aggregator.fetch.replay import save_response
from aggregator.refresh import collect
from sources.base import Request, Response
from sources.registry import build_source

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
ARCHIVE = ROOT / "examples" / "replay"
SAVED_AT = datetime(2026, 11, 26, tzinfo=UTC)
CONTENT_TYPES = {".json": "application/json; charset=utf-8", ".xml": "text/xml; charset=utf-8",
                 ".html": "text/html; charset=utf-8", ".js": "application/javascript"}

SOURCE_FIXTURES: dict[str, list[str]] = {
    "wto": ["wto/meetings_e-composed.js"],
    "wto_airgrams": ["wto_airgrams/airgrams-page-1.xml"],
    "apec": ["apec/calendar-cards-composed.html"],
    "ustr": ["ustr/search-page-1.json", "ustr/search-page-2.json"],
    "imf": ["imf/seminars.html", "imf/seminars-page-2.html"],
    "oecd": ["oecd/events.html"],
    "worldbank": ["worldbank/search-events.json"],
    "asean": ["asean/posts-meeting.json"],
}
"""Fixture files in the order each source requests them (sources reading local files,
such as the CSV ones, need none)."""


class FixtureFetcher:
    """Answers a source's successive requests with the next fixture file."""

    def __init__(self, files: Iterable[Path]) -> None:
        self.files = list(files)

    def get(self, request: Request) -> Response:
        if request.url.startswith("file:"):
            return read_local_file(request, DEFAULT_MAX_BYTES)
        if not self.files:
            raise FetchError(full_url(request), "the source asked for more than its fixtures")
        path = self.files.pop(0)
        return Response(url=full_url(request), body=path.read_bytes(), request=request,
                        headers={"content-type": CONTENT_TYPES.get(path.suffix, "text/plain")})


def build(directory: Path, config: Config) -> list[Path]:
    """Write the archive of every source in SOURCE_FIXTURES into ``directory``."""
    written = []
    for name, files in SOURCE_FIXTURES.items():
        fetcher = FixtureFetcher(FIXTURES / file for file in files)
        source = build_source(config.sources[name], today=SAVED_AT.date())
        saving = _Saving(fetcher, directory, written)
        collect(source, saving)
        if fetcher.files:
            raise ValueError(f"{name}: fixtures not asked for: {fetcher.files}")
    return written


class _Saving:
    def __init__(self, fetcher: FixtureFetcher, directory: Path, written: list[Path]) -> None:
        self.fetcher, self.directory, self.written = fetcher, directory, written

    def get(self, request: Request) -> Response:
        response = self.fetcher.get(request)
        if not request.url.startswith("file:"):
            self.written.append(save_response(self.directory, response, saved_at=SAVED_AT))
        return response


def main() -> None:
    shutil.rmtree(ARCHIVE, ignore_errors=True)
    paths = build(ARCHIVE, load_config(ROOT / "config.toml"))
    (ARCHIVE / "README.md").write_text(README, encoding="utf-8")
    print(f"wrote {len(paths)} responses to {ARCHIVE}", file=sys.stderr)


README = """# Offline demo archive

Saved responses for `tradecal run --replay examples/replay`: every enabled source of the
shipped `config.toml` is answered from here instead of the network. Each `.body` is a copy
of a fixture under `tests/fixtures/<source>/`, **composed** from the site's documented
layout (see that folder's README.md), not a live capture; each `.json` holds the request's
URL. Built by `python -m tests.replay_archive`; `tests/test_replay_archive.py` checks it is
up to date.
"""

if __name__ == "__main__":
    main()
