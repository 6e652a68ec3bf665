"""The public site in a real browser: Debian's Chromium driven by Playwright, the site served
by a plain static server (``http.server``) on another port than ``base_url``'s.

At 390×844 and 1440×900: no page scrolls sideways, and a screenshot of each page is written
to ``test-screenshots/`` (gitignored). The filters and the search narrow the agenda; every
subscribe link is well formed for its service and uses the port the page is served on; the
copy button copies; the QR code decodes (zxing-cpp) to the feed's published address;
axe-core finds no serious or critical problem, in light and dark mode; without JavaScript
the whole agenda is there.

Skipped when ``/usr/bin/chromium``, ``playwright``, ``zxingcpp`` or ``tests/js``'s
axe-core is missing. Playwright's own browser download is never used.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ROOT
from tests.site_data import NOW, build_site
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, free_port
from tests.test_site import Quiet

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright package is not installed")
zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp is not installed")
image_module = pytest.importorskip("PIL.Image", reason="Pillow is not installed")
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-screenshots"
VIEWPORTS = ((390, 844), (1440, 900))
PAGES = ("index.html", "month.html", "subscribe.html")
pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed in tests/js"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(the address the site is served at, its configured base_url): different ports."""
    folder = tmp_path_factory.mktemp("site")
    (folder / "public").mkdir()
    published = f"http://127.0.0.1:{free_port()}/"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRADECAL_NOW", NOW)
        build_site(folder, published)
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 partial(Quiet, directory=str(folder / "public")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", published
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_api.sync_playwright() as playwright:
        opened = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield opened
        finally:
            opened.close()


@contextmanager
def new_page(browser: Browser, **options: Any) -> Iterator[Page]:
    """A page in a fresh context (its own viewport, permissions, scripts on or off)."""
    context = browser.new_context(**options)
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        opened = context.new_page()
        opened.set_default_timeout(20_000)
        yield opened
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with new_page(browser, viewport={"width": 1440, "height": 900}, locale="zh-TW") as opened:
        yield opened


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_no_page_scrolls_sideways(browser: Browser, served: tuple[str, str], width: int,
                                  height: int) -> None:
    site, _ = served
    SCREENSHOTS.mkdir(exist_ok=True)
    with new_page(browser, viewport={"width": width, "height": height}) as opened:
        for name in PAGES:
            opened.goto(site + name)
            opened.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            widths = opened.evaluate("[document.documentElement.scrollWidth, "
                                     "document.documentElement.clientWidth]")
            assert widths[0] <= widths[1], f"{name} at {width} px: {widths}"
            opened.screenshot(path=str(SCREENSHOTS / f"{name.removesuffix('.html')}-"
                                      f"{width}.png"), full_page=True)


def visible_events(page: Page) -> list[str]:
    return page.locator("#agenda .event:visible .title").all_inner_texts()


def test_filters_and_search_narrow_the_agenda(page: Page, served: tuple[str, str]) -> None:
    site, _ = served
    page.goto(site + "index.html")
    everything = visible_events(page)
    assert len(everything) >= 12
    page.select_option("#f-org", "WTO")
    wto = visible_events(page)
    assert 0 < len(wto) < len(everything)
    assert all(org == "WTO" for org in page.locator("#agenda .event:visible")
               .evaluate_all("items => items.map(item => item.dataset.org)"))
    page.select_option("#f-org", "")
    page.select_option("#f-section", "其他經貿相關活動")
    others = visible_events(page)
    assert 0 < len(others) < len(everything) and not set(others) & set(wto)
    page.select_option("#f-section", "")
    page.fill("#f-text", "telwg apec")
    assert visible_events(page) == ["TELWG Workshop on Meaningful Connectivity in APEC "
                                    "economies"] * 2
    sync_api.expect(page.locator("#f-count")).to_contain_text(f"2 / {len(everything)}")
    page.fill("#f-text", "no such meeting anywhere")
    assert visible_events(page) == []
    sync_api.expect(page.locator("#no-match")).to_be_visible()


def test_without_javascript_the_whole_agenda_is_there(browser: Browser,
                                                      served: tuple[str, str]) -> None:
    with new_page(browser, java_script_enabled=False) as opened:
        opened.goto(served[0] + "index.html")
        assert len(visible_events(opened)) >= 12
        assert not opened.locator("#filters").is_visible()


def test_subscribe_links_are_well_formed_and_use_the_served_port(
        page: Page, served: tuple[str, str]) -> None:
    site, published = served
    page.goto(site + "subscribe.html")
    boxes = page.locator("[data-feed]")
    assert boxes.count() >= 10
    for index in range(boxes.count()):
        box = boxes.nth(index)
        url = site + str(box.get_attribute("data-feed"))
        hrefs = {str(link.get_attribute("data-sub")): str(link.get_attribute("href"))
                 for link in box.locator("a[data-sub]").all()}
        webcal = "webcal://" + url.split("://")[1]
        assert hrefs["webcal"] == webcal
        google = urlsplit(hrefs["google"])
        assert (google.netloc, google.path) == ("calendar.google.com", "/calendar/render")
        assert parse_qs(google.query) == {"cid": [webcal]}
        for key, host in (("outlook", "outlook.live.com"), ("office", "outlook.office.com")):
            parts = urlsplit(hrefs[key])
            assert (parts.netloc, parts.path) == (host, "/calendar/0/addfromweb")
            query = parse_qs(parts.query)
            assert query["url"] == [url] and query["name"][0].strip()
        assert box.locator("input.url").input_value() == url
        assert published.split("//")[1] not in str(hrefs)


def test_copy_button_copies_the_address(page: Page, served: tuple[str, str]) -> None:
    site, _ = served
    page.goto(site + "subscribe.html")
    block = page.locator("#feed-wto")
    block.get_by_role("button", name="複製 Copy").click()
    sync_api.expect(block.locator("button.copy")).to_contain_text("已複製")
    assert page.evaluate("navigator.clipboard.readText()") == site + "wto.ics"


def test_qr_code_decodes_to_the_feed_address(page: Page, served: tuple[str, str]) -> None:
    site, published = served
    page.goto(site + "subscribe.html")
    for stem in ("all", "section-wto"):
        block = page.locator(f"#feed-{stem}")
        block.locator("details.qr summary").click()
        image = block.locator("details.qr img")
        sync_api.expect(image).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=image.element_handle())
        picture = image_module.open(io.BytesIO(image.screenshot()))
        decoded = [code.text for code in zxingcpp.read_barcodes(picture)]
        assert decoded == [f"{published}{stem}.ics"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_problem(page: Page, served: tuple[str, str],
                                      scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    for name in PAGES:
        page.goto(served[0] + name)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("axe.run().then(result => result.violations.map("
                                   "v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
                                   " html: v.nodes[0].html})))")
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not serious, f"{name} ({scheme}): {serious}"
