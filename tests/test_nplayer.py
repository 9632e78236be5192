"""n-player equilibria by exclusion and subdivision (issue 29 item 1), checked against an independent
method: sympy's exact solution of every support profile's polynomial system, and a cell-by-cell regret."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import provergame as pg
from provergame.solvers.normal_form import NormalFormGame, exact_support_enumeration, mixed_equilibria
from provergame.solvers.normal_form import _restricted, _scaled, _support_first, _supports
from provergame.solvers.subdivision import SupportSystem, solve, solve_all
from test_normal_form import MCKELVEY_MCLENNAN, by_hand_gains


def key(equilibria) -> list[tuple[float, ...]]:
    return sorted(tuple(np.round(np.concatenate(e), 7)) for e in equilibria)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1))
def test_subdivision_finds_what_exact_algebra_finds(seed):
    """Generic 2x2x2 games (normal payoffs): the same equilibria as sympy's exact enumeration, each with
    a by-hand regret of zero."""
    payoffs = np.random.default_rng(seed).standard_normal((2, 2, 2, 3))
    game = NormalFormGame(payoffs)
    fast, exact = mixed_equilibria(game), exact_support_enumeration(game)
    assert fast.skipped == 0 and exact.skipped == 0
    assert key(fast) == key(exact)
    for e in fast:
        assert max(by_hand_gains(payoffs, e)) <= 1e-9 * np.ptp(payoffs)


def test_four_players_an_equilibrium_sympy_misses():
    """A 2^4 game (seed 40) where sympy's exact solve returns 2 equilibria and no unsolved system; the
    subdivision also finds a totally mixed third, verified here cell by cell."""
    payoffs = np.random.default_rng(40).standard_normal((2, 2, 2, 2, 4))
    res = mixed_equilibria(NormalFormGame(payoffs))
    assert len(res) == 3 and res.skipped == 0
    totally_mixed = [e for e in res if all((s > 0.3).all() for s in e)]
    assert len(totally_mixed) == 1
    np.testing.assert_allclose(totally_mixed[0][0], [0.5412962, 0.4587038], atol=1e-7)
    for e in res:
        assert max(by_hand_gains(payoffs, e)) <= 1e-12


def test_one_support_system_has_the_two_totally_mixed_roots_of_mckelvey_mclennan():
    """Full support of the 2x2x2 example: the roots are (0.6, 0.5, 2/3) and (0.5, 0.6, 3/4) in the
    second actions' probabilities (the published totally mixed equilibria)."""
    lo, span = MCKELVEY_MCLENNAN.min(axis=(0, 1, 2)), np.ptp(MCKELVEY_MCLENNAN, axis=(0, 1, 2))
    scaled = (MCKELVEY_MCLENNAN - lo) / span
    roots = solve(SupportSystem(tuple(scaled[..., i] for i in range(3)), ((0, 1),) * 3))
    assert roots.unresolved == 0
    np.testing.assert_allclose(sorted(map(tuple, roots.points)), [(0.5, 0.6, 0.75), (0.6, 0.5, 2 / 3)], atol=1e-12)


def test_a_continuum_is_declared_not_reported():
    """Every profile of the all-zero game is an equilibrium: the 8 pure ones are reported, the mixed
    continua are counted as skipped support profiles, never sampled into 'equilibria'."""
    res = pg.equilibria(NormalFormGame(np.zeros((2, 2, 2, 3))))
    assert len(res) == 8 and res.skipped > 0
    assert all(np.isin(np.concatenate(e), (0.0, 1.0)).all() for e in res)


def test_a_strictly_dominated_action_is_never_played():
    payoffs = np.random.default_rng(3).standard_normal((3, 2, 2, 3))
    payoffs[2, ..., 0] = payoffs[:2, ..., 0].min(axis=0) - 1.0        # player 1's third action is dominated
    for e in pg.equilibria(NormalFormGame(payoffs)):
        assert e[0][2] == 0.0


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), shape=st.sampled_from([(3, 3, 2), (2, 3, 3), (3, 2, 2, 2)]))
def test_a_stack_of_support_systems_has_each_system_s_roots(seed, shape):
    """Support profiles of the same sizes are solved as one stack (each player's actions reordered support
    first): every system's roots and unresolved count equal those of solving it alone, in its own order."""
    import itertools
    scaled = _scaled(np.random.default_rng(seed).standard_normal(shape + (len(shape),)))
    sizes = tuple(min(2, k) for k in shape)
    profiles = [p for p in itertools.product(*[[s for s in _supports(k) if len(s) == m] for k, m in zip(shape, sizes)])
                if _restricted(scaled, p) is not None]
    if not profiles:
        return
    alone = [solve(SupportSystem(_restricted(scaled, p), p)) for p in profiles]
    ordered = [_support_first(_restricted(scaled, p), p) for p in profiles]
    stack = tuple(np.stack([t[i] for t in ordered]) for i in range(len(shape)))
    together = solve_all(SupportSystem(stack, tuple(tuple(range(m)) for m in sizes), batched=True))
    for a, b in zip(alone, together):
        assert a.unresolved == b.unresolved
        assert key([[r] for r in a.points]) == key([[r] for r in b.points])


