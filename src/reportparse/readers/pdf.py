"""PDF reader: narrative in reading order and ruled tables with true row/column spans.

Each page is parsed once (pdfplumber's char, line, rect and image objects) and closed right
away. Two engines give those objects: PDFium (`pdf_engine`, the default, ~3x faster) and
pdfplumber, which also reads whatever PDFium cannot open, or would have to guess at, and
re-reads a text layer PDFium finds garbled (`REPORTPARSE_PDF_ENGINE=pdfplumber|pdfium`
chooses). Everything after the page objects is one code path. Ruled tables are rebuilt from the ruling lines (`pdf_tables`), not from pdfplumber's
`extract_tables`, so merged cells get their real spans; a table that runs on over a page break
is stitched back together. Text outside tables becomes paragraphs: page headers, footers and
page numbers dropped, wrapped lines re-joined, the spaces a PDF leaves between Chinese and
digits removed, wide gaps in unruled tables kept as tabs.

Problems are reported, not hidden: garbled or missing text layer (EXT-008), encryption
(EXT-002), unreadable file (EXT-001), more pages than we read (EXT-003), a table that is only
an image (EXT-005), a table whose structure is uncertain (EXT-006).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
import statistics
import struct
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from io import BytesIO
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfexceptions import PDFException
from pdfminer.pdftypes import resolve1
from pdfminer.psexceptions import PSException
from pdfminer.utils import decode_text
from pdfplumber.utils.exceptions import PdfminerException

from ..document import Block, Document, Paragraph, Table, TableCell
from ..extraction import problem, repair
from ..limits import limits
from ..model import ExtractionNote, Loc
from . import ReadError, pdf_engine
from .pdf_tables import Grid, GridCell, find_grids, framed, without_outline

MARGIN_ZONE = 0.12  # share of the page height at top and bottom where headers and footers live
TAB_GAP = 2.0  # a gap wider than this many font sizes in an unruled line is a column break
BAD_RATIO = 0.05  # share of unmappable glyphs from which the text layer counts as garbled
MAX_CELL_CHARS = 100  # a "cell" holding more text than this is a framed paragraph, not a table cell
COL_TOL = 3.0  # column boundaries this close match across a page break
# what pdfminer raises on a damaged page (bad content stream, broken object, bad compression)
_DAMAGED = (
    PSException,
    PDFException,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    AssertionError,
    struct.error,
    zlib.error,
)

_CJK = (
    r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    r"\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"
)
_CJK_RE = re.compile(f"[{_CJK}]")
# CJK Radicals Supplement code points that some fonts' ToUnicode maps give for whole
# characters (NFKC leaves them alone, unlike the Kangxi radicals): radical -> ideograph.
_RADICALS = str.maketrans(
    "⺟⺠⺢⺩⺮⺶⻁⻄⻅⻆⻉⻊⻋⻑⻓⻔⻗⻘⻙⻚⻛⻜⻝⻡⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
    "母民氺王竹羊虎西见角贝足车長长门雨青韦页风飞食首马骨鬼鱼鸟卤麦黄黾齐齿龙龟",
)
_SPACE_NEAR_CJK = re.compile(f"(?<=[{_CJK}]) +| +(?=[{_CJK}])")
_BAD_GLYPH = re.compile(r"\(cid:\d+\)|[\ufffd\ue000-\uf8ff]")
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_~·•\s]*\d{1,4}[-—–－_~·•\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|(?:共\s*\d{1,4}\s*页\s*)?第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_LIST_MARKER = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[.、．](?!\d)|第[一二三四五六七八九十\d]+[项条])"
)
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]+\s*[)）])")
_NUMERIC = re.compile(r"^[+\-－]?[\d,，.]+%?$|^[—－\-/／]+$")
_CONTINUED = re.compile(r"^\s*[（(]?\s*续\s*表\s*[）)]?\s*\S{0,12}$")
_TABLE_SECTION = re.compile(r"^\s*[二三四]\s*[、.．]")
_ANY_SECTION = re.compile(r"^\s*[一二三四五六七八九十]\s*[、.．]")


# ---------------------------------------------------------------------------------------------
# Page content


@dataclass(frozen=True)
class Glyph:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    upright: bool = True

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class TextLine:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int


@dataclass
class FragCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: tuple[float, float, float, float]
    page: int
    text: str


@dataclass
class Fragment:
    """A ruled table, first as found on one page, then possibly stitched over page breaks."""

    page: int
    last_page: int
    xs: tuple[float, ...]
    bbox: tuple[float, float, float, float]  # on the first page
    n_rows: int
    cells: list[FragCell]
    issues: list[str] = field(default_factory=list)
    # Fewer than three rows or two columns: a table only as part of one continued over a page
    # break; otherwise (a boxed heading or note) its text stays narrative, as `lines`.
    small: bool = False
    lines: list[TextLine] = field(default_factory=list)


@dataclass(frozen=True)
class ImageMark:
    page: int
    top: float
    bbox: tuple[float, float, float, float]


@dataclass
class PageContent:
    number: int
    width: float
    height: float
    lines: list[TextLine]
    fragments: list[Fragment]
    images: list[ImageMark]
    n_glyphs: int = 0
    n_bad: int = 0
    repaired: int = 0


Item = TextLine | Fragment | ImageMark


def _item_top(item: Item) -> float:
    return item.bbox[1] if isinstance(item, Fragment) else item.top


# ---------------------------------------------------------------------------------------------
# Entry point


def read(data: bytes, path: str | None) -> Document:
    # pdfminer logs a warning per odd font (missing FontBBox, …); our notes say what matters.
    quiet = logging.getLogger("pdfminer")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        return _read(data, path)
    finally:
        quiet.setLevel(level)


def _read(data: bytes, path: str | None) -> Document:
    if pdf_engine.engine() == "pdfium":
        try:
            return _read_pdfium(data, path)
        except pdf_engine.UseFallback:
            pass  # PDFium cannot open it (or would guess): pdfminer repairs or explains
    return _read_plumber(data, path)


def _read_pdfium(data: bytes, path: str | None) -> Document:
    loc = Loc(file=path)
    try:
        doc = pdf_engine.PdfiumDocument(data)
    except pdf_engine.PasswordRequired as err:
        raise ReadError(problem("EXT-002", "PDF 已加密，需要密码才能打开", loc=loc)) from err
    pages: list[PageContent] = []
    failed: list[int] = []
    with doc:
        n = len(doc)
        if not n:
            raise pdf_engine.UseFallback("no pages")
        properties = _metadata_from(doc.info(tuple(key for key, _ in _INFO_KEYS)))
        properties["pages"] = n
        notes = _page_limit_notes(n, loc)
        for index in range(min(n, limits().max_pdf_pages)):
            try:
                page = doc.page(index)
            except pdf_engine.PageError:
                failed.append(index + 1)
                continue
            pages.append(_read_page(page))
    total, bad = sum(p.n_glyphs for p in pages), sum(p.n_bad for p in pages)
    if total and bad / total >= BAD_RATIO:
        # Glyphs without a ToUnicode map: pdfminer falls back on an embedded TrueType font's
        # own cmap, PDFium does not. Let pdfminer try; it reports the same note if it fails too.
        raise pdf_engine.UseFallback("garbled text layer")
    return _assemble(data, path, properties, pages, failed, notes)


def _read_plumber(data: bytes, path: str | None) -> Document:
    loc = Loc(file=path)
    pdf = _open(data, path)
    notes: list[ExtractionNote] = []
    pages: list[PageContent] = []
    failed: list[int] = []
    try:
        properties = _metadata(pdf)
        try:
            all_pages = pdf.pages
        except PdfminerException as err:
            raise ReadError(_open_problem(err, path)) from err
        except _DAMAGED as err:  # e.g. a page without a usable MediaBox
            raise ReadError(
                problem("EXT-001", f"PDF 页面树损坏（{type(err).__name__}），无法解析页面", loc=loc)
            ) from err
        properties["pages"] = len(all_pages)
        if not all_pages:
            raise ReadError(problem("EXT-001", "PDF 文件中没有可读取的页面（文件损坏或被截断）", loc=loc))
        notes += _page_limit_notes(len(all_pages), loc)
        for page in all_pages[: limits().max_pdf_pages]:
            try:
                pages.append(_read_page(page))
            except PdfminerException as err:
                if _is_encryption(err):
                    raise ReadError(_open_problem(err, path)) from err
                failed.append(page.page_number)
            except _DAMAGED:
                failed.append(page.page_number)  # pdfminer on a damaged content stream
            finally:
                page.close()
    finally:
        with contextlib.suppress(PdfminerException, *_DAMAGED):
            pdf.close()  # walks the page tree again: may fail the same way
    return _assemble(data, path, properties, pages, failed, notes)


def _page_limit_notes(n_pages: int, loc: Loc) -> list[ExtractionNote]:
    if n_pages <= limits().max_pdf_pages:
        return []
    return [
        problem(
            "EXT-003",
            f"PDF 共 {n_pages} 页，超过 {limits().max_pdf_pages} 页的处理上限，仅读取前 {limits().max_pdf_pages} 页",
            loc=loc,
            pages=n_pages,
            limit=limits().max_pdf_pages,
        )
    ]


def _assemble(
    data: bytes,
    path: str | None,
    properties: dict[str, Any],
    pages: list[PageContent],
    failed: list[int],
    notes: list[ExtractionNote],
) -> Document:
    """From the pages read (by either engine) to the Document: notes, narrative, tables."""
    loc = Loc(file=path)
    if not pages:
        raise ReadError(
            problem("EXT-001", f"PDF 的全部 {len(failed)} 页均无法解析（文件损坏）", loc=loc, pages=failed)
        )
    if failed:
        notes.append(
            problem("EXT-010", f"第 {_page_list(failed)} 页无法解析，内容不完整", loc=loc, pages=failed)
        )
    if b"%%EOF" not in data.rstrip(b"\x00 \t\r\n")[-32768:]:
        notes.append(
            problem("EXT-010", "PDF 文件末尾缺少 %%EOF 标记，文件可能被截断，内容可能不完整", loc=loc)
        )
    notes += _text_layer_notes(pages, path)
    _drop_headers_footers(pages)
    items = _stitch([item for p in pages for item in _page_items(p)])
    blocks, tables = _blocks(items, statistics.median(p.width for p in pages), path)
    notes += _table_notes(tables, path)
    notes += _image_table_notes(items, path)
    return Document(tuple(blocks), "pdf", path, None, properties, tuple(notes))


def _page_list(pages: Sequence[int]) -> str:
    shown = "、".join(str(p) for p in pages[:20])
    return shown + ("等" if len(pages) > 20 else "")


# ---------------------------------------------------------------------------------------------
# Opening and metadata


def _open(data: bytes, path: str | None) -> Any:
    try:
        return pdfplumber.open(BytesIO(data))
    except PdfminerException as err:
        raise ReadError(_open_problem(err, path)) from err
    except Exception as err:  # pdfminer raises bare errors on some junk
        raise ReadError(
            problem(
                "EXT-001", f"PDF 文件无法打开（{type(err).__name__}）：文件损坏或不是 PDF", loc=Loc(file=path)
            )
        ) from err


def _is_encryption(err: BaseException) -> bool:
    inner = err.args[0] if err.args else err
    return isinstance(inner, PDFPasswordIncorrect | PDFEncryptionError) or "encrypt" in str(inner).lower()


def _open_problem(err: BaseException, path: str | None) -> ExtractionNote:
    loc = Loc(file=path)
    inner = err.args[0] if err.args else err
    if isinstance(inner, PDFPasswordIncorrect):
        return problem("EXT-002", "PDF 已加密，需要密码才能打开", loc=loc)
    if _is_encryption(err):
        return problem("EXT-002", f"PDF 已加密，使用了不支持的加密方式（{inner}）", loc=loc)
    return problem(
        "EXT-001", f"PDF 文件无法解析（{type(inner).__name__}: {inner}）：文件损坏或被截断", loc=loc
    )


def _decode_meta(value: Any) -> str | None:
    """PDF info strings: UTF-16 with either byte order mark (WPS writes little-endian), else
    UTF-8, GB18030 or PDFDocEncoding."""
    try:
        value = resolve1(value)
    except Exception:
        return None
    if isinstance(value, bytes):
        if value[:2] == b"\xfe\xff":
            text = value[2:].decode("utf-16-be", errors="replace")
        elif value[:2] == b"\xff\xfe":
            text = value[2:].decode("utf-16-le", errors="replace")
        else:
            text = ""
            for enc in ("utf-8", "gb18030"):
                try:
                    text = value.removeprefix(b"\xef\xbb\xbf").decode(enc)
                except UnicodeDecodeError:
                    continue
                if enc == "utf-8" or _CJK_RE.search(text):
                    break
                text = ""
            text = text or decode_text(value)
    elif isinstance(value, str):
        text = value
    else:
        return None
    text = text.replace("\x00", "").replace("\ufeff", "").strip()
    return text or None


_INFO_KEYS = (
    ("Title", "page_title"),
    ("Author", "author"),
    ("Subject", "subject"),
    ("Creator", "creator"),
    ("Producer", "producer"),
)


def _metadata(pdf: Any) -> dict[str, Any]:
    info: dict[str, Any] = {}
    for entry in getattr(pdf.doc, "info", []) or []:
        if isinstance(entry, dict):
            info.update(entry)
    return _metadata_from(info)


def _metadata_from(info: dict[str, Any]) -> dict[str, Any]:
    """Title, author and producer; dates are file times, never the publication date."""
    out: dict[str, Any] = {}
    for key, name in _INFO_KEYS:
        text = _decode_meta(info.get(key))
        if text:
            out[name] = text
    return out


# ---------------------------------------------------------------------------------------------
# One page: glyphs, grids, lines


def _glyphs(chars: Iterable[dict[str, Any]]) -> tuple[list[Glyph], int, int]:
    """Glyphs with duplicates (fake bold) dropped; Kangxi radicals folded to ideographs."""
    out: list[Glyph] = []
    seen: set[tuple[str, int, int]] = set()
    bad = repaired = 0
    for ch in chars:
        text = ch.get("text") or ""
        if not text:
            continue
        x, y = round(ch["x0"]), round(ch["top"])
        if any((text, x + dx, y + dy) in seen for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
            continue  # the same glyph drawn again a hair away: fake bold
        seen.add((text, x, y))
        if text == "(cid:3)":
            text = " "  # glyph 3 is the space in TrueType fonts set as Identity-H without a map for it
        elif _BAD_GLYPH.search(text):
            bad += 1
            text = "\ufffd"
        elif any(
            "\u2f00" <= t <= "\u2fdf" or "\u2e80" <= t <= "\u2eff" or "\uf900" <= t <= "\ufaff" for t in text
        ):
            # broken ToUnicode maps point at radicals/compatibility forms of ordinary characters
            folded = unicodedata.normalize("NFKC", text).translate(_RADICALS)
            repaired += folded != text
            text = folded
        size = float(ch.get("size") or (ch["bottom"] - ch["top"]) or 10.0)
        out.append(
            Glyph(text, ch["x0"], ch["x1"], ch["top"], ch["bottom"], size, bool(ch.get("upright", True)))
        )
    return out, bad, repaired


def _read_page(page: Any) -> PageContent:
    number = page.page_number
    glyphs, bad, repaired = _glyphs(page.chars)
    lines, rects, curves = page.lines, page.rects, page.curves
    images = [
        ImageMark(number, im["top"], (im["x0"], im["top"], im["x1"], im["bottom"]))
        for im in page.images
        if (im["x1"] - im["x0"]) * (im["bottom"] - im["top"]) >= 0.05 * page.width * page.height
    ]
    fragments: list[Fragment] = []
    remaining = glyphs
    for grid in find_grids(lines, rects, curves):
        frag = None
        if not framed(grid):
            frag, remaining = _fill_grid(grid, remaining, number)
        if frag is None and (framed(grid) or _covers_page(grid, page)):
            # a page frame touching the table: try again without the frame
            for sub in without_outline(grid, lines, rects, curves):
                sub_frag, remaining = _fill_grid(sub, remaining, number)
                if sub_frag:
                    fragments.append(sub_frag)
        elif frag:
            fragments.append(frag)
    text_lines = [_text_line(g, number) for g in _group_lines([g for g in remaining if g.text.strip()])]
    n = sum(1 for g in glyphs if g.text.strip())
    return PageContent(
        number,
        float(page.width),
        float(page.height),
        [t for t in text_lines if t.text],
        fragments,
        images,
        n,
        bad,
        repaired,
    )


def _covers_page(grid: Grid, page: Any) -> bool:
    x0, top, x1, bottom = grid.bbox
    return (x1 - x0) * (bottom - top) >= 0.5 * float(page.width) * float(page.height)


def _fill_grid(grid: Grid, glyphs: list[Glyph], page: int) -> tuple[Fragment | None, list[Glyph]]:
    """Put the glyphs inside a grid into its cells; None when the grid is not a data table."""
    x0, top, x1, bottom = grid.bbox
    inside = [g for g in glyphs if x0 - 1 <= g.cx <= x1 + 1 and top - 1 <= g.cy <= bottom + 1]
    if not any(g.text.strip() for g in inside):
        return None, glyphs
    owner: dict[tuple[int, int], int] = {}
    for i, cell in enumerate(grid.cells):
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                owner[(r, c)] = i
    per_cell: list[list[Glyph]] = [[] for _ in grid.cells]
    straddling = 0
    for g in inside:
        at = owner.get((_index(grid.ys, g.cy), _index(grid.xs, g.cx)))
        if at is None:
            straddling += 1
            continue
        cx0, _, cx1, _ = grid.cells[at].bbox
        width = max(g.x1 - g.x0, 0.1)
        if g.text.strip() and (g.x0 < cx0 - 0.4 * width or g.x1 > cx1 + 0.4 * width):
            straddling += 1
        per_cell[at].append(g)
    texts = [_cell_text(cell, gl) for cell, gl in zip(grid.cells, per_cell, strict=True)]
    if max(len(t) for t in texts) > MAX_CELL_CHARS:
        return None, glyphs  # a framed block of narrative
    cells = [
        FragCell(c.row, c.col, c.rowspan, c.colspan, _round_box(c.bbox), page, t)
        for c, t in zip(grid.cells, texts, strict=True)
    ]
    issues = []
    if grid.irregular:
        issues.append("网格不规则（合并区域不是矩形）")
    n_text = sum(1 for g in inside if g.text.strip())
    if straddling and straddling / n_text > 0.03:
        issues.append(f"{straddling} 个字符压在表格线上，未能确定所属单元格")
    inside_ids = {id(g) for g in inside}
    rest = [g for g in glyphs if id(g) not in inside_ids]
    small = len(grid.ys) < 4 or len(grid.xs) < 3
    lines = (
        [_text_line(g, page) for g in _group_lines([g for g in inside if g.text.strip()])] if small else []
    )
    frag = Fragment(page, page, grid.xs, _round_box(grid.bbox), len(grid.ys) - 1, cells, issues, small, lines)
    return frag, rest


def _index(bounds: Sequence[float], v: float) -> int:
    for i in range(len(bounds) - 1):
        if v < bounds[i + 1]:
            return i
    return len(bounds) - 2


def _round_box(b: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return (round(b[0], 2), round(b[1], 2), round(b[2], 2), round(b[3], 2))


def _group_lines(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """Glyphs into lines: a glyph whose vertical centre lies within the current line joins it."""
    lines: list[list[Glyph]] = []
    centre = size = 0.0
    for g in sorted(glyphs, key=lambda g: (g.cy, g.x0)):
        if lines and abs(g.cy - centre) <= 0.5 * min(size, g.size):
            lines[-1].append(g)
            continue
        lines.append([g])
        centre, size = g.cy, g.size
    for line in lines:
        line.sort(key=lambda g: g.x0)
    lines.sort(key=lambda ln: min(g.top for g in ln))
    return lines


def _line_string(glyphs: Sequence[Glyph], tabs: bool) -> str:
    """A line's text; a gap becomes a space, a wide gap a tab (unruled tables) when `tabs`."""
    parts: list[str] = []
    prev: Glyph | None = None
    pending_space = False
    for g in glyphs:
        if not g.text.strip():
            pending_space = True
            continue
        if prev is not None:
            gap = g.x0 - prev.x1
            size = max(min(prev.size, g.size), 1.0)
            if tabs and gap > TAB_GAP * size:
                parts.append("\t")
            elif pending_space or gap > 0.2 * size:
                parts.append(" ")
        parts.append(g.text)
        prev, pending_space = g, False
    return tidy("".join(parts))


