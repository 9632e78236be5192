"""Public arguments beyond game fields (issue 27): member lists, profiles of every shape, targets and
integers beyond float range end in a result or a clear InvalidParameter, never a numpy error."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import provergame as pg

GAME = pg.games.WinnerTakesAll.example(4)
ENTRIES = st.one_of(st.integers(-3, 6), st.floats(-2, 6), st.just(float("nan")), st.booleans(), st.text(max_size=2))


@settings(max_examples=120, deadline=None)
@given(st.lists(ENTRIES, max_size=5))
def test_cartel_members_are_distinct_integer_indices_or_refused(members):
    ints = all(isinstance(m, int) and not isinstance(m, bool) for m in members)
    valid = ints and len(set(members)) == len(members) >= 2 and all(0 <= m < GAME.n for m in members)
    if valid:
        assert pg.cartel(GAME, members).members == tuple(sorted(members))
    else:
        with pytest.raises(pg.InvalidParameter, match="members"):
            pg.cartel(GAME, members)


SHAPES = st.sampled_from([(), (4,), (2, 4), (4, 1), (3,), (1, 4), (2, 2, 4), (0,)])
CALLS = {
    "simulate": lambda p: pg.simulate(GAME, p, rounds=50),
    "metrics": lambda p: pg.metrics(GAME, p),
    "certify": lambda p: pg.certify(GAME, p, "given", False),
    "bribe_threshold": lambda p: pg.bribe_threshold(GAME, profile=p),
    "coalition_regret": lambda p: pg.coalition_regret(GAME, p),
    "cartel": lambda p: pg.cartel(GAME, [0, 1], profile=p),
}


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(sorted(CALLS)), SHAPES, st.sampled_from([0.0, 1.0, 0.5, np.nan, 2.0, -1.0]))
def test_profiles_of_any_shape_give_a_result_or_name_the_profile(call, shape, fill):
    profile = np.full(shape, fill)
    ok = shape == (4,) and 0.0 <= fill <= 1.0
    if ok:
        CALLS[call](profile)
    else:
        with pytest.raises(pg.InvalidParameter, match="profile"):
            CALLS[call](profile)


@pytest.mark.parametrize("value", [10 ** 400, -(10 ** 400)])
def test_integers_beyond_float_range_are_out_of_range(value):
    with pytest.raises(pg.InvalidParameter, match=r"reward=.*digits"):
        pg.games.WinnerTakesAll(value, GAME.provers)
    with pytest.raises(pg.InvalidParameter, match="window"):
        pg.Timing(window=value)


@pytest.mark.parametrize("bound", [float("nan"), float("inf"), "0.9", None])
def test_design_targets_must_be_finite_numbers(bound):
    with pytest.raises(pg.InvalidParameter, match=r"subject_to\[liveness\]"):
        pg.design(lambda reward: pg.games.WinnerTakesAll(reward, GAME.provers), {"reward": (1.0, 10.0)},
                  subject_to={"liveness": bound})


def test_local_worker_counts_are_capped_at_the_cores_and_executors_checked_up_front():
    import os

    from provergame.sweep import sweep
    recipe = pg.games.Recipe("winner_takes_all", {"reward": 5.0}, GAME.provers)
    too_many = (os.cpu_count() or 1) + 1
    with pytest.raises(pg.InvalidParameter, match=r"workers=.*<= " + str(os.cpu_count() or 1)):
        sweep(recipe, {"reward": [1.0]}, workers=too_many, progress=False)
    for bad in ("bogus", "dask://", 3):
        with pytest.raises(pg.InvalidParameter, match="executor"):
            sweep(recipe, {"reward": [1.0]}, executor=bad, progress=False)
        with pytest.raises(pg.InvalidParameter, match="executor"):
            pg.design(recipe, {"reward": (1.0, 2.0)}, budget="reward", executor=bad)
