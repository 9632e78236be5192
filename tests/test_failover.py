"""Failover for protocol-elected provers (issue 25, item 2): each assignee holds the unit for a
deadline, then the next VRF draw takes over. Every law is checked against an independent computation:
an enumeration of Plackett-Luce draw orders, a hand formula for identical provers, and a Monte Carlo
written here from the protocol's rules (not the game's simulator)."""
import itertools
import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import provergame as pg
from provergame.games import (DelegatedStake, IdentityVRF, StakeContest, StakeTurns, StakeVRF, TaikoPool, TurnAuction,
                              TaikoProverPool)
from provergame.solvers import exponential_race as er

real = lambda lo, hi: st.floats(lo, hi, allow_nan=False, allow_infinity=False)      # noqa: E731


def enumerated_positions(p, s, w, positions):
    """P(i is attempt k + 1 with every attempt before it failed | i registered), by enumerating who
    registers and every draw order with its Plackett-Luce probability."""
    n = len(w)
    out = np.zeros((n, positions))
    for reg in itertools.product([0, 1], repeat=n):
        chance = math.prod(p[j] if reg[j] else 1 - p[j] for j in range(n))
        drawn = [j for j in range(n) if reg[j] and w[j] > 0]
        for order in itertools.permutations(drawn):
            pr, left = chance, sum(w[j] for j in drawn)
            for j in order:
                pr *= w[j] / left
                left -= w[j]
            all_failed = 1.0
            for k, j in enumerate(order):
                if k < positions:
                    out[j, k] += pr * all_failed
                all_failed *= 1 - s[j]
    return out / np.where(np.asarray(p) > 0, p, 1.0)[:, None]


def on_time_by_turns(pos, s, pop, d, window):
    """On-time liveness from the enumerated attempt positions: the K = floor(w / d) turns ending inside the
    window count with their success s_i, turn K + 1 with the rest of the window."""
    n = pos.shape[0]
    k = int(np.floor(window / d * (1 + 1e-12)))
    on = float(np.sum(s[:, None] * pos[:, :min(k, n)]))
    if k < n:
        on += float(np.sum(pop.reliability * (1 - np.exp(-pop.rate * max(window - k * d, 0.0))) * pos[:, k]))
    return on


def certified_and_on_time(game, window, windows):
    """The solved equilibrium is certified exact and passes pg.cross_check at `window`; the game's simulator
    lands proofs on time at each of `windows` as its law says (within 4 standard errors)."""
    eq = pg.solve(game)
    assert eq.regret <= 1e-8 and eq.exact
    check = pg.cross_check(game, eq, pg.simulate(game, eq.profile, rounds=200_000, seed=3, window=window))
    assert check.passed, check.table
    out = game.play(eq.profile, np.random.default_rng(4), 200_000)
    for w in windows:
        hit = out.on_time(w)
        assert abs(hit.mean() - game.on_time(eq.profile, w)) < 4 * hit.std() / np.sqrt(hit.size) + 1e-12
    return eq


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.data())
def test_attempt_positions_match_the_enumerated_draw_orders(n, data):
    p = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.4, 1.0]), min_size=n, max_size=n)))
    s = np.array(data.draw(st.lists(real(0.0, 1.0), min_size=n, max_size=n)))
    w = np.array(data.draw(st.lists(st.one_of(st.just(0.0), real(0.01, 100.0)), min_size=n, max_size=n)))
    positions = data.draw(st.integers(1, n))
    got = er.attempt_positions(p, s, w, positions)
    want = enumerated_positions(p, s, w, positions)
    live = p > 0
    assert np.allclose(got[live], want[live], atol=1e-9)
    if positions == n:         # summed over every position: reached at all (the exponential-race identity)
        assert np.allclose(got.sum(axis=1)[live], er.first_finish(p * s, w)[live], atol=1e-9)


def test_failover_on_time_matches_a_monte_carlo_of_the_rules():
    pop = pg.Population.from_arrays(cost=[0.5, 0.8, 1.0, 0.6, 0.9], rate=[0.5, 1.0, 2.0, 1.5, 0.8],
                                    stake=[5.0, 1.0, 3.0, 2.0, 4.0], reliability=[0.9, 0.95, 0.7, 1.0, 0.85])
    rng = np.random.default_rng(11)
    rounds, n = 200_000, 5
    for deadline, window in ((0.3, 1.0), (0.5, 2.0), (1.0, 0.7), (0.25, 3.0)):
        game = StakeVRF(10.0, pop, failover="next_draw", failover_deadline=deadline)
        order = np.argsort(rng.standard_exponential((rounds, n)) / pop.stake, axis=1)
        delivers = rng.random((rounds, n)) < pop.reliability[order]
        times = rng.standard_exponential((rounds, n)) / pop.rate[order]
        success = delivers & (times < deadline)
        k = np.argmax(success, axis=1)
        landed = np.where(success.any(axis=1), k * deadline + times[np.arange(rounds), k], np.inf)
        hit = landed <= window
        se = hit.std() / np.sqrt(rounds)
        assert abs(hit.mean() - game.on_time(np.ones(n), window)) < 4 * se + 1e-12, (deadline, window)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 8), real(0.3, 1.0), real(0.2, 5.0), real(0.05, 2.0), real(0.1, 6.0))
def test_identical_provers_follow_the_hand_formula(n, rho, rate, deadline, window):
    k = int(np.floor(window / deadline * (1 + 1e-12)))
    pop = pg.Population.identical(n, cost=0.1, rate=rate, reliability=rho)
    game = IdentityVRF(10.0, pop, failover="next_draw", failover_deadline=deadline)
    turn = rho * (1 - math.exp(-rate * deadline))
    if k < n:
        rest = max(window - k * deadline, 0.0)
        want = 1 - (1 - turn) ** k * (1 - rho * (1 - math.exp(-rate * rest)))
    else:                                      # every registered prover gets a whole turn inside the window
        want = 1 - (1 - turn) ** n
    assert game.on_time(np.ones(n), window) == pytest.approx(want, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.data())
