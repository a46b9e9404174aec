"""The text reader at Document level, and bad input that must become findings, not tracebacks."""

from __future__ import annotations

import pytest

import reportparse
from reportparse.document import Paragraph, Table
from reportparse.readers import read_document
from reportparse.readers.sniff import sniff


def rows(table: Table) -> list[list[str]]:
    return [[c.text for c in r] for r in table.rows()]


def test_tika_rows_merged_cells_and_continuations() -> None:
    text = (
        "前文\n\t（本列）\n\t申请人情况\n\n\t\n\t5.要求行政机关确认或重新\n出具已获取信息\n\t0\n\n\t[bookmark: _Hlk1]2.重复申请"
        "\n\t1\n\n\n后文\n"
    )
    doc = read_document(text.encode("utf-8"), "t.txt")
    assert isinstance(doc.blocks[0], Paragraph) and doc.blocks[0].text == "前文"
    table = doc.blocks[1]
    assert isinstance(table, Table) and table.spans_known is False
    assert rows(table) == [
        ["（本列）", "申请人情况"],
        ["", "5.要求行政机关确认或重新\n出具已获取信息", "0"],
        ["2.重复申请", "1"],
    ]
    assert isinstance(doc.blocks[2], Paragraph) and doc.blocks[2].text == "后文"
    assert table.rows()[1][2].loc.line == 8
    assert [n.code for n in doc.notes] == ["artifacts"]


def test_pasted_rows_keep_blank_cells_between_tabs() -> None:
    text = "正文\n一、本年新收政府信息公开申请数量\t3\t\t0\t0\t0\t0\t3\n二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0\n"
    doc = read_document(text.encode("utf-8"))
    table = doc.tables()[0]
    assert rows(table)[0] == ["一、本年新收政府信息公开申请数量", "3", "", "0", "0", "0", "0", "3"]


def test_space_separated_rows_and_markdown() -> None:
    text = "正文\n行政处罚 0\n行政强制 12\n\n| 规章 | 1 | 0 | 5 |\n|---|---|---|---|\n| 行政规范性文件 | 2 |  | 9 |\n"
    doc = read_document(text.encode("utf-8"))
    t1, t2 = doc.tables()
    assert rows(t1) == [["行政处罚", "0"], ["行政强制", "12"]]
    assert rows(t2) == [["规章", "1", "0", "5"], ["行政规范性文件", "2", "", "9"]]


def test_prose_with_numbers_is_not_a_table() -> None:
    text = "2024年，本机关共收到申请 5 件，办结 5 件。\n全年主动公开信息 120 条。\n"
    doc = read_document(text.encode("utf-8"))
    assert doc.tables() == []
    assert [b.text for b in doc.paragraphs()] == [
        "2024年，本机关共收到申请 5 件，办结 5 件。",
        "全年主动公开信息 120 条。",
    ]


def test_crawler_header_block_becomes_properties() -> None:
    text = "标题: 某局2023年政府信息公开工作年度报告\n发布时间: 2024-01-20 15:22\n发布机构: 某局\n=== 正文 ===\n某局2023年政府信息公开工作年度报告 正文\n"
    doc = read_document(text.encode("utf-8"))
    assert doc.properties["published"] == "2024-01-20 15:22"
    assert doc.properties["organization"] == "某局"
    assert doc.properties["page_title"] == "某局2023年政府信息公开工作年度报告"
    assert [b.text for b in doc.paragraphs()] == ["某局2023年政府信息公开工作年度报告 正文"]


def test_sniff_by_bytes_not_name() -> None:
    assert sniff(b"%PDF-1.7\n...", "a.txt") == "pdf"
    assert sniff(b"<!DOCTYPE html><html><body>x</body></html>", "a.txt") == "html"
    assert sniff("普通文本".encode(), "a.html") == "text"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "a.docx") == "legacy_office"


def rules(source: bytes, path: str = "x.txt") -> list[tuple[str, str | None]]:
    r = reportparse.parse(source, path=path)
    return [(n.rule, n.severity) for n in r.extraction_notes if n.rule]


def test_empty_file() -> None:
    assert rules(b"") == [("EXT-001", "error")]
    assert rules(b"  \n\n ") == [("EXT-001", "error")]


def test_binary_garbage() -> None:
    data = bytes(range(256)) * 40
    r = reportparse.parse(data, path="garbage.txt")
    notes = [n for n in r.extraction_notes if n.rule]
    assert [(n.rule, n.severity) for n in notes] == [("EXT-001", "error")]
    assert "二进制" in notes[0].message
    assert r.applications is None and r.sections == ()


def test_non_report_text() -> None:
    text = "会议纪要\n今天讨论了食堂的菜单。\n决定下周增加一道素菜。\n".encode()
    assert rules(text) == [("EXT-004", "error")]


def test_truncated_report() -> None:
    text = (
        "某局2024年政府信息公开工作年度报告\n一、总体情况\n2024年，我局认真落实条例。\n二、主动公开政府信息情况\n"
        "\t第二十条第（一）项\n\n\t信息内容\n\t本年制发件数\n"
    ).encode()
    found = rules(text)
    assert ("EXT-010", "warning") in found
    r = reportparse.parse(text)
    truncated = next(n for n in r.extraction_notes if n.rule == "EXT-010")
    assert truncated.message.startswith("报告在第二部分之后中断")


def test_missing_file_is_a_finding() -> None:
    r = reportparse.parse("/nonexistent/report.txt")
    assert [(n.rule, n.severity) for n in r.extraction_notes] == [("EXT-001", "error")]
    assert "无法打开文件" in r.extraction_notes[0].message


def test_internal_errors_become_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    pipeline = importlib.import_module("reportparse.extract.parse")
    from reportparse.rules import REGISTRY, load_rules

    def boom(*_: object) -> None:
        raise ValueError("kaboom")

    monkeypatch.setattr(pipeline, "map_tables", boom)
    r = reportparse.parse("某局2024年政府信息公开工作年度报告\n一、总体情况\n正文。\n".encode(), path="x.txt")
    assert [(n.rule, n.severity) for n in r.extraction_notes] == [("EXT-013", "error")]
    assert "解析阶段内部错误：ValueError: kaboom" in r.extraction_notes[0].message
    monkeypatch.undo()
    load_rules()
    from dataclasses import replace

    monkeypatch.setitem(REGISTRY, "TXT-006", replace(REGISTRY["TXT-006"], check=boom))
    fs = reportparse.check(
        "某局2024年政府信息公开工作年度报告\n一、总体情况\n正文。\n五、存在的主要问题及改进情况\n无\n".encode()
    )
    assert [f.message[:30] for f in fs if f.rule == "EXT-013"] == [
        "规则 TXT-006 执行时内部错误：ValueError: kaboom。"[:30]
    ]
