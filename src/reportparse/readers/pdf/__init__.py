"""PDF reader: narrative in reading order and ruled tables with true row/column spans.

Each page is parsed once (pdfplumber's char, line, rect and image objects) and closed right
away. Two engines give those objects: PDFium (`engine`, the default, ~3x faster) and
pdfplumber, which also reads whatever PDFium cannot open, or would have to guess at, and
re-reads a text layer PDFium finds garbled (`REPORTPARSE_PDF_ENGINE=pdfplumber|pdfium`
chooses). Everything after the page objects is one code path. Ruled tables are rebuilt from
the ruling lines (`tables`), not from pdfplumber's `extract_tables`, so merged cells get their
real spans (`page`); a table that runs on over a page break is stitched back together
(`stitch`). Text outside tables becomes paragraphs (`layout`): page headers, footers and page
numbers dropped, wrapped lines re-joined, the spaces a PDF leaves between Chinese and digits
removed, wide gaps in unruled tables kept as tabs.

Problems are reported, not hidden: garbled or missing text layer (EXT-008), encryption
(EXT-002), unreadable file (EXT-001), more pages than we read (EXT-003), a table that is only
an image (EXT-005), a table whose structure is uncertain (EXT-006).
"""

from __future__ import annotations

import contextlib
import logging
import statistics
import struct
import zlib
from typing import Any

from pdfminer.pdfexceptions import PDFException
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import PdfminerException

from ...document import Document
from ...extraction import problem, repair
from ...limits import limits
from ...model import ExtractionNote, Loc
from .. import ReadError
from . import engine as pdf_engine
from .encoded import encoded_chars
from .guard import inflated_size
from .layout import (
    BAD_RATIO,
    build_blocks,
    drop_headers_footers,
    image_table_notes,
    page_items,
    page_list,
    table_notes,
    text_layer_notes,
)
from .meta import INFO_KEYS, is_encryption, metadata, metadata_from, open_pdf, open_problem
from .objects import PageContent
from .page import glyphs_of, read_page
from .stitch import stitch_tables

# what pdfminer raises on a damaged page (bad content stream, broken object, bad compression)
_DAMAGED = (
    PSException,
    PDFException,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    AssertionError,
    struct.error,
    zlib.error,
)


def read(data: bytes, path: str | None) -> Document:
    # pdfminer logs a warning per odd font (missing FontBBox, …); our notes say what matters.
    quiet = logging.getLogger("pdfminer")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        return _read(data, path)
    finally:
        quiet.setLevel(level)


def _read(data: bytes, path: str | None) -> Document:
    cap = limits().max_inflated_bytes
    if inflated_size(data, cap) > cap:
        raise ReadError(
            problem(
                "EXT-003",
                f"PDF 的压缩数据解压后超过 {limits().max_inflated_mb:g} MB（疑似压缩炸弹），未读取"
                "（可用环境变量 REPORTPARSE_MAX_INFLATED_MB 调整）",
                loc=Loc(file=path),
                limit=cap,
            )
        )
    if pdf_engine.engine() == "pdfium":
        try:
            return _read_pdfium(data, path)
        except pdf_engine.UseFallback:
            pass  # PDFium cannot open it (or would guess): pdfminer repairs or explains
    return _read_plumber(data, path)


def _read_pdfium(data: bytes, path: str | None) -> Document:
    loc = Loc(file=path)
    try:
        doc = pdf_engine.PdfiumDocument(data)
    except pdf_engine.PasswordRequired as err:
        raise ReadError(problem("EXT-002", "PDF 已加密，需要密码才能打开", loc=loc)) from err
    pages: list[PageContent] = []
    failed: list[int] = []
    by_encoding = _PlumberPages(data)
    with doc, by_encoding:
        n = len(doc)
        if not n:
            raise pdf_engine.UseFallback("no pages")
        properties = metadata_from(doc.info(tuple(key for key, _ in INFO_KEYS)))
        properties["pages"] = n
        notes = _page_limit_notes(n, loc)
        for index in range(min(n, limits().max_pdf_pages)):
            try:
                page = doc.page(index)
            except pdf_engine.PageError:
                failed.append(index + 1)
                continue
            content = by_encoding.read(page) if page.lost_text else None
            pages.append(content or read_page(page, page.glyphs))
    total, bad = sum(p.n_glyphs for p in pages), sum(p.n_bad for p in pages)
    if total and bad / total >= BAD_RATIO:
        # Glyphs without a ToUnicode map: pdfminer falls back on an embedded TrueType font's
        # own cmap, PDFium does not. Let pdfminer try; it reports the same note if it fails too.
        raise pdf_engine.UseFallback("garbled text layer")
    return _assemble(data, path, properties, pages, failed, notes + by_encoding.notes(loc))


