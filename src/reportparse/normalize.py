"""Text normalisation for matching labels and reading cell values.

Labels are compared after `norm_label`: full/half width folded (NFKC), all white space and line
breaks removed, quote styles unified, traditional characters of the template vocabulary turned
simplified, export artifacts such as `[bookmark: _Hlk…]` removed, and `1、` read as `1.`.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .model import CellKind, Number

# Apache Tika and similar exporters leave these inline; the text around them is kept.
ARTIFACT_RE = re.compile(
    r"\[(?:bookmark|image|footnoteRef|endnoteRef|footnote|endnote|comment|annotation|link|"
    r"Content_Types|embedded|object)\s*:[^\]\n]*\]",
    re.IGNORECASE,
)

# Traditional -> simplified for the characters of the template vocabulary (labels, headings,
# section keywords). Mirrors in traditional script print these; the full OpenCC tables are not
# needed to match a closed set of labels.
_T2S = str.maketrans(
    "開資訊數請處結轉辦權機關務內過書執條項規範價與屬國護場現製復議訴訟維糾審計總況應業構會團組織衛問題進報發廢許罰"
    "強費採購額單萬為決補確認獲複類舉訪擬劃將續們縣區鎮鄉廳員徵見設網臺繳納穩險況實際並經響產記錄據準則職責"
    "態狀體統級節處於號檔歸濟災聯絡導彙匯戶區劃圖辭術隊係動對後沒減無爲當祕繼覆詢試諮這",
    "开资讯数请处结转办权机关务内过书执条项规范价与属国护场现制复议诉讼维纠审计总况应业构会团组织卫问题进报发废许罚"
    "强费采购额单万为决补确认获复类举访拟划将续们县区镇乡厅员征见设网台缴纳稳险况实际并经响产记录据准则职责"
    "态状体统级节处于号档归济灾联络导汇汇户区划图辞术队系动对后没减无为当秘继复询试咨这",
)
_QUOTES = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‘": '"',
        "’": '"',
        "'": '"',
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "〝": '"',
        "〞": '"',
    }
)
_WS_RE = re.compile(r"\s+")
_ENUM_RE = re.compile(r"(?<![\d.])(\d{1,2})[、,，]")  # "1、" / "1，" as item numbers -> "1."

DASHES = frozenset({"—", "－", "-", "/", "无", "——", "─", "–", "―", "－－", "--", "\\", "／", "一"})
_NUMBER_RE = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_UNIT_RE = re.compile(
    r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(万元|亿元|元|件|条|个|项|次|人次|万)$"
)


def strip_artifacts(text: str) -> str:
    return ARTIFACT_RE.sub("", text)


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Width-fold and simplify, keeping white space and punctuation positions."""
    return unicodedata.normalize("NFKC", text).translate(_T2S).translate(_QUOTES)


def norm_text(text: str) -> str:
    """Text folded as labels are (`norm_label`), for searching labels in a whole document."""
    s = unicodedata.normalize("NFKC", strip_artifacts(text)).translate(_T2S).translate(_QUOTES)
    s = _WS_RE.sub("", s)
    s = _ENUM_RE.sub(r"\1.", s)
    return s.replace("、", ",").rstrip(":：")


@lru_cache(maxsize=16384)
def norm_label(text: str) -> str:
    return norm_text(text)


def norm_space(text: str) -> str:
    return _WS_RE.sub(" ", text.replace("\u3000", " ")).strip()


def parse_cell(raw: str, money: bool = False) -> tuple[CellKind, Number | None]:
    """Classify a printed cell: blank, dash, number, or text (with a value where a unit is legit)."""
    s = unicodedata.normalize("NFKC", strip_artifacts(raw)).strip()
    s = _WS_RE.sub("", s)
    if not s:
        return "blank", None
    if s in DASHES or set(s) <= {"-", "—", "/", "－"}:
        return "dash", None
    if _NUMBER_RE.match(s):
        return "number", to_number(s, money)
    m = _UNIT_RE.match(s)
    if m:
        return "text", to_number(m.group(1), money)
    return "text", None


def to_number(s: str, money: bool = False) -> Number:
    s = s.replace(",", "")
    if money or "." in s:
        try:
            return Decimal(s)
        except InvalidOperation:  # pragma: no cover - guarded by the regexes above
            raise ValueError(s) from None
    return int(s)


@lru_cache(maxsize=8192)
def is_number_token(token: str) -> bool:
    s = unicodedata.normalize("NFKC", token).strip()
    return bool(_NUMBER_RE.match(s) or _UNIT_RE.match(s)) or s in DASHES
