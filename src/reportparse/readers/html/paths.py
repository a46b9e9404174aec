"""CSS-like locations of page elements (`div#content > table:nth-of-type(2) > tr > td`),
counted on the page as served, before cleaning drops or renames anything."""

from __future__ import annotations

import re
from typing import Any

_CSS_IDENT_RE = re.compile(r"-?[A-Za-z_][\w-]*")


class Paths:
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
