"""`check --format xlsx`: one workbook for the whole batch (written by `xlsx_writer`).

- 报告: one row per file — status, body, year, template, the key figures (新收申请、办理结果
  总计、结转下年度、行政复议) and the number of findings by severity;
- 问题: one row per finding (the columns of `--format csv`);
- 单元格: every table cell in long format (the columns of `--format cells`), values as numbers.

A sheet longer than Excel's 1,048,576 rows continues in "单元格 (2)" and so on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..model import json_number
from . import DEFAULT_OPTIONS, RenderOptions
from .csv_out import CELL_COLUMNS, FINDING_COLUMNS, cell_rows, finding_rows
from .text import KEY_FIGURES, STATUS_CN, body_of, display_path, year_of
from .xlsx_writer import Workbook

if TYPE_CHECKING:
    from ..batch import FileResult

REPORT_COLUMNS = (
    "文件",
    "状态",
    "机关",
    "年度",
    "模板",
    "格式",
    *(label for _, label in KEY_FIGURES),
    "错误",
    "警告",
    "提示",
    "未核对",
)
FINDING_HEADERS = ("文件", "机关", "年度", "规则", "级别", "说明", "单元格", "应为", "实为", "位置")
CELL_HEADERS = ("文件", "机关", "年度", "表", "行", "列", "数值", "类型", "原文")
_NUMERIC_FINDING = {
    FINDING_COLUMNS.index("year"),
    FINDING_COLUMNS.index("expected"),
    FINDING_COLUMNS.index("actual"),
}


def _number(text: str) -> Any:
    """A CSV field back to a number where it is one, so Excel can sum it."""
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text or None


def report_rows(results: Sequence[FileResult], options: RenderOptions) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for r in results:
        report = r.report if r.status != "unreadable" else None
        counts = r.counts()
        figures = [json_number(_value(report, q)) for q, _ in KEY_FIGURES]
        rows.append(
            [
                display_path(r.path, options.root),
                STATUS_CN[r.status],
                body_of(r) or None,
                year_of(r),
                report.meta.template if report else None,
                report.source.format if report else None,
                *figures,
                counts["error"],
                counts["warning"],
                counts["info"],
                "；".join(f"{u.reason}（{'、'.join(u.checks)}）" for u in r.unverified) or None,
            ]
        )
    return rows


def _value(report: Any, qualified: str) -> Any:
    cell = report.cell(qualified) if report is not None else None
    return cell.value if cell is not None else None


def render_xlsx(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> bytes:
    assert len(CELL_HEADERS) == len(CELL_COLUMNS) and len(FINDING_HEADERS) == len(FINDING_COLUMNS)
    wb = Workbook()
    wb.add_sheet(
        "报告",
        REPORT_COLUMNS,
        report_rows(results, options),
        (40, 8, 30, 6, 8, 6, 10, 12, 10, 10, 6, 6, 6),
    )
    findings = (
        [_number(v) if i in _NUMERIC_FINDING else v for i, v in enumerate(row)]
        for row in finding_rows(results, options)
    )
    wb.add_sheet("问题", FINDING_HEADERS, findings, (40, 30, 6, 9, 8, 80, 40, 10, 10, 40))
    wb.add_sheet("单元格", CELL_HEADERS, cell_rows(results, options), (40, 30, 6, 18, 28, 16, 10, 8, 12))
    return wb.save()
