"""Referral counts follow the reports' one suppression rule (coord.reports.suppression): on
known figures, a category's 3 shows as "1-10" and neither its row nor its column gives it away."""

from __future__ import annotations

from coord.referrals.service import OUTCOMES, _counted


def _rows(figures: dict[tuple[str | None, str], int]) -> list[dict]:
    return [{"category": c, "status": s, "count": n} for (c, s), n in figures.items()]


def _recoverable(total, others) -> bool:
    """A hidden cell is worked out when its total and every other cell beside it are shown."""
    return isinstance(total, int) and all(isinstance(v, int) for v in others)


def test_a_category_with_three_shows_1_10_and_its_totals_do_not_reveal_it():
    out = _counted(_rows({("Food", "accepted"): 3, ("Food", "requested"): 12, ("Food", "completed"): 15,
                          ("Housing", "accepted"): 11, ("Housing", "requested"): 14, ("Housing", "completed"): 20,
                          (None, "requested"): 13, (None, "accepted"): 16}), [])
    food, housing, other = out.rows
    assert (food.category, housing.category, other.category) == ("Food", "Housing", None)
    assert food.by_outcome["accepted"] == "1-10"
    row = [food.by_outcome[o] for o in OUTCOMES if o != "accepted"]
    assert not _recoverable(food.total, row)
    column = [r.by_outcome["accepted"] for r in (housing, other)]
    assert not _recoverable(out.by_outcome["accepted"], column)
    # Zero stays zero; large figures that protect nothing are shown as they are.
    assert food.by_outcome["declined"] == 0 and housing.by_outcome["completed"] == 20
    assert out.suppression.shown_as == "1-10" and out.suppression.threshold == 10


def test_no_referrals_count_zero_everywhere():
    out = _counted([], [])
    assert out.rows == [] and out.total == 0 and set(out.by_outcome.values()) == {0}
    assert "entered-in-error" not in out.outcomes
