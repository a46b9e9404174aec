"""Hand-written parts measured against the well-kept libraries that could replace them.

    python benchmarks/bench_deps.py [--reports 200] [--repeat 5] [--keep DIR]
        [--only workbook,labels,t2s,progress,docx] [--opencc NAME=DIR ...]

Install the candidates first (`pip install '.[dev]' XlsxWriter rapidfuzz tqdm rich`; OpenCC as
below). Each candidate runs on the project's own inputs: the batch of `benchmarks/bench_batch.py`
(`--reports` reports from the fixture generator, five renderings: Tika, pasted text, Markdown,
DOCX, HTML), plus every file under tests/fixtures/ and the shared corpus. Times are the best of
`--repeat` passes on one core; memory is the peak of Python allocations (tracemalloc) in a
separate pass. A candidate that is not installed is reported as missing, never guessed.

- workbook: `render/xlsx.py` + `render/xlsx_writer.py` against XlsxWriter (default and
  `constant_memory`) writing the same three sheets (报告, 问题, 单元格) with the same header
  style, frozen pane, filter and widths; then what each does with XML-illegal control
  characters, text over 32,767 characters, rows past 1,048,576, and whether the same input gives
  the same bytes.
- labels: `labels.match_label` replayed on every call the parse of the workload made, with its
  similarity scores from difflib (ours) and from rapidfuzz (`Indel.normalized_similarity`, the
  same 2·matches/length measure counted on the longest common subsequence).
- t2s: `normalize._T2S` against OpenCC's `t2s` on the template vocabulary (simplified as
  printed, and each label written in traditional script by OpenCC's `s2t`/`s2tw`/`s2hk`) and on
  every label text of the workload. The PyPI packages `opencc` (C++ with its dictionaries) and
  `opencc-python-reimplemented` both install a module named `opencc` and overwrite each other:
  install each with `pip install --no-deps --target DIR PACKAGE` and pass `--opencc NAME=DIR`.
- progress: the bar of `cli.check._Progress` against tqdm and rich: import time (`python -X
  importtime`, a fresh interpreter each time) and the cost of one update on a terminal stream.
- docx: what python-docx's object model returns for a merged cell, a numbered heading and a
  tracked insertion in the DOCX fixtures, next to what `readers/docx/` reads.

Not part of the tests; the figures and decisions are in docs/architecture.md ("Dependencies").
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import inspect
import io
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
import types
import zipfile
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_batch  # noqa: E402

from reportparse import normalize  # noqa: E402
from reportparse.batch import FileResult, audit  # noqa: E402
from reportparse.extract import labels  # noqa: E402
from reportparse.render import (  # noqa: E402
    DEFAULT_OPTIONS,
    FORMATS,
    xlsx_writer,
)
from reportparse.render import xlsx as xlsx_render  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = [ROOT / "tests" / "fixtures" / d for d in ("docx", "html", "pdf", "text")]
REPORT_SUFFIXES = {".txt", ".md", ".html", ".htm", ".docx", ".doc", ".pdf"}


def best(fn: Callable[[], Any], repeat: int) -> float:
    """Best wall-clock seconds of `repeat` calls (garbage collector on, as in real use)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def peak_mb(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def source_lines(*objs: Any) -> int:
    """Non-blank, non-comment source lines (docstrings included: they are code to keep)."""
    n = 0
    for obj in objs:
        for line in inspect.getsource(obj).splitlines():
            s = line.strip()
            if s and not s.startswith("#"):
                n += 1
    return n


def missing(name: str) -> None:
    print(f"  {name}: not installed, skipped")


# ==================================================================================== workbook


def xlsxwriter_book(
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]], Sequence[float]]],
    constant_memory: bool,
) -> bytes:
    """The batch workbook written with XlsxWriter: what `xlsx_writer.Workbook` would become.

    XlsxWriter does not drop XML-illegal characters (it writes `_x000B_`), cuts long text without
    a mark, and refuses rows past Excel's limit (returns -1): `_storable` and the continuation
    sheets stay ours. Its defaults turn "=…" into formulas and URLs into links: both switched off.
    """
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": constant_memory,
            "in_memory": not constant_memory,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    book.set_properties({"created": dt.datetime(1980, 1, 1)})  # else: the time of the run
    bold = book.add_format({"bold": True})
    for title, headers, rows, widths in sheets:
        ws: Any = None
        part = n = 0
        for row in rows:
            if ws is None or n >= xlsx_writer.MAX_ROWS:
                if ws is not None:
                    ws.autofilter(0, 0, n - 1, len(headers) - 1)
                    part += 1
                ws, n = _xlsxwriter_sheet(book, title, part, headers, widths, bold), 1
            for i, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, bool):
                    ws.write_boolean(n, i, v)
                elif isinstance(v, int | float | Decimal) and (isinstance(v, int) or math.isfinite(v)):
                    ws.write_number(n, i, v)
                else:
                    text = xlsx_writer._storable(str(v))
                    if text:
                        ws.write_string(n, i, text)
            n += 1
        if ws is None:
            ws, n = _xlsxwriter_sheet(book, title, 0, headers, widths, bold), 1
        ws.autofilter(0, 0, n - 1, len(headers) - 1)
    book.close()
    return out.getvalue()


