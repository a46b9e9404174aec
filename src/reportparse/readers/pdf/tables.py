"""Ruled tables on a PDF page, rebuilt from the ruling lines (pdfplumber's approach, with spans).

One small step per function:

1. `collect_segments` — horizontal/vertical strokes from line objects, stroked rectangle edges
   and thin filled rectangles (Word and browsers draw borders as hairline boxes); white strokes
   and cell shading are not rulings.
2. `merge_segments` — snap nearly collinear strokes to one position and join the pieces.
3. `connected_groups` — strokes that touch form one table candidate.
4. `grid_lines` — the x and y boundaries of a candidate.
5. `build_grid` — for every inner edge of the grid, is there a ruling? Grid cells that no ruling
   separates are one merged cell, so row and column spans come from the drawing itself, not
   from text positions.

Coordinates are pdfplumber's: x from the left, `top`/`bottom` from the top of the page.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Literal

SNAP = 2.5  # strokes this close are the same ruling (double borders, hairline boxes)
JOIN = 3.0  # collinear pieces with gaps up to this are one ruling
TOUCH = 3.0  # a horizontal and a vertical stroke this close are connected
THIN = 4.0  # a filled rectangle thinner than this is a drawn line, not cell shading
COVER = 0.6  # share of a grid edge a ruling must cover to separate two cells
MIN_LENGTH = 4.0  # shorter strokes are decoration (underlines of single characters, dots)
MAX_SEGMENTS = 3000  # more strokes than this on a page is a drawing (chart, hatching), not tables
MAX_GRID_CELLS = 20000  # a candidate with more grid cells than this is a drawing too
EDGE = 1.5  # a grid this close to the page's left or right edge runs off the page


@dataclass(frozen=True)
class Segment:
    orient: Literal["h", "v"]
    pos: float  # y of a horizontal stroke, x of a vertical one
    start: float
    end: float


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass(frozen=True)
class Grid:
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    cells: tuple[GridCell, ...]
    irregular: bool  # some merged area was not a rectangle
    # a vertical ruling closes the grid on the left / on the right (else its outline there comes
    # from where the horizontal rulings end: a table cut off by the page edge)
    closed: tuple[bool, bool] = (True, True)
    # an irregular grid read column-wise: its ragged areas cut into each column's runs between
    # the horizontal rulings (a tall merged cell whose side ruling is missing, say)
    by_column: tuple[GridCell, ...] = ()

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])


def _is_white(color: Any) -> bool:
    if isinstance(color, int | float):
        return float(color) >= 0.95
    if isinstance(color, list | tuple) and color and all(isinstance(v, int | float) for v in color):
        values = [float(v) for v in color]
        if len(values) == 4:  # CMYK: white is no ink
            return all(v <= 0.05 for v in values)
        return all(v >= 0.95 for v in values)
    return False


def _line_segment(obj: Mapping[str, Any]) -> Segment | None:
    x0, x1, top, bottom = obj["x0"], obj["x1"], obj["top"], obj["bottom"]
    if bottom - top <= 1.5 and x1 - x0 >= MIN_LENGTH:
        return Segment("h", (top + bottom) / 2, x0, x1)
    if x1 - x0 <= 1.5 and bottom - top >= MIN_LENGTH:
        return Segment("v", (x0 + x1) / 2, top, bottom)
    return None


def _rect_segments(obj: Mapping[str, Any]) -> list[Segment]:
    x0, x1, top, bottom = obj["x0"], obj["x1"], obj["top"], obj["bottom"]
    width, height = x1 - x0, bottom - top
    if obj.get("fill") and not _is_white(obj.get("non_stroking_color")) and min(width, height) <= THIN:
        # a hairline box: the border itself
        if width >= height and width >= MIN_LENGTH:
            return [Segment("h", (top + bottom) / 2, x0, x1)]
        if height > width and height >= MIN_LENGTH:
            return [Segment("v", (x0 + x1) / 2, top, bottom)]
        return []
    if obj.get("stroke") and not _is_white(obj.get("stroking_color")):
        out = []
        if width >= MIN_LENGTH:
            out += [Segment("h", top, x0, x1), Segment("h", bottom, x0, x1)]
        if height >= MIN_LENGTH:
            out += [Segment("v", x0, top, bottom), Segment("v", x1, top, bottom)]
        return out
    return []


def _curve_segments(obj: Mapping[str, Any]) -> list[Segment]:
    """Polylines (some producers draw a whole cell border as one path) split into straight strokes."""
    if not obj.get("stroke") or _is_white(obj.get("stroking_color")):
        return []
    pts = obj.get("pts") or []
    out = []
    for (ax, ay), (bx, by) in itertools.pairwise(pts):
        seg = _line_segment({"x0": min(ax, bx), "x1": max(ax, bx), "top": min(ay, by), "bottom": max(ay, by)})
        if seg:
            out.append(seg)
    return out


def collect_segments(
    lines: Iterable[Mapping[str, Any]],
    rects: Iterable[Mapping[str, Any]],
    curves: Iterable[Mapping[str, Any]] = (),
) -> list[Segment]:
    out: list[Segment] = []
    for line in lines:
        if _is_white(line.get("stroking_color")):
            continue
        seg = _line_segment(line)
        if seg:
            out.append(seg)
    for rect in rects:
        out += _rect_segments(rect)
    for curve in curves:
        out += _curve_segments(curve)
    return out


def cluster(values: Sequence[float], tol: float) -> list[list[float]]:
    """The values in ascending order, in groups whose neighbours are at most `tol` apart."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return groups