def test_without_failover_or_with_a_deadline_past_the_window_the_first_assignee_holds_it(n, data):
    lists = lambda lo, hi: data.draw(st.lists(real(lo, hi), min_size=n, max_size=n))       # noqa: E731
    pop = pg.Population.from_arrays(cost=lists(0.05, 1.0), rate=lists(0.2, 5.0), stake=lists(0.5, 20.0),
                                    reliability=lists(0.3, 1.0))
    window = data.draw(real(0.1, 4.0))
    first = pop.stake / pop.stake.sum()                     # the stake-weighted first draw, by hand
    hand = float(np.sum(first * pop.reliability * (1 - np.exp(-pop.rate * window))))
    assert StakeVRF(10.0, pop).on_time(np.ones(n), window) == pytest.approx(hand, abs=1e-9)
    late = StakeVRF(10.0, pop, failover="next_draw", failover_deadline=window * 1.5)
    assert late.on_time(np.ones(n), window) == pytest.approx(hand, abs=1e-9)


def test_a_deadline_only_scales_each_assignee_s_success_by_its_chance_to_finish_in_time():
    pop = pg.Population.from_arrays(cost=[0.5, 0.8], rate=[0.5, 2.0], stake=[1.0, 3.0], reliability=[0.9, 0.8])
    game = StakeVRF(10.0, pop, slash=1.0, failover="next_draw", failover_deadline=0.4)
    assert np.allclose(game.success, [0.9 * (1 - math.exp(-0.2)), 0.8 * (1 - math.exp(-0.8))], atol=1e-15)
    # two provers, both registered: i is paid if drawn first and in time, or drawn second after the other missed
    q, f = game.success, pop.stake / pop.stake.sum()
    reach = f + f[::-1] * (1 - q[::-1])
    margin = q * 10.0 - pop.cost - (1 - q) * 1.0
    assert np.allclose(game.expected_payoffs(np.ones(2)), reach * margin, atol=1e-10)


@pytest.mark.parametrize("cls", [StakeVRF, IdentityVRF])
def test_failover_equilibria_are_certified_and_agree_with_the_simulator(cls):
    pop = pg.Population.from_arrays(cost=[0.5, 0.8, 1.0, 0.6, 2.5], rate=[0.5, 1.0, 2.0, 1.5, 0.8],
                                    stake=[5.0, 1.0, 12.0, 2.0, 4.0], reliability=[0.9, 0.95, 0.7, 1.0, 0.85])
    game = cls(4.0, pop, min_stake=1.0, slash=1.0, failover="next_draw", failover_deadline=0.6)
    eq = pg.solve(game)
    assert eq.regret <= 1e-9 and eq.exact
    roll = pg.simulate(game, eq.profile, rounds=200_000, seed=3, window=1.5)
    check = pg.cross_check(game, eq, roll)
    assert check.passed, check.table


def test_the_game_s_simulator_lands_proofs_where_the_law_says():
    pop = pg.Population.from_arrays(cost=[0.5, 0.8, 1.0], rate=[0.5, 1.0, 2.0], stake=[5.0, 1.0, 3.0],
                                    reliability=[0.9, 0.95, 0.7])
    for deadline in (0.2, 0.5, 2.0):
        game = StakeVRF(10.0, pop, failover="next_draw", failover_deadline=deadline)
        out = game.play(np.ones(3), np.random.default_rng(5), 200_000)
        for window in (0.3, 1.0, 2.5):
            hit = out.on_time(window)
            se = hit.std() / np.sqrt(hit.size)
            assert abs(hit.mean() - game.on_time(np.ones(3), window)) < 4 * se + 1e-12


def test_failover_for_a_stake_contest_reaches_its_law():
    game = StakeContest.example(4)
    g = replace(game, failover="next_draw", failover_deadline=0.5)
    x = np.array([10.0, 20.0, 5.0, 0.0])
    assert 0 < g.on_time(x, 1.0) <= 1
    assert g.stats(x).eventual_liveness < game.stats(x).eventual_liveness      # a deadline only refuses proofs


@pytest.mark.parametrize("field,value", [("failover_deadline", 0.0), ("failover_deadline", -1.0),
                                         ("failover", "backup"), ("failover_deadline", float("inf"))])
def test_bad_failover_arguments_name_the_parameter(field, value):
    with pytest.raises(pg.InvalidParameter, match=field):
        replace(StakeVRF.example(3), **{field: value})


# --- Taiko's pool under failover: the pool's provers are drawn in turn (the same rule, within the pool) --------

def _taiko_case(n, data):
    lists = lambda lo, hi: np.array(data.draw(st.lists(real(lo, hi), min_size=n, max_size=n)))      # noqa: E731
    pop = pg.Population.from_arrays(cost=lists(0.05, 1.0), rate=lists(0.3, 4.0), stake=lists(0.5, 20.0),
                                    reliability=lists(0.3, 1.0))
    game = TaikoPool(5.0, pop, pool_size=data.draw(st.integers(1, n)), slash=data.draw(real(0.0, 2.0)),
                     selection=data.draw(st.sampled_from(["uniform", "stake"])), failover="next_draw",
                     failover_deadline=data.draw(real(0.1, 1.5)))
    return game, lists(0.5, 6.0)          # bids above the fee cap (5) stay out


