"""One conformance suite run on every registered game (the games' contract, issue 11).

Every check is parametrised over `provergame.games.registered()`, so a newly registered mechanism
is checked without touching this file.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import provergame as pg
from provergame.games import Game, capabilities, registered
from provergame.games.registry import parameter_specs
from provergame.params import MAX_COUNT, Array, Instance, Int, Real

KINDS = sorted(registered())
SLOW_PLAY = {"scroll_auction", "reverse_auction", "reverse_dutch_auction"}   # numerical bid grids


def _example(kind: str, n: int | None = None) -> Game:
    return registered()[kind].example(n)


def _random_profile(game: Game, rng: np.random.Generator, shape: tuple[int, ...] = ()) -> np.ndarray:
    lo, hi = game.strategy_bounds()
    hi = np.where(np.isfinite(hi), hi, lo + 10.0)
    u = rng.random(shape + (game.n,))
    if game.finite:
        u = np.where(rng.random(shape + (game.n,)) < 0.3, np.round(u), u)
    return lo + (hi - lo) * u


@pytest.mark.parametrize("kind", KINDS)
def test_registration_declares_the_contract(kind):
    cls = registered()[kind]
    assert cls.kind == kind
    assert cls.traits.max_provers >= 2 and cls.traits.players_field in {f.name for f in dataclasses.fields(cls)}
    for name, (spec, _) in parameter_specs(cls).items():
        assert spec.describe(), name
        if isinstance(spec, Int):
            assert spec.hi <= MAX_COUNT or spec.hi <= 1_000_000, (name, "counts must be bounded")
        if isinstance(spec, Array):
            assert spec.max_len <= MAX_COUNT, name
    game = cls.example()
    assert isinstance(game, Game) and game.n >= 1
    assert set(capabilities(game)) <= set(pg.games.protocols.CAPABILITIES)


@pytest.mark.parametrize("kind", KINDS)
def test_identity_is_canonical(kind):
    a, b = _example(kind), _example(kind)
    assert a.fingerprint() == b.fingerprint() and a.identity()["kind"] == kind
    specs = parameter_specs(type(a))
    for name, (spec, _) in specs.items():
        if isinstance(spec, Real) and not spec.optional:
            value = getattr(a, name)
            other = value * 0.5 if value > spec.lower + 1e-9 else min(value + 0.5, spec.upper)
            if other == value:
                continue
            try:
                c = dataclasses.replace(a, **{name: other})
            except pg.InvalidParameter:
                continue
            assert c.fingerprint() != a.fingerprint(), name
            break


def _bad_inputs(kind: str) -> list[tuple[str, object]]:
    game = _example(kind)
    out = []
    for name, (spec, _) in parameter_specs(type(game)).items():
        for bad in spec.invalid_examples():
            out.append((name, bad))
        if isinstance(spec, Array) and spec.length:
            size = getattr(game, spec.length)
            size = len(size) if isinstance(size, pg.Population) else int(size)
            out.append((name, [1.0] * (size + 1)))
        if isinstance(spec, Instance) and spec.cls is pg.Population:
            out.append((name, [1.0, 2.0]))
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_refuses_bad_values_naming_the_field(kind):
    game = _example(kind)
    refused = 0
    for name, bad in _bad_inputs(kind):
        with pytest.raises(pg.InvalidParameter) as err:
            dataclasses.replace(game, **{name: bad})
        assert err.value.name.split("[")[0].split(".")[0] in (name, "provers"), (name, bad, str(err.value))
        assert "must be" in str(err.value)
        refused += 1
    assert refused >= 5


@pytest.mark.parametrize("kind", KINDS)
def test_size_beyond_max_provers_is_refused_naming_the_limit(kind):
    cls = registered()[kind]
    limit = cls.traits.max_provers
    with pytest.raises(pg.InvalidParameter) as err:
        cls.example(limit + 1)
    assert err.value.name in ("provers", cls.traits.players_field) and str(limit) in str(err.value)


@pytest.mark.parametrize("kind", KINDS)
def test_a_pickled_game_carries_its_parameters_not_its_caches(kind):
    """What crosses between processes: after a solve, a regret search and a simulation have filled the
    game's caches, its pickle holds only its parameters (and what validation set), and the copy equals
    the game and computes the same payoffs, equilibrium and regret."""
    import pickle

    from provergame.games.base import _derived_names
    from provergame.solvers.regret import regret
    game = _example(kind)
    profile = _random_profile(game, np.random.default_rng(2), ())
    before = game.expected_payoffs(profile)
    regret(game, profile)
    game.play(game.check_profile(profile), np.random.default_rng(0), 50)
    assert set(game.__dict__) & _derived_names(type(game))                       # caches were filled
    copy = pickle.loads(pickle.dumps(game))
    assert not set(copy.__dict__) & _derived_names(type(copy))
    assert copy.identity() == game.identity()
    np.testing.assert_array_equal(copy.expected_payoffs(profile), before)
    assert regret(copy, profile) == regret(game, profile)


@pytest.mark.parametrize("kind", KINDS)
def test_payoffs_broadcast_over_leading_axes(kind):
    game = _example(kind)
    rng = np.random.default_rng(1)
    batch = _random_profile(game, rng, (3, 2))
    pay = game.expected_payoffs(batch)
    assert pay.shape == batch.shape and np.all(np.isfinite(pay))
    for idx in np.ndindex(3, 2):
        np.testing.assert_allclose(pay[idx], game.expected_payoffs(batch[idx]), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_deviation_payoffs_equal_payoffs_at_the_substituted_profile(kind):
    game = _example(kind)
    rng = np.random.default_rng(2)
    p = _random_profile(game, rng)
    cand = _random_profile(game, rng, (4,)).T          # (n, 4) candidates per player
    dev = game.deviation_payoffs(p, cand)
    assert dev.shape == cand.shape
    for i in range(game.n):
        for k in range(cand.shape[1]):
            q = p.copy()
            q[i] = cand[i, k]
            assert math.isclose(dev[i, k], game.expected_payoffs(q)[i], rel_tol=1e-9, abs_tol=1e-12), (i, k)


@pytest.mark.parametrize("kind", KINDS)
def test_deviation_candidates_outside_the_bounds_are_refused_by_name(kind):
    """Every game's deviation search (its own fast form included) names the first bad candidate."""
    game = _example(kind)
    rng = np.random.default_rng(4)
    p = _random_profile(game, rng)
    cand = _random_profile(game, rng, (3,)).T
    lo, hi = game.strategy_bounds()
    cand[-1, 1] = hi[-1] + 1.0
    with pytest.raises(pg.InvalidParameter, match=rf"candidates\[{game.n - 1}, 1\]"):
        game.deviation_payoffs(p, cand)
    cand[-1, 1] = np.nan
    with pytest.raises(pg.InvalidParameter, match="candidates"):
        game.deviation_payoffs(p, cand)


