"""The parse pipeline: bytes -> Document -> segments -> tables -> Report. One direction only."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..document import Document
from ..extraction import internal_error, problem
from ..filenames import os_error_text
from ..model import ExtractionNote, Loc, Meta, Report, Section, Source, TableData, TableName
from ..normalize import norm_label
from ..readers import ReadError, load_bytes, read_document
from ..readers.ocr import ocr_mode
from ..templates import (
    REFERRAL_RE,
    TABLE_NAMES,
    TABLE_SECTION,
    TABLE_TITLES,
    VERSIONS,
    Template,
    common,
    expected_version,
    template,
)
from ..templates.detect import detect_version
from .evidence import Evidence, printed_rows, table_printed
from .mapping import map_tables
from .prose_tables import recover_flat_tables
from .segment import Segmented, body_kind, organization_from_title, parse_date, segment, year_from_title


def parse(
    source: str | Path | bytes, *, path: str | None = None, fmt: str | None = None, ocr: str | None = None
) -> Report:
    """Parse a report from a path or bytes. Never raises for bad input: problems are EXT- notes.
    `ocr`: never, auto (default) or always — OCR of scanned pages and pictures of tables when the
    `ocr` extra is installed (docs/formats/ocr.md); an unknown mode is a ValueError."""
    mode = ocr_mode(ocr)
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
            [problem("EXT-001", f"无法打开文件：{os_error_text(err)}", loc=Loc(file=file_path))],
        )
    file_path = path or file_path
    document = read_document(data, file_path, fmt, mode)
    try:
        return build_report(document, data)
    except RecursionError:
        note = problem("EXT-003", "文档结构嵌套过深，超出处理限制", loc=Loc(file=file_path))
    except Exception as err:  # a bug in segmentation or mapping must not stop a batch
        note = internal_error("解析阶段", err, loc=Loc(file=file_path))
    return _empty(file_path, data, document.format, [*document.notes, note], document.encoding)


def _placed(note: ExtractionNote, sections: Sequence[Section]) -> ExtractionNote:
    """A reader's note about an element (a picture, a link) placed in its part and paragraph by
    its source line, so a person is told 第二部分第3段, not an element path. Left as it is when the
    lines do not tell (a page printed on one line)."""
    loc = note.loc
    if loc is None or loc.line is None or loc.section is not None or loc.table is not None:
        return note
    before = [s for s in sections if s.loc.line is not None and s.loc.line <= loc.line]
    if not before or (len(before) < len(sections) and sections[len(before)].loc.line == loc.line):
        return note
    section = before[-1]
    if len(before) > 1 and before[-2].loc.line == section.loc.line:
        return note  # two headings on the line: which part is not known
    lines = [p.line for p in section.paragraph_locs]
    paragraph = sum(1 for line in lines if line is not None and line <= loc.line) or None
    if paragraph is not None and lines.count(lines[paragraph - 1]) > 1:
        paragraph = None
    return replace(note, loc=replace(loc, section=section.number, paragraph=paragraph))


def build_report(document: Document, data: bytes) -> Report:
    notes: list[ExtractionNote] = list(document.notes)
    if not document.blocks:
        if not any(n.rule and n.severity == "error" for n in notes):  # nothing unreadable passes quietly
            notes.append(problem("EXT-001", _NOTHING_TO_READ[document.format], loc=Loc(file=document.path)))
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
        and _CHROME_RE.search(seg.title[: -len(page_title)])
    ):
        title = page_title  # the body's title line carried page chrome (breadcrumbs) before it
    year = year_from_title(title) or year_from_title(props.get("page_title"))
    organization = organization_from_title(title) or props.get("organization")
    evidence = Evidence.of(document)
    version, scores = detect_version(evidence.norm, year, _standard_sections(seg))
    tables: dict[TableName, TableData | None] = dict.fromkeys(TABLE_NAMES)
    if version != "legacy":  # a free-format report has no standard tables to map or recover
        mapping_version = version if version in VERSIONS else (expected_version(year) or "2021")
        if mapping_version not in VERSIONS:
            mapping_version = "2021"
        tmpl = template(mapping_version)
        tables, more = map_tables(document, tmpl)
        notes.extend(more)
        flat_tables, flat_notes = recover_flat_tables(seg, tmpl, tables, document.path)
        tables.update(flat_tables)
        notes.extend(flat_notes)
        tables = _weigh_evidence(tables, tmpl, evidence, seg)
        lost = _lost_in_ocr(tables, seg, document)
        for name, where in lost.items():
            tables[name] = TableData(
                name, tmpl.version, {}, confidence="low", loc=where, unread_why=_LOST_IN_OCR
            )
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
        extraction_notes=tuple(_placed(n, seg.sections) for n in notes),
        preamble=seg.preamble,
        preamble_loc=seg.preamble_loc,
        title_loc=seg.title_loc,
        signoff_loc=seg.signoff_loc,
    )


_NOTHING_TO_READ: defaultdict[str, str] = defaultdict(
    lambda: "文件中没有任何文字内容（空白文件）",
    {
        "html": "网页中没有任何正文文字（空白页面）",
        "docx": "文档正文为空，没有任何段落或表格",
        "pdf": "PDF 中没有任何可读取的文字",
        "text": "文本文件中没有任何文字（只有空白或字节顺序标记）",
    },
)


def _standard_sections(seg: Segmented) -> int:
    """How many headings are the template's wording (or a known variant of it)."""
    specs = {s.number: {norm_label(h) for h in (s.heading, *s.variants)} for s in common().sections}
    return sum(1 for s in seg.sections if norm_label(s.heading) in specs[s.number])


