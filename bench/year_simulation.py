"""The full-year simulation of :mod:`tests.simulation`, with its figures printed.

    .venv/bin/python -m bench.year_simulation [--days 365] [--seed 11]

Exit status 1 when any invariant was breached (the breaches are listed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.simulation import simulate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        report = simulate(Path(folder), days=args.days, seed=args.seed)
    print("\n".join(report.lines()))
    return 1 if sum(report.breaches.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
