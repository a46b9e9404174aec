"""Publication deadlines: 条例第四十九条 (PUB-001, PUB-002), the 2007 条例 (PUB-004), plausibility (PUB-003)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace

from ..findings import Finding
from ..model import Loc, Report
from . import finding, rule
from .where import of_report

_SOURCE = {"page": "页面发布日期", "signoff": "报告落款日期"}


def _when(report: Report) -> str:
    return _SOURCE.get(report.meta.published_source or "", "发布日期")


def _date_loc(report: Report) -> Loc:
    """The sign-off date under the report, or (a page's publication date) the title."""
    signed = report.meta.signoff_date
    if report.meta.published_source == "signoff" and report.signoff_loc is not None and signed is not None:
        return replace(report.signoff_loc, quote=f"{signed.year}年{signed.month}月{signed.day}日")
    return of_report(report)


def _late(report: Report, rule_id: str, month: int, day: int) -> Iterator[Finding]:
    """Published after a statutory deadline in the year after the report year."""
    m = report.meta
    if m.published is None or m.year is None:
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
            loc=_date_loc(report),
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
    years=(2019, None),
    body_kinds=("department", "township"),
)
def deadline_department(report: Report) -> Iterator[Finding]:
    yield from _late(report, "PUB-001", month=1, day=31)


@rule(
    "PUB-002",
    "deadline-government",
    "error",
    "人民政府（及管委会）本级年报晚于次年3月31日发布",
    tags=("dates",),
    example="某县人民政府2024年度报告的发布日期为2025年4月8日。",
    fix="县级以上地方人民政府的本级年报应在每年3月31日前公布。",
    basis="《政府信息公开条例》第四十九条第二款。",
    years=(2019, None),
    body_kinds=("government", "zone"),
)
def deadline_government(report: Report) -> Iterator[Finding]:
    yield from _late(report, "PUB-002", month=3, day=31)


@rule(
    "PUB-004",
    "deadline-legacy",
    "error",
    "2018年度及以前的年报晚于次年3月31日发布（旧条例）",
    tags=("dates",),
    example="某局2017年度报告的落款日期为2018年4月10日。",
    fix="2018年度及以前的年报应在次年3月31日前公布（2007年《政府信息公开条例》第三十一条）。",
    basis="2007年《政府信息公开条例》（国务院令第492号）第三十一条：各级行政机关应当在每年3月31日前公布"
    "本行政机关的政府信息公开工作年度报告。2019年修订后的条例自2019年5月15日施行，2019年度起适用 PUB-001、PUB-002。",
    years=(None, 2018),
)
def deadline_legacy(report: Report) -> Iterator[Finding]:
    yield from _late(report, "PUB-004", month=3, day=31)


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
            loc=_date_loc(report),
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
            loc=report.signoff_loc or of_report(report),
        )
