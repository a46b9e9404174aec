"""The results of a long run, kept in its Spill rather than in memory.

The parent of a national audit holds one FileResult per file until the cross-report pass and
the output have seen them all; at 3–8 KB each (head, findings) that grows with the batch.
A `Shelf` is the list of them that a run builds: they stay in memory while they take less than
`BUDGET` (reading one back costs an unpickling — tens of microseconds — that a batch of a few
thousand files need not pay); past that, every result is pickled into the spill as it arrives
and only its place and path stay here, so that memory is flat however many files there are. Each read gives a fresh FileResult; a pass over the shelf holds
one at a time.
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Iterator, Sequence
from typing import Any, overload

from ..history.yearly import YearOnYear
from ..model import Report
from ..rules import Selection
from .packing import PackedReport, Spill, SpilledValue, dumps
from .results import FileResult

BUDGET = 64 << 20  # bytes of results held in memory before the shelf moves them all to its spill


def weight(result: FileResult) -> int:
    """About what a result takes in memory (measured: 1.7 KB with its head, 1 KB a finding)."""
    return 1700 + 1000 * (len(result.findings) + len(result.unverified) + len(result.dismissed))


class Shelf(Sequence[FileResult]):
    def __init__(self, spill: Spill | None, budget: int | None = None) -> None:
        self._spill = spill  # None: every result stays in memory (a library caller's run)
        self._budget = BUDGET if budget is None else budget
        self._held: list[FileResult] = []
        self._weight = 0
        self._at = array("q")  # once spilled: offset and size of each result's pickle
        self.paths: list[str] = []  # what the output is ordered by, without reading results back
        self._selections: list[Selection] = []  # a run has a handful: each pickled as its index
        self._selection_ids: dict[int, int] = {}

    @property
    def spilled(self) -> bool:
        return len(self._at) > 0

    def append(self, result: FileResult) -> None:
        self.paths.append(result.path)
        if self.spilled:
            self._at.extend(self._put(result))
            return
        self._held.append(result)
        self._weight += weight(result)
        self._over_budget()

    def _over_budget(self) -> None:
        if self._spill is None or self._weight <= self._budget:
            return
        for held in self._held:  # the batch turned out long: all of it goes to disk
            self._at.extend(self._put(held))
        self._held = []

    def __len__(self) -> int:
        return len(self.paths)

    @overload
    def __getitem__(self, i: int) -> FileResult: ...
    @overload
    def __getitem__(self, i: slice) -> list[FileResult]: ...
    def __getitem__(self, i: int | slice) -> FileResult | list[FileResult]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not self.spilled:
            return self._held[i]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        assert self._spill is not None
        return self._get(self._spill.get(self._at[2 * i], self._at[2 * i + 1]))

    def __iter__(self) -> Iterator[FileResult]:
        for i in range(len(self)):
            yield self[i]

    def __setitem__(self, i: int, result: FileResult) -> None:
        """Replace a result (one the cross-report pass added findings to): written again, the
        old pickle left where it is."""
        self.paths[i] = result.path
        if not self.spilled:  # (the cross-report pass adds findings: a result can grow)
            self._weight += weight(result) - weight(self._held[i])
            self._held[i] = result
            self._over_budget()
            return
        self._at[2 * i], self._at[2 * i + 1] = self._put(result)

    def reorder(self, order: Sequence[int]) -> None:
        """Put the results in `order` (indexes of the current order): nothing is read back."""
        self.paths = [self.paths[i] for i in order]
        if not self.spilled:
            self._held = [self._held[i] for i in order]
            return
        at = self._at
        self._at = array("q", (at[2 * i + k] for i in order for k in (0, 1)))

    # --- one result as it is pickled into the spill ---

    def _put(self, r: FileResult) -> tuple[int, int]:
        spill = self._spill
        assert spill is not None
        parsed: Any = r.parsed
        if isinstance(parsed, PackedReport):
            stored = parsed.spilled(spill).stored
            assert stored is not None and stored[0] is spill
            parsed = (parsed.head, *stored[1:])
        compared: Any = r.compared
        if isinstance(compared, SpilledValue):
            compared = (compared.offset, compared.size)
        sid = self._selection_ids.get(id(r.selection))
        if sid is None:
            sid = self._selection_ids[id(r.selection)] = len(self._selections)
            self._selections.append(r.selection)  # kept alive here, so its id stays its own
        state = (
            r.path,
            r.status,
            parsed,
            r.findings,
            r.seconds,
            r.fail_on,
            sid,
            r.unverified,
            r.baselined,
            r.dismissed,
            r.recurring,
            compared,
        )
        data = dumps(state)
        return spill.put(data), len(data)

    def _get(self, data: bytes) -> FileResult:
        spill = self._spill
        assert spill is not None
        (
            path,
            status,
            parsed,
            findings,
            seconds,
            fail_on,
            sid,
            unverified,
            baselined,
            dismissed,
            recurring,
            compared,
        ) = pickle.loads(data)
        if isinstance(parsed, tuple):
            head, offset, size, json_size = parsed
            parsed = PackedReport(head, b"", None, (spill, offset, size, json_size))
        assert parsed is None or isinstance(parsed, Report | PackedReport)
        if isinstance(compared, tuple):
            compared = SpilledValue(spill, *compared)
        assert compared is None or isinstance(compared, YearOnYear | SpilledValue)
        return FileResult(
            path=path,
            status=status,
            parsed=parsed,
            findings=findings,
            seconds=seconds,
            fail_on=fail_on,
            selection=self._selections[sid],
            unverified=unverified,
            baselined=baselined,
            dismissed=dismissed,
            recurring=recurring,
            compared=compared,
        )
