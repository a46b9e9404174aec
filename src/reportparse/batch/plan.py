"""Planning: which rules and fail-on level apply to each file (its configuration file)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
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

    def apply(self, config: Config) -> tuple[Selection, str]:
        s = config.selection
        selection = Selection(
            select=self.select if self.select is not None else s.select,
            ignore=s.ignore + self.ignore,
            extend_select=s.extend_select + self.extend_select,
            severity=s.severity,
        )
        return selection, self.fail_on or config.fail_on


@dataclass(frozen=True)
class Task:
    index: int
    path: str
    selection: Selection
    fail_on: str
    with_json: bool = False  # a worker also writes the report's JSON (PackedReport.json)


def plan(
    files: Sequence[str],
    *,
    selection: Selection | None = None,
    config: Path | None = None,
    config_discovery: bool = True,
    overrides: Overrides | None = None,
) -> list[Task]:
    """The selection and fail-on level of each file.

    `selection` given: used for every file as is. Otherwise the configuration file `config`, or
    (with `config_discovery`) the nearest `reportparse.toml` / `pyproject.toml` with a
    `[tool.reportparse]` table at or above each file's folder, with `overrides` applied.
    Raises ConfigError for a configuration that cannot be used.
    """
    overrides = overrides or Overrides()
    if selection is not None:
        return [Task(i, f, selection, overrides.fail_on or "error") for i, f in enumerate(files)]
    loaded: dict[Path | None, tuple[Selection, str]] = {}
    found_in: dict[str, Path | None] = {}

    def settings(source: Path | None) -> tuple[Selection, str]:
        if source not in loaded:
            loaded[source] = overrides.apply(load_config(source))
        return loaded[source]

    tasks: list[Task] = []
    for i, f in enumerate(files):
        if config is not None:
            source: Path | None = config
        elif config_discovery:
            folder = os.path.dirname(os.path.abspath(f))
            if folder not in found_in:
                found_in[folder] = find_config(Path(folder))
            source = found_in[folder]
        else:
            source = None
        sel, fail_on = settings(source)
        tasks.append(Task(i, f, sel, fail_on))
    return tasks
