"""Verdicts a designer can act on (issue 13): on-time liveness, attack costs after everyone responds,
coalitions and cartels. Every number is checked against an independent computation."""
from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import provergame as pg
from provergame.games import registered
from provergame.games.base import TIMINGS
from provergame.solvers.bribe import bribe_threshold
from provergame.solvers.coalition import cartel, coalition_regret, grim_trigger_values
from provergame.timing import Timing

KINDS = sorted(registered())


# --- on time: the simulator's proof times against the analytic law, every game -------------------
@pytest.mark.parametrize("kind", KINDS)
def test_on_time_liveness_matches_the_simulated_proof_times(kind):
    game = registered()[kind].example()
    assert game.traits.timing in TIMINGS
    profile = game.equilibrium()[0]
    out = game.play(profile, np.random.default_rng(3), 20_000)
    for window in (0.25, 1.0, 4.0):
        analytic = game.on_time(profile, window)
        simulated = float(out.on_time(window).mean())
        se = np.sqrt(max(analytic * (1 - analytic), 1e-4) / 20_000)
        assert abs(analytic - simulated) <= 5 * se, (window, analytic, simulated)
    assert game.on_time(profile, 1e6) <= game.stats(profile).eventual_liveness + 1e-9


@given(st.lists(st.floats(0.2, 5.0), min_size=1, max_size=6), st.floats(0.05, 5.0), st.integers(0, 2 ** 31))
@settings(max_examples=30, deadline=None)
def test_race_on_time_is_the_law_of_the_first_valid_proof(rates, window, seed):
    """WinnerTakesAll with everyone entering: P(min_i Exp(r_i) among valid proofs <= w), by hand."""
    n = len(rates)
    rng = np.random.default_rng(seed)
    rel = rng.uniform(0.5, 1.0, n)
    pop = pg.Population.from_arrays(cost=np.full(n, 0.1), rate=rates, reliability=rel)
    game = pg.games.WinnerTakesAll(10.0, pop)
    by_hand = 1 - np.prod([1 - q * (1 - np.exp(-r * window)) for q, r in zip(rel, rates)])
    assert game.on_time(np.ones(n), window) == pytest.approx(by_hand, rel=1e-12, abs=1e-15)


def test_elected_prover_is_on_time_less_often_than_a_race():
    """Default-scenario-like provers: a stake-weighted VRF assignee holds the window alone, a race
    lets the fastest valid proof count; with the same provers the race is on time more often."""
    pop = pg.games.base.example_provers(12, seed=4)
    race = pg.games.WinnerTakesAll(10.0, pop)
    vrf = pg.games.StakeVRF(10.0, pop, slash=1.0)
    everyone = np.ones(12)
    assert race.on_time(everyone, 1.0) > vrf.on_time(everyone, 1.0)
    first = vrf.first_assignment(everyone)
    assert first.sum() == pytest.approx(1.0)
    assert first == pytest.approx(pop.stake / pop.stake.sum())


def test_metrics_and_rollout_report_on_time_and_eventual_liveness():
    game = pg.games.WinnerTakesAll.example()
    eq = pg.solve(game)
    m = pg.metrics(game, eq.profile, window=0.5)
    assert m["liveness"] < m["eventual_liveness"]
    roll = pg.simulate(game, eq.profile, rounds=50_000, seed=1, window=0.5)
    assert roll.on_time == pytest.approx(m["liveness"], abs=5 * roll.on_time_stderr + 1e-3)
    table = pg.cross_check(game, eq, roll).table
    assert "on-time liveness" in set(table["quantity"])
    with pytest.raises(pg.InvalidParameter, match="window"):
        pg.metrics(game, eq.profile, window=0.0)


def test_timing_units_per_hour():
    t = Timing(window=2.0, slot_seconds=12.0)
    assert t.units_per_hour == 300.0
    assert t.per_hour(0.5) == 150.0
    with pytest.raises(pg.InvalidParameter, match="slot_seconds"):
        Timing(slot_seconds=-1.0)


# --- attack costs after everyone responds --------------------------------------------------------
def _solo_by_hand(game) -> np.ndarray:
    """Payoff of proving alone in WinnerTakesAll: rho_i R - c_i (the only entrant always wins)."""
    return game.provers.reliability * game.reward - game.provers.cost


