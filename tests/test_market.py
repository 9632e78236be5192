"""Proof markets: invariants over generated parameters."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import provergame as pg
from provergame.games import NilMarket, Predation, Snarketplace, market_dynamics
from provergame.solvers.powerlaw import fit_power_law
from provergame.solvers.undercut import undercut

real = lambda lo, hi: st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def sellers(draw, min_n=2, max_n=7, unit=False):
    n = draw(st.integers(min_n, max_n))
    costs = draw(st.lists(real(0.1, 2.0), min_size=n, max_size=n, unique=True))
    caps = 1.0 if unit else draw(st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=n, max_size=n))
    return pg.Population.from_arrays(cost=costs, capacity=caps, reliability=draw(real(0.6, 1.0)))


@given(sellers(unit=True), st.integers(1, 8), real(0.5, 3.0))
def test_unit_capacity_bertrand(pop, demand, reserve):
    m = Snarketplace(float(demand), reserve, pop)
    eq = pg.solve(m)
    c = np.sort(pop.cost[pop.cost <= reserve])
    q = m.units(eq.profile)
    assert eq.regret <= 10 * m.tick * demand
    assert np.all(eq.profile[q > 0] <= reserve + 1e-12)                 # price never above reserve
    assert np.isclose(q.sum(), min(demand, len(c)))                        # demand met when supply allows
    winners = np.sort(pop.cost[q > 0])
    assert np.allclose(winners, c[:len(winners)])                          # the cheapest provers win
    if len(c) > demand:                                                    # pinned by the first excluded cost
        assert np.allclose(eq.profile[q > 0], np.maximum(c[demand] - m.tick, pop.cost[q > 0]))
    s = m.stats(eq.profile)                                                # budget balance
    assert np.isclose(s.user_payment, s.reward.sum()) and np.all(eq.payoffs >= -1e-12)


@given(sellers(), real(0.5, 6.0), real(0.5, 3.0))
def test_capacities_and_shortage_certified(pop, demand, reserve):
    m = Snarketplace(demand, reserve, pop)
    eq = pg.solve(m)
    q = m.units(eq.profile)
    assert q.sum() <= demand + 1e-9 and np.all(q <= pop.capacity + 1e-12)
    if m.short:
        assert np.allclose(eq.profile[pop.cost <= reserve], reserve)
    assert eq.regret <= 10 * m.tick * max(demand, 1) or not eq.exact


def test_ties_at_the_margin_split_by_capacity():
    pop = pg.Population.from_arrays(cost=[1.0, 1.0, 1.0], capacity=[1.0, 2.0, 1.0])
    m = Snarketplace(2.0, 5.0, pop)
    assert np.allclose(m.units(np.array([1.0, 1.0, 1.0])), [0.5, 1.0, 0.5])
    eq = pg.solve(m)
    assert np.allclose(eq.payoffs, 0) and eq.regret <= 1e-9


def test_invalid_market_inputs():
    pop = pg.Population.from_arrays(cost=[1.0, 2.0])
    with pytest.raises(pg.InvalidParameter, match="capacity"):
        pg.Population.from_arrays(cost=[1.0], capacity=[-1.0])
    with pytest.raises(pg.InvalidParameter, match="demand"):
        Snarketplace(0.0, 1.0, pop)
    m = Snarketplace(1.0, 3.0, pop)
    with pytest.raises(pg.InvalidParameter, match="discount"):
        Predation(m, 0, 0.5, 5, 3, 1.0, 0.0)
    with pytest.raises(pg.InvalidParameter, match="discount"):
        Predation(m, 0, 0.5, 5, 3, 1.0, 1.5)
    with pytest.raises(pg.InvalidParameter, match="requests"):
        NilMarket([(1.0, -2.0)], pop)
    with pytest.raises(pg.InvalidParameter, match="price"):
        undercut(m, 0, -1.0)


@given(real(0.8, 0.9999), st.integers(1, 30), st.integers(0, 60), real(0.0, 2.0))
@settings(max_examples=40)
def test_predation_boundary_closed_form_matches_rule_path(discount, periods, delay, pred_price):
    pop = pg.Population.from_arrays(cost=[0.5, 1.0, 1.2, 1.5])
    m = Snarketplace(2.0, 3.0, pop)
    g = Predation(m, 0, pred_price, periods, delay, 1.0, discount)
    path = g.path(True) - g.path(False)
    simulated = float((path * discount ** np.arange(len(path))).sum())
    assert np.isclose(simulated, g.gain(), rtol=1e-9, atol=1e-9 * max(1.0, abs(g.gain())))
    thr = g.threshold_delay()
    if np.isfinite(thr) and abs(delay - thr) > 1e-6:
        assert (g.gain() > 0) == (delay > thr)                        # the boundary agrees
    roll = pg.simulate(g, [1.0], rounds=10, seed=0)
    assert np.isclose(roll.mean_payoffs[0], g.gain())


def test_predation_needs_entry_barriers():
    pop = pg.Population.from_arrays(cost=[0.5, 1.0, 1.2])
    m = Snarketplace(1.0, 3.0, pop)
    quick = Predation(m, 0, 0.2, 10, 1, 0.0, 0.99)
    slow = Predation(m, 0, 0.2, 10, 200, 0.0, 0.99)
    blocked = Predation(m, 0, 0.2, 10, 1, 1e6, 0.99)                  # entrants never come back
    assert quick.gain() < 0 < slow.gain() and blocked.gain() > 0 and not blocked.entrants_return()
    assert pg.solve(quick).profile[0] == 0 and pg.solve(slow).profile[0] == 1
    assert Predation(m, 0, 0.2, 10, 30, 0.0, 0.99, ).threshold_delay() == pytest.approx(quick.threshold_delay())


@given(sellers(), real(0.3, 2.5), st.integers(1, 20))
def test_undercut_never_beats_accommodation_in_the_short_run(pop, frac, periods):
    m = Snarketplace(1.0, 3.0, pop)
    eq = pg.solve(m).profile
    i = int(np.argmin(pop.cost))
    u = undercut(m, i, float(min(eq[i] * frac, 6.0)), periods)
    assert u.gain <= 1e-9 and not u.profitable


def test_nil_matching_rules_and_ratings():
    pop = pg.Population.from_arrays(cost=[1.0, 1.0, 1.0], rate=[1.0, 2.0, 0.5], reliability=[0.9, 0.9, 0.9])
    nm = NilMarket([(1.5, 3.0)], pop, ratings=[1.0, 1.0, 1.0])
    shares = nm.request_shares(np.array([2.0, 2.5, 1.0]))
    assert np.allclose(shares, [[1.0, 0.0, 0.0]])                       # prover 2 too slow for t_r = 1.5
    timed = NilMarket([(1.5, 3.0)], pop, priority="time", ratings=[1.0, 1.0, 1.0])
    assert np.allclose(timed.request_shares(np.array([2.0, 2.5, 1.0])), [[0.0, 1.0, 0.0]])
    rated = NilMarket([(1.5, 3.0)], pop, ratings=[0.5, 1.0, 1.0])
    assert np.allclose(rated.request_shares(np.array([2.0, 2.5, 1.0])), [[0.0, 1.0, 0.0]])  # rating 0.5 doubles its price


@pytest.mark.parametrize("priority", ["price", "time"])
@settings(max_examples=6)
@given(pop=sellers(max_n=5), seed=st.integers(0, 1000))
def test_nil_market_certified_and_simulated(priority, pop, seed):
    nm = NilMarket([(1.5, 3.0), (0.9, 2.5), (3.0, 4.0)], pop.replace(rate=np.linspace(0.8, 2.0, len(pop))), priority)
    eq = pg.solve(nm)
    assert eq.regret <= 1e-6 or not eq.exact
    check = pg.cross_check(nm, eq, pg.simulate(nm, eq.profile, rounds=20_000, seed=seed))
    assert check.passed, check.table


def test_market_dynamics_and_power_law_fit():
    pop = pg.Population.from_arrays(cost=np.linspace(0.8, 1.2, 30), capacity=1.0)
    dyn, final = market_dynamics(Snarketplace(20.0, 3.0, pop), periods=150, reinvest=0.0, learning=0.1,
                                 cost_noise=0.6, seed=3)
    assert len(dyn) == 150 and (dyn["hhi"] > 0).all() and final["work"].sum() == pytest.approx(20.0 * 150)
    rng = np.random.default_rng(0)
    fit = fit_power_law((1 - rng.random(4000)) ** (-1 / 1.5))
    assert abs(fit.alpha - 2.5) < 0.1
    assert fit_power_law(rng.lognormal(0, 1, 4000)).favoured in ("log-normal", "undecided")


def test_market_attack_costs():
    from provergame.solvers.bribe import bribe_threshold
    pop = pg.Population.from_arrays(cost=[0.5, 1.0, 1.2, 1.5])
    m = Snarketplace(2.0, 3.0, pop)
    full = bribe_threshold(m, "withhold")
    half = bribe_threshold(m, "withhold", max_liveness=0.5)
    assert full.coalition.all() and np.isclose(full.total, (3.0 - pop.cost).sum())
    assert half.liveness_after <= 0.5 + 1e-9 and half.total < full.total


def _allocate_by_pairs(bids, capacity, demand, reserve):
    """The allocation rule read literally, pair by pair: an offer's capacity is bought once the
    strictly cheaper offers are exhausted, shared pro rata to capacity with equal offers."""
    bids = np.asarray(bids, dtype=float)
    joins = bids <= reserve
    cap = np.where(joins, capacity, 0.0)
    lower = (bids[..., None, :] < bids[..., :, None]) & joins[..., None, :]
    same = (bids[..., None, :] == bids[..., :, None]) & joins[..., None, :]
    before = (lower * cap[..., None, :]).sum(axis=-1)
    group = (same * cap[..., None, :]).sum(axis=-1)
    with np.errstate(over="ignore"):
        fill = np.clip(np.divide(demand - before, group, out=np.zeros_like(before), where=group > 0), 0.0, 1.0)
    return cap * fill


@given(st.integers(1, 9), st.lists(st.integers(0, 4), min_size=81, max_size=81), st.floats(0, 3), st.floats(0, 8),
       st.floats(0, 3), st.integers(0, 2))
def test_sorted_allocation_equals_the_pairwise_rule(n, ticks, cap_scale, demand, reserve, lead):
    from provergame.games.market import allocate
    shape = (3,) * lead + (n,)
    bids = (np.array(ticks[: int(np.prod(shape))], dtype=float).reshape(shape)) * 0.5
    cap = cap_scale * (1 + np.arange(n)) / n
    np.testing.assert_allclose(allocate(bids, cap, demand, reserve), _allocate_by_pairs(bids, cap, demand, reserve),
                               atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 5), st.sampled_from(["price", "time"]), st.integers(0, 10_000))
def test_nil_market_best_price_lies_on_the_critical_grid(n, priority, seed):
    """The unrefined search over critical prices (what the equilibrium search uses) finds each prover's
    best payoff, against a brute-force scan of 40,001 prices, up to one tick of won requests."""
    from provergame.solvers.regret import best_responses
    rng = np.random.default_rng(seed)
    pop = pg.Population.from_arrays(cost=rng.uniform(0.2, 1.5, n), rate=rng.uniform(0.5, 2.0, n),
                                    reliability=rng.uniform(0.7, 1.0, n))
    requests = np.column_stack([rng.uniform(0.5, 3.0, 3), rng.uniform(1.0, 4.0, 3)])
    nm = NilMarket(requests, pop, priority=priority, ratings=rng.uniform(0.5, 1.0, n), tick=1e-4)
    p = rng.uniform(0.0, 2 * requests[:, 1].max(), n)
    fast = best_responses(nm, p, points=33, iterations=0)[0]
    scan = np.linspace(0.0, 2 * requests[:, 1].max(), 40_001)
    brute = nm.deviation_payoffs(p, np.tile(scan, (n, 1))).max(axis=1)
    assert np.all(fast >= brute - 3 * 1e-4 * len(requests))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.sampled_from(["price", "time"]), st.booleans(), st.integers(0, 10_000))
def test_nil_market_deviation_payoffs_equal_a_full_matching(n, priority, rated, seed):
    """Ranking each candidate against the fixed best rival proposal, against nil's whole matching run
    at every substituted profile, on a coarse lattice where prices, times and ratings tie exactly."""
    rng = np.random.default_rng(seed)
    pop = pg.Population.from_arrays(cost=rng.uniform(0.2, 1.5, n), rate=rng.choice([0.5, 1.0, 2.0], n),
                                    reliability=rng.choice([0.8, 1.0], n))
    requests = np.column_stack([rng.choice([0.4, 1.0, 2.5], 3), rng.choice([1.0, 2.0, 3.0], 3)])
    nm = NilMarket(requests, pop, priority=priority, ratings=rng.choice([0.5, 1.0], n) if rated else None, tick=0.5)
    prices = nm.price_lattice()
    p = rng.choice(prices, n)
    fast = nm.deviation_payoffs(p, np.tile(prices, (n, 1)))
    for i in range(n):
        q = np.tile(p, (len(prices), 1))
        q[:, i] = prices
        assert np.array_equal(fast[i], nm.expected_payoffs(q)[:, i])


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 5), st.floats(1.0, 4.0), st.integers(0, 10_000))
def test_market_user_cost_is_per_proof_sold(demand, reserve, seed):
    """User cost per proof landed, by hand from the simulator's rounds: what users paid per round over
    the units of work bought per round (demand times the share served), never per block of several."""
    game = pg.games.Snarketplace(float(demand), reserve, pg.games.base.example_provers(6, seed))
    profile = pg.solve(game).profile
    run = pg.simulate(game, profile, rounds=500, seed=seed)
    units_bought = run.eventual_liveness * demand
    if units_bought > 0:
        assert pg.metrics(game, profile)["user_cost"] == pytest.approx(run.user_payment / units_bought, rel=1e-9)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(2, 6), k=st.integers(2, 4))
def test_market_stall_bribe_is_per_unit_of_work_and_scale_invariant(n, k):
    """A market round asks for `demand` units: the stall bribe is paid per round, so per unit it is the
    total over the demand. Replicating the market k-fold (demand and every capacity times k) multiplies
    what the round costs to stall by k and leaves the bribe per unit of work unchanged."""
    from dataclasses import replace
    game = pg.games.Snarketplace.example(n)
    big = replace(game, provers=game.provers.replace(capacity=game.provers.capacity * k), demand=game.demand * k)
    b, b_big = pg.bribe_threshold(game), pg.bribe_threshold(big)
    assert b.units == game.demand and b.per_unit() == pytest.approx(b.total / game.demand, rel=1e-12)
    assert b_big.total == pytest.approx(k * b.total, rel=1e-9, abs=1e-12)
    assert b_big.per_unit() == pytest.approx(b.per_unit(), rel=1e-9, abs=1e-12)
    assert b_big.proofs_lost() == pytest.approx(k * b.proofs_lost(), rel=1e-9, abs=1e-12)
