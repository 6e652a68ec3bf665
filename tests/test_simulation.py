"""The long-run simulation (:mod:`tests.simulation`): two weeks in every run of the suite,
the full year under ``-m slow``.

Both check after every run, for three deployments (cron zones Taipei, UTC and New York,
runs at night, in the morning and in the evening) against two evolving sites (an ICS feed
with UIDs, a JSON-LD page without): nothing that appeared is lost, no meeting that happened
(or was never withdrawn) is cancelled, a withdrawn future one is cancelled at the next good
run, stays ``retention_days`` in the feeds and then leaves, one UID per meeting, SEQUENCE
never decreasing, every feed parses and every instant is right.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.simulation import simulate


def check(report) -> None:  # type: ignore[no-untyped-def]
    print("\n".join(report.lines()))
    assert sum(report.breaches.values()) == 0, "\n".join(report.lines())
    assert report.world["withdrawals"] and report.world["moves"] and report.faults


def test_two_weeks_of_runs_keep_every_promise(tmp_path: Path) -> None:
    """Two weeks, a retention of 5 days (so withdrawn meetings also leave the feeds), a
    fault in one fetch of five."""
    report = simulate(tmp_path, days=14, seed=7, retention_days=5, fault_rate=0.2)
    check(report)
    assert report.runs == 42


@pytest.mark.slow
def test_a_year_of_runs_keeps_every_promise(tmp_path: Path) -> None:
    report = simulate(tmp_path, days=365, seed=11)
    check(report)
    assert report.runs == 3 * 365
