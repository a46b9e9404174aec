"""Map raw table grids onto the template: row by row, by label, never by position alone.

All tables of a document are read as one stream of rows, because real tables come split into
pieces (across pages, one small table per row in Markdown conversions, several Word tables).
Each row is recognised by its label (or, for table 四's single data row, by the header above
it); its values are the cells to the right of the label. Columns are verified against the
header where one was printed. What cannot be matched is reported, not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from ..document import Document, Table, TableCell
from ..extraction import problem, repair
from ..model import Cell, ExtractionNote, LabelMatch, Loc, TableData, TableName
from ..normalize import is_number_token, norm_label, parse_cell
from ..readers.ocr.checksum import check_sums
from ..templates import TABLE_NAMES, TABLE_SHORT, TABLE_TITLES, Column, Template
from ..templates.names import row_label
from .labels import LabelHit, LabelSet, candidate, match_label

_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class _RowHit:
    table: TableName
    row_id: str
    hit: LabelHit
    printed: str
    values: list[TableCell]
    label_cell: TableCell


@dataclass
class _TableState:
    """What has been collected for one template table."""

    cells: dict[str, Cell] = field(default_factory=dict)
    labels: list[LabelMatch] = field(default_factory=list)
    extra_rows: list[LabelMatch] = field(default_factory=list)
    unread: dict[str, str] = field(default_factory=dict)
    # cells of a table running off the page: not in the file -> the column's printed label
    absent: dict[str, str] = field(default_factory=dict)
    absent_side: str = ""
    seen_rows: set[str] = field(default_factory=set)
    corner_note: str | None = None
    header_seen: bool = False
    loc: Loc | None = None
    found: bool = False
    # cells read by OCR, as read: the table's sums check them (readers/ocr/checksum.py)
    ocr: dict[str, TableCell] = field(default_factory=dict)


class TableMapper:
    """Collects the three tables of one report from its Table blocks."""

    def __init__(self, template: Template, path: str | None) -> None:
        self.t = template
        self.path = path
        self.notes: list[ExtractionNote] = []
        self.state: dict[TableName, _TableState] = {name: _TableState() for name in TABLE_NAMES}
        self._app_candidates, self._t2_candidates, self._t2_variants = _label_sets(template)
        self._app_group = {norm_label(g): g for g in template.app_group_labels}
        self._t3_header, self._t4_header = _header_words(template)
        self._corner_key = norm_label(template.corner_note_key)
        self._t2_headers = tuple(sorted(norm_label(h) for h in template.block_headers))
        self._caption_prefix = norm_label(template.caption_prefix)
        self._t2_block = {r.id: b for b, r in template.active_rows}
        self._t2_header: list[str] | None = None
        self._context: TableName | None = None
        self._t4_values: list[TableCell] = []
        self._app_order = [r.id for r in template.app_rows]
        self._last_app_index = -1
        self._unlabelled: list[list[TableCell]] = []
        self._inferred: dict[str, None] = {}  # rows placed by position, in order (an ordered set)

    # -- the stream ----------------------------------------------------------------------------

    def feed(self, table: Table) -> None:
        for row in table.rows():
            self._row(row, table)
        if table.cut_off and self._t4_values:
            self._flush_t4(table.cut_off)  # the data row as far as the page shows it

    def _row(self, row: list[TableCell], table: Table) -> None:
        texts = [c.text for c in row]
        norms = [norm_label(t) for t in texts]
        nonempty = [n for n in norms if n]
        if not nonempty:
            return
        if any(self._corner_key in n for n in norms):
            st = self.state["applications"]
            st.corner_note = next(
                t for t, n in zip(texts, norms, strict=True) if self._corner_key in n
            ).strip()
            st.header_seen = True
            st.found = True
            st.loc = st.loc or table.loc
            self._context = "applications"
            return
        # a cell the reader left unread with no Chinese in it (OCR: a letter read where a digit
        # stands) is a value, not a label
        label_idx = [
            i
            for i, t in enumerate(texts)
            if norms[i] and not is_number_token(t) and not (row[i].unread and not _CJK.search(t))
        ]
        if not label_idx:
            self._numeric_row(row, table.cut_off)
            return
        if nonempty[0] in self._t2_headers or norms[label_idx[0]].startswith(self._t2_headers):
            self._t2_header = [norms[i] for i in label_idx[1:]]
            self._context = "active_disclosure"
            self.state["active_disclosure"].found = True
            self.state["active_disclosure"].loc = self.state["active_disclosure"].loc or table.loc
            return
        if norms[label_idx[0]].startswith(self._caption_prefix):
            self._context = "active_disclosure"
            self._t2_header = None
            return
        hit = self._match_row(row, label_idx)
        if hit is not None:
            self._take(hit, table)
            return
        label_norms = {norms[i] for i in label_idx}
        if label_norms & self._t4_header and not label_norms & self._t3_header:
            self._context = "review_litigation"
            st = self.state["review_litigation"]
            st.found, st.header_seen = True, True
            st.loc = st.loc or table.loc
            return
        if label_norms & self._t3_header or any(n in self._app_group for n in label_norms):
            self._context = "applications"
            st = self.state["applications"]
            st.found = True
            st.header_seen = st.header_seen or bool(label_norms & self._t3_header)
            st.loc = st.loc or table.loc
            return
        values = [c for c in row[label_idx[-1] + 1 :]]
        width = len(self.t.app_columns)
        if self._context == "applications" and len(_trim(values, width)) == width:
            printed = " ".join(texts[i].strip() for i in label_idx)
            if row[label_idx[-1]].confidence is not None:
                # read by OCR: the label may be OCR's misreading or a row it split, not a row the
                # report added (TPL-006 would say so); its cells are simply not placed
                self.notes.append(
                    problem(
                        "EXT-012",
                        f"表三中 OCR 读出的一行标签「{printed}」无法与模板对应，该行未读取",
                        loc=row[label_idx[-1]].loc,
                    )
                )
                return
            self.state["applications"].extra_rows.append(
                LabelMatch("", printed, "", "other_version", row[label_idx[-1]].loc)
            )

    def _numeric_row(self, row: list[TableCell], cut: str = "") -> None:
        if self._context == "review_litigation":
            self._t4_values.extend(c for c in row if c.text.strip() or True)
            self._flush_t4(cut)
            return
        if self._context == "applications" and sum(1 for c in row if any(ch.isdigit() for ch in c.text)) >= 3:
            self._unlabelled.append(row)

    def _settle_unlabelled(self, next_index: int) -> None:
        """Rows whose label a converter lost, placed between their labelled neighbours.

        Only when exactly as many rows are missing there as there are unlabelled rows; the
        placement is checked against the table's sums in `result()` and undone if they fail.
        """
        pending, self._unlabelled = self._unlabelled, []
        if not pending:
            return
        st = self.state["applications"]
        gap = [r for r in self._app_order[self._last_app_index + 1 : next_index] if r not in st.seen_rows]
        columns = self.t.app_columns
        if len(gap) == len(pending) and all(
            len(_trim(list(r), len(columns))) == len(columns) for r in pending
        ):
            labels = {r.id: r.label for r in self.t.app_rows}
            for row_id, row in zip(gap, pending, strict=True):
                st.seen_rows.add(row_id)
                self._inferred[row_id] = None
                st.labels.append(LabelMatch(row_id, "", labels[row_id], "position", row[0].loc))
                for cell, col in zip(_trim(list(row), len(columns)), columns, strict=True):
                    _place(st, f"{row_id}.{col.id}", cell, col)
            return
        for row in pending:
            self._unplaced(row)

    def _unplaced(self, row: list[TableCell]) -> None:
        self.notes.append(
            problem(
                "EXT-012",
                f"表三中有一行数据没有行标签（{' | '.join(c.text for c in row)}），无法确定属于哪一行，未读取",
                loc=row[0].loc,
            )
        )

    def _flush_t4(self, cut: str = "") -> None:
        width = len(self.t.review_groups) * len(self.t.review_columns)
        vals = _trim(self._t4_values, width)
        cols = self.t.review_columns
        ids = [f"{g.id}.{c.id}" for g in self.t.review_groups for c in cols]
        st = self.state["review_litigation"]
        if cut and 0 < len(vals) < width:
            # the page shows only the columns on its side of the edge, in their order
            shown = ids[: len(vals)] if cut == "right" else ids[width - len(vals) :]
            for cid, cell in zip(shown, vals, strict=True):
                st.cells.setdefault(cid, _cell(cid, cell, cols[ids.index(cid) % len(cols)]))
            for k, cid in enumerate(ids):
                if cid not in shown:
                    group = self.t.review_groups[k // len(cols)]
                    st.absent[cid] = "·".join(
                        label for label in (group.group, group.label, cols[k % len(cols)].label) if label
                    )
            st.absent_side = cut
            self._t4_values = []
            return
        if len(vals) < width:
            return
        if len(vals) > width:
            self.notes.append(
                problem(
                    "EXT-012",
                    f"{TABLE_SHORT['review_litigation']}数据行有 {len(vals)} 个单元格，模板为 {width} 个，"
                    "无法确定对应关系，未读取",
                    loc=vals[0].loc,
                )
            )
            self._t4_values = []
            return
        cols = self.t.review_columns
        for k, cell in enumerate(vals):
            g = self.t.review_groups[k // len(cols)]
            c = cols[k % len(cols)]
            cid = f"{g.id}.{c.id}"
            if cid not in st.cells:
                _place(st, cid, cell, c)
        self._t4_values = []

    # -- rows with labels -----------------------------------------------------------------------

    def _match_row(self, row: list[TableCell], label_idx: list[int]) -> _RowHit | None:
        expected = frozenset(self._app_order[self._last_app_index + 1 : self._last_app_index + 3])
        for i in reversed(label_idx):
            text = row[i].text
            n = norm_label(text)
            hit = match_label(text, self._app_candidates, None, expected)
            table: TableName = "applications"
            if hit is None:
                hit = match_label(text, self._t2_candidates, self._t2_variants)
                table = "active_disclosure"
            if hit is None and n in self._app_group and self._app_group[n] == "（六）其他处理":
                # a 2021 table printing （六）其他处理 as one row, as the 2019 template did
                values = row[i + 1 :]
                width = len(self.t.app_columns)
                if len(_trim(values, width)) == width and not any(
                    norm_label(c.text)
                    and not is_number_token(c.text)
                    and not (c.unread and not _CJK.search(c.text))
                    for c in values
                ):
                    hit = LabelHit("other", "other_version", self._app_group[n], 1.0)
                    table = "applications"
            if hit is None:
                continue
            return _RowHit(table, hit.key, hit, text.strip(), row[i + 1 :], row[i])
        return None

    def _take(self, rh: _RowHit, table: Table) -> None:
        st = self.state[rh.table]
        st.found = True
        st.loc = st.loc or table.loc
        self._context = rh.table
        if rh.hit.how != "exact":
            how = rh.hit.how if rh.hit.how in ("variant", "typo", "other_version", "partial") else "typo"
            if how == "typo" and rh.label_cell.confidence is not None:
                how = "ocr"  # a character OCR misread is no typo of the report's (TPL- rules skip it)
            expected = rh.hit.expected
            if rh.hit.how == "variant":
                expected = self._canonical(rh.table, rh.row_id)
            st.labels.append(
                LabelMatch(
                    rh.row_id,
                    rh.printed,
                    expected,
                    how,  # type: ignore[arg-type]
                    rh.label_cell.loc,
                )
            )
        if rh.table == "applications":
            if rh.row_id in self._app_order:
                self._settle_unlabelled(self._app_order.index(rh.row_id))
                self._last_app_index = self._app_order.index(rh.row_id)
            columns: tuple[Column, ...] = self.t.app_columns
        else:
            block = self._t2_block[rh.row_id]
            columns = self._t2_columns(block.columns, rh)
        if rh.row_id in st.seen_rows:
            return  # a repeated row (e.g. under a repeated header) keeps its first reading
        st.seen_rows.add(rh.row_id)
        values = _trim(rh.values, len(columns))
        if table.cut_off and 0 < len(values) < len(columns):
            # the page shows only the columns on its side of the edge, in their order
            n = len(values)
            shown = columns[:n] if table.cut_off == "right" else columns[len(columns) - n :]
            for cell, col in zip(values, shown, strict=True):
                st.cells[f"{rh.row_id}.{col.id}"] = _cell(f"{rh.row_id}.{col.id}", cell, col)
            for col in columns:
                if col not in shown:
                    st.absent[f"{rh.row_id}.{col.id}"] = col.label
            st.absent_side = table.cut_off
            return
        if len(values) != len(columns):
            for c in columns:
                st.unread[f"{rh.row_id}.{c.id}"] = (
                    f"「{rh.printed}」一行有 {len(values)} 个数据单元格，模板为 {len(columns)} 个"
                )
            return
        for cell, col in zip(values, columns, strict=True):
            cid = f"{rh.row_id}.{col.id}"
            _place(st, cid, cell, col)

    def _canonical(self, table: TableName, row_id: str) -> str:
        rows = [r for _, r in self.t.active_rows] if table == "active_disclosure" else list(self.t.app_rows)
        return next((r.label for r in rows if r.id == row_id), row_id)

    def _t2_columns(self, columns: tuple[Column, ...], rh: _RowHit) -> tuple[Column, ...]:
        """Block columns, ordered as the printed header says when it names them all."""
        header = self._t2_header
        if not header:
            return columns
        by_label = {norm_label(c.label): c for c in columns}
        if len(header) == len(columns) and set(header) == set(by_label):
            return tuple(by_label[h] for h in header)
        return columns

    # -- result ---------------------------------------------------------------------------------

    def _check_inferred(self) -> None:
        """Undo row placements by position when the table's column sums do not confirm them."""
        if not self._inferred:
            return
        st = self.state["applications"]
        rows = list(self._app_order)
        if "other.total" in st.cells:  # printed as one 2019-style row
            rows = [r for r in rows if not r.startswith("other.")] + ["other"]
        confirmed = True
        for eq in self.t.equations("applications", rows):
            ids = (*eq.lhs, *eq.rhs)
            if not any(c.rsplit(".", 1)[0] in self._inferred for c in ids):
                continue
            cells = [st.cells.get(c) for c in ids]
            if any(c is None or c.kind != "number" for c in cells):
                confirmed = False  # a blank or unread cell: the placement cannot be confirmed
                break
            lhs = sum((st.cells[c].value or 0) for c in eq.lhs)
            rhs = sum((st.cells[c].value or 0) for c in eq.rhs)
            if lhs != rhs:
                confirmed = False
                break
        if confirmed:
            for row_id in self._inferred:
                self.notes.append(
                    repair(
                        "row_by_position",
                        f"表三「{next(r.label for r in self.t.app_rows if r.id == row_id)}」"
                        "一行的标签在源文件中缺失，按模板行序放置，并经列勾稽关系核对一致",
                    )
                )
            return
        for row_id in self._inferred:
            for col in self.t.app_columns:
                cid = f"{row_id}.{col.id}"
                st.cells.pop(cid, None)
                st.unread[cid] = "该行标签缺失，按行序推定的位置未通过勾稽关系核对"
        st.labels = [m for m in st.labels if m.how != "position"]
        self._inferred.clear()

    def result(self, name: TableName) -> TableData | None:
        if name == "applications":
            for lost in self._unlabelled:
                self._unplaced(lost)
            self._unlabelled = []
            self._check_inferred()
        st = self.state[name]
        if st.ocr:
            checked = check_sums(name, self.t, st.cells, st.unread, st.ocr)
            st.cells, st.unread = checked.cells, checked.unread
            self.notes.extend(checked.notes)
        ids = self.t.cell_ids(name)
        if name == "review_litigation" and self._t4_values:
            self._t4_values = []
        if not st.found and not st.cells:
            return None
        present_rows = {cid.rsplit(".", 1)[0] for cid in (*st.cells, *st.unread, *st.absent)}
        order = ids + [cid for cid in st.cells if cid not in ids]
        cells = {cid: st.cells[cid] for cid in order if cid in st.cells}
        if name == "applications" and "other" in present_rows and self.t.version == "2021":
            ids = [cid for cid in ids if not cid.startswith("other.")] + [
                f"other.{c.id}" for c in self.t.app_columns
            ]
        missing_rows = []
        for cid in ids:
            row = cid.rsplit(".", 1)[0]
            if row not in present_rows and row not in missing_rows:
                missing_rows.append(row)
        unread = tuple(cid for cid in ids if cid not in cells)
        if st.absent:
            labels = "".join(f"「{label}」" for label in dict.fromkeys(st.absent.values()))
            side = "右" if st.absent_side == "right" else "左"
            self.notes.append(
                problem(
                    "EXT-007",
                    f"{TABLE_TITLES[name]}超出页面{side}边缘：{labels}共 {len(set(st.absent.values()))} 列"
                    f"不在页面上（文件中没有这部分内容），{len(st.absent)} 个单元格未读取",
                    cells=tuple(f"{name}.{c}" for c in st.absent),
                    loc=st.loc,
                )
            )
        by_reason: dict[str, list[str]] = {}
        for cid, why in st.unread.items():
            by_reason.setdefault(why, []).append(cid)
        for why, cids in by_reason.items():
            rows = [f"「{row_label(name, c.rsplit('.', 1)[0], self.t)}」" for c in cids]
            unnamed = [r + "行" for r in dict.fromkeys(rows) if r not in why]
            self.notes.append(
                problem(
                    "EXT-007",
                    f"{TABLE_TITLES[name]}：{why}，{len(cids)} 个单元格未读取"
                    + (f"（{'、'.join(unnamed)}）" if unnamed else ""),
                    cells=tuple(f"{name}.{c}" for c in cids),
                )
            )
        template_cells = len(self.t.cell_ids(name))
        read = sum(1 for cid in ids if cid in cells)
        confidence: Literal["high", "low"] = "high" if read >= 0.8 * template_cells else "low"
        return TableData(
            name=name,
            template=self.t.version,
            cells=cells,
            labels=tuple(st.labels),
            extra_rows=tuple(st.extra_rows),
            missing_rows=tuple(missing_rows),
            unread_cells=unread,
            confidence=confidence,
            corner_note=st.corner_note,
            loc=st.loc,
        )


