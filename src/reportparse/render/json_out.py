"""`check --format json` (one document) and `--format jsonl` (one file object per line).

Validated against schema/check.schema.json; `report` is the parse JSON without its findings
(schema/report.schema.json), null for a file that could not be read or timed out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..serialize import SCHEMA_VERSION
from . import DEFAULT_OPTIONS, RenderOptions

if TYPE_CHECKING:
    from ..batch import FileResult


def check_document(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> dict[str, Any]:
    from ..batch import Summary

    return {
        "schema_version": SCHEMA_VERSION,
        "files": [r.to_dict() for r in results],
        "skipped": [s.to_dict() for s in options.skipped],
        "summary": Summary.of(results).to_dict(),
        **({"coverage": options.coverage.to_dict()} if options.coverage is not None else {}),
    }


def stream_json(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> Iterator[str]:
    """The document with one file object per line: as easy to grep as JSONL, and written by the
    C encoder (an indented dump of a few hundred reports takes longer than parsing them). In
    pieces, one file at a time, so that a large batch is never one string in memory."""
    from ..batch import Summary

    yield f'{{"schema_version": {SCHEMA_VERSION}, "files": [\n'
    for i, r in enumerate(results):
        yield ("" if i == 0 else ",\n") + r.to_json()
    skipped = json.dumps([s.to_dict() for s in options.skipped], ensure_ascii=False)
    summary = json.dumps(Summary.of(results).to_dict(), ensure_ascii=False)
    coverage = (
        f', "coverage": {json.dumps(options.coverage.to_dict(), ensure_ascii=False)}'
        if options.coverage is not None
        else ""
    )
    yield f'\n], "skipped": {skipped}, "summary": {summary}{coverage}}}\n'


def stream_jsonl(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> Iterator[str]:
    for r in results:
        yield r.to_json() + "\n"


def render_json(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> str:
    return "".join(stream_json(results, options))


def render_jsonl(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> str:
    return "".join(stream_jsonl(results, options))
