"""Pages of four source types for the fault and crash tests, and a configuration of them.

Each site answers one path with a page of upcoming events (dates counted from today, so a
refresh that wrongly took them as gone would cancel them):

- ``ustr`` (JSON): the USTR fixture's first page (:func:`tests.ustr_sites.ustr_page`) with
  its years moved to next year;
- ``ics``: an iCalendar feed of all-day meetings, composed here;
- ``wto-airgrams`` (XML): a Documents Online answer of airgrams announcing meetings,
  composed here in the layout of ``tests/fixtures/wto_airgrams``;
- ``html-list`` (HTML in Big5): the composed card page ``big5-cards-no-charset.html``.

:func:`write_config` writes a config.toml with one source per site, its store and feeds in
the folder. Nothing here opens a socket: :mod:`tests.servers` serves the pages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from aggregator.core import clock
from tests.conftest import FIXTURES
from tests.ustr_sites import ustr_page

USTR_PATH = "/api/v1/documents.json"
ICS_PATH = "/calendar.ics"
AIRGRAMS_PATH = "/dol2fe/Pages/SS/GetXMLResults.aspx"
LIST_PATH = "/zh/news/list.php"
BIG5_CARDS = FIXTURES / "html_list" / "big5-cards-no-charset.html"
BODIES = ("Committee on Agriculture", "Council for Trade in Goods", "Committee on Market Access",
          "Committee on Trade Facilitation", "Dispute Settlement Body", "General Council",
          "Committee on Customs Valuation", "Trade Policy Review Body")


@dataclass(frozen=True)
class SiteSource:
    """A ``[sources.NAME]`` table: type, URL and any option keys."""

    type: str
    url: str
    options: Mapping[str, object] = field(default_factory=dict)


def future_ustr_json(site: str, copies: int = 1) -> bytes:
    """The USTR fixture page (4 hearings per copy), its hearings moved to next year."""
    text = json.dumps(ustr_page(site, copies))
    return text.replace("2024", str(clock.today().year + 1)).encode("utf-8")


def ics_feed(site: str, count: int, first: date | None = None) -> bytes:
    """A VCALENDAR of ``count`` one-day meetings, a week apart from ``first`` (default: a
    month from today), with UIDs and titles distinct per site."""
    first = first or clock.today() + timedelta(days=30)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//fault site//EN"]
    for number in range(count):
        day = first + timedelta(days=7 * number)
        lines += ["BEGIN:VEVENT", f"UID:{site}-{number}@example.org",
                  "DTSTAMP:20260101T000000Z", f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{site} working party meeting {number}",
                  "LOCATION:Geneva", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def airgrams_answer(count: int, first: date | None = None) -> bytes:
    """A Documents Online answer of ``count`` airgrams (all its hits: no next page), each
    announcing one meeting of another body, a week apart from ``first``."""
    first = first or clock.today() + timedelta(days=30)
    issued = clock.today() - timedelta(days=3)
    hits = []
    for number in range(count):
        day = first + timedelta(days=7 * number)
        body = BODIES[number % len(BODIES)] + (f" Working Group {number}" if number >= 8
                                               else "")
        sentence = (f"The next meeting of the {body} will be held in the Centre William "
                    f"Rappard on {day:%A}, {day.day} {day:%B %Y}, starting at 10 a.m.")
        hits.append(f"""    <autn:hit>
      <autn:reference>WTO/AIR/{9000 + number}</autn:reference>
      <autn:content>
        <DOCUMENT>
          <SYMBOL>WTO/AIR/{9000 + number}</SYMBOL>
          <CATTITLE>{escape(body)} - Meeting - {day.day} {day:%B %Y} - Airgram</CATTITLE>
          <ISSUINGDATE>{issued:%d/%m/%Y} 00:00:00</ISSUINGDATE>
          <FILENAMESA>Q:/WTO/AIR/{9000 + number}.pdf</FILENAMESA>
          <BODIES>{escape(body)}</BODIES>
          <CONTENTS>{escape(sentence)}</CONTENTS>
        </DOCUMENT>
      </autn:content>
    </autn:hit>
""")
    return (f"""<?xml version="1.0" encoding="UTF-8"?>
<autnresponse xmlns:autn="http://schemas.autonomy.com/aci/">
  <action>QUERY</action>
  <response>SUCCESS</response>
  <responsedata>
    <autn:numhits>{count}</autn:numhits>
    <autn:totalhits>{count}</autn:totalhits>
{"".join(hits)}  </responsedata>
</autnresponse>
""").encode("utf-8")


def big5_cards() -> bytes:
    """The Big5 card page, which declares no character set anywhere."""
    return BIG5_CARDS.read_bytes()


def ustr_source(url: str) -> SiteSource:
    return SiteSource("ustr", url)


def ics_source(url: str) -> SiteSource:
    return SiteSource("ics", url, {"future_days": 3650})


def airgrams_source(url: str) -> SiteSource:
    return SiteSource("wto-airgrams", url, {"lookback_days": 0, "max_pages": 1})


def cards_source(url: str) -> SiteSource:
    return SiteSource("html-list", url, {"item": "li.item", "title": "h3.ttl",
                                         "date": "p.date", "location": "p.place"})


ORGANIZATIONS = {"ustr": "USTR", "ics": "WTO", "wto-airgrams": "WTO", "html-list": "TRADE"}


def write_config(folder: Path, sources: Mapping[str, SiteSource], *,
                 feeds: Mapping[str, object] | None = None, **fetch: object) -> Path:
    """``folder/config.toml``: the sources, the store (``tradecal.db``) and the feeds
    folder (``public``) in ``folder``; ``feeds`` overrides [feeds] keys (default: every
    event published, cancelled ones kept), ``fetch`` [fetch] keys (default: 5 s timeout,
    no retries, no delay)."""
    published: dict[str, object] = {"output": "public", "past_days": 36500,
                                     "retention_days": 36500, "future_days": 3650,
                                     **(feeds or {})}
    settings: dict[str, object] = {"timeout": 5.0, "retries": 0, "delay": 0.0,
                                   "lock_timeout": 30.0, **fetch}
    lines = ["[store]", 'path = "tradecal.db"', "", "[feeds]"]
    lines += [f"{key} = {_toml(value)}" for key, value in published.items()]
    lines += ["", "[fetch]"]
    lines += [f"{key} = {_toml(value)}" for key, value in settings.items()]
    lines += ["", "[organizations.USTR]", 'short_name = "USTR"',
              'section = "APEC 及其他國際組織"', 'timezone = "America/New_York"',
              "", "[organizations.WTO]", 'short_name = "WTO"', 'section = "WTO"',
              'timezone = "Europe/Zurich"',
              "", "[organizations.TRADE]", 'short_name = "國際貿易署"', 'timezone = "Asia/Taipei"']
    for name, source in sources.items():
        lines += ["", f"[sources.{name}]", f"type = {_toml(source.type)}",
                  f"url = {_toml(source.url)}",
                  f"organization = {_toml(ORGANIZATIONS[source.type])}"]
        lines += [f"{key} = {_toml(value)}" for key, value in source.options.items()]
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
