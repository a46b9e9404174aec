"""Resumable and incremental runs (issue 21): the journal of `check -o` (kill a run, resume it:
the same output, no file processed twice, a torn last record dropped, another command refused)
and the cache folder of `check --cache` (unchanged files not parsed again)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import reportparse
from conftest import FIXTURES
from reportparse.batch import Outcome, ResumeError, Task, journal_path, onefile
from reportparse.batch.journal import Journal, _frame, read_records, tasks_done
from reportparse.cli import main
from reportparse.rules import Selection

RUN = [sys.executable, "-m", "reportparse.cli"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """70 text reports: every text fixture, five times."""
    target = tmp_path_factory.mktemp("reports")
    for k in range(5):
        for f in sorted((FIXTURES / "text").iterdir()):
            if not f.name.endswith(".json"):
                shutil.copyfile(f, target / f"{k}-{f.name}")
    return target


@pytest.fixture(scope="module")
def reference(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The jsonl output of an uninterrupted run."""
    out = tmp_path_factory.mktemp("reference") / "out.jsonl"
    assert (
        main(["check", str(folder), "--no-config", "-q", "-j", "1", "--format", "jsonl", "-o", str(out)]) == 1
    )
    return out.read_bytes()


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths parsed in this process from now on (-j 1 parses here)."""
    seen: list[str] = []
    real = onefile.parse

    def counting(source: str, **kwargs: Any) -> Any:
        seen.append(source)
        return real(source, **kwargs)

    monkeypatch.setattr(onefile, "parse", counting)
    return seen


def _check(folder: Path, out: Path, *extra: str) -> list[str]:
    return ["check", str(folder), "--no-config", "-q", "--format", "jsonl", "-o", str(out), *extra]


def _interrupted(folder: Path, out: Path, sig: signal.Signals, jobs: str) -> subprocess.CompletedProcess[str]:
    """`check` in a child process, sent `sig` once 3 results are in its journal."""
    journal = journal_path(out)
    proc = subprocess.Popen(
        [*RUN, *_check(folder, out, "-j", jobs)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and len(read_records(journal)[0]) > 3:  # the header and 3 results
            break
        time.sleep(0.002)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=30)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def test_killed_run_resumes_with_the_same_output_and_nothing_done_twice(
    folder: Path, reference: bytes, tmp_path: Path, parses: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "审核.jsonl"
    killed = _interrupted(folder, out, signal.SIGKILL, "1")
    assert killed.returncode == -signal.SIGKILL
    assert not out.exists()
    done = tasks_done(journal_path(out))
    assert 3 <= len(done) < 70 and len(set(done)) == len(done)  # stopped mid-run

    # another command (other rules) is refused, and the journal is left as it was
    assert main(_check(folder, out, "-j", "1", "--resume", "--select", "T3")) == 2
    err = capsys.readouterr().err
    assert err.startswith("reportparse check：中断记录属于另一次运行（check ")
    assert err.endswith(
        "），与本次的命令、选项、文件或 reportparse 版本不同，不能续跑；请用原来的命令加 --resume，或去掉 --resume 重新运行\n"
    )
    assert tasks_done(journal_path(out)) == done

    assert main(_check(folder, out, "-j", "1", "--resume")) == 1
    assert out.read_bytes() == reference
    assert sorted(parses) == sorted(set(map(str, folder.iterdir())) - set(done))  # the rest, once each
    assert not journal_path(out).exists()  # the output is written: nothing left to resume


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(folder: Path, reference: bytes, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    stopped = _interrupted(folder, out, signal.SIGINT, "2")
    assert stopped.returncode == 2
    n = len(tasks_done(journal_path(out)))
    assert 3 <= n < 70
    assert stopped.stderr.endswith(
        f"reportparse check：已中断；已完成的 {n} 个文件的结果已保存，用同一命令加 --resume 继续\n"
    )
    assert main(_check(folder, out, "-j", "2", "--resume")) == 1
    assert out.read_bytes() == reference


def test_resume_needs_a_journal_and_an_output_file(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_check(folder, tmp_path / "new.jsonl", "--resume")) == 2
    assert capsys.readouterr().err == (
        "reportparse check：没有找到这个输出文件的中断记录（上次运行已完成，或未用 -o 写入文件）；"
        "请去掉 --resume 重新运行\n"
    )
    assert main(["check", str(folder), "--resume"]) == 2
    assert capsys.readouterr().err == (
        "reportparse check：--resume 需要用 -o 指定输出文件（中断记录按输出文件保存），不能用于标准输入\n"
    )


def _partial(folder: Path, journal: Path, stop_after: int, **options: Any) -> None:
    """A run through the API that stops after `stop_after` results, as an interrupted one."""
    run = reportparse.audit([folder], jobs=1, config_discovery=False, journal=journal, **options)
    for k, _ in enumerate(run, start=1):
        if k == stop_after:
            break
    run._it.close()  # as the end of the process would


def test_torn_last_record_and_changed_files(folder: Path, tmp_path: Path, parses: list[str]) -> None:
    small = tmp_path / "small"
    small.mkdir()
    names = sorted(p.name for p in folder.iterdir())[:6]
    for name in names:
        shutil.copyfile(folder / name, small / name)
    journal = tmp_path / "run.journal"
    _partial(small, journal, 4)
    records, end = read_records(journal)
    assert len(records) == 5 and end == journal.stat().st_size
    with open(journal, "ab") as fh:  # the process was killed in the middle of a record
        fh.write(b"\x00\x00\x10\x00" + b"\x12\x34\x56\x78" + b"torn")
    (small / names[0]).write_bytes((small / names[0]).read_bytes() + b"\n")  # changed since
    parses.clear()

    run = reportparse.audit([small], jobs=1, config_discovery=False, journal=journal, resume=True)
    results = run.collect()
    assert [Path(p).name for p in parses] == [names[0], names[4], names[5]]
    assert [r.path for r in results] == [str(small / n) for n in names]
    assert [Path(p).name for p in tasks_done(journal)] == [*names[:4], names[0], names[4], names[5]]
    assert read_records(journal)[1] == journal.stat().st_size  # the torn bytes are gone

    with pytest.raises(ResumeError, match=r"^中断记录属于另一次运行，与本次的"):
        reportparse.audit([small], config_discovery=False, journal=journal, resume=True, command="other")
    broken = tmp_path / "broken.journal"
    broken.write_bytes(b"\x00\x00\x00\x05\x00\x00\x00\x00hello")
    with pytest.raises(ResumeError, match="已损坏"):
        reportparse.audit([small], config_discovery=False, journal=broken, resume=True)


def test_a_resumed_run_still_lists_the_files_that_are_not_reports(tmp_path: Path, parses: list[str]) -> None:
    """A file looked into and skipped (not a report) is in the journal like a result: a resumed
    run lists it again, without looking into it or reading anything."""
    shutil.copyfile(FIXTURES / "text" / "clean-2021.pasted.txt", tmp_path / "a.txt")
    (tmp_path / "notes.txt").write_text("会议纪要：下周讨论年报的排版。\n", encoding="utf-8")
    journal = tmp_path / "j" / "run.journal"
    first = reportparse.audit([tmp_path], jobs=1, config_discovery=False, journal=journal, command="c")
    assert [Path(r.path).name for r in first.collect()] == ["a.txt"]
    assert len(tasks_done(journal)) == 2 and parses == [str(tmp_path / "a.txt")]
    again = reportparse.audit(
        [tmp_path], jobs=1, config_discovery=False, journal=journal, command="c", resume=True
    )
    assert [Path(r.path).name for r in again.collect()] == ["a.txt"]
    assert again.skipped == first.skipped and [Path(k.path).name for k in again.skipped] == ["notes.txt"]
    assert parses == [str(tmp_path / "a.txt")]  # nothing read again


def test_journal_write_failure_leaves_the_run_going(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal = Journal(tmp_path / "j" / "run.journal", "key", "command")
    journal.start(resume=False)

    def full(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    task = Task(0, str(tmp_path / "a.txt"), Selection(), "error")
    journal.add(task, Outcome(None, (), 0.0))
    assert journal.broken and journal.written == 0


def test_saved_counts_the_whole_records_on_disk(tmp_path: Path) -> None:
    """What an interrupted run says it saved: the records in the file, a torn one not counted,
    whatever the counter says (an interrupt between a write and its count)."""
    path = tmp_path / "run.journal"
    journal = Journal(path, "key", "command")
    journal.start(resume=False)
    assert journal.saved() == 0
    for i, name in enumerate("ab"):
        journal.add(Task(i, str(tmp_path / f"{name}.txt"), Selection(), "error"), Outcome(None, (), 1.0))
    journal.written = 1  # as if the interrupt had landed before the second count
    assert journal.saved() == 2
    os.write(journal._fd, _frame(b"x" * 100)[:50])  # a record cut short by a kill
    assert journal.saved() == 2
    journal.close()
    assert len(tasks_done(path)) == 2


def test_resume_reads_records_where_they_are(tmp_path: Path) -> None:
    """The journal is indexed, not read whole: a record is read back when its outcome is given;
    after a record that cannot be read, no record is trusted (but none is cut off)."""
    path = tmp_path / "run.journal"
    journal = Journal(path, "key", "command")
    journal.start(resume=False)
    a, b = (Task(i, str(tmp_path / f"{n}.txt"), Selection(), "error") for i, n in enumerate("ab"))
    for task in (a, b):
        Path(task.path).write_text(task.path, encoding="utf-8")
    journal.add(a, Outcome(None, (), 1.5))
    os.write(journal._fd, _frame(b"not a pickle"))
    journal.add(b, Outcome(None, (), 2.5))
    journal.close()
    size = path.stat().st_size

    again = Journal(path, "key", "command")
    kept = again.start(resume=True)
    assert list(kept) == [a.path] and path.stat().st_size == size
    done, rest = again.split([a, b], kept)
    assert [t for t, _ in done] == [a] and rest == [b]
    assert [(t, o.seconds) for t, o in again.outcomes(done)] == [(a, 1.5)]
    again.close()


# --- the cache folder ---


def _results(run: Callable[[], Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(r.path, r.status, tuple(f.rule for f in r.findings)) for r in run().collect()]


def test_cache_skips_unchanged_files(folder: Path, tmp_path: Path, parses: list[str]) -> None:
    small = tmp_path / "small"
    small.mkdir()
    for name in sorted(p.name for p in folder.iterdir())[:14]:
        shutil.copyfile(folder / name, small / name)
    cache = tmp_path / "cache"

    def audit(**options: Any) -> Callable[[], Any]:
        return lambda: reportparse.audit([small], jobs=1, config_discovery=False, **options)

    plain = _results(audit())
    parses.clear()
    assert _results(audit(cache=cache)) == plain
    assert len(parses) == 14
    parses.clear()
    assert _results(audit(cache=cache)) == plain  # nothing parsed again
    assert parses == []
    run = audit(cache=cache)()
    next(run)  # a kept outcome is given as it is read: the others are not read yet
    assert run.cache is not None and run.cache.reused == 1
    assert len(run.collect()) == 14 and run.cache.reused == 14
    changed = sorted(small.iterdir())[3]
    changed.write_bytes(changed.read_bytes() + b"\n")
    expected = _results(audit())
    parses.clear()
    assert _results(audit(cache=cache)) == expected
    assert parses == [str(changed)]
    other = Selection(select=("T3",))  # other rules: run again on the kept reports, not parsed
    expected = _results(audit(selection=other))
    assert expected != plain
    parses.clear()
    assert _results(audit(cache=cache, selection=other)) == expected
    assert parses == []


def test_cache_from_the_configuration(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "reportparse.toml").write_text('cache = "缓存"\n', encoding="utf-8")
    shutil.copyfile(folder / sorted(p.name for p in folder.iterdir())[0], tmp_path / "a-2021.txt")
    main(["check", str(tmp_path / "a-2021.txt"), "-q"])
    assert len(list((tmp_path / "缓存").glob("*/*.entry"))) == 1
    (tmp_path / "reportparse.toml").write_text("cache = 3\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check", str(tmp_path / "a-2021.txt"), "-q"]) == 2
    assert capsys.readouterr().err.endswith("中 cache 应为缓存文件夹的路径（字符串）\n")
