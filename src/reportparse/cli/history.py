"""`reportparse history DB …`: list, query and export a history store, edit its alias table.

    reportparse history 审核历史.sqlite                       # every stored report
    reportparse history 审核历史.sqlite findings --rule T3-004 --year 2024
    reportparse history 审核历史.sqlite export --format xlsx -o 历年审核.xlsx --body 示例区档案局
    reportparse history 审核历史.sqlite alias 示例区卫生局 示例区卫生健康委员会

Exit codes: 0 done; 2 usage error or a store that cannot be used (the message says why).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import Counter
from dataclasses import replace
from typing import Any, TextIO

from ..batch import FileResult, HistoryError, HistoryStore
from ..batch.discover import sort_key
from ..batch.results import status_of
from ..batch.stored import load_report, loads
from ..batch.yearly import year_on_year_pass
from ..config import ConfigError, parse_codes
from ..findings import SEVERITY_CN
from ..model import Report
from ..render import FORMATS, RenderOptions, render
from ..render.csv_out import defused
from ..rules.batch import members
from .output import output_problem, write_atomic

STATUS_CN = {"ok": "正常", "findings": "有问题", "unreadable": "无法读取", "timeout": "超时"}

EPILOG = """示例：
  reportparse history 审核历史.sqlite                              # 列出库中全部报告
  reportparse history 审核历史.sqlite reports --body 示例区档案局
  reportparse history 审核历史.sqlite findings --rule T3-004 --year 2024
  reportparse history 审核历史.sqlite export --format xlsx -o 历年审核.xlsx
  reportparse history 审核历史.sqlite coverage --year 2024 --format csv -o 覆盖情况.csv
  reportparse history 审核历史.sqlite alias 示例区卫生局 示例区卫生健康委员会   # 更名后视为同一机关

