"""A short fuzz run over every fixture: no input may crash parse + check or escape as a traceback.

The long run is `python benchmarks/fuzz.py` (docs/robustness.md).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import reportparse
from conftest import FIXTURES
from fuzz.mutate import mutate
from reportparse.findings import Finding

SEEDS = sorted(
    p
    for p in FIXTURES.rglob("*")
    if p.is_file()
    and not p.name.endswith(".json")
    and p.suffix in {".txt", ".md", ".html", ".htm", ".docx", ".doc", ".pdf"}
    # the scans take OCR seconds a page: tests/test_ocr.py reads them
    and "ocr" not in p.relative_to(FIXTURES).parts
)


def run_one(data: bytes, name: str) -> list[Finding]:
    # without OCR: a mutation that garbles a text layer would spend seconds a page in OCR
    report = reportparse.parse(data, path=name, ocr="never")
    findings = reportparse.check(report)
    for f in findings:
        assert f.rule and f.severity in ("error", "warning", "info") and f.message
    internal = [f for f in findings if f.rule == "EXT-013"]
    assert internal == [], f"reader crashed on a mutation of {name}: {internal[0].message}"
    return findings


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_mutations_never_crash(seed: Path) -> None:
    rng = random.Random(seed.name)
    data = seed.read_bytes()
    cases = 12 if seed.suffix in {".pdf", ".docx", ".doc"} else 40
    for _ in range(cases):
        run_one(mutate(data, rng), seed.name)


def test_hostile_text_inputs() -> None:
    for data in (
        b"\x00" * 1000,
        "一、总体情况".encode() * 20000,
        b"\t" * 100000,
        b"|" * 50000,
        ("一、本年新收政府信息公开申请数量" + "1" * 100000).encode(),
        b"\xff\xfe" + b"\x00\xd8" * 1000,
        "\n".join(["\t0"] * 50000).encode(),
        ("| 1 " * 2000 + "|\n").encode() * 50,
    ):
        run_one(data, "hostile.txt")
