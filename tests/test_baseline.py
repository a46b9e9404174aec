"""`check --baseline FILE [--write-baseline]`: accepted findings recorded by fingerprint, later
runs show (and fail on) only new ones."""

from __future__ import annotations

import io
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from generator import text_writer
from generator.spec import ReportSpec

from helpers import CHECK_SCHEMA, broken_spec, warned_spec
from reportparse.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv, "-j", "1"])
    out, err = capsys.readouterr()
    return code, out, err


def bump(spec: ReportSpec, cell: str, delta: int) -> ReportSpec:
    cells = dict(spec.cells["applications"])
    cells[cell] = str(int(cells[cell]) + delta)
    return replace(spec, cells={**spec.cells, "applications": cells})


def write(path: Path, spec: ReportSpec) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text_writer.tika(spec), encoding="utf-8")


def shown(out: str) -> list[tuple[str, str]]:
    doc = json.loads(out)
    jsonschema.validate(doc, CHECK_SCHEMA)
    return [(Path(f["path"]).name, x["rule"]) for f in doc["files"] for x in f["findings"]]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """年报/审计局-2024.txt (T3-001, T3-003 errors), 年报/民政局-2024.txt (STR-002, STR-005 warnings)."""
    write(tmp_path / "年报" / "审计局-2024.txt", broken_spec())
    write(tmp_path / "年报" / "民政局-2024.txt", warned_spec())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def record(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "年报", "--baseline", "baseline.json", "--write-baseline")
    assert code == 0, err


def test_write_baseline_records_every_finding(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "年报", "--baseline", "baseline.json", "--write-baseline")
    # recorded, then applied: nothing is shown and the run passes
    assert code == 0
    assert err.splitlines()[0] == "已更新基线文件 baseline.json：共记录 4 条问题"
    assert "基线已记录的问题 4 条未显示" in err
    assert out.splitlines()[-2:] == ["全部 2 个文件未发现问题。", "基线已记录的问题 4 条未显示。"]
    data = json.loads((repo / "baseline.json").read_text(encoding="utf-8"))
    assert list(data) == ["reportparse_baseline", "findings"] and data["reportparse_baseline"] == 1
    assert [(e["path"], e["rule"]) for e in data["findings"]] == [
        ("年报/审计局-2024.txt", "T3-001"),
        ("年报/审计局-2024.txt", "T3-003"),
        ("年报/民政局-2024.txt", "STR-002"),
        ("年报/民政局-2024.txt", "STR-005"),
    ]
    assert all(len(e["fingerprint"]) == 32 and e["message"] for e in data["findings"])
    # one entry a line, so that the file's diff reads well
    assert len((repo / "baseline.json").read_text(encoding="utf-8").splitlines()) == 6


