"""The race family's closed forms against brute force (Plackett-Luce, subset enumeration)."""
import itertools

import numpy as np
from hypothesis import given, settings, strategies as st

import provergame as pg
from provergame import games
from provergame.solvers import exponential_race as er

from strategies import populations


def plackett_luce(r):
    n = len(r)
    P = np.zeros((n, n))
    for perm in itertools.permutations(range(n)):
        rem, p = r.sum(), 1.0
        for k in perm:
            p *= r[k] / rem
            rem -= r[k]
        for pos, k in enumerate(perm):
            P[k, pos] += p
    return P


@given(populations(min_n=1, max_n=8, reliability=False), st.floats(0.1, 100))
def test_pure_race_is_rate_share(pop, reward):
    g = games.WinnerTakesAll(reward, pop)
    values = g.entry_values(np.ones(len(pop)))
    assert np.allclose(values, reward * pop.rate / pop.rate.sum(), rtol=1e-9, atol=1e-12)


@given(st.lists(st.tuples(st.floats(0.05, 1.0), st.sampled_from([0.0, 0.01, 1.0, 3.0, 100.0]) | st.floats(0.01, 100)),
                min_size=1, max_size=7))
def test_first_finish_matches_subset_enumeration_with_idle_provers(rows):
    """P(i first among present provers | i present) by enumerating who is present; provers at rate 0
    never finish. Both routes: one rate vector for the batch, and rates that vary with it."""
    q, r = np.array(rows).T
    want = np.zeros(len(r))
    for S in itertools.product([0, 1], repeat=len(r)):
        S = np.array(S, bool)
        w = np.prod(np.where(S, q, 1 - q))
        if r[S].sum() > 0:
            want[S] += w * r[S] / r[S].sum()
    want /= q
    assert np.allclose(er.first_finish(q, r), want, rtol=1e-9, atol=1e-12)
    assert np.allclose(er.first_finish(q[None], r[None])[0], want, rtol=1e-9, atol=1e-12)


@given(populations(min_n=1, max_n=5))
def test_finish_positions_match_plackett_luce_over_subsets(pop):
    n = len(pop)
    p = np.linspace(0.2, 0.9, n)
    q = p * pop.reliability
    got = er.finish_position(q, pop.rate, n)
    want = np.zeros((n, n))
    for S in itertools.product([0, 1], repeat=n):
        S = np.array(S, bool)
        for i in np.flatnonzero(S):
            w = np.prod(np.where(S, q, 1 - q)) / q[i]
            idx = np.flatnonzero(S)
            want[i, :len(idx)] += w * plackett_luce(pop.rate[idx])[list(idx).index(i)]
    assert np.allclose(got, want, atol=1e-9)


@given(st.lists(st.sampled_from([0.0, 0.5, 1.0, 0.1, 0.9, 0.37, 1e-9]) | st.floats(0, 1), min_size=1, max_size=9),
       st.integers(0, 10))
def test_leave_one_out_counts_match_subset_enumeration(q, kmax):
    """P(exactly k others have their event), by enumerating every subset of the others: both routes
    (prefix scans for kmax < 2, roots of unity above) on probabilities 0, 1/2 and 1 included."""
    q = np.array(q)
    n = len(q)
    want = np.zeros((n, kmax + 1))
    for S in itertools.product([0, 1], repeat=n):
        S = np.array(S, bool)
        for i in range(n):
            others = np.delete(np.arange(n), i)
            k = int(S[others].sum())
            if k <= kmax:
                want[i, k] += np.prod(np.where(S, q, 1 - q))          # i's own event sums out
    got = er.leave_one_out_counts(q, kmax)
    assert got.shape == (n, kmax + 1)
    assert np.allclose(got, want, rtol=0, atol=1e-14)


@given(populations(max_n=6), st.floats(1, 50))
def test_uncles_zero_is_winner_takes_all(pop, reward):
    p = np.linspace(0.1, 1.0, len(pop))
    a = games.UncleRewards(reward, 0.3, 0, pop).entry_values(p)
    b = games.WinnerTakesAll(reward, pop).entry_values(p)
    assert np.allclose(a, b, rtol=1e-9, atol=1e-12)


