"""Verdicts that can be trusted: no accusation from a reader's failure, legacy reports judged as
legacy, empty shells caught (docs/trust.md).

Every case is a fixture of the generator (tests/fixtures/generator/make_text.py) with its exact
findings; the last test runs every fixture and checks that no error or warning accuses the
report of lacking a table, row or group that its spec says is printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import reportparse
from conftest import FIXTURES
from helpers import cell_differences, load_spec
from reportparse.batch import audit

TEXT = FIXTURES / "text"
TRUST = FIXTURES / "trust"


def found(path: Path) -> list[tuple[str, str, str]]:
    return [(f.rule, f.severity, f.message) for f in reportparse.check(path)]


def test_tables_referred_to_an_attachment_or_absent_are_errors() -> None:
    path = TEXT / "attachment-2021.tika.txt"
    r = reportparse.parse(path)
    assert (r.meta.template, r.meta.year, r.meta.organization) == ("2021", 2024, "示例市示例区统计局")
    assert found(path) == [
        ("STR-004", "error", "第二部分没有表二（主动公开），只写了「（详见附表）」：表格不在报告正文中"),
        ("STR-004", "error", "第三部分没有表三（依申请公开），只写了「（表格见附件）」：表格不在报告正文中"),
        ("STR-004", "error", "第四部分未找到表四（行政复议、行政诉讼）"),
    ]
    assert reportparse.unverified(r) == []  # nothing unread: the tables are not there


def test_a_title_alone_is_an_incomplete_report() -> None:
    assert found(TEXT / "title-only-2024.pasted.txt") == [
        (
            "STR-006",
            "error",
            "文件只有标题「示例市示例区统计局2024年政府信息公开工作年度报告」，未找到报告的任何部分或表格",
        )
    ]


def test_legacy_report_with_old_statistics_table_is_judged_as_legacy() -> None:
    """2017: 概述 … 收费及减免 headings, 政府集中采购项目类信息 in the prose (a 2019 marker too)
    and the old 本年度/历年累计 table: no template, no table, no 2019-条例 finding."""
    path = TEXT / "legacy-2017.tika.txt"
    r = reportparse.parse(path)
    assert (r.meta.template, r.meta.year, r.meta.organization) == ("legacy", 2017, "示例市示例区林业局")
    assert r.tables == {"active_disclosure": None, "applications": None, "review_litigation": None}
    assert not [n for n in r.extraction_notes if n.rule]  # the prose is not recovered as 表二
    assert found(path) == []  # published 2018-03-20: within the 2007 条例's 3月31日


def test_legacy_report_without_markers_and_two_line_title() -> None:
    """2013: the body on its own line above `2013年信息公开年度报告`, no marker of any format."""
    path = TEXT / "legacy-2013.pasted.txt"
    r = reportparse.parse(path)
    assert (r.meta.template, r.meta.year) == ("legacy", 2013)
    assert r.meta.title == "示例综合实验区地方税务局2013年信息公开年度报告"
    assert (r.meta.organization, r.meta.body_kind) == ("示例综合实验区地方税务局", "department")
    assert found(path) == []


def test_legacy_deadline_is_the_2007_regulations_march_31() -> None:
    text = (
        (TEXT / "legacy-2017.tika.txt").read_text(encoding="utf-8").replace("2018年3月20日", "2018年4月10日")
    )
    fs = reportparse.check(text.encode("utf-8"))
    assert [(f.rule, f.severity, f.message, f.expected, f.actual) for f in fs] == [
        (
            "PUB-004",
            "error",
            "报告落款日期为 2018-04-10，晚于法定期限 2018-03-31（10 天）",
            "2018-03-31",
            "2018-04-10",
        )
    ]


@pytest.mark.parametrize(("year", "rules"), [(2018, []), (2019, ["CNT-002"])])
def test_government_accountability_applies_from_the_2019_regulations(year: int, rules: list[str]) -> None:
    """CNT-002 (人民政府 must report 考核/评议/追究) is a 2019 条例 requirement."""
    text = (
        f"某县人民政府{year}年政府信息公开工作年度报告\n一、总体情况\n本县扎实推进政务公开。\n"
        "二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"
        "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n存在问题，下一步改进。\n"
        "六、其他需要报告的事项\n无。\n"
    )
    assert [f.rule for f in reportparse.check(text.encode()) if f.rule.startswith("CNT-002")] == rules


def test_cnt002_only_for_a_peoples_government() -> None:
    text = (
        "某县统计局2024年政府信息公开工作年度报告\n一、总体情况\n本局扎实推进政务公开。\n"
        "五、存在的主要问题及改进情况\n存在问题，下一步改进。\n"
    )
    assert "CNT-002" not in [f.rule for f in reportparse.check(text.encode())]


def test_2019_markers_in_prose_do_not_make_a_2017_report_templated() -> None:
    text = (
        "某局2017年政府信息公开工作年度报告\n一、概述\n全年主动公开政府集中采购项目类信息7条。\n"
        "二、主动公开政府信息情况\n本年新制作数量若干。\n"
    )
    r = reportparse.parse(text.encode())
    assert r.meta.template == "legacy"
    assert r.meta.template_scores["2019"] == 2


def test_unverified_in_the_batch_json(tmp_path: Path) -> None:
    """A 表四 whose data row lost five cells: no TPL-009, the checks that need it listed."""
    spec_text = (TEXT / "sample-2021.tika.txt").read_text(encoding="utf-8")
    lines = spec_text.split("\n")
    i = lines.index("\t复议后起诉")
    values = [k for k in range(i + 1, len(lines)) if lines[k].startswith("\t") and lines[k][1:].isdigit()]
    for k in reversed(values[-5:]):
        del lines[k]
    (tmp_path / "r.txt").write_text("\n".join(lines), encoding="utf-8")
    results = audit([tmp_path], jobs=1).collect()
    (result,) = results
    doc: dict[str, Any] = json.loads(result.to_json())
    assert doc["unverified"] == [
        {
            "scope": "review_litigation",
            "checks": ["TPL-003", "TPL-009", "NUM-001", "NUM-002", "NUM-003", "T3-005", "T4-001", "TXT-001"],
            "reason": "表四（行政复议、行政诉讼）已印出，但未能按表格读取",
        }
    ]
    assert doc == json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert [f["rule"] for f in doc["findings"]] == ["EXT-006"]
    assert doc["report"]["tables"]["review_litigation"]["read"] == {
        "status": "failed",
        "reason": "已印出，但未能按表格读取",
    }


@pytest.mark.parametrize(
    "path", sorted(p for p in TRUST.iterdir() if not p.name.endswith(".json")), ids=lambda p: p.name
)
def test_title_on_two_lines_in_every_format(path: Path) -> None:
    """The body named on its own line above the year line (two paragraphs, or one with a line
    break) is the report's body, in Word, in LibreOffice's PDF and in its HTML export — never the
    page's own title or a fragment of the year line."""
    spec = load_spec(path)
    r = reportparse.parse(path)
    assert (r.meta.title, r.meta.organization, r.meta.year, r.meta.template) == (
        spec["title"],
        spec["organization"],
        spec["year"],
        spec["version"],
    )
    assert cell_differences(r, spec) == []
    assert reportparse.check(r) == []


# --- no accusation against what the fixture prints ----------------------------------------

ACCUSING = {"STR-004", "TPL-004", "TPL-006", "TPL-009"}  # a table, row or group is missing
TITLES = {"表二": "active_disclosure", "表三": "applications", "表四": "review_litigation"}


def _fixtures() -> list[Path]:
    return sorted(
        p
        for d in ("text", "docx", "html", "pdf", "trust")
        for p in (FIXTURES / d).iterdir()
        if not p.name.endswith(".json") and Path(f"{p}.spec.json").exists()
    )


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_finding_accuses_what_the_fixture_prints(path: Path) -> None:
    spec = load_spec(path)
    printed_tables = {t for t, cells in spec["cells"].items() if cells}
    printed_cells = {f"{t}.{c}" for t, cells in spec["cells"].items() for c in cells}
    wrong = []
    for f in reportparse.check(path):
        if f.rule not in ACCUSING or f.severity == "info":
            continue
        if f.rule == "STR-004":
            accused = {TITLES[k] for k in TITLES if f.message.count(k)}
            if accused & printed_tables:
                wrong.append(f.message)
        elif set(f.cells) & printed_cells:
            wrong.append(f.message)
    assert wrong == []
