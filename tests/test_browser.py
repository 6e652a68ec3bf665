"""The editor page end to end in a real browser: Debian's Chromium driven by Playwright.

``tradecal serve`` runs as a subprocess on 127.0.0.1 over a store that holds the
reference's events (imported with ``tradecal import``). The browser opens the editor,
changes the window to the reference's, hides a meeting, and sees it gone from the preview,
from the downloaded Word file, and from the feed the server publishes after an export.

Skipped only when ``/usr/bin/chromium`` or the ``playwright`` package is missing (``.ci/run``
installs both). Playwright's own browser download is never used.
"""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from docx import Document

from aggregator.config import load_config
from aggregator.store import Store
from feeds.export import export_feeds
from tests.conftest import FIXTURES, ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ISSUE_DAY = date(2024, 4, 26)
HIDDEN = "Committee on Customs Valuation"
KEPT = "Committee on Trade and Development - Session on Aid for Trade"

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright package is not installed")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian's chromium is not installed at /usr/bin/chromium")


def tradecal(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aggregator", "--config", str(config), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text((ROOT / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    tradecal(path, "import", str(FIXTURES / "reference" / "reference-rows.csv"))
    return path


@pytest.fixture
def server(config_path: Path, tmp_path: Path) -> Iterator[str]:
    """``tradecal serve`` on a free port of 127.0.0.1; its log goes to a file."""
    port = free_port()
    log = (tmp_path / "serve.log").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator", "--config", str(config_path), "serve",
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(port, process, tmp_path / "serve.log")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()


def wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"tradecal serve exited: {log.read_text(encoding='utf-8')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("tradecal serve did not start listening within 30 s")


@pytest.fixture
def page(server: str) -> Iterator[Page]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True, locale="zh-TW")
        opened = context.new_page()
        opened.set_default_timeout(20_000)
        try:
            yield opened
        finally:
            context.close()
            browser.close()


def test_hide_an_event_in_the_browser(page: Page, server: str, config_path: Path,
                                      tmp_path: Path) -> None:
    expect = sync_api.expect
    page.goto(f"{server}/editor")
    preview = page.locator("#preview")

    # Change the window to the reference's.
    page.get_by_label("From").fill("2024-04-29")
    page.get_by_label("To").fill("2024-05-23")
    page.get_by_role("button", name="Preview").click()
    expect(preview).to_contain_text("2024 年 4 月 29 日～2024 年 5 月 23 日")
    expect(preview).to_contain_text(HIDDEN)
    expect(preview).to_contain_text("國際地緣政治風險與我國出口管制規定宣導說明會")

    # Hide a meeting with its row's button.
    row = page.locator("#edit-events tr", has_text=HIDDEN)
    row.get_by_role("button", name="Hide").click()
    expect(page.get_by_role("status")).to_contain_text(f"Hidden: {HIDDEN}")
    expect(preview).not_to_contain_text(HIDDEN)
    expect(preview).to_contain_text(KEPT)
    expect(page.locator("#hidden-events")).to_contain_text(HIDDEN)
    assert "from=2024-04-29" in page.url

    # The downloaded Word file of the calendar no longer has it.
    with page.expect_download() as download_info:
        page.locator("a[download][href*='table=calendar'][href*='format=docx']").click()
    download = download_info.value
    assert download.suggested_filename == "calendar-2024-04-29-2024-05-23.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    document = Document(io.BytesIO(saved.read_bytes()))
    cells = [cell.text for table in document.tables for row in table.rows
             for cell in row.cells]
    assert f"⚫ {KEPT}" in cells
    assert not any(HIDDEN in cell for cell in cells)

    # Nor does the feed, once exported (as of the issue's day: the reference is in 2024).
    config = load_config(config_path)
    with Store(config.store_path) as store:
        hidden_uid = next(s.event.uid for s in store.events() if s.event.title == HIDDEN)
        export_feeds(store, config, None, ISSUE_DAY)
    feed = page.request.get(f"{server}/all.ics")
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    text = feed.text().replace("\r\n ", "")  # unfolded
    assert "Session on Aid for Trade" in text
    assert hidden_uid not in text and "Customs Valuation" not in text

    # Shown again, it is back in the preview.
    page.locator("#hidden-events tr", has_text=HIDDEN).get_by_role("button",
                                                                   name="Show").click()
    expect(preview).to_contain_text(HIDDEN)
