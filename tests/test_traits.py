"""The game contract (issue 24): one typed traits record per kind, checked at registration; kinds
split where the strategy space changes, older scenario kinds routed to them; one population slicer
that keeps every column, in residual games and in the timeline."""
from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import provergame as pg
from provergame.games import GameTraits, register, registered
from provergame.games.traits import StallForm, StrategyKind, TimingFamily, WhenChoice
from provergame.games.vrf import StakeVRF
from provergame.timeline import Economy, Environment, timeline

ROOT = Path(__file__).resolve().parent.parent
LEGACY_FLAGS = {"strategy", "strategy_label", "proving", "elected_by_protocol", "priced", "stall_form", "max_provers",
                "players_field", "identity_weighted", "sybil_reason", "exchangeable", "coalition_budget",
                "budget_field", "seat_fields", "timing", "limitations", "payoffs_use_provers", "proof_family",
                "design_fields"}


@pytest.mark.parametrize("kind", sorted(registered()))
def test_every_kind_declares_one_typed_traits_record(kind):
    cls = registered()[kind]
    t = cls.traits
    assert isinstance(t, GameTraits)
    assert isinstance(t.timing, TimingFamily) and isinstance(t.strategy, StrategyKind)
    assert isinstance(t.stall_form, StallForm) or all(isinstance(f, StallForm) for _, f in t.stall_form.values)
    for name in LEGACY_FLAGS:                        # no loose flag beside the record
        assert name not in vars(cls) or name in {f for f in cls.__dataclass_fields__}, (kind, name)


def test_no_loose_flags_properties_or_type_ignores_in_games():
    """Game classes in games/ declare no legacy flag as a class attribute or property (Game itself reads
    identity_weighted off the traits), and no line in games/ silences the type checker."""
    offenders = []
    for path in sorted((ROOT / "games").glob("*.py")):
        text = path.read_text()
        if "type: ignore" in text:
            offenders.append(f"{path.name}: type: ignore")
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) \
                        and item.target.id in LEGACY_FLAGS and "ClassVar" in ast.unparse(item.annotation):
                    offenders.append(f"{path.name}:{node.name}.{item.target.id}")
                if isinstance(item, ast.FunctionDef) and item.name in LEGACY_FLAGS and node.name != "Game":
                    offenders.append(f"{path.name}:{node.name}.{item.name}()")
    assert offenders == []


def test_no_capability_probes_on_games_outside_the_registry():
    """Capabilities are typed protocols (isinstance), never hasattr/getattr on a game."""
    offenders = []
    for folder in ("provergame", "solvers", "provergame/analyses"):
        for path in sorted((ROOT / folder).glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("hasattr", "getattr") \
                        and node.args and ast.unparse(node.args[0]) in ("game", "g", "probe", "now", "self.game"):
                    if len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                        offenders.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    assert offenders == []


def _refused(match: str, **changes):
    with pytest.raises(TypeError, match=match):
        @register("broken_vrf")
        @dataclass(frozen=True)
        class Broken(StakeVRF):
            traits: ClassVar[GameTraits] = replace(StakeVRF.traits, **changes)
    assert "broken_vrf" not in registered()


def test_registration_checks_the_traits_against_the_fields():
    _refused("limitations", limitations="")
    _refused("limitations", limitations="no full stop at the end")
    _refused("budget_field", budget_field="provers")              # not a real parameter
    _refused("budget_field", budget_field="nonexistent")
    _refused("seat_fields", seat_fields=("reward",))               # not an integer parameter
    _refused("players_field", players_field="bidders")
    _refused("identity_weighted", identity_weighted=WhenChoice("reward", "x"))
    _refused("max_provers", max_provers=1)
    _refused("design_fields", design_fields=(("failover", 0.0, 1.0),))            # not a real parameter
    _refused("design_fields", design_fields=(("reward", 0.0, 1.0),))              # the budget itself
    _refused("design_fields", design_fields=(("failover_deadline", 0.0, 1.0),))   # its open lower end
    _refused("design_fields", design_fields=(("slash", 2.0, 1.0),))               # an empty range
    with pytest.raises(TypeError, match="timing"):
        GameTraits(limitations="x" * 30 + ".", timing="sometimes")   # type: ignore[arg-type]


def test_identity_weighting_follows_the_declared_choice():
    pop = pg.games.example_provers(5)
    assert pg.games.TaikoPool(3.0, pop, pool_size=3, selection="uniform").identity_weighted
    assert not pg.games.TaikoPool(3.0, pop, pool_size=3, selection="stake").identity_weighted
    assert pg.games.ProofTreeVRF(4, 1.0, 1.0, pop, weighting="uniform").identity_weighted
    assert not pg.games.ProofTreeVRF(4, 1.0, 1.0, pop, weighting="stake").identity_weighted
    assert pg.games.IdentityVRF(3.0, pop).identity_weighted and not pg.games.StakeVRF(3.0, pop).identity_weighted


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 8), st.integers(0, 10_000), st.floats(0.5, 20.0), st.floats(0.0, 2.0))
def test_older_scenario_kinds_build_the_split_kinds(n, seed, reward, slash):
    """A scenario's `stake_vrf` with weighting "identity" and `turn_based` with a rule build the new
    kinds, with payoffs equal to the bit at random profiles (the rules are shared, not copied)."""
    pop = pg.games.example_provers(n, seed)
    rng = np.random.default_rng(seed)
    cases = [("stake_vrf", {"weighting": "identity", "min_stake": 0.5}, pg.games.IdentityVRF),
             ("stake_vrf", {"weighting": "stake"}, pg.games.StakeVRF),
             ("stake_vrf", {"choose": "stake", "stake_cost": 0.05}, pg.games.StakeContest),
             ("turn_based", {}, pg.games.StakeTurns),
             ("turn_based", {"rule": "turn_auction", "cost_noise": 0.3}, pg.games.TurnAuction)]
    for kind, extra, cls in cases:
        params = {"reward": reward, **extra}
        if cls in (pg.games.StakeVRF, pg.games.IdentityVRF, pg.games.StakeContest):
            params["slash"] = slash
        game = pg.games.build(kind, params, pop)
        assert type(game) is cls
        lo, hi = game.strategy_bounds()
        profile = lo + (hi - lo) * rng.random(n)
        direct = cls(provers=pop, **{k: v for k, v in params.items() if k not in ("weighting", "choose", "rule")})
        np.testing.assert_array_equal(game.expected_payoffs(profile), direct.expected_payoffs(profile))


