"""Scale: reports per second and the parent's peak memory, on the local pool and on a Dask cluster.

    python benchmarks/bench_scale.py [--reports 3000,30000] [--runs jsonl:-j1,jsonl:-j2,jsonl:dask]
                                     [--tiny 20000] [--repeat 3] [--generate-jobs 2]

For each number of `--reports` generated reports (bench_batch.generate: text, DOCX and HTML
renderings; each body one report a year, 2019–2024, as in a national audit; written by
`--generate-jobs` processes), each run of `--runs` (FORMAT:HOW, HOW one of -j1, -j2, dask — a 2-worker
`distributed.LocalCluster` through `--executor dask://…`): the whole command
(`reportparse check DIR --format F -o FILE`, start-up included) with its wall time, reports per
second, the peak RSS of the `check` process itself (the parent: getrusage of its own process) and
of the largest of its workers. Then a second run over the same unchanged reports with `--cache`
(the first fills the cache). Then `--tiny` one-line text files (per-file overhead) at -j 1 and
-j 2, each `--repeat` times: the minimum of the runs, and the ratio of the minimums. The machine's
load average is printed with each figure: on a shared machine, wall times move with it.
Not part of the tests; figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import generate

# `check` in this measuring process (so that its own peak is getrusage(SELF)), the peak of its
# workers (getrusage(CHILDREN): the largest process it waited for) written to a file
_MEASURE = """
import resource, sys
from reportparse.cli import main
code = main(sys.argv[2:])
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as fh:
    fh.write(f"{own} {workers}")
sys.exit(code)
"""


def run(folder: Path, fmt: str, *extra: str) -> tuple[float, float, float]:
    """Seconds, the parent's peak RSS in MB and the largest worker's."""
    out = folder.parent / f"out.{fmt}"
    peaks = folder.parent / "peaks.txt"
    cmd = [sys.executable, "-c", _MEASURE, str(peaks), "check", str(folder), "--format", fmt, "-o", str(out)]
    start = time.perf_counter()
    done = subprocess.run([*cmd, "-q", *extra], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"check failed ({done.returncode}): {done.stderr[-2000:]}")
    own, workers = peaks.read_text().split()
    return elapsed, int(own) / 1024, int(workers) / 1024


def _generate_part(args: tuple[Path, int, int]) -> dict[str, int]:
    folder, start, n = args
    return generate(folder, n, start, series=True)


def generate_many(folder: Path, n: int, jobs: int) -> dict[str, int]:
    """`n` generated reports (bench_batch.generate, one series of years per body), written by
    `jobs` processes."""
    step = 500
    parts = [(folder, start, min(step, n - start)) for start in range(0, n, step)]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        counts: dict[str, int] = {}
        for part in pool.imap_unordered(_generate_part, parts):
            for kind, k in part.items():
                counts[kind] = counts.get(kind, 0) + k
    return counts


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", default="3000,30000", help="numbers of generated reports, comma-separated")
    ap.add_argument("--runs", default="jsonl:-j1,jsonl:-j2,jsonl:dask,csv:-j2,xlsx:-j2,html:-j2")
    ap.add_argument("--tiny", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--generate-jobs", type=int, default=2, help="processes writing the reports")
    ap.add_argument("--cache-runs", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument(
        "--keep",
        type=Path,
        help="write the generated reports here (reports-N) and reuse them when already there",
    )
    args = ap.parse_args()
    os.environ.setdefault("REPORTPARSE_JOURNAL_DIR", tempfile.mkdtemp(prefix="bench-journals-"))
    runs = [tuple(r.split(":")) for r in args.runs.split(",") if r]
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        dask = ""
        if any(how == "dask" for _, how in runs):
            from distributed import LocalCluster

            cluster: Any = stack.enter_context(
                LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
            )
            dask = f"dask://{cluster.scheduler_address.removeprefix('tcp://')}"
        for n in (int(x) for x in args.reports.split(",") if x):
            folder = (args.keep or Path(tmp)) / f"reports-{n}"
            if folder.is_dir() and sum(1 for _ in folder.iterdir()) == n:
                print(f"{n} reports: reused from {folder}", flush=True)
            else:
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
                start = time.perf_counter()
                counts = generate_many(folder, n, args.generate_jobs)
                print(f"{n} reports: {counts} ({time.perf_counter() - start:.0f} s to write)", flush=True)
            for fmt, how in runs:
                extra = ("--executor", dask) if how == "dask" else ("-j", how.removeprefix("-j"))
                seconds, parent, worker = run(folder, fmt, *extra)
                print(
                    f"  {fmt:6} {how:5} {seconds:7.1f} s {n / seconds:6.1f} reports/s"
                    f"  parent peak {parent:6.0f} MB  largest worker {worker:5.0f} MB  ({load()})",
                    flush=True,
                )
            if not args.cache_runs:
                continue
            cache = Path(tmp) / f"cache-{n}"
            first, *_ = run(folder, "jsonl", "-j", "2", "--cache", str(cache))
            again, parent, _ = run(folder, "jsonl", "-j", "2", "--cache", str(cache))
            print(
                f"  cache: first run {first:.1f} s, again over the unchanged reports {again:.1f} s"
                f" ({first / again:.1f}× faster, parent peak {parent:.0f} MB)  ({load()})",
                flush=True,
            )
        if args.tiny:
            tiny = Path(tmp) / "tiny"
            tiny.mkdir()
            for i in range(args.tiny):
                (tiny / f"{i:05d}.txt").write_text(
                    f"示例{i}2024年政府信息公开工作年度报告\n", encoding="utf-8"
                )
            best: dict[str, float] = {}
            for k in range(args.repeat):
                for jobs in ("1", "2"):
                    seconds, _, _ = run(tiny, "jsonl", "-j", jobs)
                    best[jobs] = min(best.get(jobs, seconds), seconds)
                    print(
                        f"  {args.tiny} tiny files, -j {jobs}, run {k + 1}: {seconds:.2f} s ({load()})",
                        flush=True,
                    )
            print(
                f"{args.tiny} tiny files: -j 1 {best['1']:.2f} s, -j 2 {best['2']:.2f} s"
                f" (min of {args.repeat}; {best['1'] / best['2']:.2f}×)"
            )


if __name__ == "__main__":
    main()
