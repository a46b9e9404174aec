"""Extraction problems (the EXT- family) and repair notes, shared by every reader and the mapper.

Each EXT id has a fixed meaning and default severity; `problem()` builds a note that also
becomes a finding, `repair()` one that only records what the reader fixed.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

from .model import ExtractionNote, Loc, Severity


@dataclass(frozen=True)
class ExtCode:
    severity: Severity  # the default
    title: str  # one line, Chinese
    # The file was not read at all: when the report has no section either, no other rule runs
    # (it would only accuse the body of lacking what the reader could not see).
    blocking: bool = False
    emits: tuple[Severity, ...] = ()  # severities a reader may give it beyond the default


# An id never changes meaning.
EXT_RULES: dict[str, ExtCode] = {
    "EXT-001": ExtCode("error", "文件无法读取（损坏、为空、截断或格式不支持）", blocking=True),
    "EXT-002": ExtCode("error", "文件已加密或受密码保护", blocking=True),
    "EXT-003": ExtCode("error", "文件超出处理限制（大小、解压后大小、页数或时间）", blocking=True),
    "EXT-004": ExtCode("error", "文件中未找到政府信息公开工作年度报告内容", blocking=True),
    "EXT-005": ExtCode("warning", "未找到可读取的表格（缺失、仅为图片或附件）"),
    "EXT-006": ExtCode("warning", "表格未能完整读取，部分核对未进行"),
    "EXT-007": ExtCode("warning", "部分单元格无法确定取值"),
    # warning: some pages are scans and the rest was read
    "EXT-008": ExtCode(
        "error", "文字层乱码或缺失（扫描件、字体无 Unicode 映射）", blocking=True, emits=("warning",)
    ),
    "EXT-009": ExtCode("warning", "文档含未接受的修订或批注"),
    "EXT-010": ExtCode("warning", "报告内容似乎不完整（被截断）"),
    "EXT-011": ExtCode("error", "需要外部转换工具才能读取此格式", blocking=True),
    "EXT-012": ExtCode("warning", "表格行或列的标签无法与模板对应"),
    "EXT-013": ExtCode("error", "读取器内部错误", blocking=True),
}
BLOCKING = frozenset(rid for rid, ext in EXT_RULES.items() if ext.blocking)


def problem(
    rule: str,
    message: str,
    *,
    code: str | None = None,
    loc: Loc | None = None,
    cells: tuple[str, ...] = (),
    severity: Severity | None = None,
    **data: Any,
) -> ExtractionNote:
    ext = EXT_RULES[rule]
    if severity is not None and severity != ext.severity and severity not in ext.emits:
        raise ValueError(f"{rule} does not declare severity {severity}")
    return ExtractionNote(
        code=code or rule,
        message=message,
        rule=rule,
        severity=severity or ext.severity,
        loc=loc,
        cells=cells,
        data=data,
    )


def repair(code: str, message: str, *, loc: Loc | None = None, **data: Any) -> ExtractionNote:
    return ExtractionNote(code=code, message=message, loc=loc, data=data)


def internal_error(
    where: str, err: BaseException | str, *, loc: Loc | None = None, files: str = "此文件"
) -> ExtractionNote:
    """EXT-013 for a bug in reportparse (`where`: "pdf 读取器", "规则 NUM-001 执行时"), not in the
    file. `err` is shown as the last line Python prints for it, or as given when it is text."""
    detail = err if isinstance(err, str) else traceback.format_exception_only(type(err), err)[-1].strip()
    return bug_report(f"{where}内部错误：{detail}", loc=loc, files=files)


def bug_report(what: str, *, loc: Loc | None = None, files: str = "此文件") -> ExtractionNote:
    """EXT-013 saying what went wrong inside reportparse and asking for `files` to be reported."""
    return problem("EXT-013", f"{what}。请将{files}与 reportparse 版本号一并提交问题报告。", loc=loc)
