"""docs/agency.md shows real output: every `$ reportparse …` block of the walk-through is run, in
order, on the county the generator makes, and must print what the page shows (run time aside)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from generator.make_county import write

from conftest import ROOT
from reportparse.cli import main

_BLOCK_RE = re.compile(r"```\n(\$ reportparse .*?)```", re.S)
_TIME_RE = re.compile(r"用时 [0-9.]+ 秒")


def test_the_walk_through_prints_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path)
    monkeypatch.chdir(tmp_path)
    blocks = _BLOCK_RE.findall((ROOT / "docs" / "agency.md").read_text(encoding="utf-8"))
    assert len(blocks) == 12
    for block in blocks:
        command, _, shown = block.partition("\n")
        args = shlex.split(command.removeprefix("$ reportparse "))
        main([*args, "-j", "1"] if args[0] == "check" else args)
        captured = capsys.readouterr()
        printed = _TIME_RE.sub("用时 0.6 秒", captured.out + captured.err)
        assert printed == shown, command
