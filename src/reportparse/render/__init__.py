"""Renderers: every output format is a pure function of (reports, findings).

`FORMATS` names the formats of `reportparse check`; each renders the same list of per-file
results (`batch.FileResult`: path, status, report, findings) to one document. Modules are
imported on first use, so `check --format text` never loads the HTML or xlsx writers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypedDict

if TYPE_CHECKING:
    from ..batch import Coverage, FileResult, Skipped
    from ..batch.timeline import Timeline


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False  # ANSI colours (text format on a terminal only)
    root: Path | None = None  # paths in SARIF/GitHub output are made relative to this folder
    skipped: tuple[Skipped, ...] = ()  # paths met in folders that could not be looked at
    # Which findings the text output follows with the rule's fix ("修正：…"), once per rule and
    # file: errors by default (what must be corrected), every finding, or none. The HTML page and
    # the workbook always show the fix.
    show_fixes: Literal["errors", "all", "none"] = "errors"
    quiet: bool = False  # text: the findings only, no line about clean files or skipped paths
    docs_url: str | None = None  # where docs/rules/ is published (SARIF helpUri), ends with "/"
    coverage: Coverage | None = None  # check --roster: bodies × status and the roster's findings
    timeline: Timeline | None = None  # check --history: the batch's bodies across the stored years


DEFAULT_OPTIONS = RenderOptions()


class AuditOptions(TypedDict):
    lazy_reports: bool
    json_reports: bool
    spill: bool


@dataclass(frozen=True)
class Format:
    name: str
    module: str  # reportparse.render.<module>
    function: str
    binary: bool = False
    suffix: str = ".txt"
    title: str = ""
    # What the renderer reads of each report: its head only ("head"), its JSON ("json", which
    # worker processes then write for it) or the whole report ("full": `check` unpacks every
    # report as it arrives from the workers instead of on demand).
    reads: Literal["head", "json", "full"] = "head"
    # a function that yields the document in pieces (so that a large batch's document is never
    # one string in memory); None: `function` makes it whole
    stream: str | None = None

    def audit_options(self) -> AuditOptions:
        """The `audit()` arguments that give this renderer what it reads, and no more."""
        # reports wait on disk, not in memory, until it reads them (those it reads whole too)
        return AuditOptions(lazy_reports=True, json_reports=self.reads == "json", spill=True)

    def pieces(self, results: Sequence[FileResult], options: RenderOptions) -> Iterator[str | bytes]:
        """The document in pieces, in order: many for a streamed format, else one."""
        if self.stream is None:
            yield self.renderer()(results, options)
            return
        module = importlib.import_module(f"{__name__}.{self.module}")
        yield from getattr(module, self.stream)(results, options)

    def renderer(self) -> Callable[[Sequence[FileResult], RenderOptions], str | bytes]:
        module = importlib.import_module(f"{__name__}.{self.module}")
        fn: Callable[[Sequence[FileResult], RenderOptions], str | bytes] = getattr(module, self.function)
        return fn


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("text", "text", "render_text", title="按文件分组的中文问题清单"),
        Format(
            "json",
            "json_out",
            "render_json",
            suffix=".json",
            title="一个 JSON 文档",
            reads="json",
            stream="stream_json",
        ),
        Format(
            "jsonl",
            "json_out",
            "render_jsonl",
            suffix=".jsonl",
            title="每行一个文件的 JSON",
            reads="json",
            stream="stream_jsonl",
        ),
        Format("sarif", "sarif", "render_sarif", suffix=".sarif", title="SARIF 2.1.0（代码扫描）"),
        Format("junit", "junit", "render_junit", suffix=".xml", title="JUnit XML（CI 测试报告）"),
        Format("github", "github", "render_github", title="GitHub Actions 工作流注释"),
        Format(
            "csv", "csv_out", "render_csv", suffix=".csv", title="每行一个问题的 CSV", stream="stream_csv"
        ),
        Format(
            "xlsx",
            "xlsx",
            "render_xlsx",
            binary=True,
            suffix=".xlsx",
            title="Excel 工作簿",
            reads="full",
        ),
        Format(
            "cells",
            "csv_out",
            "render_cells",
            suffix=".csv",
            title="全部单元格的长表 CSV",
            reads="full",
            stream="stream_cells",
        ),
        Format(
            "html",
            "html_out",
            "render_html",
            suffix=".html",
            title="单个自包含网页",
            reads="full",
            stream="stream_html",
        ),
    )
}


def render(name: str, results: Sequence[FileResult], options: RenderOptions | None = None) -> str | bytes:
    return FORMATS[name].renderer()(results, options or DEFAULT_OPTIONS)
