"""`check --format html`: ONE self-contained page for the whole batch (inline CSS and JS, no
network), for people who audit a folder in a browser.

- an overview of every file (click a column header to sort; `#sort=errors-desc` in the URL
  sorts on load; a filter box narrows the rows);
- per report: its findings, and the three tables laid out as the template prints them (表二 by
  block, 表三 with its three label columns and two-level header, 表四 with 复议/诉讼 header),
  every cell named in a finding highlighted (`finding-error` / `finding-warning` /
  `finding-info`) with the messages in its `title` and numbered in a list under the table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from html import escape
from typing import TYPE_CHECKING

from ..findings import SEVERITY_CN, SEVERITY_ORDER, Finding
from ..model import Cell, Report, TableData, json_number
from ..templates import TABLE_TITLES, Template
from . import DEFAULT_OPTIONS, RenderOptions
from .junit import xml_text
from .text import (
    KEY_FIGURES,
    STATUS_CN,
    cell_logical,
    display_path,
    fix_text,
    location_text,
    report_template,
    split_cell,
)
from .timeline import CSS as TIMELINE_CSS
from .timeline import timeline_html
from .yearly import CSS as YEARLY_CSS
from .yearly import year_on_year_html

if TYPE_CHECKING:
    from ..batch import FileResult

# The tables as printed, cells behind a finding highlighted: this page's and the web application's
GRID_CSS = """
.grid{font-size:13px;margin:4px 0}
.grid td.label{max-width:380px}
.grid td.blank{background:repeating-linear-gradient(45deg,#fff,#fff 4px,#f1f1f1 4px,#f1f1f1 8px)}
.grid td.unread{color:#999}
td.finding-error{background:#fde0e0;outline:2px solid var(--err);outline-offset:-2px}
td.finding-warning{background:#fff1cc;outline:2px solid var(--warn);outline-offset:-2px}
td.finding-info{background:#e3f0ff;outline:1px dashed var(--info);outline-offset:-2px}
td sup a{color:inherit;text-decoration:none;font-size:10px;margin-left:2px}
"""
_CSS = (
    """
:root{--err:#c62828;--warn:#b26a00;--info:#1565c0;--line:#c9ced6}
*{box-sizing:border-box}
body{font:14px/1.5 "Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:16px 24px}
header h1{margin:0;font-size:20px}
main{padding:16px 24px}
h2{font-size:17px;margin:28px 0 8px}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;background:#fff}
th,td{border:1px solid var(--line);padding:3px 6px;vertical-align:middle}
th{background:#eef1f5;font-weight:600}
#overview th{cursor:pointer;user-select:none;white-space:nowrap}
#overview th[aria-sort=ascending]::after{content:" ▲"}
#overview th[aria-sort=descending]::after{content:" ▼"}
#overview td.num,.grid td.v{text-align:right;font-variant-numeric:tabular-nums}
#filter{margin:0 0 8px;padding:4px 8px;width:320px;font:inherit}
.status-unreadable,.status-timeout{color:var(--err);font-weight:600}
.status-findings{color:var(--warn)}
.status-ok{color:#2e7d32}
.unverified{margin-left:.4em;padding:0 .3em;border:1px solid var(--warn);border-radius:3px;color:var(--warn);font-size:.85em}
.unverified-list{color:var(--warn)}
section.report{background:#fff;border:1px solid var(--line);border-radius:6px;padding:4px 16px 16px;margin:18px 0}
.meta{color:#555;margin:0 0 8px}
"""
    + GRID_CSS.lstrip("\n")
    + """ol.findings,ul.findings{margin:6px 0 0;padding-left:26px}
.findings li{margin:2px 0}
.sev{display:inline-block;min-width:2.6em;font-weight:600}
.sev-error{color:var(--err)}.sev-warning{color:var(--warn)}.sev-info{color:var(--info)}
.rule{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#333;margin-right:4px}
.where{color:#777;font-size:12px}
a{color:#1f5fa8}
details.tables>summary{cursor:pointer;color:#555;margin:6px 0}
.fix{color:#2c6e2c;font-size:12px;margin:1px 0 4px}
td:target{box-shadow:inset 0 0 0 3px #1f5fa8}
li:target{background:#fffbd6}
"""
)

_JS = """
(function () {
  var table = document.getElementById('overview');
  var heads = table.tHead.rows[0].cells;
  var body = table.tBodies[0];
  function value(row, i, numeric) {
    var v = row.cells[i].getAttribute('data-value');
    if (!numeric) return v || '';
    return v === null || v === '' ? -Infinity : parseFloat(v);
  }
  function sortBy(i, descending) {
    var numeric = heads[i].getAttribute('data-type') === 'num';
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, i, numeric), y = value(b, i, numeric);
      var c = numeric ? (x < y ? -1 : x > y ? 1 : 0) : x.localeCompare(y, 'zh-CN');
      if (descending) c = -c;
      return c || (+a.getAttribute('data-i') - +b.getAttribute('data-i'));
    });
    rows.forEach(function (r) { body.appendChild(r); });
    for (var j = 0; j < heads.length; j++) heads[j].removeAttribute('aria-sort');
    heads[i].setAttribute('aria-sort', descending ? 'descending' : 'ascending');
    table.setAttribute('data-sorted', heads[i].getAttribute('data-key') + (descending ? '-desc' : ''));
  }
  Array.prototype.forEach.call(heads, function (th, i) {
    th.addEventListener('click', function () {
      sortBy(i, th.getAttribute('aria-sort') === 'ascending');
    });
  });
  var m = /sort=([a-z_]+)(-desc)?/.exec(location.hash);
  if (m) {
    for (var k = 0; k < heads.length; k++) {
      if (heads[k].getAttribute('data-key') === m[1]) sortBy(k, !!m[2]);
    }
  }
  var filter = document.getElementById('filter');
  filter.addEventListener('input', function () {
    var q = filter.value.trim().toLowerCase();
    Array.prototype.forEach.call(body.rows, function (r) {
      r.hidden = q !== '' && r.textContent.toLowerCase().indexOf(q) < 0;
    });
  });
  // a link to a cell inside folded tables unfolds them first
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    for (var d = el; d; d = d.parentElement) if (d.tagName === 'DETAILS') d.open = true;
    if (el) el.scrollIntoView({block: 'center'});
  }
  window.addEventListener('hashchange', reveal);
  reveal();
  document.body.setAttribute('data-ready', '1');
})();
"""

_OVERVIEW = (
    ("path", "文件", "text"),
    ("body", "机关", "text"),
    ("year", "年度", "num"),
    ("template", "模板", "text"),
    ("status", "状态", "text"),
    ("errors", "错误", "num"),
    ("warnings", "警告", "num"),
    ("info", "提示", "num"),
    *((q.split(".", 1)[1].replace(".", "_"), label, "num") for q, label in KEY_FIGURES),
)


def _e(text: object) -> str:
    return escape(xml_text(str(text)), quote=True)


def _worst(findings: Sequence[Finding]) -> str:
    return max(findings, key=lambda f: SEVERITY_ORDER[f.severity]).severity


def _sev(f: Finding) -> str:
    return f'<span class="sev sev-{f.severity}">{SEVERITY_CN[f.severity]}</span>'


def _fix(f: Finding) -> str:
    fix = fix_text(f.rule)
    return f'<div class="fix">如何修正：{_e(fix)}</div>' if fix else ""


class _Cells:
    """The findings of one report by qualified cell id, numbered per table for the markers."""

    def __init__(self, report: Report, findings: Sequence[Finding], prefix: str) -> None:
        self.report = report
        self.head = report.head
        self.prefix = prefix
        self.by_cell: dict[str, list[Finding]] = defaultdict(list)
        self.by_table: dict[str, list[Finding]] = defaultdict(list)
        self.general: list[Finding] = []
        for f in findings:
            tables = [split_cell(c)[0] for c in f.cells if split_cell(c)[0] in report.tables]
            if not tables:
                self.general.append(f)
                continue
            for c in f.cells:
                self.by_cell[c].append(f)
            for t in dict.fromkeys(tables):
                self.by_table[t].append(f)

    def number(self, table: str, f: Finding) -> int:
        return self.by_table[table].index(f) + 1

    def td(self, table: str, data: TableData, cid: str, extra: str = "") -> str:
        cell: Cell | None = data.cells.get(cid)
        classes = ["v"]
        if cell is None:
            classes.append("unread")
            text = "?"
        else:
            if cell.kind == "blank":
                classes.append("blank")
            text = _e(cell.raw)
        found = self.by_cell.get(f"{table}.{cid}", [])
        attrs = f' data-cell="{_e(table + "." + cid)}"'
        if found:
            attrs += f' id="{self.cell_anchor(f"{table}.{cid}")}"'
        if found:
            classes.append(f"finding-{_worst(found)}")
            tip = "\n".join(f"{SEVERITY_CN[f.severity]} {f.rule}：{f.message}" for f in found)
            attrs += f' title="{_e(tip)}"'
            marks = "".join(
                f'<a href="#{self.prefix}-{table}-{self.number(table, f)}">[{self.number(table, f)}]</a>'
                for f in dict.fromkeys(found)
            )
            text += f"<sup>{marks}</sup>"
        return f'<td class="{" ".join(classes)}"{attrs}{extra}>{text}</td>'

    def cell_anchor(self, qualified: str) -> str:
        return _e(f"{self.prefix}-c-{qualified}")

    def listing(self, table: str) -> str:
        """The findings about a table, each linking to its cells (and each cell back to it)."""
        found = self.by_table.get(table, [])
        if not found:
            return ""
        items = []
        for i, f in enumerate(found, start=1):
            cells = "、".join(
                f'<a href="#{self.cell_anchor(c)}">{_e(cell_logical(self.head, c))}</a>'
                if c in self.by_cell and split_cell(c)[0] in self.report.tables
                else _e(cell_logical(self.head, c))
                for c in f.cells
            )
            items.append(
                f'<li id="{self.prefix}-{table}-{i}">{_sev(f)}<span class="rule">{_e(f.rule)}</span>'
                f'{_e(f.message)} <span class="where">{cells}</span>{_fix(f)}</li>'
            )
        return f'<ol class="findings">{"".join(items)}</ol>'


def _table2(t: Template, data: TableData, cells: _Cells) -> str:
    width = 1 + max(len(b.columns) for b in t.blocks)
    rows = []
    for b in t.blocks:
        rows.append(f'<tr><th colspan="{width}">{_e(b.caption)}</th></tr>')
        heads = [f"<th>{_e(b.header)}</th>"]
        for i, c in enumerate(b.columns):
            span = width - len(b.columns) if i == len(b.columns) - 1 else 1
            heads.append(
                f'<th colspan="{span}">{_e(c.label)}</th>' if span > 1 else f"<th>{_e(c.label)}</th>"
            )
        rows.append(f"<tr>{''.join(heads)}</tr>")
        for r in b.rows:
            tds = [f'<td class="label">{_e(r.label)}</td>']
            for i, c in enumerate(b.columns):
                span = width - len(b.columns) if i == len(b.columns) - 1 else 1
                extra = f' colspan="{span}"' if span > 1 else ""
                tds.append(cells.td("active_disclosure", data, f"{r.id}.{c.id}", extra))
            rows.append(f"<tr>{''.join(tds)}</tr>")
    return f'<table class="grid t2">{"".join(rows)}</table>'


def _app_rows(t: Template, data: TableData) -> list[tuple[str, str, str | None]]:
    """(row id, label, group) in template order; a row family printed as one row (a 2021
    table with a single （六）其他处理 row) replaces its members."""
    present = {cid.rsplit(".", 1)[0] for cid in data.cells}
    known = {r.id for r in t.app_rows}
    l1 = t.app_group_labels[0] if t.app_group_labels else "三、本年度办理结果"
    rows: list[tuple[str, str, str | None]] = []
    for r in t.app_rows:
        family = r.id.split(".")[0]
        if "." in r.id and family in present and family not in known:
            if not any(x[0] == family for x in rows):
                rows.append((family, "（六）其他处理" if family == "other" else family, l1))
            continue
        rows.append((r.id, r.label, r.group))
    return rows


def _table3(t: Template, data: TableData, cells: _Cells) -> str:
    l1 = t.app_group_labels[0] if t.app_group_labels else "三、本年度办理结果"
    cols = t.app_columns
    middle = cols[1:-1]
    head = (
        f'<tr><th colspan="3" rowspan="3" class="corner">{_e(t.corner_note)}</th>'
        f'<th colspan="{len(cols)}">申请人情况</th></tr>'
        f'<tr><th rowspan="2">{_e(cols[0].label)}</th><th colspan="{len(middle)}">法人或其他组织</th>'
        f'<th rowspan="2">{_e(cols[-1].label)}</th></tr>'
        f"<tr>{''.join(f'<th>{_e(c.label)}</th>' for c in middle)}</tr>"
    )
    rows = _app_rows(t, data)
    level: list[tuple[str | None, str | None, str]] = []  # (三、…, （三）…, own label)
    for _, label, group in rows:
        if group is None:
            level.append((None, None, label))
        elif group == l1:
            level.append((l1, None, label))
        else:
            level.append((l1, group, label))
    body = []
    for i, ((rid, _, _), (g1, g2, label)) in enumerate(zip(rows, level, strict=True)):
        tds = []
        if g1 is None:
            tds.append(f'<td class="label" colspan="3">{_e(label)}</td>')
        else:
            if i == 0 or level[i - 1][0] != g1:
                span = _span(level, i, 0)
                tds.append(f'<td class="label" rowspan="{span}">{_e(g1)}</td>')
            if g2 is None:
                tds.append(f'<td class="label" colspan="2">{_e(label)}</td>')
            else:
                if i == 0 or level[i - 1][1] != g2:
                    span = _span(level, i, 1)
                    tds.append(f'<td class="label" rowspan="{span}">{_e(g2)}</td>')
                tds.append(f'<td class="label">{_e(label)}</td>')
        tds.extend(cells.td("applications", data, f"{rid}.{c.id}") for c in cols)
        body.append(f"<tr>{''.join(tds)}</tr>")
    return f'<table class="grid t3">{head}{"".join(body)}</table>'


def _span(level: list[tuple[str | None, str | None, str]], start: int, index: int) -> int:
    """How many rows from `start` share the label at position `index` (0: 三、…, 1: （三）…)."""
    label = level[start][index]
    n = 0
    for row in level[start:]:
        if row[index] != label:
            break
        n += 1
    return n


def _table4(t: Template, data: TableData, cells: _Cells) -> str:
    cols = t.review_columns
    groups = t.review_groups
    first, rest = groups[0], groups[1:]
    n = len(cols)
    review_heads = "".join(f'<th rowspan="2">{_e(c.label)}</th>' for c in cols)
    litigation_heads = "".join(f'<th colspan="{n}">{_e(g.label)}</th>' for g in rest)
    sub_heads = "".join(f"<th>{_e(c.label)}</th>" for _ in rest for c in cols)
    head = (
        f'<tr><th colspan="{n}">{_e(first.label)}</th><th colspan="{n * len(rest)}">行政诉讼</th></tr>'
        f"<tr>{review_heads}{litigation_heads}</tr><tr>{sub_heads}</tr>"
    )
    row = "".join(cells.td("review_litigation", data, f"{g.id}.{c.id}") for g in groups for c in cols)
    return f'<table class="grid t4">{head}<tr>{row}</tr></table>'


_RENDER = {"active_disclosure": _table2, "applications": _table3, "review_litigation": _table4}


def _report_section(i: int, r: FileResult, options: RenderOptions) -> str:
    path = display_path(r.path, options.root)
    prefix = f"r{i}"
    out = [f'<section class="report" id="{prefix}" data-path="{_e(path)}">', f"<h2>{_e(path)}</h2>"]
    report = r.report if r.status != "unreadable" else None
    meta = [f'<span class="status-{r.status}">{STATUS_CN[r.status]}</span>']
    if r.unverified:
        meta.append('<span class="unverified">部分未核对</span>')
    if report is not None:
        m = report.meta
        meta += [
            _e(m.organization or "（机关未识别）"),
            _e(f"{m.year} 年" if m.year else "（年度未识别）"),
            _e(f"{m.template} 模板"),
            _e(report.source.format),
        ]
        if m.title:
            meta.append(_e(m.title))
    out.append(f'<p class="meta">{" · ".join(meta)}</p>')
    if report is None:
        out.append(_general(r.findings))
        out.append("</section>")
        return "\n".join(out)
    cells = _Cells(report, r.findings, prefix)
    if r.unverified:
        items = "".join(
            f"<li>{_e(u.reason)}：{_e('、'.join(u.checks))} 未能完整核对，请人工查看</li>"
            for u in r.unverified
        )
        out.append(f'<ul class="unverified-list">{items}</ul>')
    if cells.general:
        out.append(_general(cells.general))
    if r.dismissed:  # reportparse review: shown, not counted
        items = "".join(
            f"<li>已排除 {_e(f.rule)} {_e(f.message)}（复核排除：{_e(d.reason)}；{_e(d.who)}，{_e(d.decided_at[:10])}）</li>"
            for f, d in r.dismissed
        )
        out.append(f'<ul class="dismissed-list">{items}</ul>')
    if r.year_on_year is not None:  # 同比 (render/yearly.py), folded
        out.append(year_on_year_html(r, options.root))
    # a clean report's tables are there but folded, so that a page of 200 reports stays usable
    out.append(f'<details class="tables"{" open" if r.findings else ""}><summary>表二、表三、表四</summary>')
    for name, data in report.tables.items():
        out.append(f"<h3>{_e(TABLE_TITLES[name])}</h3>")
        if data is None:
            out.append('<p class="where">未读到此表。</p>')
            continue
        t = report_template(cells.head, name)
        out.append(_RENDER[name](t, data, cells))
        out.append(cells.listing(name))
    out.append("</details>")
    out.append("</section>")
    return "\n".join(out)


def _general(findings: Sequence[Finding]) -> str:
    if not findings:
        return ""
    items = "".join(
        f'<li>{_sev(f)}<span class="rule">{_e(f.rule)}</span>{_e(f.message)}'
        + (f' <span class="where">{_e(w)}</span>' if (w := location_text(f.loc)) else "")
        + _fix(f)
        + "</li>"
        for f in findings
    )
    return f'<ul class="findings">{items}</ul>'


def _overview(results: Sequence[FileResult], options: RenderOptions) -> Iterator[str]:
    head = "".join(
        f'<th data-key="{key}" data-type="{kind}" title="点击排序">{_e(label)}</th>'
        for key, label, kind in _OVERVIEW
    )
    yield (
        '<input id="filter" type="search" placeholder="筛选：文件名、机关、状态…" aria-label="筛选">'
        f'<table id="overview"><thead><tr>{head}</tr></thead><tbody>'
    )
    for i, r in enumerate(results):
        report = r.report if r.status != "unreadable" else None
        counts = r.counts()
        path = display_path(r.path, options.root)
        values: list[tuple[object, str, str]] = [  # (sort value, shown html, class)
            (path, f'<a href="#r{i}">{_e(path)}</a>', ""),
            (
                report.meta.organization or "" if report else "",
                _e(report.meta.organization or "") if report else "",
                "",
            ),
            (report.meta.year if report else None, _e(report.meta.year or "") if report else "", "num"),
            (report.meta.template if report else "", _e(report.meta.template) if report else "", ""),
            (
                r.status + (" unverified" if r.unverified else ""),
                f'<span class="status-{r.status}">{STATUS_CN[r.status]}</span>'
                + ('<span class="unverified">部分未核对</span>' if r.unverified else ""),
                "",
            ),
            (counts["error"], str(counts["error"]), "num"),
            (counts["warning"], str(counts["warning"]), "num"),
            (counts["info"], str(counts["info"]), "num"),
        ]
        for q, _ in KEY_FIGURES:
            cell = report.cell(q) if report else None
            v = json_number(cell.value) if cell is not None else None
            values.append((v, _e(cell.raw) if cell is not None else "", "num"))
        tds = "".join(
            f'<td class="{cls}" data-value="{_e("" if v is None else v)}">{shown}</td>'
            if cls
            else f'<td data-value="{_e("" if v is None else v)}">{shown}</td>'
            for v, shown, cls in values
        )
        yield f'<tr data-i="{i}">{tds}</tr>'
    yield "</tbody></table>"


def _coverage(options: RenderOptions) -> str:
    if options.coverage is None:
        return ""
    from .coverage import coverage_html

    return coverage_html(options.coverage, options.root) + "\n"


def stream_html(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> Iterator[str]:
    """The page in pieces, a report at a time (a large batch's page is never one string)."""
    from .. import __version__
    from ..batch import Summary

    summary = Summary.of(results)
    yield (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="reportparse {__version__}">\n'
        "<title>reportparse 检查结果</title>\n"
        f"<style>{_CSS}{YEARLY_CSS}{TIMELINE_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>政府信息公开工作年度报告检查结果</h1><p>{_e(summary.line().rsplit('；用时', 1)[0])}</p></header>\n"
        '<main>\n<h2 id="overview-title">总览</h2>\n'
    )
    yield from _overview(results, options)
    yield f"\n{_coverage(options)}{timeline_html(options.timeline)}"
    for i, r in enumerate(results):
        yield ("\n" if i else "") + _report_section(i, r, options)
    yield f"\n</main>\n<script>{_JS}</script>\n</body>\n</html>\n"


def render_html(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> str:
    return "".join(stream_html(results, options))


def report_grids(
    report: Report, findings: Sequence[Finding], prefix: str
) -> list[tuple[str, str | None, list[Finding]]]:
    """The three tables of one report as this page prints them, for a page that lists the
    findings its own way (`reportparse serve`): (table name, the grid's HTML or None when the
    table was not read, the findings its markers number 1…n). A cell named in a finding is
    highlighted, has the id `cell_anchor(prefix, qualified id)` and links to
    `#{prefix}-{table}-{n}`."""
    cells = _Cells(report, findings, prefix)
    return [
        (
            name,
            None if data is None else _RENDER[name](report_template(cells.head, name), data, cells),
            list(cells.by_table.get(name, [])),
        )
        for name, data in report.tables.items()
    ]


def cell_anchor(prefix: str, qualified: str) -> str:
    """The id of a highlighted cell in `report_grids` (escaped for an attribute)."""
    return _e(f"{prefix}-c-{qualified}")
