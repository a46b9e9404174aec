"""The 整改清单 (`reportparse review DB export`): per body, the findings a reviewer confirmed
(需整改) — what, where, how to fix it, who confirmed it — as a workbook or a printable page.

Pure functions of the items `cli/review.py` reads from the history store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import groupby
from typing import Protocol

from ..findings import SEVERITY_CN
from ..rules import load_rules
from .xlsx_writer import Workbook


class _Finding(Protocol):
    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...


class _Decision(Protocol):
    @property
    def who(self) -> str: ...
    @property
    def decided_at(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def year(self) -> int: ...


@dataclass(frozen=True)
class Item:
    body: str
    year: int | None
    path: str
    rule: str
    severity: str
    message: str
    where: str  # location as a person says it (render/text.location_text)
    who: str
    decided_at: str
    note: str  # the reviewer's words, if any
    recurring_since: int | None = None  # an earlier year it was confirmed for, if it recurs

    @classmethod
    def confirmed(
        cls,
        finding: _Finding,
        decision: _Decision,
        *,
        body: str,
        year: int | None,
        path: str,
        where: str,
        recurring: _Decision | None,
    ) -> Item:
        """The item of a finding a reviewer confirmed (a stored finding or a live one)."""
        return cls(
            body=body,
            year=year,
            path=path,
            rule=finding.rule,
            severity=finding.severity,
            message=finding.message,
            where=where,
            who=decision.who,
            decided_at=decision.decided_at,
            note=decision.reason,
            recurring_since=recurring.year if recurring is not None else None,
        )


HEADERS = (
    "序号",
    "机关",
    "年度",
    "文件",
    "规则",
    "级别",
    "问题",
    "位置",
    "整改要求",
    "确认人",
    "确认日期",
    "说明",
    "重复出现",
)


def _fix(rule: str) -> str:
    r = load_rules().get(rule)
    return r.fix if r is not None else ""


def _rows(items: Sequence[Item]) -> list[tuple[object, ...]]:
    return [
        (
            i,
            it.body,
            it.year,
            it.path,
            it.rule,
            SEVERITY_CN.get(it.severity, it.severity),
            it.message,
            it.where,
            _fix(it.rule),
            it.who,
            it.decided_at[:10],
            it.note,
            f"{it.recurring_since} 年已确认" if it.recurring_since else "",
        )
        for i, it in enumerate(items, start=1)
    ]


def rectification_xlsx(items: Sequence[Item]) -> bytes:
    wb = Workbook()
    wb.add_sheet("整改清单", HEADERS, _rows(items), widths=(6, 28, 6, 30, 9, 6, 60, 30, 50, 10, 11, 24, 12))
    return wb.save()


_CSS = """
body{font:14px/1.6 "Noto Sans CJK SC","Microsoft YaHei","PingFang SC",serif;margin:2em;color:#000}
h1{font-size:20px;text-align:center;margin:0 0 .3em}
p.meta{text-align:center;margin:0 0 1em}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #444;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#eee}
td.n{text-align:center;width:3em}
section{page-break-after:always}
section:last-child{page-break-after:auto}
@media print{body{margin:0}@page{size:A4 landscape;margin:15mm}}
"""


def rectification_html(items: Sequence[Item]) -> str:
    """One section per body (a printed page each), the confirmed findings numbered."""
    sections = []
    for body, group in groupby(items, key=lambda it: it.body):
        rows = list(group)
        years = sorted({it.year for it in rows if it.year})
        trs = "".join(
            f'<tr><td class="n">{n}</td><td>{escape(it.rule)}<br>{escape(SEVERITY_CN.get(it.severity, it.severity))}</td>'
            f"<td>{escape(it.message)}"
            + (f"<br><b>重复出现</b>（{it.recurring_since} 年已确认需整改）" if it.recurring_since else "")
            + f"</td><td>{escape(it.path)}<br>{escape(it.where)}</td><td>{escape(_fix(it.rule))}</td>"
            f"<td>{escape(it.who)}<br>{escape(it.decided_at[:10])}"
            + (f"<br>{escape(it.note)}" if it.note else "")
            + "</td></tr>"
            for n, it in enumerate(rows, start=1)
        )
        sections.append(
            f"<section><h1>{escape(body)} 政府信息公开工作年度报告整改清单</h1>"
            f'<p class="meta">{escape("、".join(map(str, years)))} 年度报告，共 {len(rows)} 项</p>'
            "<table><thead><tr><th>序号</th><th>规则</th><th>问题</th><th>位置</th><th>整改要求</th>"
            f"<th>确认</th></tr></thead><tbody>{trs}</tbody></table></section>"
        )
    if not sections:
        sections.append("<section><h1>整改清单</h1><p>没有已确认需整改的问题。</p></section>")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>整改清单</title>\n'
        f"<style>{_CSS}</style>\n</head>\n<body>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )
