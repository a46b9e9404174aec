"""Page images: PDF pages rendered with PDFium, pictures decoded with Pillow, both as 8-bit
grayscale arrays, straightened when the scan is skewed.

A scan rotated by a fraction of a degree still reads as text, but its ruling lines would slope
across several pixel rows and its rows drift by a line height over the page; the skew is found
from the rows of ink (the angle at which they are sharpest) and undone before anything is read.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

# 200 dpi: the resolution scans are usually made at, and where recognition of the digits in a
# table cell stops improving (docs/formats/ocr.md, "Resolution")
DPI = 200
MAX_PIXELS = 40_000_000  # a picture larger than this is refused (decompression bomb)
_SKEW_RANGE = 2.0  # degrees either way
_SKEW_STEP = 0.1


@dataclass(frozen=True)
class PageImage:
    number: int  # 1-based page number (a picture: the page it stands on, or 1)
    gray: np.ndarray  # uint8, 0 black .. 255 white
    scale: float  # pixels per point
    skew: float = 0.0  # degrees undone
    # where the image's top-left corner lies on its page, in points (a picture inside a page)
    origin: tuple[float, float] = (0.0, 0.0)


def render_pdf_pages(data: bytes, pages: Sequence[int], dpi: int | None = None) -> Iterator[PageImage]:
    """The given 1-based pages of a PDF, rendered at `dpi` (default DPI) and straightened."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return  # the reader has said why the file cannot be read
    try:
        scale = (dpi or DPI) / 72.0
        for number in pages:
            if not 1 <= number <= len(doc):
                continue
            try:
                page = doc[number - 1]
            except pdfium.PdfiumError:
                continue  # a damaged page: the reader reports it (EXT-010)
            try:
                bitmap = page.render(scale=scale, grayscale=True)
                gray = np.array(bitmap.to_pil().convert("L"))
            except pdfium.PdfiumError:
                continue
            finally:
                page.close()
            straight, angle = deskew(gray)
            yield PageImage(number, straight, scale, angle)
    finally:
        doc.close()


def decode_image(data: bytes) -> np.ndarray | None:
    """A picture (PNG, JPEG, GIF, BMP, TIFF) as grayscale; None when it cannot be decoded."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                return None
            im: Image.Image = opened
            if im.mode in ("RGBA", "LA", "P"):
                # transparent pixels are the page behind the picture: white
                rgba = im.convert("RGBA")
                im = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
            return np.array(im.convert("L"))
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return None


def picture_page(
    gray: np.ndarray, number: int, scale: float, origin: tuple[float, float] = (0.0, 0.0)
) -> PageImage:
    straight, angle = deskew(gray)
    return PageImage(number, straight, scale, angle, origin)


def crop(image: PageImage, box: tuple[float, float, float, float]) -> PageImage:
    """The part of a rendered page inside `box` (points), as a picture on that page."""
    s = image.scale
    x0, top, x1, bottom = (max(0, round(v * s)) for v in box)
    return picture_page(image.gray[top:bottom, x0:x1], image.number, s, (x0 / s, top / s))


def deskew(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The image turned so that its lines of ink run level, and the angle undone (degrees)."""
    angle = skew_angle(gray)
    if abs(angle) < _SKEW_STEP / 2:
        return gray, 0.0
    from PIL import Image

    turned = Image.fromarray(gray).rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    return np.array(turned), angle


def skew_angle(gray: np.ndarray) -> float:
    """The angle (degrees, counter-clockwise positive as PIL rotates) that makes the rows of
    ink sharpest: the variance of the row sums of the ink peaks when text lines and rulings lie
    level. Measured on a reduced copy; the shear of a small angle is a shift per column."""
    step = max(1, gray.shape[1] // 600)
    small = gray[::step, ::step] < 128
    h, w = small.shape
    if h < 10 or w < 10 or not small.any():
        return 0.0
    cols = np.arange(w) - w / 2
    ys, xs = np.nonzero(small)
    best, best_score = 0.0, -1.0
    for k in range(int(-_SKEW_RANGE / _SKEW_STEP), int(_SKEW_RANGE / _SKEW_STEP) + 1):
        angle = k * _SKEW_STEP
        shift = np.round(np.tan(np.radians(angle)) * cols).astype(int)
        rows = np.bincount(ys - shift[xs] + w, minlength=h + 2 * w)
        score = float(np.var(rows))
        if score > best_score:
            best, best_score = angle, score
    return best
