"""Nash equilibria of finite games.

Two players: vertex enumeration of the best-response polytopes (every extreme equilibrium,
degenerate games included; Qhull for large polytopes, labels matched as bitmasks), and vectorised
support enumeration as a cross-check; each player's payoffs are normalised first,
so every tolerance is relative to its payoff range; every candidate is verified by its regret and
duplicates merged. n players: pure equilibria by vectorised enumeration of the payoff tensor (mixed
ones: solvers.normal_form).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

from typing import Any

import numpy as np

from provergame.errors import InvalidParameter
from provergame.progress import expect, reports_progress, tick

TOL = 1e-9


@dataclass(frozen=True)
class BimatrixResult:
    equilibria: list
    methods: dict = field(default_factory=dict)
    degenerate: bool = False

    def __iter__(self):
        return iter(self.equilibria)

    def __len__(self) -> int:
        return len(self.equilibria)

    def __getitem__(self, i):
        return self.equilibria[i]


def bimatrix_regret(A: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """Largest gain of a unilateral deviation at (x, y) in the bimatrix game (A, B)."""
    row = float(np.max(A @ y) - x @ A @ y)
    col = float(np.max(x @ B) - x @ B @ y)
    return max(row, col, 0.0)


def relative_regret(A: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """The regret of each player in units of its own payoff range (0 for a constant payoff): the
    certificate that does not change when a player's payoffs are scaled or shifted."""
    ra, rb = _span(A), _span(B)
    row = float(np.max(A @ y) - x @ A @ y) / ra if ra > 0 else 0.0
    col = float(np.max(x @ B) - x @ B @ y) / rb if rb > 0 else 0.0
    return max(row, col, 0.0)


def _span(M: np.ndarray) -> float:
    return float(M.max() - M.min())


def normalised(M: np.ndarray) -> np.ndarray:
    """(M - min M) / (max M - min M): payoffs in [0, 1]; equilibria are unchanged by this affine map."""
    span = _span(M)
    return (M - M.min()) / span if span > 0 else np.zeros_like(M)


def is_degenerate(A: np.ndarray, B: np.ndarray, eqs: list) -> bool:
    """True if some equilibrium strategy has more pure best responses than its support size
    (ties judged relative to each player's payoff range)."""
    if not eqs:
        return False
    A, B = normalised(A), normalised(B)
    X, Y = _pairs(eqs, *A.shape)
    ay, xb = Y @ A.T, X @ B
    row_best = (ay >= ay.max(axis=1, keepdims=True) - 1e-9).sum(axis=1)
    col_best = (xb >= xb.max(axis=1, keepdims=True) - 1e-9).sum(axis=1)
    return bool(np.any(row_best > (X > TOL).sum(axis=1)) or np.any(col_best > (Y > TOL).sum(axis=1)))


def _merge(found: list, X: np.ndarray, Y: np.ndarray, A, B) -> int:
    """Add the candidate profiles (rows of X, Y) whose regret, relative to each player's payoff range,
    is at most TOL (each player's payoffs are already normalised to [0, 1]); duplicates (equal on the
    1e-7 grid, or neighbours in sorted order within 1e-7) are dropped in O(k log k) time and O(k) memory,
    so a game with thousands of equilibria (the identity game of size 14 has 16,383) stays small."""
    if not len(X):
        return 0
    X, Y = np.clip(np.asarray(X, float), 0, None), np.clip(np.asarray(Y, float), 0, None)
    ok = (X.sum(axis=1) > 0) & (Y.sum(axis=1) > 0)
    X, Y = X[ok] / X[ok].sum(axis=1, keepdims=True), Y[ok] / Y[ok].sum(axis=1, keepdims=True)
    ay, xb = Y @ A.T, X @ B
    regret = np.maximum(ay.max(axis=1) - np.einsum("ki,ki->k", X, ay), xb.max(axis=1) - np.einsum("kj,kj->k", xb, Y))
    m = X.shape[1]
    new = np.hstack([X, Y])[regret <= TOL]
    if not len(new):
        return 0
    old = np.array([np.concatenate(e) for e in found]) if found else np.zeros((0, new.shape[1]))
    both = np.vstack([old, new])
    grid = np.round(both / 1e-7)
    order = np.lexsort((np.arange(len(both)), *grid.T[::-1]))     # by the grid, then old rows before new
    ranked = both[order]
    same = np.zeros(len(both), dtype=bool)
    same[order[1:]] = (np.abs(ranked[1:] - ranked[:-1]) <= 1e-7).all(axis=1)
    unique = new[~same[len(old):]]
    found.extend((z[:m], z[m:]) for z in unique)
    return int(len(unique))