@given(populations(max_n=6), st.floats(1, 50))
def test_zero_minimum_time_is_winner_takes_all(pop, reward):
    p = np.linspace(0.1, 1.0, len(pop))
    a = games.MinimumProvingTime(reward, 0.0, pop).entry_values(p)
    b = games.WinnerTakesAll(reward, pop).entry_values(p)
    assert np.allclose(a, b, rtol=1e-9, atol=1e-12)


@given(populations(min_n=2, max_n=6, reliability=False), st.floats(0.2, 3), st.floats(1.01, 50))
def test_speed_beyond_tmin_is_worthless_deterministic(pop, t_min, boost):
    g = games.MinimumProvingTime(10.0, t_min, pop, proving_time="deterministic")
    fast = np.flatnonzero(1 / pop.rate <= t_min)
    faster = pop.replace(rate=np.where(1 / pop.rate <= t_min, pop.rate * boost, pop.rate))
    h = games.MinimumProvingTime(10.0, t_min, faster, proving_time="deterministic")
    prof = np.ones(len(pop))
    assert np.allclose(g.entry_values(prof)[fast], h.entry_values(prof)[fast], atol=1e-12)


@given(populations(max_n=7), st.floats(1, 50), st.floats(0, 1), st.integers(0, 4))
def test_budget_balance_and_win_probabilities(pop, reward, share, uncles):
    p = np.linspace(0.3, 1.0, len(pop))
    g = games.UncleRewards(reward, share, uncles, pop)
    s = g.stats(p)
    assert np.isclose(s.reward.sum(), s.user_payment)
    assert s.user_payment <= reward * (1 + share * uncles) + 1e-9
    w = games.WinnerTakesAll(reward, pop).stats(p)
    assert np.isclose(w.user_payment, reward * w.eventual_liveness, rtol=1e-9)


@given(populations(max_n=7), st.floats(0.05, 3))
def test_minimum_time_flattens_shares(pop, t_min):
    """Among provers that surely finish by t_min, shares are equal: speed no longer concentrates."""
    same = pop.replace(reliability=1.0)
    g = games.MinimumProvingTime(10.0, t_min, same, proving_time="deterministic")
    v = g.entry_values(np.ones(len(pop)))
    in_tie = 1 / same.rate <= t_min
    if in_tie.any():
        assert np.allclose(v[in_tie], 10.0 / in_tie.sum())
        assert np.all(v[~in_tie] == 0)


def test_sequencer_asks_cheapest_prefix_and_pay_first_hurts_the_second():
    pop = pg.Population.from_arrays(cost=[0.5, 0.6, 0.7, 3.0], rate=[2.0, 1.0, 0.5, 5.0], reliability=0.9)
    first = games.SequencerChosen(2.0, 1.0, 0.93, pop, pay="first")
    every = games.SequencerChosen(2.0, 1.0, 0.93, pop, pay="all")
    assert first.asked.tolist() == [True, True, True, False] and first.k == 3
    assert 1 - np.prod(1 - first.delivery_chance[:3]) >= 0.93 > 1 - np.prod(1 - first.delivery_chance[:2])
    prof = first.asked.astype(float)
    assert np.all(first.entry_values(prof) <= every.entry_values(prof) + 1e-12)
    assert first.entry_values(prof)[1] < every.entry_values(prof)[1]
    assert every.min_bond() == 2.0 * 3 and first.min_bond() == 2.0


