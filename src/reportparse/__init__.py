"""reportparse: parse and audit 政府信息公开工作年度报告.

>>> import reportparse
>>> report = reportparse.parse("report.docx")
>>> report.applications.cells["new_received.total"].value
"""

from __future__ import annotations

from pathlib import Path

from .batch import audit
from .batch.cluster import dask_executor
from .extract.parse import parse
from .findings import Finding, Unverified
from .model import Cell, Meta, Report, Section, TableData
from .rules import Selection, run_report_rules
from .rules import unverified as _unverified
from .version import __version__ as __version__

__all__ = [
    "Cell",
    "Finding",
    "Meta",
    "Report",
    "Section",
    "Selection",
    "TableData",
    "Unverified",
    "audit",
    "check",
    "dask_executor",
    "parse",
    "unverified",
]


def check(source: str | Path | bytes | Report, selection: Selection | None = None) -> list[Finding]:
    """Every finding for one report: extraction problems (EXT-) first, then every enabled rule."""
    report = source if isinstance(source, Report) else parse(source)
    return run_report_rules(report, selection)


def unverified(source: str | Path | bytes | Report, selection: Selection | None = None) -> list[Unverified]:
    """The checks that could not judge all of a table, because it was read partly or not at all:
    what a person still has to look at (docs/trust.md)."""
    report = source if isinstance(source, Report) else parse(source)
    return _unverified(report, selection)
