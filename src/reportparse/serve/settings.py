"""What `reportparse serve` was started with, and where it keeps its data.

The data folder holds the uploaded batches (`batches/<id>/`, each file under a generated name)
and, unless `--history` names another file, the history store `history.sqlite`. By default it is
`%LOCALAPPDATA%\\reportparse\\serve` on Windows and `$XDG_DATA_HOME/reportparse/serve` (else
`~/.local/share/reportparse/serve`) elsewhere; `--data DIR` chooses another.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..limits import limits

MIN_TOKEN = 12  # characters of a token set at start


def default_data_dir() -> Path:
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "reportparse" / "serve"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "reportparse" / "serve"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    data: Path  # uploads (batches/) and, by default, the history store
    history: Path  # the SQLite history store every batch is written to
    folder: Path | None = None  # a folder on disk audited as a batch at start
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None  # required on every request when set
    jobs: int = 2  # worker processes of a batch (each file isolated, with the time limit)
    max_upload_mb: float = 1024.0  # one upload, all its files together
    # the Host header names this server (a web page elsewhere cannot reach a local server
    # through DNS rebinding); None: the host and port it listens on
    allowed_hosts: tuple[str, ...] | None = None

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_file_bytes(self) -> int:
        return limits().max_file_bytes  # one file, as `check` reads it

    @property
    def max_files(self) -> int:
        return limits().max_zip_entries  # files of one upload, zip members included

    def hosts(self) -> tuple[str, ...] | None:
        """The Host headers accepted; None: any (bound beyond this machine, the token guards)."""
        if self.allowed_hosts is not None:
            return self.allowed_hosts
        if not is_loopback(self.host):
            return None
        names = {self.host, "127.0.0.1", "localhost", "[::1]"}
        return tuple(sorted({n for h in names for n in (h, f"{h}:{self.port}")}))


def startup_problem(settings: Settings) -> str | None:
    """Why the server must not start (Chinese), or None."""
    if not is_loopback(settings.host) and not settings.token:
        return (
            f"监听地址 {settings.host} 不是本机地址：其他电脑也能访问，必须用 --token 设置访问令牌"
            f"（至少 {MIN_TOKEN} 个字符）"
        )
    if settings.token is not None and len(settings.token) < MIN_TOKEN:
        return f"访问令牌太短：至少 {MIN_TOKEN} 个字符"
    if settings.folder is not None and not settings.folder.is_dir():
        return f"要审核的文件夹不存在或不是文件夹：{settings.folder}"
    return None
