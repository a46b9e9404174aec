"""Reports as worker processes hand them back: pickled compactly, unpacked on first use."""

from __future__ import annotations

import copyreg
import dataclasses
import io
import operator
import pickle
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


@dataclass(frozen=True)
class PackedReport:
    """A report as a worker process handed it back: pickled, unpacked on first use.

    Its head answers what the batch rules and the finding-only formats ask of every report, so
    that the parent of `check -j N` does not rebuild (and hold) hundreds of full reports just
    to print their findings; `json`, when the worker was asked for it, is the report's JSON
    text (`Report.to_json`), for the JSON outputs."""

    head: ReportHead
    data: bytes
    json: str | None = None

    def unpack(self) -> Report:
        report = pickle.loads(self.data)
        if not isinstance(report, Report):
            raise TypeError(f"packed report holds {type(report).__name__}")
        return report

    @classmethod
    def pack(cls, report: Report, with_json: bool = False) -> PackedReport:
        return cls(report.head, dumps(report), report_json(report) if with_json else None)


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


def dumps(obj: object) -> bytes:
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, **_REDUCERS}
    pickler.dump(obj)
    return buf.getvalue()
