"""The batch engine (`reportparse.audit`) and the cross-report rules of rules/batch.py."""

from __future__ import annotations

import functools
import gc
import itertools
import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

import pytest
from generator import text_writer
from generator.spec import ReportSpec, make_spec

import reportparse
from helpers import continuous_pair, crashing, dying, hanging, telling_its_gc_thresholds, troubled
from reportparse.batch import (
    FileResult,
    NoInputError,
    Outcome,
    Overrides,
    PackedReport,
    ProcessFile,
    Task,
    WorkerStartError,
    discover,
)
from reportparse.batch.pool import WORKER_GC_THRESHOLD
from reportparse.cli import main
from reportparse.cli.check import BATCH_GC_THRESHOLD
from reportparse.config import ConfigError
from reportparse.render import render
from reportparse.rules import REGISTRY, Selection, load_rules
from reportparse.rules.batch import body_key, jaccard, shingles, similar_pairs

BATCH_RULES = {"T3-004", "T2-001", "QLT-001", "QLT-002"}


def write(folder: Path, name: str, spec: ReportSpec) -> Path:
    path = folder / name
    path.write_text(text_writer.tika(spec), encoding="utf-8")
    return path


def batch_findings(result: FileResult) -> list[tuple[str, str, tuple[str, ...], object, object]]:
    return [
        (f.rule, f.severity, f.cells, f.expected, f.actual) for f in result.findings if f.rule in BATCH_RULES
    ]


def by_name(results: list[FileResult]) -> dict[str, FileResult]:
    return {Path(r.path).name: r for r in results}


# ---------------------------------------------------------------------------- T3-004


def test_carry_over_mismatch_in_one_column(tmp_path: Path) -> None:
    a, b = continuous_pair("示例市示例区档案局", off_by=2)
    write(tmp_path, "档案局-2023.txt", a)
    write(tmp_path, "档案局-2024.txt", b)
    results = reportparse.audit([tmp_path], jobs=1, selection=Selection(select=("T3-004",))).collect()
    got = by_name(results)
    assert batch_findings(got["档案局-2023.txt"]) == []
    expected_np = int(a.cells["applications"]["carried_forward.natural_person"])
    expected_total = int(a.cells["applications"]["carried_forward.total"])
    assert batch_findings(got["档案局-2024.txt"]) == [
        (
            "T3-004",
            "warning",
            ("applications.carried_over.natural_person",),
            expected_np,
            expected_np + 2,
        ),
        ("T3-004", "warning", ("applications.carried_over.total",), expected_total, expected_total + 2),
    ]
    f = got["档案局-2024.txt"].findings[0]
    assert f.message == (
        f"表三「二、上年结转政府信息公开申请数量」行「自然人」列为 {expected_np + 2}，"
        f"但2023年报告（{tmp_path / '档案局-2023.txt'}）「四、结转下年度继续办理」行同列为 {expected_np}，两者应相等"
    )
    assert f.file == str(tmp_path / "档案局-2024.txt")
    assert f.loc is not None and f.loc.line is not None  # the cell's line in the 2024 file
    assert got["档案局-2024.txt"].status == "findings"


def test_carry_over_continuous_gives_nothing(tmp_path: Path) -> None:
    a, b = continuous_pair("示例市示例区档案局")
    write(tmp_path, "a.txt", a)
    write(tmp_path, "b.txt", b)
    results = reportparse.audit([tmp_path], jobs=1, selection=Selection(select=("T3-004",))).collect()
    assert [batch_findings(r) for r in results] == [[], []]


def test_carry_over_across_template_versions_and_name_variants(tmp_path: Path) -> None:
    # 2020 report on the 2019 template, 2021 report on the 2021 one; the name printed differently
    a, b = continuous_pair("示例市示例区档案局", years=(2020, 2021), off_by=1)
    b = replace(
        b,
        organization="示例市示例区 档案局（全市汇总）",
        title="示例市示例区 档案局（全市汇总）2021年政府信息公开工作年度报告",
    )
    write(tmp_path, "2020.txt", a)
    write(tmp_path, "2021.txt", b)
    results = by_name(
        reportparse.audit([tmp_path], jobs=1, selection=Selection(select=("T3-004",))).collect()
    )
    assert results["2020.txt"].report is not None and results["2020.txt"].report.meta.template == "2019"
    assert [f[2] for f in batch_findings(results["2021.txt"])] == [
        ("applications.carried_over.natural_person",),
        ("applications.carried_over.total",),
    ]


