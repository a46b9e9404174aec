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
from generator.docx_writer import GridCell, active_layout, applications_layout, review_layout
from generator.make_pdf import FIXTURES as PDF_FIXTURES
from generator.make_pdf import Canvas, build_spec, encrypted_pdf, garble, scanned_pdf, truncate

import reportparse
from conftest import FIXTURES
from helpers import APP_COLS, cell_differences, load_spec, load_truth, truth_differences
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


# what each fixture's reading reports besides its cells (extraction findings)
EXPECTED_NOTES = {"clipped-review": ["EXT-007"]}
# 表四 of clipped-review: the page edge cuts it after twelve of its fifteen columns
SHOWN_COLUMNS = {"clipped-review": 12}


def _shown(cells: list[GridCell], n_cols: int) -> set[tuple[int, int, int, int, str]]:
    """A layout as far as the page shows it: cells left of column `n_cols`, cut at it; a label
    centred over columns mostly beyond the edge is not printed at all."""
    out = set()
    for c in cells:
        if c.col >= n_cols:
            continue
        cut = c.col + c.colspan > n_cols
        text = "" if cut and (c.col + c.colspan / 2) > n_cols else _norm(c.text)
        out.add((c.row, c.col, c.rowspan, min(c.colspan, n_cols - c.col), text))
    return out


RULED = [n for n in NAMES if "borderless" not in PDF_FIXTURES[n].variants]


@pytest.mark.parametrize("name", RULED)
def test_fixture_grids_equal_the_layout(name: str) -> None:
    spec = build_spec(name, PDF_FIXTURES[name])
    doc = _doc(name)
    layouts = [active_layout(spec), applications_layout(spec), review_layout(spec)]
    assert len(doc.tables()) == 3
    for table, (_, cells) in zip(doc.tables(), layouts, strict=True):
        shown = SHOWN_COLUMNS.get(name) if table is doc.tables()[2] else None
        if shown:
            assert table.cut_off == "right"
            assert _grid(table) == _shown(cells, shown)
        else:
            assert table.cut_off == ""
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


REVIEW_HEAD = ["行政复议", "行政诉讼"]


@pytest.mark.parametrize("repeat", [False, True])
def test_header_row_alone_at_the_foot_of_a_page(repeat: bool) -> None:
    """表四's heading and first header row end a page; the rest of the header and the data row
    start the next, with or without the first row repeated (Word's repeated header rows)."""
    xs = [72.0 + 30 * k for k in range(16)]
    c = Canvas().page()
    c.text(72, 740, "四、政府信息公开行政复议、行政诉讼情况")
    c.grid([xs[0], xs[5], xs[15]], [770.0, 790.0])
    c.text(76, 775, "行政复议", size=9)
    c.text(226, 775, "行政诉讼", size=9)
    c.text(280, 810, "- 1 -")
    c.page()
    ys = [72.0, 92.0, 112.0, 132.0]
    if repeat:
        c.grid([xs[0], xs[5], xs[15]], [52.0, 72.0])
        c.text(76, 57, "行政复议", size=9)
        c.text(226, 57, "行政诉讼", size=9)
    c.grid(
        xs, ys, skip={("h", 1, c_) for c_ in range(5)} | {("v", 0, c_) for c_ in (6, 7, 8, 9, 11, 12, 13, 14)}
    )
    for k, label in enumerate(["维持", "纠正", "其他", "尚未", "总计"]):
        c.text(xs[k] + 3, 77, label, size=9)
    c.text(xs[5] + 3, 77, "未经复议直接起诉", size=9)
    c.text(xs[10] + 3, 77, "复议后起诉", size=9)
    for k in range(10):
        c.text(xs[5 + k] + 3, 97, ["维持", "纠正", "其他", "尚未", "总计"][k % 5], size=9)
    for k in range(15):
        c.text(xs[k] + 10, 117, str(k % 4), size=9)
    c.text(280, 810, "- 2 -")
    doc = read(c.pdf(), None)
    (table,) = doc.tables()
    assert table.n_rows == 4
    assert [x.text for x in table.rows()[0]] == REVIEW_HEAD
    assert [x.text for x in table.rows()[3]] == [str(k % 4) for k in range(15)]
    assert {x.loc.page for x in table.rows()[0]} == {1}
    assert [p.text for p in doc.paragraphs()] == ["四、政府信息公开行政复议、行政诉讼情况"]


