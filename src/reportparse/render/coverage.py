"""The 覆盖情况 of `check --roster`, as each batch format shows it: a section at the end of the
text output, a sheet of the workbook, a section of the HTML page, the `coverage` object of the
JSON document and the roster's own findings as CSV rows (batch/coverage.py makes it)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from ..findings import SEVERITY_CN
from .text import display_path, fix_text

if TYPE_CHECKING:
    from ..batch import Coverage

STATUS_CN = {"published": "已发布", "missing": "未发布", "late": "逾期发布", "duplicate": "多份报告"}
HEADERS = ("机关", "上级机关", "类型", "地区", "截止日期", "状态", "发布日期", "文件")


def coverage_lines(cov: Coverage, root: Path | None = None) -> list[str]:
    lines = ["", f"覆盖情况（名册 {display_path(cov.roster, root)}）：{cov.line()}"]
    for row in cov.rows:
        if row.status == "published":
            continue
        files = "、".join(display_path(f, root) for f in row.files)
        lines.append(f"  {STATUS_CN[row.status]}  {row.body}" + (f"  {files}" if files else ""))
    for f in cov.findings:
        lines.append(f"  {SEVERITY_CN[f.severity]} {f.rule}  {f.message}")
    for path in cov.unlisted:
        lines.append(f"  名册外  {display_path(path, root)}")
    return lines


def coverage_rows(cov: Coverage, root: Path | None = None) -> list[list[str]]:
    return [
        [
            r.body,
            r.parent,
            r.kind,
            r.region,
            r.deadline.isoformat() if r.deadline else "",
            STATUS_CN[r.status],
            "、".join(d.isoformat() if d else "不详" for d in r.published),
            "、".join(display_path(f, root) for f in r.files),
        ]
        for r in cov.rows
    ] + [["（名册外）", "", "", "", "", "名册外", "", display_path(p, root)] for p in cov.unlisted]


def coverage_finding_rows(cov: Coverage, root: Path | None = None) -> list[list[str]]:
    """The roster's findings as rows of the CSV of findings (csv_out.FINDING_COLUMNS; file =
    the roster, location = its row)."""
    return [
        [display_path(cov.roster, root), "", str(cov.year), f.rule, f.severity, f.message, "", "", "", "",
         f"第{f.loc.line}行" if f.loc and f.loc.line else "", fix_text(f.rule), "", ""]
        for f in cov.findings
    ]  # fmt: skip


def coverage_html(cov: Coverage, root: Path | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADERS)
    statuses = [r.status for r in cov.rows] + ["unlisted"] * len(cov.unlisted)
    body = "".join(
        f'<tr class="coverage-{status}">' + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
        for row, status in zip(coverage_rows(cov, root), statuses, strict=True)
    )
    return (
        f'<section id="coverage"><h2>覆盖情况</h2><p>{escape(cov.line())}</p>'
        f'<table class="coverage"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>'
    )
