"""Cleaning the parsed page, and text normalised as a browser shows it.

One pass over every element (`clean_page`) drops scripts, styles, hidden elements and Word's VML
and XML islands, and notes on the way what later steps need (Word list markers, VML pictures,
elements named like page furniture), so that no later step walks the whole tree again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .paths import Paths

# --- text normalisation -----------------------------------------------------------------------

_WS_RE = re.compile(r"[ \t\n\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_ZW_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# the same characters as UTF-8 bytes: every byte of a multi-byte sequence is >= 0x80
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def norm(s: str) -> str:
    """Whitespace as a browser shows it: &nbsp;, tabs, line breaks and full-width spaces collapse
    to one space; zero-width characters vanish."""
    if s.isalnum():  # no whitespace and no zero-width (format) characters: most table cells
        return s
    return _WS_RE.sub(" ", _ZW_RE.sub("", s)).strip()


def text_content(el: Any) -> str:
    """All text inside an element (lxml.html's `text_content()`: libxml2's node content, here
    without an XPath evaluation per call)."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


# --- cleaning ---------------------------------------------------------------------------------


def words(s: str) -> tuple[str, ...]:
    return tuple(s.split())


BLOCK_TAGS = frozenset(
    words(
        "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre section article main aside center address "
        "figure figcaption tr td th caption tbody thead tfoot body html hr fieldset legend details summary "
        "menu dir table"
    )
)
_DROP_TAGS = frozenset(
    words(
        "script style noscript nav iframe frame frameset form template object embed applet select button "
        "input textarea svg math canvas audio video map marquee xml head title meta link base dialog"
    )
)
# what breaks a cell's text into lines, or is left out of it
BREAK_TAGS = BLOCK_TAGS | {"br", "img"}
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
CONTENT_CLASS_RE = re.compile(
    r"trs_editor|article_?content|article_?con|zoom|custom_unionstyle|wordsection|view\s*trs|"
    r"(?:^|[-_\s])(?:content|article|detail|zw|zhengwen|text|main-?text|pages?_content|con)(?:$|[-_\s\d])",
    re.I,
)


def tag_of(el: Any) -> str:
    """Element names are lowercase after `clean_page` (comments and the like are dropped there)."""
    tag = el.tag
    return tag if isinstance(tag, str) else ""


@dataclass
class Cleaned:
    images: list[tuple[str, Any]]  # Word's VML pictures (v:imagedata src)
    markers: set[Any]  # elements styled as Word list markers (mso-list:Ignore)
    named: list[Any]  # elements whose class or id names them as page furniture


def clean_page(root: Any, paths: Paths) -> Cleaned:
    """One pass over the page as parsed: drop what a browser does not show and Word-only markup
    (VML shapes, XML islands); on the way, note Word list markers, VML pictures and elements
    named like page furniture, so that no later step needs another pass over every element."""
    doomed: list[Any] = []
    out = Cleaned([], set(), [])
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
                        and not CONTENT_CLASS_RE.search(names)
                    )
                if hit:
                    out.named.append(el)
        if tag in _CLEAN_TAGS:
            if tag in _DROP_TAGS:
                drop = True
            elif tag in ("header", "footer"):
                if not any(tag_of(a) in ("article", "main") for a in el.iterancestors()):
                    drop = True
            elif tag == "div":
                if (el.get("title") or "").lower() in ("header", "footer"):  # LibreOffice page furniture
                    drop = True
            elif tag == "tr":
                if (el.get("height") or "").strip() in ("0", "0px") and not norm(text_content(el)):
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


def _lowercase_tag(el: Any, tag: str, paths: Paths) -> str:
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