def test_out_of_protocol_payment_needs_a_bond():
    pop = pg.Population.identical(3, cost=0.1, rate=2.0)
    no_bond = games.SequencerChosen(1.0, 1.0, 0.99, pop, pay="all", payment="out_of_protocol", bond=0.0)
    bonded = games.SequencerChosen(1.0, 1.0, 0.99, pop, pay="all", payment="out_of_protocol", bond=3.0)
    trusted = games.SequencerChosen(1.0, 1.0, 0.99, pop, pay="all")
    prof = np.ones(3)
    assert np.all(no_bond.entry_values(prof) == 0)
    assert np.allclose(bonded.entry_values(prof), trusted.entry_values(prof))
    partial = games.SequencerChosen(1.0, 1.0, 0.99, pop, pay="all", payment="out_of_protocol", bond=2.0)
    assert np.all(partial.entry_values(prof) < trusted.entry_values(prof))


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 12), st.integers(1, 400), st.integers(0, 10_000), st.booleans())
def test_sparse_race_outcomes_are_the_race_written_out(n, rounds, seed, unreliable):
    """WinnerTakesAll at a pure profile returns its outcomes sparse (prizes as events, entry costs and
    attempts standing); densified, they are the race written out from the same draws: every entrant
    pays its cost and attempts every round, the first valid proof takes the reward."""
    rng = np.random.default_rng(seed)
    reliability = rng.uniform(0.5, 1.0, n) if unreliable else np.ones(n)
    pop = pg.Population.from_arrays(cost=rng.uniform(0.1, 1, n), rate=rng.lognormal(0, .5, n), reliability=reliability)
    game = pg.games.WinnerTakesAll(5.0, pop)
    p = (rng.random(n) < 0.7).astype(float)
    out = game.play(p, np.random.default_rng(seed), rounds)
    draws = np.random.default_rng(seed)
    valid = draws.random((rounds, n)) < reliability if unreliable else np.ones((rounds, n), bool)
    times = np.where((p == 1) & valid, draws.standard_exponential((rounds, n)) / pop.rate, np.inf)
    winner = np.argmin(times, axis=1)
    accepted = np.isfinite(times.min(axis=1))
    reward = np.zeros((rounds, n))
    reward[np.flatnonzero(accepted), winner[accepted]] = 5.0
    dense = out.dense()
    np.testing.assert_array_equal(dense.reward, reward)
    np.testing.assert_array_equal(dense.cost, np.broadcast_to(p * pop.cost, (rounds, n)))
    np.testing.assert_array_equal(dense.attempted, np.broadcast_to(p == 1, (rounds, n)))
    np.testing.assert_array_equal(out.accepted, accepted)
    np.testing.assert_array_equal(out.user_payment, reward.sum(axis=1))
    np.testing.assert_array_equal(out.proof_time, np.where(accepted, times.min(axis=1), np.inf))


