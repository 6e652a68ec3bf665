"""config.toml loading and validation."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from aggregator.config import ConfigError, load_config, parse_config
from aggregator.schedule import parse_schedule
from tests.conftest import ROOT

MINIMAL = """
[organizations.WTO]
short_name = "WTO"
section = "WTO"
timezone = "Europe/Zurich"

[organizations.USTR]

[sources.ustr]
type = "ustr"
url = "https://www.federalregister.gov/api/v1/documents.json"
organization = "USTR"
timezone = "America/New_York"
"""


def load_text(tmp_path: Path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_shipped_config_is_valid() -> None:
    config = load_config(ROOT / "config.toml")
    assert config.section_of("WTO") == "WTO"
    assert config.section_of("CPTPP") == "RTA"
    assert config.section_of("RCEP") == "RTA"
    for org in ("APEC", "IMF", "WorldBank", "OECD", "ASEAN", "USTR"):
        assert config.section_of(org) == "APEC 及其他國際組織"
    assert config.section_of("ITRI") is None
    assert config.organization("工研院").key == "ITRI"
    assert config.sources["ustr"].enabled
    assert config.store_path == ROOT / "tradecal.db"


def test_minimal_config_gets_defaults(tmp_path: Path) -> None:
    config = load_text(tmp_path, MINIMAL)
    assert config.store_path == tmp_path / "tradecal.db"
    assert config.feeds.output == tmp_path / "public"
    assert config.fetch.retries == 3
    assert config.newsletter.no_deadline == "逕自洽詢"
    assert config.organization("Unknown Org").short_name == "Unknown Org"


@pytest.mark.parametrize(("change", "key"), [
    ('[store]\npath = 3\n', "store.path"),
    ('[store]\npaht = "x.db"\n', "store.paht"),
    ('[feeds]\npast_days = "ninety"\n', "feeds.past_days"),
    ('[feeds]\nrefresh_interval_hours = 0\n', "feeds.refresh_interval_hours"),
    ('[fetch]\ntimeout = -1\n', "fetch.timeout"),
    ('[fetch]\nretries = true\n', "fetch.retries"),
    ('[organizations.IMF]\nsection = "Elsewhere"\n', "organizations.IMF.section"),
    ('[organizations.IMF]\ntimezone = "Mars/Olympus"\n', "organizations.IMF.timezone"),
    ('[sources.x]\ntype = "carrier-pigeon"\norganization = "WTO"\n', "sources.x.type"),
    ('[sources.x]\ntype = "ustr"\norganization = "WTO"\ncolour = "red"\n', "sources.x.colour"),
    ('[sources.x]\ntype = "ustr"\norganization = "WTO"\ntimezone = "Geneva"\n',
     "sources.x.timezone"),
    ('[sources.x]\ntype = "ustr"\norganization = "WTO"\nenabled = "yes"\n', "sources.x.enabled"),
    ('[sources.x]\ntype = "ustr"\norganization = "NOBODY"\n', "sources.x.timezone"),
    ('[sources.x]\norganization = "WTO"\n', "sources.x.type"),
    ('[newsletter]\nfooter = 1\n', "newsletter.footer"),
    ('[refresh]\nmin_count_ratio = 0\n', "refresh.min_count_ratio"),
    ('[fetch]\nconcurrency = 0\n', "fetch.concurrency"),
    ('[fetch]\nrobots = "no"\n', "fetch.robots"),
    ('[schedule]\ntimezone = "Taipei"\n', "schedule.timezone"),
    ('[schedule]\ninterval_hours = "6"\n', "schedule.interval_hours"),
    ('[sources.x]\ntype = "ustr"\norganization = "WTO"\nschedule = "hourly-ish"\n',
     "sources.x.schedule"),
    ('[refresh]\nmatch_days = -1\n', "refresh.match_days"),
    ('[refresh]\nmatch_dayz = 3\n', "refresh.match_dayz"),
    ('[feeds]\nretention_days = "30"\n', "feeds.retention_days"),
    ('[sources.x]\ntype = "ustr"\norganization = "WTO"\nsince = "last May"\n', "sources.x.since"),
    ('[sources.x]\ntype = "ustr"\norganization = "WTO"\nper_page = 500\n', "sources.x.per_page"),
    ('surprise = 1\n', "surprise"),
    ('feeds = "public"\n', "feeds"),
    ('[feeds]\nbase_url = "javascript:alert(1)//"\n', "feeds.base_url"),
    ('fetch = 5\n', "fetch"),
    ('[feeds]\norganization_prefix = "all"\n', "feeds.organization_prefix"),
    ('[feeds]\norganization_prefix = ["all", "everything"]\n', "feeds.organization_prefix"),
])
def test_bad_values_name_their_key(tmp_path: Path, change: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, change + MINIMAL)
    assert f": {key}:" in str(caught.value)
    assert "config.toml" in str(caught.value)


def test_organization_prefix_lists_feed_kinds(tmp_path: Path) -> None:
    assert load_text(tmp_path, MINIMAL).feeds.organization_prefix == ("all", "section")
    config = load_text(tmp_path, '[feeds]\norganization_prefix = ["organization"]\n' + MINIMAL)
    assert config.feeds.organization_prefix == ("organization",)
    assert load_text(tmp_path, '[feeds]\norganization_prefix = []\n' + MINIMAL
                     ).feeds.organization_prefix == ()


def test_source_inherits_organization_timezone(tmp_path: Path) -> None:
    config = load_text(tmp_path, MINIMAL + '[sources.w]\ntype = "ustr"\norganization = "WTO"\n')
    assert config.sources["w"].timezone == "Europe/Zurich"


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_text(tmp_path, "[store\n")


def test_env_variable_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    monkeypatch.setenv("TRADECAL_CONFIG", str(path))
    assert load_config().path == path


def test_parse_config_accepts_a_dict() -> None:
    config = parse_config(tomllib.loads(MINIMAL), Path("x/config.toml"))
    assert config.store_path == Path("x/tradecal.db")


def test_local_source_paths_become_file_urls(tmp_path: Path) -> None:
    config = load_text(tmp_path, MINIMAL + '[sources.w]\ntype = "ustr"\norganization = "WTO"\n'
                       'url = "data/events.csv"\n')
    assert config.sources["w"].url == (tmp_path / "data" / "events.csv").resolve().as_uri()
    assert config.sources["ustr"].url.startswith("https://")


SCHEDULES = ["every 6h", "every 30m", "0 */6 * * *", "15 7 * * mon-fri", "2h30m",
             "every 6 hours", "0 7 * * 7", "every 90 minutes", "1d", "0 7 * * sun"]
BAD_SCHEDULES = ["hourly-ish", "every 0h", "61 * * * *", "0 7 * * 8", "every", "0 7 * *",
                 "6 fortnights"]


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_source_schedules(tmp_path: Path, schedule: str) -> None:
    config = load_text(tmp_path, MINIMAL + f'[sources.w]\ntype = "ustr"\norganization = "WTO"\n'
                       f'schedule = "{schedule}"\n')
    assert config.sources["w"].schedule == schedule


@pytest.mark.parametrize("schedule", SCHEDULES + BAD_SCHEDULES)
def test_config_and_scheduler_read_one_schedule_grammar(tmp_path: Path, schedule: str) -> None:
    """A schedule config.toml accepts is one the scheduler runs, and the other way round."""
    try:
        parse_schedule(schedule)
        scheduler_accepts = True
    except ValueError:
        scheduler_accepts = False
    try:
        load_text(tmp_path, MINIMAL + f'[sources.w]\ntype = "ustr"\norganization = "WTO"\n'
                  f'schedule = "{schedule}"\n')
        config_accepts = True
    except ConfigError as error:
        assert ": sources.w.schedule:" in str(error)
        config_accepts = False
    assert config_accepts == scheduler_accepts == (schedule in SCHEDULES)
