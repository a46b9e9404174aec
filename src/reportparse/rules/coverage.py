"""Rules of a coverage audit (`check --roster FILE`): the batch against the roster of bodies that
must publish. They are registered here (ids, severities, docs) and run by the batch engine
(batch/coverage.py), which knows the roster and every file of the batch; no function here is
called with reports.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..findings import Finding
from ..model import Cell, Number, TableData
from ..templates import template
from ..templates.names import logical_location
from . import rule

COVERAGE_RULES = ("PUB-005", "PUB-006", "PUB-007", "PUB-008")


def _engine_only(*_: object) -> Iterator[Finding]:
    return iter(())


rule(
    "PUB-005",
    "roster-deadline",
    "error",
    "报告发布日期晚于名册规定的本地期限",
    tags=("dates", "roster"),
    scope="roster",
    example="名册规定示例区各部门 2025年1月20日前发布 2024 年度报告，示例区水务局的报告落款日期为 2025年1月25日。",
    fix="按本地规定的期限发布年度报告；期限以名册「截止日期」列为准。",
    basis="不少地方要求各部门早于法定期限（条例第四十九条：次年1月31日、3月31日）发布并报送年度报告；"
    "名册的「截止日期」列写明本地期限。发布日期取页面上的发布日期或报告落款日期。仅在 check --roster 时运行。",
)(_engine_only)

rule(
    "PUB-006",
    "roster-no-report",
    "error",
    "名册中的机关没有本年度的报告",
    tags=("roster",),
    scope="roster",
    example="名册列出 24 个部门，检查的文件夹中只有 23 份 2024 年度报告，示例区林业局没有。",
    fix="督促该机关按期发布年度报告，并把报告（网页或文件）放入检查的文件夹；机关改名的，在名册「别名」列写明旧名称。",
    basis="条例第四十九条、第五十条：各级人民政府及其部门每年发布年度报告；国办公开办函〔2021〕30号要求"
    "不按时发布的予以通报，不少省份公布未发布年度报告的机关名单。对照名册，每个机关应有一份本年度报告。"
    "仅在 check --roster 时运行；问题记在名册文件上。",
)(_engine_only)

rule(
    "PUB-007",
    "roster-duplicate",
    "warning",
    "同一机关同一年度有多份报告",
    tags=("roster",),
    scope="roster",
    example="示例区教育局 2024 年度报告在文件夹中有两份：网页和 PDF，数字不同。",
    fix="确认哪一份是正式发布的报告；同一报告的网页版和附件版应内容一致，多余的副本移出检查的文件夹。",
    basis="每个机关每年发布一份年度报告；多份报告可能是同一报告的不同版本（网页和附件），也可能是更正前后的两份，"
    "需要人工确认。仅在 check --roster 时运行。",
)(_engine_only)

rule(
    "PUB-008",
    "roster-unknown-body",
    "warning",
    "报告的机关不在名册中",
    tags=("roster",),
    scope="roster",
    example="文件夹中有示例区档案馆 2024 年度报告，名册只有示例区档案局。",
    fix="机关改名或简称的，在名册「别名」列写明；不属于本地区的报告移出检查的文件夹。",
    basis="覆盖情况核对只能对照名册进行；名册之外的报告无法判断是否应当发布，也可能是名册漏列或机关改名。"
    "未能识别机关名称的报告也列在这里。仅在 check --roster 时运行。",
)(_engine_only)

AGGREGATE_RULES = ("T3-006", "T4-002")

rule(
    "T3-006",
    "government-aggregate-applications",
    "warning",
    "人民政府报告的表三不等于名册所列下级机关报告表三之和",
    tags=("arithmetic", "roster", "hierarchy"),
    scope="roster",
    enabled=False,
    example="名册中示例县人民政府下列 24 个部门；县政府报告表三“本年新收”自然人为 120，24 个部门报告同格之和为 131。",
    fix="县级人民政府的年度报告应汇总本行政区域内各机关的数据：核对汇总表，漏计、重复计或口径不同的，"
    "在报告中更正或说明；名册「上级机关」列写明哪些机关计入汇总。",
    basis="有的省份要求县级人民政府的年度报告汇总本行政区域各机关的数据（见 reference/peers.md）；"
    "并非各地都有此要求，因此默认关闭（--extend-select T3-006）。逐格比较人民政府报告与名册中上级机关为它的"
    "各机关报告之和（空白和“—”按 0 计）；有下级机关没有报告、有多份报告或表三未完整读取时，不作判断，"
    "列入“未核对”。仅在 check --roster 时运行。",
)(_engine_only)

rule(
    "T4-002",
    "government-aggregate-review",
    "warning",
    "人民政府报告的表四不等于名册所列下级机关报告表四之和",
    tags=("arithmetic", "roster", "hierarchy"),
    scope="roster",
    enabled=False,
    example="示例县人民政府报告表四“行政复议 结果维持”为 5，名册所列各部门报告同格之和为 7。",
    fix="同 T3-006：按名册核对汇总的行政复议、行政诉讼数据。",
    basis="同 T3-006，比较表四。默认关闭（--extend-select T4-002）；仅在 check --roster 时运行。",
)(_engine_only)


def _count(cell: Cell | None) -> Number | None:
    """As the cross-year rules count: blank and dash are 0; text without a number is unknown."""
    if cell is None:
        return None
    return 0 if cell.kind in ("blank", "dash") else cell.value


def aggregate_differences(mine: TableData, parts: Sequence[TableData]) -> list[tuple[str, Number, Number]]:
    """T3-006 / T4-002: (cell id, this table's value, the parts' sum) of every cell where they
    differ; a cell unknown in any of them is not judged."""
    out: list[tuple[str, Number, Number]] = []
    for cid, cell in mine.cells.items():
        own = _count(cell)
        values = [_count(t.cells.get(cid)) for t in parts]
        if own is None or any(v is None for v in values):
            continue
        total: Number = sum(v for v in values if v is not None)
        if own != total:
            out.append((cid, own, total))
    return out


def cell_title(table: str, cid: str, version: str) -> str:
    return logical_location(table, cid, template(version))
