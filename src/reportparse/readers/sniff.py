"""Tell the format from the bytes; the file name only breaks ties."""

from __future__ import annotations

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
    except (zipfile.BadZipFile, OSError, ValueError):
        return "docx"  # let the DOCX reader explain what is wrong with the zip
    if "word/document.xml" in names:
        return "docx"
    if "content.xml" in names:
        return "legacy_office"  # ODT, converted through LibreOffice
    return "docx"


def _looks_html(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"\xff\xfe") or text.startswith(b"\xfe\xff"):
        text = head.decode("utf-16", errors="ignore").encode("ascii", errors="ignore").lower()
    return (
        any(text.lstrip().startswith(t) for t in (b"<!doctype html", b"<html", b"<?xml version"))
        and (b"<html" in text or b"<!doctype html" in text)
    ) or (
        b"<html" in text[:512] or b"<body" in text[:1024] or b"<table" in text[:512] or b"<div" in text[:256]
    )
