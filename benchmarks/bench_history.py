"""A second `check --history` run over unchanged reports: how much parsing the store saves.

    python benchmarks/bench_history.py [--reports 200] [--repeat 3] [--jobs 2]

Generates `--reports` reports as `bench_batch.py` does, then times the whole command as a user
runs it (`reportparse check DIR -j N --history DB -o FILE`, interpreter start-up included):
without a store; a first run into an empty store (parse + write); a second run over the same,
unchanged files (every report taken from the store, none parsed). Each figure is the best of
`--repeat`; the first run starts from an empty store each time. Also checks that the three
outputs are the same bytes and that the second run parsed nothing. Not part of the tests.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_batch import generate  # noqa: E402


def run(folder: Path, jobs: int, out: Path, db: Path | None) -> float:
    cmd = [sys.executable, "-m", "reportparse.cli", "check", str(folder), "-j", str(jobs), "-o", str(out)]
    if db is not None:
        cmd += ["--history", str(db)]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"check failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        folder = base / "reports"
        folder.mkdir()
        counts = generate(folder, args.reports)
        print(f"{args.reports} reports ({', '.join(f'{k} {v}' for k, v in counts.items())}), -j {args.jobs}")
        plain = first = second = float("inf")
        db = base / "h.sqlite"
        for _ in range(args.repeat):
            plain = min(plain, run(folder, args.jobs, base / "plain.txt", None))
            for p in base.glob("h.sqlite*"):
                os.unlink(p)
            first = min(first, run(folder, args.jobs, base / "first.txt", db))
            second = min(second, run(folder, args.jobs, base / "second.txt", db))
        same = (
            (base / "plain.txt").read_bytes()
            == (base / "first.txt").read_bytes()
            == (base / "second.txt").read_bytes()
        )
        conn = sqlite3.connect(db)
        rows = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        conn.close()
        size = sum(p.stat().st_size for p in base.glob("h.sqlite*"))
        print(f"no store:               {plain:.2f} s")
        print(
            f"first run (empty store): {first:.2f} s ({100 * (first / plain - 1):+.0f}% for writing the store)"
        )
        print(f"second run (unchanged):  {second:.2f} s ({plain / second:.1f}x faster than no store)")
        print(
            f"identical output: {same}; rows in the store: {rows} (one per report); store {size / 1e6:.1f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
