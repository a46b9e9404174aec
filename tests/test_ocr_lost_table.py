"""A table OCR did not find on a scanned page is unread (EXT-006), never missing (STR-004): OCR
misses whole tables (faint rulings, a stamp, a skewed scan), so not finding one is no evidence
that the report lacks it. No OCR engine needed: the reader's output is built as OCR leaves it."""

from __future__ import annotations

from dataclasses import replace

import reportparse
from conftest import FIXTURES
from reportparse.document import Document, Paragraph
from reportparse.extract.parse import build_report
from reportparse.extraction import problem
from reportparse.model import Loc
from reportparse.readers import read_document

PATH = FIXTURES / "text" / "attachment-2021.tika.txt"  # 二, 三 refer to attachments; 四 has no table


def scanned(ocr_pages: list[int]) -> reportparse.Report:
    """The fixture as if its one page had been read by OCR (EXT-014 on `ocr_pages`)."""
    data = PATH.read_bytes()
    doc = read_document(data, PATH.name)
    blocks = tuple(replace(b, loc=replace(b.loc, page=1)) for b in doc.blocks if isinstance(b, Paragraph))
    note = problem(
        "EXT-014", "第 1 页经 OCR 文字识别读取", loc=Loc(file=PATH.name), pages=ocr_pages, chars=900
    )
    return build_report(Document(blocks, doc.format, doc.path, notes=(*doc.notes, note)), data)


def test_a_table_not_found_on_an_ocr_page_is_unread_not_missing() -> None:
    report = scanned([1])
    assert [(f.rule, f.severity, f.message) for f in reportparse.check(report) if f.rule != "EXT-014"] == [
        (
            "EXT-006",
            "warning",
            "表四（行政复议、行政诉讼）在经 OCR 文字识别的页面上未能识别出（表格线模糊或残缺、印章遮挡、扫描歪斜等），"
            "不能据此认定报告缺少该表，以下核对未进行：表格的行与组是否齐全、勾稽关系、正文与表格数字是否一致",
        ),
        # a referral to an attachment is read evidence: those tables are absent, OCR or not
        ("STR-004", "error", "第二部分没有表二（主动公开），只写了「（详见附表）」：表格不在报告正文中"),
        ("STR-004", "error", "第三部分没有表三（依申请公开），只写了「（表格见附件）」：表格不在报告正文中"),
    ]
    assert report.review_litigation is not None and report.review_litigation.status == "failed"
    (unread,) = reportparse.unverified(report)
    assert unread.scope == "review_litigation" and "T4-001" in unread.checks
    assert unread.reason.startswith("表四（行政复议、行政诉讼）在经 OCR 文字识别的页面上未能识别出")


def test_pages_ocr_did_not_read_keep_the_missing_table_finding() -> None:
    report = scanned([2])  # OCR read another page: the part with table 四 was a text layer
    assert report.review_litigation is None
    assert ("STR-004", "第四部分未找到表四（行政复议、行政诉讼）") in [
        (f.rule, f.message) for f in reportparse.check(report)
    ]
