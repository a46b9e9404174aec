"""OCR: accuracy and seconds per scanned page, per engine and resolution (docs/formats/ocr.md,
docs/performance.md).

    python benchmarks/bench_ocr.py [--engines rapidocr,tesseract] [--dpi 200] [--jobs]

For each OCR fixture (tests/fixtures/ocr) and engine, the whole `reportparse.parse` runs with OCR
forced through that engine, and every template cell is compared with the fixture's spec:
right, wrong (read as another value: the number that must be 0), or unread (left with a
finding). Seconds per page are CPU seconds of this process and the programs it starts (one
core; the engine runs with one thread), so other work on the machine does not inflate them.

Engines: `rapidocr` (rapidocr-onnxruntime, the `ocr` extra) and `tesseract` (the `tesseract`
program with the `chi_sim` data, Debian's tesseract-ocr and tesseract-ocr-chi-sim), each
turned into the same characters with boxes and confidences, so the rest of the pipeline is the
same. `--dpi` sets the resolution pages are rendered at. `--jobs`: the `-j 2` speed-up of
`check` over the scanned fixtures (wall time, jobs=1 against jobs=2).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

import reportparse  # noqa: E402
from reportparse.readers.ocr import engine, page, raster  # noqa: E402
from reportparse.readers.ocr.engine import OcrChar  # noqa: E402

OCR = ROOT / "tests" / "fixtures" / "ocr"
SCANS = ["scan-2021-200dpi.pdf", "scan-2019-150dpi.pdf"]


def tesseract(image: np.ndarray) -> list[OcrChar]:
    """Tesseract's words (chi_sim, one block of text) as characters with boxes: a Chinese word
    is shared among its characters, as the RapidOCR wrapper does without word boxes."""
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "page.png"
        Image.fromarray(image).save(png)
        tsv = subprocess.run(
            ["tesseract", str(png), "-", "-l", "chi_sim", "--psm", "3", "tsv"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    out: list[OcrChar] = []
    for line in tsv.splitlines()[1:]:
        f = line.split("\t")
        if len(f) < 12 or not f[11].strip() or float(f[10]) < 0:
            continue
        x, y, w, h = (float(v) for v in f[6:10])
        out += engine._split(f[11], (x, y, x + w, y + h), float(f[10]) / 100)
    return out


ENGINES = {"rapidocr": engine.recognize, "tesseract": tesseract}


def score(report: Any, spec: dict[str, Any]) -> tuple[int, int, int]:
    right = wrong = unread = 0
    for table, cells in spec["cells"].items():
        data = getattr(report, table)
        for cid, want in cells.items():
            got = data.cells.get(cid) if data else None
            if got is None:
                unread += 1
            elif got.kind == want["kind"] and str(got.value) == str(want["value"]):
                right += 1
            else:
                wrong += 1
    return right, wrong, unread


def _cpu() -> float:
    """CPU seconds of this process and of the programs it ran (tesseract)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def run(name: str, engine_name: str, dpi: int) -> dict[str, Any]:
    page.recognize = ENGINES[engine_name]  # type: ignore[assignment]
    raster.DPI = dpi
    path = OCR / name
    spec = json.loads(Path(f"{path}.spec.json").read_text(encoding="utf-8"))
    start = _cpu()
    report = reportparse.parse(path, ocr="auto")
    seconds = _cpu() - start
    read = [n for n in report.extraction_notes if n.rule == "EXT-014"]
    pages = len(read[0].data["pages"]) if read else 1
    right, wrong, unread = score(report, spec)
    sections = sorted(s.number for s in report.sections)
    return {
        "fixture": name,
        "engine": engine_name,
        "dpi": dpi,
        "s/page": round(seconds / pages, 1),
        "right": right,
        "wrong": wrong,
        "unread": unread,
        "sections": "".join(map(str, sections)),
        "year": report.meta.year,
        "published": str(report.meta.published),
    }


def jobs_speedup() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        for name in SCANS:
            shutil.copy(OCR / name, Path(tmp) / name)
        times = {}
        for jobs in (1, 2):
            start = time.monotonic()
            results = list(
                reportparse.audit([tmp], jobs=jobs, timeout=900, ocr="auto", config_discovery=False)
            )
            times[jobs] = time.monotonic() - start
            assert len(results) == len(SCANS)
    return f"check -j 1: {times[1]:.1f} s, -j 2: {times[2]:.1f} s, speed-up {times[1] / times[2]:.2f}x"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engines", default="rapidocr,tesseract")
    ap.add_argument("--dpi", default="200", help="comma-separated resolutions")
    ap.add_argument("--fixtures", default=",".join(SCANS))
    ap.add_argument("--jobs", action="store_true")
    args = ap.parse_args()
    rows = []
    for engine_name in args.engines.split(","):
        if engine_name == "tesseract" and not shutil.which("tesseract"):
            print("tesseract: not installed, skipped")
            continue
        for dpi in (int(d) for d in args.dpi.split(",")):
            for name in args.fixtures.split(","):
                row = run(name, engine_name, dpi)
                rows.append(row)
                print(" | ".join(f"{k} {v}" for k, v in row.items()), flush=True)
    if args.jobs:
        page.recognize = engine.recognize  # type: ignore[assignment]
        raster.DPI = 200
        print(jobs_speedup())


if __name__ == "__main__":
    main()
