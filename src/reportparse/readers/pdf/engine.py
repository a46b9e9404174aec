"""PDF page content from PDFium (pypdfium2), in the shape pdfplumber gives it.

`page.py` reads a page as pdfplumber's object lists: `chars`, `lines`, `rects`, `curves`,
`images`, plus `width`, `height` and `page_number`. pdfminer (under pdfplumber) parses content
streams in pure Python, which is nearly all of the reader's time; PDFium parses them in C++.
`PdfiumPage` carries the same lists, built from PDFium's text page and page objects, except
that its characters come as the reader's `Glyph`s (`pdfium_chars`), built directly with the
values `page.glyphs_of` makes of pdfplumber's `chars`; so the table and paragraph logic
downstream is one code path for both engines.

What is reproduced from pdfminer/pdfplumber, and how:

- **Coordinates**: x from the left, `top`/`bottom` from the top, in points, after the page's
  `/Rotate` (pdfminer's device matrix, then pdfplumber's flip and MediaBox offset).
- **Characters**: PDFium's loose character box gives x0/x1 and the descent line; the box is
  one font size tall from there (pdfminer's box). `size` is the font size times the text
  matrix scale. Characters PDFium makes up (spaces, line breaks) are skipped: pdfminer has
  none. A glyph PDFium could not map to Unicode becomes `(cid:N)` as in pdfminer, so the
  garbled-text check counts it the same way. `upright` is pdfminer's test on the char matrix.
- **Paths**: each path object is split into subpaths at each move; a subpath is a line
  (`m l`), a rectangle (four axis-parallel sides, closed) or a curve (its on-curve points),
  with pdfminer's exact rules; `stroke`/`fill` from the draw mode; colours as RGB 0–1. Paths
  that are neither stroked nor filled (clipping paths) are not painted, so not listed.
- **Images**: the unit square through the image matrix. Form XObjects are walked with their
  matrices combined.
- **Fonts the machine lacks**: PDFium measures a glyph from the font program, which for a font
  not embedded in the file is whatever the machine has installed (it scans /usr/share/fonts,
  /usr/local/share/fonts and /usr/share/X11/fonts itself, not fontconfig). Without a matching
  font a glyph has no box, and its text page silently drops a text object of zero width — a
  character set on its own, as vertical or spread-out text is. `lost_text` marks such a page:
  the reader then takes that page from pdfminer, which maps glyphs through the file's own
  ToUnicode map or CMap and never needs the font program.

pypdfium2 is not thread-safe: use processes (the batch engine does). Documents, pages and text
pages are closed deterministically.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from io import BytesIO
from typing import Any

from .geometry import IDENTITY, Matrix, PageFrame, compose
from .objects import Glyph
from .pdfium_chars import page_glyphs
from .pdfium_raw import address, addresses, call

try:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]
    import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - pdfplumber still reads everything
    pdfium = None
    pdfium_c = None

# the PDFium calls this module needs (FPDFText_HasUnicodeMapError is the youngest, 2023)
_NEEDED = (
    "FPDFText_HasUnicodeMapError",
    "FPDFText_GetLooseCharBox",
    "FPDFText_GetMatrix",
    "FPDFText_IsGenerated",
    "FPDFText_GetTextObject",
    "FPDFPath_GetPathSegment",
    "FPDFFormObj_GetObject",
    "FPDF_GetPageBoundingBox",
    "FPDFFont_GetIsEmbedded",
)
AVAILABLE = pdfium_c is not None and all(hasattr(pdfium_c, name) for name in _NEEDED)

ENV_VAR = "REPORTPARSE_PDF_ENGINE"
ENGINES = ("pdfium", "pdfplumber")
DEFAULT_ENGINE = "pdfium"
MAX_FORM_DEPTH = 12  # nested form XObjects walked (PDFium itself stops deeper)
MAX_PATH_POINTS = 200_000  # path points read per page; beyond that the page is a drawing
LETTER = (0.0, 0.0, 612.0, 792.0)  # PDFium's stand-in when a page has no usable MediaBox


def engine() -> str:
    """The engine to use: `REPORTPARSE_PDF_ENGINE` if set to a known one, else the default;
    pdfplumber whenever pypdfium2 is missing or too old."""
    wanted = os.environ.get(ENV_VAR, "").strip().lower() or DEFAULT_ENGINE
    if wanted not in ENGINES:
        wanted = DEFAULT_ENGINE
    if wanted == "pdfium" and not AVAILABLE:
        return "pdfplumber"
    return wanted


class PasswordRequired(Exception):
    """The PDF is encrypted with a user password."""


class UseFallback(Exception):
    """PDFium cannot read this file, or would have to guess: pdfplumber reads it instead (it
    repairs some damage PDFium does not, and reports the rest with pdfminer's reason)."""


class PageError(Exception):
    """PDFium could not load one page."""


# --- pages ------------------------------------------------------------------------------------


@dataclass
class PdfiumPage:
    """One page's objects with pdfplumber's names and keys (what `page.read_page` reads), its
    characters as the reader's glyphs."""

    page_number: int
    width: float
    height: float
    rotation: int = 0
    glyphs: list[Glyph] = field(default_factory=list)  # `pdfium_chars`: built directly
    lines: list[dict[str, Any]] = field(default_factory=list)
    rects: list[dict[str, Any]] = field(default_factory=list)
    curves: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    lost_text: bool = False  # text in a font PDFium could not measure may be missing

    def close(self) -> None:
        """Nothing to release: PDFium's page is closed as soon as its objects are read."""


def _unmeasured(obj: int, bounds: tuple[Any, ...], embedded: dict[int | None, bool]) -> bool:
    """A text object PDFium's text page leaves out: no width (its glyphs have no box, 0.01 is
    PDFium's own cut-off) in a font the file does not embed. (A lone space has no width either;
    taking such a page from pdfminer costs time, never text.) The width is asked first: most
    objects have one, and then their font need not be looked up; `embedded` caches each font's
    answer for the document. `bounds`: four float buffers, then their addresses."""
    left, _, right, _ = bounds[:4]
    if not call("FPDFPageObj_GetBounds")(obj, *bounds[4:]) or abs(right.value - left.value) >= 0.01:
        return False
    font = call("FPDFTextObj_GetFont")(obj)
    if font not in embedded:
        embedded[font] = not font or bool(call("FPDFFont_GetIsEmbedded")(font))
    return not embedded[font]


class _Objects:
    """Paths and images of one page, form XObjects walked with their matrices combined. Page
    objects and path segments are handled by address (`pdfium_raw`), out-parameters are buffers
    made once."""

    def __init__(self, frame: PageFrame, embedded: dict[int | None, bool]) -> None:
        self.frame = frame
        self.lines: list[dict[str, Any]] = []
        self.rects: list[dict[str, Any]] = []
        self.curves: list[dict[str, Any]] = []
        self.images: list[dict[str, Any]] = []
        self.points = 0
        self.lost_text = False
        self._m = pdfium_c.FS_MATRIX()
        self._m_at = ctypes.addressof(self._m)
        self._xy = (ctypes.c_float(), ctypes.c_float())
        self._xy_at = addresses(*self._xy)
        bounds = tuple(ctypes.c_float() for _ in range(4))
        self._bounds = (*bounds, *addresses(*bounds))
        self._rgba = tuple(ctypes.c_uint() for _ in range(4))
        self._rgba_at = addresses(*self._rgba)
        self._mode = (ctypes.c_int(), ctypes.c_int())  # fill mode, stroke flag
        self._mode_at = addresses(*self._mode)
        self._embedded = embedded

    def _matrix(self, obj: int) -> Matrix:
        m = self._m
        if not call("FPDFPageObj_GetMatrix")(obj, self._m_at):
            return IDENTITY
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def _color(self, getter: str, obj: int) -> tuple[float, ...] | None:
        if not call(getter)(obj, *self._rgba_at):
            return None
        r, g, b, _ = self._rgba
        return (r.value / 255, g.value / 255, b.value / 255)

    def walk(self, count: int, get: Callable[[int], int | None], parent: Matrix, depth: int) -> None:
        c = pdfium_c
        get_type = call("FPDFPageObj_GetType")
        for i in range(count):
            obj = get(i)
            if not obj:
                continue
            kind = get_type(obj)
            if kind == c.FPDF_PAGEOBJ_PATH:
                self._path(obj, compose(self._matrix(obj), parent))
            elif kind == c.FPDF_PAGEOBJ_IMAGE:
                x0, top, x1, bottom = self.frame.bounds(
                    compose(self._matrix(obj), parent), ((0, 0), (1, 0), (0, 1), (1, 1))
                )
                self.images.append({"x0": x0, "x1": x1, "top": top, "bottom": bottom})
            elif kind == c.FPDF_PAGEOBJ_TEXT and not self.lost_text:
                self.lost_text = _unmeasured(obj, self._bounds, self._embedded)
            elif kind == c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
                inner = compose(self._matrix(obj), parent)
                self.walk(
                    call("FPDFFormObj_CountObjects")(obj),
                    partial(call("FPDFFormObj_GetObject"), obj),
                    inner,
                    depth + 1,
                )

    def _path(self, obj: int, m: Matrix) -> None:
        c = pdfium_c
        n = call("FPDFPath_CountSegments")(obj)
        if n <= 0 or self.points + n > MAX_PATH_POINTS:
            return
        self.points += n
        fill_mode, stroke_flag = self._mode
        if not call("FPDFPath_GetDrawMode")(obj, *self._mode_at):
            return
        fill, stroke = fill_mode.value != c.FPDF_FILLMODE_NONE, bool(stroke_flag.value)
        if not (fill or stroke):
            return  # a clipping path: not painted, so pdfminer never sees it
        style = (
            stroke,
            fill,
            self._color("FPDFPageObj_GetStrokeColor", obj),
            self._color("FPDFPageObj_GetFillColor", obj),
        )
        a, b, cc, d, e, f = compose(m, self.frame.device)
        x, y = self._xy
        x_at, y_at = self._xy_at
        get_segment, get_point, get_type, get_close = (
            call("FPDFPath_GetPathSegment"),
            call("FPDFPathSegment_GetPoint"),
            call("FPDFPathSegment_GetType"),
            call("FPDFPathSegment_GetClose"),
        )
        moveto, bezierto = c.FPDF_SEGMENT_MOVETO, c.FPDF_SEGMENT_BEZIERTO
        subpath: list[tuple[str, float, float]] = []
        bezier = 0
        for k in range(n):
            seg = get_segment(obj, k)
            if not seg or not get_point(seg, x_at, y_at):
                continue
            kind = get_type(seg)
            vx, vy = x.value, y.value
            px, py = a * vx + cc * vy + e, b * vx + d * vy + f  # `apply`, inline
            if kind == moveto:
                self._subpath(subpath, style)
                subpath = [("m", px, py)]
                bezier = 0
                continue
            if not subpath:
                continue  # pdfminer ignores a path not starting with a move
            if kind == bezierto:
                bezier += 1
                if bezier % 3:
                    continue  # control points: pdfminer keeps the end point only
                op = "c"
            else:
                op = "l"
            closes = bool(get_close(seg))
            start = subpath[0]
            if closes and op == "l" and px == start[1] and py == start[2]:
                subpath.append(("h", px, py))  # PDFium spells `h` as a line back to the start
            else:
                subpath.append((op, px, py))
                if closes:
                    subpath.append(("h", start[1], start[2]))
        self._subpath(subpath, style)

    def _subpath(self, path: list[tuple[str, float, float]], style: tuple[Any, ...]) -> None:
        """pdfminer's `paint_path` for one subpath: a line, a rectangle or a curve."""
        if len(path) < 2:
            return
        shape = "".join([op for op, _, _ in path])
        pts = [(px, py) for _, px, py in path]
        if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
            shape = shape[:-2] + "h"  # a redundant line back to the start before the close
            pts.pop(-2)
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        stroke, fill, stroking, non_stroking = style
        obj = {
            "x0": min(xs),
            "x1": max(xs),
            "top": min(ys),
            "bottom": max(ys),
            "stroke": stroke,
            "fill": fill,
            "stroking_color": stroking,
            "non_stroking_color": non_stroking,
        }
        if shape in ("ml", "mlh"):
            self.lines.append(obj)
            return
        if shape in ("mlllh", "mllll"):
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
            square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
                y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
            )
            if pts[0] == pts[4] and square:
                self.rects.append(obj)
                return
        obj["pts"] = pts
        self.curves.append(obj)