@given(st.integers(2, 9), st.floats(0.5, 20.0), st.integers(0, 2 ** 31))
@settings(max_examples=25, deadline=None)
def test_stall_bribe_pays_every_prover_that_would_prove_alone(n, reward, seed):
    """WinnerTakesAll: once the coalition withholds, any prover left with a positive solo payoff
    enters and proves, so every such prover must be bribed, each its solo payoff."""
    pop = pg.games.base.example_provers(n, seed=seed % 1000)
    game = pg.games.WinnerTakesAll(reward, pop)
    b = bribe_threshold(game, "withhold", 0.0)
    solo = _solo_by_hand(game)
    assert np.array_equal(b.coalition, solo > 0)
    assert b.total == pytest.approx(np.clip(solo, 0, None).sum(), rel=1e-9, abs=1e-12)
    assert b.liveness_after == 0.0
    # independent residual check: with the coalition gone, nobody left can profit from entering
    left = ~b.coalition
    if left.any():
        rest = game.without(b.coalition)
        assert np.all(rest.deviation_payoffs(np.zeros(rest.n), np.ones((rest.n, 1)))[:, 0] <= 1e-12)


def test_partial_coalition_does_not_stall_when_the_others_respond():
    """The issue's case: bribing only the provers active at the equilibrium leaves provers who
    would profit proving alone; the residual equilibrium then has positive on-time liveness."""
    pop = pg.games.base.example_provers(12, seed=42)
    game = pg.games.WinnerTakesAll(10.0, pop)
    eq = game.equilibrium()[0]
    active = eq > 0
    rest = game.without(active)
    prof = rest.equilibrium()[0]
    if (~active).any() and np.any(_solo_by_hand(game)[~active] > 0):
        assert rest.on_time(prof, 1.0) > 0
    b = bribe_threshold(game, "withhold", 0.0)
    assert b.coalition.sum() >= active.sum()


def test_halving_bribe_leaves_a_certified_residual_at_or_below_target():
    game = pg.games.StakeVRF.example(8)
    b = bribe_threshold(game, "withhold", 0.5)
    rest = game.without(b.coalition)
    prof = rest.equilibrium()[0]
    assert rest.on_time(prof, 1.0) == pytest.approx(b.liveness_after)
    assert b.liveness_after <= 0.5
    assert b.regret == pytest.approx(pg.solve(rest).regret, abs=1e-9)


def test_no_bribe_when_the_window_is_already_missed():
    game = pg.games.WinnerTakesAll.example()
    b = bribe_threshold(game, "withhold", 0.5, window=1e-6)
    assert b.total == 0.0 and "no bribe needed" in b.method


# --- coalitions ----------------------------------------------------------------------------------
def _brute_force_coalition_gain(game, profile, size) -> float:
    """Enumerate every pure profile of the normal form: the largest joint gain of a coalition of
    2..size players who change only their own entries."""
    tensor = pg.to_normal_form(game)
    if game.n == 2:
        tensor = np.stack(tensor, axis=-1)
    n = game.n
    base = np.asarray(game.expected_payoffs(profile))
    best = 0.0
    for cells in np.ndindex(*(2,) * n):
        pure = np.array(cells, dtype=float)
        moved = np.flatnonzero(pure != profile)
        if len(moved) < 1 or len(moved) > size:
            continue
        pay = tensor[cells]
        for k in range(max(2, len(moved)), size + 1):
            for coalition in combinations(range(n), k):
                if set(moved) <= set(coalition):
                    best = max(best, float(sum(pay[i] - base[i] for i in coalition)))
    return best


@given(st.integers(3, 5), st.integers(2, 3), st.floats(1.0, 12.0), st.integers(0, 10_000))
@settings(max_examples=25, deadline=None)
def test_coalition_regret_matches_brute_force(n, size, reward, seed):
    pop = pg.games.base.example_provers(n, seed=seed)
    game = pg.games.WinnerTakesAll(reward, pop)
    profile = game.equilibrium()[0]
    if not np.all((profile == 0) | (profile == 1)):
        return
    got = coalition_regret(game, profile, size=size)
    assert got.exhaustive
    assert got.gain == pytest.approx(_brute_force_coalition_gain(game, profile, size), abs=1e-9)
    assert got.pareto_gain <= got.gain + 1e-12