def test_an_equilibrium_on_a_face_of_the_simplices_is_found():
    """A degenerate 2x2x2 game (integer payoffs) with an equilibrium where the third player's free
    probability is exactly 0: player 1 plays its second action (-1/3 against -2/3), player 2 mixes (1/3, 2/3)
    (indifferent: 0 either way), player 3 its first (also indifferent, its second action's probability exactly 0:
    the face); every deviation's gain by hand is 0. A Krawczyk image that misses the face by a rounding error
    must not drop the root. By hand, player 2 earns 0 from either action whatever it does, so its
    mixture (1 - p, p) is free while player 1 keeps its second action (-(1 - p) >= -p: p >= 1/2) and player 3
    its first (0 >= 3p - 2: p <= 2/3): the point is the end p = 2/3 of the segment 1/2 <= p <= 2/3, returned
    with its other end as a continuum's extreme points, not as an isolated equilibrium."""
    a = np.array([[[0, 0], [-1, 1]], [[-1, -1], [0, 0]]], float)
    b = np.array([[[2, 2], [1, 1]], [[0, 1], [0, -1]]], float)
    c = np.array([[[0, 0], [-1, -1]], [[0, -2], [0, 1]]], float)
    payoffs = np.stack([a, b, c], axis=-1)
    point = lambda p: [np.array([0.0, 1.0]), np.array([1 - p, p]), np.array([1.0, 0.0])]   # noqa: E731
    for p in (1 / 2, 0.6, 2 / 3):
        assert max(by_hand_gains(payoffs, point(p))) <= 1e-12
    res = mixed_equilibria(NormalFormGame(payoffs))
    assert key(res.extra["continuum_extreme_points"]) == key([point(1 / 2), point(2 / 3)])
    assert not any(all(np.allclose(x, y, atol=1e-9) for x, y in zip(e, point(2 / 3))) for e in res)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=st.sampled_from([(2, 2, 2), (2, 2, 3), (3, 2, 2), (2, 2, 2, 2)]), seed=st.integers(0, 2**31 - 1))
def test_every_equilibrium_of_a_degenerate_integer_game_is_a_finite_certified_profile(shape, seed):
    """Payoffs in {-2, ..., 2} make ties, continua and singular Jacobians common: every profile reported is
    still a probability vector per player (finite, non-negative, summing to 1) with a by-hand regret of 0
    (450 such games were checked this way when the NaN roots of sec6 were found)."""
    payoffs = np.random.default_rng(seed).integers(-2, 3, size=shape + (len(shape),)).astype(float)
    for e in mixed_equilibria(NormalFormGame(payoffs)):
        for s in e:
            assert np.isfinite(s).all() and (s >= -1e-12).all() and abs(s.sum() - 1) <= 1e-9
        assert max(by_hand_gains(payoffs, e)) <= 1e-9 * max(np.ptp(payoffs), 1.0)


NAU_SEC6 = [(2, 0, 0), (0, 2, 1), (0, 1, 1), (1, 0, 2), (1, 0, 2), (0, 1, 1), (0, 2, 1), (2, 0, 0),
            (1, 0, 1), (0, 2, 0), (0, 1, 2), (2, 0, 1), (2, 0, 1), (0, 1, 2), (0, 2, 0), (1, 0, 1)]


