"""Review decisions (`reportparse review`): confirm / dismiss by fingerprint, dismissed findings
shown as dismissed and not counted, confirmed ones that recur next year, the 整改清单."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from generator import text_writer
from generator.spec import make_spec
from openpyxl import load_workbook

import reportparse
from reportparse.batch import HistoryError, HistoryStore
from reportparse.cli import main
from reportparse.history import decisions
from reportparse.render import render


def _broken(year: int, organization: str = "示例市示例区审计局"):  # type: ignore[no-untyped-def]
    """A report of `year` with 自然人 new applications one too many (T3-001, T3-003)."""
    s = make_spec(f"bad{year}", year=year, seed=4, organization=organization)
    cells = dict(s.cells["applications"])
    cells["new_received.natural_person"] = str(int(cells["new_received.natural_person"]) + 1)
    return s.__class__(**{**s.__dict__, "cells": {**s.cells, "applications": cells}})


@pytest.fixture
def springs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two springs' folders: 2024年审核 holds the 2023 reports, 2025年审核 the 2024 ones."""
    monkeypatch.chdir(tmp_path)
    for spring, year in (("2024年审核", 2023), ("2025年审核", 2024)):
        Path(spring).mkdir()
        Path(spring, f"审计局-{year}.txt").write_text(text_writer.tika(_broken(year)), encoding="utf-8")
    return tmp_path


def _keys(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, str]:
    """rule -> key, from `review DB list`."""
    capsys.readouterr()
    assert main(["review", "h.sqlite", "list", *args]) == 0
    out = capsys.readouterr().out
    return {
        next(w for w in line.split() if re.fullmatch(r"[A-Z]+\d?-\d{3}", w)): line.split()[0]
        for line in out.splitlines()
        if line.startswith("  ")
    }


