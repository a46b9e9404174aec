"""The document's layout: running headers, footers and page numbers dropped, lines joined into
paragraphs, tables placed between them, and the notes on what could not be read (garbled or
missing text layer, tables of uncertain structure, tables that are only pictures)."""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Sequence

from ...document import Block, Paragraph, Table, TableCell
from ...extraction import problem, repair
from ...model import ExtractionNote, Loc
from ...templates import common
from .objects import Fragment, ImageMark, Item, PageContent, TextLine, item_top, round_box
from .text import join_lines

MARGIN_ZONE = 0.12  # share of the page height at top and bottom where headers and footers live
BAD_RATIO = 0.05  # share of unmappable glyphs from which the text layer counts as garbled
PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_~·•\s]*\d{1,4}[-—–－_~·•\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|(?:共\s*\d{1,4}\s*页\s*)?第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]+\s*[)）])")
_NUMERALS = "一二三四五六七八九十"
_ANY_SECTION = re.compile(rf"^\s*[{_NUMERALS}]\s*[、.．]")
# the sections that hold the template's tables: 二、三、四
_TABLE_NUMERALS = "".join(_NUMERALS[t.section - 1] for t in common().tables)
_TABLE_SECTION = re.compile(rf"^\s*[{_TABLE_NUMERALS}]\s*[、.．]")


# --- text layer health, headers and footers ---------------------------------------------------


def page_list(pages: Sequence[int]) -> str:
    shown = "、".join(str(p) for p in pages[:20])
    return shown + ("等" if len(pages) > 20 else "")


def text_layer_notes(pages: Sequence[PageContent], path: str | None) -> list[ExtractionNote]:
    loc = Loc(file=path)
    notes: list[ExtractionNote] = []
    total = sum(p.n_glyphs for p in pages)
    image_pages = [p.number for p in pages if p.images and p.n_glyphs == 0]
    if total == 0:
        if image_pages:
            msg = (
                f"PDF 为扫描件：{len(pages)} 页中有 {len(image_pages)} 页只有图像、没有文字层，"
                "本工具不支持 OCR 文字识别，无法读取内容"
            )
            notes.append(problem("EXT-008", msg, loc=loc, pages=image_pages, scanned=True))
        else:
            notes.append(
                problem(
                    "EXT-008",
                    f"PDF 的 {len(pages)} 页中没有任何文字层（文字可能已转为曲线）",
                    loc=loc,
                    pages=[p.number for p in pages],
                )
            )
        return notes
    bad = sum(p.n_bad for p in pages)
    if bad and bad / total >= BAD_RATIO:
        bad_pages = [p.number for p in pages if p.n_glyphs and p.n_bad / p.n_glyphs >= BAD_RATIO]
        notes.append(
            problem(
                "EXT-008",
                f"PDF 文字层乱码：{total} 个字符中有 {bad} 个（{bad / total:.0%}）无法映射为文字"
                f"（字体缺少 Unicode 映射，如 (cid:…)、私用区字符），涉及第 {page_list(bad_pages)} 页",
                loc=loc,
                ratio=round(bad / total, 4),
                bad=bad,
                total=total,
                pages=bad_pages,
            )
        )
    elif image_pages:
        notes.append(
            problem(
                "EXT-008",
                f"第 {page_list(image_pages)} 页只有图像、没有文字层（扫描页），其内容无法读取",
                loc=loc,
                severity="warning",
                pages=image_pages,
                scanned=True,
            )
        )
    fixed = sum(p.repaired for p in pages)
    if fixed:
        notes.append(
            repair(
                "pdf-radicals",
                f"{fixed} 个部首/兼容汉字码位（字体 Unicode 映射不当）已还原为常用汉字",
                loc=loc,
                count=fixed,
            )
        )
    return notes


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.replace(" ", ""))


