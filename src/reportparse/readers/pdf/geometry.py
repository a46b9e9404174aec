"""Page geometry shared by the PDFium engine: PDF matrices and the frame that maps PDF user
space onto pdfplumber's page coordinates (x from the left, `top` from the top, after /Rotate)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix applying `inner` first, then `outer` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _rotation_ctm(rotation: int, box: tuple[float, float, float, float]) -> Matrix:
    """pdfminer's initial CTM for a page: MediaBox corner to the origin, turned by /Rotate."""
    x0, y0, x1, y1 = box
    if rotation == 90:
        return (0.0, -1.0, 1.0, 0.0, -y0, x1)
    if rotation == 180:
        return (-1.0, 0.0, 0.0, -1.0, x1, y1)
    if rotation == 270:
        return (0.0, 1.0, -1.0, 0.0, y1, -x0)
    return (1.0, 0.0, 0.0, 1.0, -x0, -y0)


@dataclass(frozen=True)
class PageFrame:
    """How PDF user space maps onto pdfplumber's page coordinates."""

    width: float
    height: float
    rotation: int
    ctm: Matrix  # user space -> pdfminer device space (y up)
    device: Matrix  # user space -> (x, top)

    @classmethod
    def of(cls, mediabox: tuple[float, float, float, float], rotation: int) -> PageFrame:
        x0, x1 = sorted((mediabox[0], mediabox[2]))
        y0, y1 = sorted((mediabox[1], mediabox[3]))
        box = (x0, y0, x1, y1)
        # pdfplumber: the box normalised for the rotation gives width, height and the offsets
        # it adds back to pdfminer's coordinates
        nx0, ny0, nx1, ny1 = (y0, x0, y1, x1) if rotation in (90, 270) else box
        width, height = nx1 - nx0, ny1 - ny0
        ctm = _rotation_ctm(rotation, box)
        flip: Matrix = (1.0, 0.0, 0.0, -1.0, nx0, height - ny0)
        return cls(width, height, rotation, ctm, compose(ctm, flip))

    def bounds(self, m: Matrix, points: Iterable[tuple[float, float]]) -> tuple[float, float, float, float]:
        """x0, top, x1, bottom of points in space `m` (composed with the page's device map)."""
        full = compose(m, self.device)
        xs, ys = [], []
        for x, y in points:
            px, py = apply(full, x, y)
            xs.append(px)
            ys.append(py)
        return min(xs), min(ys), max(xs), max(ys)
