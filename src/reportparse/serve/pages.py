"""Server-rendered pages: the layout, the start page (upload, batches) and a batch's overview.

Everything from a report, a file name or a person is escaped (`esc`) before it joins the page;
attributes are always quoted; the page's one script is /static/app.js (no inline script, no
event handler attribute), which reads what it needs from data- attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import urlencode

from ..findings import SEVERITY_CN
from ..render.junit import xml_text
from ..render.text import STATUS_CN
from ..version import __version__
from .jobs import STATE_CN, Batch
from .security import CSRF_FIELD
from .views import Filters, View

DOWNLOADS = (
    ("xlsx", "Excel 工作簿"),
    ("csv", "CSV（每行一个问题）"),
    ("json", "JSON"),
    ("sarif", "SARIF"),
    ("html", "静态网页"),
)


def esc(text: object) -> str:
    return escape(xml_text(str(text)), quote=True)


def csrf_field(csrf: str) -> str:
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{esc(csrf)}">'


def layout(title: str, body: str, *, crumbs: Sequence[tuple[str, str]] = (), page: str = "") -> str:
    nav = "".join(f'<a href="{esc(href)}">{esc(label)}</a> › ' for href, label in crumbs)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} · reportparse</title>\n"
        '<link rel="stylesheet" href="/static/grid.css">\n'
        '<link rel="stylesheet" href="/static/app.css">\n'
        '<script src="/static/app.js" defer></script>\n</head>\n'
        f'<body data-page="{esc(page)}">\n<header><a class="home" href="/">reportparse 年报审核</a>'
        f"<nav>{nav}<span>{esc(title)}</span></nav></header>\n<main>\n{body}\n</main>\n"
        f"<footer>reportparse {esc(__version__)} · 本机运行，数据不离开本机</footer>\n</body>\n</html>\n"
    )


def message_page(title: str, text: str) -> str:
    return layout(title, f'<p class="notice">{esc(text)}</p><p><a href="/">返回首页</a></p>')


def _state(batch: Batch) -> str:
    return f'<span class="state state-{esc(batch.state)}">{esc(STATE_CN[batch.state])}</span>'


def home(batches: Sequence[Batch], csrf: str, limits_text: str, error: str = "") -> str:
    rows = "".join(
        f'<tr><td><a href="/batch/{esc(b.id)}">{esc(b.title)}</a></td><td>{_state(b)}</td>'
        f"<td>{len(b.results) if b.results else (len(b.names) or '')}</td><td>{esc(b.created[:16].replace('T', ' '))}</td></tr>"
        for b in batches
    )
    listing = (
        f'<table class="list"><thead><tr><th>批次</th><th>状态</th><th>文件数</th><th>创建时间（UTC）</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        if rows
        else "<p>还没有批次。</p>"
    )
    problem = f'<p class="error" role="alert">{esc(error)}</p>' if error else ""
    return layout(
        "首页",
        f"""<h1>上传年报</h1>{problem}
