"""The DOCX reader (and the legacy-format path through LibreOffice).

Document level: exact grids of the generated fixtures (tests/fixtures/docx, written by
generator/make_docx.py) and of small hand-written WordprocessingML bodies. End to end: every
fixture parses to exactly the cells of its spec; the real corpus pages, converted to DOCX by
LibreOffice inside the test, parse to exactly their truth cells. Hostile input: corrupt and
truncated zips, zip bombs, entity attacks.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from generator.docx_writer import write_docx
from generator.spec import make_spec

import reportparse
from conftest import FIXTURES
from helpers import CORPUS_HTML, cell_differences, load_spec, load_truth, truth_differences
from reportparse.document import Document, Paragraph, Table
from reportparse.readers import read_document, soffice
from reportparse.readers.docx import read
from reportparse.readers.docx.numbering import format_number
from reportparse.readers.sniff import OLE_MAGIC
from reportparse.templates import template

DOCX = FIXTURES / "docx"
FIXTURE_FILES = sorted(p for p in DOCX.glob("*.docx"))
HAS_SOFFICE = soffice.launcher() is not None
needs_soffice = pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# -- helpers ------------------------------------------------------------------------------------


def load(name: str) -> Document:
    path = DOCX / name
    return read(path.read_bytes(), str(path))


def texts(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, Paragraph)]


def grid(table: Table) -> dict[tuple[int, int], tuple[str, int, int]]:
    return {(c.row, c.col): (c.text, c.rowspan, c.colspan) for c in table.cells}


def docx_bytes(
    body: str,
    *,
    numbering: str | None = None,
    styles: str | None = None,
    comments: str | None = None,
    title: str | None = None,
) -> bytes:
    """A minimal DOCX around a w:body's inner XML."""
    ns = (
        f'xmlns:w="{W_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'
    )
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/></Relationships>',
        "word/document.xml": f'<?xml version="1.0"?><w:document {ns}><w:body>{body}</w:body></w:document>',
    }
    doc_rels = []
    for kind, xml in (("numbering", numbering), ("styles", styles), ("comments", comments)):
        if xml is not None:
            root = "w:numbering" if kind == "numbering" else "w:styles" if kind == "styles" else "w:comments"
            parts[f"word/{kind}.xml"] = f'<?xml version="1.0"?><{root} {ns}>{xml}</{root}>'
            doc_rels.append(f'<Relationship Id="r{kind}" Type="{rel}/{kind}" Target="{kind}.xml"/>')
    parts["word/_rels/document.xml.rels"] = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(doc_rels)
        + "</Relationships>"
    )
    if title is not None:
        parts["docProps/core.xml"] = (
            '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{title}</dc:title><dc:creator>someone</dc:creator></cp:coreProperties>"
        )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in parts.items():
            zf.writestr(name, xml)
    return buf.getvalue()


def p(*runs: str, ppr: str = "") -> str:
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{''.join(runs)}</w:p>"


def r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def tc(content: str, tcpr: str = "") -> str:
    return f"<w:tc>{f'<w:tcPr>{tcpr}</w:tcPr>' if tcpr else ''}{content}</w:tc>"


def only_note(doc: Document) -> tuple[str | None, str]:
    assert doc.blocks == ()
    assert len(doc.notes) == 1
    return doc.notes[0].rule, doc.notes[0].message


# -- the fixtures as Documents: exact grids -------------------------------------------------------


