"""The notebook API: what an analyst gets from `reportparse` in Jupyter (docs/notebook.md)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
import warnings
from collections import deque
from pathlib import Path

import pytest

import reportparse
from conftest import FIXTURES, ROOT
from helpers import hanging
from reportparse import Selection
from reportparse.batch import pool
from reportparse.config import ConfigError, parse_codes
from reportparse.limits import limits
from reportparse.model import Cell, TableData
from reportparse.render import render
from reportparse.render.notebook import PANDAS_MISSING
from reportparse.rules import RETIRED
from reportparse.templates import template

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


# --- audit() in a process with other threads (a Jupyter kernel) ---


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is the default only on Linux")
def test_audit_does_not_fork_a_process_with_threads(tmp_path: Path) -> None:
    """Python 3.12+ warns (DeprecationWarning) when a process with threads forks; the workers are
    spawned instead. The warning is recorded rather than made an error: os.fork() swallows a
    warning turned into an exception, so simplefilter("error") would not see it."""
    hang = tmp_path / "hang.txt"  # helpers.hanging sleeps on it: a worker killed on time
    hang.write_bytes(SAMPLE.read_bytes())
    files = [SAMPLE, CRAWLER, hang]
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert pool._context().get_start_method() == "spawn"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # a spawned worker takes about a second to start: not counted in its file's time
            threaded = reportparse.audit(files, jobs=2, timeout=1.0, process=hanging).collect()
    finally:
        stop.set()
        thread.join()
    assert [str(w.message) for w in caught] == []
    statuses = {Path(r.path).name: r.status for r in threaded}
    assert statuses == {"crawler-2021.txt": "findings", "sample-2021.tika.txt": "ok", "hang.txt": "timeout"}
    # fork again once the thread is gone (unless a library left threads of its own: a Dask
    # cluster of another test module keeps some for the life of the process)
    assert pool._context().get_start_method() == ("fork" if threading.active_count() == 1 else "spawn")
    inline = reportparse.audit(files[:2], jobs=1).collect()
    assert [r.to_json() for r in threaded if r.status != "timeout"] == [r.to_json() for r in inline]


def test_a_starting_worker_has_not_begun_its_file() -> None:
    worker = object.__new__(pool._Worker)  # its clock only: no process
    worker.started, worker.ready, worker.allowance, worker.ocr_file = 100.0, False, pool._Allowance(), 0
    worker.progress, worker.done, worker.tasks = [0.0, 0.0], 0, deque([object(), object()])
    assert worker.deadline(1.0) == 100.0 + pool._START_S
    assert worker.deadline(600.0) == 700.0
    worker.ready = True
    assert worker.deadline(1.0) == 101.0
    worker.ocr_page(1)  # OCR began a page of its file: the limit grows by ocr_page_s
    assert worker.deadline(1.0) == 101.0 + limits().ocr_page_s
    worker.progress = [2.0, 130.0]  # on to its second file (the first's result not sent yet)
    assert worker.deadline(1.0) == 131.0  # its own time, without the first file's allowance


# --- short reprs ---

BLANKS = FIXTURES / "text" / "blanks-2021.tika.txt"


def test_report_repr_is_one_short_line() -> None:
    sample, crawler = reportparse.parse(SAMPLE), reportparse.parse(CRAWLER)
    assert repr(sample) == (
        "<Report 示例市示例区统计局 2024 template=2021 sections=6 tables=表二✓ 表三✓ 表四✓ file=sample-2021.tika.txt>"
    )
    assert repr(crawler) == (
        "<Report 示例市示例区统计局 2024 template=2021 sections=6 tables=表二(failed) 表三✓ 表四✓ file=crawler-2021.txt>"
    )
    assert (
        repr(reportparse.parse(b""))
        == "<Report ? ? template=unknown sections=0 tables=表二(none) 表三(none) 表四(none)>"
    )
    for fixture in sorted((FIXTURES / "text").glob("*.txt")):
        shown = repr(reportparse.parse(fixture))
        assert len(shown) < 200 and "\n" not in shown, fixture.name


def test_table_cell_and_section_reprs() -> None:
    sample, crawler, blanks = (reportparse.parse(p) for p in (SAMPLE, CRAWLER, BLANKS))
    assert sample.applications is not None and crawler.active_disclosure is not None
    assert blanks.active_disclosure is not None and blanks.applications is not None
    assert repr(sample.applications) == "<TableData 表三 2021 175/175 cells complete>"
    assert (
        repr(crawler.active_disclosure)
        == "<TableData 表二 2021 4/10 cells failed（只读到 4 个单元格，表格结构不确定）>"
    )
    assert (
        repr(sample.applications.cells["new_received.total"]) == "<Cell new_received.total number 7 raw='7'>"
    )
    assert (
        repr(blanks.active_disclosure.cells["regulations.repealed"])
        == "<Cell regulations.repealed dash raw='—'>"
    )
    assert (
        repr(blanks.applications.cells["withheld.state_secret.total"])
        == "<Cell withheld.state_secret.total blank raw=''>"
    )
    assert (
        repr(blanks.active_disclosure.cells["admin_fees.amount"])
        == "<Cell admin_fees.amount number 850.62 raw='850.62'>"
    )
    assert repr(blanks.sections[4]) == "<Section 5 五、存在的主要问题及改进情况 74 chars>"


def test_reprs_leave_equality_alone() -> None:
    assert reportparse.parse(SAMPLE) == reportparse.parse(SAMPLE)
    assert reportparse.parse(SAMPLE) != reportparse.parse(BLANKS)


# --- DataFrames of one table ---

# CI installs the extra (`pip install '.[dev,pandas]'`), so these run there
needs_pandas = pytest.mark.skipif(
    importlib.util.find_spec("pandas") is None, reason="pandas is not installed"
)

APPLICATION_COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


@needs_pandas
def test_a_table_as_printed() -> None:
    data = reportparse.parse(SAMPLE).applications
    assert data is not None
    frame = data.to_frame()
    t = template("2021")
    assert frame.shape == (25, 7)
    assert (frame.index.name, frame.columns.name) == ("行", "列")
    assert frame.index.tolist() == [r.label for r in t.app_rows]
    assert frame.columns.tolist() == APPLICATION_COLUMNS
    assert {str(d) for d in frame.dtypes} == {"Int64"}
    assert frame.loc["一、本年新收政府信息公开申请数量"].tolist() == [5, 0, 1, 0, 1, 0, 7]
    assert frame.loc["四、结转下年度继续办理", "总计"] == data.value("carried_forward.total") == 0
    by_id = data.to_frame(ids=True)
    assert (by_id.index.name, by_id.columns.name) == ("row", "column")
    assert by_id.index.tolist() == [r.id for r in t.app_rows]
    assert by_id.columns.tolist() == [c.id for c in t.app_columns]
    assert by_id.loc["new_received", "total"] == 7


@needs_pandas
def test_table_two_by_block() -> None:
    data = reportparse.parse(SAMPLE).active_disclosure
    assert data is not None
    frame = data.to_frame()
    assert frame.index.tolist() == [
        "规章",
        "行政规范性文件",
        "行政许可",
        "行政处罚",
        "行政强制",
        "行政事业性收费",
    ]
    assert frame.columns.tolist() == [
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年处理决定数量",
        "本年收费金额（单位：万元）",
    ]
    assert [str(d) for d in frame.dtypes] == ["Int64", "Int64", "Int64", "Int64", "Float64"]
    shown = frame.astype(object).where(frame.notna(), None).values.tolist()
    assert shown == [
        [21, 53, 88, None, None],
        [53, 81, 36, None, None],
        [None, None, None, 61, None],
        [None, None, None, 27, None],
        [None, None, None, 60, None],
        [None, None, None, None, 671.68],
    ]  # a column its row does not print is NA, not 0


@needs_pandas
def test_blank_and_dash_are_na_with_their_text_kept() -> None:
    data = reportparse.parse(BLANKS).active_disclosure
    assert data is not None
    assert data.to_frame().loc["规章"].isna().tolist() == [False, True, False, True, True]
    assert data.to_frame(values="raw").loc["规章"].tolist() == ["79", "—", "45", None, None]
    assert data.to_frame(values="kind").loc["规章"].tolist() == ["number", "dash", "number", None, None]
    applications = reportparse.parse(BLANKS).applications
    assert applications is not None
    row = applications.to_frame().loc["1.属于国家秘密"]
    assert row.isna().all()
    assert applications.to_frame(values="raw").loc["1.属于国家秘密"].tolist() == [""] * 7
    assert applications.to_frame(values="kind").loc["1.属于国家秘密"].tolist() == ["blank"] * 7


@needs_pandas
def test_a_table_in_long_format() -> None:
    data = reportparse.parse(BLANKS).active_disclosure
    assert data is not None
    frame = data.to_frame(long=True)
    assert frame.columns.tolist() == ["id", "row", "column", "row_id", "column_id", "raw", "kind", "value"]
    assert frame.shape == (10, 8)
    assert str(frame["value"].dtype) == "Float64"
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    assert records[:2] == [
        {
            "id": "regulations.issued",
            "row": "规章",
            "column": "本年制发件数",
            "row_id": "regulations",
            "column_id": "issued",
            "raw": "79",
            "kind": "number",
            "value": 79.0,
        },
        {
            "id": "regulations.repealed",
            "row": "规章",
            "column": "本年废止件数",
            "row_id": "regulations",
            "column_id": "repealed",
            "raw": "—",
            "kind": "dash",
            "value": None,
        },
    ]
    assert frame["id"].tolist() == template("2021").cell_ids("active_disclosure")


@needs_pandas
def test_cells_not_read_are_named_so() -> None:
    failed = reportparse.parse(CRAWLER).active_disclosure
    assert failed is not None
    kinds = failed.to_frame(long=True)["kind"].tolist()
    assert kinds == ["unread"] * 6 + ["number"] * 4
    assert failed.to_frame(long=True)["raw"].tolist()[:6] == [None] * 6
    cells = {f"review.{c}": Cell(f"review.{c}", "1", "number", 1) for c in ("upheld", "corrected", "other")}
    table = TableData("review_litigation", "2021", cells, missing_rows=("litigation_after_review",))
    frame = table.to_frame(values="kind")
    assert frame.loc["行政复议"].tolist() == ["number", "number", "number", "unread", "unread"]
    assert frame.loc["复议后起诉"].tolist() == ["missing"] * 5


def test_frame_options_are_checked() -> None:
    data = reportparse.parse(SAMPLE).applications
    assert data is not None
    with pytest.raises(ValueError) as raised:
        data.to_frame(values="number")  # type: ignore[arg-type]
    assert str(raised.value) == "values 应为 value、raw 或 kind 之一，而不是「number」"
    with pytest.raises(ValueError) as raised:
        data.to_frame(long=True, ids=True)
    assert (
        str(raised.value)
        == "long=True 时每个单元格一行，raw、kind、value 和编号都在列中：values、ids 只用于宽表"
    )


# --- DataFrames of a batch ---


@needs_pandas
def test_findings_frame() -> None:
    run = reportparse.audit([SAMPLE, CRAWLER, BLANKS], jobs=1)
    frame = run.findings_frame()  # runs the audit to its end
    assert frame.columns.tolist() == [
        "file",
        "body",
        "year",
        "rule",
        "severity",
        "severity_id",
        "message",
        "cells",
        "cell_ids",
        "expected",
        "actual",
        "location",
    ]
    results = run.results
    assert len(frame) == sum(len(r.findings) for r in results) == 7
    assert str(frame["year"].dtype) == "Int64"
    assert frame["rule"].tolist() == [
        "NUM-003",
        "NUM-003",
        "EXT-007",
        "EXT-007",
        "EXT-007",
        "EXT-007",
        "EXT-006",
    ]
    assert frame["severity"].tolist() == ["提示", "提示", "警告", "警告", "警告", "警告", "警告"]
    first = frame.iloc[0].to_dict()
    assert first == {
        "file": str(BLANKS),
        "body": "示例市示例区统计局",
        "year": 2024,
        "rule": "NUM-003",
        "severity": "提示",
        "severity_id": "info",
        "message": "表二（主动公开）有 1 个单元格为空白或“—”，校验时按 0 计算",
        "cells": ["表二/规章/本年废止件数"],
        "cell_ids": ["active_disclosure.regulations.repealed"],
        "expected": 0,
        "actual": None,
        "location": "表二/规章/本年废止件数；第23行 表格1第3行第3列",
    }
    assert frame.iloc[5]["cells"] == ["表二/行政规范性文件/本年废止件数", "表二/行政规范性文件/现行有效件数"]
    assert frame.iloc[6]["location"] == "第5行" and frame.iloc[6]["cells"] == []


@needs_pandas
def test_cells_frame() -> None:
    run = reportparse.audit([SAMPLE, CRAWLER, BLANKS], jobs=1)
    frame = run.cells_frame()
    assert frame.columns.tolist() == [
        "file",
        "body",
        "year",
        "table",
        "row",
        "column",
        "table_id",
        "row_id",
        "column_id",
        "raw",
        "kind",
        "value",
    ]
    counts = [sum(len(t.cells) for t in r.report.tables.values() if t) for r in run.results if r.report]
    assert len(frame) == sum(counts) == 200 + 194 + 200
    assert render("cells", run.results).count("\r\n") == len(frame) + 1  # the rows of --format cells
    dash = frame[frame["kind"] == "dash"].astype(object).where(frame.notna(), None).to_dict("records")
    assert dash == [
        {
            "file": str(BLANKS),
            "body": "示例市示例区统计局",
            "year": 2024,
            "table": "表二",
            "row": "规章",
            "column": "本年废止件数",
            "table_id": "active_disclosure",
            "row_id": "regulations",
            "column_id": "repealed",
            "raw": "—",
            "kind": "dash",
            "value": None,
        }
    ]
    blank = frame[(frame["kind"] == "blank")]
    assert len(blank) == 80 and blank["value"].isna().all() and set(blank["raw"]) == {""}
    total = frame[
        (frame["file"] == str(SAMPLE)) & (frame["row_id"] == "new_received") & (frame["column_id"] == "total")
    ]
    assert total[["table", "row", "column", "value"]].values.tolist() == [
        ["表三", "一、本年新收政府信息公开申请数量", "总计", 7]
    ]


def test_without_pandas_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    data = reportparse.parse(SAMPLE).applications
    assert data is not None
    run = reportparse.audit([SAMPLE], jobs=1)
    run.collect()
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if it were not installed
    message = (
        "生成 DataFrame 需要 pandas，请安装：pip install 'reportparse[pandas]' 或 pip install pandas"
        "（DataFrames need pandas: pip install 'reportparse[pandas]' or pip install pandas）"
    )
    assert message == PANDAS_MISSING
    for make in (data.to_frame, run.findings_frame, run.cells_frame):
        with pytest.raises(ModuleNotFoundError) as raised:
            make()
        assert str(raised.value) == message
    assert repr(data) == "<TableData 表三 2021 175/175 cells complete>"  # the rest works without it


def test_import_reportparse_does_not_import_pandas() -> None:
    code = (
        "import sys, reportparse; r = reportparse.parse(sys.argv[1]); repr(r); repr(r.applications); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'numpy')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(SAMPLE)], capture_output=True, text=True, check=True
    )
    assert done.stdout == "[]\n"


def test_the_notebook_page_shows_what_the_code_gives() -> None:
    page = (ROOT / "docs" / "notebook.md").read_text(encoding="utf-8")
    sample, crawler = reportparse.parse(SAMPLE), reportparse.parse(CRAWLER)
    assert sample.applications is not None and crawler.active_disclosure is not None
    shown = [
        repr(sample),
        repr(sample.applications),
        repr(sample.applications.cells["new_received.total"]),
        repr(sample.sections[0]),
        repr(crawler.active_disclosure),
        PANDAS_MISSING,
    ]
    assert [s for s in shown if s not in page] == []
