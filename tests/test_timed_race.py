"""A race with a deadline (WinnerTakesAll(deadline=D), the timeline's fallback phase with its timeout): a proof
landing after D is refused. Checked against the exponential race by hand and a Monte Carlo written here."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import provergame as pg
from provergame.games import WinnerTakesAll

real = lambda lo, hi: st.floats(lo, hi, allow_nan=False, allow_infinity=False)      # noqa: E731


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.data())
def test_reliable_entrants_follow_the_exponential_race_by_hand(n, data):
    """Every prover reliable and entering: the first proof lands at Exp(sum r) independently of who proves it,
    so i's payoff is R r_i / sum r (1 - e^{-D sum r}) - c_i and liveness 1 - e^{-D sum r}."""
    rate = np.array(data.draw(st.lists(real(0.1, 5.0), min_size=n, max_size=n)))
    cost = np.array(data.draw(st.lists(real(0.0, 2.0), min_size=n, max_size=n)))
    reward, deadline = data.draw(real(0.5, 20.0)), data.draw(real(0.05, 3.0))
    game = WinnerTakesAll(reward, pg.Population.from_arrays(cost=cost, rate=rate, reliability=1.0), deadline=deadline)
    total = rate.sum()
    ones = np.ones(n)
    assert np.allclose(game.expected_payoffs(ones), reward * rate / total * -np.expm1(-deadline * total) - cost,
                       rtol=1e-9, atol=1e-10)
    assert game.stats(ones).eventual_liveness == pytest.approx(-np.expm1(-deadline * total), abs=1e-12)
    for window in (deadline / 2, 2 * deadline):
        assert game.on_time(ones, window) == pytest.approx(-np.expm1(-min(window, deadline) * total), abs=1e-9)


def test_a_timed_race_matches_a_monte_carlo_of_its_rules():
    """Unreliable provers entering at mixed rates: entrants race, the first valid proof by the deadline wins;
    payoffs and liveness within 4 standard errors of the rules played here (not the game's simulator)."""
    pop = pg.Population.from_arrays(cost=[0.4, 0.6, 0.5, 0.9], rate=[1.0, 2.0, 0.5, 3.0],
                                    reliability=[0.9, 0.7, 1.0, 0.8])
    game = WinnerTakesAll(5.0, pop, deadline=0.35)
    p = np.array([1.0, 0.5, 0.8, 0.3])
    rng = np.random.default_rng(5)
    rounds = 400_000
    enter = rng.random((rounds, 4)) < p
    valid = rng.random((rounds, 4)) < pop.reliability
    t = np.where(enter & valid, rng.standard_exponential((rounds, 4)) / pop.rate, np.inf)
    first = t.min(axis=1)
    won = (t == first[:, None]) & (first[:, None] <= 0.35)
    pay = 5.0 * won - enter * pop.cost
    assert np.all(np.abs(game.expected_payoffs(p) - pay.mean(0)) <= 4 * pay.std(0) / np.sqrt(rounds))
    hit = first <= 0.35
    assert abs(game.stats(p).eventual_liveness - hit.mean()) <= 4 * hit.std() / np.sqrt(rounds)
    early = first <= 0.2
    assert abs(game.on_time(p, 0.2) - early.mean()) <= 4 * early.std() / np.sqrt(rounds)
    assert game.on_time(p, 1.0) == pytest.approx(game.stats(p).eventual_liveness, abs=1e-12)


def test_a_deadline_lowers_entry_and_its_equilibrium_is_certified_and_simulated():
    """The timed race's equilibrium is certified and pg.cross_check passes; proving alone pays
    rho (1 - e^{-r D}) R - c, what the stall bribe must pay; with no deadline the game is the untimed race."""
    game = WinnerTakesAll.example(6)
    timed = WinnerTakesAll(game.reward, game.provers, deadline=0.3)
    eq = pg.solve(timed)
    assert eq.exact and eq.regret <= 1e-9
    assert eq.profile.sum() <= pg.solve(game).profile.sum()
    check = pg.cross_check(timed, eq, pg.simulate(timed, eq.profile, rounds=200_000, seed=3, window=1.0))
    assert check.passed, check.table
    pop = timed.provers
    alone = pop.reliability * -np.expm1(-pop.rate * 0.3) * timed.reward - pop.cost
    got = timed.deviation_payoffs(np.zeros(6), np.ones((6, 1)))[:, 0]
    assert np.allclose(got, alone, atol=1e-9)
    form, values = timed.solo_form(2)
    assert float(form.subs({s: values[s.name] for s in form.free_symbols})) == pytest.approx(alone[2], abs=1e-12)
    assert np.allclose(WinnerTakesAll(game.reward, game.provers, deadline=None).expected_payoffs(np.ones(6)),
                       game.expected_payoffs(np.ones(6)), atol=0)