def _seated_by_hand(game, bids):
    """The pool: joining bids (<= fee cap) ranked by bid, then larger stake, then index, the first pool_size."""
    stake = game.provers.stake
    joined = sorted((b, -stake[i], i) for i, b in enumerate(bids) if b <= game.fee_cap)
    seated = np.zeros(game.n)
    seated[[i for _, _, i in joined[:game.pool_size]]] = 1.0
    return seated


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 5), st.data())
def test_taiko_pool_failover_payoffs_and_on_time_match_the_enumerated_draw_orders(n, data):
    game, bids = _taiko_case(n, data)
    pop, d = game.provers, game.failover_deadline
    window = data.draw(real(0.1, 4.0))
    seated = _seated_by_hand(game, bids)
    s = pop.reliability * (1 - np.exp(-pop.rate * d))
    w = pop.stake if game.selection == "stake" else np.ones(n)
    pos = enumerated_positions(seated, s, w, n) * seated[:, None]
    margin = s * bids - pop.cost - (1 - s) * game.slash
    assert np.allclose(game.expected_payoffs(bids), pos.sum(axis=1) * margin, atol=1e-9)
    assert game.on_time(bids, window) == pytest.approx(on_time_by_turns(pos, s, pop, d, window), abs=1e-9)
    assert game.stats(bids).eventual_liveness == pytest.approx(1 - np.prod(1 - s * seated), abs=1e-9)


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 6), st.data())
def test_taiko_pool_failover_deviation_payoffs_are_the_deviated_profiles_payoffs(n, data):
    game, bids = _taiko_case(n, data)
    candidates = np.array(data.draw(st.lists(real(0.0, 10.0), min_size=3, max_size=3)))
    got = game.deviation_payoffs(bids, np.tile(candidates, (n, 1)))
    for i in range(n):
        for m, x in enumerate(candidates):
            moved = bids.copy()
            moved[i] = x
            assert got[i, m] == pytest.approx(game.expected_payoffs(moved)[i], abs=1e-9)


def test_taiko_pool_failover_simulator_and_an_own_monte_carlo_agree_with_the_law():
    pop = pg.Population.from_arrays(cost=[0.3, 0.5, 0.4, 0.9, 0.2], rate=[1.0, 2.0, 0.7, 1.5, 3.0],
                                    stake=[3.0, 1.0, 2.0, 5.0, 1.0], reliability=[0.9, 0.8, 0.95, 0.7, 0.85])
    game = TaikoPool(4.0, pop, pool_size=3, slash=0.5, selection="stake", failover="next_draw", failover_deadline=0.5)
    bids = np.array([2.0, 1.0, 3.0, 4.5, 7.0])              # seats p0, p1, p2 (p3 ranks fourth, p4 stays out)
    rounds, rng = 200_000, np.random.default_rng(21)
    seat = np.array([0, 1, 2])
    order = seat[np.argsort(rng.standard_exponential((rounds, 3)) / pop.stake[seat], axis=1)]
    times = rng.standard_exponential((rounds, 3)) / pop.rate[order]
    ok = (rng.random((rounds, 3)) < pop.reliability[order]) & (times < 0.5)
    k = np.argmax(ok, axis=1)
    landed = np.where(ok.any(axis=1), 0.5 * k + times[np.arange(rounds), k], np.inf)
    out = game.play(bids, np.random.default_rng(5), rounds)
    for window in (0.4, 1.0, 2.0):
        law = game.on_time(bids, window)
        for hit in (landed <= window, out.on_time(window)):
            assert abs(hit.mean() - law) < 4 * hit.std() / np.sqrt(rounds) + 1e-12, window
    eq = pg.solve(game)
    assert eq.regret <= game.tick and eq.exact             # seats pinned one bid step below the first excluded
    check = pg.cross_check(game, eq, pg.simulate(game, eq.profile, rounds=200_000, seed=3, window=1.0))
    assert check.passed, check.table


def test_taiko_pool_failover_stall_weights_give_the_liveness_left_when_a_coalition_withholds():
    """Withholders stay seated and fail when drawn; every other seat is drawn in turn until one delivers,
    so a unit is proved eventually unless every non-withholder fails: prod (1 - s_i), by a Monte Carlo."""
    pop = pg.Population.from_arrays(cost=[0.3, 0.5, 0.4, 0.9], rate=[1.0, 2.0, 0.7, 1.5],
                                    reliability=[0.9, 0.8, 0.95, 0.7])
    game = TaikoPool(4.0, pop, pool_size=4, slash=0.5, failover="next_draw", failover_deadline=0.5)
    assert game.stall_form == "loglinear" and TaikoPool.example(4).stall_form == "linear"
    bids = np.full(4, 3.0)
    w = game.stall_weights(bids)
    rng = np.random.default_rng(8)
    for coalition in ([0], [1, 3], [0, 1, 2]):
        honest = pop.reliability.copy()
        honest[coalition] = 0.0
        withheld = replace(game, provers=pop.replace(reliability=honest))
        proved = withheld.play(bids, rng, 100_000).accepted
        keep = np.ones(4, dtype=bool)
        keep[coalition] = False
        law = 1 - np.exp(-w[keep].sum())
        assert abs(proved.mean() - law) < 4 * proved.std() / np.sqrt(proved.size) + 1e-12


def test_taiko_pool_failover_theorems_replace_the_elected_family_s():
    names = {t.name for t in replace(TaikoPool.example(4), failover="next_draw").theorems()}
    assert {"vrf_failover_at_half_the_window_never_lowers_on_time_liveness",
            "vrf_failover_lifts_on_time_liveness_above_the_reliability_cap", "taiko_seat_profitable_above_break_even"} <= names


# --- delegated stake under failover: the next draw by total stake within the active set ---------------------

@settings(max_examples=25, deadline=None)
@given(st.integers(2, 5), st.data())
def test_delegated_stake_failover_matches_the_enumerated_draw_orders(n, data):
    lists = lambda lo, hi: np.array(data.draw(st.lists(real(lo, hi), min_size=n, max_size=n)))      # noqa: E731
    pop = pg.Population.from_arrays(cost=lists(0.05, 1.0), rate=lists(0.3, 4.0), stake=lists(0.5, 20.0),
                                    reliability=lists(0.3, 1.0))
    d, window = data.draw(real(0.1, 2.0)), data.draw(real(0.1, 4.0))
    game = DelegatedStake(10.0, pop, (40.0, 25.0), data.draw(st.integers(1, n)), sensitivity=data.draw(real(0.0, 30.0)),
                          failover="next_draw", failover_deadline=d)
    cuts = lists(0.0, 1.0)
    pay, pos, s = delegated_by_hand(game, pop, cuts, d)
    assert np.allclose(game.expected_payoffs(cuts), pay, atol=1e-9)
    assert game.on_time(cuts, window) == pytest.approx(on_time_by_turns(pos, s, pop, d, window), abs=1e-9)


