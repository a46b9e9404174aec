"""Runners: where each file's work is done and where its Outcome comes back.

A runner takes the tasks and the per-file function (`onefile.ProcessFile`) and yields
(task, outcome) pairs as files finish, in any order. Two are here: `run_inline` (-j 1, in this
process) and `run_pool` (-j N: worker processes, each file under a time limit, a worker that
hangs or dies replaced). Another executor fits the same shape (`Runner`) — for instance one
that submits `process(task.path, task.selection)` to a `concurrent.futures.Executor` and
yields as the futures complete, with a time limit of its own.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import multiprocessing as mp
import os
import pickle
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from multiprocessing.connection import Connection, wait
from typing import Any

from ..limits import limits
from ..readers import ocr as ocr_hooks
from ..rules import Selection, load_rules
from .onefile import Outcome, ProcessFile, crash_finding, process_file, timeout_finding
from .packing import PackedReport
from .peek import looks_like_report
from .plan import Task
from .wire import Stat, file_stat, packed, received, record

Runner = Callable[[Sequence[Task], ProcessFile], Iterator[tuple[Task, Outcome]]]


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# --- in this process ---


class _Interrupted(BaseException):
    """Raised by SIGALRM in the in-process runner (-j 1): the file took too long."""


def call(
    process: ProcessFile, path: str, selection: Selection, ocr: str | None, peek: bool = False
) -> Outcome:
    """`process` on one file; the OCR mode is passed only when one was chosen, so a `process`
    written for (path, selection) still works. peek: first look whether it is a report at all
    (`peek.looks_like_report`); if not, it is not read, and the outcome says why (`skipped`)."""
    if peek:
        start = time.monotonic()
        why = looks_like_report(path)
        if why is not None:
            return Outcome(None, (), time.monotonic() - start, skipped=why)
    return process(path, selection, ocr=ocr) if ocr is not None else process(path, selection)


def run_inline(
    tasks: Sequence[Task], process: ProcessFile = process_file, *, timeout: float
) -> Iterator[tuple[Task, Outcome]]:
    """-j 1: no worker processes. The time limit uses SIGALRM where it can (main thread, POSIX);
    a reader stuck inside a C call is interrupted only when it returns to Python."""
    use_alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def on_alarm(signum: int, frame: object) -> None:
        raise _Interrupted

    for task in tasks:
        start = time.monotonic()
        previous: Any = None
        allowance = _Allowance()
        if use_alarm:
            previous = signal.signal(signal.SIGALRM, on_alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout)
            ocr_hooks.on_page = allowance.extend_alarm
        try:
            outcome = call(process, task.path, task.selection, task.ocr, task.peek)
        except _Interrupted:
            limit = timeout + allowance.seconds
            outcome = Outcome(None, (timeout_finding(task.path, limit),), time.monotonic() - start, True)
        finally:
            if use_alarm:
                ocr_hooks.on_page = None
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        yield task, outcome


class _Allowance:
    """The time OCR has added to a file's limit: `ocr_page_s` a page, `ocr_allowance_s` at most."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def add(self) -> float:
        more = min(limits().ocr_page_s, max(0.0, limits().ocr_allowance_s - self.seconds))
        self.seconds += more
        return more

    def extend_alarm(self) -> None:
        more = self.add()
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        if more and left > 0:
            signal.setitimer(signal.ITIMER_REAL, left + more)


# --- worker processes ---


# A worker's first message: it is ready, so its file's time starts now (a spawned worker has
# spent a second importing by then).
_READY = b""
# A worker's message as OCR starts on a page: b"+" and the number of the file (in the order sent
# to that worker), whose time limit grows (`_Allowance`). Every other message is a pickled list
# of results, each a pickle of (index, outcome).
_OCR_PAGE = b"+"
_START_S = 60.0
# Results are sent a few at a time (one message, one wake-up of the parent, for several small
# files): when half of the chunk is done (so the next chunk is sent in time), the chunk is done,
# a file took this long, or before the next file when the first waiting result has waited this
# long. The time limit stays per
# file: the worker marks in shared memory which file it is on and since when (`_Worker.progress`).
_RESULT_WAIT_S = 0.05
# CPython's own collector thresholds: a worker parses one file at a time and its garbage goes as
# it always did, whatever the command that forked it set for itself (cli/check.py)
WORKER_GC_THRESHOLD = (700, 10, 10)


