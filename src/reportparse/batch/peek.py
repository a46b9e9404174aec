"""Does a file found in a folder look like a report? A cheap look at its name or its first part.

`check` takes every file named on the command line; a file it finds in a folder is taken as a
report only when it looks like one, so that a README, a to-do list or notes kept beside the
reports are listed as skipped instead of being audited (and failing the run). The look is the
first step of the file's work in the worker that reads it (`pool.call`, `Task.peek`), or is
taken by `discover` itself when asked to.

- **By name**: a name with 年报, 年度报告 or 信息公开 in it is taken without reading it.
- **By content**: otherwise a bounded prefix is read and decoded as the readers do (`sniff`
  for the format, `encoding` for text and web pages): the first 64 KB of a text file, 256 KB of
  a web page (menus come first), the first 512 KB of a DOCX's `word/document.xml` (decompressed
  up to that bound only, the XML stripped of its tags by a regular expression, never parsed). It
  looks like a report when a line is a report title (…政府信息公开…年度报告/工作报告, optionally
  followed by a bracketed note such as （征求意见稿）), or when it holds three of the report's
  part headings (二、主动公开政府信息情况 …) and table labels (本年新收政府信息公开申请数量 …) —
  all from the template data (`extract/looks.py`).
- **Not looked into**: PDF and the formats read through LibreOffice (.doc .wps .rtf .odt) are
  taken by their suffix or bytes. Their text can only be had by parsing the whole file, which
  `check` does only in a worker process with a time limit (a crafted PDF can hang or crash a
  parser); a scanned report has no text to peek at anyway.
- **Cannot tell**: a file whose prefix has no text at all (empty, only a byte-order mark, a
  DOCX that is not a valid zip or declares a DTD) is taken, so that the reader says what is
  wrong with it instead of it vanishing from the run.
"""

from __future__ import annotations

import html
import os
import re
import zipfile
from pathlib import Path

from ..extract.looks import named_like_report, reads_like_report
from ..readers import read_at_most
from ..readers.encoding import bom, decode_html, decode_text, utf16_without_bom
from ..readers.sniff import sniff

NOT_A_REPORT = "内容不像政府信息公开工作年度报告"
TEXT_PREFIX = 64 * 1024
HTML_PREFIX = 256 * 1024
DOCX_PREFIX = 512 * 1024

_TAG_RE = re.compile(r"<[^>]*>")
_HIDDEN_HTML_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_BLOCK_END_RE = re.compile(r"</(?:p|div|h[1-6]|tr|li|title|td|th)\s*>|<br\s*/?>", re.I)
_NOISE_RE = re.compile(r"[\s\x00-\x1f\ufeff]+")


def looks_like_report(path: str | Path) -> str | None:
    """None when `path` may be a report (taken), else the reason (Chinese) it is skipped."""
    name = os.path.basename(path)
    if named_like_report(name):
        return None
    try:
        with open(path, "rb") as fh:
            head = read_at_most(fh, HTML_PREFIX, os.fstat(fh.fileno()).st_size)
    except OSError:
        return None  # the reader will say why it cannot be read
    kind = sniff(head[:4096], name)
    text: str | None
    if kind == "text":
        text, whole = _text(head[:TEXT_PREFIX]), len(head) < TEXT_PREFIX
    elif kind == "html":
        text, whole = _page(head), len(head) < HTML_PREFIX
    elif kind == "docx":
        text, whole = _docx(path)
    else:  # PDF, legacy office formats: not peeked (see the module docstring)
        return None
    if text is None or not _NOISE_RE.sub("", text):
        return None  # nothing to judge by: the reader explains
    if reads_like_report(text):
        return None
    where = "全文" if whole else f"开头 {len(_NOISE_RE.sub('', text))} 字"
    return f"{NOT_A_REPORT}：{where}没有年度报告的标题，也没有报告各部分的标题或表格栏目"


def _text(data: bytes) -> str:
    if len(data) == TEXT_PREFIX:  # cut at a line end, never inside a character
        mark = bom(data)
        wide = (mark is not None and "16" in mark.codec) or utf16_without_bom(data) is not None
        if not wide and (mark is None or "32" not in mark.codec):
            data = data[: data.rfind(b"\n") + 1] or data
        elif wide:
            data = data[: len(data) // 2 * 2]
    return decode_text(data)[0]


def _page(data: bytes) -> str:
    if len(data) == HTML_PREFIX:
        data = data[: data.rfind(b">") + 1] or data
    text = _HIDDEN_HTML_RE.sub("", decode_html(data).text)
    return html.unescape(_TAG_RE.sub("", _BLOCK_END_RE.sub("\n", text)))


def _docx(path: str | Path) -> tuple[str | None, bool]:
    """The text of the first DOCX_PREFIX bytes of the document part, and whether that is all."""
    try:
        with zipfile.ZipFile(path) as z, z.open("word/document.xml") as fh:
            data = fh.read(DOCX_PREFIX + 1)
    except Exception:  # not a valid zip, no document part, an unknown compression: the reader says
        return None, False
    xml = data[:DOCX_PREFIX].decode("utf-8", errors="replace")
    if "<!DOCTYPE" in xml or "<!ENTITY" in xml:
        return None, False  # refused by the reader, with its reason
    xml = re.sub(r"</w:p>|<w:br\b[^>]*>|<w:tab\b[^>]*>", "\n", xml)
    return html.unescape(_TAG_RE.sub("", xml)), len(data) <= DOCX_PREFIX