def test_not_consecutive_or_other_body_is_not_compared(tmp_path: Path) -> None:
    a, b = continuous_pair("示例市示例区档案局", years=(2022, 2024), off_by=3)
    write(tmp_path, "a.txt", a)
    write(tmp_path, "b.txt", b)
    c, d = continuous_pair("示例市示例区林业局", off_by=3)
    write(tmp_path, "c.txt", c)
    d = replace(
        d, organization="示例市示例区水务局", title="示例市示例区水务局2024年政府信息公开工作年度报告"
    )
    write(tmp_path, "d.txt", d)
    results = reportparse.audit([tmp_path], jobs=1, selection=Selection(select=("T3-004",))).collect()
    assert [batch_findings(r) for r in results] == [[], [], [], []]


def test_body_key() -> None:
    assert body_key("示例市 统计局（全市汇总）") == "示例市统计局"
    assert body_key("示例市统计局(全市汇总)") == "示例市统计局"
    assert body_key("ＸＸ市统计局【2024】") == "XX市统计局"
    assert body_key("示例市人民政府办公室（示例市政务服务数据管理局（挂牌））") == "示例市人民政府办公室"
    assert body_key(None) is None
    assert body_key("  ") is None


# ---------------------------------------------------------------------------- T2-001


def test_stock_continuity(tmp_path: Path) -> None:
    a = make_spec("a", year=2023, seed=5, organization="示例市示例区档案局")
    b = make_spec("b", year=2024, seed=6, organization="示例市示例区档案局")
    t2a, t2b = dict(a.cells["active_disclosure"]), dict(b.cells["active_disclosure"])
    # 规章 continuous: 20 + 3 − 1 = 22; 行政规范性文件 off: 10 + 5 − 0 ≠ 17
    t2a.update({"regulations.in_force": "20", "normative_documents.in_force": "10"})
    t2b.update({"regulations.issued": "3", "regulations.repealed": "1", "regulations.in_force": "22"})
    t2b.update(
        {
            "normative_documents.issued": "5",
            "normative_documents.repealed": "0",
            "normative_documents.in_force": "17",
        }
    )
    write(tmp_path, "a.txt", replace(a, cells={**a.cells, "active_disclosure": t2a}))
    write(tmp_path, "b.txt", replace(b, cells={**b.cells, "active_disclosure": t2b}))
    results = by_name(
        reportparse.audit([tmp_path], jobs=1, selection=Selection(select=("T2-001",))).collect()
    )
    assert batch_findings(results["a.txt"]) == []
    assert batch_findings(results["b.txt"]) == [
        (
            "T2-001",
            "info",
            (
                "active_disclosure.normative_documents.in_force",
                "active_disclosure.normative_documents.issued",
                "active_disclosure.normative_documents.repealed",
            ),
            15,
            17,
        )
    ]
    assert results["b.txt"].findings[0].message == (
        f"行政规范性文件现行有效件数为 17，按2023年报告（{tmp_path / 'a.txt'}）现行有效 10 件 + 本年制发 5 件"
        " − 本年废止 0 件，应约为 15 件（相差 +2）"
    )


# ---------------------------------------------------------------------------- QLT-001 / QLT-002


