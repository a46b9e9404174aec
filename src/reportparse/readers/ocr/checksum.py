"""The template's sums as a checksum on OCR (docs/formats/ocr.md, "Numbers checked by the sums").

Table 三's and 四's relations (the template's `relations`, the same equations the T3-/T4- rules
judge) tie every count to others. After the mapper has put OCR'd cells in their template places,
a cell is *in doubt* when

- OCR was unsure of it (left unread with `cells.UNSURE`), or
- it breaks relations that hold elsewhere: it is the one OCR'd cell that every violated equation
  of its table shares, and OCR had another reading for it (a runner-up of some digit) or read it
  below `SURE`. A reading OCR was sure of stands: a sum it breaks is the report's own
  arithmetic, for the rules to report.

The readings tried for a cell in doubt are the one OCR gave and its alternatives (the
recogniser's runners-up, `TableCell.alternatives`). Every combination of readings of the cells
in doubt is put into the equations that can be checked (all their other cells read); a cell
takes a reading only when that reading is the same in every combination that satisfies them
all. It then keeps its kind and confidence and says what OCR read (`Cell.repaired`), and an
EXT-014 finding names it. Otherwise an unsure cell stays unread, and a cell that breaks the
sums is left unread with an EXT-007 finding — never guessed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ...document import TableCell
from ...extraction import problem, repair
from ...model import Cell, ExtractionNote, Number, TableName
from ...normalize import parse_cell
from ...templates import Equation, Template
from ...templates.names import cell_name

# a reading at or above this confidence, with no runner-up, is what is printed
SURE = 0.97
# combinations of readings tried for one table; past it nothing is repaired
MAX_COMBINATIONS = 4096
BREAKS = "OCR 读数与表内勾稽关系不符，备选读数中也没有唯一能使各项关系成立的，未采用识别结果"


@dataclass(frozen=True)
class Checked:
    cells: dict[str, Cell]
    unread: dict[str, str]
    notes: tuple[ExtractionNote, ...]


def check_sums(
    name: TableName,
    t: Template,
    cells: Mapping[str, Cell],
    unread: Mapping[str, str],
    ocr: Mapping[str, TableCell],
) -> Checked:
    """The table's cells and unread cells after the sums have checked its OCR'd cells."""
    out = Checked(dict(cells), dict(unread), ())
    if name not in ("applications", "review_litigation") or not ocr:
        return out
    from .cells import UNSURE  # numpy: only where OCR ran

    equations = t.equations(name, _rows(t, name, [*cells, *unread]))
    known = {cid: v for cid, c in cells.items() if (v := _value(c)) is not None}
    doubt: dict[str, list[str]] = {}
    for cid, why in unread.items():
        if why == UNSURE and cid in ocr and (readings := _readings(ocr[cid])):
            doubt[cid] = readings
    broken = [eq for eq in equations if _holds(eq, known) is False]
    if broken:
        shared = set.intersection(*(set(eq.lhs + eq.rhs) for eq in broken))
        for cid in sorted(shared):
            if cid in ocr and cid in cells and _doubtful(ocr[cid]) and (readings := _readings(ocr[cid])):
                doubt[cid] = readings
                known.pop(cid, None)
    if not doubt:
        return out
    checkable = [
        eq
        for eq in equations
        if set(eq.lhs + eq.rhs) & set(doubt) and all(c in known or c in doubt for c in eq.lhs + eq.rhs)
    ]
    ids = [cid for cid in doubt if any(cid in eq.lhs + eq.rhs for eq in checkable)]
    solved = _solve(ids, doubt, checkable, known)
    notes: list[ExtractionNote] = []
    for cid in doubt:
        reading = solved.get(cid)
        source = ocr[cid]
        if reading is not None:
            kind, value = parse_cell(reading)
            was = cells.get(cid)
            out.cells[cid] = Cell(
                cid, reading, kind, value, source.loc, source.confidence, repaired=source.text.strip()
            )
            out.unread.pop(cid, None)
            notes += _repaired(name, t, cid, source.text.strip(), reading, was is None)
        elif cid in cells:  # read, breaks the sums, and no single reading mends them
            out.cells.pop(cid)
            out.unread[cid] = BREAKS
    return Checked(out.cells, out.unread, tuple(notes))


def _rows(t: Template, name: TableName, ids: Iterable[str]) -> list[str] | None:
    """Table 三's rows as printed: a 2021 table with one （六）其他处理 row has `other`."""
    if name != "applications":
        return None
    rows = [r.id for r in t.app_rows]
    if any(cid.startswith("other.") and cid.count(".") == 1 for cid in ids):
        rows = [r for r in rows if not r.startswith("other.")]
        rows.insert(rows.index("total"), "other")
    return rows


def _value(cell: Cell) -> Number | None:
    """A cell's count in a sum: blank and dash count as 0 (as the rules count them)."""
    if cell.kind == "number":
        return cell.value
    return 0 if cell.kind in ("blank", "dash") else None


def _holds(eq: Equation, values: Mapping[str, Number]) -> bool | None:
    """Whether an equation holds; None when one of its cells is not known."""
    if any(c not in values for c in eq.lhs + eq.rhs):
        return None
    return sum(values[c] for c in eq.lhs) == sum(values[c] for c in eq.rhs)


def _doubtful(cell: TableCell) -> bool:
    """OCR was less than sure of the cell: a low confidence, or another reading in its list."""
    return (cell.confidence or 0.0) < SURE or bool(cell.alternatives)


def _readings(cell: TableCell) -> list[str]:
    """The readings of a cell that are counts: OCR's own and its alternatives."""
    out = []
    for text in (cell.text.strip(), *cell.alternatives):
        kind, _ = parse_cell(text)
        if kind == "number" and text not in out:
            out.append(text)
    return out


def _solve(
    ids: list[str], doubt: Mapping[str, list[str]], equations: list[Equation], known: Mapping[str, Number]
) -> dict[str, str]:
    """Each cell's reading that is the same in every combination satisfying all the equations;
    nothing when no combination does or there are too many to try."""
    options = [doubt[cid] for cid in ids]
    total = 1
    for o in options:
        total *= len(o)
    if not ids or total > MAX_COMBINATIONS:
        return {}
    values = dict(known)
    found: list[tuple[str, ...]] = []
    for combo in itertools.product(*options):
        for cid, text in zip(ids, combo, strict=True):
            values[cid] = parse_cell(text)[1] or 0
        if all(_holds(eq, values) for eq in equations):
            found.append(combo)
    if not found:
        return {}
    return {cid: found[0][i] for i, cid in enumerate(ids) if len({f[i] for f in found}) == 1}


def _repaired(
    name: TableName, t: Template, cid: str, read: str, reading: str, was_unread: bool
) -> list[ExtractionNote]:
    where = cell_name(name, cid, t)
    if read == reading:
        what = f"OCR 读作 {read}（置信度低），表内勾稽关系确认了这一读数"
    else:
        what = f"OCR 读作 {read}，按表内勾稽关系更正为 {reading}（在 OCR 的备选读数中唯一使各项关系成立）"
    return [
        problem("EXT-014", f"{where}：{what}", cells=(f"{name}.{cid}",), read=read, value=reading),
        repair(
            "ocr-checksum",
            f"{where}：{what}",
            cell=f"{name}.{cid}",
            read=read,
            value=reading,
            unread=was_unread,
        ),
    ]