def _worker_main(conn: Connection, process: ProcessFile, scratch: str, progress: Any) -> None:
    """A worker: run `process` on the files it is sent (in chunks), one at a time, until told to
    stop; the results go back in small batches, and `progress` says which file it is on."""
    if hasattr(os, "setpgrp"):
        os.setpgrp()  # its own process group: a kill on timeout also ends converters it started
    die_with_parent()
    cap_memory()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    tempfile.tempdir = scratch  # removed by the parent, even if this worker is killed mid-file
    gc.set_threshold(*WORKER_GC_THRESHOLD)
    try:
        conn.send_bytes(_READY)
    except (OSError, ValueError):
        return
    started = 0  # files begun so far, in the order the parent sent them

    def ocr_page() -> None:
        with contextlib.suppress(OSError, ValueError):
            conn.send_bytes(_OCR_PAGE + str(started).encode())

    ocr_hooks.on_page = ocr_page
    while True:
        try:
            chunk = conn.recv()  # a few files at once: one message, the rules' selection pickled once
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        results: list[bytes] = []
        waiting_since = 0.0  # when the first result not sent yet was done
        for k, (path, selection, with_json, ocr, peek) in enumerate(chunk, start=1):
            begun = time.monotonic()
            if results and begun - waiting_since >= _RESULT_WAIT_S and not _send(conn, results):
                return
            started += 1
            progress[1] = begun  # the start first: the parent reads the number first
            progress[0] = started
            stat = file_stat(path)  # as it was when read: what --resume compares
            results.append(_result_bytes(path, stat, call(process, path, selection, ocr, peek), with_json))
            now = time.monotonic()
            if len(results) == 1:
                waiting_since = now
            # a file that took a while is sent at once: nothing is saved by waiting after it
            due = k == len(chunk) or len(results) * 2 >= len(chunk) or now - begun >= _RESULT_WAIT_S
            if due and not _send(conn, results):
                return


def _send(conn: Connection, results: list[bytes]) -> bool:
    """Send the results waiting (and forget them); False when the parent is gone."""
    try:
        conn.send_bytes(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, ValueError):
        return False
    results.clear()
    return True


def _result_bytes(path: str, stat: Stat, outcome: Outcome, with_json: bool) -> bytes:
    try:
        return record(path, stat, packed(outcome, with_json))
    except Exception as err:  # an unpicklable report: hand back the failure, not nothing
        fallback = Outcome(None, (crash_finding(path, f"结果无法传回主进程：{err}"),), outcome.seconds)
        return record(path, stat, fallback)


def _context() -> Any:
    """fork on Linux: a worker starts in milliseconds with every module imported, and nothing
    re-imports the caller's script. But not while another Python thread runs (a Jupyter
    kernel's, a web server's): the child would inherit locks that thread may hold, and Python
    3.12 warns (DeprecationWarning) — spawn then, a fresh interpreter per worker, whose start
    does not count against its file's time limit (`_READY`). Elsewhere the platform's default
    (spawn). spawn needs the usual `if __name__ == "__main__":` guard in scripts that call
    `audit`, and a per-file function the worker can import (a module-level one)."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return mp.get_context("fork")
    if sys.platform.startswith("linux"):
        return mp.get_context("spawn")
    return mp.get_context()


class WorkerStartError(RuntimeError):
    """Worker processes die before finishing a single file: the tool cannot run here."""


def die_with_parent() -> None:
    """Linux: this process is killed when its parent dies, however the parent ends (a worker must
    not outlive `check`, nor hold its output pipe open)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the signal was asked for
            os._exit(1)


def cap_memory() -> None:
    """The last line against a file that costs more memory than any limit foresaw: allocations
    past `max_worker_memory_mb` fail (MemoryError: EXT-003) instead of starving the machine."""
    mb = limits().max_worker_memory_mb
    if mb > 0 and hasattr(resource, "RLIMIT_AS"):
        cap = int(mb * 1024 * 1024)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