def delegated_by_hand(game, pop, cuts, d):
    """Payoffs of DelegatedStake(10, delegators 40 + 25) under next_draw at `cuts`, from the enumerated
    draw orders over total stake: (payoffs, attempt positions, turn successes)."""
    n = len(cuts)
    s = pop.reliability * (1 - np.exp(-pop.rate * d))
    active = np.zeros(n)          # the active set: largest own + initial delegation (65 in proportion to own stake)
    start = pop.stake + 65.0 * pop.stake / pop.stake.sum()
    active[sorted(range(n), key=lambda i: (-start[i], i))[:game.active_set]] = 1.0
    logit = np.where(active > 0, np.exp(game.sensitivity * s * (1 - cuts)), 0.0)
    deleg = 65.0 * logit / logit.sum()
    total = (pop.stake + deleg) * active
    pos = enumerated_positions(active, s, total, n) * active[:, None]
    keep = cuts + (1 - cuts) * np.divide(pop.stake, total, out=np.zeros(n), where=total > 0)
    return pos.sum(axis=1) * (s * keep * 10.0 - pop.cost), pos, s


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 5), st.data())
def test_delegated_stake_failover_deviations_by_the_enumerated_draw_orders(n, data):
    """The fast deviation path (games.failover.shifted_deviation_reach: one prover's cut re-splits the
    delegators' pool among all) against each deviated profile's payoff by enumerated draw orders."""
    lists = lambda lo, hi: np.array(data.draw(st.lists(real(lo, hi), min_size=n, max_size=n)))      # noqa: E731
    pop = pg.Population.from_arrays(cost=lists(0.05, 1.0), rate=lists(0.3, 4.0), stake=lists(0.5, 20.0),
                                    reliability=lists(0.3, 1.0))
    d = data.draw(real(0.1, 2.0))
    game = DelegatedStake(10.0, pop, (40.0, 25.0), data.draw(st.integers(1, n)), sensitivity=data.draw(real(0.0, 30.0)),
                          failover="next_draw", failover_deadline=d)
    cuts = lists(0.0, 1.0)
    cand = np.array(data.draw(st.lists(real(0.0, 1.0), min_size=3 * n, max_size=3 * n))).reshape(n, 3)
    got = game.deviation_payoffs(cuts, cand)
    for i in range(n):
        for k in range(3):
            moved = cuts.copy()
            moved[i] = cand[i, k]
            assert got[i, k] == pytest.approx(delegated_by_hand(game, pop, moved, d)[0][i], abs=1e-9)


def test_delegated_stake_failover_equilibrium_is_certified_and_simulated():
    game = replace(DelegatedStake.example(6), failover="next_draw", failover_deadline=2.0)
    certified_and_on_time(game, 3.0, (1.0, 2.5, 5.0))
    assert game.stall_form == "loglinear" and DelegatedStake.example(6).stall_form == "linear"


# --- Taiko's alpha-4 ProverPool under failover: the next draw by stake / erpg^2 within the pool ---------------

@settings(max_examples=25, deadline=None)
@given(st.integers(2, 5), st.data())
def test_taiko_prover_pool_failover_matches_the_enumerated_draw_orders(n, data):
    lists = lambda lo, hi: np.array(data.draw(st.lists(real(lo, hi), min_size=n, max_size=n)))      # noqa: E731
    pop = pg.Population.from_arrays(cost=lists(0.01, 0.3), rate=lists(0.3, 4.0), stake=lists(0.5, 20.0),
                                    reliability=lists(0.8, 1.0))
    d, window = data.draw(real(0.5, 4.0)), data.draw(real(0.1, 6.0))
    game = TaikoProverPool(1.0, 1.0, pop, pool_size=data.draw(st.integers(1, n)), reward_multiple=0.0,
                           failover="next_draw", failover_deadline=d)
    erpg = lists(0.75, 1.25)
    seated = game.seated().astype(float)
    s = pop.reliability * (1 - np.exp(-pop.rate * d))
    pos = enumerated_positions(seated, s, pop.stake / erpg ** 2 * seated, n) * seated[:, None]
    slash = np.minimum(np.maximum(pop.stake * 500 / 10_000 / 10, 0.0), pop.stake)          # the contract's rule
    assert np.allclose(game.expected_payoffs(erpg), pos.sum(axis=1) * (s * erpg - pop.cost - (1 - s) * slash),
                       atol=1e-9)
    assert game.on_time(erpg, window) == pytest.approx(on_time_by_turns(pos, s, pop, d, window), abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.data())
def test_taiko_prover_pool_failover_deviations_by_the_enumerated_draw_orders(n, data):
    """The fast deviation path (games.failover.deviation_reach: the others' draw law fixed) against each
    deviated profile's payoff from an enumeration of draw orders at the deviated weights (to 1e-9)."""
    lists = lambda lo, hi: np.array(data.draw(st.lists(real(lo, hi), min_size=n, max_size=n)))      # noqa: E731
    pop = pg.Population.from_arrays(cost=lists(0.01, 0.3), rate=lists(0.3, 4.0), stake=lists(0.5, 20.0),
                                    reliability=lists(0.8, 1.0))
    d = data.draw(real(0.5, 4.0))
    game = TaikoProverPool(1.0, 1.0, pop, pool_size=data.draw(st.integers(1, n)), reward_multiple=0.0,
                           failover="next_draw", failover_deadline=d)
    erpg = lists(0.75, 1.25)
    cand = np.sort(np.array(data.draw(st.lists(real(0.75, 1.25), min_size=3 * n, max_size=3 * n))).reshape(n, 3))
    seated = game.seated().astype(float)
    s = pop.reliability * (1 - np.exp(-pop.rate * d))
    slash = np.minimum(np.maximum(pop.stake * 500 / 10_000 / 10, 0.0), pop.stake)
    got = game.deviation_payoffs(erpg, cand)
    for i in range(n):
        for k in range(3):
            e = erpg.copy()
            e[i] = cand[i, k]
            reached = enumerated_positions(seated, s, pop.stake / e ** 2 * seated, n).sum(axis=1) * seated
            assert got[i, k] == pytest.approx(reached[i] * (s[i] * e[i] - pop.cost[i] - (1 - s[i]) * slash[i]), abs=1e-9)


