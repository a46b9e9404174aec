"""Decode text files whose encoding nobody declared: BOM, UTF-8, UTF-16, GB18030, then detection."""

from __future__ import annotations

import codecs

from ..extraction import problem, repair
from ..model import ExtractionNote

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes, path: str | None = None) -> tuple[str, str, list[ExtractionNote]]:
    """Return (text, encoding used, notes). Never raises."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = data.decode(name, errors="replace")
            bad = text.count("\ufffd")
            return (
                text,
                name,
                [repair("encoding_errors", f"{bad} 处字节无法按 {name} 解码，已替换为 �")] if bad else [],
            )
    utf16 = _utf16_without_bom(data)
    if utf16:
        text = data.decode(utf16, errors="replace")
        notes: list[ExtractionNote] = [repair("encoding", f"未标注字节序的 {utf16.upper()} 文本")]
        bad = text.count("\ufffd")
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
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # detection is best effort
        best = None
    if best is not None and best.encoding:
        return str(best), best.encoding, [repair("encoding", f"文本编码经检测识别为 {best.encoding}")]
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    notes = []
    if bad > max(8, len(text) // 50):
        notes.append(problem("EXT-001", f"无法识别文本编码：{bad} 个字符无法解码", bad_chars=bad))
    return text, "utf-8", notes


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0)
    odd_zero = sample[1::2].count(0)
    half = len(sample) / 2
    # ASCII-heavy UTF-16 has a zero in every other byte; CJK-only UTF-16 is caught by trying.
    if odd_zero > half * 0.3 and even_zero < half * 0.05:
        return "utf-16-le"
    if even_zero > half * 0.3 and odd_zero < half * 0.05:
        return "utf-16-be"
    return None
