"""Batches and their runs in the background.

A batch is a folder of reports: an upload (its files under `data/batches/<id>/files/` with
generated names, `batch.json` beside them with the names to show) or the folder on disk given at
start. A run is `reportparse.audit()` over it in a background thread, through worker processes
(so every file is isolated and has `check`'s time limit, whatever `--jobs`), with the history
store: every report is written to it, unchanged files of a re-run are taken back from it
without parsing, and review decisions are applied at the end. One batch runs at a time; the
others wait their turn. After a restart the batches are listed from their `batch.json` and run
again when first opened (quickly: the store holds their reports).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..batch import FileResult, NoInputError, Outcome, ProcessFile, Skipped, Task, audit
from ..batch.pool import Runner, run_pool
from ..config import ConfigError
from ..history import HistoryError
from ..limits import limits
from .settings import Settings

log = logging.getLogger("reportparse.serve")

State = Literal["new", "queued", "running", "done", "failed"]
STATE_CN: dict[str, str] = {
    "new": "待检查",
    "queued": "排队中",
    "running": "检查中",
    "done": "已完成",
    "failed": "失败",
}
_ID_RE = re.compile(r"^[0-9a-f]{12}$")
FOLDER_ID = "folder"  # the batch of the folder given at start


def valid_id(batch_id: str) -> bool:
    return batch_id == FOLDER_ID or bool(_ID_RE.match(batch_id))


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass
class Batch:
    id: str
    title: str
    root: Path  # the folder audited
    created: str
    upload: bool  # files under generated names (no configuration file from the client is read)
    names: dict[str, str] = field(default_factory=dict)  # generated file name -> name shown
    upload_skipped: list[tuple[str, str]] = field(default_factory=list)  # (name shown, reason)
    state: State = "new"
    done: int = 0
    total: int = 0
    error: str = ""
    runs: int = 0
    results: Sequence[FileResult] = field(default_factory=list)
    skipped: tuple[Skipped, ...] = ()
    finished: str = ""

    def shown(self, path: str) -> str:
        """A result's path as people know the file: its uploaded name, or its path in the folder."""
        try:
            rel = Path(os.path.relpath(path, self.root)).as_posix()
        except ValueError:
            return path
        return self.names.get(rel, rel)

    def manifest(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "created": self.created,
            "names": self.names,
            "skipped": [list(s) for s in self.upload_skipped],
        }


def _runner(jobs: int, timeout: float) -> Runner:
    """Worker processes whatever `jobs` (audit runs jobs=1 in its own thread, where no alarm can
    stop a hanging reader): every file isolated, with the time limit."""

    def run(tasks: Sequence[Task], process: ProcessFile) -> Iterator[tuple[Task, Outcome]]:
        return run_pool(tasks, process, jobs=jobs, timeout=timeout, lazy=True)

    return run


class Jobs:
    """Every batch of this server, and the one thread that runs them in turn."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.batches: dict[str, Batch] = {}
        self._lock = threading.Lock()  # one run at a time
        self._guard = threading.Lock()  # the batches dict
        self.folder_root = settings.data / "batches"
        self.folder_root.mkdir(parents=True, exist_ok=True)
        self._load()
        if settings.folder is not None:
            folder = settings.folder.resolve()
            self.batches[FOLDER_ID] = Batch(
                FOLDER_ID, folder.name or str(folder), folder, _now(), upload=False
            )

    def _load(self) -> None:
        for manifest in sorted(self.folder_root.glob("*/batch.json")):
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
                batch_id = str(data["id"])
                if not _ID_RE.match(batch_id) or manifest.parent.name != batch_id:
                    continue
                self.batches[batch_id] = Batch(
                    batch_id,
                    str(data.get("title", "")),
                    manifest.parent / "files",
                    str(data.get("created", "")),
                    upload=True,
                    names={str(k): str(v) for k, v in dict(data.get("names", {})).items()},
                    upload_skipped=[(str(a), str(b)) for a, b in data.get("skipped", [])],
                )
            except (OSError, ValueError, KeyError, TypeError) as err:
                log.warning("cannot read %s: %s", manifest, err)

    def new_upload(self) -> tuple[str, Path]:
        """A new batch's id and the empty folder its files go to."""
        batch_id = secrets.token_hex(6)
        files = self.folder_root / batch_id / "files"
        files.mkdir(parents=True)
        return batch_id, files

    def add_upload(
        self, batch_id: str, title: str, names: dict[str, str], skipped: list[tuple[str, str]]
    ) -> Batch:
        folder = self.folder_root / batch_id
        batch = Batch(batch_id, title, folder / "files", _now(), True, names, skipped)
        (folder / "batch.json").write_text(json.dumps(batch.manifest(), ensure_ascii=False), encoding="utf-8")
        with self._guard:
            self.batches[batch_id] = batch
        return batch

    def get(self, batch_id: str) -> Batch | None:
        if not valid_id(batch_id):
            return None
        with self._guard:
            return self.batches.get(batch_id)

    def listing(self) -> list[Batch]:
        with self._guard:
            return sorted(self.batches.values(), key=lambda b: b.created, reverse=True)

    def start(self, batch: Batch) -> bool:
        """Run (or run again) a batch in the background; False if it is already waiting or running."""
        with self._guard:
            if batch.state in ("queued", "running"):
                return False
            batch.state, batch.done, batch.total, batch.error = "queued", 0, 0, ""
        threading.Thread(target=self._run, args=(batch,), name=f"batch-{batch.id}", daemon=True).start()
        return True

    def wait(self, batch: Batch, timeout: float | None = None) -> bool:
        """Block until the batch is neither waiting nor running (tests, scripts)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while batch.state in ("queued", "running"):
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _run(self, batch: Batch) -> None:
        with self._lock:
            batch.state = "running"

            def progress(done: int, total: int, result: FileResult) -> None:
                batch.done, batch.total = done, total

            try:
                run = audit(
                    [batch.root],
                    history=self.settings.history,
                    runner=_runner(max(1, self.settings.jobs), limits().timeout_s),
                    progress=progress,
                    lazy_reports=True,
                    config_discovery=not batch.upload,
                )
                batch.total = len(run.tasks)
                results = run.collect()
            except NoInputError as err:
                batch.state, batch.error = "failed", str(err)
                return
            except (ConfigError, HistoryError) as err:
                batch.state, batch.error = "failed", str(err)
                return
            except Exception as err:  # the page says so; the server goes on
                log.exception("batch %s failed", batch.id)
                batch.state, batch.error = "failed", f"检查中断：{type(err).__name__}：{err}"
                return
            batch.results, batch.skipped = results, run.skipped
            batch.runs += 1
            batch.finished = _now()
            batch.done = batch.total = len(results)
            batch.state = "done"
