"""Structure and template conformance: STR-001…005, TPL-002…010."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..extraction import BLOCKING
from ..findings import Finding
from ..model import Report, TableData
from ..normalize import norm_label
from ..templates import REFERRAL_RE, TABLE_SECTION, TABLE_TITLES, common, expected_version, template
from . import finding, rule
from .where import of_report, of_section

CN = "一二三四五六"


@rule(
    "STR-001",
    "missing-section",
    "error",
    "报告缺少六个部分中的某一部分",
    tags=("structure",),
    example="报告只有“一、总体情况”至“五、存在的主要问题及改进情况”，没有“六、其他需要报告的事项”。",
    fix="按《条例》第五十条和年报格式补齐六个部分；没有内容的部分也应保留标题并写明“无”。",
    basis="《政府信息公开条例》第五十条；国办公开办函〔2021〕30号“不能遗漏”。",
    templates=("2021", "2019"),
)
def missing_section(report: Report) -> Iterator[Finding]:
    if not report.sections:
        return  # STR-006: no part at all
    present = {s.number for s in report.sections}
    for spec in common().sections:
        if spec.number not in present:
            before = [n for n in present if n < spec.number]
            where = f"，应在第{CN[max(before) - 1]}部分之后" if before else "，应在标题之后"
            yield finding(
                "STR-001",
                f"未找到第{CN[spec.number - 1]}部分「{CN[spec.number - 1]}、{spec.heading}」{where}",
                report,
                expected=f"{CN[spec.number - 1]}、{spec.heading}",
                actual=None,
                # where the missing part belongs: after the part before it, or the title
                loc=of_section(report, max(before)) if before else of_report(report),
            )


@rule(
    "STR-002",
    "section-numbering",
    "warning",
    "部分标题编号不规范（如用“5、”代替“五、”或未编号）",
    tags=("structure",),
    example="5、 存在的主要问题及改进情况",
    fix="一级标题使用“一、”至“六、”的中文序号，按顺序编排。",
    basis="年报格式的六个部分以中文序号编排。",
    templates=("2021", "2019"),
)
def section_numbering(report: Report) -> Iterator[Finding]:
    for s in report.sections:
        want = f"{CN[s.number - 1]}、"
        printed = s.numbering.replace(" ", "")
        if printed != want:
            shown = s.numbering or "（无编号）"
            yield finding(
                "STR-002",
                f"第{CN[s.number - 1]}部分标题「{s.numbering}{s.heading}」的编号为「{shown}」，应为「{want}」",
                report,
                expected=want,
                actual=s.numbering or None,
                loc=of_section(report, s.number),
            )


@rule(
    "STR-003",
    "heading-variant",
    "info",
    "部分标题措辞与模板不同（已知变体）",
    tags=("structure",),
    example="四、政府信息公开行政复议和行政诉讼情况",
    fix="使用模板标题：“四、政府信息公开行政复议、行政诉讼情况”。",
    basis="国办公开办函〔2021〕30号格式的标题。",
    templates=("2021", "2019"),
)
def heading_variant(report: Report) -> Iterator[Finding]:
    specs = {s.number: s for s in common().sections}
    for s in report.sections:
        canonical = specs[s.number].heading
        if norm_label(s.heading) != norm_label(canonical):
            yield finding(
                "STR-003",
                f"第{CN[s.number - 1]}部分标题为「{s.heading}」，模板为「{canonical}」",
                report,
                expected=canonical,
                actual=s.heading,
                loc=of_section(report, s.number),
            )


@rule(
    "STR-004",
    "table-missing",
    "error",
    "第二、三、四部分没有文字表格（缺失、见附件或只有图片）",
    tags=("structure", "tables"),
    example="“三、收到和处理政府信息公开申请情况”下只有“（表格见附件）”，或只有一张图片，或标题后紧接下一部分。",
    fix="在报告正文中以文字表格（而非图片或附件）发布表二、表三、表四，使数据可以被读取和核对。",
    basis="年报格式要求第二至四部分以表格形式报告；图片和附件中的表格无法核对（template-spec STR-004）。"
    "只有文件中完全没有该表的文字时才报告：表格已印出但未能读取时，改为 EXT-006 和“未核对”。",
    templates=("2021", "2019"),
)
def table_missing(report: Report) -> Iterator[Finding]:
    if any(n.rule in BLOCKING for n in report.extraction_notes):
        return
    images = [n for n in report.extraction_notes if n.rule == "EXT-005" and n.data.get("kind") == "image"]
    present = {s.number: s for s in report.sections}
    for name, data in report.tables.items():
        number = TABLE_SECTION[name]
        if data is not None or (present and number not in present):
            continue
        section = present.get(number)
        where = f"第{CN[number - 1]}部分"
        text = section.text if section is not None else ""
        referral = REFERRAL_RE.search(text)
        if referral:
            message = (
                f"{where}没有{TABLE_TITLES[name]}，只写了「{_around(text, referral)}」：表格不在报告正文中"
            )
            actual = "见附件"
        elif images:
            shown = "、".join(str(n.data.get("url")) for n in images[:3]) + (" 等" if len(images) > 3 else "")
            message = f"{where}没有文字表格，{TABLE_TITLES[name]}可能只以图片发布（正文中的图片：{shown}），无法核对"
            actual = "图片"
        else:
            message = f"{where}未找到{TABLE_TITLES[name]}"
            actual = None
        yield finding(
            "STR-004",
            message,
            report,
            expected="文字表格",
            actual=actual,
            loc=of_section(report, number),
        )


def _around(text: str, m: re.Match[str]) -> str:
    """The line of `text` that holds the match, for quoting (cut to 40 characters)."""
    start = text.rfind("\n", 0, m.start()) + 1
    end = text.find("\n", m.end())
    line = text[start : end if end >= 0 else len(text)].strip()
    return line if len(line) <= 40 else line[:39] + "…"


@rule(
    "STR-005",
    "glued-heading",
    "warning",
    "部分标题没有单独成行（紧接在上一段末尾）",
    tags=("structure",),
    example="……未出现关于政务公开方面的投诉、举报情况。二、主动公开政府信息情况",
    fix="将标题另起一行。",
    basis="标题与正文粘连会使读者和检索工具找不到该部分。",
    templates=("2021", "2019"),
)
def glued_heading(report: Report) -> Iterator[Finding]:
    if sum(1 for s in report.sections if s.glued) >= 4:
        return  # the whole text lost its line breaks (a crawler capture): nothing to say about layout
    for s in report.sections:
        if s.glued:
            yield finding(
                "STR-005",
                f"标题「{s.numbering}{s.heading}」没有单独成行，紧接在上一段末尾",
                report,
                loc=of_section(report, s.number),
                actual=f"{s.numbering}{s.heading}",
            )


_EMPTY_TEXT = 100  # characters besides the title that a report with no part at all may have


@rule(
    "STR-006",
    "empty-report",
    "error",
    "报告只有标题，没有正文",
    tags=("structure",),
    example="文件中只有“××局2024年政府信息公开工作年度报告”一行，没有任何部分和表格。",
    fix="发布完整的年度报告：六个部分及表二、表三、表四。",
    basis="《政府信息公开条例》第五十条规定年度报告应当包括的内容；只有标题的文件不是年度报告。",
)
def empty_report(report: Report) -> Iterator[Finding]:
    if report.sections or any(report.tables.values()) or not report.meta.title:
        return
    if len(report.preamble) > _EMPTY_TEXT:
        return  # text without any heading of the format: not known to be a report, not accused
    if any(n.rule in BLOCKING for n in report.extraction_notes):
        return  # the file was not read: its EXT- finding says so
    yield finding(
        "STR-006",
        f"文件只有标题「{report.meta.title}」，未找到报告的任何部分或表格",
        report,
        expected="六个部分及表二、表三、表四",
        actual=None,
    )


@rule(
    "TPL-002",
    "template-year",
    "error",
    "所用年报格式与报告年度不符",
    tags=("template",),
    example="2022年度报告仍使用2019年试行格式（表二含“本年新制作数量”“政府集中采购”）。",
    fix="2021年度及以后使用国办公开办函〔2021〕30号格式；2019、2020年度使用60号试行格式。",
    basis="国办公开办函〔2021〕30号自2021年度报告起适用。",
)
def template_year(report: Report) -> Iterator[Finding]:
    want = expected_version(report.meta.year)
    got = report.meta.template
    if want is None or got == "unknown" or want == got or (got == "legacy" and want != "legacy"):
        return  # a legacy report for a template year is TPL-010
    names = {"2021": "2021年格式（30号）", "2019": "2019年试行格式（60号）", "legacy": "2019年以前的旧格式"}
    yield finding(
        "TPL-002",
        f"{report.meta.year}年度报告应使用{names[want]}，实际使用{names[got]}",
        report,
        expected=want,
        actual=got,
    )


@rule(
    "TPL-003",
    "mixed-template",
    "warning",
    "报告混用两个版本格式的标签",
    tags=("template",),
    example="2021年格式表二中的“行政规范性文件”一行写成2019年格式的“规范性文件”。",
    fix="全部表格使用同一版本格式的原文标签。",
    basis="template-spec §4.4 版本识别；实际报告中出现过混用。",
    templates=("2021", "2019"),
    reads=("active_disclosure", "applications", "review_litigation"),
)
def mixed_template(report: Report) -> Iterator[Finding]:
    s = report.meta.template_scores
    other = "2019" if report.meta.template == "2021" else "2021"
    variants = [m for d in report.tables.values() if d for m in d.labels if m.how == "variant"]
    if s.get(other, 0) > 0 or variants:
        mixed = [m.printed for m in variants]
        yield finding(
            "TPL-003",
            f"报告主要使用{report.meta.template}年格式，但含{other}年格式的标签"
            + (f"（{'、'.join(mixed)}）" if mixed else f"（{s.get(other, 0)} 处）"),
            report,
            expected=report.meta.template,
            actual=other,
            loc=variants[0].loc if variants and variants[0].loc else of_report(report),
        )


@rule(
    "TPL-004",
    "table2-rows",
    "error",
    "表二缺少模板规定的栏目或行",
    tags=("template", "tables"),
    example="表二没有“第二十条第（八）项 行政事业性收费”一栏。",
    fix="按模板保留表二全部栏目和行，没有数据的填 0。",
    basis="年报格式表二（2021：4栏5行10格；2019：5栏9行22格）。",
    reads=("active_disclosure",),
    judges_rows=True,
)
def table2_rows(report: Report) -> Iterator[Finding]:
    data = report.active_disclosure
    if data is None:
        return
    t = template(data.template)
    labels = {r.id: f"{b.caption} {r.label}" for b, r in t.active_rows}
    for row in data.missing_rows:
        yield finding(
            "TPL-004",
            f"表二缺少「{labels.get(row, row)}」一行（文件中任何位置都没有这一行的标签）",
            report,
            cells=tuple(
                f"active_disclosure.{c}"
                for c in t.cell_ids("active_disclosure")
                if c.rsplit(".", 1)[0] == row
            ),
            expected=labels.get(row, row),
            actual=None,
            loc=data.loc,
        )


def _edited_labels(
    report: Report, rule_id: str, data: TableData | None, title: str, cell_suffix: str
) -> Iterator[Finding]:
    """Row labels matched as a known variant or a typo of the template's wording."""
    if data is None:
        return
    for m in data.labels:
        if m.how in ("variant", "typo"):
            yield finding(
                rule_id,
                f"{title}行标签「{m.printed}」与模板「{m.expected}」不同",
                report,
                cells=(f"{data.name}.{m.id}{cell_suffix}",),
                expected=m.expected,
                actual=m.printed,
                loc=m.loc,
            )


