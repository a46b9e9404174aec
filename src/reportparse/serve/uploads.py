"""Uploaded files and zipped folders, written under the data folder with generated names.

No name from the client is ever used as a path: each file is written as `0001.docx`,
`0002.pdf`… (the number in arrival order, the suffix kept only when it is a report format),
and the name it came with is kept as text to show (`Saved.names`). A zip is unpacked member by
member with the care of the DOCX reader for hostile zips (readers/docx/package.py): the number
of entries and every member's size are capped by `check`'s limits, members whose compression
ratio says zip bomb are refused, a member is never read past its declared size, links,
encrypted members and nested archives are skipped (listed with the reason, like `check` lists
what it skips).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..readers.docx.package import MAX_RATIO, RATIO_MIN_SIZE, UNZIP_ERRORS
from ..readers.formats import REPORT_SUFFIXES
from .settings import Settings

CHUNK = 1 << 20
_SUFFIX_RE = re.compile(r"^\.[a-z0-9]{1,8}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_NAME = 240


class UploadError(ValueError):
    """An upload that is refused as a whole; the message says why, in Chinese."""


class TooLarge(UploadError):
    """An upload over a size or count limit."""


def shown_name(name: str) -> str:
    """A client's file name as text to show: folders kept with `/`, no `..`, no drive or root,
    no control characters, at most MAX_NAME characters."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if parts and re.fullmatch(r"[A-Za-z]:", parts[0]):
        parts = parts[1:]
    text = _CONTROL_RE.sub("", "/".join(parts)).strip()
    return (text[: MAX_NAME - 1] + "…" if len(text) > MAX_NAME else text) or "（未命名）"


def report_suffix(name: str) -> str | None:
    """The suffix a stored file keeps: a report format's, "" for none; None: not a report format."""
    suffix = Path(name.replace("\\", "/")).suffix.lower()
    if not suffix:
        return ""
    if _SUFFIX_RE.match(suffix) and suffix in REPORT_SUFFIXES:
        return suffix
    return None


def member_name(info: zipfile.ZipInfo) -> str:
    """A zip member's name as its maker meant it: zips made on Chinese Windows store GBK names
    without the UTF-8 flag, which zipfile reads as code page 437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _mb(n: int) -> str:
    return f"{round(n / (1024 * 1024), 2):g} MB"


@dataclass
class Saved:
    """What an upload wrote: generated name → the name to show, and what was skipped."""

    folder: Path
    settings: Settings
    names: dict[str, str] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name shown, reason)
    total: int = 0

    def _target(self, suffix: str) -> Path:
        if len(self.names) >= self.settings.max_files:
            raise TooLarge(f"一次上传的文件超过上限 {self.settings.max_files} 个")
        return self.folder / f"{len(self.names) + 1:04d}{suffix}"

    def _count(self, n: int) -> None:
        self.total += n
        if self.total > self.settings.max_upload_bytes:
            raise TooLarge(f"上传的文件合计超过上限 {_mb(self.settings.max_upload_bytes)}")

    def add(self, name: str, stream: BinaryIO) -> None:
        """One uploaded file (a zip is unpacked)."""
        shown = shown_name(name)
        if Path(name).suffix.lower() == ".zip":
            spool = self.folder.parent / f"upload-{len(self.names) + len(self.skipped) + 1:04d}.zip"
            self._copy(stream, spool, shown)
            try:
                self.unzip(spool, shown)
            finally:
                spool.unlink(missing_ok=True)
            return
        suffix = report_suffix(name)
        if suffix is None:
            self.skipped.append(
                (shown, "不是报告文件格式（可上传 DOCX、PDF、HTML、TXT 等文件或 ZIP 压缩包）")
            )
            return
        target = self._target(suffix)
        self._copy(stream, target, shown)
        self.names[target.name] = shown

    def _copy(self, stream: BinaryIO, target: Path, shown: str) -> None:
        limit = self.settings.max_file_bytes if target.suffix != ".zip" else self.settings.max_upload_bytes
        written = 0
        with target.open("wb") as out:
            while chunk := stream.read(CHUNK):
                written += len(chunk)
                self._count(len(chunk))
                if written > limit:
                    out.close()
                    target.unlink(missing_ok=True)
                    raise TooLarge(f"文件「{shown}」超过单个文件上限 {_mb(limit)}")
                out.write(chunk)

    def unzip(self, path: Path, shown: str) -> None:
        try:
            zf = zipfile.ZipFile(path)
            infos = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise UploadError(f"「{shown}」不是有效的 ZIP 压缩包（结构损坏或文件被截断）") from None
        with zf:
            if len(infos) > self.settings.max_files:
                raise UploadError(
                    f"压缩包「{shown}」含 {len(infos)} 个条目，超过上限 {self.settings.max_files}"
                )
            for info in infos:
                self._member(zf, info, f"{shown}/{shown_name(member_name(info))}")

    def _member(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str) -> None:
        if info.is_dir():
            return
        mode = (info.external_attr >> 16) & 0o170000
        name = member_name(info)
        suffix = report_suffix(name)
        if mode == 0o120000:
            reason = "是符号链接，不展开"
        elif Path(name).suffix.lower() == ".zip":
            reason = "压缩包中的压缩包不展开"
        elif suffix is None:
            reason = "不是报告文件格式"
        elif info.flag_bits & 0x1:
            reason = "已加密，无法读取"
        elif info.file_size > self.settings.max_file_bytes:
            reason = f"解压后 {_mb(info.file_size)}，超过单个文件上限 {_mb(self.settings.max_file_bytes)}"
        elif info.file_size >= RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            reason = f"压缩比 {info.file_size // max(info.compress_size, 1)}:1 异常（疑似压缩炸弹），拒绝解压"
        else:
            reason = None
        if reason is not None or suffix is None:
            self.skipped.append((shown, reason or "不是报告文件格式"))
            return
        target = self._target(suffix)
        try:
            with zf.open(info) as src, target.open("wb") as out:
                data = src.read(info.file_size + 1)  # never past the declared size
                if len(data) > info.file_size:
                    raise ValueError("larger than declared")
                self._count(len(data))
                out.write(data)
        except UploadError:
            target.unlink(missing_ok=True)
            raise
        except UNZIP_ERRORS:
            target.unlink(missing_ok=True)
            self.skipped.append((shown, "无法解压（压缩包损坏或解压后超出声明大小）"))
            return
        self.names[target.name] = shown


def remove_tree(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


__all__ = ["Saved", "TooLarge", "UploadError", "member_name", "remove_tree", "report_suffix", "shown_name"]
