"""Folders that hold more than reports: which files `check` takes (by name or by a look at
their first part), the exclusions and per-file ignores of the configuration, --force-exclude."""

from __future__ import annotations

import concurrent.futures as cf
import importlib
import io
import json
import shutil
import sys
import threading
from pathlib import Path
from typing import Any

import docx
import jsonschema
import pytest
from generator import text_writer
from generator.spec import make_spec

import reportparse
from conftest import FIXTURES
from helpers import CHECK_SCHEMA, broken_spec
from reportparse.batch import NoInputError, discover
from reportparse.batch.peek import TEXT_PREFIX, looks_like_report
from reportparse.cli import main
from reportparse.config import ConfigError

NOT_A_REPORT = "内容不像政府信息公开工作年度报告：全文没有年度报告的标题，也没有报告各部分的标题或表格栏目"


discover_module = importlib.import_module("reportparse.batch.discover")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def report_text(name: str = "a", seed: int = 5) -> str:
    return text_writer.tika(make_spec(name, year=2024, seed=seed))


def word(path: Path, *paragraphs: str) -> None:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    d.save(str(path))


def rel(root: Path, paths: list[str]) -> list[str]:
    return [Path(p).relative_to(root).as_posix() for p in paths]


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A drafting folder: reports in several formats and encodings, and what lies beside them."""
    (tmp_path / "报告.txt").write_text(report_text(), encoding="utf-8")
    (tmp_path / "gbk.txt").write_bytes((FIXTURES / "text" / "messy-2021.gbk.txt").read_bytes())
    (tmp_path / "utf16.txt").write_bytes((FIXTURES / "text" / "messy-2021.utf16.txt").read_bytes())
    (tmp_path / "crawler.txt").write_bytes((FIXTURES / "text" / "crawler-2021.txt").read_bytes())
    (tmp_path / "r.docx").write_bytes((FIXTURES / "docx" / "clean-2021.docx").read_bytes())
    (tmp_path / "page.html").write_bytes((FIXTURES / "html" / "cms-gbk-2021.html").read_bytes())
    # a draft titled as drafts are, with nothing else yet
    (tmp_path / "draft.md").write_text(
        "# 示例市示例区统计局2024年政府信息公开工作年度报告（征求意见稿）\n\n待补充。\n", encoding="utf-8"
    )
    # a long file: only its first 64 KB are read (cut at a line end)
    long = report_text() + "\n" + "附件说明。\n" * 20_000
    (tmp_path / "long.txt").write_text(long, encoding="utf-8")
    # not reports
    (tmp_path / "README.md").write_text(
        "# 年报草稿\n\n本仓库存放本局2024年政府信息公开工作年度报告的草稿，每人改自己的部分。\n",
        encoding="utf-8",
    )
    (tmp_path / "待办.txt").write_text("1. 核对表三数字\n2. 请办公室盖章\n", encoding="utf-8")
    word(tmp_path / "会议纪要.docx", "会议纪要", "研究了明年的工作安排。")
    (tmp_path / "通知.html").write_text(
        "<html><head><title>关于召开会议的通知</title></head><body><p>请各科室准时参加。</p></body></html>",
        encoding="utf-8",
    )
    # taken by its name, whatever it holds
    (tmp_path / "2023年报.txt").write_text("旧稿，见纸质版。\n", encoding="utf-8")
    # taken whatever it holds: nothing to judge by (the reader says why), or a PDF (never peeked)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "scan.pdf").write_bytes((FIXTURES / "pdf" / "clean-2021.pdf").read_bytes())
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    return tmp_path


def test_a_folder_takes_what_looks_like_a_report(mixed: Path) -> None:
    found = discover([mixed])
    assert rel(mixed, found) == [
        "2023年报.txt",
        "broken.docx",
        "crawler.txt",
        "draft.md",
        "empty.txt",
        "gbk.txt",
        "long.txt",
        "page.html",
        "r.docx",
        "scan.pdf",
        "utf16.txt",
        "报告.txt",
    ]
    assert [(Path(s.path).name, s.reason) for s in found.skipped] == [
        ("README.md", NOT_A_REPORT),
        ("会议纪要.docx", NOT_A_REPORT),
        ("待办.txt", NOT_A_REPORT),
        ("通知.html", NOT_A_REPORT),
    ]


def test_many_files_are_looked_into_by_several_processes_with_the_same_answer(
    mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (mixed / "链接.txt").symlink_to(mixed / "待办.txt")  # a second path to a file that is skipped
    (mixed / "2024年报.txt").symlink_to(mixed / "crawler.txt")  # and to one that is taken
    one = discover([mixed], jobs=1)
    monkeypatch.setattr(discover_module, "PARALLEL_PEEK", 2)
    monkeypatch.setattr(discover_module, "_PEEK_CHUNK", 3)
    calls: list[int] = []
    real = cf.ProcessPoolExecutor

    def executor(n: int, **kwargs: Any) -> cf.ProcessPoolExecutor:
        calls.append(n)
        return real(n, **kwargs)

    monkeypatch.setattr(cf, "ProcessPoolExecutor", executor)
    two = discover([mixed], jobs=2)
    assert calls == [2]  # it did fork
    assert threading.active_count() == 1  # and left no thread behind: the run's workers fork too
    assert list(two) == list(one) and two.skipped == one.skipped
    assert rel(mixed, two)[:2] == ["2023年报.txt", "2024年报.txt"]
    assert [Path(s.path).name for s in two.skipped] == [
        "README.md",
        "会议纪要.docx",
        "待办.txt",
        "通知.html",
        "链接.txt",
    ]


def test_the_prefix_is_bounded(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    # a report title past the first 64 KB is not seen: the file is judged by its beginning
    notes.write_text(
        "无关的内容。\n" * (TEXT_PREFIX // 10) + "示例局2024年政府信息公开工作年度报告\n", encoding="utf-8"
    )
    reason = looks_like_report(notes)
    assert reason is not None and reason.startswith("内容不像政府信息公开工作年度报告：开头 ")


def test_a_file_named_is_always_checked(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert discover([mixed / "README.md"]) == [str(mixed / "README.md")]
    code, out, _ = run(capsys, str(mixed / "待办.txt"), "-j", "1", "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["skipped"] == []
    assert [f["rule"] for f in doc["files"][0]["findings"]] == ["EXT-004"]


def test_skipped_files_in_the_outputs(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("gbk.txt", "utf16.txt", "crawler.txt", "r.docx", "page.html", "draft.md", "long.txt"):
        (mixed / name).unlink()
    for name in ("2023年报.txt", "empty.txt", "scan.pdf", "broken.docx"):
        (mixed / name).unlink()
    code, out, _ = run(capsys, str(mixed), "-j", "1")
    assert code == 0
    assert out.splitlines()[-5:] == [
        "跳过 4 个未检查的路径：",
        f"  {(mixed / 'README.md').as_posix()}（{NOT_A_REPORT}）",
        f"  {(mixed / '会议纪要.docx').as_posix()}（{NOT_A_REPORT}）",
        f"  {(mixed / '待办.txt').as_posix()}（{NOT_A_REPORT}）",
        f"  {(mixed / '通知.html').as_posix()}（{NOT_A_REPORT}）",
    ]
    code, out, _ = run(capsys, str(mixed), "-j", "1", "--format", "json")
    doc = json.loads(out)
    jsonschema.validate(doc, CHECK_SCHEMA)
    assert [Path(f["path"]).name for f in doc["files"]] == ["报告.txt"]
    assert [Path(s["path"]).name for s in doc["skipped"]] == [
        "README.md",
        "会议纪要.docx",
        "待办.txt",
        "通知.html",
    ]


def test_no_report_in_the_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text("说明文字。\n", encoding="utf-8")
    (tmp_path / "待办.txt").write_text("写年报\n", encoding="utf-8")
    # the files are looked into by the run (each by the worker that would read it): it finds
    # no report, and says so at its end
    audit = reportparse.audit([tmp_path], jobs=2)
    with pytest.raises(NoInputError) as err:
        audit.collect()
    assert str(err.value) == "未找到要检查的报告文件（跳过 2 个内容不像年度报告的文件）"
    assert [Path(s.path).name for s in audit.skipped] == ["README.md", "待办.txt"]
    empty = tmp_path / "空"
    empty.mkdir()
    with pytest.raises(NoInputError) as none:  # nothing to look into at all: before any work
        reportparse.audit([empty])
    assert str(none.value) == "未找到要检查的报告文件"
    assert run(capsys, str(tmp_path)) == (
        2,
        "",
        "reportparse check：未找到要检查的报告文件（跳过 2 个内容不像年度报告的文件）\n",
    )


def test_the_run_looks_into_each_file_where_it_reads_it(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`check` does not open the files whose name does not say they are reports before the run:
    they are planned as unsure, and the worker that reads each looks into it first — the same
    files taken and skipped, for the same reasons, as a look beforehand (`discover`)."""
    before = discover([mixed])

    def never(path: object) -> None:
        raise AssertionError(f"looked into before the run: {path}")

    monkeypatch.setattr(discover_module, "looks_like_report", never)
    found = discover([mixed], peek=False)
    named = {"2023年报.txt"}  # taken by its name, without looking
    assert found.skipped == [] and found.unsure == {
        p for p in (*before, *(k.path for k in before.skipped)) if Path(p).name not in named
    }
    # named on the command line as well: always read, so not unsure
    assert str(mixed / "待办.txt") not in discover([mixed, mixed / "待办.txt"], peek=False).unsure
    for jobs in (1, 2):
        audit = reportparse.audit([mixed], jobs=jobs)
        assert [r.path for r in audit.collect()] == list(before)
        assert audit.skipped == tuple(before.skipped)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_cleared_when_the_last_files_are_not_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last file looked into is not a report: no result to draw its step with, and the bar
    is still cleared before the summary is written under it."""
    (tmp_path / "a-2024年报.txt").write_text("示例局2024年政府信息公开工作年度报告\n", encoding="utf-8")
    (tmp_path / "z.txt").write_text("会议纪要：下周讨论年报的排版。\n", encoding="utf-8")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert main(["check", str(tmp_path), "-j", "1", "--format", "jsonl"]) == 1
    bar = "█" * 15 + "░" * 15
    assert terminal.getvalue().startswith(f"\r\x1b[2K{bar} 1/2 a-2024年报.txt\r\x1b[2K共 1 个文件：")


def test_include_globs_take_files_without_looking(mixed: Path) -> None:
    assert rel(mixed, discover([mixed], include=["*.md"])) == ["README.md", "draft.md"]


# ---------------------------------------------------------------------------- configuration


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Reports in 年报/ and 草稿/, an old one, a hidden copy."""
    for rel_path in ("年报/a.txt", "年报/2019/b.txt", "草稿/c.txt", "年报/旧/d.txt", "年报/.e.txt"):
        path = tmp_path / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report_text(), encoding="utf-8")
    return tmp_path