@rule(
    "TPL-005",
    "table2-label",
    "warning",
    "表二的栏目或行标签与模板原文不同",
    tags=("template", "tables"),
    example="2021年格式表二写“规范性文件”而不是“行政规范性文件”。",
    fix="使用模板原文标签。",
    basis="年报格式表二原文标签。",
    reads=("active_disclosure",),
)
def table2_label(report: Report) -> Iterator[Finding]:
    yield from _edited_labels(report, "TPL-005", report.active_disclosure, "表二", "")


@rule(
    "TPL-006",
    "table3-rows",
    "error",
    "表三缺少、增加或合并了模板规定的行",
    tags=("template", "tables"),
    example="表三在“（三）不予公开”下增加了“小计”行；或缺少“（六）其他处理”的三个子项。",
    fix="按模板保留表三全部 25 行（2019 格式 23 行），不增加小计行。",
    basis="年报格式表三（template-spec §3.2）。",
    emits=("warning",),
    reads=("applications",),
    judges_rows=True,
)
def table3_rows(report: Report) -> Iterator[Finding]:
    data = report.applications
    if data is None:
        return
    t = template(data.template)
    labels = {r.id: r.label for r in t.app_rows}
    for row in data.missing_rows:
        if row == "other" or (row.startswith("other.") and "other.total" in data.cells):
            continue
        yield finding(
            "TPL-006",
            f"表三缺少「{labels.get(row, row)}」一行（文件中任何位置都没有这一行的标签）",
            report,
            cells=tuple(f"applications.{row}.{c.id}" for c in t.app_columns),
            expected=labels.get(row, row),
            actual=None,
            loc=data.loc,
        )
    for m in data.labels:
        if m.how == "other_version":
            yield finding(
                "TPL-006",
                "表三「（六）其他处理」按2019年格式印为一行，2021年格式应分为"
                "“1.申请人无正当理由逾期不补正…”“2.申请人逾期未按收费通知要求缴纳费用…”“3.其他”三行",
                report,
                severity="warning",
                cells=tuple(f"applications.other.{c.id}" for c in t.app_columns),
                expected="三行",
                actual="一行",
                loc=m.loc,
            )
    for m in data.extra_rows:
        yield finding(
            "TPL-006",
            f"表三增加了模板没有的行「{m.printed}」（未计入任何校验）",
            report,
            severity="warning",
            expected=None,
            actual=m.printed,
            loc=m.loc,
        )


