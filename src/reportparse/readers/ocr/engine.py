"""The OCR engine: RapidOCR (PP-OCRv4 detection and recognition on ONNX Runtime), whose models
ship inside the `rapidocr-onnxruntime` wheel, so nothing is downloaded at run time.

It is imported only when a page needs it (the `ocr` extra); `available()` says whether it is
installed. Each process builds one engine, with one thread: `check -j N` parallelises over
files, and ONNX Runtime's own threads would only fight the other workers for the cores.
docs/formats/ocr.md compares it with Tesseract on the fixtures.
"""

from __future__ import annotations

import hashlib
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
    # the recogniser's runners-up for this character, with their probabilities (best first)
    alternatives: tuple[tuple[str, float], ...] = ()


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]  # the optional extra

    # text_score 0: keep every reading with its confidence; deciding what is trusted is ours
    engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, text_score=0.0, print_verbose=False)
    engine.text_rec.postprocess_op = _WithAlternatives(engine.text_rec.postprocess_op)
    return engine


# Text lines are found on the image shrunk to at most this many pixels on its longer side (an A4
# page at 200 dpi is found at its own size) and read from the full image. Finding them on a
# smaller copy, or on the inked part only (the margins cut off), was measured to merge or lose
# lines of the tables (docs/formats/ocr.md, "Speed"): the detector's input is as RapidOCR's own.
DETECT_SIDE = 3500
# runners-up below this probability are not alternatives worth trying
_ALTERNATIVE_FLOOR = 0.001
_ALTERNATIVES = 3

# characters the recognition model gives for punctuation it confuses: the dot 丶 (a radical) for
# the enumeration comma 、 that numbers every heading (四、…)
_MISREAD = str.maketrans({"丶": "、"})


class _Scores(list[float]):
    """The per-character probabilities of a line with, for each character, the recogniser's
    runners-up: they ride along RapidOCR's own result (it passes this list through unchanged)."""

    alternatives: list[tuple[tuple[str, float], ...]]


class _WithAlternatives:
    """RapidOCR's CTC decoding, plus the top candidates at each character it emits (the best
    class other than the one chosen, over the frames the character spans): the readings the
    template's sums may choose from (`checksum`)."""

    def __init__(self, decode: Any) -> None:
        self.decode = decode

    def __call__(self, preds: np.ndarray, return_word_box: bool = False, **kwargs: Any) -> Any:
        out = self.decode(preds, return_word_box, **kwargs)
        if not return_word_box:
            return out
        best = preds.argmax(axis=2)
        chars = self.decode.character
        for b, item in enumerate(out):
            frames = best[b]
            chosen = np.ones(len(frames), dtype=bool)
            chosen[1:] = frames[1:] != frames[:-1]
            chosen &= frames != 0  # the CTC blank
            starts = np.nonzero(chosen)[0]
            per_char: list[tuple[tuple[str, float], ...]] = []
            for start in starts:
                end = start + 1
                while end < len(frames) and frames[end] == frames[start]:
                    end += 1
                probs = preds[b, start:end].max(axis=0)
                top = np.argsort(probs)[::-1][: _ALTERNATIVES + 2]
                per_char.append(
                    tuple(
                        (chars[i], round(float(probs[i]), 4))
                        for i in top
                        if i not in (0, frames[start]) and probs[i] >= _ALTERNATIVE_FLOOR
                    )[:_ALTERNATIVES]
                )
            scores = _Scores(item[2][4])
            scores.alternatives = per_char if len(per_char) == len(scores) else []
            item[2][4] = scores
        return out


