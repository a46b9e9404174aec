"""The report's content area among the page chrome (menus, breadcrumbs, metadata boxes, share
links, footers): the smallest element holding every report heading and number table found on
the page, else the container with the most text that is not links.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from lxml import etree

from ...templates import common
from .clean import CONTENT_CLASS_RE, norm, tag_of, text_content
from .walk import Item, Para, Tab

# --- page chrome ------------------------------------------------------------------------------


def chrome_elements(named: list[Any], body: Any) -> set[Any]:
    """Small boxes whose class or id names them as page furniture (breadcrumbs, share bars…),
    among those still in the page."""
    out: set[Any] = set()
    for el in named:
        up = el
        while up is not None and up is not body:
            up = up.getparent()
        if up is not body or next(el.iter("table"), None) is not None:
            continue
        text = text_content(el)
        if len(text) < 300 or len(norm(text)) < 300:  # normalising never lengthens
            out.add(el)
    return out


# --- content area -----------------------------------------------------------------------------

# the six section headings, in the order of the sections (`marks_of` gives their positions)
_MARKERS = tuple(re.compile(s.heading_pattern) for s in common().sections)
_AREA_TAGS = frozenset(
    {"div", "td", "article", "section", "main", "body", "center", "blockquote", "font", "span"}
)


def owner_of(item: Item) -> Any:
    return item.el if isinstance(item, Tab) else item.owner


_NO_MARKS: frozenset[int] = frozenset()


def marks_of(item: Item) -> frozenset[int]:
    if not isinstance(item, Para):
        return _NO_MARKS
    if item.marks is None:
        if item.link_chars * 2 > len(item.text) or len(item.text) > 80:
            item.marks = _NO_MARKS
        else:
            flat = item.text.replace(" ", "")
            item.marks = frozenset(i for i, rx in enumerate(_MARKERS) if rx.search(flat))
    return item.marks


def choose_area(items: list[Item], body: Any) -> Any:
    """The smallest element holding every report heading and number table found on the page;
    without headings, the container with the most non-link paragraph text (CMS content
    classes count extra)."""
    stats: dict[Any, tuple[set[int], int]] = {}
    total_markers: set[int] = set()
    total_tables = 0
    for item in items:
        if item.chrome:
            continue
        marks = marks_of(item)
        tables = 1 if isinstance(item, Tab) and item.numeric else 0
        if not marks and not tables:
            continue
        total_markers |= marks
        total_tables += tables
        el = owner_of(item)
        while el is not None:
            m, t = stats.get(el, (set(), 0))
            stats[el] = (m | marks, t + tables)
            el = el.getparent()
    if len(total_markers) >= 2 or total_tables:
        full = [
            el
            for el, (m, t) in stats.items()
            if m == total_markers and t == total_tables and tag_of(el) in _AREA_TAGS | {"p", "table"}
        ]
        if full:
            return max(full, key=_depth)
    scores: dict[Any, float] = {}
    for item in items:
        if not isinstance(item, Para) or item.chrome:
            continue
        n = len(item.text) - item.link_chars
        if n < 25:
            continue
        el, weight = owner_of(item), 1.0
        hops = 0
        while el is not None and hops < 3:
            if tag_of(el) in _AREA_TAGS:
                bonus = (
                    1.5 if CONTENT_CLASS_RE.search(f"{el.get('class') or ''} {el.get('id') or ''}") else 1.0
                )
                scores[el] = scores.get(el, 0.0) + n * weight * bonus
                weight /= 2
                hops += 1
            el = el.getparent()
    return max(scores, key=lambda e: scores[e]) if scores else body


# Some element limits().max_html_depth + 1 levels below the root (what libxml2 builds is shallower anyway):
# one XPath step per level, evaluated in C.
@lru_cache(maxsize=8)
def too_deep(depth: int) -> Any:
    return etree.XPath("boolean(/*" + "/*" * depth + "/node()[not(self::text())])")


def is_inside(el: Any, area: Any) -> bool:
    while el is not None:
        if el is area:
            return True
        el = el.getparent()
    return False


def _depth(el: Any) -> int:
    return sum(1 for _ in el.iterancestors())


def under(elements: set[Any]) -> Callable[[Any], bool]:
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