def test_taiko_prover_pool_failover_equilibrium_is_certified_and_simulated():
    pop = pg.Population.from_arrays(cost=[0.1, 0.2, 0.15, 0.3, 0.25], rate=[1.0, 2.0, 0.7, 1.5, 1.2],
                                    stake=[10.0, 4.0, 8.0, 6.0, 3.0], reliability=[0.98, 0.95, 0.99, 0.97, 0.96])
    game = TaikoProverPool(1.0, 1.0, pop, pool_size=4, failover="next_draw", failover_deadline=3.0)
    certified_and_on_time(game, 4.0, (1.0, 4.0, 8.0))


def test_the_default_pool_s_failover_numbers_by_an_own_monte_carlo():
    """README: the default scenario's taiko_pool (8 seats, fee cap 10) at window 10 is on time 0.956 without
    failover and 0.992 with a deadline of 0.5, at 4.94 per proof against 1.47. Recomputed here from the
    seats and bids alone: seats drawn uniformly in turn, each delivering within its turn with its reliability
    and Exp(rate) proving time, users paying the deliverer's bid (200,000 units)."""
    from provergame.scenario import default_scenario_path, load_scenario
    base = dict(load_scenario(default_scenario_path()).games())["taiko_pool"]
    pop, rounds = base.provers, 200_000
    for game, want_on, want_price in ((base, 0.956, 1.47), (replace(base, failover="next_draw", failover_deadline=0.5),
                                                             0.992, 4.94)):
        bids = pg.solve(game).profile
        seat = np.flatnonzero(game.seated(bids))
        rng = np.random.default_rng(17)
        order = seat[np.argsort(rng.random((rounds, len(seat))), axis=1)]
        t = rng.standard_exponential(order.shape) / pop.rate[order]
        valid = rng.random(order.shape) < pop.reliability[order]
        if game.failover == "none":                        # the first draw holds the block; nobody else is tried
            ok, k = valid[:, 0], np.zeros(rounds, dtype=int)
            landed = np.where(ok, t[:, 0], np.inf)
        else:
            turns = valid & (t < 0.5)
            ok, k = turns.any(axis=1), np.argmax(turns, axis=1)
            landed = np.where(ok, 0.5 * k + t[np.arange(rounds), k], np.inf)
        on = landed <= 10.0
        price = bids[order[np.arange(rounds), k]][ok].mean()
        assert abs(on.mean() - game.on_time(bids, 10.0)) < 4 * on.std() / np.sqrt(rounds) + 1e-12
        assert round(float(on.mean()), 3) == pytest.approx(want_on, abs=2e-3)
        assert price == pytest.approx(want_price, abs=0.01)


# --- Starknet's stake turns under failover: the scheduled holder first, then backups drawn by stake --------------
def _turns_case(n, data):
    cost = np.array(data.draw(st.lists(real(0.1, 2.0), min_size=n, max_size=n)))
    rate = np.array(data.draw(st.lists(real(0.2, 3.0), min_size=n, max_size=n)))
    stake = np.array(data.draw(st.lists(st.one_of(st.just(0.0), real(0.1, 10.0)), min_size=n, max_size=n)))
    stake[0] = max(stake[0], 0.5)
    rho = np.array(data.draw(st.lists(real(0.3, 1.0), min_size=n, max_size=n)))
    pop = pg.Population.from_arrays(cost=cost, rate=rate, stake=stake, reliability=rho)
    d, window = data.draw(real(0.05, 2.0)), data.draw(real(0.05, 5.0))
    p = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.3, 1.0]), min_size=n, max_size=n)))
    return StakeTurns(data.draw(real(0.5, 5.0)), pop, failover="next_draw", failover_deadline=d), p, window


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 5), st.data())
def test_stake_turns_failover_matches_the_enumerated_turn_orders(n, data):
    """The holder is drawn by stake share, the backups by stake among the rest (every prover with stake takes
    its turn when reached: a holder that will not act still holds it until its deadline): payoffs, eventual
    and on-time liveness from every turn order, enumerated, with turn success p_i rho_i (1 - e^{-r_i d})."""
    game, p, window = _turns_case(n, data)
    pop, d = game.provers, game.failover_deadline
    s = p * pop.reliability * -np.expm1(-pop.rate * d)
    pos = enumerated_positions((pop.stake > 0).astype(float), s, pop.stake, n)
    reached = pos.sum(axis=1)
    pay = reached * p * (pop.reliability * -np.expm1(-pop.rate * d) * game.reward - pop.cost)
    assert np.allclose(game.expected_payoffs(p), pay, atol=1e-9)
    assert game.stats(p).eventual_liveness == pytest.approx(float((reached * s).sum()), abs=1e-9)
    acting = pop.replace(reliability=p * pop.reliability)
    assert game.on_time(p, window) == pytest.approx(on_time_by_turns(pos, s, acting, d, window), abs=1e-9)
    cand = np.array([[0.0, 0.5, 1.0]] * n)
    rows = np.repeat(p[None, :], 3, axis=0)
    for i in range(n):
        r = rows.copy()
        r[:, i] = cand[i]
        assert np.allclose(game.deviation_payoffs(p, cand)[i], game.expected_payoffs(r)[:, i], atol=1e-9)


