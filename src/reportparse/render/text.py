"""`check --format text`: findings grouped by file, in Chinese; coloured on a terminal.

Also the helpers the other batch renderers share: where a finding is (line, page, table cell)
and what a cell is called (表三/（一）予以公开/自然人).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..findings import SEVERITY_CN, SEVERITY_ORDER, Finding
from ..model import Loc, ReportHead, json_number
from ..rules import load_rules
from ..templates import TABLE_SHORT, VERSIONS, Template, template
from ..templates.names import cell_name, logical_location
from . import DEFAULT_OPTIONS, RenderOptions

if TYPE_CHECKING:
    from ..batch import FileResult

STATUS_CN = {"ok": "正常", "findings": "有问题", "unreadable": "无法读取", "timeout": "超时"}
KEY_FIGURES = (
    ("applications.new_received.total", "新收申请"),
    ("applications.total.total", "办理结果总计"),
    ("applications.carried_forward.total", "结转下年度"),
    ("review_litigation.review.total", "行政复议"),
)

_COLOR = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m", "bold": "\x1b[1m", "dim": "\x1b[2m"}
_RESET = "\x1b[0m"


_PART = "一二三四五六"


def location_text(loc: Loc | None) -> str:
    """Where in the file, as a person says it: 第3页 第一部分第2段「…」, 表格2第5行第3列, 第12行.

    A source line is shown for text files only (an HTML page's line can be 70,000 characters
    long); an element path never (it stays in the JSON for tools)."""
    if loc is None:
        return ""
    parts: list[str] = []
    if loc.page is not None:
        parts.append(f"第{loc.page}页")
    if loc.line is not None and loc.path is None:
        parts.append(
            f"第{loc.line}行" if loc.end_line in (None, loc.line) else f"第{loc.line}–{loc.end_line}行"
        )
    if loc.section is not None:
        where = "正文开头" if loc.section == 0 else f"第{_PART[loc.section - 1]}部分"
        if loc.paragraph is not None:
            where += f"第{loc.paragraph}段"
        parts.append(where + (f"「{loc.quote}」" if loc.quote else ""))
    elif loc.quote:  # the title, the sign-off date: quoted as printed
        parts.append(f"「{loc.quote}」")
    if loc.table is not None:
        cell = ""
        if loc.row is not None:
            cell += f"第{loc.row + 1}行"
        if loc.col is not None:
            cell += f"第{loc.col + 1}列"
        parts.append(f"表格{loc.table + 1}{cell}")
    return " ".join(parts)


def fix_text(rule_id: str) -> str:
    """How to fix what rule `rule_id` finds (its docs page's 如何修正), or ""."""
    rule = load_rules().get(rule_id)
    return rule.fix if rule else ""


def shown_value(value: object) -> str:
    """An `expected`/`actual` value as a person reads it: 12, 12.5, 是, 甲、乙; None as ""."""
    value = json_number(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple | set | frozenset):
        return "、".join(shown_value(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{shown_value(v)}" for k, v in value.items())
    return str(value)


def report_template(head: ReportHead, table: str | None = None) -> Template:
    """The template a report's cells were mapped on (for labels)."""
    own = head.table_templates.get(table) if table else None
    if own in VERSIONS:
        return template(own)
    return template(head.meta.template if head.meta.template in VERSIONS else "2021")


def split_cell(qualified: str) -> tuple[str, str]:
    table, _, cid = qualified.partition(".")
    return table, cid


def cell_logical(head: ReportHead | None, qualified: str) -> str:
    """表三/（一）予以公开/自然人 for applications.granted.natural_person."""
    table, cid = split_cell(qualified)
    if head is None or table not in TABLE_SHORT:
        return qualified
    try:
        return logical_location(table, cid, report_template(head, table))
    except (KeyError, ValueError):
        return qualified


def cell_title(head: ReportHead | None, qualified: str) -> str:
    """表三「（一）予以公开」行「自然人」列."""
    table, cid = split_cell(qualified)
    if head is None or table not in TABLE_SHORT:
        return qualified
    try:
        return cell_name(table, cid, report_template(head, table))
    except (KeyError, ValueError):
        return qualified


def finding_location(head: ReportHead | None, f: Finding) -> str:
    """The logical place (first cell) and the physical one, for CSV and lists."""
    parts = [cell_logical(head, f.cells[0])] if f.cells else []
    physical = location_text(f.loc)
    if physical:
        parts.append(physical)
    return "；".join(parts)


def display_path(path: str, root: Path | None) -> str:
    """A path relative to `root` when it lies under it, with forward slashes."""
    if root is None:
        return Path(path).as_posix()
    absolute = os.path.abspath(path)
    try:
        return (
            Path(os.path.relpath(absolute, root)).as_posix()
            if _under(absolute, root)
            else Path(path).as_posix()
        )
    except ValueError:  # another drive
        return Path(path).as_posix()


def _under(path: str, root: Path) -> bool:
    try:
        Path(path).relative_to(os.path.abspath(root))
    except ValueError:
        return False
    return True


def body_of(result: FileResult) -> str:
    return (result.head.meta.organization or "") if result.head else ""


def year_of(result: FileResult) -> int | None:
    return result.head.meta.year if result.head else None


def _fix_shown(f: Finding, options: RenderOptions) -> bool:
    return options.show_fixes == "all" or (options.show_fixes == "errors" and f.severity == "error")


def _paint(text: str, style: str, color: bool) -> str:
    return f"{_COLOR[style]}{text}{_RESET}" if color else text


def render_text(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> str:
    color = options.color
    lines: list[str] = []
    clean = 0
    for r in results:
        if not r.findings and not r.unverified and not r.dismissed:
            clean += 1
            continue
        head = display_path(r.path, options.root)
        about = []
        if r.head is not None and r.status != "unreadable":
            m = r.head.meta
            if m.organization:
                about.append(m.organization)
            if m.year:
                about.append(f"{m.year} 年")
            if m.template in VERSIONS:
                about.append(f"{m.template} 模板")
        status_style = "error" if r.status in ("unreadable", "timeout") else "bold"
        status = _paint(STATUS_CN[r.status], status_style, color) + ("，部分未核对" if r.unverified else "")
        lines.append(
            f"{_paint(head, 'bold', color)}  [{status}]"
            + (f"  {_paint(' '.join(about), 'dim', color)}" if about else "")
        )
        fixed: set[str] = set()
        again = dict(r.recurring)
        for i, f in enumerate(r.findings):
            where = location_text(f.loc)
            sev = _paint(SEVERITY_CN[f.severity], f.severity, color)
            lines.append(f"  {sev} {f.rule}  {f.message}" + (f"  （{where}）" if where else ""))
            if i in again:
                lines.append(
                    f"        {_paint(f'重复出现：{again[i].year} 年已确认需整改', 'warning', color)}"
                )
            if f.cells:
                names = "、".join(cell_logical(r.head, c) for c in f.cells[:4])
                more = f" 等 {len(f.cells)} 个" if len(f.cells) > 4 else ""
                lines.append(f"        {_paint('单元格：' + names + more, 'dim', color)}")
            if _fix_shown(f, options) and f.rule not in fixed and (fix := fix_text(f.rule)):
                fixed.add(f.rule)
                lines.append(f"        修正：{fix}")
        for f, d in r.dismissed:
            lines.append(
                f"  {_paint('已排除', 'dim', color)} {f.rule}  {f.message}"
                + _paint(f"（复核排除：{d.reason}；{d.who}，{d.decided_at[:10]}）", "dim", color)
            )
        for u in r.unverified:
            lines.append(
                f"  {_paint('未核对', 'warning', color)}  {u.reason}：{'、'.join(u.checks)} 未能完整核对，请人工查看"
            )
        lines.append("")
    if clean and not options.quiet:
        lines.append(
            f"其余 {clean} 个文件未发现问题。" if clean < len(results) else f"全部 {clean} 个文件未发现问题。"
        )
    hidden = sum(r.baselined or 0 for r in results)
    if hidden and not options.quiet:
        lines.append(f"基线已记录的问题 {hidden} 条未显示。")
    if options.skipped and not options.quiet:
        lines.append(f"跳过 {len(options.skipped)} 个未检查的路径：")
        lines += [f"  {display_path(s.path, options.root)}（{s.reason}）" for s in options.skipped]
    compared = [r for r in results if r.year_on_year is not None]
    if compared and not options.quiet:
        lines += ["", f"同比（{len(compared)} 份报告与本机关上一年度报告对比）："]
        lines += [
            f"  {display_path(r.path, options.root)}  {r.year_on_year.line()}"
            for r in compared
            if r.year_on_year
        ]
    if options.coverage is not None:
        from .coverage import coverage_lines

        lines += coverage_lines(options.coverage, options.root)
    return "\n".join(lines) + "\n"


def render_statistics(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> str:
    """`check --statistics`: how many findings of each rule (at its most severe), most first."""
    registry = load_rules()
    count: Counter[str] = Counter()
    files: dict[str, set[str]] = {}
    worst: dict[str, str] = {}
    for r in results:
        for f in r.findings:
            count[f.rule] += 1
            files.setdefault(f.rule, set()).add(r.path)
            if SEVERITY_ORDER[f.severity] > SEVERITY_ORDER.get(worst.get(f.rule, ""), -1):
                worst[f.rule] = f.severity
    lines = []
    for rid in sorted(count, key=lambda k: (-count[k], k)):
        rule = registry.get(rid)
        title = rule.title if rule else ""
        lines.append(
            f"{count[rid]:>6}  {rid:<8} {SEVERITY_CN[worst[rid]]}  {title}（{len(files[rid])} 个文件）"
        )
    return "\n".join(lines) + "\n" if lines else "未发现问题。\n"
