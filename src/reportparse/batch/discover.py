"""Finding the files to check: the paths given, folders recursed, reports told by name or bytes."""

from __future__ import annotations

import concurrent.futures as cf
import fnmatch
import multiprocessing as mp
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..extract.looks import named_like_report
from ..filenames import os_error_text, readable
from ..readers.formats import REPORT_SUFFIXES
from ..readers.sniff import recognise
from .peek import looks_like_report


class NoInputError(ValueError):
    """No file to check was found; the message says why, in Chinese."""


# Suffixes never taken from a folder: other office files and media are not reports, and
# sniffing a spreadsheet (a zip, an OLE file) would make it look like one. A report suffix
# (readers/formats.py) is looked up first and wins.
# fmt: off
_OTHER_SUFFIXES = frozenset({
    ".xls", ".xlsx", ".xlsm", ".et", ".ppt", ".pptx", ".dps", ".csv", ".tsv", ".json", ".xml", ".toml",
    ".yaml", ".yml", ".ini", ".cfg", ".log", ".zip", ".rar", ".7z", ".gz", ".bz2", ".xz", ".tar", ".png",
    ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".svg", ".ico", ".mp3", ".mp4", ".avi",
    ".mov", ".wav", ".py", ".pyc", ".js", ".css", ".sh", ".exe", ".dll", ".so", ".ofd", ".db", ".sqlite",
})
# fmt: on

# `check --format html` marks its page, so that a page saved among the reports is not taken
# for one on the next run.
GENERATOR_MARK = b'<meta name="generator" content="reportparse'


def _glob_match(rel: str, name: str, globs: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in globs)


