"""Hostile input, neutralized in every output.

Titles and places carrying HTML and ``<script>``, Markdown links, spreadsheet formulas,
CR/LF with ``END:VEVENT``/``BEGIN:VEVENT``, 5,000 characters, emoji, right-to-left overrides,
NUL and other control characters; links with ``javascript:``, ``data:`` and ``vbscript:``
schemes or line breaks in them. They enter through the real paths (the import CSV, and the
JSON-LD, ICS and html-list sources parsing composed pages), are stored, and leave through
every exporter: the newsletter tables in Markdown, HTML, CSV and DOCX, the changes report,
the ICS feeds, the feed index page and ``tradecal parse``. Each output must carry the text
harmlessly: no live markup, no link that is not http(s), no formula, no second VEVENT, no
raw control character in a feed, and the feeds must still pass icalendar and ical.js.

Also here: wrong-typed configuration values (exit 2 naming the key) and an import CSV in
the wrong encoding (refused, naming the file, nothing stored).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from click.testing import CliRunner
from icalendar import Calendar
from markdown_it import MarkdownIt

from aggregator.cli import cli
from aggregator.config import Config, load_config
from aggregator.core.model import Event, EventError
from aggregator.core.status import status_from_title
from aggregator.publish import FORMATS, export_calendar, export_changes, export_events, export_feeds
from aggregator.store.db import Store
from feeds.csv_table import FORMULA_STARTS, safe_cell, write_csv
from feeds.ics_text import event_text
from feeds.subscribe import feed_links, index_page
from sources.base import Response
from sources.lib.manual import read_events_csv
from sources.registry import build_source
from tests.conftest import ROOT

JS_DIR = Path(__file__).resolve().parent / "js"
TODAY = date(2025, 6, 1)
WINDOW = (date(2025, 6, 2), date(2025, 7, 31))
STORED_AT = datetime(2025, 5, 30, 8, 0, tzinfo=UTC)
LONG = "長" * 2500 + "Trade policy review " * 125  # 5,000 characters

HOSTILE: tuple[str, ...] = (
    '<script>alert("x")</script><img src=x onerror=alert(1)> & <b>Council</b>',
    "[click](javascript:alert(1)) <javascript:alert(2)> ![i](data:image/png;base64,AA==)",
    '=HYPERLINK("http://evil.example/","Council")',
    "+cmd|' /C calc'!A0 Council",
    "-2+3 Council",
    "@SUM(1+1) Council",
    "Council\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@example\r\nSUMMARY:injected\nEND:VCALENDAR",
    LONG,
    "🎉 Trade expo 👩‍👩‍👧 🇹🇼 ✈️ 國際商展",
    "\u202eexe.gnp\u202c مؤتمر التجارة \u200fשלום\u2066isolate\u2069 Council",
    "NUL\x00BEL\x07BS\x08VT\x0bFF\x0cESC\x1b[31mDEL\x7fC1\x85\x9bLS\u2028PS\u2029 Council",
    "back\\slash\\, semi;colon, comma \\n not a newline ^n ^' Council",
)
HOSTILE_URLS: tuple[str, ...] = (
    "javascript:alert(document.cookie)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "JaVaScRiPt:alert(1)",
    "vbscript:msgbox(1)",
    "https://ok.example/a\"onmouseover=\"alert(1)\"><script>alert(1)</script>",
    "https://ok.example/x\r\nEND:VEVENT\r\nBEGIN:VEVENT",
    "//evil.example/protocol-relative",
    "https://ok.example/fine?a=1&b=<2>",
)
LINKABLE = ("http", "https")
RAW_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

CONFIG = """\
[store]
path = "tradecal.db"

[feeds]
output = "public"
base_url = "https://feeds.example.org/tradecal/"
past_days = 90
future_days = 540

[organizations.WTO]
short_name = "WTO"
name_zh = "世界貿易組織"
section = "WTO"
timezone = "Europe/Zurich"

[organizations.TRADE]
short_name = "國際貿易署"
name_zh = "經濟部國際貿易署"
timezone = "Asia/Taipei"

[organizations.EVIL]
short_name = "<script>alert('org')</script>"
name = "Evil\\r\\nEND:VCALENDAR\\u0000\\u001b[31m"
name_zh = "<img src=x onerror=alert(1)>\\n第二行\\u0007, 第; 三\\\\N"
timezone = "Asia/Taipei"