def test_recorded_findings_are_hidden(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(capsys)
    code, out, _ = run(
        capsys, "年报", "--baseline", "baseline.json", "--fail-on", "warning", "--format", "json"
    )
    assert (code, shown(out)) == (0, [])
    assert json.loads(out)["summary"]["baselined"] == 4
    assert json.loads(out)["summary"]["ok"] == 2
    # without the baseline, everything again
    code, out, _ = run(capsys, "年报", "--format", "json")
    assert code == 1 and len(shown(out)) == 4 and "baselined" not in json.loads(out)["summary"]


def test_a_changed_figure_keeps_the_fingerprint(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(capsys)
    # the same cell wrong by 3 instead of 1: the same problem, other numbers in its message
    write(repo / "年报" / "审计局-2024.txt", bump(broken_spec(), "new_received.natural_person", 2))
    code, out, err = run(capsys, "年报", "--baseline", "baseline.json", "--format", "json")
    assert (code, shown(out)) == (0, [])
    assert "基线已记录的问题 4 条未显示" in err


def test_new_findings_are_shown(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(capsys)
    # another column wrong too: T3-001 for 商业企业 is new; T3-003 (the row's total) is the same problem
    write(repo / "年报" / "审计局-2024.txt", bump(broken_spec(), "new_received.commercial", 1))
    code, out, _ = run(capsys, "年报", "--baseline", "baseline.json", "--format", "json")
    doc = json.loads(out)
    assert (code, shown(out)) == (1, [("审计局-2024.txt", "T3-001")])
    assert doc["files"][0]["findings"][0]["cells"][0] == "applications.new_received.commercial"
    assert doc["summary"]["baselined"] == 4 and doc["summary"]["errors"] == 1
    code, out, _ = run(capsys, "年报", "--baseline", "baseline.json")
    assert code == 1
    assert "年报/审计局-2024.txt  [有问题]" in out and "民政局" not in out
    assert out.splitlines()[-1] == "基线已记录的问题 4 条未显示。"


def test_a_renamed_file_is_new(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(capsys)
    os.rename(repo / "年报" / "审计局-2024.txt", repo / "年报" / "审计局-2024-定稿.txt")
    code, out, _ = run(capsys, "年报", "--baseline", "baseline.json", "--format", "json")
    assert (code, shown(out)) == (1, [("审计局-2024-定稿.txt", "T3-001"), ("审计局-2024-定稿.txt", "T3-003")])
    assert json.loads(out)["summary"]["baselined"] == 2


def test_paths_are_relative_to_the_baseline_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(capsys)
    os.chdir(repo / "年报")  # another working folder, the file named another way
    code, out, _ = run(capsys, "审计局-2024.txt", "--baseline", "../baseline.json", "--format", "json")
    assert (code, shown(out)) == (0, [])
    code, out, _ = run(
        capsys, str(repo / "年报"), "--baseline", str(repo / "baseline.json"), "--format", "json"
    )
    assert (code, shown(out)) == (0, [])


def test_writing_for_some_files_keeps_the_others(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(capsys)
    write(repo / "年报" / "民政局-2024.txt", replace(warned_spec(), variants=()))  # fixed
    code, _, err = run(capsys, "年报/民政局-2024.txt", "--baseline", "baseline.json", "--write-baseline")
    assert code == 0 and err.splitlines()[0] == "已更新基线文件 baseline.json：共记录 2 条问题"
    data = json.loads((repo / "baseline.json").read_text(encoding="utf-8"))
    assert [(e["path"], e["rule"]) for e in data["findings"]] == [
        ("年报/审计局-2024.txt", "T3-001"),
        ("年报/审计局-2024.txt", "T3-003"),
    ]
    # an entry of a file that is gone is dropped when the baseline is written again
    os.remove(repo / "年报" / "审计局-2024.txt")
    run(capsys, "年报", "--baseline", "baseline.json", "--write-baseline")
    assert json.loads((repo / "baseline.json").read_text(encoding="utf-8"))["findings"] == []


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (
            None,
            [],
            "基线文件不存在：baseline.json（先用 --baseline baseline.json --write-baseline 记录当前的问题）",
        ),
        (
            "{",
            [],
            "基线文件 baseline.json 无法读取：Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        ('{"findings": []}', [], '{} 不是 reportparse 基线文件（应为含 "reportparse_baseline": 1 的 JSON）'),
        (
            '{"reportparse_baseline": 2, "findings": []}',
            [],
            "基线文件 baseline.json 的版本 2 无法使用（本版本读取版本 1）",
        ),
        (
            '{"reportparse_baseline": 1, "findings": [{"path": "a"}]}',
            [],
            "基线文件 baseline.json 的 findings 应为列表，每项含 path、rule、fingerprint",
        ),
    ],
)
def test_bad_baseline_files(
    repo: Path, capsys: pytest.CaptureFixture[str], content: str | None, args: list[str], message: str
) -> None:
    if content is not None:
        (repo / "baseline.json").write_text(content, encoding="utf-8")
    message = message.replace("{}", "baseline.json")
    assert run(capsys, "年报", "--baseline", "baseline.json", *args) == (
        2,
        "",
        f"reportparse check：{message}\n",
    )


def test_write_baseline_needs_a_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "年报", "--write-baseline") == (
        2,
        "",
        "reportparse check：--write-baseline 需要用 --baseline FILE 指定基线文件\n",
    )
    assert run(capsys, "年报", "--baseline", "无此文件夹/b.json", "--write-baseline") == (
        2,
        "",
        "reportparse check：基线文件无法写入（输出文件所在的文件夹不存在：无此文件夹）\n",
    )


def test_standard_input_is_known_by_its_shown_name(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    record(capsys)
    data = (repo / "年报" / "审计局-2024.txt").read_bytes()
    argv = [
        "-",
        "--stdin-filename",
        "年报/审计局-2024.txt",
        "--baseline",
        "baseline.json",
        "--format",
        "json",
    ]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, err = run(capsys, *argv)
    assert (code, shown(out)) == (0, [])
    assert "基线已记录的问题 2 条未显示" in err
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    argv[2] = "年报/审计局-2024-副本.txt"
    code, out, _ = run(capsys, *argv)
    assert (code, shown(out)) == (1, [("审计局-2024-副本.txt", "T3-001"), ("审计局-2024-副本.txt", "T3-003")])