def test_a_scenario_naming_an_old_kind_loads(tmp_path):
    scenario = tmp_path / "old.toml"
    scenario.write_text('name = "old"\n[provers]\nn = 4\ncost = 1.0\nstake = 2.0\n'
                        '[[mechanism]]\nkind = "turn_based"\nlabel = "auction"\nreward = 3.0\nrule = "turn_auction"\n'
                        '[[mechanism]]\nkind = "stake_vrf"\nlabel = "ids"\nreward = 3.0\nweighting = "identity"\n')
    from provergame.scenario import load_scenario
    games = dict(load_scenario(scenario).games())
    assert type(games["auction"]) is pg.games.TurnAuction and type(games["ids"]) is pg.games.IdentityVRF


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.data())
def test_take_keeps_every_column_and_name(n, data):
    pop = pg.games.example_provers(n, data.draw(st.integers(0, 999)))
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        with pytest.raises(pg.InvalidParameter):
            pop.take(mask)
        return
    for sub in (pop.take(mask), pop.take(idx)):
        for col in pg.Population.COLUMNS:
            np.testing.assert_array_equal(getattr(sub, col), getattr(pop, col)[idx])
        assert sub.names == tuple(pop.names[i] for i in idx)
    with pytest.raises(pg.InvalidParameter, match="index"):
        pop.take([n])


def test_residual_games_keep_capacities():
    """game.without keeps every column: a market's residual supply is the capacities left."""
    pop = pg.Population.from_arrays(cost=[1.0, 1.2, 0.8, 1.5], capacity=[2.0, 3.5, 4.0, 5.1], names=list("abcd"))
    game = pg.games.Snarketplace(demand=3.0, reserve_price=3.0, provers=pop)
    rest = game.without(np.array([False, True, False, False]))
    np.testing.assert_array_equal(rest.provers.capacity, [2.0, 4.0, 5.1])
    assert rest.provers.names == ("a", "c", "d")


def test_the_timeline_carries_every_population_column():
    """Every epoch game sees the provers' own capacities, stakes and names (a Snarketplace epoch with
    capacities 2.5-5 supplies their sum, not one unit each): recorded through the factory."""
    cap = np.array([2.5, 3.0, 4.1, 5.0])
    pop = pg.Population.from_arrays(cost=[0.1, 0.12, 0.15, 0.2], stake=[1.0, 2.0, 3.0, 4.0], capacity=cap,
                                    names=["ann", "bo", "cy", "di"])
    seen = []

    def market(p):
        seen.append(p)
        return pg.games.Snarketplace(demand=20.0, reserve_price=3.0, provers=p)

    timeline(market, pop, Environment.steady(3, gas=0.0, demand=1), seeds=[0],
             economy=Economy(gas_per_submission=0.0, bond=0.0, fallback="prune"))
    assert seen
    for p in seen:
        idx = [pop.names.index(name) for name in p.names]
        np.testing.assert_array_equal(p.capacity, cap[idx])
        np.testing.assert_array_equal(p.stake, pop.stake[idx])
    assert any(np.isclose(p.capacity.sum(), cap.sum()) for p in seen)


