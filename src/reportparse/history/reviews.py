"""Review decisions: a finding confirmed (需整改) or dismissed (with a reason and who decided).

A decision is keyed by the finding's fingerprint (`Finding.fingerprint(subject)`, the subject
being the body's normalised name: no file path, no year, no line number, no figure) and the
report year it is about. So it survives a re-run, a re-parse, a renamed or moved file and an
edit elsewhere in the report; and next year the same problem has the same fingerprint, which
is how a confirmed finding that recurs is recognised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .schema import HistoryError
from .store import HistoryStore, StoredFinding

DecisionKind = Literal["confirmed", "dismissed"]
DECISION_CN: dict[str, str] = {"confirmed": "需整改", "dismissed": "已排除"}
MIN_KEY = 6  # characters of a fingerprint a person types


@dataclass(frozen=True)
class Decision:
    fingerprint: str
    year: int
    body: str | None
    rule: str
    message: str
    decision: DecisionKind
    reason: str
    who: str
    decided_at: str  # ISO date and time, UTC


def decisions(store: HistoryStore) -> dict[tuple[str, int], Decision]:
    """Every decision, by (fingerprint, year)."""
    rows = store._query(
        "SELECT fingerprint, year, body, rule, message, decision, reason, who, decided_at FROM decisions"
    )
    return {(r[0], r[1]): Decision(*r) for r in rows}


def recurring(
    fingerprint: str, year: int | None, book: Mapping[tuple[str, int], Decision]
) -> Decision | None:
    """The decision that makes a finding of `year` a recurrence: the same problem confirmed for
    an earlier year (the latest such), or None."""
    if year is None:
        return None
    earlier = [
        d for (fp, y), d in book.items() if fp == fingerprint and y < year and d.decision == "confirmed"
    ]
    return max(earlier, key=lambda d: d.year) if earlier else None


def find(store: HistoryStore, key: str, year: int | None = None) -> StoredFinding:
    """The stored finding a person means by `key` (the start of its fingerprint, as `review`
    lists it) — of `year`, or of the latest year it was found in."""
    key = key.strip().lower()
    if len(key) < MIN_KEY:
        raise HistoryError(f"问题编号「{key}」太短：至少输入前 {MIN_KEY} 位")
    found = [f for f in store.findings(year=year) if f.fingerprint.startswith(key)]
    prints = {f.fingerprint for f in found}
    if not found:
        where = f"{year} 年度" if year else "历史库"
        raise HistoryError(
            f"{where}中没有编号以「{key}」开头的问题（用 reportparse review DB list 查看编号）"
        )
    if len(prints) > 1:
        raise HistoryError(f"编号「{key}」对应 {len(prints)} 个不同的问题，请多输入几位")
    return max(found, key=lambda f: (f.year or 0, f.report_id))


def decide(
    store: HistoryStore, finding: StoredFinding, decision: DecisionKind, who: str, reason: str = ""
) -> Decision:
    if not who.strip():
        raise HistoryError("请用 --by 写明由谁作出决定")
    if decision == "dismissed" and not reason.strip():
        raise HistoryError("排除问题须用 --reason 写明理由")
    made = Decision(
        finding.fingerprint,
        finding.year or 0,
        finding.body,
        finding.rule,
        finding.message,
        decision,
        reason.strip(),
        who.strip(),
        dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    )
    store._write(
        "INSERT OR REPLACE INTO decisions (fingerprint, year, body, rule, message, decision, reason, who,"
        " decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            made.fingerprint,
            made.year,
            made.body,
            made.rule,
            made.message,
            made.decision,
            made.reason,
            made.who,
            made.decided_at,
        ),
    )
    return made


def undo(store: HistoryStore, finding: StoredFinding) -> bool:
    return (
        store._write(
            "DELETE FROM decisions WHERE fingerprint = ? AND year = ?",
            (finding.fingerprint, finding.year or 0),
        )
        > 0
    )


def decided(
    findings: Sequence[StoredFinding], book: Mapping[tuple[str, int], Decision]
) -> list[tuple[StoredFinding, Decision | None]]:
    return [(f, book.get((f.fingerprint, f.year or 0))) for f in findings]
