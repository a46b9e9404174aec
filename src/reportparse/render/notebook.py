"""What a notebook shows: one-line reprs of a report and a table, and pandas DataFrames of a
table (`TableData.to_frame`) and of a batch (`AuditRun.findings_frame`, `cells_frame`).

The data types reach this module from their methods, at call time (docs/architecture.md), so
that `model` stays free of templates. pandas is the optional extra `reportparse[pandas]`,
imported on first use, never by `import reportparse`. Labels are the printed ones
(`templates.names`); the batch frames are the rows of `check --format csv` and `--format cells`
(`csv_out`), typed and labelled.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from ..findings import SEVERITY_CN
from ..model import Report, TableData, json_number
from ..templates import TABLE_SHORT, VERSIONS, template
from ..templates.names import column_label, row_label, short
from . import DEFAULT_OPTIONS
from .csv_out import CELL_COLUMNS, FINDING_COLUMNS, cell_rows, finding_rows
from .text import cell_logical, year_of

if TYPE_CHECKING:
    import pandas as pd

    from ..batch import FileResult

Values = Literal["value", "raw", "kind"]
VALUES: tuple[Values, ...] = ("value", "raw", "kind")
LONG_COLUMNS = ("id", "row", "column", "row_id", "column_id", "raw", "kind", "value")
FINDINGS_FRAME_COLUMNS = (
    "file",
    "body",
    "year",
    "rule",
    "severity",
    "severity_id",
    "message",
    "cells",
    "cell_ids",
    "expected",
    "actual",
    "location",
)
# the columns of `--format cells`, the value last (it becomes a typed column)
CELLS_FRAME_COLUMNS = (*CELL_COLUMNS[: CELL_COLUMNS.index("value")], "raw", "kind", "value")
PANDAS_MISSING = (
    "生成 DataFrame 需要 pandas，请安装：pip install 'reportparse[pandas]' 或 pip install pandas"
    "（DataFrames need pandas: pip install 'reportparse[pandas]' or pip install pandas）"
)


def require_pandas() -> None:
    """ModuleNotFoundError saying how to install pandas, when it is not installed."""
    try:
        import pandas  # noqa: F401  # the callers import it again, typed
    except ImportError:
        raise ModuleNotFoundError(PANDAS_MISSING, name="pandas") from None


# --- reprs ---

_READ_MARK = {"complete": "✓", "partial": "(partial)", "failed": "(failed)"}


def report_repr(report: Report) -> str:
    """`<Report 示例市示例区统计局 2024 template=2021 sections=6 tables=表二✓ 表三✓ 表四✓ file=…>`:
    who, which year, and how much was read — one line, whatever the report's size."""
    m = report.meta
    tables = " ".join(
        TABLE_SHORT[name] + (_READ_MARK[data.status] if data is not None else "(none)")
        for name, data in report.tables.items()
    )
    parts = [
        "<Report",
        short(m.organization or "?", 30),
        str(m.year or "?"),
        f"template={m.template}",
        f"sections={len(report.sections)}",
        f"tables={tables}",
    ]
    if report.source.path:
        parts.append(f"file={short(os.path.basename(report.source.path), 40)}")
    return " ".join(parts) + ">"


def table_repr(data: TableData) -> str:
    """`<TableData 表三 2021 175/175 cells complete>`: cells read of the template's, how it was
    read, and why not completely."""
    known = data.template in VERSIONS
    counted = (
        f"{len(data.cells)}/{len(template(data.template).cell_ids(data.name))}" if known else len(data.cells)
    )
    reason = f"（{short(data.read_reason, 40)}）" if data.read_reason else ""
    return f"<TableData {TABLE_SHORT[data.name]} {data.template} {counted} cells {data.status}{reason}>"


# --- one table ---


