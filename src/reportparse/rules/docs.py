"""Write one documentation page per rule into docs/rules/ (ruff-style), plus an index.

Run `python -m reportparse.rules.docs docs/rules` from the repository root; it also updates the
rule count in README.md, so that it cannot go stale.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

from ..findings import SEVERITY_CN
from . import REGISTRY, RETIRED, Rule, load_rules

_SCOPE = {"report": "单份报告", "batch": "批量（同一机关的多份报告）", "extraction": "读取阶段"}


def page(r: Rule) -> str:
    lines = [
        f"# {r.id} {r.name}",
        "",
        f"**{r.title}**",
        "",
        f"- 默认级别：{SEVERITY_CN[r.severity]} ({r.severity})",
        f"- 默认启用：{'是' if r.enabled else '否（用 --extend-select ' + r.id + ' 或 ' + r.family + ' 启用）'}",
        f"- 范围：{'批量（同一年度的不同机关）' if 'across-bodies' in r.tags else _SCOPE[r.scope]}",
        f"- 可能的级别：{'、'.join(SEVERITY_CN[s] for s in r.severities)}",
        f"- 源码：`{source_file(r)}`",
    ]
    if r.tags:
        lines.append(f"- 标签：{', '.join(r.tags)}")
    if r.basis:
        lines += ["", "## 依据", "", r.basis]
    if r.example:
        lines += ["", "## 违反示例", "", r.example]
    if r.fix:
        lines += ["", "## 如何修正", "", r.fix]
    lines += [
        "",
        "## 选择与忽略",
        "",
        f"`reportparse check --ignore {r.id}`；在 `reportparse.toml` 中：",
        "",
        "```toml",
        f'ignore = ["{r.id}"]',
        "[severity]",
        f'{r.id} = "info"',
        "```",
        "",
    ]
    return "\n".join(lines)


def source_file(r: Rule) -> str:
    """Where a rule is written, as a path in the repository."""
    fn = r.check or r.check_batch
    if fn is None:  # EXT- codes: raised by the readers, catalogued in one place
        return "src/reportparse/extraction.py"
    path = Path(inspect.getsourcefile(fn) or "")
    package = Path(__file__).resolve().parents[1]
    return "src/" + path.resolve().relative_to(package.parent).as_posix()


def index() -> str:
    lines = ["# 规则一览", "", "| 编号 | 名称 | 默认级别 | 说明 |", "|---|---|---|---|"]
    for r in sorted(REGISTRY.values(), key=lambda r: (r.family, r.id)):
        lines.append(
            f"| [{r.id}]({r.id}.md) | {r.name} | {r.severity}{'' if r.enabled else '（默认关闭）'} | {r.title} |"
        )
    lines += ["", "## 已停用的编号", "", "这些编号不会再分配给其他规则。", "", "| 编号 | 说明 |", "|---|---|"]
    lines += [f"| {rid} | {why} |" for rid, why in sorted(RETIRED.items())]
    return "\n".join(lines) + "\n"


_COUNT = re.compile(r"— \d+ rules, each with")


def readme_with_count(text: str) -> str:
    """README.md with its rule count made true."""
    return _COUNT.sub(f"— {len(load_rules())} rules, each with", text)


def pages() -> dict[str, str]:
    load_rules()
    out = {f"{r.id}.md": page(r) for r in REGISTRY.values()}
    out["index.md"] = index()
    return out


def main(argv: list[str] | None = None) -> int:
    target = Path((argv or sys.argv[1:] or ["docs/rules"])[0])
    target.mkdir(parents=True, exist_ok=True)
    written = pages()
    for name, text in written.items():
        (target / name).write_text(text, encoding="utf-8")
    readme = Path("README.md")
    if readme.is_file():
        readme.write_text(readme_with_count(readme.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {len(written)} pages to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