def found(root: Path, *paths: str, **kwargs: object) -> list[str]:
    run_ = reportparse.audit([root / p for p in paths] or [root], jobs=1, **kwargs)  # type: ignore[arg-type]
    return rel(root, [t.path for t in run_.tasks])


def test_extend_exclude(repo: Path) -> None:
    (repo / "reportparse.toml").write_text('extend-exclude = ["草稿", "年报/旧/*"]\n', encoding="utf-8")
    assert found(repo) == ["年报/2019/b.txt", "年报/a.txt"]
    # a path named on the command line is still checked ...
    assert found(repo, "草稿/c.txt") == ["草稿/c.txt"]
    # ... unless the exclusions are forced on it (the pre-commit hook passes --force-exclude)
    assert found(repo, "草稿/c.txt", "年报/a.txt", force_exclude=True) == ["年报/a.txt"]
    # the command line's --exclude adds to the configuration's
    assert found(repo, exclude=["2019"]) == ["年报/a.txt"]


def test_exclude_replaces_the_defaults(repo: Path) -> None:
    (repo / "reportparse.toml").write_text('exclude = ["草稿"]\n', encoding="utf-8")
    # hidden files are excluded only by the default `exclude`, as in ruff
    assert found(repo) == ["年报/.e.txt", "年报/2019/b.txt", "年报/a.txt", "年报/旧/d.txt"]


