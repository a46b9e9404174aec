"""Tables over page breaks: a table ending a page and one starting the next page are one table
when their columns line up; repeated header rows are dropped and a row broken over the page is
joined again."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from .objects import FragCell, Fragment, Item, TextLine
from .tables import cluster
from .text import join_lines

COL_TOL = 3.0  # column boundaries this close match across a page break
_LIST_MARKER = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[.、．](?!\d)|第[一二三四五六七八九十\d]+[项条])"
)
_NUMERIC = re.compile(r"^[+\-－]?[\d,，.]+%?$|^[—－\-/／]+$")
_CONTINUED = re.compile(r"^\s*[（(]?\s*续\s*表\s*[）)]?\s*\S{0,12}$")


def _xs_match(a: Sequence[float], b: Sequence[float]) -> bool:
    return all(any(abs(x - y) <= COL_TOL for y in b) for x in a)


def _compatible(upper: Fragment, lower: Fragment) -> bool:
    if not (upper.ruled and lower.ruled):
        return False  # unruled tables are rows placed by label: the mapper reads them apart
    if abs(upper.xs[0] - lower.xs[0]) > COL_TOL or abs(upper.xs[-1] - lower.xs[-1]) > COL_TOL:
        return False
    return _xs_match(lower.xs, upper.xs) or _xs_match(upper.xs, lower.xs)


def stitch_tables(items: list[Item]) -> list[Item]:
    """Join a table ending a page with a table starting the next one when the columns line up."""
    out: list[Item] = []
    for k, item in enumerate(items):
        if (
            isinstance(item, TextLine)
            and _CONTINUED.match(item.text)
            and out
            and isinstance(out[-1], Fragment)
            and k + 1 < len(items)
            and isinstance(items[k + 1], Fragment)
        ):
            continue  # a "续表" caption between the parts of a table
        prev = out[-1] if out else None
        if (
            isinstance(item, Fragment)
            and isinstance(prev, Fragment)
            and item.page == prev.last_page + 1
            and _compatible(prev, item)
        ):
            out[-1] = _combine(prev, item)
            continue
        if (
            isinstance(item, Fragment)
            and isinstance(prev, Fragment)
            and item.page == prev.last_page + 1
            and not (item.ruled or prev.ruled)
        ):
            _run_on(prev, item)
        out.append(item)
    flat: list[Item] = []
    for item in out:
        flat += item.lines if isinstance(item, Fragment) and item.small else [item]
    return flat


def _run_on(upper: Fragment, lower: Fragment) -> None:
    """Unruled tables over a page break: the lines the next page opens with, above its first
    row and only in the label zone (`息` of `6.属于四类过程性信` / `息`), end the label they
    stand under on the page before. The two stay two tables, read apart by the mapper."""
    zone = lower.xs[1] + COL_TOL if len(lower.xs) > 1 else lower.bbox[0]
    lead = [c for c in lower.cells if c.row < lower.lead]
    if not lead or any(
        c.bbox[2] > zone or _LIST_MARKER.match(c.text) or _NUMERIC.match(_norm(c.text)) for c in lead
    ):
        return
    labels = [c for c in upper.cells if c.bbox[2] <= upper.xs[1] + COL_TOL and c.text]
    for c in sorted(lead, key=lambda c: (c.row, c.bbox[0])):
        above = [u for u in labels if u.bbox[0] < c.bbox[2] and c.bbox[0] < u.bbox[2]]
        if not above:
            return
        last = max(above, key=lambda u: (u.row, u.bbox[3]))
        last.text = join_lines(last.text, c.text, forced=True)
    drop = lower.lead
    lower.cells = [c.moved(c.row - drop) for c in lower.cells if c.row >= drop]
    lower.n_rows -= drop
    lower.lead = 0


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _remap(frag: Fragment, xs: Sequence[float]) -> list[FragCell]:
    def nearest(x: float) -> int:  # xs ascend: the nearest is at the insertion point or before it
        i = bisect.bisect_left(xs, x)
        return i - 1 if i == len(xs) or (i > 0 and x - xs[i - 1] <= xs[i] - x) else i

    out = []
    for c in frag.cells:
        col, end = nearest(c.bbox[0]), nearest(c.bbox[2])
        out.append(c.moved(c.row, col, max(1, end - col)))
    return out


def _header_rows(upper: list[FragCell], lower: list[FragCell], n_upper: int, n_lower: int) -> int:
    """How many leading rows of the lower part repeat the table's header rows."""

    def head(cells: list[FragCell], k: int) -> list[tuple[int, int, int, int, str]] | None:
        top = [c for c in cells if c.row < k]
        if any(c.row + c.rowspan > k for c in top):
            return None  # k cuts through a merged cell: not a header boundary
        return sorted((c.row, c.rowspan, c.col, c.colspan, _norm(c.text)) for c in top)

    # (all of the upper part may be header: a header row alone at the foot of a page, repeated)
    for k in range(min(6, n_upper, n_lower - 1), 0, -1):
        a, b = head(upper, k), head(lower, k)
        if a is not None and a == b and any(t[4] and not _NUMERIC.match(t[4]) for t in a):
            return k
    return 0


def _is_label(text: str) -> bool:
    return not _NUMERIC.match(_norm(text)) if text else True


def _combine(upper: Fragment, lower: Fragment) -> Fragment:
    xs = [sum(g) / len(g) for g in cluster([*upper.xs, *lower.xs], COL_TOL)]
    top_cells = _remap(upper, xs)
    low_cells = _remap(lower, xs)
    k = _header_rows(top_cells, low_cells, upper.n_rows, lower.n_rows)
    low_cells = [c.moved(c.row - k) for c in low_cells if c.row >= k]
    seam = upper.n_rows
    ending = {(c.col, c.colspan): c for c in top_cells if c.row + c.rowspan == seam}
    starting = [c for c in low_cells if c.row == 0]
    pairs = [(ending.get((c.col, c.colspan)), c) for c in starting]
    # A row that broke over the page: same columns, never numbers on both sides, and the lower
    # part continues text rather than starting a new numbered label.
    whole_row = (
        bool(pairs)
        and all(u is not None for u, _ in pairs)
        and len(ending) == len(starting)
        and not any(
            u and u.text and lo.text and not (_is_label(u.text) and _is_label(lo.text)) for u, lo in pairs
        )
        and any(u and u.text and lo.text for u, lo in pairs)
        and not any(_LIST_MARKER.match(lo.text) for _, lo in pairs)
    )
    collapse = 1 if whole_row else 0
    merged: set[int] = set()
    for u, lo in pairs:
        if u is None:
            continue
        # a merged label over the break, or a label cut after its first character (a merged
        # header cell: its first line on one page, the rest on the next; no label is one glyph)
        continues = whole_row or (
            _is_label(u.text)
            and _is_label(lo.text)
            and not _LIST_MARKER.match(lo.text)
            and (u.rowspan > 1 or lo.rowspan > 1 or (len(_norm(u.text)) == 1 and bool(lo.text)))
        )
        if continues:
            u.rowspan += lo.rowspan - collapse
            u.text = join_lines(u.text, lo.text, forced=False) if u.text and lo.text else u.text or lo.text
            merged.add(id(lo))
    cells = top_cells + [c.moved(c.row + seam - collapse) for c in low_cells if id(c) not in merged]
    issues = upper.issues + lower.issues
    n_rows = seam + lower.n_rows - k - collapse
    cells.sort(key=lambda c: (c.row, c.col))
    stitched = Fragment(upper.page, lower.last_page, tuple(xs), upper.bbox, n_rows, cells, issues)
    stitched.cut = upper.cut or lower.cut
    return stitched
