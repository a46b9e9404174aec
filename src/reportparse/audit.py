"""The batch engine behind `reportparse check`: audit folders of reports.

Files are found (folders recursed), each is parsed ONCE in a worker process with a time limit,
its per-report rules run there, and the Report comes back with its findings. One bad file never
stops or slows the rest: a reader that hangs is killed with its worker (which is replaced), a
worker that dies takes only its file with it. After every file is in, the cross-report rules
(`rules/batch.py`) run over the reports of each body, and their findings join the later report.

>>> run = reportparse.audit(["reports/"], jobs=2)
>>> for result in run:            # as files finish (per-report findings only)
...     print(result.path, result.status)
>>> run.results                   # afterwards: ordered by path, cross-report findings included

`run.collect()` does both in one call.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import fnmatch
import functools
import gc
import io
import json
import multiprocessing as mp
import operator
import os
import pickle
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Literal

from .config import Config, ConfigError, find_config, load_config
from .extraction import bug_report, internal_error, problem
from .findings import Finding
from .limits import limits
from .model import (
    Cell,
    ExtractionNote,
    LabelMatch,
    Loc,
    Meta,
    Report,
    ReportHead,
    Section,
    Source,
    TableData,
)
from .parse import parse
from .readers.formats import REPORT_SUFFIXES
from .readers.sniff import recognise
from .rules import Selection, at_or_above, load_rules, run_report_rules
from .serialize import report_to_dict

Status = Literal["ok", "findings", "unreadable", "timeout"]
STATUSES: tuple[Status, ...] = ("ok", "findings", "unreadable", "timeout")

# Suffixes never taken from a folder: other office files and media are not reports, and
# sniffing a spreadsheet (a zip, an OLE file) would make it look like one. A report suffix
# (readers/formats.py) is looked up first and wins.
# fmt: off
_OTHER_SUFFIXES = frozenset({
    ".xls", ".xlsx", ".xlsm", ".et", ".ppt", ".pptx", ".dps", ".csv", ".tsv", ".json", ".xml", ".toml",
    ".yaml", ".yml", ".ini", ".cfg", ".log", ".zip", ".rar", ".7z", ".gz", ".bz2", ".xz", ".tar", ".png",
    ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".svg", ".ico", ".mp3", ".mp4", ".avi",
    ".mov", ".wav", ".py", ".pyc", ".js", ".css", ".sh", ".exe", ".dll", ".so", ".ofd", ".db", ".sqlite",
})
# fmt: on

# Test-only: `REPORTPARSE_TEST_SLEEP=<substring of file name>:<seconds>[,…]` makes the worker sleep
# before parsing a matching file, to simulate a reader that never returns. Not for users.
TEST_SLEEP_ENV = "REPORTPARSE_TEST_SLEEP"


class NoInputError(ValueError):
    """No file to check was found; the message says why, in Chinese."""


@dataclass(frozen=True)
class Overrides:
    """Command-line choices that override (select, fail-on) or extend (ignore,
    extend-select) what a configuration file says."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    fail_on: str | None = None

    def apply(self, config: Config) -> tuple[Selection, str]:
        s = config.selection
        selection = Selection(
            select=self.select if self.select is not None else s.select,
            ignore=s.ignore + self.ignore,
            extend_select=s.extend_select + self.extend_select,
            severity=s.severity,
        )
        return selection, self.fail_on or config.fail_on


@dataclass(frozen=True)
class PackedReport:
    """A report as a worker process handed it back: pickled, unpacked on first use.

    Its head answers what the batch rules and the finding-only formats ask of every report, so
    that the parent of `check -j N` does not rebuild (and hold) hundreds of full reports just
    to print their findings; `json`, when the worker was asked for it, is the report's JSON
    text (`report_to_dict`), for the JSON outputs."""

    head: ReportHead
    data: bytes
    json: str | None = None

    def unpack(self) -> Report:
        report = pickle.loads(self.data)
        if not isinstance(report, Report):
            raise TypeError(f"packed report holds {type(report).__name__}")
        return report

    @classmethod
    def pack(cls, report: Report, with_json: bool = False) -> PackedReport:
        return cls(report.head, dumps(report), report_json(report) if with_json else None)