def test_confirm_dismiss_and_next_year(springs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "2024年审核", "-j", "1", "--history", "h.sqlite"]) == 1
    capsys.readouterr()
    keys = _keys(capsys)
    assert sorted(keys) == ["T3-001", "T3-003"]
    assert main(["review", "h.sqlite", "confirm", keys["T3-001"], "--by", "张三"]) == 0
    assert capsys.readouterr().out == f"需整改：{keys['T3-001']} 示例市示例区审计局 2023 T3-001\n"
    assert (
        main(["review", "h.sqlite", "dismiss", keys["T3-003"], "--by", "张三", "--reason", "总计按口径另算"])
        == 0
    )
    capsys.readouterr()
    assert main(["review", "h.sqlite", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == "示例市示例区审计局 2023  2024年审核/审计局-2023.txt"
    assert listed[1].startswith(f"  {keys['T3-001']}  需整改（张三）  错误 T3-001  ")
    assert listed[2].startswith(f"  {keys['T3-003']}  已排除（张三：总计按口径另算）  错误 T3-003  ")
    assert listed[3] == "共 2 个问题：待复核 0，需整改 1，已排除 1。"

    # the same year again: the dismissed finding is shown as dismissed and not counted
    run = reportparse.audit([Path("2024年审核")], jobs=1, history="h.sqlite")
    results = run.collect()
    assert [f.rule for f in results[0].findings] == ["T3-001"]
    assert [(f.rule, d.reason, d.who) for f, d in results[0].dismissed] == [
        ("T3-003", "总计按口径另算", "张三")
    ]
    assert run.summary is not None and (run.summary.errors, run.summary.dismissed) == (1, 1)
    day = results[0].dismissed[0][1].decided_at[:10]
    text = render("text", results)
    assert "  已排除 T3-003  表三「一、本年新收政府信息公开申请数量」行：总计为 " in text
    assert "（复核排除：总计按口径另算；张三，" in text
    doc = json.loads(render("json", results))
    assert doc["summary"]["dismissed"] == 1 and doc["summary"]["errors"] == 1
    assert doc["files"][0]["dismissed"][0]["rule"] == "T3-003"
    assert doc["files"][0]["dismissed"][0]["decision"]["reason"] == "总计按口径另算"
    sarif = json.loads(render("sarif", results))["runs"][0]["results"]
    assert [(x["ruleId"], x.get("suppressions")) for x in sarif] == [
        ("T3-001", None),
        (
            "T3-003",
            [{"kind": "external", "status": "accepted", "justification": f"总计按口径另算（张三，{day}）"}],
        ),
    ]
    page = render("html", results)
    assert (
        '<ul class="dismissed-list"><li>已排除 T3-003 ' in page
        and f"（复核排除：总计按口径另算；张三，{day}）" in page
    )
    # every batch format shows it, marked as dismissed and not counted
    rows = list(csv.reader(io.StringIO(str(render("csv", results)).lstrip("\ufeff"))))
    assert rows[0][-2:] == ["review", "review_note"]
    assert [(r[3], r[4], r[-2], r[-1]) for r in rows[1:]] == [
        ("T3-001", "error", "", ""),
        ("T3-003", "error", "dismissed", f"复核排除：总计按口径另算；张三，{day}"),
    ]
    sheet = list(load_workbook(io.BytesIO(bytes(render("xlsx", results))))["问题"].values)
    assert [(r[3], r[4], r[-2]) for r in sheet] == [
        ("规则", "级别", "复核"), ("T3-001", "错误", None), ("T3-003", "错误", "已排除（不计入）")
    ]  # fmt: skip
    junit = ET.fromstring(str(render("junit", results)))
    assert (junit.get("tests"), junit.get("failures"), junit.get("skipped")) == ("2", "1", "1")
    skipped = junit.find(".//skipped")
    assert skipped is not None and skipped.get("message") == f"复核排除：总计按口径另算（张三，{day}）"
    github = str(render("github", results)).splitlines()
    assert [line.split("::")[1].split(" ")[0] for line in github] == ["error", "notice"]
    assert github[1].startswith("::notice file=2024年审核/审计局-2023.txt,title=T3-003 已排除::已排除 表三")
    assert github[1].endswith(f"（复核排除：总计按口径另算；张三，{day}）")

    # next spring: the confirmed problem recurs (same fingerprint, the year before confirmed)
    assert main(["check", "2025年审核", "-j", "1", "--history", "h.sqlite"]) == 1
    out = capsys.readouterr().out
    assert "        重复出现：2023 年已确认需整改\n" in out
    results = reportparse.audit([Path("2025年审核")], jobs=1, history="h.sqlite").collect()
    assert [(results[0].findings[i].rule, d.year, d.who) for i, d in results[0].recurring] == [
        ("T3-001", 2023, "张三")
    ]
    sarif = json.loads(render("sarif", results))["runs"][0]["results"]
    assert [x["properties"].get("recurringSince") for x in sarif][:2] == [2023, None]
    marked = "重复出现：2023 年已确认需整改"
    rows = list(csv.reader(io.StringIO(str(render("csv", results)).lstrip("\ufeff"))))
    assert [(r[3], r[-2], r[-1]) for r in rows[1:3]] == [("T3-001", "recurring", marked), ("T3-003", "", "")]
    assert f"（{marked}）" in str(render("github", results)).splitlines()[0]
    junit = ET.fromstring(str(render("junit", results)))
    failure = next(c for c in junit.iter("testcase") if c.get("name", "").endswith("::T3-001")).find(
        "failure"
    )
    assert failure is not None and (failure.text or "").endswith(f"（{marked}）")
    # the dismissal was for 2023 only: in 2024 the finding is open again
    assert [f.rule for f in results[0].findings] == [
        "T3-001", "T3-003", "T3-004", "T3-004", "T3-004", "T2-001", "T2-001", "QLT-001", "QLT-001"
    ]  # fmt: skip
    assert results[0].dismissed == ()
    keys24 = _keys(capsys, "--year", "2024")
    assert keys24["T3-001"] == keys["T3-001"]  # one problem, one key, year after year


def test_decisions_survive_a_rename_and_a_reparse(springs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "2024年审核", "-j", "1", "--history", "h.sqlite"]) == 1
    keys = _keys(capsys)
    assert main(["review", "h.sqlite", "dismiss", keys["T3-003"], "--by", "李四", "--reason", "已核实"]) == 0
    Path("2024年审核/审计局-2023.txt").rename(
        "2024年审核/审计局二〇二三年报告.txt"
    )  # a new path: parsed again
    results = reportparse.audit([Path("2024年审核")], jobs=1, history="h.sqlite").collect()
    assert [f.rule for f, _ in results[0].dismissed] == ["T3-003"]


def test_review_refuses_what_it_cannot_do(springs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "h.sqlite"]) == 2
    assert capsys.readouterr().err == "reportparse review：历史库不存在：h.sqlite\n"
    assert main(["check", "2024年审核", "-j", "1", "--history", "h.sqlite"]) == 1
    keys = _keys(capsys)
    cases = [
        (["dismiss", keys["T3-003"], "--by", "张三"], "排除问题须用 --reason 写明理由"),
        (["confirm", "abc", "--by", "张三"], "问题编号「abc」太短：至少输入前 6 位"),
        (["confirm", "ffffffffff", "--by", "张三"], "历史库中没有编号以「ffffffffff」开头的问题"),
        (["confirm", keys["T3-001"], "--by", " "], "请用 --by 写明由谁作出决定"),
    ]
    for args, message in cases:
        assert main(["review", "h.sqlite", *args]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    with HistoryStore("h.sqlite") as store:
        assert decisions(store) == {}
        with pytest.raises(HistoryError):
            store._query("SELECT nope FROM decisions")
    assert main(["review", "h.sqlite", "undo", keys["T3-001"]]) == 0
    assert capsys.readouterr().out.startswith("没有可撤销的决定：")


def test_rectification_list(springs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "2024年审核", "-j", "1", "--history", "h.sqlite"]) == 1
    keys = _keys(capsys)
    assert main(["review", "h.sqlite", "confirm", keys["T3-001"], keys["T3-003"], "--by", "张三"]) == 0
    assert main(["review", "h.sqlite", "export", "--format", "xlsx", "-o", "整改清单.xlsx"]) == 0
    assert capsys.readouterr().err == "整改清单：1 个机关，2 项已确认需整改的问题。\n"
    sheet = load_workbook("整改清单.xlsx").active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "序号",
        "机关",
        "年度",
        "文件",
        "规则",
        "级别",
        "问题",
        "位置",
        "整改要求",
        "确认人",
        "确认日期",
        "说明",
        "重复出现",
    ]
    assert [(r[0], r[1], r[2], r[4], r[5], r[9]) for r in rows[1:]] == [
        (1, "示例市示例区审计局", 2023, "T3-001", "错误", "张三"),
        (2, "示例市示例区审计局", 2023, "T3-003", "错误", "张三"),
    ]
    assert rows[1][7] == "第78行 表格2第4行第2列"
    assert rows[1][8] == reportparse.rules.REGISTRY["T3-001"].fix
    assert (
        main(
            [
                "review",
                "h.sqlite",
                "export",
                "--format",
                "html",
                "-o",
                "整改清单.html",
                "--body",
                "示例市示例区审计局",
            ]
        )
        == 0
    )
    page = Path("整改清单.html").read_text(encoding="utf-8")
    assert "<h1>示例市示例区审计局 政府信息公开工作年度报告整改清单</h1>" in page
    assert '<p class="meta">2023 年度报告，共 2 项</p>' in page
    assert "@media print" in page
    # the next year's list: a confirmed finding of 2024 that recurs is marked
    assert main(["check", "2025年审核", "-j", "1", "--history", "h.sqlite"]) == 1
    keys24 = _keys(capsys, "--year", "2024")
    assert main(["review", "h.sqlite", "confirm", keys24["T3-001"], "--by", "王五"]) == 0
    assert main(["review", "h.sqlite", "export", "--format", "xlsx", "-o", "2025.xlsx"]) == 0
    rows = [[c.value for c in row] for row in load_workbook("2025.xlsx").active.iter_rows()]
    assert [(r[2], r[4], r[9], r[12]) for r in rows[1:]] == [(2024, "T3-001", "王五", "2023 年已确认")]
