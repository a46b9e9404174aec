"""OCR's time allowance (limits.ocr_page_s, ocr_allowance_s; docs/formats/ocr.md): each page OCR
starts lengthens its file's time limit, up to a cap, in `check -j 1` and in worker processes.
No engine: a stand-in `process` says it starts OCR on pages, then takes its time."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from generator import text_writer
from generator.spec import make_spec

import reportparse
from reportparse.batch.onefile import Outcome, process_file
from reportparse.limits import set_limits
from reportparse.readers.ocr import page_started
from reportparse.rules import Selection


def ocr_then_wait(path: str, selection: Selection) -> Outcome:
    """`process_file`, after "OCR" of as many pages as the name's first number, and 1.5 s."""
    pages = int(os.path.basename(path).split("-")[1])
    for _ in range(pages):
        page_started()
    time.sleep(1.5)
    return process_file(path, selection)


@pytest.mark.parametrize("jobs", [1, 2])
def test_each_ocr_page_lengthens_the_time_limit_up_to_the_cap(
    tmp_path: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 0.5 s a file, 1 s more a page OCR reads, 2 s more at most
    monkeypatch.setenv("REPORTPARSE_OCR_PAGE_S", "1")
    monkeypatch.setenv("REPORTPARSE_OCR_ALLOWANCE_S", "2")
    set_limits(None)
    for name in ("p-0-.txt", "p-2-.txt"):
        (tmp_path / name).write_text(text_writer.tika(make_spec(name, year=2024, seed=3)), encoding="utf-8")
    try:
        run = reportparse.audit([tmp_path], jobs=jobs, timeout=0.5, process=ocr_then_wait).collect()
    finally:
        set_limits(None)
    got = {Path(r.path).name: (r.status, [f.message for f in r.findings if f.rule == "EXT-003"]) for r in run}
    assert got["p-0-.txt"] == ("timeout", ["处理时间超过 0.5 秒上限，已中止（可用 --timeout 调整）"])
    assert got["p-2-.txt"][0] != "timeout" and got["p-2-.txt"][1] == []


def test_the_allowance_has_a_cap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REPORTPARSE_OCR_PAGE_S", "0.2")
    monkeypatch.setenv("REPORTPARSE_OCR_ALLOWANCE_S", "0.3")
    set_limits(None)
    (tmp_path / "p-5-.txt").write_text(text_writer.tika(make_spec("p", year=2024, seed=3)), encoding="utf-8")
    try:
        (r,) = reportparse.audit([tmp_path], jobs=1, timeout=0.5, process=ocr_then_wait).collect()
    finally:
        set_limits(None)
    assert r.status == "timeout"
    assert [f.message for f in r.findings] == ["处理时间超过 0.8 秒上限，已中止（可用 --timeout 调整）"]
