"""Opening a PDF with pdfplumber, the reasons it will not open, and the document's info strings."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text
from pdfplumber.utils.exceptions import PdfminerException

from ...extraction import problem
from ...model import ExtractionNote, Loc
from .. import ReadError
from .text import CJK_RE


def open_pdf(data: bytes, path: str | None) -> Any:
    try:
        return pdfplumber.open(BytesIO(data))
    except PdfminerException as err:
        raise ReadError(open_problem(err, path)) from err
    except Exception as err:  # pdfminer raises bare errors on some junk
        raise ReadError(
            problem(
                "EXT-001", f"PDF 文件无法打开（{type(err).__name__}）：文件损坏或不是 PDF", loc=Loc(file=path)
            )
        ) from err


def is_encryption(err: BaseException) -> bool:
    inner = err.args[0] if err.args else err
    return isinstance(inner, PDFPasswordIncorrect | PDFEncryptionError) or "encrypt" in str(inner).lower()


def open_problem(err: BaseException, path: str | None) -> ExtractionNote:
    loc = Loc(file=path)
    inner = err.args[0] if err.args else err
    if isinstance(inner, PDFPasswordIncorrect):
        return problem("EXT-002", "PDF 已加密，需要密码才能打开", loc=loc)
    if is_encryption(err):
        return problem("EXT-002", f"PDF 已加密，使用了不支持的加密方式（{inner}）", loc=loc)
    return problem(
        "EXT-001", f"PDF 文件无法解析（{type(inner).__name__}: {inner}）：文件损坏或被截断", loc=loc
    )


def _decode_meta(value: Any) -> str | None:
    """PDF info strings: UTF-16 with either byte order mark (WPS writes little-endian), else
    UTF-8, GB18030 or PDFDocEncoding."""
    try:
        value = resolve1(value)
    except Exception:
        return None
    if isinstance(value, bytes):
        if value[:2] == b"\xfe\xff":
            text = value[2:].decode("utf-16-be", errors="replace")
        elif value[:2] == b"\xff\xfe":
            text = value[2:].decode("utf-16-le", errors="replace")
        else:
            text = ""
            for enc in ("utf-8", "gb18030"):
                try:
                    text = value.removeprefix(b"\xef\xbb\xbf").decode(enc)
                except UnicodeDecodeError:
                    continue
                if enc == "utf-8" or CJK_RE.search(text):
                    break
                text = ""
            text = text or decode_text(value)
    elif isinstance(value, str):
        text = value
    else:
        return None
    text = text.replace("\x00", "").replace("\ufeff", "").strip()
    return text or None


INFO_KEYS = (
    ("Title", "page_title"),
    ("Author", "author"),
    ("Subject", "subject"),
    ("Creator", "creator"),
    ("Producer", "producer"),
)


def metadata(pdf: Any) -> dict[str, Any]:
    info: dict[str, Any] = {}
    for entry in getattr(pdf.doc, "info", []) or []:
        if isinstance(entry, dict):
            info.update(entry)
    return metadata_from(info)


def metadata_from(info: dict[str, Any]) -> dict[str, Any]:
    """Title, author and producer; dates are file times, never the publication date."""
    out: dict[str, Any] = {}
    for key, name in INFO_KEYS:
        text = _decode_meta(info.get(key))
        if text:
            out[name] = text
    return out
