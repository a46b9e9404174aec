"""File names as people read them.

On Linux a file name is bytes; Python hands a name that is not UTF-8 over as a `str` with
surrogate escapes (PEP 383), which opens the file fine but cannot be written out as UTF-8.
Reports unzipped from Windows archives carry GBK names (`\\xb1\\xa8\\xb8\\xe6.txt` is 报告.txt).
So a path keeps its escapes for opening the file and is shown through `readable()`: GB18030
where the bytes are that, `\\xNN` for bytes that are nothing. Control characters (a terminal's
escape sequences) are shown escaped too, so a file name cannot drive the terminal.
"""

from __future__ import annotations

import os
import re

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def readable(path: str) -> str:
    """`path` with undecodable bytes decoded as GB18030 (else `\\xNN`) and control characters
    escaped: always valid, printable Unicode, and the same path for the same name."""
    if _has_surrogates(path):
        raw = os.fsencode(path)
        try:
            path = raw.decode("gb18030")
        except UnicodeDecodeError:
            path = raw.decode("utf-8", errors="backslashreplace")
    return _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", path)


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
