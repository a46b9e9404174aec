"""Year on year: what changed between a body's two reports — `reportparse diff OLD NEW` and the
同比 section of the batch outputs (batch/yearly.py), one computation for both.

Per section, the similarity of its text (the same measure as QLT-001: Jaccard similarity of
character 4-grams, years masked) and the changed sentences, paired side by side: a sentence-level
diff (years masked, so a sentence that only changed its year is unchanged), and in each changed
stretch the removed and added sentences aligned by similarity (an order-keeping alignment that
pairs a sentence with its rewritten version; what has no counterpart stands alone). Per table
cell, the old and new value, and the large jumps (at least `ratio` times up or down — doubled or
halved by default — and by 10 or more) flagged for attention (NUM-005).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..model import Number, Report, ReportHead
from ..rules.batch import comparable, jaccard, shingles

_SENTENCE_RE = re.compile(r"(?<=[。；！？!?;])|\n+")
JUMP_RATIO = 2.0  # a cell at least doubled or halved ...
JUMP_MIN = 10  # ... by at least this much is flagged
PAIR_MIN = 0.4  # two sentences this similar (difflib ratio, years masked) are one sentence rewritten
_PAIR_CELLS = 4000  # beyond this many candidate pairs in one changed stretch, pair by quick ratio


@dataclass(frozen=True)
class SentencePair:
    """A changed sentence: old ↔ new (one side None: removed or added)."""

    old: str | None
    new: str | None
    similarity: float | None  # of a pair; None for a sentence standing alone

    def to_dict(self) -> dict[str, Any]:
        sim = None if self.similarity is None else round(self.similarity, 3)
        return {"old": self.old, "new": self.new, "similarity": sim}


@dataclass(frozen=True)
class SectionChange:
    number: int
    heading: str
    similarity: float | None  # None: the section is missing in one of the reports
    pairs: tuple[SentencePair, ...]  # the changed sentences, in text order

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(p.old for p in self.pairs if p.old is not None and p.new is None)

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(p.new for p in self.pairs if p.new is not None and p.old is None)

    @property
    def percent(self) -> str:
        return "一方缺少本部分" if self.similarity is None else f"{100 * self.similarity:.1f}%"

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "heading": self.heading,
            "similarity": None if self.similarity is None else round(self.similarity, 3),
            "changes": [p.to_dict() for p in self.pairs],
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
    """The comparison; it keeps the two reports' heads (source, metadata), never the reports."""

    old: ReportHead
    new: ReportHead
    sections: tuple[SectionChange, ...]
    cells: tuple[CellChange, ...]  # only cells whose value or kind changed
    ratio: float = JUMP_RATIO

    @property
    def jumps(self) -> tuple[CellChange, ...]:
        return tuple(c for c in self.cells if c.jump)

    def line(self) -> str:
        """One line: 与2023年报告（…）相比：各部分相似度 …；表格 N 个单元格有变化，其中大幅变化 M 个."""
        parts = "、".join(f"{PARTS[s.number - 1]} {s.percent}" for s in self.sections)
        return (
            f"与{where(self.old)}相比：各部分相似度 {parts or '无'}；"
            f"表格 {len(self.cells)} 个单元格有变化，其中大幅变化 {len(self.jumps)} 个"
        )

    def to_dict(self) -> dict[str, Any]:
        def who(r: ReportHead) -> dict[str, Any]:
            return {"path": r.source.path, "organization": r.meta.organization, "year": r.meta.year}

        return {
            "old": who(self.old),
            "new": who(self.new),
            "sections": [s.to_dict() for s in self.sections],
            "cells": [c.to_dict() for c in self.cells],
            "jumps": len(self.jumps),
        }


PARTS = "一二三四五六"


def where(head: ReportHead) -> str:
    return f"{head.meta.year or '年度不详'}年报告（{head.source.path or '字节输入'}）"


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.split(text) if s and s.strip()]


