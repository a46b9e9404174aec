"""PDF pages OCR reads: pages without a usable text layer (EXT-008: scans, text turned to
outlines, fonts without a Unicode map) and pictures of tables on pages that have text (EXT-005).
With `always`, every page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ...document import Document
from ...limits import limits
from ...model import ExtractionNote
from ..pdf.layout import page_list
from . import OcrMode, needs_engine, read_note
from .raster import PageImage, crop, render_pdf_pages
from .read import OcrResult, merge_blocks, read_images

_NOTHING = "；OCR 文字识别也未能从这些页面识别出文字"


def ocr_pdf(document: Document, data: bytes, mode: OcrMode) -> Document:
    n_pages = min(int(document.properties.get("pages") or 0), limits().max_pdf_pages)
    text_notes = [n for n in document.notes if n.rule == "EXT-008" and n.data.get("pages")]
    picture_notes = [
        n for n in document.notes if n.rule == "EXT-005" and n.data.get("page") and n.loc and n.loc.bbox
    ]
    if mode == "always":
        pages = list(range(1, n_pages + 1))
    else:
        pages = sorted({p for n in text_notes for p in n.data["pages"]})
    if not pages and not picture_notes:
        return document
    if (hinted := needs_engine(document, text_notes + picture_notes)) is not None:
        return hinted
    path = document.path
    whole = mode == "always" or any(n.severity == "error" for n in text_notes)
    if whole:
        pages = list(range(1, n_pages + 1)) or pages
    result = read_images(render_pdf_pages(data, pages), path)
    if pages and not result.chars:
        # nothing read: the reader's findings stand, saying that OCR found nothing either
        said = set(map(id, text_notes))
        return replace(
            document,
            notes=tuple(
                replace(n, message=n.message + _NOTHING) if id(n) in said else n for n in document.notes
            ),
        )
    dropped = set(map(id, text_notes))
    notes: list[ExtractionNote] = list(result.notes)
    if whole:
        blocks = result.blocks
        # the text layer's own notes about its tables and images no longer apply
        dropped |= {id(n) for n in document.notes if n.rule in ("EXT-005", "EXT-006")}
    else:
        blocks = merge_blocks(document.blocks, result.blocks)
        if picture_notes:
            pictures = _picture_tables(data, picture_notes, path)
            if pictures.chars:
                blocks = merge_blocks(blocks, pictures.blocks)
                dropped |= set(map(id, picture_notes))
                notes += pictures.notes
                notes.append(
                    read_note(
                        path,
                        f"第 {page_list(list(pictures.pages))} 页的表格图片",
                        list(pictures.pages),
                        pictures.chars,
                    )
                )
    if result.pages:
        notes.append(
            read_note(path, f"第 {page_list(list(result.pages))} 页", list(result.pages), result.chars)
        )
    kept = [n for n in document.notes if id(n) not in dropped]
    return replace(document, blocks=tuple(blocks), notes=(*kept, *notes))


def _picture_tables(data: bytes, notes: list[ExtractionNote], path: str | None) -> OcrResult:
    by_page: dict[int, list[tuple[float, float, float, float]]] = {}
    for n in notes:
        assert n.loc is not None and n.loc.bbox is not None
        by_page.setdefault(int(n.data["page"]), []).append(n.loc.bbox)

    def images() -> Iterator[PageImage]:
        for page in render_pdf_pages(data, sorted(by_page)):
            for box in by_page[page.number]:
                yield crop(page, box)

    return read_images(images(), path, headers=False)
