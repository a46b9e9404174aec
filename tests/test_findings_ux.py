"""Findings people can act on: where (a location a person can follow in every format), how to fix,
in Chinese; a status that says whether a report needs correcting."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from generator.docx_writer import write_docx
from generator.html_writer import render_html
from generator.spec import ReportSpec, SectionText, make_spec

import reportparse
from reportparse.findings import Finding
from reportparse.render.text import location_text


def defective() -> ReportSpec:
    """A 2021 report with one of each kind of defect, for every format."""
    s = make_spec("ux", "2021", seed=77)
    cells = {t: dict(c) for t, c in s.cells.items()}
    cells["applications"]["new_received.natural_person"] = str(
        int(cells["applications"]["new_received.natural_person"]) + 1
    )
    new_total = int(cells["applications"]["new_received.total"])
    one, two, three, four, five, six = s.sections
    one = replace(
        one,
        paragraphs=(*one.paragraphs[:2], f"（二）依申请公开。全年共收到政府信息公开申请{new_total + 5}件。"),
    )
    five = replace(
        five,
        numbering="5、",
        paragraphs=(
            "（一）存在的主要问题。更新不够及时。",
            "（二）改进情况。2024年，我局将进一步加强信息发布审核。",
        ),
    )
    six = replace(six, paragraphs=("无。",))
    return replace(
        s,
        cells=cells,
        sections=(one, two, three, four, five, six),
        signoff=(s.organization, "2025年3月2日"),
        published=None,
    )


def _findings(fmt: str, tmp_path: Path) -> list[Finding]:
    spec = defective()
    path = tmp_path / f"ux.{fmt}"
    if fmt == "docx":
        write_docx(spec, path)
    else:
        path.write_bytes(render_html(spec, style="bare"))
    return reportparse.check(path)


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_every_finding_has_a_location_a_person_can_follow(fmt: str, tmp_path: Path) -> None:
    found = _findings(fmt, tmp_path)
    assert sorted({f.rule for f in found}) == [
        "CNT-001",
        "CNT-004",
        "CNT-005",
        "PUB-001",
        "STR-002",
        "T3-001",
        "T3-003",
        "TXT-001",
        "TXT-005",
    ]
    where = {f.rule: location_text(f.loc) for f in found}
    for f in found:
        text = location_text(f.loc)
        assert text, f.rule
        assert "nth-of-type" not in text and "p[" not in text and ">" not in text, text  # no element paths
        assert f.loc is not None and not re.search(rf"(?<!表格\d)第{f.loc.line}行", text), (
            text
        )  # no source lines
    assert where["TXT-001"] == "第一部分第3段「全年共收到政府信息公开申请15件。」"
    assert where["TXT-005"] == "第五部分第2段「2024年，我局将进一步加强信息发布审核。」"
    assert where["STR-002"] == "第五部分"
    assert where["CNT-004"] == "第六部分"
    assert where["PUB-001"] == "「2025年3月2日」"  # the sign-off, as printed
    assert where["T3-003"] == "表格2第4行第10列"


def test_text_locations_keep_their_line(tmp_path: Path) -> None:
    from generator import text_writer

    path = tmp_path / "ux.txt"
    path.write_text(text_writer.tika(defective()), encoding="utf-8")
    where = {f.rule: location_text(f.loc) for f in reportparse.check(path)}
    assert where["TXT-005"] == "第388行 第五部分第2段「2024年，我局将进一步加强信息发布审核。」"
    assert where["PUB-001"] == "第393行 「2025年3月2日」"
    assert where["T3-003"] == "第81行 表格2第4行第8列"


def test_a_missing_part_points_where_it_belongs(tmp_path: Path) -> None:
    s = make_spec("m", "2021", seed=3)
    s = replace(s, sections=tuple(x for x in s.sections if x.number != 4))
    from generator import text_writer

    (tmp_path / "m.txt").write_text(text_writer.tika(s), encoding="utf-8")
    (f,) = [f for f in reportparse.check(tmp_path / "m.txt") if f.rule == "STR-001"]
    assert f.message == "未找到第四部分「四、政府信息公开行政复议、行政诉讼情况」，应在第三部分之后"
    assert location_text(f.loc).endswith("第三部分")


def test_a_hint_alone_leaves_a_report_ok(tmp_path: Path) -> None:
    s = make_spec("h", "2021", seed=5)
    six = SectionText(6, "其他需要报告的事项", ("（一）信息处理费收取情况。本年度未收取信息处理费。",))
    s = replace(s, sections=(*s.sections[:5], six))
    from generator import text_writer

    (tmp_path / "h.txt").write_text(text_writer.tika(s), encoding="utf-8")
    (result,) = reportparse.audit([tmp_path], jobs=1).collect()
    assert [(f.rule, f.severity) for f in result.findings] == [("CNT-005", "info")]
    assert result.status == "ok"


def test_a_reader_note_is_placed_in_its_part() -> None:
    """A picture that may hold a table is named by the part it is in, never by an element path."""
    fixtures = Path(__file__).parent / "fixtures" / "html"
    r = reportparse.parse(fixtures / "image-tables-2021.html")
    pictures = [n for n in r.extraction_notes if n.rule == "EXT-005"]
    assert [location_text(n.loc) for n in pictures] == ["第二部分", "第三部分", "第四部分"]
    assert (
        pictures[0].loc is not None and pictures[0].loc.path == "div#zoom > p:nth-of-type(10) > img"
    )  # JSON
    page = reportparse.parse(fixtures / "attachment-only-2021.html")  # no part to place it in
    assert [location_text(n.loc) for n in page.extraction_notes if n.rule] == ["", ""]