[sources.events-jsonld]
type = "jsonld"
url = "https://events.example.org/events/"
organization = "TRADE"

[sources.trade-ics]
type = "ics"
url = "https://calendar.example.org/trade.ics"
organization = "WTO"

[sources.seminars]
type = "html-list"
url = "https://www.example.org.tw/news/list.html"
organization = "EVIL"
item = "li.event"
title = "h3"
date = ".date"
location = ".place"
link = "a.more"

[sources.cieca-csv]
type = "csv"
url = "https://sheets.example.org/events.csv"
organization = "TRADE"
"""


# --- the hostile events, through the real paths -----------------------------------------------

def day(index: int) -> date:
    return WINDOW[0] + timedelta(days=index)


def import_csv_text() -> str:
    """An import CSV: each hostile text once as a title (WTO rows go to the calendar, TRADE
    rows to the events tables, some featured), the next one as its place, a hostile link."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["organization", "title", "start", "end", "timezone", "location", "url",
                     "featured"])
    for index, text in enumerate(HOSTILE):
        organization = "WTO" if index % 2 == 0 else "TRADE"
        start = day(index).isoformat() if index % 3 else f"{day(index).isoformat()}T09:30"
        writer.writerow([organization, f"{text} #import{index}", start, "", "",
                         HOSTILE[(index + 1) % len(HOSTILE)],
                         HOSTILE_URLS[index % len(HOSTILE_URLS)],
                         "yes" if index % 4 == 1 else ""])
    return buffer.getvalue()


def jsonld_page() -> bytes:
    """A page whose JSON-LD events carry hostile names, places and links (``</script>`` is
    written ``<\\/script>`` inside the JSON, as json_encode does)."""
    nodes = [{"@type": "Event", "name": f"{text} #jsonld{index}",
              "startDate": f"{day(index).isoformat()}T14:00:00+08:00",
              "endDate": f"{day(index).isoformat()}T16:00:00+08:00",
              "location": {"@type": "Place", "name": HOSTILE[(index + 3) % len(HOSTILE)]},
              "url": HOSTILE_URLS[index % len(HOSTILE_URLS)],
              "description": HOSTILE[(index + 5) % len(HOSTILE)]}
             for index, text in enumerate(HOSTILE)]
    document = json.dumps({"@context": "https://schema.org", "@graph": nodes})
    document = document.replace("</", "<\\/")
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><script type="application/ld+json">'
            f"{document}</script></head><body></body></html>").encode()


def ics_text(text: str) -> str:
    """``text`` as an ICS TEXT value (escaped: the feed itself is well formed)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def ics_feed() -> bytes:
    """A feed whose events carry hostile (escaped) text, raw control characters included,
    and URL properties of every scheme."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//hostile//EN"]
    for index, text in enumerate(HOSTILE):
        url = HOSTILE_URLS[index % len(HOSTILE_URLS)].replace("\r\n", "")
        lines += ["BEGIN:VEVENT", f"UID:hostile-{index}@calendar.example.org",
                  "DTSTAMP:20250501T000000Z", f"DTSTART;VALUE=DATE:{day(index):%Y%m%d}",
                  f"SUMMARY:{ics_text(f'{text} #ics{index}')}",
                  f"LOCATION:{ics_text(HOSTILE[(index + 2) % len(HOSTILE)])}",
                  f"DESCRIPTION:{ics_text(HOSTILE[(index + 4) % len(HOSTILE)])}",
                  f"URL:{url}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def html_list_page() -> bytes:
    """A list page: titles and places whose text is markup (escaped in the page, so their
    text is ``<script>``…), controls, and links of hostile schemes."""
    items = []
    for index, text in enumerate(HOSTILE):
        href = HOSTILE_URLS[index % len(HOSTILE_URLS)].replace("\r\n", "")
        title = _html_escape(f"{text} #list{index}")
        place = _html_escape(HOSTILE[(index + 6) % len(HOSTILE)])
        items.append(f'<li class="event"><h3>{title}</h3><p class="date">{day(index):%Y/%m/%d}'
                     f'</p><p class="place">{place}</p>'
                     f'<a class="more" href="{_html_escape(href)}">more</a></li>')
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><ul>'
            + "".join(items) + "</ul></body></html>").encode()


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;")


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "config.toml").write_text(CONFIG, encoding="utf-8")
    return load_config(folder / "config.toml")


