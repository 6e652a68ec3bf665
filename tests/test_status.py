"""Status markers in titles, English and Chinese."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aggregator.core.status import status_from_title, status_of_word


@pytest.mark.parametrize(("title", "clean", "status"), [
    ("[Cancelled] General Council", "General Council", "cancelled"),
    ("General Council (CANCELED)", "General Council", "cancelled"),
    ("Committee on Agriculture - postponed", "Committee on Agriculture", "postponed"),
    ("Rescheduled: TELWG Workshop", "TELWG Workshop", "postponed"),
    ("TBC: APEC Workshop on Digital Trade", "APEC Workshop on Digital Trade", "tentative"),
    ("APEC Workshop (to be confirmed)", "APEC Workshop", "tentative"),
    ("【取消】出口管制說明會", "出口管制說明會", "cancelled"),
    ("2024 臺日 AI 產業合作研討會（延期）", "2024 臺日 AI 產業合作研討會", "postponed"),
    ("［改期］跨國企業勞工法議題", "跨國企業勞工法議題", "postponed"),
    ("(改期) 跨國企業勞工法議題", "跨國企業勞工法議題", "postponed"),
    ("暫定：WTO 部長會議", "WTO 部長會議", "tentative"),
    ("研討會 - 停辦", "研討會", "cancelled"),
    ("Cancellation of Public Hearing on Section 301", "Cancellation of Public Hearing on Section 301",
     None),
    ("Committee on Trade and Development", "Committee on Trade and Development", None),
    ("  General   Council  ", "General Council", None),
    ("(Cancelled)", "(Cancelled)", None),  # nothing would be left: keep the title as it is
])
def test_status_markers(title: str, clean: str, status: str | None) -> None:
    result = status_from_title(title)
    assert (result.title, result.status) == (clean, status)


@pytest.mark.parametrize(("word", "status"), [
    ("取消", "cancelled"), ("延期", "postponed"), ("改期", "postponed"), ("暫定", "tentative"),
    ("Cancelled", "cancelled"), ("To  be confirmed", "tentative"), ("held", None)])
def test_status_of_word(word: str, status: str | None) -> None:
    assert status_of_word(word) == status


@given(st.text(max_size=80))
def test_never_raises_and_never_empties_a_title(title: str) -> None:
    result = status_from_title(title)
    if title.strip():
        assert result.title.strip()
