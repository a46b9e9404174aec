"""An outcome as it travels: from a worker to the parent, into the journal and the cache.

`freeze` turns an outcome into plain values and the report's own classes (read back by the
allow-list unpickler of `stored.loads`), `thaw` turns them back (the report stays packed). A
worker process sends each file's outcome as its journal record (`record`: the path, its size
and modification time when the worker began reading it, the frozen outcome), so that the parent
writes that record to the journal as it came instead of pickling the outcome a second time.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from dataclasses import replace

from ..model import Report
from .onefile import Outcome
from .packing import PackedReport, dumps

Stat = tuple[int, int]  # size, modification time in ns; (-1, -1) when it cannot be had


def file_stat(path: str) -> Stat:
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1)
    return st.st_size, st.st_mtime_ns


def freeze(outcome: Outcome) -> tuple[object, ...]:
    """An outcome as plain values and the report's own classes."""
    parsed = outcome.parsed
    head = data = json = None
    if isinstance(parsed, PackedReport):
        head, data, json = parsed.head, parsed.data, parsed.json_text()
        if parsed.stored is not None:  # spilled: its bytes are in the spill file
            data = dumps(parsed.unpack())
    elif isinstance(parsed, Report):
        head, data = parsed.head, dumps(parsed)
    return (
        head,
        data,
        json,
        outcome.findings,
        outcome.seconds,
        outcome.timed_out,
        outcome.unverified,
        outcome.skipped,
    )


def thaw(frozen: Sequence[object], record: bytes | None = None) -> Outcome:
    """The outcome `freeze` gave (its report packed), with the record it came in."""
    head, data, json, findings, seconds, timed_out, unchecked, skipped = frozen
    parsed = None
    if head is not None and isinstance(data, bytes):
        parsed = PackedReport(head, data, json)  # type: ignore[arg-type]
    return Outcome(
        parsed,
        tuple(findings),  # type: ignore[arg-type]
        float(seconds),  # type: ignore[arg-type]
        bool(timed_out),
        tuple(unchecked),  # type: ignore[arg-type]
        record,
        skipped if isinstance(skipped, str) else None,
    )


def record(path: str, stat: Stat, outcome: Outcome) -> bytes:
    """A file's journal record (in a worker: its report packed first, its JSON with it when
    `with_json` asked for it)."""
    return dumps((path, stat, freeze(outcome)))


def packed(outcome: Outcome, with_json: bool) -> Outcome:
    """The outcome with its report packed (`PackedReport`), its JSON too with `with_json`."""
    if isinstance(outcome.parsed, Report):
        return replace(outcome, parsed=PackedReport.pack(outcome.parsed, with_json))
    return outcome


def received(data: bytes) -> Outcome:
    """The outcome of a record a worker of this run sent (trusted: plain pickle), which it
    keeps, to be written to the journal as is."""
    _, _, frozen = pickle.loads(data)
    return thaw(frozen, data)
