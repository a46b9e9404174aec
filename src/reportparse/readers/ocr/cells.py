"""What OCR makes of a table cell: its confidence, the characters OCR confuses with digits put
right, and the cells it must not be trusted with.

Exactness first: a wrong number is worse than a missing one. A cell is left unread (the mapper
then reports it, EXT-007, and no rule judges it) when a character of a number was recognised
with low confidence, or when the cell has ink but OCR read nothing there (a faint digit would
otherwise pass for a blank cell).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import replace

from ...document import Table, TableCell
from ..pdf.text import CJK_RE
from .engine import OcrChar
from .page import ScannedPage

# A digit read below this confidence is not trusted (docs/formats/ocr.md, "Confidence")
MIN_DIGIT_CONFIDENCE = 0.9
# a runner-up digit at least this likely is a reading the table's sums may choose (`checksum`)
ALTERNATIVE_FLOOR = 0.005
_MAX_VARIED = 4  # digits of one cell with runners-up; past it the cell offers no alternatives
# What OCR reads for a digit in a cell that holds only a number: letters and CJK look-alikes
_DIGIT_LOOKALIKES = str.maketrans(
    {"O": "0", "o": "0", "〇": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "丨": "1", "|": "1"}
)
_DASH_LOOKALIKES = frozenset({"一", "-", "_", "—", "－", "~"})
UNSURE = "OCR 识别置信度低，未采用识别结果"
UNSEEN = "单元格有字迹但 OCR 未能识别"
EMPTY_ROW = "OCR 读出的整行为空，可能是表格线识别有误"


def annotate(table: Table, scans: Sequence[ScannedPage]) -> tuple[Table, int]:
    """The table with each OCR'd cell's confidence and unread reason; how many look-alike
    characters were read as digits."""
    cells = []
    fixed = 0
    for cell in table.cells:
        page = _scan_of(cell, scans)
        if page is None or cell.loc.bbox is None:
            cells.append(cell)
            continue
        new, n = _cell(cell, page)
        cells.append(new)
        fixed += n
    return replace(table, cells=_empty_rows(cells)), fixed


def _empty_rows(cells: list[TableCell]) -> tuple[TableCell, ...]:
    """A row with a label and nothing in any of three or more other cells: on a scan that is
    more often a row whose numbers a misread ruling put in a row of their own than a row printed
    blank, so its empty cells are left unread rather than read as blank."""
    rows: dict[int, list[TableCell]] = {}
    for cell in cells:
        rows.setdefault(cell.row, []).append(cell)
    suspect: set[int] = set()
    for row in rows.values():
        empty = [c for c in row if not c.text.strip() and c.confidence is None and not c.unread]
        labelled = any(CJK_RE.search(c.text) for c in row)
        if labelled and len(empty) >= 3 and not any(ch.isdigit() for c in row for ch in c.text):
            suspect |= {id(c) for c in empty}
    return tuple(replace(c, unread=EMPTY_ROW) if id(c) in suspect else c for c in cells)


def _scan_of(cell: TableCell, scans: Sequence[ScannedPage]) -> ScannedPage | None:
    """The scan a cell was read from: on its page, holding the cell's centre."""
    if cell.loc.bbox is None:
        return None
    x0, top, x1, bottom = cell.loc.bbox
    cx, cy = (x0 + x1) / 2, (top + bottom) / 2
    for scan in scans:
        if scan.number == cell.loc.page and scan.contains(cx, cy):
            return scan
    return None


def _cell(cell: TableCell, page: ScannedPage) -> tuple[TableCell, int]:
    assert cell.loc.bbox is not None
    x0, top, x1, bottom = cell.loc.bbox
    chars = [
        c
        for c in page.chars
        if x0 <= (c.x0 + c.x1) / 2 <= x1 and top <= (c.top + c.bottom) / 2 <= bottom and c.text.strip()
    ]
    text = cell.text.strip()
    if not chars:
        if not text and page.has_ink(cell.loc.bbox):
            return replace(cell, confidence=0.0, unread=UNSEEN), 0
        return cell, 0
    confidence = round(min(c.confidence for c in chars), 3)
    fixed = 0
    if text in _DASH_LOOKALIKES:
        text = "—"
    elif _numberish(text):
        digits = text.translate(_DIGIT_LOOKALIKES)
        fixed = sum(a != b for a, b in zip(text, digits, strict=True))
        text = digits
    out = replace(
        cell,
        text=text if text != cell.text.strip() else cell.text,
        confidence=confidence,
        alternatives=alternatives(text, chars) if _short_mark(text) else (),
    )
    if any(ch.isdigit() for ch in text) and _digit_confidence(chars) < MIN_DIGIT_CONFIDENCE:
        out = replace(out, unread=UNSURE)
    elif out.alternatives and not _numberish(text):
        # a letter where a number stands, with digits among OCR's runners-up (`B` for a stained 3)
        out = replace(out, unread=UNSURE)
    elif confidence < MIN_DIGIT_CONFIDENCE and len(text) <= 3 and not any(CJK_RE.match(ch) for ch in text):
        # a short mark read unsure where a number stands (`+` for a faint 1): not a value to judge
        out = replace(out, unread=UNSURE)
    elif fixed:
        # a look-alike read as a digit is a guess unless the rest of the cell is sure
        out = replace(out, confidence=min(confidence, MIN_DIGIT_CONFIDENCE))
    return out, fixed


def alternatives(text: str, chars: Sequence[OcrChar]) -> tuple[str, ...]:
    """Other readings of a number OCR read: each digit replaced by a digit among the recogniser's
    runners-up for it (at least `ALTERNATIVE_FLOOR` likely; look-alike letters as digits), and a
    letter by one of its runners-up that is a digit, most likely first. None when the characters do not spell the cell's text (then which character
    is which is not known)."""
    glyphs = sorted((c for c in chars if c.text.strip()), key=lambda c: c.x0)
    if "".join(c.text for c in glyphs).translate(_DIGIT_LOOKALIKES) != text:
        return ()
    options: list[list[tuple[str, float]]] = []
    for c in glyphs:
        own = c.text.translate(_DIGIT_LOOKALIKES)
        # a character that is not a digit is replaced by one of its runners-up that is
        here = [(own, c.confidence)] if own.isdigit() or own in ",." else []
        for alt, p in c.alternatives:
            digit = alt.translate(_DIGIT_LOOKALIKES)
            if digit.isdigit() and len(digit) == 1 and p >= ALTERNATIVE_FLOOR and digit not in dict(here):
                here.append((digit, p))
        if not here:
            return ()
        options.append(here)
    varied = sum(1 for o, c in zip(options, glyphs, strict=True) if len(o) > 1 or o[0][0] != c.text)
    if not varied or varied > _MAX_VARIED:
        return ()
    readings: list[tuple[float, str]] = []
    for combo in itertools.product(*options):
        reading = "".join(d for d, _ in combo)
        if reading != text:
            readings.append((-math.prod(p for _, p in combo), reading))
    return tuple(r for _, r in sorted(readings))


def _short_mark(text: str) -> bool:
    """What may stand for a number: digits, or a few Latin letters and digits (no CJK)."""
    return 0 < len(text) <= 6 and all(ch.isascii() and (ch.isalnum() or ch in ",.") for ch in text)


def _numberish(text: str) -> bool:
    """A cell that is a number once look-alikes are digits, and has at least one real digit or is
    a single look-alike of 0 (a cell holding only `O` or `〇`)."""
    body = text.replace(",", "").replace(".", "")
    if not body or any(not (c.isdigit() or c in "OoD〇QlI丨|") for c in body):
        return False
    return any(c.isdigit() for c in body) or body in ("O", "〇", "o")


def _digit_confidence(chars: Sequence[OcrChar]) -> float:
    values = [c.confidence for c in chars if c.text.isdigit() or c.text in "OoD〇QlI丨|.,"]
    return min(values, default=1.0)
