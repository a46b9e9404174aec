"""One PDF page: its glyphs into cells of the ruled tables found on it and into lines of text.

Glyphs drawn twice (fake bold) are dropped, and radicals that a broken ToUnicode map gives for
whole characters are folded back. A ruling grid becomes a `Fragment` when its glyphs fill cells
like a data table; the glyphs left over are grouped into `TextLine`s, with wide gaps kept as tabs.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from .objects import FragCell, Fragment, Glyph, ImageMark, PageContent, round_box
from .tables import Grid, cut_at_edge, find_grids, framed, without_outline
from .text import cell_text, group_lines, text_line, vertical_runs
from .turned import Turn, grid_turn, turn_of
from .unruled import find_unruled

MAX_CELL_CHARS = 100  # a "cell" holding more text than this is a framed paragraph, not a table cell
# CJK Radicals Supplement code points that some fonts' ToUnicode maps give for whole
# characters (NFKC leaves them alone, unlike the Kangxi radicals): radical -> ideograph.
_RADICALS = str.maketrans(
    "⺟⺠⺢⺩⺮⺶⻁⻄⻅⻆⻉⻊⻋⻑⻓⻔⻗⻘⻙⻚⻛⻜⻝⻡⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
    "母民氺王竹羊虎西见角贝足车長长门雨青韦页风飞食首马骨鬼鱼鸟卤麦黄黾齐齿龙龟",
)
_BAD_GLYPH = re.compile(r"\(cid:\d+\)|[\ufffd\ue000-\uf8ff]")
# Kangxi radicals, the CJK Radicals Supplement and CJK compatibility ideographs
_FOLDABLE = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf\uf900-\ufaff]")
_ROW = 1 << 20  # positions as x * _ROW + y: y stays below it on any page
_NEAR = tuple(dx * _ROW + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1))


def glyphs_of(chars: Iterable[dict[str, Any]]) -> list[Glyph]:
    """pdfplumber-style characters (pdfplumber's, OCR's) as glyphs."""
    out: list[Glyph] = []
    for ch in chars:
        text = ch.get("text") or ""
        if not text:
            continue
        size = float(ch.get("size") or (ch["bottom"] - ch["top"]) or 10.0)
        upright = bool(ch.get("upright", True))
        turn = 0 if upright else turn_of(ch.get("matrix"))
        out.append(Glyph(text, ch["x0"], ch["x1"], ch["top"], ch["bottom"], size, upright, turn))
    return out


def clean_glyphs(glyphs: Iterable[Glyph]) -> tuple[list[Glyph], int, int]:
    """Glyphs with duplicates (fake bold) dropped; Kangxi radicals folded to ideographs. The
    glyphs kept are changed in place; also the number unreadable and the number folded."""
    out: list[Glyph] = []
    # text -> the positions it was drawn at (x, y rounded, in one int: this runs for every glyph)
    drawn: dict[str, set[int]] = {}
    fixed: dict[str, tuple[str, int, int]] = {}  # text as drawn -> as read, unreadable, folded
    bad = repaired = 0
    for g in glyphs:
        text = g.text
        at = round(g.x0) * _ROW + round(g.top)
        where = drawn.get(text)
        if where is None:
            drawn[text] = {at}
        elif not where.isdisjoint([at + d for d in _NEAR]):
            continue  # the same glyph drawn again within a point: fake bold
        else:
            where.add(at)
        fix = fixed.get(text)
        if fix is None:
            fix = fixed[text] = _fixed(text)
        g.text = fix[0]
        bad += fix[1]
        repaired += fix[2]
        out.append(g)
    return out, bad, repaired


def _fixed(text: str) -> tuple[str, int, int]:
    """A glyph's text as read, and whether it is unreadable, or was folded."""
    if text == "(cid:3)":
        return " ", 0, 0  # glyph 3 is the space in TrueType fonts set as Identity-H without a map for it
    if _BAD_GLYPH.search(text):
        return "\ufffd", 1, 0
    if _FOLDABLE.search(text):
        # broken ToUnicode maps point at radicals/compatibility forms of ordinary characters
        folded = unicodedata.normalize("NFKC", text).translate(_RADICALS)
        return folded, 0, int(folded != text)
    return text, 0, 0


def read_page(page: Any, glyphs: list[Glyph] | None = None) -> PageContent:
    """A page: pdfplumber's `Page` or an object with the attributes read here, its characters
    given as glyphs or else read from `page.chars`."""
    number = page.page_number
    glyphs, bad, repaired = clean_glyphs(glyphs_of(page.chars) if glyphs is None else glyphs)
    lines, rects, curves = page.lines, page.rects, page.curves
    images = [
        ImageMark(number, im["top"], (im["x0"], im["top"], im["x1"], im["bottom"]))
        for im in page.images
        if (im["x1"] - im["x0"]) * (im["bottom"] - im["top"]) >= 0.05 * page.width * page.height
    ]
    fragments: list[Fragment] = []
    remaining = glyphs
    width = float(page.width)
    turned = any(not g.upright for g in glyphs)  # only then may a table be printed sideways
    for grid in find_grids(lines, rects, curves):
        frag = None
        turn = grid_turn(_inside(remaining, grid.bbox)) if turned and not framed(grid) else 0
        if turn:  # a table printed sideways
            frag, remaining = _fill_turned(grid, remaining, Turn(turn, width, float(page.height)), number)
            if frag:
                fragments.append(frag)
            continue
        if not framed(grid) and not _covers_page(grid, page):
            kept, cut = cut_at_edge(grid, width)
            if kept is not grid:  # what the edge cuts through is not read (nor left as text)
                remaining = [g for g in remaining if not _within(g, grid.bbox) or _within(g, kept.bbox)]
            frag, remaining = _fill_grid(kept, remaining, number)
            if frag is not None:
                frag.cut = cut
        elif not framed(grid):
            frag, remaining = _fill_grid(grid, remaining, number)
        if frag is None and (framed(grid) or _covers_page(grid, page)):
            # a page frame touching the table: try again without the frame
            for sub in without_outline(grid, lines, rects, curves):
                sub_frag, remaining = _fill_grid(sub, remaining, number)
                if sub_frag:
                    fragments.append(sub_frag)
        elif frag:
            fragments.append(frag)
    unruled, rest = find_unruled(group_lines([g for g in remaining if g.text.strip()]), number, width)
    fragments += unruled
    text_lines = [text_line(g, number) for g in rest]
    n = sum(1 for g in glyphs if g.text.strip())
    return PageContent(
        number,
        float(page.width),
        float(page.height),
        [t for t in text_lines if t.text],
        fragments,
        images,
        n,
        bad,
        repaired,
    )


