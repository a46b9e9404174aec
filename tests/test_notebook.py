"""The notebook API: what an analyst gets from `reportparse` in Jupyter (docs/notebook.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import reportparse
from conftest import FIXTURES, ROOT
from reportparse import Selection
from reportparse.config import ConfigError, parse_codes
from reportparse.rules import RETIRED

# --- Selection checks its codes as the command line does ---


def test_selection_takes_codes_as_the_command_line_does() -> None:
    assert Selection(select="TXT") == Selection(select=("TXT",))
    assert Selection(select="T3, T4").select == ("T3", "T4")
    assert Selection(ignore=["STR-002"]).ignore == ("STR-002",)
    assert Selection(severity={"TXT-005": "info"}).severity == (("TXT-005", "info"),)
    assert Selection(extend_select=("QLT",)).extend_select == ("QLT",)


UNKNOWN = "不是已知的规则编号或规则族（如 T3-001、T3）"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"select": ("TXT-999",)}, f"Selection 的 select 中的「TXT-999」{UNKNOWN}"),
        ({"ignore": "txt"}, f"Selection 的 ignore 中的「txt」{UNKNOWN}"),
        (
            {"extend_select": ("TPL-001",)},
            f"Selection 的 extend_select 中的「TPL-001」已停用：{RETIRED['TPL-001']}",
        ),
        ({"select": (3,)}, 'Selection 的 select 应为规则编号列表，如 ["T3", "CNT-005"]'),
        ({"severity": {"T3": "fatal"}}, "Selection 中 T3 的级别「fatal」无效（可用：error、warning、info）"),
        ({"severity": {"T9": "info"}}, f"Selection 的 severity 中的「T9」{UNKNOWN}"),
        ({"severity": "T3"}, 'Selection 的 severity 应为「规则编号 = 级别」，如 {"TXT-005": "info"}'),
    ],
)
def test_selection_rejects_what_would_select_nothing(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        Selection(**kwargs)  # type: ignore[arg-type]
    assert str(raised.value) == message


def test_a_family_given_as_a_bare_string_selects_it() -> None:
    report = reportparse.parse(b"", path="empty.txt")
    assert [f.rule for f in reportparse.check(report, Selection(select="EXT"))] == ["EXT-001"]
    assert [f.rule for f in reportparse.check(report, Selection(ignore="EXT"))] == []


def test_the_command_line_keeps_its_messages() -> None:
    """One check for both: the CLI's ConfigError is the same message."""
    with pytest.raises(ConfigError) as raised:
        parse_codes("T3,XYZ-001", "--select")
    assert str(raised.value) == f"--select 中的「XYZ-001」{UNKNOWN}"
    assert parse_codes("T3, T4", "--select") == ("T3", "T4")


# --- Report.to_dict / to_json: the JSON of `reportparse parse` ---

SAMPLE = FIXTURES / "text" / "sample-2021.tika.txt"
CRAWLER = FIXTURES / "text" / "crawler-2021.txt"


@pytest.mark.parametrize("fixture", [SAMPLE, CRAWLER], ids=lambda p: p.name)
def test_to_json_is_the_bytes_parse_prints(fixture: Path) -> None:
    path = str(fixture.relative_to(ROOT))
    printed = subprocess.run(
        [sys.executable, "-m", "reportparse.cli", "parse", path], cwd=ROOT, capture_output=True, check=False
    ).stdout
    report = reportparse.parse(ROOT / path, path=path)
    findings = reportparse.check(report)
    assert printed == (report.to_json(findings=findings, indent=1) + "\n").encode()
    assert json.loads(printed) == report.to_dict(findings=findings)
    assert (fixture is CRAWLER) == bool(findings)  # one with findings, one without


def test_to_dict_has_findings_only_when_given() -> None:
    report = reportparse.parse(SAMPLE)
    assert list(report.to_dict()) == [
        "schema_version",
        "source",
        "meta",
        "preamble",
        "sections",
        "tables",
        "extraction_notes",
    ]
    assert report.to_dict(findings=[])["findings"] == []
    assert report.to_json(indent=None) == json.dumps(report.to_dict(), ensure_ascii=False)
    assert report.applications is not None
    assert report.to_dict()["tables"]["applications"] == report.applications.to_dict()


def test_to_json_is_the_report_check_writes() -> None:
    result = reportparse.audit([CRAWLER], jobs=1).collect()[0]
    report = result.report
    assert report is not None
    assert f'"report": {report.to_json()}, "findings": ' in result.to_json()
