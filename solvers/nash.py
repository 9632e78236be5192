"""Nash equilibria of finite games.

Two players: vectorised support enumeration (every equilibrium of a nondegenerate game) and, where
the game shows ties or degeneracy, a vectorised vertex enumeration of the best-response polytopes
(every extreme equilibrium, degenerate games included); each player's payoffs are normalised first,
so every tolerance is relative to its payoff range; every candidate is verified by its regret and
duplicates merged. n players: pure equilibria by vectorised enumeration of the payoff tensor (mixed
ones: solvers.normal_form).
"""
from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field

from typing import Any

import numpy as np

from provergame.errors import InvalidParameter

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
    A, B = normalised(A), normalised(B)
    for x, y in eqs:
        if np.sum(np.isclose(A @ y, np.max(A @ y), atol=1e-9)) > np.sum(x > TOL):
            return True
        if np.sum(np.isclose(x @ B, np.max(x @ B), atol=1e-9)) > np.sum(y > TOL):
            return True
    return False


def _merge(found: list, new: list, A, B) -> int:
    """Add the candidates whose regret, relative to each player's payoff range, is at most TOL."""
    added = 0
    for x, y in new:
        x, y = np.clip(np.asarray(x, float), 0, None), np.clip(np.asarray(y, float), 0, None)
        if x.sum() <= 0 or y.sum() <= 0:
            continue
        x, y = x / x.sum(), y / y.sum()
        if relative_regret(A, B, x, y) > TOL:
            continue
        if any(np.allclose(x, fx, atol=1e-7) and np.allclose(y, fy, atol=1e-7) for fx, fy in found):
            continue
        found.append((x, y))
        added += 1
    return added


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