@rule(
    "TPL-007",
    "table3-label",
    "warning",
    "表三的行标签与模板原文不同（改动或错字）",
    tags=("template", "tables"),
    example="2.其他法律行政止公开（模板：2.其他法律行政法规禁止公开）",
    fix="使用模板原文标签，逐字核对。",
    basis="年报格式表三原文标签；实际报告中出现过连年沿用的错字。",
    reads=("applications",),
)
def table3_label(report: Report) -> Iterator[Finding]:
    yield from _edited_labels(report, "TPL-007", report.applications, "表三", ".total")


@rule(
    "TPL-008",
    "corner-note",
    "info",
    "表三左上角的勾稽关系说明缺失或被改动",
    tags=("template", "tables"),
    example="表三左上角没有“（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）”。",
    fix="保留模板左上角说明原文。",
    basis="年报格式表三左上角说明。",
    emits=("warning",),
    reads=("applications",),
)
def corner_note(report: Report) -> Iterator[Finding]:
    data = report.applications
    if data is None:
        return
    want = template(data.template).corner_note
    three = report.section(3)
    if data.corner_note is None and three is not None and "勾稽关系" in three.text:
        return  # printed above the table rather than in its corner cell
    if data.corner_note is None:
        yield finding(
            "TPL-008", "表三左上角未见勾稽关系说明", report, expected=want, actual=None, loc=data.loc
        )
    elif norm_label(data.corner_note) != norm_label(want):
        yield finding(
            "TPL-008",
            f"表三左上角说明为「{data.corner_note}」，与模板不同",
            report,
            severity="warning",
            expected=want,
            actual=data.corner_note,
            loc=data.loc,
        )


