"""One file's work: parse it and run its per-report rules, never raising.

`process_file` is what a runner (`pool.py`) calls for each file; another function of the same
shape (`ProcessFile`) can take its place. A runner hands it to worker processes, so it must be
a module-level function: where workers are started with spawn, it is pickled by name.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..extract.parse import parse
from ..extraction import bug_report, internal_error, problem
from ..filenames import readable
from ..findings import Finding, Unverified
from ..limits import limits
from ..model import ExtractionNote, Loc, Report
from ..rules import Selection, run_report_rules, unverified
from .packing import PackedReport


@dataclass(frozen=True)
class Outcome:
    """What became of one file: its report (None after a crash or timeout) and its findings."""

    parsed: Report | PackedReport | None
    findings: tuple[Finding, ...]
    seconds: float
    timed_out: bool = False
    unverified: tuple[Unverified, ...] = ()
    # the journal record a worker sent it as (`wire.record`): written to the journal as is
    record: bytes | None = field(default=None, compare=False, repr=False)
    # not read: it does not look like a report (`Task.peek`), and why (Chinese)
    skipped: str | None = None


# (path, selection) -> Outcome; called with `ocr=` too when a mode was chosen (--ocr, `ocr` in
# reportparse.toml)
ProcessFile = Callable[..., Outcome]


def process_file(
    path: str, selection: Selection, shown: str | None = None, ocr: str | None = None
) -> Outcome:
    """`shown`: the name the report goes by when it is not its path (standard input). `ocr`:
    never, auto or always (None: REPORTPARSE_OCR, else auto)."""
    start = time.monotonic()
    try:
        report = parse(path, path=shown or readable(path), ocr=ocr)
        findings = tuple(run_report_rules(report, selection))
        unchecked = tuple(unverified(report, selection))
    except MemoryError:
        note = problem(
            "EXT-003",
            f"处理此文件时内存不足（每个进程上限 {limits().max_worker_memory_mb:g} MB，"
            "可用环境变量 REPORTPARSE_MAX_WORKER_MEMORY_MB 调整）",
            loc=Loc(file=readable(path)),
        )
        return Outcome(
            None,
            (Finding("EXT-003", "error", note.message, loc=note.loc, file=readable(path)),),
            time.monotonic() - start,
        )
    except Exception as err:  # parse() guards itself; this is the last resort
        note = internal_error("处理此文件时", err, loc=Loc(file=readable(path)))
        return Outcome(None, (_as_finding(path, note),), time.monotonic() - start)
    return Outcome(report, findings, time.monotonic() - start, unverified=unchecked)


def crash_finding(path: str, what: str) -> Finding:
    """EXT-013 for a file whose work failed outside `process_file` (its worker died, …)."""
    return _as_finding(path, bug_report(what, loc=Loc(file=readable(path))))


def _as_finding(path: str, note: ExtractionNote) -> Finding:
    return Finding("EXT-013", "error", note.message, loc=note.loc, file=readable(path))


def timeout_finding(path: str, limit: float) -> Finding:
    note = problem(
        "EXT-003",
        f"处理时间超过 {limit:g} 秒上限，已中止（可用 --timeout 调整）",
        loc=Loc(file=readable(path)),
        limit=limit,
    )
    return Finding("EXT-003", "error", note.message, loc=note.loc, file=readable(path), expected=limit)
