"""Tests for reportparse.extract.runsplit (all runs below are synthetic)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from reportparse.extract.runsplit import ColumnSpec, Equation, RowRun, SplitResult, split_runs

APPLICANT = ("natural", "business", "research", "charity", "legal", "other", "total")
COLS7 = tuple(ColumnSpec(c) for c in APPLICANT)


def row_sum(row: str) -> Equation:
    return Equation(tuple(f"{row}.{c}" for c in APPLICANT[:-1]), (f"{row}.total",))


def values(res: SplitResult, row: str, cols: tuple[ColumnSpec, ...] = COLS7) -> list[object]:
    """The row's values left to right; None where unresolved."""
    out: list[object] = []
    for col in cols:
        cell = res.cells.get(f"{row}.{col.id}")
        out.append(None if cell is None else cell.value)
    return out


def solve7(text: str, *, sums: bool = True) -> SplitResult:
    return split_runs([RowRun("r", text, COLS7)], [row_sum("r")] if sums else [])


# --------------------------------------------------------------------------- one row


def test_row_sum_fixes_run() -> None:
    res = solve7("21710000218")
    assert values(res, "r") == [217, 1, 0, 0, 0, 0, 218]
    assert res.cells["r.natural"].raw == "217"
    assert res.unresolved == {}
    assert res.solutions == 1
    assert res.complete


def test_whitespace_is_a_boundary() -> None:
    res = solve7("230 000023")
    assert values(res, "r") == [23, 0, 0, 0, 0, 0, 23]
    assert res.unresolved == {}


@pytest.mark.parametrize("text", ["0000000", "0 0 0 0 0 00", "0 0 00 00 0"])
def test_all_zero_has_one_reading(text: str) -> None:
    for sums in (True, False):
        res = solve7(text, sums=sums)
        assert values(res, "r") == [0] * 7
        assert res.unresolved == {}


def test_spaced_row_with_extra_spaces() -> None:
    assert values(solve7("  7 0 0 0 0 0 7 "), "r") == [7, 0, 0, 0, 0, 0, 7]
    assert values(solve7("500000 5"), "r") == [5, 0, 0, 0, 0, 0, 5]


def test_row_sum_still_ambiguous() -> None:
    # 1|10|0|0|0|0|11 and 11|0|0|0|0|0|11 both add up.
    res = solve7("110000011")
    assert values(res, "r") == [None, None, 0, 0, 0, 0, 11]
    assert set(res.unresolved) == {"r.natural", "r.business"}
    assert "1|10|0|0|0|0|11" in res.unresolved["r.natural"]
    assert "11|0|0|0|0|0|11" in res.unresolved["r.natural"]
    assert res.solutions == 2


def test_three_columns_without_equations() -> None:
    cols = tuple(ColumnSpec(c) for c in ("made", "repealed", "valid"))
    res = split_runs([RowRun("rules", "693665", cols)], [])
    assert res.cells == {}
    assert set(res.unresolved) == {"rules.made", "rules.repealed", "rules.valid"}
    assert "数字连写" in res.unresolved["rules.made"]
    res = split_runs([RowRun("rules", "000", cols)], [])
    assert values(res, "rules", cols) == [0, 0, 0]
    assert res.unresolved == {}


def test_signed_change_column() -> None:
    cols = (ColumnSpec("previous"), ColumnSpec("change", signed=True), ColumnSpec("decisions"))
    res = split_runs([RowRun("penalty", "2648-18538", cols)], [])
    assert res.cells["penalty.previous"].value == 2648
    assert res.cells["penalty.previous"].raw == "2648"
    assert set(res.unresolved) == {"penalty.change", "penalty.decisions"}
    # -1|8538, -18|538, -185|38, -1853|8
    assert res.solutions == 4
    # A sign is never accepted in an unsigned column.
    res = split_runs([RowRun("x", "12-3", tuple(ColumnSpec(c) for c in "abc"))], [])
    assert res.cells == {}
    assert res.solutions == 0