def merge_segments(segments: Iterable[Segment]) -> list[Segment]:
    """Snap strokes within SNAP of each other to their mean position, then join collinear pieces."""
    out: list[Segment] = []
    for orient in ("h", "v"):
        same = [s for s in segments if s.orient == orient]
        for group in cluster([s.pos for s in same], SNAP):
            lo, hi = group[0], group[-1]
            pos = sum(group) / len(group)
            pieces = sorted((s.start, s.end) for s in same if lo <= s.pos <= hi)
            start, end = pieces[0]
            for a, b in pieces[1:]:
                if a <= end + JOIN:
                    end = max(end, b)
                else:
                    out.append(Segment(orient, pos, start, end))
                    start, end = a, b
            out.append(Segment(orient, pos, start, end))
    return out


def _touches(h: Segment, v: Segment) -> bool:
    return (h.start - TOUCH <= v.pos <= h.end + TOUCH) and (v.start - TOUCH <= h.pos <= v.end + TOUCH)


def connected_groups(segments: Sequence[Segment]) -> list[list[Segment]]:
    """Union-find over crossing strokes: each group is one table candidate."""
    parent = list(range(len(segments)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, s in enumerate(segments) if s.orient == "h"]
    vs = [i for i, s in enumerate(segments) if s.orient == "v"]
    for i in hs:
        for j in vs:
            if _touches(segments[i], segments[j]):
                parent[find(i)] = find(j)
    groups: dict[int, list[Segment]] = {}
    for i, seg in enumerate(segments):
        groups.setdefault(find(i), []).append(seg)
    return [g for g in groups.values() if any(s.orient == "h" for s in g) and any(s.orient == "v" for s in g)]


def grid_lines(group: Sequence[Segment]) -> tuple[list[float], list[float]]:
    """Column boundaries from vertical strokes, row boundaries from horizontal ones, plus the outline."""
    hs = [s for s in group if s.orient == "h"]
    vs = [s for s in group if s.orient == "v"]
    left = min(min(s.start for s in hs), min(s.pos for s in vs))
    right = max(max(s.end for s in hs), max(s.pos for s in vs))
    top = min(min(s.pos for s in hs), min(s.start for s in vs))
    bottom = max(max(s.pos for s in hs), max(s.end for s in vs))
    # Where several row rulings start or stop inside the table, a column boundary is implied
    # even without a vertical stroke there: a tall merged cell whose side ruling is missing.
    ends = [x for s in hs for x in (s.start, s.end) if left + SNAP < x < right - SNAP]
    implied = [
        sum(g) / len(g)
        for g in cluster(ends, SNAP)
        if len(g) >= 2 and not any(abs(v.pos - sum(g) / len(g)) <= SNAP for v in vs)
    ]
    xs = [sum(g) / len(g) for g in cluster([left, right, *implied, *(s.pos for s in vs)], SNAP)]
    ys = [sum(g) / len(g) for g in cluster([top, bottom, *(s.pos for s in hs)], SNAP)]
    return xs, ys


def _at(rulings: Sequence[Segment], pos: float) -> list[Segment]:
    """The strokes at `pos`."""
    return [s for s in rulings if abs(s.pos - pos) <= SNAP]


def _covered(at_pos: Sequence[Segment], a: float, b: float) -> bool:
    """Do the strokes at one position (`_at`) cover at least COVER of the span a..b?"""
    length = 0.0
    for s in at_pos:
        lo, hi = max(a, s.start - SNAP), min(b, s.end + SNAP)
        if hi > lo:
            length += hi - lo
    return length >= COVER * (b - a)


def build_grid(group: Sequence[Segment]) -> Grid:
    xs, ys = grid_lines(group)
    hs = [s for s in group if s.orient == "h"]
    vs = [s for s in group if s.orient == "v"]
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    at_x = [_at(vs, x) for x in xs]  # each boundary's strokes, found once, not once per cell
    at_y = [_at(hs, y) for y in ys]
    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not _covered(at_x[c + 1], ys[r], ys[r + 1]):
                parent[find(r * n_cols + c)] = find(r * n_cols + c + 1)
            if r + 1 < n_rows and not _covered(at_y[r + 1], xs[c], xs[c + 1]):
                parent[find(r * n_cols + c)] = find((r + 1) * n_cols + c)
    areas: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            areas.setdefault(find(r * n_cols + c), []).append((r, c))
    cells: list[GridCell] = []
    by_column: list[GridCell] = []
    irregular = False

    def box(r0: int, c0: int, r1: int, c1: int) -> GridCell:
        return GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]))

    for members in areas.values():
        r0, r1 = min(r for r, _ in members), max(r for r, _ in members)
        c0, c1 = min(c for _, c in members), max(c for _, c in members)
        inner_rulings = any(
            _covered(at_y[r + 1], xs[c], xs[c + 1]) for r, c in members if r < r1 and (r + 1, c) in members
        )
        if (r1 - r0 + 1) * (c1 - c0 + 1) == len(members) and not inner_rulings:
            cells.append(box(r0, c0, r1, c1))
            by_column.append(cells[-1])
            continue
        # A ragged area (a ruling missing mid-cell): each row's run is a cell; the other way
        # to read it, each column's run between its rulings, is kept for the page to choose
        irregular = True
        for r in range(r0, r1 + 1):
            cells += [box(r, a, r, b) for a, b in _runs(sorted(c for rr, c in members if rr == r))]
        spans: dict[tuple[int, int], list[int]] = {}  # (first row, last row) -> columns
        for c in range(c0, c1 + 1):
            rows = sorted(r for r, cc in members if cc == c)
            for a, b in _runs(rows, partial(_open_below, at_y, xs[c], xs[c + 1])):
                spans.setdefault((a, b), []).append(c)
        for (a, b), columns in spans.items():  # runs of equal rows side by side, no ruling between
            joined = _runs(columns, partial(_open_right, at_x, ys[a], ys[b + 1]))
            by_column += [box(a, first, b, last) for first, last in joined]
    cells.sort(key=lambda g: (g.row, g.col))
    by_column.sort(key=lambda g: (g.row, g.col))
    closed = (any(abs(v.pos - xs[0]) <= SNAP for v in vs), any(abs(v.pos - xs[-1]) <= SNAP for v in vs))
    return Grid(tuple(xs), tuple(ys), tuple(cells), irregular, closed, tuple(by_column) if irregular else ())


