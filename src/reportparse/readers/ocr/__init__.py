"""OCR for what a reader found but could not read: scanned and garbled PDF pages, and tables
published as pictures (docs/formats/ocr.md).

`apply_ocr` is the one hook, called by `read_document` after the format's reader: it looks at
the reader's notes (EXT-008: a page without a usable text layer; EXT-005: a table that is only
a picture), OCRs those pages or pictures and puts the result where the reader's blocks are, as
the same `Paragraph` and `Table` blocks, so finding sections and mapping tables is shared.

Modes: `never`; `auto` (the default: only what the text layer does not give); `always` (every
page of a PDF read from its image, the text layer ignored). Without the `ocr` extra the
reader's findings stay as they are, with a hint saying how to install it.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Literal

from ...document import Document
from ...extraction import problem
from ...limits import limits
from ...model import ExtractionNote, Loc

OcrMode = Literal["never", "auto", "always"]
OCR_MODES: tuple[OcrMode, ...] = ("never", "auto", "always")
ENV_VAR = "REPORTPARSE_OCR"
ENGINE_PACKAGE = "rapidocr_onnxruntime"  # the `ocr` extra; numpy and Pillow come with it
INSTALL_HINT = "pip install 'reportparse[ocr]'"
_HINT = f"（安装 OCR 扩展后可识别：{INSTALL_HINT}）"


def ocr_mode(value: str | None = None) -> OcrMode:
    """The mode asked for, else REPORTPARSE_OCR, else `auto`. An unknown value is a ValueError."""
    chosen = value if value is not None else os.environ.get(ENV_VAR) or "auto"
    for mode in OCR_MODES:
        if chosen == mode:
            return mode
    raise ValueError(f"OCR 模式「{chosen}」无效（可用：never、auto、always）")


# Called as OCR starts on each page or picture: `check` sets it to lengthen the file's time limit
# by `limits().ocr_page_s` (batch/pool.py); None elsewhere
on_page: Callable[[], None] | None = None


def page_started() -> None:
    if on_page is not None:
        on_page()


@cache
def available() -> bool:
    """Whether the OCR engine is installed (the `ocr` extra)."""
    return importlib.util.find_spec(ENGINE_PACKAGE) is not None


def apply_ocr(document: Document, data: bytes, mode: OcrMode) -> Document:
    """The document with what OCR reads added (see the module docstring)."""
    if mode == "never":
        return document
    if document.format == "pdf":
        from .scans import ocr_pdf

        return ocr_pdf(document, data, mode)
    if document.format in ("docx", "html"):
        from .pictures import ocr_pictures

        return ocr_pictures(document, data, mode)
    return document


def needs_engine(document: Document, notes: list[ExtractionNote]) -> Document | None:
    """None when the engine is installed; else the document with a hint on the notes of what
    OCR would have read."""
    if available():
        return None
    hinted = tuple(
        replace(n, message=n.message + _HINT) if any(n is m for m in notes) else n for n in document.notes
    )
    return replace(document, notes=hinted)


def read_note(path: str | None, what: str, pages: list[int], chars: int) -> ExtractionNote:
    """EXT-014: said on every report whose text was read by OCR, so no one mistakes it for a
    printed text layer."""
    return problem(
        "EXT-014",
        f"{what}经 OCR 文字识别读取（{chars} 个字符）；识别可能有误，置信度低的单元格未采用",
        loc=Loc(file=path),
        pages=pages,
        chars=chars,
        max_pages=limits().max_pdf_pages,
    )
