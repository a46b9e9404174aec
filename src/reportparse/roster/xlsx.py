"""The first sheet of an .xlsx workbook as rows of text: just enough to read a roster, with the
same care for hostile zips as the DOCX reader (entry sizes capped, XML without entities)."""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile

from lxml import etree

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}
MAX_PART = 50 * 1024 * 1024  # bytes of one XML part, uncompressed
_REF_RE = re.compile(r"([A-Z]+)(\d+)")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug folded in)


class XlsxError(ValueError):
    pass


def _part(z: zipfile.ZipFile, name: str) -> etree._Element | None:
    try:
        info = z.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART:
        raise XlsxError(f"{name} 过大（{info.file_size} 字节）")
    try:
        return etree.fromstring(z.read(name), _PARSER)
    except etree.XMLSyntaxError as err:
        raise XlsxError(f"{name} 不是有效的 XML：{err}") from None


def _first_sheet(z: zipfile.ZipFile) -> str:
    book = _part(z, "xl/workbook.xml")
    rels = _part(z, "xl/_rels/workbook.xml.rels")
    if book is None or rels is None:
        raise XlsxError("缺少 xl/workbook.xml")
    sheet = book.find("m:sheets/m:sheet", _NS)
    if sheet is None:
        raise XlsxError("工作簿中没有工作表")
    rid = sheet.get(f"{{{_NS['r']}}}id")
    for rel in rels.findall("p:Relationship", _NS):
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    raise XlsxError("找不到第一张工作表")


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _date_styles(z: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell formats that show a number as a date (built-in 14–22 or a custom
    format with y/m/d), so that a deadline typed as a date reads as one."""
    styles = _part(z, "xl/styles.xml")
    if styles is None:
        return set()
    custom = {
        int(f.get("numFmtId", "0")): f.get("formatCode", "")
        for f in styles.findall("m:numFmts/m:numFmt", _NS)
    }
    out = set()
    for i, xf in enumerate(styles.findall("m:cellXfs/m:xf", _NS)):
        fid = int(xf.get("numFmtId", "0"))
        if 14 <= fid <= 22 or (fid in custom and re.search(r"[yd]", custom[fid], re.I)):
            out.add(i)
    return out


def _text(node: etree._Element) -> str:
    """The text of a string item, its phonetic runs (rPh) left out."""
    main = f"{{{_NS['m']}}}"
    out = []
    for t in node.iter(f"{main}t"):
        parent = t.getparent()
        if parent is None or parent.tag != f"{main}rPh":
            out.append(str(t.text or ""))
    return "".join(out)


def read_xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as err:
        raise XlsxError(f"zip 结构损坏（{err}）") from None
    with z:
        strings: list[str] = []
        shared = _part(z, "xl/sharedStrings.xml")
        if shared is not None:
            strings = [_text(si) for si in shared.findall("m:si", _NS)]
        dates = _date_styles(z)
        sheet = _part(z, _first_sheet(z))
        if sheet is None:
            raise XlsxError("第一张工作表缺失")
        rows: list[list[str]] = []
        for row in sheet.findall("m:sheetData/m:row", _NS):
            values: dict[int, str] = {}
            for c in row.findall("m:c", _NS):
                m = _REF_RE.fullmatch(c.get("r", ""))
                col = _column_index(m[1]) if m else len(values)
                kind = c.get("t", "n")
                v = c.find("m:v", _NS)
                inline = c.find("m:is", _NS)
                if kind == "inlineStr":
                    text = _text(inline) if inline is not None else ""
                elif v is None or v.text is None:
                    text = ""
                elif kind == "s":
                    text = strings[int(v.text)] if v.text.isdigit() and int(v.text) < len(strings) else ""
                elif kind == "n" and int(c.get("s", "0")) in dates:
                    text = (_EPOCH + dt.timedelta(days=int(float(v.text)))).isoformat()
                else:
                    text = v.text
                    if kind == "n" and text.endswith(".0"):
                        text = text[:-2]
                values[col] = text
            if values:
                rows.append([values.get(i, "") for i in range(max(values) + 1)])
        return rows
