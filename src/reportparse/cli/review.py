"""`reportparse review DB …`: decide on the findings in a history store, export the 整改清单.

    reportparse review 审核历史.sqlite list --body 示例区档案局 --year 2024
    reportparse review 审核历史.sqlite confirm 3fa94c1e --by 张三
    reportparse review 审核历史.sqlite dismiss 81b0d2aa --by 张三 --reason "机构改革，上年数据口径不同"
    reportparse review 审核历史.sqlite export --format html -o 整改清单.html --body 示例区档案局

A decision is keyed by the finding's fingerprint and the report year (history/reviews.py), so it
holds for later runs on the same report; `check --history` then shows dismissed findings as
dismissed (not counted) and marks confirmed ones that recur the next year.
Exit codes: 0 done; 2 usage error or a store that cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from ..findings import SEVERITY_CN
from ..history import DECISION_CN, HistoryError, HistoryStore, decisions, recurring
from ..history.reviews import Decision, DecisionKind, decide, find, undo
from ..history.store import StoredFinding
from ..model import Loc
from ..render.rectification import Item, rectification_html, rectification_xlsx
from ..render.text import location_text
from .history import _filters, _rules, add_db
from .output import output_problem, write_atomic

KEY_CHARS = 10  # of a fingerprint, as listed

EPILOG = """示例：
  reportparse review 审核历史.sqlite list --year 2024                 # 问题及其编号、复核状态
  reportparse review 审核历史.sqlite confirm 3fa94c1e2b --by 张三       # 确认需整改
  reportparse review 审核历史.sqlite dismiss 81b0d2aa4c --by 张三 --reason "机构改革，口径不同"
  reportparse review 审核历史.sqlite export --format xlsx -o 整改清单.xlsx --body 示例区档案局

