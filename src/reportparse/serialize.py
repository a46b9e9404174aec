"""The versioned JSON contract of `reportparse parse` (schema: schema/report.schema.json).

`Report.to_dict` and the `to_dict` of each part build it; here are the names the other rooms use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .findings import Finding
from .model import SCHEMA_VERSION, Report

__all__ = ["SCHEMA_VERSION", "report_to_dict"]


def report_to_dict(report: Report, findings: Iterable[Finding] | None = None) -> dict[str, Any]:
    return report.to_dict(findings=findings)
