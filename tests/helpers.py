"""What several test modules share (no test module imports another):

- comparing parsed reports with fixture specs and with the corpus truth, cell by cell;
- the column ids of 表三 and 表四, read from the template;
- building report specs and a folder of reports for the batch engine and `reportparse check`;
- per-file functions that hang or kill their worker, for the batch engine's time limit and
  crash paths.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import replace
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from generator import text_writer
from generator.spec import ReportSpec, make_spec

from conftest import FIXTURES
from reportparse.batch import Outcome, process_file
from reportparse.batch.onefile import crash_finding
from reportparse.model import Report
from reportparse.rules import Selection
from reportparse.templates import template

# the schema of `check --format json`, shipped in the package
CHECK_SCHEMA = json.loads(
    resources.files("reportparse").joinpath("schema/check.schema.json").read_text("utf-8")
)

# 表三 (applications) and 表四 (review_litigation) columns, the same in both templates; "total" last
APP_COLS = [c.id for c in template("2021").app_columns]
REVIEW_COLS = [c.id for c in template("2021").review_columns]

# the real HTML pages of ../shared/corpus, each with its truth in corpus/truth/<name>.json
CORPUS_HTML = ["r013.html", "r018.html", "r019.html", "r020.html"]


def load_spec(fixture: Path) -> dict[str, Any]:
    return json.loads(Path(f"{fixture}.spec.json").read_text(encoding="utf-8"))


def load_truth(corpus: Path, name: str) -> dict[str, Any]:
    """The truth of a corpus report: corpus/truth/<name>.json, its cells as printed."""
    return json.loads((corpus / "truth" / f"{name}.json").read_text(encoding="utf-8"))


def cell_differences(report: Report, spec: dict[str, Any], allow_unread: bool = False) -> list[str]:
    """Every template cell whose kind or value differs from the spec (unread cells too unless
    allowed). A cell the spec lists in `absent_cells` is not on the page (cut off by its edge):
    it must be unread."""
    out: list[str] = []
    absent = set(spec.get("absent_cells", ()))
    for table, cells in spec["cells"].items():
        data = report.tables[table]
        for cid, want in cells.items():
            cell = data.cells.get(cid) if data else None
            if f"{table}.{cid}" in absent:
                if cell is not None:
                    out.append(f"{table}.{cid}: not on the page, but read as {cell.kind} {cell.value!r}")
                continue
            if cell is None:
                if not allow_unread:
                    out.append(f"{table}.{cid}: unread, want {want}")
                continue
            value = want["value"]
            same_value = (cell.value is None and value is None) or (
                cell.value is not None
                and value is not None
                and Decimal(str(cell.value)) == Decimal(str(value))
            )
            if cell.kind != want["kind"] or not same_value:
                out.append(f"{table}.{cid}: got {cell.kind} {cell.value!r} ({cell.raw!r}), want {want}")
    return out


def values(report: Report, table: str, row: str, columns: list[str]) -> list[object]:
    data = report.tables[table]
    assert data is not None
    return [data.cells[f"{row}.{c}"].value if f"{row}.{c}" in data.cells else "?" for c in columns]


def truth_differences(report: Report, truth: dict[str, Any]) -> list[str]:
    """Every cell of a corpus truth file the report reads otherwise.

    The truth holds each cell as printed: None for a blank (the cell must be blank or a dash,
    with no value), a number (the cell's value must equal it), or a string — a number kept
    exactly as printed ("9116.36") or a text such as "251000元" — which the cell's raw text must
    be, and whose value, when the string is a number, the cell's value must equal too.
    """
    out = []
    for key, want in truth["cells"].items():
        cell = report.cell(key)
        if cell is None:
            good = False
        elif want is None:
            good = cell.kind in ("blank", "dash") and cell.value is None
        else:
            good = not isinstance(want, str) or cell.raw == want
            if not isinstance(want, str) or want.replace(".", "").isdigit():
                good = good and cell.value is not None and Decimal(str(cell.value)) == Decimal(str(want))
        if not good:
            got = "unread" if cell is None else f"got {cell.kind} {cell.value!r} ({cell.raw!r})"
            out.append(f"{key}: {got}, printed {want!r}")
    return out


# -- specs and folders of reports for the batch engine and `reportparse check` -------------------


def _set(cells: dict[str, str], cid: str, delta: int) -> None:
    cells[cid] = str(int(cells[cid]) + delta)


def _retotal(cells: dict[str, str]) -> None:
    for row in ("carried_over", "carried_forward"):
        cells[f"{row}.total"] = str(sum(int(cells[f"{row}.{c}"]) for c in APP_COLS[:-1]))


def continuous_pair(
    organization: str, years: tuple[int, int] = (2023, 2024), off_by: int = 0, version: str = "2021"
) -> tuple[ReportSpec, ReportSpec]:
    """Two arithmetically clean reports of one body whose carry-over matches last year's
    carried-forward in every column — except 自然人, which is `off_by` higher this year."""
    a = make_spec(
        "a", "2019" if years[0] <= 2020 else "2021", year=years[0], seed=5, organization=organization
    )
    b = make_spec("b", version, year=years[1], seed=6, organization=organization)
    ca, cb = dict(a.cells["applications"]), dict(b.cells["applications"])
    for c in APP_COLS[:-1]:
        d = int(cb[f"carried_over.{c}"]) - int(ca[f"carried_forward.{c}"])
        # add the same amount to 二 and 四 of one report: 一+二 = （七）+四 still holds
        target, delta = (ca, d) if d >= 0 else (cb, -d)
        _set(target, f"carried_over.{c}", delta)
        _set(target, f"carried_forward.{c}", delta)
    _set(cb, "carried_over.natural_person", off_by)
    _set(cb, "carried_forward.natural_person", off_by)
    _retotal(ca)
    _retotal(cb)
    return (
        replace(a, cells={**a.cells, "applications": ca}),
        replace(b, cells={**b.cells, "applications": cb}),
    )


def broken_spec() -> ReportSpec:
    """A clean report with one number wrong: 自然人 new applications one too many (T3-001, T3-003)."""
    s = make_spec("bad", year=2024, seed=4, organization="示例市示例区审计局")
    cells = dict(s.cells["applications"])
    cells["new_received.natural_person"] = str(int(cells["new_received.natural_person"]) + 1)
    return replace(s, cells={**s.cells, "applications": cells})


def warned_spec() -> ReportSpec:
    """A clean report with a 5、 heading and a glued 二、 heading: STR-002 and STR-005 warnings."""
    return make_spec("warn", year=2024, seed=3, organization="示例市示例区民政局").with_variants(
        "arabic_five", "glued_heading"
    )


HANG = "hang-2021.md"  # in build_batch's folder: the file `hanging` never finishes reading


def build_batch(folder: Path) -> dict[str, str]:
    """Reports in every format there are fixtures for, plus bad files; file name -> status."""
    expected: dict[str, str] = {}

    def copy(src: Path, status: str, name: str | None = None) -> None:
        if src.exists():
            shutil.copyfile(src, folder / (name or src.name))
            expected[name or src.name] = status

    for name in ("clean-2021.md", "clean-2019.tika.txt", "sample-2021.tika.txt"):
        copy(FIXTURES / "text" / name, "ok")
    copy(FIXTURES / "text" / "crawler-2021.txt", "findings")  # run-together digits: EXT-007
    copy(FIXTURES / "docx" / "clean-2021.docx", "ok")
    copy(FIXTURES / "docx" / "clean-2019.docx", "ok")
    copy(FIXTURES / "html" / "word-2021.html", "ok")
    copy(FIXTURES / "html" / "cms-gbk-2021.html", "ok")
    copy(FIXTURES / "html" / "soffice-2021.html", "ok", "捕获页面")  # no suffix: found by sniffing
    copy(FIXTURES / "pdf" / "clean-2021.pdf", "ok")
    last_year, this_year = continuous_pair("示例市示例区档案局", off_by=2)
    for name, spec, status in (
        ("档案局-2023.txt", last_year, "ok"),
        ("档案局-2024.txt", this_year, "findings"),
        ("审计局-2024.txt", broken_spec(), "findings"),
        ("民政局-2024.txt", warned_spec(), "findings"),
    ):
        (folder / name).write_text(text_writer.tika(spec), encoding="utf-8")
        expected[name] = status
    (folder / "corrupt.docx").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    (folder / "empty.txt").write_bytes(b"")
    shutil.copyfile(FIXTURES / "text" / "clean-2021.md", folder / HANG)
    expected.update({"corrupt.docx": "unreadable", "empty.txt": "unreadable", HANG: "timeout"})
    # never checked: a spreadsheet, a hidden folder; listed as skipped: text that is not a report
    (folder / "notes.txt").write_text("Meeting notes: nothing to do with annual reports.\n", encoding="utf-8")
    (folder / "data.xlsx").write_bytes(b"PK\x03\x04")
    (folder / ".git").mkdir()
    (folder / ".git" / "x.txt").write_text("not a report", encoding="utf-8")
    return expected


# Per-file functions for `reportparse.audit(..., process=…)`. Module level, so that worker
# processes started with spawn can unpickle them.


def hanging(path: str, selection: Selection) -> Outcome:
    """`process_file`, but a file whose name holds "hang" first sleeps for a minute: a reader
    that never returns, as far as any time limit can tell."""
    if "hang" in os.path.basename(path):
        time.sleep(60)
    return process_file(path, selection)


def crashing(path: str, selection: Selection) -> Outcome:
    """`process_file`, but on a file whose name holds "crash" the worker exits at once (code 3),
    as a segfault in a C extension would."""
    if "crash" in os.path.basename(path):
        os._exit(3)
    return process_file(path, selection)


def troubled(path: str, selection: Selection) -> Outcome:
    """`hanging` and `crashing` at once."""
    return hanging(path, selection) if "hang" in os.path.basename(path) else crashing(path, selection)


def dying(path: str, selection: Selection) -> Outcome:
    """A worker that cannot run at all: it exits (code 4) on every file."""
    os._exit(4)


def exhausting(path: str, selection: Selection) -> Outcome:
    """`process_file` on a report whose parse needs more memory than there is."""
    from reportparse.batch import onefile

    def greedy(*_: object, **__: object) -> object:
        return bytearray(1 << 50)  # a petabyte: MemoryError at once

    onefile.parse = greedy  # type: ignore[assignment]  # this worker only
    return process_file(path, selection)


def address_space(path: str, selection: Selection) -> Outcome:
    """Reports the worker's address-space limit (RLIMIT_AS) as the message of a finding."""
    import resource

    from reportparse.findings import Finding

    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return Outcome(None, (Finding("EXT-013", "error", str(soft)),), 0.0)


def telling_its_gc_thresholds(path: str, selection: Selection) -> Outcome:
    """Reports the collector's thresholds where the file is processed, as a finding's message."""
    import gc

    from reportparse.findings import Finding

    return Outcome(None, (Finding("EXT-013", "error", repr(gc.get_threshold())),), 0.0)


def killing_its_dask_worker(path: str, selection: Selection) -> Outcome:
    """`process_file`, but while `<path>.kill` exists (removed on the way) the Dask worker that
    runs this file's chunk is killed, as a machine of the cluster that goes away mid-task."""
    marker = path + ".kill"
    if os.path.exists(marker):
        os.unlink(marker)
        chunk_process = os.getppid()  # this pool worker's parent; the Dask worker is its parent
        with open(f"/proc/{chunk_process}/stat", encoding="ascii") as fh:
            dask_worker = int(fh.read().rsplit(")", 1)[1].split()[1])
        os.kill(dask_worker, 9)
        time.sleep(60)
    return process_file(path, selection)


# -- `reportparse serve`: a zip of generated reports, one with hostile text, and the server ----

EVIL = "<script>alert(1)</script>"
EVIL_NARRATIVE = '<img src=x onerror=alert(2)><a href="javascript:alert(3)">链接</a>'
EVIL_LABEL = "4.保护第三方合法<i onmouseover=alert(4)>权益"  # a row label of 表三 as printed


def hostile_spec() -> ReportSpec:
    """`broken_spec` (T3-001, T3-003) whose body name — so its title — carries a script tag and
    whose first paragraph carries an event handler and a javascript: link (in `serve_zip`,
    another report prints a row label of 表三 with an event handler: EVIL_LABEL)."""
    s = broken_spec()
    first = s.sections[0]
    secs = (
        replace(first, paragraphs=(first.paragraphs[0] + EVIL_NARRATIVE, *first.paragraphs[1:])),
        *s.sections[1:],
    )
    return replace(s, sections=secs, organization="示例区审计局" + EVIL)


def serve_zip() -> tuple[bytes, dict[str, str]]:
    """A zip as an office would upload it — reports in a folder, GBK-free UTF-8 names, a file
    that is not a report, a nested zip, a corrupt DOCX, a member named with `../` — and the
    status each report gets (by the name the page shows)."""
    import io
    import zipfile

    last_year, this_year = continuous_pair("示例市示例区档案局", off_by=2)
    labelled = text_writer.tika(warned_spec()).replace("4.保护第三方合法权益", EVIL_LABEL)
    files = {
        "年报/审计局-2024.txt": (text_writer.tika(hostile_spec()), "findings"),
        "年报/民政局-2024.txt": (labelled, "findings"),
        "年报/档案局-2023.txt": (text_writer.tika(last_year), "ok"),
        "年报/档案局-2024.txt": (text_writer.tika(this_year), "findings"),
        "../../逃逸.txt": (
            text_writer.tika(make_spec("e", year=2024, seed=9, organization="示例市示例区统计局")),
            "ok",
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, (text, _) in files.items():
            z.writestr(name, text.encode("utf-8"))
        z.writestr("年报/损坏.docx", b"PK\x03\x04" + b"\x00garbage" * 50)
        z.writestr("年报/说明.xlsx", b"PK\x03\x04")
        z.writestr("年报/附件.zip", b"PK\x05\x06" + b"\x00" * 18)
    expected = {f"上传.zip/{name.replace('../', '')}": status for name, (_, status) in files.items()}
    expected["上传.zip/年报/损坏.docx"] = "unreadable"
    return buf.getvalue(), expected


# Chromium as this machine allows it: as root, without a sandbox; no background connections
# (the network is closed, and they would be refused many at a time)
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]  # fmt: skip


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServeProcess:
    """`python -m reportparse serve` on a free port in a subprocess, until `stop()`."""

    def __init__(self, data: Path, *args: str) -> None:
        import subprocess
        import sys
        import urllib.request

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        src = Path(__file__).resolve().parents[1] / "src"
        env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reportparse",
                "serve",
                "--data",
                str(data),
                "--port",
                str(self.port),
                *args,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("reportparse serve did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        import subprocess

        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr is not None:
            self.proc.stderr.close()


def telling_its_ocr_mode(path: str, selection: Selection, ocr: str | None = None) -> Outcome:
    """No parse: an EXT-013 finding that names the OCR mode the file was handed with."""
    return Outcome(None, (crash_finding(path, f"OCR 方式 {ocr}"),), 0.0)
