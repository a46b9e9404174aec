"""`check --format xlsx`: one workbook for the whole batch (written by `xlsx_writer`).

- 报告: one row per file — status, body, year, template, the key figures (新收申请、办理结果
  总计、结转下年度、行政复议) and the number of findings by severity;
- 问题: one row per finding (the columns of `--format csv`): severity in Chinese, cells by their
  printed labels (ids in their own column), expected/actual as numbers or text, how to fix;
- 单元格: every table cell in long format (the columns of `--format cells`): table, row and
  column as printed, then their ids; values as numbers; 问题 names the findings about the cell.

A finding's 单元格 links to its cell's row on 单元格, and that row's 问题 back to the finding.

A sheet longer than Excel's 1,048,576 rows continues in "单元格 (2)" and so on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..findings import SEVERITY_CN
from ..model import json_number
from . import DEFAULT_OPTIONS, RenderOptions
from .csv_out import CELL_COLUMNS, FINDING_COLUMNS, cell_rows, finding_rows
from .text import KEY_FIGURES, STATUS_CN, body_of, display_path, year_of
from .xlsx_writer import Link, Workbook
from .yearly import SHEET_HEADERS, SHEET_WIDTHS, sheet_rows

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
FINDING_HEADERS = (
    "文件",
    "机关",
    "年度",
    "规则",
    "级别",
    "说明",
    "单元格",
    "单元格编号",
    "应为",
    "实为",
    "位置",
    "如何修正",
    "复核",
    "复核说明",
)
CELL_HEADERS = (
    "文件",
    "机关",
    "年度",
    "表",
    "行",
    "列",
    "表编号",
    "行编号",
    "列编号",
    "数值",
    "类型",
    "原文",
)
_SEVERITY, _REVIEW = FINDING_COLUMNS.index("severity"), FINDING_COLUMNS.index("review")
REVIEW_CN = {"dismissed": "已排除（不计入）", "recurring": "重复出现"}
_CELLS, _CELL_IDS, _RULE = (FINDING_COLUMNS.index(c) for c in ("cells", "cell_ids", "rule"))
_TABLE_ID, _ROW_ID, _COLUMN_ID = (CELL_COLUMNS.index(c) for c in ("table_id", "row_id", "column_id"))
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
    findings = list(finding_rows(results, options, dismissed=True))  # read twice below
    # A finding links to its first cell on the 单元格 sheet, and each of its cells back to it.
    # The cells are many (hundreds a report): they stream onto their sheet once, and only the
    # places of the cells findings name are kept for the 问题 sheet, added before it after.
    named: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for k, row in enumerate(findings):
        for c in row[_CELL_IDS].split("; "):
            named.setdefault((row[0], c), []).append((k, row[_RULE]))
    cell_at: dict[tuple[str, str], int] = {}

    def cells() -> Iterator[list[Any]]:
        for i, row in enumerate(cell_rows(results, options)):
            key = (row[0], f"{row[_TABLE_ID]}.{row[_ROW_ID]}.{row[_COLUMN_ID]}")
            found = named.get(key)
            if found is not None:
                cell_at[key] = i
            yield [*row, _back(found)]

    wb.add_sheet(
        "单元格", (*CELL_HEADERS, "问题"), cells(), (40, 30, 6, 6, 40, 20, 18, 18, 14, 10, 8, 12, 16)
    )
    finding_sheet: list[list[Any]] = []
    for row in findings:
        out: list[Any] = [
            _number(v)
            if i in _NUMERIC_FINDING
            else SEVERITY_CN[v]
            if i == _SEVERITY
            else REVIEW_CN.get(v, v)
            if i == _REVIEW
            else v
            for i, v in enumerate(row)
        ]
        target = next(
            (t for c in row[_CELL_IDS].split("; ") if (t := cell_at.get((row[0], c))) is not None), None
        )
        if target is not None:
            out[_CELLS] = Link(out[_CELLS], Workbook.row_location("单元格", target))
        finding_sheet.append(out)
    wb.add_sheet(
        "问题",
        FINDING_HEADERS,
        finding_sheet,
        (40, 30, 6, 9, 6, 80, 40, 30, 10, 10, 40, 60, 14, 40),
        before="单元格",
    )
    compared = sheet_rows(results, options.root)
    if compared:
        wb.add_sheet("同比", SHEET_HEADERS, compared, SHEET_WIDTHS)
    if options.coverage is not None:
        from .coverage import HEADERS, coverage_rows

        wb.add_sheet(
            "覆盖情况",
            HEADERS,
            coverage_rows(options.coverage, options.root),
            (30, 24, 10, 10, 11, 9, 12, 50),
        )
    return wb.save()


def _back(found: list[tuple[int, str]] | None) -> Link | None:
    if not found:
        return None
    rules = list(dict.fromkeys(rule for _, rule in found))
    text = "、".join(rules[:2]) + (f" 等 {len(found)} 条" if len(found) > 2 else "")
    return Link(text, Workbook.row_location("问题", found[0][0]))