def report_json(report: Report) -> str:
    """The report's object in the JSON outputs, as text (the parse JSON without findings)."""
    return json.dumps(report_to_dict(report), ensure_ascii=False)


@dataclass(frozen=True)
class FileResult:
    """The outcome for one file: its status, the parsed report (None if it timed out or could
    not be handed back) and every finding, EXT- first.

    `parsed` is the Report, or a PackedReport from `audit(..., lazy_reports=True)`; read
    `report` for the Report (unpacked once, on first use) and `head` for its source and
    metadata without unpacking."""

    path: str
    status: Status
    parsed: Report | PackedReport | None
    findings: tuple[Finding, ...]
    seconds: float = 0.0
    fail_on: str = "error"
    selection: Selection = field(default_factory=Selection)

    @property
    def report(self) -> Report | None:
        parsed = self.parsed
        if isinstance(parsed, PackedReport):
            parsed = parsed.unpack()
            object.__setattr__(self, "parsed", parsed)  # a cache: the value stays the same report
        return parsed

    @functools.cached_property
    def head(self) -> ReportHead | None:
        parsed = self.parsed
        if parsed is None:
            return None
        return parsed.head

    @property
    def failed(self) -> bool:
        """Has a finding at or above this file's fail-on level."""
        return at_or_above(self.findings, self.fail_on)

    def counts(self) -> dict[str, int]:
        c = Counter(f.severity for f in self.findings)
        return {s: c.get(s, 0) for s in ("error", "warning", "info")}

    def _shown(self) -> bool:
        return self.parsed is not None and self.status not in ("unreadable", "timeout")

    def to_dict(self) -> dict[str, Any]:
        """The file object of `check --format json|jsonl` (schema/check.schema.json)."""
        report = self.report if self._shown() else None
        return {
            "path": self.path,
            "status": self.status,
            "report": report_to_dict(report) if report is not None else None,
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self) -> str:
        """`json.dumps(self.to_dict(), ensure_ascii=False)`, with the report's part taken as
        a worker wrote it when it did (see PackedReport) instead of rebuilding the report."""
        parsed = self.parsed
        if not self._shown() or parsed is None:
            report = "null"
        elif isinstance(parsed, PackedReport) and parsed.json is not None:
            report = parsed.json
        else:
            report = report_json(self.report) if self.report is not None else "null"
        path, status = json.dumps(self.path, ensure_ascii=False), json.dumps(self.status)
        findings = json.dumps([f.to_dict() for f in self.findings], ensure_ascii=False)
        return f'{{"path": {path}, "status": {status}, "report": {report}, "findings": {findings}}}'


@dataclass(frozen=True)
class Summary:
    files: int
    ok: int
    with_findings: int
    unreadable: int
    timeout: int
    errors: int
    warnings: int
    info: int
    seconds: float = 0.0
    by_rule: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, results: Sequence[FileResult], seconds: float = 0.0) -> Summary:
        status = Counter(r.status for r in results)
        sev = Counter(f.severity for r in results for f in r.findings)
        rules = Counter(f.rule for r in results for f in r.findings)
        return cls(
            files=len(results),
            ok=status["ok"],
            with_findings=status["findings"],
            unreadable=status["unreadable"],
            timeout=status["timeout"],
            errors=sev["error"],
            warnings=sev["warning"],
            info=sev["info"],
            seconds=seconds,
            by_rule=dict(sorted(rules.items())),
        )

    def to_dict(self) -> dict[str, Any]:
        # No timing here: the same input gives the same document.
        return {
            "files": self.files,
            "ok": self.ok,
            "findings": self.with_findings,
            "unreadable": self.unreadable,
            "timeout": self.timeout,
            "errors": self.errors,
            "warnings": self.warnings,
            "info": self.info,
            "by_rule": dict(self.by_rule),
        }

    def line(self) -> str:
        return (
            f"共 {self.files} 个文件：正常 {self.ok}，有问题 {self.with_findings}，"
            f"无法读取 {self.unreadable}，超时 {self.timeout}；"
            f"错误 {self.errors}，警告 {self.warnings}，提示 {self.info}；用时 {self.seconds:.1f} 秒"
        )


