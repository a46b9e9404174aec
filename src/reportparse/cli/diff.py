"""`reportparse diff OLD NEW`: a body's report against the year before (history/yearly.py).

    reportparse diff 2023/档案局.docx 2024/档案局.docx
    reportparse diff --history 审核历史.sqlite --body 示例县档案馆 2023 2024
    reportparse diff a.pdf b.pdf --format json

Exit codes: 0 done; 2 usage error, a file that cannot be read, a report not in the store.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from ..batch import HistoryError, HistoryStore
from ..batch.stored import load_report
from ..extract.parse import parse
from ..history.yearly import PARTS, SentencePair, YearOnYear, where, year_on_year
from ..model import Report
from ..render.text import cell_logical


def add_diff_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "diff",
        help="同一机关两个年度的报告逐项对比：各部分相似度和改动的句子（新旧并列）、每个变化的单元格",
        description="对比同一机关两个年度的报告：各部分文字的相似度（与 QLT-001 同一算法）和改动的句子——"
        "改写的句子新旧成对列出（~ 旧句 ⇒ 新句），删去的以 − 、新增的以 + 标出；"
        "表二、表三、表四中每个变化的单元格，成倍且相差 10 以上的变化标为大幅变化。"
        "reportparse check 的各种输出中的“同比”部分与此相同。",
        epilog="示例：\n  reportparse diff 2023/档案局.docx 2024/档案局.docx\n"
        "  reportparse diff --history 审核历史.sqlite --body 示例县档案馆 2023 2024",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("old", metavar="OLD", help="上一年度的报告文件（或与 --history 一起：年度）")
    p.add_argument("new", metavar="NEW", help="本年度的报告文件（或与 --history 一起：年度）")
    p.add_argument("--history", metavar="DB", help="从历史库中取报告：OLD、NEW 为年度，须同时给出 --body")
    p.add_argument("--body", metavar="NAME", help="与 --history 一起：机关名称")
    p.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")
    p.set_defaults(handler=run_diff)
    return p


class _Unusable(Exception):
    pass


def run_diff(args: argparse.Namespace) -> int:
    try:
        old, new = _reports(args)
    except (_Unusable, HistoryError) as err:
        sys.stderr.write(f"reportparse diff：{err}\n")
        return 2
    change = year_on_year(old, new)
    if args.format == "json":
        sys.stdout.write(json.dumps(change.to_dict(), ensure_ascii=False, indent=1) + "\n")
    else:
        write_text(change, sys.stdout)
    return 0


def _reports(args: argparse.Namespace) -> tuple[Report, Report]:
    if args.history is None:
        return _file(args.old), _file(args.new)
    if not args.body:
        raise _Unusable("从历史库取报告须用 --body 指定机关")
    out = []
    with HistoryStore(args.history, create=False) as store:
        body = store.body_of(args.body)
        for text in (args.old, args.new):
            if not text.isdigit():
                raise _Unusable(f"与 --history 一起使用时 OLD、NEW 应为年度，而不是「{text}」")
            found = store.report_of(body or "", int(text))
            if found is None:
                raise _Unusable(f"历史库中没有「{body}」{text} 年度的报告")
            out.append(load_report(found[1]))
    return out[0], out[1]


def _file(path: str) -> Report:
    report = parse(path)
    if report.head.empty:  # nothing recognisable was read: say why (its first error-level note)
        why = next((n.message for n in report.extraction_notes if n.severity == "error"), "未能读取报告内容")
        raise _Unusable(f"{path}：{why}")
    return report


def write_text(change: YearOnYear, out: TextIO) -> None:
    old, new = change.old, change.new
    body = new.meta.organization or old.meta.organization or "（未识别机关）"
    out.write(f"{body}：{where(old)} → {where(new)}\n")
    for s in change.sections:
        out.write(
            f"\n第{PARTS[s.number - 1]}部分 {s.heading}：{'' if s.similarity is None else '相似度 '}{s.percent}\n"
        )
        for line in pair_lines(s.pairs):
            out.write(f"  {line}\n")
    out.write(f"\n表格：{len(change.cells)} 个单元格有变化，其中大幅变化 {len(change.jumps)} 个\n")
    for c in change.cells:
        mark = "  大幅变化" if c.jump else ""
        out.write(f"  {cell_logical(new, c.cell)}：{c.old_raw or '空白'} → {c.new_raw or '空白'}{mark}\n")


def pair_lines(pairs: Sequence[SentencePair]) -> list[str]:
    """A changed sentence per line: `− old`, `+ new`, or a pair as `~ old ⇒ new（相似度 %）`."""
    out = []
    for p in pairs:
        if p.old is not None and p.new is not None:
            out.append(f"~ {p.old} ⇒ {p.new}（相似度 {100 * (p.similarity or 0):.0f}%）")
        elif p.old is not None:
            out.append(f"− {p.old}")
        elif p.new is not None:
            out.append(f"+ {p.new}")
    return out
