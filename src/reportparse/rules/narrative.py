"""Narrative against tables and itself: TXT-001…006."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from ..findings import Finding
from ..model import Loc, Number, Report
from . import finding, rule
from .mentions import NUM, NUM_START, cn_number, mentions
from .where import in_text, of_report, of_section

CN = "〇一二三四五六"


def _readings(report: Report, key: str) -> tuple[list[Number], list[str]]:
    """The table values a mention of `key` may legitimately mean (narrower or wider categories)."""

    def v(c: str) -> Number | None:
        cell = report.cell(c)
        if cell is None or (cell.kind == "text" and cell.value is None):
            return None
        if cell.kind in ("blank", "dash") and c.startswith("applications.") and c.endswith(".total"):
            return _row_sum(report, c)  # an unfilled 总计: the row's applicant columns say it
        return cell.value or 0

    new, carried = v("applications.new_received.total"), v("applications.carried_over.total")
    done, forward = v("applications.total.total"), v("applications.carried_forward.total")
    granted, partial = v("applications.granted.total"), v("applications.partially_granted.total")
    review = v("review_litigation.review.total")
    direct, after = (
        v("review_litigation.litigation_direct.total"),
        v("review_litigation.litigation_after_review.total"),
    )
    table: dict[str, tuple[list[Number | None], list[str]]] = {
        "new_received": (
            [new, None if new is None or carried is None else new + carried],
            ["applications.new_received.total", "applications.carried_over.total"],
        ),
        "carried_over": ([carried], ["applications.carried_over.total"]),
        "processed": (
            [done, new, None if new is None or carried is None else new + carried],
            ["applications.total.total"],
        ),
        "carried_forward": ([forward], ["applications.carried_forward.total"]),
        "granted": (
            [granted, None if granted is None or partial is None else granted + partial],
            ["applications.granted.total", "applications.partially_granted.total"],
        ),
        "granted_and_partial": (
            [None if granted is None or partial is None else granted + partial, granted],
            ["applications.granted.total", "applications.partially_granted.total"],
        ),
        "partially_granted": ([partial], ["applications.partially_granted.total"]),
        "review": ([review], ["review_litigation.review.total"]),
        "litigation": (
            [None if direct is None or after is None else direct + after, direct, after],
            ["review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total"],
        ),
    }
    two = report.active_disclosure
    if two is not None:
        in_force = "normative_documents.in_force" if two.template == "2021" else "normative_documents.total"
        issued = "normative_documents.issued" if two.template == "2021" else "normative_documents.made"
        table["norms_in_force"] = ([v(f"active_disclosure.{in_force}")], [f"active_disclosure.{in_force}"])
        table["norms_issued"] = ([v(f"active_disclosure.{issued}")], [f"active_disclosure.{issued}"])
    if key not in table:
        return [], []
    values, cells = table[key]
    return [x for x in values if x is not None], cells


_PARTS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org")


def _row_sum(report: Report, total_id: str) -> Number | None:
    row = total_id.rsplit(".", 1)[0]
    total: Number = 0
    for col in _PARTS:
        cell = report.cell(f"{row}.{col}")
        if cell is None or (cell.kind == "text" and cell.value is None):
            return None
        total += cell.value or 0
    return total


_WHAT = {
    "new_received": "本年新收申请",
    "carried_over": "上年结转申请",
    "processed": "办理结果总计",
    "carried_forward": "结转下年度继续办理",
    "granted": "予以公开",
    "granted_and_partial": "予以公开与部分公开之和",
    "partially_granted": "部分公开",
    "review": "行政复议总计",
    "litigation": "行政诉讼总计",
    "norms_in_force": "现行有效行政规范性文件件数",
    "norms_issued": "本年制发行政规范性文件件数",
}


@rule(
    "TXT-001",
    "narrative-vs-table",
    "warning",
    "正文中的数字与表格不一致",
    tags=("narrative",),
    example="第一部分写“全年收到政府信息公开申请 25 件”，表三本年新收总计为 23。",
    fix="统一正文与表格的数字；正文使用较窄口径（如只计“予以公开”）时写明口径。",
    basis="国办公开办函〔2021〕30号：发布内容不准确属于问责情形。",
    reads=("active_disclosure", "applications", "review_litigation"),
)
def narrative_vs_table(report: Report) -> Iterator[Finding]:
    seen: set[tuple[str, int, str]] = set()
    for m in mentions(report):
        readings, cells = _readings(report, m.key)
        if not readings or m.value in readings or (m.key, m.value, m.text) in seen:
            continue
        seen.add((m.key, m.value, m.text))
        where = "开头" if m.section == 0 else f"第{CN[m.section]}部分"
        yield finding(
            "TXT-001",
            f"正文{where}称「{m.text}」，表格中{_WHAT[m.key]}为 {readings[0]}",
            report,
            cells=tuple(cells),
            expected=readings[0],
            actual=m.value,
            loc=m.loc,
        )


_PERIOD_RE = re.compile(
    r"(?:(?P<y1>(?:19|20)\d{2})\s*年\s*)?1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|—|－|-|~|～)\s*"
    r"(?:(?P<y2>(?:19|20)\d{2})\s*年\s*)?12\s*月\s*31\s*日"
)


@dataclass(frozen=True)
class Period:
    """The statistics-period sentence: its years (as printed), the phrase and where it is."""

    start_year: int | None
    end_year: int | None
    phrase: str
    loc: Loc


def statistics_period(report: Report) -> Period | None:
    """The statistics-period sentence, if printed."""
    for number, text in [(0, report.preamble)] + [(s.number, s.text) for s in report.sections]:
        for m in _PERIOD_RE.finditer(text):
            start = text.rfind("。", 0, m.start()) + 1
            if (
                "统计" in text[start : m.end()]
                or "期限" in text[start : m.end()]
                or "数据" in text[start : m.end()]
            ):
                y1 = int(m.group("y1")) if m.group("y1") else None
                y2 = int(m.group("y2")) if m.group("y2") else None
                return Period(y1, y2, m.group(0), in_text(report, number, m.start(), m.end()))
    return None


_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年(?!度?\s*\d)")


@rule(
    "TXT-002",
    "year-consistency",
    "error",
    "统计期限年份或正文年份与报告年度不一致",
    tags=("narrative", "dates"),
    example="2023年度报告写“本报告所列数据的统计期限为2022年1月1日至2022年12月31日”。",
    fix="逐处核对年份，避免沿用上一年度报告的文字。",
    basis="“年份错误/照搬”是年报的常见问题（template-spec TXT-002）。",
    emits=("warning",),
)
def year_consistency(report: Report) -> Iterator[Finding]:
    year = report.meta.year
    if year is None:
        return
    period = statistics_period(report)
    if period is not None:
        y = period.start_year or period.end_year
        if y is not None and y != year:
            yield finding(
                "TXT-002",
                f"统计期限「{period.phrase}」的年份为 {y}，报告年度为 {year}",
                report,
                expected=year,
                actual=y,
                loc=period.loc,
            )
    found = [(s.number, m) for s in report.sections for m in _YEAR_RE.finditer(s.text)]
    counts = Counter(int(m.group(1)) for _, m in found)
    if not counts:
        return
    top, n = counts.most_common(1)[0]
    if top not in (year, year + 1) and n > counts.get(year, 0) and n >= 3:
        number, first = next((k, m) for k, m in found if int(m.group(1)) == top)
        yield finding(
            "TXT-002",
            f"正文中「{top}年」出现 {n} 次，多于报告年度「{year}年」（{counts.get(year, 0)} 次），"
            "疑似沿用其他年度报告的文字",
            report,
            severity="warning",
            expected=year,
            actual=top,
            loc=in_text(report, number, first.start(), first.end()),
        )


@rule(
    "TXT-003",
    "statistics-period",
    "warning",
    "未说明统计期限，或统计期限不是报告年度1月1日至12月31日",
    tags=("narrative", "dates"),
    example="报告没有“本报告所列数据的统计期限为2024年1月1日至2024年12月31日”一类说明。",
    fix="在报告开头写明统计期限为报告年度1月1日至12月31日。",
    basis="年度报告统计时间段为上一年度1月1日至12月31日（DB51/T 2660—2019 2.1）。",
    emits=("warning",),
    templates=("2021", "2019", "unknown"),
)
def statistics_period_rule(report: Report) -> Iterator[Finding]:
    year = report.meta.year
    if year is None or not report.sections:
        return
    period = statistics_period(report)
    if period is None:
        yield finding(
            "TXT-003",
            "报告未说明数据的统计期限（应为报告年度1月1日至12月31日）",
            report,
            expected=f"{year}年1月1日至{year}年12月31日",
            actual=None,
            loc=of_report(report),
        )
        return
    y1, y2 = period.start_year, period.end_year
    if (y1 is not None and y1 != year) or (y2 is not None and y2 != year):
        return  # a wrong year is TXT-002
    if y1 is None and y2 is None:
        yield finding(
            "TXT-003",
            f"统计期限「{period.phrase}」未写明年份",
            report,
            severity="warning",
            expected=f"{year}年1月1日至{year}年12月31日",
            actual=period.phrase,
            loc=period.loc,
        )


@rule(
    "TXT-004",
    "fee-statement",
    "info",
    "有收费通知相关情形，但第六部分未说明信息处理费收取金额或未收取",
    tags=("narrative",),
    example="表三“2.申请人逾期未按收费通知要求缴纳费用…”为 3，第六部分只写“信息处理费相关工作依规开展”。",
    fix="在第六部分写明本年度收取信息处理费的金额，或写明未收取。",
    basis="《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）。",
    reads=("applications",),
)
def fee_statement(report: Report) -> Iterator[Finding]:
    six = report.section(6)
    unpaid = report.cell("applications.other.unpaid_fee.total")
    if six is None or unpaid is None or not unpaid.value:
        return
    text = six.text
    if "处理费" not in text:
        return  # CNT-004 reports a section 六 that says nothing about fees
    if re.search(r"未收取|没有收取|无收取|不收取|免收|\d+(?:\.\d+)?\s*(?:万)?元", text):
        return
    yield finding(
        "TXT-004",
        f"表三“逾期未按收费通知要求缴纳费用”为 {unpaid.value}，第六部分未说明信息处理费的收取金额或未收取",
        report,
        cells=("applications.other.unpaid_fee.total",),
        loc=of_section(report, 6),
    )


_PLAN_RE = re.compile(
    r"(?<!现)(将(?:继续|进一步|严格|加强|持续|不断|着力|深入|全面|切实|认真|积极|大力|坚持|围绕|紧紧围绕|"
    r"聚焦|重点|扎实|努力|抓好|做好|健全|完善|推动|推进|以)|下一步|计划(?:于|在|将|年内)|拟(?:于|在|将|对))"
)
_SENT_RE = re.compile(r"[^。！？；;!?\n]+[。！？；;!?]?")
_DATED_RE = re.compile(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")


@rule(
    "TXT-005",
    "stale-plan",
    "warning",
    "以报告年度（或更早）表述今后计划，疑似沿用上一年度报告",
    tags=("narrative",),
    example="2024年度报告第五部分：“2024年，本单位将严格落实政府信息公开制度……”",
    fix="改进措施应针对下一年度（如“2025年，将……”），并逐条回应本年度问题。",
    basis="“内容雷同、敷衍塞责”属于30号文列明的问责情形。",
)
def stale_plan(report: Report) -> Iterator[Finding]:
    year = report.meta.year
    if year is None:
        return
    for s in report.sections:
        for m in _SENT_RE.finditer(s.text):
            sentence = m.group(0).strip()
            plan = _PLAN_RE.search(sentence)
            if not plan:
                continue
            dated = [int(y.group(1)) for y in _DATED_RE.finditer(sentence[: plan.start()])]
            if dated and max(dated) <= year:
                shown = sentence if len(sentence) <= 40 else sentence[:39] + "…"
                yield finding(
                    "TXT-005",
                    f"第{CN[s.number]}部分「{shown}」以{max(dated)}年表述今后计划，"
                    f"而报告年度为{year}年，疑似沿用上一年度报告的内容",
                    report,
                    expected=f"{year + 1}年或以后",
                    actual=max(dated),
                    loc=in_text(report, s.number, m.start(), m.end()),
                )


_UNIT = r"(条|件|个|次|篇|期|项|场|人次)"
_BREAKDOWN = 400  # characters: the longest 其中… breakdown read after a total
_SUM_RE = re.compile(NUM_START + NUM + _UNIT + r"[^。；]{0,6}?[，,（(]?\s*其中")


@rule(
    "TXT-006",
    "narrative-sum",
    "warning",
    "正文中的分项数字之和与总数不符",
    tags=("narrative",),
    example="“主动公开政府信息 753 条，其中政府网站 59 条、微信公众号 662 条、视频号 42 条”（59+662+42=763）。",
    fix="核对总数与分项。",
    basis="正文数据内部一致是“数据精确”的基本要求。",
)
def narrative_sum(report: Report) -> Iterator[Finding]:
    for s in report.sections:
        text = s.text
        judged = 0  # where the last breakdown read ended: a total inside it is one of its items
        for m in _SUM_RE.finditer(text):
            total = cn_number(m.group(1))
            unit = m.group(2)
            if total is None or m.start() < judged:
                continue
            # the breakdown ends with its sentence; looking no further than _BREAKDOWN characters
            # keeps the rule linear in the length of the text, however many totals it holds
            end = min(len(text), m.end() + _BREAKDOWN)
            for stop in ("。", "；", "共计", "累计", "总计"):
                k = text.find(stop, m.end(), end)
                if k != -1:
                    end = k
            judged = end
            tail = re.sub(r"（[^（）]*）|\([^()]*\)", "", text[m.end() : end])  # sub-breakdowns of an item
            parts = [cn_number(p) for p in re.findall(NUM + re.escape(unit) + r"(?![\d万])", tail)]
            nums = [p for p in parts if p is not None]
            if len(nums) < 2 or sum(nums) == total or "等" in tail[-6:]:
                continue
            if sum(nums) > total or len(nums) >= 3:
                shown = text[m.start() : end]
                shown = shown if len(shown) <= 60 else shown[:59] + "…"
                yield finding(
                    "TXT-006",
                    f"第{CN[s.number]}部分「{shown}」：分项之和为 {sum(nums)}{unit}，总数为 {total}{unit}",
                    report,
                    expected=total,
                    actual=sum(nums),
                    loc=in_text(report, s.number, m.start(), end),
                )