def test_vertical_writing_in_a_cell_reads_column_by_column() -> None:
    """Upright glyphs stacked in columns (Word's text direction, CSS vertical writing): columns
    right to left, each top to bottom; a vertical comma drawn high in its box keeps its place."""
    c = Canvas().page()
    xs, ys = [72.0, 110.0, 300.0], [100.0, 140.0, 180.0, 220.0]
    c.grid(xs, ys, skip={("h", 1, 0), ("h", 2, 0)})
    for k, ch in enumerate("三、本年"):  # right column
        c.text(92, 110 + 12 * k - (5 if ch == "、" else 0), ch, size=12)
    for k, ch in enumerate("度办理"):  # left column, touching glyphs
        c.text(78, 110 + 12 * k, ch, size=12)
    for r, label in enumerate(["（一）予以公开", "（二）部分公开", "（三）不予公开"]):
        c.text(120, ys[r] + 12, label, size=10)
    (table,) = read(c.pdf(), None).tables()
    assert {(x.row, x.col, x.rowspan, x.text) for x in table.cells} == {
        (0, 0, 3, "三、本年度办理"),
        (0, 1, 1, "（一）予以公开"),
        (1, 1, 1, "（二）部分公开"),
        (2, 1, 1, "（三）不予公开"),
    }


def test_vertical_label_without_its_side_ruling_stays_one_cell() -> None:
    """三、本年度办理结果 one glyph per line in a tall merged cell whose right ruling is not
    drawn (only the row rulings beside it, starting at its edge, say where it ends): its glyphs
    are that cell's text, not pieces of the labels beside it (`三（一）予以公开`, `本1.属于…年`)."""
    c = Canvas().page()
    labels = [
        "（一）予以公开",
        "（二）部分公开",
        "1.属于国家秘密",
        "2.其他法律行政法规禁止公开",
        "3.危及“三安全一稳定”",
        "4.保护第三方合法权益",
        "5.属于三类内部事务信息",
        "6.属于四类过程性信息",
    ]
    xs = [72.0, 92.0, 300.0, 340.0]
    ys = [100.0 + 24 * k for k in range(len(labels) + 1)]
    c.grid(
        xs, ys, skip={("h", r, 0) for r in range(1, len(labels))} | {("v", r, 1) for r in range(len(labels))}
    )
    for r, label in enumerate(labels):
        c.text(100, ys[r] + 7, label, size=10)
        c.text(312, ys[r] + 7, str(r), size=10)
    for k, ch in enumerate("三、本年度办理结果"):
        c.text(77, 110 + 18 * k, ch, size=10)
    doc = read(c.pdf(), None)
    (table,) = doc.tables()
    assert [[x.text for x in row] for row in table.rows()] == [
        ["三、本年度办理结果", labels[0], "0"],
        *([label, str(r)] for r, label in enumerate(labels[1:], 1)),
    ]
    assert table.cells[0].rowspan == len(labels)
    assert _rules(doc) == []


@pytest.mark.parametrize(
    ("rotate", "clockwise"), [(90, False), (0, False), (0, True)], ids=["page-rotate", "up", "down"]
)
def test_sideways_table_reads_like_any_other(rotate: int, clockwise: bool) -> None:
    """A table drawn sideways: on a page whose /Rotate turns it upright for the reader, or turned
    a quarter on a portrait page with its text running up or down the page."""
    c = Canvas().page(rotate=rotate)
    with c.turned(842, 595, clockwise=clockwise):
        xs = [60.0, 300.0, 400.0, 500.0]
        ys = [80.0, 105.0, 130.0, 155.0]
        c.grid(xs, ys, skip={("v", 0, 2)})
        rows = [["信息内容", "本年新收", ""], ["行政许可", "12", "0"], ["行政处罚", "3", "1"]]
        for r, row in enumerate(rows):
            for k, text in enumerate(row):
                c.text(xs[k] + 4, ys[r] + 7, text, size=10)
    doc = read(c.pdf(), None)
    (table,) = doc.tables()
    assert _grid(table) == {
        (0, 0, 1, 1, "信息内容"),
        (0, 1, 1, 2, "本年新收"),
        (1, 0, 1, 1, "行政许可"),
        (1, 1, 1, 1, "12"),
        (1, 2, 1, 1, "0"),
        (2, 0, 1, 1, "行政处罚"),
        (2, 1, 1, 1, "3"),
        (2, 2, 1, 1, "1"),
    }
    box = next(x for x in table.cells if x.text == "12").loc.bbox
    assert box is not None and (box[2] - box[0] < box[3] - box[1]) == (rotate == 0)  # page coordinates


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


def test_unruled_table_is_rebuilt_from_text_positions() -> None:
    c = Canvas().page()
    c.text(72, 100, "三、收到和处理政府信息公开申请情况")
    for k, (label, a, b) in enumerate(
        [("信息内容", "本年新收", "上年结转"), ("行政许可", "12", "0"), ("行政处罚", "3", "1")]
    ):
        c.text(72, 130 + 20 * k, label)
        c.text(300, 130 + 20 * k, a)
        c.text(420, 130 + 20 * k, b)
    doc = read(c.pdf(), None)
    assert [p.text for p in doc.paragraphs()] == ["三、收到和处理政府信息公开申请情况"]
    (table,) = doc.tables()
    assert [[x.text for x in row] for row in table.rows()] == [
        ["信息内容", "本年新收", "上年结转"],
        ["行政许可", "12", "0"],
        ["行政处罚", "3", "1"],
    ]
    assert _rules(doc) == []


