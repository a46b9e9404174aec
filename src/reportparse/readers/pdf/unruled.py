"""Tables printed without ruling lines, rebuilt from the positions of their text.

A data line is a line of text that ends in numbers set apart by wide gaps (`规章  60  15  80`,
or only numbers, as 表四's one data row). Consecutive data lines, with the lines around and
between them, make one table unless a section heading or a full line of prose comes between:

- **columns**: the numbers of all its data lines, as intervals on the x axis, merged where they
  overlap. A column's numbers line up whether the producer aligns them left, right or centred;
  a header word above a column with no number at all adds that column;
- **the label zone** is everything left of the first column. Its words form label blocks: a
  word joins the block above it when it lies under it (their x ranges overlap), close below it
  (a gap of at most one font size), does not start a new numbered label (`1.`, `（二）`, `一、`)
  and would not give the block a second data line. So a label wrapped over several lines is one
  label, and `（三）不予公开` beside `1.属于国家秘密` stays apart from it;
- **rows**: each data line is a row; each label block goes with the data line it stands beside
  (top-aligned cells put the numbers on the label's first line, centred cells between its
  lines). A block beside no data line is a group label (with something to its right) or a row
  whose every cell is blank;
- **header**: the lines above the first data line, as blocks, each in the columns it spans.

A number that fits no column, or two at once, makes its row uncertain: its values are not read
(the mapper then leaves the row unread) and the table is flagged (EXT-006). Readers know nothing
of the template: how many columns a table should have is checked by the mapper.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from ...templates import common
from .layout import PAGE_NUMBER
from .objects import FragCell, Fragment, Glyph, TextBox, round_box
from .text import extent, join_lines, line_string

WIDE = 0.5  # a gap of this many font sizes before a number sets it apart as a cell (prose: < 0.3)
CLOSE = 1.0  # lines of one cell are at most this many font sizes apart
_DATA_GLYPHS = frozenset("0123456789—－-/／")
_VALUE = re.compile(r"^(?:[+\-－]?\d[\d,，]*(?:\.\d+)?%?|[—－\-/／]+)$")
_MARKER = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[.、．](?!\d))"
)
_SECTION_HEADINGS = tuple(h for s in common().sections for h in (s.heading, *s.variants))
_HEADING = re.compile(
    r"^\s*[一二三四五六七八九十]{1,2}\s*[、.．]\s*(?:"
    + "|".join(map(re.escape, _SECTION_HEADINGS))
    + r")\s*$"
)


@dataclass(eq=False, slots=True)
class _Word(TextBox):
    glyphs: list[Glyph] = field(default_factory=list)
    line: int = 0

    @property
    def value(self) -> bool:
        return bool(_VALUE.match(self.text))


@dataclass(eq=False)
class _Words:
    """Words together, with the box around them."""

    words: list[_Word] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    def box(self) -> tuple[float, float, float, float]:
        return round_box((self.x0, self.top, self.x1, self.bottom))


@dataclass(eq=False)
class _Line(_Words):
    values: int = -1  # index of the first word of its trailing numbers (-1: not a data line)

    @property
    def size(self) -> float:
        return statistics.median(w.size for w in self.words)

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(eq=False)
class _Block(_Words):
    """A cell's text: words over one or more lines."""

    data_line: int | None = None  # the data line it has a word on, if any

    def text(self) -> str:
        out = ""
        for line in sorted({w.line for w in self.words}):
            part = "".join(
                w.text for w in sorted((w for w in self.words if w.line == line), key=lambda w: w.x0)
            )
            out = join_lines(out, part, forced=False) if out else part
        return out


# --- words and lines --------------------------------------------------------------------------


