"""The pre-commit hook and the CI command lines of docs/ci.md, tried in a temporary git
repository by scripts/try_snippets.py (the hook as `repo: local`; see the script)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed")
def test_snippets_behave_as_documented() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "try_snippets.py")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "all snippets behave as documented"
    assert "ok: a report with an arithmetic error is refused" in done.stdout
    assert (
        "ok: exit 0: reportparse check 年报/ --format sarif -o reportparse.sarif --fail-on never"
        in done.stdout
    )
