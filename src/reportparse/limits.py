"""Processing limits, as plain data: what one file may cost before it becomes an EXT-003 finding.

Defaults fit real reports (rarely over 30 pages or a few MB). Change them per process with
environment variables, e.g. `REPORTPARSE_MAX_PDF_PAGES=1000`, or in code with
`reportparse.limits.set_limits(Limits(max_pdf_pages=1000))`. See docs/robustness.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

_ENV_PREFIX = "REPORTPARSE_"


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 100.0  # any input file
    max_unzipped_mb: float = 200.0  # all entries of a DOCX/ODT container together
    # one XML part parsed into a tree (a tree takes ~25 times its text): a 30-page report's
    # document.xml is 1–5 MB
    max_xml_mb: float = 32.0
    # a PDF's Flate streams that text extraction inflates (not images), together
    max_inflated_mb: float = 256.0
    max_zip_entries: int = 10_000
    max_html_depth: int = 500  # element nesting
    max_pdf_pages: int = 300  # pages read; the rest is reported, not read
    timeout_s: float = 60.0  # per file in `check` batches, and per LibreOffice conversion
    # OCR (docs/formats/ocr.md): every page or picture OCR reads adds `ocr_page_s` to its file's
    # time limit, `ocr_allowance_s` at most in all: a scan is not cut off at 60 s, and a
    # 300-page one still ends with a timeout finding
    ocr_page_s: float = 30.0
    ocr_allowance_s: float = 900.0
    # address space of each `check` worker process: past it, allocations fail and the file gets
    # EXT-003 instead of taking the machine down
    max_worker_memory_mb: float = 4096.0

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_unzipped_bytes(self) -> int:
        return int(self.max_unzipped_mb * 1024 * 1024)

    @property
    def max_inflated_bytes(self) -> int:
        return int(self.max_inflated_mb * 1024 * 1024)

    @property
    def max_xml_bytes(self) -> int:
        return int(self.max_xml_mb * 1024 * 1024)


def from_env(environ: dict[str, str] | None = None) -> Limits:
    """Defaults overridden by REPORTPARSE_<FIELD> variables (e.g. REPORTPARSE_TIMEOUT_S=30)."""
    env = os.environ if environ is None else environ
    values: dict[str, float | int] = {}
    for f in fields(Limits):
        raw = env.get(_ENV_PREFIX + f.name.upper())
        if raw is None:
            continue
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(f"环境变量 {_ENV_PREFIX}{f.name.upper()} 的值「{raw}」不是数字") from None
        if number <= 0:
            raise ValueError(f"环境变量 {_ENV_PREFIX}{f.name.upper()} 必须大于 0")
        values[f.name] = int(number) if f.type in (int, "int") else number
    return Limits(**values)  # type: ignore[arg-type]


_current: Limits | None = None


def limits() -> Limits:
    global _current
    if _current is None:
        try:
            _current = from_env()
        except ValueError:
            _current = Limits()
    return _current


def set_limits(new: Limits | None) -> None:
    """Replace the limits for this process (None: back to defaults and environment)."""
    global _current
    _current = new
