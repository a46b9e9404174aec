"""Finding the files to check: the paths given, folders recursed, reports told by name or bytes."""

from __future__ import annotations

import fnmatch
import functools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
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


def _our_page(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return GENERATOR_MARK in fh.read(1024)
    except OSError:
        return False


def _wanted(path: Path, rel: str, include: Sequence[str]) -> bool | str:
    """True: take it; False: not a file to look at; a string: skipped, and why (Chinese)."""
    name = path.name
    if include:
        return _glob_match(rel, name, include)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm") and _our_page(path):
        return False
    if suffix not in REPORT_SUFFIXES and (suffix in _OTHER_SUFFIXES or recognise(path) is None):
        return False
    return looks_like_report(path) or True


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
    on the command line that `force_exclude` dropped."""

    def __init__(self, files: Iterable[str], skipped: Iterable[Skipped] = (), excluded: int = 0) -> None:
        super().__init__(files)
        self.skipped = list(skipped)
        self.excluded = excluded


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
    `Found.skipped`.
    """
    found: dict[str, str] = {}
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
            found.setdefault(os.path.realpath(root), str(root))
            continue

        for dirpath, dirnames, filenames in os.walk(root, onerror=functools.partial(_unreadable, skipped)):
            here = Path(dirpath)
            rel_dir = here.relative_to(root).as_posix()
            rel_dir = "" if rel_dir == "." else rel_dir + "/"
            cfg = config(here)

            def out(name: str, cfg: Config = cfg, rel_dir: str = rel_dir, here: Path = here) -> bool:
                return cfg.excluded(here / name) or bool(
                    exclude and _glob_match(rel_dir + name, name, exclude)
                )

            dirnames[:] = sorted(d for d in dirnames if not out(d))
            real_here = os.path.realpath(here)
            for name in sorted(filenames):
                fp = here / name
                # a file's real path is its folder's unless it is a link itself (one lstat, not
                # realpath's walk of every component)
                real = os.path.realpath(fp) if os.path.islink(fp) else os.path.join(real_here, name)
                if real in own or out(name):
                    continue
                if not fp.is_file():
                    reason = "链接指向的文件不存在" if fp.is_symlink() and not fp.exists() else "不是普通文件"
                    skipped.append(Skipped(readable(str(fp)), reason))
                    continue
                wanted = _wanted(fp, rel_dir + name, include)
                if isinstance(wanted, str):
                    skipped.append(Skipped(readable(str(fp)), wanted))
                elif wanted:
                    found.setdefault(real, str(fp))
    return Found(
        sorted(found.values(), key=sort_key), sorted(skipped, key=lambda s: sort_key(s.path)), excluded
    )


def _unreadable(skipped: list[Skipped], err: OSError) -> None:
    where = err.filename if isinstance(err.filename, str) else "?"
    skipped.append(Skipped(readable(where), f"无法读取此文件夹（{os_error_text(err)}）"))


def sort_key(path: str) -> tuple[str, ...]:
    return Path(path).parts
