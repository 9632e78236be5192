"""Sequencer side: invariants over generated parameters."""
import numpy as np
from scipy import stats
import pytest
from hypothesis import given, settings, strategies as st

import provergame as pg
from provergame.games import FeeSharing, ScrollAuction

real = lambda lo, hi: st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@given(real(0.1, 10), real(0, 50), st.integers(2, 12), st.sampled_from(["linear", "exponential"]), real(0.2, 5))
def test_fee_share_symmetric_equilibrium(fees, mev, k, weight, gamma):
    g = FeeSharing(fees, mev, k, weight, gamma)
    eq = pg.solve(g, symmetric=True)
    assert np.all((0 <= eq.profile) & (eq.profile <= 1))                 # shares within [0, 1]
    assert eq.regret <= 1e-8 * max(1.0, fees + mev)
    assert np.isclose(g.win(eq.profile).sum(), 1.0)
    if weight == "linear" and mev >= k * fees * (1 + gamma) / ((k - 1) * gamma):
        assert eq.profile[0] == 1.0


@given(real(0.5, 5), st.integers(2, 8))
def test_fee_share_rises_with_mev(fees, k):
    curve = FeeSharing(fees, 0.0, k).share_curve(np.linspace(0, 20, 30))
    assert np.all(np.diff(curve["share a*"]) >= -1e-12) and curve["share a*"].iloc[-1] == 1.0


@settings(max_examples=8)
@given(st.lists(real(0, 10), min_size=2, max_size=4), real(0.5, 5), st.integers(0, 1000))
def test_fee_share_asymmetric_and_vrf_law(mev, fees, seed):
    g = FeeSharing(fees, mev, len(mev))
    eq = pg.solve(g)
    assert eq.regret <= 1e-6 * max(1.0, fees + max(mev))
    prof = np.random.default_rng(seed).random(len(mev))
    roll = pg.simulate(g, prof, rounds=40_000, seed=seed)
    assert pg.cross_check(g, prof, roll).passed                          # winner frequencies follow w / sum w


@pytest.mark.parametrize("k", [2, 3, 5, 8])
def test_uniform_first_price_closed_form(k):
    a = ScrollAuction(k, "uniform", 2.0)
    eq = pg.solve(a)
    v = np.linspace(0, 2, 9)
    assert np.allclose(eq.bid(v), (k - 1) / k * v)
    assert np.isclose(eq.revenue, 2.0 * (k - 1) / (k + 1), rtol=1e-6)
    assert np.isclose(a.first_price_revenue(), eq.revenue, rtol=1e-4)    # revenue equivalence
    assert eq.regret <= 2e-3


@pytest.mark.parametrize("sigma", [0.3, 0.8])
def test_lognormal_auction_bids_below_values_and_revenue_equivalence(sigma):
    a = ScrollAuction(4, ("lognormal", sigma), 10.0)
    v = np.linspace(0.1, 30, 50)
    b = a.bid(v)
    assert np.all(b < v) and np.all(np.diff(b) > 0)
    assert np.isclose(a.first_price_revenue(), a.revenue, rtol=2e-3)
    eq = pg.solve(a)
    roll = pg.simulate(a, eq.profile, rounds=40_000, seed=2)
    assert pg.cross_check(a, eq, roll).passed and eq.regret <= 1e-3 * 10


@pytest.mark.parametrize("law", [("beta", 0.5, 2.0), stats.gamma(2.0), stats.pareto(3.0)])
def test_scroll_auction_any_value_law(law):
    """Beta with an infinite density at 0, and heavy tails: revenue equivalence, Monte Carlo second
    value, a near-zero regret over all bid functions and the rollout agree."""
    a = ScrollAuction(4, law, 2.0)
    vals = a._dist().rvs(size=(200_000, 4), random_state=np.random.default_rng(0))
    second = np.sort(vals, axis=1)[:, -2]
    assert abs(second.mean() - a.revenue) < 5 * second.std() / np.sqrt(len(second))
    assert np.isclose(a.first_price_revenue(), a.revenue, rtol=1e-4)
    eq = pg.solve(a)
    assert eq.regret <= 1e-4 * a.revenue
    assert pg.cross_check(a, eq, pg.simulate(a, eq.profile, rounds=40_000, seed=3)).passed
    assert "value_distribution" in a.parameters()


