"""`check --history`: the bodies of a batch across the years the store holds — each year's
status (from the coverage audits recorded with --roster, else from the stored reports), counts
of findings, and the findings found in more than one year — for the coverage view (bodies ×
years) and the per-body history of the HTML page (render/timeline.py). Also written here: a
coverage audit into the store, so that a body with no report has a history too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..history import HistoryStore, StoredCoverage, StoredReport, decisions
from .coverage import Coverage
from .results import FileResult

# a year's status: a coverage status (published | missing | late | duplicate), or, for a year
# with no recorded coverage audit, "stored" (a report is in the store)
STATUS_CN = {
    "published": "已发布",
    "missing": "未发布",
    "late": "逾期发布",
    "duplicate": "多份报告",
    "stored": "有报告",
}


@dataclass(frozen=True)
class YearStatus:
    year: int
    status: str  # see STATUS_CN
    files: tuple[str, ...]
    errors: int
    warnings: int
    info: int


@dataclass(frozen=True)
class Repeated:
    rule: str
    message: str  # as last worded
    years: tuple[int, ...]
    confirmed: tuple[int, ...]  # the years a reviewer confirmed it 需整改


@dataclass(frozen=True)
class BodyHistory:
    body: str  # normalised name
    shown: str  # as printed (the roster's, else the latest report's)
    years: tuple[YearStatus, ...]
    repeated: tuple[Repeated, ...]


@dataclass(frozen=True)
class Timeline:
    years: tuple[int, ...]
    bodies: tuple[BodyHistory, ...]


def record_coverage(store: HistoryStore, coverage: Coverage) -> None:
    """The run's coverage audit into the store, each body with the roster's findings about it."""
    rows = []
    for row in coverage.rows:
        about = [f.to_dict() for f in coverage.findings if f"「{row.body}」" in f.message]
        rows.append({**row.to_dict(), "findings": about})
    store.put_coverage(coverage.year, coverage.roster, rows)


def timeline(store: HistoryStore, results: Sequence[FileResult], coverage: Coverage | None) -> Timeline:
    """The history of every body of the batch (and of the roster, with one)."""
    names: dict[str, str] = {}
    for r in results:
        if r.head is not None and (key := store.body_of(r.head.meta.organization)) is not None:
            names.setdefault(key, r.head.meta.organization or key)
    if coverage is not None:
        for row in coverage.rows:
            if (key := store.body_of(row.body)) is not None:
                names[key] = row.body
    book = decisions(store)
    reports: dict[str, list[StoredReport]] = {}
    for rep in store.reports():  # one query each for reports and coverage, grouped here
        if rep.body in names:
            reports.setdefault(rep.body, []).append(rep)
    audits: dict[str, list[StoredCoverage]] = {}
    for cov in store.coverage():
        if cov.body in names:
            audits.setdefault(cov.body, []).append(cov)
    bodies = []
    every_year: set[int] = set()
    for key in sorted(names):
        by_year: dict[int, YearStatus] = {}
        for rep in reports.get(key, []):
            if rep.year is None:
                continue
            old = by_year.get(rep.year)
            files = (*(old.files if old else ()), rep.path)
            by_year[rep.year] = YearStatus(
                rep.year,
                "duplicate" if old else "stored",
                files,
                rep.errors + (old.errors if old else 0),
                rep.warnings + (old.warnings if old else 0),
                rep.info + (old.info if old else 0),
            )
        for cov in audits.get(key, []):
            had = by_year.get(cov.year)
            by_year[cov.year] = YearStatus(
                cov.year,
                cov.status,
                cov.files,
                had.errors if had else sum(1 for f in cov.findings if f.get("severity") == "error"),
                had.warnings if had else 0,
                had.info if had else 0,
            )
        repeated = tuple(
            Repeated(
                rule,
                message,
                years,
                tuple(y for y in years if (d := book.get((fp, y))) and d.decision == "confirmed"),
            )
            for fp, rule, message, years in store.repeated(key)
        )
        every_year.update(by_year)
        bodies.append(BodyHistory(key, names[key], tuple(by_year[y] for y in sorted(by_year)), repeated))
    return Timeline(tuple(sorted(every_year)), tuple(bodies))


__all__ = ["BodyHistory", "Repeated", "Timeline", "YearStatus", "record_coverage", "timeline"]
