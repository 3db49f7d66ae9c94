"""A small exact linear program (simplex over Fractions, Bland's rule), to check the
suppression's audit independently of it: min and max of a variable under equalities and bounds."""

from __future__ import annotations

from fractions import Fraction
from math import inf


def _pivot(tab: list[list[Fraction]], basis: list[int], row: int, col: int) -> None:
    p = tab[row][col]
    tab[row] = [x / p for x in tab[row]]
    for r in range(len(tab)):
        if r != row and tab[r][col] != 0:
            f = tab[r][col]
            tab[r] = [a - f * b for a, b in zip(tab[r], tab[row])]
    basis[row] = col


def _optimize(tab: list[list[Fraction]], basis: list[int], cost: list[Fraction], allowed: int) -> Fraction | None:
    """Minimize cost·x over the tableau (last column is b); None when unbounded."""
    m = len(tab)
    while True:
        # Only the rows whose basic variable costs something add to a reduced cost (exactly the
        # same sums, without the many products by zero), and Bland's rule needs only the first
        # negative one: the same pivots, in a fraction of the arithmetic over Fractions.
        costed = [(cost[basis[i]], tab[i]) for i in range(m) if cost[basis[i]] != 0]
        entering = next((j for j in range(allowed) if cost[j] - sum(c * row[j] for c, row in costed) < 0), None)
        if entering is None:
            return sum(c * row[-1] for c, row in costed)
        ratios = [(tab[i][-1] / tab[i][entering], basis[i], i) for i in range(m) if tab[i][entering] > 0]
        if not ratios:
            return None
        _, _, leaving = min(ratios)
        _pivot(tab, basis, leaving, entering)


def extremes(n: int, equalities: list[tuple[dict[int, int], int]], bounds: list[tuple[float, float]],
             target: int) -> tuple[float, float]:
    """(min, max) of x[target] subject to sum(coef * x) = rhs for each equality and lo <= x <= hi."""
    rows: list[list[Fraction]] = []
    rhs: list[Fraction] = []
    shift = [Fraction(lo) for lo, _ in bounds]
    n_slack = sum(1 for _, hi in bounds if hi != inf)
    width = n + n_slack
    for coefs, b in equalities:
        row = [Fraction(0)] * width
        for k, c in coefs.items():
            row[k] = Fraction(c)
        rows.append(row)
        rhs.append(Fraction(b) - sum(Fraction(c) * shift[k] for k, c in coefs.items()))
    s = n
    for k, (lo, hi) in enumerate(bounds):
        if hi != inf:
            row = [Fraction(0)] * width
            row[k], row[s] = Fraction(1), Fraction(1)
            rows.append(row)
            rhs.append(Fraction(hi) - Fraction(lo))
            s += 1
    m = len(rows)
    for i in range(m):
        if rhs[i] < 0:
            rows[i], rhs[i] = [-x for x in rows[i]], -rhs[i]
    tab = [rows[i] + [Fraction(int(i == a)) for a in range(m)] + [rhs[i]] for i in range(m)]
    basis = [width + i for i in range(m)]
    phase1 = [Fraction(0)] * width + [Fraction(1)] * m
    if _optimize(tab, basis, phase1, width + m) != 0:
        raise ValueError("infeasible: the released table contradicts itself")
    for i in range(m):  # drive artificials out of the basis where possible
        if basis[i] >= width:
            col = next((j for j in range(width) if tab[i][j] != 0), None)
            if col is not None:
                _pivot(tab, basis, i, col)
    results = []
    for sign in (1, -1):
        cost = [Fraction(0)] * (width + m)
        cost[target] = Fraction(sign)
        trial = [r[:] for r in tab]
        value = _optimize(trial, basis[:], cost, width)
        results.append(inf if value is None else sign * value + shift[target])
    low, high = results
    return low, high
