"""The PDFium engine gives the PDF reader the same page objects as pdfplumber, so both engines read
every PDF alike; pdfplumber takes over whatever PDFium cannot open.

tests/test_pdf.py runs with the default engine; this file pins each engine explicitly.
"""

from __future__ import annotations

import re
from collections import Counter
from io import BytesIO
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from generator.canvas import pdf_file
from generator.make_pdf import FIXTURES as PDF_FIXTURES
from generator.make_pdf import Canvas, encrypted_pdf, garble, scanned_pdf, truncate

from conftest import FIXTURES
from reportparse.document import Document, Table
from reportparse.readers import pdf, read_document
from reportparse.readers.pdf import engine as pdf_engine
from reportparse.readers.pdf.encoded import encoded_chars
from reportparse.readers.pdf.page import glyphs_of

pytestmark = pytest.mark.skipif(not pdf_engine.AVAILABLE, reason="pypdfium2 is not installed")

PDF = FIXTURES / "pdf"
FILES = [PDF / f"{name}.pdf" for name in sorted(PDF_FIXTURES)]


def _blocks(doc: Document) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            cells = tuple((c.row, c.col, c.rowspan, c.colspan, c.text, c.loc.page) for c in block.cells)
            out.append(("table", block.loc.page, cells))
        else:
            out.append(("paragraph", block.loc.page, block.text))
    return out


def _assert_engines_read_alike(path: Path) -> None:
    data = path.read_bytes()
    plumber = pdf._read_plumber(data, str(path))
    pdfium = pdf._read_pdfium(data, str(path))
    assert _blocks(pdfium) == _blocks(plumber)
    assert pdfium.properties == plumber.properties
    assert [(n.rule, n.message) for n in pdfium.notes if n.rule] == [
        (n.rule, n.message) for n in plumber.notes if n.rule
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_engines_read_alike(path: Path) -> None:
    _assert_engines_read_alike(path)


def test_engines_read_the_corpus_pdf_alike(corpus: Path) -> None:
    _assert_engines_read_alike(corpus / "r003.pdf")


def test_engine_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pdf_engine.ENV_VAR, raising=False)
    assert pdf_engine.engine() == pdf_engine.DEFAULT_ENGINE
    for value, expected in [
        ("pdfplumber", "pdfplumber"),
        (" PDFium ", "pdfium"),
        ("nonsense", pdf_engine.DEFAULT_ENGINE),
    ]:
        monkeypatch.setenv(pdf_engine.ENV_VAR, value)
        assert pdf_engine.engine() == expected
    monkeypatch.setenv(pdf_engine.ENV_VAR, "pdfium")
    monkeypatch.setattr(pdf_engine, "AVAILABLE", False)
    assert pdf_engine.engine() == "pdfplumber"


def test_pdfium_reads_without_pdfminer(monkeypatch: pytest.MonkeyPatch) -> None:
    """No silent fallback: the fixtures are read by PDFium alone."""

    def refuse(data: bytes, path: str | None) -> Document:
        raise AssertionError("fell back to pdfplumber")

    monkeypatch.setenv(pdf_engine.ENV_VAR, "pdfium")
    monkeypatch.setattr(pdf, "_read_plumber", refuse)
    doc = pdf.read((PDF / "clean-2021.pdf").read_bytes(), None)
    assert len(doc.tables()) == 3


# -- page objects against pdfplumber's ----------------------------------------------------------


def _pdf(content: bytes, rotate: int = 0, mediabox: str = "0 0 595 842", to_unicode: bytes = b"") -> bytes:
    """One page: Helvetica as /F1 (with a ToUnicode map if given), a 2x2 image as /Im1 and a
    form XObject /Fm0 (matrix 1 0 0 1 5 5) holding a line, an image and text."""
    inner = b"0.5 w 10 10 m 50 10 l S q 20 0 0 10 60 60 cm /Im1 Do Q BT /F1 10 Tf 5 5 Td (Fo) Tj ET"
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica" + (
        b" /ToUnicode 7 0 R" if to_unicode else b""
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [6 0 R] /Count 1 >>",
        font + b" >>",
        b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Length 4 >>\nstream\n\x78\xc8\xc8\x78\nendstream",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 1000 1000] /Matrix [1 0 0 1 5 5]"
        b" /Resources << /Font << /F1 3 0 R >> /XObject << /Im1 4 0 R >> >> /Length %d >>\nstream\n"
        % len(inner)
        + inner
        + b"\nendstream",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [{mediabox}] /Rotate {rotate} /Contents 8 0 R"
        " /Resources << /Font << /F1 3 0 R >> /XObject << /Im1 4 0 R /Fm0 5 0 R >> >> >>".encode(),
        b"<< /Length %d >>\nstream\n" % len(to_unicode) + to_unicode + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    return pdf_file(objects)