def test_application_table_grid_2021() -> None:
    spec = load_spec(DOCX / "clean-2021.docx")
    doc = load("clean-2021.docx")
    tables = doc.tables()
    assert len(tables) == 3
    t3 = tables[1]
    g = grid(t3)
    corner = template("2021").corner_note
    assert g[(0, 0)] == (corner, 3, 3)
    assert g[(0, 3)] == ("申请人情况", 1, 7)
    assert g[(1, 3)] == ("自然人", 2, 1)
    assert g[(1, 4)] == ("法人或其他组织", 1, 5)
    assert g[(1, 9)] == ("总计", 2, 1)
    assert [g[(2, c)][0] for c in range(4, 9)] == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    assert g[(3, 0)] == ("一、本年新收政府信息公开申请数量", 1, 3)
    assert g[(5, 0)] == ("三、本年度办理结果", 22, 1)
    assert g[(5, 1)] == ("（一）予以公开", 1, 2)
    assert g[(7, 1)] == ("（三）不予公开", 8, 1)
    assert g[(7, 2)] == ("1.属于国家秘密", 1, 1)
    assert g[(15, 1)] == ("（四）无法提供", 3, 1)
    assert g[(18, 1)] == ("（五）不予处理", 5, 1)
    assert g[(23, 1)] == ("（六）其他处理", 3, 1)
    assert g[(26, 1)] == ("（七）总计", 1, 2)
    assert g[(27, 0)] == ("四、结转下年度继续办理", 1, 3)
    # 10 header cells, 30 label cells, 175 values: a merged value appears once, never copied
    assert len(t3.cells) == 215
    assert t3.n_rows == 28
    assert sum(c.text == "三、本年度办理结果" for c in t3.cells) == 1
    cols = [c.id for c in template("2021").app_columns]
    app = spec["cells"]["applications"]
    assert [g[(3, 3 + k)][0] for k in range(7)] == [str(app[f"new_received.{c}"]["value"]) for c in cols]
    assert [g[(27, 3 + k)][0] for k in range(7)] == [str(app[f"carried_forward.{c}"]["value"]) for c in cols]
    cell = next(c for c in t3.cells if (c.row, c.col) == (5, 0))
    assert (cell.loc.file, cell.loc.table, cell.loc.row, cell.loc.col) == (
        str(DOCX / "clean-2021.docx"),
        1,
        5,
        0,
    )


def test_application_table_grid_2019() -> None:
    g = grid(load("clean-2019.docx").tables()[1])
    assert g[(5, 0)] == ("三、本年度办理结果", 20, 1)
    assert g[(23, 1)] == ("（六）其他处理", 1, 2)
    assert g[(24, 1)] == ("（七）总计", 1, 2)
    assert g[(25, 0)] == ("四、结转下年度继续办理", 1, 3)


def test_active_disclosure_and_review_grids() -> None:
    spec = load_spec(DOCX / "clean-2021.docx")
    t2, _, t4 = load("clean-2021.docx").tables()
    g2 = grid(t2)
    assert g2[(0, 0)] == ("第二十条第（一）项", 1, 4)
    assert [g2[(1, c)][0] for c in range(4)] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert g2[(5, 1)] == ("本年处理决定数量", 1, 3)
    assert g2[(13, 1)] == (spec["cells"]["active_disclosure"]["admin_fees.amount"]["value"], 1, 3)
    assert t2.n_rows == 14
    g4 = grid(t4)
    assert g4[(0, 0)] == ("行政复议", 1, 5)
    assert g4[(0, 5)] == ("行政诉讼", 1, 10)
    assert [g4[(1, c)] for c in range(5)] == [
        (x, 2, 1) for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    ]
    assert g4[(1, 5)] == ("未经复议直接起诉", 1, 5)
    assert g4[(1, 10)] == ("复议后起诉", 1, 5)
    assert len(t4.cells) == 2 + 7 + 10 + 15
    review = spec["cells"]["review_litigation"]
    assert g4[(3, 14)][0] == str(review["litigation_after_review.total"]["value"])


def test_paragraphs_properties_and_no_headers_or_footers() -> None:
    doc = load("clean-2021.docx")
    spec = load_spec(DOCX / "clean-2021.docx")
    paras = texts(doc)
    assert paras[0] == spec["title"]
    headings = [t for t in paras if re.match(r"^[一二三四五六]、", t)]
    assert headings == [f"{n}、{spec['headings'][str(i + 1)]}" for i, n in enumerate("一二三四五六")]
    assert paras[-2:] == ["示例市示例区统计局", "2025年1月20日"]
    everything = "\n".join(paras + [c.text for t in doc.tables() for c in t.cells])
    assert "页眉" not in everything and "— 1 —" not in everything  # header and footer excluded
    assert doc.properties == {"page_title": spec["title"]}  # never a file date as "published"
    assert doc.notes == ()
    assert doc.format == "docx"
    first = doc.blocks[0]
    assert isinstance(first, Paragraph) and first.loc.path == "p[1]"