def _weigh_evidence(
    tables: dict[TableName, TableData | None], t: Template, evidence: Evidence, seg: Segmented
) -> dict[TableName, TableData | None]:
    """Rows the mapper did not find are missing only if the document prints them nowhere; a table
    it did not find is absent only if the document prints none of its own words."""
    out: dict[TableName, TableData | None] = {}
    for name, data in tables.items():
        if data is None:
            if table_printed(t, name, evidence):
                section = next((s for s in seg.sections if s.number == TABLE_SECTION[name]), None)
                data = TableData(name, t.version, {}, confidence="low", loc=section.loc if section else None)
            out[name] = data
            continue
        unread = printed_rows(t, name, data.missing_rows, evidence)
        if unread:
            data = replace(
                data,
                missing_rows=tuple(r for r in data.missing_rows if r not in unread),
                unread_rows=(*data.unread_rows, *unread),
            )
        out[name] = data
    return out


_LOST_IN_OCR = (
    "在经 OCR 文字识别的页面上未能识别出（表格线模糊或残缺、印章遮挡、扫描歪斜等），不能据此认定报告缺少该表"
)


def _lost_in_ocr(
    tables: dict[TableName, TableData | None], seg: Segmented, document: Document
) -> dict[TableName, Loc]:
    """Tables not found in a part whose pages OCR read. OCR can miss a whole table (faint or
    broken rulings, a stamp, a skewed scan), so not finding one there is no evidence that the
    report lacks it: the table is unread (EXT-006), not missing (STR-004)."""
    read = {p for n in document.notes if n.rule == "EXT-014" for p in n.data.get("pages") or ()}
    if not read:
        return {}
    starts = {s.number: s.loc.page for s in seg.sections}
    out: dict[TableName, Loc] = {}
    for name, data in tables.items():
        section = next((s for s in seg.sections if s.number == TABLE_SECTION[name]), None)
        if data is not None or section is None or REFERRAL_RE.search(section.text):
            continue
        first = section.loc.page
        later = [p for n, p in starts.items() if n > section.number and p is not None]
        last = min(later) if later else None
        if first is None or any(first <= p and (last is None or p <= last) for p in read):
            out[name] = section.loc
    return out


# What page chrome before a title looks like (`首页 > 信息公开 > …`); a body's name on its own line
# above `2024年政府信息公开工作年度报告` does not.
_CHROME_RE = re.compile(r"首页|当前位置|您的位置|[>»›/|]")


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
    attachments = [n for n in document.notes if n.rule == "EXT-005" and n.data.get("kind") == "attachment"]
    if not has_any and attachments:
        notes.append(
            problem(
                "EXT-004",
                f"本文件只有报告的标题和附件链接（{attachments[0].data.get('url')}），报告正文不在本文件中，"
                "未能审核：请审核附件本身",
                loc=attachments[0].loc or loc,
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
        if data is not None and data.status != "complete" and (data.status == "failed" or data.unread_rows):
            notes.append(
                problem(
                    "EXT-006",
                    f"{TABLE_TITLES[name]}{data.read_reason}，{_NOT_CHECKED[data.status]}",
                    loc=data.loc or loc,
                    rows=list(data.unread_rows),
                )
            )
    return notes


_NOT_CHECKED = {
    "failed": "以下核对未进行：表格的行与组是否齐全、勾稽关系、正文与表格数字是否一致",
    "partial": "这些行是否齐全、涉及这些行的勾稽关系未进行核对",
}


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