@rule(
    "TPL-009",
    "table4-shape",
    "error",
    "表四不是 3 组 × 5 列",
    tags=("template", "tables"),
    example="表四缺少“复议后起诉”一组。",
    fix="按模板保留行政复议、未经复议直接起诉、复议后起诉三组，每组结果维持、结果纠正、其他结果、尚未审结、总计五列。",
    basis="年报格式表四（template-spec §3.3）。",
    reads=("review_litigation",),
    judges_rows=True,
)
def table4_shape(report: Report) -> Iterator[Finding]:
    data = report.review_litigation
    if data is None or not data.missing_rows:
        return
    t = template(data.template)
    labels = {g.id: g.label for g in t.review_groups}
    for row in data.missing_rows:
        yield finding(
            "TPL-009",
            f"表四缺少「{labels.get(row, row)}」一组（文件中任何位置都没有这一组的标签）",
            report,
            cells=tuple(f"review_litigation.{row}.{c.id}" for c in t.review_columns),
            expected=labels.get(row, row),
            actual=None,
            loc=data.loc,
        )


@rule(
    "TPL-010",
    "legacy-format",
    "error",
    "2019年度及以后的报告仍用旧格式（无模板表格）",
    tags=("template",),
    example="2020年度报告按“概述 / 主动公开政府信息的数量 / 依申请公开政府信息情况”等旧栏目编写。",
    fix="使用现行年报格式，含表二、表三、表四。",
    basis="国办公开办函〔2019〕60号、〔2021〕30号。",
)
def legacy_format(report: Report) -> Iterator[Finding]:
    if report.meta.template == "legacy" and report.meta.year is not None and report.meta.year >= 2019:
        yield finding(
            "TPL-010",
            f"{report.meta.year}年度报告使用2019年以前的旧格式，没有模板表格",
            report,
            expected=expected_version(report.meta.year),
            actual="legacy",
        )
