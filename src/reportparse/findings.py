"""The one structured finding record every rule and every renderer shares."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from .model import Loc, Report, Severity, json_number

SEVERITY_ORDER: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
SEVERITY_CN: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}
_NUMBER_RE = re.compile(r"[+-]?\d+(?:\.\d+)?")


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

    def fingerprint(self, subject: str) -> str:
        """This finding's stable key about ``subject`` (a file's shown path, or a body and year).

        The same problem keeps its key across runs and re-parses: line numbers, pages and the
        numbers inside the message and quote are left out, so an edit elsewhere in the file or a
        changed figure in the same cell does not make an old finding look new. SARIF's
        partialFingerprints, baselines and review decisions all use this one key.
        """
        quote = self.loc.quote if self.loc and self.loc.quote else ""
        parts = (self.rule, subject, ",".join(self.cells), _NUMBER_RE.sub("#", quote))
        stable = "\x1f".join((*parts, _NUMBER_RE.sub("#", self.message)))
        return hashlib.sha256(stable.encode("utf-8")).hexdigest()[:32]


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
