"""Plain text, Apache Tika text exports, Markdown conversions and crawler captures.

Tables come in four shapes here, each rebuilt into a `Table` (spans unknown):
- Tika: each cell a tab-indented line, a blank line between rows, a merged cell as an empty
  `\\t` line, a cell's further paragraphs on un-indented lines right below it;
- Markdown pipe tables (`| a | b |`), however shredded;
- rows pasted from a web page: a label then values separated by tabs or runs of spaces;
- nothing at all: cells run together inside a paragraph (crawler captures) — left as text here;
  `mapping` recovers those only where the template's sums allow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..document import Block, Document, Paragraph, Table, TableCell
from ..extraction import problem, repair
from ..model import ExtractionNote, Loc
from ..normalize import ARTIFACT_RE, is_number_token
from .encoding import decode_text

_HEADER_KEYS = (
    "标题",
    "发布时间",
    "发布日期",
    "发文日期",
    "成文日期",
    "发布机构",
    "文号",
    "索引号",
    "栏目",
    "原文链接",
    "来源",
    "公开日期",
    "本地目录",
)
_HEADER_RE = re.compile(r"^\s*(" + "|".join(_HEADER_KEYS) + r")\s*[:：]\s*(.*)$")
_RULE_RE = re.compile(r"^\s*[=＝\-]{3,}\s*(正文)?\s*[=＝\-]*\s*$")
_MD_SEP_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_IMAGE_RE = re.compile(r"!\[[^\]]*\]\(([^)]*)\)")
_FIELD_SPLIT_RE = re.compile(r"\t+|\s{2,}|\u3000+")
_SENTENCE_PUNCT = re.compile(r"[。；;，,：:！？]")


@dataclass
class _Line:
    no: int  # 1-based
    text: str


def read(data: bytes, path: str | None = None) -> Document:
    if _is_binary(data):
        from . import ReadError

        raise ReadError(
            problem("EXT-001", "文件不是文本（含大量二进制字节），无法按文本读取", loc=Loc(file=path))
        )
    text, encoding, notes = decode_text(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    n_artifacts = len(ARTIFACT_RE.findall(text))
    if n_artifacts:
        text = ARTIFACT_RE.sub("", text)
        notes.append(
            repair("artifacts", f"已去除 {n_artifacts} 处导出标记（如 [bookmark: …]）", count=n_artifacts)
        )
    lines = [_Line(i + 1, t) for i, t in enumerate(text.split("\n"))]
    properties, lines = _header_block(lines)
    blocks, more = _blocks(lines, path)
    notes.extend(more)
    return Document(tuple(blocks), "text", path, encoding, properties, tuple(notes))


_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\f\x1b")


def _is_binary(data: bytes) -> bool:
    """Control bytes (other than in UTF-16 text) mean this is not a text file."""
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    zeros = sample.count(0)
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if zeros > len(sample) * 0.2 and max(even, odd) > 0.9 * zeros:
        return False  # UTF-16 without a byte-order mark
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls > len(sample) * 0.01


def _header_block(lines: list[_Line]) -> tuple[dict[str, str], list[_Line]]:
    """A crawler's `key: value` header above a `==== 正文 ====` rule becomes page properties."""
    props: dict[str, str] = {}
    for i, line in enumerate(lines[:40]):
        if _RULE_RE.match(line.text) and props:
            mapping = {
                "标题": "page_title",
                "发布时间": "published",
                "发布日期": "published",
                "发文日期": "published",
                "公开日期": "published",
                "成文日期": "written",
                "发布机构": "organization",
                "来源": "source_name",
                "原文链接": "url",
            }
            out = {mapping.get(k, k): v for k, v in props.items() if v}
            return out, lines[i + 1 :]
        m = _HEADER_RE.match(line.text)
        if m:
            props[m.group(1)] = m.group(2).strip()
        elif line.text.strip() and not props:
            break
    return {}, lines


def _blocks(lines: list[_Line], path: str | None) -> tuple[list[Block], list[ExtractionNote]]:
    blocks: list[Block] = []
    notes: list[ExtractionNote] = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        raw = line.text
        if raw.startswith("\t"):
            table, i = _tika_table(lines, i, path, len([b for b in blocks if isinstance(b, Table)]))
            blocks.append(table)
            continue
        if not raw.strip():
            i += 1
            continue
        if raw.lstrip().startswith("|"):
            md, i = _markdown_table(lines, i, path, len([b for b in blocks if isinstance(b, Table)]))
            if md is not None:
                blocks.append(md)
            continue
        if _row_fields(raw) is not None:
            j = _pasted_table_end(lines, i)
            if j > i:
                blocks.append(
                    _pasted_table(lines[i:j], path, len([b for b in blocks if isinstance(b, Table)]))
                )
                i = j
                continue
        text = _clean_markdown(raw, notes, Loc(file=path, line=line.no))
        if text:
            blocks.append(Paragraph(text, Loc(file=path, line=line.no)))
        i += 1
    return blocks, notes


def _clean_markdown(raw: str, notes: list[ExtractionNote], loc: Loc) -> str:
    text = _MD_HEADING_RE.sub("", raw)
    for m in _MD_IMAGE_RE.finditer(text):
        notes.append(repair("image", f"文中有图片：{m.group(1)}", loc=loc, src=m.group(1)))
    text = _MD_IMAGE_RE.sub("", text)
    if text.strip() in {"---", "***", "___"}:
        return ""
    return text.replace("**", "").strip()


# --- Tika -------------------------------------------------------------------------------------


