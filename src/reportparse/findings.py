"""The one structured finding record every rule and every renderer shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model import Loc, Report, Severity, json_number

SEVERITY_ORDER: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
SEVERITY_CN: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    cells: tuple[str, ...] = ()
    expected: Any = None
    actual: Any = None
    loc: Loc | None = None
    file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "cells": list(self.cells),
            "expected": json_number(self.expected),
            "actual": json_number(self.actual),
            "loc": self.loc.to_dict() if self.loc else None,
        }


def extraction_findings(report: Report) -> list[Finding]:
    """EXT- findings: the extraction notes that are problems, not repairs."""
    out: list[Finding] = []
    for note in report.extraction_notes:
        if note.rule and note.severity:
            out.append(
                Finding(
                    note.rule,
                    note.severity,
                    note.message,
                    note.cells,
                    loc=note.loc or Loc(file=report.source.path),
                    file=report.source.path,
                )
            )
    return out


@dataclass(frozen=True)
class Unverified:
    """Checks that could not judge all of a table because it was read partly or not at all."""

    scope: str  # the table: active_disclosure | applications | review_litigation
    checks: tuple[str, ...]  # rule ids
    reason: str  # Chinese: which table, what could not be read

    def to_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "checks": list(self.checks), "reason": self.reason}
