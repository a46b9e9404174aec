"""Word's automatic list numbers ("一、总体情况"): the definitions in numbering.xml and styles.xml,
running counters per list, and a counter value written in each w:numFmt as Word writes it.
"""

from __future__ import annotations

import re

from lxml import etree

from .package import Names, int_value

# Text after a list number: no gap after CJK punctuation ("一、总体情况"), else one space.
_TIGHT_SUFFIX = tuple("、，．。：:.)）」】")


class Numbering:
    """Word's automatic list numbers: numbering.xml definitions plus running counters."""

    def __init__(self, w: Names, numbering: etree._Element | None, styles: etree._Element | None) -> None:
        self.w = w
        self.abstract: dict[str, etree._Element] = {}
        self.nums: dict[str, tuple[str, dict[int, etree._Element]]] = {}
        self.style_numpr: dict[str, tuple[str | None, str | None]] = {}
        self.based_on: dict[str, str] = {}
        self.default_style: str | None = None
        # Counters are per list instance: per w:num when it overrides levels (a restarted list),
        # else per abstractNum, since Word continues one list across w:num instances sharing it.
        self.counters: dict[str, dict[int, int]] = {}
        if numbering is not None:
            for a in numbering.findall(w("abstractNum")):
                self.abstract[a.get(w("abstractNumId")) or ""] = a
            for n in numbering.findall(w("num")):
                overrides = {int_value(o.get(w("ilvl")), 0): o for o in n.findall(w("lvlOverride"))}
                self.nums[n.get(w("numId")) or ""] = (w.val(n.find(w("abstractNumId"))) or "", overrides)
        if styles is not None:
            for s in styles.findall(w("style")):
                sid = s.get(w("styleId")) or ""
                if s.get(w("type")) == "paragraph" and s.get(w("default")) in ("1", "true", "on"):
                    self.default_style = sid
                based = w.val(s.find(w("basedOn")))
                if based:
                    self.based_on[sid] = based
                numpr = s.find(f"{w('pPr')}/{w('numPr')}")
                if numpr is not None:
                    self.style_numpr[sid] = (w.val(numpr.find(w("numId"))), w.val(numpr.find(w("ilvl"))))

    def _style_chain(self, style: str | None) -> list[str]:
        chain: list[str] = []
        while style and style not in chain and len(chain) < 20:
            chain.append(style)
            style = self.based_on.get(style)
        return chain

    def _abstract_of(self, num_id: str) -> etree._Element | None:
        w = self.w
        for _ in range(5):  # numStyleLink indirection, bounded against cycles
            entry = self.nums.get(num_id)
            if entry is None:
                return None
            abstract = self.abstract.get(entry[0])
            if abstract is None:
                return None
            link = w.val(abstract.find(w("numStyleLink")))
            if not link:
                return abstract
            linked = self.style_numpr.get(link, (None, None))[0]
            if not linked or linked == num_id:
                return abstract
            num_id = linked
        return None

    def _lvl(
        self, abstract: etree._Element, overrides: dict[int, etree._Element], level: int
    ) -> etree._Element | None:
        w = self.w
        override = overrides.get(level)
        if override is not None and override.find(w("lvl")) is not None:
            return override.find(w("lvl"))
        for lvl in abstract.findall(w("lvl")):
            if int_value(lvl.get(w("ilvl")), -1) == level:
                return lvl
        return None

    def _start(self, lvl: etree._Element | None, overrides: dict[int, etree._Element], level: int) -> int:
        w = self.w
        override = overrides.get(level)
        if override is not None and override.find(w("startOverride")) is not None:
            return int_value(w.val(override.find(w("startOverride"))), 0)
        return int_value(w.val(lvl.find(w("start"))) if lvl is not None else None, 0)

    def _fmt(self, lvl: etree._Element | None) -> str:
        w = self.w
        if lvl is None:
            return "decimal"
        fmt = lvl.find(w("numFmt"))
        if fmt is None:
            # Word 2010+ wraps custom formats in mc:AlternateContent with a plain fallback.
            for candidate in lvl.iter(w("numFmt")):
                if w.val(candidate) != "custom":
                    fmt = candidate
                    break
        return w.val(fmt) or "decimal"

    def label(self, ppr: etree._Element | None) -> tuple[str, str]:
        """(number text, separator) for a paragraph; advances the counters. ("", "") if none."""
        w = self.w
        style: str | None = None
        num_id: str | None = None
        ilvl: str | None = None
        if ppr is not None:
            style = w.val(ppr.find(w("pStyle")))
            numpr = ppr.find(w("numPr"))
            if numpr is not None:
                num_id = w.val(numpr.find(w("numId")))
                ilvl = w.val(numpr.find(w("ilvl")))
        from_style = False
        if num_id is None:
            for sid in self._style_chain(style or self.default_style):
                if sid in self.style_numpr and self.style_numpr[sid][0]:
                    num_id, style_ilvl = self.style_numpr[sid]
                    ilvl = ilvl if ilvl is not None else style_ilvl
                    from_style = True
                    break
        if not num_id or num_id == "0" or num_id not in self.nums:
            return "", ""
        abstract = self._abstract_of(num_id)
        if abstract is None:
            return "", ""
        overrides = self.nums[num_id][1]
        if ilvl is None and from_style:
            for candidate in abstract.findall(w("lvl")):
                if w.val(candidate.find(w("pStyle"))) in self._style_chain(style or self.default_style):
                    ilvl = candidate.get(w("ilvl"))
                    break
        level = min(max(int_value(ilvl, 0), 0), 8)
        lvl = self._lvl(abstract, overrides, level)
        if lvl is None:
            return "", ""
        key = f"num:{num_id}" if overrides else f"abs:{abstract.get(w('abstractNumId'))}"
        counters = self.counters.setdefault(key, {})
        counters[level] = counters[level] + 1 if level in counters else self._start(lvl, overrides, level)
        for deeper in [d for d in counters if d > level]:
            # w:lvlRestart="n": restart only after a level above n (1-based); 0: never restart.
            deeper_lvl = self._lvl(abstract, overrides, deeper)
            restart = int_value(
                w.val(deeper_lvl.find(w("lvlRestart")) if deeper_lvl is not None else None), deeper
            )
            if restart != 0 and level < restart:
                del counters[deeper]
        if self._fmt(lvl) == "bullet":
            return "", ""  # bullet glyphs are decoration, usually private-use symbol-font characters
        legal = w.on(lvl.find(w("isLgl")))

        def number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            k_lvl = self._lvl(abstract, overrides, k)
            value = counters.get(k, self._start(k_lvl, overrides, k))
            return format_number(value, "decimal" if legal else self._fmt(k_lvl))

        text = re.sub(r"%([1-9])", number, w.val(lvl.find(w("lvlText"))) or "")
        suff = w.val(lvl.find(w("suff"))) or "tab"
        if not text or suff == "nothing" or (suff == "tab" and text.endswith(_TIGHT_SUFFIX)):
            return text, ""
        return text, " "


