"""The notebook API: what an analyst gets from `reportparse` in Jupyter (docs/notebook.md)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest

import reportparse
from conftest import FIXTURES, ROOT
from helpers import hanging
from reportparse import Selection
from reportparse.batch import pool
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
    assert pool._context().get_start_method() == "fork"
    inline = reportparse.audit(files[:2], jobs=1).collect()
    assert [r.to_json() for r in threaded if r.status != "timeout"] == [r.to_json() for r in inline]


def test_a_starting_worker_has_not_begun_its_file() -> None:
    worker = object.__new__(pool._Worker)  # its clock only: no process
    worker.started, worker.ready = 100.0, False
    assert worker.deadline(1.0) == 100.0 + pool._START_S
    assert worker.deadline(600.0) == 700.0
    worker.ready = True
    assert worker.deadline(1.0) == 101.0
