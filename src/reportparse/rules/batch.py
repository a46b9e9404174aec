"""Rules across the reports of one batch: cross-year continuity and copied text.

They run in `reportparse check` after every file is parsed (never in single-report `parse`).
Reports are grouped by body — the organization's name with white space, full/half width and
bracketed additions such as （全市汇总） folded away — and a batch rule gets the reports of ONE
body in year order; a rule tagged "across-bodies" gets the reports of ONE year instead. Every
finding is attached to the later (or, across bodies, the affected) report.

- T3-004: this year's 上年结转 equals last year's 结转下年度继续办理, per column.
- T2-001: 2021 template stock continuity of 规章 / 行政规范性文件 (现行有效件数).
- QLT-001: sections 一, 五, 六 nearly identical to the body's previous report (on by default in
  `check`), or the three tables identical to last year's.
- QLT-002: sections 一, 五, 六 nearly identical to another body's report of the same year (off by
  default: `--extend-select QLT`).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from ..extraction import internal_error
from ..findings import Finding
from ..model import Loc, Number, Report, ReportHead, TableData
from ..templates import template
from ..templates.names import column_label, row_label
from . import REGISTRY, Rule, Selection, applies, finding, judged, load_rules, rule
from .where import of_section

SIMILARITY_THRESHOLD = 0.9
SHINGLE = 4  # characters per shingle: short enough for Chinese, long enough to keep word order
MIN_NARRATIVE = 60  # characters; shorter narratives (e.g. "无") say nothing about copying
NARRATIVE_SECTIONS = (1, 5, 6)
ACROSS_BODIES = "across-bodies"

_BRACKETS_RE = re.compile(r"[(\[【〔［][^()\[\]【】〔〕［］]*[)\]】〕］]")
_YEAR_RE = re.compile(r"(?:19|20)\d{2}|[二][〇零○Ｏ0][〇零○Ｏ0一二三四五六七八九]{2}")


_SPACE_RE = re.compile(r"\s+")


@functools.lru_cache(maxsize=1 << 16)  # asked for every report by several passes of a batch
def body_key(organization: str | None) -> str | None:
    """The name a body is grouped by: 示例市统计局（全市汇总） and 示例市 统计局 are one body."""
    if not organization:
        return None
    s = _SPACE_RE.sub("", unicodedata.normalize("NFKC", organization))
    previous = None
    while previous != s:  # nested brackets, innermost first
        previous, s = s, _BRACKETS_RE.sub("", s)
    return s.strip("《》“”\"'") or None


class Member(NamedTuple):
    """What the batch passes group a report by: small enough to keep for every report of a
    national batch, where the heads are not (they wait on disk with the rest of each result)."""

    path: str | None
    body: str | None  # the body's key (`body_key`, or the history store's through its aliases)
    year: int | None


def members(
    heads: Iterable[ReportHead], key_of: Callable[[str | None], str | None] = body_key
) -> list[Member]:
    return [member(h, key_of) for h in heads]


def member(head: ReportHead, key_of: Callable[[str | None], str | None] = body_key) -> Member:
    return Member(head.source.path, key_of(head.meta.organization), head.meta.year)


def _year_path(m: Member) -> tuple[int, str]:
    return (m.year or 0, m.path or "")


def body_groups(reports: Sequence[Member]) -> list[list[int]]:
    """Indexes of the reports of each body that has a report for the year before or after
    (what a cross-year rule compares), in year order, then by path."""
    by_body: dict[str, list[int]] = {}
    for i, m in enumerate(reports):
        if m.body is not None and m.year is not None:
            by_body.setdefault(m.body, []).append(i)
    out = []
    # a body with one report relates nothing: most of a year's batch, looked at no further
    for key in sorted(k for k, g in by_body.items() if len(g) > 1):
        years = {reports[i].year for i in by_body[key]}
        group = [
            i
            for i in by_body[key]
            if (year := reports[i].year) is not None and (year - 1 in years or year + 1 in years)
        ]
        if group:
            out.append(sorted(group, key=lambda i: _year_path(reports[i])))
    return out


def year_groups(reports: Sequence[Member], leave_out: Collection[int] = ()) -> list[list[int]]:
    """Indexes of the reports of each year, by path (but not those in `leave_out`)."""
    groups: dict[int, list[int]] = defaultdict(list)
    for i, m in enumerate(reports):
        if m.year is not None and i not in leave_out:
            groups[m.year].append(i)
    return [sorted(g, key=lambda i: _year_path(reports[i])) for _, g in sorted(groups.items())]


def consecutive(reports: Sequence[Report]) -> Iterator[tuple[Report, Report]]:
    """(last year's report, this year's report) pairs of one body. With several reports for
    a year (the same report as an HTML page and its PDF), the best read one stands for last
    year: most tables read with confidence, fewest extraction problems, then by path."""
    by_year: dict[int, list[Report]] = defaultdict(list)
    for r in reports:
        if r.meta.year is not None:
            by_year[r.meta.year].append(r)
    for r in sorted(reports, key=lambda r: (r.meta.year or 0, r.source.path or "")):
        year = r.meta.year
        if year is not None and by_year.get(year - 1):
            yield min(by_year[year - 1], key=_quality), r


def _quality(r: Report) -> tuple[int, int, str]:
    confident = sum(1 for t in r.tables.values() if t is not None and t.confidence == "high")
    problems = sum(1 for n in r.extraction_notes if n.rule)
    return (-confident, problems, r.source.path or "")


def _count(data: TableData, cell_id: str) -> Number | None:
    """A cell's value for a comparison: blank and dash count as 0 (as in the arithmetic
    rules); an unread cell or text without a number cannot be compared."""
    cell = data.cells.get(cell_id)
    if cell is None:
        return None
    if cell.kind in ("blank", "dash"):
        return 0
    return cell.value


def _where(r: Report) -> str:
    return f"{r.meta.year}年报告（{r.source.path or '字节输入'}）"


@rule(
    "T3-004",
    "carry-over-continuity",
    "warning",
    "表三“上年结转”与上一年度报告的“结转下年度继续办理”不一致",
    tags=("arithmetic", "cross-year"),
    scope="batch",
    example="2023 年报告“四、结转下年度继续办理”自然人列为 3，2024 年报告“二、上年结转政府信息公开申请数量”自然人列为 5。",
    fix="核对两年的台账：本年“上年结转”应等于上年报告的“结转下年度继续办理”（按列）。"
    "机构改革或更正上年报告造成的差异，宜在第六部分说明。",
    basis="上年结转到本年的申请就是上年报告中结转下年度继续办理的申请（模板中两行的含义；"
    "template-spec.md §5 A7）。需要同一机关上一年度的报告（在同一批文件中，或在 --history 历史库中），"
    "仅在 reportparse check 批量检查时运行。",
    reads=("applications",),
)
def carry_over_continuity(reports: Sequence[Report]) -> Iterator[Finding]:
    for prev, cur in consecutive(reports):
        last, now = prev.applications, cur.applications
        if last is None or now is None:
            continue
        t = template(now.template)
        carried_over = row_label("applications", "carried_over", t)
        carried_forward = row_label("applications", "carried_forward", t)
        for col in t.app_columns:
            expected = _count(last, f"carried_forward.{col.id}")
            actual = _count(now, f"carried_over.{col.id}")
            if expected is None or actual is None or expected == actual:
                continue
            label = column_label("applications", f"carried_over.{col.id}", t)
            yield finding(
                "T3-004",
                f"表三「{carried_over}」行「{label}」列为 {actual}，但{_where(prev)}"
                f"「{carried_forward}」行同列为 {expected}，两者应相等",
                cur,
                cells=[f"applications.carried_over.{col.id}"],
                expected=expected,
                actual=actual,
            )


@rule(
    "T2-001",
    "stock-continuity",
    "info",
    "表二现行有效件数与上年现行有效件数、本年制发和废止件数不衔接",
    tags=("arithmetic", "cross-year"),
    scope="batch",
    example="上年规章现行有效 20 件，本年制发 3 件、废止 1 件，本年现行有效却填 25 件（应约为 22 件）。",
    fix="核对规章、行政规范性文件的现行有效件数：约等于上年现行有效件数 + 本年制发件数 − 本年废止件数；"
    "修订、到期失效或集中清理造成的差异可在报告中说明。",
    basis="2021 年模板表二第二十条第（一）项三列之间的存量关系（template-spec.md §5 A8）；"
    "修订、失效和清理都会打破它，因此只作提示。上一年度的报告取自同一批文件或 --history 历史库；"
    "仅在批量检查时运行。",
    reads=("active_disclosure",),
)
def stock_continuity(reports: Sequence[Report]) -> Iterator[Finding]:
    for prev, cur in consecutive(reports):
        last, now = prev.active_disclosure, cur.active_disclosure
        if last is None or now is None:
            continue
        if last.template != "2021" or now.template != "2021":
            continue
        for row, name in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
            stock = _count(last, f"{row}.in_force")
            issued = _count(now, f"{row}.issued")
            repealed = _count(now, f"{row}.repealed")
            in_force = _count(now, f"{row}.in_force")
            if stock is None or issued is None or repealed is None or in_force is None:
                continue
            expected = stock + issued - repealed
            if in_force == expected:
                continue
            yield finding(
                "T2-001",
                f"{name}现行有效件数为 {in_force}，按{_where(prev)}现行有效 {stock} 件 + 本年制发 {issued} 件"
                f" − 本年废止 {repealed} 件，应约为 {expected} 件（相差 {in_force - expected:+}）",
                cur,
                cells=[
                    f"active_disclosure.{row}.in_force",
                    f"active_disclosure.{row}.issued",
                    f"active_disclosure.{row}.repealed",
                ],
                expected=expected,
                actual=in_force,
            )


# ---------------------------------------------------------------------------- similarity


def narrative(report: Report) -> str:
    """Sections 一, 五 and 六: the parts a body writes itself (二–四 are tables)."""
    return "\n".join(s.text for n in NARRATIVE_SECTIONS if (s := report.section(n)) is not None)


def comparable(text: str) -> str:
    """Text as compared: widths folded, white space removed, years masked (a copy with only the
    year changed is still a copy)."""
    return _YEAR_RE.sub("#", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))


def shingles(text: str, k: int = SHINGLE) -> frozenset[str]:
    return frozenset(text[i : i + k] for i in range(max(1, len(text) - k + 1))) if text else frozenset()


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def similar_pairs(sets: Sequence[frozenset[str]], threshold: float) -> list[tuple[int, int, float]]:
    """Every pair (i, j, similarity) with Jaccard ≥ threshold, i < j.

    Prefix filtering (AllPairs): with tokens in a global rare-first order, two sets that reach
    the threshold share a token among the first |s| − ⌈t·|s|⌉ + 1 of the smaller one — so only
    pairs sharing a rare shingle are compared, not all n² of a large batch.
    """
    freq = Counter(tok for s in sets for tok in s)
    index: dict[str, list[int]] = defaultdict(list)
    out: list[tuple[int, int, float]] = []
    for i in sorted(range(len(sets)), key=lambda i: (len(sets[i]), i)):
        s = sets[i]
        n = len(s)
        if n == 0:
            continue
        prefix = sorted(s, key=lambda tok: (freq[tok], tok))[: n - math.ceil(threshold * n) + 1]
        candidates: set[int] = set()
        for tok in prefix:
            candidates.update(j for j in index[tok] if len(sets[j]) >= threshold * n)
            index[tok].append(i)
        for j in candidates:
            sim = jaccard(s, sets[j])
            if sim >= threshold:
                out.append((min(i, j), max(i, j), sim))
    return sorted(out)


def _identical_tables(a: Report, b: Report) -> bool:
    """Every cell of the three tables the same (kind and value), and not all zero or blank."""
    nonzero = False
    for name in ("active_disclosure", "applications", "review_litigation"):
        ta, tb = a.tables[name], b.tables[name]
        if ta is None or tb is None or not ta.cells or set(ta.cells) != set(tb.cells):
            return False
        for cid, ca in ta.cells.items():
            cb = tb.cells[cid]
            if (ca.kind, ca.value) != (cb.kind, cb.value):
                return False
            nonzero = nonzero or bool(ca.value)
    return nonzero


@rule(
    "QLT-001",
    "copied-from-last-year",
    "warning",
    "报告与本机关上一年度报告高度雷同（第一、五、六部分或全部表格数据）",
    tags=("quality", "cross-year"),
    scope="batch",
    example="2024 年报告的总体情况、存在的主要问题及改进情况、其他需要报告的事项与 2023 年报告几乎逐字相同，"
    "只改了年份。",
    fix="按本年度实际工作重写总体情况、问题和改进措施；上年提出的改进措施应说明落实情况。",
    basis="国办公开办函〔2021〕30号要求避免“内容雷同、敷衍塞责”；曾有报告与往年报告除年份外完全相同"
    "（template-spec.md §7.5）。按第一、五、六部分文字的字符 4-gram Jaccard 相似度判断，阈值 0.9；"
    "除年份外完全相同为错误。上一年度的报告取自同一批文件或 --history 历史库；仅在批量检查时运行，默认启用。"
    "阈值可在 reportparse.toml 中设置：[thresholds] QLT-001 = 0.5（有的评分办法以 50% 为界）。",
    emits=("error",),
    threshold=SIMILARITY_THRESHOLD,
)
def copied_from_last_year(
    reports: Sequence[Report], threshold: float = SIMILARITY_THRESHOLD
) -> Iterator[Finding]:
    for prev, cur in consecutive(reports):
        a, b = comparable(narrative(prev)), comparable(narrative(cur))
        if len(a) >= MIN_NARRATIVE and len(b) >= MIN_NARRATIVE:
            if a == b:
                yield finding(
                    "QLT-001",
                    f"第一、五、六部分与{_where(prev)}除年份外完全相同（相似度 1.000）",
                    cur,
                    actual=1.0,
                    severity="error",
                    loc=_narrative_loc(cur),
                )
            else:
                sim = jaccard(shingles(a), shingles(b))
                if sim >= threshold:
                    yield finding(
                        "QLT-001",
                        f"第一、五、六部分与{_where(prev)}高度相似（相似度 {sim:.3f}，阈值 "
                        f"{threshold:g}），可能照搬上年报告",
                        cur,
                        actual=round(sim, 3),
                        loc=_narrative_loc(cur),
                    )
        if _identical_tables(prev, cur):
            yield finding(
                "QLT-001",
                f"表二、表三、表四的全部数据与{_where(prev)}完全相同，可能沿用了上年数据",
                cur,
                actual=1.0,
            )


@rule(
    "QLT-002",
    "boilerplate-across-bodies",
    "info",
    "报告与同年度其他机关的报告高度雷同（第一、五、六部分）",
    tags=("quality", ACROSS_BODIES),
    scope="batch",
    enabled=False,
    example="同一区的十几个部门 2024 年报告的总体情况和存在问题段落几乎逐字相同，只换了机关名称。",
    fix="结合本机关实际情况撰写，不套用统一模板文字。",
    basis="国办公开办函〔2021〕30号要求避免“内容雷同、敷衍塞责”（template-spec.md §7.5）。"
    "字符 4-gram Jaccard 相似度 ≥ 0.9。默认关闭（统一模板下雷同较常见）："
    "用 --extend-select QLT 或 QLT-002 启用。",
)
def boilerplate_across_bodies(reports: Sequence[Report]) -> Iterator[Finding]:
    """Gets the reports of one year; flags each report whose narrative has a near-copy in
    another body's report, naming the closest one."""
    texts = [comparable(narrative(r)) for r in reports]
    keep = [i for i, t in enumerate(texts) if len(t) >= MIN_NARRATIVE]
    sets = [shingles(texts[i]) for i in keep]
    matches: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for a, b, sim in similar_pairs(sets, SIMILARITY_THRESHOLD):
        i, j = keep[a], keep[b]
        if (body_key(reports[i].meta.organization) or reports[i].source.path) == (
            body_key(reports[j].meta.organization) or reports[j].source.path
        ):
            continue  # the same body: QLT-001's business, or the same report twice
        matches[i].append((sim, j))
        matches[j].append((sim, i))
    for i, found in sorted(matches.items()):
        found.sort(key=lambda m: (-m[0], reports[m[1]].source.path or ""))
        sim, j = found[0]
        other = reports[j]
        more = f"，另有 {len(found) - 1} 份同年度报告相似度也达到阈值" if len(found) > 1 else ""
        yield finding(
            "QLT-002",
            f"第一、五、六部分与同年度{other.meta.organization or '另一机关'}的报告"
            f"（{other.source.path or '字节输入'}）高度相似（相似度 {sim:.3f}）{more}",
            reports[i],
            actual=round(sim, 3),
            loc=_narrative_loc(reports[i]),
        )


