"""Tell the format from the bytes; the file name only breaks ties."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes, path: str | None = None) -> str:
    head = data[:2048]
    suffix = (path or "").rsplit(".", 1)[-1].lower() if path and "." in path else ""
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(OLE_MAGIC) or head.startswith(b"{\\rtf"):
        return "legacy_office"
    if _looks_html(head):
        return "html"
    if suffix in {"doc", "wps", "rtf", "odt"}:
        return "legacy_office"
    return "text"


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
