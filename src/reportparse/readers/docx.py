"""DOCX reader: paragraphs and tables in document order, as Word shows them.

The parts are read straight from the zip with a hardened XML parser (see `ooxml`), then walked
in document order. python-docx is not used for reading: its `row.cells` repeats a merged cell's
value in every position it covers, it does not render list numbers, and it ignores tracked
changes, content controls and text boxes, all of which real reports use.

What Word shows is what counts:
- merged cells become one cell with real spans (`w:gridSpan`, `w:vMerge`, `w:hMerge`,
  `w:gridBefore`);
- automatic list numbers are rendered from `numbering.xml` ("一、总体情况"), because reports
  number their section headings that way and the heading text alone has no 一、;
- tracked changes are read as if accepted (`w:ins` counts, `w:del`/`w:moveFrom` does not), and
  any unaccepted revision or comment is reported (EXT-009);
- fields show their result, not their instruction; text boxes are read once (never their
  `mc:Fallback` copy); nested tables become their own tables after the outer one;
- headers, footers, footnotes, endnotes and comments are not part of the narrative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ..document import Block, Document, Paragraph, Table, TableCell
from ..extraction import problem
from ..model import ExtractionNote, Loc
from . import ReadError
from .ooxml import (
    NS_DC,
    NS_M,
    NS_MC,
    NS_W,
    NS_W_STRICT,
    REL_CORE,
    REL_OFFICE_DOCUMENT,
    Package,
    format_number,
)

REVISION_TAGS = (
    "ins",
    "del",
    "moveFrom",
    "moveTo",
    "rPrChange",
    "pPrChange",
    "sectPrChange",
    "tblPrChange",
    "tblPrExChange",
    "trPrChange",
    "tcPrChange",
    "tblGridChange",
    "numberingChange",
    "cellIns",
    "cellDel",
    "cellMerge",
)

# Elements inside a paragraph that never contribute visible text.
_SKIP_INLINE = (
    "pPr",
    "rPr",
    "del",
    "moveFrom",
    "bookmarkStart",
    "bookmarkEnd",
    "proofErr",
    "permStart",
    "permEnd",
    "commentRangeStart",
    "commentRangeEnd",
    "moveFromRangeStart",
    "moveFromRangeEnd",
    "moveToRangeStart",
    "moveToRangeEnd",
    "customXmlInsRangeStart",
    "customXmlInsRangeEnd",
    "customXmlDelRangeStart",
    "customXmlDelRangeEnd",
    "sdtPr",
    "sdtEndPr",
)

# Text after a list number: no gap after CJK punctuation ("一、总体情况"), else one space.
_TIGHT_SUFFIX = tuple("、，．。：:.)）」】")


@dataclass
class _RawPara:
    text: str


@dataclass
class _RawCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class _RawTable:
    cells: list[_RawCell] = field(default_factory=list)


_RawBlock = _RawPara | _RawTable


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class _Names:
    """Qualified tag names for one WordprocessingML namespace (transitional or strict)."""

    def __init__(self, ns: str) -> None:
        self.ns = ns

    def __call__(self, local: str) -> str:
        return f"{{{self.ns}}}{local}"

    def val(self, el: etree._Element | None, attr: str = "val") -> str | None:
        return None if el is None else el.get(self(attr))

    def on(self, el: etree._Element | None) -> bool:
        """A toggle property (`<w:vanish/>`, `<w:vanish w:val="false"/>`)."""
        if el is None:
            return False
        return self.val(el) not in ("0", "false", "off")


class _Numbering:
    """Word's automatic list numbers: numbering.xml definitions plus running counters."""

    def __init__(self, w: _Names, numbering: etree._Element | None, styles: etree._Element | None) -> None:
        self.w = w
        self.abstract: dict[str, etree._Element] = {}
        self.nums: dict[str, tuple[str, dict[int, etree._Element]]] = {}
        self.style_numpr: dict[str, tuple[str | None, str | None]] = {}
        self.based_on: dict[str, str] = {}
        self.default_style: str | None = None
        # Counters are per list instance: per w:num when it overrides levels (a restarted list),
        # else per abstractNum, since Word continues one list across w:num instances sharing it.
        self.counters: dict[str, dict[int, int]] = {}
        if numbering is not None:
            for a in numbering.findall(w("abstractNum")):
                self.abstract[a.get(w("abstractNumId")) or ""] = a
            for n in numbering.findall(w("num")):
                overrides = {_int(o.get(w("ilvl")), 0): o for o in n.findall(w("lvlOverride"))}
                self.nums[n.get(w("numId")) or ""] = (w.val(n.find(w("abstractNumId"))) or "", overrides)
        if styles is not None:
            for s in styles.findall(w("style")):
                sid = s.get(w("styleId")) or ""
                if s.get(w("type")) == "paragraph" and s.get(w("default")) in ("1", "true", "on"):
                    self.default_style = sid
                based = w.val(s.find(w("basedOn")))
                if based:
                    self.based_on[sid] = based
                numpr = s.find(f"{w('pPr')}/{w('numPr')}")
                if numpr is not None:
                    self.style_numpr[sid] = (w.val(numpr.find(w("numId"))), w.val(numpr.find(w("ilvl"))))

    def _style_chain(self, style: str | None) -> list[str]:
        chain: list[str] = []
        while style and style not in chain and len(chain) < 20:
            chain.append(style)
            style = self.based_on.get(style)
        return chain

    def _abstract_of(self, num_id: str) -> etree._Element | None:
        w = self.w
        for _ in range(5):  # numStyleLink indirection, bounded against cycles
            entry = self.nums.get(num_id)
            if entry is None:
                return None
            abstract = self.abstract.get(entry[0])
            if abstract is None:
                return None
            link = w.val(abstract.find(w("numStyleLink")))
            if not link:
                return abstract
            linked = self.style_numpr.get(link, (None, None))[0]
            if not linked or linked == num_id:
                return abstract
            num_id = linked
        return None

    def _lvl(
        self, abstract: etree._Element, overrides: dict[int, etree._Element], level: int
    ) -> etree._Element | None:
        w = self.w
        override = overrides.get(level)
        if override is not None and override.find(w("lvl")) is not None:
            return override.find(w("lvl"))
        for lvl in abstract.findall(w("lvl")):
            if _int(lvl.get(w("ilvl")), -1) == level:
                return lvl
        return None

    def _start(self, lvl: etree._Element | None, overrides: dict[int, etree._Element], level: int) -> int:
        w = self.w
        override = overrides.get(level)
        if override is not None and override.find(w("startOverride")) is not None:
            return _int(w.val(override.find(w("startOverride"))), 0)
        return _int(w.val(lvl.find(w("start"))) if lvl is not None else None, 0)

    def _fmt(self, lvl: etree._Element | None) -> str:
        w = self.w
        if lvl is None:
            return "decimal"
        fmt = lvl.find(w("numFmt"))
        if fmt is None:
            # Word 2010+ wraps custom formats in mc:AlternateContent with a plain fallback.
            for candidate in lvl.iter(w("numFmt")):
                if w.val(candidate) != "custom":
                    fmt = candidate
                    break
        return w.val(fmt) or "decimal"

    def label(self, ppr: etree._Element | None) -> tuple[str, str]:
        """(number text, separator) for a paragraph; advances the counters. ("", "") if none."""
        w = self.w
        style: str | None = None
        num_id: str | None = None
        ilvl: str | None = None
        if ppr is not None:
            style = w.val(ppr.find(w("pStyle")))
            numpr = ppr.find(w("numPr"))
            if numpr is not None:
                num_id = w.val(numpr.find(w("numId")))
                ilvl = w.val(numpr.find(w("ilvl")))
        from_style = False
        if num_id is None:
            for sid in self._style_chain(style or self.default_style):
                if sid in self.style_numpr and self.style_numpr[sid][0]:
                    num_id, style_ilvl = self.style_numpr[sid]
                    ilvl = ilvl if ilvl is not None else style_ilvl
                    from_style = True
                    break
        if not num_id or num_id == "0" or num_id not in self.nums:
            return "", ""
        abstract = self._abstract_of(num_id)
        if abstract is None:
            return "", ""
        overrides = self.nums[num_id][1]
        if ilvl is None and from_style:
            for candidate in abstract.findall(w("lvl")):
                if w.val(candidate.find(w("pStyle"))) in self._style_chain(style or self.default_style):
                    ilvl = candidate.get(w("ilvl"))
                    break
        level = min(max(_int(ilvl, 0), 0), 8)
        lvl = self._lvl(abstract, overrides, level)
        if lvl is None:
            return "", ""
        key = f"num:{num_id}" if overrides else f"abs:{abstract.get(w('abstractNumId'))}"
        counters = self.counters.setdefault(key, {})
        counters[level] = counters[level] + 1 if level in counters else self._start(lvl, overrides, level)
        for deeper in [d for d in counters if d > level]:
            # w:lvlRestart="n": restart only after a level above n (1-based); 0: never restart.
            deeper_lvl = self._lvl(abstract, overrides, deeper)
            restart = _int(
                w.val(deeper_lvl.find(w("lvlRestart")) if deeper_lvl is not None else None), deeper
            )
            if restart != 0 and level < restart:
                del counters[deeper]
        if self._fmt(lvl) == "bullet":
            return "", ""  # bullet glyphs are decoration, usually private-use symbol-font characters
        legal = w.on(lvl.find(w("isLgl")))

        def number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            k_lvl = self._lvl(abstract, overrides, k)
            value = counters.get(k, self._start(k_lvl, overrides, k))
            return format_number(value, "decimal" if legal else self._fmt(k_lvl))

        text = re.sub(r"%([1-9])", number, w.val(lvl.find(w("lvlText"))) or "")
        suff = w.val(lvl.find(w("suff"))) or "tab"
        if not text or suff == "nothing" or (suff == "tab" and text.endswith(_TIGHT_SUFFIX)):
            return text, ""
        return text, " "