def test_auto_numbering_rendered_as_word_shows_it() -> None:
    doc = load("auto-numbering.docx")
    paras = texts(doc)
    assert [t for t in paras if re.match(r"^[一二三四五六]、", t)] == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    # level 2 "（%2）" restarts under every heading
    subs = [t[:3] for t in paras if t.startswith("（")]
    assert subs == [
        "（一）",
        "（二）",
        "（三）",
        "（四）",
        "（五）",
        "（一）",
        "（二）",
        "（一）",
        "（二）",
        "（三）",
    ]
    # row labels numbered by restarted list instances (startOverride) inside the table
    labels = [c.text for c in doc.tables()[1].cells if c.col == 2]
    expected = [
        r.label
        for r in template("2021").app_rows
        if r.group and r.group.startswith("（") and "、" not in r.group
    ]
    assert labels == expected


def test_tracked_changes_read_as_accepted_and_reported() -> None:
    doc = load("tracked-changes.docx")
    spec = load_spec(DOCX / "tracked-changes.docx")
    paras = texts(doc)
    assert "其中，通过政府网站发布信息占比超过九成。" in paras  # inserted paragraph counts
    assert not any("本段内容已在修订中删除" in t for t in paras)  # deleted paragraph does not
    assert not any("约" in t for t in paras if t.startswith("（一）主动公开"))
    assert "四、政府信息公开行政复议、行政诉讼情况" in paras  # deleted 五、 next to inserted 四、
    g = grid(doc.tables()[1])
    assert g[(3, 3)][0] == str(spec["cells"]["applications"]["new_received.natural_person"]["value"])
    (note,) = doc.notes
    assert (note.rule, note.severity) == ("EXT-009", "warning")
    assert note.data == {"revisions": 10, "comments": 0}
    assert "10 处未接受的修订" in note.message


def test_comment_reported() -> None:
    doc = load("comment.docx")
    (note,) = doc.notes
    assert (note.rule, note.data) == ("EXT-009", {"revisions": 0, "comments": 1})
    assert "请核实" not in "\n".join(texts(doc))  # comment text is not narrative


def test_fields_controls_links_and_text_boxes() -> None:
    doc = load("fields.docx")
    paras = texts(doc)
    joined = "\n".join(paras)
    assert paras[-1] == "2025年1月20日"  # complex field: the result, not the instruction
    assert "CREATEDATE" not in joined and "DOCPROPERTY" not in joined and "MERGEFORMAT" not in joined
    assert paras[5].startswith("2024年，示例市示例区统计局认真贯彻")  # fldSimple result
    assert paras[5].endswith("（详见政府网站）")  # hyperlink text
    assert paras[1:3] == ["索引号：2025-00001", "公开方式：主动公开"]  # text box once, not its fallback
    assert joined.count("索引号") == 1
    # a block-level content control's content
    assert "（一）信息处理费收取情况。2024年度未收取政府信息公开信息处理费。" in paras
    assert "单击或点击此处输入文字" not in joined  # an unfilled control's prompt
    assert grid(doc.tables()[0])[(2, 1)][0] == str(
        load_spec(DOCX / "fields.docx")["cells"]["active_disclosure"]["regulations.issued"]["value"]
    )
    assert doc.notes == ()


def test_nested_table_emitted_after_outer() -> None:
    doc = load("nested-table.docx")
    tables = doc.tables()
    assert len(tables) == 4
    outer, inner = tables[2], tables[3]
    assert [(c.text, c.row, c.col) for c in outer.cells] == [
        ("政府信息公开行政复议、行政诉讼情况统计表", 0, 0),
        ("", 1, 0),
    ]
    assert doc.blocks.index(inner) == doc.blocks.index(outer) + 1
    assert grid(inner)[(0, 0)] == ("行政复议", 1, 5)
    assert (inner.loc.table, inner.cells[0].loc.table) == (3, 3)


