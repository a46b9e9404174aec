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

The steps, one module each: `discover` (which files), `plan` (which rules for each), `onefile`
(one file's work), `pool` (where it runs: this process or worker processes), `packing` (reports
sent back by workers), `shelf` (a long run's results, on disk), `crossreport` (the cross-report
pass), `results` (FileResult, Summary). Here: the run.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import ConfigError
from ..filenames import readable
from ..history import HistoryError, HistoryStore, body_name
from ..limits import limits
from ..readers.ocr import ocr_mode
from ..roster import Roster, RosterError, load_roster
from ..rules import Selection, load_rules
from .baseline import Baseline, BaselineError
from .cache import Cache
from .coverage import Coverage, apply_roster, audit_year
from .crossreport import add_batch_findings, add_in_place
from .discover import GENERATOR_MARK, NoInputError, Skipped, discover, sort_key
from .journal import Journal, ResumeError, journal_path, recorded, run_key
from .onefile import Outcome, ProcessFile, process_file
from .packing import PackedReport, Spill
from .peek import NOT_A_REPORT
from .plan import Configs, Overrides, Task, plan
from .pool import Runner, WorkerStartError, default_jobs, run_inline, run_pool
from .remote import Ship, executor_runner
from .results import STATUSES, FileResult, Status, Summary, status_of
from .shelf import Shelf
from .stored import HistoryRun
from .timeline import Timeline, record_coverage, timeline
from .wire import packed

if TYPE_CHECKING:
    import pandas as pd

# --- one run ---


def _result(task: Task, outcome: Outcome, spill: Spill | None = None) -> FileResult:
    """A file's result; with `spill`, its packed report moved there."""
    findings = outcome.findings
    parsed = None if outcome.timed_out else outcome.parsed
    if spill is not None and isinstance(parsed, PackedReport):
        parsed = parsed.spilled(spill)
    if parsed is None:  # a timeout or crash finding made here: selected like the others
        registry = load_rules()
        sel = task.selection
        findings = tuple(sel.regrade(f) for f in findings if sel.enabled(registry[f.rule]))
    return FileResult(
        path=readable(task.path),
        status=status_of(parsed.head if parsed is not None else None, findings, outcome.timed_out),
        parsed=parsed,
        findings=findings,
        seconds=outcome.seconds,
        fail_on=task.fail_on,
        selection=task.selection,
        unverified=() if parsed is None else outcome.unverified,
    )


def _found(
    tasks: Sequence[Task], find: Callable[[Task], Outcome | None], rest: list[Task]
) -> Iterator[tuple[Task, Outcome]]:
    """The outcomes `find` has, as it finds them (a re-run over thousands of unchanged files
    holds none of them here); the tasks it has not, in `rest`."""
    for task in tasks:
        outcome = find(task)
        if outcome is None:
            rest.append(task)
        else:
            yield task, outcome


def _each(results: Sequence[FileResult], change: Callable[[FileResult], FileResult]) -> Sequence[FileResult]:
    """Every result changed: a long run's Shelf in place (its results stay on disk), else a list."""
    if isinstance(results, Shelf):
        for i in range(len(results)):
            r = results[i]
            if (changed := change(r)) is not r:
                results[i] = changed
        return results
    return [change(r) for r in results]


Progress = Callable[[int, int, FileResult], None]


