"""Match printed labels to template labels: exact after normalisation, then tolerant of typos.

A typo is accepted only when one template label is clearly the closest and it sits where the
row order expects it; the match records how it was made so rules can report the edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache

from ..normalize import norm_label

_NUMBERING_RE = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\)|\d{1,2}\.)+"
)


def core(label: str) -> str:
    """A normalised label without its leading item numbering (`（三）`, `1.`, `一、`)."""
    return _NUMBERING_RE.sub("", norm_label(label))


@dataclass(frozen=True)
class Candidate:
    key: str  # caller's id for the label (row id, column id, …)
    label: str  # the template's wording
    norm: str
    core: str


@dataclass(frozen=True)
class LabelHit:
    key: str
    how: str  # "exact" | "variant" | "typo" | "partial"
    expected: str
    score: float


@cache
def candidate(key: str, label: str) -> Candidate:
    return Candidate(key, label, norm_label(label), core(label))


class LabelSet:
    """Template labels indexed once for exact lookups by normalised text and by core."""

    def __init__(self, candidates: tuple[Candidate, ...]) -> None:
        self.candidates = candidates
        self.by_norm = {c.norm: c for c in reversed(candidates)}
        self.by_core = {c.core: c for c in reversed(candidates) if len(c.core) >= 4}

    def exact(self, n: str, c: str) -> Candidate | None:
        return self.by_norm.get(n) or (self.by_core.get(c) if len(c) >= 4 else None)


@lru_cache(maxsize=4096)
def _scored(c: str, candidates: tuple[Candidate, ...]) -> tuple[tuple[float, Candidate], ...]:
    """Similarity of a label core to every candidate, best first (cached: labels repeat across reports)."""
    out = []
    for cand in candidates:
        m = SequenceMatcher(None, c, cand.core, autojunk=False)
        if m.real_quick_ratio() >= 0.8 and m.quick_ratio() >= 0.8:
            out.append((m.ratio(), cand))
    out.sort(key=lambda p: -p[0])
    return tuple(out)


def match_label(
    printed: str,
    labels: LabelSet,
    variants: LabelSet | None = None,
    expected_keys: frozenset[str] = frozenset(),
) -> LabelHit | None:
    """Best template label for `printed`, or None.

    Exact (normalised, or without numbering when the core is specific enough) beats a known
    variant, which beats a fragment of a label, which beats a typo; a fragment or typo must be
    unique and, when `expected_keys` is given, be one of the labels the row order expects here.
    """
    n = norm_label(printed)
    if not n:
        return None
    c = _NUMBERING_RE.sub("", n)
    hit = labels.exact(n, c)
    if hit is not None:
        return LabelHit(hit.key, "exact", hit.label, 1.0)
    if variants is not None:
        hit = variants.exact(n, c)
        if hit is not None:
            return LabelHit(hit.key, "variant", hit.label, 1.0)
    if len(c) < 4:
        return None
    candidates = labels.candidates
    if len(c) >= 6:
        # a fragment of a label broken over lines by a converter ("行政机关不再处理其政府信息公")
        holders = [cand for cand in candidates if c in cand.core and c != cand.core]
        if expected_keys and len(holders) > 1:
            holders = [cand for cand in holders if cand.key in expected_keys]
        if len(holders) == 1 and (not expected_keys or holders[0].key in expected_keys):
            return LabelHit(holders[0].key, "partial", holders[0].label, len(c) / len(holders[0].core))
    scored = _scored(c, candidates)
    if not scored:
        return None
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best_score < 0.8 or best_score - runner_up < 0.1:
        return None
    if expected_keys and best.key not in expected_keys:
        return None
    return LabelHit(best.key, "typo", best.label, best_score)
