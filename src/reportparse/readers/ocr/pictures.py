"""Tables published as pictures on a web page (EXT-005 from the HTML reader): a picture whose
file is on disk beside the page (`images/t3.png` next to `report.html`, or `/images/t3.png` under
the page's folder) is read by OCR and its table put where the picture stands. Nothing is
fetched from the network; a picture that is not there keeps the reader's finding."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import html as lxml_html

from ...document import Block, Document, Table
from ...limits import limits
from ...model import ExtractionNote
from .. import ReadError
from . import OcrMode, needs_engine, read_note
from .raster import decode_image, picture_page

# a picture's scale (pixels per point) is not known; OCR measures it from the text it reads
_PICTURE_SCALE = 0.0


def ocr_pictures(document: Document, data: bytes, mode: OcrMode) -> Document:
    if document.format == "docx":
        return _docx_pictures(document, data)
    if document.format != "html" or not document.path:
        return document
    notes = [n for n in document.notes if n.rule == "EXT-005" and n.data.get("kind") == "image"]
    found = [(n, f) for n in notes if (f := _local_file(document.path, str(n.data.get("url") or "")))]
    if not found:
        return document
    if (hinted := needs_engine(document, [n for n, _ in found])) is not None:
        return hinted
    from .read import merge_blocks, read_images

    lines = _image_lines(data)
    blocks: tuple[Block, ...] = document.blocks
    dropped: set[int] = set()
    added: list[ExtractionNote] = []
    for note, file in found:
        gray = decode_image(file.read_bytes()) if file.stat().st_size <= limits().max_file_bytes else None
        if gray is None:
            continue
        line = lines.get(str(note.data.get("url")), 0)
        result = read_images([picture_page(gray, 1, _PICTURE_SCALE)], document.path, headers=False)
        if not result.chars:
            continue
        placed = tuple(replace(b, loc=replace(b.loc, page=None, line=line)) for b in result.blocks)
        blocks = merge_blocks(blocks, placed, by_line=True)
        dropped.add(id(note))
        added += result.notes
        added.append(read_note(document.path, f"图片 {note.data.get('url')} 中的表格", [], result.chars))
    kept = tuple(n for n in document.notes if id(n) not in dropped)
    return replace(document, blocks=blocks, notes=(*kept, *added))


def _docx_pictures(document: Document, data: bytes) -> Document:
    """Pictures in a DOCX that may be tables (EXT-005 from the DOCX reader, with the picture's
    part and the number of blocks before it): each read by OCR, and the tables found in it put
    where the picture stands. A picture with no table in it keeps the reader's finding."""
    notes = [n for n in document.notes if n.rule == "EXT-005" and n.data.get("part")]
    if not notes:
        return document
    if (hinted := needs_engine(document, notes)) is not None:
        return hinted
    from ..docx.package import Package
    from .read import read_images

    package = Package(data, document.path)
    blocks = list(document.blocks)
    dropped: set[int] = set()
    added: list[ExtractionNote] = []
    # from the last picture back, so the positions of the earlier ones stay right
    for note in sorted(notes, key=lambda n: int(n.data.get("block") or 0), reverse=True):
        try:
            gray = decode_image(package.read(str(note.data["part"])))
        except ReadError:
            gray = None  # too large or damaged: the reader's finding stays
        if gray is None:
            continue
        result = read_images([picture_page(gray, 1, _PICTURE_SCALE)], document.path, headers=False)
        tables = [replace(b, loc=replace(b.loc, page=None)) for b in result.blocks if isinstance(b, Table)]
        if not tables:
            continue
        at = min(int(note.data.get("block") or 0), len(blocks))
        blocks[at:at] = tables
        dropped.add(id(note))
        added += result.notes
        added.append(read_note(document.path, f"图片 {note.data.get('url')} 中的表格", [], result.chars))
    kept = tuple(n for n in document.notes if id(n) not in dropped)
    return replace(document, blocks=tuple(blocks), notes=(*kept, *added))


def _local_file(page: str, url: str) -> Path | None:
    """The picture's file beside the page, inside the page's folder; None for a web address."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    folder = Path(page).resolve().parent
    candidate = (folder / unquote(parts.path).lstrip("/")).resolve()
    if not candidate.is_relative_to(folder) or not candidate.is_file():
        return None
    return candidate


def _image_lines(data: bytes) -> dict[str, int]:
    """The source line of each `<img>`, by its src: where the picture's table goes among the
    blocks (HTML blocks carry their source line)."""
    try:
        root = lxml_html.fromstring(data)
    except (ValueError, lxml_html.etree.ParserError):
        return {}
    out: dict[str, int] = {}
    for img in root.iter("img"):
        src = img.get("src")
        if src and src not in out:
            line = img.sourceline
            out[src] = line if isinstance(line, int) else 0
    return out