def test_stake_turns_failover_simulator_follows_the_schedule_and_the_law():
    """The simulator plays the schedule and draws the backups (no law): payoffs, users' payment and on-time
    liveness at three windows within 4 standard errors, a mixed profile included; the equilibrium is a
    pure entry equilibrium found by brute force over every profile and its flips."""
    from brute_force import pure_entry_equilibria
    pop = pg.Population.from_arrays(cost=[0.5, 0.8, 1.0, 0.6, 0.9], rate=[0.5, 1.0, 2.0, 1.5, 0.8],
                                    stake=[5.0, 1.0, 3.0, 2.0, 4.0], reliability=[0.9, 0.95, 0.7, 1.0, 0.85])
    game = StakeTurns(3.0, pop, failover="next_draw", failover_deadline=0.4)
    eq = certified_and_on_time(game, 1.5, (0.3, 1.0, 2.5))
    assert any(np.array_equal(eq.profile, e) for e in pure_entry_equilibria(game))
    mixed = np.array([1.0, 0.5, 1.0, 0.3, 1.0])
    for window in (0.3, 1.0, 2.5):
        run = pg.simulate(game, mixed, rounds=200_000, seed=8, window=window)
        assert abs(run.on_time - game.on_time(mixed, window)) <= 4 * run.on_time_stderr
    assert np.all(np.abs(run.mean_payoffs - game.expected_payoffs(mixed)) <= 4 * run.stderr + 1e-12)


def test_stake_turns_failover_lifts_on_time_liveness_past_the_holder_s_reliability():
    """By hand, one prover per turn at reliability 0.9 and rate 2 over a window of 1: without failover a
    miss loses the turn (0.9 (1 - e^{-2}) = 0.778); with a deadline of 0.5 two turns fit,
    1 - (1 - 0.9 (1 - e^{-1}))^2 = 0.8 against identical provers."""
    pop = pg.Population.from_arrays(cost=[0.1] * 4, rate=2.0, stake=1.0, reliability=0.9)
    ones = np.ones(4)
    assert StakeTurns(3.0, pop).on_time(ones, 1.0) == pytest.approx(0.9 * (1 - np.exp(-2)), abs=1e-12)
    one = 0.9 * (1 - np.exp(-1))
    fo = StakeTurns(3.0, pop, failover="next_draw", failover_deadline=0.5)
    assert fo.on_time(ones, 1.0) == pytest.approx(1 - (1 - one) ** 2, abs=1e-12)
    assert fo.stall_form == "loglinear" and StakeTurns(3.0, pop).stall_form == "linear"
    none = fo.play(ones, np.random.default_rng(0), 0)                 # no units: no attempts, nothing paid
    assert none.accepted.size == 0 and not np.any(np.concatenate(none.totals()))
    assert {t.name for t in fo.theorems()} >= {"vrf_failover_at_half_the_window_never_lowers_on_time_liveness"}


def test_the_default_stake_turns_failover_numbers_by_the_schedule_simulator():
    """README: the default scenario's stake turns (12 provers, window 1) are on time 0.664 without failover and
    0.673 / 0.677 at deadlines 0.25 / 0.5, all 12 entering at 10 per proof. Recomputed by the simulator playing
    the schedule and drawing the backups (not the law), 200,000 units each."""
    from provergame.scenario import default_scenario_path, load_scenario
    sc = load_scenario(default_scenario_path())
    spec = next(s for s in sc.specs() if s.label == "stake_turns")
    for deadline, readme in ((None, 0.664), (0.25, 0.673), (0.5, 0.677)):
        kw = {} if deadline is None else {"failover": "next_draw", "failover_deadline": deadline}
        game = spec.build(sc.population(), **kw)
        eq = pg.solve(game)
        assert eq.profile.sum() == 12
        run = pg.simulate(game, eq.profile, rounds=200_000, seed=2, window=1.0)
        assert abs(run.on_time - readme) <= 4 * run.on_time_stderr + 5e-4
        assert run.user_payment / run.eventual_liveness == pytest.approx(10.0, rel=1e-12)


# --- Starknet's turn auction under failover: the runner-up ladder ---------------------------------------------
def ladder_by_monte_carlo(pop, markup, noise, reward, deadline, windows, rounds, seed):
    """The runner-up ladder played from its rules here (not the game's simulator): costs c e^{noise Z}, bids
    (1 + m) cost / s with s = rho (1 - e^{-r d}); bidders take the turn from the lowest bid up, each holding it
    for d; the first valid proof inside its turn wins and is paid min(next bid above, R); every bidder reached
    pays its cost. Per round: (reward, cost, reached) per prover and on time at each window."""
    rng = np.random.default_rng(seed)
    n = len(pop.cost)
    s = pop.reliability * (1 - np.exp(-pop.rate * deadline))
    cost = pop.cost * np.exp(noise * rng.standard_normal((rounds, n)))
    bids = (1 + markup) * cost / s
    rank = np.argsort(np.argsort(bids, axis=1), axis=1)                 # each bidder's turn, 0 = first
    t = rng.standard_exponential((rounds, n)) / pop.rate
    delivers = (rng.random((rounds, n)) < pop.reliability) & (t < deadline)
    first = np.where(delivers, rank, n).min(axis=1)                    # the turn that delivers (n: none)
    reached = rank <= first[:, None]
    won = reached & (rank == first[:, None])
    above = np.where(bids[:, None, :] > bids[:, :, None], bids[:, None, :], np.inf).min(axis=2)
    reward_ = np.where(won, np.minimum(above, reward), 0.0)
    landed = np.where(won, rank * deadline + t, np.inf).min(axis=1)
    return reward_, np.where(reached, cost, 0.0), reached, {w: landed <= w for w in windows}


def _ladder_case(n, data):
    pop = pg.Population.from_arrays(cost=data.draw(st.lists(real(0.3, 2.0), min_size=n, max_size=n)),
                                    rate=data.draw(st.lists(real(0.3, 3.0), min_size=n, max_size=n)),
                                    reliability=data.draw(st.lists(real(0.4, 1.0), min_size=n, max_size=n)))
    markup = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.1, 0.5]), min_size=n, max_size=n)))
    game = TurnAuction(data.draw(real(1.0, 8.0)), pop, cost_noise=data.draw(real(0.1, 0.6)), failover="runner_up",
                       failover_deadline=data.draw(real(0.1, 1.5)))
    return game, markup