def test_signed_change_fixed_by_equation() -> None:
    cols = (ColumnSpec("previous"), ColumnSpec("change", signed=True), ColumnSpec("now"))
    # 12|-2|10 and 12|-21|0; only the first satisfies previous + change == now.
    loose = split_runs([RowRun("fee", "12-210", cols)], [])
    assert set(loose.unresolved) == {"fee.change", "fee.now"}
    eq = Equation(("fee.previous", "fee.change"), ("fee.now",))
    res = split_runs([RowRun("fee", "12-210", cols)], [eq])
    assert values(res, "fee", cols) == [12, -2, 10]
    assert res.cells["fee.change"].raw == "-2"
    assert res.unresolved == {}


def test_money_with_unit_is_ambiguous() -> None:
    cols = (ColumnSpec("items"), ColumnSpec("amount", decimal=True, unit=True))
    res = split_runs([RowRun("purchase", "13575394432.52元", cols)], [])
    assert res.cells == {}
    assert set(res.unresolved) == {"purchase.items", "purchase.amount"}
    # A spaced run keeps the unit in raw and out of the value.
    res = split_runs([RowRun("purchase", "3 251000元", cols)], [])
    assert res.cells["purchase.items"].value == 3
    assert res.cells["purchase.amount"].raw == "251000元"
    assert res.cells["purchase.amount"].value == Decimal("251000")
    # A unit must close its whitespace group.
    res = split_runs([RowRun("purchase", "3元 5", (ColumnSpec("amount", unit=True), ColumnSpec("n")))], [])
    assert res.cells["purchase.amount"].raw == "3元"
    res = split_runs([RowRun("purchase", "3元5", (ColumnSpec("amount", unit=True), ColumnSpec("n")))], [])
    assert res.cells == {}


def test_single_decimal_column() -> None:
    col = (ColumnSpec("fee", decimal=True),)
    res = split_runs([RowRun("charge", " 24252.311082 ", col)], [])
    cell = res.cells["charge.fee"]
    assert cell.value == Decimal("24252.311082")
    assert isinstance(cell.value, Decimal)
    assert cell.raw == "24252.311082"
    # A decimal point is refused in an integer column.
    res = split_runs([RowRun("charge", "24252.3", (ColumnSpec("n"),))], [])
    assert res.cells == {}
    assert "charge.n" in res.unresolved
    # 0.5 is fine, 00.5 and 07 are not.
    assert split_runs([RowRun("x", "0.5", col)], []).cells["x.fee"].value == Decimal("0.5")
    assert split_runs([RowRun("x", "00.5", col)], []).cells == {}
    assert split_runs([RowRun("x", "07", (ColumnSpec("n"),))], []).cells == {}


def test_bad_runs_give_no_candidates() -> None:
    for text in ("", "   ", "12a4567", "1--2"):
        res = solve7(text)
        assert res.cells == {}
        assert set(res.unresolved) == {f"r.{c}" for c in APPLICANT}
        assert res.solutions == 0
    # Too few characters for seven cells.
    assert solve7("123456").cells == {}
    # Digits of one number are never split across whitespace: "2 17" cannot be 217.
    assert solve7("2 1710000218").cells == {}


# --------------------------------------------------------------------------- table 四

GROUPS = ("review", "suit_direct", "suit_after_review")
OUTCOMES = ("kept", "corrected", "other", "pending", "total")
COLS15 = tuple(ColumnSpec(f"{g}_{o}") for g in GROUPS for o in OUTCOMES)
EQS15 = [Equation(tuple(f"t4.{g}_{o}" for o in OUTCOMES[:-1]), (f"t4.{g}_total",)) for g in GROUPS]


def test_table_four_all_zero() -> None:
    res = split_runs([RowRun("t4", "000000000000000", COLS15)], EQS15)
    assert values(res, "t4", COLS15) == [0] * 15
    assert res.unresolved == {}


