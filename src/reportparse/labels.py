"""Match printed labels to template labels: exact after normalisation, then tolerant of typos.

A typo is accepted only when one template label is clearly the closest and it sits where the
row order expects it; the match records how it was made so rules can report the edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache

from .normalize import norm_label

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


def match_label(
    printed: str,
    candidates: tuple[Candidate, ...],
    variants: tuple[Candidate, ...] = (),
    expected_keys: frozenset[str] = frozenset(),
) -> LabelHit | None:
    """Best template label for `printed`, or None.

    Exact (normalised, or without numbering when the core is specific enough) beats a known
    variant, which beats a typo; a typo must be unique and, when `expected_keys` is given, be
    one of the labels the row order expects at this point.
    """
    n = norm_label(printed)
    if not n:
        return None
    c = _NUMBERING_RE.sub("", n)
    for cand in candidates:
        if n == cand.norm or (len(c) >= 4 and c == cand.core):
            return LabelHit(cand.key, "exact", cand.label, 1.0)
    for cand in variants:
        if n == cand.norm or (len(c) >= 4 and c == cand.core):
            return LabelHit(cand.key, "variant", cand.label, 1.0)
    if len(c) < 4:
        return None
    if len(c) >= 6:
        # a fragment of a label broken over lines by a converter ("行政机关不再处理其政府信息公")
        holders = [cand for cand in candidates if c in cand.core and c != cand.core]
        if expected_keys and len(holders) > 1:
            holders = [cand for cand in holders if cand.key in expected_keys]
        if len(holders) == 1 and (not expected_keys or holders[0].key in expected_keys):
            return LabelHit(holders[0].key, "partial", holders[0].label, len(c) / len(holders[0].core))
    scored = sorted(
        ((SequenceMatcher(None, c, cand.core).ratio(), cand) for cand in candidates), key=lambda p: -p[0]
    )
    if not scored:
        return None
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best_score < 0.8 or best_score - runner_up < 0.1:
        return None
    if expected_keys and best.key not in expected_keys:
        return None
    return LabelHit(best.key, "typo", best.label, best_score)
