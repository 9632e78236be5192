"""Sequencer-prover collusion in race designs (issue 25, item 3): the kickback a pair can share,
checked against the hand formula of the exponential race and against the simulator playing the
colluding slot (only the partner's proof can land)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import provergame as pg


@settings(max_examples=40, deadline=None)
@given(rates=st.lists(st.floats(0.2, 5.0), min_size=2, max_size=8), reward=st.floats(5.0, 50.0),
       window=st.floats(0.1, 3.0))
def test_winner_takes_all_kickback_is_the_race_share_given_up(rates, reward, window):
    """Reliable provers with costs small enough that all enter: equilibrium payoff R r_p / sum r - c_p,
    alone R - c_p, so the pair gains R (1 - r_p / sum r); colluding, on time is 1 - e^{-r_p w}."""
    r = np.array(rates)
    pop = pg.Population.from_arrays(cost=np.full(len(r), 1e-3), rate=r)
    k = pg.sequencer_kickback(pg.games.WinnerTakesAll(reward, pop), window=window)
    assert k.gain == pytest.approx(reward * (1 - r / r.sum()), rel=1e-9, abs=1e-9)
    assert k.on_time_after == pytest.approx(-np.expm1(-r * window), rel=1e-9, abs=1e-12)
    assert k.on_time_before == pytest.approx(1 - np.exp(-r.sum() * window), rel=1e-9)
    assert set(k.partners) == set(np.flatnonzero(np.isclose(r, r.min(), rtol=0, atol=1e-12 * r.max())))
    assert k.on_time_after[k.partner] <= k.on_time_before + 1e-12            # users never gain


@pytest.mark.parametrize("make", [lambda pop: pg.games.WinnerTakesAll(8.0, pop),
                                  lambda pop: pg.games.UncleRewards(8.0, 0.3, 2, pop),
                                  lambda pop: pg.games.MinimumProvingTime(8.0, 0.4, pop)])
def test_the_colluding_slot_simulated(make):
    """The simulator plays the slot where only the partner's proof can land (the others out): the
    partner's mean payoff is its solo payoff, so the simulated gain over its equilibrium payoff is the
    kickback, and the simulated on-time share is the colluding on-time liveness."""
    pop = pg.Population.from_arrays(cost=[1.0, 1.5, 0.8, 2.0], rate=[1.0, 2.0, 0.7, 1.3],
                                    reliability=[0.95, 0.9, 1.0, 0.97])
    game = make(pop)
    eq = pg.solve(game)
    k = pg.sequencer_kickback(game, eq.profile, window=0.8)
    p = k.partner
    alone = np.zeros(game.n)
    alone[p] = 1.0
    run = pg.simulate(game, alone, rounds=200_000, seed=3, window=0.8)
    assert run.mean_payoffs[p] - eq.payoffs[p] == pytest.approx(k.kickback, abs=5 * run.stderr[p] + 1e-9)
    assert run.on_time == pytest.approx(k.on_time_after[p], abs=5 * run.on_time_stderr + 1e-9)


@pytest.mark.parametrize("game", [pg.games.StakeVRF.example(4), pg.games.SequencerChosen.example(4)])
def test_designs_where_the_sequencer_does_not_choose_among_proofs_are_refused(game):
    with pytest.raises(pg.InvalidParameter, match="race design"):
        pg.sequencer_kickback(game)


def test_analysis_reports_the_kickback_for_races_and_why_not_elsewhere():
    pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    race = pg.analyse(pg.games.WinnerTakesAll(10.0, pop), rounds=2_000)
    cell = race.summary()["sequencer-prover collusion"]
    assert "p0, p2 (a tie) can kick back 7.5 per colluding slot" in cell
    vrf = pg.analyse(pg.games.StakeVRF.example(3), rounds=2_000)
    assert vrf.summary()["sequencer-prover collusion"].startswith("not applicable: not a race")
