"""The input formats, one row each: what `sniff` names, which reader reads it, which file names
`check` takes from a folder without looking inside.

Everything that lists formats reads this table: `READER_MODULES`, the name tie-break in
`sniff`, finding files (`batch/discover.py`) and the help of `check`. A new format is a reader
module (`read(data, path) -> Document`) and a row; a test of its bytes in `sniff.py` lets it be
recognised whatever its name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormatSpec:
    id: str  # what sniff() returns and Source.format holds
    module: str  # reportparse.readers.<module>
    suffixes: tuple[str, ...]  # taken from a folder without looking inside
    converter: str | None = None  # an outside program the reader needs ("soffice": EXT-011 without it)


# In the order of the help of `check`.
FORMATS: tuple[FormatSpec, ...] = (
    FormatSpec("text", "text", (".txt", ".md")),
    FormatSpec("html", "html", (".html", ".htm", ".shtml")),
    FormatSpec("docx", "docx", (".docx",)),
    # .dot and .wpt (Word and WPS templates) are read too when their bytes say OLE, but are not
    # taken by name: .dot is also Graphviz's suffix.
    FormatSpec("legacy_office", "legacy", (".doc", ".wps", ".rtf", ".odt"), converter="soffice"),
    FormatSpec("pdf", "pdf", (".pdf",)),
)

REPORT_SUFFIXES = frozenset(s for f in FORMATS for s in f.suffixes)
