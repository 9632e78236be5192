"""B52: builders' bidding, the builder's selection, VRF-weighted committees and sybil identities."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats

import provergame as pg
from provergame.games import B52
from provergame.games.b52 import committee_count_tail
from provergame.solvers.bribe import bribe_threshold

real = lambda lo, hi: st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _pop(n, rel=0.95, stake=None):
    stake = np.ones(n) if stake is None else stake
    return pg.Population.from_arrays(cost=np.full(n, 0.1), reliability=np.broadcast_to(rel, (n,)), stake=stake)


@given(st.lists(real(0, 20), min_size=2, max_size=5), st.lists(real(0.6, 1.0), min_size=2, max_size=10),
       real(0, 1), st.integers(1, 10))
def test_equilibrium_pays_provers_the_second_mev(mev, rel, bonus, units):
    g = B52(mev, _pop(len(rel), np.array(rel)), unique_bonus=bonus, units=units)
    eq = pg.solve(g)
    assert np.all((0 <= eq.profile) & (eq.profile <= 1))
    assert eq.regret <= 1e-9 * max(1.0, max(mev))
    win = g._winner(eq.profile * g.builders)
    assert np.isclose(win.sum(), 1.0)
    amount = float((win * eq.profile * g.builders).sum())
    assert np.isclose(amount, sorted(mev)[-2])                           # provers get m(2) when the proof lands
    assert np.all(eq.payoffs >= -1e-12)                                  # individual rationality
    c, live = g.selection(float(max(mev)) - amount)
    s = g.stats(eq.profile)
    # budget balance: the landed block's value splits into the builder's payoff and the provers' pay
    assert np.isclose(s.reward.sum() + s.user_payment, live * (max(mev) + bonus * c))
    assert np.isclose(g.prover_income(eq.profile)["expected income"].sum(), s.user_payment)


@given(real(0, 20), real(0, 2), st.lists(real(0.5, 1.0), min_size=1, max_size=12), st.integers(1, 12))
def test_selection_is_the_best_set(value, bonus, rel, units):
    """c* and its set beat every subset of the voters (brute force over subsets)."""
    g = B52([1.0, 0.5], _pop(len(rel), np.array(rel)), unique_bonus=bonus, units=units)
    c, live = g.selection(value)
    best = (value + bonus * c) * live
    r = np.array(rel)
    rng = np.random.default_rng(0)
    for _ in range(200):
        mask = rng.random(len(r)) < 0.5
        k = int(mask.sum())
        if 1 <= k <= units:
            assert (value + bonus * k) * np.prod(r[mask]) <= best + 1e-9


@pytest.mark.parametrize("N,k,E", [(11, 5, 6), (4, 3, 2), (20, 1, 7), (9, 9, 9)])
def test_identity_vrf_committee_is_hypergeometric(N, k, E):
    tail = committee_count_tail(1.0, k, np.ones(N), E)
    h = stats.hypergeom(N + k, k, E)
    assert np.allclose(tail, [h.sf(j - 1) for j in range(1, min(k, E) + 1)], atol=1e-10)


@settings(max_examples=6, deadline=None)
@given(st.integers(1, 8), st.sampled_from(["vrf", "stake", "none"]), st.integers(0, 10_000))
def test_sybil_capture_matches_protocol_play(k, vote_weight, seed):
    """Analytic committee counts vs the protocol's own VRF draws and a colluding builder."""
    rng = np.random.default_rng(seed)
    stake = rng.lognormal(0, 0.7, 8)
    g = B52([5.0, 3.0], _pop(8, 0.95, stake), vote_weight, committee=4, units=4, unique_bonus=0.5)
    row = g.sybil_capture(0, [k]).iloc[0]
    split = np.concatenate([np.full(k, stake[0] / k), stake[1:]])
    sybil = B52([5.0, 3.0], _pop(7 + k, 0.95, split), vote_weight, committee=min(4, 7 + k), units=4, unique_bonus=0.5)
    keep = 5.0 - 3.0
    rounds = 40_000
    for col, collude in (("share, honest builder", ()), ("share, colluding builder", tuple(range(k)))):
        sel, _ = sybil.select(np.random.default_rng(seed + 1), rounds, keep, collude)
        share = sel[:, :k].sum(axis=1) / sel.sum(axis=1)
        se = share.std() / np.sqrt(rounds) + 1e-12
        assert abs(share.mean() - row[col]) <= 5 * se + 1e-9, (col, share.mean(), row[col])


def test_stake_vrf_blunts_sybils_identity_vrf_does_not():
    g = B52([5.0, 3.0], _pop(12, 0.97, np.linspace(1, 5, 12)), "vrf", committee=6, units=8, unique_bonus=0.3)
    tab = g.sybil_comparison(0, [1, 16]).set_index(["vote weight", "identities"])["share, colluding builder"]
    assert tab["vrf", 16] > 5 * tab["vrf", 1]
    assert tab["stake", 16] < 1.2 * tab["stake", 1]
    assert tab["none", 16] == 1.0                                        # a colluding builder hands it the block


def test_simulation_agrees_and_attacks():
    g = B52([10.0, 7.0, 4.0], _pop(10, np.linspace(0.9, 0.99, 10)), unique_bonus=0.3)
    eq = pg.solve(g)
    assert pg.cross_check(g, eq, pg.simulate(g, eq.profile, rounds=40_000, seed=3)).passed
    best = int(np.argmax(g.provers.reliability))
    censor = bribe_threshold(g, "censor", prover=best, profile=eq.profile)
    collude = bribe_threshold(g, "collude", prover=0, profile=eq.profile)
    assert censor.total > 0 and collude.total > 0
    assert bribe_threshold(g, "collude", prover=best, profile=eq.profile).total == pytest.approx(0.0, abs=1e-12)


def test_b52_inputs_validated():
    with pytest.raises(pg.InvalidParameter, match="builders"):
        B52([1.0], _pop(3))
    with pytest.raises(pg.InvalidParameter, match="committee"):
        B52([1.0, 2.0], _pop(3, np.array([0.9, 0.8, 0.7])), committee=2)
    with pytest.raises(pg.InvalidParameter, match="vote_weight"):
        B52([1.0, 2.0], _pop(3), vote_weight="quadratic")
    with pytest.raises(pg.InvalidParameter, match="identities"):
        B52([1.0, 2.0], _pop(3), committee=2).sybil_capture(0, [0])
    with pytest.raises(pg.InvalidParameter, match="attack"):
        bribe_threshold(B52([1.0, 2.0], _pop(3)), "bribe")


def test_b52_theorems_proved():
    from provergame.proofs.table import prove_all
    g = B52([2.0, 1.0], _pop(3))
    assert (prove_all(g.theorems())["status"] == "proved").all() and g.symbolic()
