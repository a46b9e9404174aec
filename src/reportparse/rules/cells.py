"""Cell-level rules: NUM-001…004."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..findings import Finding
from ..model import Cell, Report, TableData, TableName
from ..templates import TABLE_TITLES, Column, Template, template
from ..templates.names import cell_name, is_total_cell
from . import finding, rule


def _cells(report: Report) -> Iterator[tuple[TableName, str, Cell, Template, Column | None]]:
    """Every read cell with its template and column (None for a row the template lacks)."""
    for name, data in report.tables.items():
        if data is None:
            continue
        t = template(data.template)
        for cid, cell in data.cells.items():
            try:
                col: Column | None = t.column(name, cid)
            except KeyError:
                col = None
            yield name, cid, cell, t, col


@rule(
    "NUM-001",
    "cell-not-a-number",
    "warning",
    "数据单元格不是数字（含文字或不应有的单位）",
    tags=("cells",),
    example="表三某格填“3件”或“无”；表二“行政许可”填“详见附件”。",
    fix="数据单元格只填阿拉伯数字；没有数据填 0。",
    basis="模板数据单元格为数量；只有2019年格式“采购总金额”和2021年格式收费金额可带金额单位。",
    reads=("active_disclosure", "applications", "review_litigation"),
)
def not_a_number(report: Report) -> Iterator[Finding]:
    for name, cid, cell, t, col in _cells(report):
        if cell.kind != "text":
            continue
        if col is not None and col.money and cell.value is not None:
            continue  # "251000元" in a money cell: a legitimate unit
        yield finding(
            "NUM-001",
            f"{cell_name(name, cid, t)}填写为「{cell.raw}」，不是数字",
            report,
            cells=(f"{name}.{cid}",),
            expected="数字",
            actual=cell.raw,
        )


@rule(
    "NUM-002",
    "negative-or-fraction",
    "error",
    "数量为负数或小数（金额和“本年增/减”除外）",
    tags=("cells",),
    example="表三“二、上年结转政府信息公开申请数量”自然人列填 -2。",
    fix="数量填非负整数；只有2019年格式“本年增/减”可以为负。",
    basis="件数、决定数量为非负整数（template-spec A10）。",
    reads=("active_disclosure", "applications", "review_litigation"),
)
def negative_or_fraction(report: Report) -> Iterator[Finding]:
    for name, cid, cell, t, col in _cells(report):
        if cell.value is None or col is None:
            continue
        if cell.value < 0 and not col.signed:
            yield finding(
                "NUM-002",
                f"{cell_name(name, cid, t)}为负数 {cell.raw}",
                report,
                cells=(f"{name}.{cid}",),
                expected="≥ 0",
                actual=cell.value,
            )
        elif (
            isinstance(cell.value, Decimal) and not col.money and cell.value != cell.value.to_integral_value()
        ):
            yield finding(
                "NUM-002",
                f"{cell_name(name, cid, t)}为小数 {cell.raw}，应为整数",
                report,
                cells=(f"{name}.{cid}",),
                expected="整数",
                actual=cell.value,
            )


def blank_totals(name: str, data: TableData) -> list[str]:
    """总计 cells left blank while their parts are not all zero (NUM-003's warning case)."""
    out: list[str] = []
    blank = [cid for cid, c in data.cells.items() if c.kind in ("blank", "dash") and is_total_cell(name, cid)]
    if not blank:
        return out
    equations = template(data.template).equations(data.name, _rows(data))
    for cid in blank:
        for eq in equations:
            if eq.lhs == (cid,) and any((data.value(p) or 0) != 0 for p in eq.rhs):
                out.append(cid)
                break
    return out


def _rows(data: TableData) -> list[str]:
    return list(
        dict.fromkeys(
            cid.rsplit(".", 1)[0] for cid in template(data.template).cell_ids(data.name) + list(data.cells)
        )
    )


@rule(
    "NUM-003",
    "blank-cells",
    "info",
    "空白或“—”单元格（按 0 计算；总计未填时跳过相关校验）",
    tags=("cells",),
    example="表三“（三）不予公开”各子项留空；或明细行“总计”列不填。",
    fix="没有数据的单元格填 0，总计列填写合计数。",
    basis="模板未规定空白的含义，实践中空白与 0 并存（template-spec NUM-003）。",
    emits=("warning",),
    reads=("active_disclosure", "applications", "review_litigation"),
)
def blank_cells(report: Report) -> Iterator[Finding]:
    for name, data in report.tables.items():
        if data is None:
            continue
        t = template(data.template)
        empty = [cid for cid, c in data.cells.items() if c.kind in ("blank", "dash")]
        if not empty:
            continue
        totals = blank_totals(name, data)
        if totals:
            names = "、".join(cell_name(name, c, t) for c in totals[:5]) + ("等" if len(totals) > 5 else "")
            yield finding(
                "NUM-003",
                f"{TABLE_TITLES[name]}有 {len(totals)} 个总计单元格未填而其组成部分不为 0（{names}），"
                "涉及这些总计的勾稽校验已跳过",
                report,
                severity="warning",
                cells=tuple(f"{name}.{c}" for c in totals),
                expected="合计数",
                actual=None,
            )
        others = [c for c in empty if c not in totals]
        if others:
            yield finding(
                "NUM-003",
                f"{TABLE_TITLES[name]}有 {len(others)} 个单元格为空白或“—”，校验时按 0 计算",
                report,
                cells=tuple(f"{name}.{c}" for c in others),
                expected=0,
                actual=None,
            )


@rule(
    "NUM-004",
    "fee-unit",
    "warning",
    "2021年格式收费金额的单位不是万元",
    tags=("cells",),
    example="表二“行政事业性收费”本年收费金额填“3500元”。",
    fix="按表头“本年收费金额（单位：万元）”换算为万元后填写数字。",
    basis="2021年格式表头明确单位为万元。",
    reads=("active_disclosure",),
)
def fee_unit(report: Report) -> Iterator[Finding]:
    data = report.active_disclosure
    if data is None or data.template != "2021":
        return
    cell = data.cells.get("admin_fees.amount")
    if cell is None:
        return
    raw = cell.raw.replace(" ", "")
    if raw.endswith("元") and not raw.endswith("万元"):
        yield finding(
            "NUM-004",
            f"表二行政事业性收费本年收费金额填「{cell.raw}」，表头单位为万元",
            report,
            cells=("active_disclosure.admin_fees.amount",),
            expected="万元",
            actual=cell.raw,
        )