# --- documents --------------------------------------------------------------------------------


def _pdfdoc_chars() -> frozenset[str]:
    from pdfminer.utils import PDFDocEncoding

    return frozenset(PDFDocEncoding) | {"\x00"}


class PdfiumDocument:
    """An open PDF. Use as a context manager, or call `close()`."""

    def __init__(self, data: bytes) -> None:
        if not AVAILABLE:
            raise UseFallback("pypdfium2 is not installed or too old")
        self._data = data
        try:
            self._doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as err:
            if getattr(err, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
                raise PasswordRequired(str(err)) from err
            raise UseFallback(str(err)) from err
        self._raw_info: dict[str, Any] | None = None
        self._fonts: dict[int | None, bool] = {}  # font handle -> embedded (PDFium shares them)

    def __enter__(self) -> PdfiumDocument:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._doc.close()

    def __len__(self) -> int:
        return len(self._doc)

    def info(self, keys: tuple[str, ...]) -> dict[str, Any]:
        """Info dictionary strings. PDFium decodes UTF-16 (either byte order) itself; a string
        it could only read as PDFDocEncoding may be GB18030 or UTF-8 bytes, which PDFium does not
        return raw: those are taken from pdfminer's parse of the trailer (no page is parsed)."""
        out: dict[str, Any] = {}
        for key in keys:
            value = self._meta_text(key)
            if value and not value.isascii() and set(value) <= _PDFDOC:
                value = self._raw(key, value)
            if value:
                out[key] = value
        return out

    def _meta_text(self, key: str) -> str:
        get = pdfium_c.FPDF_GetMetaText
        tag = key.encode("ascii")
        size = get(self._doc.raw, tag, None, 0)
        if size <= 2:
            return ""
        buffer = ctypes.create_string_buffer(size)
        get(self._doc.raw, tag, buffer, size)
        # errors="replace": a lone surrogate in a damaged string must not stop the reader
        return buffer.raw[: size - 2].decode("utf-16-le", errors="replace")

    def _raw(self, key: str, fallback: str) -> Any:
        if self._raw_info is None:
            self._raw_info = {}
            try:
                from pdfminer.pdfdocument import PDFDocument
                from pdfminer.pdfparser import PDFParser

                for entry in PDFDocument(PDFParser(BytesIO(self._data))).info:
                    if isinstance(entry, dict):
                        self._raw_info.update(entry)
            except Exception:
                pass  # pdfminer cannot parse what PDFium could: keep PDFium's reading
        return self._raw_info.get(key, fallback)

    def page(self, index: int) -> PdfiumPage:
        """Page `index` (from 0), read and closed again."""
        try:
            page = self._doc[index]
        except pdfium.PdfiumError as err:
            raise PageError(str(err)) from err
        try:
            frame = PageFrame.of(_mediabox(page), page.get_rotation())
            textpage = page.get_textpage()
            try:
                glyphs = page_glyphs(textpage.raw, frame)
            finally:
                textpage.close()
            objects = _Objects(frame, self._fonts)
            raw = page.raw
            objects.walk(
                pdfium_c.FPDFPage_CountObjects(raw),
                partial(call("FPDFPage_GetObject"), address(raw)),
                IDENTITY,
                0,
            )
        except pdfium.PdfiumError as err:
            raise PageError(str(err)) from err
        finally:
            page.close()
        return PdfiumPage(
            index + 1,
            frame.width,
            frame.height,
            frame.rotation,
            glyphs,
            objects.lines,
            objects.rects,
            objects.curves,
            objects.images,
            objects.lost_text,
        )


def _mediabox(page: Any) -> tuple[float, float, float, float]:
    """The page's MediaBox. PDFium reads an inherited one but only reports the page's own;
    the page's bounding box (MediaBox, or CropBox within it) stands in. A page with no usable
    MediaBox gets PDFium's US Letter default, which pdfminer treats as damage: that page (and
    its document) goes to pdfplumber, so both engines report it alike."""
    box = [ctypes.c_float() for _ in range(4)]
    if pdfium_c.FPDFPage_GetMediaBox(page.raw, *box):
        return (box[0].value, box[1].value, box[2].value, box[3].value)
    rect = pdfium_c.FS_RECTF()
    if not pdfium_c.FPDF_GetPageBoundingBox(page.raw, rect):
        raise UseFallback("no page box")
    bbox = (rect.left, rect.bottom, rect.right, rect.top)
    if bbox == LETTER:
        raise UseFallback("page without its own MediaBox at PDFium's default size")
    return bbox


_PDFDOC = _pdfdoc_chars()