def test_split_table_continues_with_empty_merged_cells() -> None:
    for name, header in (("split-table.docx", 0), ("split-table-header.docx", 3)):
        doc = load(name)
        first, second = doc.tables()[1:3]
        assert first.n_rows == 11
        assert grid(first)[(5, 0)] == ("三、本年度办理结果", 6, 1)
        g = grid(second)
        assert g[(header, 0)] == ("", 16, 1)
        assert g[(header, 1)] == ("", 4, 1)
        assert g[(header, 2)] == ("5.属于三类内部事务信息", 1, 1)
        if header:
            assert g[(0, 3)] == ("申请人情况", 1, 7)


def test_subtotal_row_and_line_breaks_and_bookmarks() -> None:
    g = grid(load("subtotal-row.docx").tables()[1])
    assert g[(7, 1)] == ("（三）不予公开", 9, 1)
    assert g[(15, 2)] == ("小计", 1, 1)
    assert g[(5, 0)] == ("三、本年度办理结果", 23, 1)
    g = grid(load("cell-line-breaks.docx").tables()[1])
    assert g[(22, 2)] == ("5.要求行政机关确认或重新\n出具已获取信息", 1, 1)
    assert g[(1, 4)] == ("法人或\n其他组织", 1, 5)
    # bookmarks split label runs; the text is whole
    clean = [c.text for c in load("clean-2021.docx").tables()[1].cells if c.col < 3 or c.row < 3]
    marked = [c.text for c in load("bookmarks.docx").tables()[1].cells if c.col < 3 or c.row < 3]
    assert marked == clean


def test_blank_cells_are_blank() -> None:
    spec = load_spec(DOCX / "blank-cells.docx")
    t3 = load("blank-cells.docx").tables()[1]
    blanks = [cid for cid, c in spec["cells"]["applications"].items() if c["kind"] == "blank"]
    assert blanks
    assert sum(c.text == "" for c in t3.cells) == len(blanks)


# -- hand-written bodies --------------------------------------------------------------------------


def test_merges_grid_before_after_and_legacy_hmerge() -> None:
    body = (
        "<w:tbl><w:tblGrid>" + '<w:gridCol w:w="1"/>' * 4 + "</w:tblGrid>"
        "<w:tr>"
        + tc(p(r("A")), '<w:gridSpan w:val="2"/><w:vMerge w:val="restart"/>')
        + tc(p(r("B")))
        + tc(p(r("C")))
        + "</w:tr>"
        "<w:tr>"
        + tc(p(), '<w:gridSpan w:val="2"/><w:vMerge/>')
        + tc(p(r("D")), '<w:vMerge w:val="continue"/>')
        + tc(p(r("E")))
        + "</w:tr>"
        '<w:tr><w:trPr><w:gridBefore w:val="1"/><w:gridAfter w:val="1"/></w:trPr>'
        + tc(p(r("F")))
        + tc(p(r("G")))
        + "</w:tr>"
        "<w:tr>"
        + tc(p(r("H")), '<w:hMerge w:val="restart"/>')
        + tc(p(), '<w:hMerge w:val="continue"/>')
        + tc(p(r("I")), '<w:gridSpan w:val="2"/>')
        + "</w:tr>"
        "</w:tbl>"
    )
    (table,) = read(docx_bytes(body), "t.docx").tables()
    assert [(c.text, c.row, c.col, c.rowspan, c.colspan) for c in table.cells] == [
        ("A", 0, 0, 2, 2),
        ("B\nD", 0, 2, 2, 1),  # text in a continued cell is kept, once, with its origin
        ("C", 0, 3, 1, 1),
        ("E", 1, 3, 1, 1),
        ("F", 2, 1, 1, 1),
        ("G", 2, 2, 1, 1),
        ("H", 3, 0, 1, 2),
        ("I", 3, 2, 1, 2),
    ]


