"""What the PDF reader reads does not depend on the fonts installed on the machine.

Government PDFs often reference SimSun or FangSong without embedding them. PDFium measures
glyphs from the font program, so on a machine without a matching font a glyph has no box and
PDFium's text page drops any text object of zero width: a character set on its own, as vertical
text in a merged cell is. The reader notices (`PdfiumPage.lost_text`) and reads such a page
through the file's own encoding with pdfminer.

PDFium finds fonts by scanning /usr/share/fonts, /usr/local/share/fonts and /usr/share/X11/fonts
itself (not through fontconfig), unless the program that loads it names other folders. The test
reads every PDF in a child process whose PDFium is started with one empty font folder — a machine
with no fonts at all — and checks that it reads exactly what this process reads.
"""

from __future__ import annotations

import base64
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from generator.make_pdf import Canvas

import reportparse
from conftest import FIXTURES
from reportparse.findings import Finding
from reportparse.model import Report
from reportparse.readers import read_document
from reportparse.readers.pdf import engine as pdf_engine

pytestmark = pytest.mark.skipif(not pdf_engine.AVAILABLE, reason="pypdfium2 is not installed")

# Run in the child: restart PDFium with only the folder argv[1] to look for fonts in, then read
# argv[2:] and print what was read, pickled.
CHILD = r"""
import base64, ctypes, pickle, sys
import pypdfium2.raw as pdfium_c
import pypdfium2  # noqa: F401 - loading it starts PDFium with the system's fonts

chars = ctypes.POINTER(ctypes.c_char)
folder = ctypes.create_string_buffer(sys.argv[1].encode())
paths = (chars * 2)(ctypes.cast(folder, chars), None)
pdfium_c.FPDF_DestroyLibrary()
pdfium_c.FPDF_InitLibraryWithConfig(
    pdfium_c.FPDF_LIBRARY_CONFIG(
        version=2, m_pUserFontPaths=ctypes.cast(paths, ctypes.POINTER(chars)), m_pIsolate=None,
        m_v8EmbedderSlot=0,
    )
)
import reportparse
from reportparse.readers.pdf import engine

out = []
for path in sys.argv[2:]:
    data = open(path, "rb").read()
    with engine.PdfiumDocument(data) as doc:
        lost = [doc.page(i).lost_text for i in range(len(doc))]
    report = reportparse.parse(data, path=path)
    out.append((lost, report, reportparse.check(report)))
sys.stdout.write(base64.b64encode(pickle.dumps(out)).decode())
"""


def _lone_characters() -> Canvas:
    """A page of characters each set on its own, in the non-embedded Adobe-GB1 font."""
    c = Canvas().page()
    c.text(72, 70, "三、收到和处理政府信息公开申请情况")
    xs, ys = [72.0, 110.0, 300.0, 400.0], [100.0, 130.0, 160.0, 190.0, 220.0]
    c.grid(xs, ys, skip={("h", 1, 0), ("h", 2, 0), ("h", 3, 0)})
    for k, ch in enumerate("三、本年度办理"):
        c.text(85, 104 + 16 * k, ch, size=10)
    for r, (label, value) in enumerate(
        [("1.属于国家秘密", "3"), ("2.重复申请", "0"), ("3.其他", "12"), ("合计", "15")]
    ):
        c.text(114, ys[r] + 8, label, size=10)
        c.text(340, ys[r] + 8, value, size=10)
    return c


def _comparable(report: Report, findings: list[Finding]) -> tuple[Any, ...]:
    """What was read, without boxes: PDFium and pdfminer measure a glyph's height apart by a
    point or two (docs/formats/pdf.md, Engines)."""
    cells = {
        name: {cid: (c.raw, c.kind, c.value, c.loc.page) for cid, c in t.cells.items()} if t else None
        for name, t in report.tables.items()
    }
    sections = [(s.number, s.heading, s.text) for s in report.sections]
    notes = [(n.rule, n.severity, n.message) for n in report.extraction_notes if n.rule]
    said = [(f.rule, f.severity, f.message, f.cells, f.expected, f.actual) for f in findings]
    return (report.meta, sections, cells, notes, said)


def test_reading_does_not_depend_on_installed_fonts(tmp_path: Path) -> None:
    lone = tmp_path / "lone-characters.pdf"
    lone.write_bytes(_lone_characters().pdf())
    files = [lone, *sorted((FIXTURES / "pdf").glob("*.pdf"))]
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(empty), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    hidden = pickle.loads(base64.b64decode(done.stdout))
    # the child really had no font: PDFium could not measure the lone characters
    assert True in hidden[0][0]
    for path, (_, report, findings) in zip(files, hidden, strict=True):
        here = reportparse.parse(path.read_bytes(), path=str(path))
        assert _comparable(report, findings) == _comparable(here, reportparse.check(here)), path.name


def test_a_page_pdfium_cannot_measure_is_read_from_the_files_encoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever the machine has installed: a page whose text PDFium could not measure is taken
    from pdfminer, the rest of the document stays with PDFium, and a note says which pages."""
    c = _lone_characters()
    c.page().text(72, 72, "第二页正文")
    data = c.pdf()
    calls: list[int] = []

    def unmeasured(obj: Any, bounds: Any, embedded: Any) -> bool:
        calls.append(1)
        return len(calls) == 1  # the first text object, on page 1

    monkeypatch.setenv(pdf_engine.ENV_VAR, "pdfium")
    monkeypatch.setattr(pdf_engine, "_unmeasured", unmeasured)
    doc = read_document(data, "t.pdf")
    (table,) = doc.tables()
    assert "三、本年度办理" in {c.text for c in table.cells}
    assert [(n.code, n.data["pages"]) for n in doc.notes] == [("pdf-fonts", [1])]
    assert "第 1 页" in doc.notes[0].message and "ToUnicode" in doc.notes[0].message
