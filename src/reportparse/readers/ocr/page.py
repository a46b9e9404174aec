"""A page image read by OCR, into the PDF reader's page objects.

The characters OCR finds (each with its box and confidence) and the ruling lines found in the
image become what `readers/pdf/page.read_page` reads of a PDF page: pdfplumber-style `chars`
and `lines` in points from the top-left corner. From there a scan goes the PDF reader's one way:
ruled tables with their spans, tables stitched over page breaks, lines into paragraphs, page
headers and numbers dropped. Only what OCR adds is kept here: each character's confidence and
where the page has ink, which `cells` uses to tell a blank cell from one OCR could not read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..pdf.objects import PageContent
from ..pdf.page import read_page
from .engine import OcrChar, recognize
from .raster import PageImage
from .rulings import INK, Stroke, find_strokes

# An OCR box is a little taller than the type it holds; the PDF reader groups lines and finds
# column gaps by font size
_SIZE_OF_BOX = 0.8


@dataclass(frozen=True)
class ScannedPage:
    """What OCR read on one page, in points: its characters and where it has ink."""

    number: int
    origin: tuple[float, float]  # the image's top-left corner on the page, points
    chars: tuple[OcrChar, ...]  # boxes in points
    ink: np.ndarray  # packed bits of the ink mask at `scale` pixels per point
    shape: tuple[int, int]
    scale: float

    def contains(self, x: float, y: float) -> bool:
        ox, oy = self.origin
        return ox <= x <= ox + self.shape[1] / self.scale and oy <= y <= oy + self.shape[0] / self.scale

    def has_ink(self, box: tuple[float, float, float, float], margin: float = 2.5) -> bool:
        """Whether a box (points) holds marks inside its border lines (`margin` points in)."""
        s = self.scale
        ox, oy = self.origin
        x0, top, x1, bottom = (round(v * s) for v in (box[0] - ox, box[1] - oy, box[2] - ox, box[3] - oy))
        m = round(margin * s)
        rows = slice(max(0, top + m), max(0, bottom - m))
        cols = slice(max(0, x0 + m), max(0, x1 - m))
        mask = np.unpackbits(self.ink[rows], axis=1, count=self.shape[1]).astype(bool)[:, cols]
        if mask.size == 0:
            return False
        # a digit's strokes fill a few rows; isolated specks of noise do not
        return int(mask.sum()) >= max(10, round(0.003 * mask.size)) and int(mask.any(axis=1).sum()) >= round(
            3 * s
        )


def _scale_of(chars: list[OcrChar]) -> float:
    """Pixels per point of a picture, from the height of the Chinese characters OCR read in it:
    a table is set at about 10.5 pt (五号), and its boxes are about a fifth taller."""
    heights = sorted(c.bottom - c.top for c in chars if not c.text.isascii())
    if not heights:
        return 200 / 72
    return max(0.5, heights[len(heights) // 2] / (1.2 * 10.5))


def _outside_text(strokes: list[Stroke], chars: list[OcrChar]) -> list[Stroke]:
    """Vertical strokes with the stretches that run through a line of text OCR read as one taken
    out: no ruling runs through the middle of a line of text, but the strokes of its characters, run
    together with the rulings above and below, can look like one (a vertical 'ruling' through
    the middle of 规章)."""
    boxes: dict[int, list[float]] = {}
    for c in chars:
        b = boxes.setdefault(c.line, [c.x0, c.top, c.x1, c.bottom])
        b[0], b[1], b[2], b[3] = min(b[0], c.x0), min(b[1], c.top), max(b[2], c.x1), max(b[3], c.bottom)
    out: list[Stroke] = []
    for st in strokes:
        if st.orient == "h":  # a box reaches past its text: it may overlap the ruling under it
            out.append(st)
            continue
        cuts = []
        for x0, top, x1, bottom in boxes.values():
            inset = 0.3 * (bottom - top)  # a third of a character inside the line, not at its ends
            if x0 + inset < st.pos < x1 - inset and top + inset < st.end and st.start < bottom - inset:
                cuts.append((top + inset, bottom - inset))
        out += _cut(st, sorted(cuts))
    return out


def _cut(st: Stroke, cuts: list[tuple[float, float]]) -> list[Stroke]:
    pieces: list[Stroke] = []
    start = st.start
    for a, b in cuts:
        if a > start:
            pieces.append(replace(st, start=start, end=min(a, st.end)))
        start = max(start, b)
    if start < st.end:
        pieces.append(replace(st, start=start))
    return [p for p in pieces if p.end - p.start > 0]


def _without_text(gray: np.ndarray, chars: list[OcrChar]) -> np.ndarray:
    """The image with the characters OCR read painted white (their boxes a little shrunk, so a
    ruling the text touches stays): strokes of characters then neither pass for rulings nor
    bridge the gap between a ruling's end and the next ruling."""
    out = gray.copy()
    for c in chars:
        dx, dy = 0.15 * (c.x1 - c.x0), 0.15 * (c.bottom - c.top)
        out[round(c.top + dy) : round(c.bottom - dy), round(c.x0 + dx) : round(c.x1 - dx)] = 255
    return out


class _PageObjects:
    """The attributes of a pdfplumber page that `read_page` reads."""

    def __init__(
        self,
        number: int,
        width: float,
        height: float,
        chars: list[dict[str, Any]],
        lines: list[dict[str, Any]],
    ) -> None:
        self.page_number = number
        self.width = width
        self.height = height
        self.chars = chars
        self.lines = lines
        self.rects: list[dict[str, Any]] = []
        self.curves: list[dict[str, Any]] = []
        self.images: list[dict[str, Any]] = []


def read_scanned(image: PageImage) -> tuple[PageContent, ScannedPage]:
    """OCR one page image: the PDF reader's page content and what OCR adds to it."""
    ox, oy = image.origin
    found = recognize(image.gray)
    s = image.scale or _scale_of(found)
    chars = tuple(
        replace(c, x0=ox + c.x0 / s, top=oy + c.top / s, x1=ox + c.x1 / s, bottom=oy + c.bottom / s)
        for c in found
    )
    char_objects = [
        {
            "text": c.text,
            "x0": c.x0,
            "x1": c.x1,
            "top": c.top,
            "bottom": c.bottom,
            "size": _SIZE_OF_BOX * (c.bottom - c.top),
            "upright": True,
        }
        for c in chars
    ]
    line_objects = []
    for st in _outside_text(find_strokes(_without_text(image.gray, found), s), found):
        if st.orient == "h":
            box = (ox + st.start / s, oy + st.pos / s, ox + st.end / s, oy + st.pos / s)
        else:
            box = (ox + st.pos / s, oy + st.start / s, ox + st.pos / s, oy + st.end / s)
        line_objects.append(
            {"x0": box[0], "top": box[1], "x1": box[2], "bottom": box[3], "stroking_color": (0.0,)}
        )
    height, width = image.gray.shape
    objects = _PageObjects(image.number, ox + width / s, oy + height / s, char_objects, line_objects)
    content = read_page(objects)
    ink = np.packbits(image.gray < INK, axis=1)
    return content, ScannedPage(image.number, image.origin, chars, ink, (height, width), s)
