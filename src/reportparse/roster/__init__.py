"""The roster of `check --roster FILE`: the bodies of an area that must publish a report.

A CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it in China) or XLSX file, one body
a row, with a header row naming the columns in Chinese or English:

| column | also accepted | required |
|---|---|---|
| 机关 | body, 名称 | yes |
| 上级机关 | parent, parent body | no |
| 类型 | kind | no |
| 地区 | region | no |
| 截止日期 | deadline | no: a local deadline (YYYY-MM-DD, YYYY/M/D or YYYY年M月D日) for publishing |
| 别名 | aliases | no: other names it prints, separated by ；;、| or new lines |

A roster that cannot be used raises RosterError with a Chinese message naming the row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .xlsx import XlsxError, read_xlsx_rows

COLUMNS: dict[str, tuple[str, ...]] = {
    "body": ("机关", "机关名称", "名称", "单位", "body", "name"),
    "parent": ("上级机关", "上级", "parent", "parent body", "parent_body"),
    "kind": ("类型", "机关类型", "kind", "type"),
    "region": ("地区", "区域", "region"),
    "deadline": ("截止日期", "发布期限", "期限", "deadline"),
    "aliases": ("别名", "曾用名", "aliases", "alias"),
}
_ALIAS_SPLIT_RE = re.compile(r"[；;、|\n]+")
_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
MAX_ROWS = 100_000


class RosterError(ValueError):
    """A roster file that cannot be used; the message says why, in Chinese."""


@dataclass(frozen=True)
class RosterEntry:
    body: str  # as written in the roster
    parent: str = ""
    kind: str = ""
    region: str = ""
    deadline: dt.date | None = None
    aliases: tuple[str, ...] = ()
    row: int = 0  # the row of the file, 1-based (the header is row 1)


@dataclass(frozen=True)
class Roster:
    path: str
    entries: tuple[RosterEntry, ...]


def parse_date(text: str) -> dt.date | None:
    """A deadline as people write it; None for an empty cell; ValueError for anything else."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[ T]00:00:00)?", text):
        return dt.date.fromisoformat(text[:10])
    m = _DATE_RE.match(text)
    if m is None:
        raise ValueError(text)
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


def load_roster(path: str | Path) -> Roster:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise RosterError(f"名册文件无法读取：{path}（{err.strerror or err}）") from None
    if data[:4] == b"PK\x03\x04":
        try:
            rows = read_xlsx_rows(data)
        except XlsxError as err:
            raise RosterError(f"名册文件 {path} 不是可读的 Excel 工作簿：{err}") from None
    else:
        rows = _csv_rows(data, path)
    return Roster(str(path), _entries(rows, path))


def _csv_rows(data: bytes, path: Path) -> list[list[str]]:
    if b"\x00" in data:  # a binary file (or UTF-16, which Excel does not write for CSV)
        raise RosterError(f"名册文件 {path} 不是 CSV 或 XLSX 文件")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(f"名册文件 {path} 既不是 UTF-8 也不是 GB18030 编码的 CSV")
    try:
        return [list(row) for row in csv.reader(io.StringIO(text))]
    except csv.Error as err:
        raise RosterError(f"名册文件 {path} 不是有效的 CSV：{err}") from None


def _column(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    found: dict[str, int] = {}
    for key, accepted in COLUMNS.items():
        for i, name in enumerate(names):
            if name in accepted and key not in found:
                found[key] = i
    return found


def _entries(rows: list[list[str]], path: Path) -> tuple[RosterEntry, ...]:
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise RosterError(f"名册文件 {path} 是空的")
    if len(rows) > MAX_ROWS:
        raise RosterError(f"名册文件 {path} 超过 {MAX_ROWS} 行")
    columns = _column(rows[0])
    if "body" not in columns:
        raise RosterError(
            f"名册文件 {path} 第 1 行（表头）没有「机关」列（可用列名：{'、'.join(COLUMNS['body'])}；"
            f"其余列：上级机关、类型、地区、截止日期、别名）"
        )

    def cell(row: list[str], key: str) -> str:
        i = columns.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    out: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        body = cell(row, "body")
        if not body:
            raise RosterError(f"名册文件 {path} 第 {n} 行没有机关名称")
        if body in seen:
            raise RosterError(f"名册文件 {path} 第 {n} 行的机关「{body}」与第 {seen[body]} 行重复")
        seen[body] = n
        try:
            deadline = parse_date(cell(row, "deadline"))
        except ValueError:
            raise RosterError(
                f"名册文件 {path} 第 {n} 行的截止日期「{cell(row, 'deadline')}」无法识别（应如 2025-01-31）"
            ) from None
        aliases = tuple(a.strip() for a in _ALIAS_SPLIT_RE.split(cell(row, "aliases")) if a.strip())
        out.append(
            RosterEntry(
                body, cell(row, "parent"), cell(row, "kind"), cell(row, "region"), deadline, aliases, n
            )
        )
    return tuple(out)


__all__ = ["Roster", "RosterEntry", "RosterError", "load_roster", "parse_date"]