def _words(glyphs: Sequence[Glyph]) -> list[_Word]:
    """A line's glyphs into words: apart at a gap wider than 0.4 font size, and between a
    digit and a character that is none at any visible gap (`数量22` with tight cell padding)."""
    out: list[list[Glyph]] = []
    for g in glyphs:
        if out:
            prev = out[-1][-1]
            gap = g.x0 - prev.x1
            size = min(prev.size, g.size)
            class_change = _numeric(prev.text) != _numeric(g.text)
            if gap <= 0.4 * size and not (class_change and gap > 0.15 * size):
                out[-1].append(g)
                continue
        out.append([g])
    return [_Word(line_string(gs, tabs=False), *extent(gs), gs) for gs in out]


def _numeric(text: str) -> bool:
    return text.isdigit() or text in ".,%"


def _classify(line: _Line) -> None:
    """Mark a data line: its last words are numbers, the first of them set apart by a wide gap
    (or opening the line), each apart from the next."""
    words = line.words
    k = len(words)
    while k > 0 and words[k - 1].value:
        k -= 1
    if k == len(words) or (k > 0 and words[k].x0 - words[k - 1].x1 < WIDE * words[k].size):
        return  # no number, or the first glued to the text before it: prose (`开展社会评议1`)
    if PAGE_NUMBER.match("".join(w.text for w in words)):
        return  # `— 1 —`
    line.values = k


def _breaks(line: _Line, width: float) -> bool:
    """A section heading or a line of prose: no table runs across it."""
    if line.values >= 0:
        return False
    text = "".join(w.text for w in line.words)
    if _HEADING.match(text):
        return True
    spread = line.words[-1].x1 - line.words[0].x0
    inked = sum(w.x1 - w.x0 for w in line.words)
    return spread > 0.6 * width and inked > 0.85 * spread  # a full line, hardly a gap in it


# --- one table --------------------------------------------------------------------------------


def _columns(lines: Sequence[_Line]) -> list[tuple[float, float]]:
    """The numbers' x ranges merged where they overlap: left-, right- or centre-aligned, the
    numbers of one column share some x."""
    spans = sorted((w.x0, w.x1, w.size) for ln in lines if ln.values >= 0 for w in ln.words[ln.values :])
    cols: list[list[float]] = []
    for x0, x1, size in spans:
        if cols and x0 <= cols[-1][1] + 0.1 * size:
            cols[-1][1] = max(cols[-1][1], x1)
        else:
            cols.append([x0, x1])
    return [(a, b) for a, b in cols]


def _overlapping(cols: Sequence[tuple[float, float]], x0: float, x1: float) -> list[int]:
    return [k for k, (a, b) in enumerate(cols) if x0 < b and x1 > a]


def _table(lines: list[_Line], page: int, width: float) -> tuple[Fragment, list[_Line]] | None:
    """The table in a run of lines holding data lines, and the lines it takes; None when it
    does not look like one."""
    data = [k for k, ln in enumerate(lines) if ln.values >= 0]
    n_values = sum(len(lines[k].words) - lines[k].values for k in data)
    if len(data) < 2 and n_values < 3 and not (len(data) == 1 and lines[data[0]].values > 0):
        return None
    cols = _columns(lines)
    edge = cols[0][0] - 0.5 * lines[data[0]].size  # the label zone ends here
    centre = width / 2

    def fits(ln: _Line) -> bool:
        """A line of the table: words on one side of the label zone's edge, or a caption
        centred on the page."""
        if len(ln.words) == 1 and abs((ln.words[0].x0 + ln.words[0].x1) / 2 - centre) <= 1.5 * ln.size:
            return True
        return len(ln.words) > 1 or ln.words[0].x1 <= edge + 0.5 * ln.size or ln.words[0].x0 >= edge

    first, last = data[0], data[-1]
    while (
        first > 0
        and fits(lines[first - 1])
        and lines[first].top - lines[first - 1].bottom <= 2 * lines[first].size
    ):
        first -= 1
    while (
        last + 1 < len(lines)
        and all(w.x1 <= edge + 0.5 * w.size for w in lines[last + 1].words)
        and lines[last + 1].top - lines[last].bottom <= CLOSE * lines[last].size
    ):
        last += 1
    lines = lines[first : last + 1]
    for k, ln in enumerate(lines):
        for w in ln.words:
            w.line = k
    n_header = data[0] - first
    while n_header > 0 and _leads(lines[n_header - 1], lines[n_header], edge):
        n_header -= 1  # the first label's own first lines, above its numbers (centred cells)
    return _build(lines, n_header, _with_headed(cols, lines[:n_header], edge), edge, page), lines


