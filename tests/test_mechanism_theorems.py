"""The theorems added for what the verdicts rank on (issue 26, item 3), each checked against an
independent computation: the rules played by the simulator, a sort, a Monte Carlo, or the numeric face
at generated parameters; never against the symbolic expression the theorem is built from."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import provergame as pg
from provergame.games import Sidecar, TurnAuction, UncleRewards
from provergame.proofs.coverage import BACKS

real = lambda lo, hi: st.floats(lo, hi, allow_nan=False, allow_infinity=False)     # noqa: E731


def _counted(kind: str) -> set[str]:
    from provergame.proofs.table import prove_all
    table = prove_all(pg.games.registered()[kind].example().theorems())
    return set(table.loc[table["counted"], "theorem"])


@pytest.mark.parametrize("kind, claims", [
    ("turn_auction", {"equilibrium", "stall bribe", "cartel"}),
    ("sidecar", {"equilibrium", "concentration", "on-time liveness", "sybil"}),
])
def test_the_verdict_winners_decisive_claims_are_backed_by_counted_theorems(kind, claims):
    assert claims <= {BACKS[name] for name in _counted(kind)}


def test_truthful_bidding_is_a_best_response_in_the_rules_played():
    """Prover 0 bidding its effective cost against truthful rivals earns at least as much, in the
    simulator's second-price rounds (common random numbers), as any of five markups."""
    game = TurnAuction.example(4)
    truthful = pg.simulate(game, np.zeros(4), rounds=200_000, seed=3).mean_payoffs[0]
    for markup in (0.05, 0.2, 0.5, 1.0, 3.0):
        deviating = pg.simulate(game, np.r_[markup, np.zeros(3)], rounds=200_000, seed=3).mean_payoffs[0]
        assert deviating <= truthful + 1e-9


def test_a_cover_bid_raises_the_price_as_sorting_the_bids_says():
    """The price rule is the second-lowest bid capped at R (numpy sort), and the runner-up bidding the
    cap strictly raises the winner's margin whenever x_1 < x_2 < x_3 and x_2 < R."""
    rng = np.random.default_rng(26)
    bids = np.sort(rng.uniform(0.1, 5.0, (20_000, 3)), axis=1)
    cap, rho, cost = 4.0, 0.9, 0.5
    honest = np.minimum(bids[:, 1], cap)
    covered = np.minimum(np.sort(np.c_[bids[:, 0], np.full(len(bids), cap), bids[:, 2]], axis=1)[:, 1], cap)
    binding = bids[:, 1] < cap
    gain = (rho * covered - cost) - (rho * honest - cost)
    assert np.all(gain[binding] > 0) and np.all(gain[~binding] == 0)
    game = TurnAuction.example(3)                       # the simulator's price is the same rule
    base = pg.simulate(game, np.zeros(3), rounds=100_000, seed=5).user_payment
    ring = pg.simulate(game, np.array([0.0, 3.0, 3.0]), rounds=100_000, seed=5).user_payment
    assert ring > base


def test_the_stall_payment_uses_the_log_normal_mean_of_the_cost():
    """Monte Carlo of c e^{s Z}: within 4 standard errors of c e^{s^2 / 2}, the cost in rho R - c e^{s^2/2}."""
    game = TurnAuction.example(3)
    rng = np.random.default_rng(7)
    draws = game.provers.cost[0] * np.exp(game.cost_noise * rng.standard_normal(400_000))
    solo = game.provers.reliability[0] * game.reward - draws.mean()
    assert abs(solo - game.withhold_bribes()[0]) < 4 * draws.std() / np.sqrt(draws.size)


@settings(max_examples=40, deadline=None)
@given(st.lists(real(0.3, 1.0), min_size=3, max_size=8))
def test_sidecar_reward_concentration_within_the_reliability_spread(reliability):
    """Everyone offering: the numeric face's HHI of reward shares lies in [1/n, (1/n) rho_max / rho_min]."""
    n = len(reliability)
    pop = pg.Population.from_arrays(cost=np.full(n, 0.1), reliability=reliability)
    stats = Sidecar(2.0, 0.3, 8.0, 1.0, pop).stats(np.ones(n))
    share = stats.reward / stats.reward.sum()
    hhi = float((share ** 2).sum())
    assert 1 / n - 1e-12 <= hhi <= max(reliability) / (n * min(reliability)) + 1e-12


@settings(max_examples=40, deadline=None)
@given(st.lists(real(0.3, 1.0), min_size=4, max_size=4), st.lists(real(0.2, 3.0), min_size=4, max_size=4),
       real(0.1, 3.0))
