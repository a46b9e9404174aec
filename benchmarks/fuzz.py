"""The long fuzz run: mutated fixtures through parse + check, in worker processes.

    python benchmarks/fuzz.py --format text --n 100000
    python benchmarks/fuzz.py --format docx --n 10000 --jobs 2
    python benchmarks/fuzz.py --format all --n 2000 --save-crashes /tmp/crashes

Every input gets a result: its findings, a crash (an exception escaping parse/check, or an
EXT-013 internal-error finding), or a timeout (past --timeout seconds). Workers run with an
address-space limit (--memory-mb, default 1024) so an input that would exhaust memory shows up
as a crash instead of taking the machine down. Crashing inputs can be saved for reproduction.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import multiprocessing as mp
import random
import resource
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

SUFFIXES = {"text": {".txt", ".md"}, "html": {".html", ".htm"}, "docx": {".docx", ".doc"}, "pdf": {".pdf"}}


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def _init(memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _alarm)


def _one(task: tuple[int, str, bytes, float]) -> tuple[int, str, str, float, int]:
    import reportparse

    index, name, data, timeout = task
    t0 = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        report = reportparse.parse(data, path=name)
        findings = reportparse.check(report)
        internal = [f for f in findings if f.rule == "EXT-013"]
        outcome = "crash" if internal else ("ok" if not findings else "findings")
        detail = (
            internal[0].message
            if internal
            else ",".join(sorted({f.rule for f in findings if f.rule.startswith("EXT")}))
        )
    except _Timeout:
        outcome, detail = "timeout", ""
    except MemoryError:
        outcome, detail = "crash", "MemoryError"
    except Exception as err:  # that is what we are looking for
        outcome, detail = "crash", traceback.format_exception_only(type(err), err)[-1].strip()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return index, outcome, detail, time.perf_counter() - t0, rss


def seeds(fmt: str) -> list[Path]:
    wanted = set().union(*SUFFIXES.values()) if fmt == "all" else SUFFIXES[fmt]
    return sorted(
        p
        for p in (ROOT / "tests" / "fixtures").rglob("*")
        if p.is_file() and p.suffix in wanted and not p.name.endswith(".json")
    )


def main() -> int:
    from fuzz.mutate import mutate

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--format", choices=[*SUFFIXES, "all"], default="text")
    ap.add_argument("--n", type=int, default=1000, help="number of mutated inputs")
    ap.add_argument("--jobs", type=int, default=mp.cpu_count())
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per input")
    ap.add_argument("--memory-mb", type=int, default=1024, help="address-space limit per worker")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--save-crashes", type=Path, help="folder to write crashing inputs to")
    args = ap.parse_args()

    pool_seeds = [(p.name, p.read_bytes()) for p in seeds(args.format)]
    if not pool_seeds:
        print("no seed files for that format under tests/fixtures", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    inputs: dict[int, tuple[str, bytes]] = {}

    def tasks() -> Any:
        for i in range(args.n):
            name, data = rng.choice(pool_seeds)
            mutated = mutate(data, rng)
            inputs[i] = (name, mutated)
            yield i, name, mutated, args.timeout

    counts: collections.Counter[str] = collections.Counter()
    details: collections.Counter[str] = collections.Counter()
    slowest = 0.0
    max_rss = 0
    t0 = time.perf_counter()
    with mp.get_context("fork").Pool(
        args.jobs, initializer=_init, initargs=(args.memory_mb,), maxtasksperchild=500
    ) as pool:
        for index, outcome, detail, seconds, rss in pool.imap_unordered(_one, tasks(), chunksize=8):
            counts[outcome] += 1
            slowest = max(slowest, seconds)
            max_rss = max(max_rss, rss)
            if outcome in ("crash", "timeout"):
                details[f"{outcome}: {detail}"] += 1
                if args.save_crashes:
                    name, data = inputs[index]
                    args.save_crashes.mkdir(parents=True, exist_ok=True)
                    digest = hashlib.sha256(data).hexdigest()[:12]
                    (args.save_crashes / f"{outcome}-{digest}-{name}").write_bytes(data)
            elif detail:
                for code in detail.split(","):
                    details[code] += 1
            inputs.pop(index, None)
    elapsed = time.perf_counter() - t0
    print(
        f"format={args.format} inputs={args.n} seeds={len(pool_seeds)} jobs={args.jobs} seconds={elapsed:.0f}"
    )
    print("outcomes: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    print(f"slowest input: {slowest:.2f} s; peak worker RSS: {max_rss} MB")
    for key, value in details.most_common(20):
        print(f"  {value:6d}  {key}")
    return 1 if counts["crash"] or counts["timeout"] else 0


if __name__ == "__main__":
    sys.exit(main())