# ---------------------------------------------------------------------------- finding files


def _glob_match(rel: str, name: str, globs: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in globs)


# `check --format html` marks its page, so that a page saved among the reports is not taken
# for one on the next run.
GENERATOR_MARK = b'<meta name="generator" content="reportparse'


def _our_page(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return GENERATOR_MARK in fh.read(1024)
    except OSError:
        return False


def _wanted(path: Path, rel: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    name = path.name
    if name.startswith((".", "~$")):  # hidden files, Word's lock files (~$报告.docx)
        return False
    if exclude and _glob_match(rel, name, exclude):
        return False
    if include:
        return _glob_match(rel, name, include)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return not _our_page(path)
    if suffix in REPORT_SUFFIXES:
        return True
    if suffix in _OTHER_SUFFIXES:
        return False
    return recognise(path) is not None


def discover(
    paths: Iterable[str | os.PathLike[str]],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    skip: Iterable[str | os.PathLike[str]] = (),
) -> list[str]:
    """Every file to check, sorted and without duplicates.

    A file named on the command line is always checked (whatever its name: it gets an EXT-
    finding if it is not a report). A folder is recursed, hidden folders skipped; a file in it
    is taken if it has a report suffix or its bytes sniff as PDF/DOCX/ODT/Word/RTF/HTML —
    or, with `include` globs, if it matches one of them instead. `exclude` globs remove files
    and prune folders; globs match the path relative to the folder given, or the bare name.
    """
    found: dict[str, str] = {}
    skipped = {os.path.realpath(p) for p in skip}  # e.g. this run's own output file
    for p in paths:
        root = Path(p)
        if not root.exists():
            raise NoInputError(f"路径不存在：{root}")
        if root.is_file():
            found.setdefault(os.path.realpath(root), str(root))
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            rel_dir = here.relative_to(root).as_posix()
            rel_dir = "" if rel_dir == "." else rel_dir + "/"
            dirnames[:] = sorted(
                d
                for d in dirnames
                if not d.startswith(".") and not (exclude and _glob_match(rel_dir + d, d, exclude))
            )
            for name in sorted(filenames):
                fp = here / name
                real = os.path.realpath(fp)
                if real not in skipped and fp.is_file() and _wanted(fp, rel_dir + name, include, exclude):
                    found.setdefault(real, str(fp))
    return sorted(found.values(), key=_sort_key)


def _sort_key(path: str) -> tuple[str, ...]:
    return Path(path).parts


# ---------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class _Task:
    index: int
    path: str
    selection: Selection
    fail_on: str
    with_json: bool = False  # a worker also writes the report's JSON (PackedReport.json)


def plan(
    files: Sequence[str],
    *,
    selection: Selection | None = None,
    config: Path | None = None,
    config_discovery: bool = True,
    overrides: Overrides | None = None,
) -> list[_Task]:
    """The selection and fail-on level of each file.

    `selection` given: used for every file as is. Otherwise the configuration file `config`, or
    (with `config_discovery`) the nearest `reportparse.toml` / `pyproject.toml` with a
    `[tool.reportparse]` table at or above each file's folder, with `overrides` applied.
    Raises ConfigError for a configuration that cannot be used.
    """
    overrides = overrides or Overrides()
    if selection is not None:
        return [_Task(i, f, selection, overrides.fail_on or "error") for i, f in enumerate(files)]
    loaded: dict[Path | None, tuple[Selection, str]] = {}
    found_in: dict[str, Path | None] = {}

    def settings(source: Path | None) -> tuple[Selection, str]:
        if source not in loaded:
            loaded[source] = overrides.apply(load_config(source))
        return loaded[source]

    tasks: list[_Task] = []
    for i, f in enumerate(files):
        if config is not None:
            source: Path | None = config
        elif config_discovery:
            folder = os.path.dirname(os.path.abspath(f))
            if folder not in found_in:
                found_in[folder] = find_config(Path(folder))
            source = found_in[folder]
        else:
            source = None
        sel, fail_on = settings(source)
        tasks.append(_Task(i, f, sel, fail_on))
    return tasks


# ---------------------------------------------------------------------------- one file


@dataclass(frozen=True)
class _Outcome:
    parsed: Report | PackedReport | None
    findings: tuple[Finding, ...]
    seconds: float
    timed_out: bool = False


def _test_sleep(path: str) -> None:
    spec = os.environ.get(TEST_SLEEP_ENV)
    if not spec:
        return
    name = os.path.basename(path)
    for item in spec.split(","):
        needle, _, seconds = item.rpartition(":")
        if needle and needle in name:
            time.sleep(float(seconds))


def _process(path: str, selection: Selection) -> _Outcome:
    start = time.monotonic()
    try:
        _test_sleep(path)
        report = parse(path)
        findings = tuple(run_report_rules(report, selection))
    except Exception as err:  # parse() guards itself; this is the last resort
        note = internal_error("处理此文件时", err, loc=Loc(file=path))
        return _Outcome(None, (_as_finding(path, note),), time.monotonic() - start)
    return _Outcome(report, findings, time.monotonic() - start)


def _crash_finding(path: str, what: str) -> Finding:
    return _as_finding(path, bug_report(what, loc=Loc(file=path)))


def _as_finding(path: str, note: ExtractionNote) -> Finding:
    return Finding("EXT-013", "error", note.message, loc=note.loc, file=path)


def _timeout_finding(path: str, limit: float) -> Finding:
    note = problem(
        "EXT-003",
        f"处理时间超过 {limit:g} 秒上限，已中止（可用 --timeout 调整）",
        loc=Loc(file=path),
        limit=limit,
    )
    return Finding("EXT-003", "error", note.message, loc=note.loc, file=path, expected=limit)


def status_of(head: ReportHead | None, findings: Sequence[Finding], timed_out: bool = False) -> Status:
    if timed_out:
        return "timeout"
    if head is None or head.empty:
        return "unreadable"  # nothing recognisable was read
    return "findings" if findings else "ok"


def _result(task: _Task, outcome: _Outcome) -> FileResult:
    findings = outcome.findings
    parsed = None if outcome.timed_out else outcome.parsed
    if parsed is None:  # a timeout or crash finding made here: selected like the others
        registry = load_rules()
        sel = task.selection
        findings = tuple(sel.regrade(f) for f in findings if sel.enabled(registry[f.rule]))
    return FileResult(
        path=task.path,
        status=status_of(parsed.head if parsed is not None else None, findings, outcome.timed_out),
        parsed=parsed,
        findings=findings,
        seconds=outcome.seconds,
        fail_on=task.fail_on,
        selection=task.selection,
    )


# ---------------------------------------------------------------------------- running


class _Interrupted(BaseException):
    """Raised by SIGALRM in the in-process runner (-j 1): the file took too long."""


def _run_inline(tasks: Sequence[_Task], timeout: float) -> Iterator[tuple[_Task, _Outcome]]:
    """-j 1: no worker processes. The time limit uses SIGALRM where it can (main thread, POSIX);
    a reader stuck inside a C call is interrupted only when it returns to Python."""
    use_alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def on_alarm(signum: int, frame: object) -> None:
        raise _Interrupted

    for task in tasks:
        start = time.monotonic()
        previous: Any = None
        if use_alarm:
            previous = signal.signal(signal.SIGALRM, on_alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            outcome = _process(task.path, task.selection)
        except _Interrupted:
            outcome = _Outcome(None, (_timeout_finding(task.path, timeout),), time.monotonic() - start, True)
        finally:
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        yield task, outcome


def _worker_main(conn: Connection) -> None:
    """A worker: parse the files it is sent, one at a time, until told to stop."""
    if hasattr(os, "setpgrp"):
        os.setpgrp()  # its own process group: a kill on timeout also ends converters it started
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, path, selection, with_json = task
        outcome = _process(path, selection)
        try:
            if isinstance(outcome.parsed, Report):
                outcome = replace(outcome, parsed=PackedReport.pack(outcome.parsed, with_json))
            data = dumps((index, outcome))
        except Exception as err:  # an unpicklable report: hand back the failure, not nothing
            fallback = _Outcome(None, (_crash_finding(path, f"结果无法传回主进程：{err}"),), outcome.seconds)
            data = dumps((index, fallback))
        try:
            conn.send_bytes(data)
        except (OSError, ValueError):
            return


def _positional(cls: type, names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    get = operator.attrgetter(*names)  # one C call gathers them all (a tuple for 2+ names)
    single = len(names) == 1

    def reduce(obj: Any) -> tuple[Any, ...]:
        return (cls, (get(obj),) if single else get(obj))

    return reduce


def _dataclass_reducers() -> dict[type, Callable[[Any], tuple[Any, ...]]]:
    """Pickle the report dataclasses as constructor calls with positional fields.

    The default (a __dict__ per object, restored by __setstate__) makes the parent spend about
    three times as long unpickling a report's ~600 Loc/Cell objects — serial work that caps the
    speed-up of -j N. Only classes whose every field is an __init__ parameter qualify.
    """
    reducers: dict[type, Callable[[Any], tuple[Any, ...]]] = {}
    classes = (
        Loc,
        Cell,
        LabelMatch,
        Section,
        ExtractionNote,
        Source,
        Meta,
        TableData,
        Report,
        ReportHead,
        PackedReport,
        Finding,
        Selection,
    )
    for cls in classes:
        fields = dataclasses.fields(cls)
        if all(f.init for f in fields) and not hasattr(cls, "__post_init__"):
            reducers[cls] = _positional(cls, tuple(f.name for f in fields))
    return reducers


_REDUCERS = _dataclass_reducers()


def dumps(obj: object) -> bytes:
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, **_REDUCERS}
    pickler.dump(obj)
    return buf.getvalue()


def _context() -> Any:
    """fork on Linux: a worker starts in milliseconds with every module imported, and nothing
    re-imports the caller's script. Elsewhere the platform's default (spawn), which needs the
    usual `if __name__ == "__main__":` guard in scripts that call `audit`."""
    if sys.platform.startswith("linux"):
        return mp.get_context("fork")
    return mp.get_context()


class WorkerStartError(RuntimeError):
    """Worker processes die before finishing a single file: the tool cannot run here."""


class _Worker:
    def __init__(self, ctx: Any) -> None:
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child,), daemon=True, name="reportparse-worker")
        self.proc.start()
        child.close()  # so that the worker's death shows as EOF on our end
        self.conn: Connection = parent
        self.task: _Task | None = None
        self.started = 0.0

    def assign(self, task: _Task) -> None:
        self.task = task
        self.started = time.monotonic()
        self.conn.send((task.index, task.path, task.selection, task.with_json))

    def kill(self) -> None:
        pid = self.proc.pid
        try:
            if pid is not None and hasattr(os, "killpg") and os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)
            else:
                self.proc.kill()
        except (ProcessLookupError, PermissionError):
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.proc.join(1)
        if self.proc.is_alive():
            self.kill()
        else:
            self.conn.close()


