"""The versioned JSON contract of `reportparse parse` (schema: schema/report.schema.json)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .findings import Finding
from .model import Report

SCHEMA_VERSION = 1


def report_to_dict(report: Report, findings: Iterable[Finding] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "source": report.source.to_dict(),
        "meta": report.meta.to_dict(),
        "preamble": report.preamble,
        "sections": [s.to_dict() for s in report.sections],
        "tables": {name: (t.to_dict() if t else None) for name, t in report.tables.items()},
        "extraction_notes": [n.to_dict() for n in report.extraction_notes],
    }
    if findings is not None:
        out["findings"] = [f.to_dict() for f in findings]
    return out