def _our_page(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return GENERATOR_MARK in fh.read(1024)
    except OSError:
        return False


def _wanted(path: str, rel: str, include: Sequence[str]) -> bool | None:
    """True: take it; False: not a file to look at; None: take it if it looks like a report
    (`peek.looks_like_report`)."""
    name = os.path.basename(path)
    if include:
        return _glob_match(rel, name, include)
    suffix = os.path.splitext(name)[1].lower()
    if suffix in (".html", ".htm") and _our_page(path):
        return False
    if suffix not in REPORT_SUFFIXES and (suffix in _OTHER_SUFFIXES or recognise(Path(path)) is None):
        return False
    return True if named_like_report(name) else None


# A folder of many files whose names do not say they are reports is looked into by as many
# forked processes as the run has workers: reading and judging the first part of each file was
# the serial part of a run over thousands of small files.
PARALLEL_PEEK = 1000
_PEEK_CHUNK = 256


def _peek_all(paths: Sequence[str], jobs: int) -> list[str | None]:
    """`looks_like_report` of each path."""
    if jobs > 1 and len(paths) >= PARALLEL_PEEK and sys.platform.startswith("linux"):
        if threading.active_count() == 1:  # fork only (see pool._context): no other thread's locks
            workers = cf.ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork"), initializer=_peeker)
            try:
                return list(workers.map(looks_like_report, paths, chunksize=_PEEK_CHUNK))
            except Exception:  # cannot fork here (limits, a sandbox), or a process was lost
                pass
            finally:  # on Ctrl-C too: what is not started is dropped, nothing is left running
                workers.shutdown(wait=True, cancel_futures=True)
    return [looks_like_report(p) for p in paths]


def _peeker() -> None:
    """A process that looks into files takes signals as a plain process does: the command's
    own handlers (Ctrl-C, and SIGTERM as an interrupt) are for the parent to act on."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _out(cfg: Config, here: Path, rel_dir: str, name: str, exclude: Sequence[str]) -> bool:
    """The configuration's or the command line's exclusions match this entry of a folder."""
    return cfg.excludes(here, name) or bool(exclude and _glob_match(rel_dir + name, name, exclude))


ConfigFor = Callable[[Path], Config]  # a folder → the configuration that applies in it


@dataclass(frozen=True)
class Skipped:
    """A path met in a folder and not checked — it could not be looked at, or it does not look
    like a report: shown with the reason, never silently dropped."""

    path: str
    reason: str  # Chinese

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


class Found(list[str]):
    """The files to check, in order; `skipped` lists what was met in a folder and not checked
    (could not be looked at, or does not look like a report); `excluded` counts the paths named
    on the command line that `force_exclude` dropped; `unsure`, the files taken without looking
    inside (`discover(peek=False)`) that are reports only if they look like one."""

    def __init__(
        self,
        files: Iterable[str],
        skipped: Iterable[Skipped] = (),
        excluded: int = 0,
        unsure: Iterable[str] = (),
    ) -> None:
        super().__init__(files)
        self.skipped = list(skipped)
        self.excluded = excluded
        self.unsure = frozenset(unsure)


def _default_config(_folder: Path) -> Config:
    return Config()


def discover(
    paths: Iterable[str | os.PathLike[str]],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    skip: Iterable[str | os.PathLike[str]] = (),
    *,
    config_for: ConfigFor = _default_config,
    force_exclude: bool = False,
    jobs: int = 1,
    peek: bool = True,
) -> Found:
    """Every file to check, sorted and without duplicates.

    A path named on the command line is always checked (whatever its name or kind: a file that
    is not a report, a pipe or a device gets an EXT- finding and a status) — unless
    `force_exclude` (or the configuration's `force-exclude`) applies the exclusions to it too.
    A folder is recursed; a file in it is taken if it has a report suffix or its bytes sniff as
    PDF/DOCX/ODT/Word/RTF/HTML, and it looks like a report by its name or its first part
    (`peek.py`) — or, with `include` globs, if it matches one of them instead. The exclusions
    (`exclude` globs, matching the path relative to the folder given or the bare name, and the
    `exclude`/`extend-exclude` of the configuration that applies in each folder, given by
    `config_for`) remove files and prune folders. Folders that cannot be read, broken links,
    special files and files that do not look like reports met in a folder are listed in
    `Found.skipped`. jobs: processes that may look into files at once (a large folder).
    peek=False: the files that must look like a report to be taken are not looked into here but
    taken, and listed in `Found.unsure`, for whoever reads them next to look (`check` does it in
    the worker that reads the file: each file is opened by one process, once the run has begun).
    """
    # (real path, path, whether it is taken only if it looks like a report), in the order met:
    # the first of two paths to one file is the one kept
    met: list[tuple[str, str, bool]] = []
    skipped: list[Skipped] = []
    excluded = 0
    own = {os.path.realpath(p) for p in skip}  # e.g. this run's own output file
    configs: dict[Path, Config] = {}

    def config(folder: Path) -> Config:
        if folder not in configs:
            configs[folder] = config_for(folder)
        return configs[folder]

    for p in paths:
        root = Path(p)
        if not root.exists():
            raise NoInputError(f"路径不存在：{readable(str(root))}")
        if not root.is_dir():  # a file, a pipe, a device: named, so judged
            cfg = config(root.parent)
            if (force_exclude or cfg.force_exclude) and (
                cfg.excluded(root, parents=True) or (exclude and _glob_match(str(root), root.name, exclude))
            ):
                excluded += 1
                continue
            met.append((os.path.realpath(root), str(root), False))
            continue

        for here, rel_dir, cfg, files in _walk(root, skipped, config, exclude):
            real_here = os.path.realpath(here)
            for entry in files:
                name = entry.name
                if _out(cfg, here, rel_dir, name, exclude):
                    continue
                # a file's real path is its folder's unless it is a link itself (the folder
                # listing says, without a system call; not realpath's walk of every component)
                link = entry.is_symlink()
                real = os.path.realpath(entry.path) if link else os.path.join(real_here, name)
                if real in own:
                    continue
                if not _is_file(entry):
                    reason = (
                        "链接指向的文件不存在" if link and not os.path.exists(entry.path) else "不是普通文件"
                    )
                    skipped.append(Skipped(readable(entry.path), reason))
                    continue
                wanted = _wanted(entry.path, rel_dir + name, include)
                if wanted is not False:
                    met.append((real, entry.path, wanted is None))
    to_peek = [path for _, path, unsure in met if unsure]
    reasons = dict(zip(to_peek, _peek_all(to_peek, jobs), strict=True)) if peek else {}
    found: dict[str, str] = {}
    for real, path, unsure in met:
        why = reasons.get(path) if unsure else None
        if why is not None:
            skipped.append(Skipped(readable(path), why))
        else:
            found.setdefault(real, path)
    # unsure unless a path to the same file was named (a named file is always read)
    sure = {real for real, _, unsure in met if not unsure}
    looked_later = set() if peek else {path for real, path in found.items() if real not in sure}
    return Found(
        sorted(found.values(), key=sort_key),
        sorted(skipped, key=lambda s: sort_key(s.path)),
        excluded,
        looked_later,
    )


def _walk(
    root: Path, skipped: list[Skipped], config: ConfigFor, exclude: Sequence[str]
) -> Iterator[tuple[Path, str, Config, list[os.DirEntry[str]]]]:
    """Each folder under `root` (as os.walk goes: a folder, then its subfolders in name order;
    links to folders are not followed and excluded folders pruned), its path relative to `root`
    ("" or ending in "/"), its configuration and its entries that are not folders, by name.
    os.scandir's entries know from the listing whether they are links, folders or files, so a
    folder of many small files costs no system call per file to sort them out."""
    stack = [root]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            _unreadable(skipped, err)
            continue
        rel_dir = here.relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        cfg = config(here)
        files, folders = [], []
        for entry in entries:
            try:
                folder = entry.is_dir()  # a link to a folder too: listed by os.walk, not entered
            except OSError:
                folder = False
            if not folder:
                files.append(entry)
            elif not entry.is_symlink() and not _out(cfg, here, rel_dir, entry.name, exclude):
                folders.append(here / entry.name)
        yield here, rel_dir, cfg, files
        stack.extend(reversed(folders))


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _unreadable(skipped: list[Skipped], err: OSError) -> None:
    where = err.filename if isinstance(err.filename, str) else "?"
    skipped.append(Skipped(readable(where), f"无法读取此文件夹（{os_error_text(err)}）"))


def sort_key(path: str) -> tuple[str, ...]:
    """`Path(path).parts`: the order of the outputs. A path as discovery writes them (no empty,
    "." or trailing part) is split without building a Path — a batch sorts every path twice."""
    if os.sep == "/" and not _UNUSUAL_RE.search(path):
        return ("/", *path[1:].split("/")) if path.startswith("/") else tuple(path.split("/"))
    return Path(path).parts


_UNUSUAL_RE = re.compile(r"//|(?:^|/)\.(?:/|$)|/$|^$")
