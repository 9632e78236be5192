import warnings

import nashpy
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import provergame as pg
from provergame.solvers.nash import bimatrix, bimatrix_regret, pure_equilibria, replicator_symmetric


def _same_set(a, b):
    return len(a) == len(b) and all(any(np.allclose(x, u, atol=1e-6) and np.allclose(y, v, atol=1e-6)
                                        for u, v in b) for x, y in a)


@given(seed=st.integers(0, 10_000), m=st.integers(2, 5), n=st.integers(2, 5))
def test_bimatrix_finds_what_vertex_enumeration_finds(seed, m, n):
    rng = np.random.default_rng(seed)
    A, B = rng.random((m, n)), rng.random((m, n))
    res = bimatrix(A, B)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = [(x, y) for x, y in nashpy.Game(A, B).vertex_enumeration()]
    # nashpy returns the vertices of nearly tied best responses too (seed 1336: regret 1.3e-6), so the
    # reference is its exact equilibria
    ref = [(x, y) for x, y in ref if bimatrix_regret(A, B, x, y) <= 1e-9]
    assert _same_set(res.equilibria, ref)
    assert len(res) % 2 == 1  # nondegenerate games have an odd number of equilibria (Wilson 1971)
    for x, y in res:
        assert bimatrix_regret(A, B, x, y) <= 1e-9


@given(seed=st.integers(0, 10_000), k=st.integers(2, 4))
def test_degenerate_games_lose_nothing(seed, k):
    rng = np.random.default_rng(seed)
    A = rng.integers(0, 3, (k, k)).astype(float)
    B = rng.integers(0, 3, (k, k)).astype(float)
    res = bimatrix(A, B)
    from provergame.solvers.nash import has_payoff_ties
    if has_payoff_ties(A, B):
        assert "vertex_enumeration" in res.methods
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = [(x, y) for x, y in nashpy.Game(A + 1, B + 1).vertex_enumeration()]
    for x, y in ref:
        if bimatrix_regret(A, B, x, y) <= 1e-9:
            assert any(np.allclose(x, u, atol=1e-6) and np.allclose(y, v, atol=1e-6) for u, v in res)
    for x, y in res:
        assert bimatrix_regret(A, B, x, y) <= 1e-9


def test_known_games():
    res = bimatrix([[3, 0], [0, 2]], [[2, 0], [0, 3]])  # battle of the sexes
    assert len(res) == 3 and any(np.allclose(x, [0.6, 0.4]) for x, _ in res)
    res = bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])  # matching pennies
    assert len(res) == 1 and np.allclose(res[0][0], [0.5, 0.5])
    with pytest.raises(pg.InvalidParameter, match="B"):
        bimatrix(np.ones((2, 2)), np.ones((3, 2)))


def test_n_player_pure_and_replicator():
    # prisoner's dilemma as a tensor: action 0 = cooperate
    A = np.array([[3, 0], [5, 1]], float)
    tensor = np.stack([A, A.T], axis=-1)
    assert pure_equilibria(tensor).tolist() == [[1, 1]]
    hawk_dove = np.array([[0, 3], [1, 2]], float)
    x = replicator_symmetric(hawk_dove)
    assert np.allclose(x, [0.5, 0.5], atol=1e-6)


def test_normal_form_of_entry_game_matches_payoffs():
    game = pg.games.WinnerTakesAll(10.0, pg.Population.from_arrays(cost=[1.0, 2.0, 3.0], rate=[1, 2, 3]))
    T = pg.to_normal_form(game)
    assert T.shape == (2, 2, 2, 3)
    assert np.allclose(T[1, 1, 0], game.expected_payoffs([1, 1, 0]))
    assert np.allclose(T[1, 0, 1], [10 * 1 / 4 - 1, 0, 10 * 3 / 4 - 3])


@pytest.mark.parametrize("A,B,name", [
    ([[np.nan, 1.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]], "A"),
    ([[1.0, 0.0], [0.0, 1.0]], [[np.inf, 0.0], [0.0, 1.0]], "B"),
    (np.zeros((0, 0)), np.zeros((0, 0)), "A"),
    ([[1.0, 0.0]], [[1.0], [0.0]], "B"),
    ("payoffs", [[1.0]], "A"),
])
def test_bimatrix_refuses_bad_payoffs(A, B, name):
    with pytest.raises(pg.InvalidParameter, match=name):
        bimatrix(A, B)


def _as_set(res):
    return sorted((tuple(np.round(x, 9)), tuple(np.round(y, 9))) for x, y in res)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 8), st.integers(2, 8), st.booleans(),
       st.sampled_from([1e-6, 1e-3, 1e3, 1e6]), st.floats(-1e3, 1e3))
def test_units_never_change_the_equilibria(seed, m, n, integer, factor, shift):
    """Scaling one player's payoffs by any positive factor, or shifting them, leaves the set of
    equilibria exactly as it was, and every point found is an equilibrium of the unscaled game to
    1e-9 of each player's payoff range."""
    from provergame.solvers.nash import relative_regret
    rng = np.random.default_rng(seed)
    A, B = (rng.integers(-3, 4, (m, n)).astype(float) for _ in range(2)) if integer else \
        (rng.normal(size=(m, n)) for _ in range(2))
    base = bimatrix(A, B)
    scaled = bimatrix((A + shift) * factor, B * factor)
    assert _as_set(base) == _as_set(scaled)
    for x, y in scaled:
        assert relative_regret(A, B, x, y) <= 1e-9


