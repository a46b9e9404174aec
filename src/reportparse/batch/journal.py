"""Resumable runs: a journal of the results of a run, written as they arrive (`check --resume`).

A run that writes its output to a file (`check -o FILE`) appends each file's outcome to a
journal as it arrives: a header that names the run (its key: the reportparse version, the
command's options and every planned file with its rules), then one record per file. A record
is its length and CRC-32, then the pickled outcome (the packed report as the worker sent it):
a record cut short by a kill, or damaged, ends the journal there and the next append starts
over from the last whole record. The journal is flushed to the operating system with each
record (a killed process loses nothing) and to the disk (fsync) every `SYNC_RECORDS` records
or `SYNC_S` seconds; it is removed once the output is written.

`--resume` reads it back: a file whose record is there, and whose size and modification time
are unchanged, is not processed again, and its outcome is given as it was. A journal of another
command is refused (`ResumeError`), never mixed into this one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import ConfigError
from ..version import __version__
from .onefile import Outcome
from .packing import dumps
from .plan import Task
from .stored import loads
from .wire import Stat, file_stat, record, thaw

MAGIC = "reportparse-journal"
FORMAT = 2  # 2: an outcome says whether its file was skipped (not a report)
SYNC_RECORDS = 256
SYNC_S = 1.0
_HEAD = struct.Struct(">II")  # payload length, CRC-32 of the payload


class ResumeError(ConfigError):
    """--resume cannot be used: no journal, or the journal of another command."""


def run_key(tasks: Sequence[Task], command: str) -> str:
    """What makes two runs the same run: the version, the command's options, and each planned
    file with its rules, fail-on level, OCR mode and whether its JSON is wanted."""
    h = hashlib.sha256()
    h.update(f"{__version__}\n{command}\n".encode())
    for t in tasks:
        h.update(repr((t.path, t.selection, t.fail_on, t.with_json, t.ocr)).encode() + b"\n")
    return h.hexdigest()


def default_folder() -> Path:
    """Where journals are kept: REPORTPARSE_JOURNAL_DIR, else the user's cache folder."""
    named = os.environ.get("REPORTPARSE_JOURNAL_DIR")
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "reportparse" / "journals"


