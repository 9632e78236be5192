"""Mixed equilibria where no pure one exists: the logit-branch solver for finite games, and the price
games (nil's market, the snarketplace with capacities) on their tick lattice, checked against
exhaustive enumeration, the suites' games and the simulator playing the mixtures."""
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import provergame as pg
from provergame.solvers.logit import logit_equilibrium
from provergame.solvers.normal_form import NormalFormGame, mixed_equilibria
from provergame.solvers.price_mixing import MixedProfile, expected_payoffs
from test_normal_form import MCKELVEY_MCLENNAN, by_hand_gains


def test_matching_pennies_and_the_mckelvey_mclennan_game():
    pennies = np.array([[1.0, -1.0], [-1.0, 1.0]])
    res = logit_equilibrium(np.stack([pennies, -pennies], axis=-1))
    assert res.exact
    np.testing.assert_allclose(res.strategies, [[0.5, 0.5], [0.5, 0.5]], atol=1e-12)
    res = logit_equilibrium(MCKELVEY_MCLENNAN)
    assert res.exact
    every = mixed_equilibria(NormalFormGame(MCKELVEY_MCLENNAN))          # the 9, by exact support enumeration
    assert any(all(np.allclose(a, b, atol=1e-9) for a, b in zip(res.strategies, e)) for e in every)
    assert max(by_hand_gains(MCKELVEY_MCLENNAN, res.strategies)) <= 1e-9


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.integers(2, 4), min_size=3, max_size=4))
def test_logit_branch_ends_at_a_certified_equilibrium_of_random_games(seed, actions):
    """Generic n-player games: the branch's end point, made exact on its support, has no profitable
    deviation (gains summed cell by cell, independently of the solver's contractions)."""
    payoffs = np.random.default_rng(seed).normal(size=tuple(actions) + (len(actions),))
    res = logit_equilibrium(payoffs)
    assert res.exact
    span = [float(payoffs[..., i].max() - payoffs[..., i].min()) for i in range(len(actions))]
    gains = by_hand_gains(payoffs, res.strategies)
    assert all(g <= 1e-9 * s for g, s in zip(gains, span))
    assert all(abs(s.sum() - 1) < 1e-12 and (s >= 0).all() for s in res.strategies)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.integers(1, 5), min_size=1, max_size=5))