class _Walker:
    """Walks the body in document order, producing raw paragraphs and tables."""

    def __init__(self, w: _Names, numbering: _Numbering) -> None:
        self.w = w
        self.numbering = numbering
        # One entry per open complex field: False while in its instruction, True in its result.
        self.fields: list[bool] = []

    def _showing(self) -> bool:
        return all(self.fields)

    def _choose(self, alternate: etree._Element) -> etree._Element | None:
        """mc:AlternateContent: the first Choice (we read every variant); Fallback only if none."""
        choice = alternate.find(f"{{{NS_MC}}}Choice")
        return choice if choice is not None else alternate.find(f"{{{NS_MC}}}Fallback")

    def _placeholder(self, sdt: etree._Element) -> bool:
        """A content control still showing its prompt text ("单击此处输入文字") has no content."""
        w = self.w
        pr = sdt.find(w("sdtPr"))
        return pr is not None and pr.find(w("showingPlcHdr")) is not None

    # -- block level --------------------------------------------------------------------------

    def container(self, el: etree._Element, out: list[_RawBlock]) -> None:
        w = self.w
        for child in el:
            tag = child.tag
            if tag == w("p"):
                self._paragraph(child, out)
            elif tag == w("tbl"):
                self._table(child, out)
            elif tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None and not self._placeholder(child):
                    self.container(content, out)
            elif tag in (w("customXml"), w("ins"), w("moveTo"), w("smartTag")):
                self.container(child, out)
            elif tag == f"{{{NS_MC}}}AlternateContent":
                branch = self._choose(child)
                if branch is not None:
                    self.container(branch, out)
            # sectPr, bookmarks, w:del/w:moveFrom, altChunk: nothing visible of their own

    def _paragraph(self, p: etree._Element, out: list[_RawBlock]) -> None:
        w = self.w
        ppr = p.find(w("pPr"))
        buf: list[str] = []
        extra: list[_RawBlock] = []
        self._inline(p, buf, extra)
        text = "".join(buf).strip()
        mark_gone = ppr is not None and (
            ppr.find(f"{w('rPr')}/{w('del')}") is not None or w.on(ppr.find(f"{w('rPr')}/{w('vanish')}"))
        )
        if not (mark_gone and not text):  # a wholly deleted or hidden paragraph is gone, number included
            number, sep = self.numbering.label(ppr)
            if number:
                text = f"{number}{sep}{text}" if text else number
            if text:
                out.append(_RawPara(text))
        out.extend(extra)

    # -- inline level -------------------------------------------------------------------------

    def _inline(self, el: etree._Element, buf: list[str], extra: list[_RawBlock]) -> None:
        w = self.w
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == w("r"):
                self._run(child, child, buf, extra, self._hidden(child))
            elif tag.startswith(f"{{{w.ns}}}") and tag[len(w.ns) + 2 :] in _SKIP_INLINE:
                continue
            elif tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None and not self._placeholder(child):
                    self._inline(content, buf, extra)
            elif tag == f"{{{NS_MC}}}AlternateContent":
                branch = self._choose(child)
                if branch is not None:
                    self._inline(branch, buf, extra)
            elif tag == f"{{{NS_M}}}t":
                if self._showing():
                    buf.append(child.text or "")
            else:  # hyperlink, ins, moveTo, fldSimple (its runs are the result), smartTag, math …
                self._inline(child, buf, extra)

    def _hidden(self, run: etree._Element) -> bool:
        w = self.w
        rpr = run.find(w("rPr"))
        return rpr is not None and w.on(rpr.find(w("vanish")))

    def _run(
        self, run: etree._Element, items: etree._Element, buf: list[str], extra: list[_RawBlock], hidden: bool
    ) -> None:
        w = self.w
        for child in items:
            tag = child.tag
            if tag == w("fldChar"):
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    self.fields.append(False)
                elif kind == "separate" and self.fields:
                    self.fields[-1] = True
                elif kind == "end" and self.fields:
                    self.fields.pop()
                continue
            if hidden or not self._showing():
                continue
            if tag == w("t"):
                buf.append(child.text or "")
            elif tag in (w("tab"), w("ptab")):
                buf.append("\t")
            elif tag in (w("br"), w("cr")):
                buf.append("\n")
            elif tag == w("noBreakHyphen"):
                buf.append("-")
            elif tag == w("sym"):
                code = _int_hex(child.get(w("char")))
                if code is not None and not 0xE000 <= code <= 0xF8FF:  # symbol-font glyphs are private use
                    buf.append(chr(code))
            elif tag == f"{{{NS_MC}}}AlternateContent":
                branch = self._choose(child)
                if branch is not None:
                    self._run(run, branch, buf, extra, hidden)
            elif tag in (w("drawing"), w("pict"), w("object")):
                self._textboxes(child, extra)
            elif tag == w("ruby"):
                base = child.find(w("rubyBase"))
                if base is not None:
                    self._inline(base, buf, extra)
            # rPr, instrText, delText, footnote/endnote/comment references, page numbers: not text

    def _textboxes(self, el: etree._Element, extra: list[_RawBlock]) -> None:
        w = self.w
        for child in el:
            if child.tag == f"{{{NS_MC}}}AlternateContent":
                branch = self._choose(child)
                if branch is not None:
                    self._textboxes(branch, extra)
            elif child.tag == w("txbxContent"):
                saved, self.fields = self.fields, []  # a text box is its own story
                self.container(child, extra)
                self.fields = saved
            else:
                self._textboxes(child, extra)

    # -- tables -------------------------------------------------------------------------------

    def _rows(self, el: etree._Element) -> list[etree._Element]:
        w = self.w
        rows: list[etree._Element] = []
        for child in el:
            if child.tag == w("tr"):
                rows.append(child)
            elif child.tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None:
                    rows.extend(self._rows(content))
            elif child.tag == w("customXml"):
                rows.extend(self._rows(child))
        return rows

    def _cells(self, el: etree._Element) -> list[etree._Element]:
        w = self.w
        cells: list[etree._Element] = []
        for child in el:
            if child.tag == w("tc"):
                cells.append(child)
            elif child.tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None:
                    cells.extend(self._cells(content))
            elif child.tag == w("customXml"):
                cells.extend(self._cells(child))
        return cells

    def _table(self, tbl: etree._Element, out: list[_RawBlock]) -> None:
        w = self.w
        table = _RawTable()
        nested: list[_RawBlock] = []
        open_v: dict[int, _RawCell] = {}  # column -> cell a w:vMerge="continue" below would extend
        r = 0
        for tr in self._rows(tbl):
            trpr = tr.find(w("trPr"))
            if trpr is not None and trpr.find(w("del")) is not None:
                continue  # a row deleted with tracked changes on
            tcs = [tc for tc in self._cells(tr) if tc.find(f"{w('tcPr')}/{w('cellDel')}") is None]
            if not tcs:
                continue
            col = _int(w.val(trpr.find(w("gridBefore")) if trpr is not None else None), 0)
            row_open: dict[int, _RawCell] = {}
            last: _RawCell | None = None
            for tc in tcs:
                tcpr = tc.find(w("tcPr"))
                span = max(_int(w.val(tcpr.find(w("gridSpan")) if tcpr is not None else None), 1), 1)
                vmerge = tcpr.find(w("vMerge")) if tcpr is not None else None
                hmerge = tcpr.find(w("hMerge")) if tcpr is not None else None
                blocks: list[_RawBlock] = []
                self.container(tc, blocks)
                text = "\n".join(b.text for b in blocks if isinstance(b, _RawPara)).strip()
                nested.extend(b for b in blocks if isinstance(b, _RawTable))
                if hmerge is not None and w.val(hmerge) != "restart" and last is not None:
                    last.colspan += span  # legacy horizontal merge: part of the cell to the left
                    last.text = _join(last.text, text)
                    col += span
                    continue
                origin = open_v.get(col) if vmerge is not None and w.val(vmerge) != "restart" else None
                if origin is not None:
                    origin.rowspan = r - origin.row + 1
                    origin.text = _join(origin.text, text)
                    cell = origin
                else:
                    cell = _RawCell(text, r, col, 1, span)
                    table.cells.append(cell)
                row_open[col] = cell
                last = cell
                col += span
            open_v = row_open
            r += 1
        if table.cells:
            out.append(table)
        out.extend(nested)


