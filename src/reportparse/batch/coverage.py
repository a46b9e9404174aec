"""`check --roster FILE`: the batch as a coverage audit of the bodies on a roster.

Every report of the audited year is matched to a roster body by its normalised name (the
history store's, with its aliases when a store is used) or one of the body's aliases on the
roster. Then, per body: no report (PUB-006, recorded on the roster file), several reports
(PUB-007 on each), a report published after the roster's local deadline (PUB-005); and per
report of the year: a body the roster does not list (PUB-008). The findings of a file join its
result; the roster's own findings and the table of bodies × status (覆盖情况) are the run's
`coverage`, which every batch format shows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..findings import Finding, Unverified
from ..history import body_name
from ..model import Loc, ReportHead, TableName
from ..roster import Roster, RosterEntry
from ..rules import REGISTRY, Selection, at_or_above
from ..rules.coverage import aggregate_differences, cell_title
from .results import FileResult, status_of

STATUS_CN = {"published": "已发布", "missing": "未发布", "late": "逾期发布", "duplicate": "多份报告"}


@dataclass(frozen=True)
class CoverageRow:
    body: str
    parent: str
    kind: str
    region: str
    deadline: dt.date | None
    status: str  # published | missing | late | duplicate
    files: tuple[str, ...]
    published: tuple[dt.date | None, ...]  # per file

    def to_dict(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "parent": self.parent,
            "kind": self.kind,
            "region": self.region,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "status": self.status,
            "files": list(self.files),
            "published": [d.isoformat() if d else None for d in self.published],
        }


@dataclass(frozen=True)
class Coverage:
    roster: str  # the roster file, as given
    year: int
    rows: tuple[CoverageRow, ...]
    findings: tuple[Finding, ...]  # about the roster: bodies without a report (PUB-006)
    unlisted: tuple[str, ...]  # files of the year whose body is not on the roster
    fail_on: str = "error"

    @property
    def failed(self) -> bool:
        return at_or_above(self.findings, self.fail_on)

    def counts(self) -> dict[str, int]:
        c = Counter(r.status for r in self.rows)
        return {s: c.get(s, 0) for s in STATUS_CN}

    def line(self) -> str:
        c = self.counts()
        return (
            f"名册 {len(self.rows)} 个机关（{self.year} 年度）：已发布 {c['published']}，未发布 {c['missing']}，"
            f"逾期发布 {c['late']}，多份报告 {c['duplicate']}；名册外的报告 {len(self.unlisted)} 份"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "roster": self.roster,
            "year": self.year,
            "counts": self.counts(),
            "bodies": [r.to_dict() for r in self.rows],
            "unlisted": list(self.unlisted),
            "findings": [f.to_dict() for f in self.findings],
        }


def audit_year(results: Sequence[FileResult], year: int | None) -> int | None:
    """The year a coverage audit is about: the one given, else the most common report year of
    the batch (the latest of equals)."""
    if year is not None:
        return year
    years = Counter(r.head.meta.year for r in results if r.head is not None and r.head.meta.year is not None)
    return max(years, key=lambda y: (years[y], y)) if years else None


def apply_roster(
    results: Sequence[FileResult],
    roster: Roster,
    year: int,
    key_of: Callable[[str | None], str | None] = body_name,
    selection: Selection | None = None,
    fail_on: str = "error",
    deadlines: Sequence[tuple[str, tuple[int, int]]] = (),
) -> tuple[Callable[[FileResult], FileResult], Coverage]:
    """What adds the coverage findings of a file to its result (for each result in turn: a long
    run's results stay on its shelf), and the run's coverage. Results are held by their place in
    `results` and read back when a body's reports are compared. `deadlines`: the
    configuration's local deadlines by roster 类型 ("default" for the others), for rows without
    a 截止日期."""
    if deadlines:
        roster = replace(roster, entries=tuple(with_deadline(e, year, deadlines) for e in roster.entries))
    by_key: dict[str, RosterEntry] = {}
    for e in roster.entries:
        for name in (e.body, *e.aliases):
            key = key_of(name)
            if key is not None:
                by_key.setdefault(key, e)
    files: dict[str, list[int]] = defaultdict(list)  # body -> its reports' places in `results`
    extra: dict[str, list[Finding]] = defaultdict(list)
    unlisted: list[str] = []
    for i, r in enumerate(results):
        head = r.head
        if head is None or r.status not in ("ok", "findings") or head.meta.year != year:
            continue
        entry = by_key.get(key_of(head.meta.organization) or "")
        if entry is None:
            unlisted.append(r.path)
            extra[r.path].append(_unlisted(r.path, head, roster))
            continue
        files[entry.body].append(i)
    rows: list[CoverageRow] = []
    roster_findings: list[Finding] = []
    for e in roster.entries:
        found = [results[i] for i in files.get(e.body, [])]
        heads = [r.head for r in found if r.head is not None]
        status = "missing" if not found else "duplicate" if len(found) > 1 else "published"
        if not found:
            roster_findings.append(
                Finding(
                    "PUB-006",
                    "error",
                    f"名册中的「{e.body}」（第 {e.row} 行）没有 {year} 年度报告",
                    loc=Loc(file=roster.path, line=e.row),
                    file=roster.path,
                )
            )
        if len(found) > 1:
            names = "、".join(r.path for r in found)
            for r in found:
                extra[r.path].append(
                    Finding(
                        "PUB-007",
                        "warning",
                        f"「{e.body}」{year} 年度有 {len(found)} 份报告：{names}，请确认哪一份是正式发布的",
                        loc=Loc(file=r.path),
                        file=r.path,
                    )
                )
        for r, h in zip(found, heads, strict=True):
            published = h.meta.published
            if e.deadline is not None and published is not None and published > e.deadline:
                extra[r.path].append(
                    Finding(
                        "PUB-005",
                        "error",
                        f"报告发布日期为 {published.isoformat()}，晚于名册规定的期限 {e.deadline.isoformat()}"
                        f"（{(published - e.deadline).days} 天）",
                        expected=e.deadline.isoformat(),
                        actual=published.isoformat(),
                        loc=Loc(file=r.path),
                        file=r.path,
                    )
                )
                status = "late" if status == "published" else status
        rows.append(
            CoverageRow(
                e.body,
                e.parent,
                e.kind,
                e.region,
                e.deadline,
                status,
                tuple(r.path for r in found),
                tuple(h.meta.published for h in heads),
            )
        )
    unchecked: dict[str, list[Unverified]] = defaultdict(list)
    for e in roster.entries:
        places = files.get(e.body, [])
        if len(places) == 1:
            aggregate(results[places[0]], e, roster, files, results, extra, unchecked)

    def add(r: FileResult) -> FileResult:
        more = [
            r.selection.regrade(f) for f in extra.get(r.path, []) if r.selection.enabled(REGISTRY[f.rule])
        ]
        if (more or unchecked.get(r.path)) and r.head is not None:
            findings = (*r.findings, *more)
            r = replace(
                r,
                findings=findings,
                status=status_of(r.head, findings),
                unverified=(*r.unverified, *unchecked.get(r.path, [])),
            )
        return r

    sel = selection or (results[0].selection if results else Selection())
    kept = tuple(sel.regrade(f) for f in roster_findings if sel.enabled(REGISTRY[f.rule]))
    return add, Coverage(roster.path, year, tuple(rows), kept, tuple(unlisted), fail_on)


AGGREGATED: tuple[tuple[str, TableName, str], ...] = (
    ("T3-006", "applications", "表三"),
    ("T4-002", "review_litigation", "表四"),
)


def aggregate(
    gov: FileResult,
    entry: RosterEntry,
    roster: Roster,
    files: dict[str, list[int]],
    results: Sequence[FileResult],
    extra: dict[str, list[Finding]],
    unchecked: dict[str, list[Unverified]],
) -> None:
    """T3-006 / T4-002 (opt-in): a body's 表三 and 表四 against the sum of those of the bodies the
    roster lists under it, cell by cell (blank and dash count as 0). Not judged — listed as not
    verified — when a listed body has no report, several, or its table was not read in full."""
    children = [c for c in roster.entries if c.parent == entry.body]
    wanted = [(rid, t, title) for rid, t, title in AGGREGATED if gov.selection.enabled(REGISTRY[rid])]
    if not children or not wanted:
        return
    own = gov.report
    if own is None:
        return
    for rid, table, title in wanted:
        mine = own.tables[table]
        problems = []
        parts = []
        for c in children:
            found = files.get(c.body, [])
            if len(found) != 1:
                problems.append(f"「{c.body}」{'没有' if not found else '有多份'}本年度报告")
                continue
            report = results[found[0]].report
            theirs = report.tables[table] if report is not None else None
            if (
                theirs is None
                or theirs.status != "complete"
                or mine is None
                or theirs.template != mine.template
            ):
                problems.append(f"「{c.body}」的{title}未能完整读取或模板不同")
                continue
            parts.append(theirs)
        if mine is None or mine.status != "complete":
            problems.insert(0, f"本机关的{title}未能完整读取")
        if problems:
            unchecked[gov.path].append(
                Unverified(table, (rid,), f"{title}与下级机关之和无法核对：" + "；".join(problems))
            )
            continue
        assert mine is not None
        differ = aggregate_differences(mine, parts)
        if differ:
            cid, actual, expected = differ[0]
            extra[gov.path].append(
                Finding(
                    rid,
                    "warning",
                    f"{title}有 {len(differ)} 个单元格不等于名册所列 {len(children)} 个下级机关报告之和，"
                    f"如「{cell_title(table, cid, mine.template)}」本报告为 {actual}，下级机关合计 {expected}",
                    cells=tuple(f"{table}.{c}" for c, _, _ in differ),
                    expected=expected,
                    actual=actual,
                    loc=mine.cells[cid].loc,
                    file=gov.path,
                )
            )


def with_deadline(
    entry: RosterEntry, year: int, deadlines: Sequence[tuple[str, tuple[int, int]]]
) -> RosterEntry:
    """The entry with the configuration's local deadline for its 类型 when it has none of its own."""
    if entry.deadline is not None:
        return entry
    found = dict(deadlines)
    month_day = found.get(entry.kind) or found.get("default")
    if month_day is None:
        return entry
    month, day = month_day
    try:
        return replace(entry, deadline=dt.date(year + 1, month, day))
    except ValueError:  # 02-29 in a year that has none
        return replace(entry, deadline=dt.date(year + 1, month, day - 1))


def _unlisted(path: str, head: ReportHead, roster: Roster) -> Finding:
    name = head.meta.organization
    message = (
        f"报告的机关「{name}」不在名册（{roster.path}）中"
        if name
        else f"未能识别报告的机关名称，无法对照名册（{roster.path}）"
    )
    return Finding("PUB-008", "warning", message, loc=Loc(file=path), file=path)