历史库由 reportparse check --history 写入，见 docs/agency.md。"""


def _year(text: str) -> int:
    if not text.isdigit() or len(text) != 4:
        raise argparse.ArgumentTypeError(f"应为四位年份，而不是「{text}」")
    return int(text)


def _filters(p: argparse.ArgumentParser, rules: bool) -> None:
    p.add_argument("--body", metavar="NAME", help="只看这个机关（按规范化名称和别名匹配）")
    p.add_argument("--year", type=_year, metavar="YYYY", help="只看这一年度的报告")
    if rules:
        p.add_argument(
            "--rule", metavar="IDS", help="只看这些规则的问题（逗号分隔的编号或规则族，如 T3,QLT-001）"
        )


def add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("db", metavar="DB", help="历史库文件（SQLite，由 reportparse check --history 写入）")


def add_history_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "history",
        help="查看、查询和导出历史库（check --history 写入的历年报告和问题），维护机关别名",
        description="查看、查询和导出历史库：reportparse check --history 把读过的每份报告"
        "（机关、年度、模板、文件哈希、单元格、各部分文字）和问题写入其中。",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_db(p)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    reports = actions.add_parser("reports", help="列出库中的报告（默认）")
    _filters(reports, rules=False)
    findings = actions.add_parser("findings", help="列出库中报告最近一次检查的问题")
    _filters(findings, rules=True)
    export = actions.add_parser("export", help="按 check 的输出格式导出库中的报告和问题")
    _filters(export, rules=True)
    export.add_argument("--format", choices=list(FORMATS), default="csv", help="输出格式（默认 csv）")
    export.add_argument("-o", "--output", metavar="FILE", help="写入文件而不是标准输出")
    cover = actions.add_parser(
        "coverage",
        help="列出或导出名册核对记录（check --roster 时写入）：每个机关每年的发布情况，含未发布的机关",
    )
    _filters(cover, rules=False)
    cover.add_argument("--format", choices=["text", "csv"], default="text", help="输出格式（默认 text）")
    cover.add_argument("-o", "--output", metavar="FILE", help="写入文件而不是标准输出")
    alias = actions.add_parser("alias", help="列出、添加或删除机关别名（更名、简称）")
    alias.add_argument("alias", nargs="?", metavar="OLD", help="别名：旧名称或简称")
    alias.add_argument("body", nargs="?", metavar="NEW", help="视为哪个机关")
    alias.add_argument("--note", default="", help="说明（如：2024年机构改革更名）")
    alias.add_argument("--remove", metavar="OLD", help="删除这个别名")
    p.set_defaults(handler=run_history)
    return p


def run_history(args: argparse.Namespace) -> int:
    try:
        return _history(args, sys.stdout, sys.stderr)
    except (HistoryError, ConfigError) as err:
        sys.stderr.write(f"reportparse history：{err}\n")
        return 2
    except BrokenPipeError:
        return 0


def _history(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    action = args.action or "reports"
    if action in ("export", "coverage") and args.output and (problem := output_problem(args.output)):
        err.write(f"reportparse history：{problem}\n")
        return 2
    with HistoryStore(args.db, create=action == "alias") as store:
        if action == "reports":
            _print_reports(store, args, out)
        elif action == "findings":
            _print_findings(store, args, out)
        elif action == "alias":
            return _alias(store, args, out, err)
        elif action == "coverage":
            return _coverage(store, args, out)
        else:
            return _export(store, args, out, err)
    return 0


def _rules(args: argparse.Namespace) -> tuple[str, ...]:
    return parse_codes(args.rule, "--rule") if getattr(args, "rule", None) else ()


def _print_reports(store: HistoryStore, args: argparse.Namespace, out: TextIO) -> None:
    rows = store.reports(args.body if hasattr(args, "body") else None, getattr(args, "year", None))
    if not rows:
        out.write("历史库中没有符合条件的报告。\n")
        return
    for r in rows:
        counts = f"错误 {r.errors}，警告 {r.warnings}，提示 {r.info}"
        out.write(
            f"{r.body or '（未识别机关）'}  {r.year or '年度不详'}  {r.template}  "
            f"[{STATUS_CN.get(r.status, r.status)}] {counts}  {r.path}\n"
        )
    out.write(f"共 {len(rows)} 份报告。\n")


def _print_findings(store: HistoryStore, args: argparse.Namespace, out: TextIO) -> None:
    rows = store.findings(args.body, args.year, _rules(args))
    if not rows:
        out.write("历史库中没有符合条件的问题。\n")
        return
    last = None
    for f in rows:
        head = (f.body, f.year, f.path)
        if head != last:
            out.write(f"{f.body or '（未识别机关）'} {f.year or '年度不详'}  {f.path}\n")
            last = head
        out.write(f"  {SEVERITY_CN.get(f.severity, f.severity)} {f.rule}  {f.message}\n")
    out.write(f"共 {len(rows)} 个问题。\n")


def _alias(store: HistoryStore, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.remove:
        if not store.remove_alias(args.remove):
            err.write(f"reportparse history：没有这个别名：{args.remove}\n")
            return 2
        out.write(f"已删除别名：{args.remove}\n")
        return 0
    if args.alias and not args.body:
        err.write("reportparse history：添加别名需要两个名称：旧名称（或简称）和它对应的机关\n")
        return 2
    if args.alias:
        a, b = store.add_alias(args.alias, args.body, args.note)
        out.write(f"已添加别名：{a} → {b}\n")
        return 0
    aliases = store.aliases()
    for a, b in aliases.items():
        out.write(f"{a} → {b}\n")
    out.write(f"共 {len(aliases)} 个别名。\n")
    return 0


def stored_results(
    store: HistoryStore, body: str | None, year: int | None, rules: tuple[str, ...]
) -> list[FileResult]:
    """The stored reports as the batch formats take them: each report with its last run's
    findings (only `rules`' when given)."""
    ids = [r.id for r in store.reports(body, year)]
    out = []
    for _, _status, report_blob, results_blob in store.blobs(ids):
        report = load_report(report_blob)
        findings, unchecked = loads(results_blob)
        if rules:
            findings = tuple(
                f for f in findings if any(f.rule == r or f.rule.startswith(f"{r}-") for r in rules)
            )
        path = report.source.path or ""
        out.append(
            FileResult(
                path=path,
                status=status_of(report.head, findings),
                parsed=report,
                findings=tuple(findings),
                unverified=tuple(unchecked),
            )
        )
    reports = [r.parsed for r in out if isinstance(r.parsed, Report)]
    yearly = year_on_year_pass(
        members([r.head for r in reports], store.body_of),
        {r.path: r.selection for r in out},
        reports.__getitem__,
    )  # the 同比 of each report whose body's report of the year before is exported too, as `check` has it
    out = [replace(r, compared=yearly[r.path][0]) if r.path in yearly else r for r in out]
    return sorted(out, key=lambda r: sort_key(r.path))  # as `check` orders them


def _export(store: HistoryStore, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    fmt = FORMATS[args.format]
    if fmt.binary and not args.output and getattr(out, "isatty", lambda: False)():
        err.write(f"reportparse history：{args.format} 是二进制格式，请用 -o 指定输出文件或重定向标准输出\n")
        return 2
    try:
        results = stored_results(store, args.body, args.year, _rules(args))
    except Exception as exc:
        raise HistoryError(f"历史库 {store.path} 中有无法读回的报告数据：{exc}") from None
    document = render(args.format, results, RenderOptions())
    data = document if isinstance(document, bytes) else document.encode("utf-8")
    if args.output:
        try:
            write_atomic(args.output, data)
        except OSError as exc:
            err.write(f"reportparse history：无法写入输出文件 {args.output}：{exc.strerror or exc}\n")
            return 2
    else:
        out.flush()
        out.buffer.write(data) if hasattr(out, "buffer") else out.write(data.decode("utf-8"))
        out.flush()
    err.write(f"已导出 {len(results)} 份报告。\n")
    return 0


COVERAGE_CN = {"published": "已发布", "missing": "未发布", "late": "逾期发布", "duplicate": "多份报告"}
COVERAGE_COLUMNS = ("body", "year", "status", "parent", "kind", "region", "deadline", "files", "roster")


def _coverage(store: HistoryStore, args: argparse.Namespace, out: TextIO) -> int:
    """The recorded coverage audits: a line per body and year, or CSV (status as an id)."""
    rows = store.coverage(args.body, args.year)
    if args.format == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        buf.write("\ufeff")
        writer.writerow(COVERAGE_COLUMNS)
        for c in rows:
            fields = [c.shown, str(c.year), c.status, c.parent, c.kind, c.region, c.deadline or "",
                      "、".join(c.files), c.roster]  # fmt: skip
            writer.writerow([defused(f) for f in fields])
        text = buf.getvalue()
    else:
        lines = [
            f"{c.shown}  {c.year}  {COVERAGE_CN[c.status]}" + (f"  {'、'.join(c.files)}" if c.files else "")
            for c in rows
        ]
        counts = Counter(c.status for c in rows)
        lines.append(
            f"共 {len(rows)} 条名册核对记录："
            + "，".join(f"{COVERAGE_CN[k]} {counts.get(k, 0)}" for k in COVERAGE_CN)
            + "。"
            if rows
            else "历史库中没有符合条件的名册核对记录（用 check --roster --history 写入）。"
        )
        text = "\n".join(lines) + "\n"
    if args.output:
        write_atomic(args.output, text.encode("utf-8"))
    else:
        out.write(text)
    return 0