def _xlsxwriter_sheet(
    book: Any, title: str, part: int, headers: Sequence[str], widths: Sequence[float], bold: Any
) -> Any:
    sheet = book.add_worksheet(title if part == 0 else f"{title} ({part + 1})")
    for i, h in enumerate(headers):
        sheet.write_string(0, i, h, bold)
    for i, w in enumerate(widths):
        sheet.set_column(i, i, w)
    sheet.freeze_panes(1, 0)
    return sheet


def batch_sheets(
    results: Sequence[FileResult],
) -> list[tuple[str, Sequence[str], Iterable[Sequence[Any]], Sequence[float]]]:
    """The three sheets of `render_xlsx`, built the same way (rows are generators, as there)."""
    options = DEFAULT_OPTIONS
    numeric = xlsx_render._NUMERIC_FINDING
    findings = (
        [xlsx_render._number(v) if i in numeric else v for i, v in enumerate(row)]
        for row in xlsx_render.finding_rows(results, options)
    )
    return [
        (
            "报告",
            xlsx_render.REPORT_COLUMNS,
            xlsx_render.report_rows(results, options),
            (40, 8, 30, 6, 8, 6, 10, 12, 10, 10, 6, 6, 6),
        ),
        ("问题", xlsx_render.FINDING_HEADERS, findings, (40, 30, 6, 9, 8, 80, 40, 10, 10, 40)),
        (
            "单元格",
            xlsx_render.CELL_HEADERS,
            xlsx_render.cell_rows(results, options),
            (40, 30, 6, 18, 28, 16, 10, 8, 12),
        ),
    ]


