"""A PDF whose streams inflate past what a report can need is refused before any engine opens it.

A few MB of Flate data can inflate to gigabytes (zlib reaches ~1000:1), and both engines
inflate a page's content streams whole when the page is read. So before either opens the file,
the Flate streams that text extraction inflates (content streams, fonts, forms — not images,
which are never decoded here) are inflated once, incrementally, with a running cap
(`Limits.max_inflated_mb`): memory stays bounded whatever the file says. When all the Flate
data together could not reach the cap even at zlib's best ratio, nothing is inflated at all —
the case of every real report — so the check costs nothing there.
"""

from __future__ import annotations

import re
import zlib

_STREAM_RE = re.compile(rb"stream\r?\n")
_ZLIB_MAX_RATIO = 1032  # the most zlib's deflate can expand
_DICT_BEFORE = 512  # bytes before `stream` searched for its dictionary
_CHUNK = 1 << 20


def _flate_streams(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each Flate stream that is not an image, by a plain scan of the bytes."""
    out: list[tuple[int, int]] = []
    pos = 0
    while (m := _STREAM_RE.search(data, pos)) is not None:
        end = data.find(b"endstream", m.end())
        if end < 0:
            break
        head = data[max(0, m.start() - _DICT_BEFORE) : m.start()]
        head = head[head.rfind(b"obj") + 1 :] if b"obj" in head else head
        if b"FlateDecode" in head and b"/Image" not in head:
            out.append((m.end(), end))
        pos = end + 9
    return out


def inflated_size(data: bytes, cap: int) -> int:
    """How much the text-relevant Flate streams inflate to, counted up to just past `cap`."""
    streams = _flate_streams(data)
    if sum(end - start for start, end in streams) * _ZLIB_MAX_RATIO <= cap:
        return 0  # could not reach the cap: nothing to inflate
    total = 0
    for start, end in streams:
        inflater = zlib.decompressobj()
        pending = data[start:end]
        while pending and total <= cap:
            try:
                total += len(inflater.decompress(pending, min(_CHUNK, cap - total + 1)))
            except zlib.error:
                break  # damaged or encrypted: the engines will say so
            pending = inflater.unconsumed_tail
        if total > cap:
            break
    return total
