"""Rule selection from `reportparse.toml` or `[tool.reportparse]` in `pyproject.toml`.

```toml
[tool.reportparse]            # or, in reportparse.toml, the same keys at top level
select = ["T3", "T4", "STR"]  # ids or families; default: every rule that is on by default
ignore = ["CNT-005"]
extend-select = ["QLT"]       # rules that are off by default
fail-on = "warning"           # error | warning | info | never
extend-exclude = ["草稿", "旧版/*.docx"]  # files and folders `check` does not look at
force-exclude = true          # also when named on the command line (the pre-commit hook)
history = "审核历史.sqlite"    # check --history: the store, relative to this file
ocr = "auto"                  # never | auto | always (docs/formats/ocr.md)
cache = "缓存"                 # check --cache: files read before are not parsed again (docs/scale.md)
[tool.reportparse.severity]
TXT-005 = "info"
[tool.reportparse.per-file-ignores]
"2019/*" = ["TPL-002"]        # these rules are not run on the files that match
[tool.reportparse.thresholds]
QLT-001 = 0.5                 # similarity to last year's report that counts as a copy (default 0.9)
[tool.reportparse.deadlines]  # check --roster: local deadlines (month-day of the year after the
"部门" = "01-25"              # report year) by the roster's 类型, for rows without a 截止日期;
default = "01-31"             # `default` for the other kinds (docs/agency.md, a county's rule pack)
```

The nearest file at or above the report's folder wins; command-line options override it.
Patterns are globs as in ruff: one without a `/` matches a file or folder name anywhere
(`草稿`, `*.bak.docx`), one with a `/` the path relative to the configuration file's folder
(`2019/*`, `草稿/旧/*`); `*` matches any characters, `/` included.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .rules import Selection, rule_codes, rule_severities, rule_thresholds

FAIL_ON = ("error", "warning", "info", "never")
# What `exclude` is when a configuration does not set it: hidden files and folders (.git/,
# .x.txt) and Word's lock files (~$报告.docx). `exclude` replaces it, `extend-exclude` adds to it.
DEFAULT_EXCLUDE = (".*", "~$*")
KNOWN_KEYS = (
    "select",
    "ignore",
    "extend-select",
    "severity",
    "fail-on",
    "exclude",
    "extend-exclude",
    "force-exclude",
    "per-file-ignores",
    "history",
    "thresholds",
    "ocr",
    "deadlines",
    "cache",
)
# the OCR modes (readers/ocr); spelled here too, since configuration may not import a reader
OCR_MODES = ("never", "auto", "always")


class ConfigError(ValueError):
    """A configuration file or option that cannot be used; the message says why, in Chinese."""


@dataclass(frozen=True)
class Config:
    selection: Selection = field(default_factory=Selection)
    fail_on: str = "error"
    source: Path | None = None
    history: Path | None = None  # the history store (`history = "…"`, relative to the file)
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (pattern, codes)
    ocr: str | None = None  # never | auto | always; None: the default (auto)
    # check --roster: (roster 类型 or "default", (month, day)) — local deadlines for roster rows
    # without a 截止日期, in the year after the report year
    deadlines: tuple[tuple[str, tuple[int, int]], ...] = ()
    cache: Path | None = None  # check --cache: the cache folder (`cache = "…"`, relative to the file)

    @functools.cached_property
    def root(self) -> Path:
        """The folder patterns with a `/` are relative to: the file's, or the working folder."""
        return self.source.parent.resolve() if self.source else Path.cwd().resolve()

    def excluded(self, path: Path, *, parents: bool = False) -> bool:
        """`path` (with `parents`: or a folder above it, up to `root`) matches `exclude` or
        `extend-exclude`. A folder walk asks about each entry as it goes down; a path named on
        the command line asks with `parents`."""
        return _matches(path, self.exclude + self.extend_exclude, self.root, parents=parents)

    @functools.cached_property
    def _names_only(self) -> re.Pattern[str] | None:
        """The exclusions as one pattern, when none has a `/` (they match names only)."""
        patterns = self.exclude + self.extend_exclude
        if any("/" in p.rstrip("/") for p in patterns):
            return None
        return re.compile(
            "|".join(fnmatch.translate(p.rstrip("/").removeprefix("./")) for p in patterns) or "(?!)"
        )

    def excludes(self, folder: Path, name: str) -> bool:
        """`excluded(folder / name)` for a folder walk, without building the path when the
        exclusions match names only."""
        names = self._names_only
        return names.match(name) is not None if names is not None else self.excluded(folder / name)

    def ignored_for(self, path: Path) -> tuple[str, ...]:
        """The rule codes `per-file-ignores` turns off for `path`."""
        return tuple(
            code
            for pattern, codes in self.per_file_ignores
            if _matches(path, (pattern,), self.root, parents=True)
            for code in codes
        )