def _with_headed(
    cols: list[tuple[float, float]], header: Sequence[_Line], edge: float
) -> list[tuple[float, float]]:
    """The columns, with one for each header word over no number: a column whose every cell
    is blank (zeros printed as blanks) still has its header."""
    extra: list[list[float]] = []
    for w in sorted((w for ln in header for w in ln.words), key=lambda w: w.x0):
        if w.x0 < edge or _overlapping(cols, w.x0, w.x1):
            continue
        if extra and w.x0 < extra[-1][1]:
            extra[-1][1] = max(extra[-1][1], w.x1)
        else:
            extra.append([w.x0, w.x1])
    return sorted([*cols, *((a, b) for a, b in extra)])


def _leads(line: _Line, below: _Line, edge: float) -> bool:
    """Is `line` the top of the label beside the data below it: label zone only, close above."""
    return (
        all(w.x1 <= edge + 0.5 * w.size for w in line.words) and below.top - line.bottom <= CLOSE * line.size
    )


def _blocks(words: Sequence[_Word], lines: Sequence[_Line], split: bool) -> list[_Block]:
    """Words into blocks (a cell's text); `split` starts a new block at a numbered label and
    keeps two data lines apart."""
    blocks: list[_Block] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        on_data = w.line if lines[w.line].values >= 0 else None
        best = None
        for b in reversed(blocks):
            last = max(x.line for x in b.words)
            below = [x for x in b.words if x.line == last]
            if last >= w.line or not any(w.x0 < x.x1 and w.x1 > x.x0 for x in below):
                continue
            if w.top - max(x.bottom for x in below) > CLOSE * w.size:
                continue
            if split and (
                _MARKER.match(w.text) or (on_data is not None and b.data_line not in (None, on_data))
            ):
                continue
            best = b
            break
        if best is None:
            best = _Block()
            blocks.append(best)
        best.words.append(w)
        if on_data is not None:
            best.data_line = on_data
    return blocks


def _build(
    lines: list[_Line], n_header: int, cols: list[tuple[float, float]], edge: float, page: int
) -> Fragment:
    issues: list[str] = []
    rows, placed = _rows(lines, n_header, cols, edge, issues)
    n_labels = max((len(v) for v in placed.values()), default=0)
    if any(kind != "data" for _, kind, _ in rows):
        n_labels = max(n_labels, 1)
    header_rows: list[float] = []
    cells: list[FragCell] = []
    words = [w for ln in lines[:n_header] for w in ln.words]
    top = _blocks(words, lines, split=False)
    heads = top + [
        b
        for _, kind, k in rows
        if kind == "head" and isinstance(k, int)
        for b in _blocks(lines[k].words, lines, False)
    ]
    # numbers line up under the header words: a column under none of them, where the table has
    # a header over its columns, is no column of the table (its numbers are not read)
    if any(b.x0 >= edge for b in heads):
        orphans = {j for j, (a, z) in enumerate(cols) if not any(b.x0 < z and b.x1 > a for b in heads)}
    else:
        orphans = set()
    shown = [c for j, c in enumerate(cols) if j not in orphans]
    for b in sorted(top, key=lambda b: b.top):
        row = next((k for k, t in enumerate(header_rows) if abs(b.top - t) <= 0.6 * b.words[0].size), None)
        if row is None:
            header_rows.append(b.top)
            row = len(header_rows) - 1
        cells += _header_cells([b], shown, edge, n_labels, row, page)
    for r, (_, kind, what) in enumerate(rows, len(header_rows)):
        if kind == "data":
            assert isinstance(what, int)
            ln = lines[what]
            for c, b in enumerate(sorted(placed.get(what, []), key=lambda b: b.x0)):
                cells.append(FragCell(r, c, 1, 1, b.box(), page, b.text()))
            cells += _values(ln, cols, n_labels, r, page, issues, orphans)
        elif kind == "head":
            assert isinstance(what, int)
            cells += _header_cells(
                _blocks(lines[what].words, lines, split=False), shown, edge, n_labels, r, page
            )
        else:
            assert isinstance(what, _Block)
            cells.append(FragCell(r, 0, 1, 1, what.box(), page, what.text()))
            for j, (a, b_) in enumerate(shown if kind == "blank" else ()):
                cells.append(
                    FragCell(r, n_labels + j, 1, 1, round_box((a, what.top, b_, what.bottom)), page, "")
                )
    xs = [min(c.bbox[0] for c in cells), *(a for a, _ in shown), max((b for _, b in shown), default=edge)]
    box = round_box((xs[0], lines[0].top, max(c.bbox[2] for c in cells), lines[-1].bottom))
    cells = _unique(cells)
    cells.sort(key=lambda c: (c.row, c.col))
    n_rows = max(c.row for c in cells) + 1
    frag = Fragment(page, page, tuple(xs), box, n_rows, cells, sorted(set(issues)), ruled=False)
    frag.lead = len(header_rows)
    return frag