见 docs/agency.md。"""


def add_review_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "review",
        help="复核历史库中的问题：确认需整改或排除（写明理由和决定人），导出整改清单",
        description="复核 reportparse check --history 写入历史库的问题。决定按问题指纹（规则、机关、单元格、"
        "去掉数字的问题描述，不含文件名、年度和行号）和报告年度保存，重新检查、文件改名后仍然有效；"
        "下一年度同一问题再次出现时标记为重复出现。",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_db(p)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="列出问题、编号和复核状态（默认）")
    _filters(listing, rules=True)
    listing.add_argument(
        "--status",
        choices=["open", "confirmed", "dismissed", "all"],
        default="all",
        help="只看这种状态的问题",
    )
    for name, text in (("confirm", "确认需整改"), ("dismiss", "排除（不是问题）"), ("undo", "撤销决定")):
        a = actions.add_parser(name, help=text)
        a.add_argument("keys", nargs="+", metavar="KEY", help="问题编号（list 列出的前几位，至少 6 位）")
        a.add_argument("--year", type=int, metavar="YYYY", help="报告年度（默认：该问题出现的最近年度）")
        if name != "undo":
            a.add_argument("--by", required=True, metavar="NAME", help="决定人")
            a.add_argument("--reason", default="", metavar="TEXT", help="理由或说明（排除时必填）")
    export = actions.add_parser("export", help="导出整改清单（已确认需整改的问题，按机关）")
    _filters(export, rules=False)
    export.add_argument(
        "--format", choices=["xlsx", "html"], default="xlsx", help="xlsx 工作簿或可打印的网页"
    )
    export.add_argument("-o", "--output", metavar="FILE", required=True, help="输出文件")
    p.set_defaults(handler=run_review)
    return p


def run_review(args: argparse.Namespace) -> int:
    try:
        return _review(args, sys.stdout, sys.stderr)
    except HistoryError as err:
        sys.stderr.write(f"reportparse review：{err}\n")
        return 2
    except BrokenPipeError:
        return 0


def _review(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    action = args.action or "list"
    if action == "export" and (problem := output_problem(args.output)):
        err.write(f"reportparse review：{problem}\n")
        return 2
    with HistoryStore(args.db, create=False) as store:
        if action == "list":
            _list(store, args, out)
        elif action == "export":
            return _export(store, args, out, err)
        else:
            for key in args.keys:
                f = find(store, key, args.year)
                what = f"{f.fingerprint[:KEY_CHARS]} {f.body or f.path} {f.year or '年度不详'} {f.rule}"
                if action == "undo":
                    out.write(f"已撤销：{what}\n" if undo(store, f) else f"没有可撤销的决定：{what}\n")
                else:
                    kind: DecisionKind = "confirmed" if action == "confirm" else "dismissed"
                    d = decide(store, f, kind, args.by, args.reason)
                    out.write(f"{DECISION_CN[d.decision]}：{what}\n")
    return 0


def _status(d: Decision | None) -> str:
    return "open" if d is None else d.decision


def _list(store: HistoryStore, args: argparse.Namespace, out: TextIO) -> None:
    book = decisions(store)
    rows = [
        (f, book.get((f.fingerprint, f.year or 0)))
        for f in store.findings(args.body, args.year, _rules(args))
    ]
    rows = [(f, d) for f, d in rows if args.status in ("all", _status(d))]
    if not rows:
        out.write("没有符合条件的问题。\n")
        return
    last = None
    for f, d in rows:
        head = (f.body, f.year, f.path)
        if head != last:
            out.write(f"{f.body or '（未识别机关）'} {f.year or '年度不详'}  {f.path}\n")
            last = head
        state = "待复核" if d is None else DECISION_CN[d.decision]
        note = f"（{d.who}" + (f"：{d.reason}" if d.reason else "") + "）" if d is not None else ""
        again = recurring(f.fingerprint, f.year, book)
        rec = f" [重复出现：{again.year} 年已确认]" if again is not None else ""
        sev = SEVERITY_CN.get(f.severity, f.severity)
        out.write(f"  {f.fingerprint[:KEY_CHARS]}  {state}{note}{rec}  {sev} {f.rule}  {f.message}\n")
    counts = {s: sum(1 for _, d in rows if _status(d) == s) for s in ("open", "confirmed", "dismissed")}
    out.write(
        f"共 {len(rows)} 个问题：待复核 {counts['open']}，需整改 {counts['confirmed']}，已排除 {counts['dismissed']}。\n"
    )


def _where(f: StoredFinding) -> str:
    if not f.loc:
        return ""
    fields = dict(f.loc)
    if fields.get("bbox") is not None:
        fields["bbox"] = tuple(fields["bbox"])
    try:
        return location_text(Loc(**fields))
    except TypeError:  # a location written by another version: shown as far as it is known
        return ""


def items(store: HistoryStore, body: str | None, year: int | None) -> list[Item]:
    """The confirmed findings of the latest year of each body (or of `year`), as the 整改清单
    lists them: by body, then as the report lists them."""
    book = decisions(store)
    found = store.findings(body, year)
    if year is None:  # each body's latest year in the store
        latest: dict[str | None, int] = {}
        for f in found:
            latest[f.body] = max(latest.get(f.body, 0), f.year or 0)
        found = [f for f in found if (f.year or 0) == latest[f.body]]
    out = []
    for f in found:
        d = book.get((f.fingerprint, f.year or 0))
        if d is None or d.decision != "confirmed":
            continue
        out.append(
            Item.confirmed(
                f,
                d,
                body=f.body or f.path,
                year=f.year,
                path=f.path,
                where=_where(f),
                recurring=recurring(f.fingerprint, f.year, book),
            )
        )
    return out


def _export(store: HistoryStore, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    chosen = items(store, args.body, args.year)
    data = rectification_xlsx(chosen) if args.format == "xlsx" else rectification_html(chosen).encode("utf-8")
    try:
        write_atomic(args.output, data)
    except OSError as exc:
        err.write(f"reportparse review：无法写入输出文件 {args.output}：{exc.strerror or exc}\n")
        return 2
    bodies = len({it.body for it in chosen})
    err.write(f"整改清单：{bodies} 个机关，{len(chosen)} 项已确认需整改的问题。\n")
    return 0