def test_logit_contractions_equal_einsum(seed, actions):
    """The leave-one-out contractions the trace uses (values, and each pair's payoff matrix with the
    rest mixing) against np.einsum written out index by index."""
    from provergame.solvers.logit import _Game
    rng = np.random.default_rng(seed)
    n = len(actions)
    pay = rng.normal(size=(*actions, n))
    g = _Game(pay)
    s = [rng.dirichlet(np.ones(k)) for k in actions]
    letters = "abcdefgh"[:n]
    values, cross = g.responses(s)
    for i in range(n):
        operands = [g.T[i]] + [s[m] for m in range(n) if m != i]
        spec = ",".join([letters] + [letters[m] for m in range(n) if m != i]) + "->" + letters[i]
        expected = np.einsum(spec, *operands)
        np.testing.assert_allclose(values[i], expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(g.values(s)[i], expected, rtol=1e-12, atol=1e-12)
        for j in range(n):
            if j == i:
                continue
            rest = [m for m in range(n) if m not in (i, j)]
            spec = letters + "".join("," + letters[m] for m in rest) + "->" + letters[i] + letters[j]
            np.testing.assert_allclose(cross[i, j], np.einsum(spec, g.T[i], *[s[m] for m in rest]),
                                       rtol=1e-12, atol=1e-12)
    assert set(cross) == {(i, j) for i in range(n) for j in range(n) if i != j}


def test_logit_branch_on_the_suite_games():
    """All 85 two-player suite games end at an exact equilibrium (regret 0 to rounding), the
    degenerate ones included (a continuum: the careful retrace or the perturbed copy gets there)."""
    games = json.loads((Path(__file__).parent / "data" / "bimatrix_suite.json").read_text())["games"]
    for g in games:
        A = np.array([[float(Fraction(v)) for v in r] for r in g["A"]])
        B = np.array([[float(Fraction(v)) for v in r] for r in g["B"]])
        res = logit_equilibrium(np.stack([A, B], axis=-1))
        assert res.exact, g["name"]
        assert pg.solvers.nash.relative_regret(A, B, *res.strategies) <= 1e-9


def _nil_market(tick=0.1):
    from provergame.scenario import default_scenario_path, load_scenario
    sc = load_scenario(default_scenario_path())
    from dataclasses import replace
    return replace(dict(sc.games())["nil_market"], tick=tick)


def test_nil_market_best_responses_cycle_on_its_lattice_and_a_mixed_equilibrium_is_certified():
    game = _nil_market()
    lattice = game.price_lattice()
    assert np.allclose(lattice / 0.1, np.round(lattice / 0.1)) and len(lattice) == 81
    eq = pg.certify(game, game.equilibrium()[0], "the solver's pure profile", False)
    assert not eq.certified and eq.regret > 0.01             # best responses cycle (Edgeworth)
    mixed_eq = pg.mixed_equilibrium(game, eq)
    mixed = mixed_eq.extra["mixed"]
    assert mixed_eq.exact and mixed_eq.regret <= 1e-9
    assert sum(len(s) > 1 for s in mixed.support) >= 2       # genuinely mixed
    # every price a mixing prover plays earns the same against the others' mixtures (indifference),
    # and no multiple of the tick earns more: each price tried by brute force, profile by profile
    prof, w = mixed.profiles()
    for i, (support, probs) in enumerate(zip(mixed.support, mixed.probs)):
        earn = []
        for price in lattice:
            dev = prof.copy()
            dev[:, i] = price
            earn.append(float(w @ game.expected_payoffs(dev)[:, i]))
        earn = np.array(earn)
        own = expected_payoffs(game, mixed)[i]
        assert earn.max() <= own + 1e-9
        on_support = [earn[np.argmin(np.abs(lattice - x))] for x in support]
        np.testing.assert_allclose(on_support, own, atol=1e-9)


def test_simulator_plays_the_mixture_and_agrees():
    """The simulator draws every prover's price from its mixture each round (the rules, not the
    payoff formulas): its means agree with the mixture's expected payoffs, and a mixing prover that
    switches to a pure price off its support earns no more in simulation either."""
    game = _nil_market()
    eq = pg.mixed_equilibrium(game)
    mixed = eq.extra["mixed"]
    roll = pg.simulate(game, mixed, rounds=40_000, seed=3)
    assert pg.cross_check(game, eq, roll).passed
    assert pg.simulate(game, mixed, rounds=5_000, seed=3).mean_payoffs.tolist() == \
        pg.simulate(game, mixed, rounds=5_000, seed=3).mean_payoffs.tolist()
    i = next(k for k, s in enumerate(mixed.support) if len(s) > 1)
    off = float(mixed.support[i].max() + 0.3)
    support = list(mixed.support)
    support[i] = np.array([off])
    probs = list(mixed.probs)
    probs[i] = np.array([1.0])
    deviated = pg.simulate(game, MixedProfile(tuple(support), tuple(probs)), rounds=40_000, seed=4)
    assert deviated.mean_payoffs[i] <= roll.mean_payoffs[i] + 4 * (deviated.stderr[i] + roll.stderr[i])
    metrics = pg.metrics(game, mixed)
    assert abs(metrics["user_cost"] - roll.metrics["user_cost"]) < 0.05


def test_snarketplace_edgeworth_case_gets_a_mixed_equilibrium():
    """Two provers of capacity 2 facing demand 3 (Edgeworth): each prefers the reserve price on the
    residual demand to undercutting, so the Bertrand candidate fails; on a 0.1 lattice the mixture is
    certified, and the analysis reports it (the simulator agreeing)."""
    pop = pg.Population.from_arrays(cost=[1.0, 1.2], capacity=[2.0, 2.0])
    game = pg.games.Snarketplace(3.0, 3.0, pop, tick=0.1)
    assert not pg.certify(game, game.equilibrium()[0], "Bertrand candidate", False).certified
    assert "mixed" in pg.solve(game).extra                  # pg.solve returns the certified mixture
    a = pg.analyse(game, rounds=20_000)
    assert a.equilibrium.exact and a.equilibrium.regret <= 1e-9
    assert "mixed equilibrium" in a.equilibrium.method
    assert a.cross_check.passed
    assert "Mixed equilibrium on the price lattice" in a.extra


def test_fine_ticks_keep_the_labelled_least_regret_profile():
    game = _nil_market(tick=1e-6)
    assert game.price_lattice() is None
    assert pg.mixed_equilibrium(game) is None
    with pytest.raises(pg.InvalidParameter, match="profile"):
        pg.simulate(game, MixedProfile(tuple(np.array([1.0]) for _ in range(3)), tuple(np.array([1.0]) for _ in range(3))))


def test_a_declined_mixture_says_why_and_states_the_limit():
    from dataclasses import replace
    fine = pg.analyse(_nil_market(tick=1e-6), rounds=2_000)
    assert not fine.equilibrium.exact and "too fine for a lattice (more than 4,001 prices)" in fine.equilibrium.method
    from provergame.scenario import default_scenario_path, load_scenario
    crowded = replace(dict(load_scenario(default_scenario_path()).games())["snarketplace"], tick=0.1, demand=6.0)
    a = pg.analyse(crowded, rounds=2_000)
    assert not a.equilibrium.exact and "above the solver's limit of 250,000" in a.equilibrium.method


@pytest.mark.parametrize("tick", [0.05, 0.02])
def test_capacity_duopoly_matches_the_bertrand_edgeworth_closed_form(tick):
    """Two provers with cost c and capacity k each facing demand D (k < D < 2k) at reserve r: the
    continuous game's mixed equilibrium (Levitan and Shubik 1972; Kreps and Scheinkman 1983) earns
    each (r - c)(D - k), draws prices from [p_low, r] with p_low = c + (r - c)(D - k)/k, and has CDF
    F(p) = ((p - c)k - (r - c)(D - k)) / ((p - c)(2k - D)). The lattice equilibrium converges to it."""
    c, k, D, r = 1.0, 2.0, 3.0, 3.0
    game = pg.games.Snarketplace(D, r, pg.Population.from_arrays(cost=[c, c], capacity=[k, k]), tick=tick)
    eq = pg.mixed_equilibrium(game)
    assert eq.exact and eq.regret <= 1e-9
    np.testing.assert_allclose(eq.payoffs, (r - c) * (D - k), atol=10 * tick ** 2 + 1e-3)
    support, probs = eq.extra["mixed"].support[0], eq.extra["mixed"].probs[0]
    p_low = c + (r - c) * (D - k) / k
    assert p_low - 1e-9 <= support.min() <= p_low + 2 * tick and support.max() <= r + 1e-9
    cdf = np.cumsum(probs)
    for p in (2.2, 2.5, 2.8):
        closed = ((p - c) * k - (r - c) * (D - k)) / ((p - c) * (2 * k - D))
        assert abs(cdf[support <= p + 1e-9][-1] - closed) < 0.06


def test_capacity_market_scenario_reports_the_edgeworth_mixture():
    """The bundled capacity duopoly: its snarketplace's analysis is the certified mixture, and the
    simulator playing it agrees with the mixture's expected payoffs."""
    from provergame.scenario import load_scenario
    sc = load_scenario(Path(__file__).parent.parent / "scenarios" / "capacity-market.toml")
    game = dict(sc.games())["snarketplace_edgeworth"]
    a = pg.analyse(game, rounds=20_000, seed=sc.seed, timing=sc.timing())
    mixed = a.equilibrium.extra["mixed"]
    assert a.equilibrium.exact and a.equilibrium.regret <= 1e-9
    assert all(len(s) > 1 for s in mixed.support) and a.cross_check.passed


def test_every_bundled_scenario_loads():
    from provergame.scenario import load_scenario
    for path in sorted((Path(__file__).parent.parent / "scenarios").glob("*.toml")):
        sc = load_scenario(path)
        assert sc.games(), path.name


def test_solve_never_returns_an_uncertified_profile_as_an_equilibrium():
    """Issue 25: pg.solve on nil's market (default scenario) used to return a pure profile with regret
    0.033; it now returns the certified mixture on the tick lattice, and pg.metrics reads the mixture."""
    from provergame.scenario import default_scenario_path, load_scenario
    game = dict(load_scenario(default_scenario_path()).games())["nil_market"]
    pure = game.equilibrium()[0]
    assert not pg.certify(game, pure, "the solver's pure profile", False).certified
    eq = pg.solve(game)
    assert eq.certified and "mixed" in eq.extra
    assert pg.metrics(game, eq).user_cost == pg.metrics(game, eq.extra["mixed"]).user_cost
    label = pg.certify(game, pure, "by hand", False)._repr_markdown_()
    assert "NOT an equilibrium" in label


def test_logit_survives_a_support_where_newton_diverges():
    """A 3x4x4x4 game (seed 9506, found by hypothesis) made LAPACK's least squares fail inside the
    support polish (a stack trace from numpy); the polish now gives up on that support and the branch
    ends at a certified equilibrium, its gains checked cell by cell."""
    payoffs = np.random.default_rng(9506).normal(size=(3, 4, 4, 4, 4))
    res = logit_equilibrium(payoffs)
    assert res.exact
    span = [float(np.ptp(payoffs[..., i])) for i in range(4)]
    assert all(g <= 1e-9 * s for g, s in zip(by_hand_gains(payoffs, res.strategies), span))
