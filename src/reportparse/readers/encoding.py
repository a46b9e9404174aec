"""Decoding bytes whose encoding is unknown or wrongly declared: plain text and web pages.

The pieces both readers need are kept once here: the byte-order marks (one table), UTF-16
without a mark (one test on the zero bytes) and charset-normalizer's guess (on one sample).
`decode_text` then tries UTF-8 and GB18030 before guessing; `decode_html` also weighs what the
page declares (declarations lie) and accepts a decode only when it gives common Chinese
characters.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from ..extraction import problem, repair
from ..model import ExtractionNote

# --- shared pieces ----------------------------------------------------------------------------


class Bom(NamedTuple):
    mark: bytes
    codec: str  # reads the bytes after the mark; its name says the byte order
    with_mark: str  # Python's name for the encoding with its mark (what the text reader reports)


# UTF-32 first: its little-endian mark begins with UTF-16's
BOMS = (
    Bom(codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    Bom(codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    Bom(codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    Bom(codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    Bom(codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
# Bytes given to charset-normalizer. Below 10 MB it decodes all it is given with every candidate
# codec, so a bound keeps a large file from costing seconds; its evidence is a few chunks anyway.
DETECT_SAMPLE = 200_000


def bom(data: bytes) -> Bom | None:
    for mark in BOMS:
        if data.startswith(mark.mark):
            return mark
    return None


def utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 told by its zero bytes ("utf-16-le" or "utf-16-be"). Two code units are enough: a
    zero byte never occurs in UTF-8 or GB18030 text, so the pattern outweighs the small sample."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) / 2
    # ASCII-heavy UTF-16 has a zero in every other byte; CJK-only UTF-16 is caught by trying.
    if odd > half * 0.3 and even < half * 0.05:
        return "utf-16-le"
    if even > half * 0.3 and odd < half * 0.05:
        return "utf-16-be"
    return None


def detect(data: bytes) -> str | None:
    """charset-normalizer's best guess from the first `DETECT_SAMPLE` bytes, as a Python codec name."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:DETECT_SAMPLE]).best()
    except Exception:  # detection is best effort
        return None
    return best.encoding if best is not None and best.encoding else None


def _decode_counting(data: bytes, name: str) -> tuple[str, int]:
    text = data.decode(name, errors="replace")
    return text, text.count("\ufffd")


# --- plain text -------------------------------------------------------------------------------


def decode_text(data: bytes, path: str | None = None) -> tuple[str, str, list[ExtractionNote]]:
    """Return (text, encoding used, notes): BOM, UTF-16 without BOM, UTF-8, GB18030, then
    detection. Never raises."""
    mark = bom(data)
    if mark is not None:
        name = mark.with_mark
        text, bad = _decode_counting(data[len(mark.mark) :], mark.codec)
        return (
            text,
            name,
            [repair("encoding_errors", f"{bad} 处字节无法按 {name} 解码，已替换为 �")] if bad else [],
        )
    utf16 = utf16_without_bom(data)
    if utf16:
        text, bad = _decode_counting(data, utf16)
        notes: list[ExtractionNote] = [repair("encoding", f"未标注字节序的 {utf16.upper()} 文本")]
        if bad:
            notes.append(repair("encoding_errors", f"{bad} 处字节无法按 {utf16.upper()} 解码，已替换为 �"))
        return text, utf16, notes
    for name in ("utf-8", "gb18030"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        found = [] if name == "utf-8" else [repair("encoding", "文本编码识别为 GB18030（兼容 GBK/GB2312）")]
        return text, name, found
    guess = detect(data)
    if guess is not None:
        notes = [repair("encoding", f"文本编码经检测识别为 {guess}")]
        try:
            return data.decode(guess), guess, notes
        except UnicodeDecodeError:  # in bytes past the sample
            text, bad = _decode_counting(data, guess)
            notes.append(repair("encoding_errors", f"{bad} 处字节无法按 {guess} 解码，已替换为 �"))
            return text, guess, notes
    text, bad = _decode_counting(data, "utf-8")
    notes = []
    if bad > max(8, len(text) // 50):
        notes.append(problem("EXT-001", f"无法识别文本编码：{bad} 个字符无法解码", bad_chars=bad))
    return text, "utf-8", notes


# --- web pages --------------------------------------------------------------------------------

_META_TAG_RE = re.compile(rb"<meta\b[^>]*>", re.I)
_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_XML_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.I)
# Declared names that browsers decode with a superset codec (WHATWG Encoding Standard).
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "chinese": "gb18030",
    "iso-ir-58": "gb18030",
    "gb18030": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "cn-big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "utf8": "utf-8",
    "unicode": "utf-16-le",
    "utf-16": "utf-16-le",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}