# --- cartels -------------------------------------------------------------------------------------
def _bertrand_duopoly(cost: float = 1.0, reserve: float = 3.0, demand: float = 2.0):
    pop = pg.Population.from_arrays(cost=[cost, cost], capacity=[2 * demand, 2 * demand])
    return pg.games.Snarketplace(demand=demand, reserve_price=reserve, provers=pop)


@given(st.floats(0.1, 5.0), st.floats(1.1, 4.0), st.floats(0.5, 10.0))
@settings(max_examples=20, deadline=None)
def test_symmetric_bertrand_cartel_is_sustainable_exactly_from_one_half(cost, markup, demand):
    """Equal costs: the equilibrium price is the cost (no profit); the cartel charges the reserve
    and splits the market; undercutting by one tick takes it all once. delta* = (pi_m / 2) / pi_m = 1/2
    in the limit of a zero tick; with the game's tick t: g = (r - t - c) D - pi_m / 2, l = pi_m / 2."""
    game = _bertrand_duopoly(cost, cost * markup, demand)
    ring = cartel(game, [0, 1])
    reserve, tick = cost * markup, game.tick
    monopoly = (reserve - cost) * demand
    assert ring.gain == pytest.approx(monopoly, rel=1e-6)
    g, loss = (reserve - tick - cost) * demand - monopoly / 2, monopoly / 2
    assert ring.delta_star == pytest.approx(g / (g + loss), rel=1e-6)
    assert abs(ring.delta_star - 0.5) <= tick / (reserve - cost)


@pytest.mark.slow
def test_grim_trigger_simulation_agrees_with_delta_star():
    """The repeated game played by the protocol rules: deviating pays below delta*, not above."""
    game = _bertrand_duopoly()
    ring = cartel(game, [0, 1])
    for delta, deviation_pays in ((ring.delta_star - 0.05, True), (ring.delta_star + 0.05, False)):
        stay, leave = grim_trigger_values(game, ring, 0, delta)
        assert (leave > stay) == deviation_pays


def test_cartel_refuses_a_single_member():
    with pytest.raises(pg.InvalidParameter, match="members"):
        cartel(_bertrand_duopoly(), [1])


def test_analysis_carries_cartel_columns():
    a = pg.analyse(pg.games.Snarketplace.example(), rounds=2000)
    row = a.summary()
    for key in ("cartel gain (k = 2)", "cartel gain (k = 3)", "collusion sustainable at delta >=",
                "on-time liveness", "stall bribe per hour"):
        assert key in row


PROVING = [k for k in KINDS if registered()[k].traits.proving]


@pytest.mark.parametrize("kind", PROVING)
def test_every_stall_bribe_is_a_certified_minimal_coalition(kind):
    """Re-check each game's stall bribe against residual equilibria computed afresh: the residual is
    certified (regret within tolerance) with on-time liveness 0; where the method claims exactness,
    every member is necessary (letting any one member back in restores on-time proving), and each
    member's pay makes withholding a best response (no member gains by joining the residual)."""
    from provergame.solvers.regret import best_responses, regret_by_player
    game = registered()[kind].example()
    b = bribe_threshold(game, "withhold", 0.0)
    if b.total == 0.0:
        assert game.on_time(game.equilibrium()[0], 1.0) == 0.0
        return
    tol = 1e-6 * max(1.0, float(np.max(b.per_prover)))
    outside = np.zeros(0)
    if b.coalition.all():
        assert b.liveness_after == 0.0
    else:
        rest = game.without(b.coalition)
        try:
            outside = rest.equilibrium()[0]
        except pg.InvalidParameter:          # nobody left would take part (an empty stake pool)
            outside = rest.strategy_bounds()[0]
        else:
            assert rest.on_time(outside, 1.0) == 0.0
            assert float(np.max(regret_by_player(rest, outside))) <= tol
    if b.method.startswith("exact"):
        for i in np.flatnonzero(b.coalition):
            back = b.coalition.copy()
            back[i] = False
            rest = game.without(back)
            prof = rest.equilibrium()[0]
            assert rest.on_time(prof, 1.0) > 0, (i, "a member is not needed")
    # member i gets b_i >= what it would earn joining the others' residual play
    for i in np.flatnonzero(b.coalition):
        keep = ~b.coalition
        keep[i] = True
        joined = game.without(~keep)
        pos = int(np.sum(keep[:i]))
        prof = np.insert(outside, pos, joined.strategy_bounds()[0][pos])
        best = float(best_responses(joined, prof)[0][pos])
        assert b.per_prover[i] >= best - 1e-9 * max(1.0, abs(best)), (i, b.per_prover[i], best)


