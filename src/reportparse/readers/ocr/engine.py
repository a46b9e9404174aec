"""The OCR engine: RapidOCR (PP-OCRv4 detection and recognition on ONNX Runtime), whose models
ship inside the `rapidocr-onnxruntime` wheel, so nothing is downloaded at run time.

It is imported only when a page needs it (the `ocr` extra); `available()` says whether it is
installed. Each process builds one engine, with one thread: `check -j N` parallelises over
files, and ONNX Runtime's own threads would only fight the other workers for the cores.
docs/formats/ocr.md compares it with Tesseract on the fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np


@dataclass(frozen=True)
class OcrChar:
    """One recognised character, its box in pixels of the image read and its confidence."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float
    line: int = 0  # which text line of the image OCR found it in


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]  # the optional extra

    # text_score 0: keep every reading with its confidence; deciding what is trusted is ours
    # max_side_len: an A4 page at 200 dpi (2339 px) or a tall picture of a table is read at its own
    # size; the default (2000) shrinks it and the digits lose confidence
    return RapidOCR(
        intra_op_num_threads=1, inter_op_num_threads=1, text_score=0.0, print_verbose=False, max_side_len=3500
    )


# characters the recognition model gives for punctuation it confuses: the dot 丶 (a radical) for
# the enumeration comma 、 that numbers every heading (四、…)
_MISREAD = str.maketrans({"丶": "、"})


def recognize(image: np.ndarray) -> list[OcrChar]:
    """Every character found in a grayscale image, with its own box and confidence."""
    rgb = np.repeat(image[:, :, None], 3, axis=2) if image.ndim == 2 else image
    result, _ = _engine()(rgb, use_cls=False, return_word_box=True, text_score=0.0)
    chars: list[OcrChar] = []
    for n, line in enumerate(result or []):
        chars += [replace(c, line=n) for c in _line_chars(line)]
    return chars


def _line_chars(line: list[Any]) -> list[OcrChar]:
    box, text, score = line[0], str(line[1]).translate(_MISREAD), float(line[2])
    words = line[3] if len(line) > 5 else []
    pieces = [str(p).translate(_MISREAD) for p in line[4]] if len(line) > 5 else []
    scores = line[5] if len(line) > 5 else []
    out: list[OcrChar] = []
    if (
        words
        and len(words) == len(pieces) == len(scores)
        and "".join(pieces).replace(" ", "") == text.replace(" ", "")
    ):
        for word_box, piece, conf in zip(words, pieces, scores, strict=True):
            out += _split(str(piece), _bounds(word_box), float(conf))
        return out
    # no usable word boxes: share the line's box among its characters
    return _split(text, _bounds(box), score)


def _bounds(points: Any) -> tuple[float, float, float, float]:
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _split(text: str, box: tuple[float, float, float, float], conf: float) -> list[OcrChar]:
    """Characters of one box, each given a width by its kind (a Chinese character is about
    twice as wide as a digit or a Latin letter)."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return []
    weights = [0.55 if c.isascii() else 1.0 for c in chars]
    x0, top, x1, bottom = box
    unit = (x1 - x0) / sum(weights)
    out = []
    x = x0
    for c, w in zip(chars, weights, strict=True):
        out.append(OcrChar(c, x, top, x + w * unit, bottom, conf))
        x += w * unit
    return out