class AuditRun(Iterator[FileResult]):
    """Iterate for per-file results as files finish; then `results` (ordered by path, with the
    cross-report findings) and `summary` are set. `collect()` does both."""

    def __init__(
        self,
        tasks: list[Task],
        *,
        jobs: int,
        timeout: float,
        batch: bool,
        progress: Progress | None,
        lazy_reports: bool = False,
        process: ProcessFile = process_file,
        runner: Runner | None = None,
        skipped: Sequence[Skipped] = (),
        excluded: int = 0,
        baseline: Baseline | None = None,
        write_baseline: bool = False,
        spill: bool = False,
        history: HistoryRun | None = None,
        close_history: bool = False,
        roster: Roster | None = None,
        roster_year: int | None = None,
        deadlines: Sequence[tuple[str, tuple[int, int]]] = (),
        cache: Cache | None = None,
        journal: Journal | None = None,
        resume: bool = False,
    ) -> None:
        self.tasks = tasks
        self.cache = cache  # check --cache: files read before, unchanged, are not parsed again
        # check -o FILE: each outcome written to a journal as it arrives (--resume reads it back)
        self.journal = journal
        self._kept = journal.start(resume) if journal is not None else {}
        # with write_baseline, replaced at the end by the baseline that records this run
        self.baseline = baseline
        self.write_baseline = write_baseline
        self.history = history  # the store written as results arrive (check --history)
        self._close_history = close_history
        self.roster = roster  # check --roster: the coverage audit, set as `coverage` at the end
        self.roster_year = roster_year
        self.deadlines = tuple(deadlines)  # the configuration's local deadlines (config.Config.deadlines)
        self.coverage: Coverage | None = None
        self.timeline: Timeline | None = None  # with a history store: the batch's bodies across years
        # paths met in folders and not checked, with the reason; at the end of the run, with the
        # files that turned out not to look like reports (`Task.peek`) among them
        self.skipped = tuple(skipped)
        self.excluded = excluded  # paths named but dropped by force-exclude
        self.lazy_reports = lazy_reports
        self.process = process
        self.runner = runner
        self.jobs = jobs
        self.timeout = timeout
        self.batch = batch
        self.progress = progress
        # in a long run with spill, on disk (a Shelf): iterate it, or index it, rather than hold a copy
        self.results: Sequence[FileResult] = []
        self.summary: Summary | None = None
        self._spill = Spill() if spill and lazy_reports else None
        self._start = time.monotonic()
        self._it = self._run()

    def __iter__(self) -> AuditRun:
        return self

    def __next__(self) -> FileResult:
        return next(self._it)

    def collect(self) -> Sequence[FileResult]:
        for _ in self:
            pass
        return self.results

    def findings_frame(self) -> pd.DataFrame:
        """Every finding of the run (run to its end first) as a pandas DataFrame, one row each:
        file, body, year, rule, severity (错误/警告/提示), severity_id, message, cells (by their
        printed labels), cell_ids, expected, actual, location. Needs `reportparse[pandas]`."""
        from ..render.notebook import findings_frame  # pandas: at call time

        return findings_frame(self.collect())

    def cells_frame(self) -> pd.DataFrame:
        """Every table cell of every readable report of the run as a pandas DataFrame, one row
        each: file, body, year, table, row, column (printed labels), table_id, row_id,
        column_id, raw, kind, value (NA for blank and dash, never 0). Needs `reportparse[pandas]`."""
        from ..render.notebook import cells_frame  # pandas: at call time

        return cells_frame(self.collect())

    def _outcomes(self) -> Iterator[tuple[Task, Outcome]]:
        tasks: Sequence[Task] = self.tasks
        if self.journal is None:
            yield from self._fresh(tasks)
            return
        done, tasks = self.journal.split(tasks, self._kept)
        self._kept = {}
        yield from self.journal.outcomes(done)
        for task, outcome in recorded(self._fresh(tasks, lazy=True), self.journal):
            if not self.lazy_reports and isinstance(outcome.parsed, PackedReport):  # packed for the journal
                outcome = replace(outcome, parsed=outcome.parsed.unpack())
            yield task, outcome

    def _fresh(self, tasks: Sequence[Task], lazy: bool = False) -> Iterator[tuple[Task, Outcome]]:
        """The outcomes of files not in the journal: from the history store, the cache, else the
        runner. lazy: reports packed as the workers sent them, whatever `lazy_reports` says."""
        pack = lazy or self._spill is not None  # -j 1 gives reports unpacked: packed once, here
        for source in (self.history, self.cache):
            if source is not None:  # files it holds as this version read them, one at a time
                rest: list[Task] = []
                for task, outcome in _found(tasks, source.find, rest):
                    yield task, packed(outcome, task.with_json) if pack else outcome
                tasks = rest
        if not tasks:
            return
        outcomes: Iterator[tuple[Task, Outcome]]
        if self.runner is not None:
            outcomes = self.runner(tasks, self.process)
        elif self.jobs <= 1:
            outcomes = run_inline(tasks, self.process, timeout=self.timeout)
        else:
            outcomes = run_pool(
                tasks, self.process, jobs=self.jobs, timeout=self.timeout, lazy=self.lazy_reports or lazy
            )
        for task, outcome in outcomes:
            if pack:
                outcome = packed(outcome, task.with_json)
            if self.cache is not None:
                self.cache.record(task, outcome)
            yield task, outcome

    def _coverage(
        self, results: Sequence[FileResult], roster: Roster
    ) -> tuple[Callable[[FileResult], FileResult], Coverage]:
        year = audit_year(results, self.roster_year) or dt.date.today().year - 1
        key_of = self.history.store.body_of if self.history is not None else body_name
        fail_on = self.tasks[0].fail_on if self.tasks else "error"
        return apply_roster(results, roster, year, key_of, fail_on=fail_on, deadlines=self.deadlines)

    def _run(self) -> Iterator[FileResult]:
        finished = Shelf(self._spill)  # as they arrive
        not_reports: list[Skipped] = []
        try:
            for done, (task, outcome) in enumerate(self._outcomes(), start=1):
                if outcome.skipped is not None:  # looked into by its worker: not a report
                    not_reports.append(Skipped(readable(task.path), outcome.skipped))
                    continue
                if self.history is None:
                    result = _result(task, outcome, self._spill)
                else:  # the store takes the packed bytes before the spill does
                    result = _result(task, outcome)
                    self.history.record(result)
                    if self._spill is not None and isinstance(result.parsed, PackedReport):
                        result = replace(result, parsed=result.parsed.spilled(self._spill))
                finished.append(result)
                if self.progress:
                    self.progress(done, len(self.tasks), result)
                yield result
            if self.batch:
                add_in_place(finished, self.history, self._spill)
            finished.reorder(sorted(range(len(finished)), key=lambda i: sort_key(finished.paths[i])))
            results: Sequence[FileResult] = finished
            if self.roster is not None:
                add_coverage, self.coverage = self._coverage(results, self.roster)
                results = _each(results, add_coverage)
            if self.baseline is not None:
                if self.write_baseline:
                    self.baseline = self.baseline.recorded(results)
                results = _each(results, self.baseline.hider())
            self.results = results
            if self.history is not None:
                self.history.finish(self.results)  # every finding, the dismissed ones included
                review = self.history.reviewer()
                if review is not None:
                    self.results = _each(self.results, review)
                if self.coverage is not None:  # a body with no report has a history too
                    record_coverage(self.history.store, self.coverage)
                self.timeline = timeline(self.history.store, self.results, self.coverage)
        finally:
            if not_reports:
                self.skipped = tuple(sorted((*self.skipped, *not_reports), key=lambda k: sort_key(k.path)))
            if self.journal is not None:  # complete or interrupted: what arrived is on disk
                self.journal.sync()
                self.journal.close()
            if self.history is not None and self._close_history:
                self.history.store.close()
        self.summary = Summary.of(self.results, time.monotonic() - self._start)
        if self.tasks and not self.results and not self.excluded:  # none of the files is a report
            if self.journal is not None:  # nothing to resume: the run is over
                self.journal.remove()
            raise NoInputError("未找到要检查的报告文件" + _not_reports(self.skipped))


