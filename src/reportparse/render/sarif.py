"""`check --format sarif`: SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure).

- `tool.driver.rules`: the whole rule registry (id, name, short/full description, help text
  and the rule's docs page as Markdown, default level and whether it is on by default). SARIF
  wants `helpUri` absolute, and reportparse has no site of its own: with `--docs-url URL`
  (where the repository's `docs/rules/` is published, e.g. a pinned commit on the forge) each
  rule gets `helpUri` URL + `<ID>.md` and the driver `informationUri`; without it neither is
  written, so there is no dead link — the page itself travels in `help.markdown`.
- one result per finding, `level` error / warning / note;
- a physical location: the file relative to the working folder (`%SRCROOT%`), with the line for
  text input; page, bounding box, table/row/col and HTML path go into the location's
  properties (SARIF regions have no page);
- logical locations named after the template: `表三/（一）予以公开/自然人`, with the canonical cell
  id as the decorated name;
- `partialFingerprints`: a hash of rule, file, cells and the message with its numbers removed,
  so a finding keeps its identity when a figure in it changes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..findings import SEVERITY_CN, Finding
from ..model import Loc, json_number
from ..rules import REGISTRY, Rule, load_rules
from ..rules.docs import page
from . import DEFAULT_OPTIONS, RenderOptions
from .text import cell_logical, display_path

if TYPE_CHECKING:
    from ..batch import FileResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "reportparse/v2"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rule(r: Rule, docs_url: str | None) -> dict[str, Any]:
    full = r.title + (f"。{r.basis}" if r.basis else "")
    help_text = "\n".join(
        part
        for part in (
            r.title,
            f"违反示例：{r.example}" if r.example else "",
            f"如何修正：{r.fix}" if r.fix else "",
            f"依据：{r.basis}" if r.basis else "",
        )
        if part
    )
    return {
        "id": r.id,
        "name": r.name,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": full},
        **({"helpUri": f"{docs_url}{r.id}.md"} if docs_url else {}),
        "help": {"text": help_text, "markdown": page(r)},
        "defaultConfiguration": {"level": _LEVEL[r.severity], "enabled": r.enabled},
        "properties": {
            "tags": sorted({*r.tags, r.family}),
            "scope": r.scope,
            "severity": SEVERITY_CN[r.severity],
        },
    }


def _uri(path: str, root: Path | None) -> tuple[str, str | None]:
    """Relative to %SRCROOT% (the working folder) when the file lies under it."""
    absolute = Path(os.path.abspath(path))
    if root is not None:
        try:
            return quote(absolute.relative_to(os.path.abspath(root)).as_posix(), safe="/"), "%SRCROOT%"
        except ValueError:
            pass
    return absolute.as_uri(), None


def _location(result: FileResult, f: Finding, root: Path | None) -> dict[str, Any]:
    uri, base = _uri(result.path, root)
    artifact: dict[str, Any] = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    physical: dict[str, Any] = {"artifactLocation": artifact}
    loc: Loc | None = f.loc
    if loc is not None and loc.line is not None and loc.line >= 1:
        region: dict[str, Any] = {"startLine": loc.line}
        if loc.end_line is not None and loc.end_line >= loc.line:
            region["endLine"] = loc.end_line
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if f.cells:
        location["logicalLocations"] = [
            {
                "name": cell_logical(result.head, c).rsplit("/", 1)[-1],
                "fullyQualifiedName": cell_logical(result.head, c),
                "decoratedName": c,
                "kind": "element",
            }
            for c in f.cells
        ]
    props = {
        k: v
        for k, v in (loc.to_dict() if loc else {}).items()
        if k in ("page", "bbox", "table", "row", "col", "path")
    }
    if props:
        location["properties"] = props
    return location


def render_sarif(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> str:
    from .. import __version__

    load_rules()
    rules = sorted(REGISTRY.values(), key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(rules)}
    out: list[dict[str, Any]] = []
    for r in results:
        shown = display_path(r.path, options.root)
        again = dict(r.recurring)
        # a finding a reviewer dismissed (reportparse review) is a suppressed result: viewers hide it
        reviewed = [(f, None) for f in r.findings] + list(r.dismissed)
        for n, (f, decision) in enumerate(reviewed):
            item: dict[str, Any] = {
                "ruleId": f.rule,
                "level": _LEVEL[f.severity],
                "message": {"text": f.message},
                "locations": [_location(r, f, options.root)],
                "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint(shown)},
                "properties": {
                    "severity": f.severity,
                    "cells": list(f.cells),
                    "expected": json_number(f.expected),
                    "actual": json_number(f.actual),
                    "fileStatus": r.status,
                },
            }
            if decision is not None:
                item["suppressions"] = [
                    {
                        "kind": "external",
                        "status": "accepted",
                        "justification": f"{decision.reason}（{decision.who}，{decision.decided_at[:10]}）",
                    }
                ]
            elif n in again:
                item["properties"]["recurringSince"] = again[n].year  # confirmed 需整改 that year
            if f.rule in index:
                item["ruleIndex"] = index[f.rule]
            out.append(item)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "reportparse",
                "version": __version__,
                "semanticVersion": __version__,
                **({"informationUri": options.docs_url} if options.docs_url else {}),
                "rules": [_rule(r, options.docs_url) for r in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": out,
    }
    if options.coverage is not None:  # check --roster: the roster's findings and the 覆盖情况
        out += _coverage_results(options, index)
        run["properties"] = {"coverage": options.coverage.to_dict()}
    if options.root is not None:
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": options.root.resolve().as_uri() + "/"}}
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n"


def _coverage_results(options: RenderOptions, index: dict[str, int]) -> list[dict[str, Any]]:
    """The roster's own findings (PUB-006: a body with no report) as results on the roster file,
    at the body's row."""
    cov = options.coverage
    assert cov is not None
    uri, base = _uri(cov.roster, options.root)
    artifact: dict[str, Any] = {"uri": uri, **({"uriBaseId": base} if base else {})}
    out = []
    for f in cov.findings:
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if f.loc is not None and f.loc.line:
            physical["region"] = {"startLine": f.loc.line}
        item: dict[str, Any] = {
            "ruleId": f.rule,
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": physical}],
            "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint(cov.roster)},
            "properties": {"severity": f.severity, "coverageYear": cov.year},
        }
        if f.rule in index:
            item["ruleIndex"] = index[f.rule]
        out.append(item)
    return out