def read_back(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def bench_workbook(results: Sequence[FileResult], repeat: int, rows: list[tuple[str, str]]) -> None:
    print("\n## workbook")
    n_cells = sum(1 for _ in xlsx_render.cell_rows(results, DEFAULT_OPTIONS))
    n_findings = sum(1 for _ in xlsx_render.finding_rows(results, DEFAULT_OPTIONS))
    print(f"  batch: {len(results)} reports, {n_findings} finding rows, {n_cells} cell rows")
    ours = lambda: xlsx_render.render_xlsx(results)  # noqa: E731
    ours()  # warm up: unpacks the reports once, as the CLI does before rendering
    variants: dict[str, Callable[[], bytes]] = {"ours (xlsx_writer)": ours}
    try:
        import xlsxwriter

        variants[f"XlsxWriter {xlsxwriter.__version__}"] = lambda: xlsxwriter_book(
            batch_sheets(results), False
        )
        variants[f"XlsxWriter {xlsxwriter.__version__} constant_memory"] = lambda: xlsxwriter_book(
            batch_sheets(results), True
        )
    except ImportError:
        missing("xlsxwriter")
    ours_lines = source_lines(xlsx_writer) + source_lines(xlsx_render.render_xlsx)
    rows_only = best(lambda: [list(r) for _, _, r, _ in batch_sheets(results)], repeat)
    print(f"  building the rows alone (shared by every variant): {rows_only:.3f} s")
    for name, fn in variants.items():
        seconds = best(fn, repeat)
        mb = peak_mb(fn)
        data = fn()
        same_bytes = data == fn()
        print(
            f"  {name}: {seconds:.3f} s, peak {mb:.0f} MB (tracemalloc), {len(data) / 1e6:.2f} MB file, "
            f"same bytes twice: {same_bytes}"
        )
        rows.append((name, f"{seconds:.2f} s, peak {mb:.0f} MB, deterministic: {same_bytes}"))
    if len(variants) > 1:
        reference = read_back(ours())
        for name, fn in list(variants.items())[1:]:
            print(f"  {name} reads back (openpyxl) as ours: {read_back(fn()) == reference}")
        adapter = source_lines(xlsxwriter_book, _xlsxwriter_sheet)
        print(
            f"  code: ours {ours_lines} lines (writer + render_xlsx); with XlsxWriter the writer goes "
            f"and the adapter is {adapter} lines (it keeps `_storable` and the continuation sheets)"
        )
        edge_cases_xlsxwriter()


def edge_cases_xlsxwriter() -> None:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet("s")
    ret_ctrl = ws.write_string(0, 0, "b\x0b\x00.pdf")
    ret_long = ws.write_string(1, 0, "字" * 40_000)
    ret_row = ws.write_number(xlsx_writer.MAX_ROWS, 0, 1)
    book.close()
    back = read_back(out.getvalue())["s"]
    print(
        f"  XlsxWriter, control characters: write returns {ret_ctrl}, reads back {back[0][0]!r} "
        "(escaped as _xHHHH_, kept; ours drops them)"
    )
    print(
        f"  XlsxWriter, 40,000 characters: write returns {ret_long}, reads back {len(back[1][0])} "
        "characters, no mark of the cut (ours: 32,767 ending in …)"
    )
    print(
        f"  XlsxWriter, row {xlsx_writer.MAX_ROWS + 1}: write returns {ret_row} and drops the value "
        "(ours: a continuation sheet)"
    )
    stamps = []
    for _ in range(2):
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True})
        book.add_worksheet().write_string(0, 0, "x")
        book.close()
        with zipfile.ZipFile(out) as z:
            stamps.append(re.search(rb"<dcterms:created[^>]*>([^<]*)<", z.read("docProps/core.xml")).group(1))  # type: ignore[union-attr]
        time.sleep(1.1)
    print(
        f"  XlsxWriter, by default: created {stamps[0].decode()} then {stamps[1].decode()} "
        "(same bytes only with set_properties({'created': fixed}); zip entry times are fixed)"
    )


# ====================================================================================== labels


def workload_files(batch: Path) -> list[Path]:
    files = [p for d in (*FIXTURES, CORPUS, batch) if d.is_dir() for p in sorted(d.rglob("*"))]
    return [p for p in files if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES]


def record_workload(files: Sequence[Path]) -> tuple[list[tuple[Any, ...]], list[str], float]:
    """Parse every file once, recording each `match_label` call and each label text folded."""
    import reportparse
    from reportparse import mapping

    calls: list[tuple[Any, ...]] = []
    folded: list[str] = []
    real_match, real_fold = mapping.match_label, normalize.fold

    def spy_match(*args: Any) -> Any:
        calls.append(args)
        return real_match(*args)

    def spy_fold(text: str) -> str:
        folded.append(text)
        return real_fold(text)

    mapping.match_label = spy_match  # type: ignore[assignment]
    normalize.fold = spy_fold  # type: ignore[assignment]
    t0 = time.perf_counter()
    try:
        for path in files:
            try:
                reportparse.parse(path.read_bytes(), path=str(path))
            except Exception:  # unreadable fixtures are part of the workload too
                continue
    finally:
        mapping.match_label, normalize.fold = real_match, real_fold  # type: ignore[assignment]
    return calls, folded, time.perf_counter() - t0