def _rows(
    lines: list[_Line], n_header: int, cols: list[tuple[float, float]], edge: float, issues: list[str]
) -> tuple[list[tuple[float, str, object]], dict[int, list[_Block]]]:
    """The body's rows, top to bottom, as (y, kind, what): a data line (`data`, its index), a
    header-like line inside the body (`head`: 表二's `信息内容  本年处理决定数量`), a label beside
    no data line whose cells are all blank (`blank`) or whose numbers could not be read
    (`label`); and the label blocks beside each data line."""
    body = lines[n_header:]
    data = [k for k, ln in enumerate(lines) if ln.values >= 0]
    # a line without numbers that has words over the columns is a header row of its own
    head_lines = sorted(
        {
            k
            for k, ln in enumerate(lines[n_header:], n_header)
            if ln.values < 0 and _over(ln.words, cols, edge)
        }
    )
    rows: list[tuple[float, str, object]] = [(lines[k].cy, "data", k) for k in data]
    rows += [(lines[k].cy, "head", k) for k in head_lines]
    labels = [
        w
        for ln in body
        for w in ln.words[: ln.values if ln.values >= 0 else None]
        if w.x0 < edge and w.line not in head_lines
    ]
    blocks = _blocks(labels, lines, split=True)
    placed: dict[int, list[_Block]] = {}
    for b in blocks:
        beside = [
            k for k in data if b.top - 0.3 * lines[k].size <= lines[k].cy <= b.bottom + 0.3 * lines[k].size
        ]
        if beside:
            placed.setdefault(beside[0], []).append(b)
            continue
        right = [o for o in blocks if o is not b and o.x0 > b.x1 and o.top < b.bottom and o.bottom > b.top]
        printed = [
            w
            for ln in body
            for w in ln.words
            if _overlapping(cols, w.x0, w.x1) and w.top < b.bottom and w.bottom > b.top and w not in b.words
        ]
        if right and data:  # a group label: with the row it stands nearest to
            near = min(data, key=lambda k: abs(lines[k].cy - (b.top + b.bottom) / 2))
            placed.setdefault(near, []).append(b)
        elif printed:  # something over the columns beside it, but no data line: not read
            issues.append(f"无框线表格中「{b.text()[:12]}」一行的数字未能读取")
            rows.append(((b.top + b.bottom) / 2, "label", b))
        else:  # a row whose cells are all blank
            rows.append(((b.top + b.bottom) / 2, "blank", b))
    rows.sort(key=lambda r: r[0])
    return rows, placed


def _over(words: Sequence[_Word], cols: Sequence[tuple[float, float]], edge: float) -> bool:
    return any(w.x0 >= edge or _overlapping(cols, w.x0, w.x1) for w in words)


