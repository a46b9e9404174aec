"""Ruling lines found in a page image, as the strokes a PDF would draw: long straight runs of
ink, horizontal or vertical. They go to the PDF reader's table builder (`readers/pdf/tables`)
as line objects, so a scanned table gets its grid and merged cells the same way a PDF does.

Text never makes such runs: a stroke of a character is at most a character long, and a run
must be several characters long (`MIN_RUN_PT`). Blur and noise break a printed line into
pieces a pixel or two apart; those are bridged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

INK = 190  # gray level below which a pixel is ink
MIN_RUN_PT = 24.0  # a run of ink this long (points) is a ruling, not strokes of characters (2.5 em)
GAP_PT = 1.5  # holes in a printed line that blur and noise leave
# share of a ruling's length with ink right beside it: where other rulings cross it and text
# comes close; strokes of characters have far more
MAX_BESIDE = 0.4
CROSS_PT = 2.0  # a stroke ending this close to another crosses it


@dataclass(frozen=True)
class Stroke:
    orient: Literal["h", "v"]
    pos: float  # pixels: y of a horizontal stroke, x of a vertical one
    start: float
    end: float
    thickness: float = 1.0  # pixels


def find_strokes(gray: np.ndarray, scale: float) -> list[Stroke]:
    ink = gray < INK
    min_run = max(8, round(MIN_RUN_PT * scale))
    gap = max(2, round(GAP_PT * scale))
    h = _strokes(ink, "h", min_run, gap)
    v = _strokes(ink.T, "v", min_run, gap)
    tol = CROSS_PT * scale
    v = _trim(v, h, tol)
    return _trim(h, v, tol) + v


def _trim(strokes: list[Stroke], across: list[Stroke], tol: float) -> list[Stroke]:
    """Each stroke cut back to the outermost strokes it crosses: a ruling ends at the table's
    border, and what runs on past it is text touching the line (a heading printed right under a
    table would otherwise hang a row of its own below it). A vertical stroke that crosses fewer
    than two horizontal ones is no ruling of a table."""
    out = []
    for st in strokes:
        hits = [
            a.pos
            for a in across
            if a.start - tol <= st.pos <= a.end + tol and st.start - tol <= a.pos <= st.end + tol
        ]
        if len(hits) >= 2:
            out.append(replace(st, start=max(st.start, min(hits) - 1), end=min(st.end, max(hits) + 1)))
        elif st.orient == "h" or not across:
            out.append(st)
    return out


def _strokes(ink: np.ndarray, orient: Literal["h", "v"], min_run: int, gap: int) -> list[Stroke]:
    """Runs along the rows of `ink` (columns for "v": the caller transposes)."""
    # a line that steps from one pixel row to the next (a skew left over) stays one run
    thick = ink.copy()
    thick[1:] |= ink[:-1]
    # a hole of up to `gap` pixels in a row is filled (closing along the row)
    left = _last_ink(thick)
    right = _last_ink(thick[:, ::-1])[:, ::-1]
    width = ink.shape[1]
    filled = thick | ((left >= 0) & (left <= gap) & (right >= 0) & (right <= gap))
    runs: list[tuple[int, int, int]] = []  # (row, start, end)
    padded = np.zeros((filled.shape[0], width + 2), dtype=np.int8)
    padded[:, 1:-1] = filled
    diff = np.diff(padded, axis=1)
    starts = np.argwhere(diff == 1)
    ends = np.argwhere(diff == -1)
    for (row, s), (_, e) in zip(starts, ends, strict=True):
        if e - s >= min_run:
            runs.append((int(row), int(s), int(e)))
    return [st for st in _merge_rows(runs, orient) if _clear_beside(ink, st)]


def _clear_beside(ink: np.ndarray, stroke: Stroke) -> bool:
    """A ruling has paper on both sides along most of its length; a run of strokes of
    characters stacked one per line (a header cell printed vertically) has ink beside it."""
    a, b = round(stroke.start), round(stroke.end)
    half = stroke.thickness / 2
    lo, hi = round(stroke.pos - half - 5), round(stroke.pos + half + 5)
    above = ink[max(0, lo) : max(0, round(stroke.pos - half - 2)), a:b]
    below = ink[round(stroke.pos + half + 2) : max(0, hi), a:b]
    if above.size == 0 or below.size == 0:
        return True
    beside = above.any(axis=0) | below.any(axis=0)
    return float(beside.mean()) <= MAX_BESIDE


def _last_ink(ink: np.ndarray) -> np.ndarray:
    """For each pixel, the distance back to the nearest ink pixel at or before it (-1: none)."""
    width = ink.shape[1]
    idx = np.broadcast_to(np.arange(width, dtype=np.int32), ink.shape)
    last = np.where(ink, idx, np.int32(-1))
    last = np.maximum.accumulate(last, axis=1)
    return np.where(last >= 0, idx - last, -1)


def _merge_rows(runs: list[tuple[int, int, int]], orient: Literal["h", "v"]) -> list[Stroke]:
    """Runs in neighbouring rows that overlap are one stroke (a line two or three pixels thick)."""
    runs.sort()
    groups: list[list[tuple[int, int, int]]] = []
    for run in runs:
        for group in reversed(groups[-8:]):
            last = group[-1]
            if run[0] - last[0] <= 2 and run[1] < last[2] and last[1] < run[2]:
                group.append(run)
                break
        else:
            groups.append([run])
    out = []
    for group in groups:
        # a row's centre is at +0.5, and `thick` added a row below each ink row: they cancel
        pos = sum(r[0] for r in group) / len(group)
        rows = {r[0] for r in group}
        out.append(
            Stroke(
                orient,
                pos,
                float(min(r[1] for r in group)),
                float(max(r[2] for r in group)),
                float(len(rows)),
            )
        )
    return out


def has_ink(gray: np.ndarray, box: tuple[float, float, float, float], margin: float) -> bool:
    """Whether a box (pixels) holds marks beyond its border lines: its inside, `margin` pixels
    in from each side, has a cluster of ink (a few dark pixels are noise)."""
    x0, top, x1, bottom = (round(v) for v in box)
    m = round(margin)
    inner = gray[max(0, top + m) : max(0, bottom - m), max(0, x0 + m) : max(0, x1 - m)]
    if inner.size == 0:
        return False
    dark = inner < INK
    # a digit's strokes fill several pixels in a row and in a column
    return int(dark.sum()) >= max(12, round(0.002 * inner.size)) and dark.any(axis=1).sum() >= 4