def _narrative_loc(r: Report) -> Loc | None:
    return of_section(r, 1)


# ---------------------------------------------------------------------------- engine


def run_batch_rules(
    reports: Sequence[Member],
    selections: Mapping[str | None, Selection],
    load: Callable[[int], Report],
    *,
    earlier: Collection[int] = (),
    by_body: list[list[int]] | None = None,
) -> dict[str | None, list[Finding]]:
    """Findings of every batch rule enabled for some report, by the path of the report each is
    attached to, filtered and re-graded by that report's own selection.

    Reports are grouped by `members(heads)`; `load(i)` gives the full report of reports[i], asked for
    only when it shares a group with another report — a cross-year rule relates a body's
    reports of adjacent years, a rule across bodies the reports of one year — so that in a
    batch of one year's reports no report is loaded for the cross-year rules.

    `earlier`: indexes of reports from an earlier run (the history store), there only to be
    compared with this year's: they take part in the cross-year rules, not in the rules across
    bodies, and findings attached to them (they have no selection) are dropped. `by_body`:
    `body_groups(reports)`, when the caller has it already."""
    cross_year, across = active_batch_rules(selections)
    out: dict[str | None, list[Finding]] = defaultdict(list)
    # Group by group, each group's reports unpacked once for all the rules that look at it and
    # dropped before the next: memory stays that of the largest group, not of the batch.
    passes: tuple[tuple[list[Rule], Callable[[], list[list[int]]]], ...] = (
        (cross_year, lambda: by_body if by_body is not None else body_groups(reports)),  # a body's years
        (across, lambda: year_groups(reports, earlier)),  # the rules across bodies: one year's
    )
    for rules, grouping in passes:
        for group in grouping() if rules else ():
            if len(group) < 2:
                continue
            found = group_findings(
                rules, [load(i) for i in group], [reports[i].path for i in group], selections
            )
            for path, more in found.items():
                out[path] += more
    return dict(out)