@pytest.mark.parametrize("kind", KINDS)
def test_play_returns_the_documented_shapes(kind):
    game = _example(kind)
    p = _random_profile(game, np.random.default_rng(3))
    raw = game.play(game.check_profile(p), np.random.default_rng(0), 64)
    out = raw.dense()
    sparse, dense = raw.moments(), out.moments()      # the simulator's totals agree in either form
    for name in ("payoff", "payoff_sq", "reward", "cost", "cost_sq", "attempts", "smallest_reward"):
        np.testing.assert_allclose(getattr(sparse, name), getattr(dense, name), rtol=1e-12, atol=1e-12, err_msg=name)
    for form in (raw, out):                            # the timeline's ledger totals: the same sums
        for total, name in zip(form.totals(), ("reward", "cost", "attempts")):
            np.testing.assert_allclose(total, getattr(dense, name), rtol=1e-12, atol=1e-12, err_msg=name)
    n = game.n
    for name in ("reward", "cost", "attempted"):
        assert getattr(out, name).shape == (64, n), name
    for name in ("accepted", "user_payment", "useful_cost"):
        assert getattr(out, name).shape == (64,), name
    assert (out.attempted.dtype == bool or np.issubdtype(out.attempted.dtype, np.integer)) and out.accepted.dtype == bool
    assert np.all(np.isfinite(out.reward)) and np.all(np.isfinite(out.cost))
    if game.traits.timing != "none":           # every game whose players prove says when each proof landed
        assert out.proof_time is not None and out.proof_time.shape == (64,)
        assert np.all(out.proof_time >= 0) and not np.any(np.isnan(out.proof_time))
    if out.served is not None:
        assert out.served.shape == (64,) and np.all((out.served >= 0) & (out.served <= 1))


