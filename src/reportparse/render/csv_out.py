"""`check --format csv` (one row per finding) and `--format cells` (every table cell, long format).

UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly on double-click.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..findings import Finding
from ..model import json_number
from ..templates import TABLE_SHORT
from ..templates.names import column_label, row_label
from . import DEFAULT_OPTIONS, RenderOptions
from .text import (
    body_of,
    cell_logical,
    display_path,
    finding_location,
    fix_text,
    report_template,
    shown_value,
    year_of,
)

if TYPE_CHECKING:
    from ..batch import FileResult

BOM = "\ufeff"
# Cells and severities are named as printed (表三/（一）予以公开/自然人) for the person reading
# the sheet; the ids stay in their own columns for scripts.
FINDING_COLUMNS = (
    "file",
    "body",
    "year",
    "rule",
    "severity",
    "message",
    "cells",
    "cell_ids",
    "expected",
    "actual",
    "location",
    "fix",
    "review",  # with a history store: "dismissed" (not counted) or "recurring"; else empty
    "review_note",  # who dismissed it and why, or the year it was confirmed 需整改
)
CELL_COLUMNS = (
    "file",
    "body",
    "year",
    "table",
    "row",
    "column",
    "table_id",
    "row_id",
    "column_id",
    "value",
    "kind",
    "raw",
)


# A field a spreadsheet would run as a formula (OWASP "CSV injection"): file names and report
# text can begin with these. Numbers (a negative 本年增/减) are left as they are.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def defused(field: str) -> str:
    """`field` made inert for Excel and LibreOffice Calc: a leading ' when it would be a formula."""
    if field.startswith(_FORMULA_START) and not _NUMBER_RE.match(field):
        return "'" + field
    return field


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The CSV text in pieces of a thousand rows (a large batch is never one string)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    buf.write(BOM)
    writer.writerow(header)
    for i, row in enumerate(rows, start=1):
        writer.writerow([defused(f) for f in row])
        if i % 1000 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def finding_rows(
    results: Iterable[FileResult], options: RenderOptions, *, dismissed: bool = False
) -> Iterator[list[str]]:
    """A row per finding (FINDING_COLUMNS), a file at a time; with `dismissed`, each file's
    findings a reviewer dismissed follow its others, marked "dismissed" in the review column."""
    for r in results:
        path, body, year = display_path(r.path, options.root), body_of(r), year_of(r)
        again = dict(r.recurring)
        reviewed: list[tuple[Finding, str, str]] = [
            (f, "recurring", f"重复出现：{again[i].year} 年已确认需整改") if i in again else (f, "", "")
            for i, f in enumerate(r.findings)
        ]
        if dismissed:
            reviewed += [
                (f, "dismissed", f"复核排除：{d.reason}；{d.who}，{d.decided_at[:10]}")
                for f, d in r.dismissed
            ]
        for f, review, note in reviewed:
            yield (
                [
                    path,
                    body,
                    "" if year is None else str(year),
                    f.rule,
                    f.severity,
                    f.message,
                    "；".join(cell_logical(r.head, c) for c in f.cells),
                    "; ".join(f.cells),
                    shown_value(f.expected),
                    shown_value(f.actual),
                    finding_location(r.head, f),
                    fix_text(f.rule),
                    review,
                    note,
                ]
            )


def cell_rows(results: Sequence[FileResult], options: RenderOptions) -> Iterator[list[Any]]:
    """The columns of CELL_COLUMNS for every cell read — value a number or None — one report
    at a time (a batch has hundreds of cells a report: never all in memory at once)."""
    for r in results:
        if r.report is None or r.status == "unreadable":
            continue
        path, body, year = display_path(r.path, options.root), body_of(r), year_of(r)
        for name, data in r.report.tables.items():
            if data is None:
                continue
            t = report_template(r.report.head, name)
            rows_named: dict[str, str] = {}
            for cid, cell in data.cells.items():
                row, _, col = cid.rpartition(".")
                if row not in rows_named:
                    rows_named[row] = row_label(name, row, t)
                yield [
                    path,
                    body,
                    year,
                    TABLE_SHORT[name],
                    rows_named[row],
                    column_label(name, cid, t),
                    name,
                    row,
                    col,
                    json_number(cell.value),
                    cell.kind,
                    cell.raw,
                ]


def stream_csv(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> Iterator[str]:
    rows: Iterable[list[str]] = finding_rows(results, options, dismissed=True)
    if options.coverage is not None:  # the roster's own findings (bodies without a report)
        from .coverage import coverage_finding_rows

        rows = itertools.chain(rows, coverage_finding_rows(options.coverage, options.root))
    return _csv(FINDING_COLUMNS, rows)


def stream_cells(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> Iterator[str]:
    return _csv(CELL_COLUMNS, ([shown_value(v) for v in row] for row in cell_rows(results, options)))


def render_csv(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> str:
    return "".join(stream_csv(results, options))


def render_cells(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> str:
    return "".join(stream_cells(results, options))
