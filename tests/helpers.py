"""What several test modules share:

- comparing parsed reports with fixture specs and with the corpus truth, cell by cell;
- the column ids of 表三 and 表四, read from the template;
- per-file functions that hang or kill their worker, for the batch engine's time limit and
  crash paths.
"""

from __future__ import annotations

import json
import os
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportparse.batch import Outcome, process_file
from reportparse.model import Report
from reportparse.rules import Selection
from reportparse.templates import template

# 表三 (applications) and 表四 (review_litigation) columns, the same in both templates; "total" last
APP_COLS = [c.id for c in template("2021").app_columns]
REVIEW_COLS = [c.id for c in template("2021").review_columns]

# the real HTML pages of ../shared/corpus, each with its truth in corpus/truth/<name>.json
CORPUS_HTML = ["r013.html", "r018.html", "r019.html", "r020.html"]


def load_spec(fixture: Path) -> dict[str, Any]:
    return json.loads(Path(f"{fixture}.spec.json").read_text(encoding="utf-8"))


def cell_differences(report: Report, spec: dict[str, Any], allow_unread: bool = False) -> list[str]:
    """Every template cell whose kind or value differs from the spec (unread cells too unless allowed)."""
    out: list[str] = []
    for table, cells in spec["cells"].items():
        data = report.tables[table]
        for cid, want in cells.items():
            cell = data.cells.get(cid) if data else None
            if cell is None:
                if not allow_unread:
                    out.append(f"{table}.{cid}: unread, want {want}")
                continue
            value = want["value"]
            same_value = (cell.value is None and value is None) or (
                cell.value is not None
                and value is not None
                and Decimal(str(cell.value)) == Decimal(str(value))
            )
            if cell.kind != want["kind"] or not same_value:
                out.append(f"{table}.{cid}: got {cell.kind} {cell.value!r} ({cell.raw!r}), want {want}")
    return out


def values(report: Report, table: str, row: str, columns: list[str]) -> list[object]:
    data = report.tables[table]
    assert data is not None
    return [data.cells[f"{row}.{c}"].value if f"{row}.{c}" in data.cells else "?" for c in columns]


def truth_differences(report: Report, truth: dict[str, Any]) -> list[str]:
    """Every cell of a corpus truth file the report reads otherwise.

    The truth holds each cell as printed: None for a blank (the cell must be blank or a dash,
    with no value), a number (the cell's value must equal it), or a string — a number kept
    exactly as printed ("9116.36") or a text such as "251000元" — which the cell's raw text must
    be, and whose value, when the string is a number, the cell's value must equal too.
    """
    out = []
    for key, want in truth["cells"].items():
        cell = report.cell(key)
        if cell is None:
            good = False
        elif want is None:
            good = cell.kind in ("blank", "dash") and cell.value is None
        else:
            good = not isinstance(want, str) or cell.raw == want
            if not isinstance(want, str) or want.replace(".", "").isdigit():
                good = good and cell.value is not None and Decimal(str(cell.value)) == Decimal(str(want))
        if not good:
            got = "unread" if cell is None else f"got {cell.kind} {cell.value!r} ({cell.raw!r})"
            out.append(f"{key}: {got}, printed {want!r}")
    return out


# Per-file functions for `reportparse.audit(..., process=…)`. Module level, so that worker
# processes started with spawn can unpickle them.


def hanging(path: str, selection: Selection) -> Outcome:
    """`process_file`, but a file whose name holds "hang" first sleeps for a minute: a reader
    that never returns, as far as any time limit can tell."""
    if "hang" in os.path.basename(path):
        time.sleep(60)
    return process_file(path, selection)


def crashing(path: str, selection: Selection) -> Outcome:
    """`process_file`, but on a file whose name holds "crash" the worker exits at once (code 3),
    as a segfault in a C extension would."""
    if "crash" in os.path.basename(path):
        os._exit(3)
    return process_file(path, selection)


def dying(path: str, selection: Selection) -> Outcome:
    """A worker that cannot run at all: it exits (code 4) on every file."""
    os._exit(4)
