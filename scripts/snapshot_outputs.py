"""Snapshot what `reportparse check` prints over every fixture and the shared corpus.

Used to prove that a refactoring changes no output byte: run it before (`--out A`) and after
(`--out B`), then `--compare A B`. Each output format is one file in the folder; the JSON
document of `check --format json` is the contract the restructuring must keep identical.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"
# Formats compared byte for byte; xlsx is a zip whose entries are compared by the json/cells twins.
FORMATS = ("json", "text", "jsonl", "sarif", "junit", "github", "csv", "cells", "html")


def inputs() -> list[str]:
    """Relative to the tree, so that two checkouts of the project give comparable snapshots."""
    paths = [str((FIXTURES / d).relative_to(ROOT)) for d in ("docx", "html", "pdf", "text", "trust")]
    if CORPUS.is_dir():
        paths.append("../shared/corpus")
    return paths


def snapshot(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for fmt in FORMATS:
        target = out / f"check.{fmt}"
        cmd = [
            sys.executable,
            "-m",
            "reportparse.cli",
            "check",
            *inputs(),
            "--format",
            fmt,
            "-o",
            str(target),
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}  # this tree's code, whatever is installed
        done = subprocess.run(cmd, capture_output=True, cwd=ROOT, env=env, check=False)
        (out / f"check.{fmt}.exit").write_text(f"{done.returncode}\n", encoding="utf-8")
        if done.returncode not in (0, 1):
            sys.exit(f"{fmt}: exit {done.returncode}\n{done.stderr.decode(errors='replace')}")
    print(f"wrote {len(FORMATS)} outputs to {out}")


def compare(a: Path, b: Path) -> int:
    differ = [p.name for p in sorted(a.iterdir()) if p.read_bytes() != (b / p.name).read_bytes()]
    for name in differ:
        print(f"differs: {name}")
    print("identical" if not differ else f"{len(differ)} outputs differ")
    return 1 if differ else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, help="write the snapshot into this folder")
    ap.add_argument("--compare", type=Path, nargs=2, metavar=("A", "B"), help="compare two snapshots")
    args = ap.parse_args()
    if args.compare:
        return compare(*args.compare)
    if args.out:
        snapshot(args.out)
        return 0
    ap.error("give --out or --compare")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
