"""The template's sums as a checksum on OCR'd cells (readers/ocr/checksum.py, docs/formats/ocr.md):
no engine needed — the cells are made here as the OCR reader and the mapper leave them."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy")

from reportparse.document import TableCell
from reportparse.model import Cell, Loc
from reportparse.normalize import parse_cell
from reportparse.readers.ocr.cells import UNSURE, alternatives
from reportparse.readers.ocr.checksum import BREAKS, check_sums
from reportparse.readers.ocr.engine import OcrChar
from reportparse.templates import template

T = template("2021")
# 表四 行政复议: 维持 3 + 纠正 1 + 其他 0 + 未审结 2 = 总计 6
ROW = {"upheld": "3", "corrected": "1", "other": "0", "pending": "2", "total": "6"}


def _ocr(text: str, conf: float = 0.99, alts: tuple[str, ...] = (), unread: str | None = None) -> TableCell:
    return TableCell(
        text, 0, 0, Loc(page=2, bbox=(1.0, 2.0, 3.0, 4.0)), confidence=conf, unread=unread, alternatives=alts
    )


def _table(
    row: dict[str, str], read: dict[str, TableCell]
) -> tuple[dict[str, Cell], dict[str, str], dict[str, TableCell]]:
    cells: dict[str, Cell] = {}
    unread: dict[str, str] = {}
    ocr: dict[str, TableCell] = {}
    for col, text in row.items():
        cid = f"review.{col}"
        tc = read.get(col, _ocr(text))
        ocr[cid] = tc
        if tc.unread:
            unread[cid] = tc.unread
        else:
            kind, value = parse_cell(tc.text)
            cells[cid] = Cell(cid, tc.text, kind, value, tc.loc, tc.confidence)
    return cells, unread, ocr


def test_an_unsure_cell_takes_the_one_alternative_the_sum_allows() -> None:
    cells, unread, ocr = _table(ROW, {"pending": _ocr("8", 0.6, ("3", "2", "0"), UNSURE)})
    out = check_sums("review_litigation", T, cells, unread, ocr)
    cell = out.cells["review.pending"]
    assert (cell.raw, cell.value, cell.kind, cell.confidence, cell.repaired) == ("2", 2, "number", 0.6, "8")
    assert "review.pending" not in out.unread
    ext, note = out.notes
    assert ext.rule == "EXT-014" and ext.cells == ("review_litigation.review.pending",)
    assert ext.message == (
        "表四「行政复议」行「尚未审结」列：OCR 读作 8，按表内勾稽关系更正为 2"
        "（在 OCR 的备选读数中唯一使各项关系成立）"
    )
    assert note.code == "ocr-checksum" and note.data["read"] == "8" and note.data["value"] == "2"


def test_an_unsure_reading_the_sum_confirms_is_taken_with_a_note() -> None:
    cells, unread, ocr = _table(ROW, {"corrected": _ocr("1", 0.7, ("7",), UNSURE)})
    out = check_sums("review_litigation", T, cells, unread, ocr)
    assert out.cells["review.corrected"].value == 1 and out.cells["review.corrected"].repaired == "1"
    assert (
        out.notes[0].message
        == "表四「行政复议」行「结果纠正」列：OCR 读作 1（置信度低），表内勾稽关系确认了这一读数"
    )


def test_two_alternatives_that_both_balance_leave_the_cell_unread() -> None:
    # 维持 and 纠正 both unsure: 3+1 and 1+3 both make 6 with the rest
    cells, unread, ocr = _table(
        ROW,
        {
            "upheld": _ocr("8", 0.5, ("3", "1"), UNSURE),
            "corrected": _ocr("7", 0.5, ("1", "3"), UNSURE),
        },
    )
    out = check_sums("review_litigation", T, cells, unread, ocr)
    assert out.unread == {"review.upheld": UNSURE, "review.corrected": UNSURE}
    assert out.notes == ()


def test_a_doubtful_cell_that_breaks_the_sum_is_repaired_or_unread() -> None:
    # read 9 (a runner-up 6) where 6 is printed: the row no longer adds up
    row = {**ROW, "total": "9"}
    cells, unread, ocr = _table(row, {"total": _ocr("9", 0.95, ("6", "8"))})
    out = check_sums("review_litigation", T, cells, unread, ocr)
    assert (out.cells["review.total"].value, out.cells["review.total"].repaired) == (6, "9")
    # no alternative mends it: unread with the reason, never a guess
    cells, unread, ocr = _table(row, {"total": _ocr("9", 0.95, ("8",))})
    out = check_sums("review_litigation", T, cells, unread, ocr)
    assert "review.total" not in out.cells and out.unread["review.total"] == BREAKS


def test_a_sure_reading_that_breaks_the_sum_is_the_reports_own_arithmetic() -> None:
    row = {**ROW, "total": "9"}
    cells, unread, ocr = _table(row, {})
    out = check_sums("review_litigation", T, cells, unread, ocr)
    assert out.cells == cells and out.unread == {} and out.notes == ()


def test_a_cell_in_no_checkable_sum_stays_unread() -> None:
    # the total unread too (ink OCR could not read): the row's sum cannot be checked
    cells, unread, ocr = _table(
        ROW,
        {
            "pending": _ocr("8", 0.6, ("2",), UNSURE),
            "total": _ocr("", 0.0, (), "单元格有字迹但 OCR 未能识别"),
        },
    )
    out = check_sums("review_litigation", T, cells, unread, ocr)
    assert out.unread["review.pending"] == UNSURE and out.notes == ()


def test_alternatives_from_the_recognisers_runners_up() -> None:
    chars = [
        OcrChar("1", 0, 0, 5, 10, 0.99, alternatives=(("l", 0.004),)),
        OcrChar("8", 5, 0, 10, 10, 0.6, alternatives=(("3", 0.3), ("B", 0.05), ("6", 0.01), ("9", 0.001))),
    ]
    assert alternatives("18", chars) == ("13", "16")
    assert alternatives("180", chars) == ()  # the characters do not spell the cell


def test_a_letter_where_a_number_stands_offers_its_digit_runners_up() -> None:
    chars = [OcrChar("B", 0, 0, 5, 10, 0.93, alternatives=(("3", 0.06), ("8", 0.006), ("R", 0.001)))]
    assert alternatives("B", chars) == ("3", "8")
    assert alternatives("B", [OcrChar("B", 0, 0, 5, 10, 0.93, alternatives=(("R", 0.05),))]) == ()
