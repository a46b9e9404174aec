"""The parse pipeline: bytes -> Document -> segments -> tables -> Report. One direction only."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..document import Document
from ..extraction import internal_error, problem
from ..model import ExtractionNote, Loc, Meta, Report, Source, TableData, TableName
from ..readers import ReadError, load_bytes, read_document
from ..templates import TABLE_TITLES, VERSIONS, expected_version, template
from ..templates.detect import detect_version, document_text
from .mapping import map_tables
from .prose_tables import recover_flat_tables
from .segment import Segmented, body_kind, organization_from_title, parse_date, segment, year_from_title


def parse(source: str | Path | bytes, *, path: str | None = None, fmt: str | None = None) -> Report:
    """Parse a report from a path or bytes. Never raises for bad input: problems are EXT- notes."""
    try:
        data, file_path = load_bytes(source)
    except ReadError as err:
        file_path = path or (str(source) if not isinstance(source, bytes) else None)
        return _empty(file_path, b"", "unknown", [err.note])
    except OSError as err:
        file_path = path or (str(source) if not isinstance(source, bytes) else None)
        return _empty(
            file_path,
            b"",
            "unknown",
            [problem("EXT-001", f"无法打开文件：{err.strerror or err}", loc=Loc(file=file_path))],
        )
    file_path = path or file_path
    document = read_document(data, file_path, fmt)
    try:
        return build_report(document, data)
    except RecursionError:
        note = problem("EXT-003", "文档结构嵌套过深，超出处理限制", loc=Loc(file=file_path))
    except Exception as err:  # a bug in segmentation or mapping must not stop a batch
        note = internal_error("解析阶段", err, loc=Loc(file=file_path))
    return _empty(file_path, data, document.format, [*document.notes, note], document.encoding)


def build_report(document: Document, data: bytes) -> Report:
    notes: list[ExtractionNote] = list(document.notes)
    if not document.blocks:
        return _empty(document.path, data, document.format, notes, document.encoding)
    seg = segment(document)
    props = document.properties
    page_title = _clean_title(props.get("title")) or _clean_title(props.get("page_title"))
    title = seg.title or page_title
    if (
        seg.title
        and page_title
        and seg.title.endswith(page_title)
        and seg.title != page_title
        and year_from_title(page_title) is not None
    ):
        title = page_title  # the body's title line carried page chrome (breadcrumbs) before it
    year = year_from_title(title) or year_from_title(props.get("page_title"))
    organization = organization_from_title(title) or props.get("organization")
    version, scores = detect_version(document_text(document), year)
    mapping_version = version if version in VERSIONS else (expected_version(year) or "2021")
    if mapping_version not in VERSIONS:
        mapping_version = "2021"
    tmpl = template(mapping_version)
    tables, more = map_tables(document, tmpl)
    notes.extend(more)
    flat_tables, flat_notes = recover_flat_tables(seg, tmpl, tables, document.path)
    tables.update(flat_tables)
    notes.extend(flat_notes)
    published = parse_date(props["published"]) if props.get("published") else None
    meta = Meta(
        title=title,
        organization=organization,
        body_kind=body_kind(organization),
        year=year,
        template=version,
        published=published or seg.signoff_date,
        published_source="page" if published else ("signoff" if seg.signoff_date else None),
        signoff_date=seg.signoff_date,
        template_scores=scores,
    )
    notes.extend(_structure_notes(document, seg, tables, version))
    return Report(
        source=_source(document.path, data, document.format, document.encoding),
        meta=meta,
        sections=tuple(seg.sections),
        active_disclosure=tables["active_disclosure"],
        applications=tables["applications"],
        review_litigation=tables["review_litigation"],
        extraction_notes=tuple(notes),
        preamble=seg.preamble,
        preamble_loc=seg.preamble_loc,
    )


def _clean_title(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().split("_")[0].split("|")[0].strip() or None


def _structure_notes(
    document: Document, seg: Segmented, tables: dict[TableName, TableData | None], version: str
) -> list[ExtractionNote]:
    notes: list[ExtractionNote] = []
    loc = Loc(file=document.path)
    has_any = bool(seg.sections) or any(tables.values())
    if not has_any and not seg.title:
        notes.append(
            problem(
                "EXT-004",
                "文件中未找到政府信息公开工作年度报告的标题、六个部分或标准表格，可能不是年度报告",
                loc=loc,
            )
        )
        return notes
    numbers = [s.number for s in seg.sections]
    if numbers and max(numbers) < 6 and numbers == list(range(1, max(numbers) + 1)):
        last = seg.sections[-1]
        if len(last.text) < 40 or max(numbers) <= 3:
            notes.append(
                problem(
                    "EXT-010",
                    f"报告在第{'一二三四五六'[max(numbers) - 1]}部分之后中断，"
                    f"其后的部分均未找到，文件可能被截断",
                    loc=last.loc,
                )
            )
    if version == "legacy":
        return notes
    for name, data in tables.items():
        if data is not None and data.confidence == "low":
            notes.append(
                problem(
                    "EXT-006",
                    f"{TABLE_TITLES[name]}只读到 {len(data.cells)} 个单元格，表格结构不确定，不进行算术校验",
                    loc=data.loc or loc,
                )
            )
    return notes


def _source(path: str | None, data: bytes, fmt: str, encoding: str | None = None) -> Source:
    return Source(
        path=path, format=fmt, sha256=hashlib.sha256(data).hexdigest(), size=len(data), encoding=encoding
    )


def _empty(
    path: str | None, data: bytes, fmt: str, notes: list[ExtractionNote], encoding: str | None = None
) -> Report:
    return Report(
        source=_source(path, data, fmt, encoding),
        meta=Meta(),
        sections=(),
        active_disclosure=None,
        applications=None,
        review_litigation=None,
        extraction_notes=tuple(notes),
    )
