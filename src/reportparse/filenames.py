"""File names as people read them, and what the system says about a path, in Chinese.

On Linux a file name is bytes; Python hands a name that is not UTF-8 over as a `str` with
surrogate escapes (PEP 383), which opens the file fine but cannot be written out as UTF-8.
Reports unzipped from Windows archives carry GBK names (`\\xb1\\xa8\\xb8\\xe6.txt` is 报告.txt).
So a path keeps its escapes for opening the file and is shown through `readable()`: GB18030
where the bytes are that, `\\xNN` for bytes that are nothing. Control characters (a terminal's
escape sequences) are shown escaped too, so a file name cannot drive the terminal.
"""

from __future__ import annotations

import errno
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


# The system's error texts (strerror) are English whatever the locale of the machine.
OS_ERRORS_CN: dict[int, str] = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "操作不被允许",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EROFS: "文件系统为只读",
    errno.EEXIST: "文件已存在",
    errno.ENAMETOOLONG: "文件名过长",
    errno.ELOOP: "符号链接循环",
    errno.EMFILE: "打开的文件过多",
    errno.EIO: "输入输出错误（磁盘或网络存储故障）",
    errno.EFBIG: "文件过大",
    errno.EBUSY: "文件或设备正忙",
    errno.EXDEV: "不能跨文件系统移动",
}


def os_error_text(err: OSError) -> str:
    """What went wrong, in Chinese (the system's own text when we have no translation)."""
    if err.errno in OS_ERRORS_CN:
        return OS_ERRORS_CN[err.errno]
    return err.strerror or str(err)
