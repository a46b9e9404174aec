"""HTML reader: government CMS article pages, Word "Save as HTML" exports and bare fragments.

Steps: decode the bytes (BOM, declaration, detection — declarations lie), parse with lxml,
drop what a browser would not show (scripts, styles, hidden elements, Word's VML and XML
islands), turn the page into paragraphs and tables in document order, find the report's own
content area among the page chrome (menus, breadcrumbs, metadata boxes, share links, footers)
and keep only that; read the metadata box (publication date, publishing body) and the title
printed above the report into `Document.properties`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from ..document import Block, Document, Paragraph, Table, TableCell
from ..extraction import problem, repair
from ..limits import limits
from ..model import ExtractionNote, Loc
from .encoding import decode_html

MAX_COLSPAN = 1000  # the HTML table model's limits
MAX_ROWSPAN = 65534
_LONG_CELL = 200  # a cell with more text than this is page layout, not a report table cell

# --- text normalisation -----------------------------------------------------------------------

_WS_RE = re.compile(r"[ \t\n\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_ZW_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# the same characters as UTF-8 bytes: every byte of a multi-byte sequence is >= 0x80
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def _norm(s: str) -> str:
    """Whitespace as a browser shows it: &nbsp;, tabs, line breaks and full-width spaces collapse
    to one space; zero-width characters vanish."""
    if s.isalnum():  # no whitespace and no zero-width (format) characters: most table cells
        return s
    return _WS_RE.sub(" ", _ZW_RE.sub("", s)).strip()


def _text_content(el: Any) -> str:
    """All text inside an element (lxml.html's `text_content()`: libxml2's node content, here
    without an XPath evaluation per call)."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


# --- cleaning ---------------------------------------------------------------------------------


def _words(s: str) -> tuple[str, ...]:
    return tuple(s.split())


