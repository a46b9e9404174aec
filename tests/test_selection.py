"""Selecting, ignoring and re-grading rules; configuration files; the rule docs stay in sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from generator import text_writer
from generator.spec import make_spec

import reportparse
from conftest import ROOT
from reportparse.config import ConfigError, config_from_dict, find_config, load_config
from reportparse.extraction import problem
from reportparse.rules import REGISTRY, RETIRED, Selection, at_or_above, finding, load_rules
from reportparse.rules.docs import pages, readme_with_count


def sample_findings(selection: Selection | None = None) -> list[str]:
    s = make_spec("x", "2021", seed=3).with_variants("arabic_five", "glued_heading")
    r = reportparse.parse(text_writer.tika(s).encode())
    return [f"{f.rule}:{f.severity}" for f in reportparse.check(r, selection)]


def test_default_selection() -> None:
    assert sample_findings() == ["STR-002:warning", "STR-005:warning"]


def test_ignore_by_id_and_family() -> None:
    assert sample_findings(Selection(ignore=("STR-002",))) == ["STR-005:warning"]
    assert sample_findings(Selection(ignore=("STR",))) == []


def test_select_family_keeps_extraction_findings() -> None:
    assert sample_findings(Selection(select=("T3",))) == []
    r = reportparse.parse(b"", path="empty.txt")
    assert [f.rule for f in reportparse.check(r, Selection(select=("T3",)))] == ["EXT-001"]
    assert [f.rule for f in reportparse.check(r, Selection(ignore=("EXT-001",)))] == []


def test_regrade() -> None:
    assert sample_findings(Selection(severity=(("STR", "info"),))) == ["STR-002:info", "STR-005:info"]
    fs = reportparse.check(
        reportparse.parse(
            text_writer.tika(make_spec("x", "2021", seed=3).with_variants("glued_heading")).encode()
        )
    )
    assert at_or_above(fs, "warning") and not at_or_above(fs, "error") and not at_or_above(fs, "never")


def test_config_file_discovery(tmp_path: Path) -> None:
    (tmp_path / "reports" / "2024").mkdir(parents=True)
    (tmp_path / "reportparse.toml").write_text(
        'ignore = ["STR-005"]\nfail-on = "warning"\n[severity]\nSTR-002 = "error"\n', encoding="utf-8"
    )
    found = find_config(tmp_path / "reports" / "2024" / "a.txt")
    assert found == tmp_path / "reportparse.toml"
    cfg = load_config(found)
    assert cfg.fail_on == "warning"
    assert sample_findings(cfg.selection) == ["STR-002:error"]


def test_pyproject_section(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.reportparse]\nselect = ["STR-002"]\n', encoding="utf-8")
    cfg = load_config(find_config(tmp_path))
    assert sample_findings(cfg.selection) == ["STR-002:warning"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"ignore": ["XYZ-001"]}, "「XYZ-001」不是已知的规则编号或规则族"),
        ({"fail-on": "fatal"}, "fail-on 的值「fatal」无效"),
        ({"severity": {"T3-001": "fatal"}}, "T3-001 的级别「fatal」无效"),
        ({"selct": ["T3"]}, "含未知配置项：selct"),
        ({"select": ["TPL-001"]}, "「TPL-001」已停用：模板版本识别是分类而非问题"),
    ],
)
def test_config_errors_are_clear(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_from_dict(data)


def test_every_rule_is_documented_and_docs_are_in_sync() -> None:
    load_rules()
    generated = pages()
    docs = ROOT / "docs" / "rules"
    for name, text in generated.items():
        assert (docs / name).read_text(encoding="utf-8") == text, (
            f"docs/rules/{name} is stale: run python -m reportparse.rules.docs"
        )
    for rid, rule in REGISTRY.items():
        assert rule.title and rule.severity in ("error", "warning", "info"), rid
        if rule.scope == "report":
            assert rule.example and rule.fix and rule.basis, rid


def test_catalog_has_the_required_rules() -> None:
    load_rules()
    required = (
        [f"STR-00{i}" for i in range(1, 6)]
        + [f"TPL-{i:03d}" for i in range(2, 11)]
        + [f"NUM-00{i}" for i in range(1, 5)]
        + ["T2-003", "T3-001", "T3-002", "T3-003", "T3-005", "T4-001"]
        + [f"TXT-00{i}" for i in range(1, 7)]
        + ["PUB-001", "PUB-002", "PUB-003"]
        + [f"CNT-00{i}" for i in range(1, 6)]
    )
    assert [r for r in required if r not in REGISTRY] == []
    assert {REGISTRY[r].severity for r in ("STR-005", "TXT-005", "TXT-006")} == {"warning"}


def test_readme_states_the_rule_count() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"— {len(load_rules())} rules, each with" in readme
    assert readme_with_count(readme) == readme


def test_every_rule_is_named_in_a_test() -> None:
    """Each rule id is exercised somewhere in the suite (in the spirit of Arelle's decorator test)."""
    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    assert [rid for rid in load_rules() if rid not in text] == []
    assert not set(RETIRED) & set(REGISTRY)


def test_rule_pages_name_source_and_severities() -> None:
    generated = pages()
    assert (
        "- 可能的级别：错误、警告\n- 读取的表：表三（未能读取的表不交给本规则判断；部分读取时列入“未核对”）"
        "；文件中任何位置都没有的行仍会被指出\n- 源码：`src/reportparse/rules/structure.py`"
    ) in generated["TPL-006.md"]
    assert (
        "- 适用年度：2019 年度及以后的报告（年度不明时按所用模板的年度）\n- 适用机关：人民政府"
        in generated["CNT-002.md"]
    )
    assert "- 可能的级别：警告\n- 读取的表：表三" in generated["T3-004.md"]
    assert "- 源码：`src/reportparse/rules/batch.py`" in generated["T3-004.md"]
    assert "- 可能的级别：错误、警告\n- 源码：`src/reportparse/extraction.py`" in generated["EXT-008.md"]
    assert "| TPL-001 | 模板版本识别是分类而非问题" in generated["index.md"]


def test_a_severity_a_rule_does_not_declare_is_refused() -> None:
    load_rules()
    report = reportparse.parse(b"x")
    assert finding("TPL-006", "x", report, severity="warning").severity == "warning"
    with pytest.raises(ValueError, match="T3-001 does not declare severity info"):
        finding("T3-001", "x", report, severity="info")
    assert problem("EXT-008", "x", severity="warning").severity == "warning"
    with pytest.raises(ValueError, match="EXT-001 does not declare severity warning"):
        problem("EXT-001", "x", severity="warning")