@pytest.fixture(scope="module")
def parsed(config: Config) -> dict[str, list[Event]]:
    """The hostile events each path yields, by path."""
    organizations = {name: (org.key, org.timezone) for org in config.organizations.values()
                     for name in (org.key, org.short_name)}
    found = {"import": read_events_csv(import_csv_text(), "hostile.csv",
                                       organization=lambda name: organizations[name])}
    pages = {"events-jsonld": jsonld_page(), "trade-ics": ics_feed(),
             "seminars": html_list_page()}
    for name, body in pages.items():
        source = build_source(config.sources[name])
        found[name] = [item for item in source.parse(Response(source.config.url, body))
                       if isinstance(item, Event)]
    return found


@pytest.fixture(scope="module")
def store(config: Config, parsed: dict[str, list[Event]]) -> Iterator[Store]:
    with Store(config.store_path) as opened:
        for events in parsed.values():
            opened.upsert_events(events, now=STORED_AT)
        yield opened


@pytest.fixture(scope="module")
def feeds(store: Store, config: Config, tmp_path_factory: pytest.TempPathFactory
          ) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("hostile-feeds")
    return {path.name: path.read_bytes() for path in export_feeds(store, config, out, TODAY)}


def test_every_path_keeps_every_hostile_item(parsed: dict[str, list[Event]]) -> None:
    for name, events in parsed.items():
        assert len(events) == len(HOSTILE), name
    titles = [event.title for event in parsed["import"]]
    assert titles[0].startswith("<script>") and titles[2].startswith("=HYPERLINK")
    assert any("\x00" in title for title in titles)
    assert any(len(title) > 5000 for title in titles)
    assert any("END:VEVENT" in event.title for event in parsed["trade-ics"])
    assert any("<script>" in event.title for event in parsed["seminars"])
    assert any(event.url.lower().startswith("javascript:") for event in parsed["events-jsonld"])


# --- HTML ---------------------------------------------------------------------------------------

SAFE_TAGS = {"h2", "p", "table", "thead", "tbody", "tr", "th", "td", "strong", "em", "a", "br",
             "html", "head", "meta", "title", "body", "h1", "ul", "li", "small", "input", "code"}


class MarkupAudit(HTMLParser):
    """Every tag, attribute and text of an HTML document, for the safety checks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_safe_html(markup: str) -> MarkupAudit:
    """No tag but the renderer's own, no event handler, no link that is not http(s)."""
    audit = MarkupAudit()
    audit.feed(markup)
    audit.close()
    assert set(audit.tags) <= SAFE_TAGS, set(audit.tags) - SAFE_TAGS
    for tag, name, value in audit.attributes:
        assert not name.startswith("on"), (tag, name, value)
        if name in ("href", "src", "action", "formaction"):
            scheme = urlsplit(value.strip()).scheme.lower()
            assert scheme in (*LINKABLE, "webcal"), (tag, name, value)
    assert not RAW_CONTROLS.search(markup), RAW_CONTROLS.findall(markup)
    return audit


@pytest.mark.parametrize("export", [export_calendar, export_events])
def test_html_tables_escape_markup_and_link_only_http(store: Store, config: Config,
                                                      export: object) -> None:
    markup = export(store, config, *WINDOW, "html")  # type: ignore[operator]
    audit = assert_safe_html(markup)
    text = "".join(audit.text)
    assert '<script>alert("x")</script>' in text  # shown as text, not run
    assert "javascript:" not in " ".join(v for _, n, v in audit.attributes if n == "href")


def test_events_html_prints_hostile_urls_as_text(store: Store, config: Config) -> None:
    markup = export_events(store, config, *WINDOW, "html")
    audit = assert_safe_html(markup)
    links = [value for tag, name, value in audit.attributes if tag == "a" and name == "href"]
    assert links and all(urlsplit(link).scheme in LINKABLE for link in links)
    text = "".join(audit.text)
    assert "javascript:alert(document.cookie)" in text and "data:text/html" in text


# --- Markdown -----------------------------------------------------------------------------------

