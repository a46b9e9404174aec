"""Generated text fixtures (tests/fixtures/text, written by generator/make_text.py) parse to their spec."""

from __future__ import annotations

from pathlib import Path

import pytest

import reportparse
from conftest import FIXTURES
from helpers import cell_differences, load_spec

TEXT = FIXTURES / "text"
REPORTS = sorted(p for p in TEXT.iterdir() if not p.name.endswith(".json"))
# complete reports of a standard template (the others are the cases of tests/test_trust.py)
EXACT = [p for p in REPORTS if not p.name.startswith("crawler") and len(load_spec(p)["tables_printed"]) == 3]


@pytest.mark.parametrize("path", EXACT, ids=lambda p: p.name)
def test_fixture_cells_and_meta(path: Path) -> None:
    spec = load_spec(path)
    r = reportparse.parse(path)
    assert cell_differences(r, spec) == []
    assert r.meta.year == spec["year"]
    assert r.meta.template == spec["version"]
    assert r.meta.organization == spec["organization"]
    assert r.meta.title == spec["title"]
    assert [s.number for s in r.sections] == [1, 2, 3, 4, 5, 6]
    assert {str(s.number): s.heading for s in r.sections} == spec["headings"]
    assert [n.rule for n in r.extraction_notes if n.rule] == []


def test_messy_variants_are_recorded() -> None:
    r = reportparse.parse(TEXT / "messy-2021.tika.txt")
    assert r.sections[1].glued is True
    assert r.sections[4].numbering == "5、"
    assert any(n.code == "artifacts" for n in r.extraction_notes)


def test_blank_cells_stay_blank() -> None:
    r = reportparse.parse(TEXT / "blanks-2021.tika.txt")
    assert r.applications is not None and r.active_disclosure is not None
    blank = [c for c in r.applications.cells.values() if c.kind == "blank"]
    assert blank and all(c.value is None and c.raw == "" for c in blank)
    dash = r.active_disclosure.cells["regulations.repealed"]
    assert (dash.kind, dash.value, dash.raw) == ("dash", None, "—")


def test_crawler_capture_reads_only_what_the_sums_pin_down() -> None:
    path = TEXT / "crawler-2021.txt"
    spec = load_spec(path)
    r = reportparse.parse(path)
    assert cell_differences(r, spec, allow_unread=True) == []  # never a wrong value
    assert r.applications is not None and r.review_litigation is not None and r.active_disclosure is not None
    assert len(r.applications.cells) == 175 and len(r.review_litigation.cells) == 15
    # table 二 has no sums: runs like "2433606557" have many readings and stay unread, with a finding
    assert set(r.active_disclosure.unread_cells) == {
        "regulations.issued",
        "regulations.repealed",
        "regulations.in_force",
        "normative_documents.issued",
        "normative_documents.repealed",
        "normative_documents.in_force",
    }
    unread_notes = [n for n in r.extraction_notes if n.rule == "EXT-007"]
    assert {c for n in unread_notes for c in n.cells} == {
        f"active_disclosure.{c}" for c in r.active_disclosure.unread_cells
    }
    assert r.meta.published is not None and r.meta.published.isoformat() == spec["published"]
    assert r.meta.published_source == "page"
