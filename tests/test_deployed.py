"""Deployed designs: Aztec's booster and multi-proofs, Sidecar, epoch quotes, Taiko alpha-4,
reverse and reverse-Dutch auctions, the lottery rule and the multiplicative score."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import provergame as pg
from provergame.games import (AztecMultiProof, Booster, EpochQuotes, FeeSharing, LotteryReward, ReverseAuction,
                              ReverseDutchAuction, Sidecar, TaikoProverPool, WinnerTakesAll)
from provergame.games.sequencer import multiplicative_win
from provergame.solvers.bribe import bribe_threshold

real = lambda lo, hi: st.floats(lo, hi, allow_nan=False, allow_infinity=False)
boosters = st.builds(Booster, decay=real(0, 2e5), increment=real(0, 3e5), max_score=real(1e6, 3e7),
                     a=real(10, 5000), minimum=real(0, 2e5), k=real(3e5, 2e6))


def _pop(n, seed=0, **cols):
    rng = np.random.default_rng(seed)
    base = dict(cost=rng.uniform(0.3, 1.2, n), reliability=rng.uniform(0.9, 1.0, n), stake=rng.lognormal(2, 1, n))
    base.update(cols)
    return pg.Population.from_arrays(**base)


def test_deployed_booster_numbers():
    b = Booster()
    assert b.floor_score == 12_000_000
    assert b.epochs_to_reach(0, b.floor_score, strict=True) == 477
    assert b.epochs_to_reach(0, b.max_score) == 596


@given(boosters, real(0, 1), st.lists(st.booleans(), min_size=1, max_size=60))
def test_booster_recursion_clamped_and_monotone(b, start_frac, proved):
    s = start_frac * b.max_score
    for p in proved:
        nxt = float(b.step(s, p))
        assert 0 <= nxt <= b.max_score                                   # clamped
        if p and b.increment >= b.decay:
            assert nxt >= min(s, b.max_score) - 1e-9 or s > b.max_score - b.increment  # proving never loses score
        s = nxt
    x = np.linspace(0, b.max_score, 200)
    sh = b.shares(x)
    assert np.all(np.diff(sh) >= -1e-9) and np.all(sh <= b.k + 1e-9) and np.all(sh >= min(b.minimum, b.k) - 1e-9)


@given(boosters, real(0, 1), real(0, 1))
def test_epochs_to_reach_matches_the_recursion(b, start_frac, target_frac):
    start, target = start_frac * b.max_score, target_frac * b.max_score
    exact = b.epochs_to_reach(start, target)
    s, t = start, 0
    while s < target and t < 5000:
        s, t = float(b.step(s, 1.0)), t + 1
    assert exact == (t if s >= target else np.inf) or (exact > 5000 and t == 5000)


@settings(max_examples=10, deadline=None)
@given(st.integers(2, 8), real(2, 20), st.integers(0, 1000))
def test_multi_proof_is_winner_takes_all_on_shares(n, reward, seed):
    rng = np.random.default_rng(seed)
    pop = _pop(n, seed)
    scores = rng.uniform(0, 1.5e7, n)
    g = AztecMultiProof(reward, None, pop, scores=scores)
    p = rng.random(n)
    wta = WinnerTakesAll(reward, pop.replace(rate=g.shares))
    assert np.allclose(g.expected_payoffs(p), wta.expected_payoffs(p))
    eq = pg.solve(g)
    assert eq.regret <= 1e-9 * reward
    roll = pg.simulate(g, eq.profile, rounds=30_000, seed=seed)
    assert pg.cross_check(g, eq, roll).passed                           # pro-rata play vs the race formula
    s = g.stats(eq.profile)
    assert np.isclose(s.reward.sum(), reward * s.eventual_liveness)              # budget balance: rewards all paid out


def test_newcomer_ramp_exact_vs_rollout():
    g = AztecMultiProof(10.0, None, _pop(6, 1, reliability=np.ones(6)))
    exact = g.ramp(epochs=650)
    roll = g.ramp_rollout(np.random.default_rng(0), replications=60, epochs=650)
    assert np.array_equal(exact["score"].to_numpy(), roll["score"].to_numpy())  # reliability 1: same path
    se = np.sqrt(exact["expected reward"].to_numpy() * 10.0 / 60) + 1e-9
    assert np.all(np.abs(roll["reward"] - exact["expected reward"]) <= 6 * se)
    bar = g.barrier()
    assert bar["epochs to leave the floor"] == 477 and bar["epochs to parity"] == 596
    assert bar["capital sunk (max cumulative loss)"] > 0 and bar["break-even epoch"] > 596


@given(real(0, 2), real(0, 1), real(0, 20), real(0, 5), real(0, 20))
def test_sidecar_bribe_with_and_without_stake(tip, share, R, deposit, stake_slash):
    g = Sidecar(tip, share, R, deposit, _pop(5), stake_slash=stake_slash)
    tab = g.bribe_table()
    assert np.allclose(tab["bribe, deposit + stake"] - tab["bribe, deposit only"], stake_slash)
    eq = pg.solve(g)
    assert eq.regret <= 1e-9 * max(1.0, tip + R)
    assert np.all(eq.payoffs >= -1e-12)                                 # individual rationality


def test_sidecar_and_quotes_simulate_and_stall():
    sc = Sidecar(0.5, 0.1, 10.0, 2.0, _pop(8), stake_slash=5.0)
    eq = pg.solve(sc)
    assert pg.cross_check(sc, eq, pg.simulate(sc, eq.profile, rounds=40_000, seed=1)).passed
    assert bribe_threshold(sc, "withhold", 0.0, profile=eq.profile).total > 0
    q = EpochQuotes(10.0, _pop(8), proposer_share=0.2, bond=1.0)
    e = pg.solve(q)
    assert e.regret <= 1e-9 and pg.cross_check(q, e, pg.simulate(q, e.profile, rounds=20_000, seed=2)).passed
    kb = q.kickback()
    assert kb["minimum kickback"] < kb["maximum kickback"]              # collusion pays whenever share < 1
    assert np.isclose(bribe_threshold(q, "collude", profile=e.profile).total, kb["minimum kickback"])


@given(st.integers(3, 40), st.integers(1, 12), st.integers(0, 1000), real(0, 10_000), st.integers(1, 20),
       real(0, 8), real(0, 5))
def test_taiko_pool_eviction_and_slash(n, pool, seed, points, cap, multiple, floor):
    pop = _pop(n, seed, cost=np.full(n, 0.2), reliability=np.ones(n))
    g = TaikoProverPool(1.0, 1.0, pop, pool_size=pool, slash_points=points, max_capacity=cap,
                        reward_multiple=multiple, min_slash=floor)
    seated = g.seated()
    assert seated.sum() == min(pool, n)
    assert np.all(pop.stake[seated][:, None] >= pop.stake[~seated][None, :])
    e = np.random.default_rng(seed).uniform(0.75, 1.25, n)
    slash = g.slash(e)
    assert np.all(slash <= pop.stake + 1e-12)                           # slashing never above stake
    assert np.all(slash >= np.minimum(np.maximum(multiple * e, floor), pop.stake) - 1e-12)
    assert np.isclose(g.selection(e).sum(), 1.0)
    if n >= pool:                                                       # a newcomer must out-stake the smallest
        bar = g.entry_stake()
        for extra, inside in ((bar * 1.01 + 1e-9, True), (bar * 0.99, False)):
            bigger = pop.replace()
            stake = np.append(bigger.stake, extra)
            g2 = TaikoProverPool(1.0, 1.0, pg.Population.from_arrays(
                cost=np.append(pop.cost, 0.2), reliability=np.append(pop.reliability, 1.0), stake=stake), pool_size=pool)
            assert g2.seated()[-1] == inside
            if inside:
                assert not g2.seated()[int(np.flatnonzero(seated)[np.argmin(pop.stake[seated])])]


def test_taiko_contract_slash_rule():
    """ProverPool.sol: max(stake * 500 / 10000, 1 token) capped at the stake."""
    pop = pg.Population.from_arrays(cost=np.full(4, 0.2), stake=np.array([0.5, 10.0, 20.0, 100.0]))
    g = TaikoProverPool(1.0, 1.0, pop, slash_points=500, max_capacity=1, reward_multiple=0.0, min_slash=1.0)
    assert np.allclose(g.slash(np.ones(4)), [0.5, 1.0, 1.0, 5.0])
    with pytest.raises(pg.InvalidParameter, match="min_slash"):
        TaikoProverPool(1.0, 1.0, pop, min_slash=-1.0)


def test_taiko_alpha4_equilibrium_and_comparison():
    g = TaikoProverPool(1.0, 1.0, _pop(12, 3, cost=np.linspace(0.2, 1.2, 12)), pool_size=8)
    eq = pg.solve(g)
    assert np.all(eq.payoffs >= -1e-12)                                 # losing provers unstake: IR holds
    assert not g.staying()[-1] and g.seated().sum() <= 8
    lo, hi = g.strategy_bounds()
    assert eq.regret <= 1e-6 and np.all((eq.profile >= lo - 1e-12) & (eq.profile <= hi + 1e-12))
    assert pg.cross_check(g, eq, pg.simulate(g, eq.profile, rounds=40_000, seed=4)).passed
    from provergame.analyses.deployed import versus_ranked_pool
    assert len(versus_ranked_pool(g, eq.profile)) == 2


@pytest.mark.parametrize("k", [2, 3, 5])
def test_reverse_auction_uniform_closed_form(k):
    a = ReverseAuction(k, ("uniform", 0.0, 1.0))
    eq = pg.solve(a)
    c = np.linspace(0, 1, 7)
    assert np.allclose(eq.bid(c), c + (1 - c) / k)
    assert np.isclose(a.payment, 2 / (k + 1), rtol=1e-6) and np.isclose(a.first_price_payment(), a.payment, rtol=1e-4)
    assert eq.regret <= 1e-3


@settings(max_examples=8, deadline=None)
@given(real(0.5, 0.99), real(0, 2), st.integers(2, 5), st.sampled_from(["uniform", "lognormal"]), real(0.2, 1.8),
       st.integers(0, 99))
def test_reverse_auctions_bids_and_revenue_equivalence(rel, slash, k, law, sigma, seed):
    dist = ("uniform", 0.2, 1.0) if law == "uniform" else ("lognormal", sigma, 0.6)   # up to heavy tails
    a = ReverseAuction(k, dist, rel, slash, max_price=10.0)
    c = np.linspace(0.2, 1.0, 9)
    assert np.all(a.bid(c) >= a.effective(c) - 1e-12)                   # asks at least the effective cost
    assert np.isclose(a.first_price_payment(), a.payment, rtol=1e-3)
    eq = pg.solve(a)
    assert eq.regret <= 1e-4 * max(a.payment, 1e-3)
    assert pg.cross_check(a, eq, pg.simulate(a, eq.profile, rounds=20_000, seed=seed)).passed
    d = ReverseDutchAuction(0.0, 3.0, 60.0, 30.0, slash, 0.5, k, dist, rel, after_timeout_price=0.2)
    p = d.lock_price(np.linspace(0, 3, 25))
    fin = np.isfinite(p)
    assert np.all((p[fin] >= 0.0) & (p[fin] <= 3.0))                    # prices within [min, max]
    t = d.lock_time(np.linspace(0, 3, 25))
    assert np.all((t[fin] >= 0) & (t[fin] <= 60.0))


@given(st.sampled_from(["uniform", "lognormal"]), real(0.0, 2.0), real(0.1, 3.0))
def test_cost_support_is_the_laws_own(law, a, b):
    """The support read from the parameters (what scenario checks use without scipy) is scipy's
    ppf(0), ppf(1) of the same law."""
    dist = ("uniform", a, a + b) if law == "uniform" else ("lognormal", b, a + 0.1)
    auction = ReverseAuction(3, dist)
    lo, hi = auction._cost_support()
    assert lo == auction._cost().ppf(0.0)
    assert hi == pytest.approx(auction._cost().ppf(1.0), rel=1e-15)


def test_dutch_auction_simulates_and_collateral():
    d = ReverseDutchAuction(0.0, 2.0, 600.0, 300.0, 1.0, 0.5, 4, ("uniform", 0.2, 1.0), 0.9, after_timeout_price=0.8)
    eq = pg.solve(d)
    assert eq.regret <= 2e-3
    assert pg.cross_check(d, eq, pg.simulate(d, eq.profile, rounds=40_000, seed=3)).passed
    mc = d.min_collateral()
    assert np.isclose(mc["collateral against lock-fail-refulfil"], (0.8 - mc["lowest lock price"]) / 0.5)


@given(st.integers(2, 60), real(0.2, 3), real(0.5, 1), real(1, 200))
def test_lottery_equilibrium_and_optimal_reward(n, cost, rel, fault):
    pop = pg.Population.identical(n, cost=cost, reliability=rel)
    g = LotteryReward(3 * cost, pop, fault)
    eq = pg.solve(g)
    assert eq.regret <= 1e-8 * max(1.0, 3 * cost)
    opt = g.optimal_reward()
    if opt["reward R*"] > 0 and opt["participation q*"] < rel:
        best = g.protocol_cost([opt["reward R*"]])["protocol cost"][0]
        assert np.isclose(best, opt["protocol cost"], rtol=1e-6)
        for R in opt["reward R*"] * np.array([0.7, 0.9, 1.1, 1.5]):
            assert g.protocol_cost([R])["protocol cost"][0] >= best - 1e-9 * best


def test_lottery_poisson_limit_and_simulation():
    big = LotteryReward(4.0, pg.Population.identical(3000, cost=1.0, reliability=0.9), 50.0).optimal_reward()
    assert np.isclose(big["reward R*"], big["Poisson reward R*"], rtol=1e-3)
    g = LotteryReward(4.0, pg.Population.identical(10, cost=1.0, reliability=0.9), 50.0)
    eq = pg.solve(g)
    assert pg.cross_check(g, eq, pg.simulate(g, eq.profile, rounds=40_000, seed=5)).passed


@given(st.lists(real(0.01, 50), min_size=2, max_size=12))
def test_multiplicative_win_sums_to_one_and_orders(w):
    p = multiplicative_win(np.array(w))
    assert np.isclose(p.sum(), 1.0) and np.all(p >= 0)
    order = np.argsort(w)
    assert np.all(np.diff(p[order]) >= -1e-12)


@given(real(0.1, 5), real(0, 10), st.integers(2, 10), real(0.3, 3))
def test_multiplicative_fee_sharing_closed_form(fees, mev, k, gamma):
    g = FeeSharing(fees, mev, k, "multiplicative", gamma)
    eq = pg.solve(g, symmetric=True)
    assert 0 <= eq.profile[0] <= 1 and eq.regret <= 1e-7 * max(1.0, fees + mev)


def test_multiplicative_play_draws_the_law():
    g = FeeSharing(1.0, [0.2, 1.0, 3.0], 3, "multiplicative")
    prof = np.array([0.1, 0.6, 0.9])
    assert pg.cross_check(g, prof, pg.simulate(g, prof, rounds=60_000, seed=6)).passed


def test_deployed_inputs_validated():
    with pytest.raises(pg.InvalidParameter, match="minimum"):
        Booster(minimum=2e6)
    with pytest.raises(pg.InvalidParameter, match="scores"):
        AztecMultiProof(1.0, None, _pop(3), scores=[0, 1, 2e7])
    with pytest.raises(pg.InvalidParameter, match="reward_share"):
        Sidecar(0.1, 1.5, 1.0, 0.0, _pop(3))
    with pytest.raises(pg.InvalidParameter, match="provers.stake"):
        TaikoProverPool(1.0, 1.0, _pop(3, stake=np.zeros(3)))
    with pytest.raises(pg.InvalidParameter, match="cost_distribution"):
        ReverseAuction(3, ("pareto", 1.0, 2.0))
    with pytest.raises(pg.InvalidParameter, match="max_price"):
        ReverseDutchAuction(1.0, 0.5, 1.0, 1.0)
    with pytest.raises(pg.InvalidParameter, match="min_price"):
        ReverseDutchAuction(0.9, 2.0, 1.0, 1.0, provers_count=3, cost_distribution=("uniform", 0.0, 1.0))
    with pytest.raises(pg.InvalidParameter, match="weight"):
        FeeSharing(1.0, 0.0, 3, "additive")
    with pytest.raises(pg.InvalidParameter, match="provers"):
        LotteryReward(1.0, _pop(3), 1.0).optimal_reward()


@given(boosters, real(0, 1), st.integers(1, 300))
def test_closed_form_path_is_the_recursion(b, start_frac, epochs):
    s, out = start_frac * b.max_score, []
    for _ in range(epochs):
        s = float(b.step(s, 1.0))
        out.append(s)
    assert np.allclose(b.path(start_frac * b.max_score, epochs), out, rtol=1e-12, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["uniform", "lognormal"]), real(0.0, 3.0), real(0.05, 4.0), st.integers(0, 1000))
def test_built_in_laws_are_scipys_to_the_bit(law, a, b, seed):
    """The auctions' and sequencers' own uniform and log-normal laws against scipy.stats' frozen ones:
    cdf, ppf (boundaries, outside [0, 1] and NaN included) and the draws from the same generator,
    bit for bit (they stand in for scipy.stats so that importing it is not needed)."""
    from scipy import stats

    from provergame.games.laws import LogNormal, Uniform
    ours, theirs = (Uniform(a, b), stats.uniform(a, b)) if law == "uniform" else (LogNormal(b, a + 0.1), stats.lognorm(b, scale=a + 0.1))
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(-1, 3 * (a + b) + 1, 50), [0.0, a, a + b, -np.inf, np.inf, np.nan]])
    q = np.concatenate([rng.random(50), [0.0, 1.0, 1e-12, 1 - 1e-12, -0.5, 1.5, np.nan]])
    np.testing.assert_array_equal(ours.cdf(x), theirs.cdf(x))
    np.testing.assert_array_equal(ours.ppf(q), theirs.ppf(q))
    assert ours.ppf(0.3) == theirs.ppf(0.3) and ours.cdf(float(a)) == theirs.cdf(float(a))
    np.testing.assert_array_equal(ours.rvs(size=(40, 3), random_state=np.random.default_rng(seed)),
                                  theirs.rvs(size=(40, 3), random_state=np.random.default_rng(seed)))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 9), st.integers(0, 10_000), st.sampled_from(["spread", "ties", "near ties"]))
def test_epoch_quotes_deviation_payoffs_are_the_full_acceptance(n, seed, shape):
    """One prover's quote against the rivals' near-lowest quotes, against _accepted on every substituted
    profile, bit for bit: exact ties, quotes 1e-10 and 2e-9 apart (inside and outside the 1e-9 tie
    band), tied costs, and candidates on and around every quote."""
    from provergame.games import EpochQuotes
    from provergame.games.base import Game
    rng = np.random.default_rng(seed)
    cost = rng.choice([0.2, 0.5, 0.5, 0.9], n) if shape != "spread" else rng.uniform(0.1, 1.0, n)
    game = EpochQuotes(10.0, pg.Population.from_arrays(cost=cost))
    base = rng.uniform(100, 2000)
    q = {"spread": rng.uniform(100, 2000, n), "ties": rng.choice([base, base + 50.0], n),
         "near ties": base + rng.choice([0.0, 1e-10, 2e-9, 5e-10], n)}[shape]
    cand = np.concatenate([q, q + 1e-10, q - 1e-10, q + 2e-9, q - 2e-9, rng.uniform(0, 10_000, 5), [0.0, 10_000.0]])
    cand = np.tile(np.clip(cand, 0.0, 10_000.0), (n, 1))
    np.testing.assert_array_equal(game.deviation_payoffs(q, cand), Game.deviation_payoffs(game, q, cand))
