"""JavaScript data files read as data, never executed: the object literals of
``name[N] = {...}``, ``name.push({...})`` or ``name = [{...}, ...]`` assignments.

Tolerates single or double quotes, escapes, comments, trailing commas, ``new Array()``,
unquoted keys and CRLF. Sites such as the WTO's fill their pages from such files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from aggregator.core.encoding import without_surrogates


class JsError(ValueError):
    """JavaScript that is not a literal :class:`JsReader` understands; names the offset."""


@dataclass(frozen=True)
class JsItem:
    """One object literal of a data file. Fields are found by name or by ``prefix_name``
    ("date" finds ``ni_date``), so another prefix in the events file does not matter."""

    fields: Mapping[str, Any]

    def get(self, *names: str) -> Any:
        for name in names:
            keys = [key for key in self.fields
                    if key.lower() == name or key.lower().endswith(f"_{name}")]
            if keys:
                return self.fields[min(keys, key=len)]
        return None

    @property
    def is_dated_item(self) -> bool:
        return self.get("date") is not None and self.get("head", "title") is not None


_NUMBER = re.compile(r"-?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*")
_WORDS: Mapping[str, Any] = MappingProxyType({"true": True, "false": False, "null": None,
                                              "undefined": None})
_ESCAPES: Mapping[str, str] = MappingProxyType({"n": "\n", "t": "\t", "r": "\r", "b": "\b",
                                                "f": "\f", "v": "\v", "0": "\0"})
_SPACE = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/|<!--[^\n]*|-->[^\n]*)+", re.DOTALL)
_ASSIGNMENT = re.compile(r"[A-Za-z_$][\w$]*(?:\s*\[[^\]\n]{0,40}\])?\s*=(?!=)\s*"
                         r"(?=[\[{]|new\s+Array\b)|[A-Za-z_$][\w$]*\s*\.\s*push\s*\(\s*(?=\{)")


class JsReader:
    """A cursor over JavaScript source that reads one literal value: objects (unquoted or
    quoted keys), arrays and ``new Array(...)``, strings in either quote with escapes and
    ``+`` concatenation, numbers, true/false/null; trailing commas and comments allowed.
    Any other identifier (a variable) reads as None; anything else raises JsError."""

    def __init__(self, text: str, pos: int = 0) -> None:
        self.text, self.pos = text, pos

    def value(self) -> Any:
        self._skip()
        char = self.text[self.pos:self.pos + 1]
        if char == "{":
            return self._object()
        if char == "[":
            return self._array("[", "]")
        if char in ("'", '"'):
            return self._strings()
        new_array = re.compile(r"new\s+Array\s*(?=\()").match(self.text, self.pos)
        if new_array:
            self.pos = new_array.end()
            return self._array("(", ")")
        for pattern in (_NUMBER, _IDENTIFIER):
            match = pattern.match(self.text, self.pos)
            if match:
                self.pos = match.end()
                if pattern is _NUMBER:
                    return int(match[0], 16) if "x" in match[0].lower() else float(match[0])
                if self.text[self.pos:self.pos + 1] != "(":
                    return _WORDS.get(match[0])
        raise JsError(f"unexpected {char!r} at offset {self.pos}")

    def _skip(self) -> None:
        match = _SPACE.match(self.text, self.pos)
        if match:
            self.pos = match.end()

    def _take(self, token: str) -> bool:
        self._skip()
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False

    def _expect(self, token: str) -> None:
        if not self._take(token):
            raise JsError(f"expected {token!r} at offset {self.pos}")

    def _object(self) -> dict[str, Any]:
        self._expect("{")
        fields: dict[str, Any] = {}
        while not self._take("}"):
            self._skip()
            char = self.text[self.pos:self.pos + 1]
            key = self._string() if char in ("'", '"') else self._bare_key()
            self._expect(":")
            fields[key] = self.value()
            if not self._take(","):
                self._expect("}")
                break
        return fields

    def _bare_key(self) -> str:
        match = re.compile(r"[\w$]+").match(self.text, self.pos)
        if not match:
            raise JsError(f"expected a key at offset {self.pos}")
        self.pos = match.end()
        return match[0]

    def _array(self, opening: str, closing: str) -> list[Any]:
        self._expect(opening)
        values: list[Any] = []
        while not self._take(closing):
            if self._take(","):  # a hole or a trailing comma
                continue
            values.append(self.value())
            if not self._take(","):
                self._expect(closing)
                break
        return values

    def _strings(self) -> str:
        text = self._string()
        while self._take("+"):
            self._skip()
            text += self._string()
        return text

    def _string(self) -> str:
        quote, self.pos = self.text[self.pos], self.pos + 1
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == quote:
                self.pos += 1
                return without_surrogates("".join(out))  # "\\ud83d\\ude00" is one character
            if char in "\r\n":
                break
            if char == "\\":
                out.append(self._escape())
                continue
            out.append(char)
            self.pos += 1
        raise JsError(f"unterminated string at offset {self.pos}")

    def _escape(self) -> str:
        code = self.text[self.pos + 1:self.pos + 2]
        self.pos += 2
        if code in ("\r", "\n", "\u2028", "\u2029"):  # a line continuation
            self.pos += self.text.startswith("\r\n", self.pos - 1)
            return ""
        digits = re.compile(r"\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4})" if code == "u"
                            else r"([0-9a-fA-F]{2})" if code == "x" else r"(?!)")
        match = digits.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            return chr(int(match[1] or match[match.lastindex or 0], 16))
        return _ESCAPES.get(code, code)


def find_js_items(text: str) -> list[JsItem]:
    """Every dated item of a data file, in file order; a broken item is skipped."""
    items: list[JsItem] = []
    position = 0
    while match := _ASSIGNMENT.search(text, position):
        reader = JsReader(text, match.end())
        try:
            value = reader.value()
        except (ValueError, OverflowError, IndexError, RecursionError):
            position = match.end()
            continue
        position = max(reader.pos, match.end())
        candidates = value if isinstance(value, list) else [value]
        items += [JsItem(found) for found in candidates
                  if isinstance(found, dict) and JsItem(found).is_dated_item]
    return items
