"""The cross-report pass of a batch, once every file is in: the batch rules (`rules/batch.py`)
and the year-on-year comparison (`yearly.py`), their findings joined to the report each names.

Reports are grouped by what little of each the pass keeps (`rules.batch.Member`: path, body,
year); a report is read back whole only when its group needs it, and each group's findings are
put with their reports before the next group is looked at — in a long run's Shelf, that is on
disk, so the pass holds one group at a time, not the batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Protocol

from ..findings import Finding
from ..model import Report
from ..rules import Selection
from .packing import Spill, SpilledValue
from .results import FileResult, status_of
from .stored import HistoryRun
from .yearly import YearOnYear, compare_group


class Results(Protocol):
    """A run's results, each replaceable: a list, or a long run's Shelf."""

    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[FileResult]: ...
    def __getitem__(self, i: int, /) -> FileResult: ...
    def __setitem__(self, i: int, result: FileResult, /) -> None: ...


def add_batch_findings(
    results: Sequence[FileResult], history: HistoryRun | None = None, spill: Spill | None = None
) -> list[FileResult]:
    """The results with the cross-report findings (and comparisons) added; see `add_in_place`."""
    out = list(results)
    add_in_place(out, history, spill)
    return out


def add_in_place(results: Results, history: HistoryRun | None = None, spill: Spill | None = None) -> None:
    """Run the cross-report rules and the year-on-year pass, and replace each result they add
    to. With a history store, bodies are matched through its alias table, and a body's report
    for the year before, when it is not in this batch, is taken from the store
    (`HistoryRun.earlier_reports`). With `spill`, each comparison waits there, not in memory."""
    from ..rules.batch import (
        Member,
        active_batch_rules,
        body_groups,
        body_key,
        group_findings,
        member,
        members,
        year_groups,
    )

    key_of = history.store.body_of if history is not None else body_key
    usable: list[int] = []  # the results with a report the rules can read, by index
    reports: list[Member] = []
    selections: dict[str | None, Selection] = {}
    for i, r in enumerate(results):  # the one pass that reads every result
        head = r.head
        if head is not None and r.status in ("ok", "findings"):
            usable.append(i)
            reports.append(member(head, key_of))
            selections[head.source.path] = r.selection
    earlier = history.earlier_reports(reports) if history is not None else []
    at = {m.path: usable[j] for j, m in enumerate(reports)}
    everyone = reports + members((r.head for r in earlier), key_of)

    def load(j: int) -> Report:
        if j >= len(usable):
            return earlier[j - len(usable)]
        report = results[usable[j]].report
        assert report is not None
        return report

    def add(
        path: str | None, findings: Sequence[Finding], compared: YearOnYear | SpilledValue | None = None
    ) -> None:
        i = at.get(path)
        if i is None:  # a report of the store's, there to be compared with
            return
        r = results[i]
        if findings:  # after the report's own findings, which stay exactly as `parse` lists them
            more = (*r.findings, *findings)
            r = replace(r, findings=more, status=status_of(r.head, more))
        if compared is not None:
            r = replace(r, compared=compared)
        results[i] = r

    def keep(change: YearOnYear) -> YearOnYear | SpilledValue:
        return SpilledValue.of(change, spill) if spill is not None else change

    cross_year, across = active_batch_rules(selections)
    jumps: dict[str, list[Finding]] = {}  # NUM-005, listed after every batch rule's findings
    for group in body_groups(everyone):
        # a body's reports unpacked once, for the cross-year rules and the comparison (同比)
        loaded = [load(j) for j in group]
        paths = [everyone[j].path for j in group]
        found = group_findings(cross_year, loaded, paths, selections)
        compared = compare_group(loaded, selections, keep) if any(p in selections for p in paths) else {}
        for path in dict.fromkeys([*found, *compared]):  # each result read back and written once
            change, jumped = compared.get(path, (None, [])) if path is not None else (None, [])
            add(path, found.get(path, ()), change)
            if jumped and path is not None:
                jumps[path] = jumped
    if across:
        for group in year_groups(everyone, leave_out=range(len(usable), len(everyone))):
            if len(group) > 1:
                loaded = [load(j) for j in group]
                for path, more in group_findings(
                    across, loaded, [everyone[j].path for j in group], selections
                ).items():
                    add(path, more)
    for path, numbers in jumps.items():
        add(path, numbers)
