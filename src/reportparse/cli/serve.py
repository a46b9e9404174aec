"""`reportparse serve [FOLDER]`: the local web application (docs/serve.md).

    reportparse serve                       # http://127.0.0.1:8000, upload reports in the browser
    reportparse serve 年报/ --history 审核历史.sqlite
    reportparse serve --host 0.0.0.0 --token 请换成至少十二个字符的口令

Needs the `serve` extra (Starlette, uvicorn, python-multipart); without it: a Chinese message
naming `pip install 'reportparse[serve]'`, exit 2. Exit codes: 0 stopped; 2 usage error, the
extra missing, or a setting that would be unsafe (another host without a token).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

from ..batch import default_jobs
from ..history import HistoryError, HistoryStore
from .check import _jobs

EXTRA_MODULES = ("starlette", "uvicorn", "multipart")
INSTALL = "pip install 'reportparse[serve]'"

EPILOG = """示例：
  reportparse serve                                   # 在浏览器中打开 http://127.0.0.1:8000 上传报告
  reportparse serve 年报/ --history 审核历史.sqlite      # 启动时审核本机文件夹，结果写入历史库
  reportparse serve --host 0.0.0.0 --token 请换成至少十二个字符的口令  # 供局域网内其他电脑访问（必须设置令牌）

数据文件夹（上传的文件和默认的历史库 history.sqlite）：--data 指定；默认为
  Windows：%LOCALAPPDATA%\\reportparse\\serve
  其他系统：$XDG_DATA_HOME/reportparse/serve（未设置时为 ~/.local/share/reportparse/serve）
需要安装可选组件：pip install 'reportparse[serve]'。见 docs/serve.md。"""


def _port(text: str) -> int:
    value = _jobs(text)  # a whole number, not negative
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"端口应在 1–65535 之间，而不是「{text}」")
    return value


def add_serve_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "serve",
        help="启动本机网页应用：上传或审核文件夹、查看问题、确认或排除、下载结果和整改清单",
        description="启动本机网页应用，供审核人员在浏览器中使用：上传报告文件或 ZIP 压缩包（或审核启动时"
        "指定的文件夹），查看批次总览、每份报告的表格和问题，确认需整改或排除问题（写明理由），下载各种格式的"
        "检查结果和整改清单。默认只监听本机地址 127.0.0.1；监听其他地址时必须设置访问令牌。",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("folder", nargs="?", metavar="FOLDER", help="启动时作为一个批次审核的本机文件夹（可选）")
    p.add_argument("--data", metavar="DIR", help="数据文件夹：上传的文件和默认的历史库（默认见下文）")
    p.add_argument(
        "--history", metavar="PATH", help="历史库（SQLite）文件（默认：数据文件夹中的 history.sqlite）"
    )
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1，仅本机可访问）")
    p.add_argument("--port", type=_port, default=8000, help="端口（默认 8000）")
    p.add_argument(
        "--token",
        metavar="TOKEN",
        help="访问令牌（至少 12 个字符）：每个请求都须携带；监听非本机地址时必填。首次访问用启动时显示的地址（含 ?token=）",
    )
    p.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="每个批次的工作进程数（默认或 0：CPU 核数）",
    )
    p.set_defaults(handler=run_serve)
    return p


def missing_extra() -> list[str]:
    return [m for m in EXTRA_MODULES if importlib.util.find_spec(m) is None]


def run_serve(args: argparse.Namespace) -> int:
    missing = missing_extra()
    if missing:
        sys.stderr.write(f"reportparse serve：缺少可选组件 {'、'.join(missing)}。请先安装：{INSTALL}\n")
        return 2
    from ..serve import Settings, create_app, default_data_dir, startup_problem

    data = Path(args.data) if args.data else default_data_dir()
    history = Path(args.history) if args.history else data / "history.sqlite"
    settings = Settings(
        data=data,
        history=history,
        folder=Path(args.folder) if args.folder else None,
        host=args.host,
        port=args.port,
        token=args.token,
        jobs=args.jobs or default_jobs(),
    )
    problem = startup_problem(settings)
    if problem is None:
        try:
            data.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            problem = f"无法创建数据文件夹 {data}：{err.strerror or err}"
    if problem is None:
        try:
            HistoryStore(history).close()  # a store that cannot be used fails now, not on the first batch
        except HistoryError as err:
            problem = str(err)
    if problem is not None:
        sys.stderr.write(f"reportparse serve：{problem}\n")
        return 2
    import uvicorn

    app = create_app(settings)
    if settings.folder is not None:
        app.state.jobs.start(app.state.jobs.get("folder"))
    shown = f"[{args.host}]" if ":" in args.host else args.host
    address = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else shown}:{args.port}/"
    sys.stderr.write(
        f"reportparse serve：请在浏览器中打开 {address}"
        + (f"?token={args.token}" if args.token else "")
        + "\n"
        f"数据文件夹：{data}\n历史库：{history}\n按 Ctrl+C 停止。\n"
    )
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    except (OSError, SystemExit) as err:
        sys.stderr.write(f"reportparse serve：无法启动服务（{err}）\n")
        return 2
    return 0
