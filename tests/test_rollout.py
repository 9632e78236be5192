"""The simulator plays the rules; its means agree with the analytic payoffs within 4 standard errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import provergame as pg
from provergame import games

from strategies import populations

GAMES = {
    "wta": lambda P, R: games.WinnerTakesAll(R, P),
    "uncles": lambda P, R: games.UncleRewards(R, 0.4, 2, P),
    "mpt": lambda P, R: games.MinimumProvingTime(R, 0.3, P),
    "mpt_det": lambda P, R: games.MinimumProvingTime(R, 0.7, P, proving_time="deterministic"),
    "speed": lambda P, R: games.SpeedRace(R, P),
    "bounty_first": lambda P, R: games.SequencerChosen(R / 4, 1.0, 0.9, P, pay="first"),
    "bounty_all_oop": lambda P, R: games.SequencerChosen(R / 4, 1.0, 0.9, P, pay="all",
                                                         payment="out_of_protocol", bond=R / 2),
}


def _profile(game, seed):
    """An arbitrary (mixed) profile, not only the equilibrium, so the check covers the whole payoff map."""
    rng = np.random.default_rng(seed)
    lo, hi = game.strategy_bounds()
    return lo + (hi - lo) * rng.random(game.n) * (0.3 if not game.finite else 1.0)


@pytest.mark.parametrize("name", list(GAMES))
@settings(max_examples=8)
@given(pop=populations(max_n=6), reward=st.floats(1, 20), seed=st.integers(0, 2 ** 16))
def test_simulator_agrees_with_analytic_payoffs(name, pop, reward, seed):
    game = GAMES[name](pop, reward)
    prof = _profile(game, seed)
    roll = pg.simulate(game, prof, rounds=20_000, seed=seed)
    check = pg.cross_check(game, prof, roll)
    assert check.passed, check.table


@pytest.mark.slow
@pytest.mark.parametrize("name", list(GAMES))
def test_simulated_metrics_converge(name):
    pop = pg.Population.from_arrays(cost=[0.5, 0.8, 1.0, 1.4, 0.9], rate=[1.5, 1.0, 0.7, 2.0, 1.2],
                                    reliability=[0.95, 1.0, 0.9, 0.97, 0.99])
    game = GAMES[name](pop, 10.0)
    eq = pg.solve(game)
    roll = pg.simulate(game, eq.profile, rounds=400_000, seed=11)
    analytic = pg.metrics(game, eq.profile)
    for key in ("hhi", "gini", "participants", "liveness", "user_cost", "surplus"):
        assert np.isclose(roll.metrics[key], analytic[key], rtol=0.02, atol=0.01), key
    assert pg.cross_check(game, eq, roll).passed


def test_reproducible_bit_for_bit(small_population):
    game = games.UncleRewards(10.0, 0.3, 2, small_population)
    p = np.array([0.3, 0.6, 1.0, 0.5])
    a, b = pg.simulate(game, p, rounds=70_000, seed=5), pg.simulate(game, p, rounds=70_000, seed=5)
    assert np.array_equal(a.mean_payoffs, b.mean_payoffs) and a.metrics == b.metrics
    c = pg.simulate(game, p, rounds=70_000, seed=6)
    assert not np.array_equal(a.mean_payoffs, c.mean_payoffs)


def test_cross_check_detects_a_wrong_formula(small_population):
    game = games.WinnerTakesAll(10.0, small_population)
    roll = pg.simulate(game, np.ones(4), rounds=50_000, seed=1)

    class Wrong(games.WinnerTakesAll):
        def entry_values(self, profile):
            return super().entry_values(profile) * 1.05

    assert pg.cross_check(game, np.ones(4), roll).passed
    assert not pg.cross_check(Wrong(10.0, small_population), np.ones(4), roll).passed


def test_cross_check_rare_wins_use_the_null_error():
    """A prover with ~4 expected wins in 20,000 rounds that happened to win none (hypothesis found it):
    its sample variance is 0, but the binomial error of its win count still holds; a formula that
    claims three times its win chance is still caught."""
    pop = pg.Population.from_arrays(cost=[1.0, 3, 1, 1, 1, 1], rate=np.ones(6), reliability=np.ones(6))
    game = games.SpeedRace(2.0, pop)
    prof = np.array([0.3416, 2.995e-4, 0.1515, 0.4415, 0.4121, 0.0635])
    roll = pg.simulate(game, prof, rounds=20_000, seed=10858)
    assert roll.mean_reward[1] == 0.0                                   # no win showed
    assert pg.cross_check(game, prof, roll).passed
    win = (game.expected_payoffs(prof)[1] + pop.cost[1] * prof[1]) / 2.0

    class Wrong(games.SpeedRace):
        def expected_payoffs(self, profile):
            return super().expected_payoffs(profile) + np.eye(6)[1] * 2 * 2.0 * win

    assert not pg.cross_check(Wrong(2.0, pop), prof, roll).passed


def test_results_render(small_population):
    game = games.WinnerTakesAll(10.0, small_population)
    a = pg.analyse(game, rounds=5_000)
    for obj in (a, a.equilibrium, a.rollout, a.cross_check):
        assert "|" in obj._repr_markdown_() and len(obj.to_frame())
    assert set(a.metrics) == set(a.rollout.metrics) == {
        "hhi", "nakamoto", "gini", "participants", "redundancy", "user_cost", "wasted", "surplus",
        "dissipation", "liveness", "eventual_liveness"}
    assert a.bribe.total > 0 and len(a.bribe.to_frame()) == 4


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2 ** 32 - 1), st.integers(1, 3000), st.sampled_from([600, 3000]),
       st.sampled_from(["lognormal", "zeros", "one", "tiny", "equal"]))
def test_inverse_cdf_is_the_binary_search(seed, n, rounds, shape):
    """The guide-table draw returns exactly np.searchsorted's index, for weights with zeros, a single
    positive weight, weights spanning 30 orders of magnitude, and ties; and at u = 0 and u -> 1."""
    from provergame.games.rules import inverse_cdf
    rng = np.random.default_rng(seed)
    w = {"lognormal": rng.lognormal(0, 2, n), "zeros": rng.random(n) * (rng.random(n) < 0.3),
         "one": np.eye(1, n, int(rng.integers(n)))[0], "tiny": 10.0 ** rng.uniform(-30, 0, n),
         "equal": np.ones(n)}[shape]
    if w.sum() == 0:
        w[0] = 1.0
    cum = np.cumsum(w)
    u = np.concatenate([rng.random(rounds), [0.0, np.nextafter(1.0, 0.0)]])
    np.testing.assert_array_equal(inverse_cdf(cum, u), np.searchsorted(cum, u * cum[-1], side="right"))
