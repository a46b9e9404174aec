"""`reportparse check`: a folder of reports in every format plus bad files, exit codes,
selection on the command line and in reportparse.toml."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from generator import text_writer

import reportparse
from conftest import FIXTURES
from helpers import CHECK_SCHEMA, HANG, broken_spec, build_batch, hanging, warned_spec
from reportparse.cli import main
from reportparse.extraction import EXT_RULES
from reportparse.rules import REGISTRY, load_rules

load_rules()

REPORT_SCHEMA = json.loads(
    resources.files("reportparse").joinpath("schema/report.schema.json").read_text("utf-8")
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("batch")
    return folder, build_batch(folder)


def test_folder_of_every_format(
    batch: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, expected = batch
    # the whole command as it runs, but for hang-2021.md, which never finishes being read
    monkeypatch.setattr("reportparse.cli.check.audit", functools.partial(reportparse.audit, process=hanging))
    code, out, err = run(capsys, str(folder), "--format", "json", "-j", "2", "--timeout", "2")
    assert code == 1
    doc: dict[str, Any] = json.loads(out)
    jsonschema.validate(doc, CHECK_SCHEMA)
    got = {Path(f["path"]).name: f for f in doc["files"]}
    assert {name: f["status"] for name, f in got.items()} == expected
    assert [f["path"] for f in doc["files"]] == sorted(f["path"] for f in doc["files"])
    for f in doc["files"]:
        if f["report"] is not None:
            jsonschema.validate(f["report"], REPORT_SCHEMA)
    assert [x["rule"] for x in got["empty.txt"]["findings"]] == ["EXT-001"]
    assert [x["rule"] for x in got["corrupt.docx"]["findings"]] == ["EXT-001"]
    assert doc["skipped"] == [
        {
            "path": str(folder / "notes.txt"),
            "reason": "内容不像政府信息公开工作年度报告：全文没有年度报告的标题，也没有报告各部分的标题或表格栏目",
        }
    ]
    assert [(x["rule"], x["severity"]) for x in got[HANG]["findings"]] == [("EXT-003", "error")]
    assert got[HANG]["report"] is None and got["empty.txt"]["report"] is None
    assert [x["rule"] for x in got["民政局-2024.txt"]["findings"]] == ["STR-002", "STR-005"]
    assert [x["cells"] for x in got["档案局-2024.txt"]["findings"] if x["rule"] == "T3-004"] == [
        ["applications.carried_over.natural_person"],
        ["applications.carried_over.total"],
    ]
    assert {x["rule"] for x in got["审计局-2024.txt"]["findings"] if x["severity"] == "error"} == {
        "T3-001",
        "T3-003",
    }
    assert got["捕获页面"]["report"]["source"]["format"] == "html"
    summary = doc["summary"]
    n = len(expected)
    assert (summary["files"], summary["unreadable"], summary["timeout"]) == (n, 2, 1)
    assert summary["ok"] == sum(1 for s in expected.values() if s == "ok")
    assert summary["errors"] == sum(
        1 for f in doc["files"] for x in f["findings"] if x["severity"] == "error"
    )
    assert {name: [u["scope"] for u in f["unverified"]] for name, f in got.items() if f["unverified"]} == {
        "crawler-2021.txt": ["active_disclosure"]  # 表二 runs with several readings stay unread
    }
    assert summary["unverified"] == 1
    assert err.startswith(
        f"共 {n} 个文件：正常 {summary['ok']}，有问题 {summary['findings']}，无法读取 2，超时 1，部分未核对 1；"
    )
    assert "\r" not in err  # no progress bar: stderr is not a terminal


def test_jsonl_and_determinism(
    batch: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, expected = batch
    code1, out1, _ = run(capsys, str(folder), "--format", "jsonl", "-j", "1", "--exclude", HANG)
    code2, out2, _ = run(capsys, str(folder), "--format", "jsonl", "-j", "2", "--exclude", HANG)
    assert (code1, code2) == (1, 1)
    assert out1 == out2  # same bytes whatever the number of workers
    lines = out1.splitlines()
    assert len(lines) == len(expected) - 1
    file_schema = {"$schema": CHECK_SCHEMA["$schema"], "$defs": CHECK_SCHEMA["$defs"], "$ref": "#/$defs/file"}
    for line in lines:
        jsonschema.validate(json.loads(line), file_schema)


def test_same_document_whatever_the_hash_seed(tmp_path: Path) -> None:
    # every fixture (all formats and their messy cases) in fresh interpreters whose string
    # hashes, and so any set's order, differ: the output must not
    runs: dict[str, dict[str, Any]] = {}
    documents: set[bytes] = set()
    command = [sys.executable, "-m", "reportparse.cli", "check", str(FIXTURES), "--no-config", "-j", "2"]
    for seed in ("1", "2", "3"):
        target = tmp_path / f"seed{seed}.json"
        done = subprocess.run(
            [*command, "--format", "json", "-o", str(target)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr  # some fixtures hold errors on purpose
        runs[seed] = {f["path"]: f for f in json.loads(target.read_bytes())["files"]}
        documents.add(target.read_bytes())
    first = runs["1"]
    differing = sorted(
        {
            path
            for other in runs.values()
            for path in first.keys() | other.keys()
            if first.get(path) != other.get(path)
        }
    )
    assert differing == []  # the files whose JSON changed with the hash seed
    assert len(documents) == 1


@pytest.mark.parametrize("fmt", ["text", "sarif", "csv", "junit"])
def test_finding_formats_same_with_packed_reports(
    batch: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    # -j 2 leaves reports packed for these formats (only the cross-year pair is unpacked)
    folder, _ = batch
    code1, out1, _ = run(capsys, str(folder), "--format", fmt, "-j", "1", "--exclude", HANG)
    code2, out2, _ = run(capsys, str(folder), "--format", fmt, "-j", "2", "--exclude", HANG)
    assert (code1, code2) == (1, 1)
    assert out1 == out2
    assert "applications.carried_over.natural_person" in out1 or "上年结转" in out1


def _small(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "审计局-2024.txt").write_text(text_writer.tika(broken_spec()), encoding="utf-8")
    (folder / "民政局-2024.txt").write_text(text_writer.tika(warned_spec()), encoding="utf-8")
    return folder


def _rules(out: str) -> list[str]:
    return [x["rule"] for f in json.loads(out)["files"] for x in f["findings"]]


def test_select_ignore_fail_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(_small(tmp_path / "reports"))
    code, out, _ = run(capsys, folder, "--format", "json", "-j", "1", "--select", "T3,STR")
    assert code == 1
    assert _rules(out) == ["T3-001", "T3-003", "STR-002", "STR-005"]
    code, out, _ = run(capsys, folder, "--format", "json", "-j", "1", "--select", "T3,STR", "--ignore", "T3")
    assert (code, _rules(out)) == (0, ["STR-002", "STR-005"])
    code, out, _ = run(
        capsys, folder, "--format", "json", "-j", "1", "--select", "STR-002", "--fail-on", "warning"
    )
    assert (code, _rules(out)) == (1, ["STR-002"])
    code, out, _ = run(
        capsys, folder, "--format", "json", "-j", "1", "--select", "T3,STR", "--fail-on", "never"
    )
    assert code == 0
    code, out, _ = run(capsys, folder, "--format", "json", "-j", "1", "--select", "T3", "--fail-on", "info")
    assert (code, _rules(out)) == (1, ["T3-001", "T3-003"])


def test_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _small(tmp_path / "reports")
    (tmp_path / "reportparse.toml").write_text('select = ["T3", "STR"]\nignore = ["T3"]\n', encoding="utf-8")
    code, out, _ = run(capsys, str(folder), "--format", "json", "-j", "1")
    assert (code, _rules(out)) == (0, ["STR-002", "STR-005"])
    (tmp_path / "reportparse.toml").write_text(
        'select = ["T3", "STR"]\nignore = ["T3"]\nfail-on = "warning"\n[severity]\nSTR-005 = "info"\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, str(folder), "--format", "json", "-j", "1")
    assert code == 1
    assert [(x["rule"], x["severity"]) for f in json.loads(out)["files"] for x in f["findings"]] == [
        ("STR-002", "warning"),
        ("STR-005", "info"),
    ]
    # the command line overrides: fail-on replaced, ignore added to the file's
    code, out, _ = run(
        capsys, str(folder), "--format", "json", "-j", "1", "--fail-on", "error", "--ignore", "STR-002"
    )
    assert (code, _rules(out)) == (0, ["STR-005"])
    code, out, _ = run(
        capsys, str(folder), "--format", "json", "-j", "1", "--no-config", "--select", "T3,STR"
    )
    assert (code, _rules(out)) == (1, ["T3-001", "T3-003", "STR-002", "STR-005"])
    other = tmp_path / "other.toml"
    other.write_text('select = ["T3-003"]\n', encoding="utf-8")
    code, out, _ = run(capsys, str(folder), "--format", "json", "-j", "1", "--config", str(other))
    assert (code, _rules(out)) == (1, ["T3-003"])


def test_config_per_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = _small(tmp_path / "a"), _small(tmp_path / "b")
    (a / "reportparse.toml").write_text('select = ["T3-001"]\n', encoding="utf-8")
    (b / "pyproject.toml").write_text('[tool.reportparse]\nselect = ["STR-005"]\n', encoding="utf-8")
    code, out, _ = run(capsys, str(a), str(b), "--format", "json", "-j", "1")
    assert code == 1
    assert [
        (Path(f["path"]).parent.name, [x["rule"] for x in f["findings"]]) for f in json.loads(out)["files"]
    ] == [
        ("a", ["T3-001"]),
        ("a", []),
        ("b", []),
        ("b", ["STR-005"]),
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--select", "XYZ"], "--select 中的「XYZ」不是已知的规则编号或规则族（如 T3-001、T3）"),
        (["--config", "missing.toml"], "配置文件不存在：missing.toml"),
        (["--exclude", "*"], "未找到要检查的报告文件"),
    ],
)
def test_usage_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    folder = _small(tmp_path / "reports")
    code, out, err = run(capsys, str(folder), *argv)
    assert (code, out) == (2, "")
    assert err == f"reportparse check：{message}\n"


def test_unwritable_output_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _small(tmp_path / "reports")
    target = tmp_path / "no" / "such" / "folder" / "out.json"
    code, out, err = run(capsys, str(folder), "-j", "1", "--format", "json", "-o", str(target))
    assert (code, out) == (2, "")
    # said before any work is done: no summary line, nothing written
    assert err == f"reportparse check：输出文件所在的文件夹不存在：{target.parent}\n"


def test_missing_path_and_bad_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(tmp_path / "nope"))
    assert (code, err) == (2, f"reportparse check：路径不存在：{tmp_path / 'nope'}\n")
    assert main(["check", str(tmp_path), "--format", "pdf"]) == 2
    assert capsys.readouterr().err.endswith(
        "reportparse check：错误：参数 --format：无效的选项 'pdf'（可选：'text', 'json', 'jsonl', 'sarif', 'junit', 'github', 'csv', 'xlsx', 'cells', 'html'）\n"
    )
    assert main(["check", str(tmp_path), "--timeout", "0"]) == 2
    assert capsys.readouterr().err.endswith("reportparse check：错误：参数 --timeout：应大于 0\n")


def test_xlsx_is_not_written_to_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _small(tmp_path / "reports")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    code, out, err = run(capsys, str(folder), "--format", "xlsx")
    assert (code, out) == (2, "")
    assert "xlsx 是二进制格式" in err
    code, _, _ = run(capsys, str(folder), "--format", "xlsx", "-o", str(tmp_path / "out.xlsx"), "-j", "1")
    assert code == 1
    assert (tmp_path / "out.xlsx").read_bytes()[:2] == b"PK"


def test_crash_of_the_tool_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _small(tmp_path / "reports")

    def boom(*args: object) -> str:
        raise RuntimeError("renderer bug")

    monkeypatch.setattr("reportparse.render.text.render_text", boom)
    code, out, err = run(capsys, str(folder), "-j", "1")
    assert (code, out) == (2, "")
    assert err.startswith("reportparse check：内部错误") and "RuntimeError: renderer bug" in err
    # a streamed format that fails half-way through leaves no output file behind
    pieces = iter(["{", RuntimeError("renderer bug")])

    def half(*args: object) -> Iterator[str]:
        for p in pieces:
            if isinstance(p, Exception):
                raise p
            yield p

    monkeypatch.setattr("reportparse.render.json_out.stream_jsonl", half)
    code, _, err = run(capsys, str(folder), "-j", "1", "--format", "jsonl", "-o", str(tmp_path / "out.jsonl"))
    assert code == 2 and "RuntimeError: renderer bug" in err
    assert sorted(os.listdir(tmp_path)) == ["reports"]


def test_text_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _small(tmp_path / "reports")
    (folder / "empty.txt").write_bytes(b"")
    code, out, err = run(capsys, str(folder), "-j", "1", "--select", "T3-001,STR-002")
    assert code == 1
    assert "\x1b[" not in out  # piped: plain
    lines = out.splitlines()
    assert lines[0] == f"{folder / 'empty.txt'}  [无法读取]"
    assert lines[1] == "  错误 EXT-001  文件为空"
    # errors are followed by how to fix them, once per rule and file
    assert lines[2] == "        修正：" + EXT_RULES["EXT-001"].fix
    assert lines[4].startswith(
        f"{folder / '审计局-2024.txt'}  [有问题]  示例市示例区审计局 2024 年 2021 模板"
    )
    assert lines[5].startswith("  错误 T3-001  表三「自然人」列：")
    assert lines[6].startswith("        单元格：表三/一、本年新收政府信息公开申请数量/自然人、")
    assert lines[7] == "        修正：" + REGISTRY["T3-001"].fix
    assert out.count("修正：" + REGISTRY["T3-001"].fix) == 1
    assert lines[-1] == "" or lines[-1].startswith("  ")
    assert err.startswith("共 3 个文件：正常 0，有问题 2，无法读取 1，超时 0；错误 2，警告 1，提示 0；用时 ")


def test_colour_and_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    import reportparse
    from reportparse.cli.check import _Progress
    from reportparse.render import RenderOptions, render

    folder = _small(tmp_path / "reports")
    stream = io.StringIO()
    results = reportparse.audit([folder], jobs=1, progress=_Progress(stream)).collect()
    assert stream.getvalue() == (
        "\r\x1b[2K" + "█" * 15 + "░" * 15 + " 1/2 审计局-2024.txt"
        "\r\x1b[2K" + "█" * 30 + " 2/2 民政局-2024.txt\r\x1b[2K"
    )
    coloured = render("text", results, RenderOptions(color=True))
    assert "\x1b[31m错误\x1b[0m T3-001" in coloured and "\x1b[33m警告\x1b[0m STR-002" in coloured
    assert "\x1b[" not in render("text", results, RenderOptions(color=False))


def test_colour_only_on_a_terminal_without_no_color(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _small(tmp_path / "reports")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, out, _ = run(capsys, str(folder), "-j", "1")
    assert "\x1b[31m错误\x1b[0m" in out
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run(capsys, str(folder), "-j", "1")
    assert "\x1b[" not in out
