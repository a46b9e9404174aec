"""Tables turned a quarter on the page: a wide table printed sideways on a portrait page, its
text running up the page (turned counter-clockwise) or down it (clockwise).

Such a grid is read in the frame where its text is upright: the grid is turned (rows become
columns), its glyphs are turned with it and go into its cells as usual, and the cells' boxes are
turned back so that every location stays in page coordinates. The direction comes from the
glyphs' own matrices, not from guessing at the shape of the table.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from .objects import Glyph
from .tables import Grid, GridCell

Box = tuple[float, float, float, float]


def turn_of(matrix: Sequence[float] | None) -> int:
    """The direction a glyph's text runs in, in quarter turns counter-clockwise from
    left-to-right (0, 90, 180, 270), from its text matrix in PDF space (y up)."""
    if not matrix or len(matrix) < 2:
        return 0
    return round(math.degrees(math.atan2(matrix[1], matrix[0])) / 90) % 4 * 90


def grid_turn(glyphs: Sequence[Glyph]) -> int:
    """The quarter turn of a grid's text when most of it runs the same way up or down the page
    (0 when it is upright, mixed, or upside down)."""
    printed = [g for g in glyphs if g.text.strip()]
    turns = Counter(g.turn for g in printed)
    turn, n = turns.most_common(1)[0] if turns else (0, 0)
    return turn if turn in (90, 270) and n > 0.6 * len(printed) else 0


class Turn:
    """The map from page coordinates (x, top) to the frame in which text turned by `turn` is
    upright, for a page `width` × `height`."""

    def __init__(self, turn: int, width: float, height: float) -> None:
        self.turn, self.width, self.height = turn, width, height

    def box(self, b: Box) -> Box:
        """A page box (x0, top, x1, bottom) in the upright frame."""
        x0, top, x1, bottom = b
        if self.turn == 90:  # text runs up the page: the frame's x is the height above it
            return (self.height - bottom, x0, self.height - top, x1)
        return (top, self.width - x1, bottom, self.width - x0)

    def back(self, b: Box) -> Box:
        """A box of the upright frame, back in page coordinates."""
        x0, top, x1, bottom = b
        if self.turn == 90:
            return (top, self.height - x1, bottom, self.height - x0)
        return (self.width - bottom, x0, self.width - top, x1)

    def glyph(self, g: Glyph) -> Glyph:
        x0, top, x1, bottom = self.box((g.x0, g.top, g.x1, g.bottom))
        return replace(g, x0=x0, x1=x1, top=top, bottom=bottom, upright=True, turn=0)

    def grid(self, grid: Grid) -> Grid:
        """The grid as it stands in the upright frame: page columns become rows and page rows
        columns (in reverse order for text running up the page)."""
        n_rows = len(grid.ys) - 1
        n_cols = len(grid.xs) - 1
        if self.turn == 90:
            xs = tuple(self.height - y for y in reversed(grid.ys))
            ys = grid.xs
        else:
            xs = grid.ys
            ys = tuple(self.width - x for x in reversed(grid.xs))
        cells = []
        for c in grid.cells:
            if self.turn == 90:
                row, col = c.col, n_rows - c.row - c.rowspan
            else:
                row, col = n_cols - c.col - c.colspan, c.row
            cells.append(GridCell(row, col, c.colspan, c.rowspan, self.box(c.bbox)))
        cells.sort(key=lambda g: (g.row, g.col))
        return Grid(xs, ys, tuple(cells), grid.irregular)
