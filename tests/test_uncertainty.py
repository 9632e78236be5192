"""Robustness draws beyond the provers (issue 25, item 6): a scenario's `uncertainty.window` is drawn
in every draw but the first, and the robustness bands, the designs over draws and the verdicts' survival
all read the drawn window."""
import numpy as np
import pytest

import provergame as pg
from provergame.scenario import Scenario, default_scenario_path, load_scenario
from provergame.robustness import mechanism_draws

BASE = {"name": "t", "window": 1.0, "draws": 8,
        "provers": {"n": 4, "seed": 5, "cost": [0.5, 0.8, 1.0, 1.4], "rate": [1.0, 2.0, 0.5, 1.5]},
        "mechanism": [{"kind": "winner_takes_all", "reward": 6.0}]}


def scenario(**extra) -> Scenario:
    return Scenario.model_validate({**BASE, **extra})


def test_the_window_is_drawn_in_every_draw_but_the_first_and_the_same_every_time():
    sc = scenario(uncertainty={"window": {"dist": "uniform", "low": 0.5, "high": 2.0}})
    windows = [t.window for t in sc.draw_timings()]
    assert len(windows) == len(sc.populations()) == 8          # fixed provers: the window alone makes 8 draws
    assert windows[0] == 1.0 and all(0.5 <= w <= 2.0 for w in windows[1:]) and len(set(windows)) == 8
    assert windows == [t.window for t in scenario(uncertainty={"window": {"dist": "uniform", "low": 0.5,
                                                                          "high": 2.0}}).draw_timings()]
    assert [t.window for t in scenario().draw_timings()] == [1.0]     # nothing drawn: one draw


@pytest.mark.parametrize("law", [{"dist": "uniform", "low": 0.0, "high": 1.0}, {"dist": "constant", "value": -1.0}])
def test_a_window_law_reaching_zero_is_refused_by_name(law):
    with pytest.raises(ValueError, match="uncertainty.window"):
        scenario(uncertainty={"window": law})


def test_robustness_rows_are_measured_at_their_drawn_window():
    """Each row's on-time liveness equals the race law computed here by hand at that row's window:
    1 - prod_i (1 - x_i (1 - e^{-r_i w})) over the solved entry profile x."""
    sc = scenario(uncertainty={"window": {"dist": "uniform", "low": 0.3, "high": 3.0}})
    frame = mechanism_draws(sc.specs()[0], sc.populations(), sc.draw_timings())
    assert list(frame["window"]) == [t.window for t in sc.draw_timings()]
    pop = sc.population()
    x = pg.solve(sc.specs()[0].build(pop)).profile
    for w, live in zip(frame["window"], frame["liveness"]):
        assert live == pytest.approx(1 - np.prod(1 - x * (1 - np.exp(-pop.rate * w))), abs=1e-9)
    assert frame["liveness"].nunique() == len(frame)


def test_a_design_over_draws_reads_each_draw_s_window():
    """WinnerTakesAll on fixed provers: whether on-time liveness >= 0.6 holds depends only on the window,
    so with windows 2, 2, 0.05 and share 2/3 the design is feasible and meets the target in exactly 2 draws;
    with share 1 the short window makes it infeasible."""
    pop = pg.Population.from_arrays(cost=[0.5, 0.8, 1.0], rate=[1.0, 2.0, 0.5])
    draws = [(pop, pg.Timing(window=2.0)), (pop, pg.Timing(window=2.0)), (pop, pg.Timing(window=0.05))]
    make = lambda reward, provers=pop: pg.games.WinnerTakesAll(reward, provers)      # noqa: E731
    d = pg.design(make, {"reward": (0.5, 50.0)}, subject_to={"liveness": 0.6}, draws=draws, share=2 / 3, scan=8)
    assert d.feasible and d.scores["draws meeting"] == 2
    strict = pg.design(make, {"reward": (0.5, 50.0)}, subject_to={"liveness": 0.6}, draws=draws, share=1.0, scan=8)
    assert not strict.feasible


