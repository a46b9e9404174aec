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
    fix: str = ""  # what the person can do about it, shown beside the finding


# An id never changes meaning.
EXT_RULES: dict[str, ExtCode] = {
    "EXT-001": ExtCode(
        "error",
        "文件无法读取（损坏、为空、截断或格式不支持）",
        blocking=True,
        fix="用 Word、WPS 或 PDF 阅读器打开原文件确认其完好；若已损坏，请向发布机关索取或从其网站重新下载，再检查一次。",
    ),
    "EXT-002": ExtCode(
        "error",
        "文件已加密或受密码保护",
        blocking=True,
        fix="取得未加密的版本（或在有密码时另存为不加密的文件）后再检查。",
    ),
    "EXT-003": ExtCode(
        "error",
        "文件超出处理限制（大小、解压后大小、页数或时间）",
        blocking=True,
        fix="确认文件确为年度报告本身（不是合订本或带大量图片的扫描件）；确需检查时用 --timeout 或配置中的限制放宽。",
    ),
    "EXT-004": ExtCode(
        "error",
        "文件中未找到政府信息公开工作年度报告内容",
        blocking=True,
        fix="确认这是政府信息公开工作年度报告本身：网页只有附件链接时，下载附件检查；文件是其他材料时，不必检查。",
    ),
    "EXT-005": ExtCode(
        "warning",
        "未找到可读取的表格（缺失、仅为图片或附件）",
        fix="表格在附件或图片中时，取得附件或文字版再检查；确无表格的，按模板补上表二、表三、表四。",
    ),
    "EXT-006": ExtCode(
        "warning",
        "表格未能完整读取，部分核对未进行",
        fix="对照原文人工核对列出的表格；可取得 DOCX 或带文字层的 PDF 后再检查。",
    ),
    "EXT-007": ExtCode(
        "warning",
        "部分单元格无法确定取值",
        fix="对照原文人工核对列出的单元格；若原文本身合并或连写了数字，请按模板分栏填写。",
    ),
    # warning: some pages are scans and the rest was read
    "EXT-008": ExtCode(
        "error",
        "文字层乱码或缺失（扫描件、字体无 Unicode 映射）",
        blocking=True,
        emits=("warning",),
        fix="取得带文字层的版本（DOCX，或由 Word/WPS 直接导出的 PDF）后再检查；扫描件可安装 OCR 扩展（pip install 'reportparse[ocr]'）后读取，或对照原件人工核对。",
    ),
    "EXT-009": ExtCode(
        "warning",
        "文档含未接受的修订或批注",
        fix="在 Word/WPS 中接受或拒绝全部修订、删除批注，定稿后再检查和发布。",
    ),
    "EXT-010": ExtCode(
        "warning",
        "报告内容似乎不完整（被截断）",
        fix="确认文件完整（六个部分及落款齐全）；网页被截断时，打开原网页或下载附件核对。",
    ),
    "EXT-011": ExtCode(
        "error",
        "需要外部转换工具才能读取此格式",
        blocking=True,
        fix="安装 LibreOffice（Debian/Ubuntu：apt-get install libreoffice-writer-nogui），或将文件另存为 DOCX/PDF 后再检查。",
    ),
    "EXT-012": ExtCode(
        "warning",
        "表格行或列的标签无法与模板对应",
        fix="对照模板核对列出的行或列的标签；标签与模板不同的，按模板原文修改。",
    ),
    "EXT-013": ExtCode(
        "error",
        "读取器内部错误",
        blocking=True,
        fix="这是 reportparse 自身的缺陷，与报告无关：请将文件与版本号提交问题报告；其余文件的结果不受影响。",
    ),
    # info: the text was read from page images, not from a text layer (docs/formats/ocr.md)
    "EXT-014": ExtCode(
        "info",
        "内容经 OCR 文字识别读取",
        fix="识别可能有误：核对原件中的数字；置信度低而未采用的单元格另见 EXT-007。",
    ),
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
