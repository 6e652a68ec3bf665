"""The editor's ordinary week through the command line (issue 15): undo and correct again,
corrections that reach the feeds, issues, organization keys, errors without tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.desk import AIRGRAM_COPY, CUSTOMS, Desk, make_desk


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setenv("TRADECAL_NOW", "2024-04-26T08:00:00Z")
    return make_desk(tmp_path)


# --- 1. undo never splits a meeting announced by two sources ---------------------------------

def test_retitle_clear_then_retitle_the_other_copy_prints_once(desk: Desk) -> None:
    first = desk.uid(CUSTOMS, "wto")
    assert desk.calendar().count(CUSTOMS) == 1
    desk.ok("edit", first, "--title", "Customs Valuation (formal)")
    desk.ok("edit", first, "--clear", "title")
    desk.ok("edit", AIRGRAM_COPY.uid, "--title", "Customs Valuation (informal)")
    calendar = desk.calendar()
    assert calendar.count("Customs Valuation (informal)") == 1
    assert CUSTOMS not in calendar
    desk.ok("export", "ics")
    titles = desk.ics_titles()
    assert titles.count("Customs Valuation (informal)") == 1 and CUSTOMS not in titles


def test_hide_show_then_hide_the_other_copy_hides_the_meeting(desk: Desk) -> None:
    first = desk.uid(CUSTOMS, "wto")
    desk.ok("edit", first, "--hide")
    desk.ok("edit", first, "--show")
    assert desk.calendar().count(CUSTOMS) == 1
    desk.ok("edit", AIRGRAM_COPY.uid, "--hide")
    assert CUSTOMS not in desk.calendar()
    desk.ok("export", "ics")
    assert CUSTOMS not in desk.ics_titles()
