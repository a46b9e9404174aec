"""Walking the document body in document order into raw paragraphs and tables, as Word shows
them: tracked changes accepted, field results not instructions, text boxes read once, merged
cells as one cell with spans, nested tables after the table holding them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .numbering import Numbering
from .package import NS_M, NS_MC, Names, int_value

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


@dataclass
class RawPara:
    text: str


@dataclass
class RawCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class RawTable:
    cells: list[RawCell] = field(default_factory=list)


@dataclass
class RawPicture:
    """A picture in the body (`w:drawing`, VML `w:pict`): its relationship id and its size in
    EMU as laid out (0 when not given); after the paragraph holding it."""

    rid: str
    width: int = 0
    height: int = 0


RawBlock = RawPara | RawTable | RawPicture


class Walker:
    """Walks the body in document order, producing raw paragraphs and tables."""

    def __init__(self, w: Names, numbering: Numbering) -> None:
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

    # --- block level --------------------------------------------------------------------------

    def container(self, el: etree._Element, out: list[RawBlock]) -> None:
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

    def _paragraph(self, p: etree._Element, out: list[RawBlock]) -> None:
        w = self.w
        ppr = p.find(w("pPr"))
        buf: list[str] = []
        extra: list[RawBlock] = []
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
                out.append(RawPara(text))
        out.extend(extra)

    # --- inline level -------------------------------------------------------------------------

    def _inline(self, el: etree._Element, buf: list[str], extra: list[RawBlock]) -> None:
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
        self, run: etree._Element, items: etree._Element, buf: list[str], extra: list[RawBlock], hidden: bool
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
                extra.extend(_pictures(child))
            elif tag == w("ruby"):
                base = child.find(w("rubyBase"))
                if base is not None:
                    self._inline(base, buf, extra)
            # rPr, instrText, delText, footnote/endnote/comment references, page numbers: not text

    def _textboxes(self, el: etree._Element, extra: list[RawBlock]) -> None:
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

    # --- tables -------------------------------------------------------------------------------

    def _children(self, el: etree._Element, local: str) -> list[etree._Element]:
        """The rows of a table or the cells of a row (`local` is "tr" or "tc"), also those
        wrapped in content controls or custom XML."""
        w = self.w
        found: list[etree._Element] = []
        for child in el:
            if child.tag == w(local):
                found.append(child)
            elif child.tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None:
                    found.extend(self._children(content, local))
            elif child.tag == w("customXml"):
                found.extend(self._children(child, local))
        return found

    def _table(self, tbl: etree._Element, out: list[RawBlock]) -> None:
        w = self.w
        table = RawTable()
        nested: list[RawBlock] = []
        open_v: dict[int, RawCell] = {}  # column -> cell a w:vMerge="continue" below would extend
        r = 0
        for tr in self._children(tbl, "tr"):
            trpr = tr.find(w("trPr"))
            if trpr is not None and trpr.find(w("del")) is not None:
                continue  # a row deleted with tracked changes on
            tcs = [tc for tc in self._children(tr, "tc") if tc.find(f"{w('tcPr')}/{w('cellDel')}") is None]
            if not tcs:
                continue
            col = int_value(w.val(trpr.find(w("gridBefore")) if trpr is not None else None), 0)
            row_open: dict[int, RawCell] = {}
            last: RawCell | None = None
            for tc in tcs:
                tcpr = tc.find(w("tcPr"))
                span = max(int_value(w.val(tcpr.find(w("gridSpan")) if tcpr is not None else None), 1), 1)
                vmerge = tcpr.find(w("vMerge")) if tcpr is not None else None
                hmerge = tcpr.find(w("hMerge")) if tcpr is not None else None
                blocks: list[RawBlock] = []
                self.container(tc, blocks)
                text = "\n".join(b.text for b in blocks if isinstance(b, RawPara)).strip()
                nested.extend(b for b in blocks if isinstance(b, RawTable))
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
                    cell = RawCell(text, r, col, 1, span)
                    table.cells.append(cell)
                row_open[col] = cell
                last = cell
                col += span
            open_v = row_open
            r += 1
        if table.cells:
            out.append(table)
        out.extend(nested)


def _pictures(el: etree._Element) -> list[RawPicture]:
    """The pictures of a drawing: DrawingML `a:blip r:embed` (its size from `wp:extent`) or VML
    `v:imagedata r:id`; matched by local name, so the strict namespaces read the same."""
    width = height = 0
    out: list[RawPicture] = []
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        name = etree.QName(node).localname
        if name == "extent" and not width:
            width, height = int_value(node.get("cx"), 0), int_value(node.get("cy"), 0)
        elif name in ("blip", "imagedata"):
            rid = next((str(v) for k, v in node.attrib.items() if str(k).endswith(("}embed", "}id"))), None)
            if rid:
                out.append(RawPicture(str(rid)))
    return [RawPicture(p.rid, width, height) for p in out]


def _join(a: str, b: str) -> str:
    return f"{a}\n{b}" if a and b else a or b


def _int_hex(value: str | None) -> int | None:
    try:
        return int(value, 16) if value else None
    except ValueError:
        return None