def _ratio(a: str, b: str, quick: bool) -> float:
    m = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return m.quick_ratio() if quick else m.ratio()


def pair_sentences(
    old: list[str], new: list[str], old_keys: list[str], new_keys: list[str]
) -> list[SentencePair]:
    """The removed sentences `old` and the added ones `new` of one changed stretch, aligned in
    order: the alignment with the greatest total similarity over pairs at least PAIR_MIN similar
    (dynamic programming, as in sequence alignment); the rest stand alone, in text order."""
    n, m = len(old), len(new)
    if not n or not m:
        return [SentencePair(s, None, None) for s in old] + [SentencePair(None, s, None) for s in new]
    quick = n * m > _PAIR_CELLS
    sim = [[_ratio(a, b, quick) for b in new_keys] for a in old_keys]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = sim[i][j] + best[i + 1][j + 1] if sim[i][j] >= PAIR_MIN else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    out: list[SentencePair] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] >= PAIR_MIN and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            out.append(SentencePair(old[i], new[j], sim[i][j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            out.append(SentencePair(old[i], None, None))
            i += 1
        else:
            out.append(SentencePair(None, new[j], None))
            j += 1
    out += [SentencePair(s, None, None) for s in old[i:]] + [SentencePair(None, s, None) for s in new[j:]]
    return out


def _section_change(number: int, old: Report, new: Report) -> SectionChange | None:
    a, b = old.section(number), new.section(number)
    if a is None and b is None:
        return None
    if a is None or b is None:
        gone = tuple(SentencePair(s, None, None) for s in sentences(a.text)) if a is not None else ()
        came = tuple(SentencePair(None, s, None) for s in sentences(b.text)) if b is not None else ()
        heading = b.heading if b is not None else a.heading if a is not None else ""
        return SectionChange(number, heading, None, gone + came)
    ta, tb = comparable(a.text), comparable(b.text)
    if ta == tb:  # the same text but for years and white space: nothing to pair
        return SectionChange(number, b.heading, 1.0, ())
    sim = jaccard(shingles(ta), shingles(tb))
    sa, sb = sentences(a.text), sentences(b.text)
    ka, kb = [comparable(s) for s in sa], [comparable(s) for s in sb]
    pairs: list[SentencePair] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ka, b=kb, autojunk=False).get_opcodes():
        if op != "equal":
            pairs += pair_sentences(sa[i1:i2], sb[j1:j2], ka[i1:i2], kb[j1:j2])
    return SectionChange(number, b.heading, sim, tuple(pairs))


def is_jump(old: Number | None, new: Number | None, ratio: float = JUMP_RATIO) -> bool:
    """At least `ratio` times up or down (from or to 0 counts), and by JUMP_MIN or more."""
    if old is None or new is None:
        return False
    a, b = Decimal(old), Decimal(new)
    lo, hi = min(abs(a), abs(b)), max(abs(a), abs(b))
    return abs(b - a) >= JUMP_MIN and (lo == 0 or hi / lo >= Decimal(str(ratio)))


_jump = is_jump  # the name the tests knew


def year_on_year(old: Report, new: Report, ratio: float = JUMP_RATIO) -> YearOnYear:
    sections = tuple(c for n in range(1, 7) if (c := _section_change(n, old, new)) is not None)
    cells: list[CellChange] = []
    for name in ("active_disclosure", "applications", "review_litigation"):
        ta, tb = old.tables[name], new.tables[name]
        if ta is None or tb is None:
            continue
        for cid in [c for c in tb.cells if c in ta.cells]:
            a, b = ta.cells[cid], tb.cells[cid]
            if (a.kind, a.value) != (b.kind, b.value):
                jump = is_jump(a.value, b.value, ratio)
                cells.append(CellChange(f"{name}.{cid}", a.value, b.value, a.raw, b.raw, jump))
    return YearOnYear(old.head, new.head, sections, tuple(cells), ratio)