def test_prose_and_lone_lines_with_gaps_stay_paragraphs() -> None:
    """A number glued to its words is prose; a line with a wide gap but no number at its end
    (a sign-off) is no table: such lines stay paragraphs, gaps kept as tabs."""
    c = Canvas().page()
    c.text(72, 100, "（五）监督保障。开展社会评议1")
    c.text(72, 120, "次，全年未发生责任追究情形。")
    c.text(72, 160, "示例市示例区统计局")
    c.text(400, 160, "2025年1月20日")
    doc = read(c.pdf(), None)
    assert doc.tables() == []
    assert [p.text for p in doc.paragraphs()][-1] == "示例市示例区统计局\t2025年1月20日"


APP_HEAD = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def test_unruled_rows_from_baselines_and_labels() -> None:
    """A centred unruled 表三 (as Chromium and WPS print it): a label over two lines with its
    numbers between them, a group label beside several rows, a row whose numbers are all blank,
    and a column blank in every row (its header still names it)."""
    c = Canvas().page()
    xs = [260.0 + 36 * k for k in range(7)]
    for k, head in enumerate(APP_HEAD):
        c.text(xs[k], 112, head[:2], size=9)
        if len(head) > 2:
            c.text(xs[k], 122, head[2:], size=9)
    rows = [
        (["（二）部分公开（区分处理的，", "只计这一情形）"], "1 0 0  0 0 1"),
        (["1.属于国家秘密"], "2 1 0  0 0 3"),
        (["8.属于行政查询事项"], ""),
        (["2.其他法律行政法规禁止公开"], "4 0 1  0 0 5"),
    ]
    top = 140.0
    for labels, values in rows:
        for k, text in enumerate(labels):
            c.text(120, top + 12 * k, text, size=9)
        mid = top + 6 * (len(labels) - 1)
        for k, v in enumerate(values.split(" ")):
            if v:
                c.text(xs[k] + 3, mid, v, size=9)
        top += 12 * len(labels) + 14
    c.text(72, 190, "（三）不予", size=9)
    c.text(72, 202, "公开", size=9)
    doc = read(c.pdf(), None)
    (table,) = doc.tables()
    got = [[x.text for x in row] for row in table.rows() if any(x.text for x in row)]
    assert got[-4:] == [
        ["（二）部分公开（区分处理的，只计这一情形）", "1", "0", "0", "", "0", "0", "1"],
        ["（三）不予公开", "1.属于国家秘密", "2", "1", "0", "", "0", "0", "3"],
        ["8.属于行政查询事项", "", "", "", "", "", "", ""],
        ["2.其他法律行政法规禁止公开", "4", "0", "1", "", "0", "0", "5"],
    ]
    assert _rules(doc) == []


def test_unruled_number_between_columns_is_not_read() -> None:
    """A number that fits no column (or two) leaves its row unread and the table flagged:
    never a value in the wrong column."""
    c = Canvas().page()
    c.text(72, 100, "信息内容")
    c.text(300, 100, "本年新收")
    c.text(420, 100, "上年结转")
    c.text(72, 120, "行政许可")
    c.text(300, 120, "12")
    c.text(420, 120, "4")
    c.text(72, 140, "行政处罚")
    c.text(360, 140, "7")
    c.text(420, 140, "1")
    doc = read(c.pdf(), None)
    (table,) = doc.tables()
    assert [[x.text for x in row] for row in table.rows()] == [
        ["信息内容", "本年新收", "上年结转"],
        ["行政许可", "12", "4"],
        ["行政处罚"],
    ]
    (note,) = [n for n in doc.notes if n.rule]
    assert note.rule == "EXT-006" and "无框线表格第 3 行的数字无法与列对齐" in note.message


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
    assert [n.rule for n in r.extraction_notes if n.rule] == EXPECTED_NOTES.get(name, [])
    # every label is printed as the template has it: no label finding (TPL-007 above all)
    assert [f.rule for f in reportparse.check(r)] == EXPECTED_NOTES.get(name, [])


