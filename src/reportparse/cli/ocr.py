"""`--ocr never|auto|always`, the same option on `parse` and `check` (docs/formats/ocr.md)."""

from __future__ import annotations

import argparse

from ..config import OCR_MODES


def add_ocr_argument(p: argparse.ArgumentParser) -> None:
    """--ocr, the same on `parse` and `check`."""
    p.add_argument(
        "--ocr",
        choices=OCR_MODES,
        default=None,
        help="OCR 文字识别（需安装 pip install 'reportparse[ocr]'）：auto（默认，仅识别没有可用文字层的扫描页、"
        "乱码页和图片形式的表格）、always（PDF 每页都按图像识别）、never（不识别）；"
        '也可在 reportparse.toml 中设 ocr = "…"。识别每页约需 10–15 秒：每识别一页，该文件的时间上限（--timeout）自动增加 30 秒，最多增加 900 秒（环境变量 REPORTPARSE_OCR_PAGE_S、REPORTPARSE_OCR_ALLOWANCE_S）。'
        "见 docs/formats/ocr.md",
    )
