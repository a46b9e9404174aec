"""Year on year in the batch outputs (batch/yearly.py, render/yearly.py): each report compared once
with its body's report of the year before, from the batch or the history store; NUM-005 (large
changes, opt-in, a threshold) and CNT-006 (总体情况 length, opt-in, a threshold)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from generator.make_county import write

import reportparse
from conftest import ROOT
from reportparse.batch import FileResult
from reportparse.cli import main
from reportparse.config import ConfigError, config_from_dict
from reportparse.render import RenderOptions, render
from reportparse.rules import Selection, run_report_rules


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("county")
    write(root)
    return root


@pytest.fixture(scope="module")
def second_spring(county: Path) -> list[FileResult]:
    """The 2024 reports against the 2023 ones, which are only in the store."""
    store = county / "h.sqlite"
    sel = Selection(ignore=("T2-001", "QLT-001"), extend_select=("NUM-005",))
    reportparse.audit([county / "2024年审核"], jobs=1, history=store, selection=sel).collect()
    return reportparse.audit([county / "2025年审核"], jobs=1, history=store, selection=sel).collect()


def _result(results: list[FileResult], name: str) -> FileResult:
    return next(r for r in results if r.path.endswith(name))


def test_each_report_is_compared_with_last_years_from_the_store(second_spring: list[FileResult]) -> None:
    health = _result(second_spring, "卫健委-2024.txt")
    y = health.year_on_year
    assert y is not None and y.old.source.path is not None
    assert y.old.source.path.endswith("卫健委-2023.txt，取自历史库 h.sqlite")
    assert [(s.number, round(s.similarity or 0, 3)) for s in y.sections] == [
        (1, 0.901), (2, 1.0), (3, 1.0), (4, 1.0), (5, 1.0), (6, 0.885)
    ]  # fmt: skip
    assert [(p.old, p.new) for p in y.sections[5].pairs] == [("示例县卫生健康委员会", "示例县卫健委")]
    assert (len(y.cells), len(y.jumps)) == (78, 10)
    # 档案馆 (renamed) has no 2023 report under its name without the roster's alias: not compared
    assert _result(second_spring, "档案馆-2024.txt").year_on_year is None


def test_num_005_flags_large_changes_by_table(second_spring: list[FileResult]) -> None:
    found = [f for f in _result(second_spring, "卫健委-2024.txt").findings if f.rule == "NUM-005"]
    assert [(f.severity, len(f.cells)) for f in found] == [("info", 6), ("info", 4)]
    assert found[1].message == (
        "表三与2023年报告（"
        + found[1].message.split("（", 1)[1].split("）", 1)[0]
        + "）相比有 4 个单元格成倍变化"
        "（2 倍以上且相差 10 以上）：「表三/一、本年新收政府信息公开申请数量/自然人」1 → 30、"
        "「表三/一、本年新收政府信息公开申请数量/总计」7 → 31、「表三/（七）总计/自然人」2 → 30 等 4 个，请核对"
    )
    assert found[1].cells[0] == "applications.new_received.natural_person"
    assert (found[1].expected, found[1].actual) == (1, 30)


def test_num_005_threshold_and_default_off(county: Path, tmp_path: Path) -> None:
    folders = [county / "2024年审核" / "水务局-2023.txt", county / "2025年审核" / "水务局-2024.txt"]
    off = reportparse.audit(folders, jobs=1).collect()
    assert not [f for r in off for f in r.findings if f.rule == "NUM-005"]
    assert off[1].year_on_year is not None  # the 同比 is there without the rule
    sel = Selection(extend_select=("NUM-005",), thresholds={"NUM-005": 20})
    high = reportparse.audit(folders, jobs=1, selection=sel).collect()
    found = [f for r in high for f in r.findings if f.rule == "NUM-005"]
    assert [len(f.cells) for f in found] == [2, 1]  # only what grew or shrank 20-fold
    assert "20 倍以上" in found[0].message
    with pytest.raises(
        ConfigError, match=re.escape("NUM-005 的阈值「0.5」无效：应为大于 1、不大于 1000 的数（默认 2）")
    ):
        config_from_dict({"thresholds": {"NUM-005": 0.5}})


def test_year_on_year_in_json_html_and_text(second_spring: list[FileResult], county: Path) -> None:
    doc = json.loads(render("json", second_spring, RenderOptions()))
    schema = json.loads((ROOT / "src/reportparse/schema/check.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    health = next(f for f in doc["files"] if f["path"].endswith("卫健委-2024.txt"))
    assert health["year_on_year"]["sections"][0]["changes"][0] == {
        "old": "全年主动公开政府信息284条。", "new": "全年主动公开政府信息761条。", "similarity": 0.8
    }  # fmt: skip
    assert health["year_on_year"]["jumps"] == 10
    page = render("html", second_spring, RenderOptions())
    assert isinstance(page, str)
    assert page.count('<details class="yoy">') == 6
    assert (
        '<tr><td class="old">全年主动公开政府信息284条。</td><td class="new">全年主动公开政府信息761条。</td>'
        '<td class="sim">80%</td></tr>'
    ) in page
    assert (
        '<tr class="jump"><td>表三/一、本年新收政府信息公开申请数量/自然人</td><td class="v">1</td>'
        '<td class="v">30</td><td class="v">+29</td><td>大幅变化</td></tr>'
    ) in page
    text = render("text", second_spring, RenderOptions())
    assert isinstance(text, str)
    assert "\n同比（6 份报告与本机关上一年度报告对比）：\n" in text
    line = next(x for x in text.splitlines() if "卫健委-2024.txt  与" in x)
    assert line.endswith(
        "相比：各部分相似度 一 90.1%、二 100.0%、三 100.0%、四 100.0%、五 100.0%、六 88.5%；"
        "表格 78 个单元格有变化，其中大幅变化 10 个"
    )


def test_diff_and_the_batch_agree(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One computation for both: `reportparse diff` prints the pairs the batch keeps."""
    old, new = county / "2024年审核" / "统计局-2023.txt", county / "2025年审核" / "统计局-2024.txt"
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    batch = reportparse.audit([old, new], jobs=1).collect()
    y = batch[1].year_on_year
    assert y is not None
    assert doc["sections"] == [s.to_dict() for s in y.sections]
    assert doc["cells"] == [c.to_dict() for c in y.cells]


