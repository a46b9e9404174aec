"""Readers: bytes in, format-neutral `Document` out. One module per format.

The format is sniffed from the bytes, not the file name: a `.doc` that is really a DOCX zip,
an `.html` that is GBK, a `.txt` that is HTML all go to the right reader. A reader that cannot
read its input raises `ReadError` with an EXT- note; `read()` turns that (and any unexpected
exception) into an empty `Document` carrying the note (`read_document`), so one bad file never stops a batch.
"""

from __future__ import annotations

import importlib
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ..document import Document
from ..extraction import internal_error, problem
from ..limits import limits
from ..model import ExtractionNote, Loc
from .formats import FORMATS
from .ocr import apply_ocr, ocr_mode
from .sniff import sniff


class ReadError(Exception):
    """Raised by a reader that cannot read its input; carries the finding to report."""

    def __init__(self, note: ExtractionNote) -> None:
        super().__init__(note.message)
        self.note = note


Reader = Callable[[bytes, "str | None"], Document]

# format -> module under reportparse.readers exposing `read(data, path) -> Document`
READER_MODULES = {f.id: f.module for f in FORMATS}


def read_at_most(fh: BinaryIO, n: int, size: int) -> bytes:
    """Up to `n` bytes of an open file whose size was `size`: asked for in one piece of about
    that size (a read asked for far more than the file holds allocates — and for a large `n`
    maps — a buffer of that size, which dominated the cost of small files), then on to `n`
    should the file have grown."""
    data = fh.read(min(n, size + 1))
    if len(data) == size + 1 and len(data) < n:
        data += fh.read(n - len(data))
    return data


def load_bytes(source: str | Path | bytes) -> tuple[bytes, str | None]:
    """The bytes of a report: a regular file, read no further than the size limit (a device
    such as /dev/zero, a pipe or a file that grows while read never makes us read on)."""
    if isinstance(source, bytes | bytearray):
        return bytes(source), None
    path = Path(source)
    loc = Loc(file=str(path))
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        kind = "文件夹" if stat.S_ISDIR(st.st_mode) else "设备、管道或套接字"
        raise ReadError(problem("EXT-001", f"这不是普通文件（是{kind}），未读取", loc=loc))
    limit = limits().max_file_bytes
    with path.open("rb") as fh:
        data = read_at_most(fh, limit + 1, st.st_size)
    size = max(st.st_size, len(data))
    if size > limit:
        raise ReadError(
            problem(
                "EXT-003",
                f"文件大小 {size} 字节超过上限 {limit} 字节（可用环境变量 REPORTPARSE_MAX_FILE_MB 调整）",
                loc=loc,
                limit=limit,
                size=size,
            )
        )
    return data, str(path)


def read_document(
    data: bytes, path: str | None = None, fmt: str | None = None, ocr: str | None = None
) -> Document:
    """Read bytes into a Document; never raises for bad input. `ocr`: never, auto or always
    (default: REPORTPARSE_OCR, else auto), what OCR reads of pages and pictures the reader
    could not (docs/formats/ocr.md)."""
    fmt = fmt or sniff(data, path)
    loc = Loc(file=path)
    if len(data) > limits().max_file_bytes:
        return Document(
            (),
            fmt,
            path,
            notes=(
                problem(
                    "EXT-003", f"输入大小 {len(data)} 字节超过上限 {limits().max_file_bytes} 字节", loc=loc
                ),
            ),
        )
    if not data.strip():
        return Document((), fmt, path, notes=(problem("EXT-001", "文件为空", loc=loc),))
    module_name = READER_MODULES.get(fmt)
    if module_name is None:
        return Document((), fmt, path, notes=(problem("EXT-001", f"不支持的文件格式（{fmt}）", loc=loc),))
    try:
        module = importlib.import_module(f"{__name__}.{module_name}")
    except ImportError:
        return Document((), fmt, path, notes=(problem("EXT-011", f"本安装不含 {fmt} 读取器", loc=loc),))
    try:
        document: Document = module.read(data, path)
        return apply_ocr(document, data, ocr_mode(ocr))
    except ReadError as err:
        return Document((), fmt, path, notes=(err.note,))
    except RecursionError:
        return Document((), fmt, path, notes=(problem("EXT-003", "文档嵌套层级过深，超出处理限制", loc=loc),))
    except MemoryError:
        return Document((), fmt, path, notes=(problem("EXT-003", "读取时内存不足，超出处理限制", loc=loc),))
    except Exception as err:  # a reader bug must not stop a batch
        return Document((), fmt, path, notes=(internal_error(f"{fmt} 读取器", err, loc=loc),))
