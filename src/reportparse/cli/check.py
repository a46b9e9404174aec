"""`reportparse check PATH...`: audit files and folders, write one of the batch formats.

Machine formats put only their document on stdout (or `-o`); the progress bar (a terminal only)
and the one-line summary go to stderr. Exit codes: 0 nothing at or above --fail-on, 1 findings
at or above it (an unreadable or timed-out file has an EXT- error), 2 usage or configuration
error, no input, or a crash of the tool itself.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import gc
import os
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from ..batch import (
    Baseline,
    FileResult,
    HistoryError,
    NoInputError,
    Overrides,
    ResumeError,
    RosterError,
    Summary,
    WorkerStartError,
    audit,
)
from ..batch.baseline import read_or_new
from ..batch.cluster import dask_executor
from ..batch.journal import journal_path
from ..batch.onefile import process_file
from ..config import FAIL_ON, ConfigError, find_config, parse_codes
from ..filenames import os_error_text
from ..limits import limits
from ..readers.formats import FORMATS as INPUT_FORMATS
from ..render import FORMATS, RenderOptions
from ..render.text import render_statistics
from .ocr import add_ocr_argument
from .output import output_problem, write_atomic

CHECK_EPILOG = """退出码：0 没有达到 --fail-on 级别的问题；1 有达到该级别的问题（无法读取或超时的文件按错误计）；
2 用法错误、配置错误、未找到输入文件、被中断（Ctrl-C 或 SIGTERM）或工具自身故障。

用 -o 写入文件时，每个文件的结果一读完就记入中断记录；运行被中断（Ctrl-C、被杀、断电）后，
用同一命令加 --resume 继续，已完成的文件不再处理。

示例：
  reportparse check 年报/                          # 检查文件夹（递归），按文件列出问题
  reportparse check 年报/ --format html -o 审核.html  # 整批结果做成一个网页
  reportparse check 年报/ --format xlsx -o 审核.xlsx  # 报告、问题、单元格三张工作表
  reportparse check 年报/ --select T3,T4 --fail-on warning
  reportparse check 年报/ --format sarif -o reportparse.sarif   # GitHub 代码扫描
  reportparse check 年报/ --baseline 基线.json --write-baseline  # 记录现有问题，以后只报告新问题

