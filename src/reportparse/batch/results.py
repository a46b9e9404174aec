"""What a batch run gives back: one FileResult per file, and a Summary of them all."""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..findings import Finding, Unverified
from ..history import Decision
from ..history.yearly import YearOnYear
from ..model import Report, ReportHead
from ..rules import Selection, at_or_above
from ..serialize import report_to_dict
from .packing import PackedReport, SpilledValue, report_json

Status = Literal["ok", "findings", "unreadable", "timeout"]
STATUSES: tuple[Status, ...] = ("ok", "findings", "unreadable", "timeout")


# json.dumps(…, ensure_ascii=False) makes an encoder per call; a batch's JSON output calls it
# four times a file
_encode = json.JSONEncoder(ensure_ascii=False).encode


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
    # checks that could not judge all of a table (read partly or not at all): a human must look
    unverified: tuple[Unverified, ...] = ()
    baselined: int | None = None  # findings a baseline hid (not in `findings`); None: no baseline
    # with a history store (docs/agency.md): findings a reviewer dismissed for this year — kept
    # out of `findings`, so not counted — and, by index into `findings`, those confirmed for an
    # earlier year that recur
    dismissed: tuple[tuple[Finding, Decision], ...] = ()
    recurring: tuple[tuple[int, Decision], ...] = ()
    # the comparison with the body's report of the year before (batch/yearly.py), when there is
    # one — in a long run's spill (`year_on_year` reads it)
    compared: YearOnYear | SpilledValue | None = None

    @property
    def year_on_year(self) -> YearOnYear | None:
        compared = self.compared
        if isinstance(compared, SpilledValue):
            value = compared.value()
            assert isinstance(value, YearOnYear)
            return value
        return compared

    @property
    def report(self) -> Report | None:
        parsed = self.parsed
        if isinstance(parsed, PackedReport):
            if parsed.stored is not None:  # in a Spill: unpacked when read, never kept here
                return parsed.unpack()
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
            "unverified": [u.to_dict() for u in self.unverified],
            **self._reviewed(),
        }

    def _reviewed(self) -> dict[str, Any]:
        """The keys a review and the year-on-year pass add, present only when there is something to say."""
        out: dict[str, Any] = {}
        if self.dismissed:
            out["dismissed"] = [{**f.to_dict(), "decision": decision_dict(d)} for f, d in self.dismissed]
        if self.recurring:
            out["recurring"] = [{"finding": i, "confirmed": decision_dict(d)} for i, d in self.recurring]
        if self.year_on_year is not None:
            out["year_on_year"] = self.year_on_year.to_dict()
        return out

    def to_json(self) -> str:
        """`json.dumps(self.to_dict(), ensure_ascii=False)`, with the report's part taken as
        a worker wrote it when it did (see PackedReport) instead of rebuilding the report."""
        parsed = self.parsed
        if not self._shown() or parsed is None:
            report = "null"
        elif isinstance(parsed, PackedReport) and (text := parsed.json_text()) is not None:
            report = text
        else:
            report = report_json(self.report) if self.report is not None else "null"
        path, status = _encode(self.path), _encode(self.status)
        findings = _encode([f.to_dict() for f in self.findings]) if self.findings else "[]"
        unverified = _encode([u.to_dict() for u in self.unverified]) if self.unverified else "[]"
        reviewed = "".join(f", {_encode(k)}: {_encode(v)}" for k, v in self._reviewed().items())
        return (
            f'{{"path": {path}, "status": {status}, "report": {report}, "findings": {findings}, '
            f'"unverified": {unverified}{reviewed}}}'
        )


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
    unverified: int = 0  # files with a part not verified
    baselined: int | None = None  # findings hidden by a baseline; None: no baseline used
    dismissed: int = 0  # findings a reviewer dismissed (not counted above)

    @classmethod
    def of(cls, results: Iterable[FileResult], seconds: float = 0.0) -> Summary:
        # one pass: a long run's results are read back from disk for each
        status: Counter[str] = Counter()
        sev: Counter[str] = Counter()
        rules: Counter[str] = Counter()
        files = unverified = dismissed = baselined = 0
        any_baseline = False
        for r in results:
            files += 1
            status[r.status] += 1
            for f in r.findings:
                sev[f.severity] += 1
                rules[f.rule] += 1
            unverified += bool(r.unverified)
            dismissed += len(r.dismissed)
            if r.baselined is not None:
                any_baseline = True
                baselined += r.baselined
        return cls(
            files=files,
            ok=status["ok"],
            with_findings=status["findings"],
            unreadable=status["unreadable"],
            timeout=status["timeout"],
            errors=sev["error"],
            warnings=sev["warning"],
            info=sev["info"],
            seconds=seconds,
            by_rule=dict(sorted(rules.items())),
            unverified=unverified,
            baselined=baselined if any_baseline else None,
            dismissed=dismissed,
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
            "unverified": self.unverified,
            "by_rule": dict(self.by_rule),
            **({"dismissed": self.dismissed} if self.dismissed else {}),
        } | ({"baselined": self.baselined} if self.baselined is not None else {})

    def line(self) -> str:
        return (
            f"共 {self.files} 个文件：正常 {self.ok}，有问题 {self.with_findings}，"
            f"无法读取 {self.unreadable}，超时 {self.timeout}"
            + (f"，部分未核对 {self.unverified}" if self.unverified else "")
            + "；"
            f"错误 {self.errors}，警告 {self.warnings}，提示 {self.info}"
            + (f"（另有复核排除 {self.dismissed}）" if self.dismissed else "")
            + (f"；基线已记录的问题 {self.baselined} 条未显示" if self.baselined else "")
            + f"；用时 {self.seconds:.1f} 秒"
        )


def decision_dict(d: Decision) -> dict[str, Any]:
    return {
        "year": d.year,
        "decision": d.decision,
        "reason": d.reason,
        "who": d.who,
        "decided_at": d.decided_at,
    }


def status_of(head: ReportHead | None, findings: Sequence[Finding], timed_out: bool = False) -> Status:
    if timed_out:
        return "timeout"
    if head is None or head.empty:
        return "unreadable"  # nothing recognisable was read
    # a hint (提示) alone leaves a report 正常: the status says whether it needs correcting
    return "findings" if any(f.severity != "info" for f in findings) else "ok"
