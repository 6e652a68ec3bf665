"""Status words in titles, in English and Chinese: the status they mean, and the clean title.

Organizations mark a changed event in its title: "[Cancelled] General Council",
"Committee on Agriculture (postponed)", "【取消】出口管制說明會", "研討會（延期）",
"TBC: APEC Workshop". :func:`status_from_title` finds such a word where it stands as a
marker (in brackets, or as a prefix or suffix separated by a colon or dash) and returns the
status with the title cleaned of it. A word inside the running title ("Cancellation of
Public Hearing") is left alone: that is a title, not a marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aggregator.core.model import Status

STATUS_WORDS: dict[Status, tuple[str, ...]] = {
    "cancelled": ("cancelled", "canceled", "cancellation", "取消", "停辦", "停止辦理"),
    "postponed": ("postponed", "rescheduled", "延期", "改期", "順延", "延後"),
    "tentative": ("tentative", "tbc", "tbd", "to be confirmed", "provisional", "暫定", "待定",
                  "待確認"),
}
"""Words that mark a status; "rescheduled"/改期 mean the old date is off, so "postponed"."""

_OPEN = r"[\[(（【〔<＜「［]"
_CLOSE = r"[\])）】〕>＞」］]"
_SEP = r"\s*[:：\-–—|/]\s*"


@dataclass(frozen=True)
class TitleStatus:
    """A title with its status marker taken out; ``status`` None when it had none."""

    title: str
    status: Status | None


def _alternatives() -> str:
    words = sorted((w for ws in STATUS_WORDS.values() for w in ws), key=len, reverse=True)
    return "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in words)


_WORD = rf"(?:{_alternatives()})"
_BRACKETED = re.compile(rf"\s*{_OPEN}\s*(?P<word>{_WORD})\s*[!！.]?\s*{_CLOSE}\s*", re.I)
_PREFIX = re.compile(rf"^\s*(?P<word>{_WORD})\s*[!！]?{_SEP}", re.I)
_SUFFIX = re.compile(rf"{_SEP}(?P<word>{_WORD})\s*[!！.]?\s*$", re.I)


def status_of_word(word: str) -> Status | None:
    """The status a single marker word means ("延期" → postponed), or None."""
    folded = " ".join(word.casefold().split())
    for status, words in STATUS_WORDS.items():
        if folded in words:
            return status
    return None


def status_from_title(title: str) -> TitleStatus:
    """The status marked in ``title`` and the title without the marker."""
    for pattern in (_BRACKETED, _PREFIX, _SUFFIX):
        match = pattern.search(title)
        if match:
            cleaned = (title[:match.start()] + " " + title[match.end():]).strip()
            cleaned = " ".join(cleaned.split())
            if cleaned:
                return TitleStatus(cleaned, status_of_word(match["word"]))
    return TitleStatus(" ".join(title.split()), None)
