"""``tradecal doctor``: the first-run check of every enabled source, channel by channel.

Each channel (``sources.channels``) is fetched and parsed in full, whatever the others
gave, and judged:

- ``ok``: events were read;
- ``empty``: the site answered (200) with a page of real size but no events were read from
  it: the layout or the address changed;
- ``blocked``: 403, 429, or a challenge page ("Just a moment…", a CAPTCHA, a "security
  verification"): try ``fetch = "browser"`` or another channel;
- ``disallowed``: the site's robots.txt does not allow the address;
- ``failed``: a network error, a server error, an answer that is not the expected format.

What was fetched is saved like ``tradecal record`` saves it, so an answer that works
becomes a regression fixture.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from aggregator.channels import channel_fetcher, channels_of
from aggregator.core.http import Request, Response
from aggregator.core.model import Event
from aggregator.refresh import Fetches, collect, describe_failure
from sources.base import Source

REAL_SIZE = 512
"""Bytes from which an answer without events is a page that changed, not a stub."""
CHALLENGE = re.compile(
    rb"just a moment\.\.\.|cf-chl|challenge-platform|attention required|captcha|"
    rb"security verification|verify you are (?:a )?human|access denied|"
    rb"request unsuccessful\. incapsula|enable javascript and cookies", re.IGNORECASE)
NEXT_STEP = {
    "ok": "nothing to do",
    "empty": "the page answered but no events were read: the layout or address changed? "
             "run `tradecal discover URL` on the page people see and set url (or channels)",
    "blocked": 'the site refused this host: try fetch = "browser" in the source\'s table, '
               "or another channel (channels = [...])",
    "disallowed": "robots.txt forbids this address: use another channel or ask the site",
    "failed": "network or format error: check the address, retry later",
}


@dataclass
class Probe:
    """A fetcher wrapper noting what the first answer of a channel was."""

    fetcher: Any
    status: int | None = None
    size: int = 0
    head: bytes = b""

    def get(self, request: Request) -> Response:
        response: Response = self.fetcher.get(request)
        if self.status is None:
            self.status, self.size = response.status, len(response.body)
            self.head = response.body[:20_000]
        return response


@dataclass
class Check:
    """One channel of one source, as the doctor saw it."""

    source: str
    channel: str
    url: str
    fetch: str
    status: int | None
    bytes: int
    seconds: float
    events: int
    verdict: str
    next_step: str
    error: str = ""
    coverage: dict[str, float] = field(default_factory=dict)
    first: str | None = None
    last: str | None = None
    samples: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        """The check for people: a headline and its details."""
        status = self.status if self.status is not None else "-"
        head = (f"{self.source} / {self.channel} [{self.fetch}]: {self.verdict.upper()} "
                f"HTTP {status}, {self.bytes} bytes, {self.seconds:.1f} s, "
                f"{self.events} events")
        lines = [head, f"    {self.url}"]
        if self.events:
            shares = ", ".join(f"{key} {value:.0%}" for key, value in self.coverage.items())
            lines += [f"    with {shares}; from {self.first} to {self.last}"]
            lines += [f"    - {sample}" for sample in self.samples]
        if self.error:
            lines.append(f"    error: {self.error}")
        if self.verdict != "ok":
            lines.append(f"    next: {self.next_step}")
        return lines


def verdict_of(events: int, status: int | None, size: int, head: bytes,
               error: BaseException | None) -> str:
    """ok, empty, blocked, disallowed or failed (see the module docstring)."""
    if events:
        return "ok"
    code = getattr(error, "status", None)
    reason = str(getattr(error, "reason", "") or error or "")
    if "robots.txt disallows" in reason:
        return "disallowed"
    if code in (403, 429) or (status is not None and CHALLENGE.search(head)):
        return "blocked"
    if status is not None and status < 400 and size >= REAL_SIZE:
        return "empty"
    return "failed"


def coverage(events: Sequence[Event]) -> dict[str, float]:
    """Share of the events with a time, an end, a location, a URL."""
    total = len(events) or 1
    return {"time": sum(not e.all_day for e in events) / total,
            "end": sum(e.end is not None for e in events) / total,
            "location": sum(bool(e.location) for e in events) / total,
            "url": sum(bool(e.url) for e in events) / total}


def check_channel(name: str, channel: str, source: Source, fetcher: Fetches) -> Check:
    """Fetch and parse one channel in full and judge it."""
    probe = Probe(None)
    began = time.monotonic()
    events: list[Event] = []
    error: BaseException | None = None
    try:
        probe.fetcher = channel_fetcher(source, fetcher)
        events, _ = collect(source, probe)
    except Exception as exc:  # noqa: BLE001 - every failure is a verdict
        error = exc
    verdict = verdict_of(len(events), probe.status, probe.size, probe.head, error)
    ordered = sorted(events, key=lambda e: e.local_dates()[0])
    return Check(
        source=name, channel=channel, url=source.config.url, fetch=source.config.fetch,
        status=getattr(error, "status", None) or probe.status, bytes=probe.size,
        seconds=round(time.monotonic() - began, 2), events=len(events), verdict=verdict,
        next_step=NEXT_STEP[verdict], error=describe_failure(error) if error else "",
        coverage=coverage(events) if events else {},
        first=ordered[0].local_dates()[0].isoformat() if ordered else None,
        last=ordered[-1].local_dates()[1].isoformat() if ordered else None,
        samples=[f"{e.local_start()} {e.title} | {e.location or '-'}" for e in ordered[:3]])


def check_source(source: Source, fetcher: Fetches) -> list[Check]:
    """Every channel of a source, checked in order."""
    return [check_channel(source.name, name, channel, fetcher)
            for name, channel in channels_of(source)]


def healthy(checks: Sequence[Check]) -> bool:
    """True when every source checked has a channel that is ok."""
    sources = {check.source for check in checks}
    return all(any(c.verdict == "ok" for c in checks if c.source == name) for name in sources)
