"""Hardening: nothing crashes a batch, nothing unreadable passes, nothing fetched, nothing left
running, nothing half-written (docs/robustness.md). Every input is made here, by the test."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
import pytest
from generator import text_writer
from generator.spec import make_spec

import reportparse
from conftest import FIXTURES
from helpers import exhausting
from reportparse.cli import main
from reportparse.limits import Limits, set_limits
from reportparse.readers import soffice
from reportparse.rules import load_rules

SAMPLE = (FIXTURES / "text" / "sample-2021.tika.txt").read_bytes()
MESSY = (FIXTURES / "text" / "messy-2021.tika.txt").read_bytes()  # two warnings: every format lists it
needs_soffice = pytest.mark.skipif(soffice.launcher() is None, reason="LibreOffice is not installed")
RUN = [sys.executable, "-m", "reportparse.cli"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def make(path: bytes | Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


# --- 1. file names that are not UTF-8 -----------------------------------------------------


@pytest.mark.parametrize(
    "fmt", ["text", "json", "jsonl", "csv", "cells", "sarif", "junit", "github", "html", "xlsx"]
)
def test_non_utf8_file_names_in_every_format(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = os.fsencode(tmp_path)
    make(folder + b"/\xb1\xa8\xb8\xe6.txt", MESSY)  # 报告.txt in GBK, as unzipped from a Windows archive
    make(folder + b"/bad\xff.txt", MESSY)  # bytes that are no encoding at all
    out = tmp_path.parent / f"{tmp_path.name}.{fmt}"
    code, _, err = run(capsys, "check", str(tmp_path), "--format", fmt, "-o", str(out), "-j", "1")
    assert code == 0, err
    data = out.read_bytes()
    if fmt == "xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            data = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
    text = urllib.parse.unquote(data.decode("utf-8"))  # valid UTF-8 throughout (SARIF: URIs)
    assert "报告.txt" in text
    assert "bad\\xff.txt" in text.replace("\\\\", "\\")  # as written, or escaped once more (JSON)


def test_terminal_escapes_in_names_are_shown_not_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a\x1b[31mred.txt").write_bytes(MESSY)
    code, out, _ = run(capsys, "check", str(tmp_path), "-j", "1")
    assert code == 0 and "\x1b" not in out and "a\\x1b[31mred.txt" in out
    result = reportparse.audit([tmp_path], jobs=1).collect()[0]
    assert result.path.endswith("a\\x1b[31mred.txt")


# --- 2. nothing unreadable passes ---------------------------------------------------------

CYCLIC_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def _empty_docx(path: Path) -> None:
    docx.Document().save(str(path))


def test_every_unreadable_file_has_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf")
    (tmp_path / "blank.html").write_bytes(b"<html><body>  <p> </p> </body></html>")
    _empty_docx(tmp_path / "empty.docx")
    (tmp_path / "cyclic.pdf").write_bytes(CYCLIC_PDF)
    code, out, _err = run(capsys, "check", str(tmp_path), "--format", "json", "-j", "1")
    assert code == 1
    doc = json.loads(out)
    got = {
        Path(f["path"]).name: (f["status"], [(x["rule"], x["severity"]) for x in f["findings"]])
        for f in doc["files"]
    }
    assert got == {
        "blank.html": ("unreadable", [("EXT-001", "error")]),
        "bom.txt": ("unreadable", [("EXT-001", "error")]),
        "cyclic.pdf": ("unreadable", [("EXT-001", "error")]),
        "empty.docx": ("unreadable", [("EXT-001", "error")]),
    }
    messages = {Path(f["path"]).name: f["findings"][0]["message"] for f in doc["files"]}
    assert messages["bom.txt"] == "文本文件中没有任何文字（只有空白或字节顺序标记）"
    assert messages["empty.docx"] == "文档正文为空，没有任何段落或表格"
    code, out, _ = run(capsys, "check", str(tmp_path), "-j", "1")
    assert code == 1 and "未发现问题" not in out
    code, out, _ = run(capsys, "check", str(tmp_path), "--format", "junit", "-j", "1")
    assert out.count("<failure") == 4


# --- 3. conversions never touch the network -----------------------------------------------


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it gets."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> int:
        time.sleep(1)  # a late request still counts
        self._stop.set()
        self._thread.join()
        self.sock.close()
        return self.connections


@pytest.fixture
def listener() -> Iterator[Listener]:
    lis = Listener()
    yield lis
    lis.close()


def linked_odt(port: int) -> bytes:
    """An ODT that links an image, a section and an object by URL (LibreOffice fetched them)."""
    url = f"http://127.0.0.1:{port}"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2">'
        "<office:body><office:text><text:p>某局2024年政府信息公开工作年度报告</text:p>"
        f'<text:p><draw:frame draw:name="i" svg:width="2cm" svg:height="2cm"><draw:image xlink:href="{url}/a.png" '
        'xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>'
        f'<text:section text:name="s"><text:section-source xlink:href="{url}/b.odt" xlink:type="simple"/>'
        f'</text:section><text:p><draw:frame draw:name="o"><draw:object xlink:href="{url}/c.odg" '
        'xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>'
        "</office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


@needs_soffice
def test_conversion_sends_no_request(tmp_path: Path, listener: Listener) -> None:
    data = linked_odt(listener.port)
    for name in ("linked.odt", "linked-odt.docx", "linked-odt.txt"):  # whatever the name says
        (tmp_path / name).write_bytes(data)
    results = reportparse.audit([tmp_path], jobs=1).collect()
    assert [r.report.source.format if r.report else None for r in results] == ["docx", "docx", "docx"]
    assert listener.close() == 0


@needs_soffice
def test_the_profile_alone_keeps_conversion_offline(
    tmp_path: Path, listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the network namespace (not every system allows one), the private profile's
    settings still keep LibreOffice from fetching anything."""
    monkeypatch.setattr(soffice, "_offline_prefix", lambda: ())
    src = tmp_path / "linked.odt"
    src.write_bytes(linked_odt(listener.port))
    soffice.convert(src, tmp_path / "out", "docx")
    assert (tmp_path / "out" / "linked.docx").stat().st_size > 0
    assert listener.close() == 0