def permissive_markdown() -> MarkdownIt:
    """A CommonMark renderer with tables and raw HTML on, and no link filter: what a careless
    Markdown-to-HTML step does with the newsletter file."""
    renderer = MarkdownIt("commonmark").enable("table")
    renderer.validateLink = lambda url: True  # type: ignore[method-assign]
    return renderer


@pytest.mark.parametrize("export", [export_calendar, export_events])
def test_markdown_renders_to_harmless_html(store: Store, config: Config, export: object) -> None:
    text = export(store, config, *WINDOW, "markdown")  # type: ignore[operator]
    assert not RAW_CONTROLS.search(text)
    rendered = permissive_markdown().render(text)
    audit = assert_safe_html(rendered)
    assert "<script" not in rendered and "<img" not in rendered
    assert '<script>alert("x")</script>' in "".join(audit.text)


@pytest.mark.parametrize("export", [export_calendar, export_events])
def test_markdown_rows_stay_one_line_with_their_cells(store: Store, config: Config,
                                                      export: object) -> None:
    text = export(store, config, *WINDOW, "markdown")  # type: ignore[operator]
    tables = [line for line in text.split("\n") if line.startswith("|")]
    assert len(tables) > len(HOSTILE)
    widths = {len(re.findall(r"(?<!\\)(?:\\\\)*\|", line)) for line in tables}
    assert len(widths) <= 2, widths  # the calendar table and the events tables


