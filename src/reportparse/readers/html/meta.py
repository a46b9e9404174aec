"""The metadata box printed around the report: `label：value` lines give the publication date
and the publishing body; short lines of share links, print buttons and the like are page chrome.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from .clean import words

# in order of preference; 成文日期/生成日期 (the date written) only when nothing else is printed
_DATE_LABELS = words("发布日期 发布时间 公开日期 公开时间 发文日期 印发日期 时间 日期 成文日期 生成日期")
_ORG_LABELS = words("发布机构 发文机关 发布单位 发文单位 公开主体 信息来源 文章来源 来源")
_OTHER_LABELS = words(
    "索引号 信息索引号 文号 发文字号 主题分类 体裁分类 组配分类 服务对象分类 分类 主题词 关键词 有效性 时效 "
    "浏览次数 点击数 访问次数 阅读次数 作者 编辑 责任编辑 公开方式 公开范围 字号 标题 名称"
)
# short labels that must not match inside a longer word (时间 in 浏览时间)
_GENERIC_LABELS = frozenset(words("时间 日期 来源 分类 文号 作者 编辑 名称 标题"))
_ALL_LABELS = sorted({*_DATE_LABELS, *_ORG_LABELS, *_OTHER_LABELS}, key=len, reverse=True)
# Longest first, so that 发布时间 wins over 时间; the generic labels are two characters like the
# shortest others, among which the order does not matter. One lookbehind for all of them: a CJK
# range repeated per label makes the pattern take ~10 ms to compile, paid by every process.
_LABEL_ALT = "|".join(lab for lab in _ALL_LABELS if lab not in _GENERIC_LABELS) + (
    "|(?<![\u4e00-\u9fff])(?:" + "|".join(sorted(_GENERIC_LABELS)) + ")"
)
_FIELD_RE = re.compile(rf"(?P<label>{_LABEL_ALT})\s*(?:[：:]|(?=\t))\s*")
_DATE_RE = re.compile(r"(\d{4})\s*(?:[-年/.．])\s*(\d{1,2})\s*(?:[-月/.．])\s*(\d{1,2})")
_META_LINE_RE = re.compile(rf"^\s*(?:{_LABEL_ALT})\s*[：:]")
_META_DATES = (
    "pubdate",
    "publishdate",
    "firstpublishedtime",
    "publishtime",
    "article:published_time",
    "dc.date",
    "dcterms.issued",
)
_CHROME_WORDS_RE = re.compile(
    r"微信|微博|QQ空间|新浪微博|腾讯微博|QQ|分享到|分享至|分享|打印本页|打印|关闭窗口|关闭本页|关闭|收藏本页|"
    r"加入收藏|收藏|我要纠错|纠错|返回顶部|返回|字号|字体|默认|大|中|小|【|】|\[|\]|［|］|[：:|｜/\s]"
)
_CHROME_LINE_RE = re.compile(
    r"当前位置|您现在的位置|您的位置|所在位置|分享到|扫一扫|上一篇|下一篇|浏览次数|"
    r"访问量|点击量|阅读次数|二维码"
)


def iso_date(s: str) -> str | None:
    m = _DATE_RE.search(s)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _fields(line: str) -> Iterator[tuple[str, str]]:
    """`label：value` pairs of a metadata line; a value runs to the next label or a wide gap."""
    matches = list(_FIELD_RE.finditer(line))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        value = re.split(r"\t|\s{2,}|\u3000|[|｜]", line[m.end() : end].strip(), maxsplit=1)[0]
        yield m.group("label"), value.strip(" ：:;；,，。")


def metadata(lines: list[str], meta: dict[str, str]) -> dict[str, str]:
    dates: dict[str, str] = {}
    orgs: dict[str, str] = {}
    for line in lines:
        for label, value in _fields(line):
            if label in _DATE_LABELS:
                iso = iso_date(value)
                if iso:
                    dates.setdefault(label, iso)
            elif label in _ORG_LABELS and _good_org(value):
                orgs.setdefault(label, value)
    out: dict[str, str] = {}
    for label in _DATE_LABELS:
        if label in dates and label not in ("成文日期", "生成日期"):
            out["published"], out["published_label"] = dates[label], label
            break
    for name in _META_DATES:
        if "published" not in out and iso_date(meta.get(name, "")):
            out["published"], out["published_label"] = iso_date(meta[name]) or "", f"meta:{name}"
    for label in ("成文日期", "生成日期"):
        if label in dates:
            out.setdefault("written", dates[label])
            if "published" not in out:
                out["published"], out["published_label"] = dates[label], label
    for label in _ORG_LABELS:
        if label in orgs:
            out["organization"], out["organization_label"] = orgs[label], label
            break
    if "organization" not in out and _good_org(meta.get("contentsource", "")):
        out["organization"], out["organization_label"] = meta["contentsource"], "meta:ContentSource"
    return out


def _good_org(value: str) -> bool:
    v = value.strip()
    return (
        1 < len(v) <= 40
        and not iso_date(v)
        and "http" not in v
        and "www." not in v
        and v not in ("本站", "本网", "原创", "无", "暂无")
    )


def is_chrome_line(text: str) -> bool:
    if len(text) > 60:
        return False
    if _CHROME_LINE_RE.search(text):
        return True
    return not _CHROME_WORDS_RE.sub("", text)


def is_meta_line(text: str) -> bool:
    return len(text) <= 120 and bool(_META_LINE_RE.match(text)) and not text.rstrip().endswith("。")
