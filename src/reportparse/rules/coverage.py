"""Rules of a coverage audit (`check --roster FILE`): the batch against the roster of bodies that
must publish. They are registered here (ids, severities, docs) and run by the batch engine
(batch/coverage.py), which knows the roster and every file of the batch; no function here is
called with reports.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding
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