def tidy(text: str) -> str:
    """Drop the spaces a PDF leaves next to Chinese (`2023 年` -> `2023年`); keep `3 4` apart."""
    text = re.sub(r" {2,}", " ", text)
    return _SPACE_NEAR_CJK.sub("", text).strip(" ")


def _text_line(glyphs: list[Glyph], page: int) -> TextLine:
    text = _line_string(glyphs, tabs=True)
    return TextLine(
        text,
        min(g.x0 for g in glyphs),
        max(g.x1 for g in glyphs),
        min(g.top for g in glyphs),
        max(g.bottom for g in glyphs),
        statistics.median(g.size for g in glyphs),
        page,
    )


def _join(prev: str, nxt: str, forced: bool) -> str:
    """How two wrapped lines join: glued next to Chinese, a space between words, a line break
    between two numbers unless the first line was filled to the edge (a number wrapped)."""
    if not prev or not nxt:
        return prev + nxt
    a, b = prev[-1], nxt[0]
    if _CJK_RE.match(a) or _CJK_RE.match(b) or a in "-/（(" or b in ")）%,.，。":
        return prev + nxt
    if a.isdigit() and b.isdigit():
        return prev + nxt if forced else prev + "\n" + nxt
    return prev + " " + nxt


def _cell_text(cell: GridCell, glyphs: Sequence[Glyph]) -> str:
    glyphs = [g for g in glyphs if g.text.strip()]
    if not glyphs:
        return ""
    if sum(not g.upright for g in glyphs) > len(glyphs) / 2:
        return _vertical_text(glyphs)
    width = cell.bbox[2] - cell.bbox[0]
    out = ""
    forced = False
    for line in _group_lines(glyphs):
        text = _line_string(line, tabs=False)
        if not text:
            continue
        extent = max(g.x1 for g in line) - min(g.x0 for g in line)
        size = statistics.median(g.size for g in line)
        out = _join(out, text, forced) if out else text
        forced = extent + 1.5 * size >= width  # this line filled the cell: the next one continues it
    return out


