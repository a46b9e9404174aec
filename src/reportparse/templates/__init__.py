"""The 2021 and 2019 report templates, loaded from the JSON data beside this module.

Templates are data: labels, canonical ids, header words, the years a template applies to and
the arithmetic relations (with the rule that checks each) live in `2021.json` and `2019.json`;
what every version shares (the six sections, the three tables' names and the section each sits
in) lives in `common.json`. Nothing in the code branches on a version except by looking things
up here, so a new template revision is a JSON file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal, get_args

from ..model import TableName

VERSIONS = ("2021", "2019")


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    money: bool = False
    signed: bool = False
    unit: str | None = None


@dataclass(frozen=True)
class Row:
    id: str
    label: str
    group: str | None = None
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """A block of table 二: one 第二十条 item with its own header and rows."""

    caption: str
    header: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Relation:
    id: str
    rule: str
    table: TableName
    each: Literal["row", "column"]
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    title: str


@dataclass(frozen=True)
class Equation:
    """One instance of a relation: sum(lhs) == sum(rhs), over qualified cell ids."""

    relation: Relation
    instance: str  # the row or column id the relation was expanded over
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # one instance per version: identity hashing keeps caches cheap
class Template:
    version: str
    name: str
    years: tuple[int, int]
    markers: tuple[str, ...]
    blocks: tuple[Block, ...]  # table 二
    app_columns: tuple[Column, ...]  # table 三
    app_rows: tuple[Row, ...]
    app_group_labels: tuple[str, ...]
    app_column_groups: tuple[str, ...]  # 申请人情况, 法人或其他组织: header cells above the columns
    corner_note: str
    corner_note_key: str  # the words that identify the corner note however it is worded
    caption_prefix: str  # 第二十条: starts every block caption of table 二
    review_groups: tuple[Row, ...]  # table 四
    review_columns: tuple[Column, ...]
    review_markers: tuple[str, ...]
    review_header_fragments: tuple[str, ...]  # header words of 表四 printed in pieces (维持, 结果…)
    relations: tuple[Relation, ...]

    @property
    def active_rows(self) -> tuple[tuple[Block, Row], ...]:
        return tuple((b, r) for b in self.blocks for r in b.rows)

    @property
    def block_headers(self) -> frozenset[str]:
        return frozenset(b.header for b in self.blocks)

    def header_vocabulary(self, table: TableName) -> tuple[str, ...]:
        """Every word the header of a table may print, in template order."""
        if table == "applications":
            return (*self.app_column_groups, *(c.label for c in self.app_columns))
        if table == "review_litigation":
            return (
                *self.review_markers,
                *(c.label for c in self.review_columns),
                *self.review_header_fragments,
            )
        return (*self.block_headers, *(c.label for b in self.blocks for c in b.columns))

    def header_words(self, table: TableName) -> frozenset[str]:
        """The header words that tell table 三 from table 四: those the other one does not use."""
        other: TableName = "review_litigation" if table == "applications" else "applications"
        return frozenset(self.header_vocabulary(table)) - frozenset(self.header_vocabulary(other))

    def cell_ids(self, table: TableName) -> list[str]:
        """Every template cell of a table, in template order."""
        if table == "active_disclosure":
            return [f"{r.id}.{c.id}" for b in self.blocks for r in b.rows for c in b.columns]
        if table == "applications":
            return [f"{r.id}.{c.id}" for r in self.app_rows for c in self.app_columns]
        return [f"{g.id}.{c.id}" for g in self.review_groups for c in self.review_columns]

    def column(self, table: TableName, cell_id: str) -> Column:
        """The template column of a cell id; KeyError for a cell the template does not have."""
        row_id, _, col_id = cell_id.rpartition(".")
        if table == "active_disclosure":
            return _t2_columns(self)[(row_id, col_id)]
        return _columns(self, table)[col_id]

    def equations(self, table: TableName, row_ids: list[str] | None = None) -> list[Equation]:
        return list(_equations(self, table, tuple(row_ids) if row_ids is not None else None))

    def _expand(self, table: TableName, row_ids: tuple[str, ...] | None) -> list[Equation]:
        """Expand the relations of one table into concrete equations over cell ids.

        `row_ids` are the data rows actually present (a 2021 table printed with a single
        （六）其他处理 row has `other` instead of the three `other.*` rows); relation members
        that name a row family (`other.*`) then follow what is present.
        """
        out: list[Equation] = []
        if table == "applications":
            rows = list(row_ids) if row_ids is not None else [r.id for r in self.app_rows]
            cols = [c.id for c in self.app_columns]
        elif table == "review_litigation":
            rows = [g.id for g in self.review_groups]
            cols = [c.id for c in self.review_columns]
        else:
            return out
        for rel in self.relations:
            if rel.table != table:
                continue
            if rel.each == "column":
                lhs_rows = _present(rel.lhs, rows)
                rhs_rows = _present(rel.rhs, rows)
                for c in cols:
                    out.append(
                        Equation(
                            rel, c, tuple(f"{r}.{c}" for r in lhs_rows), tuple(f"{r}.{c}" for r in rhs_rows)
                        )
                    )
            else:
                for r in rows:
                    out.append(
                        Equation(
                            rel, r, tuple(f"{r}.{c}" for c in rel.lhs), tuple(f"{r}.{c}" for c in rel.rhs)
                        )
                    )
        return out


@cache
def _t2_columns(t: Template) -> dict[tuple[str, str], Column]:
    return {(r.id, c.id): c for b in t.blocks for r in b.rows for c in b.columns}


@cache
def _columns(t: Template, table: TableName) -> dict[str, Column]:
    return {c.id: c for c in (t.app_columns if table == "applications" else t.review_columns)}


@lru_cache(maxsize=256)
def _equations(t: Template, table: TableName, row_ids: tuple[str, ...] | None) -> tuple[Equation, ...]:
    return tuple(t._expand(table, row_ids))


def _present(members: tuple[str, ...], rows: list[str]) -> list[str]:
    out: list[str] = []
    for m in members:
        family = m.split(".")[0]
        if m in rows:
            out.append(m)
        elif "." in m and family in rows and family not in out:
            out.append(family)  # the family printed as one row
        elif m not in rows and "." not in m:
            out.extend(r for r in rows if r.startswith(m + ".") and r not in out)
    return out


@dataclass(frozen=True)
class SectionSpec:
    number: int
    heading: str
    variants: tuple[str, ...]
    keywords: tuple[str, ...]
    # a regular expression that finds the heading in a line of text without its spaces (the
    # HTML reader finds the report among a page's menus and boxes by these)
    heading_pattern: str


@dataclass(frozen=True)
class TableSpec:
    """What every template version says about one of the three tables."""

    name: TableName
    short: str  # 表三
    title: str  # 表三（依申请公开）
    section: int  # the numbered part of the report that holds it


@dataclass(frozen=True)
class Common:
    tables: tuple[TableSpec, ...]
    sections: tuple[SectionSpec, ...]
    legacy_markers: tuple[str, ...]


def _load(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


def _column(d: dict[str, Any]) -> Column:
    return Column(d["id"], d["label"], bool(d.get("money")), bool(d.get("signed")), d.get("unit"))


def _row(d: dict[str, Any]) -> Row:
    return Row(d["id"], d["label"], d.get("group"), tuple(d.get("variants", ())))


@cache
def template(version: str) -> Template:
    d = _load(f"{version}.json")
    t2, t3, t4 = (d["tables"][n] for n in TABLE_NAMES)
    return Template(
        version=d["version"],
        name=d["name"],
        years=(d["years"][0], d["years"][1]),
        markers=tuple(d["markers"]),
        blocks=tuple(
            Block(
                b["caption"],
                b["header"],
                tuple(_column(c) for c in b["columns"]),
                tuple(_row(r) for r in b["rows"]),
            )
            for b in t2["blocks"]
        ),
        app_columns=tuple(_column(c) for c in t3["columns"]),
        app_rows=tuple(_row(r) for r in t3["rows"]),
        app_group_labels=tuple(t3["group_labels"]),
        app_column_groups=tuple(t3["column_groups"]),
        corner_note=t3["corner_note"],
        corner_note_key=t3["corner_note_key"],
        caption_prefix=t2["caption_prefix"],
        review_groups=tuple(Row(g["id"], g["label"], g.get("parent")) for g in t4["groups"]),
        review_columns=tuple(_column(c) for c in t4["columns"]),
        review_markers=tuple(t4["markers"]),
        review_header_fragments=tuple(t4["header_fragments"]),
        relations=tuple(
            Relation(r["id"], r["rule"], r["table"], r["each"], tuple(r["lhs"]), tuple(r["rhs"]), r["title"])
            for r in d["relations"]
        ),
    )


@cache
def common() -> Common:
    d = _load("common.json")
    kw = d["section_keywords"]
    tables = tuple(TableSpec(t["name"], t["short"], t["title"], t["section"]) for t in d["tables"])
    if tuple(t.name for t in tables) != get_args(TableName):
        raise ValueError("common.json: tables differ from TableName")
    return Common(
        tables=tables,
        sections=tuple(
            SectionSpec(
                s["number"],
                s["heading"],
                tuple(s["variants"]),
                tuple(kw[str(s["number"])]),
                s["heading_pattern"],
            )
            for s in d["sections"]
        ),
        legacy_markers=tuple(d["legacy_markers"]),
    )


def expected_version(year: int | None) -> str | None:
    """The template a report for `year` must use (TPL-002): the one whose `years` hold it."""
    if year is None:
        return None
    ranges = sorted((template(v).years, v) for v in VERSIONS)
    if year < ranges[0][0][0]:
        return "legacy"  # before the first standard template: the free format of the 2008 条例
    return next((v for (lo, hi), v in ranges if lo <= year <= hi), ranges[-1][1])


TABLE_NAMES: tuple[TableName, ...] = tuple(t.name for t in common().tables)
TABLE_TITLES: dict[str, str] = {t.name: t.title for t in common().tables}
TABLE_SHORT: dict[str, str] = {t.name: t.short for t in common().tables}
TABLE_SECTION: dict[TableName, int] = {t.name: t.section for t in common().tables}
# How a part says its table is elsewhere ("（详见附表）", "见附件2"): then the table is absent from
# the report, whatever a reader could or could not read around it
REFERRAL_RE = re.compile(r"(?:详|参)?见(?:附件|附表|后附|下表|附后)|附(?:件|表)[一二三四1-4]?")
