"""pg.design (issue 14, first part): the cheapest certified design meeting a designer's targets."""
from __future__ import annotations


import numpy as np
import pytest

import provergame as pg
from provergame.scenario import default_scenario_path, load_scenario

from brute_force import pure_entry_equilibria


@pytest.fixture(scope="module")
def provers():
    return load_scenario(default_scenario_path()).population()


def _by_hand(game, window=1.0):
    """On-time liveness (worst: lowest) and HHI (worst: highest) over every pure equilibrium, from the
    race law and reward shares."""
    lives, hhis = [], []
    for eq in pure_entry_equilibria(game):
        q = eq * game.provers.reliability
        lives.append(1 - np.prod(1 - q * (1 - np.exp(-game.provers.rate * window))))
        reward = game.stats(eq).reward
        hhis.append(float(np.sum((reward / reward.sum()) ** 2)))
    return min(lives), max(hhis)


CASES = {
    "winner_takes_all": (lambda pop: (lambda reward: pg.games.WinnerTakesAll(reward, pop)), {"reward": (0.1, 100.0)}),
    "uncle_rewards": (lambda pop: (lambda reward, uncle_share: pg.games.UncleRewards(reward, uncle_share, 2, pop)),
                      {"reward": (0.1, 100.0), "uncle_share": (0.0, 0.5)}),
    "minimum_proving_time": (lambda pop: (lambda reward, t_min: pg.games.MinimumProvingTime(reward, t_min, pop)),
                             {"reward": (0.1, 100.0), "t_min": (0.0, 1.0)}),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_cheapest_design_meets_the_targets_and_a_cheaper_one_does_not(kind, provers):
    make, params = CASES[kind]
    make_game = make(provers)
    targets = {"liveness": 0.99, "hhi": 0.2}
    d = pg.design(make_game, params, minimise="user_cost", subject_to=targets)
    assert d.feasible and d.monotone
    game = make_game(**d.params)
    assert pg.solve(game).regret <= 1e-9
    live, hhi = _by_hand(game)             # the targets hold at every equilibrium (selection "worst")
    assert live >= 0.99 and hhi <= 0.2
    cheaper = dict(d.params, reward=d.params["reward"] * (1 - 0.01))
    live_c, hhi_c = _by_hand(make_game(**cheaper))
    assert live_c < 0.99 or hhi_c > 0.2
    assert d.binding["binds"].any()
    assert len(d.trace) >= 3 and d.trace["meets"].any()


def test_design_says_when_nothing_meets_the_targets(provers):
    d = pg.design(lambda reward: pg.games.WinnerTakesAll(reward, provers), {"reward": (0.1, 100.0)},
                  subject_to={"hhi": 0.01})
    assert not d.feasible and d.game is None and len(d.trace) >= 1


def test_design_refuses_unknown_targets_and_objectives(provers):
    make = lambda reward: pg.games.WinnerTakesAll(reward, provers)    # noqa: E731
    with pytest.raises(pg.InvalidParameter, match="subject_to"):
        pg.design(make, {"reward": (0.1, 10.0)}, subject_to={"speed": 1.0})
    with pytest.raises(pg.InvalidParameter, match="minimise"):
        pg.design(make, {"reward": (0.1, 10.0)}, minimise="fun")
    with pytest.raises(pg.InvalidParameter, match="budget"):
        pg.design(make, {"uncle_share": (0.0, 1.0)})


def test_design_cli_prints_the_cheapest_design_and_refuses_bad_targets():
    from typer.testing import CliRunner

    from provergame.cli import app
    runner = CliRunner()
    res = runner.invoke(app, ["design", "--mechanism", "winner_takes_all", "--target", "liveness=0.99",
                              "--target", "hhi=0.2", "--param", "reward=0.1:100"])
    assert res.exit_code == 0, res.output
    assert "cheapest winner_takes_all: reward = " in res.output and "| hhi | <= |" in res.output
    bad = runner.invoke(app, ["design", "--mechanism", "winner_takes_all", "--target", "speed=1"])
    assert bad.exit_code == 2 and "subject_to='speed'" in bad.output
    bad = runner.invoke(app, ["design", "--mechanism", "winner_takes_all", "--param", "reward=5:1"])
    assert bad.exit_code == 2 and "lo <= hi" in bad.output


def test_equal_budget_sets_what_users_pay(provers):
    """By hand: WinnerTakesAll users pay the reward per proof; Sidecar users pay tip + share x block reward;
    a Bertrand market cannot be made to cost more than competition allows."""
    from provergame.design import at_user_cost
    wta = at_user_cost(pg.games.WinnerTakesAll(10.0, provers), 5.0)
    assert wta["value"] == pytest.approx(5.0, rel=2e-4) and wta["user_cost"] == pytest.approx(5.0, rel=2e-4)
    side = at_user_cost(pg.games.Sidecar(0.5, 0.1, 10.0, 2.0, provers), 5.0)
    assert side["budget parameter"] == "prover_tip" and side["value"] == pytest.approx(5.0 - 0.1 * 10.0, rel=2e-4)
    market = at_user_cost(pg.games.Snarketplace(demand=3.0, reserve_price=3.0, provers=provers), 50.0)
    assert "users pay at most" in market["note"]
    tree = at_user_cost(pg.games.ProofTreeVRF.example(), 5.0)
    assert "no single budget parameter" in tree["note"]


def test_design_over_population_draws_holds_in_the_required_share():
    """With draws, the cheapest reward meets both targets in at least 4 of 5 populations (counted here
    from the race law), and one percent less does not."""
    sc = load_scenario(default_scenario_path())
    pops = [pop for _, pop in sc.model_copy(update={"draws": 5}).populations()]
    make = lambda reward, provers=pops[0]: pg.games.WinnerTakesAll(reward, provers)   # noqa: E731
    targets = {"liveness": 0.99, "hhi": 0.2}
    d = pg.design(make, {"reward": (0.1, 100.0)}, subject_to=targets, draws=pops, share=0.8)
    assert d.feasible

    def held(reward):
        return sum(live >= 0.99 and hhi <= 0.2 for live, hhi in (_by_hand(make(reward, p)) for p in pops))

    assert held(d.params["reward"]) >= 4 and held(d.params["reward"] * 0.99) < 4
    assert d.scores["draws meeting"] >= 4 and d.scores["regret"] <= 1e-9


def test_stopping_the_draws_early_never_changes_whether_a_design_meets_the_targets():
    from provergame.design import _Scorer
    from provergame.timing import Timing
    sc = load_scenario(default_scenario_path())
    six = sc.model_copy(update={"draws": 6})
    draws = [(pop, t) for (_, pop), t in zip(six.populations(), six.draw_timings())]     # windows drawn too
    make = lambda reward, provers=draws[0][0]: pg.games.WinnerTakesAll(reward, provers)   # noqa: E731
    scorer = _Scorer(make, {"liveness", "hhi", "user_cost"}, Timing(), {"liveness": 0.99, "hhi": 0.2}, draws, need=5)
    for reward in np.geomspace(0.5, 50.0, 15):
        quick, full = scorer({"reward": reward}, full=False), scorer({"reward": reward}, full=True)
        assert scorer.meets(quick) == scorer.meets(full) and quick["draws evaluated"] <= full["draws evaluated"]
