"""NUM-005, large changes from last year's report: registered here (id, severity, threshold,
docs) and run by the batch engine's year-on-year pass (batch/yearly.py), which compares each
report with the body's report of the year before once, for this rule and for the 同比 section
of every batch output; no function here is called with reports."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding
from . import rule

JUMP_RATIO = 2.0  # history/yearly.py's default, the rule's threshold


def _engine_only(*_: object) -> Iterator[Finding]:
    return iter(())


rule(
    "NUM-005",
    "year-on-year-jump",
    "info",
    "表格数据与上一年度报告相比大幅变化",
    tags=("cross-year", "plausibility"),
    scope="yearly",
    enabled=False,
    example="2023 年报告表三“一、本年新收政府信息公开申请数量”自然人列为 1，2024 年报告为 30。",
    fix="核对大幅变化的数据是否属实（台账、统计口径、单位）；属实的宜在第一部分或第六部分说明原因。",
    basis="国办公开办函〔2021〕30号要求避免“数据不准确”；同一机关相邻年度的数据成倍变化时多为填报错误"
    "（填错行列、单位、把累计数当本年数），也可能确有原因，因此只作提示，供审核时重点核对。"
    "与上一年度报告（同一批文件或 --history 历史库中）相比，成倍增减（默认 2 倍）且相差 10 以上的单元格"
    "按表列出；倍数可在 reportparse.toml 中设置：[thresholds] NUM-005 = 3。仅在 reportparse check 批量检查时运行。"
    "默认关闭（大幅变化在每种输出的“同比”部分都已标出）：用 --extend-select NUM-005 启用。",
    threshold=JUMP_RATIO,
    threshold_range=(1, 1000),
)(_engine_only)