_SINGLE_BYTE = {"cp1252", "latin_1", "iso8859-15", "cp1250", "iso8859-2", "ascii"}
_PLAUSIBLE = 0.9  # share of common CJK characters below which a decode is probably mojibake


@dataclass
class Decoded:
    text: str
    encoding: str
    declared: str | None
    notes: list[ExtractionNote]
    # the input itself when it is exactly `text` in UTF-8 (spares the reader an encode)
    utf8: bytes | None = field(default=None, repr=False, compare=False)


def decode_html(data: bytes) -> Decoded:
    """Decode an HTML page; never raises. Valid UTF-8 beats a declaration (GBK bytes are never
    valid UTF-8 at any length); otherwise the declared encoding, then GB18030 (GB2312/GBK pages
    that declare UTF-8 are common), then detection, then UTF-8 with replacement characters."""
    mark = bom(data)
    if mark is not None:
        name = mark.codec
        text, bad = _decode_counting(data[len(mark.mark) :], name)
        bom_notes = (
            [
                problem(
                    "EXT-008",
                    f"页面按字节序标记（BOM）以 {name} 解码时有 {bad} 处无法解码的字节",
                    bad_chars=bad,
                )
            ]
            if bad
            else []
        )
        return Decoded(text, name, name, bom_notes)
    label = _declared_label(data)
    declared = _codec(label) if label else None
    notes: list[ExtractionNote] = []
    if label and declared is None:
        notes.append(repair("encoding", f"页面声明的字符编码“{label}”无法识别，已自动检测", declared=label))
    utf16 = utf16_without_bom(data)
    if utf16:
        text, _ = _decode_counting(data, utf16)
        notes.append(repair("encoding", f"页面为未标注字节序的 {utf16.upper()} 编码", detected=utf16))
        return Decoded(text, utf16, label, notes)
    if data.isascii():
        return Decoded(data.decode("ascii"), declared or "utf-8", label, notes, data)

    def lied(found: str) -> list[ExtractionNote]:
        if label is None or declared is None:
            return [*notes, repair("encoding", f"页面未声明字符编码，检测为 {found}", detected=found)]
        if found == declared:
            return notes
        return [
            *notes,
            repair(
                "encoding",
                f"页面声明字符编码为 {label}，实际为 {found}，已按 {found} 解码",
                declared=label,
                detected=found,
            ),
        ]

    utf8 = _strict(data, "utf-8")
    if utf8 is not None:
        notes = lied("utf-8") if declared not in (None, "utf-8") else notes
        if label is None:  # an undeclared UTF-8 page: what lxml alone would decode as Latin-1
            notes.append(repair("encoding", "页面未声明字符编码，内容为 UTF-8", detected="utf-8"))
        # a character cut off at the end is not in `utf8`: then the bytes are not the text
        return Decoded(utf8, "utf-8", label, notes, data if data[-1] < 0x80 else None)
    order = [declared] if declared and declared not in _SINGLE_BYTE and declared != "utf-8" else []
    order += ["gb18030", "big5hkscs"]
    tried: dict[str, tuple[str, float]] = {}
    for name in dict.fromkeys(order):
        candidate = _strict(data, name)
        if candidate is None:
            continue
        ratio = _common_ratio(candidate)
        if ratio >= _PLAUSIBLE:
            return Decoded(candidate, name, label, lied(name))
        tried[name] = (candidate, ratio)
    guess = detect(data)
    guess = _codec(guess) if guess else None
    if guess and guess not in tried:
        candidate = _strict(data, guess)
        if candidate is not None:
            ratio = _common_ratio(candidate)
            if ratio >= _PLAUSIBLE or not tried:
                return Decoded(candidate, guess, label, lied(guess))
            tried[guess] = (candidate, ratio)
    if declared in _SINGLE_BYTE:
        return Decoded(data.decode(declared), declared, label, notes)
    if tried:
        name, (text, ratio) = max(tried.items(), key=lambda kv: kv[1][1])
        return Decoded(
            text,
            name,
            label,
            [
                *lied(name),
                problem(
                    "EXT-008",
                    f"页面字符编码无法可靠识别，按 {name} 解码后仅 {ratio:.0%} 的汉字为常用字，文字可能乱码",
                    encoding=name,
                    common_ratio=round(ratio, 3),
                ),
            ],
        )
    # Nothing decodes cleanly: the candidate with the fewest bad bytes, replacement characters shown.
    best_name, best_text, best_bad = "utf-8", "", -1
    for name in dict.fromkeys([*order, "utf-8"]):
        text, bad = _decode_counting(data, name)
        if best_bad < 0 or bad < best_bad:
            best_name, best_text, best_bad = name, text, bad
    share = best_bad / max(1, len(best_text))
    if share > 0.01:
        note = problem(
            "EXT-008",
            f"页面字符编码无法识别：按 {best_name} 解码仍有 {best_bad} 处无法解码的字节，文字可能乱码",
            encoding=best_name,
            bad_chars=best_bad,
        )
    else:
        note = repair(
            "encoding",
            f"页面按 {best_name} 解码，{best_bad} 处无法解码的字节已替换为 �",
            encoding=best_name,
            bad_chars=best_bad,
        )
    return Decoded(best_text, best_name, label, [*notes, note])