格式与配置见 docs/check.md，CI 与 pre-commit 见 docs/ci.md。"""


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为秒数，而不是「{text}」") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("应大于 0")
    return value


def _docs_url(text: str) -> str:
    if not re.match(r"^https?://[^/\s]+", text):
        raise argparse.ArgumentTypeError(f"应为以 http:// 或 https:// 开头的网址，而不是「{text}」")
    return text if text.endswith("/") else text + "/"


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为整数，而不是「{text}」") from None
    if value < 0:
        raise argparse.ArgumentTypeError("不能为负数")
    return value


def add_check_parser(sub: Any) -> argparse.ArgumentParser:
    """Register `check` on the subparsers of the main parser."""
    p: argparse.ArgumentParser = sub.add_parser(
        "check",
        help="批量检查报告文件或文件夹，输出问题清单（文本、JSON、SARIF、JUnit、CSV、Excel、网页等）",
        description="批量检查政府信息公开工作年度报告：每个文件只解析一次，在多个进程中并行，"
        "单个文件超时或损坏不影响其余文件；全部读完后再做跨报告检查（同一机关连续两年的结转衔接、"
        "与上年报告雷同等）。",
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="报告文件或文件夹（递归查找，跳过隐藏文件夹；按扩展名 "
        + " ".join(s for f in INPUT_FORMATS for s in f.suffixes)
        + " 或文件内容识别）；- 表示从标准输入读取一份报告",
    )
    p.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="从标准输入读取时，输出中显示的文件名（也用于查找配置文件），默认为 -",
    )
    p.add_argument(
        "--format",
        choices=list(FORMATS),
        default="text",
        help="输出格式（默认 text）：text 按文件分组的中文清单；json 一个文档；jsonl 每行一个文件；"
        "sarif 代码扫描；junit 测试报告；github 工作流注释；csv 每行一个问题；xlsx Excel 工作簿；"
        "cells 全部单元格（长表 CSV）；html 单个网页",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="写入文件而不是标准输出")
    p.add_argument(
        "--select",
        metavar="IDS",
        help="只运行这些规则（逗号分隔的编号或规则族，如 T3,T4-001；ALL 表示全部），取代配置文件中的 select",
    )
    p.add_argument("--ignore", metavar="IDS", help="不运行这些规则（逗号分隔），与配置文件中的 ignore 合并")
    p.add_argument(
        "--extend-select",
        metavar="IDS",
        help="另外启用默认关闭的规则（如 QLT 启用同年度跨机关雷同检查 QLT-002）",
    )
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        help="达到该级别的问题使退出码为 1（默认 error，或配置文件中的 fail-on；never 表示总是 0）",
    )
    p.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=0,
        metavar="N",
        help="并行进程数（默认 0 = 全部 CPU 核心；1 表示在本进程中逐个处理）",
    )
    p.add_argument(
        "--executor",
        metavar="URL",
        help="在 Dask 集群上处理文件：dask://主机:端口（调度器地址；需要 pip install 'reportparse[dask]'，"
        "见 docs/scale.md）；默认在本机的进程中处理（-j）",
    )
    p.add_argument(
        "--ship",
        choices=["bytes", "path"],
        default="bytes",
        help="使用 --executor 时如何把文件交给集群：bytes 发送文件内容（默认，集群无需访问本机磁盘）；"
        "path 只发送路径（各节点能以同一路径访问共享存储时更快）",
    )
    p.add_argument(
        "--timeout",
        type=_positive_float,
        default=None,
        metavar="S",
        help="每个文件的处理时间上限（秒，默认 60，或环境变量 REPORTPARSE_TIMEOUT_S）；超时的文件记为 timeout 并报告 EXT-003，其余文件照常检查",
    )
    add_ocr_argument(p)
    p.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="GLOB",
        help="在文件夹中只检查匹配该通配符的文件（可多次使用；取代按扩展名和内容的默认识别），如 '*.pdf'",
    )
    p.add_argument(
        "--exclude",
        "--extend-exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="另外跳过匹配该通配符的文件或文件夹（可多次使用；与配置文件的 exclude、extend-exclude 合并），"
        "如 '草稿/*' 或 '*.bak.docx'",
    )
    p.add_argument(
        "--force-exclude",
        action="store_true",
        help="命令行直接列出的文件也按排除规则跳过（pre-commit 钩子使用；配置项 force-exclude）",
    )
    p.add_argument(
        "--docs-url",
        type=_docs_url,
        metavar="URL",
        help="规则说明页（仓库中的 docs/rules/）发布的网址，SARIF 中每条规则的 helpUri 为 URL/<编号>.md；"
        "不指定则不写链接（说明全文仍在 SARIF 中）",
    )
    p.add_argument(
        "--baseline",
        metavar="FILE",
        help="不显示基线文件中已记录的问题（也不计入退出码），只报告新问题",
    )
    p.add_argument(
        "--write-baseline",
        action="store_true",
        help="先把本次检查发现的问题记入 --baseline 指定的文件（替换所查文件的记录，保留其他文件的记录）",
    )
    fixes = p.add_mutually_exclusive_group()
    fixes.add_argument(
        "--show-fixes",
        dest="show_fixes",
        action="store_const",
        const="all",
        default="errors",
        help="文本输出中每类问题都附上修正方法（默认只对错误级问题附上）",
    )
    fixes.add_argument(
        "--no-show-fixes",
        dest="show_fixes",
        action="store_const",
        const="none",
        help="文本输出中不附修正方法",
    )
    p.add_argument(
        "--statistics",
        action="store_true",
        help="只列出每条规则的问题数（从多到少），不逐条列出；仅用于 --format text",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="只输出问题本身：不显示进度、末尾的汇总行、未发现问题的文件数和跳过的路径",
    )
    p.add_argument(
        "--history",
        metavar="DB",
        help="历史库（SQLite 文件，不存在时新建）：写入读过的每份报告和问题；文件与本版本上次读过时相同则不再解析。"
        '也可在配置文件中写 history = "…"',
    )
    p.add_argument(
        "--cache",
        metavar="DIR",
        help="缓存文件夹（不存在时新建）：保存读过的每个文件的结果；文件内容、显示名、reportparse 版本和 OCR "
        '方式都未变时不再解析。也可在配置文件中写 cache = "…"；默认不使用缓存（见 docs/scale.md）',
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="继续上次被中断的同一命令（需要 -o）：中断记录中已完成的文件不再处理，输出与不中断时相同；"
        "命令、选项或文件不同时拒绝续跑",
    )
    p.add_argument(
        "--roster",
        metavar="FILE",
        help="机关名册（CSV 或 XLSX：机关、上级机关、类型、地区、截止日期、别名）：核对覆盖情况——"
        "未发布、逾期发布、多份报告、名册外的报告（PUB-005…PUB-008），输出中增加覆盖情况",
    )
    p.add_argument(
        "--roster-year",
        type=int,
        metavar="YYYY",
        help="名册核对的报告年度（默认：本批报告中最多的年度）",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--config",
        metavar="FILE",
        help="使用此配置文件（reportparse.toml 或含 [tool.reportparse] 的 pyproject.toml），不再逐级查找",
    )
    group.add_argument(
        "--no-config",
        action="store_true",
        help="不读取任何配置文件",
    )
    p.set_defaults(handler=run_check)
    return p


def _baseline(args: argparse.Namespace) -> Baseline | None:
    if args.write_baseline and not args.baseline:
        raise ConfigError("--write-baseline 需要用 --baseline FILE 指定基线文件")
    if not args.baseline:
        return None
    if args.write_baseline:
        if problem := output_problem(args.baseline):
            raise ConfigError(f"基线文件无法写入（{problem}）")
        return read_or_new(args.baseline)
    return Baseline.load(args.baseline)


def _codes(value: str | None, option: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    return parse_codes(value, option)


class _Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal: files done of
    all, and for a long run (more than a few seconds) the rate and the time left."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.width = 30
        self.clock = clock
        self.start = clock()
        self.shown = False  # a bar is on the line

    def __call__(self, done: int, total: int, result: FileResult) -> None:
        filled = self.width * done // total
        name = os.path.basename(result.path)
        if len(name) > 30:
            name = name[:29] + "…"
        bar = "█" * filled + "░" * (self.width - filled)
        elapsed = self.clock() - self.start
        pace = ""
        if elapsed >= 3 and done < total:
            rate = done / elapsed
            left = (total - done) / rate
            pace = f" {rate:.1f} 个/秒 剩余 {int(left // 60)}:{int(left % 60):02d}"
        self.stream.write(f"\r\x1b[2K{bar} {done}/{total}{pace} {name}")
        self.shown = True
        if done == total:
            self.finish()
        self.stream.flush()

    def finish(self) -> None:
        """The line cleared for what follows: also when the last files done were not reports
        (they count as done, with no result to draw) or the run stopped."""
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False


def _use_color(args: argparse.Namespace, stdout: TextIO) -> bool:
    if args.output or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stdout, "isatty", lambda: False)())


# The parent of a batch keeps every result until the output is written: tens of thousands of
# objects that CPython's default thresholds (700, 10, 10) scan again in each full collection as
# the batch grows — 0.3–0.5 s of a 20,000-file run, most of it while the workers wait or in the
# serial passes after them. A command that ends with its run collects rarely instead; the young
# generation still goes every 50,000 allocations. Workers go back to the defaults (pool.py).
BATCH_GC_THRESHOLD = (50_000, 20, 20)


@contextlib.contextmanager
def _batch_gc() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*BATCH_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run_check(args: argparse.Namespace) -> int:
    stdout, stderr = sys.stdout, sys.stderr
    try:
        with _batch_gc():
            return _check(args, stdout, stderr)
    except (ConfigError, NoInputError, WorkerStartError, HistoryError, RosterError, ResumeError) as err:
        stderr.write(f"reportparse check：{err}\n")
        return 2
    except KeyboardInterrupt:
        stderr.write("\nreportparse check：已中断\n")
        return 2
    except BrokenPipeError:
        return 0
    except Exception:  # a crash of the tool itself is exit 2, never a silent 0 or 1
        stderr.write("reportparse check：内部错误，请将以下信息一并提交问题报告。\n")
        stderr.write(traceback.format_exc())
        return 2


def _check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    fmt = FORMATS[args.format]
    if args.output and (problem := output_problem(args.output)):
        stderr.write(f"reportparse check：{problem}\n")
        return 2
    if args.statistics and args.format != "text":
        stderr.write(
            f"reportparse check：--statistics 只用于 --format text，不能与 --format {args.format} 同时使用\n"
        )
        return 2
    if "-" in args.paths and len(args.paths) > 1:
        stderr.write("reportparse check：- （标准输入）只能单独使用，不能与其他路径一起给出\n")
        return 2
    if args.stdin_filename and args.paths != ["-"]:
        stderr.write("reportparse check：--stdin-filename 只在从标准输入读取（PATH 为 -）时使用\n")
        return 2
    if fmt.binary and not args.output and getattr(stdout, "isatty", lambda: False)():
        stderr.write(f"reportparse check：{args.format} 是二进制格式，请用 -o 指定输出文件或重定向标准输出\n")
        return 2
    overrides = Overrides(
        select=_codes(args.select, "--select"),
        ignore=_codes(args.ignore, "--ignore") or (),
        extend_select=_codes(args.extend_select, "--extend-select") or (),
        fail_on=args.fail_on,
        ocr=args.ocr,
    )
    baseline = _baseline(args)
    config = None
    if args.config:
        config = Path(args.config)
        if not config.is_file():
            raise ConfigError(f"配置文件不存在：{config}")
    progress = _Progress(stderr) if getattr(stderr, "isatty", lambda: False)() and not args.quiet else None
    stdin = args.paths == ["-"]
    if args.resume and (stdin or not args.output):
        stderr.write(
            "reportparse check：--resume 需要用 -o 指定输出文件（中断记录按输出文件保存），不能用于标准输入\n"
        )
        return 2
    journal = journal_path(args.output) if args.output and not stdin else None
    with contextlib.ExitStack() as stack:
        paths, jobs, run_audit = args.paths, args.jobs or None, audit
        if stdin:
            shown = args.stdin_filename or "-"
            paths, jobs = [stack.enter_context(stdin_file(shown))], 1
            run_audit = functools.partial(audit, process=functools.partial(process_file, shown=shown))
            if config is None and not args.no_config:
                config = find_config(Path.cwd() / os.path.dirname(shown))
        if args.executor:
            executor = stack.enter_context(dask_executor(args.executor))
            run_audit = functools.partial(run_audit, executor=executor, ship=args.ship)
        run = run_audit(
            paths,
            jobs=jobs,
            timeout=args.timeout,
            config=config,
            config_discovery=not args.no_config and not stdin,
            overrides=overrides,
            include=args.include,
            exclude=args.exclude,
            force_exclude=args.force_exclude and not stdin,
            skip=[args.output] if args.output else [],
            baseline=None if stdin else baseline,  # standard input: by its shown name, below
            write_baseline=args.write_baseline,
            progress=progress,
            history=args.history,
            roster=args.roster,
            roster_year=args.roster_year,
            cache=args.cache,
            journal=journal,
            resume=args.resume,
            command=_command(args),
            **fmt.audit_options(),
        )
        try:
            results = run.collect()
        except KeyboardInterrupt:
            if progress is not None:
                progress.finish()
            if run.journal is None or run.journal.broken:
                raise
            stderr.write(
                f"\nreportparse check：已中断；已完成的 {run.journal.saved()} 个文件的结果已保存，"
                "用同一命令加 --resume 继续\n"
            )
            return 2
        finally:  # the bar gone before any message or output
            if progress is not None:
                progress.finish()
        assert run.summary is not None
        if stdin:
            results = [dataclasses.replace(r, path=shown) for r in results]
            if baseline is not None:
                run.baseline, results = baseline.settle(results, args.write_baseline)
                run.summary = Summary.of(results, run.summary.seconds)
    if args.write_baseline and run.baseline is not None:
        try:
            write_atomic(args.baseline, run.baseline.to_json().encode("utf-8"))
        except OSError as err:
            stderr.write(f"reportparse check：无法写入基线文件 {args.baseline}：{os_error_text(err)}\n")
            return 2
        stderr.write(f"已更新基线文件 {args.baseline}：共记录 {len(run.baseline.entries)} 条问题\n")
    options = RenderOptions(
        color=_use_color(args, stdout),
        root=Path.cwd(),
        skipped=run.skipped,
        show_fixes=args.show_fixes,
        quiet=args.quiet,
        docs_url=args.docs_url,
        coverage=run.coverage,
        timeline=run.timeline,
    )
    if not results and run.excluded:
        stderr.write(f"reportparse check：列出的 {run.excluded} 个文件都按排除规则跳过，没有要检查的文件\n")
    pieces = iter([render_statistics(results, options)]) if args.statistics else fmt.pieces(results, options)
    if args.output:
        try:
            write_atomic(args.output, (p if isinstance(p, bytes) else p.encode("utf-8") for p in pieces))
        except OSError as err:
            stderr.write(f"reportparse check：无法写入输出文件 {args.output}：{os_error_text(err)}\n")
            return 2
        if run.journal is not None:  # the output is safe: nothing left to resume
            run.journal.remove()
    elif args.format == "text" or not hasattr(stdout, "buffer"):
        for piece in pieces:
            stdout.write(piece if isinstance(piece, str) else piece.decode("utf-8"))
        stdout.flush()
    else:  # machine formats are UTF-8 whatever the terminal's encoding
        stdout.flush()
        for piece in pieces:
            stdout.buffer.write(piece if isinstance(piece, bytes) else piece.encode("utf-8"))
        stdout.buffer.flush()
    if not args.quiet:
        stderr.write(run.summary.line() + "\n")
        if run.coverage is not None:
            stderr.write(run.coverage.line() + "\n")
    failed = any(r.failed for r in results) or (run.coverage is not None and run.coverage.failed)
    return 1 if failed else 0


# options that change neither the results nor the output: a run may be resumed with others
_EXECUTION_ONLY = {"jobs", "executor", "ship", "quiet", "resume", "cache", "handler", "command"}


def _command(args: argparse.Namespace) -> str:
    """The run's options as text: a resumed run must have the same (its journal's key)."""
    options = " ".join(
        f"--{name.replace('_', '-')}"
        + ("" if value is True else f" {','.join(map(str, value)) if isinstance(value, list) else value}")
        for name, value in sorted(vars(args).items())
        if name not in _EXECUTION_ONLY and name != "paths" and value not in (None, False, [], "")
    )
    paths = " ".join(os.path.abspath(p) for p in args.paths)
    return f"check {paths} {options}"


@contextlib.contextmanager
def stdin_file(shown: str) -> Iterator[str]:
    """Standard input saved to a private temporary file named like `shown` (its suffix is a hint
    only: the format is read from the content), removed afterwards."""
    data = sys.stdin.buffer.read(limits().max_file_bytes + 1)
    with tempfile.TemporaryDirectory(prefix="reportparse-stdin-") as folder:
        path = os.path.join(folder, os.path.basename(shown) if shown not in ("-", "") else "stdin")
        with open(path, "wb") as fh:
            fh.write(data)
        yield path
