"""A county's rule pack in reportparse.toml (docs/agency.md, "A county's rule pack"): local
deadlines by the roster's 类型, thresholds (QLT-001 similarity, CNT-006 总体情况 length), the
hierarchy rules on, severities."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from generator.make_county import write

import reportparse
from reportparse.config import ConfigError, config_from_dict

PACK = """# 示例县的审核规则包
extend-select = ["T3-006", "T4-002", "CNT-006"]
ignore = ["T2-001"]
[thresholds]
QLT-001 = 0.95
CNT-006 = 5000
[severity]
PUB-005 = "warning"
[deadlines]
"部门" = "01-25"
"人民政府" = "03-31"
"""


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The county of docs/agency.md, its roster without 截止日期 (the pack gives them)."""
    root = tmp_path_factory.mktemp("county")
    write(root)
    with open(root / "名册.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    for row in rows[1:]:
        row[4] = ""
    with open(root / "名册.csv", "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    (root / "reportparse.toml").write_text(PACK, encoding="utf-8")
    return root


def test_the_pack_sets_deadlines_thresholds_hierarchy_and_severities(county: Path) -> None:
    folders = [county / "2024年审核", county / "2025年审核"]
    run = reportparse.audit(folders, jobs=1, roster=county / "名册.csv", roster_year=2024)
    results = {Path(r.path).name: r for r in run.collect()}
    # the local deadline of a 部门 comes from the pack; PUB-005 graded down to a warning
    late = [
        (f.rule, f.severity, f.message) for f in results["水务局-2024.txt"].findings if f.rule == "PUB-005"
    ]
    assert late == [
        ("PUB-005", "warning", "报告发布日期为 2025-01-28，晚于名册规定的期限 2025-01-25（3 天）")
    ]
    assert run.coverage is not None
    assert {r.body: r.deadline.isoformat() if r.deadline else None for r in run.coverage.rows} == {
        "示例县人民政府": "2025-03-31", "示例县统计局": "2025-01-25", "示例县教育局": "2025-01-25",
        "示例县水务局": "2025-01-25", "示例县卫生健康委员会": "2025-01-25", "示例县档案馆": "2025-01-25",
        "示例县林业局": "2025-01-25",
    }  # fmt: skip
    # the hierarchy rules are on: the government's sum cannot be verified (林业局 has no report)
    gov = results["县政府-2024.txt"]
    assert [(u.scope, u.checks) for u in gov.unverified] == [
        ("applications", ("T3-006",)),
        ("review_litigation", ("T4-002",)),
    ]
    # CNT-006 with the pack's 5000 characters; QLT-001 at 0.95 does not flag the 90 % similar reports
    cnt = [f for f in gov.findings if f.rule == "CNT-006"]
    assert len(cnt) == 1 and re.fullmatch(r"第一部分“总体情况”只有 \d+ 字，少于 5000 字", cnt[0].message)
    assert not [f for r in results.values() for f in r.findings if f.rule in ("QLT-001", "T2-001")]


def test_a_deadline_that_is_not_a_date() -> None:
    with pytest.raises(ConfigError, match=re.escape("deadlines 的「部门 = 01-32」不是日期")):
        config_from_dict({"deadlines": {"部门": "01-32"}})
    with pytest.raises(ConfigError, match=re.escape('deadlines 应为「名册类型 = "月-日"」')):
        config_from_dict({"deadlines": ["01-25"]})
