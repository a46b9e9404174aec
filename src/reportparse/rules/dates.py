"""Publication deadlines of 条例第四十九条: PUB-001…003."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding
from ..model import Report
from . import finding, rule

_SOURCE = {"page": "页面发布日期", "signoff": "报告落款日期"}


def _when(report: Report) -> str:
    return _SOURCE.get(report.meta.published_source or "", "发布日期")


def _late(report: Report, rule_id: str, kinds: tuple[str, ...], month: int, day: int) -> Iterator[Finding]:
    """Published after the statutory deadline of 条例第四十九条 in the year after the report year."""
    m = report.meta
    if m.published is None or m.year is None or m.body_kind not in kinds:
        return
    deadline = dt.date(m.year + 1, month, day)
    if m.published > deadline:
        yield finding(
            rule_id,
            f"{_when(report)}为 {m.published.isoformat()}，晚于法定期限 {deadline.isoformat()}"
            f"（{(m.published - deadline).days} 天）",
            report,
            expected=deadline.isoformat(),
            actual=m.published.isoformat(),
        )


@rule(
    "PUB-001",
    "deadline-department",
    "error",
    "部门（及乡镇、街道）年报晚于次年1月31日发布",
    tags=("dates",),
    example="某区统计局2024年度报告的发布日期为2025年2月10日。",
    fix="县级以上人民政府部门应在每年1月31日前公布上一年度报告。",
    basis="《政府信息公开条例》第四十九条第一款。",
)
def deadline_department(report: Report) -> Iterator[Finding]:
    yield from _late(report, "PUB-001", ("department", "township"), month=1, day=31)


@rule(
    "PUB-002",
    "deadline-government",
    "error",
    "人民政府（及管委会）本级年报晚于次年3月31日发布",
    tags=("dates",),
    example="某县人民政府2024年度报告的发布日期为2025年4月8日。",
    fix="县级以上地方人民政府的本级年报应在每年3月31日前公布。",
    basis="《政府信息公开条例》第四十九条第二款。",
)
def deadline_government(report: Report) -> Iterator[Finding]:
    yield from _late(report, "PUB-002", ("government", "zone"), month=3, day=31)


@rule(
    "PUB-003",
    "date-plausibility",
    "warning",
    "发布日期早于报告年度结束，或落款日期晚于发布日期",
    tags=("dates",),
    example="2024年度报告落款为2024年12月20日；或落款2025年2月1日而页面发布于2025年1月20日。",
    fix="全年报告应在年度结束后编制发布；核对落款日期。",
    basis="统计期限为全年（template-spec PUB-003）。",
)
def date_plausibility(report: Report) -> Iterator[Finding]:
    m = report.meta
    if m.year is None:
        return
    start = dt.date(m.year + 1, 1, 1)
    if m.published is not None and m.published < start:
        yield finding(
            "PUB-003",
            f"{_when(report)}为 {m.published.isoformat()}，早于报告年度结束",
            report,
            expected=f"≥ {start.isoformat()}",
            actual=m.published.isoformat(),
        )
    elif (
        m.signoff_date is not None
        and m.published_source == "page"
        and m.published is not None
        and m.signoff_date > m.published
    ):
        yield finding(
            "PUB-003",
            f"报告落款日期 {m.signoff_date.isoformat()} 晚于页面发布日期 {m.published.isoformat()}",
            report,
            expected=f"≤ {m.published.isoformat()}",
            actual=m.signoff_date.isoformat(),
        )
