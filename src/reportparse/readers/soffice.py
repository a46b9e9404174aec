"""Running LibreOffice for a conversion: offline, alone, and never outliving its caller.

A document can link images, sections and OLE objects by URL, and LibreOffice fetches them
while converting — a request forgery once reportparse runs on a server. So each conversion:

- gets a fresh private profile whose settings block linked content from untrusted documents
  (`BlockUntrustedRefererLinks`), never update links or fields, disable macros and active
  content, and send any remaining request to a proxy that does not exist;
- runs, where the system allows it (Linux `unshare`), in a network namespace of its own with no
  interface at all: nothing it tries can leave the machine;
- runs `soffice.bin` itself, not the `soffice` launcher, whose `oosplash` would leave
  `soffice.bin` behind when killed; in its own process group (a timeout kills all of it) and
  with a parent-death signal (if the worker running it is killed, or the whole `check`, it
  dies too);
- works in a temporary folder that is removed afterwards, whatever happened.
"""

from __future__ import annotations

import ctypes
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..extraction import problem
from ..limits import limits
from ..model import Loc
from . import ReadError

TIMEOUT_S: float | None = None  # None: limits().timeout_s
INSTALL_HINT = "apt-get install -y libreoffice-writer-nogui"
ENV_BINARY = "REPORTPARSE_SOFFICE"
_CANDIDATES = (
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
)
_RESTART = 81  # soffice.bin's exit code after it set up a new profile: run it again
_PROXY = "127.0.0.1"  # with port 9 (discard): nothing answers there

_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
{items}
</oor:items>
"""
_SETTINGS = (  # (path, property, xs type, value)
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "boolean", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableActiveContent", "boolean", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "boolean", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "int", "3"),
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "int", "2"),  # never update links
    ("/org.openoffice.Office.Writer/Content/Update", "Field", "boolean", "false"),
    ("/org.openoffice.Office.Calc/Content/Update", "Link", "int", "1"),
    ("/org.openoffice.Inet/Settings", "ooInetProxyType", "int", "1"),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPProxyName", "string", _PROXY),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPProxyPort", "int", "9"),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPSProxyName", "string", _PROXY),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPSProxyPort", "int", "9"),
    ("/org.openoffice.Inet/Settings", "ooInetFTPProxyName", "string", _PROXY),
    ("/org.openoffice.Inet/Settings", "ooInetFTPProxyPort", "int", "9"),
    ("/org.openoffice.Inet/Settings", "ooInetNoProxy", "string", ""),
)


def launcher() -> str | None:
    """The LibreOffice launcher: $REPORTPARSE_SOFFICE, then PATH, then the usual install places."""
    configured = os.environ.get(ENV_BINARY)
    if configured:
        return configured if Path(configured).exists() else None
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return next((c for c in _CANDIDATES if Path(c).exists()), None)


def _program(binary: str) -> str:
    """`soffice.bin` beside the launcher when there is one (the launcher is a script)."""
    real = Path(os.path.realpath(binary))
    program = real.with_name("soffice.bin")
    return str(program) if program.is_file() and os.access(program, os.X_OK) else binary


@functools.cache
def _offline_prefix() -> tuple[str, ...]:
    """`unshare -rn` where it works here: a private network namespace without interfaces."""
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        return ()
    for prefix in ((unshare, "-n"), (unshare, "-rn")):
        try:
            ok = (
                subprocess.run([*prefix, "true"], capture_output=True, timeout=10, check=False).returncode
                == 0
            )
        except (OSError, subprocess.SubprocessError):
            ok = False
        if ok:
            return prefix
    return ()


def _child_setup() -> Callable[[], None] | None:
    """In the child, before exec: its own process group, and death when its parent dies."""
    if not hasattr(os, "setpgid"):
        return None
    prctl = None
    if sys.platform.startswith("linux"):
        try:
            prctl = ctypes.CDLL(None, use_errno=True).prctl
        except (OSError, AttributeError):
            prctl = None

    def setup() -> None:
        os.setpgid(0, 0)
        if prctl is not None:
            prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

    return setup


def _profile(root: Path) -> Path:
    user = root / "user"
    user.mkdir(parents=True)
    items = "\n".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
        f'<value xsi:type="xs:{kind}">{value}</value></prop></item>'
        for path, name, kind, value in _SETTINGS
    )
    (user / "registrymodifications.xcu").write_text(_REGISTRY.format(items=items), encoding="utf-8")
    return root


def convert(
    src: Path, outdir: Path, target: str = "docx", infilter: str | None = None, timeout: float | None = None
) -> Path:
    """Convert `src` with LibreOffice into `outdir`; returns the converted file.

    Raises ReadError: EXT-011 without LibreOffice, EXT-003 on timeout, EXT-001 when the
    conversion fails.
    """
    timeout = (TIMEOUT_S or limits().timeout_s) if timeout is None else timeout
    binary = launcher()
    loc = Loc(file=str(src))
    if binary is None:
        raise ReadError(
            problem(
                "EXT-011",
                f"读取 {src.suffix or '此'} 格式需要 LibreOffice（soffice），但本机未安装。"
                f"安装方法：{INSTALL_HINT}（或将 soffice 路径写入环境变量 {ENV_BINARY}），也可先用 Word/WPS 另存为 .docx。",
                loc=loc,
                command=INSTALL_HINT,
            )
        )
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reportparse-lo-") as tmp:
        profile = _profile(Path(tmp) / "profile")
        cmd = [
            *_offline_prefix(),
            _program(binary),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
        ]
        if infilter:
            cmd.append(f"--infilter={infilter}")
        cmd += ["--convert-to", target, "--outdir", str(outdir), str(src)]
        env = {**os.environ, "HOME": tmp, "TMPDIR": tmp, "SAL_USE_VCLPLUGIN": "svp"}
        returncode, stderr = _run(cmd, env, timeout, loc, binary)
        if returncode == _RESTART:  # the first start of a profile ends in a restart request
            returncode, stderr = _run(cmd, env, timeout, loc, binary)
    ext = target.split(":", 1)[0]
    out = outdir / f"{src.stem}.{ext}"
    if returncode != 0 or not out.exists() or out.stat().st_size == 0:
        detail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if stderr else []
        raise ReadError(
            problem(
                "EXT-001",
                f"LibreOffice 无法转换此文件（退出码 {returncode}{'：' + detail[0] if detail else ''}），"
                "文件可能已损坏或不是文字处理文档",
                loc=loc,
            )
        )
    return out


def _run(cmd: list[str], env: dict[str, str], timeout: float, loc: Loc, binary: str) -> tuple[int, bytes]:
    try:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            preexec_fn=_child_setup(),
        )
    except OSError as err:
        raise ReadError(
            problem(
                "EXT-011",
                f"无法启动 LibreOffice（{binary}）：{err}。安装方法：{INSTALL_HINT}",
                loc=loc,
                command=INSTALL_HINT,
            )
        ) from None
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(proc)
        raise ReadError(
            problem(
                "EXT-003", f"LibreOffice 转换超过 {timeout:g} 秒仍未完成，已终止", loc=loc, limit_s=timeout
            )
        ) from None
    except BaseException:  # interrupted (the worker is told to stop): never leave it running
        kill(proc)
        raise
    return proc.returncode, stderr


def kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill the conversion and everything it started (its process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.communicate()
