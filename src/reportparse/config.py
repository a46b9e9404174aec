"""Rule selection from `reportparse.toml` or `[tool.reportparse]` in `pyproject.toml`.

```toml
[tool.reportparse]            # or, in reportparse.toml, the same keys at top level
select = ["T3", "T4", "STR"]  # ids or families; default: every rule that is on by default
ignore = ["CNT-005"]
extend-select = ["QLT"]       # rules that are off by default
fail-on = "warning"           # error | warning | info | never
[tool.reportparse.severity]
TXT-005 = "info"
```

The nearest file at or above the report's folder wins; command-line options override it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .rules import Selection, rule_codes, rule_severities

FAIL_ON = ("error", "warning", "info", "never")


class ConfigError(ValueError):
    """A configuration file or option that cannot be used; the message says why, in Chinese."""


@dataclass(frozen=True)
class Config:
    selection: Selection = field(default_factory=Selection)
    fail_on: str = "error"
    source: Path | None = None


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
    known = {"select", "ignore", "extend-select", "severity", "fail-on"}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(
            f"{where} 含未知配置项：{'、'.join(sorted(unknown))}（可用：{'、'.join(sorted(known))}）"
        )
    try:
        severity = rule_severities(data.get("severity") or {}, where)
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
        ),
        fail_on=fail_on,
        source=source,
    )
