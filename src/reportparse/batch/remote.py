"""The per-file work on an executor — a Dask cluster's (`distributed.Client.get_executor()`) or
any `concurrent.futures.Executor` — in chunks of files.

A task of the executor is a chunk of files, not one file: per-task overhead (scheduling,
pickling, a process start) is paid once for many small files. On the executor's worker the chunk
runs in a fresh `python -m reportparse.batch.remote` process through the local pool with one
worker process: the same time limit per file and the same isolation as `check -j 1` on one
machine (a Dask worker is a daemon process and may not fork workers of its own, and a file that
hangs or crashes must not take the Dask worker with it).

Files travel as bytes (`ship="bytes"`, the default: the workers need not see this machine's
disks) or as paths (`ship="path"`: shared storage, the same path on every worker). A chunk whose
task fails (a lost Dask worker) is submitted once more; if it fails again its files are reported
with EXT-013. Results come back as chunks complete, reports packed (`PackedReport`).
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ..filenames import readable
from ..findings import Finding
from ..limits import limits
from ..rules import Selection
from .onefile import Outcome, ProcessFile, crash_finding, process_file
from .packing import PackedReport, dumps
from .plan import Task
from .pool import call, run_pool

Ship = Literal["bytes", "path"]
CHUNK_FILES = 32  # files per executor task
IN_FLIGHT = 8  # chunks submitted ahead: bounds the bytes held for workers that are busy


@dataclass(frozen=True)
class Shipped:
    """One file as it travels to a worker: its bytes, or None when the worker reads `path`."""

    index: int
    path: str
    data: bytes | None
    selection: Selection
    with_json: bool
    ocr: str | None = None  # the OCR mode (--ocr, `ocr` in reportparse.toml)
    peek: bool = False  # `Task.peek`: the worker looks whether it is a report before reading it


@dataclass(frozen=True)
class Chunk:
    files: tuple[Shipped, ...]
    process: ProcessFile
    timeout: float


def run_chunk(chunk: Chunk) -> list[tuple[int, Outcome]]:
    """On the executor's worker: the chunk's outcomes, by task index, from a child process."""
    # the child enforces the per-file limit itself (and OCR's allowance: docs/formats/ocr.md);
    # this only stops a child that is stuck as a whole
    allowance = limits().ocr_allowance_s * sum(1 for f in chunk.files if f.ocr != "never")
    budget = chunk.timeout * len(chunk.files) + allowance + 120
    # the child imports what this worker imported to unpickle the chunk (its per-file function)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run(
        [sys.executable, "-m", "reportparse.batch.remote"],
        input=dumps(chunk),
        capture_output=True,
        timeout=budget,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [
            f"退出码 {done.returncode}"
        ]
        raise RuntimeError(f"处理进程异常退出：{tail[0]}")
    outcomes: list[tuple[int, Outcome]] = pickle.loads(done.stdout)
    return outcomes


def _named(
    path: str,
    selection: Selection,
    *,
    process: ProcessFile,
    names: dict[str, str],
    ocr: str | None = None,
) -> Outcome:
    """`process` on a file saved under a temporary name, reporting under its own name."""
    shown = names.get(path)
    if shown is None:
        return call(process, path, selection, ocr)
    if process is process_file:
        return process_file(path, selection, shown=shown, ocr=ocr)
    return _renamed(call(process, path, selection, ocr), readable(path), shown)


def _renamed(outcome: Outcome, temporary: str, shown: str) -> Outcome:
    """An outcome made without a report (a timeout, a crash) names the temporary file: renamed."""

    def fix(f: Finding) -> Finding:
        loc = f.loc
        if loc is not None and loc.file == temporary:
            loc = replace(loc, file=shown)
        return replace(f, file=shown if f.file == temporary else f.file, loc=loc)

    return replace(outcome, findings=tuple(fix(f) for f in outcome.findings))


def _chunk_main() -> None:
    """`python -m reportparse.batch.remote`: a pickled Chunk on stdin, its outcomes on stdout."""
    chunk: Chunk = pickle.loads(sys.stdin.buffer.read())
    names: dict[str, str] = {}
    tasks: list[Task] = []
    with tempfile.TemporaryDirectory(prefix="reportparse-chunk-") as folder:
        for f in chunk.files:
            path = f.path
            if f.data is not None:  # under its own name, in a folder of its own
                os.mkdir(os.path.join(folder, str(f.index)))
                path = os.path.join(folder, str(f.index), os.path.basename(f.path) or "file")
                with open(path, "wb") as fh:
                    fh.write(f.data)
                names[path] = f.path
            tasks.append(Task(f.index, path, f.selection, "error", f.with_json, ocr=f.ocr, peek=f.peek))
        process = functools.partial(_named, process=chunk.process, names=names)
        out: list[tuple[int, Outcome]] = []
        for task, outcome in run_pool(tasks, process, jobs=1, timeout=chunk.timeout, lazy=True):
            # its record names the copy in this folder, not the file: the caller's journal
            # makes its own
            outcome = replace(outcome, record=None)
            if task.path in names and outcome.parsed is None:
                outcome = _renamed(outcome, readable(task.path), names[task.path])
            out.append((task.index, outcome))
    sys.stdout.buffer.write(dumps(out))
    sys.stdout.buffer.flush()


# --- this machine's side ---


def _shipped(task: Task, ship: Ship) -> Shipped:
    data = None
    if ship == "bytes":
        try:
            with open(task.path, "rb") as fh:
                data = fh.read(limits().max_file_bytes + 1)
        except OSError:
            data = None  # let the worker's reader say what is wrong with it
    return Shipped(task.index, task.path, data, task.selection, task.with_json, task.ocr, task.peek)


def run_executor(
    tasks: Sequence[Task],
    process: ProcessFile = process_file,
    *,
    executor: cf.Executor,
    timeout: float,
    lazy: bool = False,
    ship: Ship = "bytes",
    chunk_files: int = CHUNK_FILES,
) -> Iterator[tuple[Task, Outcome]]:
    """A `Runner` on `executor`: chunks of files submitted a few at a time, outcomes yielded as
    chunks complete. `process` must be a module-level function (it is pickled)."""
    by_index = {t.index: t for t in tasks}
    chunks = [list(tasks[i : i + chunk_files]) for i in range(0, len(tasks), chunk_files)]
    pending: dict[cf.Future[list[tuple[int, Outcome]]], tuple[int, int]] = {}  # future -> chunk, tries
    queue = list(range(len(chunks)))[::-1]

    def submit(k: int, tries: int) -> None:
        chunk = Chunk(tuple(_shipped(t, ship) for t in chunks[k]), process, timeout)
        pending[executor.submit(run_chunk, chunk)] = (k, tries)

    try:
        while queue or pending:
            while queue and len(pending) < IN_FLIGHT:
                submit(queue.pop(), 1)
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for future in done:
                k, tries = pending.pop(future)
                try:
                    outcomes = future.result()
                except Exception as err:  # a lost worker, a killed child: once more, then report
                    if tries < 2:
                        submit(k, tries + 1)
                        continue
                    what = f"处理此文件的远程任务失败两次（{type(err).__name__}: {err}）"
                    for task in chunks[k]:
                        yield task, Outcome(None, (crash_finding(task.path, what),), 0.0)
                    continue
                for index, outcome in outcomes:
                    if not lazy and isinstance(outcome.parsed, PackedReport):
                        outcome = replace(outcome, parsed=outcome.parsed.unpack())
                    yield by_index[index], outcome
    finally:
        for future in pending:
            future.cancel()


def executor_runner(
    executor: cf.Executor, *, timeout: float, lazy: bool, ship: Ship = "bytes"
) -> functools.partial[Iterator[tuple[Task, Outcome]]]:
    """The `Runner` that `audit(..., executor=...)` uses."""
    return functools.partial(run_executor, executor=executor, timeout=timeout, lazy=lazy, ship=ship)


if __name__ == "__main__":  # run through the imported module, so that pickles name it
    from reportparse.batch.remote import _chunk_main as main

    main()
