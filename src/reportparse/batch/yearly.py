"""The year-on-year pass of a batch (after the cross-report rules): each report of the batch
whose body has a report for the year before — in the batch, or in the history store — is
compared with it ONCE (history/yearly.py); the comparison is the result's `year_on_year` (the
同比 section of every batch output) and gives NUM-005's findings (large changes, by table).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from ..extraction import internal_error
from ..findings import Finding
from ..history.yearly import CellChange, SectionChange, SentencePair, YearOnYear, where, year_on_year
from ..model import Loc, Report, TableName
from ..rules import REGISTRY, Selection, load_rules
from ..rules.batch import Member, body_groups, consecutive
from ..rules.coverage import cell_title

RULE = "NUM-005"
_TABLES: tuple[tuple[TableName, str], ...] = (
    ("active_disclosure", "表二"),
    ("applications", "表三"),
    ("review_litigation", "表四"),
)
_SHOWN = 3  # cells named in a finding's message; every one is in its `cells`


T = TypeVar("T")


def _as_is(change: YearOnYear) -> YearOnYear:
    return change


def year_on_year_pass(
    reports: Sequence[Member],
    selections: Mapping[str | None, Selection],
    load: Callable[[int], Report],
    keep: Callable[[YearOnYear], T] = _as_is,  # type: ignore[assignment]
    by_body: list[list[int]] | None = None,
) -> dict[str, tuple[T | None, list[Finding]]]:
    """By path of this batch's reports (those in `selections`; the others are last year's from
    the store): the comparison with last year's report, as `keep` keeps it (in a long run's
    spill, as each is made: the comparisons of a batch are not all in memory at once), and
    NUM-005's findings (enabled and graded by the report's own selection). A comparison that
    fails (a bug) gives no comparison and an EXT-013 finding instead. `by_body`:
    `body_groups(reports)`, when the caller has it already."""
    out: dict[str, tuple[T | None, list[Finding]]] = {}
    for group in by_body if by_body is not None else body_groups(reports):
        if any(reports[i].path in selections for i in group):
            out.update(compare_group([load(i) for i in group], selections, keep))
    return out


def compare_group(
    reports: list[Report],
    selections: Mapping[str | None, Selection],
    keep: Callable[[YearOnYear], T] = _as_is,  # type: ignore[assignment]
) -> dict[str, tuple[T | None, list[Finding]]]:
    """`year_on_year_pass` for one body's reports (the caller has them unpacked already, for
    the batch rules too)."""
    rule = load_rules()[RULE]
    out: dict[str, tuple[T | None, list[Finding]]] = {}
    bugs: dict[str, list[Finding]] = {}
    for prev, cur in consecutive(reports):
        path = cur.source.path
        selection = selections.get(path)
        if path is None or selection is None:
            continue
        ratio = selection.threshold(rule) or 2.0
        try:
            change = year_on_year(prev, cur, ratio)
            found = jump_findings(change, prev, cur) if selection.enabled(rule) else []
        except Exception as err:  # a bug here must not cost the batch its other results
            note = internal_error("同比对比时", err, loc=Loc(file=path), files="这两个年度的文件")
            if selection.enabled(REGISTRY["EXT-013"]):
                bugs.setdefault(path, []).append(
                    Finding("EXT-013", "error", note.message, loc=note.loc, file=path)
                )
            continue
        out[path] = (keep(change), [selection.regrade(f) for f in found])
    for path, notes in bugs.items():  # no comparison for these reports, only the note
        out.setdefault(path, (None, notes))
    return out


def jump_findings(change: YearOnYear, prev: Report, cur: Report) -> list[Finding]:
    """One NUM-005 finding per table with large changes, for tables both reports read in full."""
    out = []
    for table, title in _TABLES:
        a, b = prev.tables[table], cur.tables[table]
        if a is None or b is None or a.status != "complete" or b.status != "complete":
            continue
        jumps = [c for c in change.jumps if c.cell.startswith(table + ".")]
        if not jumps:
            continue
        cid = jumps[0].cell.split(".", 1)[1]
        shown = "、".join(
            f"「{cell_title(table, c.cell.split('.', 1)[1], b.template)}」{c.old_raw or '空白'} → {c.new_raw or '空白'}"
            for c in jumps[:_SHOWN]
        )
        more = f" 等 {len(jumps)} 个" if len(jumps) > _SHOWN else ""
        out.append(
            Finding(
                RULE,
                REGISTRY[RULE].severity,
                f"{title}与{where(prev.head)}相比有 {len(jumps)} 个单元格成倍变化（{change.ratio:g} 倍以上且相差 10 以上）："
                f"{shown}{more}，请核对",
                cells=tuple(c.cell for c in jumps),
                expected=jumps[0].old,
                actual=jumps[0].new,
                loc=b.cells[cid].loc,
                file=cur.source.path,
            )
        )
    return out


__all__ = [
    "CellChange",
    "SectionChange",
    "SentencePair",
    "YearOnYear",
    "year_on_year_pass",
]
