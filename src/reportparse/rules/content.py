"""Content of parts 一, 五 and 六: CNT-001…005."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..findings import Finding
from ..model import Report
from . import finding, rule
from .where import of_section

TOPICS = (
    ("主动公开", ("主动公开",)),
    ("依申请公开", ("依申请", "申请公开", "公开申请")),
    ("政府信息管理", ("信息管理", "公开目录", "发布审核", "保密审查", "动态调整")),
    ("政府信息公开平台建设", ("平台", "网站", "政务新媒体", "公开专栏")),
    ("监督保障", ("监督", "保障", "考核", "培训", "问责", "责任追究")),
)


@rule(
    "CNT-001",
    "overview-topics",
    "warning",
    "第一部分未涵盖“总体情况”应包括的某方面",
    tags=("content",),
    example="第一部分只写主动公开和依申请公开，没有政府信息管理、平台建设、监督保障的内容。",
    fix="第一部分按主动公开、依申请公开、政府信息管理、政府信息公开平台建设、监督保障五方面综述。",
    basis="国办公开办函〔2021〕30号“（一）总体情况”。",
    templates=("2021",),
)
def overview_topics(report: Report) -> Iterator[Finding]:
    one = report.section(1)
    if one is None:
        return  # the five topics are those of the 2021 format (30号)
    for topic, keys in TOPICS:
        if not any(k in one.text for k in keys):
            yield finding(
                "CNT-001",
                f"第一部分未见“{topic}”方面的内容",
                report,
                expected=topic,
                actual=None,
                loc=of_section(report, 1),
            )


@rule(
    "CNT-002",
    "government-accountability",
    "warning",
    "人民政府年报未报告工作考核、社会评议和责任追究结果",
    tags=("content",),
    example="某县人民政府年报第一部分“监督保障”只写培训，没有考核、社会评议、责任追究结果。",
    fix="各级人民政府的年报应报告工作考核、社会评议和责任追究结果情况。",
    basis="《政府信息公开条例》第五十条第（四）项；国办公开办函〔2021〕30号。",
    years=(2019, None),
    body_kinds=("government",),
)
def government_accountability(report: Report) -> Iterator[Finding]:
    if not report.sections:
        return
    text = "\n".join(s.text for s in report.sections)
    missing = [
        name
        for name, keys in (
            ("工作考核", ("考核",)),
            ("社会评议", ("评议",)),
            ("责任追究", ("责任追究", "追责", "问责")),
        )
        if not any(k in text for k in keys)
    ]
    if missing:
        yield finding(
            "CNT-002",
            f"人民政府年报未见{'、'.join(missing)}结果情况",
            report,
            expected="工作考核、社会评议、责任追究",
            actual=missing,
            loc=of_section(report, 1),
        )


@rule(
    "CNT-003",
    "problems-and-measures",
    "warning",
    "第五部分没有写明存在的问题和改进措施",
    tags=("content",),
    example="五、存在的主要问题及改进情况：无。",
    fix="写明本年度存在的主要问题和下一年度的改进措施，并说明上一年度问题的整改情况。",
    basis="《政府信息公开条例》第五十条第（四）项。",
    templates=("2021", "2019"),
)
def problems_and_measures(report: Report) -> Iterator[Finding]:
    five = report.section(5)
    if five is None:
        return
    text = five.text.strip()
    has_problem = re.search(r"问题|不足|短板|差距|薄弱|欠缺|有待", text)
    has_measure = re.search(r"改进|整改|下一步|措施|将|加强|提升|完善", text)
    if len(text) < 15 or not has_problem or not has_measure:
        lacking = (
            "内容过少" if len(text) < 15 else ("未写明存在的问题" if not has_problem else "未写明改进措施")
        )
        yield finding(
            "CNT-003",
            f"第五部分{lacking}",
            report,
            expected="问题和改进措施",
            actual=text[:40] or None,
            loc=of_section(report, 5),
        )


@rule(
    "CNT-004",
    "processing-fee",
    "warning",
    "第六部分未说明信息处理费收取情况",
    tags=("content",),
    example="六、其他需要报告的事项：无。",
    fix="在第六部分写明本年度信息处理费的收取金额，或写明未收取。",
    basis="《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）；年报格式第六部分。",
    years=(2021, None),
)
def processing_fee(report: Report) -> Iterator[Finding]:
    six = report.section(6)
    if six is None:
        return
    if not re.search(r"处理费|收费|收取费用|费用", six.text):
        yield finding(
            "CNT-004",
            "第六部分未说明信息处理费的收取情况",
            report,
            expected="信息处理费收取情况",
            actual=None,
            loc=of_section(report, 6),
        )


@rule(
    "CNT-005",
    "other-matters",
    "info",
    "第六部分未报告政务公开工作要点落实或建议提案办理结果公开情况",
    tags=("content",),
    example="第六部分只写信息处理费，没有政务公开工作要点落实情况、人大代表建议和政协提案办理结果公开情况。",
    fix="在第六部分报告落实年度政务公开工作要点情况、人大代表建议和政协提案办理结果公开情况。",
    basis="国办公开办函〔2021〕30号格式第六部分（template-spec §6）。",
    templates=("2021",),
)
def other_matters(report: Report) -> Iterator[Finding]:
    six = report.section(6)
    if six is None:
        return
    missing = []
    if "要点" not in six.text:
        missing.append("政务公开工作要点落实情况")
    if not re.search(r"建议|提案", six.text):
        missing.append("人大代表建议和政协提案办理结果公开情况")
    if missing:
        yield finding(
            "CNT-005",
            f"第六部分未见{'、'.join(missing)}",
            report,
            expected=missing,
            actual=None,
            loc=of_section(report, 6),
        )


OVERVIEW_MIN_LENGTH = 300  # characters, white space aside


@rule(
    "CNT-006",
    "overview-length",
    "warning",
    "第一部分“总体情况”篇幅过短",
    tags=("content", "regional"),
    enabled=False,
    example="一、总体情况：2024年，本局认真贯彻落实《政府信息公开条例》，各项工作有序开展。（全文不足百字）",
    fix="按主动公开、依申请公开、政府信息管理、平台建设、监督保障五方面写明本年度的工作和数据。",
    basis="不少地方的年报评估办法对“总体情况”的篇幅有要求（如不少于 300 字）；国办公开办函〔2021〕30号"
    "要求总体情况全面反映五方面工作。默认关闭：用 --extend-select CNT-006 启用；字数阈值可在 reportparse.toml "
    "中设置：[thresholds] CNT-006 = 500（字符数，不计空白）。",
    threshold=OVERVIEW_MIN_LENGTH,
    threshold_range=(0, 100000),
)
def overview_length(report: Report, threshold: float = OVERVIEW_MIN_LENGTH) -> Iterator[Finding]:
    one = report.section(1)
    if one is None:
        return  # STR-001's business
    length = len(re.sub(r"\s+", "", one.text))
    if length < threshold:
        yield finding(
            "CNT-006",
            f"第一部分“总体情况”只有 {length} 字，少于 {threshold:g} 字",
            report,
            expected=int(threshold) if float(threshold).is_integer() else threshold,
            actual=length,
            loc=of_section(report, 1),
        )
