"""The page of one report (metadata, sections, the three tables as printed with the cells of
each finding highlighted, every finding with its location, quote, fix and review decision) and
the page of one rule. Report text is untrusted: all of it goes through `esc`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..findings import SEVERITY_CN, Finding
from ..history import DECISION_CN
from ..model import Report
from ..render.html_out import cell_anchor, report_grids
from ..render.text import STATUS_CN, cell_logical, fix_text, location_text, shown_value, split_cell
from ..rules import Rule
from ..rules.docs import page as rule_markdown
from ..templates import TABLE_TITLES
from .jobs import Batch
from .pages import csrf_field, esc, layout
from .views import Item, View

PREFIX = "r"


def _decision(batch: Batch, v: View, item: Item, csrf: str, who: str, anchor: str) -> str:
    d = item.decision
    out = []
    if d is not None:
        out.append(
            f'<p class="decision decision-{esc(d.decision)}"><b>{esc(DECISION_CN[d.decision])}</b>'
            f"（{esc(d.who)}，{esc(d.decided_at[:16].replace('T', ' '))} UTC"
            + (f"：{esc(d.reason)}" if d.reason else "")
            + "）</p>"
        )
    if item.recurring is not None:
        out.append(f'<p class="recurring">重复出现：{esc(item.recurring.year)} 年已确认需整改</p>')
    if not item.fingerprint:  # a file read without metadata: nothing to key a decision on
        return "".join(out)
    action = f"/batch/{esc(batch.id)}/report/{v.index}/decide"
    hidden = (
        csrf_field(csrf)
        + f'<input type="hidden" name="fp" value="{esc(item.fingerprint)}">'
        + f'<input type="hidden" name="back" value="{esc(anchor)}">'
    )
    if d is not None:
        out.append(
            f'<form class="decide" method="post" action="{action}">{hidden}'
            '<button type="submit" name="action" value="undo">撤销决定</button></form>'
        )
    else:
        out.append(
            f'<form class="decide" method="post" action="{action}">{hidden}'
            f'<label>决定人 <input type="text" name="who" value="{esc(who)}" maxlength="40" required></label>'
            '<label>理由 <input type="text" name="reason" maxlength="500" placeholder="排除时必填"></label>'
            '<button type="submit" name="action" value="confirm">确认需整改</button>'
            '<button type="submit" name="action" value="dismiss">排除</button></form>'
        )
    return "".join(out)


def _finding(
    batch: Batch, v: View, item: Item, anchor: str, report: Report | None, csrf: str, who: str
) -> str:
    f = item.finding
    head = report.head if report is not None else None
    cells = "、".join(
        f'<a href="#{cell_anchor(PREFIX, c)}">{esc(cell_logical(head, c))}</a>'
        if report is not None and _read(report, split_cell(c)[0])
        else esc(cell_logical(head, c))
        for c in f.cells
    )
    where = location_text(f.loc)
    values = ""
    if f.expected is not None or f.actual is not None:
        values = f'<div class="values">应为 {esc(shown_value(f.expected))}，实为 {esc(shown_value(f.actual))}</div>'
    fix = fix_text(f.rule)
    cls = f"finding sev-{f.severity}" + (" is-dismissed" if item.dismissed else "")
    return (
        f'<li id="{esc(anchor)}" class="{esc(cls)}" data-fp="{esc(item.fingerprint)}">'
        f'<span class="sev sev-{esc(f.severity)}">{esc(SEVERITY_CN[f.severity])}</span>'
        f'<a class="rule" href="/rule/{esc(f.rule)}">{esc(f.rule)}</a> <span class="message">{esc(f.message)}</span>'
        + (f'<div class="cells">单元格：{cells}</div>' if cells else "")
        + (f'<div class="where">位置：{esc(where)}</div>' if where else "")
        + values
        + (f'<div class="fix">如何修正：{esc(fix)}</div>' if fix else "")
        + _decision(batch, v, item, csrf, who, anchor)
        + "</li>"
    )


def _read(report: Report, table: str) -> bool:
    return any(name == table and data is not None for name, data in report.tables.items())


def _meta(v: View, report: Report | None) -> str:
    r = v.result
    rows: list[tuple[str, str]] = [("文件", v.shown), ("状态", STATUS_CN.get(v.status, v.status))]
    if report is not None:
        m = report.meta
        rows += [
            ("标题", m.title or "（未识别）"),
            ("机关", m.organization or "（未识别）"),
            ("年度", str(m.year) if m.year else "（未识别）"),
            ("模板", m.template),
            ("格式", report.source.format),
            ("发布日期", m.published.isoformat() if m.published else "（未识别）"),
            ("SHA-256", report.source.sha256 or ""),
        ]
    c = v.counts()
    rows.append(("问题", "，".join(f"{SEVERITY_CN[s]} {c[s]}" for s in ("error", "warning", "info"))))
    rows.append(("复核", f"需整改 {v.decided('confirmed')}，已排除 {v.decided('dismissed')}"))
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(val)}</td></tr>" for k, val in rows)
    unverified = ""
    if r.unverified:
        items = "".join(
            f"<li>{esc(u.reason)}：{esc('、'.join(u.checks))} 未能完整核对，请人工查看</li>"
            for u in r.unverified
        )
        unverified = f'<ul class="unverified-list">{items}</ul>'
    return f'<table class="meta">{body}</table>{unverified}'


def _sections(report: Report) -> str:
    parts = []
    for s in report.sections:
        paras = "".join(f"<p>{esc(p)}</p>" for p in s.text.split("\n") if p.strip())
        parts.append(
            f'<details class="section" id="s{s.number}"><summary>{esc(s.numbering)}{esc(s.heading)}</summary>{paras}</details>'
        )
    preamble = f'<p class="preamble">{esc(report.preamble)}</p>' if report.preamble else ""
    return f"<h2>正文</h2>{preamble}{''.join(parts) or '<p>未识别出各部分。</p>'}"


def _toc(
    general: Sequence[Item], grids: Sequence[tuple[str, str | None, list[Finding]]], by: dict[int, Item]
) -> str:
    """Every finding of the report in one list at the top, each a link to it."""
    links = [(f"g-{n}", i) for n, i in enumerate(general, 1)]
    links += [(f"{PREFIX}-{name}-{n}", by[id(f)]) for name, _, found in grids for n, f in enumerate(found, 1)]
    if not links:
        return '<p class="toc">没有发现问题。</p>'
    items = "".join(
        f'<li class="{"is-dismissed" if i.dismissed else ""}"><a href="#{esc(a)}">'
        f"{esc(SEVERITY_CN[i.finding.severity])} {esc(i.finding.rule)} {esc(i.finding.message)}</a></li>"
        for a, i in links
    )
    return f'<h2>问题一览（{len(links)}）</h2><ol class="toc">{items}</ol>'


def report_page(batch: Batch, v: View, csrf: str, who: str, error: str = "") -> str:
    r = v.result
    report = r.report if r.status not in ("unreadable", "timeout") else None
    by_finding = {id(i.finding): i for i in v.items}
    out = [f"<h1>{esc(v.shown)}</h1>"]
    if error:
        out.append(f'<p class="error" role="alert">{esc(error)}</p>')
    out.append(_meta(v, report))
    in_tables: set[int] = set()
    grids: list[tuple[str, str | None, list[Finding]]] = []
    if report is not None:
        for name, html, numbered in report_grids(report, [i.finding for i in v.items], PREFIX):
            grids.append((name, html, list(numbered)))
            in_tables |= {id(f) for f in numbered}
    general = [i for i in v.items if id(i.finding) not in in_tables]
    out.append(_toc(general, grids, by_finding))
    if general:
        items = "".join(_finding(batch, v, i, f"g-{n}", report, csrf, who) for n, i in enumerate(general, 1))
        out.append(f'<h2>问题</h2><ol class="findings">{items}</ol>')
    if report is not None:
        for name, html, numbered in grids:
            out.append(f'<h2 id="t-{esc(name)}">{esc(TABLE_TITLES[name])}</h2>')
            if html is None:
                out.append('<p class="where">未读到此表。</p>')
                continue
            out.append(f'<div class="grid-wrap">{html}</div>')
            if numbered:
                items = "".join(
                    _finding(batch, v, by_finding[id(f)], f"{PREFIX}-{name}-{n}", report, csrf, who)
                    for n, f in enumerate(numbered, 1)
                )
                out.append(f'<ol class="findings">{items}</ol>')
        out.append(_sections(report))
    nav = ""
    if v.index > 0:
        nav += f'<a href="/batch/{esc(batch.id)}/report/{v.index - 1}">← 上一份</a> '
    if v.index + 1 < len(batch.results):
        nav += f'<a href="/batch/{esc(batch.id)}/report/{v.index + 1}">下一份 →</a>'
    out.append(f'<p class="pager">{nav}</p>')
    return layout(
        v.shown, "\n".join(out), crumbs=[("/", "首页"), (f"/batch/{batch.id}", batch.title)], page="report"
    )


# --- rule pages: the docs page of the rule (rules/docs.py), its Markdown shown as HTML ---

_CODE_RE = re.compile(r"`([^`]+)`")
_BOLD_RE = re.compile(r"\*\*([^*]+)\*\*")


def _inline(text: str) -> str:
    html = esc(text)
    html = _CODE_RE.sub(lambda m: f"<code>{m.group(1)}</code>", html)
    return _BOLD_RE.sub(lambda m: f"<strong>{m.group(1)}</strong>", html)


def markdown_html(text: str) -> str:
    """The small Markdown of the rule pages: headings, lists, code blocks, paragraphs."""
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            block = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                block.append(lines[i])
                i += 1
            out.append(f"<pre><code>{esc(chr(10).join(block))}</code></pre>")
        elif line.startswith("#"):
            level = min(len(line) - len(line.lstrip("#")), 3)
            out.append(f"<h{level}>{_inline(line.lstrip('#').strip())}</h{level}>")
        elif line.startswith("- "):
            items = []
            while i < len(lines) and lines[i].startswith("- "):
                items.append(f"<li>{_inline(lines[i][2:])}</li>")
                i += 1
            out.append(f"<ul>{''.join(items)}</ul>")
            continue
        elif line.strip():
            out.append(f"<p>{_inline(line)}</p>")
        i += 1
    return "\n".join(out)


def rule_page(rule: Rule, seen: Sequence[tuple[str, str, int]] = ()) -> str:
    """`seen`: (batch id, batch title, findings of this rule in it)."""
    found = "".join(
        f'<li><a href="/batch/{esc(b)}?rule={esc(rule.id)}">{esc(title)}</a>：{n} 条</li>'
        for b, title, n in seen
        if n
    )
    more = f"<h2>本机批次中的此类问题</h2><ul>{found}</ul>" if found else ""
    return layout(
        f"{rule.id} {rule.title}", f'<article class="rule-doc">{markdown_html(rule_markdown(rule))}</article>{more}',
        crumbs=[("/", "首页")], page="rule",
    )  # fmt: skip
