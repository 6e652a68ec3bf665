"""A response cut short is a parse error, never a shorter list (issue 11, defect 2).

A page cut mid-transfer (the server closed the connection and sent no Content-Length, so
HTTP cannot tell) used to parse as far as it went: the JSON-LD blocks after the cut were
skipped, a half calendar gave half its events, and a complete refresh with half the events
cancelled the rest. Every source's format now has an end that a whole response reaches
(``</html>`` once ``<html>`` opened, ``END:VCALENDAR``, the XML root's end tag, JSON's last
bracket, the WTO data file's last statement); a body that stops before it is a
:class:`~sources.base.ParseError` naming the URL. A body cut short of its Content-Length
is the fetcher's to refuse (``tests/test_faults.py``, ``truncated``).

Every saved fixture of every HTTP source (the cases of ``tests/test_fuzz_sources.py``) is
cut at several points and just before its end: each cut must be a parse error, or (a cut
that loses nothing, such as a JavaScript file's last ``;``) read exactly as the whole.
"""

from __future__ import annotations

import pytest

from sources.base import ParseError, Response
from tests.test_fuzz_sources import CASES, FIXTURES, Case, within

HTTP_CASES = [case for case in CASES if case.type != "csv"]  # a local file: no transfer
SHARES = (0.25, 0.5, 0.75, 0.9)


def cuts(body: bytes) -> list[bytes]:
    """The body cut at each share of its length, and a few bytes before its end."""
    whole = body.rstrip()
    return [whole[: int(len(whole) * share)] for share in SHARES] + \
        [whole[:-back] for back in (1, 3, 9) if len(whole) > back]


def parse_all(case: Case, body: bytes) -> list[object]:
    source = case.source()
    response = Response(url=case.url, body=body, headers=case.headers,
                        request=case.request(source))
    with within(20):
        return list(source.parse(response))


@pytest.mark.parametrize("case", HTTP_CASES, ids=[case.path for case in HTTP_CASES])
def test_a_cut_body_is_a_parse_error(case: Case) -> None:
    whole = (FIXTURES / case.path).read_bytes()
    complete = parse_all(case, whole)
    accepted = []
    for number, body in enumerate(cuts(whole)):
        try:
            items = parse_all(case, body)
        except ParseError as error:
            assert case.url.split("?")[0] in str(error) or "cut" in str(error), error
            continue
        if items != complete:  # a cut that lost nothing (the last ";") is harmless
            accepted.append((number, len(body), len(items)))
    assert accepted == [], f"cut bodies read as shorter lists: {accepted}"


@pytest.mark.parametrize("case", HTTP_CASES, ids=[case.path for case in HTTP_CASES])
def test_trailing_whitespace_is_no_cut(case: Case) -> None:
    whole = (FIXTURES / case.path).read_bytes().rstrip()
    parse_all(case, whole + b"\r\n\r\n")
