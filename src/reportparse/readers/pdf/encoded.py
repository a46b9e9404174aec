"""A page's characters as pdfminer reads them from the file's own encoding (ToUnicode map or
CMap), without its paths and images.

A page in a font neither embedded nor installed loses characters under PDFium (`engine`,
*Fonts the machine lacks*), so its characters are read again by pdfminer. Its ruling lines,
rectangles, curves and images do not depend on fonts: PDFium's are kept. pdfminer's layout
device builds an object for every path it paints and pdfplumber then copies every attribute of
every object into a dict; `CharsOnly` keeps pdfminer's characters (`LTChar`, so boxes, sizes
and matrices are pdfminer's own) and drops paths and images as they come, and `encoded_chars`
gives them the keys and coordinates pdfplumber's `page.chars` gives (`page.read_page` reads
them the same way).
"""

from __future__ import annotations

from typing import Any

from pdfminer.converter import PDFLayoutAnalyzer
from pdfminer.layout import LTChar, LTContainer, LTItem, LTPage
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfplumber.utils.exceptions import PdfminerException


class CharsOnly(PDFLayoutAnalyzer):
    """pdfminer's layout device (no layout analysis) that paints no paths and renders no
    images: a page's characters, in the order they are drawn (form XObjects as `LTFigure`s)."""

    def __init__(self, rsrcmgr: PDFResourceManager) -> None:
        super().__init__(rsrcmgr, pageno=1, laparams=None)
        self.result: LTPage | None = None

    def paint_path(self, *args: Any, **kwargs: Any) -> None:
        """Ruling lines and boxes come from PDFium."""

    def render_image(self, *args: Any, **kwargs: Any) -> None:
        """Images come from PDFium."""

    def receive_layout(self, ltpage: LTPage) -> None:
        self.result = ltpage


def encoded_chars(page: Any) -> list[dict[str, Any]]:
    """The characters of a pdfplumber `Page`, with the values of pdfplumber's `page.chars` for
    the keys the reader uses (text, x0, x1, top, bottom, size, upright, matrix). pdfminer's
    errors are raised as pdfplumber raises them (`PdfminerException`)."""
    device = CharsOnly(page.pdf.rsrcmgr)
    try:
        PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    except Exception as err:  # as pdfplumber's `Page.layout`: any pdfminer failure
        raise PdfminerException(err) from err
    out: list[dict[str, Any]] = []
    if device.result is None:
        return out
    # pdfplumber's `process_object`: flipped to `top`/`bottom`, offset by the MediaBox origin
    mb_x0, mb_top = page.mediabox[:2]
    height = page.height
    for ch in _chars(device.result):
        x0, x1 = ch.x0, ch.x1
        if mb_x0 != 0:
            x0, x1 = x0 + mb_x0, x1 + mb_x0
        out.append(
            {
                "text": ch.get_text(),
                "x0": x0,
                "x1": x1,
                "top": (height - ch.y1) + mb_top,
                "bottom": (height - ch.y0) + mb_top,
                "size": ch.size,
                "upright": ch.upright,
                "matrix": ch.matrix,
            }
        )
    return out


def _chars(container: LTContainer[Any]) -> list[LTChar]:
    """Characters in pdfplumber's order: each container's objects in turn, depth first."""
    out: list[LTChar] = []
    stack: list[Any] = [iter(container)]
    while stack:
        item: LTItem | None = next(stack[-1], None)
        if item is None:
            stack.pop()
        elif isinstance(item, LTChar):
            out.append(item)
        elif isinstance(item, LTContainer):
            stack.append(iter(item))
    return out
