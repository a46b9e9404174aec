"""The 勾稽 relations of the tables: T3-001…003, T3-005, T4-001, T2-003.

Counts are compared exactly. Blank and dash cells count as 0 (NUM-003 says so once per table),
except a blank 总计 whose parts are not all zero: relations that use it are skipped, so one
unfilled total never cascades into a page of arithmetic errors. Tables whose extraction
structure is uncertain (read state `failed`) are not shown to these rules at all.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator

from ..findings import Finding
from ..model import Number, Report, TableData, TableName
from ..templates import TABLE_SHORT, Equation, Template, template
from ..templates.names import column_label, row_label, short
from . import finding, rule
from .cells import blank_totals
from .mentions import mentions

_DIGIT = re.compile(r"[0-9]")  # ASCII only: str.isdigit() accepts superscripts


def _rows(data: TableData, t: Template) -> list[str]:
    ids = [cid.rsplit(".", 1)[0] for cid in t.cell_ids(data.name)]
    if any(cid.startswith("other.") and cid.count(".") == 1 for cid in data.cells):
        ids = [r for r in ids if not r.startswith("other.")]
        ids.insert(ids.index("total"), "other")
    return list(dict.fromkeys(ids))


def _sum(data: TableData, ids: tuple[str, ...]) -> Number | None:
    total: Number = 0
    for cid in ids:
        cell = data.cells.get(cid)
        if cell is None or (cell.kind == "text" and cell.value is None):
            return None  # unread or not a number: cannot check
        total += cell.value or 0
    return total


def evaluate(
    data: TableData, t: Template, relation: str | None = None
) -> Iterator[tuple[Equation, Number, Number]]:
    """Every violated equation of a table (of one relation, if given): (equation, lhs, rhs)."""
    skip = set(blank_totals(data.name, data))
    for eq in t.equations(data.name, _rows(data, t)):
        if relation is not None and eq.relation.id != relation:
            continue
        if skip and skip & set(eq.lhs + eq.rhs):
            continue
        lhs, rhs = _sum(data, eq.lhs), _sum(data, eq.rhs)
        if lhs is None or rhs is None or lhs == rhs:
            continue
        yield eq, lhs, rhs


def _terms(data: TableData, ids: tuple[str, ...]) -> str:
    return " + ".join(str(data.value(c) or 0) for c in ids)


def _split_hint(data: TableData, eq: Equation) -> str:
    """A row that balances if two adjacent single digits were one number (a split cell)."""
    parts = list(eq.rhs)
    total = data.value(eq.lhs[0])
    raws = [data.cells[c].raw for c in parts]
    vals = [data.value(c) or 0 for c in parts]
    for i in range(len(parts) - 1):
        if _DIGIT.fullmatch(raws[i]) and _DIGIT.fullmatch(raws[i + 1]):
            merged = [*vals[:i], int(raws[i] + raws[i + 1]), *vals[i + 2 :]]
            if sum(merged) == total:
                return (
                    f"；若相邻两格 {raws[i]} 与 {raws[i + 1]} 实为一个数 {raws[i]}{raws[i + 1]}，该行即平衡"
                    "（疑似一个数被拆进了两格）"
                )
    return ""


def _shift_hints(
    data: TableData, t: Template, failures: dict[str, tuple[Equation, Number, Number]]
) -> dict[str, str]:
    """Columns c, c+1 off by +v and -v: a value v printed one column off in some row."""
    cols = [c.id for c in t.app_columns]
    hints: dict[str, str] = {}
    for a, b in itertools.pairwise(cols):
        if a not in failures or b not in failures:
            continue
        eq_a, la, ra = failures[a]
        eq_b, lb, rb = failures[b]
        da, db = la - ra, lb - rb
        if da != -db or da == 0:
            continue
        for cid in eq_b.rhs + eq_b.lhs if da > 0 else eq_a.rhs + eq_a.lhs:
            if data.value(cid) == abs(da):
                row = cid.rsplit(".", 1)[0]
                src, dst = (b, a) if da > 0 else (a, b)
                hint = (
                    f"；「{short(row_label('applications', row, t))}」行的 {abs(da)} 可能错填在"
                    f"「{column_label('applications', f'x.{src}', t)}」列，应在「{column_label('applications', f'x.{dst}', t)}」列"
                )
                hints[a] = hints[b] = hint
                break
    return hints


@rule(
    "T3-001",
    "applications-balance",
    "error",
    "表三第一项加第二项之和不等于第三项加第四项之和（按列）",
    tags=("arithmetic",),
    example="自然人列：新收 10 + 上年结转 2 = 12，但办理结果总计 9 + 结转下年度 2 = 11。",
    fix="核对各列：本年新收 + 上年结转 = （七）总计 + 结转下年度继续办理。",
    basis="表三左上角说明“第一项加第二项之和，等于第三项加第四项之和”（模板明文）。",
    reads=("applications",),
)
def applications_balance(report: Report) -> Iterator[Finding]:
    yield from _relation_findings(report, "applications", "T3-001")


@rule(
    "T3-002",
    "applications-results-total",
    "error",
    "表三（七）总计不等于各办理结果之和（按列）",
    tags=("arithmetic",),
    example="总计列：（一）至（六）各项之和为 37，（七）总计填 35。",
    fix="（七）总计 = （一）予以公开 + （二）部分公开 + （三）至（六）各子项之和。",
    basis="“（七）总计”的含义（template-spec A2），各地审核均按此核对。",
    reads=("applications",),
)
def applications_results_total(report: Report) -> Iterator[Finding]:
    yield from _relation_findings(report, "applications", "T3-002")


@rule(
    "T3-003",
    "applications-row-total",
    "error",
    "表三总计列不等于六类申请人之和（按行）",
    tags=("arithmetic",),
    example="“（一）予以公开”行：自然人 5、商业企业 1，其余为 0，总计填 5。",
    fix="每行总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他。",
    basis="“总计”列的含义（template-spec A3）。",
    reads=("applications",),
)
def applications_row_total(report: Report) -> Iterator[Finding]:
    yield from _relation_findings(report, "applications", "T3-003")


@rule(
    "T4-001",
    "review-litigation-total",
    "error",
    "表四各组总计不等于结果维持、结果纠正、其他结果、尚未审结之和",
    tags=("arithmetic",),
    example="行政复议：结果维持 10、结果纠正 1，总计填 0。",
    fix="每组总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结。",
    basis="“总计”列的含义（template-spec A5）。",
    reads=("review_litigation",),
)
def review_litigation_total(report: Report) -> Iterator[Finding]:
    yield from _relation_findings(report, "review_litigation", "T4-001")


# A violated equation -> (message, expected, actual), by relation id; the relation and the rule
# that reports it are template data (`relations[].rule`).
_Message = Callable[[TableData, Template, Equation, Number, Number], tuple[str, Number, Number]]


def _balance(
    data: TableData, t: Template, eq: Equation, lhs: Number, rhs: Number
) -> tuple[str, Number, Number]:
    col = column_label(data.name, f"x.{eq.instance}", t)
    msg = (
        f"表三「{col}」列：第一项加第二项之和为 {_terms(data, eq.lhs)} = {lhs}，"
        f"第三项加第四项之和为 {_terms(data, eq.rhs)} = {rhs}，相差 {lhs - rhs}"
    )
    return msg, lhs, rhs


def _results_total(
    data: TableData, t: Template, eq: Equation, lhs: Number, rhs: Number
) -> tuple[str, Number, Number]:
    col = column_label(data.name, f"x.{eq.instance}", t)
    return f"表三「{col}」列：（七）总计为 {lhs}，各办理结果之和为 {rhs}，相差 {lhs - rhs}", rhs, lhs


def _row_total(
    data: TableData, t: Template, eq: Equation, lhs: Number, rhs: Number
) -> tuple[str, Number, Number]:
    row = short(row_label(data.name, eq.instance, t), 24)
    msg = (
        f"表三「{row}」行：总计为 {lhs}，六类申请人之和为 {_terms(data, eq.rhs)} = {rhs}，"
        f"相差 {lhs - rhs}{_split_hint(data, eq)}"
    )
    return msg, rhs, lhs


def _group_total(
    data: TableData, t: Template, eq: Equation, lhs: Number, rhs: Number
) -> tuple[str, Number, Number]:
    row = row_label(data.name, eq.instance, t)
    msg = (
        f"表四「{row}」：总计为 {lhs}，结果维持、结果纠正、其他结果、尚未审结之和为 "
        f"{_terms(data, eq.rhs)} = {rhs}，相差 {lhs - rhs}"
    )
    return msg, rhs, lhs


def _generic(
    data: TableData, t: Template, eq: Equation, lhs: Number, rhs: Number
) -> tuple[str, Number, Number]:
    """A relation added to the template without a message of its own."""
    return f"{TABLE_SHORT[data.name]}「{eq.instance}」：{eq.relation.title}，实为 {lhs} 与 {rhs}", lhs, rhs


_MESSAGES: dict[str, _Message] = {"A1": _balance, "A2": _results_total, "A3": _row_total, "A5": _group_total}
_SHIFT_HINTS = ("A1", "A2")  # column relations where a value printed one column off shows up


def _relation_findings(report: Report, name: TableName, rule_id: str) -> Iterator[Finding]:
    data = report.tables[name]
    if data is None:
        return
    t = template(data.template)
    for relation in (r for r in t.relations if r.rule == rule_id and r.table == name):
        failures = {eq.instance: (eq, lhs, rhs) for eq, lhs, rhs in evaluate(data, t, relation.id)}
        hints = _shift_hints(data, t, failures) if relation.id in _SHIFT_HINTS else {}
        message = _MESSAGES.get(relation.id, _generic)
        for instance, (eq, lhs, rhs) in failures.items():
            msg, expected, actual = message(data, t, eq, lhs, rhs)
            yield finding(
                rule_id,
                msg + hints.get(instance, ""),
                report,
                cells=tuple(f"{name}.{c}" for c in eq.lhs + eq.rhs),
                expected=expected,
                actual=actual,
            )


@rule(
    "T3-005",
    "all-zero-applications",
    "warning",
    "表三全为 0，但正文或表四显示有申请",
    tags=("arithmetic", "narrative"),
    example="表三各格均为 0，第一部分却写“全年收到政府信息公开申请 12 件”。",
    fix="核实依申请公开的实际数据并如实填报。",
    basis="数据与正文矛盾；曾有报告因全零数据被质疑后撤回（template-spec S20）。",
    reads=("applications", "review_litigation"),
)
def all_zero_applications(report: Report) -> Iterator[Finding]:
    data = report.applications
    if data is None or any((c.value or 0) != 0 for c in data.cells.values()):
        return
    stated = [m for m in mentions(report) if m.key == "new_received" and m.value > 0]
    review = report.review_litigation
    review_total = (
        sum(
            (review.value(f"{g}.total") or 0)
            for g in ("review", "litigation_direct", "litigation_after_review")
        )
        if review
        else 0
    )
    if stated:
        m = stated[0]
        yield finding(
            "T3-005",
            f"表三全为 0，但正文称「{m.text}」",
            report,
            cells=("applications.new_received.total",),
            expected=m.value,
            actual=0,
            loc=m.loc,
        )
    elif review_total:
        yield finding(
            "T3-005",
            f"表三全为 0，但表四有 {review_total} 件行政复议或行政诉讼",
            report,
            cells=("applications.new_received.total",),
            expected="> 0",
            actual=0,
        )


@rule(
    "T2-003",
    "table2-plausibility",
    "warning",
    "表二（2019年格式）数据不合常理",
    tags=("arithmetic",),
    example="规范性文件“本年新公开数量”为 12，“对外公开总数量”为 8。",
    fix="核对：本年新公开数量不大于对外公开总数量；上一年项目数量加本年增/减不小于 0。",
    basis="template-spec A9。",
    reads=("active_disclosure",),
    templates=("2019",),
)
def table2_plausibility(report: Report) -> Iterator[Finding]:
    data = report.active_disclosure
    if data is None or data.template != "2019":
        return
    for row, label in (("regulations", "规章"), ("normative_documents", "规范性文件")):
        published, total = data.value(f"{row}.published"), data.value(f"{row}.total")
        if published is not None and total is not None and published > total:
            yield finding(
                "T2-003",
                f"表二「{label}」本年新公开数量 {published} 大于对外公开总数量 {total}",
                report,
                cells=(f"active_disclosure.{row}.published", f"active_disclosure.{row}.total"),
                expected=f"≤ {total}",
                actual=published,
            )
    for row, label in (
        ("licensing", "行政许可"),
        ("other_services", "其他对外管理服务事项"),
        ("punishment", "行政处罚"),
        ("coercion", "行政强制"),
        ("admin_fees", "行政事业性收费"),
    ):
        prev, change = data.value(f"{row}.previous"), data.value(f"{row}.change")
        if prev is not None and change is not None and prev + change < 0:
            yield finding(
                "T2-003",
                f"表二「{label}」上一年项目数量 {prev} 加本年增/减 {change} 小于 0",
                report,
                cells=(f"active_disclosure.{row}.previous", f"active_disclosure.{row}.change"),
                expected="≥ 0",
                actual=prev + change,
            )
