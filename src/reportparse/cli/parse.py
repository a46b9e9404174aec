"""`reportparse parse FILE`: one report as JSON or text."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..extract.parse import parse
from ..filenames import os_error_text, readable
from ..render.report_text import render_report
from ..rules import run_report_rules
from .ocr import add_ocr_argument
from .output import output_problem, write_atomic


def add_parse_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "parse",
        help="解析一份报告，输出元数据、六个部分和三张表的每个单元格",
        description="解析一份报告：标题、机关、年度、模板版本、六个部分，以及表二、表三、表四的每个单元格"
        "（原文、类型、数值、位置）。读取问题以 EXT- 开头的发现列出。",
        epilog="JSON 格式见 docs/json.md；空白单元格为 kind=blank、value=null，从不当作 0。",
    )
    p.add_argument("file", help="报告文件（格式按内容识别，不看扩展名）")
    p.add_argument("--format", choices=["json", "text"], default="json", help="输出格式（默认 json）")
    p.add_argument("-o", "--output", help="写入文件而不是标准输出")
    add_ocr_argument(p)
    p.set_defaults(handler=run_parse)
    return p


def run_parse(args: argparse.Namespace) -> int:
    try:
        return _parse_command(args)
    except KeyboardInterrupt:
        return 2
    except BrokenPipeError:
        return 0


def _parse_command(args: argparse.Namespace) -> int:
    if not os.path.lexists(args.file):  # as `check` says it: a usage error, not a report finding
        sys.stderr.write(f"reportparse parse：路径不存在：{readable(args.file)}\n")
        return 2
    if os.path.isdir(args.file):
        sys.stderr.write(
            f"reportparse parse：这是一个文件夹，请用 reportparse check 检查文件夹：{readable(args.file)}\n"
        )
        return 2
    if args.output and (problem := output_problem(args.output)):
        sys.stderr.write(f"reportparse parse：{problem}\n")
        return 2
    report = parse(args.file, path=readable(args.file), ocr=args.ocr)
    findings = run_report_rules(report)
    if args.format == "json":
        text = report.to_json(findings=findings, indent=1) + "\n"
    else:
        text = render_report(report, findings)
    if args.output:
        try:
            write_atomic(args.output, text.encode("utf-8"))
        except OSError as err:
            sys.stderr.write(f"reportparse parse：无法写入输出文件 {args.output}：{os_error_text(err)}\n")
            return 2
    else:
        sys.stdout.write(text)
    return 1 if any(f.severity == "error" for f in findings) else 0
