"""Roster and coverage (`check --roster FILE`): the roster file, the coverage rules PUB-005 (late
against the roster's deadline), PUB-006 (no report), PUB-007 (several reports), PUB-008 (not on
the roster), and the 覆盖情况 of every batch format."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from generator import text_writer
from generator.spec import make_spec
from openpyxl import Workbook, load_workbook

import reportparse
from conftest import ROOT
from reportparse.batch import RosterError, shelf
from reportparse.cli import main
from reportparse.render import RenderOptions, render
from reportparse.roster import load_roster, parse_date
from reportparse.rules import REGISTRY, Selection

PUB = Selection(select=("PUB",))
ROSTER = [
    ["机关", "上级机关", "类型", "地区", "截止日期", "别名"],
    ["示例区人民政府", "", "人民政府", "示例区", "2025-03-31", ""],
    ["示例区统计局", "示例区人民政府", "部门", "示例区", "2025-01-25", ""],
    ["示例区档案馆", "示例区人民政府", "部门", "示例区", "2025/1/25", "示例区档案局"],
    ["示例区教育局", "示例区人民政府", "部门", "示例区", "2025年1月25日", ""],
    ["示例区水务局", "示例区人民政府", "部门", "示例区", "2025-01-25", ""],
    ["示例区林业局", "示例区人民政府", "部门", "示例区", "2025-01-25", ""],
    ["示例区经济开发区管理委员会", "示例区人民政府", "管委会", "示例区", "", ""],
]


def _write(folder: Path, name: str, organization: str, seed: int, signed: str = "2025年1月20日") -> None:
    spec = make_spec(name, year=2024, seed=seed, organization=organization)
    spec = replace(spec, signoff=(organization, signed))
    (folder / name).write_text(text_writer.tika(spec), encoding="utf-8")


@pytest.fixture
def county(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A county's 2024 reports: one renamed body (printed under its old name, an alias on the
    roster), a short form (管委会), a duplicate, a late one, a missing one, one not on the roster."""
    monkeypatch.chdir(tmp_path)
    folder = Path("年报")
    folder.mkdir()
    _write(folder, "区政府.txt", "示例区人民政府", 1, "2025年3月20日")
    _write(folder, "统计局.txt", "示例区统计局", 2)
    _write(folder, "档案局.txt", "示例区档案局", 3)  # renamed 档案馆: the roster lists the old name
    _write(folder, "教育局.txt", "示例区教育局", 4)
    _write(folder, "教育局-附件.txt", "示例区教育局", 5)
    _write(folder, "水务局.txt", "示例区水务局", 6, "2025年1月28日")  # after 1-25, before 1-31
    _write(folder, "开发区.txt", "示例区经济开发区管委会", 7)
    _write(folder, "外区财政局.txt", "示例市外区财政局", 8)
    with open("名册.csv", "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(ROSTER)
    return tmp_path


def _pub(results: list[reportparse.FileResult]) -> dict[str, list[tuple[str, str, str]]]:
    return {r.path: [(f.rule, f.severity, f.message) for f in r.findings] for r in results if r.findings}


def test_coverage_findings(county: Path) -> None:
    run = reportparse.audit([Path("年报")], jobs=1, selection=PUB, roster="名册.csv")
    results = run.collect()
    two = "年报/教育局-附件.txt、年报/教育局.txt"
    assert _pub(results) == {
        "年报/外区财政局.txt": [
            ("PUB-008", "warning", "报告的机关「示例市外区财政局」不在名册（名册.csv）中")
        ],
        "年报/教育局-附件.txt": [
            ("PUB-007", "warning", f"「示例区教育局」2024 年度有 2 份报告：{two}，请确认哪一份是正式发布的")
        ],
        "年报/教育局.txt": [
            ("PUB-007", "warning", f"「示例区教育局」2024 年度有 2 份报告：{two}，请确认哪一份是正式发布的")
        ],
        "年报/水务局.txt": [
            ("PUB-005", "error", "报告发布日期为 2025-01-28，晚于名册规定的期限 2025-01-25（3 天）")
        ],
    }
    cov = run.coverage
    assert cov is not None and cov.year == 2024 and cov.roster == "名册.csv"
    assert [(f.rule, f.severity, f.message, f.file, f.loc.line if f.loc else None) for f in cov.findings] == [
        ("PUB-006", "error", "名册中的「示例区林业局」（第 7 行）没有 2024 年度报告", "名册.csv", 7)
    ]
    assert [(r.body, r.status, r.files) for r in cov.rows] == [
        ("示例区人民政府", "published", ("年报/区政府.txt",)),
        ("示例区统计局", "published", ("年报/统计局.txt",)),
        ("示例区档案馆", "published", ("年报/档案局.txt",)),
        ("示例区教育局", "duplicate", ("年报/教育局-附件.txt", "年报/教育局.txt")),
        ("示例区水务局", "late", ("年报/水务局.txt",)),
        ("示例区林业局", "missing", ()),
        ("示例区经济开发区管理委员会", "published", ("年报/开发区.txt",)),
    ]
    assert cov.unlisted == ("年报/外区财政局.txt",)
    assert cov.counts() == {"published": 4, "missing": 1, "late": 1, "duplicate": 1}
    assert cov.failed


def test_coverage_rules_are_registered_and_selectable(county: Path) -> None:
    for rid, severity in (
        ("PUB-005", "error"),
        ("PUB-006", "error"),
        ("PUB-007", "warning"),
        ("PUB-008", "warning"),
    ):
        r = REGISTRY[rid]
        assert (r.severity, r.scope, r.check, r.check_batch) == (severity, "roster", None, None)
        assert (ROOT / "docs" / "rules" / f"{rid}.md").is_file()
    run = reportparse.audit(
        [Path("年报")],
        jobs=1,
        selection=Selection(select=("PUB",), ignore=("PUB-006", "PUB-007")),
        roster="名册.csv",
    )
    results = run.collect()
    assert sorted({f.rule for r in results for f in r.findings}) == ["PUB-005", "PUB-008"]
    assert run.coverage is not None and run.coverage.findings == () and not run.coverage.failed
    # without a roster, none of them
    plain = reportparse.audit([Path("年报")], jobs=1, selection=PUB).collect()
    assert {f.rule for r in plain for f in r.findings} == set()


def test_the_year_audited(county: Path) -> None:
    run = reportparse.audit([Path("年报")], jobs=1, selection=PUB, roster="名册.csv", roster_year=2025)
    run.collect()
    assert run.coverage is not None and run.coverage.year == 2025
    assert run.coverage.counts() == {"published": 0, "missing": 7, "late": 0, "duplicate": 0}


def test_xlsx_roster_reads_as_the_csv(county: Path) -> None:
    wb = Workbook()
    ws = wb.active
    for row in ROSTER:
        ws.append(row)
    ws["E3"].value = __import__("datetime").date(2025, 1, 25)  # a date typed as a date
    ws["E3"].number_format = "yyyy-mm-dd"
    wb.save("名册.xlsx")
    assert load_roster("名册.xlsx").entries == load_roster("名册.csv").entries


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "是空的"),
        ("名称\n示例区统计局\n示例区统计局\n", "第 3 行的机关「示例区统计局」与第 2 行重复"),
        ("body,deadline\n示例区统计局,明年\n", "第 2 行的截止日期「明年」无法识别（应如 2025-01-31）"),
        ("单位名,地区\n示例区统计局,示例区\n", "第 1 行（表头）没有「机关」列"),
        ("机关,地区\n,示例区\n", "第 2 行没有机关名称"),
        (b"PK\x03\x04broken", "不是可读的 Excel 工作簿"),
        (b"\x00\x01\x02\xff\xfe", "不是 CSV 或 XLSX 文件"),
    ],
)
def test_a_roster_that_cannot_be_used(
    county: Path, capsys: pytest.CaptureFixture[str], content: str | bytes, message: str
) -> None:
    path = Path("坏名册.csv")
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(RosterError, match=message):
        load_roster(path)
    assert main(["check", "年报", "-j", "1", "--roster", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("reportparse check：名册文件") and message in err and "Traceback" not in err


def test_gb18030_roster_and_dates() -> None:
    assert parse_date("2025年1月5日") == parse_date("2025/01/05") == parse_date("2025-01-05 00:00:00")
    assert parse_date(" ") is None


def _check(*more: str) -> int:
    return main(["check", "年报", "-j", "1", "--select", "PUB", "--roster", "名册.csv", *more])


def test_every_format_shows_the_coverage(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("名册.csv").write_bytes(Path("名册.csv").read_text(encoding="utf-8-sig").encode("gb18030"))
    assert _check() == 1
    captured = capsys.readouterr()
    text = captured.out
    tail = text[text.index("覆盖情况（名册 名册.csv）") :]
    assert tail == (
        "覆盖情况（名册 名册.csv）：名册 7 个机关（2024 年度）：已发布 4，未发布 1，逾期发布 1，多份报告 1；名册外的报告 1 份\n"
        "  多份报告  示例区教育局  年报/教育局-附件.txt、年报/教育局.txt\n"
        "  逾期发布  示例区水务局  年报/水务局.txt\n"
        "  未发布  示例区林业局\n"
        "  错误 PUB-006  名册中的「示例区林业局」（第 7 行）没有 2024 年度报告\n"
        "  名册外  年报/外区财政局.txt\n"
    )
    assert captured.err.endswith(
        "名册 7 个机关（2024 年度）：已发布 4，未发布 1，逾期发布 1，多份报告 1；名册外的报告 1 份\n"
    )
    assert _check("--format", "json") == 1
    doc = json.loads(capsys.readouterr().out)
    schema = json.loads((ROOT / "src/reportparse/schema/check.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    assert doc["coverage"]["counts"] == {"published": 4, "missing": 1, "late": 1, "duplicate": 1}
    assert doc["coverage"]["bodies"][4] == {
        "body": "示例区水务局", "parent": "示例区人民政府", "kind": "部门", "region": "示例区",
        "deadline": "2025-01-25", "status": "late", "files": ["年报/水务局.txt"], "published": ["2025-01-28"],
    }  # fmt: skip
    assert _check("--format", "csv") == 1
    rows = list(csv.reader(capsys.readouterr().out.lstrip("\ufeff").splitlines()))
    assert rows[0][-3:] == ["fix", "review", "review_note"] and len(rows[-1]) == len(rows[0])
    assert rows[-1] == [
        "名册.csv", "", "2024", "PUB-006", "error", "名册中的「示例区林业局」（第 7 行）没有 2024 年度报告", "", "", "", "",
        "第7行", REGISTRY["PUB-006"].fix, "", "",
    ]  # fmt: skip
    assert _check("--format", "xlsx", "-o", "审核.xlsx") == 1
    sheet = load_workbook("审核.xlsx")["覆盖情况"]
    got = [[c.value for c in row] for row in sheet.iter_rows()]
    assert got[0] == ["机关", "上级机关", "类型", "地区", "截止日期", "状态", "发布日期", "文件"]
    assert got[5] == [
        "示例区水务局",
        "示例区人民政府",
        "部门",
        "示例区",
        "2025-01-25",
        "逾期发布",
        "2025-01-28",
        "年报/水务局.txt",
    ]
    assert got[6][:6] == ["示例区林业局", "示例区人民政府", "部门", "示例区", "2025-01-25", "未发布"]
    assert got[8] == ["（名册外）", None, None, None, None, "名册外", None, "年报/外区财政局.txt"]
    assert _check("--format", "html", "-o", "审核.html") == 1
    page = Path("审核.html").read_text(encoding="utf-8")
    assert '<section id="coverage"><h2>覆盖情况</h2>' in page
    assert '<tr class="coverage-missing"><td>示例区林业局</td>' in page
    # SARIF: the roster's findings as results on the roster file, the 覆盖情况 as run properties
    assert _check("--format", "sarif") == 1
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert run["properties"]["coverage"]["counts"] == doc["coverage"]["counts"]
    pub6 = run["results"][-1]
    assert (pub6["ruleId"], pub6["level"], pub6["message"]["text"]) == (
        "PUB-006", "error", "名册中的「示例区林业局」（第 7 行）没有 2024 年度报告"
    )  # fmt: skip
    assert pub6["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}
    # JUnit: a 覆盖情况 testsuite, a testcase per roster body, failing for the one without a report
    assert _check("--format", "junit") == 1
    suites = ET.fromstring(capsys.readouterr().out).findall("testsuite")
    coverage = suites[-1]
    assert coverage.get("name") == "覆盖情况（名册 名册.csv，2024 年度）"
    assert (coverage.get("tests"), coverage.get("failures")) == ("8", "1")
    failed = [c.get("name") for c in coverage.iter("testcase") if c.find("failure") is not None]
    assert failed == ["覆盖情况::示例区林业局"]
    # GitHub: the roster's findings as annotations on the roster file, then the 覆盖情况 line
    assert _check("--format", "github") == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2:] == [
        "::error file=名册.csv,line=7,title=PUB-006::名册中的「示例区林业局」（第 7 行）没有 2024 年度报告",
        "::notice file=名册.csv,title=覆盖情况::名册 7 个机关（2024 年度）：已发布 4，未发布 1，逾期发布 1，多份报告 1；名册外的报告 1 份",
    ]


def test_render_without_coverage_is_unchanged(county: Path) -> None:
    results = reportparse.audit([Path("年报")], jobs=1, selection=PUB).collect()
    assert render("json", results) == render("json", results, RenderOptions(coverage=None))
    assert "coverage" not in json.loads(render("json", results))


def test_a_roster_alias_joins_a_renamed_body_across_years(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --roster and --history, the roster's 别名 also match last year's report in the store
    (for this run only: the store's own alias table is not written)."""
    from generator.make_county import write

    write(tmp_path)
    monkeypatch.chdir(tmp_path)
    sel = Selection(select=("QLT-001",))  # the generated narratives are near copies of last year's
    reportparse.audit([Path("2024年审核")], jobs=1, selection=sel, history="h.sqlite").collect()
    without = reportparse.audit([Path("2025年审核")], jobs=1, selection=sel, history="h.sqlite").collect()
    assert "2025年审核/档案馆-2024.txt" not in {r.path for r in without if r.findings}  # no 档案馆 in 2023
    results = reportparse.audit(
        [Path("2025年审核")], jobs=1, selection=sel, history="h.sqlite", roster="名册.csv"
    ).collect()
    archive = next(r for r in results if r.path == "2025年审核/档案馆-2024.txt")
    assert [(f.rule, f.message) for f in archive.findings] == [
        (
            "QLT-001",
            "第一、五、六部分与2023年报告（2024年审核/档案局-2023.txt，取自历史库 h.sqlite）高度相似"
            "（相似度 0.925，阈值 0.9），可能照搬上年报告",
        )
    ]
    with reportparse.batch.HistoryStore("h.sqlite") as store:
        assert store.aliases() == {}


def _government(tmp_path: Path, off_by: int) -> Path:
    """示例区人民政府 and the two bodies the roster lists under it; the government's 表三 and 表四
    are their sum, but 表三 自然人 new applications `off_by` more."""
    folder = tmp_path / "年报"
    folder.mkdir()
    children = [
        make_spec(f"c{i}", year=2024, seed=20 + i, organization=org)
        for i, org in enumerate(("示例区甲局", "示例区乙局"))
    ]
    gov = make_spec("g", year=2024, seed=30, organization="示例区人民政府")
    cells = dict(gov.cells)
    for table in ("applications", "review_litigation"):
        cells[table] = {
            cid: str(sum(int(c.cells[table][cid] or 0) for c in children)) for cid in gov.cells[table]
        }
    cells["applications"]["new_received.natural_person"] = str(
        int(cells["applications"]["new_received.natural_person"]) + off_by
    )
    for spec in (*children, replace(gov, cells=cells)):
        (folder / f"{spec.organization}.txt").write_text(text_writer.tika(spec), encoding="utf-8")
    rows = [
        ["机关", "上级机关"],
        ["示例区人民政府", ""],
        ["示例区甲局", "示例区人民政府"],
        ["示例区乙局", "示例区人民政府"],
    ]
    with open(tmp_path / "名册.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return folder


AGGREGATE = Selection(select=("T3-006", "T4-002"))


def test_government_against_the_sum_of_its_bodies(tmp_path: Path) -> None:
    folder = _government(tmp_path, off_by=3)
    results = reportparse.audit([folder], jobs=1, selection=AGGREGATE, roster=tmp_path / "名册.csv").collect()
    gov = next(r for r in results if r.path.endswith("示例区人民政府.txt"))
    assert [(f.rule, f.severity, f.cells, f.actual - f.expected) for f in gov.findings] == [
        ("T3-006", "warning", ("applications.new_received.natural_person",), 3)
    ]
    assert gov.findings[0].message.startswith(
        "表三有 1 个单元格不等于名册所列 2 个下级机关报告之和，如「表三/一、本年新收政府信息公开申请数量/自然人」本报告为 "
    )
    assert gov.unverified == ()
    assert all(not r.findings for r in results if r is not gov)
    # off by default
    plain = reportparse.audit([folder], jobs=1, roster=tmp_path / "名册.csv").collect()
    assert "T3-006" not in {f.rule for r in plain for f in r.findings}
    assert not REGISTRY["T3-006"].enabled and not REGISTRY["T4-002"].enabled


def test_government_sum_holds(tmp_path: Path) -> None:
    folder = _government(tmp_path, off_by=0)
    results = reportparse.audit([folder], jobs=1, selection=AGGREGATE, roster=tmp_path / "名册.csv").collect()
    assert [r.findings for r in results] == [(), (), ()]


def test_government_sum_not_verifiable_without_a_body(tmp_path: Path) -> None:
    folder = _government(tmp_path, off_by=3)
    (folder / "示例区乙局.txt").unlink()
    results = reportparse.audit([folder], jobs=1, selection=AGGREGATE, roster=tmp_path / "名册.csv").collect()
    gov = next(r for r in results if r.path.endswith("示例区人民政府.txt"))
    assert gov.findings == ()
    assert [(u.scope, u.checks, u.reason) for u in gov.unverified] == [
        ("applications", ("T3-006",), "表三与下级机关之和无法核对：「示例区乙局」没有本年度报告"),
        ("review_litigation", ("T4-002",), "表四与下级机关之和无法核对：「示例区乙局」没有本年度报告"),
    ]


@pytest.mark.parametrize("case", ["county", "government"])
def test_roster_runs_the_same_from_disk(
    case: str, county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long run's results stay on its shelf: the coverage findings are added there in place."""
    if case == "government":
        (county / "gov").mkdir()
        folder = _government(county / "gov", off_by=3)
        roster, select = str(county / "gov" / "名册.csv"), "PUB,T3-006,T4-002"
    else:
        folder, roster, select = Path("年报"), "名册.csv", "PUB"
    args = [
        "check",
        str(folder),
        "-j",
        "2",
        "--select",
        select,
        "--roster",
        roster,
        "--format",
        "jsonl",
        "-q",
    ]
    code = main([*args, "-o", "held.jsonl"])
    monkeypatch.setattr(shelf, "BUDGET", 1)  # every result on disk
    assert main([*args, "-o", "spilled.jsonl"]) == code == {"county": 1, "government": 0}[case]
    held = Path("held.jsonl").read_text(encoding="utf-8")
    assert Path("spilled.jsonl").read_text(encoding="utf-8") == held
    expected = {"county": ("PUB-005", "PUB-007", "PUB-008"), "government": ("T3-006",)}[case]
    assert all(f'"rule": "{rule}"' in held for rule in expected)
    run = reportparse.audit(
        [folder], jobs=2, selection=Selection(select=tuple(select.split(","))), roster=roster,
        lazy_reports=True, spill=True,
    )  # fmt: skip
    assert isinstance(run.collect(), shelf.Shelf) and run.collect().spilled  # not a list in memory
