"""Mapping grids onto the template: by label, with typos, other-version rows and extra rows reported."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from generator import text_writer
from generator.spec import make_spec

import reportparse
from helpers import APP_COLS, values


def _tika_with(
    rows_edit: dict[str, str] | None = None,
    drop_other_subrows: bool = False,
    extra_subtotal: bool = False,
    t2_header_swap: bool = False,
) -> tuple[bytes, dict[str, dict[str, str]]]:
    spec = make_spec("m", "2021", seed=11)
    text = text_writer.tika(spec)
    for old, new in (rows_edit or {}).items():
        assert old in text
        text = text.replace(old, new)
    if drop_other_subrows:
        lines = text.split("\n")
        start = lines.index("\t（六）其他处理") - 1
        end = lines.index("\t3.其他") + 8
        cells = spec.cells["applications"]
        merged = [
            str(sum(int(cells[f"other.{r}.{c}"]) for r in ("no_correction", "unpaid_fee", "other")))
            for c in APP_COLS
        ]
        lines[start:end] = ["\t", "\t（六）其他处理", *(f"\t{v}" for v in merged)]
        text = "\n".join(lines)
    if extra_subtotal:
        text = text.replace(
            "\t\n\t（四）无法提供", "\t\n\t小计\n" + "\t1\n" * 7 + "\n\t\n\t（四）无法提供", 1
        )
    if t2_header_swap:
        text = text.replace("\t本年制发件数\n\t本年废止件数", "\t本年废止件数\n\t本年制发件数", 1)
    return text.encode("utf-8"), spec.cells


def test_typo_label_is_matched_and_recorded() -> None:
    data, cells = _tika_with({"2.其他法律行政法规禁止公开": "2.其他法律行政止公开"})
    r = reportparse.parse(data)
    assert r.applications is not None
    assert [(m.id, m.printed, m.how) for m in r.applications.labels] == [
        ("withheld.prohibited_by_law", "2.其他法律行政止公开", "typo")
    ]
    assert values(r, "applications", "withheld.prohibited_by_law", APP_COLS) == [
        int(cells["applications"][f"withheld.prohibited_by_law.{c}"]) for c in APP_COLS
    ]


def test_unrelated_label_is_not_forced_onto_a_row() -> None:
    data, _ = _tika_with({"4.保护第三方合法权益": "4.某某完全不同的情形说明"})
    r = reportparse.parse(data)
    assert r.applications is not None
    assert "withheld.third_party" in r.applications.missing_rows
    assert "withheld.third_party.total" in r.applications.unread_cells
    assert [m.printed for m in r.applications.extra_rows] == ["4.某某完全不同的情形说明"]


def test_2021_table_with_single_other_row_keeps_it_as_printed() -> None:
    data, _ = _tika_with(drop_other_subrows=True)
    r = reportparse.parse(data)
    assert r.applications is not None
    ids = set(r.applications.cells)
    assert {f"other.{c}" for c in APP_COLS} <= ids
    assert not any(i.startswith("other.no_correction") for i in ids)
    assert [(m.id, m.how) for m in r.applications.labels] == [("other", "other_version")]
    assert r.applications.missing_rows == ()
    assert r.applications.unread_cells == ()


def test_added_subtotal_row_is_reported_not_counted() -> None:
    data, cells = _tika_with(extra_subtotal=True)
    r = reportparse.parse(data)
    assert r.applications is not None
    assert [m.printed for m in r.applications.extra_rows] == ["小计"]
    assert len(r.applications.cells) == 175
    assert values(r, "applications", "unavailable.not_held", APP_COLS) == [
        int(cells["applications"][f"unavailable.not_held.{c}"]) for c in APP_COLS
    ]


def test_table_two_columns_follow_the_printed_header() -> None:
    data, cells = _tika_with(t2_header_swap=True)
    r = reportparse.parse(data)
    assert r.active_disclosure is not None
    # the first value under the swapped header is 本年废止件数
    printed_first = cells["active_disclosure"]["regulations.issued"]
    assert r.active_disclosure.cells["regulations.repealed"].raw == printed_first


def test_table_two_variant_row_label() -> None:
    spec = make_spec("v", "2021", seed=2)
    text = text_writer.tika(spec).replace("\t行政规范性文件", "\t规范性文件")
    r = reportparse.parse(text.encode())
    assert r.active_disclosure is not None
    assert [(m.id, m.printed, m.how) for m in r.active_disclosure.labels] == [
        ("normative_documents", "规范性文件", "variant")
    ]
    assert r.meta.template == "2021"


def test_row_with_wrong_number_of_cells_is_unread_with_a_finding() -> None:
    spec = make_spec("w", "2021", seed=4)
    cells = dict(spec.cells["applications"])
    spec2 = replace(spec, cells={**spec.cells, "applications": cells})
    text = text_writer.pasted(spec2)
    lines = text.split("\n")
    k = next(
        i for i, line in enumerate(lines) if line.startswith("（一）予以公开") or "\t（一）予以公开" in line
    )
    lines[k] = lines[k].rsplit("\t", 1)[0]  # lose the 总计 cell
    r = reportparse.parse("\n".join(lines).encode())
    assert r.applications is not None
    assert {f"granted.{c}" for c in APP_COLS} <= set(r.applications.unread_cells)
    notes = [n for n in r.extraction_notes if n.rule == "EXT-007"]
    assert len(notes) == 1
    assert notes[0].message == (
        "表三（依申请公开）：「（一）予以公开」一行有 6 个数据单元格，模板为 7 个，7 个单元格未读取"
    )
    assert notes[0].cells == tuple(f"applications.granted.{c}" for c in APP_COLS)


def test_rows_placed_by_position_are_noted_in_template_order_whatever_the_hash_seed(
    tmp_path: Path,
) -> None:
    spec = make_spec("m", "2021", seed=11)
    text = text_writer.tika(spec)
    for label in ("2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确", "2.重复申请"):
        assert f"\t\n\t\n\t{label}\n" in text
        text = text.replace(f"\t\n\t\n\t{label}\n", "\t\n\t\n", 1)  # a converter lost the label
    source = tmp_path / "lost-labels.tika.txt"
    source.write_text(text, encoding="utf-8")
    expected = [
        f"表三「{label}」一行的标签在源文件中缺失，按模板行序放置，并经列勾稽关系核对一致"
        for label in ("2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确", "2.重复申请")
    ]
    r = reportparse.parse(source)
    assert [n.message for n in r.extraction_notes if n.code == "row_by_position"] == expected
    # set iteration order follows the per-process hash seed: the JSON must not
    outputs = {
        subprocess.run(
            [sys.executable, "-m", "reportparse.cli", "parse", str(source), "--format", "json"],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(outputs) == 1


def test_unlabelled_row_that_fits_no_gap_is_left_unread_with_ext012() -> None:
    """A row of numbers with no label, between two rows that follow each other in the template."""
    spec = make_spec("m", "2021", seed=11)
    text = text_writer.tika(spec)
    stray = "".join(f"\t{v}\n" for v in (1, 2, 3, 4, 5, 6, 21)) + "\n"
    anchor = "\t二、上年结转政府信息公开申请数量"
    assert text.count(anchor) == 1
    r = reportparse.parse(text.replace(anchor, stray + anchor).encode("utf-8"))
    notes = [(n.rule, n.message) for n in r.extraction_notes if n.rule == "EXT-012"]
    assert notes == [
        ("EXT-012", "表三中有一行数据没有行标签（1 | 2 | 3 | 4 | 5 | 6 | 21），无法确定属于哪一行，未读取")
    ]
    assert values(r, "applications", "carried_over", APP_COLS) == [
        int(spec.cells["applications"][f"carried_over.{c}"]) for c in APP_COLS
    ]


@pytest.mark.parametrize(
    ("printed", "row"),
    [
        ("（二）部分公開（區分處理的，只計這一情形，不計其他情形）", "partially_granted"),
        ("1.屬於國家祕密", "withheld.state_secret"),
        ("8.屬於行政查詢事項", "withheld.inquiry"),
        ("2.沒有現成信息需要另行製作", "unavailable.needs_creation"),
        ("3.補正後申請內容仍不明確", "unavailable.unclear"),
        ("4.無正當理由大量反覆申請", "not_processed.excessive"),
        ("1.申請人無正當理由逾期不補正、行政機關不再處理其政府信息公開申請", "other.no_correction"),
        ("四、結轉下年度繼續辦理", "carried_forward"),
    ],
)
def test_traditional_labels_read_as_the_template(printed: str, row: str) -> None:
    """Every traditional character of the template vocabulary folds (not a typo, not unread)."""
    spec = make_spec("m", "2021", seed=11)
    label = next(r.label for r in spec.template.app_rows if r.id == row)
    text = text_writer.tika(spec)
    assert text.count(f"\t{label}\n") == 1
    r = reportparse.parse(text.replace(f"\t{label}\n", f"\t{printed}\n").encode("utf-8"))
    assert r.applications is not None
    assert [m.id for m in r.applications.labels] == []  # matched exactly, not as a typo
    assert values(r, "applications", row, APP_COLS) == [
        int(spec.cells["applications"][f"{row}.{c}"]) for c in APP_COLS
    ]