@settings(max_examples=12, deadline=None)
@given(st.integers(1, 5), st.data())
def test_turn_auction_ladder_law_matches_an_own_monte_carlo_of_the_rules(n, data):
    """Per-prover reward, cost and chance to be reached, eventual and on-time liveness at two windows:
    the law (games.ladder) within 4 standard errors of the rules played here, 60,000 turns."""
    game, markup = _ladder_case(n, data)
    windows = (data.draw(real(0.05, 1.0)), data.draw(real(1.0, 5.0)))
    reward, cost, reached, on = ladder_by_monte_carlo(game.provers, markup, game.cost_noise, game.reward,
                                                      game.failover_deadline, windows, 60_000, data.draw(st.integers(0, 99)))
    law = game.stats(markup)
    for got, want in ((law.reward, reward), (law.cost, cost), (law.participation, reached.astype(float))):
        assert np.all(np.abs(got - want.mean(0)) <= 4 * want.std(0) / np.sqrt(len(want)) + 1e-4)  # floor: events
    assert law.eventual_liveness == pytest.approx(1 - np.prod(1 - game._turn_success), abs=1e-12)
    for w, hit in on.items():
        assert abs(game.on_time(markup, w) - hit.mean()) <= 4 * hit.std() / np.sqrt(hit.size) + 1e-4


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 5), st.data())
def test_turn_auction_ladder_deviation_payoffs_are_the_deviated_profiles_payoffs(n, data):
    game, markup = _ladder_case(n, data)
    cand = np.array([[0.0, 0.3, 1.2]] * n)
    got = game.deviation_payoffs(markup, cand)
    for i in range(n):
        rows = np.repeat(markup[None, :], 3, axis=0)
        rows[:, i] = cand[i]
        assert np.allclose(got[i], game.expected_payoffs(rows)[:, i], rtol=1e-9, atol=1e-12)
    members = np.array([[0, 1]] * 3)
    values = np.array([[0.0, 0.2], [0.5, 0.0], [1.0, 1.0]])
    rows = np.repeat(markup[None, :], 3, axis=0)
    np.put_along_axis(rows, members, values, axis=1)
    assert np.allclose(game.member_payoffs(markup, members, values),
                       np.take_along_axis(game.expected_payoffs(rows), members, axis=1), atol=1e-12)


@settings(max_examples=10, deadline=None)
@given(st.integers(2, 4), st.data())
def test_turn_auction_ladder_with_far_apart_costs_follows_the_hand_ladder(n, data):
    """Effective costs c / s 1.8x apart and a noise of 0.05 fix the order of the bids: the bidder at turn k is
    reached with prod_{j before} (1 - s_j) and paid min(next bid, R) on delivery, in expectation
    (1 + m_j) c_j e^{noise^2/2} / s_j for the next bid; by hand to 1e-6."""
    rho = np.array(data.draw(st.lists(real(0.5, 1.0), min_size=n, max_size=n)))
    rate = np.array(data.draw(st.lists(real(0.5, 3.0), min_size=n, max_size=n)))
    d, noise = data.draw(real(0.2, 1.0)), 0.05
    s = rho * (1 - np.exp(-rate * d))
    cost = s * 1.8 ** np.array(data.draw(st.permutations(range(n)))) * data.draw(real(0.5, 1.0))
    pop = pg.Population.from_arrays(cost=cost, rate=rate, reliability=rho)
    markup = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.1]), min_size=n, max_size=n)))
    game = TurnAuction(50.0, pop, cost_noise=noise, failover="runner_up", failover_deadline=d)
    mean = np.exp(noise ** 2 / 2)
    bid = (1 + markup) * cost * mean / s
    order = np.argsort(bid)
    want, reach = np.zeros(n), 1.0
    for k, i in enumerate(order):
        price = bid[order[k + 1]] if k + 1 < n else 50.0
        want[i] = reach * (s[i] * price - cost[i] * mean)
        reach *= 1 - s[i]
    assert np.allclose(game.expected_payoffs(markup), want, rtol=1e-6, atol=1e-9)


@settings(max_examples=10, deadline=None)
@given(st.integers(2, 5), st.data())
def test_turn_auction_ladder_with_sure_delivery_is_the_second_price_auction(n, data):
    """With every turn delivered (reliability 1, proving far inside the deadline) nobody past the lowest bid is
    reached: the ladder's payoffs, reach and on-time liveness equal the second-price auction's (another
    formula: E[price; win] = int S_i e^x (f_i + F_i) dx), the cap far above the bids: what users pay to 1e-6 of
    itself, each bidder's payment and payoff to 1e-6 of it, its cost to 1e-9."""
    pop = pg.Population.from_arrays(cost=data.draw(st.lists(real(0.3, 2.0), min_size=n, max_size=n)), rate=1e4,
                                    reliability=1.0)
    markup = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.2, 0.7]), min_size=n, max_size=n)))
    noise = data.draw(real(0.1, 0.5))
    plain = TurnAuction(1e6, pop, cost_noise=noise)
    game = replace(plain, failover="runner_up", failover_deadline=1.0)
    got, want = game.stats(markup), plain.stats(markup)   # the ladder's price integral is fifth order in s / 8:
    scale = 1e-6 * want.user_payment                        # what users pay per turn, to 1e-6 of itself
    assert got.user_payment == pytest.approx(want.user_payment, rel=1e-6)
    assert np.allclose(got.reward, want.reward, rtol=0, atol=scale)
    assert np.allclose(got.cost, want.cost, rtol=1e-9, atol=1e-12)
    assert np.allclose(game.expected_payoffs(markup), plain.expected_payoffs(markup), rtol=0, atol=scale)
    assert np.allclose(game.stats(markup).participation, plain.stats(markup).participation, atol=1e-9)
    assert game.on_time(markup, 0.5) == pytest.approx(plain.on_time(markup, 0.5), abs=1e-9)


