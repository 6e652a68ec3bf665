"""A file of events kept by hand, re-read on every refresh: ``type = "csv"``.

Channel: the CSV at ``url`` in the import format of ``tradecal import`` (read by
:func:`sources.lib.manual.read_events_csv`): a header row, columns
``organization,title,start,end,timezone,location,url,status,kind,featured,
registration_deadline,section`` in any order, ``organization``, ``title`` and ``start``
required, ``start``/``end`` as ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``. It suits
organizations without a feed (CIECA, university centres) whose events an editor copies into
a shared spreadsheet. Confidence: high (our own format).

``url`` is a ``file:`` URL, an absolute path (made a ``file:`` URL) or an ``http(s)`` URL
(a published spreadsheet's CSV export); the source stays pure, the fetcher reads the file. A
path relative to config.toml must be resolved when the configuration is loaded. The file is
decoded by :func:`aggregator.core.encoding.decode_body` (UTF-8 with or without a BOM, or Big5 as
Excel on a Taiwanese Windows saves it).

The importer's rules hold: one bad row refuses the whole file (``ParseError`` naming the
file and the line), so a half-edited file changes nothing in the store. An empty
``timezone`` cell means the source's ``timezone``. A status marker in a title ("[取消]",
"(postponed)") sets the status when the ``status`` cell says nothing else and is taken out
of the title. The key is the organization, the (clean) title and the start date, so a
re-read changes nothing; a row's ``section`` and ``featured`` win over the source's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from aggregator.core.encoding import decode_body
from aggregator.core.model import SECTIONS, Event, title_date_key
from aggregator.core.status import status_from_title
from sources.base import ParseError, Request, Response, Source
from sources.lib.manual import CsvImportError, read_events_csv


class CsvFileSource(Source):
    """Events of an import-format CSV file."""

    type = "csv"
    options = {}

    def start_requests(self) -> list[Request]:
        url = self.config.url.strip()
        if PurePosixPath(url).is_absolute():
            url = PurePosixPath(url).as_uri()
        return [Request(url)]

    def parse(self, response: Response) -> Iterator[Event]:
        text = decode_body(response.body, response.headers, is_html=False)
        try:
            events = read_events_csv(text, response.url, source=self.name,
                                     organization=self._organization, sections=SECTIONS)
        except CsvImportError as exc:
            raise ParseError(str(exc)) from None
        for event in events:
            yield self._completed(event)

    def _organization(self, name: str) -> tuple[str, str | None] | None:
        """The organization key written in a row (a key, short name or name of a configured
        organization, in any case), and the zone for an empty timezone cell; None when the
        row names no configured organization (the file is refused)."""
        folded = " ".join(name.split()).casefold()
        if folded == self.organization.casefold():
            return self.organization, self.timezone
        found = self.config.known_organizations.get(folded)
        if found is None:
            return None
        key, zone = found
        return key, zone or self.timezone

    def _completed(self, event: Event) -> Event:
        """The event with the title's status marker read and the source's defaults."""
        marked = status_from_title(event.title)
        changes: dict[str, object] = {}
        if marked.status and event.status == "confirmed":
            changes["status"] = marked.status
        if marked.title != event.title:
            changes.update(title=marked.title, uid="", source_key=title_date_key(
                event.organization, marked.title, event.start))
        if event.section is None and self.config.section is not None:
            changes["section"] = self.config.section
        if self.config.featured and not event.featured:
            changes["featured"] = True
        return event.with_changes(**changes) if changes else event
