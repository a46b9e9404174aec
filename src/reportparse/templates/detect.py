"""Which template a report follows, from the marker strings of each version (template-spec §4.4)."""

from __future__ import annotations

from ..document import Document
from ..model import TemplateVersion
from ..normalize import norm_label
from . import VERSIONS, common, expected_version, template


def document_text(document: Document) -> str:
    parts = [p.text for p in document.paragraphs()]
    for t in document.tables():
        parts.extend(c.text for c in t.cells)
    return "\n".join(parts)


def detect_version(text: str, year: int | None) -> tuple[TemplateVersion, dict[str, int]]:
    """The dominant version and the marker count of each (and of the legacy free format)."""
    norm = norm_label(text)
    scores = {v: sum(1 for m in template(v).markers if norm_label(m) in norm) for v in VERSIONS}
    scores["legacy"] = sum(1 for m in common().legacy_markers if norm_label(m) in norm)
    best = max(VERSIONS, key=lambda v: scores[v])
    if scores["2021"] == scores["2019"]:
        if scores["2021"] == 0:
            if scores["legacy"]:
                return "legacy", scores
            has_tables = norm_label("本年新收政府信息公开申请数量") in norm
            expected = expected_version(year)
            if has_tables and expected in VERSIONS:
                return expected, scores  # type: ignore[return-value]
            return "unknown", scores
        expected = expected_version(year)
        best = expected if expected in VERSIONS else "2021"
    return best, scores  # type: ignore[return-value]
