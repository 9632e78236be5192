"""Incentive invariants at every reported equilibrium, over generated parameters."""
from math import comb

import numpy as np
import pytest
from hypothesis import given, strategies as st

import provergame as pg
from provergame import games
from provergame.solvers import contest
from provergame.solvers.entry import pure_equilibria

from strategies import populations

ENTRY_GAMES = [
    lambda P, R: games.WinnerTakesAll(R, P),
    lambda P, R: games.UncleRewards(R, 0.3, 2, P),
    lambda P, R: games.MinimumProvingTime(R, 0.4, P),
    lambda P, R: games.MinimumProvingTime(R, 0.8, P, proving_time="deterministic"),
    lambda P, R: games.SequencerChosen(R / 3, 1.0, 0.95, P, pay="first"),
    lambda P, R: games.SequencerChosen(R / 3, 1.0, 0.95, P, pay="all"),
]


@pytest.mark.parametrize("make", ENTRY_GAMES)
@given(pop=populations(max_n=7), reward=st.floats(0.5, 30))
def test_no_profitable_deviation_and_individual_rationality(make, pop, reward):
    game = make(pop, reward)
    eq = pg.solve(game)
    assert eq.regret <= 1e-9 * max(1.0, reward)
    assert np.all(eq.payoffs >= -1e-9 * reward)                  # individual rationality
    assert np.allclose(eq.payoffs, game.expected_payoffs(eq.profile))


@pytest.mark.parametrize("make", ENTRY_GAMES[:4])
@given(pop=populations(max_n=5), reward=st.floats(0.5, 30))
def test_every_enumerated_equilibrium_is_certified(make, pop, reward):
    for eq in pg.equilibria(make(pop, reward)):
        assert eq.regret <= 1e-8 * max(1.0, reward)


def test_all_pure_equilibria_for_twelve_identical_provers():
    pop = pg.Population.identical(12, cost=1.3, rate=1.0)
    game = games.WinnerTakesAll(10.0, pop)
    eqs = pure_equilibria(game)
    m = int(10.0 // 1.3)
    assert len(eqs) == comb(12, m) and np.all(eqs.sum(axis=1) == m)


@given(n=st.integers(2, 12), cost=st.floats(0.05, 5), reward=st.floats(0.5, 20), rel=st.floats(0.5, 1))
def test_symmetric_mixed_entry_matches_closed_form(n, cost, reward, rel):
    game = games.WinnerTakesAll(reward, pg.Population.identical(n, cost=cost, rate=2.0, reliability=rel))
    eq = pg.solve(game, symmetric=True)
    p = eq.profile[0]
    assert eq.regret <= 1e-9 * max(1, reward)
    q = p * rel
    if 0 < p < 1:  # V(p) = R (1 - (1 - q)^n) / (n p) = cost
        assert np.isclose(reward * (1 - (1 - q) ** n) / (n * p), cost, rtol=1e-8)
    elif p == 1:
        assert reward * (1 - (1 - rel) ** n) / n >= cost * (1 - 1e-12)
    else:
        assert reward * rel <= cost * (1 + 1e-12)


def test_symmetric_requires_identical():
    with pytest.raises(pg.InvalidParameter, match="symmetric"):
        pg.solve(games.WinnerTakesAll(1.0, pg.Population.from_arrays(cost=[1, 2])), symmetric=True)


def test_two_prover_bimatrix_adds_the_mixed_equilibrium():
    game = games.WinnerTakesAll(10.0, pg.Population.from_arrays(cost=[6.0, 6.0]))
    eqs = pg.equilibria(game)
    profiles = sorted(tuple(np.round(e.profile, 9)) for e in eqs)
    assert (0.0, 1.0) in profiles and (1.0, 0.0) in profiles
    mixed = [e for e in eqs if 0 < e.profile[0] < 1]
    assert len(mixed) == 1 and np.allclose(mixed[0].profile, 0.8) and mixed[0].regret < 1e-9


@given(costs=st.lists(st.floats(0.1, 10), min_size=2, max_size=30), reward=st.floats(0.1, 100))
def test_tullock_closed_form_is_certified_and_matches_iteration(costs, reward):
    game = games.SpeedRace(reward, pg.Population.from_arrays(cost=costs))
    eq = pg.solve(game)
    assert eq.regret <= 1e-7 * reward
    ibr, iters = contest.iterated_best_response(reward, costs, tol=1e-13, max_iter=20_000)
    if iters < 20_000:  # the numeric baseline converged: it must agree with the closed form
        assert np.allclose(eq.profile, ibr, atol=1e-6 * reward / min(costs))
    assert np.all(eq.payoffs >= -1e-12)


@given(n=st.integers(2, 50), cost=st.floats(0.1, 10), reward=st.floats(0.1, 100))
def test_symmetric_tullock_effort_profit_dissipation(n, cost, reward):
    eq = pg.solve(games.SpeedRace(reward, pg.Population.identical(n, cost=cost)), symmetric=True)
    assert np.allclose(eq.profile, reward * (n - 1) / (n ** 2 * cost))
    assert np.allclose(eq.payoffs, reward / n ** 2)
    m = pg.metrics(games.SpeedRace(reward, pg.Population.identical(n, cost=cost)), eq.profile)
    assert np.isclose(m["dissipation"], (n - 1) / n)


@given(costs=st.lists(st.floats(0.1, 10), min_size=2, max_size=12), scale=st.floats(0.01, 100),
       perm_seed=st.integers(0, 1000))
def test_tullock_scale_invariance_and_symmetry(costs, scale, perm_seed):
    base = contest.tullock_equilibrium(10.0, costs)
    assert np.allclose(contest.tullock_equilibrium(10.0 * scale, costs), base * scale)
    assert np.allclose(contest.tullock_equilibrium(10.0, np.array(costs) * scale), base / scale)
    perm = np.random.default_rng(perm_seed).permutation(len(costs))
    assert np.allclose(contest.tullock_equilibrium(10.0, np.array(costs)[perm]), base[perm])


def test_tullock_scales_to_100k_provers():
    costs = np.random.default_rng(0).lognormal(0, 0.5, 100_000)
    eq = pg.solve(games.SpeedRace(1000.0, pg.Population.from_arrays(cost=costs)))
    assert eq.regret <= 1e-9 * 1000 and (eq.profile > 0).sum() >= 2


@given(pop=populations(max_n=6, identical=True), reward=st.floats(0.5, 30), share=st.floats(0, 1))
def test_uncle_rewards_raise_entry_and_cost_per_proof(pop, reward, share):
    wta = pg.solve(games.WinnerTakesAll(reward, pop), symmetric=True).profile[0]
    unc_game = games.UncleRewards(reward, share, 2, pop)
    unc = pg.solve(unc_game, symmetric=True).profile[0]
    assert unc >= wta - 1e-9
    m_w = pg.metrics(games.WinnerTakesAll(reward, pop), np.full(len(pop), wta))
    m_u = pg.metrics(unc_game, np.full(len(pop), unc))
    if m_w["liveness"] > 0 and m_u["liveness"] > 0:
        assert m_u["user_cost"] >= m_w["user_cost"] - 1e-9