class _PlumberPages:
    """Pages PDFium cannot be trusted to read whole (text in a font neither embedded nor
    installed: `PdfiumPage.lost_text`): their characters are read again by pdfminer, which maps
    each glyph through the file's own ToUnicode map or CMap (`encoded`); their paths and images,
    and the rest of the document, stay with PDFium."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pdf: Any = None
        self.reread: list[int] = []
        self.kept: list[int] = []

    def __enter__(self) -> _PlumberPages:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pdf is not None:
            with contextlib.suppress(PdfminerException, *_DAMAGED):
                self.pdf.close()

    def read(self, pdfium_page: pdf_engine.PdfiumPage) -> PageContent | None:
        number = pdfium_page.page_number
        try:
            if self.pdf is None:
                self.pdf = open_pdf(self.data, None)
            page = self.pdf.pages[number - 1]
            try:
                chars = encoded_chars(page)
            finally:
                page.close()
        except (ReadError, PdfminerException, *_DAMAGED):
            self.kept.append(number)  # pdfminer cannot parse it: PDFium's reading, said so
            return None
        self.reread.append(number)
        return read_page(pdfium_page, glyphs_of(chars))

    def notes(self, loc: Loc) -> list[ExtractionNote]:
        out = []
        if self.reread:
            out.append(
                repair(
                    "pdf-fonts",
                    f"第 {page_list(self.reread)} 页所用字体未嵌入 PDF、本机也没有：这些页的文字按文件自身的"
                    "字符编码（ToUnicode/CMap）读取",
                    loc=loc,
                    pages=self.reread,
                )
            )
        if self.kept:
            out.append(
                problem(
                    "EXT-008",
                    f"第 {page_list(self.kept)} 页所用字体未嵌入 PDF、本机也没有，且该页无法按文件自身的编码"
                    "读取：单独排列的字符（如竖排文字）可能缺失",
                    loc=loc,
                    severity="warning",
                    pages=self.kept,
                )
            )
        return out


def _read_plumber(data: bytes, path: str | None) -> Document:
    loc = Loc(file=path)
    pdf = open_pdf(data, path)
    notes: list[ExtractionNote] = []
    pages: list[PageContent] = []
    failed: list[int] = []
    try:
        properties = metadata(pdf)
        try:
            all_pages = pdf.pages
        except PdfminerException as err:
            raise ReadError(open_problem(err, path)) from err
        except _DAMAGED as err:  # e.g. a page without a usable MediaBox
            raise ReadError(
                problem("EXT-001", f"PDF 页面树损坏（{type(err).__name__}），无法解析页面", loc=loc)
            ) from err
        properties["pages"] = len(all_pages)
        if not all_pages:
            raise ReadError(problem("EXT-001", "PDF 文件中没有可读取的页面（文件损坏或被截断）", loc=loc))
        notes += _page_limit_notes(len(all_pages), loc)
        for page in all_pages[: limits().max_pdf_pages]:
            try:
                pages.append(read_page(page))
            except PdfminerException as err:
                if is_encryption(err):
                    raise ReadError(open_problem(err, path)) from err
                failed.append(page.page_number)
            except _DAMAGED:
                failed.append(page.page_number)  # pdfminer on a damaged content stream
            finally:
                page.close()
    finally:
        with contextlib.suppress(PdfminerException, *_DAMAGED):
            pdf.close()  # walks the page tree again: may fail the same way
    return _assemble(data, path, properties, pages, failed, notes)


def _page_limit_notes(n_pages: int, loc: Loc) -> list[ExtractionNote]:
    if n_pages <= limits().max_pdf_pages:
        return []
    return [
        problem(
            "EXT-003",
            f"PDF 共 {n_pages} 页，超过 {limits().max_pdf_pages} 页的处理上限，仅读取前 {limits().max_pdf_pages} 页",
            loc=loc,
            pages=n_pages,
            limit=limits().max_pdf_pages,
        )
    ]


def _assemble(
    data: bytes,
    path: str | None,
    properties: dict[str, Any],
    pages: list[PageContent],
    failed: list[int],
    notes: list[ExtractionNote],
) -> Document:
    """From the pages read (by either engine) to the Document: notes, narrative, tables."""
    loc = Loc(file=path)
    if not pages:
        raise ReadError(
            problem("EXT-001", f"PDF 的全部 {len(failed)} 页均无法解析（文件损坏）", loc=loc, pages=failed)
        )
    if failed:
        notes.append(
            problem("EXT-010", f"第 {page_list(failed)} 页无法解析，内容不完整", loc=loc, pages=failed)
        )
    if b"%%EOF" not in data.rstrip(b"\x00 \t\r\n")[-32768:]:
        notes.append(
            problem("EXT-010", "PDF 文件末尾缺少 %%EOF 标记，文件可能被截断，内容可能不完整", loc=loc)
        )
    notes += text_layer_notes(pages, path)
    drop_headers_footers(pages)
    items = stitch_tables([item for p in pages for item in page_items(p)])
    blocks, tables = build_blocks(items, statistics.median(p.width for p in pages), path)
    notes += table_notes(tables, path)
    notes += image_table_notes(items, path)
    return Document(tuple(blocks), "pdf", path, None, properties, tuple(notes))
