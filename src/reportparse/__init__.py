"""reportparse: parse and audit 政府信息公开工作年度报告.

>>> import reportparse
>>> report = reportparse.parse("report.docx")
>>> report.applications.cells["new_received.total"].value
"""

from __future__ import annotations

from pathlib import Path

from .findings import Finding, extraction_findings
from .model import Cell, Meta, Report, Section, TableData
from .parse import parse

__version__ = "0.1.0"
__all__ = ["Cell", "Finding", "Meta", "Report", "Section", "TableData", "check", "parse"]


def check(source: str | Path | bytes | Report) -> list[Finding]:
    """Every finding for one report: extraction problems (EXT-) first."""
    report = source if isinstance(source, Report) else parse(source)
    return extraction_findings(report)
