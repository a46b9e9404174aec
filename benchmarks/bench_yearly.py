"""What the year-on-year pass (batch/yearly.py, the 同比 section and NUM-005) costs a batch.

    python benchmarks/bench_yearly.py [--bodies 100] [--jobs 2] [--repeat 3]

Generates `--bodies` bodies with a 2023 and a 2024 report each (2 × bodies text reports, their
wording shared from year to year, their figures different), then times `reportparse.audit`:

- no store: both years in one batch (every 2024 report compared with its 2023 one in the batch);
- with a store: the 2023 folder first into an empty store, then the 2024 folder alone (last
  year's reports unpacked from the store), then the 2024 folder again (nothing parsed);

each with the pass as it is and with it switched off (the pass replaced by one that returns
nothing), and the pass's own time (its calls timed). Best of `--repeat`. Not part of the tests.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

from generator import text_writer  # noqa: E402

import reportparse  # noqa: E402
import reportparse.batch as batch  # noqa: E402
from helpers import continuous_pair  # noqa: E402

REAL = batch.year_on_year_pass
SPENT: list[float] = []


def timed(*args: Any, **kwargs: Any) -> Any:
    start = time.perf_counter()
    try:
        return REAL(*args, **kwargs)
    finally:
        SPENT.append(time.perf_counter() - start)


def off(*_: Any, **__: Any) -> dict[str, Any]:
    return {}


def generate(base: Path, bodies: int) -> tuple[Path, Path]:
    old, new = base / "2024年审核", base / "2025年审核"
    old.mkdir()
    new.mkdir()
    for i in range(bodies):
        a, b = continuous_pair(f"示例县第{i}局")
        (old / f"{i}-2023.txt").write_text(text_writer.tika(a), encoding="utf-8")
        (new / f"{i}-2024.txt").write_text(text_writer.tika(b), encoding="utf-8")
    return old, new


def best(repeat: int, fn: Callable[[], float]) -> float:
    return min(fn() for _ in range(repeat))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bodies", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        old, new = generate(base, args.bodies)
        print(f"{2 * args.bodies} reports ({args.bodies} bodies × 2023, 2024), -j {args.jobs}")

        def audit(paths: list[Path], history: Path | None = None, expect: bool = True) -> float:
            start = time.perf_counter()
            results = reportparse.audit(paths, jobs=args.jobs, history=history).collect()
            elapsed = time.perf_counter() - start
            compared = sum(1 for r in results if r.year_on_year is not None)
            assert compared == (args.bodies if expect and batch.year_on_year_pass is not off else 0), compared
            return elapsed

        def with_store(step: str) -> float:
            db = base / "h.sqlite"
            for p in base.glob("h.sqlite*"):
                p.unlink()
            audit([old], db, expect=False)
            first = audit([new], db)
            return first if step == "first" else audit([new], db)

        rows = []
        for name, run in (
            ("no store, both years in the batch", lambda: audit([old, new])),
            ("store: 2024 folder, 2023 from the store", lambda: with_store("first")),
            ("store: 2024 folder again (nothing parsed)", lambda: with_store("second")),
        ):
            batch.year_on_year_pass = off
            without = best(args.repeat, run)
            batch.year_on_year_pass = timed
            SPENT.clear()
            with_pass = best(args.repeat, run)
            own = min(SPENT[-1:] or [0.0]) if SPENT else 0.0
            batch.year_on_year_pass = REAL
            rows.append((name, without, with_pass, own))
        for name, without, with_pass, own in rows:
            print(
                f"{name:45s} without the pass {without:6.2f} s   with it {with_pass:6.2f} s   the pass {own:5.2f} s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
