"""The history store: every report a `check --history` run has read, with its findings.

One row per (file as shown, SHA-256, reportparse version): the same file checked again by the
same version is the same row, found without parsing (`reusable`); a new version or a changed
file makes a new row, so a store keeps each year's report as it was read. Each row holds the
report itself (pickled, to give it back whole), its cells and sections' text and the last
run's findings as plain columns (to query with `reportparse history` or any SQLite tool), and
the body it belongs to as a normalised name (`names.body_name`), resolved through the alias
table when read.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from ..findings import Finding
from ..model import Report, ReportHead
from .names import body_name, resolve
from .schema import HistoryError, connect, explain, transaction


@dataclass(frozen=True)
class StoredCoverage:
    """A body's status in a recorded coverage audit (check --roster with --history)."""

    body: str  # normalised, aliases followed
    year: int
    shown: str  # as the roster writes it
    parent: str
    kind: str
    region: str
    deadline: str | None
    status: str  # published | missing | late | duplicate
    files: tuple[str, ...]
    findings: tuple[dict[str, Any], ...]  # the roster's findings about the body (PUB-006)
    roster: str


@dataclass(frozen=True)
class StoredReport:
    """A row of the store as `reportparse history` lists it."""

    id: int
    path: str
    sha256: str
    version: str
    organization: str | None
    body: str | None  # the normalised name, resolved through the aliases
    year: int | None
    template: str
    status: str
    errors: int
    warnings: int
    info: int
    checked_at: str


@dataclass(frozen=True)
class StoredFinding:
    report_id: int
    path: str
    body: str | None
    year: int | None
    rule: str
    severity: str
    message: str
    cells: tuple[str, ...]
    loc: dict[str, Any] | None
    fingerprint: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def subject(body: str | None, path: str | None) -> str:
    """What a finding's fingerprint is about: the body (so that a decision survives a re-run,
    a re-parse, a renamed file and the next year), or the file when no body was read."""
    return body or f"file:{path or ''}"


