"""Find the title, the issuing body, the year and the six top-level sections of a report.

Headings are found by their words, not only by their numbers: `5、 存在的主要问题及改进情况` is
section 五 printed with an Arabic numeral, `…举报情况。二、主动公开政府信息情况` is a heading glued
to the end of a paragraph, and `四、结转下年度继续办理` (a table row label) is no heading at all.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from ..document import Block, Document, Paragraph, Table
from ..model import BodyKind, Loc, Section
from ..normalize import fold
from ..templates import common

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMERALS = "一二三四五六"
_SENT_END = set('。！？；;!?）)”"】]')


@dataclass(frozen=True)
class Heading:
    number: int
    block: int  # index into Document.blocks
    start: int  # offset of the numbering in the paragraph text
    end: int  # offset just after the heading words
    heading: str
    numbering: str
    glued: bool
    strict: bool  # matched a canonical heading or a known variant


@dataclass
class Segmented:
    title: str | None
    title_loc: Loc | None
    preamble: str
    preamble_loc: Loc | None
    sections: list[Section]
    # blocks that belong to each section, in order (tables included); 0 = before section 一
    section_blocks: dict[int, list[Block]] = field(default_factory=dict)
    signoff_date: dt.date | None = None
    signoff_loc: Loc | None = None


# --- normalised search with a map back to the original offsets -------------------------------


def norm_with_map(text: str) -> tuple[str, list[int]]:
    """Folded text without white space, and for each of its characters the source offset."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        folded = fold(ch)
        for f in folded:
            if not f.isspace():
                out.append(f)
                index.append(i)
    return "".join(out), index


def _heading_patterns() -> list[tuple[int, str, bool]]:
    pats: list[tuple[int, str, bool]] = []
    for s in common().sections:
        pats.append((s.number, fold(s.heading).replace(" ", ""), True))
        pats.extend((s.number, fold(v).replace(" ", ""), False) for v in s.variants)
    pats.sort(key=lambda p: -len(p[1]))
    return pats


_PATTERNS = _heading_patterns()
_STRICT_RE = re.compile(
    r"(?P<num>[一二三四五六]|[1-6])\s*(?P<sep>[、.,]?)(?P<head>"
    + "|".join(re.escape(p) for _, p, _ in _PATTERNS)
    + r")"
)
_HEAD_TO_NUM = {p: n for n, p, _ in _PATTERNS}
_LOOSE_RE = re.compile(r"^(?P<num>[一二三四五六]|[1-6])(?P<sep>[、.,])(?P<head>[^。；;，,]{2,30})$")


def find_headings(blocks: tuple[Block, ...]) -> list[Heading]:
    candidates: list[Heading] = []
    for bi, block in enumerate(blocks):
        if not isinstance(block, Paragraph):
            continue
        text = block.text
        norm, idx = norm_with_map(text)
        if not norm:
            continue
        found_at_start = False
        for m in _STRICT_RE.finditer(norm):
            number = _HEAD_TO_NUM[m.group("head")]
            start = idx[m.start()]
            before = text[:start].rstrip()
            at_start = not before
            if not at_start and before[-1] in "第之" + _NUMERALS:
                continue  # "第三、…" or a longer numeral: not a heading
            end = idx[m.end() - 1] + 1
            printed = m.group("num")
            numbering = text[start : idx[m.start("head")]].strip() if m.start("head") < len(idx) else printed
            candidates.append(
                Heading(
                    number,
                    bi,
                    start,
                    end,
                    text[idx[m.start("head")] : end],
                    numbering,
                    glued=not at_start,
                    strict=True,
                )
            )
            found_at_start = found_at_start or at_start
        if found_at_start:
            continue
        m2 = _LOOSE_RE.match(norm)
        if m2:
            printed = m2.group("num")
            number = CN_DIGITS.get(printed) or int(printed)
            head = m2.group("head")
            spec = common().sections[number - 1]
            if any(k in head for k in spec.keywords):
                candidates.append(
                    Heading(
                        number,
                        bi,
                        0,
                        len(text),
                        text[idx[m2.start("head")] :].strip(),
                        text[: idx[m2.start("head")]].strip(),
                        glued=False,
                        strict=False,
                    )
                )
                continue
        # a heading whose automatic number was lost (e.g. Word list numbering rendered away)
        for n, pat, _ in _PATTERNS:
            if norm == pat:
                candidates.append(Heading(n, bi, 0, len(text), text.strip(), "", glued=False, strict=True))
                break
    candidates.sort(key=lambda h: (h.block, h.start))
    chosen: list[Heading] = []
    for h in candidates:
        if chosen and h.number <= chosen[-1].number:
            continue
        chosen.append(h)
    return chosen


