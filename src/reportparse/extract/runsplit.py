"""Split table rows whose cells were printed run together ("21710000218") into cells.

Crawler text captures of the report tables often lose every cell separator, so a row
label is followed by one run of characters.  Such a run usually has many readings; this
module keeps only the readings that the template's sums allow and accepts a cell only
when *every* admissible reading gives it the same characters.  A wrong number is far
worse than a missing one, so nothing here ever picks "the most likely" reading.

The solver is template-agnostic: callers describe each row's columns (`ColumnSpec`),
give the run text (`RowRun`) and the sums the template promises (`Equation`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "DEFAULT_UNITS",
    "ColumnSpec",
    "Equation",
    "RowRun",
    "SplitCell",
    "SplitResult",
    "split_runs",
]

Number = int | Decimal

#: Unit suffixes a `unit` column may carry (e.g. "采购总金额 13575.52元").
DEFAULT_UNITS: tuple[str, ...] = ("元", "万元", "亿元", "千元")

_DIGITS = frozenset("0123456789")
# No printed table value has more digits; longer runs are several cells or garbage.
MAX_DIGITS = 15


@dataclass(frozen=True)
class ColumnSpec:
    id: str
    decimal: bool = False  # may contain a decimal point (money)
    signed: bool = False  # may start with '-' or '+'
    unit: bool = False  # may end with a unit suffix like 元 / 万元 that belongs to this cell
    units: tuple[str, ...] = DEFAULT_UNITS  # the suffixes accepted when `unit` is set


@dataclass(frozen=True)
class RowRun:
    row: str  # canonical row id, e.g. "new_received"
    text: str  # the run as printed after the row label
    columns: tuple[ColumnSpec, ...]  # the row's cells, left to right


@dataclass(frozen=True)
class Equation:
    """sum(lhs) == sum(rhs); ids are f"{row}.{column}"."""

    lhs: tuple[str, ...]
    rhs: tuple[str, ...]


@dataclass(frozen=True)
class SplitCell:
    raw: str  # the characters of the run that make this cell, e.g. "217", "-185", "251000元"
    value: Number


@dataclass(frozen=True)
class SplitResult:
    cells: dict[str, SplitCell]  # cells with the same reading in ALL admissible global solutions
    unresolved: dict[str, str]  # cell id -> reason in Chinese
    solutions: int  # admissible global solutions found (capped at max_solutions), 0 if none
    complete: bool  # False when a search hit its budget
    # Per row: how many readings survived that row's own sums (before cross-row equations).
    row_candidates: dict[str, int] = field(default_factory=dict)


Reading = tuple[SplitCell, ...]

# A linear equation as terms (depth, column index, coefficient); "depth" is the column
# index in the per-row search and the row's position in the search order globally.
_Term = tuple[int, int, int]
# A check once some terms are assigned: (assigned terms, unassigned terms).  With no
# unassigned terms the partial sum must be 0; otherwise all unassigned cells are
# non-negative and bounded above, which bounds the partial sum.
_Check = tuple[tuple[_Term, ...], tuple[_Term, ...]]


# --------------------------------------------------------------------------- cells


def _cell_ends(s: str, p: int, col: ColumnSpec) -> list[tuple[int, SplitCell]]:
    """Every cell of column `col` that can start at s[p] inside one whitespace group `s`.

    Returns (end index, cell) pairs.  Scanning by hand (instead of trying every
    substring) prunes leading zeros at once: after a "0" the integer part must stop.
    """
    n = len(s)
    i = p
    if col.signed and i < n and s[i] in "+-":
        i += 1
    if i >= n or s[i] not in _DIGITS:
        return []
    j = i + 1
    if s[i] != "0":
        while j < n and s[j] in _DIGITS and j - i < MAX_DIGITS:
            j += 1
    int_ends = range(i + 1, j + 1)
    frac_ends: range = range(0)
    if col.decimal and j < n and s[j] == "." and j + 1 < n and s[j + 1] in _DIGITS:
        k = j + 1
        while k < n and s[k] in _DIGITS and k - j <= MAX_DIGITS:
            k += 1
        frac_ends = range(j + 2, k + 1)
    out: list[tuple[int, SplitCell]] = []
    for end in (*int_ends, *frac_ends):
        num = s[p:end]
        value: Number = Decimal(num) if col.decimal else int(num)
        out.append((end, SplitCell(num, value)))
        # A unit ends its cell and must close the whitespace group: "100元" but never "100元5".
        if col.unit and end < n and s[end:] in col.units:
            out.append((n, SplitCell(s[p:], value)))
    return out


def _schedule(eqs: Sequence[Sequence[_Term]], depth_nonneg: Sequence[Sequence[bool]]) -> list[list[_Check]]:
    """For each depth, the equation checks that become possible once that depth is assigned."""
    sched: list[list[_Check]] = [[] for _ in depth_nonneg]
    for terms in eqs:
        for d in sorted({t[0] for t in terms}):
            assigned = tuple(t for t in terms if t[0] <= d)
            rest = tuple(t for t in terms if t[0] > d)
            # Bounds only hold when every unassigned cell is non-negative (unsigned).
            if all(depth_nonneg[t[0]][t[1]] for t in rest):
                sched[d].append((assigned, rest))
    return sched


def _ok(
    checks: Sequence[_Check], value: Callable[[int, int], Number], cap: Callable[[int, int], Number]
) -> bool:
    """Whether the assigned cells can still satisfy every scheduled equation.

    With S the assigned part of sum(k * x) == 0 and each unassigned x in [0, cap], S must
    lie in [-(sum of k * cap over k > 0), sum of -k * cap over k < 0].
    """
    for assigned, rest in checks:
        total: Number = 0
        for d, c, k in assigned:
            total += k * value(d, c)
        if not rest:
            if total != 0:
                return False
            continue
        up: Number = 0
        down: Number = 0
        for d, c, k in rest:
            if k > 0:
                down += k * cap(d, c)
            else:
                up -= k * cap(d, c)
        if total > up or -total > down:
            return False
    return True


def _row_readings(
    text: str, columns: Sequence[ColumnSpec], eqs: Sequence[Sequence[_Term]], budget: int
) -> tuple[list[Reading], bool]:
    """All readings of one run that satisfy the row's own equations; (readings, complete)."""
    groups = text.split()  # whitespace is a forced cell boundary
    ncols = len(columns)
    if not groups or ncols == 0:
        return [], True
    # Characters left from the start of each group to the end of the run.
    tail = [0] * (len(groups) + 1)
    for g in range(len(groups) - 1, -1, -1):
        tail[g] = tail[g + 1] + len(groups[g])
    nonneg = [[not col.signed for col in columns]] * ncols
    sched = _schedule([[(c, c, k) for _, c, k in terms] for terms in eqs], nonneg)
    memo: dict[tuple[int, int, int], list[tuple[int, SplitCell]]] = {}
    cur: list[SplitCell] = []
    out: list[Reading] = []
    steps = 0

    room = 0  # most characters any unassigned cell can still have

    def value(d: int, _c: int) -> Number:
        return cur[d].value

    def cap(_d: int, _c: int) -> Number:
        return int(10 ** max(room, 0))  # above any number of `room` characters, decimals included

    def walk(i: int, g: int, p: int) -> bool:
        nonlocal steps, room
        if i == ncols:
            if g == len(groups):
                out.append(tuple(cur))
            return True
        cells_left = ncols - i
        # Each remaining group needs a cell; each cell needs a character.
        if g == len(groups) or cells_left < len(groups) - g or cells_left > tail[g] - p:
            return True
        key = (g, p, i)
        ends = memo.get(key)
        if ends is None:
            ends = memo[key] = _cell_ends(groups[g], p, columns[i])
        for end, cell in ends:
            steps += 1
            if steps > budget:
                return False
            cur.append(cell)
            nxt = (g + 1, 0) if end == len(groups[g]) else (g, end)
            room = tail[nxt[0]] - nxt[1] - (cells_left - 2)
            if _ok(sched[i], value, cap) and not walk(i + 1, *nxt):
                return False
            cur.pop()
        return True

    complete = walk(0, 0, 0)
    return out, complete


