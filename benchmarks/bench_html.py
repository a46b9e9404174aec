"""HTML reader cost per page: the reader alone, `parse`, `parse + check`, and lxml's bare parse.

    python benchmarks/bench_html.py [--n 30] [--repeat 5] [FILE.html ...]

Default inputs: N generated reports per page style (CMS article page, Word "Save as HTML",
table-laid-out page; the fixture generator, as in benchmarks/run.py) and the HTML pages of
../shared/corpus when present. Times are CPU time of this process, best of `--repeat` passes, so
other load on the machine disturbs them less; each page is read from its bytes every time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

import lxml.html  # noqa: E402
from generator.html_writer import write_html  # noqa: E402
from generator.spec import make_spec  # noqa: E402

import reportparse  # noqa: E402
from reportparse.readers import html  # noqa: E402


def generated(folder: Path, n: int) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {}
    for style in ("cms", "word", "layout"):
        pages = []
        for i in range(n):
            version = "2019" if i % 4 == 3 else "2021"
            spec = make_spec(f"bench-{style}-{i}", version, seed=2000 + i, scale=10 + 37 * (i % 9))
            path = folder / f"{spec.name}.html"
            write_html(spec, path, style=style)
            pages.append(path.read_bytes())
        out[f"generated {style} ({n})"] = pages
    return out


def best_ms(work: Callable[[bytes], object], pages: list[bytes], repeat: int) -> float:
    """CPU milliseconds per page, best pass."""
    for data in pages[:2]:  # warm up imports and caches
        work(data)
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for data in pages:
            work(data)
        best = min(best, time.process_time() - start)
    return 1000 * best / len(pages)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=30, help="generated reports per page style")
    ap.add_argument("--repeat", type=int, default=5, help="timed passes (the best is kept)")
    ap.add_argument("files", nargs="*", type=Path, help="HTML pages instead of the defaults")
    args = ap.parse_args()
    inputs: dict[str, list[bytes]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.files:
            inputs = {p.name: [p.read_bytes()] for p in args.files}
        else:
            inputs = generated(Path(tmp), args.n)
            for page in sorted(CORPUS.glob("*.html")) if CORPUS.is_dir() else []:
                inputs[page.name] = [page.read_bytes()]
    measures: dict[str, Callable[[bytes], object]] = {
        "lxml parse": lxml.html.document_fromstring,
        "reader": html.read,
        "parse": reportparse.parse,
        "parse+check": lambda data: reportparse.check(reportparse.parse(data)),
    }
    print("| input | KB/page | " + " | ".join(f"{m} ms" for m in measures) + " | parse+check /s |")
    print("|---|---|" + "---|" * (len(measures) + 1))
    for name, pages in inputs.items():
        repeat = args.repeat if len(pages) > 1 else args.repeat * 4
        ms = [best_ms(work, pages, repeat) for work in measures.values()]
        kb = sum(len(p) for p in pages) / len(pages) / 1024
        cells = " | ".join(f"{v:.2f}" for v in ms)
        print(f"| {name} | {kb:.0f} | {cells} | {1000 / ms[-1]:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
