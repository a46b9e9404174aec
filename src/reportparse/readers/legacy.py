"""Legacy office formats (.doc, .wps, .rtf, .odt) read through a LibreOffice conversion to DOCX.

There is no well-kept pure-Python reader for binary Word/WPS files, and LibreOffice converts
them faithfully (merged cells, list numbers), so the file is converted to DOCX in a private
temporary directory and read by the DOCX reader. `soffice.py` runs the conversion offline, with
a private profile and a time limit, and never lets it outlive its caller. Without LibreOffice the
file gets EXT-011 saying how to install it.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from ..document import Document
from ..extraction import problem, repair
from ..model import Loc
from . import ReadError
from . import docx as docx_reader
from .sniff import magic
from .soffice import convert

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