# --------------------------------------------------------------------------- helpers


def _show(reading: Reading) -> str:
    return "|".join(cell.raw for cell in reading)


def _varying(readings: Sequence[Reading], c: int) -> int | None:
    """Index of a reading whose cell `c` differs from readings[0], or None if all agree."""
    first = readings[0][c].raw
    for k in range(1, len(readings)):
        if readings[k][c].raw != first:
            return k
    return None


def _linear(eq: Equation) -> dict[str, int]:
    coef: dict[str, int] = {}
    for cid in eq.lhs:
        coef[cid] = coef.get(cid, 0) + 1
    for cid in eq.rhs:
        coef[cid] = coef.get(cid, 0) - 1
    return {cid: k for cid, k in coef.items() if k}


_EMPTY = "无数据（该行文本为空），无法拆分"
_BUDGET = "拆分方式过多，超出搜索预算，无法唯一确定"
_TOO_LONG = "数字串过长，超出该行单元格能容纳的位数，无法拆分"


def _no_reading(text: str, ncols: int) -> str:
    return f"文本“{text.strip()}”无法拆分为 {ncols} 个合法数值"


def _ambiguous(a: Reading, b: Reading) -> str:
    return f"数字连写，有多种拆分方式（如 {_show(a)} 与 {_show(b)}），无法唯一确定"


