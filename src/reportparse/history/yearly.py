"""Year on year: what changed between a body's two reports (`reportparse diff OLD NEW`).

Per section, the similarity of its text (the same measure as QLT-001: Jaccard similarity of
character 4-grams, years masked) and the sentences removed and added (a sentence-level diff,
years masked, so a sentence that only changed its year is unchanged); per table cell, the old and
new value, and the large jumps (at least doubled or halved, and by 10 or more) flagged for
attention.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..model import Number, Report
from ..rules.batch import comparable, jaccard, shingles

_SENTENCE_RE = re.compile(r"(?<=[。；！？!?;])|\n+")
JUMP_RATIO = 2.0  # a cell at least doubled or halved ...
JUMP_MIN = 10  # ... by at least this much is flagged


@dataclass(frozen=True)
class SectionChange:
    number: int
    heading: str
    similarity: float | None  # None: the section is missing in one of the reports
    removed: tuple[str, ...]
    added: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "heading": self.heading,
            "similarity": None if self.similarity is None else round(self.similarity, 3),
            "removed": list(self.removed),
            "added": list(self.added),
        }


@dataclass(frozen=True)
class CellChange:
    cell: str  # qualified id
    old: Number | None
    new: Number | None
    old_raw: str
    new_raw: str
    jump: bool

    def to_dict(self) -> dict[str, Any]:
        def num(v: Number | None) -> Any:
            return str(v) if isinstance(v, Decimal) else v

        return {
            "cell": self.cell,
            "old": num(self.old),
            "new": num(self.new),
            "old_raw": self.old_raw,
            "new_raw": self.new_raw,
            "jump": self.jump,
        }


@dataclass(frozen=True)
class YearOnYear:
    old: Report
    new: Report
    sections: tuple[SectionChange, ...]
    cells: tuple[CellChange, ...]  # only cells whose value or kind changed

    def to_dict(self) -> dict[str, Any]:
        def who(r: Report) -> dict[str, Any]:
            return {"path": r.source.path, "organization": r.meta.organization, "year": r.meta.year}

        return {
            "old": who(self.old),
            "new": who(self.new),
            "sections": [s.to_dict() for s in self.sections],
            "cells": [c.to_dict() for c in self.cells],
        }


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.split(text) if s and s.strip()]


def _section_change(number: int, old: Report, new: Report) -> SectionChange | None:
    a, b = old.section(number), new.section(number)
    if a is None and b is None:
        return None
    heading = (b or a).heading  # type: ignore[union-attr]
    if a is None or b is None:
        return SectionChange(
            number,
            heading,
            None,
            tuple(sentences(a.text)) if a else (),
            tuple(sentences(b.text)) if b else (),
        )
    sim = jaccard(shingles(comparable(a.text)), shingles(comparable(b.text)))
    sa, sb = sentences(a.text), sentences(b.text)
    ka, kb = [comparable(s) for s in sa], [comparable(s) for s in sb]
    removed: list[str] = []
    added: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ka, b=kb, autojunk=False).get_opcodes():
        if op != "equal":
            removed += sa[i1:i2]
            added += sb[j1:j2]
    return SectionChange(number, heading, sim, tuple(removed), tuple(added))


def _jump(old: Number | None, new: Number | None) -> bool:
    if old is None or new is None:
        return False
    a, b = Decimal(old), Decimal(new)
    lo, hi = min(abs(a), abs(b)), max(abs(a), abs(b))
    return abs(b - a) >= JUMP_MIN and (lo == 0 or hi / lo >= Decimal(str(JUMP_RATIO)))


def year_on_year(old: Report, new: Report) -> YearOnYear:
    sections = tuple(c for n in range(1, 7) if (c := _section_change(n, old, new)) is not None)
    cells: list[CellChange] = []
    for name in ("active_disclosure", "applications", "review_litigation"):
        ta, tb = old.tables[name], new.tables[name]
        if ta is None or tb is None:
            continue
        for cid in [c for c in tb.cells if c in ta.cells]:
            a, b = ta.cells[cid], tb.cells[cid]
            if (a.kind, a.value) != (b.kind, b.value):
                cells.append(
                    CellChange(f"{name}.{cid}", a.value, b.value, a.raw, b.raw, _jump(a.value, b.value))
                )
    return YearOnYear(old, new, sections, tuple(cells))
