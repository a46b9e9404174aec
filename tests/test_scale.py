"""Audits on a Dask cluster (issue 21): the same output as the local pool, byte for byte; a lost
worker's chunk submitted again; the per-file time limit kept on the cluster; progress with rate
and time left. Needs the `dask` extra (CI installs it)."""

from __future__ import annotations

import concurrent.futures as cf
import gc
import io
import shutil
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import reportparse
from conftest import FIXTURES
from helpers import hanging, killing_its_dask_worker, telling_its_ocr_mode
from reportparse.batch import FileResult, PackedReport
from reportparse.batch.journal import tasks_done
from reportparse.cli import main
from reportparse.render import render

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, host="127.0.0.1"
    ) as c:
        yield c


@pytest.fixture(scope="module")
def client(cluster: Any) -> Iterator[Any]:
    with distributed.Client(cluster, set_as_default=False) as c:
        yield c


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every text, HTML and DOCX fixture and two PDFs (the formats and their messy cases)."""
    target = tmp_path_factory.mktemp("reports")
    for kind in ("text", "html", "docx"):
        shutil.copytree(FIXTURES / kind, target / kind, ignore=shutil.ignore_patterns("*.json"))
    (target / "pdf").mkdir()
    for name in ("clean-2021.pdf", "clean-2019.pdf"):
        shutil.copyfile(FIXTURES / "pdf" / name, target / "pdf" / name)
    # not a report: looked into by the worker that would read it, and listed as skipped
    (target / "text" / "notes.txt").write_text("会议纪要：下周讨论年报的排版。\n", encoding="utf-8")
    return target


def _json(run: reportparse.AuditRun) -> str:
    out = render("json", run.collect())
    assert isinstance(out, str)
    return out


@pytest.mark.parametrize("ship", ["bytes", "path"])
def test_cluster_output_is_the_local_pools(folder: Path, client: Any, ship: str, tmp_path: Path) -> None:
    pool = reportparse.audit([folder], jobs=2, json_reports=True, lazy_reports=True, config_discovery=False)
    local = _json(pool)
    run = reportparse.audit(
        [folder],
        executor=client.get_executor(),
        ship=ship,  # type: ignore[arg-type]
        json_reports=True,
        lazy_reports=True,
        config_discovery=False,
        journal=tmp_path / "run.journal",
    )
    remote = _json(run)
    assert remote == local
    assert run.skipped == pool.skipped
    assert [(Path(k.path).name, k.reason.split("：")[0]) for k in run.skipped] == [
        ("notes.txt", "内容不像政府信息公开工作年度报告")
    ]
    # the journal names each file by its own path (not the copy a worker read), once
    assert sorted(tasks_done(tmp_path / "run.journal")) == sorted(
        run.tasks[i].path for i in range(len(run.tasks))
    )
    assert '"status": "findings"' in local and '"status": "ok"' in local


def test_command_line_executor(folder: Path, cluster: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(folder / "text"), "-j", "2", "--no-config"]) == 1
    local = capsys.readouterr().out
    address = cluster.scheduler_address.removeprefix("tcp://")
    assert main(["check", str(folder / "text"), "--executor", f"dask://{address}", "--no-config"]) == 1
    assert capsys.readouterr().out == local


def test_a_lost_worker_is_replaced_and_its_files_done_once(tmp_path: Path, client: Any) -> None:
    for name in ("a-2021.txt", "b-2021.txt", "c-2021.txt"):
        shutil.copyfile(FIXTURES / "text" / "clean-2021.md", tmp_path / name)
    (tmp_path / "b-2021.txt.kill").write_text("", encoding="utf-8")
    run = reportparse.audit(
        [tmp_path / "a-2021.txt", tmp_path / "b-2021.txt", tmp_path / "c-2021.txt"],
        executor=client.get_executor(),
        ship="path",
        process=killing_its_dask_worker,
        timeout=30,
    )
    results = run.collect()
    assert not (tmp_path / "b-2021.txt.kill").exists()  # the worker was killed on its way
    assert [(Path(r.path).name, r.status) for r in results] == [
        ("a-2021.txt", "ok"),
        ("b-2021.txt", "ok"),
        ("c-2021.txt", "ok"),
    ]


def test_time_limit_on_the_cluster(tmp_path: Path, client: Any) -> None:
    shutil.copyfile(FIXTURES / "text" / "clean-2021.md", tmp_path / "hang-2021.md")
    shutil.copyfile(FIXTURES / "text" / "clean-2021.md", tmp_path / "fine-2021.md")
    results = reportparse.audit(
        [tmp_path], executor=client.get_executor(), process=hanging, timeout=1
    ).collect()
    assert [(Path(r.path).name, r.status) for r in results] == [
        ("fine-2021.md", "ok"),
        ("hang-2021.md", "timeout"),
    ]
    (finding,) = results[1].findings
    assert finding.rule == "EXT-003" and finding.file == str(tmp_path / "hang-2021.md")


def test_the_ocr_mode_reaches_the_cluster(tmp_path: Path, client: Any) -> None:
    for mode in ("never", "always"):  # each file's configuration (as --ocr sets it for all)
        (tmp_path / mode).mkdir()
        shutil.copyfile(FIXTURES / "text" / "clean-2021.md", tmp_path / mode / "a-2021.md")
        (tmp_path / mode / "reportparse.toml").write_text(f'ocr = "{mode}"\n', encoding="utf-8")
    results = reportparse.audit(
        [tmp_path], executor=client.get_executor(), process=telling_its_ocr_mode
    ).collect()
    assert [r.findings[0].message.split("。")[0] for r in results] == ["OCR 方式 always", "OCR 方式 never"]


def test_executor_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reportparse.batch.cluster.CONNECT_S", 2.0)  # nothing listens there
    report = FIXTURES / "text" / "clean-2021.md"
    assert main(["check", str(report), "--executor", "spark://x"]) == 2
    assert (
        capsys.readouterr().err
        == "reportparse check：--executor 应为 dask://主机:端口，而不是「spark://x」\n"
    )
    assert main(["check", str(report), "--executor", "dask://127.0.0.1:9"]) == 2
    assert capsys.readouterr().err.startswith("reportparse check：无法连接 Dask 调度器 dask://127.0.0.1:9：")


def _logged_messages() -> int:
    """The graph messages (each a chunk of files) Dask clients in this process keep in their logs
    of messages sent."""
    gc.collect()
    logs = (o for o in gc.get_objects() if isinstance(o, deque))
    sent = (batch for log in logs for batch in log if isinstance(batch, list))  # sent together
    return sum(1 for batch in sent for m in batch if isinstance(m, dict) and "expr_ser" in m)


def test_the_client_keeps_no_copies_of_the_files_it_sent(tmp_path: Path, cluster: Any) -> None:
    for k in range(6):
        shutil.copyfile(FIXTURES / "text" / "clean-2021.md", tmp_path / f"{k}-2021.md")
    address = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
    before = _logged_messages()
    with reportparse.dask_executor(address) as executor:
        results = reportparse.audit([tmp_path], executor=executor, config_discovery=False).collect()
        assert [r.status for r in results] == ["ok"] * 6
        assert _logged_messages() == before
    # a client made without it keeps the message of every chunk (one here), the files' bytes in it
    with distributed.Client(cluster, set_as_default=False) as plain:
        reportparse.audit([tmp_path], executor=plain.get_executor(), config_discovery=False).collect()
        assert _logged_messages() == before + 1


def test_progress_shows_rate_and_time_left() -> None:
    from reportparse.cli.check import _Progress

    now = [0.0]
    stream = io.StringIO()
    progress = _Progress(stream, clock=lambda: now[0])
    result = FileResult("a/年报.txt", "ok", None, ())
    progress(1, 10, result)
    now[0] = 4.0
    progress(2, 10, result)
    assert stream.getvalue() == (
        "\r\x1b[2K" + "█" * 3 + "░" * 27 + " 1/10 年报.txt"
        "\r\x1b[2K" + "█" * 6 + "░" * 24 + " 2/10 0.5 个/秒 剩余 0:16 年报.txt"
    )


class _Failing(cf.Executor):
    """An executor whose first `failures` tasks fail (as a lost machine's would), then runs tasks
    in this process."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.submitted = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        self.submitted += 1
        future: cf.Future[Any] = cf.Future()
        if self.submitted <= self.failures:
            future.set_exception(OSError("连接中断"))
        else:
            future.set_result(fn(*args, **kwargs))
        return future


def test_a_failed_chunk_is_tried_once_more_then_reported(tmp_path: Path) -> None:
    shutil.copyfile(FIXTURES / "text" / "clean-2021.md", tmp_path / "a-2021.md")
    once = _Failing(1)
    (result,) = reportparse.audit([tmp_path], executor=once).collect()
    assert (result.status, once.submitted) == ("ok", 2)
    twice = _Failing(2)
    (result,) = reportparse.audit([tmp_path], executor=twice).collect()
    assert twice.submitted == 2
    assert [(f.rule, f.message) for f in result.findings] == [
        (
            "EXT-013",
            "处理此文件的远程任务失败两次（OSError: 连接中断）。请将此文件与 reportparse 版本号一并提交问题报告。",
        )
    ]


def test_spilled_reports_give_the_same_outputs(folder: Path) -> None:
    """With spill, the parent keeps each report's bytes in a temporary file, not in memory."""
    kept = reportparse.audit([folder / "text"], jobs=2, json_reports=True, lazy_reports=True).collect()
    spilled = reportparse.audit(
        [folder / "text"], jobs=2, json_reports=True, lazy_reports=True, spill=True
    ).collect()
    packed = [r.parsed for r in spilled if isinstance(r.parsed, PackedReport)]
    assert len(packed) > 10 and all(p.data == b"" and p.json is None and p.stored for p in packed)
    for fmt in ("json", "jsonl", "text", "csv"):
        assert render(fmt, spilled) == render(fmt, kept), fmt
    first = next(r for r in spilled if r.report is not None)
    assert first.report == next(r for r in kept if r.path == first.path).report
