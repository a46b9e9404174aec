"""`reportparse parse`: JSON contract (validated against the shipped schema), text output, exit codes."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import FIXTURES
from helpers import load_spec
from reportparse.cli import main

SCHEMA = json.loads(resources.files("reportparse").joinpath("schema/report.schema.json").read_text("utf-8"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "name",
    [
        "sample-2021.tika.txt",
        "clean-2019.tika.txt",
        "crawler-2021.txt",
        "blanks-2021.tika.txt",
        "clean-2021.md",
    ],
)
def test_json_output_validates(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, _ = run(capsys, "parse", str(FIXTURES / "text" / name), "--format", "json")
    doc: dict[str, Any] = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    assert code == 0
    assert doc["schema_version"] == 1
    tables = doc["tables"]
    n_cells = {k: len(v["cells"]) for k, v in tables.items()}
    if name.startswith("clean-2019"):
        assert n_cells == {"active_disclosure": 22, "applications": 161, "review_litigation": 15}
    elif not name.startswith("crawler"):
        assert n_cells == {"active_disclosure": 10, "applications": 175, "review_litigation": 15}
    assert isinstance(doc["findings"], list)


def test_blank_cells_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "parse", str(FIXTURES / "text" / "blanks-2021.tika.txt"))
    cells = json.loads(out)["tables"]["applications"]["cells"]
    blank = [c for c in cells.values() if c["kind"] == "blank"]
    assert blank and all(c["value"] is None and c["raw"] == "" for c in blank)
    assert cells["new_received.total"]["kind"] == "number"
    assert isinstance(cells["new_received.total"]["value"], int)


def test_money_stays_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "parse", str(FIXTURES / "text" / "sample-2021.tika.txt"))
    spec = load_spec(FIXTURES / "text" / "sample-2021.tika.txt")
    fee = json.loads(out)["tables"]["active_disclosure"]["cells"]["admin_fees.amount"]
    assert isinstance(fee["value"], (int, float))
    assert str(fee["value"]) == str(spec["cells"]["active_disclosure"]["admin_fees.amount"]["value"])


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "parse", str(FIXTURES / "text" / "sample-2021.tika.txt"), "--format", "text")
    assert code == 0
    assert "标题：示例市示例区统计局2024年政府信息公开工作年度报告" in out
    assert "表三（依申请公开）（2021 模板，读到 175 个单元格）" in out
    assert "  六、其他需要报告的事项" in out


def test_unreadable_file_exits_1_with_finding(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    code, out, _ = run(capsys, "parse", str(empty))
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    assert code == 1
    assert [(f["rule"], f["severity"]) for f in doc["findings"]] == [("EXT-001", "error")]


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse"]) == 2
    assert capsys.readouterr().err.endswith("reportparse parse：错误：缺少必需的参数：file\n")
    assert main([]) == 2


def test_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    code, out, _ = run(capsys, "parse", str(FIXTURES / "text" / "clean-2019.tika.txt"), "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text("utf-8"))["meta"]["template"] == "2019"
