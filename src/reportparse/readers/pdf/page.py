"""One PDF page: its glyphs into cells of the ruled tables found on it and into lines of text.

Glyphs drawn twice (fake bold) are dropped, and radicals that a broken ToUnicode map gives for
whole characters are folded back. A ruling grid becomes a `Fragment` when its glyphs fill cells
like a data table; the glyphs left over are grouped into `TextLine`s, with wide gaps kept as tabs.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .tables import Grid, GridCell, find_grids, framed, without_outline

TAB_GAP = 2.0  # a gap wider than this many font sizes in an unruled line is a column break
MAX_CELL_CHARS = 100  # a "cell" holding more text than this is a framed paragraph, not a table cell
_CJK = (
    r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    r"\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"
)
CJK_RE = re.compile(f"[{_CJK}]")
# CJK Radicals Supplement code points that some fonts' ToUnicode maps give for whole
# characters (NFKC leaves them alone, unlike the Kangxi radicals): radical -> ideograph.
_RADICALS = str.maketrans(
    "⺟⺠⺢⺩⺮⺶⻁⻄⻅⻆⻉⻊⻋⻑⻓⻔⻗⻘⻙⻚⻛⻜⻝⻡⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
    "母民氺王竹羊虎西见角贝足车長长门雨青韦页风飞食首马骨鬼鱼鸟卤麦黄黾齐齿龙龟",
)
_SPACE_NEAR_CJK = re.compile(f"(?<=[{_CJK}]) +| +(?=[{_CJK}])")
_BAD_GLYPH = re.compile(r"\(cid:\d+\)|[\ufffd\ue000-\uf8ff]")


# --- page content -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TextBox:
    """Text with its box (x from the left, `top`/`bottom` from the top of the page) and font size."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass(frozen=True)
class Glyph(TextBox):
    upright: bool = True

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class TextLine(TextBox):
    page: int


@dataclass
class FragCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: tuple[float, float, float, float]
    page: int
    text: str


@dataclass
class Fragment:
    """A ruled table, first as found on one page, then possibly stitched over page breaks."""

    page: int
    last_page: int
    xs: tuple[float, ...]
    bbox: tuple[float, float, float, float]  # on the first page
    n_rows: int
    cells: list[FragCell]
    issues: list[str] = field(default_factory=list)
    # Fewer than three rows or two columns: a table only as part of one continued over a page
    # break; otherwise (a boxed heading or note) its text stays narrative, as `lines`.
    small: bool = False
    lines: list[TextLine] = field(default_factory=list)


@dataclass(frozen=True)
class ImageMark:
    page: int
    top: float
    bbox: tuple[float, float, float, float]


@dataclass
class PageContent:
    number: int
    width: float
    height: float
    lines: list[TextLine]
    fragments: list[Fragment]
    images: list[ImageMark]
    n_glyphs: int = 0
    n_bad: int = 0
    repaired: int = 0


Item = TextLine | Fragment | ImageMark


def item_top(item: Item) -> float:
    return item.bbox[1] if isinstance(item, Fragment) else item.top


# --- one page: glyphs, grids, lines -----------------------------------------------------------