def drop_headers_footers(pages: Sequence[PageContent]) -> None:
    """Remove running headers, footers and page numbers: lines in the top or bottom margin zone
    that look like a page number or repeat (digits aside) at the same height on several pages."""
    candidates: list[tuple[PageContent, TextLine]] = []
    for p in pages:
        ordered = sorted(p.lines, key=lambda t: t.top)
        zone = MARGIN_ZONE * p.height
        body_top = min([f.bbox[1] for f in p.fragments], default=p.height)
        body_bottom = max([f.bbox[3] for f in p.fragments], default=0.0)
        top = [t for t in ordered[:2] if t.bottom <= zone and t.bottom <= body_top + 1]
        bottom = [t for t in ordered[-2:] if t.top >= p.height - zone and t.top >= body_bottom - 1]
        candidates += [(p, t) for t in top] + [(p, t) for t in bottom if all(t is not u for u in top)]
    by_shape: dict[str, list[float]] = {}
    for _, t in candidates:
        by_shape.setdefault(_shape(t.text), []).append(t.top)
    need = max(2, -(-len(pages) * 2 // 5))
    drop: set[int] = set()
    for _, t in candidates:
        repeats = sum(abs(top - t.top) <= 6 for top in by_shape[_shape(t.text)])
        if PAGE_NUMBER.match(t.text.strip()) or (len(pages) >= 2 and repeats >= need):
            drop.add(id(t))
    for p in pages:
        p.lines = [t for t in p.lines if id(t) not in drop]


def page_items(page: PageContent) -> list[Item]:
    items: list[Item] = [*page.lines, *page.fragments, *page.images]
    items.sort(key=item_top)
    return items


# --- blocks -----------------------------------------------------------------------------------


def _layout(lines: Sequence[TextLine], width: float) -> tuple[float, float, float]:
    """Left margin, right margin and body font size of the narrative: the leftmost start and
    the rightmost end shared by several lines (first lines are indented, last lines short)."""
    if not lines:
        return 0.0, 0.0, 10.0
    need = max(2, len(lines) // 20)
    lefts = [x for x, n in Counter(round(t.x0) for t in lines).items() if n >= need]
    rights = [x for x, n in Counter(round(t.x1) for t in lines).items() if n >= need]
    ends = sorted(t.x1 for t in lines)
    left = float(min(lefts)) if lefts else min(t.x0 for t in lines)
    right = float(max(rights)) if rights else ends[int(0.95 * (len(ends) - 1))]
    right = max(right, 0.6 * width)  # only short lines (a list of headings): none is full
    size = statistics.median(t.size for t in lines)
    return left, right, size


def _breaks(prev: TextLine, line: TextLine, left: float, right: float, pitch: float) -> bool:
    """Does `line` start a new paragraph after `prev`?"""
    size = line.size
    if "\t" in prev.text or "\t" in line.text:
        return True
    if prev.x1 < right - 1.2 * size:  # the previous line stopped short of the margin
        return True
    if line.x0 > left + 0.9 * size or prev.x0 < left - 0.9 * size:  # indented (or centred)
        return True
    if _HEADING.match(line.text):
        return True
    if abs(prev.size - line.size) > 1.0:
        return True
    return line.page == prev.page and line.top - prev.top > 1.7 * pitch


def build_blocks(
    items: Sequence[Item], width: float, path: str | None
) -> tuple[list[Block], list[tuple[Table, Fragment]]]:
    text_lines = [i for i in items if isinstance(i, TextLine)]
    left, right, size = _layout(text_lines, width)
    pitches = [
        b.top - a.top
        for a, b in itertools.pairwise(text_lines)
        if a.page == b.page and 0 < b.top - a.top < 3 * size
    ]
    pitch = statistics.median(pitches) if pitches else 1.5 * size
    blocks: list[Block] = []
    tables: list[tuple[Table, Fragment]] = []
    para: list[TextLine] = []

    def flush() -> None:
        if not para:
            return
        text = para[0].text
        for a, b in itertools.pairwise(para):
            text = join_lines(text, b.text, forced=False) if "\t" not in a.text else text + "\n" + b.text
        first = [t for t in para if t.page == para[0].page]
        bbox = round_box(
            (
                min(t.x0 for t in first),
                min(t.top for t in first),
                max(t.x1 for t in first),
                max(t.bottom for t in first),
            )
        )
        blocks.append(Paragraph(text.strip(), Loc(file=path, page=para[0].page, bbox=bbox)))
        para.clear()

    for item in items:
        if isinstance(item, TextLine):
            if para and _breaks(para[-1], item, left, right, pitch):
                flush()
            para.append(item)
        elif isinstance(item, Fragment):
            flush()
            table = _table(item, len(tables), path)
            tables.append((table, item))
            blocks.append(table)
    flush()
    return blocks, tables


def _table(frag: Fragment, index: int, path: str | None) -> Table:
    cells = tuple(
        TableCell(
            c.text,
            c.row,
            c.col,
            Loc(file=path, page=c.page, bbox=c.bbox, table=index, row=c.row, col=c.col),
            c.rowspan,
            c.colspan,
        )
        for c in sorted(frag.cells, key=lambda c: (c.row, c.col))
    )
    loc = Loc(file=path, page=frag.page, bbox=frag.bbox, table=index)
    return Table(cells, loc, spans_known=True, cut_off=frag.cut)


def table_notes(tables: Sequence[tuple[Table, Fragment]], path: str | None) -> list[ExtractionNote]:
    notes = []
    for table, frag in tables:
        if frag.issues:
            pages = (
                f"第 {frag.page} 页" if frag.page == frag.last_page else f"第 {frag.page}–{frag.last_page} 页"
            )
            notes.append(
                problem(
                    "EXT-006",
                    f"{pages}的表格结构不确定：{'；'.join(frag.issues)}",
                    loc=table.loc,
                    issues=list(frag.issues),
                )
            )
    return notes


def image_table_notes(items: Sequence[Item], path: str | None) -> list[ExtractionNote]:
    """A section that should hold a table (二, 三, 四) but holds only a large image."""
    notes = []
    heading: TextLine | None = None
    has_table = False
    images: list[ImageMark] = []

    def close() -> None:
        if heading is not None and images and not has_table:
            page = images[0].page
            notes.append(
                problem(
                    "EXT-005",
                    f"“{heading.text[:20]}”部分的表格似乎只是图片（第 {page} 页），无法读取其中的数字",
                    loc=Loc(file=path, page=page, bbox=round_box(images[0].bbox)),
                    page=page,
                )
            )

    for item in items:
        if isinstance(item, TextLine) and _ANY_SECTION.match(item.text) and len(item.text) <= 40:
            close()
            heading = item if _TABLE_SECTION.match(item.text) else None
            has_table, images = False, []
        elif isinstance(item, Fragment):
            has_table = True
        elif isinstance(item, ImageMark):
            images.append(item)
    close()
    return notes