def _scored_rapidfuzz(
    c: str, candidates: tuple[labels.Candidate, ...]
) -> tuple[tuple[float, labels.Candidate], ...]:
    """`labels._scored` on rapidfuzz: candidates at 0.8 or more, best first."""
    from rapidfuzz.distance import Indel

    out = []
    for cand in candidates:
        score = Indel.normalized_similarity(c, cand.core, score_cutoff=0.8)
        if score:
            out.append((score, cand))
    out.sort(key=lambda p: -p[0])
    return tuple(out)


def bench_labels(
    calls: list[tuple[Any, ...]], parse_seconds: float, repeat: int, rows: list[tuple[str, str]]
) -> None:
    print("\n## labels")
    scored_calls = []

    def spy(c: str, candidates: tuple[labels.Candidate, ...]) -> Any:
        scored_calls.append((c, candidates))
        return real_scored(c, candidates)

    real_scored = labels._scored
    labels._scored = spy  # type: ignore[assignment]
    try:
        reference = [labels.match_label(*a) for a in calls]
    finally:
        labels._scored = real_scored
    unique = set(scored_calls)
    print(
        f"  workload: {len(calls)} match_label calls; {len(scored_calls)} reach the typo scoring "
        f"({len(unique)} distinct); parsing it all took {parse_seconds:.1f} s"
    )
    difflib_scored = real_scored.__wrapped__  # type: ignore[attr-defined]

    def replay() -> None:
        real_scored.cache_clear()
        for a in calls:
            labels.match_label(*a)

    def score_all(fn: Callable[..., Any]) -> Callable[[], None]:
        return lambda: [fn(c, cands) for c, cands in scored_calls] and None

    t_replay = best(replay, repeat)
    t_difflib = best(score_all(difflib_scored), repeat)
    print(
        f"  ours: match_label replay {t_replay * 1e3:.1f} ms (cache cleared per pass); "
        f"typo scoring alone, uncached: {t_difflib * 1e3:.1f} ms = {t_difflib / max(len(scored_calls), 1) * 1e6:.0f} µs a call"
    )
    rows.append(
        (
            "labels: difflib (ours)",
            f"scoring {t_difflib * 1e3:.1f} ms ({len(scored_calls)} calls, uncached); replay {t_replay * 1e3:.0f} ms",
        )
    )
    try:
        import rapidfuzz
    except ImportError:
        missing("rapidfuzz")
        return
    t_rf = best(score_all(_scored_rapidfuzz), repeat)
    same_scores = sum(difflib_scored(c, cands) == _scored_rapidfuzz(c, cands) for c, cands in unique)
    cached_rf = functools.lru_cache(maxsize=4096)(_scored_rapidfuzz)
    labels._scored = cached_rf  # type: ignore[assignment]
    try:
        hits = [labels.match_label(*a) for a in calls]

        def replay_rf() -> None:
            cached_rf.cache_clear()
            for a in calls:
                labels.match_label(*a)

        t_replay_rf = best(replay_rf, repeat)
    finally:
        labels._scored = real_scored
    ms = import_ms("rapidfuzz.distance", repeat)
    differ = sum(a != b for a, b in zip(reference, hits, strict=True))
    print(
        f"  rapidfuzz {rapidfuzz.__version__}: typo scoring {t_rf * 1e3:.1f} ms "
        f"({t_difflib / max(t_rf, 1e-9):.1f}x faster); identical score lists for {same_scores}/{len(unique)} "
        f"inputs; match results that differ: {differ}/{len(calls)}"
    )
    print(
        f"  as used (cached, cache cleared per pass): match_label replay ours {t_replay * 1e3:.1f} ms, "
        f"with rapidfuzz {t_replay_rf * 1e3:.1f} ms; import rapidfuzz.distance {ms:.1f} ms"
    )
    # where the two part: difflib counts the longest contiguous block first, not the longest
    # common subsequence, and keeps candidates whose character-count bound (quick_ratio) passes
    # even when the ratio is under 0.8; those then count as the runner-up
    for c, cands in sorted(unique, key=lambda u: u[0]):
        a, b = difflib_scored(c, cands), _scored_rapidfuzz(c, cands)
        if a != b:
            print(
                f"  first difference: {c!r}: difflib {[(round(s, 4), x.core) for s, x in a[:3]]}, "
                f"rapidfuzz {[(round(s, 4), x.core) for s, x in b[:3]]}"
            )
            break
    rows.append(
        (
            f"labels: rapidfuzz {rapidfuzz.__version__}",
            f"scoring {t_rf * 1e3:.1f} ms; replay {t_replay_rf * 1e3:.0f} ms; import {ms:.0f} ms; "
            f"{len(unique) - same_scores} score lists and {differ} matches differ",
        )
    )


