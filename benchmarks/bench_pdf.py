"""PDF reader throughput per engine against the bare libraries, in pages per second (one core).

    python benchmarks/bench_pdf.py [--repeat 3] [FILE.pdf ...]

Default inputs: the PDF fixtures (tests/fixtures/pdf) and ../shared/corpus/r003.pdf when
present. Compared:

- `pdfium parse` / `pdfium parse+check`: `reportparse.parse` (and `reportparse.check` on the
  result) with the PDFium engine (`REPORTPARSE_PDF_ENGINE=pdfium`);
- `plumber parse` / `plumber parse+check`: the same with the pdfplumber engine;
- `plumber text` (the floor): bare pdfplumber `page.extract_text()` on every page, what most
  scripts do;
- `pdfium text`: PDFium's plain text extraction, no geometry (a lower bound, for reference).

Best of `--repeat` rounds per file, the engines taking turns within each round; the total is pages over summed best times. The last lines give
each engine's time for parse + check over the floor's time (target for the default engine,
PDFium: at most 0.3; issue 14).
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

import pdfplumber
import pypdfium2

import reportparse
from reportparse.readers.pdf.engine import ENV_VAR

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [
    *sorted((ROOT / "tests" / "fixtures" / "pdf").glob("*.pdf")),
    ROOT.parent / "shared" / "corpus" / "r003.pdf",
]


@contextmanager
def pdf_engine(name: str) -> Iterator[None]:
    old = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = name
    try:
        yield
    finally:
        if old is None:
            del os.environ[ENV_VAR]
        else:
            os.environ[ENV_VAR] = old


def ours(engine: str, check: bool) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        with pdf_engine(engine):
            report = reportparse.parse(data, path="bench.pdf")
            if check:
                reportparse.check(report)

    return run


def plumber_text(data: bytes) -> None:
    with pdfplumber.open(BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()


def pdfium_text(data: bytes) -> None:
    doc = pypdfium2.PdfDocument(data)
    for page in doc:
        textpage = page.get_textpage()
        textpage.get_text_range()
        textpage.close()
        page.close()
    doc.close()


FLOOR = "plumber text"
ENGINES: dict[str, Callable[[bytes], None]] = {
    "pdfium parse": ours("pdfium", check=False),
    "pdfium parse+check": ours("pdfium", check=True),
    "plumber parse": ours("pdfplumber", check=False),
    "plumber parse+check": ours("pdfplumber", check=True),
    FLOOR: plumber_text,
    "pdfium text": pdfium_text,
}


def best(engines: dict[str, Callable[[bytes], None]], data: bytes, repeat: int) -> dict[str, float]:
    """Each engine's best time on `data`. The engines take turns within each round, so that a
    machine whose load changes from minute to minute slows them alike."""
    times: dict[str, float] = dict.fromkeys(engines, float("inf"))
    for _ in range(repeat):
        for name, fn in engines.items():
            start = time.perf_counter()
            fn(data)
            times[name] = min(times[name], time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--ratio-only", action="store_true", help=f"time only pdfium parse+check and {FLOOR} (the target)"
    )
    args = parser.parse_args()
    engines = {k: v for k, v in ENGINES.items() if not args.ratio_only or k in ("pdfium parse+check", FLOOR)}
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    files = [f for f in (args.files or DEFAULT) if f.exists()]
    totals = dict.fromkeys(engines, 0.0)
    n_pages = 0
    width = max(len(name) for name in engines) + 2
    print(f"{'file':<24}{'pages':>6}" + "".join(f"{name:>{width}}" for name in engines))
    for f in files:
        data = f.read_bytes()
        pages = len(pypdfium2.PdfDocument(data))
        n_pages += pages
        row = f"{f.name:<24}{pages:>6}"
        for name, t in best(engines, data, args.repeat).items():
            totals[name] += t
            row += f"{pages / t:>{width - 4}.1f} p/s"
        print(row, flush=True)
    print(
        f"{'total':<24}{n_pages:>6}" + "".join(f"{n_pages / t:>{width - 4}.1f} p/s" for t in totals.values())
    )
    for engine in ("pdfium", "plumber"):
        if f"{engine} parse+check" not in totals:
            continue
        ratio = totals[f"{engine} parse+check"] / totals[FLOOR]
        target = " (target <= 0.3)" if engine == "pdfium" else ""
        print(f"{engine} parse+check time / {FLOOR} time: {ratio:.2f}{target}")


if __name__ == "__main__":
    main()
