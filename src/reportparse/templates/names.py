"""Human names for canonical cell ids, for messages: 表三「（一）予以公开」行「自然人」列."""

from __future__ import annotations

from . import TABLE_SHORT, Template


def row_label(table: str, row: str, t: Template) -> str:
    if table == "applications":
        labels = {r.id: r.label for r in t.app_rows}
        return labels.get(row, "（六）其他处理" if row == "other" else row)
    if table == "review_litigation":
        return {g.id: g.label for g in t.review_groups}.get(row, row)
    return {r.id: r.label for _, r in t.active_rows}.get(row, row)


def column_label(table: str, cid: str, t: Template) -> str:
    row, _, col = cid.rpartition(".")
    if table == "applications":
        return {c.id: c.label for c in t.app_columns}.get(col, col)
    if table == "review_litigation":
        return {c.id: c.label for c in t.review_columns}.get(col, col)
    for b, r in t.active_rows:
        if r.id == row:
            return {c.id: c.label for c in b.columns}.get(col, col)
    return col


def short(label: str, limit: int = 18) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def cell_name(table: str, cid: str, t: Template) -> str:
    """表三「（一）予以公开」行「自然人」列; a whole row (an id without a column): 表二「规范性文件」行."""
    if "." not in cid:
        return f"{TABLE_SHORT[table]}「{short(row_label(table, cid, t))}」行"
    row = cid.rpartition(".")[0]
    return f"{TABLE_SHORT[table]}「{short(row_label(table, row, t))}」行「{column_label(table, cid, t)}」列"


def logical_location(table: str, cid: str, t: Template) -> str:
    """Path-like location for SARIF and reports: 表三/（一）予以公开/自然人 (a whole row: 表二/规范性文件)."""
    if "." not in cid:
        return f"{TABLE_SHORT[table]}/{row_label(table, cid, t)}"
    row = cid.rpartition(".")[0]
    return f"{TABLE_SHORT[table]}/{row_label(table, row, t)}/{column_label(table, cid, t)}"


def is_total_cell(table: str, cid: str) -> bool:
    row, _, col = cid.rpartition(".")
    if table == "applications":
        return col == "total" or row == "total"
    return table == "review_litigation" and col == "total"
