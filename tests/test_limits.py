"""Processing limits: defaults, environment overrides, and the finding when one is hit."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pytest

import reportparse
from reportparse.limits import Limits, from_env, limits, set_limits


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    yield
    set_limits(None)


def test_defaults_and_environment() -> None:
    assert from_env({}) == Limits()
    assert Limits().max_file_bytes == 100 * 1024 * 1024
    env = {"REPORTPARSE_MAX_PDF_PAGES": "1000", "REPORTPARSE_TIMEOUT_S": "5.5"}
    assert from_env(env) == Limits(max_pdf_pages=1000, timeout_s=5.5)
    with pytest.raises(ValueError, match="REPORTPARSE_MAX_FILE_MB 的值「lots」不是数字"):
        from_env({"REPORTPARSE_MAX_FILE_MB": "lots"})
    with pytest.raises(ValueError, match="必须大于 0"):
        from_env({"REPORTPARSE_MAX_HTML_DEPTH": "0"})


def test_file_size_limit(tmp_path: object) -> None:
    set_limits(Limits(max_file_mb=0.001))
    assert limits().max_file_bytes == 1048
    r = reportparse.parse(("某局2024年政府信息公开工作年度报告\n" * 100).encode(), path="big.txt")
    assert [(n.rule, n.severity) for n in r.extraction_notes] == [("EXT-003", "error")]
    assert "超过上限 1048 字节" in r.extraction_notes[0].message


def test_zip_limits_follow_the_settings() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i in range(30):
            z.writestr(f"word/x{i}.xml", "<a/>")
        z.writestr(
            "word/document.xml",
            "<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'/>",
        )
    set_limits(Limits(max_zip_entries=20))
    r = reportparse.parse(out.getvalue(), path="many.docx")
    assert [n.rule for n in r.extraction_notes] == ["EXT-003"]
    assert "超过上限 20" in r.extraction_notes[0].message
