"""`reportparse serve` end to end in a real browser: uvicorn in a subprocess, Debian's Chromium
headless driven by Playwright (its `executable_path` set to the system browser: nothing is
downloaded, it works offline). Drop a zip of generated reports on the upload box → the overview
shows the progress, then the results → open the report whose text is hostile (it stays text, no
script runs) → finding to cell and back → dismiss a finding with a reason → re-run the batch →
the decision is still there → download the workbook and read it with openpyxl.

Skipped when the `serve` extra, Playwright or Chromium is missing."""

from __future__ import annotations

import base64
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("multipart")
sync_api = pytest.importorskip("playwright.sync_api")
openpyxl = pytest.importorskip("openpyxl")

from helpers import CHROMIUM_FLAGS, EVIL, ServeProcess, serve_zip  # noqa: E402

HOSTILE = "上传.zip/年报/审计局-2024.txt"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = chromium()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServeProcess]:
    proc = ServeProcess(tmp_path / "data", "-j", "2")
    yield proc
    proc.stop()


def test_upload_review_rerun_download(browser: Any, server: ServeProcess, tmp_path: Path) -> None:
    data, expected = serve_zip()
    page = browser.new_page(accept_downloads=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(server.url + "/")
    # drag and drop: the zip dropped on the box becomes the form's file
    dropped = page.evaluate_handle(
        """(b64) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          const dt = new DataTransfer();
          dt.items.add(new File([bytes], '上传.zip', {type: 'application/zip'}));
          return dt;
        }""",
        base64.b64encode(data).decode("ascii"),
    )
    page.dispatch_event("#drop", "drop", {"dataTransfer": dropped})
    assert page.evaluate("document.getElementById('files').files[0].name") == "上传.zip"
    page.click("#upload button[type=submit]")
    # the overview: the progress first, then (the script reloads the page) the results
    page.wait_for_url("**/batch/*", timeout=20_000)
    assert page.locator("#batch-progress progress").count() == 1
    page.wait_for_selector("table#overview", timeout=60_000)
    rows = page.locator("table#overview tbody tr")
    assert rows.count() == len(expected)
    shown = sorted(rows.nth(i).locator("td").first.inner_text() for i in range(rows.count()))
    assert shown == sorted(expected)

    # the hostile report: its text shown as text, no script of its own
    page.click(f"table#overview a:text-is('{HOSTILE}')")
    page.wait_for_selector("body[data-ready='1']")
    title = page.locator("table.meta tr", has=page.locator("th:text-is('标题')")).locator("td").inner_text()
    assert title == f"示例区审计局{EVIL}2024年政府信息公开工作年度报告"
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("Array.from(document.scripts).map(s => s.src.split('/').pop())") == ["app.js"]

    # a finding → its cell, and the cell's marker → back to the finding
    finding = page.locator("li#r-applications-1")
    finding.locator(".cells a").first.click()
    assert (
        page.evaluate("document.querySelector(':target').id")
        == "r-c-applications.new_received.natural_person"
    )
    page.locator("td:target sup a").first.click()
    assert page.evaluate("document.querySelector(':target').id") == "r-applications-1"

    # dismiss it with a reason
    finding.locator("input[name=who]").fill("王五")
    finding.locator("input[name=reason]").fill("经核实为统计口径调整")
    finding.locator("button[value=dismiss]").click()
    page.wait_for_url("**#r-applications-1")
    decision = page.locator("li#r-applications-1 .decision").inner_text()
    assert decision.startswith("已排除（王五，") and decision.endswith("：经核实为统计口径调整）")
    # the name is remembered for the next decision
    assert page.locator("li#r-applications-2 input[name=who]").input_value() == "王五"

    # re-run the batch: progress, done, and the decision is still there
    page.click("nav a:nth-of-type(2)")
    page.click(
        "#rerun"
    )  # every file comes back from the store: done in a second, maybe before the page shows
    page.wait_for_selector("p.done:has-text('第 2 次检查完成')", timeout=60_000)
    row = page.locator("table#overview tbody tr", has=page.locator(f"a:text-is('{HOSTILE}')"))
    assert row.locator("td").nth(7).inner_text() == "1"  # 已排除
    row.locator("a").click()
    assert page.locator("li#r-applications-1 .decision").inner_text().startswith("已排除（王五，")

    # the workbook: the dismissed finding is listed after the others, marked and not counted
    page.click("nav a:nth-of-type(2)")
    with page.expect_download() as info:
        page.click("a.button:text-is('Excel 工作簿')")
    saved = tmp_path / "结果.xlsx"
    info.value.save_as(saved)
    wb = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))
    found = [
        (r[3], r[12] or "", r[13] or "")
        for r in wb["问题"].iter_rows(min_row=2, values_only=True)
        if r[0] == HOSTILE
    ]
    assert [(rule, review) for rule, review, _ in found] == [("T3-003", ""), ("T3-001", "已排除（不计入）")]
    assert found[1][2].startswith("复核排除：经核实为统计口径调整；王五，")
    assert {r[0] for r in wb["报告"].iter_rows(min_row=2, values_only=True)} == set(expected)
    assert dialogs == [] and errors == []
    page.close()
