"""`check --format csv` (one row per finding) and `--format cells` (every table cell, long format).

UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly on double-click.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..model import json_number
from . import DEFAULT_OPTIONS, RenderOptions
from .text import body_of, display_path, finding_location, year_of

if TYPE_CHECKING:
    from ..batch import FileResult

BOM = "\ufeff"
FINDING_COLUMNS = (
    "file",
    "body",
    "year",
    "rule",
    "severity",
    "message",
    "cells",
    "expected",
    "actual",
    "location",
)
CELL_COLUMNS = ("file", "body", "year", "table", "row", "column", "value", "kind", "raw")


def scalar(value: Any) -> str:
    """A value for one CSV field: numbers as written, lists and objects as JSON, None empty."""
    value = json_number(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


# A field a spreadsheet would run as a formula (OWASP "CSV injection"): file names and report
# text can begin with these. Numbers (a negative 本年增/减) are left as they are.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def defused(field: str) -> str:
    """`field` made inert for Excel and LibreOffice Calc: a leading ' when it would be a formula."""
    if field.startswith(_FORMULA_START) and not _NUMBER_RE.match(field):
        return "'" + field
    return field


def _csv(header: Sequence[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([defused(f) for f in row] for row in rows)
    return BOM + buf.getvalue()


def finding_rows(results: Sequence[FileResult], options: RenderOptions) -> list[list[str]]:
    rows: list[list[str]] = []
    for r in results:
        path, body, year = display_path(r.path, options.root), body_of(r), year_of(r)
        for f in r.findings:
            rows.append(
                [
                    path,
                    body,
                    "" if year is None else str(year),
                    f.rule,
                    f.severity,
                    f.message,
                    "; ".join(f.cells),
                    scalar(f.expected),
                    scalar(f.actual),
                    finding_location(r.head, f),
                ]
            )
    return rows


def cell_rows(results: Sequence[FileResult], options: RenderOptions) -> list[list[Any]]:
    """file, body, year, table, row, column, value, kind, raw — value a number or None."""
    rows: list[list[Any]] = []
    for r in results:
        if r.report is None or r.status == "unreadable":
            continue
        path, body, year = display_path(r.path, options.root), body_of(r), year_of(r)
        for name, data in r.report.tables.items():
            if data is None:
                continue
            for cid, cell in data.cells.items():
                row, _, col = cid.rpartition(".")
                rows.append(
                    [
                        path,
                        body,
                        year,
                        name,
                        row,
                        col,
                        json_number(cell.value),
                        cell.kind,
                        cell.raw,
                    ]
                )
    return rows


def render_csv(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> str:
    return _csv(FINDING_COLUMNS, finding_rows(results, options))


def render_cells(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> str:
    return _csv(CELL_COLUMNS, [[scalar(v) for v in row] for row in cell_rows(results, options)])
