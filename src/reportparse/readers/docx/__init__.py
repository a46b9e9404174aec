"""DOCX reader: paragraphs and tables in document order, as Word shows them.

The parts are read straight from the zip with a hardened XML parser (`package`), then walked
in document order (`walk`, with list numbers from `numbering`). python-docx is not used for
reading: its `row.cells` repeats a merged cell's value in every position it covers, it does not
render list numbers, and it ignores tracked changes, content controls and text boxes, all of
which real reports use.

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

from typing import Any

from lxml import etree

from ...document import Block, Document, Paragraph, Table, TableCell
from ...extraction import problem
from ...model import ExtractionNote, Loc
from .. import ReadError
from .numbering import Numbering
from .package import NS_DC, NS_W, NS_W_STRICT, REL_CORE, REL_OFFICE_DOCUMENT, Names, Package
from .walk import RawBlock, RawPara, RawPicture, Walker

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
    w = Names(ns)
    body = root.find(w("body"))
    if body is None:
        raise _fail(f"DOCX 正文部件 {main} 缺少 w:body", path)

    def optional(kind: str) -> etree._Element | None:
        # By relationship; by the conventional name when a sloppy writer left the relationship out.
        name = pkg.related(main, (f"/{kind}",)) or (
            f"word/{kind}.xml" if pkg.has(f"word/{kind}.xml") else None
        )
        return pkg.xml(name) if name else None

    numbering = Numbering(w, optional("numbering"), optional("styles"))
    walker = Walker(w, numbering)
    raw: list[RawBlock] = []
    walker.container(body, raw)

    blocks: list[Block] = []
    n_tables = 0
    pictures: list[tuple[int, RawPicture]] = []
    for item in raw:
        if isinstance(item, RawPicture):
            pictures.append((len(blocks), item))
        elif isinstance(item, RawPara):
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

    notes: list[ExtractionNote] = _picture_notes(blocks, pictures, pkg.targets(main), pkg, path)
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


# A picture at least this large (EMU; 1 cm = 360 000) may be a table pasted as a picture
_TABLE_PICTURE = (8 * 360_000, 2 * 360_000)
_PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff")


def _picture_notes(
    blocks: list[Block],
    pictures: list[tuple[int, RawPicture]],
    targets: dict[str, str],
    pkg: Package,
    path: str | None,
) -> list[ExtractionNote]:
    """EXT-005 for pictures that may be tables (large enough, in a document with fewer than the
    three tables of numbers a report has): where it stands (`block`: the blocks before it) and its
    part, so OCR can read it in place (readers/ocr/pictures.py)."""
    numeric = sum(
        1 for b in blocks if isinstance(b, Table) and sum(c.text.strip().isdigit() for c in b.cells) >= 3
    )
    if numeric >= 3:
        return []
    notes: list[ExtractionNote] = []
    paragraphs = 0
    seen: set[str] = set()
    for at, picture in pictures:
        part = targets.get(picture.rid)
        small = picture.width and (picture.width < _TABLE_PICTURE[0] or picture.height < _TABLE_PICTURE[1])
        if (
            not part
            or part in seen
            or small
            or not part.lower().endswith(_PICTURE_SUFFIXES)
            or not pkg.has(part)
        ):
            continue
        seen.add(part)
        paragraphs = sum(1 for b in blocks[:at] if isinstance(b, Paragraph))
        name = part.rsplit("/", 1)[-1]
        notes.append(
            problem(
                "EXT-005",
                f"正文第 {paragraphs} 段后有图片 {name}，报告表格可能仅以图片形式提供，请打开图片核对",
                loc=Loc(file=path),
                kind="image",
                url=name,
                part=part,
                block=at,
            )
        )
    return notes[:10]