class _Worker:
    def __init__(self, ctx: Any, process: ProcessFile, scratch: str) -> None:
        parent, child = ctx.Pipe()
        # [files it has begun, when it began the last]: written by the worker, read here
        self.progress: Any = ctx.RawArray("d", 2)
        self.proc = ctx.Process(
            target=_worker_main,
            args=(child, process, scratch, self.progress),
            daemon=True,
            name="reportparse-worker",
        )
        self.proc.start()
        child.close()  # so that the worker's death shows as EOF on our end
        self.conn: Connection = parent
        # sent and not done, in the order sent; the first is file number `done + 1`
        self.tasks: deque[Task] = deque()
        self.done = 0  # results received
        self.refill = 1  # sent another chunk when no more than this many are left
        self.started = 0.0  # when it was started, or last gave results or work
        self.ready = False  # it has said so (`_READY`): until then it is still starting
        self.allowance = _Allowance()  # what OCR added to the limit of its file number `ocr_file`
        self.ocr_file = 0

    @property
    def task(self) -> Task | None:
        return self.tasks[0] if self.tasks else None

    def _current(self) -> tuple[int, float]:
        """The number of the file it works on and since when (its first unfinished one, since
        `started`, between two files)."""
        number = int(self.progress[0])
        if self.ready and self.done < number <= self.done + len(self.tasks):
            return number, self.progress[1]
        return self.done + 1, self.started

    def deadline(self, timeout: float) -> float:
        """When its file has had its time. A worker still starting has not begun the file: it
        gets `_START_S` to start (spawn imports everything) unless the time limit is longer."""
        number, since = self._current()
        limit = timeout + (self.allowance.seconds if self.ocr_file == number else 0.0)
        return since + (limit if self.ready else max(limit, _START_S))

    def elapsed(self) -> float:
        return time.monotonic() - self._current()[1]

    def ocr_page(self, number: int) -> None:
        if self.ocr_file != number:
            self.ocr_file, self.allowance = number, _Allowance()
        self.allowance.add()

    def limit(self, timeout: float) -> float:
        """Its current file's time limit, OCR's allowance included."""
        number, _ = self._current()
        return timeout + (self.allowance.seconds if self.ocr_file == number else 0.0)

    def assign(self, tasks: Sequence[Task]) -> None:
        self.conn.send([(t.path, t.selection, t.with_json, t.ocr, t.peek) for t in tasks])
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.extend(tasks)
        self.refill = max(1, len(tasks) // 2)

    def finished(self) -> Task:
        """Its next result came: the task it belongs to."""
        self.done += 1
        self.started = time.monotonic()
        return self.tasks.popleft()

    def stopped(self) -> tuple[Task, list[Task]]:
        """After the worker is killed or has died: the file it was working on, and the other
        files sent to it — those after it, and those done whose results it had not sent yet
        (they are lost with it and done again)."""
        number, _ = self._current()
        rest = list(self.tasks)
        current = rest.pop(number - self.done - 1)
        self.tasks.clear()
        return current, rest

    def kill(self) -> None:
        pid = self.proc.pid
        try:
            if pid is not None and hasattr(os, "killpg") and os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)
            else:
                self.proc.kill()
        except (ProcessLookupError, PermissionError):
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.proc.join(1)
        if self.proc.is_alive():
            self.kill()
        else:
            self.conn.close()


# Workers that all die before any file is done mean a broken set-up, not bad files: stop (exit 2)
# rather than report every file as unreadable.
_MAX_EARLY_DEATHS = 3


# Files are sent to a worker a few at a time — one message, one wake-up of the worker for
# several small files — and its next chunk before it runs out: per-file overhead was what kept
# -j 2 from being faster than -j 1 on many tiny files. Chunks shrink as the queue empties, so
# that the workers finish together; a worker that is killed (a time limit, a crash) hands the
# rest of its chunk back to the queue.
CHUNK_MAX = 16
_CHUNKS_PER_WORKER = 4  # of the files left, at a time


