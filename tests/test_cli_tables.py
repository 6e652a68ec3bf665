"""Import then export through the command line: the reference and the rules around it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from aggregator.cli import cli
from aggregator.core import clock
from tests.conftest import FIXTURES, ROOT
from tests.reference import read_reference, split_row

WINDOW = ("--from", "2024-04-29", "--to", "2024-05-23")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text(
        (ROOT / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def tradecal(workdir: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(workdir / "config.toml"), *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def table_blocks(markdown: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in markdown.splitlines():
        if line.startswith("|"):
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def test_reference_rows_export_as_the_reference(workdir: Path) -> None:
    tradecal(workdir, "import", str(FIXTURES / "reference" / "reference-rows.csv"))
    reference = read_reference()
    calendar = tradecal(workdir, "export", "calendar", *WINDOW)
    events = tradecal(workdir, "export", "events", *WINDOW)
    lines = calendar.splitlines()
    assert [lines[0], lines[2], lines[-1]] == [reference.title, reference.window, reference.footer]
    exported = table_blocks(calendar) + table_blocks(events)
    assert [tuple(block) for block in exported] == list(reference.table_lines)
    for title in reference.table_titles:
        assert title in events.splitlines()


def test_reference_rows_in_html_cell_by_cell(workdir: Path) -> None:
    tradecal(workdir, "import", str(FIXTURES / "reference" / "reference-rows.csv"))
    reference = read_reference()
    html = tradecal(workdir, "export", "calendar", *WINDOW, "--format", "html") + \
        tradecal(workdir, "export", "events", *WINDOW, "--format", "html")
    tables = BeautifulSoup(html, "html.parser").find_all("table")
    assert len(tables) == 3
    for index, table in enumerate(tables):
        cells = [[cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
                 for row in table.find_all("tr")]
        expected = [[c.strip("*") for c in split_row(line) if c or len(split_row(line)) == 5]
                    for line in reference.table_lines[index] if not line.startswith("|---")]
        assert [[c for c in row if c] for row in cells] == [[c for c in row if c]
                                                           for row in expected]


def test_further_rows_land_where_the_rules_put_them(workdir: Path) -> None:
    for name in ("reference-rows.csv", "further-rows.csv"):
        tradecal(workdir, "import", str(FIXTURES / "reference" / name))
    calendar = table_blocks(tradecal(workdir, "export", "calendar", *WINDOW))[0]
    rows = [split_row(line) for line in calendar[2:]]
    assert rows == [
        ["**WTO**", "", ""],
        ["4/30", "二", "⚫ Committee on Trade and Development - Session on Aid for Trade"],
        ["4/30-5/2", "二~四", "⚫ Trade Policy Review: Suriname"],
        ["5/22-23", "三~四", "⚫ General Council"],
        ["5/23", "四", "⚫ Committee on Customs Valuation"],
        ["**RTA**", "", ""],
        ["*CPTPP、RCEP*", "", ""],
        ["5/4", "六", "⚫ ASEAN：ASEAN Economic Ministers' Retreat"],
        ["5/14-15", "二~三", "⚫ CPTPP：CPTPP Commission Meeting"],
        ["5/20", "一", "⚫ RCEP：RCEP Joint Committee"],
        ["**APEC 及其他國際組織**", "", ""],
        ["4/29-30", "一~二", "⚫ IMF：Ebb and Flow of Globalization–Perspectives on the Role "
         "of Trade and Financial Integration for International Spillovers"],
        ["5/2-3", "四~五", "⚫ APEC：TELWG Workshop on Meaningful Connectivity in APEC economies"],
        ["5/2-3", "四~五", "⚫ OECD：Ministerial Council Meeting"],
        ["5/6", "一", "⚫ APEC：TELWG Workshop on Meaningful Connectivity in APEC economies"],
        ["5/6", "一", "⚫ APEC：Digital Week SOM2 - Trade Digitalization and Paperless Trade"],
    ]
    featured, other = table_blocks(tradecal(workdir, "export", "events", *WINDOW))
    assert [split_row(line) for line in featured[2:]] == [
        ["工研院", "5/7", "5/10", "國際地緣政治風險與我國出口管制規定宣導說明會",
         "https://tinyurl.com/mutu8xxm"],
        ["國際貿易署", "5/13", "5/15", "2024 新南向市場拓銷說明會", "https://www.trade.gov.tw/x"],
    ]
    assert len(other) == 4


def test_export_changes_since_the_last_issue(workdir: Path) -> None:
    tradecal(workdir, "import", str(FIXTURES / "reference" / "reference-rows.csv"))
    result = CliRunner().invoke(cli, ["--config", str(workdir / "config.toml"), "export",
                                      "changes"])
    assert result.exit_code == 2 and "--since" in result.output
    tradecal(workdir, "export", "calendar", *WINDOW, "--out", str(workdir / "issue.md"),
             "--issue")
    assert "General Council" not in tradecal(workdir, "export", "changes")
    soon = clock.today() + timedelta(days=30)
    added = workdir / "added.csv"
    added.write_text(f"organization,title,start\nWTO,General Council,{soon}\n", encoding="utf-8")
    tradecal(workdir, "import", str(added))
    changes = tradecal(workdir, "export", "changes")
    assert "General Council" in changes and "Committee on Customs Valuation" not in changes
    since = tradecal(workdir, "export", "changes", "--since", "2000-01-01", "--format", "csv")
    assert since.startswith("\ufeff") and "Committee on Customs Valuation" in since


def test_docx_export_to_a_file(workdir: Path) -> None:
    tradecal(workdir, "import", str(FIXTURES / "reference" / "reference-rows.csv"))
    out = workdir / "calendar.docx"
    tradecal(workdir, "export", "calendar", *WINDOW, "--format", "docx", "--out", str(out))
    from docx import Document
    cells = [cell.text for table in Document(str(out)).tables for row in table.rows
             for cell in row.cells]
    assert "⚫ Committee on Customs Valuation" in cells and "APEC 及其他國際組織" in cells