def _vertical_text(glyphs: Sequence[Glyph]) -> str:
    """Text rotated a quarter turn: columns right to left, each read top to bottom."""
    columns: list[list[Glyph]] = []
    for g in sorted(glyphs, key=lambda g: -g.cx):
        if columns and abs(columns[-1][0].cx - g.cx) <= 0.5 * g.size:
            columns[-1].append(g)
        else:
            columns.append([g])
    return tidy("".join("".join(g.text for g in sorted(col, key=lambda g: g.top)) for col in columns))


# ---------------------------------------------------------------------------------------------
# Document level: text layer health, headers and footers


def _text_layer_notes(pages: Sequence[PageContent], path: str | None) -> list[ExtractionNote]:
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
                f"（字体缺少 Unicode 映射，如 (cid:…)、私用区字符），涉及第 {_page_list(bad_pages)} 页",
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
                f"第 {_page_list(image_pages)} 页只有图像、没有文字层（扫描页），其内容无法读取",
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


def _drop_headers_footers(pages: Sequence[PageContent]) -> None:
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
        if _PAGE_NUMBER.match(t.text.strip()) or (len(pages) >= 2 and repeats >= need):
            drop.add(id(t))
    for p in pages:
        p.lines = [t for t in p.lines if id(t) not in drop]


