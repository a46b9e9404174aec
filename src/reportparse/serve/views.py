"""A batch as the pages show it: each report's findings with the review decisions as they are
now (a decision made a minute ago counts before any re-run), counts and statuses that leave the
dismissed findings out — exactly as `check --history` would — and the filters and sorting of
the overview."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..batch import FileResult, HistoryRun, status_of
from ..findings import Finding
from ..history import Decision, HistoryStore, decisions, recurring, subject
from ..render.rectification import Item as RectItem
from ..render.text import location_text
from ..version import __version__
from .jobs import Batch

Book = Mapping[tuple[str, int], Decision]


@dataclass(frozen=True)
class Item:
    """A finding on a page, with its fingerprint and the decision about it for its year."""

    finding: Finding
    fingerprint: str
    decision: Decision | None
    recurring: Decision | None  # confirmed for an earlier year and found again

    @property
    def dismissed(self) -> bool:
        return self.decision is not None and self.decision.decision == "dismissed"


@dataclass(frozen=True)
class View:
    index: int
    result: FileResult
    shown: str
    items: tuple[Item, ...]

    @property
    def counted(self) -> list[Finding]:
        return [i.finding for i in self.items if not i.dismissed]

    def counts(self) -> dict[str, int]:
        c = Counter(f.severity for f in self.counted)
        return {s: c.get(s, 0) for s in ("error", "warning", "info")}

    @property
    def status(self) -> str:
        r = self.result
        if r.status not in ("ok", "findings"):
            return r.status
        return status_of(r.head, self.counted)

    def decided(self, kind: str) -> int:
        return sum(1 for i in self.items if i.decision is not None and i.decision.decision == kind)

    @property
    def body(self) -> str:
        head = self.result.head
        return (head.meta.organization or "") if head is not None else ""

    @property
    def year(self) -> int | None:
        head = self.result.head
        return head.meta.year if head is not None else None

    def item(self, fingerprint: str) -> Item | None:
        return next((i for i in self.items if i.fingerprint == fingerprint), None)


def all_findings(r: FileResult) -> tuple[Finding, ...]:
    """A result's findings, those a review dismissed at the end of its run included."""
    return (*r.findings, *(f for f, _ in r.dismissed))


def view(batch: Batch, index: int, r: FileResult, store: HistoryStore, book: Book) -> View:
    head = r.head
    if head is None:
        items = tuple(Item(f, "", None, None) for f in all_findings(r))
        return View(index, r, batch.shown(r.path), items)
    about = subject(store.body_of(head.meta.organization), head.source.path)
    year = head.meta.year or 0
    out = []
    for f in all_findings(r):
        fp = f.fingerprint(about)
        out.append(Item(f, fp, book.get((fp, year)), recurring(fp, head.meta.year, book)))
    # in the order the run found them, as the store keeps them: a dismissed finding (moved out of
    # `findings` by the engine) keeps its place and number on the page
    order = stored_order(store, head.source.path or "", head.source.sha256)
    out.sort(key=lambda i: order.get(i.fingerprint, len(order)))
    return View(index, r, batch.shown(r.path), tuple(out))


def stored_order(store: HistoryStore, path: str, sha256: str) -> dict[str, int]:
    """Each fingerprint's first place among the stored findings of a report (this version's row)."""
    rows = store._query(
        "SELECT f.fingerprint, min(f.seq) FROM findings f JOIN reports r ON r.id = f.report_id"
        " WHERE r.path = ? AND r.sha256 = ? AND r.version = ? GROUP BY f.fingerprint",
        (path, sha256, __version__),
    )
    return {str(fp): int(seq) for fp, seq in rows}


def views(batch: Batch, store: HistoryStore) -> list[View]:
    book = decisions(store)
    return [view(batch, i, r, store, book) for i, r in enumerate(batch.results)]


def live_results(batch: Batch, store: HistoryStore, under_root: bool = False) -> list[FileResult]:
    """The batch's results as `check --history` would give them now (decisions applied), each
    under the name people know it by, for the downloads; `under_root`: as a path under the
    batch's folder (for SARIF, rendered with root=batch.root: a relative URI)."""
    restored = [
        replace(
            r,
            findings=all_findings(r),
            dismissed=(),
            recurring=(),
            path=str(batch.root / batch.shown(r.path)) if under_root else batch.shown(r.path),
        )
        for r in batch.results
    ]
    return HistoryRun(store).apply_reviews(restored)


def rectification(rows: Sequence[View]) -> list[RectItem]:
    """The 整改清单 of a batch: every finding confirmed 需整改, by body, as the report lists them."""
    out = []
    for v in sorted(rows, key=lambda v: (v.body, v.year or 0, v.shown)):
        for it in v.items:
            d = it.decision
            if d is None or d.decision != "confirmed":
                continue
            out.append(
                RectItem.confirmed(
                    it.finding,
                    d,
                    body=v.body or v.shown,
                    year=v.year,
                    path=v.shown,
                    where=location_text(it.finding.loc),
                    recurring=it.recurring,
                )
            )
    return out


# --- the overview's filters and sorting ---

SORTS = ("path", "body", "year", "status", "errors", "warnings", "info", "dismissed")


@dataclass(frozen=True)
class Filters:
    body: str = ""
    year: str = ""
    status: str = ""  # ok, findings, unreadable, timeout, unverified
    rule: str = ""
    sort: str = "path"
    desc: bool = False

    @classmethod
    def of(cls, query: Mapping[str, str]) -> Filters:
        sort = query.get("sort", "path")
        return cls(
            body=query.get("body", "")[:200],
            year=query.get("year", "")[:4],
            status=query.get("status", "")[:20],
            rule=query.get("rule", "")[:20],
            sort=sort if sort in SORTS else "path",
            desc=query.get("desc", "") == "1",
        )

    def keep(self, v: View) -> bool:
        if self.body and v.body != self.body:
            return False
        if self.year and str(v.year or "") != self.year:
            return False
        if self.status == "unverified":
            if not v.result.unverified:
                return False
        elif self.status and v.status != self.status:
            return False
        return not self.rule or any(f.rule == self.rule for f in v.counted)

    def apply(self, rows: Sequence[View]) -> list[View]:
        kept = [v for v in rows if self.keep(v)]

        def key(v: View) -> tuple[object, ...]:
            c = v.counts()
            value: object = {
                "path": v.shown,
                "body": v.body,
                "year": v.year or 0,
                "status": v.status,
                "errors": c["error"],
                "warnings": c["warning"],
                "info": c["info"],
                "dismissed": v.decided("dismissed"),
            }[self.sort]
            return (value, v.shown)

        return sorted(kept, key=key, reverse=self.desc)
