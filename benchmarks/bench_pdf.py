"""PDF reader throughput against the bare libraries, in pages per second (one core).

    python benchmarks/bench_pdf.py [--repeat 3] [FILE.pdf ...]

Default inputs: the PDF fixtures (tests/fixtures/pdf) and ../shared/corpus/r003.pdf when
present. Compared:

- `reportparse`: `readers.pdf.read` (chars, rulings, tables, paragraphs, notes);
- `pdfplumber text`: bare `page.extract_text()` on every page (what most scripts do);
- `pypdfium2 text`: PDFium's text extraction, no geometry (a lower bound, for reference).

Best of `--repeat` runs per file; the total is pages over summed best times.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pdfplumber
import pypdfium2

from reportparse.readers.pdf import read

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [
    *sorted((ROOT / "tests" / "fixtures" / "pdf").glob("*.pdf")),
    ROOT.parent / "shared" / "corpus" / "r003.pdf",
]


def ours(data: bytes) -> None:
    read(data, None)


def plumber_text(data: bytes) -> None:
    with pdfplumber.open(BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()


def pdfium_text(data: bytes) -> None:
    doc = pypdfium2.PdfDocument(data)
    for page in doc:
        page.get_textpage().get_text_range()
    doc.close()


ENGINES: dict[str, Callable[[bytes], None]] = {
    "reportparse": ours,
    "pdfplumber text": plumber_text,
    "pypdfium2 text": pdfium_text,
}


def best(fn: Callable[[bytes], None], data: bytes, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(data)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    files = [f for f in (args.files or DEFAULT) if f.exists()]
    totals = dict.fromkeys(ENGINES, 0.0)
    n_pages = 0
    print(f"{'file':<24}{'pages':>6}" + "".join(f"{name:>18}" for name in ENGINES))
    for f in files:
        data = f.read_bytes()
        pages = len(pypdfium2.PdfDocument(data))
        n_pages += pages
        row = f"{f.name:<24}{pages:>6}"
        for name, fn in ENGINES.items():
            t = best(fn, data, args.repeat)
            totals[name] += t
            row += f"{pages / t:>14.1f} p/s"
        print(row)
    print(f"{'total':<24}{n_pages:>6}" + "".join(f"{n_pages / t:>14.1f} p/s" for t in totals.values()))


if __name__ == "__main__":
    main()
