"""The typed result of parsing a report: frozen dataclasses, JSON-ready via `to_dict`
(`Report.to_dict` is the document of `reportparse parse`, docs/json.md)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    import pandas as pd

CellKind = Literal["number", "blank", "dash", "text"]
Severity = Literal["error", "warning", "info"]
BodyKind = Literal["government", "department", "township", "zone", "unknown"]
TemplateVersion = Literal["2021", "2019", "legacy", "unknown"]
# The one spelling of the three table names for the type checker; templates/common.json lists
# the same names (checked when it is loaded).
TableName = Literal["active_disclosure", "applications", "review_litigation"]
ReadStatus = Literal["complete", "partial", "failed"]
Number = int | Decimal

# The version of the JSON document `Report.to_dict` makes (schema/report.schema.json)
SCHEMA_VERSION = 1


class ToDict(Protocol):
    """What `Report.to_dict` needs of a finding (findings.Finding, which imports this module)."""

    def to_dict(self) -> dict[str, Any]: ...


_LOC_FIELDS = (
    "file",
    "line",
    "end_line",
    "page",
    "bbox",
    "table",
    "row",
    "col",
    "path",
    "section",
    "paragraph",
    "quote",
)


@dataclass(frozen=True)
class Loc:
    """Where something is in the source file; only the fields that apply are set."""

    file: str | None = None
    line: int | None = None
    end_line: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    path: str | None = None
    # In the report's own terms, for a sentence: the numbered part (0: before part 一), the
    # paragraph within it (1-based) and a short quote, so that a person can find it in any format.
    section: int | None = None
    paragraph: int | None = None
    quote: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in _LOC_FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class Cell:
    """A template cell: the text as printed, what kind of value it is, and the value.

    Blank is never zero: a blank or dash cell has `value` None.
    """

    id: str
    raw: str
    kind: CellKind
    value: Number | None
    loc: Loc | None = None
    # Read by OCR (docs/formats/ocr.md): the lowest confidence of its characters, 0..1
    confidence: float | None = None
    # Read by OCR and corrected by the table's sums (docs/formats/ocr.md): what OCR read
    repaired: str | None = None

    def __repr__(self) -> str:
        value = f" {json_number(self.value)}" if self.value is not None else ""
        return f"<Cell {self.id} {self.kind}{value} raw={self.raw!r}>"

    def to_dict(self) -> dict[str, Any]:
        out = {
            "value": json_number(self.value),
            "raw": self.raw,
            "kind": self.kind,
            "loc": self.loc.to_dict() if self.loc else None,
        }
        if self.confidence is not None:
            out["confidence"] = self.confidence
        if self.repaired is not None:
            out["repaired"] = self.repaired
        return out


@dataclass(frozen=True)
class LabelMatch:
    """How a printed row or column label was matched to the template."""

    id: str
    printed: str
    expected: str
    # ocr: read by OCR and matched despite differences, which may be OCR's (not judged as a typo)
    how: Literal["exact", "variant", "typo", "other_version", "partial", "position", "ocr"]
    loc: Loc | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "printed": self.printed,
            "expected": self.expected,
            "how": self.how,
            "loc": self.loc.to_dict() if self.loc else None,
        }


@dataclass(frozen=True)
class TableData:
    """One of the three standard tables, mapped onto the template.

    `cells` holds every template cell (blank ones included) plus any cell of a row printed in
    another template's shape (e.g. a single （六）其他处理 row in a 2021 table). Cells that
    could not be read are absent and explained in the report's extraction notes.
    """

    name: TableName
    template: str
    cells: dict[str, Cell]
    labels: tuple[LabelMatch, ...] = ()
    extra_rows: tuple[LabelMatch, ...] = ()
    # rows the document does not print anywhere: the only rows a rule may call missing
    missing_rows: tuple[str, ...] = ()
    # rows whose label the document prints but whose cells were not read as this table's
    unread_rows: tuple[str, ...] = ()
    unread_cells: tuple[str, ...] = ()
    confidence: Literal["high", "low"] = "high"
    corner_note: str | None = None
    loc: Loc | None = None
    # why a table with no cell read was not read, when not "printed but not read as a table"
    unread_why: str | None = None

    def __repr__(self) -> str:
        from .render.notebook import table_repr  # needs the templates, which model may not import

        return table_repr(self)

    def value(self, cell_id: str) -> Number | None:
        cell = self.cells.get(cell_id)
        return cell.value if cell else None

    def to_frame(
        self, *, long: bool = False, values: Literal["value", "raw", "kind"] = "value", ids: bool = False
    ) -> pd.DataFrame:
        """The table as a pandas DataFrame, in template order (needs `reportparse[pandas]`).

        Wide (the default): one row per template row, one column per template column, labelled
        as printed (index 行, columns 列; `ids=True`: the canonical ids, index `row`, columns
        `column`). `values`: the numbers ("value": Int64, or Float64 where a value has decimals;
        NA for blank, dash, text and cells not read — never 0), the printed text ("raw") or the
        kind ("kind": number/blank/dash/text, `unread` or `missing` for a cell not read).
        `long=True`: one row per cell, columns id, row, column, row_id, column_id, raw, kind,
        value. A 表二 cell of a column its row does not have is NA in the wide frame and absent
        from the long one.
        """
        from .render.notebook import table_frame  # pandas and the templates: at call time

        return table_frame(self, long=long, values=values, ids=ids)

    @property
    def status(self) -> ReadStatus:
        """How the table was read: every printed cell (complete), not all (partial), or with a
        structure too uncertain to judge anything by (failed)."""
        if self.confidence == "low":
            return "failed"
        missing = set(self.missing_rows)
        if self.unread_rows or any(c.rsplit(".", 1)[0] not in missing for c in self.unread_cells):
            return "partial"
        return "complete"

    @property
    def read_reason(self) -> str:
        """Why the table is not complete, in Chinese ("" when it is)."""
        status = self.status
        if status == "failed":
            if not self.cells:
                return self.unread_why or "已印出，但未能按表格读取"
            return f"只读到 {len(self.cells)} 个单元格，表格结构不确定"
        if status == "partial":
            missing = set(self.missing_rows)
            unread = [c for c in self.unread_cells if c.rsplit(".", 1)[0] not in missing]
            parts = []
            if self.unread_rows:
                parts.append(f"{len(self.unread_rows)} 行已印出但未能读取")
            if unread:
                parts.append(f"{len(unread)} 个单元格未能确定取值")
            return "，".join(parts)
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "confidence": self.confidence,
            "read": {"status": self.status, "reason": self.read_reason},
            "cells": {k: c.to_dict() for k, c in self.cells.items()},
            "unread_cells": list(self.unread_cells),
            "missing_rows": list(self.missing_rows),
            "unread_rows": list(self.unread_rows),
            "extra_rows": [m.to_dict() for m in self.extra_rows],
            "labels": [m.to_dict() for m in self.labels if m.how != "exact"],
            "corner_note": self.corner_note,
            "loc": self.loc.to_dict() if self.loc else None,
        }


@dataclass(frozen=True)
class Section:
    number: int
    heading: str
    text: str
    loc: Loc
    numbering: str = ""  # as printed: "一、", "5、", "（五）", "" when auto-numbered away
    glued: bool = False  # the heading stood at the end of the previous paragraph
    # where each paragraph of `text` starts in it, and where it is in the file (same order)
    paragraph_starts: tuple[int, ...] = field(default=(), repr=False, compare=False)
    paragraph_locs: tuple[Loc, ...] = field(default=(), repr=False, compare=False)

    def __repr__(self) -> str:
        return f"<Section {self.number} {self.numbering}{self.heading} {len(self.text)} chars>"

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "heading": self.heading,
            "numbering": self.numbering,
            "glued": self.glued,
            "text": self.text,
            "loc": self.loc.to_dict(),
        }


@dataclass(frozen=True)
class Meta:
    title: str | None = None
    organization: str | None = None
    body_kind: BodyKind = "unknown"
    year: int | None = None
    template: TemplateVersion = "unknown"
    published: dt.date | None = None
    published_source: str | None = None  # "page" (metadata box) or "signoff" (printed in report)
    signoff_date: dt.date | None = None
    template_scores: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "organization": self.organization,
            "body_kind": self.body_kind,
            "year": self.year,
            "template": self.template,
            "published": self.published.isoformat() if self.published else None,
            "published_source": self.published_source,
            "signoff_date": self.signoff_date.isoformat() if self.signoff_date else None,
            "template_scores": dict(self.template_scores),
        }


@dataclass(frozen=True)
class Source:
    path: str | None
    format: str
    sha256: str
    size: int = 0
    encoding: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "sha256": self.sha256,
            "size": self.size,
            "encoding": self.encoding,
        }


@dataclass(frozen=True)
class ExtractionNote:
    """Something the reader or mapper did or could not do.

    Notes with a `rule` (an EXT- id) are problems and also appear as findings; notes without
    one record repairs (bookmarks stripped, encoding detected) for the curious.
    """

    code: str
    message: str
    rule: str | None = None
    severity: Severity | None = None
    loc: Loc | None = None
    cells: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.rule:
            out["rule"] = self.rule
            out["severity"] = self.severity
        if self.cells:
            out["cells"] = list(self.cells)
        if self.loc:
            out["loc"] = self.loc.to_dict()
        if self.data:
            out["data"] = {k: json_number(v) for k, v in self.data.items()}
        return out


@dataclass(frozen=True)
class ReportHead:
    """Who and what a report is, without its text and cells: the file, the metadata, the template
    each table was mapped on, and whether anything recognisable was read at all. Small enough to
    keep for every file of a large batch; `Report.head` makes it."""

    source: Source
    meta: Meta
    table_templates: dict[str, str] = field(default_factory=dict)  # tables that were found
    empty: bool = False  # no section, no table and no title was read


@dataclass(frozen=True)
class Report:
    source: Source
    meta: Meta
    sections: tuple[Section, ...]
    active_disclosure: TableData | None
    applications: TableData | None
    review_litigation: TableData | None
    extraction_notes: tuple[ExtractionNote, ...] = ()
    preamble: str = ""  # text between the title and section 一 (often holds the statistics period)
    preamble_loc: Loc | None = None
    title_loc: Loc | None = field(default=None, compare=False)  # where the title is printed
    signoff_loc: Loc | None = field(default=None, compare=False)  # the sign-off date under the report

    def __repr__(self) -> str:
        from .render.notebook import report_repr  # table names are template data

        return report_repr(self)

    @property
    def tables(self) -> dict[TableName, TableData | None]:
        return {
            "active_disclosure": self.active_disclosure,
            "applications": self.applications,
            "review_litigation": self.review_litigation,
        }

    @property
    def head(self) -> ReportHead:
        tables = self.tables
        return ReportHead(
            source=self.source,
            meta=self.meta,
            table_templates={name: t.template for name, t in tables.items() if t is not None},
            empty=not self.sections and not any(tables.values()) and not self.meta.title,
        )

    def to_dict(self, *, findings: Iterable[ToDict] | None = None) -> dict[str, Any]:
        """The JSON document of `reportparse parse` (docs/json.md). Its `findings` key is there
        only when findings are given: `reportparse.check(report)` gives them."""
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "source": self.source.to_dict(),
            "meta": self.meta.to_dict(),
            "preamble": self.preamble,
            "sections": [s.to_dict() for s in self.sections],
            "tables": {name: (t.to_dict() if t else None) for name, t in self.tables.items()},
            "extraction_notes": [n.to_dict() for n in self.extraction_notes],
        }
        if findings is not None:
            out["findings"] = [f.to_dict() for f in findings]
        return out

    def to_json(self, *, findings: Iterable[ToDict] | None = None, indent: int | None = None) -> str:
        """`to_dict` as JSON text: with `reportparse.check(report)` and `indent=1`, the bytes
        `reportparse parse` prints (less the final newline); without findings, the report as
        the JSON outputs of `check` hold it."""
        return json.dumps(self.to_dict(findings=findings), ensure_ascii=False, indent=indent)

    def section(self, number: int) -> Section | None:
        for s in self.sections:
            if s.number == number:
                return s
        return None

    def cell(self, qualified_id: str) -> Cell | None:
        """A cell by its qualified id, e.g. ``applications.new_received.total``."""
        table_name, _, cell_id = qualified_id.partition(".")
        table = self.tables.get(table_name)  # type: ignore[call-overload]  # any string may be asked
        return table.cells.get(cell_id) if table else None


def json_number(value: Any) -> Any:
    """Numbers stay numbers in JSON: Decimal becomes int or float, never a string."""
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and value.as_tuple().exponent == 0
            else float(value)
        )
    return value
