"""The objects a PDF page is read into: glyphs, text lines, table fragments (a ruled or
unruled table as found on one page, later stitched over page breaks) and image marks."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False, slots=True)
class TextBox:
    """Text with its box (x from the left, `top`/`bottom` from the top of the page) and font
    size. Pages hold thousands of glyphs: slotted classes, compared by identity."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass(eq=False, slots=True)
class Glyph(TextBox):
    upright: bool = True
    turn: int = 0  # the way its text runs, in quarter turns counter-clockwise (0, 90, 180, 270)
    # its centre, stored rather than computed each time it is compared with a cell
    cx: float = field(init=False, repr=False)
    cy: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.cx = (self.x0 + self.x1) / 2
        self.cy = (self.top + self.bottom) / 2


@dataclass(eq=False, slots=True)
class TextLine(TextBox):
    page: int


@dataclass(slots=True)
class FragCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: tuple[float, float, float, float]
    page: int
    text: str

    def moved(self, row: int, col: int | None = None, colspan: int | None = None) -> FragCell:
        """A copy at another row (and columns): stitching renumbers thousands of cells, and
        `dataclasses.replace` costs ten times this."""
        return FragCell(
            row,
            self.col if col is None else col,
            self.rowspan,
            self.colspan if colspan is None else colspan,
            self.bbox,
            self.page,
            self.text,
        )


@dataclass
class Fragment:
    """A ruled table, first as found on one page, then possibly stitched over page breaks."""

    page: int
    last_page: int
    xs: tuple[float, ...]
    bbox: tuple[float, float, float, float]  # on the first page
    n_rows: int
    cells: list[FragCell]
    issues: list[str] = field(default_factory=list)
    # Fewer than three rows or two columns: a table only as part of one continued over a page
    # break; otherwise (a boxed heading or note) its text stays narrative, as `lines`.
    small: bool = False
    lines: list[TextLine] = field(default_factory=list)
    cut: str = ""  # "right"/"left": the table runs off that edge of the page
    ruled: bool = True  # False: rebuilt from text positions (`unruled`)
    lead: int = 0  # unruled: rows before its first body row (header, or a label run on from a page)


@dataclass(frozen=True)
class ImageMark:
    page: int
    top: float
    bbox: tuple[float, float, float, float]


@dataclass
class PageContent:
    number: int
    width: float
    height: float
    lines: list[TextLine]
    fragments: list[Fragment]
    images: list[ImageMark]
    n_glyphs: int = 0
    n_bad: int = 0
    repaired: int = 0


Item = TextLine | Fragment | ImageMark


def item_top(item: Item) -> float:
    return item.bbox[1] if isinstance(item, Fragment) else item.top


# --- one page: glyphs, grids, lines -----------------------------------------------------------


def round_box(b: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return (round(b[0], 2), round(b[1], 2), round(b[2], 2), round(b[3], 2))
