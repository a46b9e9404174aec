"""Which template a report follows (template-spec §4.4), weighing the report year with the markers.

Each version prints words the other does not (表二's column headers, 表三's （六） sub-rows); the
pre-2019 free format has its own (同意公开答复数, 历年累计 …). A marker is weak evidence alone:
`政府集中采购项目类信息` is a 2019 marker and an old category name alike. So the year decides
first — before the first standard template (2019) a report is legacy unless it really prints a
standard table — and markers decide among the rest. A report that prints the six standard parts
but no readable table follows the template of its year: its tables are missing, not its format.
"""

from __future__ import annotations

from typing import cast

from ..model import TemplateVersion
from ..normalize import norm_label
from . import VERSIONS, common, expected_version, template


def prints_standard_table(norm: str) -> bool:
    """A row label only the standard 表三 prints (in text folded by `norm_text`)."""
    return any(norm_label(r.label) in norm for v in VERSIONS for r in template(v).app_rows[:2])


def detect_version(
    norm: str, year: int | None, standard_sections: int = 0
) -> tuple[TemplateVersion, dict[str, int]]:
    """The dominant version and the marker count of each (and of the legacy free format).

    `norm` is the document's text folded by `norm_text`; `standard_sections` how many of its
    headings are the template's (or a known variant).
    """
    scores = {v: sum(1 for m in template(v).markers if norm_label(m) in norm) for v in VERSIONS}
    scores["legacy"] = sum(1 for m in common().legacy_markers if norm_label(m) in norm)
    marked = max(scores[v] for v in VERSIONS)
    tables = prints_standard_table(norm)
    expected = expected_version(year)
    if expected == "legacy" and not (tables and marked >= 2):
        return "legacy", scores
    if marked == 0 or (scores["legacy"] > marked and not tables):
        if scores["legacy"]:
            return "legacy", scores
        if (tables or standard_sections >= 4) and expected in VERSIONS:
            return expected, scores  # type: ignore[return-value]
        return "unknown", scores
    if scores["2021"] == scores["2019"]:
        return (expected if expected in VERSIONS else "2021"), scores  # type: ignore[return-value]
    return cast(TemplateVersion, max(VERSIONS, key=lambda v: scores[v])), scores