# --- entry point ---


def _not_reports(skipped: Sequence[Skipped]) -> str:
    """What the 未找到 message adds: how many files were skipped as not reports, if any."""
    n = sum(1 for s in skipped if s.reason.startswith(NOT_A_REPORT))
    return f"（跳过 {n} 个内容不像年度报告的文件）" if n else ""


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
    force_exclude: bool = False,
    skip: Iterable[str | os.PathLike[str]] = (),
    baseline: Baseline | None = None,
    write_baseline: bool = False,
    batch: bool = True,
    progress: Progress | None = None,
    lazy_reports: bool = False,
    json_reports: bool = False,
    process: ProcessFile = process_file,
    runner: Runner | None = None,
    executor: cf.Executor | None = None,
    ship: Ship = "bytes",
    spill: bool = False,
    history: str | os.PathLike[str] | HistoryStore | None = None,
    roster: str | os.PathLike[str] | Roster | None = None,
    roster_year: int | None = None,
    ocr: str | None = None,
    cache: str | os.PathLike[str] | None = None,
    journal: str | os.PathLike[str] | None = None,
    resume: bool = False,
    command: str = "",
) -> AuditRun:
    """Audit files and folders; see the module docstring.

    ocr: never, auto or always for every file (default: each file's configuration file, else
    auto; docs/formats/ocr.md). jobs: worker processes (default: all cores; 1 runs in this process). timeout: seconds per
    file before its worker is killed (status "timeout", EXT-003). selection: rules for every
    file (default: each file's configuration file, see `plan`). lazy_reports: with worker
    processes, keep each report as it came back (a PackedReport) until its `report` is first
    read — for callers that mostly need findings and `head`, it saves rebuilding every report
    in this process. json_reports: workers also write each report's JSON, which
    `FileResult.to_json` then uses as is (the JSON outputs). process: what is done to each
    file (default `process_file`: parse, per-report rules); a module-level function, since worker
    processes may be started with spawn. runner: where it is done (default: this process for
    jobs=1, else `jobs` worker processes with the time limit; see `pool.Runner`). executor: run
    the files on this `concurrent.futures.Executor` instead — a Dask cluster's
    (`reportparse.dask_executor("dask://host:port")`, or your own client's `get_executor()`,
    made under `cluster.NO_MESSAGE_LOG` for a long run) — in chunks, each file with the same time limit
    and isolation on the executor's worker; ship: send the files' bytes ("bytes") or only their
    paths, for workers that see the same storage ("path"); see `remote.py`. spill (with
    lazy_reports): keep the packed reports in a temporary file, not in memory, until a renderer
    reads them — the parent's memory stays flat in a long run. include/exclude/force_exclude:
    see `discover` (the configuration's exclusions apply too). baseline: hide the findings it
    records (`baseline.py`); with write_baseline, record this run's findings in it first
    (`run.baseline` is then the new baseline, for the caller to write). history: a history
    store (a path or an open `HistoryStore`; default: the `history` of the files'
    configuration) that every report read is written to, and that gives back, without parsing,
    a file it holds as this version read it (docs/agency.md). Raises NoInputError when no file
    is found, ConfigError for a configuration that cannot be used and HistoryError for a store
    that cannot be used — before any work. A file found in a folder whose name does not say it
    is a report is looked into by the worker that reads it: if it does not look like one, it
    gives no result and is listed in `run.skipped` once the run has ended; when none of the
    files is a report, the run raises NoInputError at its end (`run.skipped` says why).
    roster: a roster of bodies (a CSV/XLSX path or a `Roster`) that turns the run into a
    coverage audit of `roster_year` (default: the most common report year of the batch); the run's `coverage` is then set at its end, and a
    roster that cannot be used raises RosterError before any work. cache: a folder where every
    file read is kept by the SHA-256 of its bytes, its name, the version and the OCR mode; a file
    found there is not parsed again (`cache.py`; default: the `cache` of the files'
    configuration, else none). journal: a file that every outcome is appended to as it arrives
    (`journal.py`), under a key made of `command` (the caller's options, as text) and the planned
    files; with resume, the outcomes it holds for unchanged files are taken back instead of
    processed again (ResumeError, before any work, when there is no journal or it is another
    run's). The caller removes it once the run's output is safe (`run.journal.remove()`).
    """
    if timeout is None:
        timeout = limits().timeout_s
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    if ocr is not None:
        ocr_mode(ocr)  # an unknown mode fails here, before any work
        overrides = replace(overrides or Overrides(), ocr=ocr)
    configs = Configs(Path(config) if config is not None else None, config_discovery)
    jobs = jobs if jobs and jobs > 0 else default_jobs()
    # files that are reports only if they look like one are looked into by the worker that
    # reads them, not here first (`Task.peek`)
    files = discover(
        paths, include, exclude, skip, config_for=configs, force_exclude=force_exclude, peek=False
    )
    if not files and not files.excluded:
        raise NoInputError("未找到要检查的报告文件" + _not_reports(files.skipped))
    tasks = plan(files, selection=selection, overrides=overrides, configs=configs, unsure=files.unsure)
    if json_reports:
        tasks = [replace(t, with_json=True) for t in tasks]
    if executor is not None and runner is None:
        lazy = lazy_reports or journal is not None  # the journal keeps reports packed
        runner = executor_runner(executor, timeout=timeout, lazy=lazy, ship=ship)
    if cache is None:
        cache = _configured_cache(tasks)
    if resume and journal is None:
        raise ResumeError("续跑需要中断记录（journal）")
    if roster is not None and not isinstance(roster, Roster):
        roster = load_roster(Path(roster))
    store, opened = _history_store(history, tasks)
    if store is not None and isinstance(roster, Roster):  # a roster's 别名 join bodies across years too
        store.add_run_aliases({a: e.body for e in roster.entries for a in e.aliases})
    return AuditRun(
        tasks,
        jobs=jobs,
        timeout=timeout,
        batch=batch,
        progress=progress,
        lazy_reports=lazy_reports,
        process=process,
        runner=runner,
        skipped=files.skipped,
        excluded=files.excluded,
        baseline=baseline,
        write_baseline=write_baseline,
        spill=spill,
        history=HistoryRun(store) if store is not None else None,
        close_history=opened,
        roster=roster,
        roster_year=roster_year,
        # the local deadlines of the configuration that applies where the roster is
        deadlines=configs(Path(roster.path).resolve().parent).deadlines if isinstance(roster, Roster) else (),
        cache=Cache(cache) if cache is not None else None,
        journal=Journal(Path(journal), run_key(tasks, command), command) if journal is not None else None,
        resume=resume,
    )