def _pairs(eqs: list, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    return (np.array([x for x, _ in eqs], float).reshape(-1, m), np.array([y for _, y in eqs], float).reshape(-1, n))


def _indifferent(M: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve M z = v 1, sum z = 1 for a batch of square M (..., k, k) with entries in [0, 1]; returns
    z, v, ok (nonsingular)."""
    k = M.shape[-1]
    sys = np.zeros(M.shape[:-2] + (k + 1, k + 1))
    sys[..., :k, :k] = M
    sys[..., :k, k] = -1.0
    sys[..., k, :k] = 1.0
    rhs = np.zeros(M.shape[:-2] + (k + 1,))
    rhs[..., k] = 1.0
    # Callers pass payoffs normalised to [0, 1]: a determinant above 1e-12 is plainly nonsingular; the
    # few below it (but not 0) are judged by their condition (singular values), which is scale-free.
    det = np.abs(np.linalg.det(sys))
    ok = det > 1e-12
    borderline = ~ok & (det > 0)
    if borderline.any():
        sv = np.linalg.svd(sys[borderline], compute_uv=False)
        ok[borderline] = sv[..., -1] > 1e-11 * sv[..., 0]
    safe = np.where(ok[..., None, None], sys, np.eye(k + 1))
    sol = np.linalg.solve(safe, rhs[..., None])[..., 0]
    return sol[..., :k], sol[..., k], ok


def support_enumeration(A: np.ndarray, B: np.ndarray, chunk: int = 50_000) -> list:
    """Equilibria on equal-size supports (all of them in a nondegenerate game), vectorised.

    For each support pair (I, J) of size k: y on J makes the row player indifferent on I, x on I the
    column player on J; kept if x, y >= 0 and no strategy outside the support does better.
    Tolerances replace nashpy's exact float comparisons; each player's payoffs are normalised to
    [0, 1] first, so every tolerance is relative to that player's payoff range.
    """
    from itertools import combinations
    A, B = normalised(np.asarray(A, float)), normalised(np.asarray(B, float))
    m, n = A.shape
    scale = 1.0
    out = []
    for k in range(1, min(m, n) + 1):
        rows = np.array(list(combinations(range(m), k)))
        cols = np.array(list(combinations(range(n), k)))
        pairs = np.stack(np.meshgrid(np.arange(len(rows)), np.arange(len(cols)), indexing="ij"), -1).reshape(-1, 2)
        for start in range(0, len(pairs), chunk):
            pi, pj = rows[pairs[start:start + chunk, 0]], cols[pairs[start:start + chunk, 1]]
            sub_a = A[pi[:, :, None], pj[:, None, :]]
            sub_b = B[pi[:, :, None], pj[:, None, :]]
            y, v, ok_y = _indifferent(sub_a)
            x, u, ok_x = _indifferent(np.swapaxes(sub_b, -1, -2))
            ok = ok_x & ok_y & (x >= -1e-12).all(-1) & (y >= -1e-12).all(-1)
            if not ok.any():
                continue
            idx = np.flatnonzero(ok)
            full_y = np.zeros((len(idx), n))
            full_x = np.zeros((len(idx), m))
            np.put_along_axis(full_y, pj[idx], np.clip(y[idx], 0, None), axis=1)
            np.put_along_axis(full_x, pi[idx], np.clip(x[idx], 0, None), axis=1)
            best_row = (full_y @ A.T).max(axis=1) <= v[idx] + TOL * scale
            best_col = (full_x @ B).max(axis=1) <= u[idx] + TOL * scale
            for t in np.flatnonzero(best_row & best_col):
                out.append((full_x[t], full_y[t]))
    return out


VERTEX_CHUNK = 20_000     # constraint choices solved per batch
LABEL_TOL = 1e-9          # a constraint is tight within this (payoffs normalised to [1, 2])
SMALL_POLYTOPE = 5_000    # up to this many (free, tight) choices the vertices are solved directly


def _labels(z: np.ndarray, M: np.ndarray, zero_labels: np.ndarray, row_labels: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Label bitmask and label count of each point z of {z >= 0, M z <= 1}: zero_labels[t] where
    z_t = 0, row_labels[k] where (M z)_k = 1 (within LABEL_TOL, payoffs in [1, 2])."""
    bits = np.left_shift(np.uint64(1), np.concatenate([zero_labels, row_labels]).astype(np.uint64))
    tight = np.hstack([z <= LABEL_TOL, np.abs(z @ M.T - 1) <= LABEL_TOL])
    return np.bitwise_or.reduce(np.where(tight, bits, np.uint64(0)), axis=1), tight.sum(axis=1)


def _solved_vertices(M: np.ndarray) -> np.ndarray:
    """Vertices of {z >= 0, M z <= 1} other than 0 by direct solution: a vertex with free coordinates F
    solves M[K, F] z_F = 1 for |K| = |F| tight rows, so every (F, K) of equal size is solved in batches;
    degenerate vertices (more than d tight) are found several times and merged by the caller."""
    from itertools import combinations
    k, d = M.shape
    verts = [np.zeros((0, d))]
    for r in range(1, min(d, k) + 1):
        free = np.array(list(combinations(range(d), r)), dtype=np.intp)
        rows = np.array(list(combinations(range(k), r)), dtype=np.intp)
        pairs = np.stack(np.meshgrid(np.arange(len(free)), np.arange(len(rows)), indexing="ij"), -1).reshape(-1, 2)
        for s in range(0, len(pairs), VERTEX_CHUNK):
            F, K = free[pairs[s:s + VERTEX_CHUNK, 0]], rows[pairs[s:s + VERTEX_CHUNK, 1]]
            G = M[K[:, :, None], F[:, None, :]]
            sign, logdet = np.linalg.slogdet(G)
            # entries in [1, 2]: a determinant above 1e-12 is plainly nonsingular; the few below it (von
            # Stengel's 6x6 game: 4e-15 at condition 2e7) are judged by their singular values
            ok = (sign != 0) & (logdet > np.log(1e-12))
            borderline = (sign != 0) & ~ok
            if borderline.any():
                sv = np.linalg.svd(G[borderline], compute_uv=False)
                ok[borderline] = sv[..., -1] > 1e-11 * sv[..., 0]
            if not ok.any():
                continue
            zf = np.linalg.solve(G[ok], np.ones((int(ok.sum()), r, 1)))[..., 0]
            z = np.zeros((len(zf), d))
            np.put_along_axis(z, F[ok], zf, axis=1)
            feasible = (zf >= -LABEL_TOL).all(axis=1) & ((z @ M.T) <= 1 + LABEL_TOL).all(axis=1)
            verts.append(np.clip(z[feasible], 0, None))
    return np.concatenate(verts)


def _hull_vertices(M: np.ndarray) -> np.ndarray:
    """Vertices of {z >= 0, M z <= 1} (entries of M in [1, 2]) by polar duality: about the interior
    point c = 1/(4d), each halfspace a z <= b becomes the point a / (b - a c), each facet n w + o = 0 of
    the points' convex hull (Qhull) the vertex c - n / o (Ziegler 1995, section 2.3; QuantEcon's
    method). A degenerate vertex is the facet of several hull simplices and is merged by the caller."""
    from scipy.spatial import ConvexHull, QhullError
    k, d = M.shape
    t = 1.0 / (4.0 * d)
    s = 1.0 - t * M.sum(axis=1)
    points = np.vstack([-np.eye(d) / t, M / s[:, None]])
    try:
        eq = ConvexHull(points).equations
    except QhullError:
        eq = ConvexHull(points, qhull_options="QJ").equations
    return t - eq[:, :-1] / eq[:, -1:]


def _polytope_vertices(M: np.ndarray, zero_labels: np.ndarray, row_labels: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of {z >= 0, M z <= 1} (entries of M in [1, 2], so bounded) other than 0, and each
    vertex's label bitmask: zero_labels[t] where z_t = 0, row_labels[k] where (M z)_k = 1. Small
    polytopes are solved directly, larger ones through Qhull (the same vertices: tested)."""
    from math import comb
    k, d = M.shape
    z = _solved_vertices(M) if d < 2 or comb(d + k, d) <= SMALL_POLYTOPE else _hull_vertices(M)
    feasible = (z >= -LABEL_TOL).all(axis=1) & ((z @ M.T) <= 1 + LABEL_TOL).all(axis=1) & (z.sum(axis=1) > LABEL_TOL)
    z = np.clip(z[feasible], 0, None)
    masks, count = _labels(z, M, zero_labels, row_labels)
    # only a degenerate vertex (more than d labels) is found more than once
    degenerate = np.flatnonzero(count > d)
    _, first = np.unique(np.round(z[degenerate], 10), axis=0, return_index=True)
    keep = np.sort(np.concatenate([np.flatnonzero(count <= d), degenerate[first]]))
    return z[keep], masks[keep]


def vertex_enumeration(A: np.ndarray, B: np.ndarray) -> list:
    """Every extreme equilibrium of (A, B), degenerate games included: the completely labelled pairs
    of vertices of the best-response polytopes P = {x >= 0, B^T x <= 1} and Q = {y >= 0, A y <= 1}
    (von Stengel 2007, "Equilibrium computation for two-player games", section 3.5), matched with
    label bitmasks. Each player's payoffs are normalised to [1, 2] first (positive, scale-free)."""
    return list(zip(*_vertex_equilibria(A, B)))


def _vertex_equilibria(A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    A, B = normalised(np.asarray(A, float)) + 1.0, normalised(np.asarray(B, float)) + 1.0
    m, n = A.shape
    if m + n > MAX_VERTEX_ACTIONS:
        raise InvalidParameter("A", f"shape {A.shape}", f"at most {MAX_VERTEX_ACTIONS} actions in all for vertex enumeration")
    _check_vertex_budget(A, B)
    rows, cols = np.arange(m), m + np.arange(n)
    X, mx = _polytope_vertices(B.T, rows, cols)         # x: label i where x_i = 0, m + j where (B^T x)_j = 1
    tick("bimatrix", f"row player's polytope: {len(X)} vertices")
    Y, my = _polytope_vertices(A, cols, rows)           # y: label m + j where y_j = 0, i where (A y)_i = 1
    tick("bimatrix", f"column player's polytope: {len(Y)} vertices")
    a, b = (np.concatenate(ix) for ix in zip(*_complete_pairs(mx, my, m, n)))
    tick("bimatrix", f"labels matched: {len(a)} candidate pairs")
    x, y = X[a], Y[b]
    return x / x.sum(axis=1, keepdims=True), y / y.sum(axis=1, keepdims=True)


def _check_vertex_budget(A: np.ndarray, B: np.ndarray) -> None:
    """Refuse, within a few seconds, a game whose best-response polytopes would have too many vertices
    to enumerate within about 60 s and 2 GB. Above PROBE_ACTIONS actions per player, the polytopes of
    the leading (k - 2) x (k - 2) and k x k sub-games (k = PROBE_ACTIONS) are enumerated, their growth
    per action extrapolated to the whole, and a projection above MAX_POLYTOPE_VERTICES refuses it
    (identity payoffs grow 2x per action: eye(18) runs, eye(20) is refused; so is a random 20 x 20, whose
    enumeration took 98 s)."""
    m, n = A.shape
    size = min(m, n)
    if size <= PROBE_ACTIONS:
        return
    for M in (B.T, A):
        small, large = (len(_polytope_vertices(normalised(M[:k, :k]) + 1.0, np.arange(k), k + np.arange(k))[0])
                        for k in (PROBE_ACTIONS - 2, PROBE_ACTIONS))
        growth = max(large / max(small, 1), 1.0) ** 0.5
        projected = large * growth ** (size - PROBE_ACTIONS)
        if projected > MAX_POLYTOPE_VERTICES:
            raise InvalidParameter("A", f"shape {A.shape}", f"a game whose best-response polytopes can be enumerated: "
                                   f"its leading sub-games' polytopes grow from {small} to {large} vertices between "
                                   f"{PROBE_ACTIONS - 2} and {PROBE_ACTIONS} actions, projecting {projected:.3g} at "
                                   f"{size} (limit {MAX_POLYTOPE_VERTICES:,}: about 60 s and 2 GB); perturb or reduce "
                                   f"the payoffs (a degenerate game such as identity payoffs has 2^n equilibria)")


def _popcount(masks: np.ndarray) -> np.ndarray:
    return np.unpackbits(masks.astype(np.uint64).view(np.uint8).reshape(-1, 8), axis=1).sum(axis=1)


def _complete_pairs(mx: np.ndarray, my: np.ndarray, m: int, n: int):
    """Index pairs (a, b) with mx[a] | my[b] covering all m + n labels. A vertex with exactly as many
    labels as its dimension pairs only with the exact complement of its mask (popcounts m and n add up
    to m + n), found by a sorted join; the few degenerate vertices (more labels) are checked against
    every vertex of the other polytope."""
    full = np.uint64((1 << (m + n)) - 1) if m + n < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
    simple_x, simple_y = _popcount(mx) == m, _popcount(my) == n
    xs, ys = np.flatnonzero(simple_x), np.flatnonzero(simple_y)
    order = ys[np.argsort(my[ys], kind="stable")]
    keys = my[order]
    want = full ^ mx[xs]
    lo, hi = np.searchsorted(keys, want, "left"), np.searchsorted(keys, want, "right")
    hit = hi > lo
    reps = (hi - lo)[hit]
    a = np.repeat(xs[hit], reps)
    b = order[np.concatenate([np.arange(s, e) for s, e in zip(lo[hit], hi[hit])])] if reps.sum() else np.zeros(0, np.intp)
    yield a, b
    for rows, cols in ((np.flatnonzero(~simple_x), np.arange(len(my))), (xs, np.flatnonzero(~simple_y))):
        step = max(1, 4_000_000 // max(len(cols), 1))
        for start in range(0, len(rows), step):
            r = rows[start:start + step]
            i, j = np.nonzero((mx[r, None] | my[None, cols]) == full)
            yield r[i], cols[j]


def has_payoff_ties(A: np.ndarray, B: np.ndarray, rtol: float = 1e-12) -> bool:
    """Ties within a column of A or a row of B, up to `rtol` of the player's payoff range: the usual
    source of degeneracy."""
    A, B = normalised(A), normalised(B)
    col = np.sort(A, axis=0)
    row = np.sort(B, axis=1)
    return bool(np.any(np.diff(col, axis=0) <= rtol) or np.any(np.diff(row, axis=1) <= rtol))


MAX_ACTIONS = 64
MAX_VERTEX_ACTIONS = 64       # both players' actions together: labels are bits of one uint64
PROBE_ACTIONS = 16            # above this many actions per player, leading sub-games are enumerated first
MAX_POLYTOPE_VERTICES = 1_000_000   # vertices one polytope may be projected to have (eye(18): 2^18 in 19-25 s; eye(20): 2^20 in 163 s)


def check_payoffs(name: str, payoffs: Any, ndim: int | None = None, max_actions: int | None = MAX_ACTIONS
                  ) -> np.ndarray:
    """A finite real payoff array with at least one action per player (at most `max_actions` each)."""
    try:
        arr = np.array(payoffs, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InvalidParameter(name, payoffs, "an array of real payoffs") from None
    if (ndim is not None and arr.ndim != ndim) or arr.ndim < 1:
        raise InvalidParameter(name, f"shape {arr.shape}", f"a {ndim or '>= 1'}-d payoff array")
    if arr.size == 0 or min(arr.shape) < 1:
        raise InvalidParameter(name, f"shape {arr.shape}", "at least one action for every player")
    if max_actions is not None and max(arr.shape) > max_actions:
        raise InvalidParameter(name, f"shape {arr.shape}", f"at most {max_actions} actions per player")
    if not np.all(np.isfinite(arr)):
        raise InvalidParameter(name, "non-finite payoffs", "finite payoffs (no NaN or inf)")
    return arr


BIMATRIX_METHODS = ("vertex", "support", "both")


@reports_progress("bimatrix")
def bimatrix(A, B, method: str = "vertex", progress: bool | None = None) -> BimatrixResult:
    """Every Nash equilibrium of a two-player game.

    Vertex enumeration of the best-response polytopes (Avis, Rosenberg, Savani and von Stengel 2010,
    "Enumeration of Nash equilibria for two-player games") through Qhull, scale-free; degenerate
    games are handled and every equilibrium is certified by its regret.

    Parameters
    ----------
    A, B : array_like
        The row and column players' payoff matrices, of one shape (m, n).
    method : str, default "vertex"
        The enumeration method.
    progress : bool, optional
        A progress bar on stderr (default: when stderr is a terminal or a notebook; False: never).

    Returns
    -------
    BimatrixResult
        `equilibria`: a list of (row strategy, column strategy) pairs.

    References
    ----------
    D. Avis, G. Rosenberg, R. Savani, B. von Stengel, Economic Theory 42 (2010) 9-37.

    Examples
    --------
    >>> import numpy as np, provergame as pg
    >>> A = np.array([[1, -1], [-1, 1]])                     # matching pennies
    >>> [(x.round(12).tolist(), y.round(12).tolist()) for x, y in pg.bimatrix(A, -A).equilibria]
    [([0.5, 0.5], [0.5, 0.5])]
    """
    if not isinstance(method, str) or method not in BIMATRIX_METHODS:
        raise InvalidParameter("method", method, f"one of {', '.join(BIMATRIX_METHODS)}")
    A = check_payoffs("A", A, ndim=2)
    B = check_payoffs("B", B, ndim=2)
    if A.shape != B.shape:
        raise InvalidParameter("B", B.shape, f"a payoff matrix of the same shape as A {A.shape}")
    # Each player's payoffs mapped to [0, 1] (an affine map leaves the equilibria unchanged): every
    # tolerance below is then relative to that player's payoff range, so units never change the answer.
    An, Bn = normalised(A), normalised(B)
    m, n = A.shape
    found: list = []
    methods: dict[str, int] = {}
    expect("bimatrix", 4 if method == "vertex" else 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method in ("vertex", "both"):
            methods["vertex_enumeration"] = _merge(found, *_vertex_equilibria(An, Bn), An, Bn)
        if method in ("support", "both"):
            methods["support_enumeration"] = _merge(found, *_pairs(support_enumeration(An, Bn), m, n), An, Bn)
            tick("bimatrix", "support enumeration")
        pure_x, pure_y = np.repeat(np.eye(m), n, axis=0), np.tile(np.eye(n), (m, 1))
        methods["pure_check"] = _merge(found, pure_x, pure_y, An, Bn)
        tick("bimatrix", "pure profiles checked")
    found.sort(key=lambda e: (tuple(-e[0]), tuple(-e[1])))
    return BimatrixResult(found, methods, is_degenerate(A, B, found))


def pure_equilibria(payoffs: np.ndarray, tol: float = TOL) -> np.ndarray:
    """Pure equilibria of an n-player game with payoff tensor of shape (a_1, ..., a_n, n).

    Returns an (k, n) integer array of action profiles where no player gains by deviating.
    """
    payoffs = check_payoffs("payoffs", payoffs)
    n = payoffs.shape[-1]
    if payoffs.ndim != n + 1:
        raise InvalidParameter("payoffs", f"shape {payoffs.shape}", "a tensor of shape (a_1, ..., a_n, n)")
    ok = np.ones(payoffs.shape[:-1], dtype=bool)
    for i in range(n):
        own = payoffs[..., i]
        best = own.max(axis=i, keepdims=True)
        ok &= own >= best - tol * float(own.max() - own.min())        # relative to the player's payoff range
    return np.argwhere(ok)


def replicator_symmetric(A: np.ndarray, steps: int = 20_000, dt: float = 0.05, seed: int = 0) -> np.ndarray:
    """Symmetric mixed strategy of a symmetric 2-player game by discrete replicator dynamics."""
    A = np.asarray(A, dtype=float)
    x = np.random.default_rng(seed).dirichlet(np.ones(A.shape[0]))
    shift = A - A.min() + 1.0
    for _ in range(steps):
        fit = shift @ x
        x = x * (1 + dt * (fit - x @ fit) / (x @ fit))
        x = np.clip(x, 0, None)
        x /= x.sum()
    return x
