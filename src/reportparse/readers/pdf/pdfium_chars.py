"""A page's characters from PDFium's text page, as the reader's `Glyph`s, with pdfminer's
boxes and sizes (see `engine`, *Characters*).

This runs for every character of every page, and a call into PDFium through ctypes costs about
as much as a few lines of Python, so calls are few, and made with plain addresses
(`pdfium_raw`): the page's text in one call, then per character its loose box, whether its code
is mapped to Unicode and its text object. The font
size and the matrix belong to the text object (PDFium gives every character of an object the
object's own), so they are asked once per object. Glyphs are built directly, with the values
`page.glyphs_of` makes of pdfplumber's characters.
"""

from __future__ import annotations

import ctypes
from typing import Any

from .geometry import PageFrame
from .objects import Glyph
from .pdfium_raw import address, call
from .turned import turn_of

try:
    import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - the engine is then unavailable
    pdfium_c = None

# what PDFium's text page may add: space, CR, LF, soft hyphen mark
_MADE_UP = frozenset((0x20, 0x0A, 0x0D, 0x02))


def text_of(code: int, unmapped: bool) -> str:
    if unmapped:
        return f"(cid:{code})"  # pdfminer's spelling: `page.clean_glyphs` counts it as unreadable
    if code == 0 or code in (0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return "\ufffd"
    return chr(code)


# What a character takes from its text object: upright or not, its size (the font size times the
# matrix's vertical scale, pdfminer's box height), whether its box grows up from the descent line
# (or down, upside down), and the way its text runs (quarter turns).
ObjectFrame = tuple[bool, float, bool, int]


def _object_frame(textpage: int | None, i: int, fm: Any, rotation: tuple[float, ...]) -> ObjectFrame:
    if call("FPDFText_GetMatrix")(textpage, i, ctypes.addressof(fm)):
        ma, mb, mc, md = fm.a, fm.b, fm.c, fm.d
    else:
        ma, mb, mc, md = 1.0, 0.0, 0.0, 1.0
    ra, rb, rc, rd = rotation
    # pdfminer's test, on the char matrix turned by the page rotation
    a, b, cc, d = ma * ra + mb * rc, ma * rb + mb * rd, mc * ra + md * rc, mc * rb + md * rd
    upright = a * d > 0 and b * cc <= 0
    size = float(call("FPDFText_GetFontSize")(textpage, i)) * abs(d)
    # pdfminer's char matrix up to scale says which way turned text runs
    return (upright, size, d > 0, 0 if upright else turn_of((a, b, cc, d)))


def page_glyphs(textpage: Any, frame: PageFrame) -> list[Glyph]:
    c = pdfium_c
    count = c.FPDFText_CountChars(textpage)
    tp = address(textpage)
    is_generated = call("FPDFText_IsGenerated")
    get_unicode = call("FPDFText_GetUnicode")
    map_error = call("FPDFText_HasUnicodeMapError")
    loose_box = call("FPDFText_GetLooseCharBox")
    text_object = call("FPDFText_GetTextObject")
    rect = c.FS_RECTF()
    rect_at = ctypes.addressof(rect)
    fm = c.FS_MATRIX()
    codes = _codes(textpage, count)
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    rotation = frame.ctm[:4]
    da, db, dc, dd, de, df = frame.device
    frames: dict[int, ObjectFrame] = {}
    out: list[Glyph] = []
    prev_box: tuple[float, float, float, float] | None = None
    prev_object: int | None = None
    for i in range(max(count, 0)):
        code = codes[i] if codes is not None else get_unicode(tp, i)
        # spaces and line breaks PDFium inserts (pdfminer has none): only those can be made up
        if code in _MADE_UP and is_generated(tp, i) == 1:
            continue
        if loose_box(tp, i, rect_at):
            box = (rect.left, rect.bottom, rect.right, rect.top)
        elif c.FPDFText_GetCharBox(textpage, i, left, right, bottom, top):
            box = (left.value, bottom.value, right.value, top.value)
        else:
            continue
        if map_error(tp, i) == 1:
            text = f"(cid:{code})"
        elif 0 < code < 0xD800:
            text = chr(code)
        else:
            text = text_of(code, False)
        obj = text_object(tp, i)
        if box == prev_box and out and obj and obj == prev_object:
            # one glyph mapped to several characters (a ligature's "ff"): pdfminer's one char
            out[-1].text += text
            continue
        prev_box, prev_object = box, obj
        of = frames.get(obj) if obj else None
        if of is None:
            of = _object_frame(tp, i, fm, rotation)
            if obj:
                frames[obj] = of
        upright, size, up, turn = of
        # two opposite corners suffice: the device map only flips and turns by quarter turns
        ax, ay = da * box[0] + dc * box[1] + de, db * box[0] + dd * box[1] + df
        bx, by = da * box[2] + dc * box[3] + de, db * box[2] + dd * box[3] + df
        x0, x1 = (ax, bx) if ax <= bx else (bx, ax)
        y_top, y_bottom = (ay, by) if ay <= by else (by, ay)
        if upright and size > 0:
            # pdfminer's box: one font size tall from the descent line, which is at the bottom
            # of the loose box, or at its top for text turned upside down
            if up:
                y_top = y_bottom - size
            else:
                y_bottom = y_top + size
        else:
            size = y_bottom - y_top
        out.append(Glyph(text, x0, x1, y_top, y_bottom, size or 10.0, upright, turn))
    return out


def _codes(textpage: Any, count: int) -> list[int] | None:
    """Every character's code in one call (one call per character otherwise): PDFium's text
    as UTF-16, which is one unit per character unless one lies beyond the BMP (then None)."""
    if count <= 0:
        return None
    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(
        textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
    )
    codes = buffer[:count]
    if written != count + 1 or any(0xD800 <= unit <= 0xDFFF for unit in codes):
        return None
    return codes
