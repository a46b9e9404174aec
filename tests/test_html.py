"""The HTML reader: encodings, page chrome, content area, table grids, metadata, limits.

Fixtures in tests/fixtures/html are written by generator/make_html.py; each `<name>.html.spec.json`
holds the exact paragraphs, grids, properties and notes the reader must return, and the cells
`reportparse.parse` must map.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

import charset_normalizer
import pytest
from generator.html_writer import render_html
from generator.spec import make_spec

import reportparse
from conftest import FIXTURES
from helpers import CORPUS_HTML, cell_differences, load_spec, load_truth, truth_differences
from reportparse.document import Document, Paragraph, Table
from reportparse.readers import read_document
from reportparse.readers.encoding import decode_text
from reportparse.readers.html import decode_html, read
from reportparse.readers.sniff import sniff
from reportparse.templates import common

HTML = FIXTURES / "html"
PAGES = sorted(HTML.glob("*.html"))
TABLES = ("active_disclosure", "applications", "review_litigation")
CHROME = (
    "当前位置",
    "微信",
    "微博",
    "QQ空间",
    "分享到",
    "打印本页",
    "关闭窗口",
    "主办单位",
    "京ICP备",
    "首页",
    "隐藏",
    "索引号",
    "发布机构",
    "脚本",
)


def read_fixture(name: str) -> Document:
    path = HTML / name
    return read(path.read_bytes(), str(path))


def grid(table: Table) -> list[list[Any]]:
    return [[c.row, c.col, c.rowspan, c.colspan, c.text] for c in table.cells]


def page(body: str, head: str = '<meta charset="utf-8">') -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def one_table(body: str) -> Table:
    tables = read(page(body), None).tables()
    assert len(tables) == 1
    return tables[0]


# --- fixtures at the Document level -----------------------------------------------------------


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_fixture_document(path: Path) -> None:
    spec = load_spec(path)
    doc = read(path.read_bytes(), str(path))
    assert doc.format == "html"
    assert doc.encoding == spec["encoding"]
    assert [p.text for p in doc.paragraphs()] == spec["paragraphs"]
    tables = doc.tables()
    assert len(tables) == (0 if spec["notes"] else 3)
    for table, want in zip(tables, spec["grids"].values(), strict=False):
        assert grid(table) == want
    assert {k: doc.properties.get(k) for k in spec["properties"]} == spec["properties"]
    problems = [{"rule": n.rule, "url": n.data["url"], "kind": n.data["kind"]} for n in doc.notes if n.rule]
    assert problems == spec["notes"]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_no_chrome_in_paragraphs(path: Path) -> None:
    doc = read(path.read_bytes(), str(path))
    text = "\n".join(p.text for p in doc.paragraphs())
    assert [word for word in CHROME if word in text] == []


def test_cms_gbk_page() -> None:
    doc = read_fixture("cms-gbk-2021.html")
    assert doc.encoding == "gb18030"
    assert doc.notes == ()  # declared gb2312, decoded as its superset: nothing to repair
    assert doc.properties["declared_encoding"] == "gb2312"
    assert (
        doc.properties["page_title"]
        == "示例市示例区统计局2024年政府信息公开工作年度报告_政府信息公开年报_示例市人民政府"
    )
    assert doc.properties["published_label"] == "发布日期"
    assert doc.properties["organization_label"] == "发布机构"
    # the <h1> above the article area becomes the first paragraph
    first = doc.blocks[0]
    assert isinstance(first, Paragraph) and first.loc.path == (
        "html > body > div.main:nth-of-type(3) > div.article:nth-of-type(2) > h1.article-title"
    )
    cell = doc.tables()[1].cells[0]
    assert (cell.loc.table, cell.loc.row, cell.loc.col, cell.rowspan, cell.colspan) == (1, 0, 0, 3, 3)
    assert cell.loc.path == "div#zoom > table:nth-of-type(2) > tbody > tr:nth-of-type(1) > td:nth-of-type(1)"
    assert doc.paragraphs()[3].loc.path == "div#zoom > p:nth-of-type(3)"
    assert doc.paragraphs()[3].loc.line == 24
    assert cell.loc.file is not None and cell.loc.file.endswith("cms-gbk-2021.html")


def test_word_export() -> None:
    doc = read_fixture("word-2021.html")
    texts = [p.text for p in doc.paragraphs()]
    # list numbers live in mso-list:Ignore spans: rendered, glued to the heading
    assert texts[2] == "一、总体情况" and "六、其他需要报告的事项" in texts
    # Word's zero-height column-width row is not a table row
    assert [t.n_rows for t in doc.tables()] == [14, 28, 4]
    assert doc.properties["title"] == "示例市示例区统计局2024年政府信息公开工作年度报告"
    assert "published" not in doc.properties
    assert doc.notes == ()  # the VML picture inside a conditional comment is not an image note


def test_layout_table_with_br_and_nbsp() -> None:
    doc = read_fixture("layout-br-nbsp-2019.html")
    tables = doc.tables()
    assert len(tables) == 3  # the page's layout table and its side menu are not emitted
    header = tables[0].rows()[1]
    assert [c.text for c in header] == ["信息内容", "本年新\n制作数量", "本年新公开数量", "对外公开总数量"]
    assert [c.text for c in tables[2].rows()[1]][:2] == ["结果\n维持", "结果纠正"]
    blank = [c for c in tables[1].cells if c.text == ""]
    spec = load_spec(HTML / "layout-br-nbsp-2019.html")
    assert len(blank) == sum(1 for v in spec["cells"]["applications"].values() if v["kind"] == "blank")
    assert doc.properties["published"] == "2021-01-20"  # printed 2021/1/20
    assert doc.properties["organization"] == "示例市示例区统计局"


def test_soffice_export_grid() -> None:
    doc = read_fixture("soffice-2021.html")
    review = doc.tables()[2]
    # LibreOffice adds a 16th column: 总计 spans two, 行政诉讼 eleven — exactly as the markup says
    assert [[c.text, c.col, c.rowspan, c.colspan] for c in review.rows()[0]] == [
        ["行政复议", 0, 1, 5],
        ["行政诉讼", 5, 1, 11],
    ]
    assert [[c.text, c.col, c.colspan] for c in review.rows()[1]][4] == ["总计", 4, 2]
    assert len(review.rows()[3]) == 15
    # LibreOffice's page header/footer (<div title="header">) is page furniture
    assert doc.paragraphs()[0].text == "示例市示例区统计局2024年政府信息公开工作年度报告"
    assert all("页眉" not in p.text for p in doc.paragraphs())


def test_image_tables_note_names_each_image() -> None:
    doc = read_fixture("image-tables-2021.html")
    notes = [n for n in doc.notes if n.rule == "EXT-005"]
    assert [n.data["url"] for n in notes] == [
        "/images/2025/01/table2.png",
        "/images/2025/01/table3.png",
        "/images/2025/01/table4.png",
    ]
    assert (
        notes[0].message
        == "正文中有图片 /images/2025/01/table2.png，报告表格可能仅以图片形式提供，请打开图片核对"
    )
    assert notes[0].severity == "warning"


def test_attachment_only_note() -> None:
    doc = read_fixture("attachment-only-2021.html")
    (note,) = doc.notes
    assert note.rule == "EXT-005"
    assert note.data == {
        "url": "/files/2025/01/annual-report.pdf",
        "kind": "attachment",
        "link_text": "示例市示例区统计局2024年政府信息公开工作年度报告.pdf",
    }
    assert "/files/2025/01/annual-report.pdf" in note.message


def test_image_note_with_absolute_url() -> None:
    body = '<div class="content"><p>二、主动公开政府信息情况</p><p><img src="t2.jpg"></p><p>三、依申请公开</p></div>'
    doc = read(page(body, '<meta charset="utf-8"><base href="https://www.example.gov.cn/nb/2024/">'), None)
    (note,) = doc.notes
    assert note.data == {
        "url": "t2.jpg",
        "kind": "image",
        "absolute_url": "https://www.example.gov.cn/nb/2024/t2.jpg",
    }


def test_no_image_note_when_tables_are_text() -> None:
    body = (
        "<div><p>二、主动公开政府信息情况</p><p><img src='photo.jpg' width='600'></p>"
        "<table><tr><td>规章</td><td>1</td><td>2</td><td>3</td></tr></table><p>三、依申请公开</p></div>"
    )
    assert read(page(body), None).notes == ()


def test_icons_are_not_table_images() -> None:
    body = "<div><p>二、主动公开政府信息情况</p><p><img src='/images/icon_print.png'><img src='a.png' width='16'></p></div>"
    assert read(page(body), None).notes == ()


# --- encodings --------------------------------------------------------------------------------

SPEC = make_spec("html-encodings", "2021", seed=61)
UTF8_PAGE = render_html(SPEC, style="cms", declare="utf-8")
TRADITIONAL = (
    "<html><body><h1>某某市政府資訊公開工作年度報告</h1><p>一、總體情況</p>"
    "<p>本年度本機關認真貫徹執行條例，主動公開政府資訊，依申請公開辦理情況良好，處理費用均已公開。</p>"
    "<p>二、主動公開政府資訊情況</p><p>規章與規範性文件依法公開，行政許可與行政處罰決定按時發佈。</p></body></html>"
)


def _first_paragraphs(doc: Document) -> list[str]:
    return [p.text for p in doc.paragraphs()[:3]]


EXPECTED_START = [SPEC.title, SPEC.preamble[0], "一、总体情况"]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"\xff\xfe" + UTF8_PAGE.decode().encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + UTF8_PAGE.decode().encode("utf-16-be"), "utf-16-be"),
        (b"\xef\xbb\xbf" + UTF8_PAGE.replace(b'charset="utf-8"', b'charset="gbk"'), "utf-8"),
    ],
    ids=["utf16le-bom", "utf16be-bom", "utf8-bom-beats-declaration"],
)
def test_unicode_pages(data: bytes, encoding: str) -> None:
    doc = read_document(data, "page.html")
    assert doc.format == "html"
    assert doc.encoding == encoding
    assert _first_paragraphs(doc) == EXPECTED_START
    assert len(doc.tables()) == 3


def test_utf16_without_bom() -> None:
    doc = read(UTF8_PAGE.decode().encode("utf-16-le"), None)
    assert doc.encoding == "utf-16-le"
    assert _first_paragraphs(doc) == EXPECTED_START
    assert [n.message for n in doc.notes] == ["页面为未标注字节序的 UTF-16-LE 编码"]


def test_utf8_page_declared_latin1() -> None:
    data = UTF8_PAGE.replace(b'charset="utf-8"', b'charset="iso-8859-1"')
    doc = read(data, None)
    assert doc.encoding == "utf-8"
    assert _first_paragraphs(doc) == EXPECTED_START
    assert [n.message for n in doc.notes] == ["页面声明字符编码为 iso-8859-1，实际为 utf-8，已按 utf-8 解码"]


def test_gbk_page_without_declaration() -> None:
    data = UTF8_PAGE.replace(b'<meta charset="utf-8">', b"").decode().encode("gbk")
    doc = read(data, None)
    assert doc.encoding == "gb18030"
    assert _first_paragraphs(doc) == EXPECTED_START
    assert [n.message for n in doc.notes] == ["页面未声明字符编码，检测为 gb18030"]


def test_gbk_page_declaring_utf8_fixture_note() -> None:
    doc = read_fixture("gbk-declared-utf8-2021.html")
    assert [(n.code, n.message, n.data) for n in doc.notes] == [
        (
            "encoding",
            "页面声明字符编码为 utf-8，实际为 gb18030，已按 gb18030 解码",
            {"declared": "utf-8", "detected": "gb18030"},
        ),
    ]


def test_undeclared_utf8_fixture_note() -> None:
    doc = read_fixture("undeclared-utf8-2021.html")
    assert [(n.code, n.data) for n in doc.notes] == [("encoding", {"detected": "utf-8"})]


@pytest.mark.parametrize("declared", [None, "big5"])
def test_big5_page(declared: str | None) -> None:
    html = (
        TRADITIONAL if declared is None else TRADITIONAL.replace("<html>", f"<html><meta charset={declared}>")
    )
    doc = read_document(html.encode("big5"), "page.html")
    assert doc.encoding == "big5hkscs"
    assert [p.text for p in doc.paragraphs()][:2] == ["某某市政府資訊公開工作年度報告", "一、總體情況"]
    assert [n.rule for n in doc.notes if n.rule] == []


def test_utf8_page_cut_inside_a_character() -> None:
    cut = UTF8_PAGE[: UTF8_PAGE.index("（二）依申请公开".encode()) + 2]  # inside the second character
    doc = read(cut, None)
    assert doc.encoding == "utf-8"
    assert doc.paragraphs()[-1].text.startswith("（一）主动公开")


def test_undecodable_bytes_are_reported() -> None:
    data = b"<html><body><p>" + bytes(range(0x80, 0x100)) * 40 + b"</p></body></html>"
    doc = read_document(data, "page.html")
    assert (doc.format, doc.encoding) == ("html", "gb18030")  # the candidate with the fewest bad bytes
    assert [(n.rule, n.message) for n in doc.notes] == [
        ("EXT-008", "页面字符编码无法识别：按 gb18030 解码仍有 80 处无法解码的字节，文字可能乱码")
    ]


def test_decode_unknown_declaration() -> None:
    decoded = decode_html('<meta charset="x-unknown-cs"><p>中文内容</p>'.encode())
    assert decoded.encoding == "utf-8"
    assert decoded.notes[0].message == "页面声明的字符编码“x-unknown-cs”无法识别，已自动检测"


def test_each_heading_pattern_finds_its_own_section() -> None:
    # the content area is found by these patterns (templates/common.json)
    sections = common().sections
    for s in sections:
        assert [t.number for t in sections if re.search(t.heading_pattern, s.heading)] == [s.number]


def test_pages_and_text_share_one_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    # UTF-16 without a mark: two code units are enough (the HTML reader used to want four)
    short = "ab".encode("utf-16-le")
    assert (decode_html(short).text, decode_html(short).encoding) == ("ab", "utf-16-le")
    assert decode_text(short)[:2] == ("ab", "utf-16-le")
    assert decode_html(short[:3]).encoding == "utf-8"  # one code unit and a byte: no guess
    # one table of byte-order marks: the page names the byte order, the text keeps Python's name
    marked = codecs.BOM_UTF16_LE + "<p>中文</p>".encode("utf-16-le")
    assert decode_html(marked).encoding == "utf-16-le" and decode_html(marked).text == "<p>中文</p>"
    assert decode_text(marked)[:2] == ("<p>中文</p>", "utf-16")
    # charset-normalizer sees the first 200,000 bytes (the text reader used to give it all)
    seen: list[int] = []
    real = charset_normalizer.from_bytes

    def spy(data: bytes) -> charset_normalizer.CharsetMatches:
        seen.append(len(data))
        return real(data)

    monkeypatch.setattr(charset_normalizer, "from_bytes", spy)
    junk = b"\x81\xff" * 150_000  # neither UTF-8 nor GB18030 nor Big5
    decode_html(junk)
    decode_text(junk)
    assert seen == [200_000, 200_000]


# --- content area and paragraphs --------------------------------------------------------------


def test_paragraph_whitespace_and_br() -> None:
    body = (
        "<div class='TRS_Editor'><p>\u3000\u3000一、总体情况</p>"
        "<p>第一行&nbsp;&nbsp;&nbsp;文字\t与\n换行<br>第二行\u3000\u3000全角<br/><br/></p>"
        "<p>&nbsp;</p><div>外层<div>内层</div>尾部</div><p>\u200b二、主动公开政府信息情况</p></div>"
    )
    doc = read(page(body), None)
    assert [p.text for p in doc.paragraphs()] == [
        "一、总体情况",
        "第一行 文字 与 换行",
        "第二行 全角",
        "外层",
        "内层",
        "尾部",
        "二、主动公开政府信息情况",
    ]


def test_hidden_and_script_content_dropped() -> None:
    body = (
        "<div><p>一、总体情况</p><p style='display: none'>隐藏一</p><p hidden>隐藏二</p>"
        "<span style='visibility:hidden'>隐藏三</span><p style='mso-hide:all'>隐藏四</p>"
        "<script>document.write('脚本')</script><noscript>无脚本</noscript><style>p{}</style>"
        "<p>二、主动公开政府信息情况</p></div>"
    )
    assert [p.text for p in read(page(body), None).paragraphs()] == [
        "一、总体情况",
        "二、主动公开政府信息情况",
    ]


def test_metadata_box_inside_content_area_is_not_text() -> None:
    body = (
        "<p style='text-align:center'>某局2024年政府信息公开工作年度报告</p>"
        "<p>发布日期：2025-01-20　来源：某局</p><p>一、总体情况</p><p>二、主动公开政府信息情况</p>"
    )
    doc = read(page(body), None)
    assert [p.text for p in doc.paragraphs()] == [
        "某局2024年政府信息公开工作年度报告",
        "一、总体情况",
        "二、主动公开政府信息情况",
    ]
    assert doc.properties == {
        "declared_encoding": "utf-8",
        "published": "2025-01-20",
        "published_label": "发布日期",
        "organization": "某局",
        "organization_label": "来源",
        "title": "某局2024年政府信息公开工作年度报告",
    }


@pytest.mark.parametrize(
    ("line", "published", "label"),
    [
        ("发布时间：2024-01-20 09:30", "2024-01-20", "发布时间"),
        ("公开日期：2024年01月20日", "2024-01-20", "公开日期"),
        ("发文日期: 2024/1/20", "2024-01-20", "发文日期"),
        ("成文日期：2024年1月5日", "2024-01-05", "成文日期"),
        ("更新时间：2024-02-02　日期：2024-01-20", "2024-01-20", "日期"),
    ],
)
def test_publication_date_formats(line: str, published: str, label: str) -> None:
    body = f"<div class='info'>{line}</div><div><p>一、总体情况</p><p>二、主动公开政府信息情况</p></div>"
    props = read(page(body), None).properties
    assert (props["published"], props["published_label"]) == (published, label)


def test_published_prefers_release_date_over_written_date() -> None:
    body = (
        "<table><tr><td>成文日期：</td><td>2024-01-05</td><td>发布日期：</td><td>2024-01-20</td></tr>"
        "<tr><td>发文机关</td><td>某市人民政府办公室</td><td>索引号</td><td>001</td></tr></table>"
        "<div><p>一、总体情况</p><p>二、主动公开政府信息情况</p></div>"
    )
    props = read(page(body), None).properties
    assert props["published"] == "2024-01-20"
    assert props["written"] == "2024-01-05"
    assert (props["organization"], props["organization_label"]) == ("某市人民政府办公室", "发文机关")


def test_meta_pubdate_is_the_last_resort() -> None:
    head = '<meta charset="utf-8"><meta name="PubDate" content="2023-02-20 15:07">'
    props = read(page("<p>一、总体情况</p><p>二、主动公开政府信息情况</p>", head), None).properties
    assert (props["published"], props["published_label"]) == ("2023-02-20", "meta:pubdate")


def test_prose_mentioning_dates_is_not_metadata() -> None:
    body = "<div><p>一、总体情况</p><p>对规范性文件文号、成文日期、发布日期、有效性等要素进行规范标注。</p><p>二、主动公开政府信息情况</p></div>"
    assert "published" not in read(page(body), None).properties


def test_page_without_report_returns_what_it_has() -> None:
    body = (
        "<div class='nav-bar'><a href='/'>首页</a></div><div class='content'><h1>我市召开安全生产工作会议</h1>"
        "<p>近日，我市召开安全生产工作会议，部署下一阶段重点工作，会议强调要压实各方责任。</p></div>"
        "<div class='footer'>版权所有</div>"
    )
    doc = read_document(page(body), "news.html")
    assert [p.text for p in doc.paragraphs()] == [
        "我市召开安全生产工作会议",
        "近日，我市召开安全生产工作会议，部署下一阶段重点工作，会议强调要压实各方责任。",
    ]
    assert doc.notes == ()
    assert "title" not in doc.properties


@pytest.mark.parametrize("data", [b"<html><body></body></html>", b"<!-- only a comment -->", b"<html>", b" "])
def test_empty_pages(data: bytes) -> None:
    doc = read(data, "empty.html")
    assert doc.blocks == ()
    assert all(n.rule != "EXT-013" for n in doc.notes)


def test_truncated_page() -> None:
    data = UTF8_PAGE[: UTF8_PAGE.index("二、上年结转".encode())]
    doc = read_document(data, "cut.html")
    assert doc.format == "html"
    assert [n.rule for n in doc.notes] == ["EXT-010"]
    assert doc.notes[0].message == "网页在表格中途结束（表格未闭合），内容可能被截断"
    assert [p.text for p in doc.paragraphs()][-1] == "三、收到和处理政府信息公开申请情况"
    applications = doc.tables()[1]
    values = [SPEC.cells["applications"][f"new_received.{c.id}"] for c in SPEC.template.app_columns]
    assert [c.text for c in applications.rows()[3]] == ["一、本年新收政府信息公开申请数量", *values]
    assert [c.text for c in applications.rows()[4]] == [""]  # the row cut off after its first <td>


def test_deep_nesting_is_a_limit_finding() -> None:
    data = ("<html><body>" + "<div>" * 10_000 + "x" + "</div>" * 10_000 + "</body></html>").encode()
    doc = read_document(data, "deep.html")
    assert doc.blocks == ()
    (note,) = doc.notes
    assert note.rule == "EXT-003"
    assert note.message == "网页元素嵌套层级超过解析器上限 256 层，超出处理限制"


# --- tables -----------------------------------------------------------------------------------


def test_spans_and_missing_cells() -> None:
    table = one_table(
        "<table><tr><td rowspan=2>A</td><td colspan=2>B</td></tr>"
        "<tr><td>C</td></tr>"  # row ends early: the missing cell is just absent
        "<tr><td>D</td><td>E</td><td>F</td></tr></table>"
    )
    assert grid(table) == [
        [0, 0, 2, 1, "A"],
        [0, 1, 1, 2, "B"],
        [1, 1, 1, 1, "C"],
        [2, 0, 1, 1, "D"],
        [2, 1, 1, 1, "E"],
        [2, 2, 1, 1, "F"],
    ]


def test_overlapping_spans_follow_the_html_table_model() -> None:
    table = one_table(
        "<table><tr><td>A</td><td rowspan=2>B</td><td>C</td></tr>"
        "<tr><td colspan=3>D</td></tr></table>"  # D would run into B's slot: cut there
    )
    assert grid(table) == [[0, 0, 1, 1, "A"], [0, 1, 2, 1, "B"], [0, 2, 1, 1, "C"], [1, 0, 1, 1, "D"]]
    doc = read(
        page("<table><tr><td>A</td><td rowspan=2>B</td><td>C</td></tr><tr><td colspan=3>D</td></tr></table>"),
        None,
    )
    assert [(n.code, n.data["overlaps"]) for n in doc.notes] == [("table_overlap", 1)]


def test_rowspan_zero_and_past_the_row_group() -> None:
    table = one_table(
        "<table><thead><tr><td rowspan=5>H</td><td>h</td></tr></thead>"
        "<tbody><tr><td rowspan=0>A</td><td>1</td></tr><tr><td>2</td></tr><tr><td>3</td></tr></tbody></table>"
    )
    assert grid(table) == [
        [0, 0, 1, 1, "H"],
        [0, 1, 1, 1, "h"],
        [1, 0, 3, 1, "A"],
        [1, 1, 1, 1, "1"],
        [2, 1, 1, 1, "2"],
        [3, 1, 1, 1, "3"],
    ]


def test_bad_span_values() -> None:
    table = one_table(
        "<table><tr><td colspan='abc'>A</td><td colspan='2.5'>B</td><td colspan=99999>C</td></tr>"
        "<tr><td>1</td><td>2</td></tr></table>"
    )
    assert [(c.text, c.col, c.colspan) for c in table.rows()[0]] == [("A", 0, 1), ("B", 1, 2), ("C", 3, 1000)]


def test_cell_text_lines_and_blanks() -> None:
    table = one_table(
        "<table><tr><td><p>本年新</p><p>制作数量</p></td><td>结果<br>维持</td><td>&nbsp;</td>"
        "<td><p class=MsoNormal><span><o:p>&nbsp;</o:p></span></p></td><td> 1 2 </td></tr>"
        "<tr><td>规章</td><td>1</td><td>2</td><td>3</td><td>4</td></tr></table>"
    )
    assert [c.text for c in table.rows()[0]] == ["本年新\n制作数量", "结果\n维持", "", "", "1 2"]


def test_layout_table_holding_report_tables() -> None:
    inner = "<table><tr><td>规章</td><td>1</td></tr><tr><td>行政规范性文件</td><td>2</td></tr></table>"
    body = f"<table><tr><td>左侧</td><td><p>二、主动公开政府信息情况</p>{inner}<p>三、收到和处理政府信息公开申请情况</p></td></tr></table>"
    doc = read(page(body), None)
    assert len(doc.tables()) == 1
    assert grid(doc.tables()[0]) == [
        [0, 0, 1, 1, "规章"],
        [0, 1, 1, 1, "1"],
        [1, 0, 1, 1, "行政规范性文件"],
        [1, 1, 1, 1, "2"],
    ]
    assert [p.text for p in doc.paragraphs()] == [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
    ]


def test_layout_table_with_long_paragraph() -> None:
    long = "本报告根据《中华人民共和国政府信息公开条例》编制。" * 10
    table = f"<table><tr><td>{long}</td><td>x</td></tr><tr><td>a</td><td>b</td></tr></table>"
    doc = read(page(f"<p>一、总体情况</p>{table}<p>二、主动公开政府信息情况</p>"), None)
    assert doc.tables() == []
    assert [p.text for p in doc.paragraphs()] == [
        "一、总体情况",
        long,
        "x",
        "a",
        "b",
        "二、主动公开政府信息情况",
    ]


def test_word_list_marker_in_cell_and_hidden_width_row() -> None:
    table = one_table(
        "<table><tr><td><p><![if !supportLists]><span style='mso-list:Ignore'>1.<span>&nbsp;&nbsp; </span></span>"
        "<![endif]>属于国家秘密</p></td><td>3</td></tr>"
        "<![if !supportMisalignedColumns]><tr height=0><td width=20></td><td width=30></td></tr><![endif]></table>"
    )
    assert grid(table) == [[0, 0, 1, 1, "1.属于国家秘密"], [0, 1, 1, 1, "3"]]


# --- end to end -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_fixture_end_to_end(path: Path) -> None:
    spec = load_spec(path)
    report = reportparse.parse(path)
    assert report.source.format == "html"
    assert cell_differences(report, spec) == []
    want = spec["expected"]
    assert report.meta.title == want["title"]
    assert report.meta.organization == want["organization"]
    assert str(report.meta.published) == want["published"]
    if spec["notes"]:
        urls = [
            n.data.get("url") for n in report.extraction_notes if n.rule == "EXT-005" and n.data.get("url")
        ]
        assert urls == [n["url"] for n in spec["notes"]]
        assert all(report.tables[t] is None for t in TABLES)
    else:
        assert report.meta.template == spec["version"]
        assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("name", CORPUS_HTML)
def test_corpus_html_reader(corpus: Path, name: str) -> None:
    """The reader on the real pages, whatever the sniffer says about the file."""
    truth = load_truth(corpus, name)
    report = reportparse.parse(corpus / name, fmt="html")
    assert truth_differences(report, truth) == []
    assert report.meta.year == truth["year"]


@pytest.mark.parametrize("name", CORPUS_HTML)
def test_corpus_html_end_to_end(corpus: Path, name: str) -> None:
    data = (corpus / name).read_bytes()
    assert sniff(data, name) == "html"
    truth = load_truth(corpus, name)
    report = reportparse.parse(corpus / name)
    assert report.source.format == "html"
    assert truth_differences(report, truth) == []


def test_corpus_page_properties(corpus: Path) -> None:
    doc = read((corpus / "r018.html").read_bytes(), "r018.html")
    assert {k: doc.properties[k] for k in ("published", "published_label", "title")} == {
        "published": "2023-02-20",
        "published_label": "时间",
        "title": "平潭综合实验区2022年度政府信息公开工作年度报告",
    }
    text = "\n".join(p.text for p in doc.paragraphs())
    assert [w for w in ("当前位置", "微信", "QQ空间", "全真版", "扫一扫", "关闭") if w in text] == []
    assert [t.n_rows for t in doc.tables()] == [14, 28, 4]
