"""Hostile and broken inputs in one batch: each ends with the right finding within its limit.

Zip bomb, billion-laughs and XXE documents, an encrypted PDF, a 2,000-page PDF and a 50 MB HTML
page go through `reportparse.audit` together with one good report, which keeps its findings.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from generator.make_pdf import Canvas, encrypted_pdf

import reportparse
from conftest import FIXTURES

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CT = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/></Types>'
)


def docx_with(document_xml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("word/document.xml", document_xml)
    return buf.getvalue()


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", CT)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            for _ in range(300):
                f.write(chunk)
    return buf.getvalue()


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
    b'<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
    b'<w:document xmlns:w="'
    + W.encode()
    + b'"><w:body><w:p><w:r><w:t>&h;</w:t></w:r></w:p></w:body></w:document>'
)
XXE_DOC = (
    b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<w:document xmlns:w="'
    + W.encode()
    + b'"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>'
)
XXE_HTML = (
    b'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<html><head><meta charset="utf-8"></head><body><p>&x;</p></body></html>'
)


def many_pages(n: int) -> bytes:
    canvas = Canvas()
    for i in range(n):
        canvas.page().text(72, 72, f"第 {i + 1} 页")
    return canvas.pdf()


def big_html(megabytes: int) -> bytes:
    row = "<tr><td>行政许可</td><td>1</td><td>2</td><td>3</td></tr>"
    rows = row * (megabytes * 1024 * 1024 // len(row.encode()))
    return (
        "<html><head><meta charset='utf-8'></head><body><h1>某局2024年政府信息公开工作年度报告</h1>"
        f"<p>一、总体情况</p><table>{rows}</table></body></html>"
    ).encode()


def test_hostile_batch(tmp_path: Path) -> None:
    files = {
        "bomb.docx": zip_bomb(),
        "laughs.docx": docx_with(LAUGHS),
        "xxe.docx": docx_with(XXE_DOC),
        "xxe.html": XXE_HTML,
        "encrypted.pdf": encrypted_pdf(),
        "pages-2000.pdf": many_pages(2000),
        "big.html": big_html(50),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    good = tmp_path / "good.tika.txt"
    good.write_bytes((FIXTURES / "text" / "messy-2021.tika.txt").read_bytes())
    # xxe.html has no report in it: named, so that it is read (found in a folder, it is skipped)
    found = reportparse.audit([tmp_path, tmp_path / "xxe.html"], jobs=2, timeout=20)
    results = {Path(r.path).name: r for r in found}
    rules = {name: [f.rule for f in r.findings] for name, r in results.items()}
    assert results["bomb.docx"].status == "unreadable" and rules["bomb.docx"] == ["EXT-003"]
    assert "压缩炸弹" in results["bomb.docx"].findings[0].message
    assert results["laughs.docx"].status == "unreadable" and rules["laughs.docx"] == ["EXT-001"]
    assert results["xxe.docx"].status == "unreadable" and rules["xxe.docx"] == ["EXT-001"]
    # an HTML page never resolves entities: nothing from /etc/passwd, and no report on it
    assert rules["xxe.html"] == ["EXT-004"]
    assert results["xxe.html"].report is not None
    assert "root:" not in "".join(s.text for s in results["xxe.html"].report.sections)
    assert results["encrypted.pdf"].status == "unreadable" and rules["encrypted.pdf"] == ["EXT-002"]
    assert "EXT-003" in rules["pages-2000.pdf"]
    assert any("超过 300 页的处理上限" in f.message for f in results["pages-2000.pdf"].findings)
    # 50 MB of table rows: parsing would take minutes, the per-file limit ends it
    assert results["big.html"].status == "timeout" and rules["big.html"] == ["EXT-003"]
    # the good report beside them keeps exactly its own findings
    assert results["good.tika.txt"].status == "findings"
    assert rules["good.tika.txt"] == ["STR-002", "STR-005"]


def test_zip_needing_a_newer_zip_version_is_unreadable_not_a_crash() -> None:
    data = bytearray((FIXTURES / "docx" / "clean-2021.docx").read_bytes())
    at = data.find(b"PK\x01\x02")
    data[at + 6 : at + 8] = (249).to_bytes(2, "little")  # "version needed to extract": 24.9
    r = reportparse.parse(bytes(data), path="future.docx")
    assert [(n.rule, n.severity) for n in r.extraction_notes] == [("EXT-001", "error")]
