"""The simulated sites on loopback: what each serves at the simulated instant, and faults.

:class:`SimSites` serves the two sites of a :class:`~tests.sim_world.World`, each on its own
loopback server: ``/calendar.ics`` (an iCalendar feed, a UID per meeting, times with their
IANA ``TZID`` or all-day dates) and ``/events/`` (an HTML page with one
``<script type="application/ld+json">`` block per meeting, times with their offset, a
detail ``url`` only for keyed meetings). What they list is the world at ``SimSites.now``,
which the simulation sets before each run; the ``Date`` header is that instant too (the
feed reader takes its "today" from it).

A site can be made faulty for the next request (``SimSites.faults[site]``): ``outage`` (a
503), ``empty`` (a 200 with no body), ``zero`` (a valid answer listing nothing),
``cut-length`` (half the body, then the connection closed, short of its Content-Length) or
``cut-nolength`` (60 % of the body, no Content-Length: only the format shows the cut).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.servers import LoopbackServer
from tests.sim_world import Meeting, Version, World

PATHS = {"ics": "/calendar.ics", "jsonld": "/events/"}
TYPES = {"ics": "text/calendar; charset=utf-8", "jsonld": "text/html; charset=utf-8"}
FAULTS = ("outage", "empty", "zero", "cut-length", "cut-nolength")


def ics_body(listed: list[tuple[Meeting, Version]], now: datetime) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//simulated site//EN"]
    for meeting, version in listed:
        lines += ["BEGIN:VEVENT", f"UID:{meeting.uid}", f"DTSTAMP:{now:%Y%m%dT%H%M%SZ}",
                  *_ics_times(meeting, version), f"SUMMARY:{version.title}",
                  "END:VEVENT"]
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


def _ics_times(meeting: Meeting, version: Version) -> list[str]:
    if version.clock is None:
        end = version.first + timedelta(days=version.days)
        return [f"DTSTART;VALUE=DATE:{version.first:%Y%m%d}", f"DTEND;VALUE=DATE:{end:%Y%m%d}"]
    start = datetime.combine(version.first, version.clock)
    end = start + timedelta(hours=version.hours)
    return [f"DTSTART;TZID={meeting.zone}:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID={meeting.zone}:{end:%Y%m%dT%H%M%S}"]


def jsonld_body(listed: list[tuple[Meeting, Version]]) -> bytes:
    blocks = [_jsonld_block(meeting, version) for meeting, version in listed]
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(block)}</script>\n'
                      for block in blocks) or \
        '<script type="application/ld+json">{"@type": "ItemList"}</script>\n'
    return ("<!DOCTYPE html>\n<html lang=\"zh-Hant\"><head><meta charset=\"utf-8\">"
            f"<title>Events</title>\n{scripts}</head>\n<body><h1>Events</h1></body></html>\n"
            ).encode()


def _jsonld_block(meeting: Meeting, version: Version) -> dict[str, Any]:
    block: dict[str, Any] = {"@context": "https://schema.org", "@type": "Event",
                             "name": version.title}
    if version.clock is None:
        block["startDate"] = version.first.isoformat()
        block["endDate"] = (version.first + timedelta(days=version.days - 1)).isoformat()
    else:
        start = datetime.combine(version.first, version.clock).replace(
            tzinfo=ZoneInfo(meeting.zone))
        block["startDate"] = start.isoformat()
        block["endDate"] = (start + timedelta(hours=version.hours)).isoformat()
    if meeting.keyed:
        block["url"] = meeting.uid
    return block


@dataclass
class SimSites:
    """The world's two sites, served at ``now``; see the module docstring."""

    world: World
    now: datetime = datetime(2000, 1, 1, tzinfo=UTC)
    faults: dict[str, str] = field(default_factory=dict)
    servers: dict[str, LoopbackServer] = field(default_factory=dict)

    def __enter__(self) -> SimSites:
        for number, site in enumerate(PATHS, start=2):
            server = LoopbackServer(f"127.0.0.{number}").__enter__()
            server.routes[PATHS[site]] = lambda exchange, site=site: self._answer(site, exchange)
            self.servers[site] = server
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self.servers.values():
            server.stop()

    def url(self, site: str) -> str:
        return self.servers[site].url(PATHS[site])

    def body(self, site: str, listed: list[tuple[Meeting, Version]]) -> bytes:
        return ics_body(listed, self.now) if site == "ics" else jsonld_body(listed)

    def listed(self, site: str) -> list[tuple[Meeting, Version]]:
        """What ``site`` lists at ``now``."""
        return self.world.on(site, self.now)

    def _answer(self, site: str, exchange: Any) -> None:
        fault = self.faults.get(site, "")
        body = self.body(site, [] if fault == "zero" else self.listed(site))
        if fault == "outage":
            self._send(exchange, 503, b"Service Unavailable", "text/plain")
        elif fault == "empty":
            self._send(exchange, 200, b"", TYPES[site])
        elif fault == "cut-length":
            self._send(exchange, 200, body[: len(body) // 2], TYPES[site], length=len(body))
        elif fault == "cut-nolength":
            self._send(exchange, 200, body[: len(body) * 6 // 10], TYPES[site], length=None)
        else:
            self._send(exchange, 200, body, TYPES[site])

    def _send(self, exchange: Any, status: int, body: bytes, content_type: str,
              length: int | None = -1) -> None:
        """The answer, dated ``now`` (not the machine's time); ``length`` None: no
        Content-Length; -1: the body's own."""
        exchange.send_response_only(status)
        exchange.send_header("Date", format_datetime(self.now, usegmt=True))
        exchange.send_header("Content-Type", content_type)
        if length is not None:
            exchange.send_header("Content-Length", str(len(body) if length < 0 else length))
        exchange.send_header("Connection", "close")
        exchange.end_headers()
        exchange.wfile.write(body)
        exchange.wfile.flush()
        exchange.close_connection = True