# --- title, body, dates -----------------------------------------------------------------------

# DOTALL: a title broken by a line break inside one paragraph (`<br>`, a soft line break) is
# one title; `信息公开` alone is how many pre-2019 titles read (`2013年信息公开年度报告`).
_TITLE_RE = re.compile(
    r"^(?P<title>.{0,60}?(?:政府信息公开|政务公开|信息公开).{0,12}?(?:年度报告|工作报告))", re.S
)
TITLE_RE = _TITLE_RE  # also how `check` tells a report in a folder (batch/peek.py)
_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DATE_RE = re.compile(
    r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
_ISO_DATE_RE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")


def find_title(blocks: list[Block], limit: int) -> tuple[str | None, Loc | None, int, int]:
    """The title printed in the body: (title, loc, block index, offset where the title ends).

    Looks at the first paragraphs before block `limit`; a title printed on two lines (body name,
    then `2024年政府信息公开工作年度报告`) is joined.
    """
    seen = 0
    prev: Paragraph | None = None
    for bi, block in enumerate(blocks[: limit + 1]):
        if not isinstance(block, Paragraph):
            continue
        seen += 1
        if seen > 8:
            break
        stripped = block.text.lstrip()
        m = _TITLE_RE.match(stripped)
        if not m and _is_title_fragment(stripped):
            # a title broken over two lines: "2024 年上海市科委政府信息公开工作" / "年度报告"
            nxt = next((b for b in blocks[bi + 1 : limit + 1] if isinstance(b, Paragraph)), None)
            if nxt is not None and _is_title_fragment(nxt.text.strip()):
                joined = re.sub(r"\s+", "", stripped + nxt.text.strip())
                m2 = _TITLE_RE.match(joined)
                if m2 and m2.end() == len(joined):
                    end = len(nxt.text)
                    return joined, block.loc, blocks.index(nxt), end
        if not m:
            prev = block
            continue
        title = m.group("title").strip()
        end = len(block.text) - len(stripped) + m.end()
        if _YEAR_RE.match(title) and prev is not None:
            before = prev.text.strip()
            if 0 < len(before) <= 40 and not re.search(r"[。，；：:,]", before):
                title = before + title
        return re.sub(r"\s+", "", title), block.loc, bi, end
    return None, None, -1, 0


def _is_title_fragment(text: str) -> bool:
    return 0 < len(text) <= 40 and not re.search(r"[。，；：:,]", text)


def organization_from_title(title: str | None) -> str | None:
    if not title:
        return None
    t = re.sub(r"\s+", "", title)
    m = re.match(r"^(?P<org>.+?)(?:19|20)\d{2}年度?", t)
    if m and len(m.group("org")) >= 2:
        return m.group("org").strip('《》“”"')
    m = re.match(r"^(?:19|20)\d{2}年度?(?P<org>.+?)(?:政府信息公开|政务公开|(?<!政府)信息公开)", t)
    if m and len(m.group("org")) >= 2:
        return m.group("org")
    return None


def year_from_title(title: str | None) -> int | None:
    if not title:
        return None
    m = _YEAR_RE.search(title)
    return int(m.group(1)) if m else None


def body_kind(org: str | None) -> BodyKind:
    if not org:
        return "unknown"
    name = re.sub(r"[（(][^）)]*[）)]$", "", org).strip()
    if re.search(r"(街道办事处|街道|镇人民政府|乡人民政府|镇政府|乡政府|[镇乡])$", name):
        return "township"
    if re.search(r"(管委会|管理委员会|实验区|开发区|高新区|示范区|新区|保税区|园区)(党工委)?$", name):
        return "zone"
    if name.endswith("人民政府") or name.endswith("政府"):
        return "government"
    if re.search(r"(局|委员会|委|办公厅|办公室|办|厅|署|中心|院|所|会|处|队|站|部)$", name):
        return "department"
    return "unknown"


def parse_date(text: str) -> dt.date | None:
    text = unicodedata.normalize("NFKC", text)
    m = _DATE_RE.search(text) or _ISO_DATE_RE.search(text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = _CN_DATE_RE.search(text)
    if m:
        digits = {"〇": 0, "○": 0, "零": 0, **CN_DIGITS}
        year = int("".join(str(digits[c]) for c in m.group(1)))
        try:
            return dt.date(year, _cn_small(m.group(2)), _cn_small(m.group(3)))
        except ValueError:
            return None
    return None


def _cn_small(s: str) -> int:
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + CN_DIGITS[s[1]]
    if s.endswith("十"):
        return CN_DIGITS[s[0]] * 10
    if "十" in s:
        a, b = s.split("十")
        return CN_DIGITS[a] * 10 + CN_DIGITS[b]
    return CN_DIGITS[s]


def _signoff(blocks: list[Block]) -> tuple[dt.date | None, Loc | None]:
    """A date on one of the last short lines (the sign-off under the report), and where it is."""
    tail = [b for b in blocks if isinstance(b, Paragraph)][-4:]
    for p in reversed(tail):
        text = p.text.strip()
        if len(text) <= 30:
            d = parse_date(text)
            if d:
                return d, p.loc
        else:
            m = re.search(
                r"((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)\s*$",
                text,
            )
            if m:
                return parse_date(m.group(1)), p.loc
    return None, None


def _starts(parts: list[str]) -> tuple[int, ...]:
    """Where each part begins in "\n".join(parts)."""
    out, at = [], 0
    for part in parts:
        out.append(at)
        at += len(part) + 1
    return tuple(out)


# --- the whole pass ---------------------------------------------------------------------------


def segment(document: Document) -> Segmented:
    blocks = list(document.blocks)
    headings = find_headings(document.blocks)
    first_block = headings[0].block if headings else len(blocks)
    title, title_loc, title_block, title_end = find_title(blocks, first_block)
    signoff_date, signoff_loc = _signoff(blocks)
    first_start = headings[0].start if headings else None
    section_blocks: dict[int, list[Block]] = {0: []}
    preamble_parts: list[str] = []
    preamble_loc: Loc | None = None
    for bi, block in enumerate(blocks[: first_block + 1]):
        if bi < title_block:
            continue
        if isinstance(block, Table):
            if bi < first_block:
                section_blocks[0].append(block)
            continue
        start = title_end if bi == title_block else 0
        stop = first_start if bi == first_block and first_start is not None else len(block.text)
        piece = block.text[start:stop].strip()
        if piece:
            preamble_parts.append(piece)
            preamble_loc = preamble_loc or block.loc
            section_blocks[0].append(Paragraph(piece, block.loc))
    sections: list[Section] = []
    for k, h in enumerate(headings):
        nxt = headings[k + 1] if k + 1 < len(headings) else None
        stop_block = nxt.block if nxt else len(blocks) - 1
        parts: list[str] = []
        part_locs: list[Loc] = []
        owned: list[Block] = []
        for bi in range(h.block, stop_block + 1):
            block = blocks[bi]
            if isinstance(block, Table):
                if nxt is None or bi < nxt.block:
                    owned.append(block)
                continue
            start = h.end if bi == h.block else 0
            stop = nxt.start if nxt and bi == nxt.block else len(block.text)
            piece = block.text[start:stop].strip()
            if piece:
                parts.append(piece)
                part_locs.append(block.loc)
                owned.append(block if piece == block.text else Paragraph(piece, block.loc))
        sections.append(
            Section(
                number=h.number,
                heading=h.heading,
                text="\n".join(parts),
                loc=blocks[h.block].loc,
                numbering=h.numbering,
                glued=h.glued,
                paragraph_starts=_starts(parts),
                paragraph_locs=tuple(part_locs),
            )
        )
        section_blocks[h.number] = owned
    return Segmented(
        title=title,
        title_loc=title_loc,
        preamble="\n".join(preamble_parts),
        preamble_loc=preamble_loc,
        sections=sections,
        section_blocks=section_blocks,
        signoff_date=signoff_date,
        signoff_loc=signoff_loc,
    )
