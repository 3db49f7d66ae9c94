"""The CMS cell-size rule, in one place: no count of people from 1 to 10 is ever shown, nor
can one be worked out from what is shown.

- Primary: a count from 1 to 10 shows as "1-10"; zero stays zero.
- Complementary: where a suppressed value could be recovered from a total or from the
  other cells of its row or column, the next smallest is suppressed too (shown as null).
- Percentages built on a suppressed value are hidden (`share`).

A table is audited exactly rather than by a rule of thumb ("two suppressions per line"
misses a cell that bridges two blocks): a table with its margins is a network (rows and
columns are nodes, cells and totals are edges, each node's edges sum to zero), and a
hidden value can be worked out from what is shown exactly when no cycle of hidden values
could shift it by one within what a reader knows of each ("1-10" is 1 to 10; a null
complement is 11 or more, since smaller values are "1-10" and zeros are never hidden).
The audit asks that question of every hidden value and suppresses more until none is
determined (at worst the whole table).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from math import inf
from typing import Union

THRESHOLD = 10
SMALL = "1-10"
RULE = ("CMS cell-size suppression: a count of people from 1 to 10 is shown as \"1-10\" (zero stays zero); "
        "a value that would let one be worked out from a total or from the other cells of its row or column "
        "is hidden too (empty), and so is a percentage built on a hidden value. Volunteer hours, sessions and "
        "places are not counts of people and are shown as they are.")

Shown = Union[int, str, None]
Member = tuple  # ("cell", i, j) | ("row", i) | ("col", j) | ("grand",)

SHOWN, PRIMARY, COMPLEMENT, UNPUBLISHED = "shown", "primary", "complement", "unpublished"


def is_small(value: int) -> bool:
    return 1 <= value <= THRESHOLD


def count(value: int | None) -> Shown:
    """A count of people that adds up to nothing else shown: "1-10" when small."""
    if value is None:
        return None
    return SMALL if is_small(value) else value


def share(part: Shown, whole: Shown, digits: int = 3) -> float | None:
    """part / whole (0 to 1), or None when either is hidden (it would reveal it) or whole is 0."""
    if not isinstance(part, int) or not isinstance(whole, int) or whole == 0:
        return None
    return round(part / whole, digits)


@dataclass
class Table:
    """Counts of people, rows x columns, and which of them a reader is shown. Interior cells
    that are not published still constrain what the margins reveal, so they are given too."""

    cells: list[list[int]]
    cells_published: bool = True
    row_totals: bool = True
    col_totals: bool = True
    grand_total: bool = True


@dataclass
class Released:
    cells: list[list[Shown]]
    row_totals: list[Shown]
    col_totals: list[Shown]
    grand_total: Shown
    table: Table

    def hidden(self, member: Member) -> bool:
        return _get(self, member) is None or _get(self, member) == SMALL


def _get(released: Released, member: Member) -> Shown:
    kind = member[0]
    if kind == "cell":
        return released.cells[member[1]][member[2]]
    if kind == "row":
        return released.row_totals[member[1]]
    if kind == "col":
        return released.col_totals[member[1]]
    return released.grand_total


class _Network:
    """Cells and totals as edges between row nodes, column nodes and two hubs (S, T)."""

    def __init__(self, table: Table) -> None:
        cells = table.cells
        self.n_rows = len(cells)
        self.n_cols = len(cells[0]) if cells else 0
        self.value: dict[Member, int] = {}
        self.ends: dict[Member, tuple] = {}
        self.state: dict[Member, str] = {}
        for i, row in enumerate(cells):
            for j, v in enumerate(row):
                self._add(("cell", i, j), v, ("r", i), ("c", j), table.cells_published)
            self._add(("row", i), sum(row), "S", ("r", i), table.row_totals)
        for j in range(self.n_cols):
            self._add(("col", j), sum(r[j] for r in cells), ("c", j), "T", table.col_totals)
        self._add(("grand",), sum(map(sum, cells)), "T", "S", table.grand_total)

    def _add(self, member: Member, value: int, u: object, v: object, published: bool) -> None:
        self.value[member], self.ends[member] = value, (u, v)
        self.state[member] = (PRIMARY if is_small(value) else SHOWN) if published else UNPUBLISHED

    def bounds(self, member: Member) -> tuple[float, float]:
        """What a reader knows of a value."""
        state, value = self.state[member], self.value[member]
        if state == SHOWN:
            return value, value
        if state == PRIMARY:
            return 1, THRESHOLD
        if state == COMPLEMENT:
            return THRESHOLD + 1, inf
        return 0, inf

    def determined(self, member: Member) -> bool:
        """True when what is shown pins this value: no cycle of values can move it up or down."""
        u, v = self.ends[member]
        low, high = self.bounds(member)
        x = self.value[member]
        up = x < high and self._reaches(v, u, member)
        down = x > low and self._reaches(u, v, member)
        return not (up or down)

    def sensitive(self, member: Member) -> bool:
        """Hidden, and must stay so: a small count or a complement, and a small count that is
        not published at all, a margin as much as a cell (a row's total of 9 worked out from
        the grand total and the row's two "1-10" cells names nine people all the same)."""
        state = self.state[member]
        return state in (PRIMARY, COMPLEMENT) or (state == UNPUBLISHED and is_small(self.value[member]))

    def _arcs(self, without: Member, opening: bool) -> dict[object, list[tuple[object, int, Member]]]:
        """Residual arcs (node -> node, cost, member). With `opening`, a shown non-zero value may be
        hidden at a cost: its size, and much more for a total (readers use totals most)."""
        arcs: dict[object, list[tuple[object, int, Member]]] = {}
        for member, (u, v) in self.ends.items():
            if member == without:
                continue
            x = self.value[member]
            if opening and self.state[member] == SHOWN and x > 0:
                cost = x + (0 if member[0] == "cell" else 10_000)
                low, high = float(THRESHOLD + 1), inf
            else:
                cost = 0
                low, high = self.bounds(member)
            if x < high:
                arcs.setdefault(u, []).append((v, cost, member))
            if x > low:
                arcs.setdefault(v, []).append((u, cost, member))
        return arcs

    def _reaches(self, start: object, goal: object, without: Member) -> bool:
        return self._path(start, goal, self._arcs(without, opening=False)) is not None

    @staticmethod
    def _path(start: object, goal: object, arcs: dict) -> tuple[int, list[Member]] | None:
        """The cheapest path (Dijkstra): its cost and the members it goes through."""
        best: dict[object, int] = {start: 0}
        queue: list[tuple[int, int, object, list[Member]]] = [(0, 0, start, [])]
        tie = 0
        while queue:
            cost, _, node, through = heapq.heappop(queue)
            if node == goal:
                return cost, through
            if cost > best.get(node, cost):
                continue
            for nxt, step, member in arcs.get(node, ()):
                total = cost + step
                if total < best.get(nxt, total + 1):
                    best[nxt] = total
                    tie += 1
                    heapq.heappush(queue, (total, tie, nxt, [*through, member]))
        return None

    def complements_for(self, weak: Member) -> list[Member]:
        """The smallest shown values to hide so that `weak` can move: the cheapest cycle through it."""
        u, v = self.ends[weak]
        low, high = self.bounds(weak)
        x = self.value[weak]
        arcs = self._arcs(weak, opening=True)
        found = [p for p in (x < high and self._path(v, u, arcs), x > low and self._path(u, v, arcs)) if p]
        if not found:
            return []
        _, through = min(found, key=lambda p: p[0])
        return [m for m in through if self.state[m] == SHOWN]


def suppress(table: Table) -> Released:
    """The table as it may be shown: no count of people from 1 to 10 visible or derivable."""
    net = _Network(table)
    withheld = False
    while True:
        weak = next((m for m in net.state if net.sensitive(m) and net.determined(m)), None)
        if weak is None:
            break
        extra = net.complements_for(weak)
        if not extra:  # nothing left to hide but zeros: withhold the whole table
            withheld = True
            break
        for member in extra:
            net.state[member] = COMPLEMENT

    def shown(member: Member) -> Shown:
        state = net.state[member]
        if state == UNPUBLISHED or withheld:
            return None
        if state == PRIMARY:
            return SMALL
        return None if state == COMPLEMENT else net.value[member]

    return Released(
        cells=[[shown(("cell", i, j)) for j in range(net.n_cols)] for i in range(net.n_rows)],
        row_totals=[shown(("row", i)) for i in range(net.n_rows)],
        col_totals=[shown(("col", j)) for j in range(net.n_cols)],
        grand_total=shown(("grand",)),
        table=table,
    )
