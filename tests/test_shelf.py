"""A long run keeps its results on disk (batch/shelf.py): the outputs are the same as when they
stay in memory, and the shelf reads back exactly what it was given."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from generator import text_writer

import reportparse
from helpers import build_batch, continuous_pair
from reportparse.batch import FileResult, PackedReport, shelf
from reportparse.batch.packing import Spill, SpilledValue
from reportparse.batch.shelf import Shelf
from reportparse.cli import main
from reportparse.findings import Finding


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every format, bad files, and bodies with last year's report: cross-year findings and
    year-on-year comparisons to carry through the shelf."""
    target = tmp_path_factory.mktemp("batch")
    build_batch(target)
    (target / "hang-2021.md").unlink()  # nothing hangs here
    for n, body in enumerate(("示例市林业局", "示例市水务局", "示例市商务局")):
        for spec in continuous_pair(body, off_by=n):
            (target / f"{body}-{spec.year}.txt").write_text(text_writer.tika(spec), encoding="utf-8")
    return target


def _run(folder: Path, monkeypatch: pytest.MonkeyPatch, budget: int | None) -> list[FileResult]:
    if budget is not None:
        monkeypatch.setattr(shelf, "BUDGET", budget)
    run = reportparse.audit([folder], jobs=2, lazy_reports=True, json_reports=True, spill=True)
    results = run.collect()
    assert isinstance(results, Shelf) and results.spilled == (budget is not None)
    return list(results)


def test_the_shelf_reads_back_every_result_as_it_was(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    held = _run(folder, monkeypatch, None)
    spilled = _run(folder, monkeypatch, 1)
    assert [r.path for r in spilled] == [r.path for r in held]
    assert [r.to_json() for r in spilled] == [r.to_json() for r in held]
    assert [(r.status, r.findings, r.unverified, r.selection) for r in spilled] == [
        (r.status, r.findings, r.unverified, r.selection) for r in held
    ]
    assert [r.report for r in spilled] == [r.report for r in held]
    compared = [r for r in spilled if r.compared is not None]
    assert len(compared) == 4  # 档案局 and the three bodies above: this year's against last year's
    assert all(isinstance(r.compared, SpilledValue) for r in compared)
    assert [r.year_on_year for r in compared] == [r.year_on_year for r in held if r.compared is not None]
    # 自然人 and 总计 carried over wrongly at 档案局, 水务局 and 商务局 (林业局's are right)
    assert sum(f.rule == "T3-004" for r in spilled for f in r.findings) == 6


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "text", "html", "cells", "sarif", "xlsx"])
def test_outputs_are_the_same_from_disk(
    folder: Path, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held, spilled = tmp_path / "held", tmp_path / "spilled"
    args = ["check", str(folder), "-j", "2", "--format", fmt, "--quiet"]
    code = main([*args, "-o", str(held)])
    monkeypatch.setattr(shelf, "BUDGET", 10_000)  # a few results, then the spill
    assert main([*args, "-o", str(spilled)]) == code == 1
    assert spilled.read_bytes() == held.read_bytes()


def test_shelf_as_a_sequence(folder: Path) -> None:
    results = reportparse.audit([folder / "示例市林业局-2024.txt", folder / "empty.txt"], jobs=1).collect()
    spill = Spill()
    s = Shelf(spill, budget=shelf.weight(results[0]))
    s.append(results[0])
    assert not s.spilled and s[0] is results[0]  # within the budget: held as it is
    s.append(results[1])
    assert s.spilled and len(s) == 2 and s.paths == [r.path for r in results]
    assert s[0] == results[0] and s[-1] == results[1] and s[0] is not results[0]
    assert s[0:2] == list(results) and list(s) == list(results)
    assert s[0].selection is s[1].selection is results[0].selection  # one object, as the run has it
    with pytest.raises(IndexError):
        s[2]
    packed = PackedReport.pack(results[0].report)  # type: ignore[arg-type]
    s[0] = FileResult(results[0].path, "ok", packed, ())
    back = s[0]
    assert isinstance(back.parsed, PackedReport) and back.parsed.stored is not None
    assert back.report == results[0].report and back.findings == () and back.status == "ok"
    s.reorder([1, 0])
    assert s.paths == [results[1].path, results[0].path] and s[0] == results[1] and s[1].status == "ok"
    grows = Shelf(spill, budget=shelf.weight(results[0]) + shelf.weight(results[1]))
    grows.append(results[0])
    grows.append(results[1])
    assert not grows.spilled
    added = Finding("T3-004", "warning", "表三「上年结转」…", file=results[0].path)
    heavier = replace(results[0], findings=(*results[0].findings, added))  # as the cross-report pass adds
    grows[0] = heavier
    assert grows.spilled and grows[0] == heavier and grows[1] == results[1]
    unspilled = Shelf(None, budget=0)  # no spill: everything stays in memory whatever the budget
    unspilled.append(results[0])
    assert not unspilled.spilled and unspilled[0] is results[0]


def test_baseline_and_history_runs_are_the_same_from_disk(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A baseline's hiding and the history store's writing go through the shelf in place."""
    base = tmp_path / "baseline.json"
    args = ["check", str(folder), "-j", "2", "--format", "jsonl", "--quiet"]
    assert main([*args, "--baseline", str(base), "--write-baseline", "-o", str(tmp_path / "w")]) == 0
    outputs = {}
    for budget in (None, 10_000):
        if budget is not None:
            monkeypatch.setattr(shelf, "BUDGET", budget)
        out = tmp_path / f"out-{budget}"
        history = tmp_path / f"history-{budget}.db"
        assert main([*args, "--baseline", str(base), "--history", str(history), "-o", str(out)]) == 0
        outputs[budget] = out.read_bytes()
    assert outputs[None] == outputs[10_000]
    assert b'"findings": [{' not in outputs[None]  # every finding hidden by the baseline
    stored = []
    for budget in (None, 10_000):  # each report stored with the status the baseline leaves it
        with sqlite3.connect(tmp_path / f"history-{budget}.db") as db:
            stored.append(db.execute("SELECT path, status FROM reports ORDER BY path").fetchall())
    assert stored[0] == stored[1] and [s for _, s in stored[0]].count("ok") == 20