def _configured_cache(tasks: Sequence[Task]) -> Path | None:
    """The cache folder the files' configuration names (`cache = "…"`), if one."""
    named = sorted({t.cache for t in tasks if t.cache is not None})
    if len(named) > 1:
        raise ConfigError(
            "本次检查的文件的配置文件指定了不同的缓存文件夹（" + "、".join(map(str, named)) + "），"
            "请用 --cache 指定一个"
        )
    return named[0] if named else None


def _history_store(
    history: str | os.PathLike[str] | HistoryStore | None, tasks: Sequence[Task]
) -> tuple[HistoryStore | None, bool]:
    """The store of this run and whether it was opened here (and is closed at its end)."""
    if isinstance(history, HistoryStore):
        return history, False
    if history is None:
        named = sorted({t.history for t in tasks if t.history is not None})
        if len(named) > 1:
            raise ConfigError(
                "本次检查的文件的配置文件指定了不同的历史库（" + "、".join(map(str, named)) + "），"
                "请用 --history 指定一个"
            )
        if not named:
            return None, False
        history = named[0]
    return HistoryStore(Path(history)), True


__all__ = [
    "GENERATOR_MARK",
    "STATUSES",
    "AuditRun",
    "Baseline",
    "BaselineError",
    "Cache",
    "ConfigError",
    "Coverage",
    "FileResult",
    "HistoryError",
    "HistoryRun",
    "HistoryStore",
    "NoInputError",
    "Outcome",
    "Overrides",
    "PackedReport",
    "ProcessFile",
    "ResumeError",
    "Roster",
    "RosterError",
    "Runner",
    "Skipped",
    "Status",
    "Summary",
    "Task",
    "WorkerStartError",
    "add_batch_findings",
    "audit",
    "default_jobs",
    "discover",
    "journal_path",
    "plan",
    "process_file",
    "status_of",
]
