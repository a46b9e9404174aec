"""`check --history`: what the batch engine writes to the history store and takes back from it.

Before any work, each file's SHA-256 is looked up: a file the store holds as read by this
reportparse version (same shown path, same bytes) is not parsed again — its stored report is
taken back and only its per-report rules run (they are cheap, and the selection may have
changed since). Every other file is parsed as usual and written to the store by this process as
its result arrives, so an interrupted run keeps what it read. After the cross-report rules, each
report's findings of this run replace the ones stored for it.

Stored reports are pickles; one from a store someone else wrote must not run code, so they are
read back by an unpickler that builds only the report's own dataclasses and plain values.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import io
import pickle
from collections.abc import Sequence
from typing import Any

from ..filenames import readable
from ..history import HistoryError, HistoryStore
from ..model import Report
from ..rules import run_report_rules, unverified
from ..version import __version__
from .onefile import Outcome
from .packing import PackedReport, dumps
from .plan import Task
from .results import FileResult

_ALLOWED = {
    ("decimal", "Decimal"): decimal.Decimal,
    ("datetime", "date"): dt.date,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "set"): set,
}
_MODULES = ("reportparse.model", "reportparse.findings", "reportparse.rules")


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module in _MODULES and not name.startswith("_"):
            found = super().find_class(module, name)
            if isinstance(found, type):  # a dataclass or an enum, never a function
                return found
        raise pickle.UnpicklingError(f"历史库中的数据含不允许的类型 {module}.{name}")


def loads(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()


def load_report(data: bytes) -> Report:
    report = loads(data)
    if not isinstance(report, Report):
        raise pickle.UnpicklingError(f"历史库中的报告数据是 {type(report).__name__}")
    return report


def file_sha256(path: str) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError:
        return None  # let the reader report it
    return h.hexdigest()


class HistoryRun:
    """One run's use of a store: reuse before the work, writes as results arrive and at the end."""

    def __init__(self, store: HistoryStore, version: str | None = None) -> None:
        self.store = store
        self.version = version or __version__
        self.reused: set[str] = set()  # shown paths taken from the store
        self._written: dict[str, int] = {}  # shown path -> number of findings stored on arrival

    def split(self, tasks: Sequence[Task]) -> tuple[list[tuple[Task, Outcome]], list[Task]]:
        """(outcomes from the store, tasks still to run)."""
        done: list[tuple[Task, Outcome]] = []
        rest: list[Task] = []
        for task in tasks:
            shown = readable(task.path)
            sha = file_sha256(task.path)
            data = self.store.reusable(shown, sha, self.version) if sha else None
            report = None
            if data is not None:
                try:
                    report = load_report(data)
                except Exception:  # an unreadable row: parse the file again, and replace the row
                    report = None
            if report is None:
                rest.append(task)
                continue
            self.reused.add(shown)
            findings = tuple(run_report_rules(report, task.selection))
            unchecked = tuple(unverified(report, task.selection))
            done.append((task, Outcome(report, findings, 0.0, unverified=unchecked)))
        return done, rest

    def record(self, result: FileResult) -> None:
        """Write a result as it arrives: a report that was read (not a timeout or a crash)."""
        parsed = result.parsed
        if parsed is None or result.status == "timeout":
            return
        self._written[result.path] = len(result.findings)
        if result.path in self.reused:  # the row is there: only this run's findings are new
            self._set_results(result)
            return
        if isinstance(parsed, PackedReport):
            data, report = parsed.data, parsed.unpack()  # not cached on the result: lazy stays lazy
        else:
            data, report = dumps(parsed), parsed
        self.store.put(
            report,
            version=self.version,
            status=result.status,
            report_blob=data,
            findings=result.findings,
            results_blob=_results_blob(result),
        )

    def finish(self, results: Sequence[FileResult]) -> None:
        """The run's final findings (with the cross-report ones) for every stored report."""
        for r in results:  # the cross-report pass only adds findings: write those it added to
            if r.path in self._written and len(r.findings) != self._written[r.path]:
                self._set_results(r)

    def _set_results(self, result: FileResult) -> None:
        head = result.head
        assert head is not None
        self.store.set_results(
            head,
            version=self.version,
            status=result.status,
            findings=result.findings,
            results_blob=_results_blob(result),
        )


def _results_blob(result: FileResult) -> bytes:
    return dumps((tuple(result.findings), tuple(result.unverified)))


__all__ = ["HistoryError", "HistoryRun", "file_sha256", "load_report", "loads"]
