"""Scale: reports per second and the parent's peak memory, on the local pool and on a Dask cluster.

    python benchmarks/bench_scale.py [--reports 300] [--tiny 2000] [--formats jsonl,text]

For `--reports` generated reports (bench_batch.generate: text, DOCX and HTML renderings): the whole
command (`reportparse check DIR -j N --format F -o FILE`, start-up included) with -j 1, -j 2 and on
a 2-worker `distributed.LocalCluster` (`--executor dask://…`), each with its wall time, reports
per second and the peak RSS of the largest process of the run (the parent or a worker). Then `--tiny` one-line text files (per-file overhead)
at -j 1 and -j 2. Not part of the tests; figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import generate

# Runs the command and prints the largest RSS among it and the processes it waited for (its
# workers): a fresh measuring process per run, since ru_maxrss only ever grows.
_MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True)
sys.stderr.buffer.write(done.stderr[-2000:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(done.returncode)
"""


def run(folder: Path, fmt: str, *extra: str) -> tuple[float, float]:
    """Seconds, and the peak RSS in MB of the largest process of the run (the parent or a worker)."""
    out = folder.parent / f"out.{fmt}"
    cmd = [sys.executable, "-m", "reportparse", "check", str(folder), "--format", fmt, "-o", str(out), *extra]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"check failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, int(done.stdout.split()[-1]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=300)
    ap.add_argument("--tiny", type=int, default=2000)
    ap.add_argument("--formats", default="jsonl,text")
    args = ap.parse_args()
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        counts = generate(folder, args.reports)
        print(f"{args.reports} reports: {counts}")
        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            dask = f"dask://{cluster.scheduler_address.removeprefix('tcp://')}"
            for fmt in args.formats.split(","):
                for label, extra in (
                    ("-j 1", ("-j", "1")),
                    ("-j 2", ("-j", "2")),
                    ("dask 2 workers", ("--executor", dask)),
                ):
                    seconds, peak = run(folder, fmt, *extra)
                    print(
                        f"  {fmt:6} {label:15} {seconds:6.2f} s  {args.reports / seconds:6.1f} reports/s"
                        f"  peak RSS {peak:5.0f} MB"
                    )
        tiny = Path(tmp) / "tiny"
        tiny.mkdir()
        for i in range(args.tiny):
            (tiny / f"{i:05d}.txt").write_text(f"示例{i}2024年政府信息公开工作年度报告\n", encoding="utf-8")
        j1, _ = run(tiny, "jsonl", "-j", "1")
        j2, _ = run(tiny, "jsonl", "-j", "2")
        print(f"{args.tiny} tiny files: -j 1 {j1:.2f} s, -j 2 {j2:.2f} s ({j1 / j2:.2f}×)")


if __name__ == "__main__":
    main()