def _join(a: str, b: str) -> str:
    return f"{a}\n{b}" if a and b else a or b


def _int_hex(value: str | None) -> int | None:
    try:
        return int(value, 16) if value else None
    except ValueError:
        return None


def _fail(message: str, path: str | None, **data: Any) -> ReadError:
    return ReadError(problem("EXT-001", message, loc=Loc(file=path), **data))


def read(data: bytes, path: str | None = None) -> Document:
    if not data:
        raise _fail("文件为空", path)
    pkg = Package(data, path)
    main = pkg.related("", REL_OFFICE_DOCUMENT)
    if main is None:
        main = "word/document.xml" if pkg.has("word/document.xml") else None
    if main is None:
        raise _fail("文件是 zip 压缩包，但不含 Word 正文部件 word/document.xml，不是有效的 DOCX", path)
    root = pkg.xml(main)
    ns = etree.QName(root).namespace
    if ns not in (NS_W, NS_W_STRICT) or etree.QName(root).localname != "document":
        raise _fail(f"DOCX 正文部件 {main} 的根元素不是 w:document，文件不是有效的 Word 文档", path)
    w = _Names(ns)
    body = root.find(w("body"))
    if body is None:
        raise _fail(f"DOCX 正文部件 {main} 缺少 w:body", path)

    def optional(kind: str) -> etree._Element | None:
        # By relationship; by the conventional name when a sloppy writer left the relationship out.
        name = pkg.related(main, (f"/{kind}",)) or (
            f"word/{kind}.xml" if pkg.has(f"word/{kind}.xml") else None
        )
        return pkg.xml(name) if name else None

    numbering = _Numbering(w, optional("numbering"), optional("styles"))
    walker = _Walker(w, numbering)
    raw: list[_RawBlock] = []
    walker.container(body, raw)

    blocks: list[Block] = []
    n_tables = 0
    for item in raw:
        if isinstance(item, _RawPara):
            blocks.append(Paragraph(item.text, Loc(file=path, path=f"p[{len(blocks) - n_tables + 1}]")))
        else:
            cells = tuple(
                TableCell(
                    c.text,
                    c.row,
                    c.col,
                    Loc(file=path, table=n_tables, row=c.row, col=c.col),
                    rowspan=c.rowspan,
                    colspan=c.colspan,
                )
                for c in item.cells
            )
            blocks.append(Table(cells, Loc(file=path, table=n_tables)))
            n_tables += 1

    notes: list[ExtractionNote] = []
    revisions = sum(1 for _ in root.iter(*(w(t) for t in REVISION_TAGS)))
    comment_ids = {el.get(w("id")) for el in root.iter(w("commentReference"), w("commentRangeStart"))}
    comments_part = optional("comments")
    comments = len(comment_ids) or (
        len(comments_part.findall(w("comment"))) if comments_part is not None else 0
    )
    if revisions or comments:
        what = "、".join(
            x
            for x in (
                f"{revisions} 处未接受的修订" if revisions else "",
                f"{comments} 条批注" if comments else "",
            )
            if x
        )
        notes.append(
            problem(
                "EXT-009",
                f"文档含 {what}；已按接受全部修订后的内容读取（插入的文字计入，删除的文字不计入），"
                "批注未读入。请确认发布的是定稿。",
                loc=Loc(file=path),
                revisions=revisions,
                comments=comments,
            )
        )

    properties: dict[str, object] = {}
    core = pkg.related("", REL_CORE) or ("docProps/core.xml" if pkg.has("docProps/core.xml") else None)
    if core:
        title = pkg.xml(core).findtext(f"{{{NS_DC}}}title")
        if title and title.strip():
            properties["page_title"] = title.strip()
    return Document(tuple(blocks), "docx", path, properties=properties, notes=tuple(notes))
