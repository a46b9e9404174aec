"""The command line behaves like the tools people know (issue 16): exit codes as documented for
every case, Chinese messages (argparse's and the system's too), rule look-up, fixes beside the
findings, --statistics, --quiet, standard input, and no internal id in what people read."""

from __future__ import annotations

import errno
import io
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from generator import text_writer
from lxml import html as lxml_html

from conftest import FIXTURES
from helpers import broken_spec, warned_spec
from reportparse.cli import main
from reportparse.extraction import EXT_RULES
from reportparse.filenames import os_error_text
from reportparse.rules import REGISTRY, load_rules
from reportparse.templates import template
from reportparse.templates.names import cell_name, logical_location

load_rules()
CLEAN = FIXTURES / "text" / "clean-2021.md"
CRAWLER = FIXTURES / "text" / "crawler-2021.txt"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """An error (审计局: T3-001, T3-003), warnings only (民政局: STR-002, STR-005), a clean report."""
    f = tmp_path / "reports"
    f.mkdir()
    (f / "审计局-2024.txt").write_text(text_writer.tika(broken_spec()), encoding="utf-8")
    (f / "民政局-2024.txt").write_text(text_writer.tika(warned_spec()), encoding="utf-8")
    shutil.copyfile(CLEAN, f / "clean-2021.md")
    return f


# --- exit codes: one test per documented case ---