@pytest.mark.parametrize("kind", KINDS)
def test_participants_mean_the_same_thing_analytic_and_simulated(kind):
    """One definition of participants: expected provers attempting each unit of work."""
    game = _example(kind)
    p = game.equilibrium()[0]
    analytic = float(np.sum(game.stats(p).participation))
    simulated = float(game.play(p, np.random.default_rng(5), 20_000).dense().attempted.sum(axis=1).mean())
    assert simulated == pytest.approx(analytic, rel=0.03, abs=0.03)


@pytest.mark.parametrize("kind", KINDS)
def test_simulator_agrees_at_a_random_profile(kind):
    game = _example(kind)
    p = game.check_profile(_random_profile(game, np.random.default_rng(4)))
    rounds = 20_000 if kind in SLOW_PLAY else 40_000
    check = pg.cross_check(game, p, pg.simulate(game, p, rounds=rounds, seed=5))
    assert check.passed, check.table


@pytest.mark.parametrize("kind", KINDS)
def test_solve_certifies_its_equilibrium(kind):
    game = _example(kind)
    eq = pg.solve(game)
    scale = max(1.0, float(np.max(np.abs(eq.payoffs))))
    if eq.exact:
        assert eq.regret <= 1e-6 * scale, (eq.method, eq.regret)
    else:                                       # a least-regret profile must say so
        assert eq.regret > 0 and eq.method


def _construct_or_refuse(cls, kwargs):
    try:
        cls(**kwargs)
    except pg.InvalidParameter:
        return "refused"
    return "built"


BAD_SCALARS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-10 ** 40, max_value=10 ** 40),
    st.text(max_size=5), st.none(), st.booleans(), st.lists(st.floats(), max_size=3),
    st.sampled_from([1e300, -1e300, float("nan"), float("inf"), -1.0, 0, 0.0, 2.5, "1", b"x", {}, [[1.0]], ()]))


@settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(KINDS), st.data())
def test_fuzzed_parameters_end_only_in_invalid_parameter(kind, data):
    """Any value in any field: the game is built, or refused with InvalidParameter; nothing else."""
    cls = registered()[kind]
    game = cls.example()
    specs = parameter_specs(cls)
    name = data.draw(st.sampled_from(sorted(specs)))
    value = data.draw(BAD_SCALARS)
    kwargs = {f.name: getattr(game, f.name) for f in dataclasses.fields(game)}
    kwargs[name] = value
    assert _construct_or_refuse(cls, kwargs) in ("refused", "built")


API_CALLS = {
    "simulate.rounds": lambda g, v: pg.simulate(g, g.equilibrium()[0], rounds=v),
    "simulate.seed": lambda g, v: pg.simulate(g, g.equilibrium()[0], rounds=10, seed=v),
    "simulate.profile": lambda g, v: pg.simulate(g, v, rounds=10),
    "metrics.profile": lambda g, v: pg.metrics(g, v),
    "solve.symmetric": lambda g, v: pg.solve(g, symmetric=v),
    "bribe.attack": lambda g, v: pg.solvers.bribe.bribe_threshold(g, v),
    "bribe.max_liveness": lambda g, v: pg.solvers.bribe.bribe_threshold(g, "withhold", v),
    "bribe.prover": lambda g, v: pg.solvers.bribe.bribe_threshold(g, "censor", prover=v),
    "sybil.identities": lambda g, v: pg.solvers.undercut.sybil_gain(g, 0, v),
    "undercut.price": lambda g, v: pg.solvers.undercut.undercut(g, 0, v),
    "cross_check.tolerance": lambda g, v: pg.cross_check(g, g.equilibrium()[0], pg.simulate(g, g.equilibrium()[0],
                                                                                          rounds=10), tolerance=v),
    "game": lambda g, v: pg.solve(v),
}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["winner_takes_all", "stake_vrf", "snarketplace", "fee_sharing", "b52", "speed_race"]),
       st.sampled_from(sorted(API_CALLS)), BAD_SCALARS)
