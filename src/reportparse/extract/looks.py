"""Does a text read like a report? Its title, or its part headings and table labels.

`check` asks before it takes a file found in a folder (batch/peek.py reads and decodes a bounded
prefix of the file); the vocabulary is the templates' (`common.json`, `2021.json`, `2019.json`).
"""

from __future__ import annotations

import re
from functools import cache

from ..normalize import fold, norm_label, norm_text
from ..templates import common, template
from .segment import TITLE_RE

# 年报 / 年度报告 / (政府)信息公开 in a file name
_NAME_RE = re.compile(r"年报|年度报告|信息公开")
_SPACE_RE = re.compile(r"[\s\x00-\x1f\ufeff]+")
_MARKUP_RE = re.compile(r"^[\s#>*\-+|=]+")  # Markdown heading, quote, list and table marks
_NOTE_RE = re.compile(r"^[（(【\[〔].{0,20}[）)】\]〕]$")  # （征求意见稿）, (草稿)
# a part heading alone on its line: 二、主动公开政府信息情况, 第三部分…, 5、… (no figures after it)
_NUMBERED_RE = re.compile(r"^(?:第?[一二三四五六][部分、.．,，]|[1-6][、.．])\D*$")
_PROSE_RE = re.compile(r"[:：，,。；;！？!?]")


def named_like_report(name: str) -> bool:
    """A file name with 年报, 年度报告 or 信息公开 in it."""
    return bool(_NAME_RE.search(fold(name)))


@cache
def _vocabulary() -> tuple[tuple[tuple[int, re.Pattern[str]], ...], frozenset[str]]:
    """The part headings (number, pattern) and the long table labels and markers, folded."""
    headings = tuple((s.number, re.compile(s.heading_pattern)) for s in common().sections)
    labels: set[str] = set(common().legacy_markers)
    for version in ("2021", "2019"):
        t = template(version)
        labels.update(r.label for r in t.app_rows)
        labels.update(t.markers)
    folded = {norm_label(re.sub(r"^[（(]?[一二三四五六七八九十\d]+[）)、.．]?", "", x)) for x in labels}
    return headings, frozenset(x for x in folded if len(x) >= 6)


def reads_like_report(text: str) -> bool:
    """A line is a report title (…政府信息公开…年度报告, a bracketed note allowed after it), or
    three of the part headings (on their own lines) and long table labels are in `text`."""
    if "公开" not in text and "公開" not in text:  # in every title, heading and label looked for
        return False
    lines = (_MARKUP_RE.sub("", _SPACE_RE.sub("", fold(line))) for line in text.splitlines())
    seen: list[str] = []
    for line in filter(None, lines):  # a title is near the top: stop at the first
        if _is_title(line) or (seen and len(seen[-1]) <= 40 and _is_title(seen[-1] + line)):
            return True
        seen.append(line)
    headings, labels = _vocabulary()
    found: set[object] = set()
    for line in seen:
        if len(line) <= 40 and _NUMBERED_RE.match(line):
            found.update(n for n, pattern in headings if pattern.search(line))
    flat = norm_text("".join(seen))
    found.update(label for label in labels if label in flat)
    return len(found) >= 3


def _is_title(line: str) -> bool:
    m = TITLE_RE.match(line)
    if m is None:
        return False
    rest = line[m.end() :]
    if _PROSE_RE.search(m.group("title")):
        return False  # 标题：…, a sentence that mentions a report
    return not rest or bool(_NOTE_RE.match(rest))