def test_copy_of_last_year_identical_apart_from_the_year(tmp_path: Path) -> None:
    # the same seed: same numbers and text, only the year differs
    write(tmp_path, "2023.txt", make_spec("a", year=2023, seed=5, organization="示例市示例区档案局"))
    write(tmp_path, "2024.txt", make_spec("a", year=2024, seed=5, organization="示例市示例区档案局"))
    results = by_name(
        reportparse.audit([tmp_path], jobs=1, selection=Selection(select=("QLT-001",))).collect()
    )
    assert batch_findings(results["2023.txt"]) == []
    assert batch_findings(results["2024.txt"]) == [
        ("QLT-001", "error", (), None, 1.0),
        ("QLT-001", "warning", (), None, 1.0),
    ]
    first, second = results["2024.txt"].findings
    assert (
        first.message
        == f"第一、五、六部分与2023年报告（{tmp_path / '2023.txt'}）除年份外完全相同（相似度 1.000）"
    )
    assert (
        second.message
        == f"表二、表三、表四的全部数据与2023年报告（{tmp_path / '2023.txt'}）完全相同，可能沿用了上年数据"
    )


def test_copy_of_last_year_nearly_identical(tmp_path: Path) -> None:
    # different seeds: different figures in the text, the same wording
    a = make_spec("a", year=2023, seed=5, organization="示例市示例区档案局")
    b = make_spec("b", year=2024, seed=6, organization="示例市示例区档案局")
    write(tmp_path, "2023.txt", a)
    write(tmp_path, "2024.txt", b)
    results = by_name(
        reportparse.audit([tmp_path], jobs=1, selection=Selection(select=("QLT-001",))).collect()
    )
    found = batch_findings(results["2024.txt"])
    assert len(found) == 1 and found[0][:3] == ("QLT-001", "warning", ())
    sim = found[0][4]
    assert isinstance(sim, float) and 0.9 <= sim < 1.0
    assert f"（相似度 {sim:.3f}，阈值 0.9）" in results["2024.txt"].findings[0].message


def test_rewritten_report_is_not_a_copy(tmp_path: Path) -> None:
    a = make_spec("a", year=2023, seed=5, organization="示例市示例区档案局")
    b = make_spec("b", year=2024, seed=6, organization="示例市示例区档案局")
    sections = tuple(
        replace(s, paragraphs=tuple(p[::-1] for p in s.paragraphs)) if s.number in (1, 5, 6) else s
        for s in b.sections
    )
    write(tmp_path, "2023.txt", a)
    write(tmp_path, "2024.txt", replace(b, sections=sections))
    results = reportparse.audit([tmp_path], jobs=1, selection=Selection(select=("QLT-001",))).collect()
    assert [batch_findings(r) for r in results] == [[], []]


