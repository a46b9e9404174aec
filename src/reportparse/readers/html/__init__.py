"""HTML reader: government CMS article pages, Word "Save as HTML" exports and bare fragments.

Steps: decode the bytes (BOM, declaration, detection — declarations lie), parse with lxml,
drop what a browser would not show (scripts, styles, hidden elements, Word's VML and XML
islands), turn the page into paragraphs and tables in document order, find the report's own
content area among the page chrome (menus, breadcrumbs, metadata boxes, share links, footers)
and keep only that; read the metadata box (publication date, publishing body) and the title
printed above the report into `Document.properties`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from ...document import Block, Document, Paragraph, Table, TableCell
from ...extraction import problem, repair
from ...limits import limits
from ...model import ExtractionNote, Loc
from .. import ReadError
from ..encoding import decode_html
from .area import choose_area, chrome_elements, is_inside, marks_of, owner_of, too_deep, under
from .clean import CONTROL_BYTES, CONTROL_RE, clean_page, norm, tag_of, text_content
from .meta import is_chrome_line, is_meta_line, metadata
from .paths import Paths
from .walk import DOC_EXT_RE, Item, Para, Ref, Tab, TooDeep, Walker

__all__ = ["decode_html", "read"]


def read(data: bytes, path: str | None = None) -> Document:
    decoded = decode_html(data)
    notes = list(decoded.notes)
    text = decoded.text
    raw = decoded.utf8 if decoded.utf8 is not None else text.encode("utf-8")
    source = raw.translate(None, CONTROL_BYTES)
    if len(source) != len(raw):
        text = CONTROL_RE.sub("", text)
    if text.startswith("\ufeff"):
        text = text.lstrip("\ufeff")
        source = text.encode("utf-8")
    properties: dict[str, Any] = {}
    if decoded.declared:
        properties["declared_encoding"] = decoded.declared
    # lxml.html's parser would look up a Python element class for every element it hands out
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=False, no_network=True
    )
    try:
        root = etree.fromstring(source, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        return Document((), "html", path, decoded.encoding, properties, tuple(notes))
    limit_errors = [e.message for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"]
    if limit_errors:
        depth = re.search(r"depth in document: (\d+)", limit_errors[0])
        what = (
            f"元素嵌套层级超过解析器上限 {depth.group(1)} 层"
            if depth
            else f"超出解析器限制（{limit_errors[0]}）"
        )
        raise ReadError(
            problem(
                "EXT-003",
                f"网页{what}，超出处理限制",
                loc=Loc(file=path),
                limit=int(depth.group(1)) if depth else None,
            )
        )
    if too_deep(limits().max_html_depth)(root):
        raise _too_deep_error(path)
    meta = _head(root, properties)
    body = root.find("body")
    if body is None:
        body = root
    paths = Paths()
    cleaned = clean_page(root, paths)
    images = cleaned.images
    walker = Walker(body, cleaned.markers)
    try:
        walker.walk(body)
        walker.flush()
    except (TooDeep, RecursionError):
        raise _too_deep_error(path) from None
    items = walker.items
    chrome_els = chrome_elements(cleaned.named, body)
    in_chrome = under(chrome_els) if chrome_els else None
    for item in items:
        if in_chrome is not None:
            item.chrome = in_chrome(owner_of(item))
        if isinstance(item, Para) and is_chrome_line(item.text):
            item.chrome = True
    area = choose_area(items, body)
    in_area = under({area})
    inside = [in_area(owner_of(item)) for item in items]
    first_marker = next((i for i, item in enumerate(items) if inside[i] and marks_of(item)), len(items))
    meta_lines = [
        _item_line(item)
        for i, item in enumerate(items)
        if (not inside[i] or i < first_marker) and not isinstance(item, Ref)
    ]
    properties.update(metadata([s for s in meta_lines if 0 < len(s) <= 200], meta))

    blocks: list[Block] = []
    title, title_item = _title(items, inside, first_marker)
    if title is not None:
        properties["title"] = title
        if title_item is not None and not any(it is title_item and inside[i] for i, it in enumerate(items)):
            blocks.append(Paragraph(title, _loc(path, paths, title_item.owner)))
    n_tables = 0
    for i, item in enumerate(items):
        if not inside[i] or item.chrome:
            continue
        if isinstance(item, Para):
            if (is_meta_line(item.text) and i < first_marker) or _repeats_title(item.text, blocks):
                continue
            blocks.append(Paragraph(item.text, _loc(path, paths, item.owner)))
        elif isinstance(item, Tab):
            blocks.append(_table(item, n_tables, path, paths))
            if item.overlaps:
                notes.append(
                    repair(
                        "table_overlap",
                        f"第 {n_tables + 1} 个表格有 {item.overlaps} 处合并单元格相互重叠或超出表格范围，"
                        f"已按 HTML 表格模型截断跨度",
                        loc=blocks[-1].loc,
                        overlaps=item.overlaps,
                    )
                )
            n_tables += 1
    notes.extend(_missing_table_notes(items, inside, area, images, properties, path, paths))
    if _ends_inside_table(text):
        notes.append(
            problem("EXT-010", "网页在表格中途结束（表格未闭合），内容可能被截断", loc=Loc(file=path))
        )
    return Document(tuple(blocks), "html", path, decoded.encoding, properties, tuple(notes))


def _too_deep_error(path: str | None) -> ReadError:
    return ReadError(
        problem(
            "EXT-003",
            f"网页元素嵌套层级超过 {limits().max_html_depth} 层，超出处理限制",
            loc=Loc(file=path),
            limit=limits().max_html_depth,
        )
    )


def _head(root: Any, properties: dict[str, Any]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or el.get("itemprop") or "").strip().lower()
        content = norm(el.get("content") or "")
        if name and content:
            meta.setdefault(name, content)
    title = root.find(".//title")
    if title is not None and norm(text_content(title)):
        properties["page_title"] = norm(text_content(title))
    base = root.find(".//base")
    url = (base.get("href") if base is not None else None) or meta.get("url") or meta.get("og:url")
    if url and url.startswith(("http://", "https://")):
        properties["url"] = url
    return meta


def _item_line(item: Item) -> str:
    if isinstance(item, Para):
        return item.text
    if isinstance(item, Tab):
        rows: dict[int, list[str]] = {}
        for _, r, _c, _rs, _cs, text in item.cells:
            rows.setdefault(r, []).append(text.replace("\n", " "))
        return "\n".join("\t".join(v) for v in rows.values())
    return ""


_TITLE_RE = re.compile(r"(报告|年报)(（[^）]{0,10}）|\([^)]{0,10}\))?$")


def _title(items: list[Item], inside: list[bool], first_marker: int) -> tuple[str | None, Para | None]:
    """The report title printed above the report: in the content area before the first section
    heading, or else the closest title-like element just before the content area."""
    first_inside = next((i for i, ok in enumerate(inside) if ok), len(items))
    for i in range(first_inside, min(first_marker, len(items))):
        item = items[i]
        if inside[i] and isinstance(item, Para) and not item.chrome and _is_title(item.text):
            return item.text, item
    for i in range(first_inside - 1, max(-1, first_inside - 16), -1):
        item = items[i]
        # a title inside a box named like page furniture ("article-header") still counts when
        # the element says it is a heading
        if isinstance(item, Para) and _is_title(item.text) and (not item.chrome or _is_heading(item.owner)):
            return item.text, item
    return None, None


def _is_heading(el: Any) -> bool:
    names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return tag_of(el) in ("h1", "h2", "h3") or "title" in names or "tit" in names.split()


def _is_title(text: str) -> bool:
    return 6 <= len(text) <= 100 and bool(_TITLE_RE.search(text)) and not text.startswith("本")


def _repeats_title(text: str, blocks: list[Block]) -> bool:
    """The title found above the content area and printed again as its first line."""
    return len(blocks) == 1 and isinstance(blocks[0], Paragraph) and blocks[0].text == text


def _loc(path: str | None, paths: Paths, el: Any) -> Loc:
    return Loc(file=path, line=el.sourceline, path=paths.css(el))


def _table(item: Tab, index: int, path: str | None, paths: Paths) -> Table:
    cells = []
    above: Any = None
    prefix = ""
    nth: dict[Any, int] = {}
    for td, r, c, rs, cs, text in item.cells:
        parent = td.getparent()
        if parent is not above:  # a new row: its path and positions once for all its cells
            above = parent
            up = paths.css(parent) if parent is not None else ""
            prefix = f"{up} > " if up else ""
            nth = paths.nth_of_type(parent) if parent is not None else {}
        cells.append(
            TableCell(
                text,
                r,
                c,
                Loc(file=path, table=index, row=r, col=c, path=paths.child(td, prefix, nth)),
                rs,
                cs,
            )
        )
    return Table(tuple(cells), Loc(file=path, line=item.el.sourceline, table=index, path=paths.css(item.el)))


def _missing_table_notes(
    items: list[Item],
    inside: list[bool],
    area: Any,
    images: list[tuple[str, Any]],
    properties: dict[str, Any],
    path: str | None,
    paths: Paths,
) -> list[ExtractionNote]:
    """EXT-005 for a report whose tables are pictures or whose text is only an attachment —
    only when the content area has no table with numbers, so the note names what to open."""
    if any(inside[i] and isinstance(it, Tab) and it.numeric for i, it in enumerate(items)):
        return []
    base = properties.get("url")
    notes: list[ExtractionNote] = []
    pictures = [
        it
        for i, it in enumerate(items)
        if inside[i] and isinstance(it, Ref) and it.kind == "image" and not it.chrome and _content_image(it)
    ]
    pictures += [Ref("image", src, el) for src, el in images if is_inside(el, area)]
    for ref in _unique(pictures)[:10]:
        url = _show_url(ref.url)
        data: dict[str, Any] = {"url": url, "kind": "image"}
        if base and not ref.url.startswith("data:"):
            data["absolute_url"] = urljoin(base, ref.url)
        notes.append(
            problem(
                "EXT-005",
                f"正文中有图片 {url}，报告表格可能仅以图片形式提供，请打开图片核对",
                loc=_loc(path, paths, ref.owner),
                **data,
            )
        )
    attachments = [
        it for i, it in enumerate(items) if inside[i] and isinstance(it, Ref) and it.kind == "attachment"
    ]
    if not attachments:
        attachments = [
            it
            for it in items
            if isinstance(it, Ref)
            and it.kind == "attachment"
            and not it.chrome
            and (re.search(r"报告|年报|附件", it.text) or DOC_EXT_RE.search(it.text))
        ]
    for ref in _unique(attachments)[:10]:
        data = {"url": ref.url, "kind": "attachment", "link_text": ref.text}
        if base:
            data["absolute_url"] = urljoin(base, ref.url)
        label = f"“{ref.text}”（{ref.url}）" if ref.text and ref.text != ref.url else ref.url
        notes.append(
            problem(
                "EXT-005",
                f"网页正文没有报告表格，报告可能仅以附件形式提供：{label}，请打开附件核对",
                loc=_loc(path, paths, ref.owner),
                **data,
            )
        )
    return notes


_ICON_SRC_RE = re.compile(
    r"icon|logo|spacer|blank|pixel|share|weixin|weibo|qrcode|ewm|arrow|bullet|dot\.", re.I
)


def _content_image(ref: Ref) -> bool:
    if _ICON_SRC_RE.search(ref.url):
        return False
    for attr in ("width", "height"):
        value = re.match(r"\s*(\d+)", ref.owner.get(attr) or "")
        if value and int(value.group(1)) < 40:
            return False
    return True


def _unique(refs: list[Ref]) -> list[Ref]:
    seen: set[str] = set()
    out: list[Ref] = []
    for ref in refs:
        if ref.url not in seen:
            seen.add(ref.url)
            out.append(ref)
    return out


def _show_url(url: str) -> str:
    if url.startswith("data:"):
        return f"{url[:30]}…（内嵌图片，{len(url)} 字符）"
    return url


def _ends_inside_table(text: str) -> bool:
    tail = text[-20000:].lower()
    return tail.rfind("<table") > tail.rfind("</table>") and "</html>" not in tail[-200:]