# Workers that all die before any file is done mean a broken set-up, not bad files: stop (exit 2)
# rather than report every file as unreadable.
_MAX_EARLY_DEATHS = 3


def _feed(workers: list[_Worker], i: int, queue: deque[_Task], ctx: Any) -> None:
    """Give worker i the next file; a worker that died while idle is replaced first."""
    if not queue:
        return
    try:
        workers[i].assign(queue[0])
    except (OSError, ValueError):
        workers[i].kill()
        workers[i] = _Worker(ctx)
        workers[i].assign(queue[0])
    queue.popleft()


def _start(ctx: Any, n: int) -> list[_Worker]:
    sys.stdout.flush()  # a forked child must not write our buffered output a second time
    sys.stderr.flush()
    return [_Worker(ctx) for _ in range(n)]


def _run_pool(
    tasks: Sequence[_Task], jobs: int, timeout: float, lazy: bool = False
) -> Iterator[tuple[_Task, _Outcome]]:
    ctx = _context()
    queue = deque(tasks)
    # The rule registry is needed here too (cross-report rules, selections): loaded before the
    # fork, the workers share it instead of each importing every rule module again.
    load_rules()
    # Everything alive now (modules, the plan) lives as long as the run: frozen, it is neither
    # copied into forked workers when their collector runs nor scanned again by ours while
    # results arrive.
    gc.freeze()
    workers = _start(ctx, min(jobs, len(tasks)))
    finished = deaths = 0
    try:
        for i in range(len(workers)):
            _feed(workers, i, queue, ctx)
        while True:
            busy = [w for w in workers if w.task is not None]
            if not busy:
                return
            first_deadline = min(w.started for w in busy) + timeout
            ready = set(wait([w.conn for w in busy], timeout=max(0.0, first_deadline - time.monotonic())))
            now = time.monotonic()
            for w in busy:
                task = w.task
                assert task is not None
                i = workers.index(w)
                if w.conn in ready:
                    try:
                        data = w.conn.recv_bytes()
                    except (EOFError, OSError):  # the worker died (segfault, out of memory, killed)
                        w.proc.join(1)
                        deaths += 1
                        if not finished and deaths >= _MAX_EARLY_DEATHS:
                            raise WorkerStartError(
                                f"工作进程未能处理任何文件就退出了 {deaths} 次（退出码 {w.proc.exitcode}），"
                                "请用 -j 1 重试"
                            ) from None
                        what = f"处理此文件的工作进程意外退出（退出码 {w.proc.exitcode}）"
                        outcome = _Outcome(None, (_crash_finding(task.path, what),), now - w.started)
                        w.kill()
                        workers[i] = _Worker(ctx)
                        _feed(workers, i, queue, ctx)
                    else:
                        finished += 1
                        w.task = None
                        _feed(workers, i, queue, ctx)  # it starts its next file while we unpickle
                        try:
                            _, outcome = pickle.loads(data)
                            if not lazy and isinstance(outcome.parsed, PackedReport):
                                outcome = replace(outcome, parsed=outcome.parsed.unpack())
                        except Exception as err:
                            what = f"结果无法在主进程中读取：{type(err).__name__}: {err}"
                            outcome = _Outcome(None, (_crash_finding(task.path, what),), now - w.started)
                    yield task, outcome
                elif now - w.started >= timeout:
                    w.kill()
                    workers[i] = _Worker(ctx)
                    _feed(workers, i, queue, ctx)
                    yield task, _Outcome(None, (_timeout_finding(task.path, timeout),), now - w.started, True)
    finally:
        for w in workers:
            if w.task is not None:
                w.kill()
            else:
                w.stop()
        gc.unfreeze()


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