def test_cell_text_breaks_tabs_paragraphs_and_nested_table() -> None:
    inner = "<w:tbl><w:tr>" + tc(p(r("内表"))) + "</w:tr></w:tbl>"
    body = (
        "<w:tbl><w:tr>"
        + tc(p("<w:r><w:t>5.要求行政机关确认或重新</w:t><w:br/><w:t>出具已获取信息</w:t></w:r>"))
        + tc(p(r("甲")) + p() + p("<w:r><w:t>乙</w:t><w:tab/><w:t>丙</w:t></w:r>"))
        + tc(p(r("外")) + inner + p())
        + "</w:tr></w:tbl>"
        + p(r("后"))
    )
    doc = read(docx_bytes(body), None)
    outer, nested = doc.tables()
    assert [c.text for c in outer.cells] == [
        "5.要求行政机关确认或重新\n出具已获取信息",
        "甲\n乙\t丙",
        "外",
    ]  # empty paragraphs dropped
    assert [c.text for c in nested.cells] == ["内表"]
    assert [type(b).__name__ for b in doc.blocks] == ["Table", "Table", "Paragraph"]


def test_revisions_fields_hidden_text_symbols_and_alternate_content() -> None:
    rev = 'w:id="1" w:author="a" w:date="2025-01-01T00:00:00Z"'
    body = (
        p(
            r("保留"),
            f"<w:del {rev}><w:r><w:delText>删除</w:delText></w:r></w:del>",
            f"<w:ins {rev}><w:r><w:t>插入</w:t></w:r></w:ins>",
            f"<w:moveFrom {rev}><w:r><w:t>移走</w:t></w:r></w:moveFrom>",
            f"<w:moveTo {rev}><w:r><w:t>移来</w:t></w:r></w:moveTo>",
        )
        + p(
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            + r("结果")
            + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>IF </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>DATE</w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            + r("内层结果")
            + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>'  # a field with no result part shows nothing
            '<w:fldSimple w:instr=" NUMPAGES ">' + r("3") + "</w:fldSimple>"
        )
        + p(
            r("可见"),
            "<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>",
            '<w:bookmarkStart w:id="0" w:name="_Hlk1"/>',
            r("书签"),
            '<w:bookmarkEnd w:id="0"/>',
            '<w:r><w:sym w:font="Symbol" w:char="F0B7"/><w:sym w:font="SimSun" w:char="2460"/></w:r>',
            "<w:r><w:noBreakHyphen/></w:r>",
        )
        + p(
            '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
            + p(r("框内"))
            + "</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict>"
            "<v:textbox><w:txbxContent>" + p(r("框内")) + "</w:txbxContent></v:textbox></w:pict>"
            "</mc:Fallback></mc:AlternateContent></w:r>",
            r("锚点"),
        )
        + "<w:sdt><w:sdtPr/><w:sdtContent>"
        + p(r("控件内容"))
        + "</w:sdtContent></w:sdt>"
        + f"<w:p><w:pPr><w:rPr><w:del {rev}/></w:rPr></w:pPr><w:del {rev}><w:r><w:delText>整段删除</w:delText>"
        "</w:r></w:del></w:p>" + p("<m:oMath><m:r><m:t>x+1</m:t></m:r></m:oMath>")
    )
    doc = read(docx_bytes(body), "t.docx")
    assert texts(doc) == ["保留插入移来", "结果3", "可见书签①-", "锚点", "框内", "控件内容", "x+1"]
    (note,) = doc.notes
    assert (note.rule, note.data) == ("EXT-009", {"revisions": 6, "comments": 0})


