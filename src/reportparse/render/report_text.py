"""`reportparse parse --format text`: the report laid out as a person reads it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from ..findings import SEVERITY_CN, Finding
from ..model import Cell, Report, TableData
from ..templates import TABLE_TITLES, Template, template

_CN = "一二三四五六"


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, w: int, right: bool = False) -> str:
    gap = max(0, w - width(text))
    return " " * gap + text if right else text + " " * gap


def show(cell: Cell | None) -> str:
    if cell is None:
        return "?"
    if cell.kind == "blank":
        return "（空）"
    return cell.raw


def grid(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = ["  ".join(pad(h, widths[i], i > 0) for i, h in enumerate(header))]
    out.append("  ".join("-" * w for w in widths))
    out.extend("  ".join(pad(c, widths[i], i > 0) for i, c in enumerate(r)) for r in rows)
    return out


def _table2(t: Template, data: TableData) -> list[str]:
    out: list[str] = []
    for block in t.blocks:
        out.append(f"  {block.caption}")
        rows = [
            [r.label, *(show(data.cells.get(f"{r.id}.{c.id}")) for c in block.columns)] for r in block.rows
        ]
        out.extend("    " + line for line in grid([block.header, *(c.label for c in block.columns)], rows))
    return out


def _table3(t: Template, data: TableData) -> list[str]:
    row_ids = list(dict.fromkeys(cid.rsplit(".", 1)[0] for cid in data.cells))
    labels = {r.id: r.label for r in t.app_rows}
    order = [r.id for r in t.app_rows if r.id in row_ids or r.id not in row_ids]
    order += [r for r in row_ids if r not in order]
    rows = []
    for rid in order:
        label = labels.get(rid, "（六）其他处理" if rid == "other" else rid)
        if len(label) > 24:
            label = label[:23] + "…"
        rows.append([label, *(show(data.cells.get(f"{rid}.{c.id}")) for c in t.app_columns)])
    return ["    " + line for line in grid(["", *(c.label for c in t.app_columns)], rows)]


def _table4(t: Template, data: TableData) -> list[str]:
    rows = [
        [g.label, *(show(data.cells.get(f"{g.id}.{c.id}")) for c in t.review_columns)]
        for g in t.review_groups
    ]
    return ["    " + line for line in grid(["", *(c.label for c in t.review_columns)], rows)]


def render_report(report: Report, findings: Iterable[Finding] = ()) -> str:
    m = report.meta
    lines = [
        f"文件：{report.source.path or '（字节输入）'}（{report.source.format}）",
        f"标题：{m.title or '（未识别）'}",
        f"机关：{m.organization or '（未识别）'}（{m.body_kind}）  年度：{m.year or '（未识别）'}  模板：{m.template}",
        f"发布日期：{m.published.isoformat() if m.published else '（未知）'}"
        + (f"（来源：{'页面' if m.published_source == 'page' else '落款'}）" if m.published_source else ""),
        "",
        "各部分：",
    ]
    for s in report.sections:
        lines.append(f"  {s.numbering or _CN[s.number - 1] + '、'}{s.heading}（{len(s.text)} 字）")
    missing = [n for n in range(1, 7) if report.section(n) is None]
    if missing:
        lines.append("  未找到：" + "、".join(f"第{_CN[n - 1]}部分" for n in missing))
    renderers = {"active_disclosure": _table2, "applications": _table3, "review_litigation": _table4}
    for name, data in report.tables.items():
        lines.append("")
        if data is None:
            lines.append(f"{TABLE_TITLES[name]}：未找到")
            continue
        lines.append(
            f"{TABLE_TITLES[name]}（{data.template} 模板，读到 {len(data.cells)} 个单元格"
            + (f"，{len(data.unread_cells)} 个未读取" if data.unread_cells else "")
            + "）"
        )
        lines.extend(renderers[name](template(data.template), data))
    findings = list(findings)
    if findings:
        lines += ["", "问题："]
        lines += [f"  [{f.rule} {SEVERITY_CN[f.severity]}] {f.message}" for f in findings]
    repairs = [n for n in report.extraction_notes if not n.rule]
    if repairs:
        lines += ["", "读取说明："]
        lines += [f"  {n.message}" for n in repairs]
    return "\n".join(lines) + "\n"
