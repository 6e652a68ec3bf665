"""Fuzzing every source's parser on mutated fixtures, with hypothesis.

Each saved fixture under ``tests/fixtures/<source>/`` is mapped to its source type
(:data:`sources.registry.SOURCE_TYPES`) with the configuration and URL its own test uses.
Hypothesis mutates its bytes (truncation, flipped bytes, deleted and duplicated ranges,
inserted junk and markup fragments, another encoding, a BOM), its lines (deleted,
duplicated, swapped), and for JSON its values (any leaf replaced by null, a number of any
size, NaN, a string, a list or an object). Whatever the page becomes, ``parse`` must either
yield valid :class:`~aggregator.core.model.Event` and :class:`~sources.base.Request` objects or
raise :class:`~sources.base.ParseError`; any other exception is a crash of that parser
(a refresh would record it as the source's failure, but it is still a bug to fix there).
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.core.encoding import decode_body, load_json, without_surrogates
from aggregator.core.model import Event, event_to_json
from sources.apec import DEFAULT_URL as APEC_URL
from sources.asean import POSTS_URL
from sources.base import Notice, ParseError, Request, Response, Source, SourceConfig
from sources.generic.tribe import API_PATH
from sources.imf import LIST_URL as IMF_URL
from sources.itri import LIST_URL as ITRI_URL
from sources.lib.markup import absolute_url
from sources.oecd import EVENTS_URL as OECD_EVENTS
from sources.oecd import SEARCH_URL as OECD_SEARCH
from sources.registry import SOURCE_TYPES, source_class
from sources.trade_gov_tw import ENDPOINT
from sources.ustr import SEARCH_URL as USTR_URL
from sources.worldbank import EVENTS_URL as WB_EVENTS
from sources.worldbank import SEARCH_URL as WB_SEARCH
from sources.wto import DEFAULT_URL as WTO_URL
from sources.wto_airgrams import SEARCH_URL as AIRGRAMS_URL

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = 25  # per fixture file; ~30 files
AIRGRAMS_QUERY = ("DataSource=Cat&Language=English&XMLMaxHitsPerPage=5"
                  "&query=%40Symbol%3DWTO%2FAIR%2F%2A")
TRIBE_SITE = "https://centre.example.org.tw"
SERVED = {"Date": "Tue, 23 Jul 2024 02:00:00 GMT"}
PARSE_SECONDS = 20  # the slowest fixture parses in well under a second


@dataclass(frozen=True)
class Case:
    """One fixture file and how its test reads it: source type, configuration, URL."""

    path: str
    type: str
    organization: str
    timezone: str
    url: str
    config_url: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    request: Callable[[Source], Request | None] = lambda source: None

    def source(self) -> Source:
        config = SourceConfig(name=self.type.replace("-", "_"), type=self.type,
                              url=self.config_url, organization=self.organization,
                              timezone=self.timezone, options=self.options)
        return source_class(self.type)(config)


def html_list(path: str, url: str, headers: dict[str, str], **selectors: str) -> Case:
    return Case(f"html_list/{path}", "html-list", "CIECA", "Asia/Taipei", url, url,
                selectors, headers)


CASES: tuple[Case, ...] = (
    *(Case(f"apec/{name}", "apec", "APEC", "Asia/Shanghai", APEC_URL, APEC_URL,
           {"host_timezones": "2024=America/Lima,2025=Asia/Seoul,2026=Asia/Shanghai"})
      for name in ("calendar-cards-composed.html", "calendar-table-composed.html")),
    Case("asean/posts-meeting.json", "asean", "ASEAN", "Asia/Jakarta",
         f"{POSTS_URL}?per_page=7&page=1&orderby=date&order=desc&search=meeting"),
    Case("asean/feed-composed.xml", "asean", "ASEAN", "Asia/Jakarta",
         "https://asean.org/feed/", "https://asean.org/feed/"),
    Case("csv/events.csv", "csv", "CIECA", "Asia/Taipei", "file:///srv/tradecal/cieca-events.csv",
         "file:///srv/tradecal/cieca-events.csv"),
    html_list("big5-table.html", "https://www.example.org.tw/news/list.asp?page=1", {},
              item="table.list_table tr", title="td.title", date="td.date", time="td.time",
              location="td.place", deadline="td.deadline"),
    html_list("big5-cards-no-charset.html", "https://www.example.org.tw/zh/news/list.php", SERVED,
              item="li.item", title="h3.ttl", date="p.date", location="p.place"),
    html_list("english-events.html", "https://www.example.org/en/events/", {},
              item="article.event", title=".event-title", date=".event-date", time=".event-time",
              location=".event-venue", deadline=".event-deadline", link="a.more"),
    *(Case(f"ical/{name}", "ics", "TRADE", "Asia/Taipei",
           "https://calendar.example.org/feeds/trade.ics", "https://calendar.example.org/feeds/trade.ics")
      for name in ("floating-times.ics", "google-export.ics", "outlook-export.ics",
                   "tribe-shared-vtimezone-composed.ics", "outlook-display-names-composed.ics")),
    Case("imf/seminars.html", "imf", "IMF", "America/New_York", IMF_URL),
    Case("imf/seminars-page-2.html", "imf", "IMF", "America/New_York", f"{IMF_URL}?page=2"),
    *(Case(f"itri/{name}", "itri", "ITRI", "Asia/Taipei",
           f"{ITRI_URL}?DisplayStyle=06&SiteID=1&MmmID=1036276263153520257&Page={page}",
           options={"mmm_id": "1036276263153520257"},
           request=lambda source, page=page: source.page_request(page))  # type: ignore[attr-defined]
      for name, page in (("events-page-1.html", 1), ("events-page-2.html", 2),
                         ("events-empty.html", 1))),
    Case("jsonld/single-event.html", "jsonld", "CIECA", "Asia/Taipei",
         "https://events.example.org/zh-TW/events/20240912-supply-chain",
         "https://events.example.org/zh-TW/events/20240912-supply-chain"),
    Case("jsonld/list-page.html", "jsonld", "OECD", "Europe/Paris",
         "https://forum.example.org/events/", "https://forum.example.org/events/"),
    Case("jsonld/graph-page.html", "jsonld", "NCCU", "Asia/Taipei",
         "https://centre.example.edu/events/apec-services-dialogue/",
         "https://centre.example.edu/events/apec-services-dialogue/"),
    Case("oecd/events.html", "oecd", "OECD", "Europe/Paris", OECD_EVENTS),
    Case("oecd/search-events.json", "oecd", "OECD", "Europe/Paris",
         f"{OECD_SEARCH}?siteName=oecd&interfaceLanguage=en&page=0&pageSize=5"),
    Case("rss/trade-news.xml", "rss", "TRADE", "Asia/Taipei",
         "https://www.trade.gov.tw/RSS/RSS.aspx?nodeID=9999",
         "https://www.trade.gov.tw/RSS/RSS.aspx?nodeID=9999"),
    Case("rss/events.atom", "rss", "WTO", "Europe/Zurich", "https://forum.example.org/news.atom",
         "https://forum.example.org/news.atom"),
    *(Case(f"trade_gov_tw/{name}", "trade-gov-tw", "TRADE", "Asia/Taipei", ENDPOINT,
           options={"node_id": 4326},
           request=lambda source, page=page: source.page_request(page))  # type: ignore[attr-defined]
      for name, page in (("node-page-1.json", 1), ("node-page-2.json", 2), ("node-empty.json", 1))),
    Case("trade_gov_tw/pages-api-composed.json", "trade-gov-tw", "TRADE", "Asia/Taipei",
         "https://www.trade.gov.tw/Api/Get/pages?nodeid=4326",
         "https://www.trade.gov.tw/Api/Get/pages?nodeid=4326", {"node_id": 4326}),
    Case("trade_gov_tw/rss-composed.xml", "trade-gov-tw", "TRADE", "Asia/Taipei",
         "https://www.trade.gov.tw/RSS/RSS.aspx?nodeID=4326",
         "https://www.trade.gov.tw/RSS/RSS.aspx?nodeID=4326", {"node_id": 4326}),
    *(Case(f"tribe/{name}", "tribe", "NCCU", "Asia/Taipei",
           f"{TRIBE_SITE}{API_PATH}/?page={page}", TRIBE_SITE)
      for name, page in (("events-page-1.json", 1), ("events-page-2.json", 2))),
    *(Case(f"ustr/{name}", "ustr", "USTR", "America/New_York", f"{USTR_URL}?page=1")
      for name in ("search-page-1.json", "search-page-2.json", "search-empty.json")),
    Case("worldbank/search-events.json", "worldbank", "WorldBank", "America/New_York",
         f"{WB_SEARCH}?format=json&rows=5&os=0&lang_exact=English"),
    Case("worldbank/events.html", "worldbank", "WorldBank", "America/New_York", WB_EVENTS),
    Case("wto/current_news_e-2013-excerpt.js", "wto", "WTO", "Europe/Zurich",
         "https://www.wto.org/library/news/current_news_e.js"),
    Case("wto/current_news_e-2013-full.js", "wto", "WTO", "Europe/Zurich",
         "https://www.wto.org/library/news/current_news_e.js",
         "https://www.wto.org/library/news/current_news_e.js", {"meetings_only": True}),
    Case("wto/meetings_e-composed.js", "wto", "WTO", "Europe/Zurich", WTO_URL),
    Case("wto/latest_news_e-composed.xml", "wto", "WTO", "Europe/Zurich",
         "https://www.wto.org/library/rss/latest_news_e.xml",
         "https://www.wto.org/library/rss/latest_news_e.xml", {"meetings_only": True}),
    *(Case(f"wto_airgrams/{name}", "wto-airgrams", "WTO", "Europe/Zurich",
           f"{AIRGRAMS_URL}?{AIRGRAMS_QUERY}&XMLStart={start}")
      for name, start in (("airgrams-page-1.xml", 1), ("airgrams-page-2.xml", 6),
                          ("airgrams-empty.xml", 1))),
)
BY_PATH = {case.path: case for case in CASES}


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail when the block runs longer than ``seconds``: a parser that hangs on a page is a
    crash too (SIGALRM: the tests run in the main thread)."""
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"parse ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except TimeoutError as exc:  # reported here: the interrupted frames confuse pytest
        raise AssertionError(str(exc)) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse(case: Case, body: bytes) -> list[Event | Request]:
    """Everything ``parse`` yields for ``body``; [] when it raises ParseError. Any other
    exception propagates: that is the crash the tests look for."""
    source = case.source()
    response = Response(url=case.url, body=body, headers=case.headers,
                        request=case.request(source))
    try:
        with within(PARSE_SECONDS):
            items = list(source.parse(response))
    except ParseError:
        return []
    for item in items:
        assert isinstance(item, (Event, Request, Notice)), item
        if isinstance(item, Notice):
            assert item.text and storable(item.text) is None
        elif isinstance(item, Event):
            assert item.title.strip() and item.uid and item.source == source.name
            assert item.organization and item.timezone
            storable(event_to_json(item))
        else:
            assert isinstance(item.url, str) and item.url
            storable([item.url, *item.params, *item.headers])
    return items


