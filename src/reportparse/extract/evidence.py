"""What the document prints: the evidence a rule needs before it accuses the body.

A reader that could not place a row has not shown that the body left it out. So a row is
*missing* only when its label is printed nowhere in the file; a row whose label is printed but
whose cells were not read is *unread*, and a table whose words are printed but that could not be
read as a table is *failed*, not absent. Rules accuse only what is missing; what is unread they
list as not verified.

Searches run on the whole document folded once by `norm_text` (white space gone, so a label
broken over lines or cells still matches). A short label (`规章`, `其他`) counts as printed only
with a number after it, since such words also occur in prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..document import Document
from ..model import TableName
from ..normalize import norm_label, norm_text
from ..templates import Template

_SHORT = 4  # labels up to this long need a number right after them in running text
_NUMBER_AFTER = re.compile(r"^\D{0,6}\d")


@dataclass(frozen=True)
class Evidence:
    """The document's text folded once: whole (`norm`) and as its separate lines and cells."""

    norm: str
    lines: frozenset[str]

    @classmethod
    def of(cls, document: Document) -> Evidence:
        parts = [p.text for p in document.paragraphs()]
        parts += [c.text for t in document.tables() for c in t.cells]
        folded: dict[str, str] = {}  # each text folded once: tables print the same few many times

        def norm(text: str) -> str:
            if text not in folded:
                folded[text] = norm_text(text)
            return folded[text]

        lines = frozenset(norm(line) for part in parts for line in part.splitlines())
        return cls(norm_text("\n".join(parts)), lines | frozenset(norm(p) for p in parts))

    def printed(self, label: str) -> bool:
        """Whether the document prints `label`: as a line or cell of its own, or in running text
        (a short one followed by a number there)."""
        key = norm_label(label)
        if not key:
            return False
        if key in self.lines or (len(key) > _SHORT and key in self.norm):
            return True
        return any(_NUMBER_AFTER.match(self.norm, m.end()) for m in re.finditer(re.escape(key), self.norm))


def row_labels(t: Template, name: TableName) -> dict[str, tuple[str, ...]]:
    """Each row (表四: group) id with the labels that print it."""
    if name == "applications":
        return {r.id: (r.label, *r.variants) for r in t.app_rows} | {"other": ("（六）其他处理",)}
    if name == "review_litigation":
        return {g.id: (g.label,) for g in t.review_groups}
    return {r.id: (r.label, *r.variants) for _, r in t.active_rows}


def printed_rows(t: Template, name: TableName, rows: Iterable[str], evidence: Evidence) -> tuple[str, ...]:
    """The rows among `rows` whose label the document prints."""
    labels = row_labels(t, name)
    return tuple(r for r in rows if any(evidence.printed(lb) for lb in labels.get(r, ())))


def table_words(t: Template, name: TableName) -> tuple[str, ...]:
    """Words only the table itself prints (never a section heading or a usual sentence)."""
    if name == "applications":
        return tuple(r.label for r in t.app_rows if len(norm_label(r.label)) > 8)
    if name == "review_litigation":
        return (
            *(c.label for c in t.review_columns if c.id != "total"),
            *(g.label for g in t.review_groups[1:]),
        )
    return (*(b.caption for b in t.blocks), *dict.fromkeys(c.label for b in t.blocks for c in b.columns))


def table_printed(t: Template, name: TableName, evidence: Evidence) -> bool:
    """At least two of the table's own words are printed: the table is there, read or not."""
    return sum(1 for w in table_words(t, name) if norm_label(w) in evidence.norm) >= 2
