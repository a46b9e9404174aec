"""Write one documentation page per rule into docs/rules/ (ruff-style), plus an index.

Run `python -m reportparse.rules.docs docs/rules`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..findings import SEVERITY_CN
from . import REGISTRY, Rule, load_rules

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


def index() -> str:
    lines = ["# 规则一览", "", "| 编号 | 名称 | 默认级别 | 说明 |", "|---|---|---|---|"]
    for r in sorted(REGISTRY.values(), key=lambda r: (r.family, r.id)):
        lines.append(
            f"| [{r.id}]({r.id}.md) | {r.name} | {r.severity}{'' if r.enabled else '（默认关闭）'} | {r.title} |"
        )
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    load_rules()
    out = {f"{r.id}.md": page(r) for r in REGISTRY.values()}
    out["index.md"] = index()
    return out


def main(argv: list[str] | None = None) -> int:
    target = Path((argv or sys.argv[1:] or ["docs/rules"])[0])
    target.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (target / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(pages())} pages to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