def _matches(path: Path, patterns: tuple[str, ...], root: Path, *, parents: bool) -> bool:
    if not parents and not any("/" in p.rstrip("/") for p in patterns):  # names only: the common case
        return any(fnmatch.fnmatchcase(path.name, p.rstrip("/").removeprefix("./")) for p in patterns)
    absolute = Path(os.path.abspath(path))
    try:
        rel = absolute.relative_to(root).as_posix()
    except ValueError:
        rel = None
    names = [absolute.name]
    rels = [rel] if rel else []
    if parents and rel:
        parts = rel.split("/")
        names = parts
        rels = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        bare = pattern.rstrip("/").removeprefix("./")
        if "/" in bare:
            if any(fnmatch.fnmatchcase(r, bare) for r in rels):
                return True
        elif any(fnmatch.fnmatchcase(n, bare) for n in names):
            return True
    return False


def find_config(start: Path) -> Path | None:
    folder = start if start.is_dir() else start.parent
    for d in (folder.resolve(), *folder.resolve().parents):
        candidate = d / "reportparse.toml"
        if candidate.is_file():
            return candidate
        pyproject = d / "pyproject.toml"
        if pyproject.is_file() and "tool" in _read(pyproject) and "reportparse" in _read(pyproject)["tool"]:
            return pyproject
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"配置文件 {path} 无法读取：{err}") from None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    data = _read(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("reportparse", {})
    return config_from_dict(data, path)


def parse_codes(values: Any, where: str) -> tuple[str, ...]:
    """`rules.rule_codes`, its error a ConfigError (the command line and configuration files)."""
    try:
        return rule_codes(values, where)
    except ValueError as err:
        raise ConfigError(str(err)) from None


def config_from_dict(data: dict[str, Any], source: Path | None = None) -> Config:
    where = str(source) if source else "配置"
    unknown = set(data) - set(KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            f"{where} 含未知配置项：{'、'.join(sorted(unknown))}（可用：{'、'.join(KNOWN_KEYS)}）"
        )
    try:
        severity = rule_severities(data.get("severity") or {}, where)
        thresholds = rule_thresholds(data.get("thresholds") or {}, where)
    except ValueError as err:
        raise ConfigError(str(err)) from None
    fail_on = data.get("fail-on", "error")
    if fail_on not in FAIL_ON:
        raise ConfigError(f"{where} 中 fail-on 的值「{fail_on}」无效（可用：error、warning、info、never）")
    return Config(
        selection=Selection(
            select=parse_codes(data.get("select", []), f"{where} 的 select"),
            ignore=parse_codes(data.get("ignore", []), f"{where} 的 ignore"),
            extend_select=parse_codes(data.get("extend-select", []), f"{where} 的 extend-select"),
            severity=severity,
            thresholds=thresholds,
        ),
        fail_on=fail_on,
        source=source,
        history=_history(data.get("history"), source, where),
        exclude=_patterns(data["exclude"], f"{where} 的 exclude") if "exclude" in data else DEFAULT_EXCLUDE,
        extend_exclude=_patterns(data.get("extend-exclude", []), f"{where} 的 extend-exclude"),
        force_exclude=_flag(data.get("force-exclude", False), f"{where} 的 force-exclude"),
        per_file_ignores=_per_file_ignores(data.get("per-file-ignores", {}), where),
        ocr=_ocr(data.get("ocr"), where),
        deadlines=_deadlines(data.get("deadlines", {}), where),
        cache=_cache(data.get("cache"), source, where),
    )


def _deadlines(values: Any, where: str) -> tuple[tuple[str, tuple[int, int]], ...]:
    shape = f'{where} 的 deadlines 应为「名册类型 = "月-日"」，如 部门 = "01-25"、default = "01-31"'
    if not isinstance(values, dict):
        raise ConfigError(shape)
    out = []
    for kind, text in values.items():
        try:
            month, day = (int(x) for x in str(text).split("-"))
            dt.date(2024, month, day)  # a leap year: 02-29 is a date
        except ValueError:
            raise ConfigError(f"{where} 中 deadlines 的「{kind} = {text}」不是日期；{shape}") from None
        out.append((str(kind), (month, day)))
    return tuple(out)


def _ocr(value: Any, where: str) -> str | None:
    if value is None or value in OCR_MODES:
        return value if value is None else str(value)
    raise ConfigError(f"{where} 中 ocr 的值「{value}」无效（可用：never、auto、always）")


def _patterns(values: Any, where: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ConfigError(f'{where} 应为通配符列表，如 ["草稿", "*.bak.docx", "2019/*"]')
    return tuple(values)


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} 应为 true 或 false，而不是「{value}」")
    return value


def _per_file_ignores(values: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(values, dict):
        raise ConfigError(
            f'{where} 的 per-file-ignores 应为「通配符 = 规则编号列表」，如 "2019/*" = ["TPL-002"]'
        )
    return tuple(
        (pattern, parse_codes(codes, f"{where} 的 per-file-ignores「{pattern}」"))
        for pattern, codes in values.items()
    )


def _cache(value: Any, source: Path | None, where: str) -> Path | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(f"{where} 中 cache 应为缓存文件夹的路径（字符串）")
    return _history(value, source, where)


def _history(value: Any, source: Path | None, where: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} 中 history 应为历史库文件的路径（字符串）")
    path = Path(value).expanduser()
    return path if path.is_absolute() or source is None else source.parent / path
