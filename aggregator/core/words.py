"""Counts in the messages people read: "1 event", "2 events"."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` and ``noun``, the noun in the plural unless the number is 1."""
    return f"{number} {noun if number == 1 else (plural or noun + 's')}"