def test_fuzzed_api_arguments_end_only_in_invalid_parameter(kind, call, value):
    """Bad arguments to the public functions: a result or InvalidParameter, never anything else."""
    import provergame.solvers.bribe  # noqa: F401
    import provergame.solvers.undercut  # noqa: F401
    game = _example(kind)
    try:
        API_CALLS[call](game, value)
    except pg.InvalidParameter:
        pass


@pytest.mark.parametrize("kind", KINDS)
def test_ten_thousand_provers_finish_or_are_refused_up_front(kind):
    """Never a hang, never a MemoryError: beyond max_provers construction refuses; within it the
    solver and the analysis run (measured in benchmarks/; here with a short rollout)."""
    cls = registered()[kind]
    if cls.traits.max_provers < 10_000:
        with pytest.raises(pg.InvalidParameter, match=str(cls.traits.max_provers)):
            cls.example(10_000)
        return
    game = cls.example(10_000)
    res = pg.analyse(game, rounds=2_000)
    assert res.equilibrium.regret <= 1e-6 * max(1.0, float(np.max(np.abs(res.equilibrium.payoffs))))


WITHOUT_SYMBOLIC_CHECKS: set[str] = set()


@pytest.mark.parametrize("kind", KINDS)
def test_symbolic_face_equals_numeric_face(kind):
    """The closed forms of symbolic() (the ones the theorems use) equal the numeric face at the game's
    own parameters, 1e-9 relative; the kinds still without a check are listed, not hidden."""
    game = _example(kind)
    checks = game.symbolic_checks()
    if kind in WITHOUT_SYMBOLIC_CHECKS:
        assert not checks, f"{kind} has symbolic checks now: remove it from WITHOUT_SYMBOLIC_CHECKS"
        return
    assert checks, f"{kind}: add symbolic_checks() or list it in WITHOUT_SYMBOLIC_CHECKS"
    for name, expr, values, numeric in checks:
        value = float(expr.subs({s: values[s.name] for s in expr.free_symbols}))
        assert math.isclose(value, numeric, rel_tol=1e-9, abs_tol=1e-12), (name, value, numeric)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(set(KINDS) - WITHOUT_SYMBOLIC_CHECKS)), st.integers(2, 12), st.integers(0, 10_000))
def test_symbolic_face_equals_numeric_face_on_random_populations(kind, n, seed):
    from provergame.games import example_provers
    game = _example(kind)
    if "provers" in {f.name for f in dataclasses.fields(game)} and game.provers is not None:
        try:
            game = dataclasses.replace(game, provers=example_provers(n, seed))
        except pg.InvalidParameter:
            return
    from provergame.solvers.closed_forms import form_checks
    for name, expr, values, numeric in game.symbolic_checks() + form_checks(game):
        value = float(expr.subs({s: values[s.name] for s in expr.free_symbols}))
        assert math.isclose(value, numeric, rel_tol=1e-9, abs_tol=1e-12), (name, value, numeric)


@pytest.mark.parametrize("kind", KINDS)
def test_liveness_and_bribe_forms_equal_the_numeric_face(kind):
    """The indexed n-prover forms (games.forms): on-time liveness by timing family against on_time,
    the stall bribe sum_i max(b_i, 0) against bribe_threshold, and the game's own closed form of the
    payoff of proving alone against the best response of the game rebuilt over that prover."""
    from provergame.solvers.closed_forms import form_checks
    game = _example(kind)
    checks = form_checks(game)
    names = {name for name, *_ in checks}
    if game.traits.timing in ("race", "elected") and getattr(game, "race_law", getattr(game, "first_assignment", None)):
        assert names & {"on_time_liveness_race", "on_time_liveness_elected"}, kind
    for name, expr, values, numeric in checks:
        value = float(expr.subs({s: values[s.name] for s in expr.free_symbols}))
        assert math.isclose(value, numeric, rel_tol=1e-9, abs_tol=1e-12), (name, value, numeric)