DRAWING = b"""0.5 w 100 700 200 50 re S
1 0 0 RG 72 600 m 300 600 l S
0 g 72 500 m 300 500 l 300 520 l h f
0 0 1 rg 72 480 300 2 re f
q 2 0 0 2 10 10 cm /Fm0 Do Q
q 100 0 0 80 300 300 cm /Im1 Do Q
0 0 0 RG 72 450 m 100 460 120 480 150 450 c S
72 420 m 150 420 l 150 400 l 72 400 l h S
BT /F1 12 Tf 72 380 Td (Hello) Tj ET
"""


def _box(o: dict[str, Any]) -> tuple[float, ...]:
    return tuple(round(float(o[k]), 1) for k in ("x0", "top", "x1", "bottom"))


def _shapes(objs: list[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
    return Counter((*_box(o), o["stroke"], o["fill"]) for o in objs)


def _points(objs: list[dict[str, Any]]) -> list[tuple[float, ...]]:
    return sorted(tuple(round(float(v), 1) for v in pt) for o in objs for pt in o["pts"])


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("mediabox", ["0 0 595 842", "10 20 605 862"])
def test_page_objects_match_pdfplumber(rotate: int, mediabox: str) -> None:
    data = _pdf(DRAWING, rotate, mediabox)
    with pdfplumber.open(BytesIO(data)) as plumber, pdf_engine.PdfiumDocument(data) as doc:
        want = plumber.pages[0]
        got = doc.page(0)
        assert (got.width, got.height) == (want.width, want.height)
        for kind in ("lines", "rects", "curves"):
            assert _shapes(getattr(got, kind)) == _shapes(getattr(want, kind)), kind
        assert Counter(map(_box, got.images)) == Counter(map(_box, want.images))
        assert _points(got.curves) == _points(want.curves)
        theirs = glyphs_of(want.chars)
        assert [(g.text, g.upright, g.turn) for g in got.glyphs] == [
            (g.text, g.upright, g.turn) for g in theirs
        ]
        for mine, other in zip(got.glyphs, theirs, strict=True):
            # centres agree; PDFium's font metrics differ from pdfminer's by a point or two
            assert abs(mine.cx - other.cx) <= 2.0 and abs(mine.cy - other.cy) <= 2.0


_CHAR_KEYS = ("text", "x0", "x1", "top", "bottom", "size", "upright", "matrix")


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("mediabox", ["0 0 595 842", "10 20 605 862"])
def test_encoded_chars_are_pdfplumbers(rotate: int, mediabox: str) -> None:
    """The characters-only pdfminer device (pages PDFium cannot measure) gives exactly the
    values of pdfplumber's `page.chars`, in its order, form XObjects and page turns included."""
    data = _pdf(DRAWING, rotate, mediabox)
    with pdfplumber.open(BytesIO(data)) as plumber:
        page = plumber.pages[0]
        want = [{k: c[k] for k in _CHAR_KEYS} for c in page.chars]
        assert [c["text"] for c in want] == ["F", "o", "H", "e", "l", "l", "o"]  # the form is drawn first
        assert encoded_chars(page) == want


def test_encoded_chars_of_a_page_in_fonts_the_machine_lacks() -> None:
    with pdfplumber.open(PDF / "fonts-not-embedded.pdf") as plumber:
        for page in plumber.pages:
            assert encoded_chars(page) == [{k: c[k] for k in _CHAR_KEYS} for c in page.chars]


def test_red_and_blue_rulings_keep_their_colour() -> None:
    page = pdf_engine.PdfiumDocument(_pdf(DRAWING)).page(0)
    (red,) = [o for o in page.lines if o["top"] == 242.0]
    assert red["stroking_color"] == (1.0, 0.0, 0.0) and red["stroke"] and not red["fill"]
    (bar,) = [o for o in page.rects if o["fill"]]
    assert bar["non_stroking_color"] == (0.0, 0.0, 1.0)


def test_ligature_is_one_char() -> None:
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def"
        b" /CMapName /Adobe-Identity-UCS def /CMapType 2 def"
        b" 1 begincodespacerange <00> <FF> endcodespacerange"
        b" 2 beginbfchar <41> <00660066> <42> <0062> endbfchar"
        b" endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    data = _pdf(b"BT /F1 12 Tf 72 700 Td (ABA) Tj ET", to_unicode=cmap)
    page = pdf_engine.PdfiumDocument(data).page(0)
    assert [g.text for g in page.glyphs if g.top < 200] == ["ff", "b", "ff"]


def test_unmapped_glyphs_read_as_cids() -> None:
    with pdf_engine.PdfiumDocument(garble((PDF / "clean-2021.pdf").read_bytes())) as doc:
        glyphs = doc.page(0).glyphs
    assert glyphs and all(re.fullmatch(r"\(cid:\d+\)", g.text) for g in glyphs)


# -- opening, fallbacks, metadata ---------------------------------------------------------------


def _notes(doc: Document) -> list[tuple[str | None, str]]:
    return [(n.rule, n.message) for n in doc.notes]


def _with(monkeypatch: pytest.MonkeyPatch, engine: str, data: bytes) -> Document:
    monkeypatch.setenv(pdf_engine.ENV_VAR, engine)
    return read_document(data, "t.pdf")


def _one_page() -> bytes:
    c = Canvas().page()
    c.text(72, 72, "正文")
    return c.pdf()


@pytest.mark.parametrize(
    "data",
    [
        encrypted_pdf(user_password="secret"),
        encrypted_pdf("Hello", user_password=""),
        truncate((PDF / "clean-2021.pdf").read_bytes()),
        b"%PDF-1.4\nnot really\n",
        _one_page().replace(b"/MediaBox [0 0 595 842]", b"/MediaBox null          "),
        garble((PDF / "clean-2021.pdf").read_bytes()),
        # pdfminer reads Chromium's TrueType fonts through their own cmap; PDFium cannot
        garble((PDF / "chromium-2021.pdf").read_bytes()),
        scanned_pdf(2),
    ],
    ids=[
        "password",
        "empty-password",
        "truncated",
        "junk",
        "no-mediabox",
        "garbled",
        "no-tounicode",
        "scanned",
    ],
)
def test_failures_reported_alike(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    pdfium = _with(monkeypatch, "pdfium", data)
    plumber = _with(monkeypatch, "pdfplumber", data)
    assert _notes(pdfium) == _notes(plumber)
    assert _blocks(pdfium) == _blocks(plumber)


def test_what_pdfium_cannot_open_goes_to_pdfplumber() -> None:
    with pytest.raises(pdf_engine.PasswordRequired):
        pdf_engine.PdfiumDocument(encrypted_pdf(user_password="secret"))
    with pytest.raises(pdf_engine.UseFallback):
        pdf_engine.PdfiumDocument(truncate((PDF / "clean-2021.pdf").read_bytes()))
    no_box = _one_page().replace(b"/MediaBox [0 0 595 842]", b"/MediaBox null          ")
    with pdf_engine.PdfiumDocument(no_box) as doc, pytest.raises(pdf_engine.UseFallback):
        doc.page(0)


def test_metadata_strings_in_every_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    c = Canvas().page()
    c.text(72, 72, "正文")
    data = c.pdf(
        {
            "Title": "某某县2023年政府信息公开工作年度报告".encode("gb18030"),
            "Author": "作者".encode(),
            "Subject": b"\xff\xfe" + "主题".encode("utf-16-le"),
            "Creator": b"Writer \x80 1.0",  # PDFDocEncoding: a bullet
            "Producer": b"\xfe\xff" + "生成器".encode("utf-16-be"),
        }
    )
    expected = {
        "page_title": "某某县2023年政府信息公开工作年度报告",
        "author": "作者",
        "subject": "主题",
        "creator": "Writer • 1.0",
        "producer": "生成器",
        "pages": 1,
    }
    assert _with(monkeypatch, "pdfium", data).properties == expected
    assert _with(monkeypatch, "pdfplumber", data).properties == expected