def test_a_segment_of_equilibria_reports_only_finite_certified_points():
    """Nau et al. (2004), section 6 (Gambit's catalog/journals/ijgt/nau2004/sec6.nfg, a 2x2x4 game whose Nash
    equilibria form a line segment): where Newton's method meets a singular Jacobian in a box the Krawczyk
    test settled, the root is located by contracting the box, so no profile with a NaN probability is
    reported (six were, each with a regret of 0); both reported points pass a by-hand regret of zero and the
    segment's system is counted as skipped."""
    payoffs = np.zeros((2, 2, 4, 3))
    for k, outcome in enumerate(NAU_SEC6):          # .nfg order: player 1's action varies fastest
        payoffs[k % 2, (k // 2) % 2, k // 4] = outcome
    res = mixed_equilibria(NormalFormGame(payoffs))
    assert res.skipped > 0 and len(res) >= 2
    for e in res:
        assert all(np.isfinite(s).all() for s in e)
        assert max(by_hand_gains(payoffs, e)) <= 1e-12
    assert NormalFormGame(payoffs).regret([np.full(2, np.nan), np.full(2, 0.5), np.full(4, 0.25)]) == np.inf


def test_a_continuum_of_completely_mixed_equilibria_is_declared_once_narrow_boxes_crowd():
    """Nau et al. (2004), section 5 (Gambit's catalog/journals/ijgt/nau2004/sec5.nfg, "a continuum of completely
    mixed-strategy Nash equilibria"): the full-support system is declared not isolated once more than
    64 x 2^3 of its boxes are narrower than 1/128, long before the 20,000-box cap, and no root is reported
    from it; every equilibrium reported (from smaller supports) passes a by-hand regret of zero."""
    from provergame.solvers import subdivision
    payoffs = np.array([[[[0, 0, 2], [1, 1, 0]], [[0, 3, 0], [0, 0, 0]]],
                        [[[3, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 3]]]], float)
    scaled = (payoffs - payoffs.min(axis=(0, 1, 2))) / np.ptp(payoffs, axis=(0, 1, 2))
    roots = solve(SupportSystem(tuple(scaled[..., i] for i in range(3)), ((0, 1),) * 3))
    assert len(roots.points) == 0
    assert subdivision.NARROW_PER_CORNER << 3 < roots.unresolved < subdivision.MAX_BOXES / 10
    res = mixed_equilibria(NormalFormGame(payoffs))
    assert res.skipped > 0 and len(res) >= 3            # Gambit's enumpoly reports 3
    for e in res:
        assert max(by_hand_gains(payoffs, e)) <= 1e-12


def test_the_section_5_continuum_is_a_curve_in_closed_form():
    """Nau et al. (2004), section 5, in closed form: at x_3 = 3/4 (player 3's second action) players 1 and 2
    are indifferent whatever the others play, so the eliminated quadratic has a double root there and the
    full support's solutions are the curve f_3(x_1, x_2) = 0 at x_3 = 3/4: declared not isolated (one
    continuum, no isolated root), its ends (0, 1, 3/4) and (1, 0, 3/4) returned; a point inside it, x_1 = 1/2
    with x_2 from f_3 by hand, is a completely mixed equilibrium (regret 0 by hand)."""
    from provergame.solvers.support_direct import direct_roots
    payoffs = np.array([[[[0, 0, 2], [1, 1, 0]], [[0, 3, 0], [0, 0, 0]]],
                        [[[3, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 3]]]], float)
    scaled = (payoffs - payoffs.min(axis=(0, 1, 2))) / np.ptp(payoffs, axis=(0, 1, 2))
    system = SupportSystem(tuple(scaled[..., i][None] for i in range(3)), ((0, 1),) * 3, batched=True)
    roots = direct_roots(system)[0]
    assert roots is not None and roots.unresolved == 1 and len(roots.points) == 0
    np.testing.assert_allclose(sorted(map(tuple, roots.extreme)), [(0, 1, 0.75), (1, 0, 0.75)], atol=1e-12)
    mix = lambda x: np.array([1 - x, x])                                   # noqa: E731 - x: the second action
    gap3 = lambda x1, x2: np.einsum("ijk,i,j,k->", payoffs[..., 2], mix(x1), mix(x2), [1, -1])   # noqa: E731
    x2 = gap3(0.5, 0.0) / (gap3(0.5, 0.0) - gap3(0.5, 1.0))               # f_3 is linear in x_2 at x_1 = 1/2
    assert 0 < x2 < 1
    assert max(by_hand_gains(payoffs, [mix(0.5), mix(x2), mix(0.75)])) <= 1e-12


def test_four_binary_mixers_keep_a_root_next_to_another(monkeypatch):
    """A generic 2^5 game (standard normal payoffs, seed 1224) whose support (player 2 pure, the others mixing)
    has resultant roots x_3 = 0.6196 and 0.6207, a thousandth apart: the second, found to a few digits only,
    is still paired with its x_2 and polished, so the closed form returns the equilibrium subdividing finds
    (x = 0.5899, 0.529, 0.4351, 0.6207 for the mixers' second actions), regret 0 by hand."""
    payoffs = np.random.default_rng(1224).standard_normal((2, 2, 2, 2, 2, 5))
    direct = mixed_equilibria(NormalFormGame(payoffs))
    with monkeypatch.context() as m:
        _subdivided_only(m)
        subdivided = mixed_equilibria(NormalFormGame(payoffs))
    assert key(direct) == key(subdivided) and len(direct) == 9
    mixed = [e for e in direct if e[1][0] == 1.0 and all(0 < x[1] < 1 for i, x in enumerate(e) if i != 1)]
    assert any(np.allclose([e[0][1], e[2][1], e[3][1], e[4][1]], [0.5899, 0.529, 0.4351, 0.6207], atol=1e-4)
               for e in mixed)
    for e in direct:
        assert max(by_hand_gains(payoffs, e)) <= 1e-9


def _subdivided_only(monkeypatch) -> None:
    from provergame.solvers import support_direct, support_signs
    monkeypatch.setattr(support_direct, "direct_roots", lambda system: [None] * system.count)
    monkeypatch.setattr(support_signs, "corner_signs", lambda system: (
        np.zeros(system.count, bool), np.zeros((system.count, system.unknowns), bool)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(shape=st.sampled_from([(2, 2, 2), (3, 3, 2), (2, 2, 2, 2), (3, 2, 2), (2, 2, 2, 2, 2), (3, 3, 3), (2, 3, 4)]),
       seed=st.integers(0, 2**31 - 1), integer=st.booleans())
def test_closed_form_supports_give_the_subdivision_s_equilibria(monkeypatch, shape, seed, integer):
    """Two mixing players (linear) and three mixing over two actions (a quadratic) solved in closed form, and
    systems settled by their signs at the pure profiles (solvers/support_signs.py): the same equilibria as
    subdividing every system, on generic (normal) and degenerate (integer) payoffs, never more support
    profiles skipped on generic payoffs, and every extreme point of a continuum an equilibrium by hand. The
    one difference allowed: a continuum's end that the subdivision, solving the larger support's system,
    takes for an isolated root (a point on that support's face) is listed as the extreme point it is."""
    rng = np.random.default_rng(seed)
    payoffs = rng.integers(-2, 3, size=shape + (len(shape),)).astype(float) if integer else \
        rng.standard_normal(shape + (len(shape),))
    direct = mixed_equilibria(NormalFormGame(payoffs))
    with monkeypatch.context() as m:
        _subdivided_only(m)
        subdivided = mixed_equilibria(NormalFormGame(payoffs))
    isolated, ends = set(key(direct)), set(key(direct.extra["continuum_extreme_points"]))
    assert isolated <= set(key(subdivided)) <= isolated | ends
    if not integer:                                 # fewer where a near miss crowded the subdivision (below); with
        assert direct.skipped <= subdivided.skipped  # ties, a system with a zero equation is counted at once
    for e in direct.extra["continuum_extreme_points"]:
        assert max(by_hand_gains(payoffs, e)) <= 1e-9 * max(np.ptp(payoffs), 1.0)


def test_mckelvey_mclennan_roots_in_closed_form_where_an_elimination_divides_by_zero():
    """Both totally mixed roots of McKelvey and McLennan's 2x2x2 sit where one eliminated equation vanishes
    for every value of its unknown (f_1 at x_3 = 3/4, f_2 at x_3 = 2/3): each is found from f_3 instead."""
    from provergame.solvers.support_direct import direct_roots
    lo, span = MCKELVEY_MCLENNAN.min(axis=(0, 1, 2)), np.ptp(MCKELVEY_MCLENNAN, axis=(0, 1, 2))
    scaled = (MCKELVEY_MCLENNAN - lo) / span
    system = SupportSystem(tuple(scaled[..., i][None] for i in range(3)), ((0, 1),) * 3, batched=True)
    roots = direct_roots(system)[0]
    assert roots is not None and roots.unresolved == 0
    np.testing.assert_allclose(sorted(map(tuple, roots.points)), [(0.5, 0.6, 0.75), (0.6, 0.5, 2 / 3)], atol=1e-12)


def test_two_mixing_players_solve_their_linear_systems_by_hand():
    """Players 1 and 2 mix in a 3-player game whose third player is pure: player 1 is indifferent where
    player 2 plays its second action with probability 1/4 (payoff difference 1 - 4 y), player 2 where player
    1 plays its second with 2/3 (difference 2 - 3 x); the closed form gives (2/3, 1/4)."""
    from provergame.solvers.support_direct import direct_roots
    payoffs = np.zeros((2, 2, 1, 3))
    payoffs[1, 0, 0, 0], payoffs[1, 1, 0, 0] = 1.0, -3.0        # u1(second) - u1(first) = 1 - 4 y
    payoffs[0, 1, 0, 1], payoffs[1, 1, 0, 1] = 2.0, -1.0        # u2(second) - u2(first) = 2 - 3 x
    system = SupportSystem(tuple(payoffs[..., i][None] for i in range(3)), ((0, 1), (0, 1), (0,)), batched=True)
    roots = direct_roots(system)[0]
    np.testing.assert_allclose(roots.points, [[2 / 3, 1 / 4]], atol=1e-14)


def test_a_near_miss_the_subdivision_took_for_a_continuum_has_no_solution():
    """A 2x3x4 game (seed 156): player 1 plays its second action, player 3 mixes its third and fourth (x on the
    fourth), player 2 all three of its own. Player 2's two indifference conditions are each linear in x, with
    roots 0.9223 and 0.9234 (computed here from the payoffs): no x satisfies both, so the support profile has
    no solution. The subdivision's boxes along player 2's free direction crowded and it was declared not
    isolated (skipped); the closed form finds it empty."""
    payoffs = np.random.default_rng(156).standard_normal((2, 3, 4, 3))
    u2 = payoffs[1, :, 2:, 1]                            # player 2's payoff: its action x player 3's (third, fourth)
    roots = []
    for a in (1, 2):                                     # indifferent between its action a and its first
        d = u2[a] - u2[0]                                # (1 - x) d[0] + x d[1] = 0
        roots.append(d[0] / (d[0] - d[1]))
    assert abs(roots[0] - roots[1]) > 1e-3
    profile = ((1,), (0, 1, 2), (2, 3))
    scaled = _scaled(payoffs)
    system = SupportSystem(tuple(t[None] for t in _support_first(_restricted(scaled, profile), profile)),
                           ((0,), (0, 1, 2), (0, 1)), batched=True)
    from provergame.solvers.support_direct import direct_roots
    assert solve_all(system)[0].unresolved > 0
    found = direct_roots(system)[0]
    assert found is not None and len(found.points) == 0 and found.unresolved == 0


def test_a_box_cut_to_zero_width_by_the_simplex_does_not_break_the_jacobian_bounds():
    """A degenerate 3x3x3 integer game (payoffs in -2..2, seed 8388608, found by the closed-form property
    test): a box cut to the simplex with no room left had zero width on an axis, its Jacobian bounds were
    0 / 0 and the SVD of the Krawczyk test raised. Boxes now keep MIN_WIDTH / 4; the game solves, every
    equilibrium with a by-hand regret of zero."""
    payoffs = np.random.default_rng(8388608).integers(-2, 3, size=(3, 3, 3, 3)).astype(float)
    res = mixed_equilibria(NormalFormGame(payoffs))
    assert len(res) >= 1
    for e in res:
        assert max(by_hand_gains(payoffs, e)) <= 1e-9 * np.ptp(payoffs)


def test_a_continuum_of_one_mixing_player_returns_its_extreme_points():
    """Player 3 is indifferent everywhere (payoff 0); against players 1 and 2 on their first actions, player 1
    keeps its first action iff player 3's second has probability x <= 0.6 (payoff difference x - 0.6) and
    player 2 iff x >= 0.2 (difference 0.2 - x): the equilibria (first, first, (1 - x, x)) form the segment
    0.2 <= x <= 0.6. It is counted as skipped and its two ends are returned as extreme points, each with a
    by-hand regret of zero, and neither is listed among the isolated equilibria."""
    payoffs = np.zeros((2, 2, 2, 3))
    payoffs[1, 0, 0, 0], payoffs[1, 0, 1, 0] = -0.6, 0.4
    payoffs[0, 1, 0, 1], payoffs[0, 1, 1, 1] = 0.2, -0.8
    payoffs[:, 1, :, 0] = -5.0
    payoffs[1, 1, :, 1] = -5.0
    res = mixed_equilibria(NormalFormGame(payoffs))
    ends = [[np.array([1.0, 0.0]), np.array([1.0, 0.0]), np.array([1 - x, x])] for x in (0.2, 0.6)]
    extreme = res.extra["continuum_extreme_points"]
    assert res.skipped >= 1
    for end in ends:
        assert max(by_hand_gains(payoffs, end)) <= 1e-12
        assert any(all(np.allclose(a, b, atol=1e-12) for a, b in zip(e, end)) for e in extreme)
        assert not any(all(np.allclose(a, b, atol=1e-9) for a, b in zip(e, end)) for e in res)
    for e in extreme:
        assert max(by_hand_gains(payoffs, e)) <= 1e-12


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(seed=st.integers(0, 2**31 - 1), shape=st.sampled_from([(3, 3, 3), (3, 3, 2, 2), (4, 3, 2)]),
       spread=st.floats(0.01, 1.0))
def test_a_box_around_a_root_is_never_separated(seed, shape, spread):
    """SupportSystem.separated drops a box where a combination of the equations keeps one sign at every
    corner: never one that holds a root. The full support's totally mixed roots (found with the test off:
    the subdivision's sign test alone) are each put in random boxes of widths up to `spread`; none is
    separated. Where the subdivision found no totally mixed root the box is around a random point, and a
    separated one has no point among 200 random ones where every equation is below 1e-9."""
    import importlib
    sub = importlib.import_module("provergame.solvers.subdivision")
    rng = np.random.default_rng(seed)
    payoffs = rng.standard_normal(shape + (len(shape),))
    profile = tuple(tuple(range(k)) for k in shape)
    restricted = _restricted(_scaled(payoffs), profile)
    assume(restricted is not None)                     # no full-support action strictly dominated
    system = SupportSystem(tuple(t[None] for t in _support_first(restricted, profile)), profile, batched=True)
    keep = sub.SEPARATE_UNKNOWNS
    sub.SEPARATE_UNKNOWNS = 10 ** 6
    try:
        roots = solve_all(system)[0].points
    finally:
        sub.SEPARATE_UNKNOWNS = keep
    k = system.unknowns
    centres = roots if len(roots) else rng.uniform(0.1, 0.3, (1, k))
    for x in centres:
        lo = x - rng.uniform(0, spread, (50, k))
        hi = x + rng.uniform(0, spread, (50, k))
        lo, hi = np.minimum(lo, x - 1e-9), np.maximum(hi, x + 1e-9)
        which = np.zeros(50, int)
        gone = system.separated(lo, hi, system.corner_values(lo, hi, which), which)
        if len(roots):
            assert not gone.any()
        for a, b in zip(lo[gone], hi[gone]):
            points = rng.uniform(a, b, (200, k))
            f, _ = system.conditions(points, np.zeros(200, int))
            assert not (np.abs(f) < 1e-9).all(axis=1).any()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31 - 1), shape=st.sampled_from([(3, 3, 3), (3, 3, 2, 2), (4, 3, 2)]))
def test_the_separation_test_changes_no_equilibrium(monkeypatch, seed, shape):
    """The same equilibria, and no more skipped support profiles, with the combined-equations exclusion on
    (systems of 6+ unknowns) as with the sign test on each equation alone."""
    import importlib
    sub = importlib.import_module("provergame.solvers.subdivision")
    payoffs = np.random.default_rng(seed).standard_normal(shape + (len(shape),))
    with_test = mixed_equilibria(NormalFormGame(payoffs))
    with monkeypatch.context() as m:
        m.setattr(sub, "SEPARATE_UNKNOWNS", 10 ** 6)
        without = mixed_equilibria(NormalFormGame(payoffs))
    assert key(with_test) == key(without)
    assert with_test.skipped <= without.skipped


@settings(max_examples=40, deadline=None)
@given(shape=st.sampled_from([(2, 2, 2), (3, 3, 2), (2, 3, 4), (3, 3, 3), (2, 2, 2, 2)]), seed=st.integers(0, 2**31 - 1),
       integer=st.booleans())
def test_a_stack_of_restricted_games_is_each_profile_restricted_alone(shape, seed, integer):
    """_restricted_stack gathers every support profile of the same sizes at once: the same support-first
    tensors as _restricted then _support_first profile by profile, and the same profiles dropped as
    conditionally dominated, on generic and on integer (tied) payoffs."""
    import itertools
    from provergame.solvers.normal_form import _restricted_stack
    rng = np.random.default_rng(seed)
    payoffs = rng.integers(-2, 3, size=shape + (len(shape),)).astype(float) if integer else \
        rng.standard_normal(shape + (len(shape),))
    scaled = _scaled(payoffs)
    groups: dict = {}
    for p in itertools.product(*[_supports(k) for k in shape]):
        groups.setdefault(tuple(len(s) for s in p), []).append(p)
    for profiles in groups.values():
        stack, kept = _restricted_stack(scaled, profiles)
        alone = [_restricted(scaled, p) for p in profiles]
        assert list(kept) == [a is not None for a in alone]
        expected = [_support_first(a, p) for a, p in zip(alone, profiles) if a is not None]
        for i in range(len(shape)):
            assert stack[i].shape[0] == len(expected)
            for got, want in zip(stack[i], expected):
                np.testing.assert_array_equal(got, want[i])


@settings(max_examples=30, deadline=None)
@given(shape=st.sampled_from([(2, 2, 2), (3, 2, 2), (2, 3, 4), (3, 3, 2), (2, 2, 2, 2), (3, 2, 2, 2)]),
       seed=st.integers(0, 2**31 - 1), integer=st.booleans(), data=st.data())
def test_renaming_the_players_renames_the_equilibria(shape, seed, integer, data):
    """Support profiles are solved with their players reordered by support size (profiles of the same sizes
    in any order share a stack): listing the game's players in another order gives the same equilibria,
    listed in that order, the same extreme points of continua, and the same number of skipped profiles, on
    generic and integer payoffs."""
    rng = np.random.default_rng(seed)
    n = len(shape)
    payoffs = rng.integers(-2, 3, size=shape + (n,)).astype(float) if integer else rng.standard_normal(shape + (n,))
    order = data.draw(st.permutations(range(n)))
    renamed = np.transpose(payoffs, list(order) + [n])[..., list(order)]
    a, b = mixed_equilibria(NormalFormGame(payoffs)), mixed_equilibria(NormalFormGame(renamed))
    assert key([[e[q] for q in order] for e in a]) == key(b)
    assert key([[e[q] for q in order] for e in a.extra["continuum_extreme_points"]]) == \
        key(b.extra["continuum_extreme_points"])
    assert a.skipped == b.skipped


@pytest.mark.parametrize("shape, seed, order", [((3, 2, 2), 13336051, [0, 2, 1]), ((3, 3, 2), 510510, [1, 0, 2]),
                                                  ((3, 2, 2), 536870913, [0, 2, 1])])
def test_a_factored_indifference_equation_does_not_depend_on_the_players_order(shape, seed, order):
    """Integer games where one player's indifference factors as x_k (or 1 - x_k) times another term: the
    three-binary closed form eliminates another unknown (13336051), places every solution at a double root of
    the eliminant on a face (510510: the subdivision had listed two points 9e-9 inside it as equilibria
    beside the continuum's end they approximate), and leaves points on a face to the smaller supports
    (536870913): the same equilibria, extreme points and skipped count in either player order."""
    n = len(shape)
    payoffs = np.random.default_rng(seed).integers(-2, 3, size=shape + (n,)).astype(float)
    renamed = np.transpose(payoffs, order + [n])[..., order]
    a, b = mixed_equilibria(NormalFormGame(payoffs)), mixed_equilibria(NormalFormGame(renamed))
    assert key([[e[q] for q in order] for e in a]) == key(b)
    assert key([[e[q] for q in order] for e in a.extra["continuum_extreme_points"]]) == \
        key(b.extra["continuum_extreme_points"])
    assert a.skipped == b.skipped


def test_pure_coordination_has_gambit_s_thirteen_equilibria_by_hand():
    """Pure coordination over three actions (Gambit's coord333: each player earns 1 where all three match)
    has Gambit enumpoly's 13 equilibria: the 3 matched pure profiles, the 6 with all three apart (no one can
    make the three match alone), all three mixing half and half over one pair (3) or uniformly (1), each
    with a by-hand regret of zero; the many supports where a player earns the same from two actions whatever
    the others do (a continuum) are counted as skipped."""
    coord = np.zeros((3, 3, 3, 3))
    for a in range(3):
        coord[a, a, a] = 1.0
    res = mixed_equilibria(NormalFormGame(coord))
    by_hand = [[np.eye(3)[a], np.eye(3)[b], np.eye(3)[c]] for a in range(3) for b in range(3) for c in range(3)
               if a == b == c or len({a, b, c}) == 3]
    for pair in [(0, 1), (0, 2), (1, 2)]:
        half = np.zeros(3)
        half[list(pair)] = 0.5
        by_hand.append([half] * 3)
    by_hand.append([np.full(3, 1 / 3)] * 3)
    assert key(res) == key(by_hand) and res.skipped > 0
    for e in res.equilibria:
        assert max(by_hand_gains(coord, e)) <= 1e-12


def test_a_continuum_of_two_mixing_players_returns_its_extreme_points():
    """Players 1 and 2 mix, player 3 plays its first action. Player 2's indifference fixes player 1's mixture
    (payoff difference 1 - 2 x_1: x_1 = 1/2); player 1 earns 0 everywhere, so its equation holds for every
    x_2: the system is singular. Player 3 keeps its first action iff x_2 <= 0.6 (its second's advantage
    x_2 - 0.6) and x_2 >= 0.2 (its third's, 0.2 - x_2): the equilibria ((1/2, 1/2), (1 - x_2, x_2), first) form
    the segment 0.2 <= x_2 <= 0.6. Its two ends are returned as extreme points, each with a by-hand regret of
    zero, as is the segment's middle; none of them is listed as an isolated equilibrium."""
    payoffs = np.zeros((2, 2, 3, 3))
    payoffs[0, 1, :, 1], payoffs[1, 1, :, 1] = 1.0, -1.0
    payoffs[:, 0, 1, 2], payoffs[:, 1, 1, 2] = -0.6, 0.4
    payoffs[:, 0, 2, 2], payoffs[:, 1, 2, 2] = 0.2, -0.8
    res = mixed_equilibria(NormalFormGame(payoffs))
    point = lambda x2: [np.array([0.5, 0.5]), np.array([1 - x2, x2]), np.array([1.0, 0.0, 0.0])]   # noqa: E731
    extreme = res.extra["continuum_extreme_points"]
    assert res.skipped >= 1
    for end in (point(0.2), point(0.6)):
        assert max(by_hand_gains(payoffs, end)) <= 1e-12
        assert any(all(np.allclose(a, b, atol=1e-12) for a, b in zip(e, end)) for e in extreme)
    assert max(by_hand_gains(payoffs, point(0.4))) <= 1e-12
    for e in (point(0.2), point(0.4), point(0.6)):
        assert not any(all(np.allclose(a, b, atol=1e-9) for a, b in zip(e, f)) for f in res)
    for e in extreme:
        assert max(by_hand_gains(payoffs, e)) <= 1e-12


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), pure=st.booleans())
def test_four_binary_mixers_in_closed_form_have_the_subdivision_s_roots(seed, pure):
    """Four players mixing over two actions each (a fifth, if any, pure): the resultant route
    (support_direct._four_binary) gives the roots the subdivision certifies (those where the pure player's
    other action earns no more: the subdivision screens that too), or hands the system back (None: a root of
    the resultant in a cluster, which generic payoffs rarely give)."""
    from provergame.solvers.support_direct import direct_roots
    shape = (2, 2, 2, 2, 2) if pure else (2, 2, 2, 2)
    payoffs = np.random.default_rng(seed).standard_normal(shape + (len(shape),))
    profile = ((0, 1),) * 4 + (((0,),) if pure else ())
    restricted = _restricted(_scaled(payoffs), profile)
    assume(restricted is not None)
    system = SupportSystem(tuple(t[None] for t in _support_first(restricted, profile)), profile, batched=True)
    direct, subdivided = direct_roots(system)[0], solve_all(system)[0]
    assert subdivided.unresolved == 0
    if direct is None:
        return
    assert direct.unresolved == 0

    def kept(points):                          # where the pure player's other action earns no more (1e-7)
        if not len(points):
            return points
        _, outside = system.conditions(points, np.zeros(len(points), int))
        return points[(outside <= 1e-7).all(axis=1)] if outside.shape[1] else points
    assert key([[p] for p in kept(direct.points)]) == key([[p] for p in kept(subdivided.points)])


