"""Text from glyphs: lines by vertical centre, the gaps between glyphs as spaces or column
breaks, wrapped lines joined, and a cell's text whichever way it is written (lines, vertical
writing in columns, text turned a quarter)."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import replace

from .objects import Glyph, TextLine
from .tables import GridCell
from .turned import Turn, grid_turn

TAB_GAP = 2.0  # a gap wider than this many font sizes in an unruled line is a column break
_CJK = (
    r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    r"\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"
)
CJK_RE = re.compile(f"[{_CJK}]")
_SPACE_NEAR_CJK = re.compile(f"(?<=[{_CJK}]) +| +(?=[{_CJK}])")


def median(values: list[float]) -> float:
    """`statistics.median` (the same value), without its checks: it runs for every line."""
    data = sorted(values)
    n = len(data)
    if n % 2:
        return data[n // 2]
    return (data[n // 2 - 1] + data[n // 2]) / 2


def group_lines(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """Glyphs into lines: a glyph whose vertical centre lies within the current line joins it."""
    lines: list[list[Glyph]] = []
    centre = size = 0.0
    for g in sorted(glyphs, key=lambda g: (g.cy, g.x0)):
        if lines and abs(g.cy - centre) <= 0.5 * (g.size if g.size < size else size):  # min(), inline
            lines[-1].append(g)
            continue
        lines.append([g])
        centre, size = g.cy, g.size
    for line in lines:
        line.sort(key=lambda g: g.x0)
    lines.sort(key=lambda ln: min(g.top for g in ln))
    return lines


def line_string(glyphs: Sequence[Glyph], tabs: bool) -> str:
    """A line's text; a gap becomes a space, a wide gap a tab (unruled tables) when `tabs`."""
    parts: list[str] = []
    prev: Glyph | None = None
    pending_space = False
    for g in glyphs:
        if not g.text.strip():
            pending_space = True
            continue
        if prev is not None:
            gap = g.x0 - prev.x1
            size = g.size if g.size < prev.size else prev.size  # max(min(…), 1.0), inline
            size = 1.0 if size < 1.0 else size
            if tabs and gap > TAB_GAP * size:
                parts.append("\t")
            elif pending_space or gap > 0.2 * size:
                parts.append(" ")
        parts.append(g.text)
        prev, pending_space = g, False
    return tidy("".join(parts))


def tidy(text: str) -> str:
    """Drop the spaces a PDF leaves next to Chinese (`2023 年` -> `2023年`); keep `3 4` apart."""
    text = re.sub(r" {2,}", " ", text)
    return _SPACE_NEAR_CJK.sub("", text).strip(" ")


def extent(glyphs: Sequence[Glyph]) -> tuple[float, float, float, float, float]:
    """A `TextBox`'s geometry around glyphs: x0, x1, top, bottom and the median font size."""
    return (
        min(g.x0 for g in glyphs),
        max(g.x1 for g in glyphs),
        min(g.top for g in glyphs),
        max(g.bottom for g in glyphs),
        median([g.size for g in glyphs]),
    )


def text_line(glyphs: list[Glyph], page: int) -> TextLine:
    return TextLine(line_string(glyphs, tabs=True), *extent(glyphs), page)


def join_lines(prev: str, nxt: str, forced: bool) -> str:
    """How two wrapped lines join: glued next to Chinese, a space between words, a line break
    between two numbers unless the first line was filled to the edge (a number wrapped)."""
    if not prev or not nxt:
        return prev + nxt
    a, b = prev[-1], nxt[0]
    if CJK_RE.match(a) or CJK_RE.match(b) or a in "-/（(" or b in ")）%,.，。":
        return prev + nxt
    if a.isdigit() and b.isdigit():
        return prev + nxt if forced else prev + "\n" + nxt
    return prev + " " + nxt