def _page_items(page: PageContent) -> list[Item]:
    items: list[Item] = [*page.lines, *page.fragments, *page.images]
    items.sort(key=_item_top)
    return items


# ---------------------------------------------------------------------------------------------
# Tables over page breaks


def _xs_match(a: Sequence[float], b: Sequence[float]) -> bool:
    return all(any(abs(x - y) <= COL_TOL for y in b) for x in a)


def _compatible(upper: Fragment, lower: Fragment) -> bool:
    if abs(upper.xs[0] - lower.xs[0]) > COL_TOL or abs(upper.xs[-1] - lower.xs[-1]) > COL_TOL:
        return False
    return _xs_match(lower.xs, upper.xs) or _xs_match(upper.xs, lower.xs)


def _stitch(items: list[Item]) -> list[Item]:
    """Join a table ending a page with a table starting the next one when the columns line up."""
    out: list[Item] = []
    for k, item in enumerate(items):
        if (
            isinstance(item, TextLine)
            and _CONTINUED.match(item.text)
            and out
            and isinstance(out[-1], Fragment)
            and k + 1 < len(items)
            and isinstance(items[k + 1], Fragment)
        ):
            continue  # a "续表" caption between the parts of a table
        prev = out[-1] if out else None
        if (
            isinstance(item, Fragment)
            and isinstance(prev, Fragment)
            and item.page == prev.last_page + 1
            and _compatible(prev, item)
        ):
            out[-1] = _combine(prev, item)
        else:
            out.append(item)
    flat: list[Item] = []
    for item in out:
        flat += item.lines if isinstance(item, Fragment) and item.small else [item]
    return flat


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _remap(frag: Fragment, xs: Sequence[float]) -> list[FragCell]:
    def nearest(x: float) -> int:
        return min(range(len(xs)), key=lambda i: abs(xs[i] - x))

    out = []
    for c in frag.cells:
        col, end = nearest(c.bbox[0]), nearest(c.bbox[2])
        out.append(replace(c, col=col, colspan=max(1, end - col)))
    return out