def _open_below(at_y: Sequence[Sequence[Segment]], x0: float, x1: float, r: int) -> bool:
    """No horizontal ruling separates row r from row r + 1 between x0 and x1."""
    return not _covered(at_y[r + 1], x0, x1)


def _open_right(at_x: Sequence[Sequence[Segment]], top: float, bottom: float, c: int) -> bool:
    """No vertical ruling separates column c from column c + 1 between top and bottom."""
    return not _covered(at_x[c + 1], top, bottom)


def _runs(values: Sequence[int], joins: Callable[[int], bool] = lambda _: True) -> list[tuple[int, int]]:
    """Consecutive values as (first, last) runs; `joins(v)` says whether v and v + 1 go together."""
    runs: list[list[int]] = []
    for v in values:
        if runs and v == runs[-1][1] + 1 and joins(runs[-1][1]):
            runs[-1][1] = v
        else:
            runs.append([v, v])
    return [(a, b) for a, b in runs]


def cut_at_edge(grid: Grid, width: float) -> tuple[Grid, str]:
    """A grid that reaches the left or right edge of the page runs off it: the columns beyond
    are not in the file. The sliver of a column the edge cuts through (after the last vertical
    ruling) is taken away too, since what it prints may be cut. Returns the grid kept and the
    side cut off ("" when none)."""
    side = "right" if grid.xs[-1] >= width - EDGE else "left" if grid.xs[0] <= EDGE else ""
    if not side or len(grid.xs) < 3:
        return grid, side
    if side == "right" and not grid.closed[1]:
        xs = grid.xs[:-1]
        cells = [
            replace(c, colspan=c.colspan - 1, bbox=(c.bbox[0], c.bbox[1], xs[-1], c.bbox[3]))
            if c.col + c.colspan == len(grid.xs) - 1
            else c
            for c in grid.cells
            if c.col < len(xs) - 1
        ]
        return replace(grid, xs=xs, cells=tuple(cells), closed=(grid.closed[0], True)), side
    if side == "left" and not grid.closed[0]:
        xs = grid.xs[1:]
        cells = [
            replace(
                c,
                col=max(c.col - 1, 0),
                colspan=c.colspan - (c.col == 0),
                bbox=(max(c.bbox[0], xs[0]), c.bbox[1], c.bbox[2], c.bbox[3]),
            )
            for c in grid.cells
            if c.col + c.colspan > 1
        ]
        return replace(grid, xs=xs, cells=tuple(cells), closed=(True, grid.closed[1])), side
    return grid, side


