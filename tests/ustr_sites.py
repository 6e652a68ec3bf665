"""USTR-type sources on local servers, and a small configuration pointing at them.

Every site answers the Federal Register search at :data:`PATH` with one page (the fixture's
first page, its ``next_page_url`` removed, document numbers made distinct per site) with an
ETag, so a second refresh is answered 304.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES
from tests.servers import Reply

PATH = "/api/v1/documents.json"


def ustr_page(site: str = "", copies: int = 1) -> dict[str, Any]:
    """The fixture's first page as one page; ``copies`` repeats its notices (distinct
    document numbers, dockets and titles, so that no two sites or copies announce the same
    meeting) to make a bigger page."""
    page = json.loads((FIXTURES / "ustr" / "search-page-1.json").read_text(encoding="utf-8"))
    results = []
    for copy in range(copies):
        for result in page["results"]:
            tag = f"{site}{copy}" if site or copy else ""
            results.append({**result, "title": f"{result['title']} {tag}".strip(),
                            "document_number": f"{result['document_number']}{tag}",
                            "docket_ids": [f"{d}{tag}" for d in result.get("docket_ids") or []]})
    return {**page, "results": results, "count": len(results), "next_page_url": None}


def page_reply(page: Mapping[str, Any]) -> Reply:
    body = json.dumps(page).encode("utf-8")
    return Reply(body, headers={"Content-Type": "application/json"},
                 etag=f'"{hashlib.sha256(body).hexdigest()[:16]}"')


def write_config(folder: Path, sources: Mapping[str, str], **fetch: object) -> Path:
    """A config with one USTR-type source per (name, url), its store and feeds in
    ``folder``; ``fetch`` overrides [fetch] keys (default: no delay, no retries)."""
    settings: dict[str, object] = {"timeout": 5.0, "retries": 0, "delay": 0.0,
                                   "lock_timeout": 30.0, **fetch}
    lines = ['[store]', 'path = "tradecal.db"', '', '[feeds]', 'output = "public"',
             'past_days = 36500', 'retention_days = 36500', '', '[fetch]']
    lines += [f"{key} = {_toml(value)}" for key, value in settings.items()]
    lines += ['', '[organizations.USTR]', 'short_name = "USTR"',
              'section = "APEC 及其他國際組織"', 'timezone = "America/New_York"']
    for name, url in sources.items():
        lines += ['', f'[sources.{name}]', 'type = "ustr"', f'url = "{url}"',
                  'organization = "USTR"']
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
