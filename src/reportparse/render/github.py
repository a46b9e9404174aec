"""`check --format github`: GitHub Actions workflow commands, one annotation per finding.

    ::error file=reports/a.docx,line=12,title=T3-001::表三自然人列…

Errors and warnings become `::error` / `::warning`, info `::notice`. The line is given for text
input (other formats have no line numbers; the annotation then applies to the file).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import DEFAULT_OPTIONS, RenderOptions
from .text import display_path, location_text

if TYPE_CHECKING:
    from ..batch import FileResult

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> str:
    out: list[str] = []
    for r in results:
        path = display_path(r.path, options.root)
        again = dict(r.recurring)
        marks = {i: f"（重复出现：{d.year} 年已确认需整改）" for i, d in again.items()}
        for i, f in enumerate(r.findings):
            props = [f"file={_prop(path)}"]
            if f.loc is not None and f.loc.line is not None:
                props.append(f"line={f.loc.line}")
                if f.loc.end_line is not None and f.loc.end_line != f.loc.line:
                    props.append(f"endLine={f.loc.end_line}")
            props.append(f"title={_prop(f.rule)}")
            where = location_text(f.loc) if f.loc is not None and f.loc.line is None else ""
            message = f.message + (f"（{where}）" if where else "") + marks.get(i, "")
            out.append(f"::{_LEVEL[f.severity]} {','.join(props)}::{_data(message)}")
        for f, d in r.dismissed:  # reportparse review: a notice, never an error or a warning
            why = f"复核排除：{d.reason}；{d.who}，{d.decided_at[:10]}"
            shown = f"file={_prop(path)},title={_prop(f.rule + ' 已排除')}"
            out.append(f"::notice {shown}::{_data(f'已排除 {f.message}（{why}）')}")
    if options.coverage is not None:  # check --roster: the roster's findings, then the 覆盖情况 line
        cov = options.coverage
        roster = display_path(cov.roster, options.root)
        for f in cov.findings:
            line = f",line={f.loc.line}" if f.loc is not None and f.loc.line else ""
            out.append(
                f"::{_LEVEL[f.severity]} file={_prop(roster)}{line},title={_prop(f.rule)}::{_data(f.message)}"
            )
        out.append(f"::notice file={_prop(roster)},title={_prop('覆盖情况')}::{_data(cov.line())}")
    return "".join(line + "\n" for line in out)
