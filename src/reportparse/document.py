"""The format-neutral document every reader produces.

A reader turns bytes into a `Document`: an ordered list of blocks, each a `Paragraph` or a
`Table`. Readers know nothing about the report template; everything template-specific happens
in `segment` and `mapping`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .model import ExtractionNote, Loc


@dataclass(frozen=True)
class Paragraph:
    text: str
    loc: Loc


@dataclass(frozen=True)
class TableCell:
    """One cell of a source grid.

    `row`/`col` are the cell's top-left position in the grid; a merged cell appears once with
    its spans, never copied into the positions it covers.
    """

    text: str
    row: int
    col: int
    loc: Loc
    rowspan: int = 1
    colspan: int = 1
    # Read by OCR: the lowest confidence of its characters (0..1); None when the text was printed
    confidence: float | None = None
    # Why the reader could not read this cell (OCR unsure, or ink OCR could not read): the mapper
    # leaves it unread with an EXT-007 finding instead of trusting a guessed value
    unread: str | None = None
    # Read by OCR: other readings of the cell from the recogniser's runners-up, most likely first
    # (readers/ocr/checksum.py lets the template's sums choose among them)
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    cells: tuple[TableCell, ...]
    loc: Loc
    # False where the source does not say where merged cells sit (plain text): a row's cells
    # are then only known in reading order, and `col` is the position within the row.
    spans_known: bool = True
    # "right" or "left": the table runs off that edge of the page (a PDF): columns beyond it are
    # not in the file at all, so its rows may hold fewer cells than they had
    cut_off: str = ""

    @property
    def n_rows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    def rows(self) -> list[list[TableCell]]:
        """Cells grouped by the row they start in, left to right."""
        out: list[list[TableCell]] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            out[cell.row].append(cell)
        for row in out:
            row.sort(key=lambda c: c.col)
        return out


Block = Paragraph | Table


@dataclass(frozen=True)
class Document:
    blocks: tuple[Block, ...]
    format: str
    path: str | None = None
    encoding: str | None = None
    # Page-level facts a reader found outside the body (HTML metadata box, crawler header,
    # document properties): e.g. {"published": "2024-01-20", "title": "…", "organization": "…"}.
    properties: dict[str, Any] = field(default_factory=dict)
    notes: tuple[ExtractionNote, ...] = ()

    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