def _values(
    ln: _Line,
    cols: Sequence[tuple[float, float]],
    n_labels: int,
    row: int,
    page: int,
    issues: list[str],
    orphans: set[int],
) -> list[FragCell]:
    """A data line's numbers in their columns, a blank cell in every other; none when a number
    fits no column, two, or one no header stands over (the row is then not read: never a
    number in the wrong column)."""
    values: dict[int, _Word] = {}
    for w in ln.words[ln.values :]:
        hit = _overlapping(cols, w.x0, w.x1)
        if len(hit) != 1 or hit[0] in values or hit[0] in orphans:
            issues.append(f"无框线表格第 {row + 1} 行的数字无法与列对齐")
            return []
        values[hit[0]] = w
    out = []
    kept = [j for j in range(len(cols)) if j not in orphans]
    for k, j in enumerate(kept):
        v = values.get(j)
        box = round_box((v.x0, v.top, v.x1, v.bottom) if v else (cols[j][0], ln.top, cols[j][1], ln.bottom))
        out.append(FragCell(row, n_labels + k, 1, 1, box, page, v.text if v else ""))
    return out


def _header_cells(
    blocks: Sequence[_Block],
    cols: Sequence[tuple[float, float]],
    edge: float,
    n_labels: int,
    row: int,
    page: int,
) -> list[FragCell]:
    """Header blocks as cells: over the columns they span, or in the label zone."""
    out = []
    for b in blocks:
        hit = _overlapping(cols, b.x0, b.x1)
        if b.x0 < edge and not hit:
            out.append(FragCell(row, 0, 1, max(n_labels, 1), b.box(), page, b.text()))
            continue
        if not hit:
            hit = [min(range(len(cols)), key=lambda j: abs(sum(cols[j]) / 2 - (b.x0 + b.x1) / 2))]
        out.append(FragCell(row, n_labels + hit[0], 1, hit[-1] - hit[0] + 1, b.box(), page, b.text()))
    return out


def _unique(cells: list[FragCell]) -> list[FragCell]:
    """One cell per grid position: text that lands on a taken position joins it."""
    out: dict[tuple[int, int], FragCell] = {}
    for c in cells:
        if (c.row, c.col) in out:
            kept = out[(c.row, c.col)]
            kept.text = (kept.text + " " + c.text).strip()
        else:
            out[(c.row, c.col)] = c
    return list(out.values())


# --- a page -----------------------------------------------------------------------------------


def find_unruled(
    glyph_lines: list[list[Glyph]], page: int, width: float
) -> tuple[list[Fragment], list[list[Glyph]]]:
    """The unruled tables among a page's lines of glyphs (those outside ruled tables), and the
    lines left for narrative."""
    # only a line ending in a digit or a dash can be a data line: look at the others only then
    candidates = [_Line(_words(ln)) for ln in glyph_lines if ln[-1].text[-1] in _DATA_GLYPHS]
    for ln in candidates:
        _classify(ln)
    if not any(ln.values >= 0 for ln in candidates):
        return [], glyph_lines
    lines = [_Line(_words(ln)) for ln in glyph_lines]
    for ln in lines:
        _classify(ln)
    runs: list[list[_Line]] = [[]]
    for ln in lines:
        prev = runs[-1][-1] if runs[-1] else None
        if _breaks(ln, width) or (prev is not None and ln.top - prev.bottom > 2.5 * ln.size):
            runs.append([] if _breaks(ln, width) else [ln])
            continue
        runs[-1].append(ln)
    fragments: list[Fragment] = []
    taken: set[int] = set()
    for run in runs:
        if not any(ln.values >= 0 for ln in run):
            continue
        found = _table(run, page, width)
        if found is None:
            continue
        fragments.append(found[0])
        taken |= {id(ln) for ln in found[1]}
    return fragments, [gl for gl, ln in zip(glyph_lines, lines, strict=True) if id(ln) not in taken]