class HistoryStore:
    """An open history database (`HistoryStore(path)`, closed by `close()` or `with`).

    Raises HistoryError with a Chinese message for anything that makes the store unusable."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise HistoryError(f"历史库不存在：{self.path}")
        self._conn = connect(self.path)
        self._aliases: dict[str, str] | None = None
        self._overlay: dict[str, str] = {}  # aliases of this run only (a roster's), never written

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- bodies ---

    def aliases(self) -> dict[str, str]:
        if self._aliases is None:
            rows = self._query("SELECT alias, body FROM aliases ORDER BY alias")
            self._aliases = {a: b for a, b in rows}
        return {**self._overlay, **self._aliases}  # the store's own table wins

    def add_run_aliases(self, pairs: Mapping[str, str]) -> None:
        """Aliases for this open store only (a roster's 别名 column): printed or normalised names,
        each counted as the body it maps to."""
        for alias, body in pairs.items():
            a, b = body_name(alias), body_name(body)
            if a is not None and b is not None and a != b:
                self._overlay[a] = b

    def body_of(self, organization: str | None) -> str | None:
        """The body a printed name stands for: normalised, then through the alias table."""
        return resolve(body_name(organization), self.aliases())

    def add_alias(self, alias: str, body: str, note: str = "") -> tuple[str, str]:
        """Count reports of `alias` as reports of `body` (both as printed or normalised); gives
        the two normalised names."""
        a, b = body_name(alias), body_name(body)
        if a is None or b is None:
            raise HistoryError("机关名称不能为空")
        if a == b:
            raise HistoryError(f"「{alias}」与「{body}」规范化后已是同一名称（{a}），无需别名")
        if resolve(b, self.aliases()) == a:
            raise HistoryError(f"不能把「{a}」设为「{b}」的别名：「{b}」已经是「{a}」的别名，会形成循环")
        self._write("INSERT OR REPLACE INTO aliases (alias, body, note) VALUES (?, ?, ?)", (a, b, note))
        self._aliases = None
        return a, b

    def remove_alias(self, alias: str) -> bool:
        a = body_name(alias)
        changed = self._write("DELETE FROM aliases WHERE alias = ?", (a,))
        self._aliases = None
        return changed > 0

    # --- reports ---

    def reusable(self, path: str, sha256: str, version: str) -> bytes | None:
        """What this file's reading by this version left (the pickled `own` of `put`): the
        selection its per-report rules ran with, its head and those findings; None if not stored."""
        rows = self._query(
            "SELECT own FROM reports WHERE path = ? AND sha256 = ? AND version = ?",
            (path, sha256, version),
        )
        return bytes(rows[0][0]) if rows else None

    def report_blob(self, path: str, sha256: str, version: str) -> bytes | None:
        rows = self._query(
            "SELECT report FROM reports WHERE path = ? AND sha256 = ? AND version = ?",
            (path, sha256, version),
        )
        return bytes(rows[0][0]) if rows else None

    def put(
        self,
        report: Report,
        *,
        version: str,
        status: str,
        report_blob: bytes,
        own: bytes,
        findings: Sequence[Finding],
        results_blob: bytes,
    ) -> int:
        """Store a report read by `version` with its findings so far, in one transaction (a file
        stored before by the same version is replaced); gives the row's id."""
        path = report.source.path or ""
        now = _now()
        try:
            with transaction(self._conn) as c:
                c.execute(
                    "DELETE FROM reports WHERE path = ? AND sha256 = ? AND version = ?",
                    (path, report.source.sha256, version),
                )
                report_id = self._insert_report(
                    c, report, version, status, report_blob, own, results_blob, now
                )
                self._put_findings(c, report_id, body_name(report.meta.organization), path, findings)
        except sqlite3.Error as err:
            raise HistoryError(explain(err, self.path)) from None
        return report_id

    def set_results(
        self, version: str, runs: Iterable[tuple[ReportHead, str, Sequence[Finding], bytes]]
    ) -> None:
        """This run's findings, in place of the stored ones, for each (head, status, findings,
        pickled results) of a stored report — one transaction for the whole run."""
        now = _now()
        try:
            with transaction(self._conn) as c:
                for head, status, findings, results_blob in runs:
                    path = head.source.path or ""
                    row = c.execute(
                        "SELECT id FROM reports WHERE path = ? AND sha256 = ? AND version = ?",
                        (path, head.source.sha256, version),
                    ).fetchone()
                    if row is None:
                        continue
                    c.execute(
                        "UPDATE reports SET status = ?, results = ?, checked_at = ? WHERE id = ?",
                        (status, results_blob, now, row[0]),
                    )
                    self._put_findings(c, int(row[0]), body_name(head.meta.organization), path, findings)
        except sqlite3.Error as err:
            raise HistoryError(explain(err, self.path)) from None

    def _insert_report(
        self,
        c: sqlite3.Connection,
        report: Report,
        version: str,
        status: str,
        report_blob: bytes,
        own: bytes,
        results_blob: bytes,
        now: str,
    ) -> int:
        meta = report.meta
        cur = c.execute(
            "INSERT INTO reports (path, sha256, version, organization, body, year, template, format,"
            " status, published, parsed_at, checked_at, report, own, results)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                report.source.path or "",
                report.source.sha256,
                version,
                meta.organization,
                body_name(meta.organization),
                meta.year,
                meta.template,
                report.source.format,
                status,
                meta.published.isoformat() if meta.published else None,
                now,
                now,
                report_blob,
                own,
                results_blob,
            ),
        )
        report_id = int(cur.lastrowid or 0)
        c.executemany(
            "INSERT INTO cells (report_id, tbl, cell, raw, kind, value) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    report_id,
                    name,
                    cell.id,
                    cell.raw,
                    cell.kind,
                    None if cell.value is None else str(cell.value),
                )
                for name, data in report.tables.items()
                if data is not None
                for cell in data.cells.values()
            ],
        )
        c.executemany(
            "INSERT OR REPLACE INTO sections (report_id, number, heading, text) VALUES (?, ?, ?, ?)",
            [(report_id, s.number, s.heading, s.text) for s in report.sections],
        )
        return report_id

    def _put_findings(
        self, c: sqlite3.Connection, report_id: int, body: str | None, path: str, findings: Sequence[Finding]
    ) -> None:
        about = subject(resolve(body, self.aliases()), path)
        c.execute("DELETE FROM findings WHERE report_id = ?", (report_id,))
        c.executemany(
            "INSERT INTO findings (report_id, seq, rule, severity, message, cells, loc, fingerprint)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    report_id,
                    i,
                    f.rule,
                    f.severity,
                    f.message,
                    json.dumps(list(f.cells), ensure_ascii=False),
                    json.dumps(f.loc.to_dict(), ensure_ascii=False) if f.loc else None,
                    f.fingerprint(about),
                )
                for i, f in enumerate(findings)
            ],
        )

    # --- queries ---

    def reports(self, body: str | None = None, year: int | None = None) -> list[StoredReport]:
        """Stored reports, by body, year and path; `body` as printed or normalised (aliases
        followed)."""
        aliases = self.aliases()
        want = self.body_of(body) if body else None
        rows = self._query(
            "SELECT r.id, r.path, r.sha256, r.version, r.organization, r.body, r.year, r.template,"
            " r.status, r.checked_at,"
            " sum(f.severity = 'error'), sum(f.severity = 'warning'), sum(f.severity = 'info')"
            " FROM reports r LEFT JOIN findings f ON f.report_id = r.id"
            " WHERE (? IS NULL OR r.year = ?) GROUP BY r.id",
            (year, year),
        )
        out = []
        for rid, path, sha, version, org, name, yr, tpl, status, checked, e, w, i in rows:
            resolved = resolve(name, aliases)
            if want is not None and resolved != want:
                continue
            out.append(
                StoredReport(
                    rid, path, sha, version, org, resolved, yr, tpl, status, e or 0, w or 0, i or 0, checked
                )
            )
        return sorted(out, key=lambda r: (r.body or "", r.year or 0, r.path, r.id))

    def findings(
        self, body: str | None = None, year: int | None = None, rules: Sequence[str] = ()
    ) -> list[StoredFinding]:
        """Findings of the stored reports' last runs; `rules` are ids or families (T3)."""
        aliases = self.aliases()
        want = self.body_of(body) if body else None
        rows = self._query(
            "SELECT f.report_id, r.path, r.body, r.year, f.rule, f.severity, f.message, f.cells, f.loc,"
            " f.fingerprint FROM findings f JOIN reports r ON r.id = f.report_id"
            " WHERE (? IS NULL OR r.year = ?) ORDER BY r.body, r.year, r.path, f.report_id, f.seq",
            (year, year),
        )
        out = []
        for rid, path, name, yr, rule, sev, msg, cells, loc, fp in rows:
            resolved = resolve(name, aliases)
            if want is not None and resolved != want:
                continue
            if rules and not any(rule == r or rule.startswith(f"{r}-") for r in rules):
                continue
            out.append(
                StoredFinding(
                    rid, path, resolved, yr, rule, sev, msg, tuple(json.loads(cells)),
                    json.loads(loc) if loc else None, fp,
                )
            )  # fmt: skip
        return out

    def report_of(
        self, body: str, year: int, exclude: Collection[str | None] = ()
    ) -> tuple[str, bytes] | None:
        """The stored report of `body` (a normalised name, aliases followed) for `year` that was
        read last — (its path, the pickled report) — leaving out unreadable ones and `exclude`d
        paths; None when the store has none."""
        aliases = self.aliases()
        rows = self._query(
            "SELECT id, path, body FROM reports WHERE year = ? AND status != 'unreadable'"
            " ORDER BY parsed_at DESC, id DESC",
            (year,),
        )
        for rid, path, name in rows:
            if path not in exclude and resolve(name, aliases) == body:
                data = self._query("SELECT report FROM reports WHERE id = ?", (rid,))
                return path, bytes(data[0][0])
        return None

    def blobs(self, ids: Sequence[int]) -> Iterator[tuple[int, str, bytes, bytes]]:
        """(id, status, pickled report, pickled results) of the given rows, in that order."""
        for rid in ids:
            rows = self._query("SELECT status, report, results FROM reports WHERE id = ?", (rid,))
            if rows:
                status, report, results = rows[0]
                yield rid, status, bytes(report), bytes(results)

    # --- coverage (check --roster) ---

    def put_coverage(self, year: int, roster: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """A coverage audit's rows (batch Coverage rows as dicts: body, parent, kind, region,
        deadline, status, files, and the roster's `findings` about the body), replacing what the
        store holds for those bodies and that year — one transaction."""
        now = _now()
        try:
            with transaction(self._conn) as c:
                for row in rows:
                    body = self.body_of(str(row["body"]))
                    if body is None:
                        continue
                    c.execute(
                        "INSERT OR REPLACE INTO coverage (body, year, shown, parent, kind, region, deadline,"
                        " status, files, findings, roster, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            body, year, row["body"], row.get("parent", ""), row.get("kind", ""),
                            row.get("region", ""), row.get("deadline"), row["status"],
                            json.dumps(list(row.get("files", [])), ensure_ascii=False),
                            json.dumps(list(row.get("findings", [])), ensure_ascii=False), roster, now,
                        ),
                    )  # fmt: skip
        except sqlite3.Error as err:
            raise HistoryError(explain(err, self.path)) from None

    def coverage(self, body: str | None = None, year: int | None = None) -> list[StoredCoverage]:
        """Recorded coverage rows, by body (aliases followed) and year."""
        aliases = self.aliases()
        want = self.body_of(body) if body else None
        rows = self._query(
            "SELECT body, year, shown, parent, kind, region, deadline, status, files, findings, roster"
            " FROM coverage WHERE (? IS NULL OR year = ?)",
            (year, year),
        )
        out = []
        for name, yr, shown, parent, kind, region, deadline, status, files, findings, roster in rows:
            resolved = resolve(name, aliases) or name
            if want is None or resolved == want:
                out.append(
                    StoredCoverage(
                        resolved, yr, shown, parent, kind, region, deadline, status,
                        tuple(json.loads(files)), tuple(json.loads(findings)), roster,
                    )
                )  # fmt: skip
        return sorted(out, key=lambda c: (c.body, c.year))

    def repeated(self, body: str) -> list[tuple[str, str, str, tuple[int, ...]]]:
        """Findings of `body` found in more than one year — (fingerprint, rule, latest message,
        years) — from each year's last run."""
        want = self.body_of(body)
        found: dict[str, tuple[str, str, set[int]]] = {}
        for rep in self.reports(want):
            for fp, rule, message in self._query(
                "SELECT fingerprint, rule, message FROM findings WHERE report_id = ? ORDER BY seq", (rep.id,)
            ):
                _, _, years = found.setdefault(fp, (rule, message, set()))
                years.add(rep.year or 0)
                found[fp] = (rule, message, years)
        return sorted(
            ((fp, rule, msg, tuple(sorted(ys))) for fp, (rule, msg, ys) in found.items() if len(ys) > 1),
            key=lambda x: (x[3][0], x[1], x[0]),
        )

    # --- plumbing ---

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        try:
            return list(self._conn.execute(sql, params))
        except sqlite3.Error as err:
            raise HistoryError(explain(err, self.path)) from None

    def _write(self, sql: str, params: Sequence[object]) -> int:
        try:
            with transaction(self._conn) as c:
                return c.execute(sql, params).rowcount
        except sqlite3.Error as err:
            raise HistoryError(explain(err, self.path)) from None