Progress = Callable[[int, int, "FileResult"], None]


class AuditRun(Iterator[FileResult]):
    """Iterate for per-file results as files finish; then `results` (ordered by path, with the
    cross-report findings) and `summary` are set. `collect()` does both."""

    def __init__(
        self,
        tasks: list[_Task],
        *,
        jobs: int,
        timeout: float,
        batch: bool,
        progress: Progress | None,
        lazy_reports: bool = False,
    ) -> None:
        self.tasks = tasks
        self.lazy_reports = lazy_reports
        self.jobs = jobs
        self.timeout = timeout
        self.batch = batch
        self.progress = progress
        self.results: list[FileResult] = []
        self.summary: Summary | None = None
        self._finished: list[FileResult | None] = [None] * len(tasks)
        self._start = time.monotonic()
        self._it = self._run()

    def __iter__(self) -> AuditRun:
        return self

    def __next__(self) -> FileResult:
        return next(self._it)

    def collect(self) -> list[FileResult]:
        for _ in self:
            pass
        return self.results

    def _run(self) -> Iterator[FileResult]:
        runner = (
            _run_inline(self.tasks, self.timeout)
            if self.jobs <= 1
            else _run_pool(self.tasks, self.jobs, self.timeout, self.lazy_reports)
        )
        for done, (task, outcome) in enumerate(runner, start=1):
            result = _result(task, outcome)
            self._finished[task.index] = result
            if self.progress:
                self.progress(done, len(self.tasks), result)
            yield result
        finished = [r for r in self._finished if r is not None]
        self.results = sorted(
            add_batch_findings(finished) if self.batch else finished, key=lambda r: _sort_key(r.path)
        )
        self.summary = Summary.of(self.results, time.monotonic() - self._start)