# ========================================================================================= t2s


def template_vocabulary() -> list[str]:
    from importlib import resources

    out: set[str] = set()

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        elif isinstance(x, str) and re.search("[\u4e00-\u9fff]", x):
            out.add(x)

    for name in ("2021.json", "2019.json", "common.json"):
        walk(json.loads(resources.files("reportparse.templates").joinpath(name).read_text(encoding="utf-8")))
    return sorted(out)


def bench_t2s(
    folded: list[str], repeat: int, opencc_dirs: dict[str, str], rows: list[tuple[str, str]]
) -> None:
    print("\n## traditional → simplified")
    vocab = template_vocabulary()
    texts = list(dict.fromkeys(folded))
    table = normalize._T2S
    ours = lambda: [s.translate(table) for s in texts]  # noqa: E731
    t_ours = best(ours, repeat)
    chars = sorted(set("".join(texts)))
    t_char = best(lambda: [c.translate(table) for c in chars], repeat)
    print(
        f"  workload: {len(folded)} fold() calls, {len(texts)} distinct texts; template vocabulary "
        f"{len(vocab)} strings"
    )
    print(f"  ours (str.translate, {len(table)} characters): {t_ours * 1e3:.2f} ms for the distinct texts")
    rows.append(("t2s: ours", f"{t_ours * 1e3:.2f} ms; import 0 ms"))
    if not opencc_dirs:
        try:
            import opencc  # noqa: F401

            opencc_dirs = {"opencc (installed)": ""}
        except ImportError:
            missing("opencc (pass --opencc NAME=DIR)")
            return
    for name, folder in opencc_dirs.items():
        # each flavour in its own interpreter: both install a module named `opencc`
        code = f"""
import json, sys, time
sys.path.insert(0, {folder!r}) if {folder!r} else None
t0 = time.perf_counter(); import opencc; t1 = time.perf_counter()
t2s = opencc.OpenCC('t2s'); t2 = time.perf_counter()
cc = {{c: opencc.OpenCC(c) for c in ('s2t', 's2tw', 's2hk')}}
data = json.load(sys.stdin)
texts, vocab = data['texts'], data['vocab']
chars = sorted(set(''.join(texts)))
best = best_char = 1e9
for _ in range({repeat}):
    s = time.perf_counter(); [t2s.convert(x) for x in texts]; best = min(best, time.perf_counter() - s)
    s = time.perf_counter(); [t2s.convert(x) for x in chars]; best_char = min(best_char, time.perf_counter() - s)
trad = {{c: [cc[c].convert(v) for v in vocab] for c in ('s2t', 's2tw', 's2hk')}}
print(json.dumps({{'import': t1 - t0, 'init': t2 - t1, 'seconds': best, 'per_char': best_char / len(chars),
    'file': opencc.__file__, 'identity': [v for v in vocab if t2s.convert(v) != v],
    'workload': [x for x in texts if t2s.convert(x) != x.translate(dict(data['table']))],
    'trad': trad, 'back': {{c: [t2s.convert(t) for t in ts] for c, ts in trad.items()}}}}))
"""
        done = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps({"texts": texts, "vocab": vocab, "table": list(table.items())}),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            print(f"  {name}: failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(done.stdout)
        size = _folder_mb(Path(r["file"]).parent)
        changed = r["identity"]
        print(
            f"  {name}: {r['seconds'] * 1e3:.2f} ms ({t_ours / r['seconds']:.2f}x the speed of ours); one "
            f"character a call {r['per_char'] * 1e6:.2f} µs (ours {t_char / len(chars) * 1e6:.2f} µs); import "
            f"{r['import'] * 1e3:.1f} ms + t2s converter {r['init'] * 1e3:.1f} ms; package {size:.1f} MB"
        )
        print(
            f"    simplified vocabulary changed by t2s: {len(changed)} {changed[:5]}; workload texts "
            f"folded differently from ours: {len(r['workload'])}"
        )
        scores = {}
        for conf, trad in r["trad"].items():
            ours_back = sum(t.translate(table) == v for t, v in zip(trad, vocab, strict=True))
            cc_back = sum(t == v for t, v in zip(r["back"][conf], vocab, strict=True))
            scores[conf] = (ours_back, cc_back)
            # the pairs the table lacks (s2t keeps the length of these labels)
            pairs = sorted(
                {
                    f"{a}→{w}"
                    for t, v in zip(trad, vocab, strict=True)
                    if len(t) == len(v)
                    for a, ch, w in zip(t, t.translate(table), v, strict=True)
                    if ch != w
                }
            )
            print(
                f"    vocabulary written by {conf}, folded back: ours {ours_back}/{len(vocab)}, "
                f"OpenCC {cc_back}/{len(vocab)}; pairs the table lacks: {' '.join(pairs) or 'none'}"
            )
        ours_back, cc_back = scores["s2t"]
        rows.append(
            (
                f"t2s: {name}",
                f"{r['seconds'] * 1e3:.2f} ms; import+init {(r['import'] + r['init']) * 1e3:.1f} ms; "
                f"vocabulary written by s2t folded back: {cc_back}/{len(vocab)} (ours {ours_back})",
            )
        )


def _folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


# ==================================================================================== progress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def import_ms(module: str, repeat: int) -> float:
    """Cumulative import time of `module` in a fresh interpreter (best of `repeat`)."""
    found = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        for line in done.stderr.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3 and parts[2] == module:
                found.append(int(parts[1]) / 1e3)
    return min(found) if found else float("nan")


def bench_progress(repeat: int, rows: list[tuple[str, str]]) -> None:
    print("\n## progress bar")
    from reportparse.cli.check import _Progress

    total = 20_000
    result = types.SimpleNamespace(path="/某/目录/2024年度政府信息公开工作年度报告.docx")

    def ours() -> None:
        bar = _Progress(_Tty())
        for done in range(1, total + 1):
            bar(done, total, result)  # type: ignore[arg-type]

    base = import_ms("reportparse.cli", repeat)
    t = best(ours, repeat)
    print(
        f"  reportparse.cli imports in {base:.0f} ms; ours adds no import, {t / total * 1e6:.2f} µs an update"
    )
    rows.append(("progress: ours", f"import 0 ms; {t / total * 1e6:.2f} µs/update"))
    try:
        import tqdm

        def with_tqdm() -> None:
            with tqdm.tqdm(total=total, file=_Tty()) as bar:
                for _ in range(total):
                    bar.set_postfix_str(os.path.basename(result.path), refresh=False)
                    bar.update(1)

        t, ms = best(with_tqdm, repeat), import_ms("tqdm", repeat)
        print(f"  tqdm {tqdm.__version__}: import {ms:.1f} ms, {t / total * 1e6:.2f} µs an update")
        rows.append(
            (f"progress: tqdm {tqdm.__version__}", f"import {ms:.1f} ms; {t / total * 1e6:.2f} µs/update")
        )
    except ImportError:
        missing("tqdm")
    try:
        from importlib.metadata import version

        import rich.console
        import rich.progress

        def with_rich() -> None:
            console = rich.console.Console(file=_Tty(), force_terminal=True, width=100)
            with rich.progress.Progress(console=console) as progress:
                task = progress.add_task("", total=total)
                for _ in range(total):
                    progress.update(task, advance=1, description=os.path.basename(result.path))

        t, ms = best(with_rich, repeat), import_ms("rich.progress", repeat)
        print(f"  rich {version('rich')}: import {ms:.1f} ms, {t / total * 1e6:.2f} µs an update")
        rows.append(
            (f"progress: rich {version('rich')}", f"import {ms:.1f} ms; {t / total * 1e6:.2f} µs/update")
        )
    except ImportError:
        missing("rich")


# ======================================================================================== docx


def check_python_docx() -> None:
    """What python-docx's object model gives on three DOCX fixtures, next to the reader's."""
    print("\n## python-docx object model on the DOCX fixtures")
    try:
        import docx
    except ImportError:
        missing("python-docx")
        return
    from reportparse.readers import read_document

    folder = ROOT / "tests" / "fixtures" / "docx"
    table = docx.Document(str(folder / "clean-2021.docx")).tables[1]
    row = table.rows[2]
    texts = [c.text for c in row.cells]
    print(
        f"  merged cells: a row of {len(row._tr.tc_lst)} cells comes back from row.cells as {len(texts)}, "
        f"the first repeated {texts.count(texts[0])} times"
    )
    ours = [p.text for p in read_document((folder / "auto-numbering.docx").read_bytes()).paragraphs()]
    theirs = [p.text for p in docx.Document(str(folder / "auto-numbering.docx")).paragraphs]
    print(f"  list numbers: python-docx {theirs[2]!r}, the reader {ours[2]!r}")
    ours = [p.text for p in read_document((folder / "tracked-changes.docx").read_bytes()).paragraphs()]
    theirs = [p.text for p in docx.Document(str(folder / "tracked-changes.docx")).paragraphs]
    lost = [t for t in ours if t not in theirs]
    print(
        f"  tracked changes: {len(lost)} paragraph(s) the reader reads are missing from python-docx, e.g. {lost[:1]}"
    )


# ======================================================================================== main


def batch_results(folder: Path) -> list[FileResult]:
    run = audit([str(folder)], jobs=2, config_discovery=False, **FORMATS["xlsx"].audit_options())
    return run.collect()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", metavar="DIR", help="generate the batch here (and reuse it if it is there)")
    ap.add_argument("--only", default="workbook,labels,t2s,progress,docx")
    ap.add_argument(
        "--opencc",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="an OpenCC flavour installed with pip --target DIR (repeatable)",
    )
    args = ap.parse_args()
    only = set(args.only.split(","))
    opencc_dirs = dict(item.split("=", 1) for item in args.opencc)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if only & {"workbook", "labels", "t2s"} and not any(folder.iterdir()):
            t0 = time.perf_counter()
            counts = bench_batch.generate(folder, args.reports)
            print(f"generated {counts} in {time.perf_counter() - t0:.0f} s")
        if "workbook" in only:
            bench_workbook(batch_results(folder), args.repeat, rows)
        if only & {"labels", "t2s"}:
            calls, folded, seconds = record_workload(workload_files(folder))
            if "labels" in only:
                bench_labels(calls, seconds, args.repeat, rows)
            if "t2s" in only:
                bench_t2s(folded, args.repeat, opencc_dirs, rows)
    if "progress" in only:
        bench_progress(args.repeat, rows)
    if "docx" in only:
        check_python_docx()
    print("\n| candidate | measured |\n|---|---|")
    for name, text in rows:
        print(f"| {name} | {text} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