def test_known_scaled_games_keep_their_equilibria():
    """Matching pennies (one mixed equilibrium) and a coordination game (3) at payoffs x1e-6 and x1e6."""
    pennies = np.array([[1.0, -1.0], [-1.0, 1.0]])
    coord = np.array([[2.0, 0.0], [0.0, 1.0]])
    for factor in (1e-6, 1.0, 1e6):
        (x, y), = bimatrix(pennies * factor, -pennies * factor)
        np.testing.assert_allclose([x, y], [[0.5, 0.5], [0.5, 0.5]], atol=1e-12)
        eqs = bimatrix(coord * factor, coord * factor)
        assert len(eqs) == 3
        mixed = [e for e in eqs if 0 < e[0][0] < 1][0]
        np.testing.assert_allclose(mixed[0], [1 / 3, 2 / 3], atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 5), st.integers(2, 5))
def test_vertex_enumeration_matches_nashpy_on_degenerate_integer_games(seed, m, n):
    """Every extreme equilibrium nashpy's vertex enumeration finds in a game full of ties, and nothing
    it does not (both verified by regret)."""
    from provergame.solvers.nash import vertex_enumeration
    rng = np.random.default_rng(seed)
    A, B = rng.integers(0, 3, (m, n)).astype(float), rng.integers(0, 3, (m, n)).astype(float)
    ours = [(x, y) for x, y in vertex_enumeration(A, B) if bimatrix_regret(A, B, x, y) <= 1e-9]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = [(x, y) for x, y in nashpy.Game(A + 1, B + 1).vertex_enumeration() if bimatrix_regret(A, B, x, y) <= 1e-9]
    assert _same_set(ours, ref)


def _same_vertices(a, b):
    """Same vertices (within 1e-9) with the same label masks."""
    (za, ma), (zb, mb) = a, b
    if len(za) != len(zb):
        return False
    near = np.abs(za[:, None, :] - zb[None, :, :]).max(axis=2) <= 1e-9
    same = near & (ma[:, None] == mb[None, :])
    return bool(same.any(axis=1).all() and same.any(axis=0).all())


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 7), st.integers(2, 7), st.sampled_from([1, 2, 9, None]),
       st.booleans())
def test_hull_and_direct_vertex_enumeration_agree(seed, k, d, top, twin):
    """The best-response polytope {z >= 0, M z <= 1} has the same vertices and labels whether they
    are solved constraint set by constraint set or read off Qhull's dual facets: integer payoffs
    0..top are full of ties (degenerate vertices), a twin column repeats one exactly."""
    from provergame.solvers import nash
    rng = np.random.default_rng(seed)
    M = rng.integers(0, top + 1, (k, d)).astype(float) if top else rng.normal(size=(k, d))
    if twin:
        M[:, 0] = M[:, 1]
    M = nash.normalised(M) + 1.0
    zl, rl = np.arange(d), d + np.arange(k)
    direct = nash._solved_vertices(M)
    hull = nash._hull_vertices(M)
    old = nash.SMALL_POLYTOPE
    try:
        nash.SMALL_POLYTOPE = 10 ** 9
        a = nash._polytope_vertices(M, zl, rl)
        nash.SMALL_POLYTOPE = 0
        b = nash._polytope_vertices(M, zl, rl)
    finally:
        nash.SMALL_POLYTOPE = old
    assert len(direct) and len(hull)
    assert _same_vertices(a, b)


def test_von_stengel_by_both_vertex_methods():
    """von Stengel's 6x6 game (75 equilibria) through Qhull as well as through direct solution."""
    from provergame.solvers import nash
    from test_normal_form import _von_stengel
    A, B = _von_stengel()
    old = nash.SMALL_POLYTOPE
    try:
        for threshold in (0, 10 ** 9):
            nash.SMALL_POLYTOPE = threshold
            assert len(bimatrix(A, B)) == 75
    finally:
        nash.SMALL_POLYTOPE = old


def test_bimatrix_methods_agree_on_nondegenerate_games():
    """Support enumeration (complete for nondegenerate games) adds nothing to the vertex enumeration."""
    for seed in range(20):
        rng = np.random.default_rng(seed)
        A, B = rng.normal(size=(6, 5)), rng.normal(size=(6, 5))
        both = bimatrix(A, B, method="both")
        assert both.methods["support_enumeration"] == 0
        assert _same_set(bimatrix(A, B, method="support").equilibria, both.equilibria)
    with pytest.raises(pg.InvalidParameter, match="method"):
        bimatrix(np.eye(2), np.eye(2), method="lemke")


def test_identity_game_of_size_14_lists_all_its_equilibria_without_blowing_up():
    """eye(14) has one equilibrium per nonempty support S (both players uniform on S): 2^14 - 1 = 16,383.
    The duplicate filter used to compare every pair (56 GiB asked at this size); it now sorts."""
    import numpy as np
    import provergame as pg
    n = 14
    found = pg.bimatrix(np.eye(n), np.eye(n)).equilibria
    assert len(found) == 2 ** n - 1
    supports = {tuple(np.flatnonzero(x > 1e-9)) for x, _ in found}
    assert len(supports) == 2 ** n - 1
    for x, y in found[:: 997]:
        k = int((x > 1e-9).sum())
        assert np.allclose(x[x > 1e-9], 1 / k) and np.allclose(x, y)


def test_degenerate_games_beyond_the_vertex_budget_are_refused_at_once_naming_the_limit():
    """eye(20) has 2^20 - 1 equilibria (Qhull needed 163 s and 3.4 GB): refused within seconds, naming the
    projection and the limit; all-equal 20 x 20 payoffs still answer (one vertex per polytope)."""
    import time
    start = time.time()
    with pytest.raises(pg.InvalidParameter, match="limit 1,000,000"):
        pg.bimatrix(np.eye(20), np.eye(20), progress=False)
    assert time.time() - start < 15
    assert len(pg.bimatrix(np.ones((20, 20)), np.ones((20, 20)), progress=False).equilibria) == 400
