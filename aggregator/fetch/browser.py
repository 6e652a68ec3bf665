"""Pages loaded in headless Chromium, for sites that fill their pages by script.

``fetch = "browser"`` in a source's table (or a channel that needs it) sends its requests
here: the page is opened in Debian's Chromium (``[fetch] browser``, default
``/usr/bin/chromium``; Playwright's own browser download is never used), the browser waits
for the network to settle, and the answer is the rendered DOM as the body, with every
data-bearing response the page loaded (JavaScript data files, JSON, XML/RSS, ICS, JSON-LD)
in :attr:`Response.related`, so a source reads the data, not the pixels.

Optional: ``pip install 'tradecal[browser]'`` (the ``playwright`` package). Without it, a
browser request fails with a one-line FetchError saying so. The host's robots.txt is
honoured as for a plain fetch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aggregator.core.http import Request, Response
from aggregator.core.sniff import looks_like
from aggregator.fetch.fetcher import FetchError, full_url

DEFAULT_BROWSER = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
DATA_KINDS = ("js-data", "json", "jsonld", "xml", "rss", "ics")
def browser_for(fetcher: Any) -> Any:
    """The fetcher that loads ``fetcher``'s pages in headless Chromium: its own ``browser()``
    where it has one (a replay archive answers as it is, a recording saves what the browser
    loaded), else a :class:`BrowserFetcher` under a plain fetcher's robots.txt rules."""
    own = getattr(fetcher, "browser", None)
    if own is not None:
        return own()
    if not hasattr(fetcher, "browser_path"):
        raise RuntimeError(f"{type(fetcher).__name__} cannot load pages in a browser")
    return BrowserFetcher(fetcher, fetcher.browser_path, fetcher.timeout)


@dataclass(frozen=True)
class Loaded:
    """One response the page loaded, as ``discover`` lists it."""

    url: str
    status: int
    content_type: str
    body: bytes
    looks_like: str


@dataclass
class BrowserFetcher:
    """Answers a Request by loading it in headless Chromium (see the module docstring)."""

    plain: Any = None
    """The plain fetcher, whose robots.txt rules and user agent the browser follows."""
    executable: str = DEFAULT_BROWSER
    timeout: float = 30.0
    seen: list[Loaded] = field(default_factory=list)
    """Every response of the last page loaded (``discover`` reads it)."""

    def browser(self) -> BrowserFetcher:
        return self

    def close(self) -> None:
        """Nothing stays open between pages."""

    def get(self, request: Request) -> Response:
        url = full_url(request)
        check = getattr(self.plain, "check_allowed", None)
        if check is not None:
            check(url)
        status, final_url, dom, loaded = self._load(url, dict(request.headers))
        self.seen = loaded
        if status >= 400:
            raise FetchError(url, f"HTTP {status} (in the browser)", status)
        related = tuple(Response(url=item.url, body=item.body, status=item.status,
                                 headers={"content-type": item.content_type},
                                 request=Request(item.url))
                        for item in loaded if item.looks_like in DATA_KINDS
                        and item.url != final_url and item.status < 400)
        return Response(url=final_url, body=dom, status=status,
                        headers={"content-type": "text/html; charset=utf-8"},
                        request=request, related=related)

    def _load(self, url: str, headers: dict[str, str]) -> tuple[int, str, bytes, list[Loaded]]:
        """Open the page, wait for the network to settle; status, URL, DOM, responses."""
        try:
            from playwright.sync_api import Error, sync_playwright
        except ImportError:
            raise FetchError(url, "fetch = \"browser\" needs the playwright package: "
                                  "pip install 'tradecal[browser]'") from None
        if not Path(self.executable).exists():
            raise FetchError(url, f"no browser at {self.executable} ([fetch] browser; "
                                  "on Debian: apt install chromium)")
        agent = getattr(self.plain, "user_agent", None)
        try:
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path=self.executable,
                                                      args=ARGS)
                try:
                    return self._visit(chromium, url, headers, agent)
                finally:
                    chromium.close()
        except Error as exc:
            message = " ".join(str(exc).split("\n")[0].split())
            raise FetchError(url, f"browser: {message[:200]}") from None

    def _visit(self, chromium: Any, url: str, headers: dict[str, str],
               agent: str | None) -> tuple[int, str, bytes, list[Loaded]]:
        context = chromium.new_context(user_agent=agent or None,
                                       extra_http_headers=headers or None)
        page = context.new_page()
        page.set_default_timeout(self.timeout * 1000)
        answers: list[Any] = []
        page.on("response", lambda answer: answers.append(answer))
        main = page.goto(url, wait_until="networkidle")
        dom = page.content().encode("utf-8")
        loaded = []
        for answer in answers:
            try:
                body = answer.body()
            except Exception:  # noqa: BLE001 - a redirect or an aborted load has no body
                continue
            kind = answer.headers.get("content-type", "")
            loaded.append(Loaded(answer.url, answer.status, kind, body,
                                 looks_like(answer.url, kind, body)))
        status = main.status if main is not None else 200
        return status, page.url, dom, loaded
