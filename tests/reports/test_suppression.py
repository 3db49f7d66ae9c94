"""The cell-size rule: known cases, and a property over random tables that no hidden count
can be worked out exactly from what is shown (checked by an exact LP, independent of the audit)."""

from __future__ import annotations

from math import inf

from hypothesis import HealthCheck, given, settings, strategies as st

from coord.reports.suppression import SMALL, Table, count, share, suppress
from tests.support.exact_lp import extremes


def test_primary_and_zero():
    assert count(0) == 0 and count(1) == SMALL and count(10) == SMALL and count(11) == 11
    assert share(5, 20) == 0.25 and share(SMALL, 20) is None and share(5, None) is None and share(0, 0) is None


def test_one_small_cell_in_a_row_with_its_total_takes_a_complement():
    out = suppress(Table([[5, 30, 40], [20, 25, 50]]))
    assert out.cells[0][0] == SMALL
    # 5 could be recovered from the row's total (75) or the column's (25): more is hidden.
    row_hidden = [c for c in out.cells[0] if not isinstance(c, int)] + ([None] if out.row_totals[0] is None else [])
    col_hidden = [r[0] for r in out.cells if not isinstance(r[0], int)] + ([None] if out.col_totals[0] is None else [])
    assert len(row_hidden) >= 2 and len(col_hidden) >= 2
    assert out.cells[1][2] == 50  # far from it, a large count stays


def test_no_small_count_no_suppression():
    out = suppress(Table([[0, 30], [20, 0]]))
    assert out.cells == [[0, 30], [20, 0]] and out.row_totals == [30, 20] and out.grand_total == 50


def test_margins_only_table_protects_interior():
    # new/returning by language: the cells are not shown, the margins are.
    out = suppress(Table([[3, 40], [0, 25]], cells_published=False))
    assert out.cells == [[None, None], [None, None]]
    assert out.col_totals[0] == SMALL


def test_an_unpublished_small_total_cannot_be_worked_out_from_the_grand_total():
    # Found by the property below: row totals are not shown, but the grand total (43) less the
    # shown cells (34) is row 1's total, 9 people, unless more of row 1 or the margins is hidden.
    table = Table([[0, 34, 0], [3, 6, 0], [0, 0, 0]], row_totals=False)
    out = suppress(table)
    index, bounds, eqs = _released_bounds(out, strong=True)
    low, high = extremes(len(bounds), eqs, bounds, index[("row", 1)])
    assert low <= 9 <= high and low < high, (out.cells, out.col_totals, out.grand_total)


def _released_bounds(out, strong: bool):
    """What a reader knows of each value of a released table, as LP variables."""
    table = out.table
    rows, cols = len(table.cells), len(table.cells[0])
    index: dict[tuple, int] = {}
    bounds = []
    withheld = all(v is None for v in [out.grand_total, *out.row_totals, *out.col_totals]) and all(
        v is None for r in out.cells for v in r)

    def add(member, shown, published):
        index[member] = len(bounds)
        if not published or withheld:
            bounds.append((0, inf))
        elif shown == SMALL:
            bounds.append((1, 10))
        elif shown is None:
            bounds.append((11 if strong else 0, inf))
        else:
            bounds.append((shown, shown))

    for i in range(rows):
        for j in range(cols):
            add(("cell", i, j), out.cells[i][j], table.cells_published)
    for i in range(rows):
        add(("row", i), out.row_totals[i], table.row_totals)
    for j in range(cols):
        add(("col", j), out.col_totals[j], table.col_totals)
    add(("grand",), out.grand_total, table.grand_total)
    eqs = []
    for i in range(rows):
        eqs.append(({**{index[("cell", i, j)]: 1 for j in range(cols)}, index[("row", i)]: -1}, 0))
    for j in range(cols):
        eqs.append(({**{index[("cell", i, j)]: 1 for i in range(rows)}, index[("col", j)]: -1}, 0))
    eqs.append(({**{index[("row", i)]: 1 for i in range(rows)}, index[("grand",)]: -1}, 0))
    return index, bounds, eqs


def _truth(table, member):
    kind = member[0]
    if kind == "cell":
        return table.cells[member[1]][member[2]]
    if kind == "row":
        return sum(table.cells[member[1]])
    if kind == "col":
        return sum(r[member[1]] for r in table.cells)
    return sum(map(sum, table.cells))


counts = st.one_of(st.just(0), st.integers(1, 10), st.integers(11, 60))


@st.composite
def tables(draw):
    rows, cols = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    cells = [[draw(counts) for _ in range(cols)] for _ in range(rows)]
    flags = draw(st.sampled_from([(True, True, True, True), (True, True, True, False), (True, False, True, True),
                                  (True, True, False, False), (False, True, True, True), (True, False, False, False)]))
    return Table(cells, *flags)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_nothing_hidden_can_be_worked_out(table):
    out = suppress(table)
    index, bounds, eqs = _released_bounds(out, strong=True)
    for member, k in index.items():
        truth = _truth(table, member)
        published = {"cell": table.cells_published, "row": table.row_totals, "col": table.col_totals,
                     "grand": table.grand_total}[member[0]]
        value = out.cells[member[1]][member[2]] if member[0] == "cell" else (
            out.row_totals[member[1]] if member[0] == "row" else
            out.col_totals[member[1]] if member[0] == "col" else out.grand_total)
        if published and isinstance(value, int):
            assert value == truth and not (1 <= truth <= 10), f"{member} shows a small count"
            continue
        if not published and not (1 <= truth <= 10):
            continue  # an unpublished large count may be worked out: it names nobody
        low, high = extremes(len(bounds), eqs, bounds, k)
        assert low <= truth <= high, f"{member}: {truth} outside what the reader can infer [{low}, {high}]"
        assert low < high, f"{member} = {truth} can be worked out from the released table"
