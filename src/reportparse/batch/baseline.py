"""A baseline: the findings a team has accepted for now, so that a run shows only new ones.

Drafts cannot carry inline suppressions (a Word file has no `# noqa`), so, as PHPStan, Psalm and
detekt do, the accepted findings are kept in a file beside the reports:

```json
{"reportparse_baseline": 1,
 "findings": [{"path": "年报/审计局-2024.txt", "rule": "T3-001", "fingerprint": "…", "message": "…"}]}
```

A finding is known by `Finding.fingerprint(path)`: the rule, the file's path relative to the
baseline file's folder, the cells, the quote and the message with their numbers left out — a
changed figure or an edit elsewhere in the file keeps it; another cell, another file name or
another rule makes it new. `path`, `rule` and `message` are there for people reading the file
(and reviewing its diff); only `path` and `fingerprint` are compared. The same fingerprint
recorded twice suppresses two findings, not more.

`check --baseline FILE` hides the findings FILE records (they do not count for the exit
code; the summary says how many were hidden); `--write-baseline` records the run's findings in
it first: entries of the files checked are replaced, entries of other files that still exist
are kept, so a run over a few files (pre-commit) does not forget the rest.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import ConfigError
from .results import FileResult, status_of

BASELINE_VERSION = 1
_KEY = "reportparse_baseline"


class BaselineError(ConfigError):
    """A baseline file that cannot be read or written; the message says why, in Chinese."""


@dataclass(frozen=True)
class Entry:
    path: str
    rule: str
    fingerprint: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {
            "path": self.path,
            "rule": self.rule,
            "fingerprint": self.fingerprint,
            "message": self.message,
        }


def subject(result_path: str, folder: Path) -> str:
    """The path a baseline knows a file by: relative to the baseline's folder, `/`-separated."""
    absolute = os.path.abspath(result_path)
    try:
        return Path(absolute).relative_to(folder).as_posix()
    except ValueError:
        return Path(absolute).as_posix()


@dataclass(frozen=True)
class Baseline:
    path: Path
    entries: tuple[Entry, ...] = ()

    @property
    def folder(self) -> Path:
        return Path(os.path.abspath(self.path)).parent

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Baseline:
        p = Path(path)
        if not p.is_file():
            raise BaselineError(f"基线文件不存在：{p}（先用 --baseline {p} --write-baseline 记录当前的问题）")
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise BaselineError(f"基线文件 {p} 无法读取：{err}") from None
        version = data.get(_KEY) if isinstance(data, dict) else None
        if version != BASELINE_VERSION:
            raise BaselineError(
                f'{p} 不是 reportparse 基线文件（应为含 "{_KEY}": {BASELINE_VERSION} 的 JSON）'
                if version is None
                else f"基线文件 {p} 的版本 {version} 无法使用（本版本读取版本 {BASELINE_VERSION}）"
            )
        rows = data.get("findings")
        try:
            entries = tuple(Entry(r["path"], r["rule"], r["fingerprint"], r.get("message", "")) for r in rows)
        except (TypeError, KeyError, AttributeError):
            raise BaselineError(
                f"基线文件 {p} 的 findings 应为列表，每项含 path、rule、fingerprint"
            ) from None
        return cls(p, entries)

    def apply(self, results: Sequence[FileResult]) -> list[FileResult]:
        """Each result without the findings this baseline records, `baselined` set to how
        many were hidden; the status follows the findings shown."""
        hide = self.hider()
        return [hide(r) for r in results]

    def hider(self) -> Callable[[FileResult], FileResult]:
        """`apply` a result at a time (a long run's results are on disk, not in a list)."""
        known = Counter((e.path, e.fingerprint) for e in self.entries)

        def hide(r: FileResult) -> FileResult:
            name = subject(r.path, self.folder)
            shown = []
            for f in r.findings:
                key = (name, f.fingerprint(name))
                if known[key] > 0:
                    known[key] -= 1
                else:
                    shown.append(f)
            hidden = len(r.findings) - len(shown)
            status = r.status if r.status in ("unreadable", "timeout") else status_of(r.head, shown)
            return replace(r, findings=tuple(shown), status=status, baselined=hidden)

        return hide

    def recorded(self, results: Sequence[FileResult]) -> Baseline:
        """This baseline with the entries of the files in `results` replaced by their findings
        now; entries of other files are kept while the file exists."""
        checked = {subject(r.path, self.folder) for r in results}
        kept = [e for e in self.entries if e.path not in checked and (self.folder / e.path).exists()]
        new = [
            Entry(name, f.rule, f.fingerprint(name), f.message)
            for r in results
            for name in (subject(r.path, self.folder),)
            for f in r.findings
        ]
        return Baseline(self.path, tuple(sorted(kept + new, key=lambda e: (e.path, e.rule, e.fingerprint))))

    def settle(self, results: Sequence[FileResult], write: bool) -> tuple[Baseline, list[FileResult]]:
        """(the baseline in force, the results without what it records): with `write`, this
        run's findings are recorded first (`recorded`), so none of them is shown."""
        baseline = self.recorded(results) if write else self
        return baseline, baseline.apply(results)

    def to_json(self) -> str:
        """The file's text: one entry a line, sorted, so that its diff reads well."""
        rows = ",\n".join(json.dumps(e.to_dict(), ensure_ascii=False) for e in self.entries)
        body = f"\n{rows}\n" if rows else ""
        return f'{{"{_KEY}": {BASELINE_VERSION}, "findings": [{body}]}}\n'


def read_or_new(path: str | os.PathLike[str]) -> Baseline:
    """For --write-baseline: the file as it is, or an empty baseline when there is none yet."""
    return Baseline.load(path) if Path(path).exists() else Baseline(Path(path))
