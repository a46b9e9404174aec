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
        '也可在 reportparse.toml 中设 ocr = "…"。识别每页约需 10–15 秒，检查扫描件时请调高 --timeout。'
        "见 docs/formats/ocr.md",
    )