# --- 4. small files, bounded memory -------------------------------------------------------


def span_bomb() -> bytes:
    row = "<tr>" + '<td rowspan="65534" colspan="1000">1</td>' * 5 + "</tr>"
    return f"<html><body><p>某局2024年政府信息公开工作年度报告</p><table>{row * 3000}</table></body></html>".encode()


def xml_bomb() -> bytes:
    """A 0.4 MB DOCX whose document.xml is 190 MB."""
    body = "<w:p><w:r><w:t>" + "x" * 1000 + "</w:t></w:r></w:p>"
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document '
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + body * (190_000_000 // len(body))
        + "</w:body></w:document>"
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", xml)
    return buf.getvalue()


def inflate_bomb() -> bytes:
    """A 1 MB PDF whose page content stream inflates to 1 GiB."""
    deflate = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    stream = b"".join(deflate.compress(chunk) for _ in range(1024)) + deflate.flush()
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
        + b"4 0 obj << /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


PEAK = """
import json, resource, sys, reportparse
r = reportparse.parse(sys.argv[1])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps([peak, [(n.rule, n.message) for n in r.extraction_notes if n.rule]]))
"""


@pytest.mark.parametrize(
    ("name", "make_input", "rule", "words"),
    [
        ("spans.html", span_bomb, None, None),
        ("xml.docx", xml_bomb, "EXT-003", "（疑似压缩炸弹），拒绝解压"),
        ("inflate.pdf", inflate_bomb, "EXT-003", "PDF 的压缩数据解压后超过 256 MB（疑似压缩炸弹）"),
    ],
)
def test_small_files_stay_within_memory(
    tmp_path: Path, name: str, make_input: Any, rule: str | None, words: str | None
) -> None:
    path = tmp_path / name
    path.write_bytes(make_input())
    done = subprocess.run([sys.executable, "-c", PEAK, str(path)], capture_output=True, text=True, check=True)
    peak, notes = json.loads(done.stdout)
    assert peak < 1 << 30, f"peak {peak >> 20} MB"
    if rule is not None:
        assert [r for r, _ in notes] == [rule] and words in notes[0][1]


def test_an_xml_part_over_the_parse_limit_is_not_parsed() -> None:
    data = (FIXTURES / "docx" / "clean-2021.docx").read_bytes()  # document.xml: 45,473 bytes
    set_limits(Limits(max_xml_mb=0.04))
    try:
        notes = [(n.rule, n.message) for n in reportparse.parse(data).extraction_notes if n.rule]
    finally:
        set_limits(None)
    assert notes == [
        (
            "EXT-003",
            "DOCX 部件 word/document.xml 解压后 0 MB，超过 XML 解析上限 0.04 MB（可用环境变量 REPORTPARSE_MAX_XML_MB 调整）",
        )
    ]


def test_dev_zero_and_a_pipe_are_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    code, out, _ = run(capsys, "check", "/dev/zero", str(fifo), "--format", "json", "-j", "1")
    assert code == 1
    got = {
        f["path"]: (f["status"], [(x["rule"], x["message"]) for x in f["findings"]])
        for f in json.loads(out)["files"]
    }
    not_regular = [("EXT-001", "这不是普通文件（是设备、管道或套接字），未读取")]
    assert got == {"/dev/zero": ("unreadable", not_regular), str(fifo): ("unreadable", not_regular)}
    code, _, _err = run(capsys, "parse", "/dev/zero")
    assert code == 1


def test_a_file_that_exhausts_memory_gets_ext003(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_bytes(SAMPLE)
    (result,) = reportparse.audit([tmp_path], jobs=2, process=exhausting).collect()
    assert result.status == "unreadable"
    assert [(f.rule, f.severity, f.message) for f in result.findings] == [
        (
            "EXT-003",
            "error",
            "处理此文件时内存不足（每个进程上限 4096 MB，可用环境变量 REPORTPARSE_MAX_WORKER_MEMORY_MB 调整）",
        )
    ]


def test_workers_run_under_the_memory_cap(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_bytes(SAMPLE)
    script = (
        "import sys; sys.path[:0] = sys.argv[2:]\n"
        "import reportparse\nfrom helpers import address_space\n"
        "print(reportparse.audit([sys.argv[1]], jobs=2, process=address_space).collect()[0].findings[0].message)\n"
    )
    env = {**os.environ, "REPORTPARSE_MAX_WORKER_MEMORY_MB": "700"}
    tests = str(Path(__file__).parent)
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), tests, str(FIXTURES)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert done.stdout.strip() == str(700 * 1024 * 1024)


# --- 5, 6. nothing left running ------------------------------------------------------------


def _ours(marker: str) -> list[int]:
    """Processes whose command line mentions `marker` (a folder of this test)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline and int(pid) != os.getpid():
            found.append(int(pid))
    return found


def _gone_within(marker: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _ours(marker):
            return True
        time.sleep(0.2)
    return not _ours(marker)


@needs_soffice
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_conversions_die_with_their_timed_out_worker(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for k in range(2):
        (folder / f"slow{k}.doc").write_bytes((FIXTURES / "docx" / "clean-2021.doc").read_bytes())
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    done = subprocess.run(
        [*RUN, "check", str(folder), "-j", "2", "--timeout", "0.5", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 1
    assert [f["status"] for f in json.loads(done.stdout)["files"]] == ["timeout", "timeout"]
    assert _gone_within(str(scratch), 5)  # no LibreOffice left converting
    assert list(scratch.iterdir()) == []  # and no temporary folder left behind


def _many(folder: Path, n: int = 60) -> None:
    folder.mkdir()
    pdf = (FIXTURES / "pdf" / "clean-2021.pdf").read_bytes()
    for k in range(n):
        (folder / f"r{k:02d}.pdf").write_bytes(pdf)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_workers_die_with_their_parent(tmp_path: Path, sig: signal.Signals) -> None:
    folder = tmp_path / f"batch-{sig.name}"
    _many(folder)
    proc = subprocess.Popen(
        [*RUN, "check", str(folder), "-j", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while len(_ours(str(folder))) < 3 and time.monotonic() < deadline:  # the parent and two workers
        time.sleep(0.05)
    proc.send_signal(sig)
    _out, _ = proc.communicate(timeout=10)  # the pipe closes: no worker holds it open
    assert proc.returncode == (2 if sig == signal.SIGTERM else -signal.SIGKILL)
    assert _gone_within(str(folder), 5)


# --- 7. -o written whole or not at all ------------------------------------------------------


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_output_is_replaced_whole_or_not_at_all(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    failure: BaseException,
) -> None:
    (tmp_path / "r.txt").write_bytes(SAMPLE)
    out = tmp_path / "out" / "report.json"
    out.parent.mkdir()
    out.write_text('{"previous": "good"}', encoding="utf-8")

    def fail(fd: int) -> None:
        raise failure

    monkeypatch.setattr(os, "fsync", fail)
    code, _, _err = run(
        capsys, "check", str(tmp_path / "r.txt"), "--format", "json", "-o", str(out), "-j", "1"
    )
    assert code == 2
    assert out.read_text(encoding="utf-8") == '{"previous": "good"}'
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.json"]  # no temporary file left


@pytest.mark.parametrize("command", ["check", "parse"])
def test_output_path_checked_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    src = tmp_path / "r.txt"
    src.write_bytes(SAMPLE)
    cases = {
        str(tmp_path / "no" / "x.json"): f"输出文件所在的文件夹不存在：{tmp_path / 'no'}",
        str(tmp_path): f"输出路径是一个文件夹：{tmp_path}",
    }
    for target, message in cases.items():
        code, out, err = run(capsys, command, str(src), "-o", target)
        assert (code, out, err) == (2, "", f"reportparse {command}：{message}\n")


# --- 8. every rule is linear in the length of the text --------------------------------------

RUNS = {
    "digits": "1" * 200_000,
    "spaces": " " * 200_000,
    "brackets": "（" * 200_000,
    "cjk": "年" * 200_000,
    "numerals": "一" * 200_000,
    "totals": "共12条，其中" * 25_000,
}


@pytest.mark.parametrize("kind", sorted(RUNS))
def test_rules_on_long_runs(kind: str) -> None:
    """A 200,000-character run in every section: each rule finishes (a quadratic pattern took
    minutes on a 40,000-digit run; the alarm is a hang guard, not a speed measurement)."""
    base = reportparse.parse(SAMPLE)
    text = RUNS[kind]
    report = replace(base, sections=tuple(replace(s, text=text) for s in base.sections), preamble=text)
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(120)
    try:
        for rule in load_rules().values():
            if rule.check is not None:
                list(rule.check(report))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _hang(signum: int, frame: Any) -> None:
    raise TimeoutError("a rule did not finish on a long run")


# --- 9. CSV cannot run formulas -------------------------------------------------------------


def test_csv_fields_cannot_be_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "=HYPERLINK(1).txt").write_bytes(MESSY)  # two findings
    (tmp_path / "+2019.txt").write_text(text_writer.tika(make_spec("x", "2019", seed=19)), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # paths shown relative: they start with = and +
    _, out, _ = run(capsys, "check", ".", "--format", "csv", "-j", "1")
    assert {row["file"] for row in csv.DictReader(io.StringIO(out.lstrip("\ufeff")))} == {
        "'=HYPERLINK(1).txt"
    }
    _, out, _ = run(capsys, "check", ".", "--format", "cells", "-j", "1")
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert {r["file"] for r in rows} == {"'=HYPERLINK(1).txt", "'+2019.txt"}
    negative = [r for r in rows if r["column_id"] == "change" and r["raw"].startswith("-")]
    assert negative  # a negative 本年增/减 stays a number a spreadsheet can sum
    assert all(r["value"] == r["raw"] for r in negative)


# --- 10. nothing silently left out ----------------------------------------------------------


def test_skipped_paths_are_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "r.txt").write_bytes(SAMPLE)
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:  # as an unreadable folder behaves (root reads every folder)
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    _, out, _ = run(capsys, "check", str(tmp_path), "--format", "json", "-j", "1")
    doc = json.loads(out)
    assert [Path(f["path"]).name for f in doc["files"]] == ["r.txt"]
    assert doc["skipped"] == [
        {"path": str(tmp_path / "gone.txt"), "reason": "链接指向的文件不存在"},
        {"path": str(locked), "reason": "无法读取此文件夹（没有权限）"},
        {"path": str(tmp_path / "pipe.txt"), "reason": "不是普通文件"},
    ]
    _code, out, _err = run(capsys, "check", str(tmp_path), "-j", "1")
    assert out.splitlines()[-4:] == [
        "跳过 3 个未检查的路径：",
        f"  {(tmp_path / 'gone.txt').as_posix()}（链接指向的文件不存在）",
        f"  {locked.as_posix()}（无法读取此文件夹（没有权限））",
        f"  {(tmp_path / 'pipe.txt').as_posix()}（不是普通文件）",
    ]


def test_parse_and_check_agree_on_bad_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.docx"
    assert run(capsys, "parse", str(missing)) == (2, "", f"reportparse parse：路径不存在：{missing}\n")
    assert run(capsys, "check", str(missing)) == (2, "", f"reportparse check：路径不存在：{missing}\n")