@pytest.mark.parametrize("bad", [[1.0], [("pop", 1.0)], []])
def test_bad_design_draws_name_the_draw(bad):
    pop = pg.Population.from_arrays(cost=[0.5, 0.8])
    with pytest.raises(pg.InvalidParameter, match="draws"):
        pg.design(lambda reward, provers=pop: pg.games.WinnerTakesAll(reward, provers), {"reward": (0.5, 5.0)},
                  subject_to={"liveness": 0.5}, draws=bad)


def test_the_default_scenario_declares_its_window_draws_on_the_page():
    sc = load_scenario(default_scenario_path())
    assert sc.uncertainty is not None and sc.uncertainty.window is not None
    page = (default_scenario_path().parents[1] / "reports" / "index.md").read_text()
    assert sc.uncertainty_text() in page


def test_cost_scale_multiplies_every_cost_by_one_draw_and_moves_entry_as_by_hand():
    """Two identical provers (cost 1, rate 1, always valid) racing for 4: both enter while the drawn
    scale s <= 2 (4/2 >= s), one alone while 2 < s <= 4; on-time liveness in a window of 1 is then
    1 - e^{-2} or 1 - e^{-1}, decided by the draw's scale alone."""
    sc = scenario(provers={"n": 2, "seed": 3, "cost": 1.0, "rate": 1.0}, draws=12,
                  mechanism=[{"kind": "winner_takes_all", "reward": 4.0}],
                  uncertainty={"cost_scale": {"dist": "uniform", "low": 1.0, "high": 3.5}})
    pops = sc.populations()
    scales = [float(np.random.default_rng((seed, 2)).uniform(1.0, 3.5)) for seed, _ in pops[1:]]
    assert np.array_equal(pops[0][1].cost, [1.0, 1.0])
    for (_, pop), s in zip(pops[1:], scales):
        assert pop.cost == pytest.approx([s, s], rel=1e-15)
    frame = mechanism_draws(sc.specs()[0], pops, sc.draw_timings())
    expected = [1 - np.exp(-2.0)] + [1 - np.exp(-2.0) if s <= 2 else 1 - np.exp(-1.0) for s in scales]
    assert frame["liveness"].to_numpy() == pytest.approx(expected, abs=1e-12)
    assert {True, False} <= {s <= 2 for s in scales}          # both regimes drawn
    assert "cost scale" in sc.uncertainty_text()


def test_failure_scale_multiplies_every_failure_probability():
    """One prover, reliability 0.9, rate 1, window 1: on time (1 - 0.1 f)(1 - e^{-1}) with f the draw's scale."""
    sc = scenario(provers={"n": 1, "seed": 1, "cost": 0.1, "rate": 1.0, "reliability": 0.9}, draws=6,
                  mechanism=[{"kind": "winner_takes_all", "reward": 4.0}],
                  uncertainty={"failure_scale": {"dist": "uniform", "low": 0.0, "high": 5.0}})
    pops = sc.populations()
    f = [1.0] + [float(np.random.default_rng((seed, 3)).uniform(0.0, 5.0)) for seed, _ in pops[1:]]
    frame = mechanism_draws(sc.specs()[0], pops, sc.draw_timings())
    assert frame["liveness"].to_numpy() == pytest.approx([(1 - 0.1 * x) * (1 - np.exp(-1.0)) for x in f], abs=1e-12)


def test_failure_scale_must_be_bounded_and_keep_reliability_a_probability():
    with pytest.raises(ValueError, match="uncertainty.failure_scale must be bounded"):
        scenario(uncertainty={"failure_scale": {"dist": "lognormal", "sigma": 0.3}})
    with pytest.raises(ValueError, match="uncertainty.cost_scale must stay > 0"):
        scenario(uncertainty={"cost_scale": {"dist": "uniform", "low": 0.0, "high": 2.0}})
    sc = scenario(provers={"n": 2, "seed": 1, "cost": 0.1, "reliability": [0.5, 0.9]}, draws=4,
                  uncertainty={"failure_scale": {"dist": "uniform", "low": 2.5, "high": 3.0}})
    with pytest.raises(pg.InvalidParameter, match="uncertainty.failure_scale.*at most 2"):
        sc.populations()
