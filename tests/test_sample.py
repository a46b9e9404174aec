"""The real Tika export in ../shared/samples, and the same report in other encodings and layouts."""

from __future__ import annotations

import re

import reportparse
from helpers import APP_COLS
from reportparse.model import Report
from reportparse.templates import template

TWOS = {
    "applications.new_received.natural_person",
    "applications.new_received.total",
    "applications.partially_granted.natural_person",
    "applications.partially_granted.total",
    "applications.total.natural_person",
    "applications.total.total",
}


def all_cells(report: Report) -> dict[str, tuple[str, object]]:
    out: dict[str, tuple[str, object]] = {}
    for name, data in report.tables.items():
        assert data is not None, name
        for cid, cell in data.cells.items():
            out[f"{name}.{cid}"] = (cell.kind, cell.value)
    return out


def test_sample_meta_and_sections(sample_bytes: bytes) -> None:
    r = reportparse.parse(sample_bytes, path="huancuilou-2024.tika.txt")
    assert r.meta.year == 2024
    assert r.meta.organization == "威海市环翠区环翠楼街道办事处"
    assert r.meta.title == "威海市环翠区环翠楼街道办事处2024年政府信息公开工作年度报告"
    assert r.meta.body_kind == "township"
    assert r.meta.template == "2021"
    assert [s.number for s in r.sections] == [1, 2, 3, 4, 5, 6]
    fifth = r.sections[4]
    assert fifth.numbering + " " + fifth.heading == "5、 存在的主要问题及改进情况"
    assert [s.numbering for s in r.sections] == ["一、", "二、", "三、", "四、", "5、", "六、"]
    assert r.sections[1].glued and not any(s.glued for s in r.sections if s.number != 2)
    assert r.sections[0].text.endswith("2024年，街道未出现关于政务公开方面的投诉、举报情况。")
    assert "统计期限从2024年1月1日到12月31日止" in r.preamble
    assert r.sections[5].text.startswith("1.政府信息公开收费方面")


def test_sample_every_cell(sample_bytes: bytes) -> None:
    r = reportparse.parse(sample_bytes, path="huancuilou-2024.tika.txt")
    cells = all_cells(r)
    t = template("2021")
    expected_ids = {
        f"{n}.{c}" for n in ("active_disclosure", "applications", "review_litigation") for c in t.cell_ids(n)
    }  # type: ignore[arg-type]
    assert set(cells) == expected_ids
    assert len(cells) == 10 + 175 + 15
    for cid, (kind, value) in cells.items():
        assert kind == "number", cid
        assert value == (2 if cid in TWOS else 0), cid
    assert [n.rule for n in r.extraction_notes if n.rule] == []
    assert r.applications is not None and r.applications.corner_note is not None
    # the label broken over two lines is one cell, matched exactly
    assert r.applications.labels == ()


def _pasted_layout(text: str) -> str:
    """Tika rows -> one line per row, cells joined by tabs, merged (empty) cells dropped."""
    out: list[str] = []
    row: list[str] = []
    for line in text.split("\n"):
        if line.startswith("\t"):
            row.append(line[1:].strip())
        elif not line.strip():
            if row:
                out.append("\t".join(c for c in row if c))
                row = []
            else:
                out.append(line)
        elif row:
            row[-1] += line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def test_sample_reencoded_and_relaid(sample_bytes: bytes) -> None:
    base = all_cells(reportparse.parse(sample_bytes))
    text = sample_bytes.decode("utf-8")
    no_bookmarks = re.sub(r"\[bookmark: [^\]]*\]", "", text)
    variants = {
        "gbk": text.encode("gbk"),
        "gb18030": text.encode("gb18030"),
        "utf-16": text.encode("utf-16"),
        "utf-16-be-bom": "\ufeff".encode("utf-16-be") + text.encode("utf-16-be"),
        "utf-8-bom": b"\xef\xbb\xbf" + sample_bytes,
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
        "no-bookmarks": no_bookmarks.encode("utf-8"),
        "pasted": _pasted_layout(no_bookmarks).encode("utf-8"),
        "pasted-gbk-crlf": _pasted_layout(text).replace("\n", "\r\n").encode("gbk"),
    }
    for name, data in variants.items():
        r = reportparse.parse(data, path=f"sample-{name}.txt")
        assert all_cells(r) == base, name
        assert [s.number for s in r.sections] == [1, 2, 3, 4, 5, 6], name
        assert r.meta.organization == "威海市环翠区环翠楼街道办事处", name


def test_sample_cells_carry_line_numbers(sample_bytes: bytes) -> None:
    r = reportparse.parse(sample_bytes, path="sample.txt")
    assert r.applications is not None
    cell = r.applications.cells["new_received.total"]
    assert cell.loc is not None and cell.loc.file == "sample.txt"
    assert cell.loc.line is not None
    line = sample_bytes.decode("utf-8").split("\n")[cell.loc.line - 1]
    assert line == "\t2"
    assert [c for c in APP_COLS if r.applications.cells[f"carried_over.{c}"].value != 0] == []
