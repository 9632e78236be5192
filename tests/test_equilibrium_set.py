"""Equilibrium sets (issue 25, item 1): every pure equilibrium, checked against brute force, and the
headline metrics over the set (selected, worst, best)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import provergame as pg
from provergame.games.registry import game_class, parameter_specs, registered
from provergame.params import Choice
from provergame.scenario import default_scenario_path, load_scenario
from provergame.solvers.entry import pure_equilibria

from brute_force import pure_entry_equilibria
from strategies import populations

SUBSTITUTES = sorted(k for k, cls in registered().items() if cls.traits.entry_substitutes)


def _game(kind, pop, data):
    """A game of `kind` on `pop` with each Choice field drawn from its options."""
    cls = game_class(kind)
    game = cls.example(len(pop))
    changes = {cls.traits.players_field: pop}
    for name, (spec, _) in parameter_specs(cls).items():
        if isinstance(spec, Choice):
            changes[name] = data.draw(st.sampled_from(spec.options), label=name)
    try:
        return dataclasses.replace(game, **changes)
    except pg.InvalidParameter:
        assume(False)


def test_every_entry_game_with_entry_values_declares_whether_it_has_substitutes():
    """The races, the bounty queue and the lottery are substitutes; the VRF and turn designs are not (a
    failed assignee's unit is re-drawn among the others, so a rival's entry can raise one's value), and
    neither is the sidecar: test_declared_substitutes_hold found counterexamples for each."""
    assert set(SUBSTITUTES) == {"winner_takes_all", "uncle_rewards", "minimum_proving_time", "sequencer_chosen",
                                "aztec_multi_proof", "lottery_reward"}


@pytest.mark.parametrize("kind", SUBSTITUTES)
@settings(max_examples=25, deadline=None)
@given(pop=populations(min_n=2, max_n=7), data=st.data())
def test_declared_substitutes_hold(kind, pop, data):
    """V_i never rises when another prover enters, over generated games, options and profiles."""
    game = _game(kind, pop, data)
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1), label="seed"))
    base = (rng.random((64, game.n)) < 0.5).astype(float)
    mixed = rng.random((64, game.n))
    for profile in (base, mixed):
        j = rng.integers(0, game.n, len(profile))
        more = profile.copy()
        more[np.arange(len(profile)), j] = 1.0
        before, after = game.entry_values(profile), game.entry_values(more)
        others = np.ones_like(before, dtype=bool)
        others[np.arange(len(profile)), j] = False
        scale = max(1.0, float(np.abs(before).max()))
        assert np.all((after - before)[others] <= 1e-9 * scale)


@pytest.mark.parametrize("kind", SUBSTITUTES)
@settings(max_examples=15, deadline=None)
@given(pop=populations(min_n=1, max_n=6), data=st.data())
def test_branch_and_bound_finds_exactly_the_brute_force_equilibria(kind, pop, data):
    game = _game(kind, pop, data)
    scale = data.draw(st.floats(0.05, 20), label="budget scale")
    field = game.traits.budget_field
    if field is not None:
        try:
            game = dataclasses.replace(game, **{field: getattr(game, field) * scale})
        except pg.InvalidParameter:
            assume(False)
    found = pure_equilibria(game)
    truth = pure_entry_equilibria(game)
    key = lambda rows: sorted(map(tuple, rows.astype(int).tolist()))    # noqa: E731
    assert key(found) == key(truth)


def test_uncle_rewards_has_the_five_equilibria_an_independent_enumeration_found():
    """Issue 25's designer check: UncleRewards at reward 3.08, share 0.5 on the default provers has 5 pure
    equilibria with HHI 0.2113, 0.1795, 0.2116, 0.2056, 0.2092; only the selected one meets HHI <= 0.2."""
    pop = load_scenario(default_scenario_path()).population()
    s = pg.equilibrium_set(pg.games.UncleRewards(3.08, 0.5, 2, pop))
    assert s.complete and len(s) == 5
    assert sorted(np.round(s.metrics()["hhi"], 4)) == [0.1795, 0.2056, 0.2092, 0.2113, 0.2116]
    r = s.ranges().set_index("metric")
    assert r.loc["hhi", "selected"] == pytest.approx(0.1795, abs=5e-5)
    assert r.loc["hhi", "worst"] == pytest.approx(0.2116, abs=5e-5)
    assert r.loc["hhi", "best"] == pytest.approx(0.1795, abs=5e-5)
    assert len(pure_entry_equilibria(s.game)) == 5


@settings(max_examples=20, deadline=None)
@given(pop=populations(min_n=2, max_n=6), reward=st.floats(0.5, 20))
def test_ranges_bracket_the_selected_value_and_every_member_is_certified(pop, reward):
    s = pg.equilibrium_set(pg.games.WinnerTakesAll(reward, pop))
    for eq in s.equilibria:
        assert eq.regret <= 1e-8 * max(1.0, reward)
    for _, row in s.ranges().iterrows():
        lo, hi = sorted((row["worst"], row["best"]))
        assert lo - 1e-12 <= row["selected"] <= hi + 1e-12
        assert row["equilibria"] == len(s)
    assert 1 <= s.outcomes() <= len(s)


def test_identical_provers_set_counts_every_way_to_choose_the_entrants():
    """Four identical provers, reward 10, cost 3: any 3 enter (C(4,3) = 4 pure) plus the symmetric mixture."""
    s = pg.equilibrium_set(pg.games.WinnerTakesAll(10.0, pg.Population.identical(4, cost=3.0)))
    pure = [eq for eq in s.equilibria if np.all(np.isin(eq.profile, (0.0, 1.0)))]
    assert len(pure) == 4 and all(eq.profile.sum() == 3 for eq in pure)
    assert s.outcomes() == 5                      # different provers sit out: different payoffs, different outcomes
    assert s.ranges().set_index("metric").loc["hhi", "best"] < s.ranges().set_index("metric").loc["hhi", "worst"]


def test_continuous_games_say_the_set_was_not_searched():
    s = pg.equilibrium_set(pg.games.SpeedRace.example(4))
    assert not s.complete and len(s) == 1 and "not searched" in s.how


def test_unknown_selection_is_refused():
    pop = pg.Population.from_arrays(cost=[1.0, 1.2])
    with pytest.raises(pg.InvalidParameter, match="selection"):
        pg.design(lambda reward: pg.games.WinnerTakesAll(reward, pop), {"reward": (1.0, 5.0)}, selection="median")


def test_minimum_proving_time_at_equal_budget_has_the_equilibria_the_issue_found():
    """Issue 25: at the equal budget (reward 5, t_min 0.5, default provers) minimum proving time has 4
    pure equilibria with HHI 0.2541 to 0.2724, against WinnerTakesAll's 0.2555; by brute force over the
    2^12 profiles (every profile against each prover's flip), HHI from the reward shares."""
    pop = load_scenario(default_scenario_path()).population()
    game = pg.games.MinimumProvingTime(5.0, 0.5, pop)
    hhis = []
    for p in pure_entry_equilibria(game):
        reward = game.stats(p).reward
        hhis.append(float(np.sum((reward / reward.sum()) ** 2)))
    assert len(hhis) == 4
    assert round(min(hhis), 4) == 0.2541 and round(max(hhis), 4) == 0.2724
    r = pg.equilibrium_set(game).ranges().set_index("metric")
    assert r.loc["hhi", "worst"] == pytest.approx(max(hhis)) and r.loc["hhi", "best"] == pytest.approx(min(hhis))
