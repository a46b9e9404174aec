"""Where a finding is, in terms a person can follow in any format.

A sentence is located by its part (一 … 六, 0 for the text before part 一), its paragraph in that
part and a short quote — `第一部分第3段「…全年共收到申请12件…」` — plus whatever the reader knows
of that paragraph (a PDF page, a text line, an HTML or Word element path). A finding about the
report as a whole points at its title; one about a part, at the part's heading.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from ..model import Loc, Report

QUOTE = 40  # characters of a quote at most
_SENTENCE_END = "。！？；;!?\n"
_REACH = 4 * QUOTE


def in_text(report: Report, number: int, start: int, end: int | None = None) -> Loc:
    """The sentence around text[start:end] of part `number` (0: the preamble)."""
    end = start if end is None else end
    starts: tuple[int, ...] = ()
    locs: tuple[Loc, ...] = ()
    if number == 0:
        text, base = report.preamble, report.preamble_loc
    else:
        section = report.section(number)
        if section is None:
            return of_report(report)
        text, starts, locs, base = section.text, section.paragraph_starts, section.paragraph_locs, section.loc
    k = max(bisect.bisect_right(starts, start) - 1, 0) if starts else 0
    paragraph = k + 1 if starts else text.count("\n", 0, start) + 1
    own = locs[k] if k < len(locs) else base
    return replace(
        own or Loc(file=report.source.path),
        section=number,
        paragraph=paragraph,
        quote=quote(text, start, end),
    )


def quote(text: str, start: int, end: int) -> str:
    """The sentence that holds text[start:end], cut around it to QUOTE characters."""
    # a sentence is looked for no further than _REACH characters either side: the quote is cut
    # to QUOTE anyway, and a text without sentence ends must not cost a scan per finding
    lo, hi = max(0, start - _REACH), min(len(text), max(start, end - 1) + _REACH)
    left = max(max((text.rfind(ch, lo, start) for ch in _SENTENCE_END), default=-1) + 1, lo)
    ends = [i for ch in _SENTENCE_END if (i := text.find(ch, max(start, end - 1), hi)) >= 0]
    right = min(ends) + 1 if ends else hi
    sentence = text[left:right].strip().rstrip("\n")
    if len(sentence) <= QUOTE:
        return sentence
    # keep the match in view: centre the window on it
    centre = (start + end) // 2 - left
    lo = max(0, min(centre - QUOTE // 2, len(sentence) - QUOTE))
    cut = sentence[lo : lo + QUOTE]
    return ("…" if lo > 0 else "") + cut + ("…" if lo + QUOTE < len(sentence) else "")


def of_section(report: Report, number: int) -> Loc:
    """A part's heading; the title when the report has no such part."""
    section = report.section(number)
    if section is None:
        return of_report(report)
    return replace(section.loc, section=number)


def of_report(report: Report) -> Loc:
    """The report as a whole: its title (or the file when no title was read)."""
    if report.title_loc is not None:
        return replace(report.title_loc, quote=report.meta.title)
    return Loc(file=report.source.path, quote=report.meta.title)