def find_grids(
    lines: Iterable[Mapping[str, Any]],
    rects: Iterable[Mapping[str, Any]],
    curves: Iterable[Mapping[str, Any]] = (),
) -> list[Grid]:
    """Every ruled grid on a page, top to bottom, down to a single box (which may be the
    first row of a table continued on the next page)."""
    segments = merge_segments(collect_segments(lines, rects, curves))
    if len(segments) > MAX_SEGMENTS:
        return []
    grids = []
    for group in connected_groups(segments):
        xs, ys = grid_lines(group)
        if len(xs) * len(ys) <= MAX_GRID_CELLS:
            grids.append(build_grid(group))
    grids.sort(key=lambda g: (g.ys[0], g.xs[0]))
    return grids


def framed(grid: Grid) -> bool:
    """Is this a frame around a table (a page border touching it) rather than a table? The
    frame shows as a first or last grid row that is one cell across the whole width and far
    taller than the table's rows: the page area above or below the table."""
    n_rows, n_cols = len(grid.ys) - 1, len(grid.xs) - 1
    if n_rows < 3:
        return False
    heights = sorted(b - a for a, b in itertools.pairwise(grid.ys))
    median = heights[len(heights) // 2]
    for r in (0, n_rows - 1):
        row = [c for c in grid.cells if c.row == r]
        height = grid.ys[r + 1] - grid.ys[r]
        if (
            len(row) == 1
            and row[0].colspan == n_cols
            and row[0].rowspan == 1
            and height > max(60.0, 3 * median)
        ):
            return True
    return False


def without_outline(
    grid: Grid,
    lines: Iterable[Mapping[str, Any]],
    rects: Iterable[Mapping[str, Any]],
    curves: Iterable[Mapping[str, Any]] = (),
) -> list[Grid]:
    """The grids left once a page frame touching a table is taken away (its four border strokes)."""
    x0, top, x1, bottom = grid.bbox
    segments = [
        s
        for s in merge_segments(collect_segments(lines, rects, curves))
        if not (s.orient == "h" and min(abs(s.pos - top), abs(s.pos - bottom)) <= SNAP)
        and not (s.orient == "v" and min(abs(s.pos - x0), abs(s.pos - x1)) <= SNAP)
    ]
    inside = [
        s
        for s in segments
        if x0 - SNAP <= (s.pos if s.orient == "v" else s.start)
        and (s.pos if s.orient == "v" else s.end) <= x1 + SNAP
        and top - SNAP <= (s.pos if s.orient == "h" else s.start)
        and (s.pos if s.orient == "h" else s.end) <= bottom + SNAP
    ]
    out = []
    for group in connected_groups(inside):
        sub = build_grid(group)
        if len(sub.xs) >= 3 and len(sub.ys) >= 3:
            out.append(sub)
    return out