def test_numbering_definitions() -> None:
    numbering = (
        '<w:abstractNum w:abstractNumId="0">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/>'
        '<w:suff w:val="space"/><w:isLgl/></w:lvl>'
        '<w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1(%4)"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:lvlRestart w:val="0"/><w:numFmt w:val="decimalEnclosedCircle"/>'
        '<w:lvlText w:val="%3"/><w:suff w:val="nothing"/></w:lvl></w:abstractNum>'
        '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="3"/>'
        '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'
        '<w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl></w:abstractNum>'
        '<w:abstractNum w:abstractNumId="3"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:pStyle w:val="H1"/>'
        '<w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
        '<w:num w:numId="3"><w:abstractNumId w:val="1"/></w:num>'  # same list: continues
        '<w:num w:numId="4"><w:abstractNumId w:val="1"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'  # restarts
        '<w:num w:numId="5"><w:abstractNumId w:val="2"/></w:num>'
        '<w:num w:numId="6"><w:abstractNumId w:val="3"/></w:num>'
    )
    styles = (
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"/>'
        '<w:style w:type="paragraph" w:styleId="H1"><w:basedOn w:val="Normal"/><w:pPr><w:numPr>'
        '<w:numId w:val="6"/></w:numPr></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="H1x"><w:basedOn w:val="H1"/></w:style>'
    )

    def num(num_id: int, ilvl: int = 0) -> str:
        return f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'

    body = "".join(
        [
            p(r("甲"), ppr=num(1)),
            p(r("甲一"), ppr=num(1, 1)),
            p(r("甲二"), ppr=num(1, 1)),
            p(r("圈"), ppr=num(1, 2)),
            p(r("字母"), ppr=num(1, 3)),  # without isLgl, %1 keeps level 1's own format
            p(r("乙"), ppr=num(1)),
            p(r("乙一"), ppr=num(1, 1)),
            p(r("圈续"), ppr=num(1, 2)),  # lvlRestart 0: never restarts
            p(r("三"), ppr=num(2)),
            p(r("四"), ppr=num(3)),
            p(r("一"), ppr=num(4)),
            p(r("点"), ppr=num(5)),
            p(r("标题"), ppr='<w:pStyle w:val="H1"/>'),
            p(r("继承"), ppr='<w:pStyle w:val="H1x"/>'),
            p(r("取消"), ppr='<w:pStyle w:val="H1"/><w:numPr><w:numId w:val="0"/></w:numPr>'),
            p(r("普通")),
        ]
    )
    doc = read(docx_bytes(body, numbering=numbering, styles=styles), None)
    assert texts(doc) == [
        "一、甲",
        "1.1 甲一",
        "1.2 甲二",
        "①圈",
        "一(a)字母",
        "二、乙",
        "2.1 乙一",
        "②圈续",
        "3、三",
        "4、四",
        "1、一",
        "点",
        "一、标题",
        "二、继承",
        "取消",
        "普通",
    ]


@pytest.mark.parametrize(
    ("n", "fmt", "text"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (11, "chineseCounting", "十一"),
        (20, "chineseCounting", "二十"),
        (23, "chineseCountingThousand", "二十三"),
        (105, "chineseCountingThousand", "一百零五"),
        (6, "japaneseCounting", "六"),
        (10, "chineseLegalSimplified", "壹拾"),
        (3, "ideographTraditional", "丙"),
        (10, "ideographDigital", "一〇"),
        (1, "decimalEnclosedCircle", "①"),
        (21, "decimalEnclosedCircle", "㉑"),
        (2, "decimalEnclosedCircleChinese", "②"),
        (3, "decimalEnclosedParen", "⑶"),
        (4, "decimalEnclosedFullstop", "⒋"),
        (12, "decimalFullWidth", "１２"),
        (7, "decimalZero", "07"),
        (28, "upperLetter", "BB"),
        (4, "lowerRoman", "iv"),
        (5, "bullet", ""),
        (9, "unknownFormat", "9"),
    ],
)
def test_format_number(n: int, fmt: str, text: str) -> None:
    assert format_number(n, fmt) == text


def test_core_title_and_strict_namespace_body() -> None:
    doc = read(docx_bytes(p(r("正文")), title="属性标题"), None)
    assert doc.properties == {"page_title": "属性标题"}
    strict = _replace_part(
        docx_bytes(""),
        "word/document.xml",
        (
            '<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body>'
            "<w:p><w:r><w:t>严格</w:t></w:r></w:p></w:body></w:document>"
        ).encode(),
    )
    assert texts(read(strict, None)) == ["严格"]


def _replace_part(data: bytes, name: str, blob: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, blob if info.filename == name else src.read(info.filename))
    return out.getvalue()


# -- hostile and broken input ---------------------------------------------------------------------