def test_a_root_the_krawczyk_test_settled_on_rounding_noise_is_not_reported_isolated():
    """A degenerate 2x3x4 integer game (payoffs in -2..2, seed 2760): player 1 plays its second action, players 2
    and 3 mix over actions (1, 2, 3) and (1, 2, 4). Their linear system is singular (Jacobian rank 3 of 4), and
    its only solution in the simplices, player 3 at (0.6, 0) against player 2's first action, lies where the
    affine solution set touches player 2's simplex at a corner. Over boxes 1e-7 wide the Jacobian's ranges
    (corner differences over the width) carry rounding noise that made their centre look invertible, and
    the Krawczyk test settled the point as an isolated root; its own Jacobian is singular, so it is now
    counted as not isolated, as the closed form counts it (a continuum whose polytope is that one point,
    returned as its extreme point)."""
    from provergame.solvers.support_direct import direct_roots
    payoffs = np.random.default_rng(2760).integers(-2, 3, size=(2, 3, 4, 3)).astype(float)
    profile = ((1,), (0, 1, 2), (0, 1, 3))
    system = SupportSystem(tuple(t[None] for t in _support_first(_restricted(_scaled(payoffs), profile), profile)),
                           ((0,), (0, 1, 2), (0, 1, 2)), batched=True)
    assert np.linalg.matrix_rank(system.jacobian(np.full((1, 4), 0.2), np.zeros(1, int))[0]) == 3
    subdivided, direct = solve_all(system)[0], direct_roots(system)[0]
    assert len(subdivided.points) == 0 and subdivided.unresolved > 0
    assert direct.unresolved > 0 and len(direct.points) == 0
    np.testing.assert_allclose(direct.extreme, [[0.0, 0.0, 0.6, 0.0]], atol=1e-12)


