"""The command line: thin; all logic lives in the library. One module per command."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from .. import __version__
from .check import add_check_parser
from .diff import add_diff_parser
from .history import add_history_parser
from .messages import chinese_argparse
from .parse import add_parse_parser
from .review import add_review_parser
from .rules import add_rule_parsers
from .serve import add_serve_parser

EPILOG = """退出码：0 正常；1 文件无法读取或存在错误级问题；2 用法错误或工具自身故障。
示例：
  reportparse parse 年报.docx --format text
  reportparse parse 年报.pdf > 年报.json
  reportparse check 年报/
  reportparse rule T3-001"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reportparse",
        description="读取并审核政府信息公开工作年度报告（DOCX、PDF、HTML、纯文本和 Tika 导出文本）。",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"reportparse {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_parse_parser(sub)
    add_check_parser(sub)
    add_rule_parsers(sub)
    add_history_parser(sub)
    add_review_parser(sub)
    add_diff_parser(sub)
    add_serve_parser(sub)
    return parser


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM ends a run like Ctrl-C: workers stopped, no partial output


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    with chinese_argparse():
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as done:  # --help, --version (0) or a usage error (2, message printed)
            return done.code if isinstance(done.code, int) else 2
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        return int(args.handler(args))