def test_turn_auction_ladder_equilibrium_is_certified_simulated_and_not_truthful():
    """Under the ladder truthful bidding is not dominant: at the truthful profile some bidder gains by bidding
    above a rival that may miss, which the rules played here confirm (common random numbers, > 4 standard
    errors). The solved equilibrium is certified and the game's simulator agrees with its law."""
    pop = pg.Population.from_arrays(cost=[0.6, 0.7, 0.9, 1.0, 0.8], rate=[1.0, 0.6, 2.0, 1.5, 0.8],
                                    reliability=[0.9, 0.6, 0.95, 1.0, 0.7])
    game = TurnAuction(4.0, pop, cost_noise=0.3, failover="runner_up", failover_deadline=0.5)
    truthful = np.zeros(5)
    dev = game.deviation_payoffs(truthful, np.tile(np.linspace(0, 1, 21), (5, 1)))
    i, k = np.unravel_index(np.argmax(dev - game.expected_payoffs(truthful)[:, None]), dev.shape)
    better = truthful.copy()
    better[i] = np.linspace(0, 1, 21)[k]
    gain = [ladder_by_monte_carlo(pop, m, 0.3, 4.0, 0.5, (), 200_000, 11) for m in (truthful, better)]
    diff = (gain[1][0] - gain[1][1])[:, i] - (gain[0][0] - gain[0][1])[:, i]
    assert diff.mean() > 4 * diff.std() / np.sqrt(diff.size)
    eq = certified_and_on_time(game, 1.0, (0.4, 1.0, 2.0))
    assert np.all(eq.profile >= 0) and eq.profile.max() > 0.02


def test_turn_auction_ladder_lifts_on_time_liveness_and_changes_the_theorems():
    """By hand, identical bidders (order uniform): on time 1 - (1 - 0.9 (1 - e^{-1}))^2 at a deadline of half
    the window, against 0.9 (1 - e^{-2}) for the auction's winner alone; the stall form turns log-linear and
    the Vickrey dominance theorem gives way to the ladder's."""
    pop = pg.Population.from_arrays(cost=[0.5] * 4, rate=2.0, reliability=0.9)
    plain = TurnAuction(3.0, pop)
    game = replace(plain, failover="runner_up", failover_deadline=0.5)
    assert plain.on_time(np.zeros(4), 1.0) == pytest.approx(0.9 * (1 - np.exp(-2)), abs=1e-9)
    assert game.on_time(np.zeros(4), 1.0) == pytest.approx(1 - (1 - 0.9 * (1 - np.exp(-1))) ** 2, abs=1e-9)
    assert game.stall_form == "loglinear" and plain.stall_form == "linear"
    names = {t.name for t in game.theorems()}
    assert "second_price_truthful_bid_is_dominant" not in names
    assert {"turn_auction_ladder_never_pays_to_bid_below_effective_cost", "turn_auction_ladder_pays_a_reached_bidder_its_cost",
            "vrf_failover_at_half_the_window_never_lowers_on_time_liveness"} <= names
    none = game.play(np.zeros(4), np.random.default_rng(0), 0)
    assert none.accepted.size == 0 and not np.any(np.concatenate(none.totals()))


def test_the_default_turn_auction_runner_up_numbers_by_its_simulator():
    """README: the default scenario's turn auction (12 provers, window 1) is 0.617 on time without failover and
    0.720 with the runner-up ladder at a deadline of 0.25, users paying 0.62 and 5.48 per proof; the ladder's
    equilibrium is certified. Recomputed by the simulator playing the ladder (not the law), 200,000 turns."""
    from provergame.scenario import default_scenario_path, load_scenario
    sc = load_scenario(default_scenario_path())
    spec = next(s for s in sc.specs() if s.label == "turn_auction")
    for kw, on_time, per_proof in (({}, 0.617, 0.62), ({"failover": "runner_up", "failover_deadline": 0.25}, 0.720, 5.48)):
        game = spec.build(sc.population(), **kw)
        eq = pg.solve(game)
        assert eq.exact and eq.regret <= 1e-8
        run = pg.simulate(game, eq.profile, rounds=200_000, seed=2, window=1.0)
        assert abs(run.on_time - on_time) <= 4 * run.on_time_stderr + 5e-4
        assert run.user_payment / run.eventual_liveness == pytest.approx(per_proof, abs=0.005 + 4 * run.user_payment_stderr)


def test_deviation_reach_with_a_prover_sure_to_deliver_by_hand():
    """q = 1 (registered, always delivering): by hand, i's reach against one other j of weight w_j and
    success s_j is int c e^{-c t} (1 - s_j (1 - e^{-w_j t})) dt = 1 - s_j + s_j c / (c + w_j). Both laws
    give it; the fixed one came back NaN (-inf - -inf in its leave-one-out log sum) before the fix."""
    from provergame.games import failover
    registered, success, weights = np.ones(2), np.array([1.0, 0.5]), np.array([1.0, 2.0])
    cand = np.array([[1.0, 2.0, 3.0], [0.5, 1.0, 2.0]])
    want = np.vstack([0.5 + 0.5 * cand[0] / (cand[0] + 2.0), cand[1] / (cand[1] + 1.0)])
    for law in (failover.deviation_reach(registered, success, weights, cand),
                failover.shifted_deviation_reach(registered, success, weights, np.zeros(2), cand, np.zeros((2, 3)))):
        np.testing.assert_allclose(law, want, rtol=1e-9)
    alone = failover.deviation_reach(np.ones(1), np.ones(1), np.ones(1), np.ones((1, 3)))
    np.testing.assert_allclose(alone, 1.0, rtol=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 6), st.data())
def test_the_shifted_deviation_reach_with_nothing_shifted_is_the_fixed_one(n, data):
    """The two deviation laws of games.failover, computed by different routes (a product per deviation
    against one shared product), agree where they describe the same race: the others' weights fixed."""
    from provergame.games import failover
    lists = lambda lo, hi, k=n: np.array(data.draw(st.lists(real(lo, hi), min_size=k, max_size=k)))  # noqa: E731
    registered = np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=n, max_size=n)))
    success, weights = lists(0.05, 1.0), lists(0.1, 30.0)
    cand = lists(0.1, 30.0, 3 * n).reshape(n, 3)
    fixed = failover.deviation_reach(registered, success, weights, cand)
    shifted = failover.shifted_deviation_reach(registered, success, weights, lists(0.0, 5.0), cand, np.zeros((n, 3)))
    np.testing.assert_allclose(shifted, fixed, atol=1e-10)
