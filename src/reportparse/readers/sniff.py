"""Tell the format from the bytes; the file name only breaks ties. The only place that reads
magic bytes: the readers and finding files ask here."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Literal

from .formats import FORMATS

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

Magic = Literal["zip", "ole", "rtf"]
_MAGIC: tuple[tuple[Magic, bytes], ...] = (("zip", b"PK\x03\x04"), ("ole", OLE_MAGIC), ("rtf", b"{\\rtf"))

# Formats told by their bytes below. Any other format is taken by its suffix when the bytes say
# nothing, and so is one read through a converter: LibreOffice knows more variants than the
# tests here (Word 2003 XML, WPS text, …).
_BY_BYTES = frozenset({"pdf", "docx", "html"})
_BY_NAME = {s.lstrip("."): f.id for f in FORMATS if f.converter or f.id not in _BY_BYTES for s in f.suffixes}


def magic(data: bytes) -> Magic | None:
    """What the first bytes say: a zip (DOCX, ODT, …), an OLE compound file (.doc, .wps, an
    encrypted OOXML file) or RTF; None for anything else."""
    for kind, prefix in _MAGIC:
        if data.startswith(prefix):
            return kind
    return None


def sniff(data: bytes, path: str | None = None) -> str:
    head = data[:2048]
    suffix = (path or "").rsplit(".", 1)[-1].lower() if path and "." in path else ""
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    kind = magic(head)
    if kind == "zip":
        return _zip_kind(data)
    if kind is not None:  # OLE or RTF
        return "legacy_office"
    if _looks_html(head):
        return "html"
    return _BY_NAME.get(suffix, "text")


def recognise(path: Path) -> str | None:
    """For a file found in a folder whose name says nothing: the format when its bytes clearly
    are one we read, else None. Stricter than `sniff`: a zip must hold a Word document or an
    ODT text (not a spreadsheet), and nothing falls back to text or goes by the name."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    kind = magic(head)
    if kind == "zip":
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                mimetype = z.read("mimetype") if "mimetype" in names else b""
        except (zipfile.BadZipFile, OSError, KeyError, ValueError):
            return None
        if "word/document.xml" in names:
            return "docx"
        return "legacy_office" if mimetype == ODT_MIMETYPE else None
    if kind is not None:
        return "legacy_office"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    return "html" if sniff(head, None) == "html" else None


def _zip_kind(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except Exception:  # zipfile raises many kinds (NotImplementedError for odd versions, …)
        return "docx"  # let the DOCX reader explain what is wrong with the zip
    if "word/document.xml" in names:
        return "docx"
    if "content.xml" in names:
        return "legacy_office"  # ODT, converted through LibreOffice
    return "docx"


_TAGS = b"html|body|head|table|div|p|span|font|center|br|meta|h[1-6]|title|style|section|article|!--"
_TAG_RE = re.compile(rb"^<(?:!doctype\s+html|\?xml|(?:" + _TAGS + rb")[\s>/])", re.IGNORECASE)
_CLOSE_RE = re.compile(rb"</(?:p|div|table|td|tr|span|font|body|html)>", re.IGNORECASE)


def _looks_html(head: bytes) -> bool:
    """A page or a fragment: starts with a known tag and closes some (r013 starts with `<p …>`)."""
    text = _ascii_view(head).lstrip()
    if not _TAG_RE.match(text):
        return False
    return (
        text.lower().startswith((b"<!doctype html", b"<html"))
        or bool(_CLOSE_RE.search(text))
        or b"<body" in text.lower()
    )


def _ascii_view(head: bytes) -> bytes:
    """The head with a BOM removed and UTF-16 (with or without BOM) reduced to its ASCII bytes."""
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[2:].replace(b"\x00", b"")
    zeros = head.count(0)
    if zeros > len(head) * 0.3:
        return head.replace(b"\x00", b"")
    return head