def test_boilerplate_across_bodies_is_off_by_default(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", make_spec("a", year=2024, seed=5, organization="示例市示例区档案局"))
    write(tmp_path, "b.txt", make_spec("b", year=2024, seed=5, organization="示例市示例区水务局"))
    write(tmp_path, "c.txt", make_spec("c", year=2023, seed=5, organization="示例市示例区林业局"))
    default = reportparse.audit([tmp_path], jobs=1, config_discovery=False).collect()
    assert [f.rule for r in default for f in r.findings if f.rule.startswith("QLT")] == []
    assert not REGISTRY["QLT-002"].enabled and REGISTRY["QLT-001"].enabled
    on = by_name(reportparse.audit([tmp_path], jobs=1, overrides=Overrides(extend_select=("QLT",))).collect())
    a, b = (batch_findings(on[n]) for n in ("a.txt", "b.txt"))
    assert [x[:2] for x in a] == [x[:2] for x in b] == [("QLT-002", "info")]
    assert batch_findings(on["c.txt"]) == []  # another year
    assert (
        on["a.txt"]
        .findings[-1]
        .message.startswith(
            f"第一、五、六部分与同年度示例市示例区水务局的报告（{tmp_path / 'b.txt'}）高度相似（相似度 "
        )
    )


def test_similar_pairs_matches_brute_force() -> None:
    texts = [
        "示例市示例区统计局认真贯彻落实政府信息公开条例扎实推进政务公开工作",
        "示例市示例区统计局认真贯彻落实政府信息公开条例扎实推进政务公开工作。",
        "示例市示例区档案局认真贯彻落实政府信息公开条例扎实推进政务公开工作",
        "完全不同的一段文字，讲的是别的事情，和上面没有关系",
        "",
        "完全不同的一段文字，讲的是别的事情，和上面没有关系！！",
    ]
    sets = [shingles(t) for t in texts]
    for threshold in (0.5, 0.8, 0.9, 1.0):
        brute = sorted(
            (i, j, jaccard(sets[i], sets[j]))
            for i, j in itertools.combinations(range(len(sets)), 2)
            if sets[i] and sets[j] and jaccard(sets[i], sets[j]) >= threshold
        )
        assert similar_pairs(sets, threshold) == brute


def test_batch_rules_are_registered_as_batch() -> None:
    load_rules()
    for rid in sorted(BATCH_RULES):
        r = REGISTRY[rid]
        assert (r.scope, r.check is None, r.check_batch is not None) == ("batch", True, True), rid
        assert r.example and r.fix and r.basis
    assert {r.id: r.severity for r in REGISTRY.values() if r.id in BATCH_RULES} == {
        "T3-004": "warning",
        "T2-001": "info",
        "QLT-001": "warning",
        "QLT-002": "info",
    }


def test_parse_does_not_run_batch_rules(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", make_spec("a", year=2024, seed=5))
    assert [f.rule for f in reportparse.check(reportparse.parse(path))] == []


# ---------------------------------------------------------------------------- the engine


def test_discover(tmp_path: Path) -> None:
    (tmp_path / "sub" / ".hidden").mkdir(parents=True)
    (tmp_path / "草稿").mkdir()
    for name in (
        "a.txt",
        "b.PDF",
        "c.docx",
        "d.xlsx",
        "e.json",
        ".f.txt",
        "~$g.docx",
        "sub/h.md",
        "sub/.hidden/i.txt",
        "草稿/j.txt",
    ):
        (tmp_path / name).write_bytes(b"")  # empty: nothing to judge by, taken by its name
    (tmp_path / "page").write_bytes(b"<!DOCTYPE html><html><body></body></html>")
    (tmp_path / "blob").write_bytes(b"just bytes")
    names = [Path(p).relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert names == ["a.txt", "b.PDF", "c.docx", "page", "sub/h.md", "草稿/j.txt"]
    names = [
        Path(p).relative_to(tmp_path).as_posix() for p in discover([tmp_path], exclude=["草稿", "*.docx"])
    ]
    assert names == ["a.txt", "b.PDF", "page", "sub/h.md"]
    names = [
        Path(p).relative_to(tmp_path).as_posix() for p in discover([tmp_path], include=["*.json", "*.md"])
    ]
    assert names == ["e.json", "sub/h.md"]
    # a file named explicitly is always taken; duplicates collapse
    assert discover([tmp_path / "d.xlsx", tmp_path / "d.xlsx"]) == [str(tmp_path / "d.xlsx")]
    with pytest.raises(NoInputError, match="路径不存在"):
        discover([tmp_path / "nope"])


def test_own_outputs_are_not_taken_for_reports(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", make_spec("a", seed=5))
    results = reportparse.audit([tmp_path], jobs=1).collect()
    (tmp_path / "审核.html").write_text(render("html", results), encoding="utf-8")
    (tmp_path / "问题.txt").write_text(render("text", results), encoding="utf-8")
    assert [Path(p).name for p in discover([tmp_path], skip=[tmp_path / "问题.txt"])] == ["a.txt"]


def test_no_input(tmp_path: Path) -> None:
    (tmp_path / "data.xlsx").write_bytes(b"x")
    with pytest.raises(NoInputError, match="未找到要检查的报告文件"):
        reportparse.audit([tmp_path])


def test_bad_config_fails_before_any_work(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", make_spec("a", seed=5))
    (tmp_path / "reportparse.toml").write_text('select = ["XYZ-001"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="「XYZ-001」不是已知的规则编号"):
        reportparse.audit([tmp_path])


def _statuses(results: list[FileResult]) -> dict[str, tuple[str, list[str]]]:
    return {Path(r.path).name: (r.status, [f.rule for f in r.findings]) for r in results}


@pytest.mark.parametrize("jobs", [1, 2])
def test_timeout_and_bad_files_do_not_stop_the_batch(tmp_path: Path, jobs: int) -> None:
    for i in range(3):
        write(tmp_path, f"r{i}.txt", make_spec(f"r{i}", year=2024, seed=i + 1, organization=f"示例市第{i}局"))
    write(tmp_path, "hang.txt", make_spec("h", year=2024, seed=9, organization="示例市挂起局"))
    (tmp_path / "empty.txt").write_bytes(b"")
    run = reportparse.audit([tmp_path], jobs=jobs, timeout=1.0, process=hanging)
    finished_order = [Path(r.path).name for r in run]
    assert sorted(finished_order) == ["empty.txt", "hang.txt", "r0.txt", "r1.txt", "r2.txt"]
    assert _statuses(run.results) == {
        "empty.txt": ("unreadable", ["EXT-001"]),
        "hang.txt": ("timeout", ["EXT-003"]),
        "r0.txt": ("ok", []),
        "r1.txt": ("ok", []),
        "r2.txt": ("ok", []),
    }
    hang = by_name(run.results)["hang.txt"]
    assert hang.report is None and hang.findings[0].severity == "error"
    assert hang.findings[0].message == "处理时间超过 1 秒上限，已中止（可用 --timeout 调整）"
    assert [Path(r.path).name for r in run.results] == sorted(finished_order)
    assert run.summary is not None
    assert (
        run.summary.files,
        run.summary.ok,
        run.summary.unreadable,
        run.summary.timeout,
        run.summary.errors,
    ) == (
        5,
        3,
        1,
        1,
        2,
    )


def test_a_worker_that_dies_takes_only_its_file(tmp_path: Path) -> None:
    for name in ("a.txt", "crash.txt", "z.txt"):
        write(
            tmp_path,
            name,
            make_spec(name, year=2024, seed=len(name) + ord(name[0]), organization=f"示例市{name[0]}局"),
        )
    results = reportparse.audit([tmp_path], jobs=2, process=crashing).collect()
    assert _statuses(results) == {
        "a.txt": ("ok", []),
        "crash.txt": ("unreadable", ["EXT-013"]),
        "z.txt": ("ok", []),
    }
    assert (
        by_name(results)["crash.txt"]
        .findings[0]
        .message.startswith("处理此文件的工作进程意外退出（退出码 3）")
    )


def test_a_hang_or_crash_amid_chunks_of_small_files_takes_only_its_file(tmp_path: Path) -> None:
    """Files go to workers in chunks and results come back a few at a time: the file that
    hangs or kills its worker is the one named, and the files done with it but not yet sent
    back are done again — each file has exactly one result."""
    names = [f"{i:02d}.txt" for i in range(60)] + ["05-hang.txt", "40-crash.txt"]
    for name in names:
        (tmp_path / name).write_text(f"示例{name}2024年政府信息公开工作年度报告\n", encoding="utf-8")
    run = reportparse.audit([tmp_path], jobs=2, timeout=1.0, process=troubled)
    order = [Path(r.path).name for r in run]
    assert sorted(order) == sorted(names)
    statuses = _statuses(run.results)
    assert statuses.pop("05-hang.txt") == ("timeout", ["EXT-003"])
    assert statuses.pop("40-crash.txt") == ("unreadable", ["EXT-013"])
    assert {(s, tuple(rules)) for s, rules in statuses.values()} == {("findings", ("STR-006",))}


@pytest.mark.parametrize("jobs", [1, 2])
def test_check_collects_rarely_and_its_workers_as_usual(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """`check` keeps every result until its output: it raises the collector's thresholds for
    itself (the files it reads in its own process with -j 1), its workers keep CPython's, and
    the caller's come back when it returns."""
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("示例2024年政府信息公开工作年度报告\n", encoding="utf-8")
    monkeypatch.setattr(
        "reportparse.cli.check.audit", functools.partial(reportparse.audit, process=telling_its_gc_thresholds)
    )
    before = gc.get_threshold()
    out = tmp_path / "out.jsonl"
    assert main(["check", str(tmp_path), "-j", str(jobs), "--format", "jsonl", "-o", str(out), "-q"]) == 1
    assert gc.get_threshold() == before
    seen = {
        f["message"]
        for line in out.read_text(encoding="utf-8").splitlines()
        for f in json.loads(line)["findings"]
    }
    assert seen == {repr(BATCH_GC_THRESHOLD if jobs == 1 else WORKER_GC_THRESHOLD)}
    assert BATCH_GC_THRESHOLD != WORKER_GC_THRESHOLD == (700, 10, 10)


def threads(tasks: Sequence[Task], process: ProcessFile) -> Iterator[tuple[Task, Outcome]]:
    """Another executor behind the runner interface: a thread pool, results as they complete."""
    with ThreadPoolExecutor(2) as executor:
        futures = {executor.submit(process, t.path, t.selection): t for t in tasks}
        for future in as_completed(futures):
            yield futures[future], future.result()


def test_another_executor_plugs_in(tmp_path: Path) -> None:
    a, b = continuous_pair("示例市示例区档案局", off_by=2)
    write(tmp_path, "a-2023.txt", a)
    write(tmp_path, "b-2024.txt", b)
    write(tmp_path, "c-2024.txt", make_spec("c", year=2024, seed=7, organization="示例市示例区林业局"))
    inline = reportparse.audit([tmp_path], jobs=1).collect()
    threaded = reportparse.audit([tmp_path], runner=threads).collect()
    assert [r.to_json() for r in threaded] == [r.to_json() for r in inline]
    assert "T3-004" in {f.rule for r in threaded for f in r.findings}  # the cross-report pass ran


def test_results_pickle_and_report_round_trips(tmp_path: Path) -> None:
    import pickle

    write(tmp_path, "a.txt", make_spec("a", year=2024, seed=5))
    (result,) = reportparse.audit([tmp_path], jobs=1).collect()
    assert pickle.loads(pickle.dumps(result)) == result
    assert result.to_dict()["report"]["meta"]["year"] == 2024
    assert "findings" not in result.to_dict()["report"]


def test_packed_reports_unpack_on_demand(tmp_path: Path) -> None:
    a, b = continuous_pair("示例市示例区档案局", off_by=2)
    write(tmp_path, "a-2023.txt", a)
    write(tmp_path, "b-2024.txt", b)
    write(tmp_path, "c-2024.txt", make_spec("c", year=2024, seed=7, organization="示例市示例区林业局"))
    eager = by_name(reportparse.audit([tmp_path], jobs=2).collect())
    lazy = by_name(reportparse.audit([tmp_path], jobs=2, lazy_reports=True).collect())
    # the cross-year pair was unpacked for T3-004; the other body's only report never was
    assert [type(lazy[n].parsed).__name__ for n in sorted(lazy)] == ["Report", "Report", "PackedReport"]
    for name, r in eager.items():
        assert lazy[name].findings == r.findings and lazy[name].status == r.status
        assert lazy[name].head == r.head and r.report is not None and r.head == r.report.head
        assert lazy[name].report == r.report
    assert type(lazy["c-2024.txt"].parsed).__name__ == "Report"  # unpacked once, then kept
    written = by_name(reportparse.audit([tmp_path], jobs=2, lazy_reports=True, json_reports=True).collect())
    packed = written["c-2024.txt"].parsed
    assert isinstance(packed, PackedReport) and packed.json is not None
    for name, r in eager.items():  # the worker's JSON spliced in: the same text as dumping to_dict()
        assert written[name].to_json() == r.to_json() == json.dumps(r.to_dict(), ensure_ascii=False)
    assert isinstance(written["c-2024.txt"].parsed, PackedReport)  # to_json did not unpack it
    assert [f[0] for f in batch_findings(lazy["b-2024.txt"])] == [
        "T3-004",
        "T3-004",
        "T2-001",
        "T2-001",
        "QLT-001",
    ]


def test_batch_rules_load_only_reports_they_can_relate(tmp_path: Path) -> None:
    from reportparse.rules.batch import members, run_batch_rules

    specs = {
        "档案局-2023": continuous_pair("示例市档案局", off_by=1)[0],
        "档案局-2024": continuous_pair("示例市档案局", off_by=1)[1],
        "林业局-2022": make_spec("l", year=2022, seed=3, organization="示例市林业局"),
        "林业局-2024": make_spec("m", year=2024, seed=4, organization="示例市林业局"),
        "水务局-2024": make_spec("s", year=2024, seed=8, organization="示例市水务局"),
        "水务局-2024b": make_spec("t", year=2024, seed=9, organization="示例市水务局"),
    }
    reports = [reportparse.parse(write(tmp_path, f"{n}.txt", s)) for n, s in specs.items()]
    loaded: list[int] = []

    def load(i: int) -> reportparse.Report:
        loaded.append(i)
        return reports[i]

    selections = {r.source.path: Selection() for r in reports}
    found = run_batch_rules(members(r.head for r in reports), selections, load)
    assert sorted(loaded) == [0, 1]  # each once; 2022/2024 and two 2024 reports relate nothing
    assert list(found) == [str(tmp_path / "档案局-2024.txt")]
    assert [f.rule for f in found[str(tmp_path / "档案局-2024.txt")]] == [
        "T3-004",
        "T3-004",
        "T2-001",
        "T2-001",
        "QLT-001",
    ]
    loaded.clear()
    wide = {path: Selection(extend_select=("QLT-002",)) for path in selections}
    run_batch_rules(members(r.head for r in reports), wide, load)
    # across bodies: every report of a year with two or more; 林业局-2022 is its year's only one.
    # A group's reports are dropped once its rules have run (memory stays one group's), so a
    # report in a body's group and in its year's is unpacked once for each.
    assert sorted(loaded) == [0, 1, 1, 3, 4, 5]


def test_workers_that_cannot_run_at_all_stop_the_tool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from reportparse.cli import main

    for i in range(4):
        write(tmp_path, f"r{i}.txt", make_spec(f"r{i}", seed=i + 1))
    with pytest.raises(WorkerStartError, match="工作进程未能处理任何文件就退出了 3 次（退出码 4）"):
        reportparse.audit([tmp_path], jobs=2, process=dying).collect()
    monkeypatch.setattr("reportparse.cli.check.audit", functools.partial(reportparse.audit, process=dying))
    assert main(["check", str(tmp_path), "-j", "2"]) == 2
    assert capsys.readouterr().err.startswith("reportparse check：工作进程未能处理任何文件就退出了 3 次")


def test_real_reports_of_one_body_across_years(corpus: Path) -> None:
    # 平潭综合实验区 2021 (r008.txt and the same report as r020.html), 2022 (r018), 2023 (r019):
    # the carry-over is continuous (2021 结转 1 → 2022 上年结转 1; 0 → 0); the 2023 stock of
    # 行政规范性文件 is 470 where 698 + 77 − 132 = 643.
    files = [corpus / n for n in ("r008.txt", "r018.html", "r019.html", "r020.html")]
    results = by_name(
        reportparse.audit(files, jobs=1, selection=Selection(select=("T3-004", "T2-001"))).collect()
    )
    assert {n: batch_findings(r) for n, r in results.items()} == {
        "r008.txt": [],
        "r018.html": [],
        "r019.html": [
            (
                "T2-001",
                "info",
                (
                    "active_disclosure.normative_documents.in_force",
                    "active_disclosure.normative_documents.issued",
                    "active_disclosure.normative_documents.repealed",
                ),
                643,
                470,
            )
        ],
        "r020.html": [],
    }


def test_timeout_finding_follows_the_selection(tmp_path: Path) -> None:
    write(tmp_path, "hang.txt", make_spec("h", seed=9))
    regraded = Selection(severity=(("EXT-003", "warning"),))
    (r,) = reportparse.audit([tmp_path], jobs=1, timeout=0.5, selection=regraded, process=hanging).collect()
    assert (r.status, [(f.rule, f.severity) for f in r.findings], r.failed) == (
        "timeout",
        [("EXT-003", "warning")],
        False,
    )
    (r,) = reportparse.audit(
        [tmp_path], jobs=1, timeout=0.5, selection=Selection(ignore=("EXT-003",)), process=hanging
    ).collect()
    assert (r.status, r.findings) == ("timeout", ())