def test_short_supply_is_counted_as_unserved_demand():
    """Snarketplace with capacity 1.5 for a demand of 3: half the demand is served, analytic and
    simulated (the simulator reads the share from the order book it plays)."""
    pop = pg.Population.from_arrays(cost=[1.0, 1.2], capacity=[1.0, 0.5])
    game = pg.games.Snarketplace(demand=3.0, reserve_price=3.0, provers=pop)
    eq = pg.solve(game)
    assert game.on_time(eq.profile, 1.0) == pytest.approx(0.5)
    roll = pg.simulate(game, eq.profile, rounds=1000, window=1.0)
    assert roll.on_time == pytest.approx(0.5) and roll.eventual_liveness == pytest.approx(0.5)


def test_sybil_baseline_is_the_equilibrium_payoff():
    """One identity's profit in sybil_gain is the operator's payoff in the same game at the same
    equilibrium (identity weighting charges min_stake per identity, as the game does)."""
    pop = pg.games.base.example_provers(10, seed=42)
    game = pg.games.IdentityVRF(10.0, pop, min_stake=3.0, stake_cost=0.005, slash=1.0)
    eq = game.equilibrium()[0]
    op = int(np.argmax(pop.stake))
    one = eq.copy()
    one[op] = 1.0
    assert pg.sybil_gain(game, op, 1).profit_before == pytest.approx(float(game.expected_payoffs(one)[op]), rel=1e-12)


def test_sybil_line_at_max_provers_says_it_was_not_measured():
    """An identity-weighted game at its max_provers cannot be cloned with 3 more identities (the clone
    would be refused); the report line says so instead of failing the analysis. Below the limit the
    clone is measured."""
    from provergame.attacks import undercut_sybil_summary
    full = pg.games.Sidecar.example(pg.games.Sidecar.traits.max_provers)
    line = undercut_sybil_summary(full, np.ones(full.n))
    assert "not measured" in line and str(pg.games.Sidecar.traits.max_provers) in line
    small = pg.games.Sidecar.example(6)
    assert "profit" in undercut_sybil_summary(small, np.ones(small.n))


@given(st.integers(1, 12), st.integers(1, 4), st.integers(0, 2 ** 31))
@settings(max_examples=60, deadline=None)
def test_pareto_mask_matches_the_definition(designs, objectives, seed):
    """Brute force: a design is on the front iff no other is no worse everywhere and better somewhere."""
    from provergame.solvers.pareto import pareto_mask
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 4, size=(designs, objectives)).astype(float)   # ties on purpose
    maximise = rng.random(objectives) < 0.5
    got = pareto_mask(values, maximise)
    signed = np.where(maximise, -values, values)
    for a in range(designs):
        beaten = any(all(signed[b] <= signed[a]) and any(signed[b] < signed[a]) for b in range(designs) if b != a)
        assert got[a] == (not beaten)


@given(st.integers(2, 10), st.integers(1, 4), st.integers(0, 2 ** 31))
@settings(max_examples=60, deadline=None)
def test_pareto_front_ignores_rounding_noise(designs, objectives, seed):
    """Integer objectives (ties on purpose) jittered by 1e-12 relative, as two routes to the same stall
    bribe differ: the front is the one of the exact values (a tie is a tie, not a win)."""
    from provergame.solvers.pareto import pareto_mask
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 4, size=(designs, objectives)).astype(float)
    maximise = rng.random(objectives) < 0.5
    jittered = values * (1 + 1e-12 * rng.standard_normal(values.shape))
    assert (pareto_mask(jittered, maximise) == pareto_mask(values, maximise)).all()


def test_an_infinite_advantage_still_dominates():
    """A design no coalition can stall (stall bribe inf, maximised) beats an equal one with a finite
    bribe; equal infinities tie."""
    from provergame.solvers.pareto import pareto_mask
    values = np.array([[1.0, np.inf], [1.0, 100.0], [1.0, np.inf]])
    assert pareto_mask(values, [False, True]).tolist() == [True, False, True]