def test_cnt_006_overview_length_is_a_setting(county: Path) -> None:
    report = reportparse.parse(county / "2025年审核" / "统计局-2024.txt")
    assert not [f for f in run_report_rules(report) if f.rule == "CNT-006"]  # off by default
    length = len("".join((report.section(1) or report.sections[0]).text.split()))
    on = Selection(select=("CNT-006",), thresholds={"CNT-006": length + 1})
    (found,) = run_report_rules(report, on)
    assert (found.rule, found.severity, found.actual, found.expected) == (
        "CNT-006",
        "warning",
        length,
        length + 1,
    )
    assert found.message == f"第一部分“总体情况”只有 {length} 字，少于 {length + 1} 字"
    assert run_report_rules(report, Selection(select=("CNT-006",), thresholds={"CNT-006": length})) == []


def test_a_failing_comparison_is_an_ext_013_not_a_crash(
    county: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("reportparse.batch.yearly.year_on_year", broken)
    files = [county / "2024年审核" / "水务局-2023.txt", county / "2025年审核" / "水务局-2024.txt"]
    results = reportparse.audit(files, jobs=1, selection=Selection(select=("T3", "EXT"))).collect()
    assert results[1].year_on_year is None
    assert [(f.rule, f.severity) for f in results[1].findings] == [("EXT-013", "error")]
    assert (
        results[1].findings[0].message.startswith("同比对比时内部错误：ZeroDivisionError: division by zero。")
    )