def test_table_four_seventeen_digits() -> None:
    res = split_runs([RowRun("t4", "10203120001200000", COLS15)], EQS15)
    assert values(res, "t4", COLS15) == [1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]
    assert res.unresolved == {}
    assert res.solutions == 1
    # Without the group sums the same run has many readings.
    loose = split_runs([RowRun("t4", "10203120001200000", COLS15)], [])
    assert loose.solutions > 1
    assert "t4.review_total" in loose.unresolved


# --------------------------------------------------------------------------- several rows


def table_three(new: str, carried: str, total: str, forward: str) -> tuple[list[RowRun], list[Equation]]:
    names = ("new", "carried", "total", "forward")
    rows = [RowRun(n, t, COLS7) for n, t in zip(names, (new, carried, total, forward), strict=True)]
    eqs = [row_sum(n) for n in names]
    eqs += [Equation((f"new.{c}", f"carried.{c}"), (f"total.{c}", f"forward.{c}")) for c in APPLICANT]
    return rows, eqs


def test_column_equations_disambiguate_a_row() -> None:
    rows, eqs = table_three("110000011", "0 0 0 0 0 0 0", "11 0 0 0 0 0 11", "0 0 0 0 0 0 0")
    res = split_runs(rows, eqs)
    assert values(res, "new") == [11, 0, 0, 0, 0, 0, 11]
    assert values(res, "total") == [11, 0, 0, 0, 0, 0, 11]
    assert res.unresolved == {}
    assert res.solutions == 1
    assert res.row_candidates["new"] == 2
    # The same row alone stays ambiguous.
    assert solve7("110000011").cells.get("r.natural") is None


def test_column_equations_with_other_reading() -> None:
    rows, eqs = table_three("110000011", "0000000", "1 10 0 0 0 0 11", "0000000")
    res = split_runs(rows, eqs)
    assert values(res, "new") == [1, 10, 0, 0, 0, 0, 11]


def test_equation_with_missing_row_is_ignored() -> None:
    # "total" has no reading at all, so the column equations cannot be checked: the
    # ambiguous row stays ambiguous, and nothing fails.
    rows, eqs = table_three("110000011", "0000000", "x", "0000000")
    res = split_runs(rows, eqs)
    assert values(res, "new") == [None, None, 0, 0, 0, 0, 11]
    assert values(res, "carried") == [0] * 7
    assert res.solutions == 2
    # A row the caller never passed is ignored the same way.
    res = split_runs(rows[:2], eqs)
    assert values(res, "new") == [None, None, 0, 0, 0, 0, 11]
    with pytest.raises(ValueError, match="unknown column"):
        split_runs(rows, [Equation(("new.nope",), ("carried.total",))])


def test_no_global_solution_falls_back_to_row_sums() -> None:
    # Column "natural": 1 or 11 + 0 can never equal 12 + 0 -> no global solution.
    rows, eqs = table_three("110000011", "0000000", "12 0 0 0 0 0 12", "0000000")
    res = split_runs(rows, eqs)
    assert res.solutions == 0
    assert res.complete
    assert values(res, "total") == [12, 0, 0, 0, 0, 0, 12]
    assert values(res, "carried") == [0] * 7
    assert values(res, "forward") == [0] * 7
    # Only the cells the row's own sum fixes are kept.
    assert values(res, "new") == [None, None, 0, 0, 0, 0, 11]
    assert "勾稽关系无解" in res.unresolved["new.natural"]


def test_row_breaking_its_own_sum() -> None:
    # One reading only: kept as printed (the audit will report the bad sum).
    res = solve7("1000003")
    assert values(res, "r") == [1, 0, 0, 0, 0, 0, 3]
    assert res.row_candidates["r"] == 0
    # Several readings and none adds up: nothing is trusted, not even the zeros.
    res = solve7("11000003")
    assert res.cells == {}
    assert "合计关系" in res.unresolved["r.research"]
    # Such a row takes no part in column equations; the others still solve.
    rows, eqs = table_three("110000011", "0 0 0 0 0 0 0", "11 0 0 0 0 0 11", "1000003")
    res = split_runs(rows, eqs)
    assert values(res, "forward") == [1, 0, 0, 0, 0, 0, 3]
    assert values(res, "new") == [None, None, 0, 0, 0, 0, 11]


