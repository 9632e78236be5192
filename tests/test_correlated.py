"""Correlated and coarse correlated equilibria (issue 29 items 2-3): hand-solved games, a cell-by-cell
obedience check written here, weak-duality bounds, and the Nash set inside the correlated polytope."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import provergame as pg
from provergame.achievable import cell_table, nash_distributions
from provergame.solvers.correlated import evaluate

CHICKEN = np.array([[[6, 6], [2, 7]], [[7, 2], [0, 0]]], float)


def obedience_gain(payoffs: np.ndarray, mu: dict, coarse: bool) -> float:
    """The largest gain any player gets by disobeying, cell by cell (mu: {cell: probability})."""
    n = payoffs.ndim - 1
    worst = -np.inf
    for i in range(n):
        recommended = [None] if coarse else range(payoffs.shape[i])
        for a, b in itertools.product(recommended, range(payoffs.shape[i])):
            gain = 0.0
            for cell, p in mu.items():
                if a is not None and cell[i] != a:
                    continue
                moved = cell[:i] + (b,) + cell[i + 1:]
                gain += p * (payoffs[moved + (i,)] - payoffs[cell + (i,)])
            worst = max(worst, gain)
    return worst


def test_chicken_best_correlated_equilibrium_by_hand():
    """Aumann's traffic light for Chicken (6,6 / 2,7 / 7,2 / 0,0): the welfare-best correlated
    equilibrium mixes (C,C) 1/2, (C,D) 1/4, (D,C) 1/4, welfare 10.5, above every Nash equilibrium
    (welfare 9, 9 and 28/3 at the mixed one, C with chance 2/3)."""
    ce = pg.correlated_equilibrium(CHICKEN, "welfare")
    assert ce.value == pytest.approx(10.5, abs=1e-9) and ce.gap <= 1e-9
    got = dict(ce.support())
    assert got == pytest.approx({(0, 0): 0.5, (0, 1): 0.25, (1, 0): 0.25}, abs=1e-9)
    assert obedience_gain(CHICKEN, got, coarse=False) <= 1e-12
    nash = pg.equilibria(pg.NormalFormGame(CHICKEN))
    welfare = sorted(float(x @ (CHICKEN[..., 0] + CHICKEN[..., 1]) @ y) for x, y in nash)
    assert welfare == pytest.approx([9.0, 9.0, 28 / 3]) and ce.value > max(welfare)


def test_coarse_set_contains_the_correlated_set():
    ce = pg.correlated_equilibrium(CHICKEN, "welfare")
    cce = pg.correlated_equilibrium(CHICKEN, "welfare", coarse=True)
    assert cce.value >= ce.value - 1e-9
    assert obedience_gain(CHICKEN, dict(cce.support()), coarse=True) <= 1e-9


def test_three_player_coordination_vertex():
    """All three match: 1 each, else 0. The welfare-best correlated equilibria put all mass on the two
    matched profiles (welfare 3); the bound proves nothing does better."""
    P = np.zeros((2, 2, 2, 3))
    P[0, 0, 0] = P[1, 1, 1] = 1.0
    ce = pg.correlated_equilibrium(P, "welfare")
    assert ce.value == pytest.approx(3.0) and ce.bound == pytest.approx(3.0, abs=1e-9)
    assert set(dict(ce.support())) <= {(0, 0, 0), (1, 1, 1)}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), shape=st.sampled_from([(2, 3, 2), (3, 3, 2), (2, 2, 2, 3), (3, 2, 2, 3)]),
       coarse=st.booleans())
def test_random_games_obey_and_beat_every_nash(seed, shape, coarse):
    """Generated games: the solution obeys (checked cell by cell here), its value is within its own
    dual bound, and every Nash equilibrium is a correlated equilibrium no better than the optimum."""
    payoffs = np.random.default_rng(seed).standard_normal(shape)
    ce = pg.correlated_equilibrium(payoffs, "welfare", coarse=coarse)
    assert obedience_gain(payoffs, dict(ce.support(0.0)), coarse) <= 1e-8
    assert ce.value <= ce.bound + 1e-9 and ce.gap <= 1e-6
    for e in pg.equilibria(pg.NormalFormGame(payoffs)):
        mu = {cell: float(np.prod([e[i][a] for i, a in enumerate(cell)]))
              for cell in itertools.product(*(range(k) for k in shape[:-1]))}
        assert obedience_gain(payoffs, mu, coarse) <= 1e-8
        assert sum(p * payoffs[c].sum() for c, p in mu.items()) <= ce.value + 1e-8


def test_scaling_payoffs_scales_the_value():
    payoffs = np.random.default_rng(5).standard_normal((2, 3, 2))
    base, scaled = (pg.correlated_equilibrium(payoffs * f, "welfare") for f in (1.0, 1e3))
    assert scaled.value == pytest.approx(1e3 * base.value, rel=1e-7)


def test_prover_game_nash_values_match_metrics_and_ratios_are_at_least_one():
    """Four identical provers racing for 3 (cost 1 each): 15 equilibria. Each one's user cost and
    liveness, summed over the cell table, equal pg.metrics at its profile; the best correlated
    outcome is at least as good as the best Nash (PoS >= 1), which is at least the worst (PoA >= PoS)."""
    pop = pg.Population.from_arrays(cost=[1.0] * 4, rate=[1.0] * 4)
    game = pg.games.WinnerTakesAll(reward=3.0, provers=pop)
    table = cell_table(game)
    dists, how = nash_distributions(game, table)
    assert len(dists) == 15 and "every isolated" in how
    for e in pg.equilibria(game):
        mu = np.prod(np.where(table.actions == 1, e.profile, 1 - e.profile), axis=1)
        m = pg.metrics(game, e.profile)
        assert evaluate(table, "user_cost", mu) == pytest.approx(m.user_cost, rel=1e-9)
        assert evaluate(table, "liveness", mu) == pytest.approx(m.liveness, rel=1e-9)
    for objective in ("user_cost", "liveness", "min_share", "welfare"):
        a = pg.achievable(game, objective)
        assert a.price_of_anarchy >= a.price_of_stability >= 1 - 1e-9
        better = (lambda x, y: x >= y - 1e-9) if a.direction == "max" else (lambda x, y: x <= y + 1e-9)
        assert better(a.coarse_best, a.correlated_best) and better(a.correlated_best, a.nash_best)
    assert pg.achievable(game, "liveness").price_of_anarchy == pytest.approx(0.950213 / 0.864665, rel=1e-5)


def test_bad_requests_are_refused():
    with pytest.raises(pg.InvalidParameter, match="objective"):
        pg.correlated_equilibrium(CHICKEN, "happiness")
    with pytest.raises(pg.InvalidParameter, match="objective"):
        pg.correlated_equilibrium(CHICKEN, "user_cost")
    game = pg.games.WinnerTakesAll(reward=3.0, provers=pg.Population.from_arrays(cost=[1.0] * 15))
    with pytest.raises(pg.InvalidParameter, match="provers"):
        pg.correlated_equilibrium(game, "liveness")


def _bisect_ratio(table, numerators, denominator, minimise: bool) -> float:
    """The best ratio over correlated equilibria by bisection on r with a feasibility LP per step (scipy's
    linprog), an independent route to the Charnes-Cooper LP's answer. Minimise numerators[0].mu /
    denominator.mu, or maximise min_k numerators[k].mu / denominator.mu."""
    from scipy.optimize import linprog
    g = table.obedience(coarse=False)
    cells = len(table.payoffs)
    numerators = np.atleast_2d(numerators)
    lo, hi = 0.0, float(np.max(numerators)) / max(float(np.min(denominator[denominator > 0])), 1e-12) + 1.0
    for _ in range(60):
        r = (lo + hi) / 2
        rows = (numerators - r * denominator) * (1.0 if minimise else -1.0)     # each row . mu <= 0
        res = linprog(np.zeros(cells), A_ub=np.vstack([g, rows]), b_ub=np.zeros(len(g) + len(rows)),
                      A_eq=np.ones((1, cells)), b_eq=[1.0], bounds=(0, None), method="highs")
        feasible = res.status == 0
        if minimise:
            lo, hi = (lo, r) if feasible else (r, hi)
        else:
            lo, hi = (r, hi) if feasible else (lo, r)
    return (lo + hi) / 2


def test_ratio_objectives_match_a_bisection_and_their_bounds():
    """User cost per proof (min) and the smallest prover's share (max) of four identical provers and of
    three heterogeneous ones: the LP's optimum equals a bisection over feasibility LPs, and the dual
    bound is on the right side of it."""
    games = [pg.games.WinnerTakesAll(reward=3.0, provers=pg.Population.from_arrays(cost=[1.0] * 4)),
             pg.games.WinnerTakesAll(reward=4.0, provers=pg.Population.from_arrays(cost=[1.0, 1.3, 1.6],
                                                                                   rate=[1.0, 2.0, 1.5]))]
    for game in games:
        table = cell_table(game)
        cost = pg.correlated_equilibrium(game, "user_cost")
        assert cost.value == pytest.approx(_bisect_ratio(table, table.values["user_payment"],
                                                         table.values["eventual_liveness"], True), rel=1e-7)
        assert cost.bound <= cost.value + 1e-9
        share = pg.correlated_equilibrium(game, "min_share")
        reward = table.values["reward"]
        assert share.value == pytest.approx(_bisect_ratio(table, reward.T, reward.sum(axis=1), False), abs=1e-7)
        assert share.bound >= share.value - 1e-9


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), coarse=st.booleans(),
       objective=st.sampled_from(["welfare", "user_cost", "liveness", "min_share"]))
def test_the_matrix_lp_and_the_cvxpy_lp_agree(seed, coarse, objective):
    """The same LP handed to HiGHS as matrices and stated in cvxpy (two independent front ends): the
    same optimum on random three- and four-prover races, each with its own obedience and duality
    certificates."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 5))
    pop = pg.Population.from_arrays(cost=rng.uniform(0.5, 1.5, n), rate=rng.uniform(0.5, 2.0, n))
    game = pg.games.WinnerTakesAll(reward=float(rng.uniform(1.5, 4.0)), provers=pop)
    highs, cvx = (pg.correlated_equilibrium(game, objective, coarse=coarse, backend=b) for b in ("highs", "cvxpy"))
    scale = max(1.0, abs(cvx.value))
    assert highs.value == pytest.approx(cvx.value, abs=1e-7 * scale)
    for ce in (highs, cvx):
        assert ce.violation <= 1e-8 * scale and ce.gap <= 1e-6 * scale
    with pytest.raises(pg.InvalidParameter, match="backend"):
        pg.correlated_equilibrium(game, objective, backend="glpk")


def test_price_lattice_games_say_how_large_their_action_space_is():
    """nil's market posts prices on a tick lattice: a finite action space. The page says its size
    (ticks^provers) and whether it is beyond the cell limit, never "continuous strategies"."""
    from provergame.achievable import why_not
    from provergame.scenario import default_scenario_path, load_scenario
    from provergame.solvers.correlated import MAX_CELLS
    for path, label in ((default_scenario_path(), "nil_market"),
                        (default_scenario_path().parent / "capacity-market.toml", "nil_market")):
        game = dict(load_scenario(path).games())[label]
        ticks = len(game.price_lattice())
        text = why_not(game)
        assert f"lattice of {ticks} ticks: {ticks}^{game.n}" in text and "continuous" not in text
        assert text.startswith("too large" if ticks ** game.n > MAX_CELLS else "prices on a lattice")
        assert ticks ** game.n > MAX_CELLS or "GiB" in text