def active_batch_rules(selections: Mapping[str | None, Selection]) -> tuple[list[Rule], list[Rule]]:
    """The batch rules some report's selection enables: (those across a body's years, those
    across the bodies of a year)."""
    active = [
        r
        for r in load_rules().values()
        if r.check_batch is not None and any(s.enabled(r) for s in selections.values())
    ]
    return [r for r in active if ACROSS_BODIES not in r.tags], [r for r in active if ACROSS_BODIES in r.tags]


def group_findings(
    rules: Sequence[Rule],
    reports: list[Report],
    paths: list[str | None],
    selections: Mapping[str | None, Selection],
) -> dict[str | None, list[Finding]]:
    """The findings of `rules` on one group of reports (their `paths`), by the path of the
    report each is attached to (a report's in rule order), filtered and re-graded by that
    report's own selection."""
    out: dict[str | None, list[Finding]] = defaultdict(list)
    for r in rules:
        for f in _check_group(r, reports, paths, selections):
            selection = selections.get(f.file)
            if selection is not None and selection.enabled(REGISTRY[f.rule]):
                out[f.file].append(selection.regrade(f))
    return out


def _check_group(
    r: Rule,
    reports: list[Report],
    paths: list[str | None],
    selections: Mapping[str | None, Selection],
) -> list[Finding]:
    """One batch rule on one group of reports; a rule that fails gives an EXT-013 finding."""
    assert r.check_batch is not None
    judged_group = [judged(x, r) for x in reports if applies(r, x)]
    if len(judged_group) < 2:
        return []
    try:
        if r.threshold is not None:  # the setting of the report a finding would be about
            latest = selections.get(paths[-1]) or Selection()
            return list(r.check_batch(judged_group, threshold=latest.threshold(r)))
        return list(r.check_batch(judged_group))
    except Exception as err:  # one faulty rule must not hide the others' findings
        last = paths[-1]
        note = internal_error(f"批量规则 {r.id} 执行时", err, loc=Loc(file=last), files="这些文件")
        return [Finding("EXT-013", "error", note.message, loc=note.loc, file=last)]