def cell_text(cell: GridCell, glyphs: Sequence[Glyph]) -> str:
    glyphs = [g for g in glyphs if g.text.strip()]
    if not glyphs:
        return ""
    if sum(not g.upright for g in glyphs) > len(glyphs) / 2:
        turn = grid_turn(glyphs)
        if not turn:
            return _vertical_text(glyphs)
        # text turned a quarter in an upright table: read it as if the cell were turned upright
        frame = Turn(turn, 0.0, 0.0)
        glyphs = [frame.glyph(g) for g in glyphs]
        cell = replace(cell, bbox=frame.box(cell.bbox))
    if _stacked(glyphs):
        return _column_text(glyphs)
    width = cell.bbox[2] - cell.bbox[0]
    out = ""
    forced = False
    for line in group_lines(glyphs):
        text = line_string(line, tabs=False)
        if not text:
            continue
        extent = max(g.x1 for g in line) - min(g.x0 for g in line)
        size = median([g.size for g in line])
        out = join_lines(out, text, forced) if out else text
        forced = extent + 1.5 * size >= width  # this line filled the cell: the next one continues it
    return out


def _stacked(glyphs: Sequence[Glyph]) -> bool:
    """Upright glyphs in vertical writing (Word's text direction, CSS `writing-mode`): each glyph
    drawn touches the one before it from below, where horizontal text touches it from the side.
    (One glyph per line with line spacing between reads the same either way.)"""
    below = beside = 0
    for g, h in itertools.pairwise(glyphs):
        touch = 0.2 * g.size
        if abs(h.cx - g.cx) <= 0.3 * g.size and -0.9 * g.size <= h.top - g.bottom <= touch:
            below += 1
        elif abs(h.cy - g.cy) <= 0.3 * g.size and -0.6 * g.size <= h.x0 - g.x1 <= touch:
            beside += 1
    return below >= 2 and below > beside


def _column_text(glyphs: Sequence[Glyph]) -> str:
    """Vertical writing: columns right to left, each top to bottom. Within a column the order
    the file draws the glyphs in is kept when it runs downwards: a vertical form of a
    punctuation mark (、，。) sits high in its em box, so its box can start above the glyph drawn
    before it."""
    columns = _columns_right_to_left(glyphs)
    order = {id(g): k for k, g in enumerate(glyphs)}
    out = []
    for col in columns:
        drawn = sorted(col, key=lambda g: order[id(g)])
        downwards = all(b.cy - a.cy > -0.5 * b.size for a, b in itertools.pairwise(drawn))
        out.append("".join(g.text for g in (drawn if downwards else sorted(col, key=lambda g: g.top))))
    return tidy("".join(out))


def _columns_right_to_left(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    columns: list[list[Glyph]] = []
    for g in sorted(glyphs, key=lambda g: -g.cx):
        if columns and abs(columns[-1][0].cx - g.cx) <= 0.5 * g.size:
            columns[-1].append(g)
        else:
            columns.append([g])
    return columns


def _vertical_text(glyphs: Sequence[Glyph]) -> str:
    """Text rotated a quarter turn: columns right to left, each read top to bottom."""
    columns = _columns_right_to_left(glyphs)
    return tidy("".join("".join(g.text for g in sorted(col, key=lambda g: g.top)) for col in columns))


def vertical_runs(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """Glyphs set one per line down a column (a label in a tall merged cell, as WPS and Word
    print it): at least three, centred on one x, each within 2.5 font sizes of the next and
    with no other glyph beside it on its line."""
    printed = sorted((g for g in glyphs if g.text.strip()), key=lambda g: g.cy)
    if not printed:
        return []
    # a glyph that overlaps g vertically has its centre within half the tallest glyph of g's
    # top and bottom: only those few are compared (a table holds thousands of glyphs)
    centres = [g.cy for g in printed]
    half = max(g.bottom - g.top for g in printed) / 2
    runs: list[list[Glyph]] = []
    for g in printed:
        near = printed[
            bisect.bisect_left(centres, g.top - half) : bisect.bisect_right(centres, g.bottom + half)
        ]
        if any(
            h is not g
            and h.top < g.bottom
            and h.bottom > g.top
            and 0 < abs(h.cx - g.cx) < g.x1 - g.x0 + g.size
            for h in near
        ):
            continue  # a glyph with neighbours on its line is part of a line of text
        run = next(
            (r for r in runs if abs(r[-1].cx - g.cx) <= 0.35 * g.size and g.cy - r[-1].cy <= 2.5 * g.size),
            None,
        )
        if run is None:
            runs.append([g])
        else:
            run.append(g)
    return [r for r in runs if len(r) >= 3]
