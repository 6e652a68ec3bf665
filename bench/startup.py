"""Start-up time of the command line (run by hand, never in the tests).

Times ``tradecal --help`` and ``tradecal export calendar`` (a newsletter window of the offline
demo store, built first from ``examples/replay`` with the clock stopped) and divides each by
a bare ``python -c pass`` timed in the same run, so the ratios hold on a slower or busier
machine. Each command runs ``--runs`` times; the best time of each is compared (the best is
the least disturbed by other work on the machine; the first run also writes the bytecode
caches, as any installation has them). Targets: ``--help`` at most 5 times a
bare start, ``export calendar`` at most 8 times.

Usage, from the repository root:

    .venv/bin/python -m bench.startup [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_NOW = "2024-04-28T06:00:00Z"
WINDOW = ("--from", "2024-04-29", "--to", "2024-05-23")
TARGETS = {"--help": 5.0, "export calendar": 8.0}


def tradecal() -> list[str]:
    """The command that starts tradecal with this interpreter."""
    script = Path(sys.executable).with_name("tradecal")
    return [str(script)] if script.exists() else [sys.executable, "-m", "aggregator"]


def best_time(command: list[str], runs: int, cwd: Path, env: dict[str, str]) -> float:
    """The shortest wall time of ``runs`` runs of ``command`` (each must exit 0)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return min(times)


def demo_store(folder: Path, env: dict[str, str]) -> None:
    """The offline demo's store in ``folder`` (config.toml, data/ and tradecal.db, which
    ``--store`` makes the store the commands read: config.toml's ``[store] path``)."""
    shutil.copy(ROOT / "config.toml", folder / "config.toml")
    shutil.copytree(ROOT / "data", folder / "data")
    subprocess.run([*tradecal(), "run", "--replay", str(ROOT / "examples" / "replay"),
                    "--store", "tradecal.db"],
                   cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["TRADECAL_NOW"] = DEMO_NOW  # bytecode is cached, as after any install: warm starts
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo_store(folder, env)
        bare = best_time([sys.executable, "-c", "pass"], args.runs, folder, env)
        commands = {"--help": [*tradecal(), "--help"],
                    "export calendar": [*tradecal(), "export", "calendar", *WINDOW]}
        print(f"python -c pass: {bare * 1000:.1f} ms (best of {args.runs})")
        ok = True
        for label, command in commands.items():
            seconds = best_time(command, args.runs, folder, env)
            ratio = seconds / bare
            ok = ok and ratio <= TARGETS[label]
            print(f"tradecal {label}: {seconds * 1000:.1f} ms, {ratio:.1f}x a bare start "
                  f"(target <= {TARGETS[label]:g}x)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