def test_four_binary_mixers_are_solved_in_closed_form_for_generic_payoffs():
    """The four-binary closed form hands a system back only where its resultant has a cluster of roots near
    [0, 1]: on 30 generic 2^4 games (seeds 0-29) it solves at least 27 full supports itself, and each of
    those has the subdivision's roots."""
    from provergame.solvers.support_direct import direct_roots
    profile = ((0, 1),) * 4
    solved = 0
    for seed in range(30):
        payoffs = np.random.default_rng(seed).standard_normal((2, 2, 2, 2, 4))
        restricted = _restricted(_scaled(payoffs), profile)
        if restricted is None:
            continue
        system = SupportSystem(tuple(t[None] for t in _support_first(restricted, profile)), profile, batched=True)
        direct = direct_roots(system)[0]
        if direct is not None:
            solved += 1
            assert key([[p] for p in direct.points]) == key([[p] for p in solve_all(system)[0].points])
    assert solved >= 27


def _integer_stack(seed: int, shape: tuple[int, ...], sizes: tuple[int, ...]) -> SupportSystem | None:
    """Every support profile of the given sizes of a game with payoffs in {-1, 0, 1} that survives
    conditional dominance, as one stack (each player's actions support first)."""
    import itertools
    scaled = _scaled(np.random.default_rng(seed).integers(-1, 2, size=shape + (len(shape),)).astype(float))
    profiles = [p for p in itertools.product(*[[s for s in _supports(k) if len(s) == m] for k, m in zip(shape, sizes)])
                if _restricted(scaled, p) is not None]
    if not profiles:
        return None
    ordered = [_support_first(_restricted(scaled, p), p) for p in profiles]
    return SupportSystem(tuple(np.stack([t[i] for t in ordered]) for i in range(len(shape))),
                         tuple(tuple(range(m)) for m in sizes), batched=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), case=st.sampled_from([((3, 3, 2), (3, 2, 2)), ((3, 3, 3), (3, 3, 2)),
                                                              ((2, 2, 2, 2), (2, 2, 2, 1)), ((3, 3, 3), (2, 2, 3))]))
