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
from ..templates import TABLE_SHORT
from . import REGISTRY, RETIRED, Rule, load_rules

_SCOPE = {
    "report": "单份报告",
    "batch": "批量（同一机关的多份报告）",
    "extraction": "读取阶段",
    "roster": "批量，对照名册（check --roster）",
    "yearly": "批量，与同一机关上一年度的报告对比",
}


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
        *applicability(r),
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


_BODY = {"government": "人民政府", "department": "部门", "township": "乡镇、街道", "zone": "管委会、开发区"}
_VERSION = {"2021": "2021 年格式", "2019": "2019 年格式"}


def applicability(r: Rule) -> list[str]:
    """The declared scope of a rule, as the engine applies it (docs/trust.md)."""
    lines = []
    if r.templates:
        lines.append(f"- 适用模板：{'、'.join(_VERSION.get(v, v) for v in r.templates)}")
    lo, hi = r.years
    if lo is not None or hi is not None:
        span = f"{lo} 年度及以后" if hi is None else (f"{hi} 年度及以前" if lo is None else f"{lo}–{hi} 年度")
        lines.append(f"- 适用年度：{span}的报告（年度不明时按所用模板的年度）")
    if r.body_kinds:
        lines.append(f"- 适用机关：{'、'.join(_BODY[k] for k in r.body_kinds)}")
    if r.reads:
        shown = "、".join(TABLE_SHORT[t] for t in r.reads)
        lines.append(
            f"- 读取的表：{shown}（未能读取的表不交给本规则判断；部分读取时列入“未核对”）"
            + ("；文件中任何位置都没有的行仍会被指出" if r.judges_rows else "")
        )
    return lines


def source_file(r: Rule) -> str:
    """Where a rule is written, as a path in the repository."""
    fn = r.check or r.check_batch
    engine = {"roster": "batch/coverage.py", "yearly": "batch/yearly.py"}  # run by the batch engine
    if fn is None and r.scope in engine:
        return f"src/reportparse/{engine[r.scope]}"
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
