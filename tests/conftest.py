from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SAMPLE = SHARED / "samples" / "huancuilou-2024.tika.txt"

sys.path.insert(0, str(FIXTURES))


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "manifest.tsv").exists():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture
def sample_path() -> Path:
    if not SAMPLE.exists():
        pytest.skip("../shared/samples is not present")
    return SAMPLE


@pytest.fixture
def sample_bytes(sample_path: Path) -> bytes:
    return sample_path.read_bytes()


@pytest.fixture(autouse=True, scope="session")
def _journals(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`check -o` keeps a journal of each run (batch/journal.py): the tests' go to a temporary
    folder, not the user's cache (a test may set REPORTPARSE_JOURNAL_DIR again)."""
    import os

    os.environ["REPORTPARSE_JOURNAL_DIR"] = str(tmp_path_factory.mktemp("journals"))
