"""Walking the cleaned page into paragraphs, tables and references (pictures, attachments) in
document order.

Tables follow the HTML table model (`_grid`): spans, `rowspan=0` and overlapping spans as a
browser lays them out. A table that holds tables, has one column or holds long paragraphs is
page layout, and its cells are walked as paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...limits import limits
from .clean import BLOCK_TAGS, BREAK_TAGS, norm, text_content

MAX_COLSPAN = 1000  # the HTML table model's limits
MAX_ROWSPAN = 65534
MAX_GRID_SLOTS = 200_000  # slots one table may cover (表三 covers about 250)
_LONG_CELL = 200  # a cell with more text than this is page layout, not a report table cell
DOC_EXT_RE = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|ofd|rtf)(?:$|[?#])", re.I)  # an attachment's link
_NUMBER_RE = re.compile(r"[+\-－]?\d[\d,，.]*")


# --- items ------------------------------------------------------------------------------------


@dataclass
class Para:
    text: str
    owner: Any  # the nearest block element
    link_chars: int = 0
    chrome: bool = False
    marks: frozenset[int] | None = None  # report headings the line names (`marks_of`), once computed


@dataclass
class Tab:
    el: Any
    cells: list[tuple[Any, int, int, int, int, str]]  # (td, row, col, rowspan, colspan, text)
    overlaps: int = 0
    chrome: bool = False
    _numeric: bool | None = None

    @property
    def numeric(self) -> bool:
        """At least three cells hold a number: a report table rather than a layout or a form."""
        if self._numeric is None:
            found = 0
            for c in self.cells:
                if c[5] and _NUMBER_RE.fullmatch(c[5].replace(" ", "")):
                    found += 1
                    if found == 3:
                        break
            self._numeric = found == 3
        return self._numeric


@dataclass
class Ref:
    kind: str  # "image" | "attachment"
    url: str
    owner: Any
    text: str = ""
    chrome: bool = False


Item = Para | Tab | Ref


class TooDeep(Exception):
    pass


# --- the walker -------------------------------------------------------------------------------


class Walker:
    """Turns the page into paragraphs, tables and references in document order."""

    def __init__(self, body: Any, markers: set[Any]) -> None:
        self.items: list[Item] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.glue = False  # the next text follows a Word list marker: no space in between
        self.stack: list[Any] = [body]
        self.markers = markers
        self.marked = _with_ancestors(markers)  # cells holding a marker need the slow way

    def text(self, s: str, link: bool) -> None:
        if not s:
            return
        if self.glue and s.strip():
            s = s.lstrip()
            self.glue = False
        self.parts.append(s)
        if link:
            self.link_chars += len(norm(s))

    def flush(self) -> None:
        if self.parts:
            text = norm("".join(self.parts))
            if text:
                self.items.append(Para(text, self.stack[-1], min(self.link_chars, len(text))))
            self.parts = []
            self.link_chars = 0
        self.glue = False

    def walk(self, el: Any, depth: int = 0, link: bool = False) -> None:
        """Children of a block element, in document order."""
        if depth > limits().max_html_depth:
            raise TooDeep
        s = el.text
        if s:
            self.text(s, link)
        for child in el:
            tag = child.tag
            if tag == "br":
                self.flush()
            elif tag == "table":
                self.flush()
                self.table(child, depth + 1)
            elif tag in BLOCK_TAGS:
                self.flush()
                self.stack.append(child)
                self.walk(child, depth + 1, link)
                self.flush()
                self.stack.pop()
            elif tag == "img":
                if child.get("src"):
                    self.items.append(Ref("image", child.get("src"), child, child.get("alt") or ""))
            elif child in self.markers:
                self.text(norm(text_content(child)), link)
                self.glue = True
            else:
                href = child.get("href") if tag == "a" else None
                if href and (DOC_EXT_RE.search(href) or "附件" in text_content(child)):
                    owner = self.stack[-1]
                    self.items.append(Ref("attachment", href.strip(), owner, norm(text_content(child))))
                self.walk(child, depth + 1, link or bool(href))
            s = child.tail
            if s:
                self.text(s, link)

    def table(self, el: Any, depth: int) -> None:
        grid, overlaps = _grid(el)
        if _is_layout(el, grid):
            self.layout(grid, depth)
            return
        cells = []
        filled = False
        for td, r, c, rs, cs in grid:
            text = _marked_cell_text(td, depth, self.markers) if td in self.marked else _cell_text(td, depth)
            if len(text) > _LONG_CELL:
                self.layout(grid, depth)
                return
            filled = filled or bool(text)
            cells.append((td, r, c, rs, cs, text))
        if filled:
            self.items.append(Tab(el, cells, overlaps))

    def layout(self, grid: list[tuple[Any, int, int, int, int]], depth: int) -> None:
        for td, *_ in grid:
            self.stack.append(td)
            self.walk(td, depth + 1)
            self.flush()
            self.stack.pop()


# --- table grids and cell text ----------------------------------------------------------------


def _row_groups(table: Any) -> list[list[Any]]:
    groups: list[list[Any]] = []
    loose: list[Any] = []
    for child in table:
        tag = child.tag
        if tag == "tr":
            loose.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            if loose:
                groups.append(loose)
                loose = []
            groups.append([tr for tr in child if tr.tag == "tr"])
    if loose:
        groups.append(loose)
    return groups


def _span(value: str | None, limit: int, zero: int) -> int:
    if value is None:
        return 1
    value = value.strip()
    if value.isdecimal():
        n = int(value)
    else:
        try:
            n = int(re.sub(r"[^\d].*$", "", value) or "1")
        except ValueError:
            return 1
    if n == 0:
        return zero
    return max(1, min(n, limit))


def _grid(table: Any) -> tuple[list[tuple[Any, int, int, int, int]], int]:
    """The HTML table model: each cell anchors at the first free slot of its row; rowspan=0 and
    spans past the end of the row group stop at the group's end; a colspan running into a slot
    already covered from above is cut there (the spec calls it an overlap error).

    A table may cover at most MAX_GRID_SLOTS slots: past that, spans count as 1 (and as bad
    spans), so a few bytes of `rowspan=65534 colspan=1000` cannot fill the memory."""
    out: list[tuple[Any, int, int, int, int]] = []
    occupied: set[tuple[int, int]] = set()
    overlaps = 0
    y = 0
    for group in _row_groups(table):
        end = y + len(group)
        for tr in group:
            x = 0
            for td in tr:
                tag = td.tag
                if tag != "td" and tag != "th":
                    continue
                while (y, x) in occupied:
                    x += 1
                value = td.get("colspan")
                colspan = 1 if value is None else _span(value, MAX_COLSPAN, 1)
                value = td.get("rowspan")
                rowspan = 1 if value is None else min(_span(value, MAX_ROWSPAN, end - y), end - y)
                if colspan == 1 and rowspan == 1:
                    occupied.add((y, x))
                    out.append((td, y, x, 1, 1))
                    x += 1
                    continue
                if len(occupied) + rowspan * colspan > MAX_GRID_SLOTS:
                    rowspan = colspan = 1
                    overlaps += 1
                for k in range(colspan):
                    if (y, x + k) in occupied:
                        colspan = k
                        overlaps += 1
                        break
                for dy in range(rowspan):
                    for dx in range(colspan):
                        occupied.add((y + dy, x + dx))
                out.append((td, y, x, rowspan, colspan))
                x += colspan
            y += 1
    return out, overlaps


def _cell_text(td: Any, depth: int) -> str:
    """A cell's text: block elements and <br> inside it become line breaks (a cell without
    Word list markers)."""
    n = len(td)
    if n == 0:  # the usual cells: text only, or one paragraph of text
        return norm(td.text) if td.text else ""
    if n == 1:
        p = td[0]
        if p.tag in BLOCK_TAGS:
            inner: str | None = None
            if len(p) == 0:
                inner = norm(p.text) if p.text else ""
            elif not any(d.tag in BREAK_TAGS for d in p.iterdescendants()):  # Word: p > span
                inner = norm(text_content(p))
            if inner is not None:
                before, after = td.text, p.tail
                if before or after:
                    return "\n".join(x for x in (norm(before or ""), inner, norm(after or "")) if x)
                return inner
    if not any(d.tag in BREAK_TAGS for d in td.iterdescendants()):  # one line of text
        return norm(text_content(td))
    parts: list[str | None] = []  # text pieces; None where a line breaks
    _cell_parts(td, depth, parts)
    lines: list[str] = []
    line: list[str] = []
    for p in parts:
        if p is None:
            if line:
                t = norm("".join(line))
                if t:
                    lines.append(t)
                line = []
        else:
            line.append(p)
    if line:
        t = norm("".join(line))
        if t:
            lines.append(t)
    return "\n".join(lines)


def _cell_parts(el: Any, d: int, parts: list[str | None]) -> None:
    if d > limits().max_html_depth:
        raise TooDeep
    s = el.text
    if s:
        parts.append(s)
    for child in el:
        tag = child.tag
        if tag == "br":
            parts.append(None)
        elif tag in BLOCK_TAGS:
            parts.append(None)
            _cell_parts(child, d + 1, parts)
            parts.append(None)
        elif tag != "img":
            _cell_parts(child, d + 1, parts)
        s = child.tail
        if s:
            parts.append(s)


def _with_ancestors(elements: set[Any]) -> set[Any]:
    out: set[Any] = set()
    for el in elements:
        while el is not None and el not in out:
            out.add(el)
            el = el.getparent()
    return out


def _marked_cell_text(td: Any, depth: int, markers: set[Any]) -> str:
    """`_cell_text` of a cell holding Word list markers: the text after a marker follows it
    without a space."""
    lines: list[list[str]] = [[]]
    glue = False

    def add(s: str | None) -> None:
        nonlocal glue
        if s:
            if glue and s.strip():
                s = s.lstrip()
                glue = False
            lines[-1].append(s)

    def rec(el: Any, d: int) -> None:
        nonlocal glue
        if d > limits().max_html_depth:
            raise TooDeep
        add(el.text)
        for child in el:
            tag = child.tag
            if tag == "br":
                lines.append([])
            elif tag in BLOCK_TAGS:
                lines.append([])
                rec(child, d + 1)
                lines.append([])
            elif child in markers:
                add(norm(text_content(child)))
                glue = True
            elif tag != "img":
                rec(child, d + 1)
            add(child.tail)

    rec(td, depth)
    return "\n".join(t for t in (norm("".join(p)) for p in lines) if t)


def _is_layout(table: Any, grid: list[tuple[Any, int, int, int, int]]) -> bool:
    """A table used to lay out the page: it holds other tables or is a single cell or a single
    column (or, checked by the caller once cell texts are known, holds long paragraphs)."""
    if not grid:
        return True
    tables = table.iter("table")
    next(tables)  # the table itself
    if next(tables, None) is not None and any(next(td.iter("table"), None) is not None for td, *_ in grid):
        return True
    n_cols = max(c[2] + c[4] for c in grid)
    return n_cols <= 1