def test_label_finding_only_where_the_label_differs_as_printed() -> None:
    """open-tall-label with one label beside 三、本年度办理结果 misprinted (务 -> 物): one
    TPL-007, on that label as printed; the tall label's glyphs are in none of the labels."""

    def hexed(text: str) -> bytes:
        return text.encode("utf-16-be").hex().encode()

    data = (PDF / "open-tall-label.pdf").read_bytes()
    assert data.count(hexed("内部事务")) == 1  # the fixture's content stream is not compressed
    misprinted = data.replace(hexed("内部事务"), hexed("内部事物"))  # same length: offsets hold
    r = reportparse.parse(misprinted, path="open-tall-label.pdf")
    assert [(f.rule, f.cells, f.expected, f.actual) for f in reportparse.check(r)] == [
        (
            "TPL-007",
            ("applications.withheld.internal_affairs.total",),
            "5.属于三类内部事务信息",
            "5.属于三类内部事物信息",
        )
    ]


@pytest.mark.parametrize("name", ["borderless", "chromium-borderless"])
def test_borderless_rows_are_label_and_values(name: str) -> None:
    """Every value row of an unruled 表三 is its label (wrapped lines joined, also over a page
    break) followed by its seven numbers; no label is read twice or in pieces."""
    spec = load_spec(PDF / f"{name}.pdf")
    labels = [r.label for r in build_spec(name, PDF_FIXTURES[name]).template.app_rows]
    rows = [
        [c.text for c in row]
        for t in _doc(name).tables()
        for row in t.rows()
        if len(row) >= 8 and all(re.fullmatch(r"\d*", c.text) for c in row[-7:]) and row[-1].text
    ]
    read = [row[-8] for row in rows if row[-8] in labels]
    assert read == labels  # each once, in order, whole
    cells = spec["cells"]["applications"]
    by_label = {row[-8]: row[-7:] for row in rows}
    for r in build_spec(name, PDF_FIXTURES[name]).template.app_rows:
        assert by_label[r.label] == [str(cells[f"{r.id}.{c}"]["value"]) for c in APP_COLS]


def test_table_cut_off_by_the_page_edge_is_read_as_far_as_printed() -> None:
    """clipped-review: 表四's last three columns are beyond the page edge, not in the file. The
    twelve printed are read, in their own columns; the three are unread, with one finding that
    names them by their printed labels."""
    path = PDF / "clipped-review.pdf"
    spec = load_spec(path)
    r = reportparse.parse(path)
    assert cell_differences(r, spec) == []
    assert r.review_litigation is not None and r.review_litigation.status == "partial"
    absent = tuple(spec["absent_cells"])
    assert absent == tuple(
        f"review_litigation.litigation_after_review.{c}" for c in ("other", "pending", "total")
    )
    assert [(f.rule, f.severity, f.message, f.cells) for f in reportparse.check(r)] == [
        (
            "EXT-007",
            "warning",
            "表四（行政复议、行政诉讼）超出页面右边缘：「行政诉讼·复议后起诉·其他结果」「行政诉讼·复议后起诉·尚未审结」"
            "「行政诉讼·复议后起诉·总计」共 3 列不在页面上（文件中没有这部分内容），3 个单元格未读取",
            absent,
        )
    ]


def test_rows_cut_off_by_the_page_edge_keep_their_columns() -> None:
    """表三 rows running off the right edge of a narrow page: the values printed go to the
    columns they are printed in, never shifted; the columns beyond the edge are unread."""
    c = Canvas(width=330).page()
    c.text(40, 60, "三、收到和处理政府信息公开申请情况")
    xs = [20.0, *(180.0 + 25 * k for k in range(6))]  # five columns, the sixth cut by the edge
    ys = [90.0, 110.0, 130.0, 150.0]
    c.grid(xs, ys)
    for y in ys:
        c.hline(xs[-1], 330, y)
    for k, label in enumerate(["自然人", "商业", "科研", "公益", "法律"]):
        c.text(xs[1 + k] + 2, ys[0] + 5, label, size=8)
    rows = [
        ("一、本年新收政府信息公开申请数量", "5 1 0 2 0"),
        ("二、上年结转政府信息公开申请数量", "1 0 0 0 0"),
    ]
    for r, (label, values) in enumerate(rows, 1):
        c.text(xs[0] + 2, ys[r] + 5, label, size=8)
        for k, v in enumerate(values.split()):
            c.text(xs[1 + k] + 8, ys[r] + 5, v, size=8)
    doc = read(c.pdf(), None)
    (table,) = doc.tables()
    assert table.cut_off == "right" and table.n_rows == 3
    r = reportparse.parse(c.pdf())
    assert r.applications is not None
    assert [r.applications.value(f"new_received.{col}") for col in APP_COLS] == [5, 1, 0, 2, 0, None, None]
    (note,) = [n for n in r.extraction_notes if n.rule == "EXT-007"]
    assert note.message == (
        "表三（依申请公开）超出页面右边缘：「其他」「总计」共 2 列不在页面上（文件中没有这部分内容），4 个单元格未读取"
    )
    assert set(note.cells) == {
        f"applications.{row}.{col}"
        for row in ("new_received", "carried_over")
        for col in ("other_org", "total")
    }


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