def _header_rows(upper: list[FragCell], lower: list[FragCell], n_upper: int, n_lower: int) -> int:
    """How many leading rows of the lower part repeat the table's header rows."""

    def head(cells: list[FragCell], k: int) -> list[tuple[int, int, int, int, str]] | None:
        top = [c for c in cells if c.row < k]
        if any(c.row + c.rowspan > k for c in top):
            return None  # k cuts through a merged cell: not a header boundary
        return sorted((c.row, c.rowspan, c.col, c.colspan, _norm(c.text)) for c in top)

    for k in range(min(6, n_upper - 1, n_lower - 1), 0, -1):
        a, b = head(upper, k), head(lower, k)
        if a is not None and a == b and any(t[4] and not _NUMERIC.match(t[4]) for t in a):
            return k
    return 0


def _is_label(text: str) -> bool:
    return not _NUMERIC.match(_norm(text)) if text else True


def _combine(upper: Fragment, lower: Fragment) -> Fragment:
    xs = [sum(g) / len(g) for g in _cluster_positions([*upper.xs, *lower.xs])]
    top_cells = _remap(upper, xs)
    low_cells = _remap(lower, xs)
    k = _header_rows(top_cells, low_cells, upper.n_rows, lower.n_rows)
    low_cells = [replace(c, row=c.row - k) for c in low_cells if c.row >= k]
    seam = upper.n_rows
    ending = {(c.col, c.colspan): c for c in top_cells if c.row + c.rowspan == seam}
    starting = [c for c in low_cells if c.row == 0]
    pairs = [(ending.get((c.col, c.colspan)), c) for c in starting]
    # A row that broke over the page: same columns, never numbers on both sides, and the lower
    # part continues text rather than starting a new numbered label.
    whole_row = (
        bool(pairs)
        and all(u is not None for u, _ in pairs)
        and len(ending) == len(starting)
        and not any(
            u and u.text and lo.text and not (_is_label(u.text) and _is_label(lo.text)) for u, lo in pairs
        )
        and any(u and u.text and lo.text for u, lo in pairs)
        and not any(_LIST_MARKER.match(lo.text) for _, lo in pairs)
    )
    collapse = 1 if whole_row else 0
    merged: set[int] = set()
    for u, lo in pairs:
        if u is None:
            continue
        continues = whole_row or (
            _is_label(u.text)
            and _is_label(lo.text)
            and not _LIST_MARKER.match(lo.text)
            and (u.rowspan > 1 or lo.rowspan > 1)
        )
        if continues:
            u.rowspan += lo.rowspan - collapse
            u.text = _join(u.text, lo.text, forced=False) if u.text and lo.text else u.text or lo.text
            merged.add(id(lo))
    cells = top_cells + [replace(c, row=c.row + seam - collapse) for c in low_cells if id(c) not in merged]
    issues = upper.issues + lower.issues
    n_rows = seam + lower.n_rows - k - collapse
    cells.sort(key=lambda c: (c.row, c.col))
    return Fragment(upper.page, lower.last_page, tuple(xs), upper.bbox, n_rows, cells, issues)


def _cluster_positions(values: Iterable[float]) -> list[list[float]]:
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= COL_TOL:
            groups[-1].append(v)
        else:
            groups.append([v])
    return groups


# ---------------------------------------------------------------------------------------------
# Blocks


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


def _blocks(
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
            text = _join(text, b.text, forced=False) if "\t" not in a.text else text + "\n" + b.text
        first = [t for t in para if t.page == para[0].page]
        bbox = _round_box(
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
    return Table(cells, Loc(file=path, page=frag.page, bbox=frag.bbox, table=index), spans_known=True)


def _table_notes(tables: Sequence[tuple[Table, Fragment]], path: str | None) -> list[ExtractionNote]:
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


def _image_table_notes(items: Sequence[Item], path: str | None) -> list[ExtractionNote]:
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
                    loc=Loc(file=path, page=page, bbox=_round_box(images[0].bbox)),
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