def add_batch_findings(results: Sequence[FileResult]) -> list[FileResult]:
    """Run the cross-report rules and attach each finding to the result of the report it names.

    The rules group reports by their heads; only reports that share a body (or, for a rule
    across bodies, a year) with another are unpacked."""
    from .rules.batch import run_batch_rules

    usable = [(r, r.head) for r in results if r.head is not None and r.status in ("ok", "findings")]
    by_path = {h.source.path: r for r, h in usable}
    selections = {path: r.selection for path, r in by_path.items()}

    def load(i: int) -> Report:
        report = usable[i][0].report
        assert report is not None
        return report

    extra = run_batch_rules([h for _, h in usable], selections, load)
    out: list[FileResult] = []
    for r in results:
        head = r.head
        path = head.source.path if head is not None else None
        more = extra.get(path, []) if path is not None and path in by_path else []
        if more:  # after the report's own findings, which stay exactly as `parse` lists them
            findings = (*r.findings, *more)
            r = replace(r, findings=findings, status=status_of(head, findings))
        out.append(r)
    return out


def audit(
    paths: Iterable[str | os.PathLike[str]],
    *,
    jobs: int | None = None,
    timeout: float | None = None,
    selection: Selection | None = None,
    config_discovery: bool = True,
    config: str | os.PathLike[str] | None = None,
    overrides: Overrides | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    skip: Iterable[str | os.PathLike[str]] = (),
    batch: bool = True,
    progress: Progress | None = None,
    lazy_reports: bool = False,
    json_reports: bool = False,
) -> AuditRun:
    """Audit files and folders; see the module docstring.

    jobs: worker processes (default: all cores; 1 runs in this process). timeout: seconds per
    file before its worker is killed (status "timeout", EXT-003). selection: rules for every
    file (default: each file's configuration file, see `plan`). lazy_reports: with worker
    processes, keep each report as it came back (a PackedReport) until its `report` is first
    read — for callers that mostly need findings and `head`, it saves rebuilding every report
    in this process. json_reports: workers also write each report's JSON, which
    `FileResult.to_json` then uses as is (the JSON outputs). Raises NoInputError when no file is
    found and ConfigError for a configuration that cannot be used — before any work.
    """
    if timeout is None:
        timeout = limits().timeout_s
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    files = discover(paths, include, exclude, skip)
    if not files:
        raise NoInputError("未找到要检查的报告文件")
    tasks = plan(
        files,
        selection=selection,
        config=Path(config) if config is not None else None,
        config_discovery=config_discovery,
        overrides=overrides,
    )
    if json_reports:
        tasks = [replace(t, with_json=True) for t in tasks]
    return AuditRun(
        tasks,
        jobs=jobs if jobs and jobs > 0 else default_jobs(),
        timeout=timeout,
        batch=batch,
        progress=progress,
        lazy_reports=lazy_reports,
    )


__all__ = [
    "AuditRun",
    "ConfigError",
    "FileResult",
    "NoInputError",
    "Overrides",
    "PackedReport",
    "Summary",
    "WorkerStartError",
    "audit",
    "discover",
    "plan",
]
