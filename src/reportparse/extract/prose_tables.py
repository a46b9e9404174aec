"""Tables flattened into prose: crawler captures where every cell ran into the next.

`一、本年新收政府信息公开申请数量21710000218` holds the seven cells 217 | 1 | 0 | 0 | 0 | 0 | 218.
The template's labels cut the text into one run per row; `runsplit` then splits each run only
where the template's sums leave exactly one reading. Everything else stays unread, with a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..extraction import problem, repair
from ..model import Cell, ExtractionNote, Loc, TableData, TableName
from ..normalize import norm_label, parse_cell, strip_artifacts
from ..templates import TABLE_SECTION, TABLE_TITLES, Column, Template
from ..templates.names import cell_name, row_label
from .runsplit import ColumnSpec, Equation, RowRun, split_runs
from .segment import Segmented, norm_with_map

_RUN_RE = re.compile(r"^[\s\d.,+\-－—元万]*")


@dataclass(frozen=True)
class _Token:
    kind: str  # "row" or "boundary"
    key: str
    norm: str


def _key(label: str) -> str:
    """A label as `norm_with_map` folds the text it is searched in."""
    return norm_with_map(strip_artifacts(label))[0]


def _spec(col: Column) -> ColumnSpec:
    return ColumnSpec(col.id, decimal=col.money, signed=col.signed, unit=col.money)


def _tokens(t: Template, name: TableName) -> list[_Token]:
    out: list[_Token] = []
    if name == "active_disclosure":
        for b in t.blocks:
            out.append(_Token("boundary", "", _key(b.caption)))
            out.append(_Token("boundary", "", _key(b.header)))
            out.extend(_Token("boundary", "", _key(c.label)) for c in b.columns)
            for r in b.rows:
                out.append(_Token("row", r.id, _key(r.label)))
                out.extend(_Token("row", r.id, _key(v)) for v in r.variants)
    elif name == "applications":
        out.append(_Token("boundary", "", _key(t.corner_note)))
        out.extend(_Token("boundary", "", _key(s)) for s in t.header_vocabulary("applications"))
        out.extend(_Token("boundary", "", _key(g)) for g in t.app_group_labels)
        out.extend(_Token("row", r.id, _key(r.label)) for r in t.app_rows)
    return out


def _runs(text: str, tokens: list[_Token]) -> dict[str, str]:
    """Row id -> the raw text between its label and the next label of any kind."""
    norm, idx = norm_with_map(text)
    by_norm: dict[str, _Token] = {}
    for tok in tokens:
        if tok.norm and (tok.norm not in by_norm or tok.kind == "row"):
            by_norm[tok.norm] = tok
    pattern = re.compile("|".join(re.escape(n) for n in sorted(by_norm, key=len, reverse=True)))
    matches = list(pattern.finditer(norm))
    runs: dict[str, str] = {}
    for k, m in enumerate(matches):
        tok = by_norm[m.group()]
        if tok.kind != "row" or tok.key in runs:
            continue
        start = idx[m.end() - 1] + 1
        stop = idx[matches[k + 1].start()] if k + 1 < len(matches) else len(text)
        raw = text[start:stop]
        run = _RUN_RE.match(raw)
        runs[tok.key] = (run.group() if run else "").strip()
    return runs


def _t4_run(text: str, t: Template) -> str | None:
    """The digits after the last header word of table 四: its one data row."""
    norm, idx = norm_with_map(text)
    last = -1
    for tok in (*t.review_markers, *(c.label for c in t.review_columns)):
        pos = norm.rfind(tok)
        if pos >= 0:
            last = max(last, pos + len(tok))
    if last < 0:
        return None
    raw = text[idx[last - 1] + 1 :]
    m = _RUN_RE.match(raw)
    return m.group().strip() if m and m.group().strip() else None


def recover_flat_tables(
    seg: Segmented, t: Template, tables: dict[TableName, TableData | None], path: str | None
) -> tuple[dict[TableName, TableData], list[ExtractionNote]]:
    out: dict[TableName, TableData] = {}
    notes: list[ExtractionNote] = []
    for name, number in TABLE_SECTION.items():
        current = tables.get(name)
        if current is not None and current.cells:
            continue
        section = next((s for s in seg.sections if s.number == number), None)
        if section is None or not section.text:
            continue
        data = _recover(name, section.text, section.loc, t, notes)
        if data is not None:
            out[name] = data
            notes.append(
                repair(
                    "flat_table",
                    f"{TABLE_TITLES[name]}的单元格在正文中连写，已按模板标签和勾稽关系拆分",
                    loc=section.loc,
                )
            )
    return out, notes


def _recover(
    name: TableName, text: str, loc: Loc, t: Template, notes: list[ExtractionNote]
) -> TableData | None:
    rows: list[RowRun] = []
    equations: list[Equation] = []
    prefix = ""
    if name == "review_litigation":
        run = _t4_run(text, t)
        if run is None:
            return None
        # one run for the single data row; columns named "group/column" (runsplit ids use ".")
        cols = tuple(ColumnSpec(f"{g.id}/{c.id}") for g in t.review_groups for c in t.review_columns)
        rows.append(RowRun("t4", run, cols))
        prefix = "t4."
        equations = [
            Equation(
                tuple("t4." + c.replace(".", "/") for c in e.lhs),
                tuple("t4." + c.replace(".", "/") for c in e.rhs),
            )
            for e in t.equations(name)
        ]
    else:
        runs = _runs(text, _tokens(t, name))
        if not runs:
            return None
        if name == "active_disclosure":
            for b, r in t.active_rows:
                if r.id in runs:
                    rows.append(RowRun(r.id, runs[r.id], tuple(_spec(c) for c in b.columns)))
        else:
            row_ids = [r.id for r in t.app_rows if r.id in runs]
            specs = tuple(_spec(c) for c in t.app_columns)
            rows.extend(RowRun(rid, runs[rid], specs) for rid in row_ids)
            equations = [Equation(e.lhs, e.rhs) for e in t.equations(name, [r.id for r in t.app_rows])]
    result = split_runs(rows, equations)
    cells: dict[str, Cell] = {}
    for cid in t.cell_ids(name):
        got = result.cells.get(prefix + (cid.replace(".", "/") if prefix else cid))
        if got is None:
            continue
        kind, value = parse_cell(got.raw, money=t.column(name, cid).money)
        cells[cid] = Cell(cid, got.raw, kind, value if value is not None else got.value, loc)
    unread = tuple(cid for cid in t.cell_ids(name) if cid not in cells)
    found_rows = {r.row for r in rows}
    missing_rows = tuple(
        dict.fromkeys(
            cid.rsplit(".", 1)[0]
            for cid in t.cell_ids(name)
            if name != "review_litigation" and cid.rsplit(".", 1)[0] not in found_rows
        )
    )
    by_row: dict[str, list[str]] = {}
    for cid, why in result.unresolved.items():
        by_row.setdefault(why, []).append(cid.removeprefix(prefix).replace("/", "."))
    for why, cids in by_row.items():
        notes.append(
            problem(
                "EXT-007",
                f"{'、'.join(cell_name(name, c, t) for c in cids)}：{why}，未读取",
                loc=loc,
                cells=tuple(f"{name}.{c}" for c in cids),
            )
        )
    if missing_rows:
        notes.append(
            problem(
                "EXT-012",
                f"{TABLE_TITLES[name]}在正文中未找到以下行：{'、'.join(row_label(name, r, t) for r in missing_rows)}",
                loc=loc,
            )
        )
    total = len(t.cell_ids(name))
    corner = (
        t.corner_note if name == "applications" and norm_label(t.corner_note) in norm_label(text) else None
    )
    return TableData(
        name=name,
        template=t.version,
        cells=cells,
        missing_rows=missing_rows,
        unread_cells=unread,
        confidence="high" if len(cells) >= 0.8 * total else "low",
        corner_note=corner,
        loc=loc,
    )