_BLOCK_TAGS = frozenset(
    _words(
        "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre section article main aside center address "
        "figure figcaption tr td th caption tbody thead tfoot body html hr fieldset legend details summary "
        "menu dir table"
    )
)
_DROP_TAGS = frozenset(
    _words(
        "script style noscript nav iframe frame frameset form template object embed applet select button "
        "input textarea svg math canvas audio video map marquee xml head title meta link base dialog"
    )
)
# what breaks a cell's text into lines, or is left out of it
_BREAK_TAGS = _BLOCK_TAGS | {"br", "img"}
# tags that need a closer look in the cleaning pass besides the dropped ones
_CLEAN_TAGS = _DROP_TAGS | {"header", "footer", "div", "tr", "v:imagedata"}
_HIDDEN_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.I)
_LIST_MARKER_RE = re.compile(r"mso-list\s*:\s*ignore", re.I)
# Cheap pre-checks on a lowercased style before the regexes above: pieces of their words made of
# letters that no non-ASCII character matches case-insensitively (unlike i, k and s).
_HIDDEN_HINTS = ("play", "dden", "all")
_LIST_MARKER_HINT = "gnore"
_CHROME_CLASS_RE = re.compile(
    r"(?:^|[-_\s])(?:breadcrumbs?|crumbs?|bread|position|location|dqwz|weizhi|share|fenxiang|bdshare|header|logo|"
    r"jiathis|print|dayin|qrcode|ewm|erweima|footer|copyright|navbar|nav|menu|sidebar|related|xglj|pager|"
    r"fontsize|zihao|toolbar|btn|function_icon)(?:$|[-_\s\d])",
    re.I,
)
_CONTENT_CLASS_RE = re.compile(
    r"trs_editor|article_?content|article_?con|zoom|custom_unionstyle|wordsection|view\s*trs|"
    r"(?:^|[-_\s])(?:content|article|detail|zw|zhengwen|text|main-?text|pages?_content|con)(?:$|[-_\s\d])",
    re.I,
)
_DOC_EXT_RE = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|ofd|rtf)(?:$|[?#])", re.I)
_ICON_SRC_RE = re.compile(
    r"icon|logo|spacer|blank|pixel|share|weixin|weibo|qrcode|ewm|arrow|bullet|dot\.", re.I
)
_NUMBER_RE = re.compile(r"[+\-－]?\d[\d,，.]*")


def _tag(el: Any) -> str:
    """Element names are lowercase after `_clean` (comments and the like are dropped there)."""
    tag = el.tag
    return tag if isinstance(tag, str) else ""


@dataclass
class _Cleaned:
    images: list[tuple[str, Any]]  # Word's VML pictures (v:imagedata src)
    markers: set[Any]  # elements styled as Word list markers (mso-list:Ignore)
    named: list[Any]  # elements whose class or id names them as page furniture


def _clean(root: Any, paths: _Paths) -> _Cleaned:
    """One pass over the page as parsed: drop what a browser does not show and Word-only markup
    (VML shapes, XML islands); on the way, note Word list markers, VML pictures and elements
    named like page furniture, so that no later step needs another pass over every element."""
    doomed: list[Any] = []
    out = _Cleaned([], set(), [])
    # Word repeats a few long styles and class names over and over: each is looked at once
    seen_styles: dict[str, int] = {}
    furniture: dict[str, bool] = {}  # class/id text -> named like furniture
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            doomed.append(el)  # comments, processing instructions, entities left by the parser
            continue
        if not tag.islower():
            tag = _lowercase_tag(el, tag, paths)
        drop = hidden = False
        attributes = el.items()  # one call for all (the parser keeps only the first of duplicates)
        if attributes:
            style = cls = ident = None
            for name, value in attributes:
                if name == "style":
                    style = value
                elif name == "class":
                    cls = value
                elif name == "id":
                    ident = value
                elif name == "hidden":
                    hidden = True
            if style:
                flags = seen_styles.get(style)
                if flags is None:
                    flags = seen_styles[style] = _style_flags(style)
                if flags:
                    drop = bool(flags & _HIDDEN)
                    if flags & _MARKER:
                        out.markers.add(el)
            if cls or ident:
                names = f"{cls or ''} {ident or ''}"
                hit = furniture.get(names)
                if hit is None:
                    hit = furniture[names] = bool(
                        names.strip()
                        and _CHROME_CLASS_RE.search(names)
                        and not _CONTENT_CLASS_RE.search(names)
                    )
                if hit:
                    out.named.append(el)
        if tag in _CLEAN_TAGS:
            if tag in _DROP_TAGS:
                drop = True
            elif tag in ("header", "footer"):
                if not any(_tag(a) in ("article", "main") for a in el.iterancestors()):
                    drop = True
            elif tag == "div":
                if (el.get("title") or "").lower() in ("header", "footer"):  # LibreOffice page furniture
                    drop = True
            elif tag == "tr":
                if (el.get("height") or "").strip() in ("0", "0px") and not _norm(_text_content(el)):
                    drop = True
            elif el.get("src"):  # v:imagedata
                out.images.append((el.get("src") or "", el))
        if drop or hidden or (":" in tag and tag.startswith(("v:", "w:", "m:"))):
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            paths.freeze(parent)
            _drop_tree(el)
    return out


_HIDDEN = 1
_MARKER = 2


def _style_flags(style: str) -> int:
    low = style.lower()
    flags = 0
    if any(hint in low for hint in _HIDDEN_HINTS) and _HIDDEN_RE.search(style):
        flags |= _HIDDEN
    if _LIST_MARKER_HINT in low and _LIST_MARKER_RE.search(style):
        flags |= _MARKER
    return flags


def _lowercase_tag(el: Any, tag: str, paths: _Paths) -> str:
    """libxml2 lowercases ASCII letters only; compare every name in lowercase, but count
    nth-of-type with the names as parsed."""
    low = tag.lower()
    if low != tag:
        parent = el.getparent()
        if parent is not None:
            paths.freeze(parent)
        try:
            el.tag = low
        except ValueError:
            return tag
    return low


def _drop_tree(el: Any) -> None:
    """Remove an element but keep its tail text (lxml.html's drop_tree, also for comments)."""
    parent = el.getparent()
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _chrome_elements(named: list[Any], body: Any) -> set[Any]:
    """Small boxes whose class or id names them as page furniture (breadcrumbs, share bars…),
    among those still in the page."""
    out: set[Any] = set()
    for el in named:
        up = el
        while up is not None and up is not body:
            up = up.getparent()
        if up is not body or next(el.iter("table"), None) is not None:
            continue
        text = _text_content(el)
        if len(text) < 300 or len(_norm(text)) < 300:  # normalising never lengthens
            out.add(el)
    return out


# --- walking the page -------------------------------------------------------------------------


@dataclass
class _Para:
    text: str
    owner: Any  # the nearest block element
    link_chars: int = 0
    chrome: bool = False
    marks: frozenset[int] | None = None  # report headings the line names (`_markers`), once computed


@dataclass
class _Tab:
    el: Any
    cells: list[tuple[Any, int, int, int, int, str]]  # (td, row, col, rowspan, colspan, text)
    overlaps: int = 0
    chrome: bool = False
    _numeric: bool | None = None

    @property
    def numeric(self) -> bool:
        """At least three cells hold a number: a report table rather than a layout or a form."""
        if self._numeric is None:
            found = 0
            for c in self.cells:
                if c[5] and _NUMBER_RE.fullmatch(c[5].replace(" ", "")):
                    found += 1
                    if found == 3:
                        break
            self._numeric = found == 3
        return self._numeric


@dataclass
class _Ref:
    kind: str  # "image" | "attachment"
    url: str
    owner: Any
    text: str = ""
    chrome: bool = False


_Item = _Para | _Tab | _Ref


class _TooDeep(Exception):
    pass


class _Walker:
    """Turns the page into paragraphs, tables and references in document order."""

    def __init__(self, body: Any, markers: set[Any]) -> None:
        self.items: list[_Item] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.glue = False  # the next text follows a Word list marker: no space in between
        self.stack: list[Any] = [body]
        self.markers = markers
        self.marked = _with_ancestors(markers)  # cells holding a marker need the slow way

    def text(self, s: str, link: bool) -> None:
        if not s:
            return
        if self.glue and s.strip():
            s = s.lstrip()
            self.glue = False
        self.parts.append(s)
        if link:
            self.link_chars += len(_norm(s))

    def flush(self) -> None:
        if self.parts:
            text = _norm("".join(self.parts))
            if text:
                self.items.append(_Para(text, self.stack[-1], min(self.link_chars, len(text))))
            self.parts = []
            self.link_chars = 0
        self.glue = False

    def walk(self, el: Any, depth: int = 0, link: bool = False) -> None:
        """Children of a block element, in document order."""
        if depth > limits().max_html_depth:
            raise _TooDeep
        s = el.text
        if s:
            self.text(s, link)
        for child in el:
            tag = child.tag
            if tag == "br":
                self.flush()
            elif tag == "table":
                self.flush()
                self.table(child, depth + 1)
            elif tag in _BLOCK_TAGS:
                self.flush()
                self.stack.append(child)
                self.walk(child, depth + 1, link)
                self.flush()
                self.stack.pop()
            elif tag == "img":
                if child.get("src"):
                    self.items.append(_Ref("image", child.get("src"), child, child.get("alt") or ""))
            elif child in self.markers:
                self.text(_norm(_text_content(child)), link)
                self.glue = True
            else:
                href = child.get("href") if tag == "a" else None
                if href and (_DOC_EXT_RE.search(href) or "附件" in _text_content(child)):
                    owner = self.stack[-1]
                    self.items.append(_Ref("attachment", href.strip(), owner, _norm(_text_content(child))))
                self.walk(child, depth + 1, link or bool(href))
            s = child.tail
            if s:
                self.text(s, link)

    def table(self, el: Any, depth: int) -> None:
        grid, overlaps = _grid(el)
        if _is_layout(el, grid):
            self.layout(grid, depth)
            return
        cells = []
        filled = False
        for td, r, c, rs, cs in grid:
            text = _marked_cell_text(td, depth, self.markers) if td in self.marked else _cell_text(td, depth)
            if len(text) > _LONG_CELL:
                self.layout(grid, depth)
                return
            filled = filled or bool(text)
            cells.append((td, r, c, rs, cs, text))
        if filled:
            self.items.append(_Tab(el, cells, overlaps))

    def layout(self, grid: list[tuple[Any, int, int, int, int]], depth: int) -> None:
        for td, *_ in grid:
            self.stack.append(td)
            self.walk(td, depth + 1)
            self.flush()
            self.stack.pop()


def _row_groups(table: Any) -> list[list[Any]]:
    groups: list[list[Any]] = []
    loose: list[Any] = []
    for child in table:
        tag = child.tag
        if tag == "tr":
            loose.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            if loose:
                groups.append(loose)
                loose = []
            groups.append([tr for tr in child if tr.tag == "tr"])
    if loose:
        groups.append(loose)
    return groups


def _span(value: str | None, limit: int, zero: int) -> int:
    if value is None:
        return 1
    value = value.strip()
    if value.isdecimal():
        n = int(value)
    else:
        try:
            n = int(re.sub(r"[^\d].*$", "", value) or "1")
        except ValueError:
            return 1
    if n == 0:
        return zero
    return max(1, min(n, limit))


def _grid(table: Any) -> tuple[list[tuple[Any, int, int, int, int]], int]:
    """The HTML table model: each cell anchors at the first free slot of its row; rowspan=0 and
    spans past the end of the row group stop at the group's end; a colspan running into a slot
    already covered from above is cut there (the spec calls it an overlap error)."""
    out: list[tuple[Any, int, int, int, int]] = []
    occupied: set[tuple[int, int]] = set()
    overlaps = 0
    y = 0
    for group in _row_groups(table):
        end = y + len(group)
        for tr in group:
            x = 0
            for td in tr:
                tag = td.tag
                if tag != "td" and tag != "th":
                    continue
                while (y, x) in occupied:
                    x += 1
                value = td.get("colspan")
                colspan = 1 if value is None else _span(value, MAX_COLSPAN, 1)
                value = td.get("rowspan")
                rowspan = 1 if value is None else min(_span(value, MAX_ROWSPAN, end - y), end - y)
                if colspan == 1 and rowspan == 1:
                    occupied.add((y, x))
                    out.append((td, y, x, 1, 1))
                    x += 1
                    continue
                for k in range(colspan):
                    if (y, x + k) in occupied:
                        colspan = k
                        overlaps += 1
                        break
                for dy in range(rowspan):
                    for dx in range(colspan):
                        occupied.add((y + dy, x + dx))
                out.append((td, y, x, rowspan, colspan))
                x += colspan
            y += 1
    return out, overlaps


def _cell_text(td: Any, depth: int) -> str:
    """A cell's text: block elements and <br> inside it become line breaks (a cell without
    Word list markers)."""
    n = len(td)
    if n == 0:  # the usual cells: text only, or one paragraph of text
        return _norm(td.text) if td.text else ""
    if n == 1:
        p = td[0]
        if p.tag in _BLOCK_TAGS:
            inner: str | None = None
            if len(p) == 0:
                inner = _norm(p.text) if p.text else ""
            elif not any(d.tag in _BREAK_TAGS for d in p.iterdescendants()):  # Word: p > span
                inner = _norm(_text_content(p))
            if inner is not None:
                before, after = td.text, p.tail
                if before or after:
                    return "\n".join(x for x in (_norm(before or ""), inner, _norm(after or "")) if x)
                return inner
    if not any(d.tag in _BREAK_TAGS for d in td.iterdescendants()):  # one line of text
        return _norm(_text_content(td))
    parts: list[str | None] = []  # text pieces; None where a line breaks
    _cell_parts(td, depth, parts)
    lines: list[str] = []
    line: list[str] = []
    for p in parts:
        if p is None:
            if line:
                t = _norm("".join(line))
                if t:
                    lines.append(t)
                line = []
        else:
            line.append(p)
    if line:
        t = _norm("".join(line))
        if t:
            lines.append(t)
    return "\n".join(lines)


def _cell_parts(el: Any, d: int, parts: list[str | None]) -> None:
    if d > limits().max_html_depth:
        raise _TooDeep
    s = el.text
    if s:
        parts.append(s)
    for child in el:
        tag = child.tag
        if tag == "br":
            parts.append(None)
        elif tag in _BLOCK_TAGS:
            parts.append(None)
            _cell_parts(child, d + 1, parts)
            parts.append(None)
        elif tag != "img":
            _cell_parts(child, d + 1, parts)
        s = child.tail
        if s:
            parts.append(s)


def _with_ancestors(elements: set[Any]) -> set[Any]:
    out: set[Any] = set()
    for el in elements:
        while el is not None and el not in out:
            out.add(el)
            el = el.getparent()
    return out


def _marked_cell_text(td: Any, depth: int, markers: set[Any]) -> str:
    """`_cell_text` of a cell holding Word list markers: the text after a marker follows it
    without a space."""
    lines: list[list[str]] = [[]]
    glue = False

    def add(s: str | None) -> None:
        nonlocal glue
        if s:
            if glue and s.strip():
                s = s.lstrip()
                glue = False
            lines[-1].append(s)

    def rec(el: Any, d: int) -> None:
        nonlocal glue
        if d > limits().max_html_depth:
            raise _TooDeep
        add(el.text)
        for child in el:
            tag = child.tag
            if tag == "br":
                lines.append([])
            elif tag in _BLOCK_TAGS:
                lines.append([])
                rec(child, d + 1)
                lines.append([])
            elif child in markers:
                add(_norm(_text_content(child)))
                glue = True
            elif tag != "img":
                rec(child, d + 1)
            add(child.tail)

    rec(td, depth)
    return "\n".join(t for t in (_norm("".join(p)) for p in lines) if t)


def _is_layout(table: Any, grid: list[tuple[Any, int, int, int, int]]) -> bool:
    """A table used to lay out the page: it holds other tables or is a single cell or a single
    column (or, checked by the caller once cell texts are known, holds long paragraphs)."""
    if not grid:
        return True
    tables = table.iter("table")
    next(tables)  # the table itself
    if next(tables, None) is not None and any(next(td.iter("table"), None) is not None for td, *_ in grid):
        return True
    n_cols = max(c[2] + c[4] for c in grid)
    return n_cols <= 1


# --- metadata ---------------------------------------------------------------------------------

# in order of preference; 成文日期/生成日期 (the date written) only when nothing else is printed
_DATE_LABELS = _words("发布日期 发布时间 公开日期 公开时间 发文日期 印发日期 时间 日期 成文日期 生成日期")
_ORG_LABELS = _words("发布机构 发文机关 发布单位 发文单位 公开主体 信息来源 文章来源 来源")
_OTHER_LABELS = _words(
    "索引号 信息索引号 文号 发文字号 主题分类 体裁分类 组配分类 服务对象分类 分类 主题词 关键词 有效性 时效 "
    "浏览次数 点击数 访问次数 阅读次数 作者 编辑 责任编辑 公开方式 公开范围 字号 标题 名称"
)
# short labels that must not match inside a longer word (时间 in 浏览时间)
_GENERIC_LABELS = frozenset(_words("时间 日期 来源 分类 文号 作者 编辑 名称 标题"))
_ALL_LABELS = sorted({*_DATE_LABELS, *_ORG_LABELS, *_OTHER_LABELS}, key=len, reverse=True)
# Longest first, so that 发布时间 wins over 时间; the generic labels are two characters like the
# shortest others, among which the order does not matter. One lookbehind for all of them: a CJK
# range repeated per label makes the pattern take ~10 ms to compile, paid by every process.
_LABEL_ALT = "|".join(lab for lab in _ALL_LABELS if lab not in _GENERIC_LABELS) + (
    "|(?<![\u4e00-\u9fff])(?:" + "|".join(sorted(_GENERIC_LABELS)) + ")"
)
_FIELD_RE = re.compile(rf"(?P<label>{_LABEL_ALT})\s*(?:[：:]|(?=\t))\s*")
_DATE_RE = re.compile(r"(\d{4})\s*(?:[-年/.．])\s*(\d{1,2})\s*(?:[-月/.．])\s*(\d{1,2})")
_META_LINE_RE = re.compile(rf"^\s*(?:{_LABEL_ALT})\s*[：:]")
_META_DATES = (
    "pubdate",
    "publishdate",
    "firstpublishedtime",
    "publishtime",
    "article:published_time",
    "dc.date",
    "dcterms.issued",
)
_CHROME_WORDS_RE = re.compile(
    r"微信|微博|QQ空间|新浪微博|腾讯微博|QQ|分享到|分享至|分享|打印本页|打印|关闭窗口|关闭本页|关闭|收藏本页|"
    r"加入收藏|收藏|我要纠错|纠错|返回顶部|返回|字号|字体|默认|大|中|小|【|】|\[|\]|［|］|[：:|｜/\s]"
)
_CHROME_LINE_RE = re.compile(
    r"当前位置|您现在的位置|您的位置|所在位置|分享到|扫一扫|上一篇|下一篇|浏览次数|"
    r"访问量|点击量|阅读次数|二维码"
)


def iso_date(s: str) -> str | None:
    m = _DATE_RE.search(s)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _fields(line: str) -> Iterator[tuple[str, str]]:
    """`label：value` pairs of a metadata line; a value runs to the next label or a wide gap."""
    matches = list(_FIELD_RE.finditer(line))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        value = re.split(r"\t|\s{2,}|\u3000|[|｜]", line[m.end() : end].strip(), maxsplit=1)[0]
        yield m.group("label"), value.strip(" ：:;；,，。")


def _metadata(lines: list[str], meta: dict[str, str]) -> dict[str, str]:
    dates: dict[str, str] = {}
    orgs: dict[str, str] = {}
    for line in lines:
        for label, value in _fields(line):
            if label in _DATE_LABELS:
                iso = iso_date(value)
                if iso:
                    dates.setdefault(label, iso)
            elif label in _ORG_LABELS and _good_org(value):
                orgs.setdefault(label, value)
    out: dict[str, str] = {}
    for label in _DATE_LABELS:
        if label in dates and label not in ("成文日期", "生成日期"):
            out["published"], out["published_label"] = dates[label], label
            break
    for name in _META_DATES:
        if "published" not in out and iso_date(meta.get(name, "")):
            out["published"], out["published_label"] = iso_date(meta[name]) or "", f"meta:{name}"
    for label in ("成文日期", "生成日期"):
        if label in dates:
            out.setdefault("written", dates[label])
            if "published" not in out:
                out["published"], out["published_label"] = dates[label], label
    for label in _ORG_LABELS:
        if label in orgs:
            out["organization"], out["organization_label"] = orgs[label], label
            break
    if "organization" not in out and _good_org(meta.get("contentsource", "")):
        out["organization"], out["organization_label"] = meta["contentsource"], "meta:ContentSource"
    return out


def _good_org(value: str) -> bool:
    v = value.strip()
    return (
        1 < len(v) <= 40
        and not iso_date(v)
        and "http" not in v
        and "www." not in v
        and v not in ("本站", "本网", "原创", "无", "暂无")
    )


def _is_chrome_line(text: str) -> bool:
    if len(text) > 60:
        return False
    if _CHROME_LINE_RE.search(text):
        return True
    return not _CHROME_WORDS_RE.sub("", text)


def _is_meta_line(text: str) -> bool:
    return len(text) <= 120 and bool(_META_LINE_RE.match(text)) and not text.rstrip().endswith("。")


# --- content area -----------------------------------------------------------------------------

_MARKERS = (
    re.compile(r"总体情况|概述"),
    re.compile(r"主动公开政府信息"),
    re.compile(r"政府信息公开申请|依申请公开"),
    re.compile(r"行政复议.{0,12}行政诉讼"),
    re.compile(r"存在的?主要问题|改进情况"),
    re.compile(r"其他需要报告"),
)
_TITLE_RE = re.compile(r"(报告|年报)(（[^）]{0,10}）|\([^)]{0,10}\))?$")
_AREA_TAGS = frozenset(
    {"div", "td", "article", "section", "main", "body", "center", "blockquote", "font", "span"}
)


def _owner(item: _Item) -> Any:
    return item.el if isinstance(item, _Tab) else item.owner


_NO_MARKS: frozenset[int] = frozenset()


def _markers(item: _Item) -> frozenset[int]:
    if not isinstance(item, _Para):
        return _NO_MARKS
    if item.marks is None:
        if item.link_chars * 2 > len(item.text) or len(item.text) > 80:
            item.marks = _NO_MARKS
        else:
            flat = item.text.replace(" ", "")
            item.marks = frozenset(i for i, rx in enumerate(_MARKERS) if rx.search(flat))
    return item.marks


def _choose_area(items: list[_Item], body: Any) -> Any:
    """The smallest element holding every report heading and number table found on the page;
    without headings, the container with the most non-link paragraph text (CMS content
    classes count extra)."""
    stats: dict[Any, tuple[set[int], int]] = {}
    total_markers: set[int] = set()
    total_tables = 0
    for item in items:
        if item.chrome:
            continue
        marks = _markers(item)
        tables = 1 if isinstance(item, _Tab) and item.numeric else 0
        if not marks and not tables:
            continue
        total_markers |= marks
        total_tables += tables
        el = _owner(item)
        while el is not None:
            m, t = stats.get(el, (set(), 0))
            stats[el] = (m | marks, t + tables)
            el = el.getparent()
    if len(total_markers) >= 2 or total_tables:
        full = [
            el
            for el, (m, t) in stats.items()
            if m == total_markers and t == total_tables and _tag(el) in _AREA_TAGS | {"p", "table"}
        ]
        if full:
            return max(full, key=_depth)
    scores: dict[Any, float] = {}
    for item in items:
        if not isinstance(item, _Para) or item.chrome:
            continue
        n = len(item.text) - item.link_chars
        if n < 25:
            continue
        el, weight = _owner(item), 1.0
        hops = 0
        while el is not None and hops < 3:
            if _tag(el) in _AREA_TAGS:
                bonus = (
                    1.5 if _CONTENT_CLASS_RE.search(f"{el.get('class') or ''} {el.get('id') or ''}") else 1.0
                )
                scores[el] = scores.get(el, 0.0) + n * weight * bonus
                weight /= 2
                hops += 1
            el = el.getparent()
    return max(scores, key=lambda e: scores[e]) if scores else body


# Some element limits().max_html_depth + 1 levels below the root (what libxml2 builds is shallower anyway):
# one XPath step per level, evaluated in C.
@lru_cache(maxsize=8)
def _too_deep(depth: int) -> Any:
    return etree.XPath("boolean(/*" + "/*" * depth + "/node()[not(self::text())])")


def _inside(el: Any, area: Any) -> bool:
    while el is not None:
        if el is area:
            return True
        el = el.getparent()
    return False


def _depth(el: Any) -> int:
    return sum(1 for _ in el.iterancestors())


def _under(elements: set[Any]) -> Callable[[Any], bool]:
    """Whether an element is one of `elements` or inside one; answers are remembered for every
    element on the way up, so marking all items costs one walk per distinct ancestor."""
    memo: dict[Any, bool] = {}

    def test(el: Any) -> bool:
        seen = []
        found = False
        while el is not None:
            known = memo.get(el)
            if known is not None:
                found = known
                break
            if el in elements:
                found = True
                memo[el] = True
                break
            seen.append(el)
            el = el.getparent()
        for e in seen:
            memo[e] = found
        return found

    return test


# --- locations --------------------------------------------------------------------------------

_CSS_IDENT_RE = re.compile(r"-?[A-Za-z_][\w-]*")


class _Paths:
    """CSS-like paths of the page as served: positions are counted before anything is dropped
    or renamed (`freeze` is called on a parent before its children change), else lazily."""

    def __init__(self) -> None:
        self._nth: dict[Any, dict[Any, int]] = {}
        self._cache: dict[Any, str] = {}
        self._idents: dict[str, bool] = {}

    def freeze(self, parent: Any) -> None:
        if parent not in self._nth:
            self.nth_of_type(parent)

    def _ident(self, s: str) -> bool:
        ok = self._idents.get(s)
        if ok is None:
            ok = self._idents[s] = _CSS_IDENT_RE.fullmatch(s) is not None
        return ok

    def css(self, el: Any) -> str:
        """The element's path; every ancestor's path is cached too, so a table costs one walk."""
        cached = self._cache.get(el)
        if cached is not None:
            return cached
        parent = el.getparent()
        if parent is None:
            path = self.child(el, "", {})
        else:
            above = self.css(parent)
            path = self.child(el, f"{above} > " if above else "", self.nth_of_type(parent))
        self._cache[el] = path
        return path

    def child(self, el: Any, prefix: str, nth: dict[Any, int]) -> str:
        """The path of an element whose parent's path (with " > ") and positions are given."""
        tag = el.tag
        if not isinstance(tag, str):
            return ""
        if ":" in tag:
            tag = tag.replace(":", "\\:")
        ident = el.get("id")
        if ident and self._ident(ident):
            return f"{tag}#{ident}"
        cls = el.get("class")
        if cls:
            first = cls.split(maxsplit=1)
            if first and self._ident(first[0]):
                tag = f"{tag}.{first[0]}"
        n = nth.get(el)
        return f"{prefix}{tag}:nth-of-type({n})" if n else f"{prefix}{tag}"

    def nth_of_type(self, parent: Any) -> dict[Any, int]:
        """Positions among same-named siblings, for the names that repeat (0: not shown)."""
        nth = self._nth.get(parent)
        if nth is None:
            children = list(parent)
            tags = [child.tag for child in children]
            names = set(tags)
            if len(names) == len(tags):  # no name repeats
                nth = {}
            elif len(names) == 1:  # a row of cells, a list of paragraphs
                nth = {child: i for i, child in enumerate(children, 1)}
            else:
                counts: dict[Any, int] = {}
                for tag in tags:
                    counts[tag] = counts.get(tag, 0) + 1
                seen: dict[Any, int] = {}
                nth = {}
                for child, tag in zip(children, tags, strict=True):
                    if counts[tag] > 1:
                        seen[tag] = seen.get(tag, 0) + 1
                        nth[child] = seen[tag]
            self._nth[parent] = nth
        return nth


# --- the reader -------------------------------------------------------------------------------


def read(data: bytes, path: str | None = None) -> Document:
    from . import ReadError

    decoded = decode_html(data)
    notes = list(decoded.notes)
    text = decoded.text
    raw = decoded.utf8 if decoded.utf8 is not None else text.encode("utf-8")
    source = raw.translate(None, _CONTROL_BYTES)
    if len(source) != len(raw):
        text = _CONTROL_RE.sub("", text)
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
    if _too_deep(limits().max_html_depth)(root):
        raise ReadError(
            problem(
                "EXT-003",
                f"网页元素嵌套层级超过 {limits().max_html_depth} 层，超出处理限制",
                loc=Loc(file=path),
                limit=limits().max_html_depth,
            )
        )
    meta = _head(root, properties)
    body = root.find("body")
    if body is None:
        body = root
    paths = _Paths()
    cleaned = _clean(root, paths)
    images = cleaned.images
    walker = _Walker(body, cleaned.markers)
    try:
        walker.walk(body)
        walker.flush()
    except (_TooDeep, RecursionError):
        raise ReadError(
            problem(
                "EXT-003",
                f"网页元素嵌套层级超过 {limits().max_html_depth} 层，超出处理限制",
                loc=Loc(file=path),
                limit=limits().max_html_depth,
            )
        ) from None
    items = walker.items
    chrome_els = _chrome_elements(cleaned.named, body)
    in_chrome = _under(chrome_els) if chrome_els else None
    for item in items:
        if in_chrome is not None:
            item.chrome = in_chrome(_owner(item))
        if isinstance(item, _Para) and _is_chrome_line(item.text):
            item.chrome = True
    area = _choose_area(items, body)
    in_area = _under({area})
    inside = [in_area(_owner(item)) for item in items]
    first_marker = next((i for i, item in enumerate(items) if inside[i] and _markers(item)), len(items))
    meta_lines = [
        _item_line(item)
        for i, item in enumerate(items)
        if (not inside[i] or i < first_marker) and not isinstance(item, _Ref)
    ]
    properties.update(_metadata([s for s in meta_lines if 0 < len(s) <= 200], meta))

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
        if isinstance(item, _Para):
            if (_is_meta_line(item.text) and i < first_marker) or _repeats_title(item.text, blocks):
                continue
            blocks.append(Paragraph(item.text, _loc(path, paths, item.owner)))
        elif isinstance(item, _Tab):
            blocks.append(_table(item, n_tables, path, paths))
            if item.overlaps:
                notes.append(
                    repair(
                        "table_overlap",
                        f"第 {n_tables + 1} 个表格有 {item.overlaps} 处合并单元格相互重叠，"
                        f"已按 HTML 表格模型截断列跨度",
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


def _head(root: Any, properties: dict[str, Any]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or el.get("itemprop") or "").strip().lower()
        content = _norm(el.get("content") or "")
        if name and content:
            meta.setdefault(name, content)
    title = root.find(".//title")
    if title is not None and _norm(_text_content(title)):
        properties["page_title"] = _norm(_text_content(title))
    base = root.find(".//base")
    url = (base.get("href") if base is not None else None) or meta.get("url") or meta.get("og:url")
    if url and url.startswith(("http://", "https://")):
        properties["url"] = url
    return meta


def _item_line(item: _Item) -> str:
    if isinstance(item, _Para):
        return item.text
    if isinstance(item, _Tab):
        rows: dict[int, list[str]] = {}
        for _, r, _c, _rs, _cs, text in item.cells:
            rows.setdefault(r, []).append(text.replace("\n", " "))
        return "\n".join("\t".join(v) for v in rows.values())
    return ""


def _title(items: list[_Item], inside: list[bool], first_marker: int) -> tuple[str | None, _Para | None]:
    """The report title printed above the report: in the content area before the first section
    heading, or else the closest title-like element just before the content area."""
    first_inside = next((i for i, ok in enumerate(inside) if ok), len(items))
    for i in range(first_inside, min(first_marker, len(items))):
        item = items[i]
        if inside[i] and isinstance(item, _Para) and not item.chrome and _is_title(item.text):
            return item.text, item
    for i in range(first_inside - 1, max(-1, first_inside - 16), -1):
        item = items[i]
        # a title inside a box named like page furniture ("article-header") still counts when
        # the element says it is a heading
        if isinstance(item, _Para) and _is_title(item.text) and (not item.chrome or _is_heading(item.owner)):
            return item.text, item
    return None, None


def _is_heading(el: Any) -> bool:
    names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return _tag(el) in ("h1", "h2", "h3") or "title" in names or "tit" in names.split()


def _is_title(text: str) -> bool:
    return 6 <= len(text) <= 100 and bool(_TITLE_RE.search(text)) and not text.startswith("本")


def _repeats_title(text: str, blocks: list[Block]) -> bool:
    """The title found above the content area and printed again as its first line."""
    return len(blocks) == 1 and isinstance(blocks[0], Paragraph) and blocks[0].text == text


def _loc(path: str | None, paths: _Paths, el: Any) -> Loc:
    return Loc(file=path, line=el.sourceline, path=paths.css(el))


def _table(item: _Tab, index: int, path: str | None, paths: _Paths) -> Table:
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
    items: list[_Item],
    inside: list[bool],
    area: Any,
    images: list[tuple[str, Any]],
    properties: dict[str, Any],
    path: str | None,
    paths: _Paths,
) -> list[ExtractionNote]:
    """EXT-005 for a report whose tables are pictures or whose text is only an attachment —
    only when the content area has no table with numbers, so the note names what to open."""
    if any(inside[i] and isinstance(it, _Tab) and it.numeric for i, it in enumerate(items)):
        return []
    base = properties.get("url")
    notes: list[ExtractionNote] = []
    pictures = [
        it
        for i, it in enumerate(items)
        if inside[i] and isinstance(it, _Ref) and it.kind == "image" and not it.chrome and _content_image(it)
    ]
    pictures += [_Ref("image", src, el) for src, el in images if _inside(el, area)]
    for ref in _unique(pictures)[:10]:
        url = _show_url(ref.url)
        data: dict[str, Any] = {"url": url, "kind": "image"}
        if base and not ref.url.startswith("data:"):
            data["absolute_url"] = urljoin(base, ref.url)
        notes.append(
            problem(
                "EXT-005",
                f"正文中有图片 {url}，报告表格可能仅以图片形式提供，请打开图片核对",
                loc=Loc(file=path, path=paths.css(ref.owner)),
                **data,
            )
        )
    attachments = [
        it for i, it in enumerate(items) if inside[i] and isinstance(it, _Ref) and it.kind == "attachment"
    ]
    if not attachments:
        attachments = [
            it
            for it in items
            if isinstance(it, _Ref)
            and it.kind == "attachment"
            and not it.chrome
            and (re.search(r"报告|年报|附件", it.text) or _DOC_EXT_RE.search(it.text))
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
                loc=Loc(file=path, path=paths.css(ref.owner)),
                **data,
            )
        )
    return notes


def _content_image(ref: _Ref) -> bool:
    if _ICON_SRC_RE.search(ref.url):
        return False
    for attr in ("width", "height"):
        value = re.match(r"\s*(\d+)", ref.owner.get(attr) or "")
        if value and int(value.group(1)) < 40:
            return False
    return True


def _unique(refs: list[_Ref]) -> list[_Ref]:
    seen: set[str] = set()
    out: list[_Ref] = []
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