def _polytope_vertices(M: np.ndarray, zero_labels: np.ndarray, row_labels: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of {z >= 0, M z <= 1} (entries of M in [1, 2], so bounded) other than 0, and each
    vertex's label bitmask: zero_labels[t] where z_t = 0, row_labels[k] where (M z)_k = 1. A vertex
    with free coordinates F solves M[K, F] z_F = 1 for |K| = |F| tight rows, so every (F, K) of equal
    size is solved in batches; degenerate vertices (more than d tight) are found several times and merged."""
    from itertools import combinations
    k, d = M.shape
    labels = np.concatenate([zero_labels, row_labels]).astype(np.uint64)
    verts = []
    for r in range(1, min(d, k) + 1):
        free = np.array(list(combinations(range(d), r)), dtype=np.intp)
        rows = np.array(list(combinations(range(k), r)), dtype=np.intp)
        pairs = np.stack(np.meshgrid(np.arange(len(free)), np.arange(len(rows)), indexing="ij"), -1).reshape(-1, 2)
        for s in range(0, len(pairs), VERTEX_CHUNK):
            F, K = free[pairs[s:s + VERTEX_CHUNK, 0]], rows[pairs[s:s + VERTEX_CHUNK, 1]]
            G = M[K[:, :, None], F[:, None, :]]
            sign, logdet = np.linalg.slogdet(G)
            ok = (sign != 0) & (logdet > np.log(1e-12))     # entries in [1, 2]: an absolute test is scale-free
            if not ok.any():
                continue
            zf = np.linalg.solve(G[ok], np.ones((int(ok.sum()), r, 1)))[..., 0]
            z = np.zeros((len(zf), d))
            np.put_along_axis(z, F[ok], zf, axis=1)
            feasible = (zf >= -LABEL_TOL).all(axis=1) & ((z @ M.T) <= 1 + LABEL_TOL).all(axis=1)
            verts.append(np.clip(z[feasible], 0, None))
    if not verts or not sum(len(v) for v in verts):
        return np.zeros((0, d)), np.zeros(0, dtype=np.uint64)
    z = np.unique(np.round(np.concatenate(verts), 12), axis=0)
    tight = np.hstack([z <= LABEL_TOL, np.abs(z @ M.T - 1) <= LABEL_TOL])
    masks = np.bitwise_or.reduce(np.where(tight, np.left_shift(np.uint64(1), labels), np.uint64(0)), axis=1)
    return z, masks


def vertex_enumeration(A: np.ndarray, B: np.ndarray) -> list:
    """Every extreme equilibrium of (A, B), degenerate games included: the completely labelled pairs
    of vertices of the best-response polytopes P = {x >= 0, B^T x <= 1} and Q = {y >= 0, A y <= 1}
    (von Stengel 2007, "Equilibrium computation for two-player games", section 3.5), matched with
    label bitmasks. Each player's payoffs are normalised to [1, 2] first (positive, scale-free)."""
    A, B = normalised(np.asarray(A, float)) + 1.0, normalised(np.asarray(B, float)) + 1.0
    m, n = A.shape
    if m + n > 64:
        raise InvalidParameter("A", f"shape {A.shape}", "at most 64 actions in all for vertex enumeration")
    rows, cols = np.arange(m), m + np.arange(n)
    X, mx = _polytope_vertices(B.T, rows, cols)         # x: label i where x_i = 0, m + j where (B^T x)_j = 1
    Y, my = _polytope_vertices(A, cols, rows)           # y: label m + j where y_j = 0, i where (A y)_i = 1
    full = np.uint64((1 << (m + n)) - 1) if m + n < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
    out = []
    for start in range(0, len(X), 4096):
        hit = np.argwhere((mx[start:start + 4096, None] | my[None, :]) == full)
        for a, b in hit:
            x, y = X[start + a], Y[b]
            out.append((x / x.sum(), y / y.sum()))
    return out


def has_payoff_ties(A: np.ndarray, B: np.ndarray, rtol: float = 1e-12) -> bool:
    """Ties within a column of A or a row of B, up to `rtol` of the player's payoff range: the usual
    source of degeneracy."""
    A, B = normalised(A), normalised(B)
    col = np.sort(A, axis=0)
    row = np.sort(B, axis=1)
    return bool(np.any(np.diff(col, axis=0) <= rtol) or np.any(np.diff(row, axis=1) <= rtol))


MAX_ACTIONS = 64


def check_payoffs(name: str, payoffs: Any, ndim: int | None = None) -> np.ndarray:
    """A finite real payoff array with at least one action per player (at most MAX_ACTIONS each)."""
    try:
        arr = np.array(payoffs, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameter(name, payoffs, "an array of real payoffs") from None
    if (ndim is not None and arr.ndim != ndim) or arr.ndim < 1:
        raise InvalidParameter(name, f"shape {arr.shape}", f"a {ndim or '>= 1'}-d payoff array")
    if arr.size == 0 or min(arr.shape) < 1:
        raise InvalidParameter(name, f"shape {arr.shape}", "at least one action for every player")
    if max(arr.shape) > MAX_ACTIONS:
        raise InvalidParameter(name, f"shape {arr.shape}", f"at most {MAX_ACTIONS} actions per player")
    if not np.all(np.isfinite(arr)):
        raise InvalidParameter(name, "non-finite payoffs", "finite payoffs (no NaN or inf)")
    return arr


def bimatrix(A, B, vertex_enumeration: bool | None = None) -> BimatrixResult:
    """All equilibria of the bimatrix game (A, B), each verified by regret; `methods` says who found what.

    Vectorised support enumeration finds every equilibrium of a nondegenerate game. If the game
    shows signs of degeneracy (payoff ties, or a found equilibrium with surplus best responses), the
    vertex enumeration runs as well, since equilibria may then sit on unequal supports.
    """
    A = check_payoffs("A", A, ndim=2)
    B = check_payoffs("B", B, ndim=2)
    if A.shape != B.shape:
        raise InvalidParameter("B", B.shape, f"a payoff matrix of the same shape as A {A.shape}")
    # Each player's payoffs mapped to [0, 1] (an affine map leaves the equilibria unchanged): every
    # tolerance below is then relative to that player's payoff range, so units never change the answer.
    An, Bn = normalised(A), normalised(B)
    found: list = []
    methods: dict[str, int] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        methods["support_enumeration"] = _merge(found, support_enumeration(An, Bn), An, Bn)
        suspicious = has_payoff_ties(An, Bn) or is_degenerate(An, Bn, found)
        if vertex_enumeration or (vertex_enumeration is None and suspicious):
            methods["vertex_enumeration"] = _merge(found, globals()["vertex_enumeration"](An, Bn), An, Bn)
        pure = [(np.eye(A.shape[0])[i], np.eye(A.shape[1])[j])
                for i in range(A.shape[0]) for j in range(A.shape[1])]
        methods["pure_check"] = _merge(found, pure, An, Bn)
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