def test_no_submodule_shadows_a_public_name():
    """Importing every submodule leaves each name of provergame.__all__ what it was (the quickstart's
    `pg.report(...)` after `pg.analyse(...)` once found the report module instead of the function)."""
    import importlib
    import pkgutil

    before = {name: getattr(pg, name) for name in pg.__all__}
    for info in pkgutil.walk_packages(pg.__path__, "provergame."):
        importlib.import_module(info.name)
    for pkg in (pg.games, pg.solvers, pg.proofs):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            importlib.import_module(info.name)
    changed = [name for name in pg.__all__ if getattr(pg, name) is not before[name]]
    assert changed == []
    assert callable(pg.report) and not isinstance(pg.report, type(pg))


def test_one_meaning_per_metric_name():
    """pg.metrics returns the typed record whose every field is a registered metric of source "metrics";
    targets read their direction from the same registry; "liveness" is on time everywhere and the
    eventual one has its own name (Stats, Rollout, metrics)."""
    from provergame.solvers.metrics import METRICS, Metrics
    from provergame.targets import TARGETS
    game = pg.games.WinnerTakesAll.example(5)
    eq = pg.solve(game)
    m = pg.metrics(game, eq.profile, window=0.2)
    assert isinstance(m, Metrics) and list(m) == list(Metrics.__dataclass_fields__)
    assert all(METRICS[k].source == "metrics" for k in m)
    assert m["liveness"] == m.liveness == pytest.approx(game.on_time(eq.profile, 0.2), abs=0)
    assert m.eventual_liveness == game.stats(eq.profile).eventual_liveness
    assert m.liveness < m.eventual_liveness          # a short window: some proofs land late
    for name, (direction, meaning) in TARGETS.items():
        assert direction == (">=" if METRICS[name].better == "higher" else "<=") and meaning == METRICS[name].meaning
    roll = pg.simulate(game, eq.profile, rounds=2_000, seed=1, window=0.2)
    assert set(roll.metrics) == set(m) and not hasattr(roll, "liveness")


def test_decision_goals_are_registered_and_scored_from_the_registry():
    from provergame.decision import GOALS
    from provergame.robustness import score_function
    assert list(GOALS) == ["cheapest", "decentralised", "attack", "cartels"]
    game = pg.games.WinnerTakesAll.example(4)
    eq = pg.solve(game)
    hhi = score_function("decentralised", pg.Timing())(game)
    assert hhi == pytest.approx(pg.metrics(game, eq.profile)["hhi"])
    with pytest.raises(ValueError, match="goal"):
        score_function("fastest", pg.Timing())


def test_one_recipe_serves_every_factory_shape():
    """A Recipe (kind + parameters [+ provers]) pickles and builds the same game whether called with a
    population, with overrides, or with both; scenario specs, sweeps and verdict checks hand it out."""
    import pickle

    pop = pg.games.example_provers(5)
    recipe = pg.games.Recipe("uncle_rewards", {"reward": 4.0, "uncle_share": 0.25, "uncles": 1}, pop, "u")
    again = pickle.loads(pickle.dumps(recipe))
    direct = pg.games.UncleRewards(4.0, 0.25, 1, pop)
    assert again() == recipe(pop) == recipe(provers=pop) == direct
    assert recipe(uncles=2) == pg.games.UncleRewards(4.0, 0.25, 2, pop) == recipe.but(uncles=2)()
    with pytest.raises(pg.InvalidParameter, match="uncle_share"):
        recipe(uncle_share=2.0)


def test_the_window_is_checked_in_one_place_and_travels_as_a_timing():
    """Every public function taking a window accepts the scenario's Timing or a number, checked by
    timing.window_of alone (same error everywhere), and gives the same numbers either way."""
    from provergame.timing import window_of
    game = pg.games.WinnerTakesAll.example(4)
    eq = pg.solve(game)
    t = pg.Timing(window=0.3, slot_seconds=60)
    assert window_of(t) == 0.3 and window_of(0.3) == 0.3
    assert pg.metrics(game, eq.profile, window=t) == pg.metrics(game, eq.profile, window=0.3)
    assert pg.bribe_threshold(game, window=t).total == pg.bribe_threshold(game, window=0.3).total
    assert pg.simulate(game, eq.profile, rounds=500, window=t).on_time == \
        pg.simulate(game, eq.profile, rounds=500, window=0.3).on_time
    for call in (lambda: pg.metrics(game, eq.profile, window=0.0), lambda: pg.simulate(game, eq.profile, window=-1),
                 lambda: pg.bribe_threshold(game, window=float("nan"))):
        with pytest.raises(pg.InvalidParameter, match=r"invalid window="):
            call()