def _ambiguous_bad_row(a: Reading, b: Reading) -> str:
    return (
        f"数字连写，且没有一种拆分满足本行的合计关系（报告数据可能有误）；"
        f"拆分方式不唯一（如 {_show(a)} 与 {_show(b)}），无法唯一确定"
    )


def _ambiguous_no_global(a: Reading, b: Reading) -> str:
    return (
        f"各行之间的勾稽关系无解（报告数据可能有误），只按本行关系拆分仍有多种方式"
        f"（如 {_show(a)} 与 {_show(b)}），无法唯一确定"
    )


# --------------------------------------------------------------------------- solver


def split_runs(
    rows: Sequence[RowRun],
    equations: Sequence[Equation],
    *,
    max_solutions: int = 64,
    budget: int = 200_000,
) -> SplitResult:
    """Split run-together rows into cells, accepting only cells the equations pin down.

    A cell is accepted iff it has the same raw reading in every admissible solution:
    - global solutions (all rows under all equations) when the search finished;
    - otherwise (budget hit, or no global solution because the report's sums are wrong)
      every reading that satisfies its own row's equations -- a cell fixed by the text
      and the row's sums alone is sound whatever the cross-row data says.
    A row none of whose readings satisfies its own equations is read with no equations
    and accepted only if the text alone has exactly one reading (e.g. "0000000"); it
    takes no part in cross-row equations (they are ignored, not failed).
    `max_solutions` caps the reported count; past it the search only explores branches
    that could still contradict an agreed cell, so acceptance stays exact.
    """
    max_solutions = max(1, max_solutions)
    index: dict[str, int] = {}
    for r, run in enumerate(rows):
        if run.row in index:
            raise ValueError(f"duplicate row id {run.row!r}")
        index[run.row] = r
        if len({col.id for col in run.columns}) != len(run.columns):
            raise ValueError(f"duplicate column id in row {run.row!r}")
    colpos = [{col.id: c for c, col in enumerate(run.columns)} for run in rows]

    def locate(cid: str) -> tuple[int, int] | None:
        row_id, dot, col_id = cid.rpartition(".")
        if not dot or row_id not in index:
            return None  # a row the caller did not find: the equation cannot be checked
        r = index[row_id]
        if col_id not in colpos[r]:
            raise ValueError(f"equation refers to unknown column {cid!r}")
        return r, colpos[r][col_id]

    # Equations as (row, col, coef) terms; those touching an absent row are dropped.
    linear: list[list[tuple[int, int, int]]] = []
    for eq in equations:
        terms: list[tuple[int, int, int]] = []
        for cid, k in _linear(eq).items():
            loc = locate(cid)
            if loc is None:
                terms = []
                break
            terms.append((loc[0], loc[1], k))
        if terms:
            linear.append(terms)
    local: list[list[list[tuple[int, int, int]]]] = [[] for _ in rows]
    cross: list[list[tuple[int, int, int]]] = []
    for terms in linear:
        involved = {t[0] for t in terms}
        if len(involved) == 1:
            local[terms[0][0]].append(terms)
        else:
            cross.append(terms)

    def cell_id(r: int, c: int) -> str:
        return f"{rows[r].row}.{rows[r].columns[c].id}"

    cells: dict[str, SplitCell] = {}
    unresolved: dict[str, str] = {}
    complete = True
    row_count: dict[str, int] = {}
    readings: list[list[Reading]] = [[] for _ in rows]
    active: list[int] = []  # rows taking part in the global search

    def accept_consensus(r: int, cands: Sequence[Reading], why: Callable[[Reading, Reading], str]) -> None:
        for c in range(len(rows[r].columns)):
            k = _varying(cands, c)
            if k is None:
                cells[cell_id(r, c)] = cands[0][c]
            else:
                unresolved[cell_id(r, c)] = why(cands[0], cands[k])

    def fail_row(r: int, reason: str) -> None:
        for c in range(len(rows[r].columns)):
            unresolved[cell_id(r, c)] = reason

    for r, run in enumerate(rows):
        cols = run.columns
        if not run.text.strip():
            row_count[run.row] = 0
            fail_row(r, _EMPTY)
            continue
        if len(run.text) > (MAX_DIGITS + 4) * len(cols):
            row_count[run.row] = 0
            fail_row(r, _TOO_LONG)  # more characters than the cells can hold: not this row's digits
            continue
        found, done = _row_readings(run.text, cols, local[r], budget)
        if not done:
            complete = False
            row_count[run.row] = 0
            fail_row(r, _BUDGET)
            continue
        row_count[run.row] = len(found)
        if found:
            readings[r] = found
            active.append(r)
            continue
        # No reading meets the row's own sums: read the text alone (sums may be misprinted).
        relaxed, done = _row_readings(run.text, cols, [], budget) if local[r] else ([], True)
        if not done:
            complete = False
            fail_row(r, _BUDGET)
        elif not relaxed:
            fail_row(r, _no_reading(run.text, len(cols)))
        elif len(relaxed) == 1:
            accept_consensus(r, relaxed, _ambiguous_bad_row)
        else:
            # The row contradicts its own sums, so the text itself may be damaged (a digit
            # lost or doubled): even a cell common to all readings is not trusted here.
            fail_row(r, _ambiguous_bad_row(relaxed[0], relaxed[1]))

    # Cross-row equations over rows that have readings; others cannot be checked.
    usable = [terms for terms in cross if all(readings[t[0]] for t in terms)]
    order = sorted(active, key=lambda r: (len(readings[r]), r))
    pos = {r: d for d, r in enumerate(order)}
    nonneg = [[not col.signed for col in rows[r].columns] for r in order]
    sched = _schedule([[(pos[r], c, k) for r, c, k in terms] for terms in usable], nonneg)
    cands = [readings[r] for r in order]
    search = _GlobalSearch(cands, sched, max_solutions, budget)
    search.run()
    if not search.complete:
        complete = False

    if search.solutions and search.complete:
        for d, r in enumerate(order):
            first = cands[d][search.first[d]]
            for c in range(len(rows[r].columns)):
                other = search.differ[d][c]
                if other is None:
                    cells[cell_id(r, c)] = first[c]
                else:
                    unresolved[cell_id(r, c)] = _ambiguous(first, cands[d][other])
    else:
        # Budget hit or no global solution: only the rows' own sums can be trusted.
        for d, r in enumerate(order):
            if not search.complete:
                for c in range(len(rows[r].columns)):
                    other = search.differ[d][c] if search.solutions else None
                    if other is not None:
                        unresolved[cell_id(r, c)] = _ambiguous(cands[d][search.first[d]], cands[d][other])
                    elif _varying(cands[d], c) is None:
                        cells[cell_id(r, c)] = cands[d][0][c]
                    else:
                        unresolved[cell_id(r, c)] = _BUDGET
            else:
                accept_consensus(r, cands[d], _ambiguous_no_global)

    return SplitResult(
        cells=cells,
        unresolved=unresolved,
        solutions=min(search.solutions, max_solutions),
        complete=complete,
        row_candidates=row_count,
    )


