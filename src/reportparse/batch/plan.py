"""Planning: which rules and fail-on level apply to each file (its configuration file)."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import Config, find_config, load_config
from ..rules import Selection


@dataclass(frozen=True)
class Overrides:
    """Command-line choices that override (select, fail-on) or extend (ignore,
    extend-select) what a configuration file says."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    fail_on: str | None = None
    ocr: str | None = None  # never | auto | always

    def apply(self, config: Config) -> tuple[Selection, str]:
        s = config.selection
        selection = Selection(
            select=self.select if self.select is not None else s.select,
            ignore=s.ignore + self.ignore,
            extend_select=s.extend_select + self.extend_select,
            severity=s.severity,
            thresholds=s.thresholds,
        )
        return selection, self.fail_on or config.fail_on


@dataclass(frozen=True, slots=True)  # one a file: 30,000 of them in a national run
class Task:
    index: int
    path: str
    selection: Selection
    fail_on: str
    with_json: bool = False  # a worker also writes the report's JSON (PackedReport.json)
    history: Path | None = None  # the history store its configuration names
    ocr: str | None = None  # the OCR mode (None: REPORTPARSE_OCR, else auto)
    cache: Path | None = None  # the cache folder its configuration names
    peek: bool = False  # a report only if it looks like one: looked into before it is read


class Configs:
    """The configuration that applies in a folder: the file `config`, or (with `discovery`) the
    nearest `reportparse.toml` / `pyproject.toml` with a `[tool.reportparse]` table at or above
    it, or none. Each file is found and loaded once; ConfigError for one that cannot be used."""

    def __init__(self, config: Path | None = None, discovery: bool = True) -> None:
        self.config = config
        self.discovery = discovery
        self._found: dict[str, Path | None] = {}
        self._loaded: dict[Path | None, Config] = {}

    def source(self, folder: Path | str) -> Path | None:
        if self.config is not None:
            return self.config
        if not self.discovery:
            return None
        key = os.path.abspath(folder)
        if key not in self._found:
            self._found[key] = find_config(Path(key))
        return self._found[key]

    def load(self, source: Path | None) -> Config:
        if source not in self._loaded:
            self._loaded[source] = load_config(source)
        return self._loaded[source]

    def __call__(self, folder: Path) -> Config:
        return self.load(self.source(folder))


def plan(
    files: Sequence[str],
    *,
    selection: Selection | None = None,
    config: Path | None = None,
    config_discovery: bool = True,
    overrides: Overrides | None = None,
    configs: Configs | None = None,
    unsure: Collection[str] = (),
) -> list[Task]:
    """The selection and fail-on level of each file.

    `selection` given: used for every file as is. Otherwise the configuration that applies in
    the file's folder (`Configs`: the file `config`, or with `config_discovery` the nearest
    one), its `per-file-ignores` that match the file added to `ignore`, with `overrides`
    applied. Raises ConfigError for a configuration that cannot be used. The files in `unsure`
    are checked only if they look like a report (`Task.peek`; `discover(peek=False)`).
    """
    overrides = overrides or Overrides()
    if selection is not None:
        return [
            Task(i, f, selection, overrides.fail_on or "error", ocr=overrides.ocr, peek=f in unsure)
            for i, f in enumerate(files)
        ]
    configs = configs or Configs(config, config_discovery)
    settings: dict[tuple[Path | None, tuple[str, ...]], tuple[Selection, str]] = {}

    tasks: list[Task] = []
    for i, f in enumerate(files):
        source = configs.source(os.path.dirname(os.path.abspath(f)))
        cfg = configs.load(source)
        extra = cfg.ignored_for(Path(f)) if cfg.per_file_ignores else ()
        if (source, extra) not in settings:
            sel, fail_on = overrides.apply(cfg)
            if extra:
                sel = replace(sel, ignore=sel.ignore + extra)
            settings[source, extra] = sel, fail_on
        sel, fail_on = settings[source, extra]
        tasks.append(
            Task(
                i,
                f,
                sel,
                fail_on,
                history=cfg.history,
                ocr=overrides.ocr or cfg.ocr,
                cache=cfg.cache,
                peek=f in unsure,
            )
        )
    return tasks