@cache
def _header_words(t: Template) -> tuple[frozenset[str], frozenset[str]]:
    """Header words that mark table 三 and table 四, normalised once per template."""
    return (
        frozenset(norm_label(w) for w in t.header_words("applications")),
        frozenset(norm_label(w) for w in t.header_words("review_litigation")),
    )


@cache
def _label_sets(t: Template) -> tuple[LabelSet, LabelSet, LabelSet]:
    """Table 三 rows, table 二 rows and table 二 variants, indexed once per template."""
    return (
        LabelSet(tuple(candidate(r.id, r.label) for r in t.app_rows)),
        LabelSet(tuple(candidate(r.id, r.label) for _, r in t.active_rows)),
        LabelSet(tuple(candidate(r.id, v) for _, r in t.active_rows for v in r.variants)),
    )


def _trim(values: list[TableCell], expected: int) -> list[TableCell]:
    """Drop trailing (then leading) empty cells beyond the expected count, e.g. Markdown's `|  |`."""
    out = list(values)
    while len(out) > expected and out and not out[-1].text.strip():
        out.pop()
    while len(out) > expected and out and not out[0].text.strip():
        out.pop(0)
    return out


def _cell(cid: str, cell: TableCell, col: Column) -> Cell:
    kind, value = parse_cell(cell.text, money=col.money)
    return Cell(cid, cell.text.strip(), kind, value, cell.loc, cell.confidence)


def _place(st: _TableState, cid: str, cell: TableCell, col: Column) -> None:
    """A cell into its table, or into the unread ones when the reader could not trust it."""
    if cell.confidence is not None:
        st.ocr[cid] = cell
    if cell.unread:
        st.unread[cid] = cell.unread
    else:
        st.cells[cid] = _cell(cid, cell, col)


def map_tables(
    document: Document, template: Template
) -> tuple[dict[TableName, TableData | None], list[ExtractionNote]]:
    mapper = TableMapper(template, document.path)
    for table in document.tables():
        mapper.feed(table)
    out: dict[TableName, TableData | None] = {name: mapper.result(name) for name in TABLE_NAMES}
    notes = mapper.notes
    for name, data in out.items():
        if data and data.labels:
            for m in data.labels:
                if m.how in ("typo", "ocr"):
                    notes.append(
                        repair(
                            "label_typo",
                            f"{TABLE_TITLES[name]}行标签「{m.printed}」按模板「{m.expected}」识别",
                            loc=m.loc,
                        )
                    )
    return out, notes