def chunk_size(left: int, jobs: int) -> int:
    return max(1, min(CHUNK_MAX, left // (_CHUNKS_PER_WORKER * jobs)))


def _feed(workers: list[_Worker], i: int, queue: deque[Task], new: Callable[[], _Worker]) -> None:
    """Give worker i its next files; a worker that died while idle is replaced first."""
    if not queue:
        return
    chunk = [queue[k] for k in range(chunk_size(len(queue), len(workers)))]
    try:
        workers[i].assign(chunk)
    except (OSError, ValueError):
        if workers[i].tasks:  # it was busy: it will be found dead when its results stop
            return
        workers[i].kill()
        workers[i] = new()
        workers[i].assign(chunk)
    for _ in chunk:
        queue.popleft()


def _start(new: Callable[[], _Worker], n: int) -> list[_Worker]:
    sys.stdout.flush()  # a forked child must not write our buffered output a second time
    sys.stderr.flush()
    return [new() for _ in range(n)]


def _replace(workers: list[_Worker], i: int, queue: deque[Task], new: Callable[[], _Worker]) -> Task:
    """Worker i is killed (its file timed out) or dead: the other files sent to it go back to the
    front of the queue, and a new worker takes over. Returns the file it was working on (read
    before the kill: a file that ends as its time runs out is still the one that timed out)."""
    w = workers[i]
    current, rest = w.stopped()
    queue.extendleft(reversed(rest))
    w.kill()
    workers[i] = new()
    _feed(workers, i, queue, new)
    return current


def _received(task: Task, data: bytes, lazy: bool) -> tuple[Task, Outcome]:
    try:
        outcome = received(data)
        if not lazy and isinstance(outcome.parsed, PackedReport):
            outcome = replace(outcome, parsed=outcome.parsed.unpack())
    except Exception as err:
        what = f"结果无法在主进程中读取：{type(err).__name__}: {err}"
        outcome = Outcome(None, (crash_finding(task.path, what),), 0.0)
    return task, outcome


def run_pool(
    tasks: Sequence[Task],
    process: ProcessFile = process_file,
    *,
    jobs: int,
    timeout: float,
    lazy: bool = False,
) -> Iterator[tuple[Task, Outcome]]:
    """-j N: `jobs` worker processes; a file that takes longer than `timeout` seconds has its
    worker killed and replaced. lazy: keep reports packed as they came back (PackedReport)."""
    # the workers' temporary files (LibreOffice profiles, conversions) live here, so that what a
    # killed worker leaves behind is removed with the rest at the end of the run
    scratch = tempfile.mkdtemp(prefix="reportparse-run-")
    new = functools.partial(_Worker, _context(), process, scratch)
    queue = deque(tasks)
    # The rule registry is needed here too (cross-report rules, selections): loaded before the
    # fork, the workers share it instead of each importing every rule module again.
    load_rules()
    # Everything alive now (modules, the plan) lives as long as the run: frozen, it is neither
    # copied into forked workers when their collector runs nor scanned again by ours while
    # results arrive.
    gc.freeze()
    workers = _start(new, min(jobs, len(tasks)))
    finished = deaths = 0
    try:
        for i in range(len(workers)):
            _feed(workers, i, queue, new)
        while True:
            busy = [w for w in workers if w.task is not None]
            if not busy:
                return
            first_deadline = min(w.deadline(timeout) for w in busy)
            ready = set(wait([w.conn for w in busy], timeout=max(0.0, first_deadline - time.monotonic())))
            for w in busy:
                i = workers.index(w)
                if w.conn in ready:
                    try:
                        data = w.conn.recv_bytes()
                    except (EOFError, OSError):  # the worker died (segfault, out of memory, killed)
                        w.proc.join(1)
                        deaths += 1
                        if not finished and deaths >= _MAX_EARLY_DEATHS:
                            raise WorkerStartError(
                                f"工作进程未能处理任何文件就退出了 {deaths} 次（退出码 {w.proc.exitcode}），"
                                "请用 -j 1 重试"
                            ) from None
                        what = f"处理此文件的工作进程意外退出（退出码 {w.proc.exitcode}）"
                        if (w.proc.exitcode or 0) < 0:  # killed by a signal: a failed allocation aborts
                            what += f"，可能超出了每个进程 {limits().max_worker_memory_mb:g} MB 的内存上限"
                        seconds = w.elapsed()
                        task = _replace(workers, i, queue, new)
                        yield task, Outcome(None, (crash_finding(task.path, what),), seconds)
                        continue
                    if data == _READY:  # started: the time limit counts from here
                        w.ready, w.started = True, time.monotonic()
                    elif data[:1] == _OCR_PAGE:
                        w.ocr_page(int(data[1:]))
                    else:
                        for item in pickle.loads(data):
                            finished += 1
                            yield _received(w.finished(), item, lazy)
                        if len(w.tasks) <= w.refill:
                            _feed(workers, i, queue, new)  # more before it runs out
                elif time.monotonic() >= w.deadline(timeout):
                    limit, seconds = w.limit(timeout), w.elapsed()
                    task = _replace(workers, i, queue, new)
                    yield task, Outcome(None, (timeout_finding(task.path, limit),), seconds, True)
    finally:
        for w in workers:
            if w.task is not None:
                w.kill()
            else:
                w.stop()
        gc.unfreeze()
        shutil.rmtree(scratch, ignore_errors=True)
