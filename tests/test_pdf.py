"""PDF reader: grids with true spans, tables stitched over page breaks, clean narrative, and an
honest note for every PDF it cannot read.

Word-processor fixtures are in tests/fixtures/pdf (LibreOffice and Chromium, written by
generator/make_pdf.py); exact layouts come from the `Canvas` writer there; failure cases are
built here from the fixtures.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from generator.docx_writer import active_layout, applications_layout, review_layout
from generator.make_pdf import FIXTURES as PDF_FIXTURES
from generator.make_pdf import Canvas, build_spec, encrypted_pdf, garble, scanned_pdf, truncate

import reportparse
from conftest import FIXTURES
from helpers import cell_differences, load_spec, load_truth, truth_differences
from reportparse.document import Document, Table
from reportparse.readers import read_document
from reportparse.readers.pdf import read

PDF = FIXTURES / "pdf"
NAMES = sorted(PDF_FIXTURES)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _grid(table: Table) -> set[tuple[int, int, int, int, str]]:
    return {(c.row, c.col, c.rowspan, c.colspan, _norm(c.text)) for c in table.cells}


def _doc(name: str) -> Document:
    path = PDF / f"{name}.pdf"
    return read(path.read_bytes(), str(path))


def _rules(doc: Document) -> list[str | None]:
    return [n.rule for n in doc.notes if n.rule]


# -- word-processor fixtures: grids exactly as laid out ----------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_fixture_grids_equal_the_layout(name: str) -> None:
    spec = build_spec(name, PDF_FIXTURES[name])
    doc = _doc(name)
    layouts = [active_layout(spec), applications_layout(spec), review_layout(spec)]
    assert len(doc.tables()) == 3
    for table, (_, cells) in zip(doc.tables(), layouts, strict=True):
        assert _grid(table) == {(c.row, c.col, c.rowspan, c.colspan, _norm(c.text)) for c in cells}
    assert _rules(doc) == []


def test_application_table_spans_and_merged_values_once() -> None:
    table = _doc("clean-2021").tables()[1]
    spans = {
        _norm(c.text): (c.row, c.col, c.rowspan, c.colspan) for c in table.cells if c.rowspan * c.colspan > 1
    }
    assert spans == {
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）": (0, 0, 3, 3),
        "申请人情况": (0, 3, 1, 7),
        "自然人": (1, 3, 2, 1),
        "法人或其他组织": (1, 4, 1, 5),
        "总计": (1, 9, 2, 1),
        "一、本年新收政府信息公开申请数量": (3, 0, 1, 3),
        "二、上年结转政府信息公开申请数量": (4, 0, 1, 3),
        "三、本年度办理结果": (5, 0, 22, 1),
        "（一）予以公开": (5, 1, 1, 2),
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": (6, 1, 1, 2),
        "（三）不予公开": (7, 1, 8, 1),
        "（四）无法提供": (15, 1, 3, 1),
        "（五）不予处理": (18, 1, 5, 1),
        "（六）其他处理": (23, 1, 3, 1),
        "（七）总计": (26, 1, 1, 2),
        "四、结转下年度继续办理": (27, 0, 1, 3),
    }
    assert len(table.cells) == 10 + 25 * 7 + 25 + 5  # header, values, row labels, group labels
    assert sum(c.text == "三、本年度办理结果" for c in table.cells) == 1
    first = next(c for c in table.cells if c.row == 3 and c.col == 3)
    assert first.loc.page == 1 and first.loc.table == 1 and (first.loc.row, first.loc.col) == (3, 3)
    assert first.loc.bbox is not None and first.loc.bbox[0] < first.loc.bbox[2]


@pytest.mark.parametrize("name", ["table-break", "repeat-header", "page-footers"])
def test_application_table_is_stitched_over_pages(name: str) -> None:
    doc = _doc(name)
    table = doc.tables()[1]
    pages = {c.loc.page for c in table.cells}
    assert len(pages) >= 2
    assert table.n_rows == 28
    assert sum(_norm(c.text) == "申请人情况" for c in table.cells) == 1  # a repeated header is dropped


def test_header_and_footer_lines_are_removed() -> None:
    for name in NAMES:
        text = "\n".join(p.text for p in _doc(name).paragraphs())
        assert "页眉" not in text
        assert not re.search(r"^[-—]\s*\d+\s*[-—]$|第\s*\d+\s*页", text, re.M)


def test_metadata_title_and_no_file_dates() -> None:
    doc = _doc("clean-2021")
    assert doc.properties["page_title"] == "示例市示例区统计局2024年政府信息公开工作年度报告"
    assert doc.properties["pages"] == 4
    assert "published" not in doc.properties


# -- synthetic layouts ----------------------------------------------------------------------------


def _paragraph(c: Canvas, top: float, text: str, per_line: int = 37, indent: bool = True) -> float:
    """Set Chinese text as justified lines of `per_line` characters (the first indented 2)."""
    first = per_line - 2 if indent else per_line
    lines = [text[:first]] + [text[i : i + per_line] for i in range(first, len(text), per_line)]
    for k, line in enumerate(lines):
        c.text(72 + (24 if k == 0 and indent else 0), top, line)
        top += 20
    return top


LONG = (
    "这是一段用于测试段落重排的示例文字，内容没有实际含义，只用来占满整行并检验换行后的拼接是否正确无误。" * 2
)


def test_paragraphs_rejoined_and_spaces_next_to_chinese_dropped() -> None:
    c = Canvas().page()
    c.text(250, 60, "示例报告标题")
    c.text(72, 100, "一、总体情况")
    top = _paragraph(c, 130, LONG)
    c.text(96, top, "2023 年全市共收到申请 12 件，编号 3 4 号。")
    c.text(72, top + 20, "（一）主动公开情况")
    doc = read(c.pdf(), "t.pdf")
    assert [p.text for p in doc.paragraphs()] == [
        "示例报告标题",
        "一、总体情况",
        LONG,
        "2023年全市共收到申请12件，编号3 4号。",
        "（一）主动公开情况",
    ]
    para = doc.paragraphs()[2]
    assert para.loc.page == 1 and para.loc.file == "t.pdf"


@pytest.mark.parametrize(
    "footers",
    [
        ("- 1 -", "- 2 -"),
        ("— 1 —", "— 2 —"),
        ("第 1 页", "第 2 页"),
        ("1/6", "2/6"),
        ("第 1 页 共 2 页", "第 2 页 共 2 页"),
    ],
)
def test_page_numbers_and_running_header_removed_and_paragraph_continues(footers: tuple[str, str]) -> None:
    c = Canvas()
    for k, footer in enumerate(footers):
        c.page().text(72, 30, "示例市人民政府办公室政务公开")
        if k == 0:
            _paragraph(c, 700, LONG[: 35 + 37 * 3], indent=True)  # fills page 1 to the margin
        else:
            _paragraph(c, 72, LONG[35 + 37 * 3 :], indent=False)
        c.text(280, 800, footer)
    doc = read(c.pdf(), None)
    assert [p.text for p in doc.paragraphs()] == [LONG]
    assert doc.paragraphs()[0].loc.page == 1


def _ruled_table(c: Canvas) -> None:
    xs = [72.0, 200.0, 300.0, 400.0, 500.0]
    ys = [100.0, 130.0, 160.0, 190.0, 250.0]
    # col 0 rows 0-2 merged (one character per line), cols 1-3 of row 0 merged
    c.grid(xs, ys, skip={("h", 1, 0), ("h", 2, 0), ("v", 0, 2), ("v", 0, 3)})
    for k, ch in enumerate("三、本年"):
        c.text(130, 104 + 14 * k, ch, size=10)
    c.text(280, 108, "申请人情况", size=10)
    c.text(210, 133, "本年新", size=10)
    c.text(210, 145, "制作数量", size=10)
    c.text(310, 138, "自然人", size=10)
    c.text(410, 138, "总计", size=10)
    c.text(240, 168, "5", size=10)
    c.text(340, 168, "0", size=10)
    c.text(440, 168, "5", size=10)
    c.text(80, 198, "合计", size=10)
    c.text(240, 200, "12", size=10)
    c.text(240, 214, "5", size=10)  # a second number in the same cell


def test_ruled_table_spans_and_cell_text() -> None:
    c = Canvas().page()
    c.text(72, 70, "二、主动公开政府信息情况")
    _ruled_table(c)
    doc = read(c.pdf(), "t.pdf")
    (table,) = doc.tables()
    assert {(x.row, x.col, x.rowspan, x.colspan, x.text) for x in table.cells} == {
        (0, 0, 3, 1, "三、本年"),
        (0, 1, 1, 3, "申请人情况"),
        (1, 1, 1, 1, "本年新制作数量"),
        (1, 2, 1, 1, "自然人"),
        (1, 3, 1, 1, "总计"),
        (2, 1, 1, 1, "5"),
        (2, 2, 1, 1, "0"),
        (2, 3, 1, 1, "5"),
        (3, 0, 1, 1, "合计"),
        (3, 1, 1, 1, "12\n5"),
        (3, 2, 1, 1, ""),
        (3, 3, 1, 1, ""),
    }
    assert [p.text for p in doc.paragraphs()] == ["二、主动公开政府信息情况"]
    cell = next(x for x in table.cells if x.row == 3 and x.col == 1)
    assert cell.loc.page == 1 and cell.loc.bbox == (200.0, 190.0, 300.0, 250.0)
    assert _rules(doc) == []


def _data_table(c: Canvas, top: float, rows: list[list[str]], xs: list[float] | None = None) -> float:
    xs = xs or [72.0, 250.0, 350.0, 450.0]
    ys = [top + 25 * k for k in range(len(rows) + 1)]
    c.grid(xs, ys)
    for r, row in enumerate(rows):
        for k, text in enumerate(row):
            c.text(xs[k] + 4, ys[r] + 7, text, size=10)
    return ys[-1]


HEAD = ["信息内容", "本年新收", "上年结转"]


@pytest.mark.parametrize(("repeat", "caption"), [(False, False), (True, False), (True, True)])
def test_table_over_a_page_break_is_stitched(repeat: bool, caption: bool) -> None:
    c = Canvas().page()
    c.text(72, 600, "三、收到和处理政府信息公开申请情况")
    _data_table(c, 640, [HEAD, ["行政许可", "1", "2"], ["行政处罚", "3", "4"]])
    c.text(280, 800, "- 1 -")
    c.page()
    if caption:
        c.text(72, 50, "续表")
    _data_table(c, 72, ([HEAD] if repeat else []) + [["行政强制", "5", "6"], ["其他", "7", "8"]])
    c.text(72, 300, "四、政府信息公开行政复议、行政诉讼情况")
    c.text(280, 800, "- 2 -")
    doc = read(c.pdf(), None)
    (table,) = doc.tables()
    rows = [[x.text for x in row] for row in table.rows()]
    assert rows == [
        HEAD,
        ["行政许可", "1", "2"],
        ["行政处罚", "3", "4"],
        ["行政强制", "5", "6"],
        ["其他", "7", "8"],
    ]
    assert [x.loc.page for x in table.cells if x.col == 0] == [1, 1, 1, 2, 2]
    assert [p.text for p in doc.paragraphs()] == [
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]


def test_tables_with_other_columns_are_not_stitched() -> None:
    c = Canvas().page()
    _data_table(c, 640, [HEAD, ["行政许可", "1", "2"], ["行政处罚", "3", "4"]])
    c.page()
    _data_table(c, 72, [["结果维持", "结果纠正"], ["1", "2"], ["3", "4"]], xs=[72.0, 150.0, 450.0])
    assert len(read(c.pdf(), None).tables()) == 2


def test_merged_label_cell_continues_over_the_page_break() -> None:
    c = Canvas().page()
    xs, ys = [72.0, 150.0, 300.0, 400.0], [700.0, 725.0, 750.0]
    c.grid(xs, ys, skip={("h", 1, 0)})
    c.text(76, 715, "（三）不予", size=10)
    for r, (label, v) in enumerate([("1.属于国家秘密", "1"), ("2.其他法律", "2")]):
        c.text(154, ys[r] + 7, label, size=10)
        c.text(304, ys[r] + 7, v, size=10)
    c.page()
    ys = [72.0, 97.0, 122.0, 147.0]
    c.grid(xs, ys, skip={("h", 1, 0)})
    c.text(76, 90, "公开", size=10)
    for r, (label, v) in enumerate([("3.危及安全", "3"), ("4.第三方", "4")]):
        c.text(154, ys[r] + 7, label, size=10)
        c.text(304, ys[r] + 7, v, size=10)
    c.text(76, 129, "（四）无法提供", size=10)
    c.text(154, 129, "1.不掌握", size=10)
    c.text(304, 129, "5", size=10)
    (table,) = read(c.pdf(), None).tables()
    spans = {(x.text, x.row, x.rowspan) for x in table.cells if x.col == 0}
    assert spans == {("（三）不予公开", 0, 4), ("（四）无法提供", 4, 1)}


def test_page_frame_is_not_a_table() -> None:
    c = Canvas().page()
    c.rect(40, 40, 555, 800)
    c.hline(40, 555, 90)  # a rule under the letterhead
    c.text(250, 60, "示例报告标题")
    top = _paragraph(c, 130, LONG)
    _paragraph(c, top + 10, LONG)
    doc = read(c.pdf(), None)
    assert doc.tables() == []
    assert [p.text for p in doc.paragraphs()] == ["示例报告标题", LONG, LONG]


def test_page_frame_around_a_table_keeps_the_table() -> None:
    c = Canvas().page()
    c.rect(40, 40, 555, 800)
    _paragraph(c, 80, LONG)
    _data_table(c, 300, [HEAD, ["行政许可", "1", "2"], ["行政处罚", "3", "4"]])
    doc = read(c.pdf(), None)
    (table,) = doc.tables()
    assert [[x.text for x in row] for row in table.rows()][1] == ["行政许可", "1", "2"]
    assert [p.text for p in doc.paragraphs()] == [LONG]


def test_page_frame_touching_a_table_keeps_the_table() -> None:
    c = Canvas().page()
    c.rect(40, 40, 555, 800)
    _paragraph(c, 80, LONG)
    _data_table(
        c, 300, [HEAD, ["行政许可", "1", "2"], ["行政处罚", "3", "4"]], xs=[40.0, 250.0, 350.0, 555.0]
    )
    doc = read(c.pdf(), None)
    (table,) = doc.tables()
    assert [[x.text for x in row] for row in table.rows()] == [
        HEAD,
        ["行政许可", "1", "2"],
        ["行政处罚", "3", "4"],
    ]
    assert [p.text for p in doc.paragraphs()] == [LONG]


def test_fake_bold_glyphs_read_once() -> None:
    c = Canvas().page()
    c.text(72, 100, "一、总体情况")
    c.text(72.3, 100.2, "一、总体情况")
    assert [p.text for p in read(c.pdf(), None).paragraphs()] == ["一、总体情况"]


def test_unruled_table_keeps_columns_as_tabs() -> None:
    c = Canvas().page()
    c.text(72, 100, "三、收到和处理政府信息公开申请情况")
    for k, (label, a, b) in enumerate(
        [("信息内容", "本年新收", "上年结转"), ("行政许可", "12", "0"), ("行政处罚", "3", "1")]
    ):
        c.text(72, 130 + 20 * k, label)
        c.text(300, 130 + 20 * k, a)
        c.text(420, 130 + 20 * k, b)
    doc = read(c.pdf(), None)
    assert [p.text for p in doc.paragraphs()] == [
        "三、收到和处理政府信息公开申请情况",
        "信息内容\t本年新收\t上年结转",
        "行政许可\t12\t0",
        "行政处罚\t3\t1",
    ]
    assert doc.tables() == []


def test_irregular_grid_is_flagged_with_its_page() -> None:
    c = Canvas().page()
    c.page()
    xs, ys = [72.0, 200.0, 300.0, 400.0], [100.0, 130.0, 160.0, 190.0]
    # (0,0), (0,1) and (1,1) share one L-shaped area: no rectangle
    c.grid(xs, ys, skip={("v", 0, 1), ("h", 1, 1)})
    for r in range(3):
        c.text(320, ys[r] + 8, str(r), size=10)
    doc = read(c.pdf(), "t.pdf")
    assert len(doc.tables()) == 1
    (note,) = [n for n in doc.notes if n.rule == "EXT-006"]
    assert note.loc is not None and note.loc.page == 2 and "第 2 页" in note.message


def test_image_only_table_is_reported() -> None:
    c = Canvas().page()
    c.text(72, 80, "三、收到和处理政府信息公开申请情况")
    c.image(72, 110, 520, 500)
    c.text(72, 520, "四、政府信息公开行政复议、行政诉讼情况")
    _data_table(c, 550, [HEAD, ["行政许可", "1", "2"], ["行政处罚", "3", "4"]])
    doc = read(c.pdf(), "t.pdf")
    (note,) = [n for n in doc.notes if n.rule]
    assert note.rule == "EXT-005" and note.loc is not None and note.loc.page == 1
    assert "三、收到和处理" in note.message and "第 1 页" in note.message


def test_utf16le_title_decoded() -> None:
    c = Canvas().page()
    c.text(72, 72, "正文")
    info = {
        "Title": b"\xff\xfe" + "某某县2023年政府信息公开工作年度报告".encode("utf-16-le"),
        "Author": b"\xfe\xff" + "作者".encode("utf-16-be"),
        "CreationDate": b"D:20240120100000+08'00'",
    }
    doc = read(c.pdf(info), None)
    assert doc.properties == {
        "page_title": "某某县2023年政府信息公开工作年度报告",
        "author": "作者",
        "pages": 1,
    }


def test_page_limit() -> None:
    c = Canvas()
    for k in range(301):
        c.page().text(72, 300, f"正文内容 {k + 1}")
    doc = read(c.pdf(), None)
    assert _rules(doc) == ["EXT-003"]
    assert "301" in doc.notes[0].message and "300" in doc.notes[0].message
    assert doc.paragraphs()[-1].loc.page == 300


# -- honest failure -------------------------------------------------------------------------------


def test_garbled_text_layer() -> None:
    doc = read_document(garble((PDF / "clean-2021.pdf").read_bytes()), "g.pdf", ocr="never")
    (note,) = [n for n in doc.notes if n.rule]
    assert note.rule == "EXT-008" and note.severity == "error"
    assert note.data["ratio"] == 1.0 and note.data["pages"] == [1, 2, 3, 4]
    assert "乱码" in note.message and "100%" in note.message


def test_scanned_pdf() -> None:
    doc = read_document(scanned_pdf(2), "s.pdf", ocr="never")
    (note,) = doc.notes
    assert note.rule == "EXT-008" and note.data["pages"] == [1, 2]
    assert "扫描件" in note.message and "OCR" in note.message
    assert doc.blocks == ()


def test_encrypted_pdf_needs_a_password() -> None:
    doc = read_document(encrypted_pdf(user_password="secret"), "e.pdf")
    assert [(n.rule, n.message) for n in doc.notes] == [("EXT-002", "PDF 已加密，需要密码才能打开")]


def test_encrypted_pdf_with_empty_password_opens() -> None:
    doc = read_document(encrypted_pdf("Hello", user_password=""), "e.pdf")
    assert [p.text for p in doc.paragraphs()] == ["Hello"]
    assert doc.notes == ()


def _one_page() -> bytes:
    c = Canvas().page()
    c.text(72, 72, "正文")
    return c.pdf()


@pytest.mark.parametrize(
    "data",
    [
        truncate((PDF / "clean-2021.pdf").read_bytes()),
        b"%PDF-1.4\nnot really\n",
        _one_page().replace(b"/MediaBox [0 0 595 842]", b"/MediaBox null          "),
    ],
    ids=["truncated", "junk", "no-mediabox"],
)
def test_unreadable_pdf(data: bytes) -> None:
    doc = read_document(data, "t.pdf")
    (note,) = doc.notes
    assert note.rule == "EXT-001" and note.severity == "error"
    assert "无法解析" in note.message
    assert doc.blocks == ()


# -- end to end ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_fixture_parses_to_its_spec(name: str) -> None:
    spec = load_spec(PDF / f"{name}.pdf")
    r = reportparse.parse(PDF / f"{name}.pdf")
    assert cell_differences(r, spec) == []
    assert r.meta.template == spec["version"]
    assert r.meta.year == spec["year"]
    assert r.meta.title == spec["title"]
    assert [s.number for s in r.sections] == [1, 2, 3, 4, 5, 6]
    assert [n.rule for n in r.extraction_notes if n.rule] == []


def test_corpus_r003_cells(corpus: Path) -> None:
    truth = load_truth(corpus, "r003.pdf")
    r = reportparse.parse(corpus / "r003.pdf")
    assert len(truth["cells"]) == 200
    assert truth_differences(r, truth) == []
    assert [n.rule for n in r.extraction_notes if n.rule] == []


def test_corpus_r003_document(corpus: Path) -> None:
    path = corpus / "r003.pdf"
    doc = read(path.read_bytes(), str(path))
    assert [t.n_rows for t in doc.tables()] == [14, 28, 4]
    assert {c.loc.page for c in doc.tables()[1].cells} == {4, 5}
    assert doc.properties["page_title"] == "政府信息公开工作年度报告"
    text = "\n".join(p.text for p in doc.paragraphs())
    assert not re.search(r"^- \d+ -$", text, re.M)
    assert not re.search(r"\d 年|年 \d", text)
    assert doc.notes == ()


def test_report_tables_map_is_complete() -> None:
    r = reportparse.parse(Path(PDF / "clean-2019.pdf"))
    assert r.active_disclosure is not None and len(r.active_disclosure.cells) == 22