def storable(value: object) -> None:
    """Every text in ``value`` can be written as UTF-8 (the store, the feeds): no lone
    surrogate such as a JSON ``"\\ud800"`` decodes to."""
    json.dumps(value, ensure_ascii=False).encode("utf-8")


def test_every_fixture_and_every_source_type_is_fuzzed() -> None:
    saved = {str(path.relative_to(FIXTURES)) for path in FIXTURES.glob("*/*")
             if path.is_file() and path.name != "README.md"
             and path.parent.name not in ("reference", "manual")}
    assert saved == set(BY_PATH)
    assert {case.type for case in CASES} == set(SOURCE_TYPES)


def test_each_registered_class_carries_its_type_name() -> None:
    assert all(source_class(kind).type == kind for kind in SOURCE_TYPES)


@pytest.mark.parametrize("case", CASES, ids=[case.path for case in CASES])
def test_every_fixture_parses_unmutated(case: Case) -> None:
    parse(case, (FIXTURES / case.path).read_bytes())


# --- the mutations ------------------------------------------------------------------------------

JUNK = st.sampled_from([
    b"<", b">", b"</div>", b"<td>", b"</tr>", b"<![CDATA[", b"]]>", b"<!--", b"-->", b"&", b"&#0;",
    b"&#xD800;", b"&nbsp;", b"{", b"}", b"[", b"]", b'"', b"\\", b"\\u0000", b"\\ud800", b",", b":",
    b"null", b"NaN", b"1e999", b"99999999999999999999999", b"-1", b"0", b"\x00", b"\xff\xfe",
    b"\xef\xbb\xbf", b"\xa4\xa4", b"\xe6\x9c", b"\r\n", b"\n ", b"BEGIN:VEVENT\r\n",
    b"END:VCALENDAR\r\n", b"DTSTART:99999999T999999Z\r\n", b"RRULE:FREQ=SECONDLY\r\n",
    b"2024-02-30", b"9999-99-99T99:99:99", b"0000-00-00", b"113/13/45",
    b"\xe6\xb0\x91\xe5\x9c\x8b0",
    b"February 30, 2024", b"25:99", b"</script>", b"<script type=\"application/ld+json\">",
    b"<item>", b"</item>", b"<entry>", b"<?xml", b"]]]]>", b"\xf0\x9f\x98\x80",
]) | st.binary(max_size=12)
ENCODINGS = ("big5", "cp950", "utf-16", "utf-16-be", "latin-1", "shift_jis", "utf-32", "ascii")


