"""`check --history`: what the batch engine writes to the history store and takes back from it.

Before any work, each file's SHA-256 is looked up: a file the store holds as read by this
reportparse version (same shown path, same bytes) is not parsed again. With the same rule
selection as when it was read, its per-report findings are taken back as they are and the
report itself is unpacked only if a cross-report rule or the output format reads it; with
another selection, the stored report is unpacked and the per-report rules run on it. Every other file is parsed as usual and written to the store by this process as
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..filenames import readable
from ..findings import Finding
from ..history import Decision, HistoryError, HistoryStore, decisions, recurring, subject
from ..model import Report, ReportHead
from ..rules import run_report_rules, unverified
from ..rules.batch import Member
from ..version import __version__
from .onefile import Outcome
from .packing import PackedReport, dumps
from .plan import Task
from .results import FileResult, status_of

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


@dataclass(frozen=True)
class StoredPacked(PackedReport):
    """A report from the store, unpacked (by the allow-list unpickler) only when first read."""

    def spilled(self, spill: Any) -> PackedReport:
        return self  # its bytes are a row of the store; a spilled copy would unpickle them freely

    def unpack(self) -> Report:
        try:
            return load_report(self.data)
        except Exception as err:
            raise HistoryError(
                f"历史库中 {self.head.source.path} 的报告数据无法读回（{err}）；"
                "请不用 --history 重新检查，或换一个新的历史库"
            ) from None


class HistoryRun:
    """One run's use of a store: reuse before the work, writes as results arrive and at the end."""

    def __init__(self, store: HistoryStore, version: str | None = None) -> None:
        self.store = store
        self.version = version or __version__
        self.reused: set[str] = set()  # shown paths taken from the store

    def find(self, task: Task) -> Outcome | None:
        """The file's outcome if the store holds it as this version read it (`reused` names it)."""
        outcome = self._stored(task)
        if outcome is not None:
            self.reused.add(readable(task.path))
        return outcome

    def _stored(self, task: Task) -> Outcome | None:
        shown = readable(task.path)
        sha = file_sha256(task.path)
        own = self.store.reusable(shown, sha, self.version) if sha else None
        data = self.store.report_blob(shown, sha, self.version) if sha and own else None
        if own is None or data is None:
            return None
        try:
            selection, head, findings, unchecked = loads(own)
            if not isinstance(head, ReportHead) or not all(isinstance(f, Finding) for f in findings):
                return None
            if selection == task.selection:  # the same rules: their findings stand, nothing is unpacked
                return Outcome(StoredPacked(head, data), tuple(findings), 0.0, unverified=tuple(unchecked))
            report = load_report(data)  # other rules chosen since: run them (parsing is what is saved)
        except Exception:
            return None
        findings = tuple(run_report_rules(report, task.selection))
        return Outcome(report, findings, 0.0, unverified=tuple(unverified(report, task.selection)))

    def earlier_reports(self, reports: Sequence[Member]) -> list[Report]:
        """For each body and year of this batch whose report for the year before is not in it,
        that report from the store (the most recently read one), its path saying where it came
        from — a finding that compares with it names it so."""
        in_batch = {(m.body, m.year) for m in reports}  # bodies named through the store's aliases
        paths = {m.path for m in reports}
        out: list[Report] = []
        for body, year in sorted(k for k in in_batch if k[0] is not None and k[1] is not None):
            assert body is not None and year is not None
            if (body, year - 1) in in_batch:
                continue
            found = self.store.report_of(body, year - 1, exclude=paths)
            if found is None:
                continue
            path, data = found
            try:
                report = load_report(data)
            except Exception:
                continue
            where = f"{path}，取自历史库 {self.store.path.name}"
            out.append(replace(report, source=replace(report.source, path=where)))
            in_batch.add((body, year - 1))
        return out

    def record(self, result: FileResult) -> None:
        """Write a result as it arrives: a report that was read (not a timeout or a crash), with
        what its reading gave (per-report findings and the selection they were found with)."""
        parsed = result.parsed
        if parsed is None or result.status == "timeout" or result.path in self.reused:
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
            own=dumps((result.selection, report.head, tuple(result.findings), tuple(result.unverified))),
            findings=result.findings,
            results_blob=_results_blob(result),
        )

    def finish(self, results: Sequence[FileResult]) -> None:
        """The run's final findings (the cross-report ones included) for every stored report."""
        runs = (
            (r.head, r.status, r.findings, _results_blob(r))
            for r in results
            if r.head is not None and r.parsed is not None and r.status != "timeout"
        )
        self.store.set_results(self.version, runs)

    def apply_reviews(self, results: Sequence[FileResult]) -> list[FileResult]:
        """Findings dismissed for their report's year leave `findings` for `dismissed` (not
        counted, the status and exit code judged without them); findings confirmed for an earlier
        year are marked as recurring."""
        review = self.reviewer()
        return list(results) if review is None else [review(r) for r in results]

    def reviewer(self) -> Callable[[FileResult], FileResult] | None:
        """`apply_reviews` a result at a time; None when the store holds no decision."""
        book = decisions(self.store)
        if not book:
            return None

        def review(r: FileResult) -> FileResult:
            head = r.head
            if head is None or not r.findings:
                return r
            about = subject(self.store.body_of(head.meta.organization), head.source.path)
            year = head.meta.year or 0
            kept: list[Finding] = []
            dismissed: list[tuple[Finding, Decision]] = []
            again: list[tuple[int, Decision]] = []
            for f in r.findings:
                fp = f.fingerprint(about)
                d = book.get((fp, year))
                if d is not None and d.decision == "dismissed":
                    dismissed.append((f, d))
                    continue
                earlier = recurring(fp, year, book)
                if earlier is not None:
                    again.append((len(kept), earlier))
                kept.append(f)
            if not dismissed and not again:
                return r
            return replace(
                r,
                findings=tuple(kept),
                status=status_of(head, kept) if r.status in ("ok", "findings") else r.status,
                dismissed=tuple(dismissed),
                recurring=tuple(again),
            )

        return review


def _results_blob(result: FileResult) -> bytes:
    return dumps((tuple(result.findings), tuple(result.unverified)))


__all__ = ["HistoryError", "HistoryRun", "file_sha256", "load_report", "loads"]