def _layout(data: TableData) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Every cell id in template order (then cells of rows the template does not have), and the
    printed labels of the rows and columns in that order."""
    t = template(data.template) if data.template in VERSIONS else None
    ids = t.cell_ids(data.name) if t else []
    known = set(ids)
    ids += [cid for cid in data.cells if cid not in known]
    rows: dict[str, str] = {}
    columns: dict[str, str] = {}
    for cid in ids:
        row, _, col = cid.rpartition(".")
        rows.setdefault(row, row_label(data.name, row, t) if t else row)
        columns.setdefault(col, column_label(data.name, cid, t) if t else col)
    return ids, rows, columns


def _entry(data: TableData, cid: str) -> tuple[str | None, str, Any]:
    """raw, kind and value of a template cell; one that was not read is `missing` (the file
    prints its row nowhere) or `unread`, with no raw text and no value."""
    cell = data.cells.get(cid)
    if cell is None:
        return None, "missing" if cid.rpartition(".")[0] in data.missing_rows else "unread", None
    return cell.raw, cell.kind, json_number(cell.value)


def _numbers(values: Sequence[Any]) -> pd.api.extensions.ExtensionArray:
    """A column of values: Int64 when every one is an integer, else Float64; NA where there is
    none (blank, dash, text, unread). Never 0 for a blank."""
    import pandas as pd

    present = [v for v in values if v is not None]
    if all(isinstance(v, int) for v in present):
        return pd.array(list(values), dtype="Int64")
    return pd.array([None if v is None else float(v) for v in values], dtype="Float64")


def table_frame(
    data: TableData, *, long: bool = False, values: Values = "value", ids: bool = False
) -> pd.DataFrame:
    """See `TableData.to_frame`."""
    if values not in VALUES:
        raise ValueError(f"values 应为 value、raw 或 kind 之一，而不是「{values}」")
    if long and (values != "value" or ids):
        raise ValueError(
            "long=True 时每个单元格一行，raw、kind、value 和编号都在列中：values、ids 只用于宽表"
        )
    require_pandas()
    import pandas as pd

    order, rows, columns = _layout(data)
    if long:
        entries = [_entry(data, cid) for cid in order]
        frame = pd.DataFrame(
            [
                (cid, rows[row], columns[col], row, col, raw, kind)
                for cid, (raw, kind, _) in zip(order, entries, strict=True)
                for row, _, col in [cid.rpartition(".")]
            ],
            columns=list(LONG_COLUMNS[:-1]),
            dtype=object,
        )
        frame["value"] = _numbers([value for _, _, value in entries])
        return frame
    field = ("raw", "kind", "value").index(values)  # in the order _entry gives them
    present = set(order)
    grid = [
        [_entry(data, f"{row}.{col}")[field] if f"{row}.{col}" in present else None for col in columns]
        for row in rows
    ]
    if values == "value":
        frame = pd.DataFrame({i: _numbers([line[i] for line in grid]) for i in range(len(columns))})
    else:
        frame = pd.DataFrame(grid, columns=range(len(columns)), dtype=object)
    frame.index = pd.Index(
        list(rows) if ids else list(rows.values()), name="row" if ids else "行", dtype=object
    )
    frame.columns = pd.Index(
        list(columns) if ids else list(columns.values()), name="column" if ids else "列", dtype=object
    )
    return frame


# --- a batch ---


def findings_frame(results: Sequence[FileResult]) -> pd.DataFrame:
    """One row per finding: the rows of `check --format csv`, with the severity in Chinese and
    as its id, the cells by their printed labels and as ids, and `expected`/`actual` as the
    values the rule gave (numbers stay numbers)."""
    require_pandas()
    import pandas as pd

    found = [(r, f) for r in results for f in r.findings]  # the order of finding_rows
    records = []
    for row, (r, f) in zip(finding_rows(results, DEFAULT_OPTIONS), found, strict=True):
        csv = dict(zip(FINDING_COLUMNS, row, strict=True))
        records.append(
            (
                csv["file"],
                csv["body"] or None,
                year_of(r),
                f.rule,
                SEVERITY_CN[f.severity],
                f.severity,
                csv["message"],
                [cell_logical(r.head, c) for c in f.cells],
                list(f.cells),
                json_number(f.expected),
                json_number(f.actual),
                csv["location"] or None,
            )
        )
    frame = pd.DataFrame(records, columns=list(FINDINGS_FRAME_COLUMNS), dtype=object)
    frame["year"] = pd.array(frame["year"].tolist(), dtype="Int64")
    return frame


def cells_frame(results: Sequence[FileResult]) -> pd.DataFrame:
    """One row per table cell of every readable report: the rows of `check --format cells`, with
    the table, row and column by their printed labels beside their ids."""
    require_pandas()
    import pandas as pd

    rows = [dict(zip(CELL_COLUMNS, row, strict=True)) for row in cell_rows(results, DEFAULT_OPTIONS)]
    records = [tuple(c[k] for k in CELLS_FRAME_COLUMNS[:-1]) for c in rows]
    frame = pd.DataFrame(records, columns=list(CELLS_FRAME_COLUMNS[:-1]), dtype=object)
    frame["year"] = pd.array(frame["year"].tolist(), dtype="Int64")
    frame["value"] = _numbers([c["value"] for c in rows])
    return frame
