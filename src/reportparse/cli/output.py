"""Writing a command's output file: checked before any work, replaced whole or not at all.

`-o FILE` is written to a temporary file in the same folder and renamed over FILE once
complete, so a full disk, a crash or SIGTERM mid-write leaves the previous FILE as it was
(never a truncated one), and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def output_problem(path: str) -> str | None:
    """Why `path` cannot be written (in Chinese), or None when it can."""
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        return f"输出路径是一个文件夹：{path}"
    if not folder.exists():
        return f"输出文件所在的文件夹不存在：{folder}"
    if not folder.is_dir():
        return f"输出文件所在的路径不是文件夹：{folder}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"没有权限在此文件夹中写入：{folder}"
    if target.exists() and not os.access(target, os.W_OK):
        return f"没有权限覆盖此文件：{path}"
    return None


def write_atomic(path: str, data: bytes | Iterable[bytes]) -> None:
    """Replace `path` with `data` (or its pieces, written as they come) in one step; raises
    OSError (the old file stays as it was)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            for piece in [data] if isinstance(data, bytes) else data:
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
