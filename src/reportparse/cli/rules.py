"""`reportparse rule ID` and `reportparse rules`: look a rule up as `ruff rule` does.

The page is the one in docs/rules/ (written by the same function), so a person without the
repository reads the same text: what the rule checks, its basis, an example, how to fix it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..findings import SEVERITY_CN
from ..rules import FAMILIES, RETIRED, Rule, load_rules
from ..rules.docs import page

RULE_EPILOG = """示例：
  reportparse rule T3-001          # 这条规则检查什么、依据、违反示例、如何修正
  reportparse rule T3-001 --format json
  reportparse rules --family T3    # 表三的全部规则"""


def add_rule_parsers(sub: Any) -> None:
    """Register `rule` and `rules` on the subparsers of the main parser."""
    one: argparse.ArgumentParser = sub.add_parser(
        "rule",
        help="显示一条规则的说明：检查什么、依据、违反示例、如何修正、级别",
        description="显示一条规则的说明（与 docs/rules/ 中的页面相同）。",
        epilog=RULE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    one.add_argument("id", metavar="ID", help="规则编号，如 T3-001（不区分大小写）")
    one.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")
    one.set_defaults(handler=run_rule)
    many: argparse.ArgumentParser = sub.add_parser(
        "rules",
        help="列出全部规则（可按规则族筛选）",
        description="列出全部规则：编号、默认级别、是否默认启用、说明。",
        epilog=RULE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    many.add_argument(
        "--family",
        metavar="FAMILY",
        action="append",
        default=[],
        help=f"只列出这些规则族（可多次使用或逗号分隔）：{'、'.join(FAMILIES)}",
    )
    many.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")
    many.set_defaults(handler=run_rules)


def rule_dict(r: Rule) -> dict[str, Any]:
    return {
        "id": r.id,
        "name": r.name,
        "family": r.family,
        "severity": r.severity,
        "severities": list(r.severities),
        "enabled": r.enabled,
        "title": r.title,
        "basis": r.basis,
        "example": r.example,
        "fix": r.fix,
        "tags": list(r.tags),
        "scope": r.scope,
    }


def run_rule(args: argparse.Namespace) -> int:
    code = args.id.strip().upper()
    registry = load_rules()
    r = registry.get(code)
    if r is None:
        if code in RETIRED:
            sys.stderr.write(f"reportparse rule：{code} 已停用，不再检查：{RETIRED[code]}\n")
        else:
            sys.stderr.write(
                f"reportparse rule：没有编号为「{args.id}」的规则；用 reportparse rules 列出全部规则\n"
            )
        return 2
    if args.format == "json":
        sys.stdout.write(json.dumps(rule_dict(r), ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(page(r))
    return 0


def run_rules(args: argparse.Namespace) -> int:
    wanted = {f.strip().upper() for value in args.family for f in value.split(",") if f.strip()}
    if unknown := sorted(wanted - set(FAMILIES)):
        sys.stderr.write(
            f"reportparse rules：没有规则族「{'、'.join(unknown)}」；可选：{'、'.join(FAMILIES)}\n"
        )
        return 2
    shown = [r for r in load_rules().values() if not wanted or r.family in wanted]
    shown.sort(key=lambda r: (FAMILIES.index(r.family), r.id))
    if args.format == "json":
        sys.stdout.write(json.dumps([rule_dict(r) for r in shown], ensure_ascii=False, indent=1) + "\n")
        return 0
    for r in shown:
        off = "" if r.enabled else "（默认关闭）"
        sys.stdout.write(f"{r.id:<8} {SEVERITY_CN[r.severity]}  {r.title}{off}\n")
    return 0
