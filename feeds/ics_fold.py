"""Folding content lines as RFC 5545 wants and every client reads: CRLF, at most 75 octets
a line, never inside a UTF-8 character or an escape. Done here rather than by icalendar,
whose folding can separate a backslash from the character it escapes."""

from __future__ import annotations

MAX_LINE_OCTETS = 75
_PARAMETER_ESCAPE = "^"  # RFC 6868, in parameter values (before the value's colon)
_TEXT_ESCAPE_START = "\\"  # RFC 5545, in TEXT values (after it)


def fold_lines(data: bytes) -> bytes:
    """Unfold icalendar's output and fold it again: CRLF, lines of at most 75 octets, never
    splitting a UTF-8 character or a backslash (or ``^``) escape."""
    text = data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    lines = [line for line in text.split("\r\n") if line]
    return "".join(_fold(line) + "\r\n" for line in lines).encode("utf-8")


def _fold(line: str) -> str:
    """One content line folded at 75 octets between whole characters and whole escapes."""
    units = _line_units(line)
    pieces: list[str] = []
    current, size = "", 0
    for unit in units:
        width = len(unit.encode("utf-8"))
        limit = MAX_LINE_OCTETS - (1 if pieces else 0)  # continuation lines start with a space
        if current and size + width > limit:
            pieces.append(current)
            current, size = "", 0
        current += unit
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _line_units(line: str) -> list[str]:
    """Characters of ``line``, with each escape kept as one unit: ``^x`` in the name and
    parameters, ``\\x`` in the value (a ``^`` in a value is a character, so it must not
    pair up a backslash that begins the next escape)."""
    value_start = _value_start(line)
    units: list[str] = []
    index = 0
    while index < len(line):
        starter = _PARAMETER_ESCAPE if index < value_start else _TEXT_ESCAPE_START
        step = 2 if line[index] == starter and index + 1 < len(line) else 1
        units.append(line[index:index + step])
        index += step
    return units


def _value_start(line: str) -> int:
    """Index just after the colon that ends a content line's name and parameters (a colon
    inside a quoted parameter value does not count)."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return index + 1
    return len(line)
