"""Reports as worker processes hand them back: pickled compactly, unpacked on first use; in a
long run, kept on disk (`Spill`) rather than in memory until then."""

from __future__ import annotations

import copyreg
import dataclasses
import io
import operator
import os
import pickle
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..findings import Finding
from ..model import (
    Cell,
    ExtractionNote,
    LabelMatch,
    Loc,
    Meta,
    Report,
    ReportHead,
    Section,
    Source,
    TableData,
)
from ..rules import Selection


class Spill:
    """An unnamed temporary file that holds packed reports' bytes for the parent of a run, so
    that its memory stays flat however many reports come back (each result keeps its head and
    findings in memory, the rest here until a renderer asks). Gone when the process ends."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="reportparse-spill-")  # noqa: SIM115  # as long as the run
        self._end = 0
        # the last reports unpacked, by offset: a renderer that reads a report a few times in a
        # row (its overview row, then its cells) unpacks it once, and memory still stays flat
        self.recent: OrderedDict[int, Any] = OrderedDict()

    def put(self, data: bytes) -> int:
        offset = self._end  # the file is only appended to (reads are preads): no seek, no flush
        self._file.write(data)
        self._end += len(data)
        return offset

    def get(self, offset: int, size: int) -> bytes:
        self._file.flush()
        return os.pread(self._file.fileno(), size, offset)

    def close(self) -> None:
        self._file.close()


@dataclass(frozen=True)
class PackedReport:
    """A report as a worker process handed it back: pickled, unpacked on first use.

    Its head answers what the batch rules and the finding-only formats ask of every report, so
    that the parent of `check -j N` does not rebuild (and hold) hundreds of full reports just
    to print their findings; its JSON text (`Report.to_json`), when the worker was asked for
    it, serves the JSON outputs. Both are in memory (`data`, `json`) or in a Spill (`stored`:
    the spill, offset, size of the pickle, size of the JSON or -1)."""

    head: ReportHead
    data: bytes
    json: str | None = None
    stored: tuple[Spill, int, int, int] | None = None

    def unpack(self) -> Report:
        if self.stored is None:
            return _loads(self.data)
        spill, offset, size, _ = self.stored
        recent = spill.recent
        report = recent.get(offset)
        if report is None:
            report = _loads(spill.get(offset, size))
            recent[offset] = report
            if len(recent) > RECENT_REPORTS:
                recent.popitem(last=False)
        else:
            recent.move_to_end(offset)
        assert isinstance(report, Report)
        return report

    def json_text(self) -> str | None:
        if self.stored is None:
            return self.json
        spill, offset, size, json_size = self.stored
        return None if json_size < 0 else spill.get(offset + size, json_size).decode("utf-8")

    def spilled(self, spill: Spill) -> PackedReport:
        """This report with its bytes moved to `spill`."""
        if self.stored is not None:
            return self
        text = self.json.encode("utf-8") if self.json is not None else b""
        offset = spill.put(self.data + text)
        return PackedReport(
            self.head, b"", None, (spill, offset, len(self.data), len(text) if self.json is not None else -1)
        )

    @classmethod
    def pack(cls, report: Report, with_json: bool = False) -> PackedReport:
        return cls(report.head, dumps(report), report_json(report) if with_json else None)


RECENT_REPORTS = 4


@dataclass(frozen=True)
class SpilledValue:
    """A value the parent of a long run keeps in its Spill rather than in memory (the year-on-
    year comparison of each report: tens of kilobytes each), unpickled each time it is read."""

    spill: Spill
    offset: int
    size: int

    @classmethod
    def of(cls, value: object, spill: Spill) -> SpilledValue:
        data = dumps(value)
        return cls(spill, spill.put(data), len(data))

    def value(self) -> Any:
        return pickle.loads(self.spill.get(self.offset, self.size))


def _loads(data: bytes) -> Report:
    report = pickle.loads(data)
    if not isinstance(report, Report):
        raise TypeError(f"packed report holds {type(report).__name__}")
    return report


def report_json(report: Report) -> str:
    """The report's object in the JSON outputs, as text (the parse JSON without findings)."""
    return report.to_json()


# --- pickling ---


def _positional(cls: type, names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    get = operator.attrgetter(*names)  # one C call gathers them all (a tuple for 2+ names)
    single = len(names) == 1

    def reduce(obj: Any) -> tuple[Any, ...]:
        return (cls, (get(obj),) if single else get(obj))

    return reduce


def _dataclass_reducers() -> dict[type, Callable[[Any], tuple[Any, ...]]]:
    """Pickle the report dataclasses as constructor calls with positional fields.

    The default (a __dict__ per object, restored by __setstate__) makes the parent spend about
    three times as long unpickling a report's ~600 Loc/Cell objects — serial work that caps the
    speed-up of -j N. Only classes whose every field is an __init__ parameter qualify.
    """
    reducers: dict[type, Callable[[Any], tuple[Any, ...]]] = {}
    classes = (
        Loc,
        Cell,
        LabelMatch,
        Section,
        ExtractionNote,
        Source,
        Meta,
        TableData,
        Report,
        ReportHead,
        PackedReport,
        Finding,
        Selection,
    )
    for cls in classes:
        fields = dataclasses.fields(cls)
        if all(f.init for f in fields) and not hasattr(cls, "__post_init__"):
            reducers[cls] = _positional(cls, tuple(f.name for f in fields))
    return reducers


_REDUCERS = _dataclass_reducers()


_dispatch: dict[type, Any] = {}


def dumps(obj: object) -> bytes:
    global _dispatch
    if len(_dispatch) != len(copyreg.dispatch_table) + len(_REDUCERS):  # merged once (again if
        _dispatch = {**copyreg.dispatch_table, **_REDUCERS}  # a library registered a reducer since)
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _dispatch
    pickler.dump(obj)
    return buf.getvalue()