@pytest.mark.parametrize("kind", [k for k in KINDS if not registered()[k].traits.payoffs_use_provers])
def test_players_payoffs_ignore_the_provers_where_declared(kind):
    """payoffs_use_provers = False lets robustness draws reuse an equilibrium: check the claim."""
    from dataclasses import replace
    game = _example(kind)
    other = replace(game, provers=pg.games.example_provers(9).replace(cost=np.linspace(0.1, 3.0, 9)))
    rng = np.random.default_rng(8)
    for _ in range(5):
        p = _random_profile(game, rng)
        np.testing.assert_array_equal(game.expected_payoffs(p), other.expected_payoffs(p))


@pytest.mark.parametrize("kind", KINDS)
def test_play_keeps_nothing_stale_between_profiles(kind):
    """What a game keeps for its last profile (Game.kept_for) never leaks into another profile: one
    instance played at A, then B, then A again draws exactly what fresh instances draw."""
    game = _example(kind)
    a = game.check_profile(_random_profile(game, np.random.default_rng(1)))
    b = game.check_profile(_random_profile(game, np.random.default_rng(2)))

    def drawn(g, p):
        out = g.play(p, np.random.default_rng(7), 32).dense()
        return np.concatenate([out.reward.ravel(), out.cost.ravel(), out.accepted.astype(float)])
    first = drawn(game, a)
    np.testing.assert_array_equal(drawn(game, b), drawn(_example(kind), b))
    np.testing.assert_array_equal(drawn(game, a), first)


BATCH_VARIANTS = {   # configurations whose stats or on_time take another branch than the example's
    "minimum_proving_time": [{"proving_time": "deterministic"}],
    "sequencer_chosen": [{"pay": "all"}, {"pay": "all", "payment": "out_of_protocol", "bond": 4.0},
                         {"pay": "first", "payment": "out_of_protocol", "bond": 1.0}],
    "stake_vrf": [{"failover": "next_draw", "failover_deadline": 0.3}],
    "winner_takes_all": [{"deadline": 0.6}],
    "identity_vrf": [{"failover": "next_draw", "failover_deadline": 0.2}],
    "stake_contest": [{"failover": "next_draw", "failover_deadline": 0.4}],
    "taiko_pool": [{"failover": "next_draw", "failover_deadline": 0.6}],
    "delegated_stake": [{"failover": "next_draw", "failover_deadline": 0.7}],
    "taiko_prover_pool": [{"failover": "next_draw", "failover_deadline": 3.0}],
    "stake_turns": [{"failover": "next_draw", "failover_deadline": 0.45}],
    "turn_auction": [{"failover": "runner_up", "failover_deadline": 0.35}],
}


@pytest.mark.parametrize("kind, variant", [(k, v) for k in KINDS for v in [{}] + BATCH_VARIANTS.get(k, [])])
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31), window=st.floats(0.05, 4.0))
def test_profile_values_agree_with_one_profile_at_a_time(kind, variant, seed, window):
    """The batched face (profile_values, what the correlated-equilibrium tables read) against stats,
    on_time and expected_payoffs called on each profile alone."""
    game = dataclasses.replace(_example(kind, 5), **variant)
    rows = _random_profile(game, np.random.default_rng(seed), (7,))
    v = game.profile_values(rows, window)
    for r, row in enumerate(rows):
        s = game.stats(row)
        assert np.allclose(v.payoffs[r], game.expected_payoffs(row), rtol=1e-9, atol=1e-12)
        assert np.allclose(v.reward[r], s.reward, rtol=1e-9, atol=1e-12)
        assert math.isclose(v.user_payment[r], s.user_payment, rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(v.eventual_liveness[r], s.eventual_liveness, rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(v.on_time[r], game.on_time(row, window), rel_tol=1e-9, abs_tol=1e-12)
