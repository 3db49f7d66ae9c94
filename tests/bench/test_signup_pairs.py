"""The signup benchmarks give every request a new (volunteer, shift) pair however long they run:
wrk is given its requests ahead, so a window of 10 s takes 40,000 pairs whatever the rate, and
with 400 volunteers always a run of 40 s or more stopped with StopIteration."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from uuid import uuid4

import pytest

from bench.cases.signup import ROUNDS, SHIFTS, WARM_UP_ROUNDS, _pairs, volunteers_for, volunteers_taking_turns
from bench.wrk import made_ahead

WARMUP_S = 0.5


@pytest.mark.parametrize("seconds", [5, 40, 120])
@pytest.mark.parametrize("windows", [1, 3, ROUNDS])
def test_every_request_wrk_is_given_is_a_new_signup(seconds, windows):
    volunteers = [uuid4() for _ in range(volunteers_for(seconds, WARMUP_S, windows))]
    pairs = _pairs([uuid4() for _ in range(SHIFTS)], volunteers)
    given = windows * (made_ahead(seconds / windows) + made_ahead(WARMUP_S))
    taken = list(itertools.islice(pairs, given))
    assert len(taken) == given and len(set(taken)) == given


@pytest.mark.parametrize("seconds", [5, 40, 120])
@pytest.mark.parametrize("rounds", [3, ROUNDS])
def test_the_unmeasured_warm_up_round_gets_new_signups_too(seconds, rounds):
    """taking_turns runs each load WARM_UP_ROUNDS windows before the counted ones."""
    ctx = SimpleNamespace(seconds=seconds, warmup=WARMUP_S)
    volunteers = [uuid4() for _ in range(volunteers_taking_turns(ctx, rounds))]
    pairs = _pairs([uuid4() for _ in range(SHIFTS)], volunteers)
    given = (rounds + WARM_UP_ROUNDS) * (made_ahead(seconds / rounds) + made_ahead(WARMUP_S))
    taken = list(itertools.islice(pairs, given))
    assert len(taken) == given and len(set(taken)) == given