@st.composite
def byte_mutation(draw: st.DrawFn, body: bytes) -> bytes:
    size = len(body)
    kind = draw(st.sampled_from(["truncate", "flip", "delete", "duplicate", "insert", "encode",
                                 "bom"]))
    at = draw(st.integers(0, size))
    if kind == "truncate":
        return body[:at]
    if kind == "flip":
        flipped = bytearray(body)
        for position in draw(st.lists(st.integers(0, max(size - 1, 0)), min_size=1,
                                      max_size=8)):
            if flipped:
                flipped[position] = draw(st.integers(0, 255))
        return bytes(flipped)
    end = draw(st.integers(at, min(size, at + draw(st.sampled_from([1, 8, 64, 512, size])))))
    if kind == "delete":
        return body[:at] + body[end:]
    if kind == "duplicate":
        where = draw(st.integers(0, size))
        return body[:where] + body[at:end] + body[where:]
    if kind == "insert":
        return body[:at] + draw(JUNK) + body[at:]
    if kind == "encode":
        text = body.decode("utf-8", "replace")
        return text.encode(draw(st.sampled_from(ENCODINGS)), "replace")
    return draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])) + body


@st.composite
def line_mutation(draw: st.DrawFn, body: bytes) -> bytes:
    lines = body.split(b"\n")
    if not lines:
        return body
    first = draw(st.integers(0, len(lines) - 1))
    second = draw(st.integers(0, len(lines) - 1))
    kind = draw(st.sampled_from(["delete", "duplicate", "swap", "cut"]))
    if kind == "delete":
        del lines[first]
    elif kind == "duplicate":
        lines.insert(second, lines[first])
    elif kind == "swap":
        lines[first], lines[second] = lines[second], lines[first]
    else:
        lines[first] = lines[first][:draw(st.integers(0, len(lines[first])))]
    return b"\n".join(lines)


JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.text(max_size=30), st.sampled_from(["", " ", "2024-02-30", "9999-12-31T99:00:00",
                                           "<b>x</b>", "javascript:alert(1)", "113/05/07",
                                           "null", "0", "-1", "EventCancelled"]),
    st.lists(st.integers(0, 3), max_size=3), st.just({}), st.just([]), st.just([{}]),
)


def json_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in a JSON document (the root excluded)."""
    found: list[tuple[Any, ...]] = [path] if path else []
    children = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for key, child in children:
        found += json_paths(child, (*path, key))
    return found


@st.composite
def json_mutation(draw: st.DrawFn, body: bytes) -> bytes:
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except ValueError:
        return body
    paths = json_paths(document)
    if not paths:
        return body
    path = draw(st.sampled_from(paths))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if draw(st.booleans()) or not isinstance(parent, dict):
        parent[path[-1]] = draw(JSON_VALUES)
    else:
        del parent[path[-1]]
    text = json.dumps(document, ensure_ascii=draw(st.booleans()))
    return text.encode("utf-8", "surrogatepass")  # a "\\ud800" read before stays as bytes


@st.composite
def mutated(draw: st.DrawFn, case: Case) -> bytes:
    body = (FIXTURES / case.path).read_bytes()
    mutations = [byte_mutation, line_mutation]
    if case.path.endswith(".json"):
        mutations += [json_mutation, json_mutation, json_mutation]
    for _ in range(draw(st.integers(1, 3))):
        body = draw(draw(st.sampled_from(mutations))(body))
    return body


@pytest.mark.parametrize("case", CASES, ids=[case.path for case in CASES])
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_a_mutated_fixture_gives_events_or_a_parse_error(case: Case, data: st.DataObject) -> None:
    parse(case, data.draw(mutated(case), label="body"))


# --- what the fuzzing found, kept as plain cases ------------------------------------------------

def fixture(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


@pytest.mark.parametrize(("path", "old", "new"), [
    # a charset name with a NUL (codecs raise ValueError, not LookupError): every HTML source
    ("jsonld/single-event.html", b'<meta charset="utf-8">', b'<meta charset="\x00utf-8">'),
    # feedparser's own decoding: a NUL, or a non-UTF-8 byte, in the XML declaration
    ("rss/trade-news.xml", b'encoding="utf-8"', b'encoding="\x00utf-8"'),
    ("rss/trade-news.xml", b'encoding="utf-8"', b'encoding="\x80"'),
    # an unbound namespace prefix, which a recovering XML parser keeps in the tag
    ("wto_airgrams/airgrams-page-1.xml", b"<autn:id>284011", b"<utn:id>284011"),
    # a VTIMEZONE with two TZIDs (icalendar raises AttributeError)
    ("ical/outlook-export.ics", b"TZID:Taipei Standard Time\r\n",
     b"TZID:Customized Time Zone\r\nTZID:Taipei Standard Time\r\n"),
    # an override whose RECURRENCE-ID is no date (icalendar's BrokenCalendarProperty)
    ("ical/google-export.ics", b"RECURRENCE-ID;TZID=Asia/Taipei:2024",
     b"RECURRENCE-ID;TZID=Asia/Taipei:\x002024"),
    # a time zone name that is a folder of the zone database (IsADirectoryError, an OSError)
    ("ical/google-export.ics", b"TZID=Europe/Zurich", b"TZID=America"),
    ("tribe/events-page-1.json", b'"timezone": "America/Lima"', b'"timezone": "America/Indiana"'),
    ("csv/events.csv", b",America/Lima,", b",America,"),
    # a link urllib refuses (an unclosed IPv6 host)
    ("wto/meetings_e-composed.js", b'nl_url:"/english/tratop_e/devel_e', b'nl_url:"//[/english'),
    ("html_list/english-events.html", b'href="/events/2024/digital-trade-forum"', b'href="//[x"'),
    # character references to surrogates (lxml keeps undecodable bytes; feedparser fails)
    ("wto_airgrams/airgrams-page-1.xml", b"<autn:title>Dispute", b"<autn:title>&#xD800;Dispute"),
    ("rss/trade-news.xml", b"<title>", b"<title>&#55296;"),
    # lone surrogates that JSON and JavaScript escapes decode to
    ("trade_gov_tw/node-page-1.json", b'{"Html": "', b'{"Html": "\\ud800'),
    ("wto/meetings_e-composed.js", b'ni_head:"Committee on Trade',
     b'ni_head:"\\ud83d\\ude00 \\udc00Committee on Trade'),
])
def test_found_pages_give_events_or_a_parse_error(path: str, old: bytes, new: bytes) -> None:
    body = fixture(path)
    assert old in body
    parse(BY_PATH[path], body.replace(old, new, 1))


def test_json_and_javascript_escapes_give_storable_text() -> None:
    items = parse(BY_PATH["wto/meetings_e-composed.js"], fixture("wto/meetings_e-composed.js")
                  .replace(b'ni_head:"Committee on Trade',
                           b'ni_head:"\\ud83d\\ude00 \\udc00Committee on Trade', 1))
    assert any(isinstance(item, Event) and item.title.startswith("😀 \ufffdCommittee on Trade")
               for item in items)
    assert load_json('{"a\\ud800": ["\\ud83d\\ude00", "\\udfff"]}') == {"a\ufffd": ["😀", "\ufffd"]}
    with pytest.raises(json.JSONDecodeError):
        load_json("[" * 100_000 + "]" * 100_000)
    assert without_surrogates("ok") == "ok"


def test_decode_body_ignores_a_charset_name_with_a_nul() -> None:
    assert decode_body(b"caf\xc3\xa9", {"Content-Type": "text/html; charset=utf\x008"}) == "café"
    assert absolute_url("https://example.org/a/", "//[x") == ""
    assert absolute_url("https://example.org/a/", "b?c=1") == "https://example.org/a/b?c=1"


@pytest.mark.parametrize(("path", "old", "new"), [
    ("wto_airgrams/airgrams-page-1.xml", b"Centre William Rappard on Friday",
     b"Centre William Rappard&#xD800; on Friday"),
    ("rss/trade-news.xml", b"<title>", b"<title>&#55296;"),
])
def test_a_reference_to_a_surrogate_costs_one_character_not_the_page(path: str, old: bytes,
                                                                     new: bytes) -> None:
    case = BY_PATH[path]
    events = [item for item in parse(case, fixture(path).replace(old, new))
              if isinstance(item, Event)]
    assert len(events) == len([item for item in parse(case, fixture(path))
                               if isinstance(item, Event)]) > 0
    assert any("\ufffd" in json.dumps(event_to_json(event), ensure_ascii=False)
               for event in events)


@pytest.mark.parametrize("rule", [
    b"RRULE:FREQ=SECONDLY", b"RRULE:FREQ=MINUTELY;UNTIL=20991231T000000Z",
    b"RRULE:FREQ=DAILY;BYHOUR=" + b",".join(b"%d" % hour for hour in range(24))
    + b";BYMINUTE=0,30", b"RRULE:FREQ=WEEKLY;INTERVAL=0",
])
def test_a_runaway_rule_is_read_as_written_not_expanded_for_hours(rule: bytes) -> None:
    path, written = "ical/google-export.ics", b"RRULE:FREQ=WEEKLY;WKST=SU;COUNT=6;BYDAY=TU\r\n"
    assert written in fixture(path)
    items = parse(BY_PATH[path], fixture(path).replace(written, rule + b"\r\n"))  # 20 s at most
    as_written = parse(BY_PATH[path], fixture(path).replace(written, b""))
    assert [item.uid for item in items] == [item.uid for item in as_written]  # type: ignore[union-attr]