# --- CSV ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("export", [export_calendar, export_events])
def test_csv_cells_never_start_a_formula(store: Store, config: Config, export: object) -> None:
    text = export(store, config, *WINDOW, "csv")  # type: ignore[operator]
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert len(rows) > len(HOSTILE)
    for row in rows:
        assert len(row) == len(rows[0])
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell
    if export is export_events:  # the calendar's meeting cells start with a bullet
        cells = {cell for row in rows for cell in row}
        for start in ("'=HYPERLINK", "'+cmd", "'-2+3", "'@SUM"):
            assert any(cell.startswith(start) for cell in cells), start
        assert "javascript:alert(document.cookie)" in cells


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\t=1+1", "\r=1+1"])
def test_every_formula_start_is_quoted(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell
    [row] = list(csv.reader(io.StringIO(write_csv(["h"], [[cell]]).removeprefix("\ufeff")
                                        .split("\r\n", 1)[1], newline="")))
    assert row == ["'" + cell]


# --- DOCX ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("export", [export_calendar, export_events])
def test_docx_holds_the_text_and_links_only_http(store: Store, config: Config,
                                                 export: object) -> None:
    data = export(store, config, *WINDOW, "docx")  # type: ignore[operator]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = archive.read("word/document.xml").decode("utf-8")
        relations = archive.read("word/_rels/document.xml.rels").decode("utf-8")
    targets = re.findall(r'Target="([^"]*)"[^>]*TargetMode="External"', relations)
    assert all(urlsplit(target).scheme in LINKABLE for target in targets), targets
    assert "&lt;script&gt;alert" in document and "<script" not in document
    assert "長" * 2500 + "Trade policy review" in document  # 5,000 characters, whole
    assert not RAW_CONTROLS.search(document.replace("\t", ""))


# --- the changes report -------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_changes_report_in_every_format(store: Store, config: Config, fmt: str) -> None:
    report = export_changes(store, config, STORED_AT - timedelta(days=1), fmt)
    if fmt == "html":
        assert_safe_html(report)  # type: ignore[arg-type]
    elif fmt == "markdown":
        assert_safe_html(permissive_markdown().render(str(report)))
    elif fmt == "csv":
        for row in csv.reader(io.StringIO(str(report).removeprefix("\ufeff"), newline="")):
            assert not any(cell.startswith(FORMULA_STARTS) for cell in row)
    else:
        assert isinstance(report, bytes) and report.startswith(b"PK")


# --- ICS ----------------------------------------------------------------------------------------

def test_feeds_hold_one_vevent_per_event_and_nothing_injected(store: Store, feeds: dict[str, bytes]
                                                              ) -> None:
    uids = {stored.event.uid for stored in store.events()}
    assert len(uids) == 4 * len(HOSTILE)
    calendar = Calendar.from_ical(feeds["all.ics"])
    components = calendar.walk("VEVENT")
    assert len(components) == len(uids) == lines(feeds["all.ics"]).count("BEGIN:VEVENT")
    assert {str(component["UID"]) for component in components} == uids
    assert "UID:evil@example" not in lines(feeds["all.ics"])


def lines(data: bytes) -> list[str]:
    """The unfolded content lines of a feed."""
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_feeds_are_valid_lines_crlf_and_free_of_controls(feeds: dict[str, bytes]) -> None:
    for name, data in feeds.items():
        assert data.endswith(b"\r\n"), name
        assert b"\n" not in data.replace(b"\r\n", b""), name
        assert b"\r" not in data.replace(b"\r\n", b""), name
        for line in data.split(b"\r\n")[:-1]:
            assert len(line) <= 75, (name, line)
            text = line.decode("utf-8")
            assert not RAW_CONTROLS.search(text) and "\t" not in text, (name, line)
        content = lines(data)
        assert content.count("BEGIN:VCALENDAR") == content.count("END:VCALENDAR") == 1, name
        assert content.count("BEGIN:VEVENT") == content.count("END:VEVENT"), name


def test_feed_text_is_the_stored_text_without_controls(store: Store, config: Config,
                                                       feeds: dict[str, bytes]) -> None:
    by_uid = {stored.event.uid: stored.event for stored in store.events()}
    text = event_text(config, organization_prefix=True)  # all.ics: "[WTO] "
    for component in Calendar.from_ical(feeds["all.ics"]).walk("VEVENT"):
        event = by_uid[str(component["UID"])]
        summary = str(component["SUMMARY"])
        assert summary == visible(text.summary(event)), (summary[:80], event.title[:80])
        assert str(component.get("LOCATION", "")) == visible(event.location)


def visible(text: str) -> str:
    """What a feed may carry of ``text``: line breaks (also U+2028, U+2029, U+0085) as LF,
    no other control character."""
    text = re.sub("\r\n|[\r\u2028\u2029\x85]", "\n", text).replace("\t", " ")
    text = RAW_CONTROLS.sub("", text)
    # node-ical reads a backslash before n as a line break and strips quotes around a value:
    # feeds put an invisible WORD JOINER (U+2060) in between
    text = re.sub(r"\\(?=[nN])", "\\\\\u2060", text)
    return re.sub(r'^(".*")$', "\\1\u2060", text)


def test_feed_urls_are_only_http(feeds: dict[str, bytes]) -> None:
    components = Calendar.from_ical(feeds["all.ics"]).walk("VEVENT")
    urls = [str(component["URL"]) for component in components if "URL" in component]
    assert urls, "the http(s) links are kept"
    for url in urls:
        assert urlsplit(url).scheme in LINKABLE and urlsplit(url).netloc, url
        assert not re.search(r"[\s\x00-\x1f\x7f]", url), url


def test_icaljs_reads_the_hostile_feed(feeds: dict[str, bytes], store: Store, config: Config,
                                       tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None or not (JS_DIR / "node_modules" / "ical.js").is_dir():
        pytest.skip("needs Node and `npm ci` in tests/js (see test_interop.py)")
    (tmp_path / "all.ics").write_bytes(feeds["all.ics"])
    done = subprocess.run([node, str(JS_DIR / "check_icaljs.mjs"), str(tmp_path / "all.ics")],
                          cwd=JS_DIR, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    [feed] = json.loads(done.stdout)
    by_uid = {stored.event.uid: stored.event for stored in store.events()}
    assert sorted(event["uid"] for event in feed["events"]) == sorted(by_uid)
    for event in feed["events"]:
        summary = event_text(config, organization_prefix=True).summary(by_uid[event["uid"]])
        assert event["summary"] == visible(summary)
        assert event["missingZones"] == []


# --- the feed index page ------------------------------------------------------------------------

def test_index_page_escapes_feed_names(store: Store, config: Config,
                                       feeds: dict[str, bytes], tmp_path: Path) -> None:
    for name, data in feeds.items():
        (tmp_path / name).write_bytes(data)
    links = feed_links(sorted(tmp_path.glob("*.ics")), config.feeds.base_url)
    page = index_page("<script>alert('title')</script>", links)
    audit = assert_safe_html(page)
    text = "".join(audit.text)
    assert "<script>alert('org')</script>" in text
    assert "<img src=x onerror=alert(1)>\n第二行, 第; 三\\\u2060N" in text  # NAME read back whole
    assert "script" not in set(audit.tags)


def test_site_pages_escape_everything_and_link_only_web_addresses(
        store: Store, config: Config, tmp_path: Path) -> None:
    """The public site (feeds.site): hostile titles, names and URLs are text; the only
    scripts are the site's own file and its JSON-LD, which parses; events.json and the Atom
    feed read back."""
    export_feeds(store, config, tmp_path, TODAY)
    shown = ""
    for name in ("index.html", "month.html", "subscribe.html"):
        markup = (tmp_path / name).read_text(encoding="utf-8")
        audit = MarkupAudit()
        audit.feed(markup)
        audit.close()
        for tag, attribute, value in audit.attributes:
            assert not attribute.startswith("on"), (name, tag, attribute, value)
            if attribute in ("href", "src", "action", "formaction"):
                parts = urlsplit(value.strip())
                assert parts.scheme.lower() in (*LINKABLE, "webcal", ""), (name, tag, value)
                assert parts.scheme or not value.strip().startswith("//"), (name, value)
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", markup, re.S)
        for attributes, body in scripts:
            if "ld+json" in attributes:
                json.loads(body)
            else:
                assert attributes.strip() == 'src="assets/site.js" defer' and not body
        assert not RAW_CONTROLS.search(markup), (name, RAW_CONTROLS.findall(markup))
        shown += "".join(audit.text)
    assert '<script>alert("x")</script>' in shown  # shown as text, not run
    assert "javascript:alert(document.cookie)" not in (tmp_path / "index.html").read_text(
        encoding="utf-8").split("href=")[1:]
    assert len(json.loads((tmp_path / "events.json").read_text(encoding="utf-8"))["@graph"])
    parsed = feedparser.parse((tmp_path / "changes.xml").read_bytes())
    assert not parsed.bozo and parsed.entries


# --- tradecal parse -----------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "body", "expected"), [
    ("cieca-csv", import_csv_text().encode(), HOSTILE),
    ("events-jsonld", jsonld_page(), ()),
])
def test_parse_prints_one_json_line_per_hostile_event(tmp_path: Path, source: str, body: bytes,
                                                      expected: tuple[str, ...]) -> None:
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    page = tmp_path / "page"
    page.write_bytes(body)
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "config.toml"), "parse",
                                      source, str(page)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.split("\n")
    assert lines.pop() == "" and len(lines) == len(HOSTILE)
    titles = [json.loads(line)["title"] for line in lines]
    for index, text in enumerate(expected):  # the title as the source reads it, NUL included
        assert status_from_title(f"{text} #import{index}").title in titles