def test_the_signs_at_the_pure_profiles_settle_what_the_subdivision_finds(seed, case):
    """Degenerate games (payoffs in {-1, 0, 1}). Where an equation's values at the pure profiles keep one
    sign (not all zero), the subdivision, run on the same system, finds no root with every support
    probability above 1e-9 (none inside); where one's values are all zero, it finds no isolated root inside
    either, and every candidate end returned solves the system's equations and has an outside action tight
    (within 1e-9), the subdivision's own conditions at that point."""
    from provergame.solvers.support_signs import _inside, corner_signs, solve_with_signs
    system = _integer_stack(seed, *case)
    assume(system is not None)
    signed, zero = corner_signs(system)
    subdivided, settled = solve_all(system), solve_with_signs(system)
    for w in np.flatnonzero(signed | zero.any(axis=1)):
        assert not any(_inside(system, x) for x in subdivided[w].points)
        ends = settled[w].extreme if settled[w].extreme is not None else np.zeros((0, system.unknowns))
        assert signed[w] or settled[w].unresolved == 1
        if len(ends):
            f, g = system.conditions(ends, np.full(len(ends), w))
            assert np.abs(f).max() <= 1e-9 and (np.abs(g) <= 1e-9).any(axis=1).all()


def test_a_continuum_s_corner_off_every_larger_support_s_interior_is_returned():
    """Payoffs in {-1, 0, 1}, 3x3x3 (seed 324): players 1 and 3 mix over all three actions and player 2
    plays its second, at x_1 = (0.1308, 0.6076, 0.2616), x_3 = (0.1841, 0.4079, 0.4079); by hand every
    player earns the same from each of its actions there (player 2 from all three: both its other actions
    tight), so no deviation gains. It lies on a two-dimensional set of solutions of its support's system (one
    equation is zero at every pure profile), at a corner where two outside actions turn tight, and on a face of
    the full support, whose system the signs settle (no root inside). It is found by replacing the zero
    equation and one more by the two tight actions' indifferences, and returned as an extreme point."""
    payoffs = np.random.default_rng(324).integers(-1, 2, size=(3, 3, 3, 3)).astype(float)
    res = mixed_equilibria(NormalFormGame(payoffs))
    extreme = res.extra["continuum_extreme_points"]
    found = [e for e in extreme if abs(e[1][1] - 1.0) < 1e-12 and min(e[0].min(), e[2].min()) > 0.1]
    assert len(found) == 1
    assert max(by_hand_gains(payoffs, found[0])) <= 1e-12
    np.testing.assert_allclose(found[0][0], [0.130792, 0.607625, 0.261583], atol=1e-6)
    np.testing.assert_allclose(found[0][2], [0.184145, 0.407927, 0.407927], atol=1e-6)


def test_skipped_profiles_say_whether_their_ends_were_sought():
    """Pure coordination over three actions (coord333) has only continua of flat systems (a player earns the
    same from two actions whatever the others do), whose ends are sought: none of its skipped profiles goes
    without. A 3x2x2 game with payoffs in {-1, 0, 1} (seed 15) has a support profile that the subdivision
    leaves not isolated without a zero equation: it is counted among the skipped whose ends were not sought."""
    coord = np.zeros((3, 3, 3, 3))
    for a in range(3):
        coord[a, a, a] = 1.0
    res = mixed_equilibria(NormalFormGame(coord))
    assert res.skipped > 0 and res.extra["skipped_without_ends"] == 0
    payoffs = np.random.default_rng(15).integers(-1, 2, size=(3, 2, 2, 3)).astype(float)
    res = mixed_equilibria(NormalFormGame(payoffs))
    assert 1 <= res.extra["skipped_without_ends"] <= res.skipped