def _tika_table(lines: list[_Line], i: int, path: str | None, index: int) -> tuple[Table, int]:
    rows: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    n = len(lines)
    first = lines[i].no
    last = first
    while i < n:
        text = lines[i].text
        if text.startswith("\t"):
            current.append((text[1:].strip(), lines[i].no))
            last = lines[i].no
            i += 1
        elif not text.strip():
            # one blank line ends a row; the table goes on if the next non-blank line is a cell
            if current:
                rows.append(current)
                current = []
            j = i
            while j < n and not lines[j].text.strip() and not lines[j].text.startswith("\t"):
                j += 1
            if j < n and lines[j].text.startswith("\t") and j - i <= 2:
                i = j
                continue
            i = j
            break
        elif current:
            # a cell's further paragraph, printed un-indented right below it
            cell_text, no = current[-1]
            current[-1] = (f"{cell_text}\n{text.strip()}", no)
            last = lines[i].no
            i += 1
        else:
            break
    if current:
        rows.append(current)
    cells = tuple(
        TableCell(text, r, c, Loc(file=path, line=no, table=index, row=r, col=c))
        for r, row in enumerate(rows)
        for c, (text, no) in enumerate(row)
    )
    return Table(cells, Loc(file=path, line=first, end_line=last, table=index), spans_known=False), i


# --- Markdown ---------------------------------------------------------------------------------


def _markdown_table(lines: list[_Line], i: int, path: str | None, index: int) -> tuple[Table | None, int]:
    rows: list[tuple[list[str], int]] = []
    first = lines[i].no
    n = len(lines)
    while i < n and lines[i].text.lstrip().startswith("|"):
        text = lines[i].text.strip()
        if not _MD_SEP_RE.match(text):
            body = text[1:-1] if text.endswith("|") and len(text) > 1 else text[1:]
            rows.append(
                (
                    [c.strip().replace("<br>", "\n").replace("<br/>", "\n") for c in body.split("|")],
                    lines[i].no,
                )
            )
        i += 1
    if not rows:
        return None, i
    cells = tuple(
        TableCell(text, r, c, Loc(file=path, line=no, table=index, row=r, col=c))
        for r, (row, no) in enumerate(rows)
        for c, text in enumerate(row)
    )
    return Table(cells, Loc(file=path, line=first, end_line=rows[-1][1], table=index), spans_known=False), i


# --- rows pasted from a web page --------------------------------------------------------------


def _row_fields(raw: str) -> list[str] | None:
    """The fields of a line that looks like a table row, or None for prose."""
    text = raw.strip()
    if not text or len(text) > 400:
        return None
    if "\t" in text:
        # tabs separate cells one by one, so an empty field is a blank cell
        fields = [f.strip() for f in text.split("\t")]
    else:
        fields = [f.strip() for f in _FIELD_SPLIT_RE.split(text) if f.strip()]
    if (
        sum(1 for f in fields if f) >= 2
        and ("\t" in text or any(is_number_token(f) for f in fields))
        and all(len(f) <= 80 and not re.search(r"[。；]", f) for f in fields)
    ):
        return fields
    tokens = text.split()
    if len(tokens) >= 2:
        numeric = [is_number_token(t) for t in tokens]
        if all(numeric):
            return tokens
        # "行政处罚 0" / "规章 0 0 0": a short label, then only numbers
        k = numeric.index(True) if True in numeric else len(tokens)
        label = " ".join(tokens[:k])
        if (
            0 < k < len(tokens)
            and all(numeric[k:])
            and len(label) <= 40
            and not _SENTENCE_PUNCT.search(label)
        ):
            return [label, *tokens[k:]]
    return None


def _pasted_table_end(lines: list[_Line], i: int) -> int:
    """End (exclusive) of a run of row-like lines starting at i; i itself when it is no table.

    Short caption lines (e.g. `第二十条第（一）项`) and blank lines may sit between rows.
    """
    n = len(lines)
    j = i
    rows = 0
    end = i
    while j < n:
        text = lines[j].text
        if not text.strip():
            j += 1
            continue
        if _row_fields(text) is not None:
            rows += 1
            j += 1
            end = j
            continue
        if _is_caption(text) and _next_is_row(lines, j + 1):
            j += 1
            continue
        break
    return end if rows >= 2 else i


_ORDINAL_RE = re.compile(r"^([一二三四五六七八九十]+|\d{1,2})\s*[、.．]")


def _is_caption(text: str) -> bool:
    """A short line inside a pasted table (e.g. `第二十条第（一）项`); an ordinal line such as
    `三、…` may be a heading, so it ends the table (the mapper joins table pieces anyway)."""
    s = text.strip()
    bare = re.sub(r"[（(][^）)]*[）)]", "", s)  # "（单位：万元）" is part of a label, not a sentence
    return 0 < len(s) <= 40 and not _SENTENCE_PUNCT.search(bare) and not _ORDINAL_RE.match(s)


def _next_is_row(lines: list[_Line], j: int) -> bool:
    n = len(lines)
    while j < n and not lines[j].text.strip():
        j += 1
    return j < n and (
        _row_fields(lines[j].text) is not None
        or (_is_caption(lines[j].text) and j + 1 < n and _row_fields(lines[j + 1].text) is not None)
    )


def _pasted_table(lines: list[_Line], path: str | None, index: int) -> Table:
    cells: list[TableCell] = []
    r = 0
    for line in lines:
        if not line.text.strip():
            continue
        fields = _row_fields(line.text) or [line.text.strip()]
        for c, text in enumerate(fields):
            cells.append(TableCell(text, r, c, Loc(file=path, line=line.no, table=index, row=r, col=c)))
        r += 1
    return Table(
        tuple(cells), Loc(file=path, line=lines[0].no, end_line=lines[-1].no, table=index), spans_known=False
    )