def test_finish_positions_are_computed_row_by_row_bit_for_bit():
    """finish_position keeps rows between calls; that is sound only if a row's value does not depend
    on the batch it came in: the same rows alone, in a shuffled batch and again (kept) are identical."""
    rng = np.random.default_rng(11)
    rates = rng.uniform(0.3, 4.0, 9)
    presence = (rng.random((60, 9)) < 0.6) * rng.uniform(0.7, 1.0, 9)
    fresh = er._finish_position(presence, rates, 3)
    alone = np.stack([er._finish_position(row[None, :], rates, 3)[0] for row in presence])
    order = rng.permutation(60)
    shuffled = er._finish_position(presence[order], rates, 3)[np.argsort(order)]
    kept = er.finish_position(presence[:40], rates, 3), er.finish_position(presence, rates, 3)
    assert np.array_equal(fresh, alone) and np.array_equal(fresh, shuffled)
    assert np.array_equal(kept[1], fresh) and np.array_equal(kept[0], fresh[:40]) and not kept[1].flags.writeable


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 7), rows=st.integers(1, 20), certain=st.booleans())
def test_pure_profiles_race_as_brute_force(seed, n, rows, certain):
    """first_finish_pure (kept logarithms, two matrix products) on pure entry profiles, one row or many,
    against an exact enumeration: i is reached iff every present prover drawn before it (Plackett-Luce
    order by rate) failed; presence 1 or in (0.3, 1)."""
    rng = np.random.default_rng(seed)
    rates, top = rng.lognormal(0.0, 1.5, n), np.ones(n) if certain else rng.uniform(0.3, 1.0, n)
    on = rng.random((rows, n)) < 0.6
    want = np.zeros((rows, n))
    for order in itertools.permutations(range(n)):
        chance = np.prod([rates[j] / rates[list(order[k:])].sum() for k, j in enumerate(order)])
        for k, i in enumerate(order):           # i reached: the present provers before it all failed
            before = list(order[:k])
            want[:, i] += chance * np.prod(np.where(on[:, before], 1.0 - top[before], 1.0), axis=1)
    got = er.first_finish_pure(on, top, rates)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(er.first_finish_pure(on[0], top, rates), got[0], rtol=1e-13)
    scale = rng.normal(size=n)
    np.testing.assert_array_equal(er.pure_race(top, rates)(on) * scale, got * scale)         # float for float


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 40), min_stake=st.sampled_from([0.0, 20.0]))
def test_sequential_entry_takes_the_same_path_with_the_kept_race_terms(seed, n, min_stake):
    """StakeVRF's pure_entry_values (the race's terms looked up once) gives entry_values' floats, so
    sequential entry from the empty profile ends at the same profile with or without it; where a prover's
    stake is below the minimum (weight 0) the game hands back None and entry_values is used."""
    from provergame.solvers.entry import sequential_entry
    rng = np.random.default_rng(seed)
    pop = pg.Population.from_arrays(cost=rng.uniform(0.0, 0.01, n), stake=rng.lognormal(3, 1, n),
                                    reliability=rng.uniform(0.8, 1.0, n))
    game = pg.games.StakeVRF(0.0161, pop, min_stake=min_stake)
    pure = game.pure_entry_values()
    assert (pure is None) == bool(np.any(pop.stake < min_stake))
    profiles = (rng.random((5, n)) < 0.5).astype(float)
    if pure is not None:
        np.testing.assert_array_equal(pure(profiles == 1.0), game.entry_values(profiles))
    fast = sequential_entry(game, np.zeros((1, n), dtype=bool))
    game.__dict__["pure_entry_values"] = lambda: None
    slow = sequential_entry(game, np.zeros((1, n), dtype=bool))
    np.testing.assert_array_equal(fast, slow)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 60), hint=st.sampled_from(["last game", "shuffled", "none"]),
       ties=st.booleans())
def test_sequential_entry_from_a_candidate_path_is_the_path_from_empty(seed, n, hint, ties):
    """An entry game solved after another (a timeline's next arrival: one prover more, or one fewer, the
    rest as they were) checks the last game's path in batches and goes on one profile at a time from the
    first step it is not the clear decision: the same flips, in the same order, and the same equilibrium,
    float for float, as sequential entry from the empty profile one profile at a time; a shuffled path, or
    none, changes nothing either. With ties (costs and stakes from two values each: provers with equal
    gains, where the first in order moves) a step whose two largest gains tie is not clear: the loop decides
    it."""
    from provergame.solvers import entry
    rng = np.random.default_rng(seed)
    cost, stake = rng.uniform(0.0, 0.004, n + 1), rng.lognormal(3, 1, n + 1)
    if ties:
        cost, stake = rng.choice([0.001, 0.002], n + 1), rng.choice([10.0, 20.0], n + 1)
    names = [f"p{i}" for i in range(n + 1)]
    for keep in (np.arange(n), np.arange(n + 1), np.delete(np.arange(n + 1), rng.integers(n + 1))):
        pop = pg.Population.from_arrays(cost=cost[keep], stake=stake[keep], reliability=0.99,
                                        names=[names[i] for i in keep])
        game = pg.games.StakeVRF(0.0161, pop)
        pure, c = game.pure_entry_values(), game.entry_cost()
        plain_flips: list[int] = []
        plain = entry._one_pure_path(pure, c, np.zeros((1, len(keep)), bool), np.zeros((1, len(keep))),
                                     float(c.max()), 20 * len(keep) + 20, plain_flips)
        if hint == "shuffled":
            entry._LAST_PATH["StakeVRF"] = tuple(rng.permutation(names))
        elif hint == "none":
            entry._LAST_PATH.pop("StakeVRF", None)
        got = entry.sequential_entry(game, np.zeros((1, len(keep)), dtype=bool))
        np.testing.assert_array_equal(got, plain)
        assert entry._LAST_PATH["StakeVRF"] == tuple(pop.names[i] for i in plain_flips)
