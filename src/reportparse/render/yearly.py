"""The 同比 (year-on-year) section of the batch outputs, from each result's `year_on_year`
(computed once by the batch engine, batch/yearly.py): a folded section per report on the HTML
page (per section: similarity and the changed sentences side by side; every changed cell), the
同比 sheet of the workbook (one row per section, changed sentence and changed cell); the text
output has a line per report (render/text.py) and JSON the file's `year_on_year` object."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Number, json_number
from .text import cell_logical, display_path

if TYPE_CHECKING:
    from ..batch import FileResult
    from ..batch.yearly import CellChange, YearOnYear

PARTS = "一二三四五六"
CSS = """
details.yoy>summary{cursor:pointer;color:#555;margin:6px 0}
table.yoy-pairs{width:100%;table-layout:fixed;font-size:13px;margin:4px 0 8px}
table.yoy-pairs td.old{background:#fdf0f0}table.yoy-pairs td.new{background:#eef8ee}
table.yoy-pairs td.sim,table.yoy-cells td.v{width:6em;text-align:right;font-variant-numeric:tabular-nums}
table.yoy-cells{font-size:13px}tr.jump td{background:#fff1cc;font-weight:600}
"""
SHEET_HEADERS = (
    "文件",
    "机关",
    "年度",
    "上年报告",
    "项目",
    "部分或单元格",
    "上年",
    "本年",
    "相似度或变化",
    "大幅变化",
)
SHEET_WIDTHS = (36, 24, 6, 40, 8, 36, 50, 50, 12, 8)


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def change_of(old: Number | None, new: Number | None) -> Number | None:
    """new − old when both are numbers (Decimal for money)."""
    if old is None or new is None:
        return None
    return Decimal(new) - Decimal(old) if isinstance(old, Decimal) or isinstance(new, Decimal) else new - old


def year_on_year_html(r: FileResult, options_root: Path | None) -> str:
    """The folded 同比 section of one report ('' when it has no report of the year before)."""
    y = r.year_on_year
    if y is None:
        return ""
    old_path = display_path(y.old.source.path or "", options_root)
    out = [
        f'<details class="yoy"><summary>同比：与{_e(y.old.meta.year or "")}年报告（{_e(old_path)}）相比，'
        f"表格 {len(y.cells)} 个单元格有变化，其中大幅变化 {len(y.jumps)} 个</summary>"
    ]
    for s in y.sections:
        out.append(f"<h4>第{PARTS[s.number - 1]}部分 {_e(s.heading)}：相似度 {_e(s.percent)}</h4>")
        if not s.pairs:
            continue
        rows = "".join(
            f'<tr><td class="old">{_e(p.old or "")}</td><td class="new">{_e(p.new or "")}</td>'
            f'<td class="sim">{"" if p.similarity is None else f"{100 * p.similarity:.0f}%"}</td></tr>'
            for p in s.pairs
        )
        out.append(
            '<table class="yoy-pairs"><thead><tr><th>上年</th><th>本年</th><th>相似度</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    if y.cells:
        rows = "".join(_cell_row(r, c) for c in y.cells)
        out.append(
            '<table class="yoy-cells"><thead><tr><th>单元格</th><th>上年</th><th>本年</th><th>变化</th>'
            f"<th></th></tr></thead><tbody>{rows}</tbody></table>"
        )
    out.append("</details>")
    return "\n".join(out)


def _cell_row(r: FileResult, c: CellChange) -> str:
    jump = ' class="jump"' if c.jump else ""
    return (
        f"<tr{jump}><td>{_e(cell_logical(r.head, c.cell))}</td>"
        f'<td class="v">{_e(c.old_raw or "空白")}</td><td class="v">{_e(c.new_raw or "空白")}</td>'
        f'<td class="v">{_e(_signed(change_of(c.old, c.new)))}</td><td>{"大幅变化" if c.jump else ""}</td></tr>'
    )


def _signed(v: Number | None) -> str:
    return "" if v is None else f"{v:+}"


def sheet_rows(results: Sequence[FileResult], root: Path | None) -> list[list[Any]]:
    """The 同比 sheet: per compared report, a row per section (its similarity), per changed
    sentence (old | new | similarity of the pair) and per changed cell (old | new | change)."""
    rows: list[list[Any]] = []
    for r in results:
        y: YearOnYear | None = r.year_on_year
        if y is None:
            continue
        who = [
            display_path(r.path, root),
            y.new.meta.organization or "",
            y.new.meta.year,
            display_path(y.old.source.path or "", root),
        ]
        for s in y.sections:
            part = f"第{PARTS[s.number - 1]}部分 {s.heading}"
            sim = None if s.similarity is None else round(s.similarity, 3)
            rows.append([*who, "部分", part, None, None, sim, None])
            for p in s.pairs:
                psim = None if p.similarity is None else round(p.similarity, 3)
                rows.append([*who, "句子", part, p.old, p.new, psim, None])
        for c in y.cells:
            rows.append(
                [
                    *who,
                    "单元格",
                    cell_logical(r.head, c.cell),
                    json_number(c.old) if c.old is not None else c.old_raw or None,
                    json_number(c.new) if c.new is not None else c.new_raw or None,
                    json_number(change_of(c.old, c.new)),
                    "是" if c.jump else None,
                ]
            )
    return rows
