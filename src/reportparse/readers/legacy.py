"""Legacy office formats (.doc, .wps, .rtf, .odt) read through a LibreOffice conversion to DOCX.

There is no well-kept pure-Python reader for binary Word/WPS files, and LibreOffice converts
them faithfully (merged cells, list numbers), so the file is converted to DOCX in a private
temporary directory and read by the DOCX reader. The conversion runs with its own LibreOffice
profile (parallel runs do not collide), a time limit, and is killed with its children on
timeout. Without LibreOffice the file gets EXT-011 saying how to install it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from ..document import Document
from ..extraction import problem, repair
from ..limits import limits
from ..model import Loc
from . import ReadError
from . import docx as docx_reader
from .sniff import magic

TIMEOUT_S: float | None = None  # None: limits().timeout_s
INSTALL_HINT = "apt-get install -y libreoffice-writer-nogui"
ENV_BINARY = "REPORTPARSE_SOFFICE"
_CANDIDATES = (
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
)


def soffice() -> str | None:
    """The LibreOffice binary: $REPORTPARSE_SOFFICE, then PATH, then the usual install places."""
    configured = os.environ.get(ENV_BINARY)
    if configured:
        return configured if Path(configured).exists() else None
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return next((c for c in _CANDIDATES if Path(c).exists()), None)


# Word and WPS documents and templates: one OLE format, which only the name tells apart. The
# templates are read when their bytes are found to be OLE, but not taken from a folder by name
# (readers/formats.py), as .dot is also Graphviz's suffix.
_OLE_NAMES = frozenset({"doc", "wps", "dot", "wpt"})


def _kind(data: bytes, path: str | None) -> str:
    """The source format, for the temporary file's suffix and `properties["converted_from"]`."""
    suffix = Path(path).suffix.lower().lstrip(".") if path else ""
    kind = magic(data)
    if kind == "rtf":
        return "rtf"
    if kind == "zip":
        return "odt"
    if kind == "ole":
        return suffix if suffix in _OLE_NAMES else "doc"
    return suffix or "doc"


def convert(
    src: Path, outdir: Path, target: str = "docx", infilter: str | None = None, timeout: float | None = None
) -> Path:
    """Convert `src` with LibreOffice into `outdir`; returns the converted file.

    Raises ReadError: EXT-011 without LibreOffice, EXT-003 on timeout, EXT-001 when the
    conversion fails.
    """
    timeout = (TIMEOUT_S or limits().timeout_s) if timeout is None else timeout
    binary = soffice()
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
    with tempfile.TemporaryDirectory(prefix="reportparse-lo-") as profile:
        cmd = [
            binary,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
        ]
        if infilter:
            cmd.append(f"--infilter={infilter}")
        cmd += ["--convert-to", target, "--outdir", str(outdir), str(src)]
        try:
            proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
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
            _kill(proc)
            raise ReadError(
                problem(
                    "EXT-003",
                    f"LibreOffice 转换超过 {timeout:g} 秒仍未完成，已终止",
                    loc=loc,
                    limit_s=timeout,
                )
            ) from None
    ext = target.split(":", 1)[0]
    out = outdir / f"{src.stem}.{ext}"
    if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        detail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if stderr else []
        raise ReadError(
            problem(
                "EXT-001",
                f"LibreOffice 无法转换此文件（退出码 {proc.returncode}{'：' + detail[0] if detail else ''}），"
                "文件可能已损坏或不是文字处理文档",
                loc=loc,
            )
        )
    return out


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill the conversion and everything it started (soffice forks oosplash/soffice.bin)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.communicate()


def read(data: bytes, path: str | None = None) -> Document:
    if _is_encrypted(data):
        raise ReadError(
            problem("EXT-002", "文件已加密或设置了打开密码，无法读取；请提供未加密的版本", loc=Loc(file=path))
        )
    kind = _kind(data, path)
    with tempfile.TemporaryDirectory(prefix="reportparse-conv-") as tmp:
        src = Path(tmp) / f"source.{kind}"
        src.write_bytes(data)
        out = convert(src, Path(tmp) / "out", "docx")
        converted = out.read_bytes()
    document = docx_reader.read(converted, path)
    note = repair("converted", f"已用 LibreOffice 将 .{kind} 文件转换为 DOCX 后读取", source_format=kind)
    return replace(
        document,
        properties={**document.properties, "converted_from": kind},
        notes=(note, *document.notes),
    )


def _is_encrypted(data: bytes) -> bool:
    """An encrypted OOXML file is an OLE container holding an `EncryptedPackage` stream."""
    return magic(data) == "ole" and "EncryptedPackage".encode("utf-16-le") in data[: 1 << 20]
