"""`tradecal edit` (the ``edit_command`` object, invoked as the CLI will): options, UID
prefixes, usage errors that change nothing, --list with stale overrides, --confirm, --find."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aggregator.cli.context import Context
from aggregator.cli.edit import edit_command
from aggregator.config import load_config
from aggregator.publish import export_calendar, export_events
from aggregator.store.db import Store
from aggregator.store.overrides import overrides
from tests.conftest import ROOT
from tests.reference import END, START, reference_events

CUSTOMS = "Committee on Customs Valuation"
SEMINAR = "2024 臺日 AI 產業合作研討會"


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    """The shipped configuration in a temp folder, its store holding the reference events."""
    path = tmp_path / "config.toml"
    path.write_text((ROOT / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    with Store(load_config(path).store_path) as store:
        store.upsert_events([stored.event for stored in reference_events()])
    return path


def edit(config_path: Path, *args: str) -> Result:
    return CliRunner().invoke(edit_command, list(args), obj=Context(config_path),
                              catch_exceptions=False)


def uid_of(config_path: Path, title: str) -> str:
    with Store(load_config(config_path).store_path) as store:
        return next(s.event.uid for s in store.events() if s.event.title == title)


def tables(config_path: Path) -> str:
    config = load_config(config_path)
    with Store(config.store_path) as store:
        return str(export_calendar(store, config, START, END)) + str(
            export_events(store, config, START, END))


def listed(config_path: Path) -> list[dict[str, str]]:
    result = edit(config_path, "--list")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    names = header.split("\t")
    return [dict(zip(names, row.split("\t"), strict=True)) for row in rows]


def test_hide_by_unique_prefix_and_show_again(config_path: Path) -> None:
    uid = uid_of(config_path, CUSTOMS)
    result = edit(config_path, uid[:16], "--hide")
    assert result.exit_code == 0, result.output
    assert f"{uid}: hidden = hidden" in result.stderr
    assert CUSTOMS not in tables(config_path)
    assert listed(config_path) == [{"uid": uid, "field": "hidden", "value": "hidden",
                                    "set_at": listed(config_path)[0]["set_at"],
                                    "state": "ok", "event": CUSTOMS}]
    assert edit(config_path, uid, "--show").exit_code == 0
    assert CUSTOMS in tables(config_path)
    assert listed(config_path) == []


def test_every_option_in_one_call(config_path: Path) -> None:
    uid = uid_of(config_path, SEMINAR)
    result = edit(config_path, uid, "--title", "臺日 AI 研討會", "--featured", "--short-url",
                  "https://tinyurl.com/new1", "--deadline", "2024-04-29", "--note",
                  "請再確認 check again", "--section", "none")
    assert result.exit_code == 0, result.output
    rows = {row["field"]: row for row in listed(config_path)}
    assert {field: row["value"] for field, row in rows.items()} == {
        "title": "臺日 AI 研討會", "section": "none", "featured": "featured",
        "short_url": "https://tinyurl.com/new1", "deadline": "2024-04-29",
        "note": "請再確認 check again"}
    featured = tables(config_path).split("其他經貿相關活動")[0]
    assert ("| 中華民國國際經濟合作協會 | 4/29 | 4/30 | 臺日 AI 研討會 | "
            "https://tinyurl.com/new1 |") in featured
    result = edit(config_path, uid, "--not-featured", "--no-deadline", "--clear", "short-url",
                  "--clear", "note")
    assert result.exit_code == 0, result.output
    other = tables(config_path).split("其他經貿相關活動")[1]
    assert ("| 中華民國國際經濟合作協會 | 逕自洽詢 | 4/30 | 臺日 AI 研討會 | "
            "https://tinyurl.com/anhtuxde |") in other
    assert {row["field"] for row in listed(config_path)} == {
        "title", "section", "featured", "deadline"}


def test_section_by_prefix_moves_the_meeting(config_path: Path) -> None:
    uid = uid_of(config_path, CUSTOMS)
    assert edit(config_path, uid, "--section", "rta").exit_code == 0
    rta = tables(config_path).split("**RTA**")[1].split("**APEC")[0]
    assert "WTO：Committee on Customs Valuation" in rta


@pytest.mark.parametrize(("args", "message"), [
    (("nope@tradecal", "--hide"), "unknown event UID 'nope@tradecal'"),
    (("apec-", "--hide"), "matches 3 events"),
    ((), "give an event UID"),
    (("UID",), "nothing to change"),
    (("UID", "--hide", "--show"), "contradict"),
    (("UID", "--deadline", "2024-05-01", "--no-deadline"), "contradict"),
    (("UID", "--section", "ASEAN"), "section: one of WTO, RTA, APEC 及其他國際組織 or none"),
    (("UID", "--deadline", "5/7"), "deadline: YYYY-MM-DD or none"),
    (("UID", "--short-url", "tinyurl.com/x"), "short_url: an http(s) URL"),
    (("UID", "--title", " ", "--hide"), "title: must not be empty"),
    (("UID", "--list"), "--list and --find take no UID"),
])
def test_usage_errors_exit_2_and_change_nothing(config_path: Path, args: tuple[str, ...],
                                                message: str) -> None:
    uid = uid_of(config_path, CUSTOMS)
    result = edit(config_path, *(uid if arg == "UID" else arg for arg in args))
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    with Store(load_config(config_path).store_path) as store:
        assert overrides(store, include_cleared=True) == []


def test_list_flags_an_upstream_change_until_confirmed(config_path: Path) -> None:
    uid = uid_of(config_path, CUSTOMS)
    assert edit(config_path, uid, "--title", "Customs Valuation").exit_code == 0
    with Store(load_config(config_path).store_path) as store:
        event = store.event(uid).event  # type: ignore[union-attr]
        store.upsert_events([event.with_changes(start=date(2024, 5, 22), end=None)])
    [row] = listed(config_path)
    assert row["state"] == "stale: upstream changed start"
    result = edit(config_path, "--list")
    assert "1 override(s) need a look" in result.stderr
    assert "| 5/22 | 三 | ⚫ Customs Valuation |" in tables(config_path)
    result = edit(config_path, uid, "--confirm")
    assert result.exit_code == 0 and "1 override(s) confirmed" in result.stderr
    assert listed(config_path)[0]["state"] == "ok"


def test_clear_works_on_an_event_that_is_gone(config_path: Path) -> None:
    uid = uid_of(config_path, CUSTOMS)
    assert edit(config_path, uid, "--hide").exit_code == 0
    with Store(load_config(config_path).store_path) as store:
        store.db.table("events").delete(uid)
    assert listed(config_path)[0]["state"] == "event gone"
    assert edit(config_path, uid, "--hide").exit_code == 2  # cannot set on a missing event
    result = edit(config_path, uid[:16], "--clear", "hidden")
    assert result.exit_code == 0 and "hidden cleared" in result.stderr
    assert listed(config_path) == []


def test_find_prints_uids_by_title(config_path: Path) -> None:
    result = edit(config_path, "--find", "telwg")
    assert result.exit_code == 0
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [(line[1], line[2]) for line in lines] == [("2024-05-02", "APEC"),
                                                      ("2024-05-06", "APEC")]
    assert all(line[0].endswith("@tradecal") for line in lines)
