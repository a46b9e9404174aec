"""`reportparse serve` against `reportparse check -j 2` on the same 200 reports.

    python benchmarks/bench_serve.py [--reports 200] [--repeat 2]

Generates `--reports` reports with the fixture generator (bench_batch.generate: Tika, pasted,
Markdown, DOCX and HTML renderings), zips them as an office would upload them, then, best of
`--repeat` with the runs interleaved:

- `check`: `reportparse check DIR -j 2 --format json -o FILE`, and the same with `--history` (a
  fresh store each time: the server writes every report to its store);
- `serve`: a server started with `-j 2` (`python -m reportparse serve --data D -j 2`, not
  timed), the zip uploaded over HTTP, its progress polled every 0.2 s until the batch is done:
  the seconds to upload, to the first progress, to done; then `重新检查` of the same batch
  (unchanged files are taken back from the store). Each repeat uses a new server and store.

Prints one line per figure. Not part of the tests; figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests"))

import httpx  # noqa: E402
from bench_batch import generate  # noqa: E402

from helpers import ServeProcess  # noqa: E402


def check(folder: Path, out: Path, *extra: str) -> float:
    cmd = [
        sys.executable,
        "-m",
        "reportparse",
        "check",
        str(folder),
        "-j",
        "2",
        "--format",
        "json",
        "-o",
        str(out),
    ]
    start = time.perf_counter()
    done = subprocess.run([*cmd, *extra], capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"check failed ({done.returncode}): {done.stderr[-2000:]}")
    return time.perf_counter() - start


def wait(client: httpx.Client, url: str, start: float) -> tuple[float | None, float, int]:
    """(seconds to the first progress, seconds to done, progress values seen)."""
    first = None
    seen = set()
    while True:
        state = client.get(url + "/progress").json()
        if state["done"] and first is None:
            first = time.perf_counter() - start
        seen.add(state["done"])
        if state["state"] in ("done", "failed"):
            if state["state"] == "failed":
                raise SystemExit(f"batch failed: {state['error']}")
            return first, time.perf_counter() - start, len(seen)
        time.sleep(0.2)


def serve(data: Path, upload: Path) -> dict[str, float]:
    server = ServeProcess(data, "-j", "2")
    try:
        with httpx.Client(base_url=server.url, timeout=600) as client:
            client.get("/")
            start = time.perf_counter()
            with upload.open("rb") as fh:
                answer = client.post(
                    "/upload",
                    data={"csrf": client.cookies["rp_csrf"]},
                    files={"files": ("reports.zip", fh, "application/zip")},
                    headers={"accept": "application/json"},
                )
            answer.raise_for_status()
            uploaded = time.perf_counter() - start
            url = answer.json()["url"]
            first, done, steps = wait(client, url, start)
            client.post(url + "/rerun", data={"csrf": client.cookies["rp_csrf"]})
            again = time.perf_counter()
            _, rerun, _ = wait(client, url, again)
            rows = client.get(url).text.count("<tr data-status=")
        return {
            "upload": uploaded,
            "first": first or done,
            "done": done,
            "steps": steps,
            "rerun": rerun,
            "rows": rows,
        }
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        counts = generate(folder, args.reports)
        upload = Path(tmp) / "reports.zip"
        with zipfile.ZipFile(upload, "w", zipfile.ZIP_DEFLATED) as z:
            for p in sorted(folder.iterdir()):
                z.write(p, f"年报/{p.name}")
        print(f"{args.reports} reports {counts}, zip {upload.stat().st_size / 1e6:.1f} MB")
        plain, stored, served = [], [], []
        for i in range(args.repeat):
            plain.append(check(folder, Path(tmp) / "out.json"))
            stored.append(
                check(folder, Path(tmp) / "out.json", "--history", str(Path(tmp) / f"check-{i}.sqlite"))
            )
            served.append(serve(Path(tmp) / f"serve-{i}", upload))
        best = min(served, key=lambda s: s["done"])
        runs = ", ".join(f"{s['done']:.2f}" for s in served)
        print(
            f"check -j 2                     {min(plain):6.2f} s  (runs: {', '.join(f'{s:.2f}' for s in plain)})"
        )
        print(
            f"check -j 2 --history (new)     {min(stored):6.2f} s  (runs: {', '.join(f'{s:.2f}' for s in stored)})"
        )
        print(
            f"serve -j 2: upload → done      {best['done']:6.2f} s  (runs: {runs});"
            f" upload {best['upload']:.2f} s, first progress at {best['first']:.2f} s,"
            f" {int(best['steps'])} progress values seen, {int(best['rows'])} rows on the overview"
        )
        print(f"serve: 重新检查 (from the store) {min(s['rerun'] for s in served):6.2f} s")


if __name__ == "__main__":
    main()