def test_sequencer_inputs_validated():
    with pytest.raises(pg.InvalidParameter, match="mev"):
        FeeSharing(1.0, [1.0, 2.0], 3)
    with pytest.raises(pg.InvalidParameter, match="sequencers"):
        FeeSharing(1.0, 1.0, 1)
    with pytest.raises(pg.InvalidParameter, match="value_distribution"):
        ScrollAuction(3, "pareto")
    with pytest.raises(pg.InvalidParameter, match="value_distribution"):
        ScrollAuction(3, stats.norm())                                     # negative values
    with pytest.raises(pg.InvalidParameter, match="value_distribution.a"):
        ScrollAuction(3, ("beta", 0.0, 1.0))
    with pytest.raises(pg.InvalidParameter, match="symmetric"):
        pg.solve(FeeSharing(1.0, [1.0, 2.0], 2), symmetric=True)


@given(real(0.1, 10), real(0, 50), st.integers(2, 8))
def test_sequencer_attack_bribes(fees, mev, k):
    from provergame.solvers.bribe import bribe_threshold
    g = FeeSharing(fees, mev, k)
    eq = pg.solve(g)
    censor = bribe_threshold(g, "censor", profile=eq.profile)
    assert np.isclose(censor.total, mev + (1 - eq.profile[0]) * fees)    # the winner forfeits its slot
    assert bribe_threshold(g, "collude", profile=eq.profile).total == np.inf
    a = ScrollAuction(k, "uniform", 1.0 + mev)
    # uniform values: E[v(1)] - E[v(2)] = (1 + mev) / (K + 1)
    assert np.isclose(bribe_threshold(a, "censor").total, (1 + mev) / (k + 1), rtol=1e-6)


@settings(max_examples=25, deadline=None)
@given(k=st.integers(2, 12), fees=st.floats(0.1, 10.0), gamma=st.floats(0.1, 5.0),
       weight=st.sampled_from(["linear", "exponential", "multiplicative"]))
def test_corner_mev_is_where_passing_every_fee_on_becomes_a_best_response(k, fees, gamma, weight):
    """FeeSharing.corner_mev against a grid of deviations from everyone at a = 1 (expected payoffs only):
    just above it no sequencer gains by keeping some fees; just below it one does."""
    corner = pg.games.FeeSharing(fees, 0.0, k, weight=weight, gamma=gamma).corner_mev()
    grid = np.linspace(0.0, 1.0, 2001)

    def best_deviation_gain(mev):
        game = pg.games.FeeSharing(fees, mev, k, weight=weight, gamma=gamma)
        profiles = np.ones((len(grid), k))
        profiles[:, 0] = grid
        pay = game.expected_payoffs(profiles)[:, 0]
        return float(pay.max() - pay[-1]), float(abs(pay[-1]))

    above, scale = best_deviation_gain(corner * 1.01)
    below, _ = best_deviation_gain(corner * 0.9)
    assert above <= 1e-12 * max(1.0, scale)
    assert below > 0


def test_changing_the_number_of_sequencers_keeps_an_identical_mev():
    import dataclasses
    game = pg.games.FeeSharing(1.0, 4.0, 4)
    assert game.with_sequencers(6).identity() == pg.games.FeeSharing(1.0, 4.0, 6).identity()
    uneven = pg.games.FeeSharing(1.0, [4.0, 5.0, 4.0, 4.0], 4)
    with pytest.raises(pg.InvalidParameter, match="sequencers"):
        uneven.with_sequencers(6)
    with pytest.raises(pg.InvalidParameter, match="one entry per sequencers"):
        dataclasses.replace(uneven, sequencers=6)


@pytest.mark.parametrize("law", [stats.beta(0.5, 2.0), stats.beta(0.3, 2.0), stats.gamma(2.0), stats.pareto(3.0)])
def test_value_quantiles_invert_the_law(law):
    """scipy's beta inverse gives up near 0 for a < 1 (F(x) = 2e-12 at u = 1e-9, with a RuntimeWarning);
    the grid's quantiles are refined until F(x) = u to 1e-7 of the nearer tail mass, without a warning."""
    import warnings
    from provergame.games.auctions import quantile_grid
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        u, x = quantile_grid(law, 600, head=0.01, tail=0.01)
    mass = np.minimum(u, 1 - u)
    assert np.all(np.abs(law.cdf(x) - u) <= 1e-7 * mass + 2e-15) and np.all(np.diff(x) >= 0)