def test_check_exit_codes(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    error, warned, clean = folder / "审计局-2024.txt", folder / "民政局-2024.txt", folder / "clean-2021.md"
    assert run(capsys, "check", str(clean), "-j", "1")[0] == 0  # nothing found
    assert run(capsys, "check", str(warned), "-j", "1")[0] == 0  # warnings below the default error
    assert run(capsys, "check", str(warned), "-j", "1", "--fail-on", "warning")[0] == 1
    assert run(capsys, "check", str(error), "-j", "1")[0] == 1  # an error
    assert run(capsys, "check", str(error), "-j", "1", "--fail-on", "never")[0] == 0
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert run(capsys, "check", str(empty), "-j", "1")[0] == 1  # unreadable: an EXT- error, not a tool error
    (tmp_path / "nothing").mkdir()
    assert run(capsys, "check", str(tmp_path / "nothing")) == (
        2,
        "",
        "reportparse check：未找到要检查的报告文件\n",
    )
    code, _, err = run(capsys, "check", str(tmp_path / "nope"))
    assert (code, err) == (2, f"reportparse check：路径不存在：{tmp_path / 'nope'}\n")
    bad_config = tmp_path / "reportparse.toml"
    bad_config.write_text('select = ["XYZ"]\n', encoding="utf-8")
    code, _, err = run(capsys, "check", str(clean), "--config", str(bad_config))
    assert code == 2 and err.startswith("reportparse check：") and "XYZ" in err
    code, _, err = run(capsys, "check", str(clean), "--bogus")
    assert (code, err.splitlines()[-1]) == (2, "reportparse：错误：无法识别的参数：--bogus")


def test_parse_exit_codes(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "parse", str(CLEAN))[0] == 0
    assert run(capsys, "parse", str(folder / "民政局-2024.txt"))[0] == 0  # warnings only
    assert run(capsys, "parse", str(folder / "审计局-2024.txt"))[0] == 1  # an error-level finding
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert run(capsys, "parse", str(empty))[0] == 1  # EXT-001
    assert run(capsys, "parse", str(tmp_path / "nope")) == (
        2,
        "",
        f"reportparse parse：路径不存在：{tmp_path / 'nope'}\n",
    )
    assert run(capsys, "parse", str(folder))[0] == 2  # a folder
    assert run(capsys, "parse")[0] == 2


@pytest.mark.parametrize("command", ["parse", "check"])
def test_bad_output_paths_exit_2_before_any_work(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    cases = {
        str(tmp_path / "missing" / "out.json"): f"输出文件所在的文件夹不存在：{tmp_path / 'missing'}",
        str(a_file / "out.json"): f"输出文件所在的路径不是文件夹：{a_file}",
        str(tmp_path): f"输出路径是一个文件夹：{tmp_path}",
    }
    for target, message in cases.items():
        assert run(capsys, command, str(CLEAN), "-o", target) == (
            2,
            "",
            f"reportparse {command}：{message}\n",
        )


def test_rule_commands_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "rule", "T3-001")[0] == 0
    assert run(capsys, "rule", "XYZ-001") == (
        2,
        "",
        "reportparse rule：没有编号为「XYZ-001」的规则；用 reportparse rules 列出全部规则\n",
    )
    assert run(capsys, "rules")[0] == 0
    assert run(capsys, "rules", "--family", "T9") == (
        2,
        "",
        "reportparse rules：没有规则族「T9」；可选：EXT、STR、TPL、NUM、T2、T3、T4、TXT、PUB、CNT、QLT\n",
    )


# --- Chinese messages ---


def test_argparse_speaks_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check")
    assert code == 2 and out == ""
    assert err.startswith("用法：reportparse check")
    assert err.endswith("reportparse check：错误：缺少必需的参数：PATH\n")
    code, _, err = run(capsys, "check", "x", "--jobs", "many")
    assert err.endswith("reportparse check：错误：参数 -j/--jobs：应为整数，而不是「many」\n")
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "选项:" in out and "显示此帮助并退出" in out and "show this help" not in out
    import argparse

    assert argparse._("usage: ") == "usage: "  # type: ignore[attr-defined]  # restored afterwards


def test_system_errors_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert os_error_text(PermissionError(errno.EACCES, "Permission denied")) == "没有权限"
    assert os_error_text(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间不足"
    dangling = tmp_path / "链接.docx"
    dangling.symlink_to(tmp_path / "gone.docx")
    code, out, _ = run(capsys, "parse", str(dangling))
    (finding,) = json.loads(out)["findings"]
    assert (code, finding["rule"], finding["message"]) == (1, "EXT-001", "无法打开文件：文件或文件夹不存在")


# --- rule look-up ---


def test_rule_prints_its_page_with_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rule", "t3-001")
    rule = REGISTRY["T3-001"]
    assert code == 0
    assert out.startswith(
        "# T3-001 applications-balance\n\n**表三第一项加第二项之和不等于第三项加第四项之和（按列）**\n"
    )
    assert f"## 如何修正\n\n{rule.fix}\n" in out
    assert "- 默认级别：错误 (error)\n" in out
    assert out == (FIXTURES.parent.parent / "docs" / "rules" / "T3-001.md").read_text(encoding="utf-8")
    code, out, _ = run(capsys, "rule", "EXT-008", "--format", "json")
    doc = json.loads(out)
    assert (doc["id"], doc["severity"], doc["severities"], doc["fix"]) == (
        "EXT-008",
        "error",
        ["error", "warning"],
        EXT_RULES["EXT-008"].fix,
    )
    code, _, err = run(capsys, "rule", "TPL-001")
    assert code == 2 and err.startswith("reportparse rule：TPL-001 已停用，不再检查：")


def test_rules_lists_a_family(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--family", "t4")
    t4 = sorted(r for r in REGISTRY if r.startswith("T4-"))
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == t4
    assert out.splitlines()[0] == f"T4-001   错误  {REGISTRY['T4-001'].title}"
    code, out, _ = run(capsys, "rules", "--family", "QLT", "--format", "json")
    assert [(r["id"], r["enabled"]) for r in json.loads(out)] == [("QLT-001", True), ("QLT-002", False)]
    code, out, _ = run(capsys, "rules")
    assert len(out.splitlines()) == len(REGISTRY)
    assert "QLT-002  " in out and out.count("（默认关闭）") == sum(not r.enabled for r in REGISTRY.values())


# --- fixes, statistics, quiet ---


def test_fixes_beside_findings(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fix_t3, fix_str2 = "        修正：" + REGISTRY["T3-001"].fix, "        修正：" + REGISTRY["STR-002"].fix
    _, out, _ = run(capsys, "check", str(folder), "-j", "1")
    assert out.count(fix_t3) == 1 and fix_str2 not in out  # errors only, once per rule and file
    _, out, _ = run(capsys, "check", str(folder), "-j", "1", "--show-fixes")
    assert out.count(fix_t3) == 1 and out.count(fix_str2) == 1
    assert out.splitlines()[out.splitlines().index(fix_str2) - 1].startswith("  警告 STR-002  ")
    _, out, _ = run(capsys, "check", str(folder), "-j", "1", "--no-show-fixes")
    assert "修正：" not in out


def test_statistics(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(folder), "-j", "1", "--statistics")
    assert code == 1
    assert out.splitlines() == [
        f"     1  STR-002  警告  {REGISTRY['STR-002'].title}（1 个文件）",
        f"     1  STR-005  警告  {REGISTRY['STR-005'].title}（1 个文件）",
        f"     1  T3-001   错误  {REGISTRY['T3-001'].title}（1 个文件）",
        f"     1  T3-003   错误  {REGISTRY['T3-003'].title}（1 个文件）",
    ]
    assert err.startswith("共 3 个文件：正常 1，有问题 2，")
    assert run(capsys, "check", str(folder), "--statistics", "--format", "json") == (
        2,
        "",
        "reportparse check：--statistics 只用于 --format text，不能与 --format json 同时使用\n",
    )


def test_quiet(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(folder), "-j", "1", "-q")
    assert (code, err) == (1, "")
    assert "其余" not in out and "  错误 T3-001  " in out
    _, out, _ = run(capsys, "check", str(folder), "-j", "1")
    assert out.endswith("其余 1 个文件未发现问题。\n")


# --- standard input ---


def test_standard_input(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = (folder / "审计局-2024.txt").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(
        capsys, "check", "-", "--stdin-filename", "年报/审计局-2024.txt", "--format", "json", "-j", "1"
    )
    doc = json.loads(out)
    (f,) = doc["files"]
    assert code == 1
    assert (f["path"], f["report"]["source"]["path"]) == ("年报/审计局-2024.txt", "年报/审计局-2024.txt")
    assert [x["rule"] for x in f["findings"]] == ["T3-001", "T3-003"]
    assert not any(p.startswith("reportparse-stdin-") for p in os.listdir(os.environ.get("TMPDIR", "/tmp")))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(CLEAN.read_bytes())))
    code, out, _ = run(capsys, "check", "-")
    assert (code, out) == (0, "全部 1 个文件未发现问题。\n")
    assert run(capsys, "check", "-", str(CLEAN)) == (
        2,
        "",
        "reportparse check：- （标准输入）只能单独使用，不能与其他路径一起给出\n",
    )


# --- no internal id where people read ---

_ID_RE = re.compile(r"\b(?:active_disclosure|applications|review_litigation)\b|\b[a-z]+_[a-z_]+\b")


def _ids_in(text: str) -> list[str]:
    return _ID_RE.findall(text)


def test_no_canonical_id_in_human_outputs(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copyfile(CRAWLER, folder / CRAWLER.name)  # EXT-007 cells
    # a finding about a whole row (TPL-005) names the row as printed
    t = template("2021")
    assert logical_location("active_disclosure", "normative_documents", t) == "表二/行政规范性文件"
    assert cell_name("active_disclosure", "normative_documents", t) == "表二「行政规范性文件」行"
    _, out, _ = run(capsys, "check", str(folder), "-j", "1", "--show-fixes")
    assert "EXT-007" in out and "T3-001" in out
    assert _ids_in(out) == []
    page = tmp_path / "a.html"
    run(capsys, "check", str(folder), "-j", "1", "--format", "html", "-o", str(page))
    doc = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    for script in doc.xpath("//script|//style"):
        script.drop_tree()
    assert _ids_in(doc.text_content()) == []
    openpyxl = pytest.importorskip("openpyxl")
    book = tmp_path / "a.xlsx"
    run(capsys, "check", str(folder), "-j", "1", "--format", "xlsx", "-o", str(book))
    wb = openpyxl.load_workbook(book)
    id_columns = {"单元格编号", "表编号", "行编号", "列编号"}
    found = []
    for ws in wb.worksheets:
        rows = list(ws.values)
        keep = [i for i, h in enumerate(rows[0]) if h not in id_columns]
        found += [v for row in rows for i in keep if isinstance(v := row[i], str) and _ids_in(v)]
    assert found == []
    problems = list(wb["问题"].values)
    header = problems[0]
    t3 = next(r for r in problems if r[header.index("规则")] == "T3-001")
    assert t3[header.index("级别")] == "错误"
    assert t3[header.index("单元格")].startswith("表三/一、本年新收政府信息公开申请数量/自然人")
    assert t3[header.index("单元格编号")].startswith("applications.new_received.natural_person")
    assert t3[header.index("如何修正")] == REGISTRY["T3-001"].fix


def test_html_links_finding_and_cell(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "a.html"
    run(capsys, "check", str(folder), "-j", "1", "--format", "html", "-o", str(page))
    doc = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    (item,) = [li for li in doc.xpath("//ol[@class='findings']/li") if "T3-001" in li.text_content()]
    link = item.xpath(".//span[@class='where']/a")[0]
    assert link.text == "表三/一、本年新收政府信息公开申请数量/自然人"
    (cell,) = doc.xpath(f"//td[@id='{link.get('href')[1:]}']")
    assert cell.get("data-cell") == "applications.new_received.natural_person"
    back = [a.get("href")[1:] for a in cell.xpath(".//sup/a")]
    assert item.get("id") in back  # and from the cell back to the finding
    (fix,) = item.xpath(".//div[@class='fix']")
    assert fix.text_content() == "如何修正：" + REGISTRY["T3-001"].fix


def test_workbook_links_finding_and_cell(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = tmp_path / "a.xlsx"
    run(capsys, "check", str(folder), "-j", "1", "--format", "xlsx", "-o", str(book))
    wb = openpyxl.load_workbook(book)
    problems, cells = wb["问题"], wb["单元格"]
    header = [c.value for c in problems[1]]
    row = next(r for r in problems.iter_rows(min_row=2) if r[header.index("规则")].value == "T3-001")
    link = row[header.index("单元格")].hyperlink
    assert link is not None and link.location.startswith("'单元格'!A")
    target = cells[link.location.split("!")[1]].row
    cell_header = [c.value for c in cells[1]]
    target_row = [c.value for c in cells[target]]
    assert target_row[cell_header.index("行编号")] == "new_received"
    assert target_row[cell_header.index("列编号")] == "natural_person"
    assert target_row[cell_header.index("问题")] == "T3-001、T3-003"
    back = cells.cell(target, cell_header.index("问题") + 1).hyperlink
    assert back is not None and back.location == f"'问题'!A{row[0].row}"
