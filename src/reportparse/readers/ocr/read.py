"""Page images to `Document` blocks through the PDF reader's own layout: the OCR'd pages are
assembled as a PDF's pages are (page headers dropped, tables stitched over page breaks, lines
into paragraphs), then each table cell gets what OCR adds (`cells.annotate`)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from ...document import Block, Table
from ...extraction import repair
from ...model import ExtractionNote, Loc
from ..pdf.layout import MARGIN_ZONE, build_blocks, drop_headers_footers, page_items, table_notes
from ..pdf.objects import PageContent, TextLine
from ..pdf.stitch import stitch_tables
from . import page_started
from .cells import annotate
from .page import ScannedPage, read_scanned
from .raster import PageImage


@dataclass(frozen=True)
class OcrResult:
    blocks: tuple[Block, ...]
    notes: tuple[ExtractionNote, ...]
    pages: tuple[int, ...]  # the pages read
    chars: int  # characters recognised


def read_images(images: Iterable[PageImage], path: str | None, *, headers: bool = True) -> OcrResult:
    """OCR the images (pages in order) into blocks. `headers`: drop running page headers and
    page numbers (whole pages; not for a picture of a table)."""
    contents = []
    scans: list[ScannedPage] = []
    for image in images:
        page_started()
        content, scan = read_scanned(image)
        contents.append(content)
        scans.append(scan)
    if not contents:
        return OcrResult((), (), (), 0)
    if headers:
        _same_running_lines(contents)
        drop_headers_footers(contents)
    items = stitch_tables([item for p in contents for item in page_items(p)])
    blocks, tables = build_blocks(items, statistics.median(p.width for p in contents), path)
    notes: list[ExtractionNote] = list(table_notes(tables, path))
    out: list[Block] = []
    fixed = 0
    for block in blocks:
        if isinstance(block, Table):
            block, n = annotate(block, scans)
            fixed += n
        out.append(block)
    if fixed:
        notes.append(
            repair(
                "ocr-lookalikes",
                f"表格中 {fixed} 个被 OCR 识别为字母或形近字的数字已按数字读取",
                loc=Loc(file=path),
                count=fixed,
            )
        )
    return OcrResult(
        tuple(out), tuple(notes), tuple(s.number for s in scans), sum(len(s.chars) for s in scans)
    )


def _same_running_lines(pages: Sequence[PageContent]) -> None:
    """OCR reads a running header a little differently from page to page (`（页眉）`, `(页眉)`):
    lines in the top or bottom margin at the same height that are nearly the same text get one
    text, so the PDF reader's header and footer removal sees them repeat."""
    seen: list[TextLine] = []
    for page in pages:
        zone = MARGIN_ZONE * page.height
        for i, line in enumerate(page.lines):
            if zone < line.top < page.height - zone:
                continue
            like = next(
                (
                    t
                    for t in seen
                    if abs(t.top - line.top) <= 6 and SequenceMatcher(None, t.text, line.text).ratio() >= 0.8
                ),
                None,
            )
            if like is None:
                seen.append(line)
            elif like.text != line.text:
                page.lines[i] = replace(line, text=like.text)


def merge_blocks(old: Sequence[Block], new: Sequence[Block], *, by_line: bool = False) -> tuple[Block, ...]:
    """Blocks of OCR'd pages or pictures put among the blocks already read: by page and height
    (PDF), or by source line (a web page)."""
    key = _line_key if by_line else _page_key
    out = list(old)
    for block in new:
        k = key(block)
        at = next((i for i, b in enumerate(out) if key(b) > k), len(out))
        out.insert(at, block)
    return tuple(out)


def _page_key(block: Block) -> tuple[float, float]:
    bbox = block.loc.bbox
    return (block.loc.page or 0, bbox[1] if bbox else 0.0)


def _line_key(block: Block) -> tuple[float, float]:
    return (block.loc.line or 0, 0.0)
