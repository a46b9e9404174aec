"""Throughput per format against the bare libraries (issue: benchmarks).

    python benchmarks/run.py [--n 40] [--repeat 3] [--write docs/performance.md]

Generates N reports per format with the project's fixture generator (varied numbers, lengths and
templates), then measures on one core, each in a fresh worker process:

- `parse` and `parse + check`: reports per second, and peak memory (RSS) of the worker;
- the floor on the same files: a plain read + decode for text, `lxml.html` parse for HTML,
  `docx.Document()` for DOCX, pdfplumber opening every page and `extract_text` for PDF.

Nothing is cached across calls: every report is read from its bytes each time.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing as mp
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

from generator import text_writer  # noqa: E402
from generator.spec import ReportSpec, make_spec  # noqa: E402


def specs(n: int) -> list[ReportSpec]:
    """Varied reports: both templates, different sizes and narrative lengths."""
    out = []
    for i in range(n):
        version = "2019" if i % 4 == 3 else "2021"
        s = make_spec(f"bench-{i}", version, seed=1000 + i, scale=10 + 37 * (i % 9))
        if i % 3 == 0:
            s = s.with_variants("bookmarks", "broken_labels")
        out.append(s)
    return out


def _writer(fmt: str) -> Callable[[ReportSpec, Path], None] | None:
    if fmt in ("text", "tika"):

        def write_text(spec: ReportSpec, path: Path) -> None:
            body = text_writer.pasted(spec) if fmt == "text" else text_writer.tika(spec)
            path.write_text(body, encoding="utf-8")

        return write_text
    try:
        if fmt == "docx":
            from generator.docx_writer import write_docx

            return write_docx
        if fmt == "html":
            from generator.html_writer import write_html

            return write_html
    except ImportError:
        return None
    return None


def generate(folder: Path, n: int) -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {}
    all_specs = specs(n)
    for fmt, suffix in (("text", ".txt"), ("tika", ".tika.txt"), ("docx", ".docx"), ("html", ".html")):
        write = _writer(fmt)
        if write is None:
            continue
        files[fmt] = []
        for s in all_specs:
            path = folder / f"{s.name}{suffix}"
            write(s, path)
            files[fmt].append(path)
    if files.get("docx") and _has_soffice():
        pdf_dir = folder / "pdf"
        pdf_dir.mkdir()
        subprocess.run(
            [
                "soffice",
                "--headless",
                f"-env:UserInstallation=file://{folder}/lo",
                "--convert-to",
                "pdf",
                "--outdir",
                str(pdf_dir),
                *map(str, files["docx"]),
            ],
            check=False,
            capture_output=True,
            timeout=1800,
        )
        files["pdf"] = sorted(pdf_dir.glob("*.pdf"))
    return files


def _has_soffice() -> bool:
    from shutil import which

    return which("soffice") is not None


# --- what is measured ---------------------------------------------------------------------------


def floor(fmt: str, data: bytes) -> None:
    if fmt in ("text", "tika"):
        data.decode("utf-8")
    elif fmt == "html":
        import lxml.html

        lxml.html.document_fromstring(data)
    elif fmt == "docx":
        import docx

        docx.Document(io.BytesIO(data))
    elif fmt == "pdf":
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()


def ours(fmt: str, data: bytes, check: bool) -> None:
    import reportparse

    report = reportparse.parse(data)
    if check:
        reportparse.check(report)


def _worker(task: tuple[str, str, list[str], int], out: mp.Queue) -> None:  # type: ignore[type-arg]
    mode, fmt, paths, repeat = task
    blobs = [Path(p).read_bytes() for p in paths]
    # warm up imports and the template cache outside the timed loop
    for data in blobs[:2]:
        floor(fmt, data) if mode == "floor" else ours(fmt, data, mode == "check")
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for data in blobs:
            if mode == "floor":
                floor(fmt, data)
            else:
                ours(fmt, data, mode == "check")
        times.append(time.perf_counter() - t0)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.put({"seconds": min(times), "n": len(blobs), "rss_mb": rss_kb / 1024})


def measure(mode: str, fmt: str, paths: list[Path], repeat: int) -> dict[str, float]:
    ctx = mp.get_context("spawn")
    q: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    p = ctx.Process(target=_worker, args=((mode, fmt, [str(x) for x in paths], repeat), q))
    p.start()
    result: dict[str, float] = q.get(timeout=3600)
    p.join()
    result["per_s"] = result["n"] / result["seconds"]
    return result


def table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [
        "| format | files | parse /s | parse+check /s | floor /s | ratio ours/floor (time) | ms per report (parse+check) | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for fmt, r in results.items():
        ratio = r["floor"]["per_s"] / r["check"]["per_s"]
        lines.append(
            f"| {fmt} | {int(r['check']['n'])} | {r['parse']['per_s']:.0f} | {r['check']['per_s']:.0f} | "
            f"{r['floor']['per_s']:.0f} | {ratio:.2f} | {1000 / r['check']['per_s']:.1f} | "
            f"{r['check']['rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=40, help="reports per format")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes (the best is kept)")
    ap.add_argument("--formats", default="text,tika,html,docx,pdf")
    ap.add_argument("--json", help="write raw results as JSON")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = generate(Path(tmp), args.n)
        results: dict[str, dict[str, dict[str, float]]] = {}
        for fmt in args.formats.split(","):
            if not files.get(fmt):
                print(f"{fmt}: no writer or converter available, skipped", file=sys.stderr)
                continue
            results[fmt] = {
                mode: measure(mode, fmt, files[fmt], args.repeat) for mode in ("parse", "check", "floor")
            }
            print(f"{fmt}: {results[fmt]['check']['per_s']:.0f} reports/s parse+check", file=sys.stderr)
    print(
        f"machine: {platform.processor() or platform.machine()}, {mp.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
