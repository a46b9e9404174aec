"""Structure-aware mutations of report files: bytes, text layout, zip containers, XML, HTML, PDF.

Each mutator takes the seed bytes and a `random.Random` and returns new bytes. `mutate()` picks
mutators that fit the seed's format, so a DOCX seed gets zip-level damage as well as byte flips.
"""

from __future__ import annotations

import io
import random
import re
import warnings
import zipfile
from collections.abc import Callable

Mutator = Callable[[bytes, random.Random], bytes]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)] if data else data


def splice(data: bytes, rng: random.Random) -> bytes:
    """Copy a slice of the file somewhere else (duplicated rows, repeated headers, garbage)."""
    if len(data) < 4:
        return data
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randint(1, 4096))
    at = rng.randrange(len(data))
    return data[:at] + data[a:b] + data[at:]


def delete_span(data: bytes, rng: random.Random) -> bytes:
    if len(data) < 4:
        return data
    a = rng.randrange(len(data))
    return data[:a] + data[a + rng.randint(1, 2048) :]


_TEXT_TOKENS = [
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "|",
    " ",
    "　",
    "0",
    "12",
    "-3",
    "—",
    "一、",
    "5、",
    "（七）总计",
    "四、结转下年度继续办理",
    "[bookmark: _Hlk1]",
    "\ufeff",
    "\u0000",
    "元",
    "1.5",
    "9" * 30,
    "三、收到和处理政府信息公开申请情况",
    "第二十条第（一）项",
    "行政复议",
    "。",
    "\ufffd",
]


def text_noise(data: bytes, rng: random.Random) -> bytes:
    """Insert tokens that matter to the text reader and the mapper at random places."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return flip_bytes(data, rng)
    for _ in range(rng.randint(1, 20)):
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(_TEXT_TOKENS) + text[at:]
    return text.encode("utf-8")


def shuffle_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    if len(lines) > 2:
        a = rng.randrange(len(lines))
        b = min(len(lines), a + rng.randint(2, 40))
        chunk = lines[a:b]
        rng.shuffle(chunk)
        lines[a:b] = chunk
    return b"\n".join(lines)


def reencode(data: bytes, rng: random.Random) -> bytes:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    enc = rng.choice(["gb18030", "utf-16", "utf-16-le", "big5", "latin-1", "utf-8-sig"])
    return text.encode(enc, errors="replace")


def _rezip(data: bytes, edit: Callable[[list[tuple[zipfile.ZipInfo, bytes]]], None]) -> bytes:
    try:
        zin = zipfile.ZipFile(io.BytesIO(data))
        entries = [(info, zin.read(info)) for info in zin.infolist()]
    except Exception:
        return data
    edit(entries)
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        warnings.simplefilter("ignore")  # duplicate entry names are the point of one mutator
        for info, body in entries:
            zout.writestr(info, body)
    return out.getvalue()


def zip_drop_entry(data: bytes, rng: random.Random) -> bytes:
    def edit(entries: list[tuple[zipfile.ZipInfo, bytes]]) -> None:
        if entries:
            entries.pop(rng.randrange(len(entries)))

    return _rezip(data, edit)


def zip_duplicate_entry(data: bytes, rng: random.Random) -> bytes:
    def edit(entries: list[tuple[zipfile.ZipInfo, bytes]]) -> None:
        if entries:
            entries.append(entries[rng.randrange(len(entries))])

    return _rezip(data, edit)


def zip_mangle_xml(data: bytes, rng: random.Random) -> bytes:
    """Damage one XML part: drop a closing tag, insert an entity or nest deeply."""

    def edit(entries: list[tuple[zipfile.ZipInfo, bytes]]) -> None:
        xml = [i for i, (info, _) in enumerate(entries) if info.filename.endswith(".xml")]
        if not xml:
            return
        k = rng.choice(xml)
        info, body = entries[k]
        entries[k] = (info, mangle_markup(body, rng))

    return _rezip(data, edit)


_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
)


def mangle_markup(body: bytes, rng: random.Random) -> bytes:
    choice = rng.randrange(5)
    if choice == 0:
        closing = [m.start() for m in re.finditer(rb"</", body)]
        if closing:
            at = rng.choice(closing)
            end = body.find(b">", at)
            return body[:at] + body[end + 1 :]
    if choice == 1:
        return _BOMB + re.sub(rb"^<\?xml[^>]*\?>", b"", body)[:2000] + b"&d;"
    if choice == 2:
        depth = rng.randint(100, 5000)
        at = rng.randrange(len(body) + 1)
        return body[:at] + b"<div>" * depth + body[at:]
    if choice == 3:
        return body.replace(b'rowspan="', b'rowspan="9999', 1).replace(b'colspan="', b'colspan="-', 1)
    return flip_bytes(body, rng)


def html_noise(data: bytes, rng: random.Random) -> bytes:
    return mangle_markup(data, rng)


def pdf_corrupt_object(data: bytes, rng: random.Random) -> bytes:
    """Damage a PDF object: its stream bytes, its length, or the xref offsets."""
    objs = [m.start() for m in re.finditer(rb"\d+ 0 obj", data)]
    if not objs:
        return flip_bytes(data, rng)
    at = rng.choice(objs)
    kind = rng.randrange(3)
    if kind == 0:
        return data[:at] + bytes(rng.randrange(256) for _ in range(64)) + data[at + 64 :]
    if kind == 1:
        return re.sub(rb"/Length \d+", b"/Length 999999", data, count=1)
    return re.sub(rb"startxref\s+\d+", b"startxref\n12", data)


def mutators_for(data: bytes) -> list[Mutator]:
    common: list[Mutator] = [flip_bytes, truncate, splice, delete_span]
    if data.startswith(b"PK"):
        return [*common, zip_drop_entry, zip_duplicate_entry, zip_mangle_xml, zip_mangle_xml]
    if data.startswith(b"%PDF"):
        return [*common, pdf_corrupt_object, pdf_corrupt_object]
    if b"<html" in data[:2048].lower() or b"<table" in data[:4096].lower():
        return [*common, html_noise, html_noise, text_noise, reencode]
    return [*common, text_noise, text_noise, shuffle_lines, reencode]


def mutate(data: bytes, rng: random.Random, rounds: int | None = None) -> bytes:
    for _ in range(rounds or rng.randint(1, 3)):
        data = rng.choice(mutators_for(data))(data, rng)
    return data
