"""The editor page end to end in a real browser: Debian's Chromium driven by Playwright.

``tradecal serve`` runs as a subprocess on 127.0.0.1 over a store that holds the
reference's events (imported with ``tradecal import``), its clock stopped on the issue's
day (``TRADECAL_NOW``). The browser opens the editor and does an editor's week: changes the
window, sets a deadline, adds an event, hides a meeting and undoes it, marks the issue.
After each step the preview, the downloaded Word files and the ``all.ics`` the server
publishes (rewritten by the action itself, no export) agree.

Skipped only when ``/usr/bin/chromium`` or the ``playwright`` package is missing (``.ci/run``
installs both). Playwright's own browser download is never used.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from docx import Document

from tests.conftest import FIXTURES, ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HIDDEN = "Committee on Customs Valuation"
KEPT = "Committee on Trade and Development - Session on Aid for Trade"

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright package is not installed")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian's chromium is not installed at /usr/bin/chromium")


NOW = "2024-04-26T08:00:00Z"  # a Friday: the default window is the reference's
SEMINAR = "2024 臺日 AI 產業合作研討會"
ADDED = "2024 臺美供應鏈論壇"


def environment() -> dict[str, str]:
    return {**os.environ, "TRADECAL_NOW": NOW}


def tradecal(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aggregator", "--config", str(config), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
                          env=environment())


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
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=environment())
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


def download(page: Page, table: str, folder: Path) -> list[list[str]]:
    """The rows of the Word file of ``table`` that the page's download link gives."""
    with page.expect_download() as info:
        page.locator(f"a[download][href*='table={table}'][href*='format=docx']").click()
    saved = folder / info.value.suggested_filename
    info.value.save_as(saved)
    document = Document(io.BytesIO(saved.read_bytes()))
    return [[cell.text for cell in row.cells] for part in document.tables for row in part.rows]


def feed_text(page: Page, server: str) -> str:
    feed = page.request.get(f"{server}/all.ics")
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    return feed.text().replace("\r\n ", "")  # unfolded


def agree(page: Page, server: str, folder: Path, shown: list[str], gone: list[str]) -> None:
    """The preview, both Word files and all.ics all show ``shown`` and none of ``gone``."""
    preview = page.locator("#preview").inner_text()
    cells = "\n".join(cell for table in ("calendar", "events")
                      for row in download(page, table, folder) for cell in row)
    feed = feed_text(page, server)
    for text in shown:
        assert text in preview and text in cells and text in feed, text
    for text in gone:
        assert text not in preview and text not in cells and text not in feed, text


def test_an_editors_week_in_the_browser(page: Page, server: str, tmp_path: Path) -> None:
    expect = sync_api.expect
    status = page.get_by_role("status")
    page.goto(f"{server}/editor?from=2024-05-01&to=2024-05-02")
    page.get_by_label("從 From").fill("2024-04-29")
    page.get_by_label("到 To", exact=True).fill("2024-05-23")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("2024 年 4 月 29 日～2024 年 5 月 23 日")
    agree(page, server, tmp_path, [HIDDEN, KEPT, SEMINAR], [ADDED])

    # A registration deadline, in the row's "More" fields.
    row = page.locator("#edit-events tr", has_text=SEMINAR)
    row.locator("summary").click()
    deadline = row.locator("form", has=page.locator("input[name=deadline]"))
    deadline.locator("input[name=deadline]").fill("2024-04-26")
    deadline.get_by_role("button", name="Set").click()
    expect(status).to_contain_text(f"Deadline set: {SEMINAR}")
    expect(status).to_contain_text("feeds rewritten")
    expect(preview.locator("tr", has_text=SEMINAR)).to_contain_text("4/26")
    [printed] = [r for r in download(page, "events", tmp_path) if SEMINAR in r]
    assert "4/26" in printed
    assert "Registration deadline: 2024-04-26" in feed_text(page, server)

    # An event added with the form, as an import row would be.
    form = page.locator("#add-event")
    form.get_by_label("單位 Organization").select_option("CIECA")
    form.get_by_label("名稱 Title").fill(ADDED)
    form.get_by_label("開始 Start").fill("2024-05-15")
    form.get_by_label("快訊 Featured").check()
    form.get_by_role("button", name="Add").click()
    expect(status).to_contain_text(f"Added: {ADDED}")
    expect(preview).to_contain_text(ADDED)
    agree(page, server, tmp_path, [HIDDEN, KEPT, SEMINAR, ADDED], [])

    # Hide a meeting, then undo it right away.
    page.locator("#edit-events tr", has_text=HIDDEN).get_by_role("button", name="Hide").click()
    expect(status).to_contain_text(f"Hidden: {HIDDEN}")
    expect(page.locator("#hidden-events")).to_contain_text(HIDDEN)
    agree(page, server, tmp_path, [KEPT, ADDED], [HIDDEN])
    status.get_by_role("button", name="Undo").click()
    expect(status).to_contain_text("Undone")
    expect(preview).to_contain_text(HIDDEN)
    agree(page, server, tmp_path, [HIDDEN, KEPT, ADDED], [])

    # Mark the issue: nothing changed since it, and the tables stay as they were.
    page.get_by_role("button", name="Issue").click()
    expect(status).to_contain_text("Issue 1 recorded: 2024-04-29 – 2024-05-23")
    changes = page.locator("#changes ~ table, #changes ~ p").first
    expect(page.locator("body")).to_contain_text("第 1 期 2024-04-29 – 2024-05-23")
    assert changes is not None
    agree(page, server, tmp_path, [HIDDEN, KEPT, SEMINAR, ADDED], [])

    # The search box keeps the rows that hold the words, without JavaScript.
    page.get_by_label("搜尋 Search").fill("customs")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#edit-events tr")).to_have_count(2)  # the header and the match