<form id="upload" class="upload" method="post" action="/upload" enctype="multipart/form-data">
{csrf_field(csrf)}
<div id="drop" class="drop"><p>把报告文件或 ZIP 压缩包拖到这里，或</p>
<input id="files" type="file" name="files" multiple accept=".docx,.doc,.wps,.pdf,.html,.htm,.shtml,.txt,.md,.odt,.rtf,.zip">
<p class="hint">{esc(limits_text)}</p></div>
<p><label>批次名称 <input type="text" name="title" maxlength="100" placeholder="例如：2024 年度区县年报"></label>
<button type="submit">上传并检查</button></p>
<div id="upload-progress" class="progress" hidden><progress value="0" max="100"></progress><span class="label"></span></div>
</form>
<h2>批次</h2>
{listing}""",
        page="home",
    )


def _progress(batch: Batch) -> str:
    if batch.state not in ("new", "queued", "running"):
        return ""
    return (
        f'<div id="batch-progress" class="progress" data-url="/batch/{esc(batch.id)}/progress">'
        f'<progress value="{batch.done}" max="{max(batch.total, 1)}"></progress>'
        f'<span class="label">{esc(STATE_CN[batch.state])}：{batch.done} / {batch.total or "?"}</span></div>'
    )


def _select(name: str, label: str, options: Sequence[tuple[str, str]], chosen: str) -> str:
    opts = "".join(
        f'<option value="{esc(v)}"{" selected" if v == chosen else ""}>{esc(text)}</option>'
        for v, text in [("", "全部"), *options]
    )
    return f'<label>{esc(label)} <select name="{name}">{opts}</select></label>'


_COLUMNS = (
    ("path", "文件"),
    ("body", "机关"),
    ("year", "年度"),
    ("status", "状态"),
    ("errors", "错误"),
    ("warnings", "警告"),
    ("info", "提示"),
    ("dismissed", "已排除"),
)


def overview(batch: Batch, rows: Sequence[View], shown: Sequence[View], filters: Filters, csrf: str) -> str:
    bodies = sorted({v.body for v in rows if v.body})
    years = sorted({str(v.year) for v in rows if v.year}, reverse=True)
    rules = sorted({f.rule for v in rows for f in v.counted})
    statuses = [(s, STATUS_CN[s]) for s in ("ok", "findings", "unreadable", "timeout")] + [
        ("unverified", "部分未核对")
    ]
    form = (
        f'<form class="filters" method="get" action="/batch/{esc(batch.id)}">'
        + _select("body", "机关", [(b, b) for b in bodies], filters.body)
        + _select("year", "年度", [(y, y) for y in years], filters.year)
        + _select("status", "状态", statuses, filters.status)
        + _select("rule", "规则", [(r, r) for r in rules], filters.rule)
        + f'<input type="hidden" name="sort" value="{esc(filters.sort)}">'
        + ('<input type="hidden" name="desc" value="1">' if filters.desc else "")
        + '<button type="submit">筛选</button></form>'
    )
    base = {
        k: v
        for k, v in (
            ("body", filters.body),
            ("year", filters.year),
            ("status", filters.status),
            ("rule", filters.rule),
        )
        if v
    }
    heads = []
    for key, label in _COLUMNS:
        desc = filters.sort == key and not filters.desc
        href = f"/batch/{batch.id}?" + urlencode({**base, "sort": key, **({"desc": "1"} if desc else {})})
        sort = ""
        if filters.sort == key:
            sort = f' aria-sort="{"descending" if filters.desc else "ascending"}"'
        heads.append(f'<th data-key="{key}"{sort}><a href="{esc(href)}">{esc(label)}</a></th>')
    body = []
    for v in shown:
        c = v.counts()
        flag = '<span class="unverified">部分未核对</span>' if v.result.unverified else ""
        confirmed = v.decided("confirmed")
        body.append(
            f'<tr data-status="{esc(v.status)}"><td><a href="/batch/{esc(batch.id)}/report/{v.index}">{esc(v.shown)}</a></td>'
            f'<td>{esc(v.body)}</td><td class="num">{esc(v.year or "")}</td>'
            f'<td><span class="status-{esc(v.status)}">{esc(STATUS_CN.get(v.status, v.status))}</span>{flag}'
            + (f'<span class="confirmed-count">需整改 {confirmed}</span>' if confirmed else "")
            + f'</td><td class="num">{c["error"]}</td><td class="num">{c["warning"]}</td>'
            f'<td class="num">{c["info"]}</td><td class="num">{v.decided("dismissed")}</td></tr>'
        )
    total = {s: sum(v.counts()[s] for v in rows) for s in ("error", "warning", "info")}
    status_counts = {
        s: sum(1 for v in rows if v.status == s) for s in ("ok", "findings", "unreadable", "timeout")
    }
    summary = (
        f'<p class="summary">共 {len(rows)} 个文件：'
        + "，".join(f"{STATUS_CN[s]} {n}" for s, n in status_counts.items())
        + f"，部分未核对 {sum(1 for v in rows if v.result.unverified)}；"
        + "，".join(f"{SEVERITY_CN[s]} {n}" for s, n in total.items())
        + f"；已排除 {sum(v.decided('dismissed') for v in rows)}，需整改 {sum(v.decided('confirmed') for v in rows)}。</p>"
    )
    downloads = "".join(
        f'<a class="button" href="/batch/{esc(batch.id)}/download/{fmt}">{esc(label)}</a>'
        for fmt, label in DOWNLOADS
    )
    downloads += (
        f'<a class="button" href="/batch/{esc(batch.id)}/rectification.xlsx">整改清单（工作簿）</a>'
        f'<a class="button" href="/batch/{esc(batch.id)}/rectification">整改清单（打印页）</a>'
    )
    rerun = (
        f'<form class="inline" method="post" action="/batch/{esc(batch.id)}/rerun">{csrf_field(csrf)}'
        '<button type="submit" id="rerun">重新检查</button></form>'
    )
    skipped = ""
    if batch.upload_skipped or batch.skipped:
        items = "".join(f"<li>{esc(n)}：{esc(r)}</li>" for n, r in batch.upload_skipped)
        items += "".join(f"<li>{esc(batch.shown(s.path))}：{esc(s.reason)}</li>" for s in batch.skipped)
        skipped = f'<details class="skipped"><summary>未检查的文件（{len(batch.upload_skipped) + len(batch.skipped)}）</summary><ul>{items}</ul></details>'
    if batch.state == "failed":
        state = f'<p class="error" role="alert">{esc(batch.error)}</p>{rerun}'
    elif batch.state != "done":
        state = _progress(batch)
    else:
        state = f'<p class="done">{_state(batch)} 第 {batch.runs} 次检查完成于 {esc(batch.finished[:19].replace("T", " "))}（UTC）{rerun}</p>'
    table = ""
    if batch.state == "done":
        table = (
            f'{summary}{form}<p class="downloads">下载：{downloads}</p>'
            f'<table id="overview" class="list"><thead><tr>{"".join(heads)}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            f'<p class="count">显示 {len(shown)} / {len(rows)} 个文件</p>{skipped}'
        )
    return layout(
        batch.title,
        f'<h1>{esc(batch.title)}</h1><div id="state" data-state="{esc(batch.state)}">{state}</div>{table}',
        crumbs=[("/", "首页")],
        page="overview",
    )