def test_a_fourth_sidecar_offerer_raises_liveness_exactly_when_above_the_average(reliability, rate, window):
    pop = pg.Population.from_arrays(cost=np.full(4, 0.1), reliability=reliability, rate=rate)
    game = Sidecar(2.0, 0.3, 8.0, 1.0, pop)
    three = game.on_time(np.array([1, 1, 1, 0.0]), window)
    four = game.on_time(np.ones(4), window)
    newcomer = reliability[3] * (1 - np.exp(-rate[3] * window))
    if abs(newcomer - three) > 1e-9:
        assert (four > three) == (newcomer > three)


@settings(max_examples=40, deadline=None)
@given(real(0.0, 0.99), st.integers(2, 6), real(1.0, 10.0))
def test_uncle_entry_payoff_falls_with_entrants_below_a_full_share(share, uncles, reward):
    """The numeric face's payoff to each of m identical entrants (m <= U + 1) falls strictly in m when
    the uncle share is below one."""
    values = [UncleRewards(reward, share, uncles, pg.Population.identical(m, 0.5)).expected_payoffs(np.ones(m))[0]
              for m in range(1, uncles + 2)]
    assert np.all(np.diff(values) < 0)


@settings(max_examples=25, deadline=None)
@given(st.lists(real(0.2, 3.0), min_size=2, max_size=6), st.lists(real(0.3, 2.5), min_size=6, max_size=6),
       real(2.0, 12.0))
def test_stalling_a_race_costs_at_least_the_entrants_equilibrium_profit(cost, rate, reward):
    """bribe_threshold's stall (residual games solved after everyone responds) against pg.solve's
    certified equilibrium payoffs: the bribe is never below their sum."""
    n = len(cost)
    pop = pg.Population.from_arrays(cost=cost, rate=rate[:n], reliability=1.0)
    game = pg.games.WinnerTakesAll(reward, pop)
    eq = pg.solve(game)
    assert pg.bribe_threshold(game).total >= eq.payoffs.sum() - 1e-9


@settings(max_examples=25, deadline=None)
@given(real(0.0, 0.9), real(0.01, 0.09), st.integers(2, 8), real(1.0, 10.0))
def test_a_larger_uncle_share_never_lowers_entry(share, more, uncles, reward):
    """Identical provers: the equilibrium entrants pg.solve finds never fall when the uncle share rises."""
    pop = pg.Population.identical(uncles + 1, 1.0)
    entrants = [pg.solve(UncleRewards(reward, s, uncles, pop)).profile.sum() for s in (share, share + more)]
    assert entrants[1] >= entrants[0] - 1e-9


@settings(max_examples=25, deadline=None)
@given(st.lists(real(0.1, 5.0), min_size=2, max_size=2, unique=True), real(6.0, 20.0))
def test_both_quoting_the_second_cost_is_an_equilibrium_on_a_quote_grid(cost, rewards):
    """The rules' numeric payoffs (lowest quote wins, ties to the cheaper prover): at q_1 = q_2 = 10^4 c_2 / R
    no quote on a 2,001-point grid over [0, 10^4] pays either prover more."""
    game = pg.games.EpochQuotes(rewards, pg.Population.from_arrays(cost=sorted(cost)))
    star = 1e4 * max(cost) / rewards
    profile = np.array([star, star])
    grid = np.linspace(0, 1e4, 2001)
    now = game.expected_payoffs(profile)
    for i in range(2):
        trial = np.repeat(profile[None, :], grid.size, axis=0)
        trial[:, i] = grid
        best = max(game.expected_payoffs(row)[i] for row in trial)
        assert best <= now[i] + 1e-9


def test_pay_first_dilutes_each_asked_provers_pay_in_the_rules_played():
    """The simulator's pay-first rounds, k = 1..4 identical asked provers all accepting: each one's mean
    reward falls with k and matches f (1 - (1 - a)^k) / k within 4 standard errors."""
    from dataclasses import replace
    base = pg.games.SequencerChosen.example()
    means = []
    for k in range(1, 5):
        pop = pg.Population.from_arrays(cost=np.full(k, 0.1), reliability=0.8, rate=1.0)
        game = replace(base, pay="first", payment="protocol", provers=pop, target=0.9999)
        assert game.asked.sum() == k
        run = pg.simulate(game, np.ones(k), rounds=200_000, seed=k)
        a = 0.8 * (1 - np.exp(-game.deadline))
        assert abs(run.mean_reward[0] - game.fee * (1 - (1 - a) ** k) / k) < 4 * run.stderr[0] + 1e-12
        means.append(run.mean_reward[0])
    assert np.all(np.diff(means) < 0)