# --- configuration values of the wrong type -----------------------------------------------------

def run_with_config(tmp_path: Path, text: str, *args: str):
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    return CliRunner().invoke(cli, ["--config", str(tmp_path / "config.toml"), *args])


SHIPPED = (ROOT / "config.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "key"), [
    ("refresh_interval_hours = 6", 'refresh_interval_hours = "6"', "feeds.refresh_interval_hours"),
    ("past_days = 90", "past_days = 90.5", "feeds.past_days"),
    ("past_days = 90", "past_days = true", "feeds.past_days"),
    ("retention_days = 30", "retention_days = [30]", "feeds.retention_days"),
    ('output = "public"', "output = 5", "feeds.output"),
    ('calendar_name = "國際經貿行事曆 Trade calendar"', "calendar_name = {zh = 'x'}",
     "feeds.calendar_name"),
    ('short_name = "WTO"', "short_name = 1", "organizations.WTO.short_name"),
    ('name_zh = "世界貿易組織"', "name_zh = 2024-05-01", "organizations.WTO.name_zh"),
])
def test_wrong_typed_values_exit_2_naming_the_key(tmp_path: Path, old: str, new: str,
                                                  key: str) -> None:
    assert old in SHIPPED
    result = run_with_config(tmp_path, SHIPPED.replace(old, new, 1), "sources")
    assert result.exit_code == 2, result.output
    assert key in result.output