def journal_path(output: str | os.PathLike[str], folder: Path | None = None) -> Path:
    """The journal of the run that writes `output` (one per output file)."""
    name = hashlib.sha256(os.path.abspath(output).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return (folder or default_folder()) / f"{name}.journal"


# --- records ---


def _frame(payload: bytes) -> bytes:
    return _HEAD.pack(len(payload), zlib.crc32(payload)) + payload


def records(path: Path) -> Iterator[tuple[int, bytes]]:
    """The whole records of a journal, one at a time (a journal can hold a national run's
    reports: never read whole): the offset of each record's payload, and the payload."""
    with open(path, "rb") as fh:
        at = 0
        while len(head := fh.read(_HEAD.size)) == _HEAD.size:
            size, crc = _HEAD.unpack(head)
            payload = fh.read(size)
            if len(payload) < size or zlib.crc32(payload) != crc:
                return  # torn by a kill, or damaged: the journal ends at the last whole record
            yield at + _HEAD.size, payload
            at += _HEAD.size + size


def read_records(path: Path) -> tuple[list[bytes], int]:
    """The whole records of a journal and the offset where the last one ends."""
    found = list(records(path))
    return [p for _, p in found], (found[-1][0] + len(found[-1][1]) if found else 0)


Kept = dict[str, tuple[Stat, int, int]]  # by path: the file's size and mtime, where its record is


@dataclass
class Journal:
    """One run's journal: `resume` the outcomes it holds, `add` new ones as they arrive."""

    path: Path
    key: str
    command: str
    broken: bool = False  # a write failed: the run goes on, but cannot be resumed
    written: int = 0  # records of this run (resumed ones included)
    _fd: int = -1
    _unsynced: int = 0
    _synced_at: float = 0.0

    def start(self, resume: bool) -> Kept:
        """Open the journal: with `resume`, where the outcomes it holds are, by path
        (ResumeError when there is none or it is another command's), else a new, empty journal."""
        kept: Kept = {}
        end = 0
        if resume:
            kept, end = self._read()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
            os.ftruncate(self._fd, end)  # a torn last record goes
            os.lseek(self._fd, end, os.SEEK_SET)
            if not resume:
                self._write(dumps((MAGIC, FORMAT, self.key, self.command)))
                self.sync()
        except OSError:
            if resume:
                raise ResumeError(f"无法续写中断记录 {self.path}") from None
            self._fail()
        self.written = len(kept)
        return kept

    def _read(self) -> tuple[Kept, int]:
        found = records(self.path)
        try:
            _, header = next(found)
        except FileNotFoundError:
            raise ResumeError(
                "没有找到这个输出文件的中断记录（上次运行已完成，或未用 -o 写入文件）；请去掉 --resume 重新运行"
            ) from None
        except OSError as err:
            raise ResumeError(f"无法读取中断记录 {self.path}：{err}") from None
        except StopIteration:
            header = b""
        try:
            magic, version, key, command = loads(header)
        except Exception:
            magic = version = None
        if magic != MAGIC or version != FORMAT:
            raise ResumeError(f"中断记录 {self.path} 已损坏，无法续跑；请去掉 --resume 重新运行")
        if key != self.key:
            raise ResumeError(
                f"中断记录属于另一次运行{f'（{command}）' if command else ''}，与本次的命令、选项、文件或 reportparse 版本不同，"
                "不能续跑；请用原来的命令加 --resume，或去掉 --resume 重新运行"
            )
        kept: Kept = {}
        end = _HEAD.size + len(header)
        trusted = True
        try:
            for offset, payload in found:
                end = offset + len(payload)
                if trusted:
                    try:
                        path, stat, _ = loads(payload)  # read whole: a record that loads is usable
                        kept[path] = (tuple(stat), offset, len(payload))
                    except Exception:
                        trusted = False  # what follows a record that cannot be read is not trusted either
        except OSError as err:
            raise ResumeError(f"无法读取中断记录 {self.path}：{err}") from None
        return kept, end

    def split(
        self, tasks: Sequence[Task], kept: Kept
    ) -> tuple[list[tuple[Task, tuple[int, int]]], list[Task]]:
        """(where the journal holds the outcomes of unchanged files, tasks still to run)."""
        done: list[tuple[Task, tuple[int, int]]] = []
        rest: list[Task] = []
        for task in tasks:
            found = kept.get(task.path)
            if found is not None and found[0] == file_stat(task.path):
                done.append((task, found[1:]))
            else:
                rest.append(task)
        return done, rest

    def outcomes(self, done: Sequence[tuple[Task, tuple[int, int]]]) -> Iterator[tuple[Task, Outcome]]:
        """The outcomes `split` found, read back one at a time."""
        with open(self.path, "rb") as fh:
            for task, (offset, size) in done:
                _, _, frozen = loads(os.pread(fh.fileno(), size, offset))
                yield task, thaw(frozen)

    def add(self, task: Task, outcome: Outcome) -> None:
        if self._fd < 0:
            return
        if not self._write(outcome.record or record(task.path, file_stat(task.path), outcome)):
            return
        self.written += 1
        self._unsynced += 1
        if self._unsynced >= SYNC_RECORDS or time.monotonic() - self._synced_at >= SYNC_S:
            self.sync()

    def _write(self, payload: bytes) -> bool:
        data = _frame(payload)
        try:
            while data:  # one record, appended whole unless the process dies mid-write
                data = data[os.write(self._fd, data) :]
        except OSError:
            self._fail()
            return False
        return True

    def saved(self) -> int:
        """The results on disk: the whole records after the header, counted by walking their
        lengths. What an interrupted run reports — `written` can be one short of it, when the
        interrupt lands between a record's write and its count."""
        n = -1  # the header is not a result
        try:
            with open(self.path, "rb") as fh:
                end, at = os.fstat(fh.fileno()).st_size, 0
                while at + _HEAD.size <= end:
                    size, _ = _HEAD.unpack(os.pread(fh.fileno(), _HEAD.size, at))
                    at += _HEAD.size + size
                    if at > end:  # cut short by a kill
                        break
                    n += 1
        except OSError:
            return self.written
        return max(n, 0)

    def sync(self) -> None:
        if self._fd < 0:
            return
        try:
            os.fsync(self._fd)
        except OSError:
            self._fail()
        self._unsynced, self._synced_at = 0, time.monotonic()

    def _fail(self) -> None:
        self.broken = True
        self.close()

    def close(self) -> None:
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1

    def remove(self) -> None:
        """The run is complete (its output written): the journal is no longer needed."""
        self.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


def tasks_done(path: Path) -> list[str]:
    """The paths a journal holds results for, in the order they arrived (tests, diagnostics)."""
    records, _ = read_records(path)
    return [loads(r)[0] for r in records[1:]]


def recorded(outcomes: Iterable[tuple[Task, Outcome]], journal: Journal) -> Iterator[tuple[Task, Outcome]]:
    """The outcomes, each written to the journal as it arrives."""
    for task, outcome in outcomes:
        journal.add(task, outcome)
        yield task, outcome