def test_corrupt_empty_and_truncated_files() -> None:
    clean = (DOCX / "clean-2021.docx").read_bytes()
    cases = {
        "empty": b"",
        "corrupt": b"PK\x03\x04" + bytes(range(256)) * 8,
        "truncated": clean[: len(clean) // 2],
    }
    for name, data in cases.items():
        doc = read_document(data, f"{name}.docx")
        rule, message = only_note(doc)
        assert rule == "EXT-001", (name, message)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("content.txt", "not a word document")
    rule, message = only_note(read_document(buf.getvalue(), "x.docx"))
    assert rule == "EXT-001" and "word/document.xml" in message
    # a damaged part inside an intact zip
    rule, message = only_note(
        read_document(_replace_part(clean, "word/document.xml", b"<w:document"), "x.docx")
    )
    assert rule == "EXT-001" and "不是合法的 XML" in message


def test_zip_bomb_total_size() -> None:
    buf = io.BytesIO()
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as f:
            for _ in range(300):
                f.write(chunk)
    data = buf.getvalue()
    assert len(data) < 2_000_000
    rule, message = only_note(read_document(data, "bomb.docx"))
    assert rule == "EXT-003" and "压缩炸弹" in message


def test_zip_bomb_ratio_and_entry_count() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<" + bytes(20 << 20))
    rule, message = only_note(read_document(buf.getvalue(), "ratio.docx"))
    assert rule == "EXT-003" and "压缩比" in message
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for i in range(10_001):
            zf.writestr(f"f{i}", b"")
    rule, message = only_note(read_document(buf.getvalue(), "many.docx"))
    assert rule == "EXT-003" and "10001" in message


def test_lying_entry_size_is_caught() -> None:
    """An entry whose header declares a small size but inflates to more is cut off."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<a>" + b"x" * 100_000 + b"</a>")
    data = bytearray(buf.getvalue())
    # patch the uncompressed size in the central directory to 10 bytes
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    doc = read_document(bytes(data), "lie.docx")
    assert doc.blocks == () and doc.notes[0].rule in ("EXT-001", "EXT-003")


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + f']><w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&j;</w:t></w:r></w:p></w:body></w:document>'
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>'
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("xml", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_entity_attacks_refused(xml: str, encoding: str) -> None:
    if encoding == "utf-16":
        xml = xml.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    data = _replace_part(docx_bytes(p(r("x"))), "word/document.xml", xml.encode(encoding))
    doc = read_document(data, "evil.docx")
    rule, message = only_note(doc)
    assert rule == "EXT-001" and "DTD" in message
    assert "root:" not in message


def test_entity_attack_in_other_parts_and_deep_nesting() -> None:
    evil_styles = _replace_part(docx_bytes(p(r("x")), styles=""), "word/styles.xml", XXE.encode())
    assert only_note(read_document(evil_styles, "s.docx"))[0] == "EXT-001"
    deep = "<w:sdt><w:sdtContent>" * 3000 + p(r("x")) + "</w:sdtContent></w:sdt>" * 3000
    rule, message = only_note(read_document(docx_bytes(deep), "deep.docx"))
    assert rule == "EXT-003" and "嵌套层级" in message


def test_hostile_input_through_parse() -> None:
    report = reportparse.parse(b"PK\x03\x04garbage")
    assert [n.rule for n in report.extraction_notes] == ["EXT-001"]


# -- legacy formats through LibreOffice -----------------------------------------------------------


def test_missing_libreoffice_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(soffice.ENV_BINARY, str(tmp_path / "no-such-soffice"))
    doc = read_document((DOCX / "clean-2021.doc").read_bytes(), "report.doc")
    rule, message = only_note(doc)
    assert rule == "EXT-011"
    assert "apt-get install -y libreoffice-writer-nogui" in message
    assert doc.notes[0].data["command"] == "apt-get install -y libreoffice-writer-nogui"


def test_conversion_timeout_kills_the_converter(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "soffice"
    pidfile = tmp_path / "pid"
    fake.write_text(f"#!/bin/sh\necho $$ > {pidfile}\nexec sleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv(soffice.ENV_BINARY, str(fake))
    monkeypatch.setattr(soffice, "TIMEOUT_S", 1)
    rule, message = only_note(read_document(b"{\\rtf1 x}", "slow.rtf"))
    assert rule == "EXT-003" and "已终止" in message
    pid = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_encrypted_office_file() -> None:
    data = OLE_MAGIC + b"\0" * 64 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 64
    rule, _ = only_note(read_document(data, "secret.docx"))
    assert rule == "EXT-002"


@needs_soffice
def test_doc_converted_and_read_like_its_docx() -> None:
    doc = read_document((DOCX / "clean-2021.doc").read_bytes(), "clean-2021.doc")
    original = load("clean-2021.docx")
    assert doc.format == "docx"
    assert doc.properties["converted_from"] == "doc"
    assert [n.code for n in doc.notes] == ["converted"]
    assert texts(doc) == texts(original)
    # LibreOffice may re-cut the column grid (table 四 gains a column); the cells stay the same
    assert [[[c.text for c in row] for row in t.rows()] for t in doc.tables()] == [
        [[c.text for c in row] for row in t.rows()] for t in original.tables()
    ]


@needs_soffice
def test_rtf_converted() -> None:
    rtf = rb"{\rtf1\ansi\uc0 \u19968\u12289\u24635\u20307\u24773\u20917\par}"
    doc = read_document(rtf, None)
    assert texts(doc) == ["一、总体情况"]
    assert doc.properties["converted_from"] == "rtf"


# -- end to end -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*FIXTURE_FILES, DOCX / "clean-2021.doc"], ids=lambda p: p.name)
def test_fixture_parses_to_its_spec(path: Path) -> None:
    if path.suffix == ".doc" and not HAS_SOFFICE:
        pytest.skip("LibreOffice (soffice) is not installed")
    spec = load_spec(path)
    report = reportparse.parse(path)
    assert cell_differences(report, spec) == []
    assert {str(s.number): s.heading for s in report.sections} == spec["headings"]
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert (report.meta.year, report.meta.template) == (spec["year"], spec["version"])
    assert report.meta.title == spec["title"]
    assert report.meta.organization == spec["organization"]
    rules = [n.rule for n in report.extraction_notes if n.rule]
    assert rules == (["EXT-009"] if {"tracked_changes", "comment"} & set(spec["variants"]) else [])


def test_subtotal_row_is_reported_not_counted() -> None:
    report = reportparse.parse(DOCX / "subtotal-row.docx")
    assert report.applications is not None
    assert [m.printed for m in report.applications.extra_rows] == ["小计"]
    findings = reportparse.check(report)
    assert [f.rule for f in findings if "小计" in f.message] == ["TPL-006"]
    assert not [f for f in findings if f.rule.startswith("T3-")]  # the sums still balance


def test_sample_rebuilt_as_docx_parses_like_the_text(sample_path: Path, tmp_path: Path) -> None:
    """The Tika sample's table values, written as a Word file, read back identically."""
    from dataclasses import replace

    text_report = reportparse.parse(sample_path)
    cells = {
        name: {cid: cell.raw for cid, cell in data.cells.items()}
        for name, data in text_report.tables.items()
        if data is not None
    }
    spec = replace(make_spec("sample", "2021", year=2024), cells=cells)
    path = tmp_path / "sample.docx"
    write_docx(spec, path, bookmarks=True, cell_line_breaks=True, auto_numbering=True)
    docx_report = reportparse.parse(path)
    for name, data in text_report.tables.items():
        assert data is not None
        other = docx_report.tables[name]
        assert other is not None
        assert {k: (c.kind, c.value, c.raw) for k, c in other.cells.items()} == {
            k: (c.kind, c.value, c.raw) for k, c in data.cells.items()
        }


@needs_soffice
@pytest.mark.parametrize("name", CORPUS_HTML)
def test_corpus_page_converted_to_docx_matches_truth(corpus: Path, name: str, tmp_path: Path) -> None:
    text = (corpus / name).read_bytes().decode("utf-8")
    if not re.search(r"<meta[^>]+charset", text[:5000], re.IGNORECASE):
        # r013 declares no charset; LibreOffice would take it for Latin-1
        text = '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">' + text
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    out = soffice.convert(src, tmp_path / "out", "docx:MS Word 2007 XML", infilter="HTML (StarWriter)")
    truth = load_truth(corpus, name)
    report = reportparse.parse(out)
    assert truth_differences(report, truth) == []
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert report.meta.year == truth["year"] and report.meta.template == truth["template"]
    shutil.rmtree(tmp_path / "out")