class _GlobalSearch:
    """Backtracking over one reading per row, checking each equation as soon as it can.

    Tracks, per cell, whether two solutions disagree (`differ` holds the index of a
    reading that differs from the first solution's).  Once `max_solutions` are found it
    keeps searching only where some still-agreed cell could yet be contradicted.
    """

    def __init__(
        self, cands: list[list[Reading]], sched: list[list[_Check]], max_solutions: int, budget: int
    ) -> None:
        self.cands = cands
        self.sched = sched
        self.max_solutions = max_solutions
        self.budget = budget
        self.steps = 0
        self.solutions = 0
        self.complete = True
        n = len(cands)
        self.first: list[int] = [0] * n
        ncols = [len(rs[0]) for rs in cands]
        self.differ: list[list[int | None]] = [[None] * ncols[d] for d in range(n)]
        # Cells whose readings vary at all: only those can ever be contradicted.
        self.open = [sum(_varying(cands[d], c) is not None for c in range(ncols[d])) for d in range(n)]
        self.chosen: list[int] = [0] * n
        # Largest value each cell takes in any reading, to bound partial sums.
        self.caps = [[max(rd[c].value for rd in cands[d]) for c in range(ncols[d])] for d in range(n)]
        self.informative = 0  # assignments on the stack that contradict an agreed cell

    def _value(self, d: int, c: int) -> Number:
        return self.cands[d][self.chosen[d]][c].value

    def _cap(self, d: int, c: int) -> Number:
        return self.caps[d][c]

    def _contradicts(self, d: int, k: int) -> bool:
        if not self.solutions or k == self.first[d]:
            return False
        mine, first = self.cands[d][k], self.cands[d][self.first[d]]
        return any(self.differ[d][c] is None and mine[c].raw != first[c].raw for c in range(len(mine)))

    def _record(self) -> None:
        if not self.solutions:
            self.first = list(self.chosen)
            # Re-base "open" on the first solution: cells where some reading differs from it.
            for d, rs in enumerate(self.cands):
                f = rs[self.first[d]]
                self.open[d] = sum(any(r[c].raw != f[c].raw for r in rs) for c in range(len(f)))
        else:
            for d, k in enumerate(self.chosen):
                if k == self.first[d]:
                    continue
                mine, first = self.cands[d][k], self.cands[d][self.first[d]]
                for c in range(len(mine)):
                    if self.differ[d][c] is None and mine[c].raw != first[c].raw:
                        self.differ[d][c] = k
                        self.open[d] -= 1
        self.solutions += 1

    def _exhausted(self) -> bool:
        return self.solutions >= self.max_solutions and not any(self.open)

    def run(self) -> None:
        if self.cands:  # no row with readings: nothing to combine, 0 solutions
            self._walk(0)

    def _walk(self, d: int) -> bool:
        """Returns False to abort the whole search (budget hit or nothing left to learn)."""
        if d == len(self.cands):
            self._record()
            return not self._exhausted()
        if self.solutions >= self.max_solutions and not self.informative and not any(self.open[d:]):
            return True  # no completion of this branch can contradict an agreed cell
        for k in range(len(self.cands[d])):
            self.steps += 1
            if self.steps > self.budget:
                self.complete = False
                return False
            self.chosen[d] = k
            if not _ok(self.sched[d], self._value, self._cap):
                continue
            info = self._contradicts(d, k)
            self.informative += info
            keep_going = self._walk(d + 1)
            self.informative -= info
            if not keep_going:
                return False
        return True