def _declared_label(data: bytes) -> str | None:
    head = data[:8192]
    m = _XML_DECL_RE.match(head)
    if m:
        return m.group(1).decode("ascii").lower()
    for tag in _META_TAG_RE.finditer(head):
        c = _CHARSET_RE.search(tag.group(0))
        if c:
            return c.group(1).decode("ascii").lower()
    return None


def _codec(label: str) -> str | None:
    name = _ALIASES.get(label.lower(), label.lower())
    try:
        found = codecs.lookup(name).name
    except LookupError:
        return None
    return "cp1252" if found in ("latin-1", "iso8859-1", "ascii") else found


def _strict(data: bytes, name: str) -> str | None:
    """Decode without errors; a multi-byte character cut off at the very end (a truncated
    download) does not count against the encoding."""
    try:
        decoder = codecs.getincrementaldecoder(name)(errors="strict")
        return str(decoder.decode(data, final=False))
    except (UnicodeDecodeError, LookupError):
        return None


@cache
def _is_common(ch: str) -> bool:
    for name in ("gb2312", "big5"):
        try:
            ch.encode(name)
            return True
        except UnicodeEncodeError:
            pass
    return False


def _common_ratio(text: str) -> float:
    """Share of CJK characters that are in GB2312 or Big5: near 1 for real Chinese text, low for
    one Chinese encoding read as another (rare extension characters, private-use code points)."""
    n = good = 0
    for ch in text:
        o = ord(ch)
        if 0x3400 <= o <= 0x9FFF or 0xE000 <= o <= 0xFAFF or o >= 0x20000:
            n += 1
            good += _is_common(ch)
            if n >= 5000:
                break
    return good / n if n >= 20 else 1.0
