"""Headings, title, body kind and dates."""

from __future__ import annotations

import datetime as dt

import pytest

from reportparse.document import Document, Paragraph
from reportparse.extract.segment import body_kind, find_headings, parse_date, segment
from reportparse.model import Loc


def doc(*paragraphs: str) -> Document:
    return Document(tuple(Paragraph(p, Loc(line=i + 1)) for i, p in enumerate(paragraphs)), "text")


def test_headings_glued_arabic_variant_and_row_labels() -> None:
    d = doc(
        "某局2024年政府信息公开工作年度报告",
        "一、总体情况",
        "全年收到申请2件。二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、结转下年度继续办理",
        "四、政府信息公开行政复议和行政诉讼情况",
        "5、 存在的主要问题及整改措施",
        "六、其他需要报告的事项",
    )
    hs = find_headings(d.blocks)
    assert [(h.number, h.numbering, h.heading, h.glued) for h in hs] == [
        (1, "一、", "总体情况", False),
        (2, "二、", "主动公开政府信息情况", True),
        (3, "三、", "收到和处理政府信息公开申请情况", False),
        (4, "四、", "政府信息公开行政复议和行政诉讼情况", False),
        (5, "5、", "存在的主要问题及整改措施", False),
        (6, "六、", "其他需要报告的事项", False),
    ]
    seg = segment(d)
    assert seg.sections[0].text == "全年收到申请2件。"
    assert seg.sections[2].text == "四、结转下年度继续办理"  # a table row label, not a heading


def test_items_inside_section_one_are_not_sections() -> None:
    d = doc("一、总体情况", "1.主动公开方面。我局公开信息10条。", "二、主动公开政府信息情况")
    assert [h.number for h in find_headings(d.blocks)] == [1, 2]


def test_list_of_parts_in_preamble_is_not_headings() -> None:
    d = doc(
        "本报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况等六个部分。", "一、总体情况"
    )
    assert [h.block for h in find_headings(d.blocks)] == [1]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("威海市环翠区环翠楼街道办事处", "township"),
        ("某某县某某镇人民政府", "township"),
        ("平潭综合实验区", "zone"),
        ("某某经济技术开发区管委会", "zone"),
        ("淮安市人民政府（全市汇总）", "government"),
        ("上海市人民政府办公厅", "department"),
        ("上海市科学技术委员会", "department"),
        ("某市统计局", "department"),
        (None, "unknown"),
    ],
)
def test_body_kind(name: str | None, kind: str) -> None:
    assert body_kind(name) == kind


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2025年1月20日", dt.date(2025, 1, 20)),
        ("发布时间：2024-01-31 09:00", dt.date(2024, 1, 31)),
        ("二〇二五年一月二十日", dt.date(2025, 1, 20)),
        ("二〇二四年十二月三十一日", dt.date(2024, 12, 31)),
        ("2024/2/30", None),
        ("无日期", None),
    ],
)
def test_parse_date(text: str, date: dt.date | None) -> None:
    assert parse_date(text) == date
