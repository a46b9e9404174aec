"""Coverage in the history store (check --roster --history): bodies × years with a body that has
no report, `reportparse history DB coverage`, and the HTML page's coverage view and per-body
history (batch/timeline.py, render/timeline.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from generator.make_county import write

import reportparse
from reportparse.batch import AuditRun
from reportparse.cli import main
from reportparse.render import RenderOptions, render
from reportparse.rules import Selection

SEL = Selection(ignore=("T2-001", "QLT-001"))


@pytest.fixture(scope="module")
def springs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, AuditRun]:
    root = tmp_path_factory.mktemp("county")
    write(root)
    store, roster = root / "h.sqlite", root / "名册.csv"
    reportparse.audit([root / "2024年审核"], jobs=1, history=store, roster=roster, selection=SEL).collect()
    run = reportparse.audit([root / "2025年审核"], jobs=1, history=store, roster=roster, selection=SEL)
    run.collect()
    return root, run


def test_the_timeline_has_every_body_and_year(springs: tuple[Path, AuditRun]) -> None:
    _, run = springs
    t = run.timeline
    assert t is not None and t.years == (2023, 2024)
    status = {b.shown: [(y.year, y.status) for y in b.years] for b in t.bodies}
    assert status == {
        "示例县人民政府": [(2023, "published"), (2024, "published")],
        "示例县卫生健康委员会": [(2023, "published"), (2024, "published")],
        "示例县教育局": [(2023, "published"), (2024, "duplicate")],
        "示例县林业局": [(2023, "published"), (2024, "missing")],  # no 2024 report: from the store's audit
        "示例县档案馆": [(2023, "published"), (2024, "published")],
        "示例县水务局": [(2023, "published"), (2024, "late")],
        "示例县统计局": [(2023, "published"), (2024, "published")],
    }
    stats = next(b for b in t.bodies if b.shown == "示例县统计局")
    assert [(y.errors, y.warnings, y.info) for y in stats.years] == [(2, 0, 0), (2, 0, 0)]
    assert [(r.rule, r.years, r.confirmed) for r in stats.repeated] == [
        ("T3-001", (2023, 2024), ()),
        ("T3-003", (2023, 2024), ()),
    ]
    forest = next(b for b in t.bodies if b.shown == "示例县林业局")
    assert forest.years[1].errors == 1  # PUB-006, the roster's finding about it


def test_the_page_shows_bodies_by_years_and_each_bodys_history(springs: tuple[Path, AuditRun]) -> None:
    _, run = springs
    page = render("html", run.results, RenderOptions(coverage=run.coverage, timeline=run.timeline))
    assert isinstance(page, str)
    assert '<section id="timeline"><h2>覆盖情况（历年）</h2>' in page
    assert (
        '<tr><td class="body">示例县林业局</td><td class="t-published" title="2024年审核/林业局-2023.txt">已发布</td>'
        '<td class="t-missing" title="">未发布</td></tr>'
    ) in page.replace(str(springs[0]) + "/", "")
    assert "<summary>示例县统计局：2 个年度，2 个问题在多个年度出现</summary>" in page
    assert "T3-001</span>表三「自然人」列：" in page
    assert "（2023、2024 年）</li>" in page
    assert 'id="timeline"' not in render("html", run.results, RenderOptions(coverage=run.coverage))


def test_history_exports_the_coverage(
    springs: tuple[Path, AuditRun], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = springs
    assert main(["history", str(root / "h.sqlite"), "coverage", "--body", "示例县林业局"]) == 0
    lines = capsys.readouterr().out.replace(str(root) + "/", "").splitlines()
    assert lines == [
        "示例县林业局  2023  已发布  2024年审核/林业局-2023.txt",
        "示例县林业局  2024  未发布",
        "共 2 条名册核对记录：已发布 1，未发布 1，逾期发布 0，多份报告 0。",
    ]
    out = root / "覆盖.csv"
    assert (
        main(
            [
                "history",
                str(root / "h.sqlite"),
                "coverage",
                "--year",
                "2024",
                "--format",
                "csv",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    rows = out.read_text(encoding="utf-8-sig").replace(str(root) + "/", "").splitlines()
    assert rows[0] == "body,year,status,parent,kind,region,deadline,files,roster"
    assert "示例县林业局,2024,missing,示例县人民政府,部门,示例县,2025-01-25,," in rows[4] and len(rows) == 8