def recognize(image: np.ndarray) -> list[OcrChar]:
    """Every character found in a grayscale image, with its own box and confidence."""
    engine = _engine()
    gray = image if image.ndim == 2 else image.mean(axis=2).astype(np.uint8)
    height, width = gray.shape
    key = _key(gray)
    if key in _READ:
        return list(_READ[key])
    factor = min(1.0, DETECT_SIDE / max(height, width))
    small = _shrunk(gray, factor)
    small_rgb, record = engine.maybe_add_letterbox(np.repeat(small[:, :, None], 3, axis=2), {})
    boxes, _ = engine.text_det(small_rgb)
    if boxes is None or len(boxes) == 0:
        return []
    top = float(record.get("padding_1", {}).get("top", 0))
    full: list[np.ndarray] = []
    for box in engine.sorted_boxes(boxes):
        box = box.astype(np.float32).copy()
        box[:, 1] -= top
        box /= factor
        box[:, 0] = np.clip(box[:, 0], 0, width)
        box[:, 1] = np.clip(box[:, 1], 0, height)
        full.append(box)
    rgb = np.repeat(gray[:, :, None], 3, axis=2)
    crops = engine.get_crop_img_list(rgb, full)
    readings, _ = engine.text_rec(crops, True)
    readings = engine.cal_rec_boxes(crops, full, readings)
    chars: list[OcrChar] = []
    for n, (box, reading) in enumerate(zip(full, readings, strict=True)):
        chars += [replace(c, line=n) for c in _line_chars([box.tolist(), *reading])]
    _READ[key] = tuple(chars)
    while len(_READ) > _REMEMBER:
        del _READ[next(iter(_READ))]
    return chars


# the last images read, by content: the same picture in two documents of a run (a web page and
# the DOCX it was made from) is read once per process
_REMEMBER = 4
_READ: dict[tuple[tuple[int, ...], bytes], tuple[OcrChar, ...]] = {}


def _key(gray: np.ndarray) -> tuple[tuple[int, ...], bytes]:
    return gray.shape, hashlib.blake2b(np.ascontiguousarray(gray).tobytes(), digest_size=16).digest()


def _shrunk(gray: np.ndarray, factor: float) -> np.ndarray:
    if factor >= 1.0:
        return gray
    from PIL import Image

    size = (max(1, round(gray.shape[1] * factor)), max(1, round(gray.shape[0] * factor)))
    return np.array(Image.fromarray(gray).resize(size, Image.Resampling.BOX))


def _line_chars(line: list[Any]) -> list[OcrChar]:
    box, text, score = line[0], str(line[1]).translate(_MISREAD), float(line[2])
    words = line[3] if len(line) > 5 else []
    pieces = [str(p).translate(_MISREAD) for p in line[4]] if len(line) > 5 else []
    scores = line[5] if len(line) > 5 else []
    alternatives = getattr(scores, "alternatives", None) or [()] * len(text)
    if len(alternatives) != len(text):
        alternatives = [()] * len(text)
    out: list[OcrChar] = []
    if (
        words
        and len(words) == len(pieces) == len(scores) == len(text)
        and "".join(pieces).replace(" ", "") == text.replace(" ", "")
    ):
        for word_box, piece, conf, alts in zip(words, pieces, scores, alternatives, strict=True):
            out += _split(str(piece), _bounds(word_box), float(conf), [alts])
        return out
    # no usable word boxes: share the line's box among its characters
    return _split(text, _bounds(box), score, alternatives)


def _bounds(points: Any) -> tuple[float, float, float, float]:
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _split(
    text: str,
    box: tuple[float, float, float, float],
    conf: float,
    alternatives: list[tuple[tuple[str, float], ...]] | None = None,
) -> list[OcrChar]:
    """Characters of one box, each given a width by its kind (a Chinese character is about
    twice as wide as a digit or a Latin letter); `alternatives` by position in `text`."""
    alts = alternatives if alternatives is not None and len(alternatives) == len(text) else [()] * len(text)
    chars = [(c, a) for c, a in zip(text, alts, strict=True) if not c.isspace()]
    if not chars:
        return []
    weights = [0.55 if c.isascii() else 1.0 for c, _ in chars]
    x0, top, x1, bottom = box
    unit = (x1 - x0) / sum(weights)
    out = []
    x = x0
    for (c, a), w in zip(chars, weights, strict=True):
        out.append(OcrChar(c, x, top, x + w * unit, bottom, conf, alternatives=a))
        x += w * unit
    return out
