"""Retake the screenshots of docs/serve.md: `reportparse serve` on generated reports, in Debian's
headless Chromium driven by Playwright (the system browser; nothing is downloaded).

    python scripts/serve_screenshots.py [--out docs/serve]

Needs the `serve` extra, Playwright (dev extra) and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_batch import generate  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from helpers import CHROMIUM_FLAGS, ServeProcess, serve_zip  # noqa: E402

REPORT = "上传.zip/年报/审计局-2024.txt"


def batch_zip(tmp: Path) -> Path:
    """serve_zip's reports (one with hostile text, shown escaped) and 12 more generated ones."""
    data, _ = serve_zip()
    more = tmp / "more"
    more.mkdir()
    generate(more, 12)
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as z:
        for p in sorted(more.iterdir()):
            z.write(p, f"年报/区县/{p.name}")
    path = tmp / "上传.zip"
    path.write_bytes(buf.getvalue())
    return path


def wait_progress(page: Page) -> None:
    """Until a few files are done (the page's CSP forbids evaluating a string: poll from here)."""
    for _ in range(600):
        done = page.get_attribute("#batch-progress", "data-done")
        if done is not None and int(done) > 2:
            return
        page.wait_for_timeout(100)


def shot(page: Page, out: Path, name: str, full: bool = False) -> None:
    page.screenshot(path=str(out / name), full_page=full)
    print(out / name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(ROOT / "docs" / "serve"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        upload = batch_zip(tmp)
        server = ServeProcess(tmp / "data", "-j", "1")  # one worker: the progress stays on screen longer
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=shutil.which("chromium"), args=[*CHROMIUM_FLAGS, "--lang=zh-CN"]
                )
                page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
                page.goto(server.url + "/")
                page.set_input_files("#files", str(upload))
                page.fill("input[name=title]", "2024 年度区县年报（示例）")
                shot(page, out, "upload.png")
                page.click("#upload button[type=submit]")
                wait_progress(page)
                shot(page, out, "progress.png")
                page.wait_for_selector("table#overview", timeout=120_000)
                shot(page, out, "overview.png")
                page.click(f"table#overview a:text-is('{REPORT}')")
                finding = page.locator("li#r-applications-2")
                finding.locator("input[name=who]").fill("张三")
                finding.locator("button[value=confirm]").click()
                page.wait_for_url("**#r-applications-2")
                finding = page.locator("li#r-applications-1")
                finding.locator("input[name=reason]").fill("经核实为统计口径调整")
                finding.locator("button[value=dismiss]").click()
                page.wait_for_url("**#r-applications-1")
                page.locator("li#r-applications-1 .cells a").first.click()
                shot(page, out, "report-cell.png")
                page.locator("li#r-applications-1").scroll_into_view_if_needed()
                page.evaluate("window.scrollBy(0, -120)")
                shot(page, out, "report-decisions.png")
                page.evaluate("window.scrollTo(0, 0)")
                shot(page, out, "report.png")
                page.click("li#r-applications-2 a.rule")
                shot(page, out, "rule.png")
                page.go_back()
                page.click("nav a:nth-of-type(2)")
                page.goto(page.url + "/rectification")
                shot(page, out, "rectification.png")
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
