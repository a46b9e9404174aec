"""render/xlsx_writer.py: the workbook as openpyxl and LibreOffice Calc read it back."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from generator.make_pdf import soffice_convert
from hypothesis import given, settings
from hypothesis import strategies as st

from reportparse.render import xlsx_writer
from reportparse.render.xlsx_writer import Workbook, column_letter

openpyxl = pytest.importorskip("openpyxl")

ROWS = [
    ["a.docx", 2024, Decimal("1.5"), None, True, 'x < y & "z"'],
    ["b\x0b\x00.pdf", -3, float("nan"), "", False, "第一行\n第二行"],
]


def _load(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.values) for ws in wb.worksheets}


def _book() -> bytes:
    wb = Workbook()
    wb.add_sheet("报告", ["文件", "年度", "数值", "空", "真", "文字"], ROWS, widths=[40, 6])
    wb.add_sheet("问题", ["文件"], [])
    return wb.save()


def test_values_read_back() -> None:
    sheets = _load(_book())
    assert list(sheets) == ["报告", "问题"]
    assert sheets["报告"] == [
        ("文件", "年度", "数值", "空", "真", "文字"),
        ("a.docx", 2024, 1.5, None, True, 'x < y & "z"'),
        # characters XML forbids are dropped; NaN is not a number Excel knows: kept as text
        ("b.pdf", -3, "nan", None, False, "第一行\n第二行"),
    ]
    assert sheets["问题"] == [("文件",)]  # an empty sheet keeps its header


def test_header_bold_frozen_filtered_and_widths() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(_book()))
    ws = wb["报告"]
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F3"
    assert ws.column_dimensions["A"].width == 40 and ws.column_dimensions["B"].width == 6


def test_deterministic() -> None:
    assert _book() == _book()
    with zipfile.ZipFile(io.BytesIO(_book())) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_rows_past_the_limit_continue_on_another_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_writer, "MAX_ROWS", 3)  # header + 2 rows per sheet
    wb = Workbook()
    assert wb.add_sheet("单元格", ["n"], [[i] for i in range(5)]) == ["单元格", "单元格 (2)", "单元格 (3)"]
    sheets = _load(wb.save())
    assert sheets == {
        "单元格": [("n",), (0,), (1,)],
        "单元格 (2)": [("n",), (2,), (3,)],
        "单元格 (3)": [("n",), (4,)],
    }


def test_a_sheet_written_second_can_come_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_writer, "MAX_ROWS", 3)
    wb = Workbook()
    wb.add_sheet("报告", ["n"], [[0]])
    wb.add_sheet("单元格", ["n"], [[i] for i in range(3)])
    assert wb.add_sheet("问题", ["k"], [["a"], ["b"], ["c"]], before="单元格") == ["问题", "问题 (2)"]
    sheets = _load(wb.save())
    assert list(sheets) == ["报告", "问题", "问题 (2)", "单元格", "单元格 (2)"]
    assert sheets["问题 (2)"] == [("k",), ("c",)] and sheets["单元格 (2)"] == [("n",), (2,)]


def test_long_text_is_cut_to_excel_cell_limit() -> None:
    wb = Workbook()
    wb.add_sheet("s", ["t"], [["字" * 40_000]])
    ((_,), (text,)) = _load(wb.save())["s"]
    assert isinstance(text, str) and len(text) == xlsx_writer.MAX_CELL_CHARS and text.endswith("…")


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_workbook_needs_a_sheet() -> None:
    with pytest.raises(ValueError):
        Workbook().save()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_calc_opens_it(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(_book())
    # every sheet to its own CSV (UTF-8, filter option -1: all sheets)
    done = soffice_convert(
        path,
        tmp_path,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
        check=False,
    )
    if "could not be loaded" in done.stderr + done.stdout and not (tmp_path / "book-报告.csv").exists():
        pytest.skip("LibreOffice Calc is not installed (libreoffice-calc-nogui)")
    rows = list(csv.reader((tmp_path / "book-报告.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[:2] == [
        ["文件", "年度", "数值", "空", "真", "文字"],
        ["a.docx", "2024", "1.5", "", "TRUE", 'x < y & "z"'],
    ]
    assert (tmp_path / "book-问题.csv").read_text(encoding="utf-8").strip() == "文件"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=5))
def test_any_text_reads_back_as_written(texts: list[str]) -> None:
    kept = [xlsx_writer._ILLEGAL_RE.sub("", t) for t in texts]
    wb = Workbook()
    wb.add_sheet("s", [f"c{i}" for i in range(len(texts))], [texts])
    rows = _load(wb.save())["s"]
    row = rows[1] if len(rows) > 1 else (None,) * len(texts)  # a row of empty cells is not read
    assert list(row) == [k or None for k in kept]