def _fill_turned(
    grid: Grid, glyphs: list[Glyph], turn: Turn, page: int
) -> tuple[Fragment | None, list[Glyph]]:
    """A grid whose text is turned a quarter: read in the frame where the text is upright,
    its cells' boxes turned back onto the page."""
    inside = _inside(glyphs, grid.bbox)
    frag, _ = _fill_grid(turn.grid(grid), [turn.glyph(g) for g in inside], page)
    if frag is None:
        return None, glyphs
    for cell in frag.cells:
        cell.bbox = round_box(turn.back(cell.bbox))
    frag.bbox = round_box(grid.bbox)
    taken = {id(g) for g in inside}
    return frag, [g for g in glyphs if id(g) not in taken]


def _runs_down_columns(grid: Grid, glyphs: list[Glyph]) -> bool:
    """Does a run of glyphs set one per line lie within one cell of the column-wise reading
    that spans several rows, which the row-wise reading cuts into pieces?"""
    for run in vertical_runs(glyphs):
        for cell in grid.by_column:
            if cell.rowspan > 1 and all(_within(g, cell.bbox) for g in run):
                return True
    return False


def _within(g: Glyph, box: tuple[float, float, float, float]) -> bool:
    return box[0] - 1 <= g.cx <= box[2] + 1 and box[1] - 1 <= g.cy <= box[3] + 1


def _covers_page(grid: Grid, page: Any) -> bool:
    x0, top, x1, bottom = grid.bbox
    return (x1 - x0) * (bottom - top) >= 0.5 * float(page.width) * float(page.height)


def _inside(glyphs: list[Glyph], box: tuple[float, float, float, float]) -> list[Glyph]:
    x0, top, x1, bottom = box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1
    return [g for g in glyphs if x0 <= g.cx <= x1 and top <= g.cy <= bottom]


def _fill_grid(grid: Grid, glyphs: list[Glyph], page: int) -> tuple[Fragment | None, list[Glyph]]:
    """Put the glyphs inside a grid into its cells; None when the grid is not a data table."""
    inside = _inside(glyphs, grid.bbox)
    if not any(g.text.strip() for g in inside):
        return None, glyphs
    if grid.by_column and _runs_down_columns(grid, inside):
        # the ragged area is a tall merged cell whose side ruling is missing: its text runs down
        # the column, one glyph per line, and belongs to that cell, not to the rows beside it
        grid = replace(grid, cells=grid.by_column, irregular=False, by_column=())
    owner: dict[tuple[int, int], int] = {}
    for i, cell in enumerate(grid.cells):
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                owner[(r, c)] = i
    per_cell: list[list[Glyph]] = [[] for _ in grid.cells]
    straddling = 0
    ys, xs = grid.ys, grid.xs
    last_row, last_col = len(ys) - 2, len(xs) - 2
    for g in inside:
        # the slot between the rulings (the first or last one outside them), inline: per glyph
        row = bisect.bisect_right(ys, g.cy) - 1
        col = bisect.bisect_right(xs, g.cx) - 1
        row = 0 if row < 0 else (row if row < last_row else last_row)
        col = 0 if col < 0 else (col if col < last_col else last_col)
        at = owner.get((row, col))
        if at is None:
            straddling += 1
            continue
        cx0, _, cx1, _ = grid.cells[at].bbox
        width = g.x1 - g.x0
        width = 0.1 if width < 0.1 else width  # max(…, 0.1)
        if g.text.strip() and (g.x0 < cx0 - 0.4 * width or g.x1 > cx1 + 0.4 * width):
            straddling += 1
        per_cell[at].append(g)
    texts = [cell_text(cell, gl) for cell, gl in zip(grid.cells, per_cell, strict=True)]
    if max(len(t) for t in texts) > MAX_CELL_CHARS:
        return None, glyphs  # a framed block of narrative
    cells = [
        FragCell(c.row, c.col, c.rowspan, c.colspan, round_box(c.bbox), page, t)
        for c, t in zip(grid.cells, texts, strict=True)
    ]
    issues = []
    if grid.irregular:
        issues.append("网格不规则（合并区域不是矩形）")
    n_text = sum(1 for g in inside if g.text.strip())
    if straddling and straddling / n_text > 0.03:
        issues.append(f"{straddling} 个字符压在表格线上，未能确定所属单元格")
    inside_ids = {id(g) for g in inside}
    rest = [g for g in glyphs if id(g) not in inside_ids]
    small = len(grid.ys) < 4 or len(grid.xs) < 3
    lines = [text_line(g, page) for g in group_lines([g for g in inside if g.text.strip()])] if small else []
    frag = Fragment(page, page, grid.xs, round_box(grid.bbox), len(grid.ys) - 1, cells, issues, small, lines)
    return frag, rest