@pytest.mark.parametrize(("text", "key"), [
    ('[sources.x]\ntype = "ics"\nurl = "https://e.example/x.ics"\norganization = "WTO"\n'
     'timezone = "UTC"\nenabled = "yes"\n', "sources.x.enabled"),
    ('[sources.x]\ntype = "ics"\nurl = 5\norganization = "WTO"\n', "sources.x.url"),
    ('[sources.x]\ntype = 3\nurl = "u"\norganization = "WTO"\n', "sources.x.type"),
    ('[sources.x]\ntype = "ics"\nurl = "u"\norganization = ["WTO"]\n', "sources.x.organization"),
    ('[sources.x]\ntype = "ics"\nurl = "u"\norganization = "WTO"\npast_days = "90"\n',
     "sources.x.past_days"),
    ('[sources.x]\ntype = "ics"\nurl = "u"\norganization = "WTO"\nfeatured = 1\n'
     'timezone = "UTC"\n',
     "sources.x.featured"),
    ('[sources.x]\ntype = "html-list"\nurl = "u"\norganization = "WTO"\nitem = 1\n'
     'title = "a"\ndate = "b"\n', "sources.x.item"),
    ("[sources]\nx = 5\n", "sources.x"),
    ('sources = "everything"\n', "sources"),
    ("[store]\npath = 5\n", "store.path"),
    ('store = "tradecal.db"\n', "store"),
    ("[fetch]\ntimeout = \"30\"\n", "fetch.timeout"),
    ("fetch = 5\n", "fetch"),
    ('[schedule]\ninterval_hours = "6h"\n', "schedule.interval_hours"),
    ('[serve]\nport = "8000"\n', "serve.port"),
    ("[organizations]\nWTO = \"World Trade Organization\"\n", "organizations.WTO"),
    ('[organizations.WTO]\nsection = 1\n', "organizations.WTO.section"),
    ('[organizations.WTO]\ntimezone = 8\n', "organizations.WTO.timezone"),
    ('feeds = "public"\n', "feeds"),
    ("feeds = 5\n", "feeds"),
    ("newsletter = 5\n", "newsletter"),
])
def test_wrong_typed_tables_and_values_exit_2_naming_the_key(tmp_path: Path, text: str,
                                                             key: str) -> None:
    result = run_with_config(tmp_path, text, "sources")
    assert result.exit_code == 2, (result.output, result.exception)
    assert key in result.output


# --- an import CSV in the wrong encoding --------------------------------------------------------

BIG5_CSV = ("organization,title,start\r\n國際貿易署,新南向商機說明會,2025-06-10\r\n"
            "國際貿易署,出口管制研討會,2025-06-11\r\n").encode("big5")


def test_big5_import_is_read_and_said(tmp_path: Path) -> None:
    (tmp_path / "big5-events.csv").write_bytes(BIG5_CSV)
    result = run_with_config(tmp_path, SHIPPED, "import", str(tmp_path / "big5-events.csv"))
    assert result.exit_code == 0, result.output
    assert "2 events (2 new" in result.output and "Big5 (CP950)" in result.output


def test_a_file_in_no_known_encoding_is_refused_and_stores_nothing(tmp_path: Path) -> None:
    (tmp_path / "binary.csv").write_bytes(b"organization,title,start\r\n\xff\xfe\x80\x81,x,"
                                          b"2025-06-10\r\n")
    result = run_with_config(tmp_path, SHIPPED, "import", str(tmp_path / "binary.csv"))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a refusal, not a traceback
    assert "binary.csv" in result.output and "UTF-8" in result.output
    assert "nothing was stored" in result.output
    store_path = tmp_path / "tradecal.db"
    if store_path.exists():
        with Store(store_path) as opened:
            assert opened.events() == []


# --- a time zone name that is a folder of the zone database -------------------------------------

def test_a_folder_as_time_zone_exits_2_naming_the_key(tmp_path: Path) -> None:
    text = SHIPPED.replace('timezone = "America/New_York"', 'timezone = "America"', 1)
    result = run_with_config(tmp_path, text, "sources")
    assert result.exit_code == 2, (result.output, result.exception)
    assert "timezone" in result.output and "America" in result.output


def test_a_folder_as_time_zone_is_an_event_error() -> None:
    with pytest.raises(EventError):
        Event(source="s", source_key="k", organization="WTO", title="t",
              start=date(2025, 6, 2), timezone="America")