def _glyphs(chars: Iterable[dict[str, Any]]) -> tuple[list[Glyph], int, int]:
    """Glyphs with duplicates (fake bold) dropped; Kangxi radicals folded to ideographs."""
    out: list[Glyph] = []
    seen: set[tuple[str, int, int]] = set()
    bad = repaired = 0
    for ch in chars:
        text = ch.get("text") or ""
        if not text:
            continue
        x, y = round(ch["x0"]), round(ch["top"])
        if any((text, x + dx, y + dy) in seen for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
            continue  # the same glyph drawn again a hair away: fake bold
        seen.add((text, x, y))
        if text == "(cid:3)":
            text = " "  # glyph 3 is the space in TrueType fonts set as Identity-H without a map for it
        elif _BAD_GLYPH.search(text):
            bad += 1
            text = "\ufffd"
        elif any(
            "\u2f00" <= t <= "\u2fdf" or "\u2e80" <= t <= "\u2eff" or "\uf900" <= t <= "\ufaff" for t in text
        ):
            # broken ToUnicode maps point at radicals/compatibility forms of ordinary characters
            folded = unicodedata.normalize("NFKC", text).translate(_RADICALS)
            repaired += folded != text
            text = folded
        size = float(ch.get("size") or (ch["bottom"] - ch["top"]) or 10.0)
        out.append(
            Glyph(text, ch["x0"], ch["x1"], ch["top"], ch["bottom"], size, bool(ch.get("upright", True)))
        )
    return out, bad, repaired


def read_page(page: Any) -> PageContent:
    number = page.page_number
    glyphs, bad, repaired = _glyphs(page.chars)
    lines, rects, curves = page.lines, page.rects, page.curves
    images = [
        ImageMark(number, im["top"], (im["x0"], im["top"], im["x1"], im["bottom"]))
        for im in page.images
        if (im["x1"] - im["x0"]) * (im["bottom"] - im["top"]) >= 0.05 * page.width * page.height
    ]
    fragments: list[Fragment] = []
    remaining = glyphs
    for grid in find_grids(lines, rects, curves):
        frag = None
        if not framed(grid):
            frag, remaining = _fill_grid(grid, remaining, number)
        if frag is None and (framed(grid) or _covers_page(grid, page)):
            # a page frame touching the table: try again without the frame
            for sub in without_outline(grid, lines, rects, curves):
                sub_frag, remaining = _fill_grid(sub, remaining, number)
                if sub_frag:
                    fragments.append(sub_frag)
        elif frag:
            fragments.append(frag)
    text_lines = [_text_line(g, number) for g in _group_lines([g for g in remaining if g.text.strip()])]
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


def _covers_page(grid: Grid, page: Any) -> bool:
    x0, top, x1, bottom = grid.bbox
    return (x1 - x0) * (bottom - top) >= 0.5 * float(page.width) * float(page.height)


def _fill_grid(grid: Grid, glyphs: list[Glyph], page: int) -> tuple[Fragment | None, list[Glyph]]:
    """Put the glyphs inside a grid into its cells; None when the grid is not a data table."""
    x0, top, x1, bottom = grid.bbox
    inside = [g for g in glyphs if x0 - 1 <= g.cx <= x1 + 1 and top - 1 <= g.cy <= bottom + 1]
    if not any(g.text.strip() for g in inside):
        return None, glyphs
    owner: dict[tuple[int, int], int] = {}
    for i, cell in enumerate(grid.cells):
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                owner[(r, c)] = i
    per_cell: list[list[Glyph]] = [[] for _ in grid.cells]
    straddling = 0
    for g in inside:
        at = owner.get((_index(grid.ys, g.cy), _index(grid.xs, g.cx)))
        if at is None:
            straddling += 1
            continue
        cx0, _, cx1, _ = grid.cells[at].bbox
        width = max(g.x1 - g.x0, 0.1)
        if g.text.strip() and (g.x0 < cx0 - 0.4 * width or g.x1 > cx1 + 0.4 * width):
            straddling += 1
        per_cell[at].append(g)
    texts = [_cell_text(cell, gl) for cell, gl in zip(grid.cells, per_cell, strict=True)]
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
    lines = (
        [_text_line(g, page) for g in _group_lines([g for g in inside if g.text.strip()])] if small else []
    )
    frag = Fragment(page, page, grid.xs, round_box(grid.bbox), len(grid.ys) - 1, cells, issues, small, lines)
    return frag, rest


def _index(bounds: Sequence[float], v: float) -> int:
    for i in range(len(bounds) - 1):
        if v < bounds[i + 1]:
            return i
    return len(bounds) - 2


def round_box(b: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return (round(b[0], 2), round(b[1], 2), round(b[2], 2), round(b[3], 2))


def _group_lines(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """Glyphs into lines: a glyph whose vertical centre lies within the current line joins it."""
    lines: list[list[Glyph]] = []
    centre = size = 0.0
    for g in sorted(glyphs, key=lambda g: (g.cy, g.x0)):
        if lines and abs(g.cy - centre) <= 0.5 * min(size, g.size):
            lines[-1].append(g)
            continue
        lines.append([g])
        centre, size = g.cy, g.size
    for line in lines:
        line.sort(key=lambda g: g.x0)
    lines.sort(key=lambda ln: min(g.top for g in ln))
    return lines


def _line_string(glyphs: Sequence[Glyph], tabs: bool) -> str:
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
            size = max(min(prev.size, g.size), 1.0)
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


def _text_line(glyphs: list[Glyph], page: int) -> TextLine:
    text = _line_string(glyphs, tabs=True)
    return TextLine(
        text,
        min(g.x0 for g in glyphs),
        max(g.x1 for g in glyphs),
        min(g.top for g in glyphs),
        max(g.bottom for g in glyphs),
        statistics.median(g.size for g in glyphs),
        page,
    )


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


def _cell_text(cell: GridCell, glyphs: Sequence[Glyph]) -> str:
    glyphs = [g for g in glyphs if g.text.strip()]
    if not glyphs:
        return ""
    if sum(not g.upright for g in glyphs) > len(glyphs) / 2:
        return _vertical_text(glyphs)
    if _stacked(glyphs):
        return _column_text(glyphs)
    width = cell.bbox[2] - cell.bbox[0]
    out = ""
    forced = False
    for line in _group_lines(glyphs):
        text = _line_string(line, tabs=False)
        if not text:
            continue
        extent = max(g.x1 for g in line) - min(g.x0 for g in line)
        size = statistics.median(g.size for g in line)
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
    columns: list[list[Glyph]] = []
    for g in sorted(glyphs, key=lambda g: -g.cx):
        if columns and abs(columns[-1][0].cx - g.cx) <= 0.5 * g.size:
            columns[-1].append(g)
        else:
            columns.append([g])
    order = {id(g): k for k, g in enumerate(glyphs)}
    out = []
    for col in columns:
        drawn = sorted(col, key=lambda g: order[id(g)])
        downwards = all(b.cy - a.cy > -0.5 * b.size for a, b in itertools.pairwise(drawn))
        out.append("".join(g.text for g in (drawn if downwards else sorted(col, key=lambda g: g.top))))
    return tidy("".join(out))


def _vertical_text(glyphs: Sequence[Glyph]) -> str:
    """Text rotated a quarter turn: columns right to left, each read top to bottom."""
    columns: list[list[Glyph]] = []
    for g in sorted(glyphs, key=lambda g: -g.cx):
        if columns and abs(columns[-1][0].cx - g.cx) <= 0.5 * g.size:
            columns[-1].append(g)
        else:
            columns.append([g])
    return tidy("".join("".join(g.text for g in sorted(col, key=lambda g: g.top)) for col in columns))
