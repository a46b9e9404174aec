"""With a history store (`check --history`), two views on the HTML page (batch/timeline.py):
覆盖情况（历年）— the batch's bodies × the years the store holds, each cell the year's status —
and 历年情况, per body: each year's status, counts of findings and files, and the findings found
in more than one year (marked when a reviewer confirmed them)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..batch.timeline import Timeline

CSS = """
table.timeline td{text-align:center}table.timeline td.body{text-align:left}
td.t-published,td.t-stored{color:#2e7d32}td.t-missing{color:var(--err);font-weight:600}
td.t-late,td.t-duplicate{color:var(--warn)}td.t-none{color:#aaa}
details.body-history>summary{cursor:pointer;margin:4px 0}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def timeline_html(t: Timeline | None) -> str:
    if t is None or not t.bodies:
        return ""
    from ..batch.timeline import STATUS_CN

    head = "".join(f"<th>{y}</th>" for y in t.years)
    rows = []
    for b in t.bodies:
        got = {y.year: y for y in b.years}
        cells = "".join(
            f'<td class="t-{got[y].status}" title="{_e("、".join(got[y].files))}">{_e(STATUS_CN[got[y].status])}</td>'
            if y in got
            else '<td class="t-none">—</td>'
            for y in t.years
        )
        rows.append(f'<tr><td class="body">{_e(b.shown)}</td>{cells}</tr>')
    out = [
        '<section id="timeline"><h2>覆盖情况（历年）</h2>',
        '<p class="where">本批机关在历史库中各年度的情况：名册核对过的年度为核对结果，其余为库中是否有报告。</p>',
        f'<table class="timeline"><thead><tr><th>机关</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>',
        "<h2>历年情况</h2>",
    ]
    for b in t.bodies:
        years = "".join(
            f'<tr><td>{y.year}</td><td class="t-{y.status}">{_e(STATUS_CN[y.status])}</td>'
            f"<td>{y.errors}</td><td>{y.warnings}</td><td>{y.info}</td><td>{_e('、'.join(y.files))}</td></tr>"
            for y in b.years
        )
        again = "".join(
            f'<li><span class="rule">{_e(r.rule)}</span>{_e(r.message)}（{_e("、".join(map(str, r.years)))} 年'
            + (f"；{_e('、'.join(map(str, r.confirmed)))} 年已确认需整改" if r.confirmed else "")
            + "）</li>"
            for r in b.repeated
        )
        out.append(
            f'<details class="body-history"><summary>{_e(b.shown)}：{len(b.years)} 个年度'
            + (f"，{len(b.repeated)} 个问题在多个年度出现" if b.repeated else "")
            + "</summary>"
            '<table class="timeline"><thead><tr><th>年度</th><th>状态</th><th>错误</th><th>警告</th><th>提示</th>'
            f"<th>文件</th></tr></thead><tbody>{years}</tbody></table>"
            + (f'<p>多个年度出现的问题：</p><ul class="findings">{again}</ul>' if again else "")
            + "</details>"
        )
    out.append("</section>")
    return "\n".join(out) + "\n"
