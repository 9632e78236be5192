"""The cheapest coalition bribe for a liveness target (issue 25, item 3): exact where every coalition
can be checked, compared with a brute force over the coalitions and with a hand computation."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import provergame as pg
from provergame.scenario import default_scenario_path, load_scenario
from provergame.solvers import bribe

from brute_force import best_joint_gain
from strategies import populations

KINDS = {
    "winner_takes_all": lambda pop, r: pg.games.WinnerTakesAll(r, pop),
    "uncle_rewards": lambda pop, r: pg.games.UncleRewards(r, 0.3, 2, pop),
    "minimum_proving_time": lambda pop, r: pg.games.MinimumProvingTime(r, 0.3, pop),
    "lottery_reward": lambda pop, r: pg.games.LotteryReward(r, pop),
}


def _brute_force(game, target, window=1.0):
    """Every coalition, each residual game solved on its own (pg.solve's solver on game.without), the
    cheapest one whose residual equilibrium is on time at most `target`; its cost what the members forgo."""
    solo = bribe.solo_payoffs(game)
    best = np.inf
    for bits in itertools.product((False, True), repeat=game.n):
        mask = np.array(bits)
        if not mask.any():
            continue
        if mask.all():
            after, rest = 0.0, np.zeros(0)
        else:
            rest_game = game.without(mask)
            rest = rest_game.equilibrium()[0]
            after = rest_game.on_time(rest, window)
        if after <= target + 1e-12:
            best = min(best, float(bribe._joining_payoffs(game, mask, rest, solo).sum()))
    return best


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(max_examples=12, deadline=None)
@given(pop=populations(min_n=2, max_n=6), reward=st.floats(2.0, 20.0), share=st.floats(0.05, 0.95))
def test_the_bribe_to_lower_liveness_is_the_cheapest_coalition(kind, pop, reward, share):
    game = KINDS[kind](pop, reward)
    before = game.on_time(game.equilibrium()[0], 1.0)
    target = share * before
    b = pg.bribe_threshold(game, "withhold", target)
    if before <= target:                                # nobody proves: nothing to bribe
        assert b.total == 0.0
        return
    truth = _brute_force(game, target)
    if not np.isfinite(truth):
        return                                          # no coalition meets the target: nothing to compare
    assert b.method.startswith("exact")
    assert b.liveness_after <= target + 1e-12
    assert b.total == pytest.approx(truth, rel=1e-9, abs=1e-12)


def test_three_identical_provers_by_hand():
    """Reward 10, cost 1, rate 1, window 0.2: all three enter (10/3 > 1), on time 1 - e^-0.6 = 0.451.
    To bring it to at most 0.25 at most one prover may remain (1 - e^-0.4 = 0.33 with two): bribing two
    costs what each forgoes by joining the lone remaining entrant, 10/2 - 1 = 4 each, so 8; bribing all
    three costs 3 (10 - 1) = 27."""
    game = pg.games.WinnerTakesAll(10.0, pg.Population.identical(3, cost=1.0))
    b = pg.bribe_threshold(game, "withhold", 0.25, window=0.2)
    assert b.total == pytest.approx(8.0) and int(b.coalition.sum()) == 2
    assert b.liveness_after == pytest.approx(1 - np.exp(-0.2))


def test_the_default_race_halving_bribe_is_the_brute_force_minimum():
    """Issue 25's designer check: the bribe to halve WinnerTakesAll's on-time liveness was reported 55.89;
    the brute force over the 4,095 coalitions finds 52.33, leaving p9 unbribed."""
    game = dict(load_scenario(default_scenario_path()).games())["winner_takes_all"]
    target = game.on_time(game.equilibrium()[0], 1.0) / 2
    b = pg.bribe_threshold(game, "withhold", target)
    assert b.total == pytest.approx(52.3272, abs=5e-5)
    assert b.coalition.tolist() == [True] * 9 + [False] + [True] * 2


def test_a_bribe_paid_only_on_success_costs_the_same_in_expectation():
    """The halving bribe promised per successful round (no proof on time) times the share of rounds the
    simulator's residual game leaves without an on-time proof is the per-round bribe (within 4 standard
    errors): the promise is the bribe over the chance of success."""
    game = dict(load_scenario(default_scenario_path()).games())["winner_takes_all"]
    b = pg.bribe_threshold(game, "withhold", game.on_time(game.equilibrium()[0], 1.0) / 2)
    rest = game.without(b.coalition)
    run = pg.simulate(rest, pg.solve(rest).profile, rounds=200_000, seed=4, window=1.0)
    success, se = 1 - run.on_time, run.on_time_stderr
    assert b.on_success() > b.total
    assert abs(b.on_success() * success - b.total) <= 4 * b.on_success() * se
    assert pg.bribe_threshold(game, "withhold", 0.0).on_success() == pytest.approx(
        pg.bribe_threshold(game, "withhold", 0.0).total)          # a stall always succeeds


def test_above_the_exhaustive_limit_the_search_says_it_is_a_heuristic():
    rng = np.random.default_rng(3)
    n = bribe.EXACT_COALITIONS + 2
    pop = pg.Population.from_arrays(cost=rng.uniform(0.5, 1.5, n), rate=rng.uniform(0.5, 2, n))
    b = pg.bribe_threshold(pg.games.WinnerTakesAll(10.0, pop), "withhold", 0.5)
    assert b.method.startswith("heuristic (no optimality certificate)")


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(max_examples=10, deadline=None)
@given(pop=populations(min_n=2, max_n=5), reward=st.floats(2.0, 20.0))
def test_entry_game_cartel_gains_are_exact_maxima(kind, pop, reward):
    """Every coalition of 2-3 and every joint pure deviation, one profile at a time: the largest joint
    gain is what coalition_regret reports, and it is labelled exact (mixed joint deviations cannot do
    better: the joint payoff is multilinear in the entry probabilities)."""
    game = KINDS[kind](pop, reward)
    eq = pg.solve(game).profile
    base = game.expected_payoffs(eq)
    best = best_joint_gain(game, eq, sizes=range(2, min(3, game.n) + 1))
    found = pg.coalition_regret(game, eq, size=min(3, game.n))
    assert found.exact and found.search == "exact"
    floor = 1e-5 * max(1.0, float(np.abs(base).max()))        # gains below the noise floor count as none
    assert found.gain == pytest.approx(best, abs=floor)


def test_continuous_cartel_gains_are_labelled_lower_bounds():
    game = pg.games.SpeedRace.example(4)
    found = pg.coalition_regret(game, pg.solve(game).profile, size=2)
    assert not found.exact and found.search.startswith("lower bound")
