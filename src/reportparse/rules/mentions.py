"""Numbers the narrative states about the tables (收到申请2件, 行政复议3件, …), with Chinese numerals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Loc, Report
from .where import in_text

_CN_DIGIT = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
# Possessive (`*+`, `++`): a digit run is never given back, so no pattern backtracks through it.
NUM = r"(\d[\d,，]*+|[零〇一二两三四五六七八九十百千]++)"
# A number starts where a run of digits (or of Chinese numerals) starts: patterns that begin with
# NUM put this first, so a run that is not followed by its unit is tried once, not at every
# position (linear, not quadratic, in the length of a run).
NUM_START = r"(?<![\d,，零〇一二两三四五六七八九十百千])"


def cn_number(text: str) -> int | None:
    """Parse 12, 1,234, 两, 十二, 一百零三, 三千二百 into an int; None if it is not a number."""
    s = text.replace(",", "").replace("，", "")
    if s.isdigit():
        return int(s)
    if not s or any(ch not in _CN_DIGIT and ch not in _CN_UNIT for ch in s):
        return None
    total, digit = 0, None
    for ch in s:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        else:
            total += (1 if digit is None else digit) * _CN_UNIT[ch]
            digit = None
    return total + (digit or 0)


@dataclass(frozen=True)
class Mention:
    key: str  # what the number is about: new_received, carried_over, processed, …
    value: int
    text: str  # the phrase as printed
    section: int  # 0 = preamble
    loc: Loc | None


_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(pattern))
    for key, pattern in (
        (
            "new_received",
            r"(?:新收|收到|受理|接收)(?:各类|各种)?(?:政府信息公开|信息公开|依申请公开(?:政府信息)?)?申请"
            r"(?:共|共计|合计)?" + NUM + r"(?:件|条|个|宗)",
        ),
        ("carried_over", r"上年(?:度)?结转(?:的)?(?:政府信息公开)?(?:申请)?(?:共)?" + NUM + r"件"),
        ("processed", r"(?:办结|答复)(?:政府信息公开|依申请公开)?(?:申请)?(?:共|共计)?" + NUM + r"件"),
        ("carried_forward", r"结转(?:至)?下(?:一)?年度?(?:继续办理)?(?:的)?(?:申请)?" + NUM + r"件"),
        ("granted_and_partial", r"予以公开(?:及|和|与|、)部分公开(?:共)?" + NUM + r"件"),
        ("granted", r"予以公开(?!(?:及|和|与|、)部分公开)(?:共)?" + NUM + r"件"),
        (
            "partially_granted",
            r"(?<!予以公开及)(?<!予以公开和)(?<!予以公开与)(?<!予以公开、)部分公开" + NUM + r"件",
        ),
        ("review", r"(?:被申请)?行政复议(?:案件|申请)?(?:共)?" + NUM + r"(?:件|起)"),
        ("litigation", r"(?:被提起)?行政诉讼(?:案件)?(?:共)?" + NUM + r"(?:件|起)"),
        ("norms_in_force", r"现行有效(?:的)?(?:行政)?规范性文件(?:共)?" + NUM + r"件"),
        ("norms_issued", r"(?:本年度?)?(?:制发|出台|印发)(?:的)?(?:行政)?规范性文件(?:共)?" + NUM + r"件"),
    )
)


def mentions(report: Report) -> Iterator[Mention]:
    parts = [(0, report.preamble)] + [(s.number, s.text) for s in report.sections]
    for number, text in parts:
        for key, pattern in _PATTERNS:
            for m in pattern.finditer(text):
                value = cn_number(m.group(1))
                if value is not None:
                    yield Mention(key, value, m.group(0), number, in_text(report, number, m.start(), m.end()))
