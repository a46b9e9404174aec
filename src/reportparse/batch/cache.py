"""`check --cache DIR`: skip parsing files that have not changed since a run read them.

For runs without a history store (`--history` does the same, and more, in its database). Each
file read is kept in the folder under a key made of the SHA-256 of its bytes, the name it is
shown by, the reportparse version and the OCR mode: a later run that finds the key takes the
outcome back instead of parsing the file. With the same rule selection as when it was read,
its per-report findings stand as they are; with another selection, the kept report is unpacked
and the per-report rules run on it (parsing is what is saved). Timeouts and crashes are not
kept: they are tried again.

An entry is one file (`ab/abcdef….entry`), written whole (a temporary file, then renamed) by
the parent of the run as each result arrives, and read back by the allow-list unpickler of the
history store: an entry cannot run code. Entries are never removed by reportparse; remove the
folder to start afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from ..config import ConfigError
from ..filenames import readable
from ..rules import Selection, run_report_rules, unverified
from ..version import __version__
from .onefile import Outcome
from .packing import PackedReport, dumps
from .plan import Task
from .stored import file_sha256, load_report, loads
from .wire import freeze, thaw


def ocr_of(task: Task) -> str:
    return task.ocr or os.environ.get("REPORTPARSE_OCR") or "auto"


class Cache:
    """A cache folder as one run uses it: `find` before each file's work, `record` as results
    arrive."""

    def __init__(self, folder: str | os.PathLike[str], version: str | None = None) -> None:
        self.folder = Path(folder)
        self.version = version or __version__
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ConfigError(f"无法创建缓存文件夹 {self.folder}：{err.strerror or err}") from None
        if not self.folder.is_dir():
            raise ConfigError(f"缓存文件夹 {self.folder} 不是文件夹")
        self._keys: dict[int, str] = {}  # task index -> key, for files still to run
        self.reused = 0
        self.written = 0

    def key(self, task: Task, sha: str) -> str:
        text = "\0".join((self.version, readable(task.path), ocr_of(task), sha))
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()

    def _entry(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.entry"

    def find(self, task: Task) -> Outcome | None:
        """The file's outcome if the cache holds it (`reused` counts it); else None, and its
        key is kept for `record`."""
        sha = file_sha256(task.path)
        if sha is None:  # unreadable here: the reader will say why
            return None
        key = self.key(task, sha)
        outcome = self._load(key, task.selection)
        if outcome is None:
            self._keys[task.index] = key
        else:
            self.reused += 1
        return outcome

    def _load(self, key: str, selection: Selection) -> Outcome | None:
        try:
            with open(self._entry(key), "rb") as fh:
                kept, frozen = loads(fh.read())
            outcome = thaw(frozen)
        except Exception:  # missing, or not an entry this version can read: parse again
            return None
        parsed = outcome.parsed
        if not isinstance(parsed, PackedReport):
            return None
        if kept == selection:
            return Outcome(parsed, outcome.findings, 0.0, unverified=outcome.unverified)
        try:
            report = load_report(parsed.data)
        except Exception:
            return None
        findings = tuple(run_report_rules(report, selection))
        return Outcome(report, findings, 0.0, unverified=tuple(unverified(report, selection)))

    def record(self, task: Task, outcome: Outcome) -> None:
        """Keep a file's outcome, if it was read (not a timeout or a crash)."""
        key = self._keys.pop(task.index, None)
        if key is None or outcome.timed_out or outcome.parsed is None:
            return
        entry = self._entry(key)
        data = dumps((task.selection, freeze(outcome)))
        try:
            entry.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".entry-", dir=entry.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, entry)
            self.written += 1
        except OSError:  # a full disk: the run goes on, the file is parsed again next time
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)
