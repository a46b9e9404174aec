"""`reportparse serve` through Starlette's TestClient: the routes, the upload and its limits,
the overview's filters and sorting, the report page (hostile report text rendered as text), the
review decisions and their survival of a re-run, every download, the token, the Host check and
CSRF. One upload, audited once (worker processes, as the server runs it), serves most tests.
The end-to-end flow in a real browser is tests/test_serve_browser.py."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

pytest.importorskip("starlette")
pytest.importorskip("multipart")
pytest.importorskip("httpx")

from lxml import html as lxml_html

with warnings.catch_warnings():  # Starlette 1.x would rather have httpx2; httpx works the same here
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from helpers import EVIL, EVIL_LABEL, EVIL_NARRATIVE, serve_zip
from reportparse.cli import main
from reportparse.serve import Settings, create_app, startup_problem
from reportparse.serve.jobs import Jobs
from reportparse.serve.security import CSP
from reportparse.serve.settings import is_loopback

TESTSERVER = ("testserver",)


def _settings(data: Path, **kw: Any) -> Settings:
    return Settings(data=data, history=data / "history.sqlite", jobs=2, allowed_hosts=TESTSERVER, **kw)


class Served:
    def __init__(self, data: Path) -> None:
        self.settings = _settings(data)
        self.app = create_app(self.settings)
        self.jobs: Jobs = self.app.state.jobs
        self.client = TestClient(self.app)
        self.client.get("/")
        self.csrf = self.client.cookies["rp_csrf"]
        self.zip, self.expected = serve_zip()
        answer = self.client.post(
            "/upload",
            data={"csrf": self.csrf, "title": "测试批次"},
            files={"files": ("上传.zip", self.zip, "application/zip")},
            headers={"accept": "application/json"},
        )
        assert answer.status_code == 200, answer.text
        self.url = answer.json()["url"]
        self.batch = self.jobs.get(self.url.rsplit("/", 1)[1])
        assert self.batch is not None
        assert self.jobs.wait(self.batch, 120)
        assert self.batch.state == "done", self.batch.error

    def index(self, shown: str) -> int:
        (i,) = [i for i, r in enumerate(self.batch.results) if self.batch.shown(r.path) == shown]  # type: ignore[union-attr]
        return i

    def page(self, path: str) -> Any:
        answer = self.client.get(path)
        assert answer.status_code == 200, answer.text[:500]
        return lxml_html.fromstring(answer.text)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield Served(tmp_path_factory.mktemp("serve"))


HOSTILE = "上传.zip/年报/审计局-2024.txt"
PAIR = "上传.zip/年报/档案局-2024.txt"


def _rows(doc: Any) -> list[tuple[str, ...]]:
    return [
        tuple("".join(td.itertext()).strip() for td in tr.xpath("./td"))
        for tr in doc.xpath('//table[@id="overview"]/tbody/tr')
    ]


# --- upload, storage, overview ---


def test_files_are_stored_under_generated_names(served: Served) -> None:
    batch = served.batch
    assert batch.root == served.settings.data / "batches" / batch.id / "files"
    stored = sorted(p.name for p in batch.root.iterdir())
    assert stored == ["0001.txt", "0002.txt", "0003.txt", "0004.txt", "0005.txt", "0006.docx"]
    assert sorted(batch.names.values()) == sorted(served.expected)
    # the member named ../../逃逸.txt went nowhere near the parent folders
    assert not any(p.name == "逃逸.txt" for p in served.settings.data.rglob("*"))
    assert sorted(batch.upload_skipped) == [
        ("上传.zip/年报/说明.xlsx", "不是报告文件格式"),
        ("上传.zip/年报/附件.zip", "压缩包中的压缩包不展开"),
    ]
    manifest = json.loads((batch.root.parent / "batch.json").read_text(encoding="utf-8"))
    assert manifest["names"] == batch.names and manifest["title"] == "测试批次"


def test_overview_lists_every_report_with_its_status(served: Served) -> None:
    doc = served.page(served.url)
    rows = _rows(doc)
    shown = {r[0]: r[3] for r in rows}
    status_cn = {"ok": "正常", "findings": "有问题", "unreadable": "无法读取"}
    assert shown == {name: status_cn[s] for name, s in served.expected.items()}
    assert doc.xpath('//p[@class="summary"]/text()')[0].startswith(
        "共 6 个文件：正常 2，有问题 3，无法读取 1，超时 0"
    )
    skipped = doc.xpath('//details[@class="skipped"]//li/text()')
    assert skipped == [
        "上传.zip/年报/说明.xlsx：不是报告文件格式",
        "上传.zip/年报/附件.zip：压缩包中的压缩包不展开",
    ]
    progress = served.client.get(served.url + "/progress").json()
    assert progress == {"state": "done", "label": "已完成", "done": 6, "total": 6, "error": ""}


def test_overview_filters_and_sorts(served: Served) -> None:
    url = served.url
    names = [r[0] for r in _rows(served.page(url + "?status=unreadable"))]
    assert names == ["上传.zip/年报/损坏.docx"]
    names = [r[0] for r in _rows(served.page(url + "?rule=T3-001"))]
    assert names == [HOSTILE]
    names = [r[0] for r in _rows(served.page(url + "?year=2023"))]
    assert names == ["上传.zip/年报/档案局-2023.txt"]
    names = [r[0] for r in _rows(served.page(url + "?body=示例市示例区民政局"))]
    assert names == ["上传.zip/年报/民政局-2024.txt"]
    doc = served.page(url + "?sort=errors&desc=1")
    errors = [int(r[4]) for r in _rows(doc)]
    assert errors == sorted(errors, reverse=True) and errors[0] >= 1
    assert doc.xpath('//th[@data-key="errors"]/@aria-sort') == ["descending"]
    assert served.page(url + "?sort=nonsense").xpath("//th[@aria-sort]/@data-key") == ["path"]


# --- the report page ---


def test_hostile_report_text_is_shown_as_text(served: Served) -> None:
    answer = served.client.get(f"{served.url}/report/{served.index(HOSTILE)}")
    text = answer.text
    assert answer.headers["content-security-policy"] == CSP
    assert "'unsafe-inline'" not in CSP.split("script-src", 1)[1].split(";", 1)[0]
    assert EVIL not in text and "<img src=x" not in text
    assert "示例区审计局&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(2)&gt;&lt;a href=&quot;javascript:alert(3)&quot;&gt;" in text
    doc = lxml_html.fromstring(text)
    assert [(s.get("src"), s.text) for s in doc.xpath("//script")] == [("/static/app.js", None)]
    attrs = [
        (el.tag, name)
        for el in doc.iter()
        if isinstance(el.tag, str)
        for name in el.attrib
        if name.startswith("on")
    ]
    assert attrs == []
    assert [h for h in doc.xpath("//@href | //@src | //@action") if "javascript" in h.lower()] == []
    assert doc.xpath("//img") == [] and doc.xpath("//*[@style]") == []
    (title,) = doc.xpath('//table[@class="meta"]//tr[th="标题"]/td/text()')
    assert title == "示例区审计局<script>alert(1)</script>2024年政府信息公开工作年度报告"
    (para,) = [p for p in doc.xpath('//details[@id="s1"]/p/text()') if "onerror" in p]
    assert para.endswith(EVIL_NARRATIVE)


def test_hostile_row_label_is_shown_as_text(served: Served) -> None:
    answer = served.client.get(f"{served.url}/report/{served.index('上传.zip/年报/民政局-2024.txt')}")
    assert "onmouseover=alert(4)>" not in answer.text
    doc = lxml_html.fromstring(answer.text)
    messages = doc.xpath('//li[contains(@class,"finding")]//span[@class="message"]/text()')
    assert f"表三增加了模板没有的行「{EVIL_LABEL}」（未计入任何校验）" in messages
    assert (
        doc.xpath("//i") == []
        and [a for el in doc.iter() if isinstance(el.tag, str) for a in el.attrib if a.startswith("on")] == []
    )


def test_finding_links_to_its_cell_and_back(served: Served) -> None:
    doc = served.page(f"{served.url}/report/{served.index(HOSTILE)}")
    cell_id = "r-c-applications.new_received.natural_person"
    (td,) = doc.xpath(f'//td[@id="{cell_id}"]')
    assert "finding-error" in td.get("class").split()
    marks = td.xpath(".//sup/a/@href")
    assert marks == ["#r-applications-1", "#r-applications-2"]
    (first,) = doc.xpath('//li[@id="r-applications-1"]')
    assert first.xpath('.//a[@class="rule"]/text()') == ["T3-001"]
    assert first.xpath('.//a[@class="rule"]/@href') == ["/rule/T3-001"]
    assert f"#{cell_id}" in first.xpath('.//div[@class="cells"]/a/@href')
    assert first.xpath('.//div[@class="fix"]/text()')[0].startswith("如何修正：")
    assert first.xpath('.//div[@class="values"]/text()')
    # metadata and the three tables
    meta = dict(
        zip(
            doc.xpath('//table[@class="meta"]//th/text()'),
            doc.xpath('//table[@class="meta"]//td/text()'),
            strict=True,
        )
    )
    assert meta["年度"] == "2024" and meta["模板"] == "2021" and meta["格式"] == "text"
    assert doc.xpath("//h2/text()") == [
        "问题一览（2）",
        "表二（主动公开）",
        "表三（依申请公开）",
        "表四（行政复议、行政诉讼）",
        "正文",
    ]
    assert doc.xpath('//ol[@class="toc"]//a/@href') == ["#r-applications-1", "#r-applications-2"]
    assert len(doc.xpath('//table[contains(@class,"grid")]')) == 3
    assert doc.xpath("//details[@class='section']/@id") == ["s1", "s2", "s3", "s4", "s5", "s6"]


def test_unreadable_report_page_and_unknown_pages(served: Served) -> None:
    doc = served.page(f"{served.url}/report/{served.index('上传.zip/年报/损坏.docx')}")
    assert doc.xpath('//li[contains(@class,"finding")]//a[@class="rule"]/text()') == ["EXT-001"]
    assert doc.xpath('//table[contains(@class,"grid")]') == []
    assert served.client.get(f"{served.url}/report/99").status_code == 404
    assert served.client.get("/batch/..%2F..%2Fetc").status_code == 404
    assert served.client.get("/batch/ffffffffffff").status_code == 404
    assert served.client.get(f"{served.url}/download/pickle").status_code == 404


def test_rule_page(served: Served) -> None:
    doc = served.page("/rule/T3-001")
    assert doc.xpath("//article//h1/text()")[0].startswith("T3-001 ")
    assert "如何修正" in doc.xpath("//article//h2/text()")
    assert doc.xpath("//ul/li/a/@href")[-1] == f"{served.url}?rule=T3-001"
    assert served.client.get("/rule/NOPE-1").status_code == 404


# --- decisions ---


def _fps(doc: Any, anchor: str) -> str:
    (fp,) = doc.xpath(f'//li[@id="{anchor}"]/@data-fp')
    return str(fp)


def _decide(served: Served, index: int, **fields: str) -> Any:
    return served.client.post(
        f"{served.url}/report/{index}/decide", data={"csrf": served.csrf, **fields}, follow_redirects=False
    )


def test_decisions_survive_a_rerun_and_reach_the_rectification_list(served: Served) -> None:
    i = served.index(HOSTILE)
    doc = served.page(f"{served.url}/report/{i}")
    t3_001, t3_003 = _fps(doc, "r-applications-1"), _fps(doc, "r-applications-2")
    # refused: no reason to dismiss, no name, a forged form
    answer = _decide(served, i, fp=t3_001, action="dismiss", who="张三", reason=" ")
    assert answer.status_code == 400 and "排除问题须写明理由" in answer.text
    answer = _decide(served, i, fp=t3_001, action="confirm", who="")
    assert answer.status_code == 400 and "请填写决定人" in answer.text
    forged = served.client.post(
        f"{served.url}/report/{i}/decide",
        data={"csrf": "x" * 32, "fp": t3_001, "action": "confirm", "who": "某"},
    )
    assert forged.status_code == 403
    # dismiss one (with a reason), confirm the other
    answer = _decide(
        served,
        i,
        fp=t3_001,
        action="dismiss",
        who="张三",
        reason="数据口径调整，已核实",
        back="r-applications-1",
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{served.url}/report/{i}#r-applications-1"
    assert served.client.cookies["rp_who"] == "%E5%BC%A0%E4%B8%89"
    assert _decide(served, i, fp=t3_003, action="confirm", who="李四", reason="").status_code == 303

    def check_shown() -> None:
        doc = served.page(f"{served.url}/report/{i}")
        (li,) = doc.xpath('//li[@id="r-applications-1"]')
        assert "is-dismissed" in li.get("class")
        assert "".join(li.xpath('.//p[contains(@class,"decision")]//text()')).startswith("已排除（张三，")
        assert "数据口径调整，已核实" in "".join(li.xpath('.//p[contains(@class,"decision")]//text()'))
        (li,) = doc.xpath('//li[@id="r-applications-2"]')
        assert li.xpath('.//p[contains(@class,"decision")]/b/text()') == ["需整改"]
        assert doc.xpath('//input[@name="who"]/@value') == []  # both decided: only undo buttons remain
        row = next(r for r in _rows(served.page(served.url)) if r[0] == HOSTILE)
        assert row[4:] == ("1", "0", "0", "1")  # errors, warnings, info, dismissed: T3-001 no longer counted
        assert "需整改 1" in row[3]

    check_shown()
    # the re-run: the store gives the reports back, the engine applies the decisions
    assert (
        served.client.post(
            served.url + "/rerun", data={"csrf": served.csrf}, follow_redirects=False
        ).status_code
        == 303
    )
    assert served.jobs.wait(served.batch, 120) and served.batch.state == "done" and served.batch.runs == 2
    result = served.batch.results[i]
    assert [f.rule for f, _ in result.dismissed] == ["T3-001"]
    check_shown()
    # the 整改清单: the confirmed finding, as a printable page and a workbook
    answer = served.client.get(served.url + "/rectification")
    assert answer.headers["content-security-policy"].startswith(
        "default-src 'none'; style-src 'unsafe-inline'"
    )
    doc = lxml_html.fromstring(answer.text)
    assert doc.xpath("//h1/text()") == [
        "示例区审计局<script>alert(1)</script> 政府信息公开工作年度报告整改清单"
    ]
    assert [td.xpath("string()") for td in doc.xpath("//tbody/tr/td[2]")] == ["T3-003错误"]
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(io.BytesIO(served.client.get(served.url + "/rectification.xlsx").content))
    rows = list(wb["整改清单"].iter_rows(values_only=True))
    assert [(r[1], r[3], r[4], r[9]) for r in rows[1:]] == [
        ("示例区审计局<script>alert(1)</script>", HOSTILE, "T3-003", "李四")
    ]
    # undo gives the finding back
    assert _decide(served, i, fp=t3_001, action="undo").status_code == 303
    assert _decide(served, i, fp=t3_003, action="undo").status_code == 303
    row = next(r for r in _rows(served.page(served.url)) if r[0] == HOSTILE)
    assert row[4:] == ("2", "0", "0", "0")


# --- downloads ---


def test_every_batch_format_downloads_with_the_names_people_know(served: Served) -> None:
    names = sorted(served.expected)
    data = {}
    for fmt in ("xlsx", "csv", "json", "sarif", "html"):
        answer = served.client.get(f"{served.url}/download/{fmt}")
        assert answer.status_code == 200
        assert answer.headers["content-disposition"].startswith(f'attachment; filename="download.{fmt}"')
        data[fmt] = answer.content
    doc = json.loads(data["json"])
    assert sorted(f["path"] for f in doc["files"]) == names
    statuses = {f["path"]: f["status"] for f in doc["files"]}
    assert statuses == served.expected
    sarif = json.loads(data["sarif"])
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]
    }
    assert uris == {quote(n) for n, s in served.expected.items() if s != "ok"}
    rows = list(csv.DictReader(io.StringIO(data["csv"].decode("utf-8-sig"))))
    assert {r["file"] for r in rows} <= set(names) and HOSTILE in {r["file"] for r in rows}
    assert b'<meta name="generator" content="reportparse' in data["html"]
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(io.BytesIO(data["xlsx"]))
    first = wb.worksheets[0]
    files = {row[0] for row in first.iter_rows(min_row=2, values_only=True)}
    assert files == set(names)


# --- safety ---


def test_security_headers_and_csrf_cookie(served: Served) -> None:
    answer = served.client.get("/")
    assert answer.headers["content-security-policy"] == CSP
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    doc = lxml_html.fromstring(answer.text)
    assert doc.xpath('//form[@id="upload"]/input[@name="csrf"]/@value') == [served.csrf]
    static = served.client.get("/static/app.js")
    assert static.status_code == 200 and static.headers["content-security-policy"] == CSP


def test_uploads_refused(served: Served, tmp_path: Path) -> None:
    before = sorted(p.name for p in (served.settings.data / "batches").iterdir())
    no_csrf = served.client.post("/upload", files={"files": ("a.txt", b"x", "text/plain")})
    assert no_csrf.status_code == 403
    other_site = served.client.post(
        "/upload",
        data={"csrf": served.csrf},
        files={"files": ("a.txt", b"x", "text/plain")},
        headers={"origin": "http://evil.example"},
    )
    assert other_site.status_code == 403 and other_site.text == "拒绝来自其他网站的提交"
    nothing = served.client.post(
        "/upload", data={"csrf": served.csrf}, files={"files": ("表.xlsx", b"PK", "application/octet-stream")},
        headers={"accept": "application/json"},
    )  # fmt: skip
    assert nothing.status_code == 400
    assert nothing.json() == {
        "error": "没有可检查的报告文件（表.xlsx：不是报告文件格式（可上传 DOCX、PDF、HTML、TXT 等文件或 ZIP 压缩包））"
    }
    broken = served.client.post(
        "/upload", data={"csrf": served.csrf}, files={"files": ("a.zip", b"not a zip", "application/zip")},
        headers={"accept": "application/json"},
    )  # fmt: skip
    assert broken.json() == {"error": "「a.zip」不是有效的 ZIP 压缩包（结构损坏或文件被截断）"}
    # limits: a small server
    small = replace(_settings(tmp_path), max_upload_mb=0.05)
    client = TestClient(create_app(small))
    client.get("/")
    big = client.post(
        "/upload", data={"csrf": client.cookies["rp_csrf"]}, files={"files": ("大.txt", b"x" * 80_000, "text/plain")},
        headers={"accept": "application/json"},
    )  # fmt: skip
    assert big.status_code == 413 and big.json() == {"error": "上传的文件合计超过上限 0.05 MB"}
    bigger = client.post(
        "/upload", data={"csrf": client.cookies["rp_csrf"]}, files={"files": ("大.txt", b"x" * 200_000, "text/plain")},
        headers={"accept": "application/json"},
    )  # fmt: skip
    assert bigger.status_code == 413 and bigger.json() == {"error": "上传内容超过上限 0.05 MB"}
    assert list((tmp_path / "batches").iterdir()) == []
    after = sorted(p.name for p in (served.settings.data / "batches").iterdir())
    assert after == before  # nothing left behind by the refused uploads


def test_token_and_host(tmp_path: Path) -> None:
    token = "令牌-0123456789abc"
    client = TestClient(create_app(_settings(tmp_path, token=token)))
    assert client.get("/").status_code == 401
    assert client.get("/?token=wrong-wrong-wrong").status_code == 401
    first = client.get("/rule/T3-001", params={"token": token, "x": "1"}, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/rule/T3-001?x=1"
    digest = hashlib.sha256(f"reportparse:{token}".encode()).hexdigest()
    assert first.headers["set-cookie"] == f"rp_token={digest}; Path=/; HttpOnly; SameSite=Strict"
    assert client.get("/").status_code == 200  # the cookie from now on
    assert client.post("/upload").status_code == 403  # and still CSRF on a POST
    other = TestClient(create_app(_settings(tmp_path / "x")))
    assert other.get("/", headers={"host": "evil.example"}).status_code == 400
    assert Settings(tmp_path, tmp_path / "h", port=8000).hosts() == (
        "127.0.0.1", "127.0.0.1:8000", "[::1]", "[::1]:8000", "localhost", "localhost:8000",
    )  # fmt: skip
    assert Settings(tmp_path, tmp_path / "h", host="0.0.0.0", token=token).hosts() is None


def test_startup_refuses_what_is_unsafe(tmp_path: Path) -> None:
    base = Settings(tmp_path, tmp_path / "h.sqlite")
    assert startup_problem(base) is None
    assert startup_problem(replace(base, host="0.0.0.0")) == (
        "监听地址 0.0.0.0 不是本机地址：其他电脑也能访问，必须用 --token 设置访问令牌（至少 12 个字符）"
    )
    assert startup_problem(replace(base, host="0.0.0.0", token="abcdefghijkl")) is None
    assert startup_problem(replace(base, token="short")) == "访问令牌太短：至少 12 个字符"
    assert (
        startup_problem(replace(base, folder=tmp_path / "none"))
        == f"要审核的文件夹不存在或不是文件夹：{tmp_path / 'none'}"
    )
    assert [is_loopback(h) for h in ("127.0.0.1", "::1", "[::1]", "localhost", "0.0.0.0", "192.168.1.2")] == [
        True, True, True, True, False, False,
    ]  # fmt: skip


def test_cli_exits_2_with_a_chinese_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--data", str(tmp_path)]) == 2
    assert "必须用 --token 设置访问令牌" in capsys.readouterr().err
    assert main(["serve", str(tmp_path / "none"), "--data", str(tmp_path)]) == 2
    assert "要审核的文件夹不存在或不是文件夹" in capsys.readouterr().err
    (tmp_path / "bad.sqlite").write_bytes(b"not a database" * 100)
    assert main(["serve", "--data", str(tmp_path), "--history", str(tmp_path / "bad.sqlite")]) == 2
    assert capsys.readouterr().err.startswith("reportparse serve：")
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name, *a)
    )
    assert main(["serve", "--data", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "reportparse serve：缺少可选组件 uvicorn。请先安装：pip install 'reportparse[serve]'\n"
    )


def test_batches_are_listed_again_after_a_restart(served: Served) -> None:
    again = Jobs(served.settings)
    batch = again.get(served.batch.id)
    assert batch is not None and batch.state == "new" and batch.names == served.batch.names
    assert batch.title == "测试批次" and batch.root == served.batch.root
    assert again.get("../x") is None


def test_report_grids_hook_of_the_html_page(served: Served) -> None:
    """render/html_out.report_grids: the tables as the batch page prints them, for a page that
    lists the findings its own way."""
    from reportparse.render.html_out import cell_anchor, report_grids
    from reportparse.serve.views import all_findings

    result = served.batch.results[served.index(HOSTILE)]
    report = result.report
    assert report is not None
    grids = report_grids(report, sorted(all_findings(result), key=lambda f: f.rule), "p")
    assert [name for name, _, _ in grids] == ["active_disclosure", "applications", "review_litigation"]
    assert all(html is not None and html.startswith('<table class="grid') for _, html, _ in grids)
    numbered = dict((name, [f.rule for f in found]) for name, _, found in grids)
    assert numbered == {
        "active_disclosure": [],
        "applications": ["T3-001", "T3-003"],
        "review_litigation": [],
    }
    anchor = cell_anchor("p", "applications.new_received.natural_person")
    assert anchor == "p-c-applications.new_received.natural_person"
    assert f'id="{anchor}"' in grids[1][1]  # type: ignore[operator]
    assert '<a href="#p-applications-1">[1]</a>' in grids[1][1]  # type: ignore[operator]


def test_hostile_zips_are_unpacked_with_care(tmp_path: Path) -> None:
    import zipfile

    from reportparse.serve.uploads import Saved

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("炸弹.txt", b"\0" * (3 << 20))  # 3 MB of zeros: a ratio of about 1000:1
        link = zipfile.ZipInfo("链接.txt")
        link.external_attr = 0o120777 << 16
        z.writestr(link, "/etc/passwd")
        z.writestr("加密.txt", b"x")
        z.writestr("/绝对/路径.txt", "示例")
        z.writestr("C:\\盘符\\报告.txt", "示例")
    raw = bytearray(data.getvalue())  # zipfile writes no encrypted member: set the flag by hand
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        size = int.from_bytes(raw[at + 28 : at + 30], "little")
        if raw[at + 46 : at + 46 + size] == "加密.txt".encode():
            raw[at + 8] |= 0x1
        at = raw.find(b"PK\x01\x02", at + 4)
    folder = tmp_path / "files"
    folder.mkdir()
    saved = Saved(folder, _settings(tmp_path))
    saved.add("包.zip", io.BytesIO(bytes(raw)))
    (bomb, why), *rest = saved.skipped
    assert bomb == "包.zip/炸弹.txt" and re.fullmatch(r"压缩比 (\d+):1 异常（疑似压缩炸弹），拒绝解压", why)
    assert rest == [("包.zip/链接.txt", "是符号链接，不展开"), ("包.zip/加密.txt", "已加密，无法读取")]
    assert saved.names == {"0001.txt": "包.zip/绝对/路径.txt", "0002.txt": "包.zip/盘符/报告.txt"}
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["0001.txt", "0002.txt"]
    # a member bigger than `check` reads is not unpacked
    small = replace(_settings(tmp_path), max_upload_mb=10)
    with zipfile.ZipFile(data := io.BytesIO(), "w", zipfile.ZIP_STORED) as z:
        z.writestr("大.txt", b"x" * 20_000)
    from reportparse.limits import Limits, set_limits

    set_limits(Limits(max_file_mb=0.01))
    try:
        saved = Saved(folder, small)
        saved.add("大.zip", io.BytesIO(data.getvalue()))
    finally:
        set_limits(None)
    assert (
        saved.skipped == [("大.zip/大.txt", "解压后 0.02 MB，超过单个文件上限 0.01 MB")] and saved.names == {}
    )


def test_a_folder_on_disk_is_a_batch(tmp_path: Path) -> None:
    from generator import text_writer

    from helpers import warned_spec

    folder = tmp_path / "年报"
    (folder / "区县").mkdir(parents=True)
    (folder / "区县" / "民政局.txt").write_text(text_writer.tika(warned_spec()), encoding="utf-8")
    (folder / "说明.txt").write_text("会议记录，与年报无关。\n", encoding="utf-8")
    app = create_app(_settings(tmp_path / "data", folder=folder))
    jobs: Jobs = app.state.jobs
    client = TestClient(app)
    assert client.get("/batch/folder").status_code == 200  # listed; opening it starts the run
    batch = jobs.get("folder")
    assert batch is not None and jobs.wait(batch, 120) and batch.state == "done", batch.error  # type: ignore[union-attr]
    doc = lxml_html.fromstring(client.get("/batch/folder").text)
    assert [r[0] for r in _rows(doc)] == ["区县/民政局.txt"]
    assert doc.xpath("//h1/text()") == ["年报"]
    assert not (tmp_path / "data" / "batches" / "folder").exists()  # nothing copied


def test_an_upload_without_a_report_fails_with_the_reason(served: Served) -> None:
    answer = served.client.post(
        "/upload",
        data={"csrf": served.csrf, "title": "会议记录"},
        files={"files": ("记录.txt", "本周会议记录：讨论办公用品采购。\n".encode(), "text/plain")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    batch = served.jobs.get(answer.headers["location"].rsplit("/", 1)[1])
    assert batch is not None and served.jobs.wait(batch, 60)
    assert batch.state == "failed"
    assert batch.error == "未找到要检查的报告文件（跳过 1 个内容不像年度报告的文件）"
    doc = served.page(answer.headers["location"])
    assert doc.xpath('//div[@id="state"]/@data-state') == ["failed"]
    assert doc.xpath('//p[@class="error"]/text()') == [batch.error]
    assert doc.xpath('//button[@id="rerun"]')  # it can be tried again


def test_a_store_that_cannot_be_used_is_said_on_the_page(tmp_path: Path) -> None:
    from reportparse.serve.jobs import Batch

    settings = _settings(tmp_path)
    app = create_app(settings)
    jobs: Jobs = app.state.jobs
    jobs.batches["0123456789ab"] = Batch("0123456789ab", "旧批次", tmp_path, "", upload=True, state="done")
    (tmp_path / "history.sqlite").write_bytes(b"not a database" * 100)
    answer = TestClient(app).get("/batch/0123456789ab")
    assert answer.status_code == 503
    doc = lxml_html.fromstring(answer.text)
    assert doc.xpath("//title/text()") == ["历史库无法使用 · reportparse"]
    assert doc.xpath('//p[@class="notice"]/text()') == [
        f"历史库文件已损坏或不是 reportparse 历史库：{tmp_path / 'history.sqlite'}（file is not a database）"
    ]