# --- number formats ---------------------------------------------------------------------------
# How Word renders a counter value in a given w:numFmt.

_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CN_LEGAL_TRAD_DIGITS = "零壹貳參肆伍陸柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


def _chinese(n: int, digits: str, units: str, *, one_ten: bool, zero: str) -> str:
    """Chinese counting: 十一, 二十, 一百零五 (units = 十百千)."""
    if n <= 0 or n >= 10000:
        return str(n)
    parts: list[str] = []
    pending_zero = False
    for power in (3, 2, 1, 0):
        d = n // 10**power % 10
        if d == 0:
            if parts:
                pending_zero = True
            continue
        if pending_zero:
            parts.append(zero)
            pending_zero = False
        if power == 1 and d == 1 and not parts and not one_ten:
            parts.append(units[0])  # 十一, not 一十一
        else:
            parts.append(digits[d] + (units[power - 1] if power else ""))
    return "".join(parts)


def _letters(n: int, upper: bool) -> str:
    if n <= 0:
        return str(n)
    letter = chr(ord("A" if upper else "a") + (n - 1) % 26)
    return letter * ((n - 1) // 26 + 1)  # Word: A … Z, AA, BB …


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = []
    for value, sym in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _enclosed(n: int, ranges: tuple[tuple[int, int, int], ...]) -> str:
    for lo, hi, base in ranges:
        if lo <= n <= hi:
            return chr(base + n - lo)
    return str(n)


_CIRCLED = ((1, 20, 0x2460), (21, 35, 0x3251), (36, 50, 0x32B1))


def format_number(n: int, fmt: str) -> str:
    """The counter `n` as Word prints it in number format `fmt` ("" for bullets and none)."""
    if fmt in ("decimal", "", "ordinal", "cardinalText", "ordinalText"):
        return str(n)
    if fmt == "decimalZero":
        return f"{n:02d}" if 0 <= n < 10 else str(n)
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "japaneseCounting",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
        "japaneseLegal",
        "koreanCounting",
    ):
        if n == 0:
            return "〇"
        return _chinese(n, _CN_DIGITS, "十百千", one_ten=False, zero="零")
    if fmt == "chineseLegalSimplified":
        return _chinese(n, _CN_LEGAL_DIGITS, "拾佰仟", one_ten=True, zero="零")
    if fmt == "ideographLegalTraditional":
        return _chinese(n, _CN_LEGAL_TRAD_DIGITS, "拾佰仟", one_ten=True, zero="零")
    if fmt in ("ideographDigital", "japaneseDigitalTenThousand", "taiwaneseDigital"):
        return "".join(_CN_DIGITS[int(d)] for d in str(n)) if n >= 0 else str(n)
    if fmt == "ideographTraditional":
        return _HEAVENLY_STEMS[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return _EARTHLY_BRANCHES[(n - 1) % 12] if n > 0 else str(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return _enclosed(n, _CIRCLED)
    if fmt == "ideographEnclosedCircle":
        return _enclosed(n, ((1, 10, 0x3280),))
    if fmt == "decimalEnclosedParen":
        return _enclosed(n, ((1, 20, 0x2474),))
    if fmt == "decimalEnclosedFullstop":
        return _enclosed(n, ((1, 20, 0x2488),))
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(ord(d) + 0xFEE0) if d.isdigit() else d for d in str(n))
    if fmt == "decimalHalfWidth":
        return str(n)
    if fmt == "upperLetter":
        return _letters(n, True)
    if fmt == "lowerLetter":
        return _letters(n, False)
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("bullet", "none"):
        return ""
    return str(n)