def test_force_exclude_in_the_configuration(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "reportparse.toml").write_text(
        'extend-exclude = ["草稿"]\nforce-exclude = true\n', encoding="utf-8"
    )
    assert found(repo, "草稿/c.txt", "年报/a.txt") == ["年报/a.txt"]
    # everything named is excluded: nothing to check is no error (a commit touching only drafts)
    code, out, err = run(capsys, str(repo / "草稿" / "c.txt"), "-j", "1", "--format", "json")
    assert code == 0 and json.loads(out)["files"] == []
    assert err.startswith("reportparse check：列出的 1 个文件都按排除规则跳过，没有要检查的文件\n共 0 个文件")


def test_nested_configurations_exclude_in_their_own_folders(repo: Path) -> None:
    (repo / "reportparse.toml").write_text('extend-exclude = ["草稿"]\n', encoding="utf-8")
    (repo / "年报" / "reportparse.toml").write_text('extend-exclude = ["2019/*"]\n', encoding="utf-8")
    assert found(repo) == ["年报/a.txt", "年报/旧/d.txt"]


def test_per_file_ignores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("审计局-2024.txt", "2019/审计局-2024.txt", "其他.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text_writer.tika(broken_spec()), encoding="utf-8")
    (tmp_path / "reportparse.toml").write_text(
        '[per-file-ignores]\n"2019/*" = ["T3-001"]\n"审计局-*.txt" = ["T3-003", "T4"]\n', encoding="utf-8"
    )
    results = reportparse.audit([tmp_path], jobs=1).collect()
    rules = {
        Path(r.path).relative_to(tmp_path).as_posix(): sorted({f.rule for f in r.findings}) for r in results
    }
    assert rules == {
        "2019/审计局-2024.txt": [],  # "2019/*" and the bare name both match
        "其他.txt": ["T3-001", "T3-003"],
        "审计局-2024.txt": ["T3-001"],
    }


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            'excludes = ["草稿"]\n',
            "含未知配置项：excludes（可用：select、ignore、extend-select、severity、fail-on、exclude、"
            "extend-exclude、force-exclude、per-file-ignores、history、thresholds、ocr、deadlines、cache）",
        ),
        ("exclude = [1]\n", '的 exclude 应为通配符列表，如 ["草稿", "*.bak.docx", "2019/*"]'),
        ('force-exclude = "yes"\n', "的 force-exclude 应为 true 或 false，而不是「yes」"),
        (
            'per-file-ignores = ["x"]\n',
            '的 per-file-ignores 应为「通配符 = 规则编号列表」，如 "2019/*" = ["TPL-002"]',
        ),
        (
            '[per-file-ignores]\n"2019/*" = ["T9"]\n',
            "的 per-file-ignores「2019/*」 中的「T9」不是已知的规则编号或规则族（如 T3-001、T3）",
        ),
    ],
)
def test_bad_configuration(repo: Path, toml: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    config = repo / "reportparse.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        reportparse.audit([repo])
    assert str(err.value) == f"{config} {message}"
    assert run(capsys, str(repo)) == (2, "", f"reportparse check：{config} {message}\n")


def test_sarif_help_links(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "报告.txt").write_text(report_text(), encoding="utf-8")
    url = "https://git.example.org/reportparse/blob/0123abc/docs/rules"
    code, out, _ = run(capsys, str(tmp_path), "-j", "1", "--format", "sarif", "--docs-url", url)
    driver = json.loads(out)["runs"][0]["tool"]["driver"]
    assert code == 0 and driver["informationUri"] == url + "/"
    assert next(r for r in driver["rules"] if r["id"] == "T3-001")["helpUri"] == url + "/T3-001.md"
    assert main(["check", str(tmp_path), "--docs-url", "docs/rules/"]) == 2
    assert capsys.readouterr().err.endswith(
        "reportparse check：错误：参数 --docs-url：应为以 http:// 或 https:// 开头的网址，而不是「docs/rules/」\n"
    )


def test_corpus_folder(corpus: Path, tmp_path: Path) -> None:
    """The real reports are all taken; the corpus's own README is not."""
    shutil.copytree(corpus, tmp_path / "c", ignore=shutil.ignore_patterns("truth"))
    got = discover([tmp_path / "c"])
    assert [Path(p).name for p in got] == sorted(
        p.name
        for p in corpus.iterdir()
        if p.suffix in {".pdf", ".md", ".txt", ".html"} and p.name != "README.md"
    )
    assert [(Path(s.path).name, s.reason) for s in got.skipped] == [("README.md", NOT_A_REPORT)]