def test_budget_in_row_generation() -> None:
    res = split_runs([RowRun("r", "21710000218", COLS7)], [row_sum("r")], budget=5)
    assert not res.complete
    assert res.cells == {}
    assert "预算" in res.unresolved["r.natural"]


def test_budget_in_global_search() -> None:
    # Twelve rows with two readings each and an equation that can only fail at the end
    # (a signed column, so no bound on partial sums can cut the search short).
    cols = (ColumnSpec("natural", signed=True), *COLS7[1:])
    rows = [RowRun(f"r{i}", "110000011", cols) for i in range(12)]
    rows.append(RowRun("anchor", "999 0 0 0 0 0 999", cols))
    eqs = [row_sum(r.row) for r in rows]
    eqs.append(Equation(tuple(f"r{i}.natural" for i in range(12)), ("anchor.natural",)))
    res = split_runs(rows, eqs, budget=1000)
    assert not res.complete
    assert res.solutions == 0
    assert values(res, "anchor") == [999, 0, 0, 0, 0, 0, 999]
    assert values(res, "r0") == [None, None, 0, 0, 0, 0, 11]
    assert "预算" in res.unresolved["r0.natural"]
    # With enough budget the search proves there is no solution and falls back.
    res = split_runs(rows, eqs)
    assert res.complete
    assert res.solutions == 0
    assert "勾稽关系无解" in res.unresolved["r0.natural"]


def test_solution_cap_keeps_acceptance_exact() -> None:
    # 2**8 = 256 solutions, more than the cap; agreed cells must still be accepted.
    rows = [RowRun(f"r{i}", "110000011", COLS7) for i in range(8)]
    res = split_runs(rows, [row_sum(r.row) for r in rows], max_solutions=4)
    assert res.solutions == 4
    assert res.complete
    for i in range(8):
        assert values(res, f"r{i}") == [None, None, 0, 0, 0, 0, 11]


def test_duplicate_row_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate row"):
        split_runs([RowRun("r", "0000000", COLS7), RowRun("r", "0000000", COLS7)], [])


# --------------------------------------------------------------------------- speed


def test_full_table_is_fast() -> None:
    # 25 rows of table 三 (synthetic numbers) plus table 四, all run together.
    sub = [f"s{i}" for i in range(20)]  # the rows that add up to "total"
    data: dict[str, list[int]] = {s: [0] * 6 for s in sub}
    data["s0"] = [12, 1, 0, 0, 0, 2]
    data["s1"] = [3, 0, 0, 0, 0, 0]
    data["s5"] = [0, 10, 0, 0, 0, 0]
    data["s9"] = [7, 0, 0, 1, 0, 0]
    data["total"] = [sum(data[s][c] for s in sub) for c in range(6)]
    data["forward"] = [1, 0, 0, 0, 0, 1]
    data["carried"] = [2, 0, 0, 0, 0, 0]
    data["new"] = [data["total"][c] + data["forward"][c] - data["carried"][c] for c in range(6)]
    names = ["new", "carried", *sub, "total", "forward"]
    rows = [RowRun(n, "".join(str(v) for v in [*data[n], sum(data[n])]), COLS7) for n in names]
    rows.append(RowRun("spare", "", COLS7))  # 25th row: a label with no numbers
    rows.append(RowRun("t4", "10203120001200000", COLS15))
    eqs = [row_sum(n) for n in names] + EQS15
    for c in APPLICANT:
        eqs.append(Equation((f"new.{c}", f"carried.{c}"), (f"total.{c}", f"forward.{c}")))
        eqs.append(Equation(tuple(f"{s}.{c}" for s in sub), (f"total.{c}",)))
    start = time.perf_counter()
    res = split_runs(rows, eqs)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5  # a few milliseconds in practice; generous for slow CI
    assert res.complete
    for n in names:
        assert values(res, n) == [*data[n], sum(data[n])]
    assert values(res, "t4", COLS15) == [1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]
    assert set(res.unresolved) == {f"spare.{c}" for c in APPLICANT}
