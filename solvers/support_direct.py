"""Support systems solved in closed form where their structure allows, before any subdivision.

A player's indifference equations depend only on the other players' probabilities (McKelvey and
McLennan 1996, section 4). So where exactly two players mix, each one's equations are linear in the
other's unknowns: two square linear systems, one solution each (Porter, Nudelman and Shoham 2008 solve
these supports by linear algebra too). Where three players mix over two actions each, the equations
f_i = a_i + b_i x_j + c_i x_k + d_i x_j x_k are bilinear: eliminating x_1 and x_2 through f_2 and f_1
leaves a quadratic in x_3 (Bezout: at most 2 roots; the same count as McKelvey and McLennan's 2x2x2).
Where three mix over three, two and two actions, the first player's two equations are bilinear in the
others' two unknowns (a quadratic again), and at each root the others' equations are linear in the
first player's two unknowns. Where four mix over two actions each, two unknowns are eliminated through
two equations (each linear in one of them), and the resultant of the other two equations in a third
unknown is a polynomial of degree at most 13 in the fourth, interpolated at Chebyshev points; a root of
it in a cluster (a multiple root, found only to the root of rounding) hands the system back.

Where one player mixes, its equations are constants: nonzero, no root; zero, its mixtures that keep the
others' pure actions best responses form a polytope, whose vertices are returned as the extreme points
of that continuum (the system itself counted as not isolated). Where two players mix and their linear
system is singular but one player's equations fix the other's mixture, the first player's mixtures form
such a polytope too, returned the same way.

A system is handed back to the subdivision (None) whenever the closed form is degenerate: a quadratic
vanishing identically or with a double root, an eliminated denominator near zero at a root, or a
singular (or non-square) linear system that some point solves and in which neither player's mixture is
fixed; one that no point solves has no root. Otherwise its roots are the system's only ones, polished by Newton's method; each is
then certified by its regret, as the subdivision's are (solvers/normal_form.py).
"""
from __future__ import annotations

import itertools
from math import comb

import numpy as np

from .subdivision import Roots, SupportSystem, _invertible, _newton, _unique

SINGULAR = 1e-9        # relative size below which a pivot, leading coefficient or denominator counts as zero
SLACK = 1e-9           # a root this far outside the simplices is kept for the regret check to judge
INCONSISTENT = 1e-6    # least-squares residual, relative, beyond which a singular linear system has no solution
CONSTANT = 1e-9        # a constant equation this far from zero has no root; exactly zero, a polytope of roots
MAX_VERTEX_SYSTEMS = 20_000   # choices of tight constraints tried for a continuum's vertices
NEAR = 1e-4           # an eliminant's root whose equations are further from zero than this is not a root
PAIRED = 1e-3         # |Q| at a root of P, relative, beyond which that root is P's alone: a resultant's root
                      # near another is found to a few digits only, so Q at it is not at rounding level
CLUSTER = 1e-2        # roots of a resultant this close to the real line, or three this close together, in or
                      # near [0, 1], are taken for one multiple root (see _clustered)


def direct_roots(system: SupportSystem) -> list[Roots | None]:
    """Each system's roots in closed form (see the module docstring), or None where it must be subdivided."""
    mixing = [i for i, s in enumerate(system.supports) if len(s) > 1]
    if len(mixing) == 1:
        return _one_mixing(system)
    if len(mixing) == 2:
        return _two_mixing(system)
    sizes = sorted(len(system.supports[i]) for i in mixing)
    if sizes == [2, 2, 2]:
        return _three_binary(system)
    if sizes == [2, 2, 3]:
        return _one_pair(system, mixing)
    if sizes == [2, 2, 2, 2]:
        return _four_binary(system)
    return [None] * system.count


def _one_mixing(system: SupportSystem) -> list[Roots | None]:
    """One mixing player: its equations are constants (the others play pure). Nonzero: no root. Zero: every
    mixture of its support where each other player's action stays a best response, a polytope P (the
    others' conditions are linear in its unknowns). P empty: no root; otherwise its points are not
    isolated solutions of the system (a continuum, or one point where the system is singular), counted
    as unresolved, P's vertices returned as its extreme points."""
    f0, jac, g0, gjac = _affine_parts(system)
    k = system.unknowns
    out: list[Roots | None] = []
    for w in range(system.count):
        size = max(np.abs(f0[w]).max(), 1.0)
        if np.abs(f0[w]).max() > CONSTANT * size:
            out.append(Roots(np.zeros((0, k)), 0))
            continue
        if np.abs(f0[w]).max() > 0 or np.abs(jac[w]).max() > 0:
            out.append(None)                   # nearly zero: left to the subdivision's tolerances
            continue
        vertices = _polytope_vertices(np.concatenate([-np.eye(k), np.ones((1, k)), gjac[w]]),
                                      np.concatenate([np.zeros(k), [1.0], -g0[w]]))
        if vertices is None:
            out.append(None)
        elif len(vertices) == 0:
            out.append(Roots(np.zeros((0, k)), 0))
        else:                                  # not isolated within the support profile (its system is singular)
            out.append(Roots(np.zeros((0, k)), len(vertices), extreme=vertices))
    return out


def _polytope_vertices(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """The vertices of {x : a x <= b} (bounded here: inside a simplex), by every choice of k tight rows
    solved and kept where feasible (within SLACK); None past MAX_VERTEX_SYSTEMS choices."""
    m, k = a.shape
    if comb(m, k) > MAX_VERTEX_SYSTEMS:
        return None
    rows = np.array(list(itertools.combinations(range(m), k)))
    sub_a, sub_b = a[rows], b[rows]
    ok = _invertible(sub_a)
    if not ok.any():
        return np.zeros((0, k))
    x = np.linalg.solve(sub_a[ok], sub_b[ok][..., None])[..., 0]
    x = x[(x @ a.T <= b + SLACK).all(axis=1)]
    kept: list[np.ndarray] = []
    for v in x:
        if not any(np.abs(v - u).max() <= SLACK for u in kept):
            kept.append(v)
    return np.array(kept).reshape(-1, k)


def _affine_parts(system: SupportSystem) -> tuple[np.ndarray, ...]:
    """(f(0), its unit-step differences, g(0), its unit-step differences): the equations f and the outside
    actions' advantages g at the origin and at each unit vector, every system of the stack. Exact where
    they are affine: the linear systems of two mixing players, everything where one player mixes."""
    k, count = system.unknowns, system.count
    points = np.concatenate([np.zeros((1, k)), np.eye(k)])
    f, g = system.conditions(np.tile(points, (count, 1)), np.repeat(np.arange(count), k + 1))
    f, g = f.reshape(count, k + 1, k), g.reshape(count, k + 1, -1)
    return (f[:, 0], np.swapaxes(f[:, 1:] - f[:, :1], 1, 2), g[:, 0], np.swapaxes(g[:, 1:] - g[:, :1], 1, 2))


def _two_mixing(system: SupportSystem) -> list[Roots | None]:
    """Two mixing players: J x + f(0) = 0 with J constant (each player's rows in the other's unknowns). Regular
    (square and nonsingular): its one solution. Otherwise, where even the least-squares solution leaves a
    residual (no point of R^k solves it, by more than INCONSISTENT of its scale), no root; else a solution
    set that is not a point: a polytope where one player's mixture is fixed (_half_fixed), else None, for
    the subdivision to bound."""
    f0, jac, _, _ = _affine_parts(system)
    scale = np.maximum(np.abs(jac).max(axis=(1, 2)), np.abs(f0).max(axis=1))
    s = np.linalg.svd(jac, compute_uv=False)
    regular = s[:, -1] > SINGULAR * np.maximum(s[:, 0], 1e-300)
    out: list[Roots | None] = [None] * system.count
    if regular.any():
        x = np.linalg.solve(jac[regular], -f0[regular][..., None])[..., 0]
        for w, point in zip(np.flatnonzero(regular), x):
            out[w] = _kept(system, point[None, :])
    if (~regular).any():
        rows = np.flatnonzero(~regular)
        x = np.einsum("bij,bj->bi", np.linalg.pinv(jac[rows], rcond=SINGULAR), -f0[rows])
        residual = np.abs(np.einsum("bij,bj->bi", jac[rows], x) + f0[rows]).max(axis=1)
        for w, inconsistent in zip(rows, residual > INCONSISTENT * scale[rows]):
            out[w] = Roots(np.zeros((0, system.unknowns)), 0) if inconsistent else _half_fixed(system, w, f0[w], jac[w])
    return out


def _half_fixed(system: SupportSystem, w: int, f0: np.ndarray, jac: np.ndarray) -> Roots | None:
    """A singular, consistent system of two mixing players a and b where b's equations fix a's mixture (their
    matrix in a's unknowns has full column rank): a's mixture is that one point, and the equilibria are the
    mixtures of b that solve a's equations and keep every outside action (a's, b's, the pure players')
    no better, a polytope once a's mixture is fixed (every condition is then affine in b's unknowns). Its
    vertices are returned as the extreme points of a continuum (counted as not isolated, as where one player
    mixes), or no root where it is empty or a's point leaves its simplex. None where neither player's
    mixture is fixed (a solution set in both: for the subdivision)."""
    blocks = [b for b in system.blocks if b.stop > b.start]
    k = system.unknowns
    for fixed, free in (blocks, blocks[::-1]):
        matrix, rhs = jac[free, fixed], -f0[free]            # the free player's equations in the fixed one's unknowns
        if np.linalg.matrix_rank(matrix, tol=SINGULAR * max(np.abs(matrix).max(), 1e-300)) < fixed.stop - fixed.start:
            continue
        point = np.linalg.lstsq(matrix, rhs, rcond=None)[0]
        if (point < -SLACK).any() or point.sum() > 1 + SLACK:
            return Roots(np.zeros((0, k)), 0)                # the fixed mixture is not a probability vector
        base = np.zeros((1 + free.stop - free.start, k))
        base[:, fixed] = point
        base[np.arange(1, len(base)), np.arange(free.start, free.stop)] = 1.0
        f, g = system.conditions(base, np.full(len(base), w))
        if np.abs(f[0, free]).max(initial=0.0) > INCONSISTENT * max(np.abs(f0).max(), np.abs(jac).max(), 1e-300) \
                or (g[0, _rows_of(system, free)] > SLACK).any():
            return Roots(np.zeros((0, k)), 0)                # the free player's own conditions fail at the point
        eq, eq_jac = f[0, fixed], (f[1:, fixed] - f[0, fixed]).T          # the fixed player's equations in x_free
        ineq, ineq_jac = g[0], (g[1:] - g[0]).T
        m = free.stop - free.start
        a = np.concatenate([-np.eye(m), np.ones((1, m)), ineq_jac, eq_jac, -eq_jac])
        b = np.concatenate([np.zeros(m), [1.0], -ineq, -eq, eq])
        vertices = _polytope_vertices(a, b)
        if vertices is None:
            return None
        if not len(vertices):
            return Roots(np.zeros((0, k)), 0)
        full = np.repeat(base[:1], len(vertices), axis=0)
        full[:, free] = vertices
        return Roots(np.zeros((0, k)), len(vertices), extreme=full)
    return None


def _rows_of(system: SupportSystem, block: slice) -> np.ndarray:
    """The outside-action rows of `conditions`' inequalities that belong to the player whose unknowns are `block`."""
    player = next(i for i, b in enumerate(system.blocks) if b == block)
    sizes = [len(o) for o in system.outside]
    start = sum(sizes[:player])
    return np.arange(start, start + sizes[player])


def _three_binary(system: SupportSystem) -> list[Roots | None]:
    """Three players mixing over two actions each: f_1(x_2, x_3), f_2(x_1, x_3), f_3(x_1, x_2) bilinear;
    x_2 = -(a_1 + c_1 x_3) / (b_1 + d_1 x_3), x_1 = -(a_2 + c_2 x_3) / (b_2 + d_2 x_3), and f_3 times both
    denominators is a quadratic in x_3."""
    count = system.count
    corners = ((np.arange(8)[:, None] >> np.array([2, 1, 0])) & 1).astype(float)      # (x_1, x_2, x_3) bits
    f, g = system.conditions(np.tile(corners, (count, 1)), np.repeat(np.arange(count), 8))
    f = f.reshape(count, 2, 2, 2, 3)                                                  # [x1, x2, x3, equation]
    c1 = _bilinear(f[:, 0, :, :, 0])            # f_1 over (x_2, x_3)
    c2 = _bilinear(f[:, :, 0, :, 1])            # f_2 over (x_1, x_3)
    c3 = _bilinear(f[:, :, :, 0, 2])            # f_3 over (x_1, x_2)
    found = [_three_binary_any(c1[w], c2[w], c3[w]) for w in range(count)]
    out = _settled(system, [None if x is None else x[0] for x in found])
    for w, x in enumerate(found):               # a curve of roots: not isolated, its ends the extreme points
        if x is not None and x[1] is not None and out[w] is not None:     # (where other players play pure, the
            out[w] = None if g.shape[-1] else Roots(out[w].points, out[w].unresolved + 1, extreme=x[1])
    return out                                  # subdivision decides whether their actions keep the curve)


def _one_pair(system: SupportSystem, mixing: list[int]) -> list[Roots | None]:
    """Three mixing players, one (p) over three actions and two (q, r) over two: p's two equations are bilinear
    in (x_q, x_r), a quadratic in x_r once x_q is eliminated; at each of its roots q's and r's equations are
    linear in p's two unknowns."""
    blocks = system.blocks
    p = next(i for i in mixing if len(system.supports[i]) == 3)
    q, r = (i for i in mixing if i != p)
    cq, cr = blocks[q].start, blocks[r].start
    rows = np.arange(blocks[p].start, blocks[p].stop)
    count, k = system.count, system.unknowns
    corners = np.zeros((4, k))
    corners[:, cq], corners[:, cr] = [0, 1, 0, 1], [0, 0, 1, 1]                    # (x_q, x_r) over the square
    f, _ = system.conditions(np.tile(corners, (count, 1)), np.repeat(np.arange(count), 4))
    g = f.reshape(count, 2, 2, k)[..., rows].transpose(0, 3, 2, 1)                  # [w, equation, x_q, x_r]
    coefficients = _bilinear(g)                                                    # (count, 2, 4)
    return _settled(system, [_one_pair_points(system, w, coefficients[w], p, cq, cr, blocks[q].start, blocks[r].start)
                             for w in range(count)])


def _one_pair_points(system: SupportSystem, w: int, g: np.ndarray, p: int, cq: int, cr: int, eq_q: int, eq_r: int
                     ) -> np.ndarray | None:
    """Every solution of system w from p's bilinear coefficients `g`, or None (see _one_pair)."""
    (a1, b1, c1, d1), (a2, b2, c2, d2) = g         # g_i = a_i + b_i x_q + c_i x_r + d_i x_q x_r
    size = max(np.abs(g).max(), 1e-300)
    P = np.polynomial.polynomial
    n1, den1 = np.array([-a1, -c1]), np.array([b1, d1])                             # x_q = n1(x_r) / den1(x_r)
    quadratic = P.polyadd(P.polymul([a2, c2], den1), P.polymul([b2, d2], n1))        # g_2 times den1
    roots = _quadratic_roots(quadratic, size ** 2)
    if roots is None:
        return None
    tiny = SINGULAR * size
    pairs = []
    for xr in roots:
        num, den = P.polyval(xr, n1), P.polyval(xr, den1)
        if abs(den) > tiny:
            pairs.append((num / den, xr))
        elif abs(num) > tiny:
            continue                                   # g_1 a nonzero constant here: no solution
        elif abs(b2 + d2 * xr) > tiny:
            pairs.append((-(a2 + c2 * xr) / (b2 + d2 * xr), xr))   # g_1 free of x_q here: g_2 fixes it
        else:
            return None
    block = system.blocks[p]
    points = []
    for xq, xr in pairs:
        base = np.zeros((3, system.unknowns))
        base[:, cq], base[:, cr] = xq, xr
        base[1, block.start], base[2, block.start + 1] = 1.0, 1.0                   # p's unknowns 0, e_1, e_2
        f, _ = system.conditions(base, np.full(3, w))
        rhs = f[0, [eq_q, eq_r]]
        matrix = (f[1:, [eq_q, eq_r]] - rhs).T                                      # q's and r's rows in x_p
        if not _invertible(matrix[None]).all():
            return None
        point = base[0].copy()
        point[block] = np.linalg.solve(matrix, -rhs)
        points.append(point)
    return np.array(points).reshape(-1, system.unknowns)


def _bilinear(v: np.ndarray) -> np.ndarray:
    """(a, b, c, d) of a + b u + c v + d u v from its values at the unit square's corners v[..., u, v]."""
    a = v[..., 0, 0]
    b = v[..., 1, 0] - a
    c = v[..., 0, 1] - a
    return np.stack([a, b, c, v[..., 1, 1] - a - b - c], axis=-1)


def _three_binary_any(e1: np.ndarray, e2: np.ndarray, e3: np.ndarray) -> tuple | None:
    """The closed form eliminating each unknown in turn until one is not degenerate (an equation that
    factors as (1 - x_k) times another vanishes on a face for every x_3 when x_k is not the one eliminated):
    trying all three makes the answer independent of how the players are listed."""
    swap = [0, 2, 1, 3]                          # a + b u + c v + d u v with u and v exchanged
    for turn in range(3):
        found = _three_binary_points(e1, e2, e3)
        if found is not None:
            points, ends = found
            back = [turn % 3, (turn + 1) % 3, (turn + 2) % 3]
            return points[:, back], None if ends is None else ends[:, back]
        e1, e2, e3 = e3, e1[swap], e2[swap]      # (y_1, y_2, y_3) = (x_3, x_1, x_2): x_2 eliminated next
    return None


def _three_binary_points(e1: np.ndarray, e2: np.ndarray, e3: np.ndarray) -> tuple | None:
    """Every isolated solution (x_1, x_2, x_3) of one system from its equations' bilinear coefficients, and
    the ends of a curve of solutions where there is one (else None); None where the closed form is
    degenerate."""
    a1, b1, c1, d1 = e1            # f_1 = a1 + b1 x2 + c1 x3 + d1 x2 x3
    a2, b2, c2, d2 = e2            # f_2 = a2 + b2 x1 + c2 x3 + d2 x1 x3
    a3, b3, c3, d3 = e3            # f_3 = a3 + b3 x1 + c3 x2 + d3 x1 x2
    P = np.polynomial.polynomial
    n1, den1 = np.array([-a1, -c1]), np.array([b1, d1])          # x2 = n1(x3) / den1(x3)
    n2, den2 = np.array([-a2, -c2]), np.array([b2, d2])          # x1 = n2(x3) / den2(x3)
    q = P.polyadd(P.polyadd(a3 * P.polymul(den1, den2), b3 * P.polymul(n2, den1)),
                  P.polyadd(c3 * P.polymul(n1, den2), d3 * P.polymul(n1, n2)))
    size = max(np.abs(np.concatenate([e1, e2, e3])).max(), 1e-300)
    x3 = _quadratic_roots(q, size ** 3)
    if x3 is None and np.abs(q).max() <= SINGULAR * size ** 3:
        return None                              # q vanishes identically: some other continuum
    if x3 is None:                               # a double root: where f_1 and f_2 vanish together, a curve;
        z = _shared_root(e1, e2, size)           # else still every solution's x_3 (as where some n_i and
        z = -q[1] / (2 * q[2]) if z is None else z        # den_i share a factor): none inside if it is a face's
        if not SLACK < z < 1 - SLACK:
            return np.zeros((0, 3)), None
        x3 = np.array([z])
    points, ends = [], None
    for z in x3:
        point = _at_root(z, e1, e2, e3, size)
        if point is None:
            return None
        if isinstance(point, np.ndarray):        # f_1 and f_2 vanish at this x_3: the curve f_3 = 0 there
            if len(point) and _through_inside(z, e3, SINGULAR * size):
                ends = point if ends is None else np.concatenate([ends, point])
            continue
        points.extend(point)
    points = np.array(points).reshape(-1, 3)          # a point on a face is a smaller support's root (where
    return points[((points > SLACK) & (points < 1 - SLACK)).all(axis=1)], ends   # it is singular, harmlessly)


def _quadratic_roots(q: np.ndarray, size: float) -> np.ndarray | None:
    """The real roots of q[0] + q[1] z + q[2] z^2 (coefficients of magnitude about `size`), computed without
    cancellation; None where q vanishes identically or has a double root (a continuum, or a singular root)."""
    q = np.pad(q, (0, 3 - len(q)))
    top = np.abs(q).max()
    if top <= SINGULAR * size:
        return None
    if abs(q[2]) > SINGULAR * top:
        disc = q[1] ** 2 - 4 * q[2] * q[0]
        if abs(disc) <= SINGULAR * max(q[1] ** 2, abs(4 * q[2] * q[0]), 1e-300):
            return None
        if disc < 0:
            return np.zeros(0)
        big = -(q[1] + np.copysign(np.sqrt(disc), q[1])) / 2
        return np.array([big / q[2], q[0] / big])
    if abs(q[1]) > SINGULAR * top:
        return np.array([-q[0] / q[1]])
    return np.zeros(0)                                           # a nonzero constant: no root


def _at_root(x3: float, e1: np.ndarray, e2: np.ndarray, e3: np.ndarray, size: float) -> list | None:
    """The solutions with this x_3 (a root of the quadratic): x_1 from f_2 and x_2 from f_1, or, where one of
    them vanishes for every value of its unknown at this x_3 (both roots of McKelvey and McLennan's 2x2x2 are
    such), that unknown from f_3; where both vanish, the ends of the curve f_3 = 0 (an array); None where
    the solutions here are some other continuum."""
    a1, b1, c1, d1 = e1
    a2, b2, c2, d2 = e2
    a3, b3, c3, d3 = e3
    tiny = SINGULAR * size
    n1, den1, n2, den2 = -(a1 + c1 * x3), b1 + d1 * x3, -(a2 + c2 * x3), b2 + d2 * x3
    free1, free2 = abs(den1) <= tiny, abs(den2) <= tiny          # f_1 (f_2) does not involve x_2 (x_1) here
    if (free1 and abs(n1) > tiny) or (free2 and abs(n2) > tiny):
        return []                                                  # it is a nonzero constant: no solution
    if free1 and free2:                                            # f_3 alone: a curve, given by its ends
        return _curve_ends(e3, x3, tiny)
    if free1:
        x1 = n2 / den2
        slope = c3 + d3 * x1
        return None if abs(slope) <= tiny else [(x1, -(a3 + b3 * x1) / slope, x3)]
    if free2:
        x2 = n1 / den1
        slope = b3 + d3 * x2
        return None if abs(slope) <= tiny else [(-(a3 + c3 * x2) / slope, x2, x3)]
    return [(n2 / den2, n1 / den1, x3)]


def _shared_root(e1: np.ndarray, e2: np.ndarray, size: float) -> float | None:
    """The x_3 at which f_1 and f_2 both vanish for every value of their other unknown, or None: then both
    n_i and den_i of the elimination share that root and the quadratic has it twice (Nau, Gomez Canovas and
    Hansen 2004, section 5: a continuum of completely mixed equilibria)."""
    tiny, roots = SINGULAR * size, []
    for a, b, c, d in (e1, e2):                  # f = a + b x + c x_3 + d x x_3 = (a + c x_3) + (b + d x_3) x
        if abs(d) <= tiny:
            return None
        z = -b / d
        if abs(a + c * z) > tiny:
            return None
        roots.append(z)
    return roots[0] if abs(roots[0] - roots[1]) <= SINGULAR * max(1.0, abs(roots[0])) else None


def _through_inside(x3: float, e3: np.ndarray, tiny: float) -> bool:
    """Whether the curve f_3 = 0 at this x_3 passes inside the open cube (else its points lie on faces, which
    are smaller supports' solutions): x_3 strictly inside, and f_3, a convex combination of its values at
    the square's corners with positive weights inside, takes both signs there or vanishes throughout."""
    a3, b3, c3, d3 = e3
    corners = np.array([a3, a3 + b3, a3 + c3, a3 + b3 + c3 + d3])
    inside = tiny < x3 < 1 - tiny
    return inside and ((corners.max() > tiny and corners.min() < -tiny) or np.abs(corners).max() <= tiny)


def _curve_ends(e3: np.ndarray, x3: float, tiny: float) -> np.ndarray:
    """Where f_3 = a3 + b3 x1 + c3 x2 + d3 x1 x2 = 0 meets the unit square's edges, as points (x1, x2, x3):
    each component of that curve (a hyperbola's branch or a line, both unbounded) crosses the square from
    edge to edge, so these are its ends; a whole edge where f_3 vanishes on it gives its two corners."""
    a3, b3, c3, d3 = e3
    ends = []
    for t in (0.0, 1.0):
        for fixed in (0, 1):                       # the edge x_{fixed + 1} = t, f_3 linear in the other unknown
            base, slope = (a3 + b3 * t, c3 + d3 * t) if fixed == 0 else (a3 + c3 * t, b3 + d3 * t)
            if abs(slope) > tiny:
                free = [-base / slope] if -SLACK <= -base / slope <= 1 + SLACK else []
            else:
                free = [0.0, 1.0] if abs(base) <= tiny else []
            ends += [(t, u, x3) if fixed == 0 else (u, t, x3) for u in free]
    return _unique([np.array(e) for e in ends], 3).reshape(-1, 3)


def _four_binary(system: SupportSystem) -> list[Roots | None]:
    """Four players mixing over two actions each: f_0(x_1, x_2, x_3), ..., f_3(x_0, x_1, x_2) trilinear. f_0 and
    f_1 give x_1 = -A_0 / B_0 and x_0 = -A_1 / B_1 (A, B bilinear in x_2, x_3); f_2 and f_3 times B_0 B_1 are
    polynomials P and Q in (x_2, x_3), and their resultant in x_2, of degree at most 13 in x_3, holds every
    solution's x_3 (interpolated at Chebyshev points, its roots the eigenvalues of its companion matrix);
    the stack's systems at once up to the roots."""
    count = system.count
    corners = ((np.arange(16)[:, None] >> np.array([3, 2, 1, 0])) & 1).astype(float)      # (x_0, ..., x_3) bits
    f, _ = system.conditions(np.tile(corners, (count, 1)), np.repeat(np.arange(count), 16))
    f = f.reshape(count, 2, 2, 2, 2, 4)                                                 # [x0, x1, x2, x3, equation]
    c0, c1, c2, c3 = (_multilinear(v) for v in (f[:, 0, :, :, :, 0], f[:, :, 0, :, :, 1], f[:, :, :, 0, :, 2],
                                                 f[:, :, :, :, 0, 3]))               # f_i over the others: [w, i, j, l]
    a0, b0, a1, b1 = c0[:, 0], c0[:, 1], c1[:, 0], c1[:, 1]                              # over (x2, x3): [w, x2, x3]
    bb, ab, ba, aa = _mul2(b0, b1), _mul2(a1, b0), _mul2(a0, b1), _mul2(a0, a1)
    p = (_mul2(c2[:, 0, 0][:, None, :], bb) - _mul2(c2[:, 1, 0][:, None, :], ab) - _mul2(c2[:, 0, 1][:, None, :], ba)
         + _mul2(c2[:, 1, 1][:, None, :], aa))                                        # f_2 B0 B1: (w, 3, 4)
    q = (_mul2(c3[:, 0, 0][:, :, None], bb) - _mul2(c3[:, 1, 0][:, :, None], ab) - _mul2(c3[:, 0, 1][:, :, None], ba)
         + _mul2(c3[:, 1, 1][:, :, None], aa))                                        # f_3 B0 B1: (w, 4, 3)
    P = np.polynomial.polynomial
    pn = P.polyval(NODES, np.moveaxis(p, 2, 0))                                       # (w, 3, nodes): x2 coefficients
    qn = P.polyval(NODES, np.moveaxis(q, 2, 0))                                       # (w, 4, nodes)
    values = np.linalg.det(_sylvester(np.moveaxis(pn, 2, 1), np.moveaxis(qn, 2, 1)))    # (w, nodes)
    series = values @ FIT.T                                                           # Chebyshev coefficients (w, 14)
    out = []
    for w in range(count):
        size_p, size_q = max(np.abs(p[w]).max(), 1e-300), max(np.abs(q[w]).max(), 1e-300)
        if np.abs(values[w]).max() <= SINGULAR * size_p ** 3 * size_q ** 2 or \
                np.abs(series[w] @ VANDER.T - values[w]).max() > 1e-6 * np.abs(values[w]).max():
            out.append(None)                   # P and Q share a factor, or the resultant is not a polynomial of degree 13
            continue
        roots = np.polynomial.Chebyshev(series[w], domain=[-0.25, 1.25]).roots()
        out.append(_four_binary_points(roots, p[w], q[w], c0[w], c1[w], c2[w], size_p, size_q))
    return _settled(system, _near_roots(system, out))


def _near_roots(system: SupportSystem, candidates: list[np.ndarray | None]) -> list[np.ndarray | None]:
    """The candidates after three steps of Newton's method, those where every equation is then within NEAR of
    zero (payoffs scaled to [0, 1]): the others are not roots (a spurious root of an eliminant, where an
    eliminated denominator nearly vanishes), and Newton's method would only wander from them, while a root
    found to a few digits is polished to many by three steps (quadratic convergence)."""
    k = system.unknowns
    owners, points = _stacked(candidates, k)
    if not len(points):
        return candidates
    polished = _newton(system, points, owners, steps=3)
    polished = np.where(np.isfinite(polished).all(axis=1, keepdims=True), polished, points)
    f, _ = system.conditions(polished, owners)
    near = np.abs(f).max(axis=1) <= NEAR
    return [None if c is None else polished[(owners == w) & near] for w, c in enumerate(candidates)]


NODES = 0.5 + 0.75 * np.cos(np.pi * (np.arange(24) + 0.5) / 24)       # 24 Chebyshev points on [-0.25, 1.25]
VANDER = np.polynomial.chebyshev.chebvander((NODES - 0.5) / 0.75, 13)  # the series' values at the points
FIT = np.linalg.pinv(VANDER)                                          # least squares: values -> 14 coefficients


def _multilinear(v: np.ndarray) -> np.ndarray:
    """Coefficients c[..., i, j, l] of sum c u^i v^j w^l from the values at the unit cube's corners v[..., u, v, w]."""
    c = v.astype(float)
    for axis in (-3, -2, -1):
        low, high = np.take(c, [0], axis=axis), np.take(c, [1], axis=axis)
        c = np.concatenate([low, high - low], axis=axis)
    return c


def _mul2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Products of polynomials in (x_2, x_3) given as coefficient arrays [..., power of x_2, power of x_3]."""
    out = np.zeros(np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
                   + (a.shape[-2] + b.shape[-2] - 1, a.shape[-1] + b.shape[-1] - 1))
    for i, j in itertools.product(range(a.shape[-2]), range(a.shape[-1])):
        out[..., i:i + b.shape[-2], j:j + b.shape[-1]] += a[..., i, j, None, None] * b
    return out


def _sylvester(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Sylvester matrices of polynomials given by ascending coefficients on the last axis (degrees m and n)."""
    m, n = p.shape[-1] - 1, q.shape[-1] - 1
    out = np.zeros(p.shape[:-1] + (m + n, m + n))
    for i in range(n):
        out[..., i, i:i + m + 1] = p[..., ::-1]
    for i in range(m):
        out[..., n + i, i:i + n + 1] = q[..., ::-1]
    return out


def _four_binary_points(roots: np.ndarray, p: np.ndarray, q: np.ndarray, c0: np.ndarray, c1: np.ndarray,
                        c2: np.ndarray, size_p: float, size_q: float) -> np.ndarray | None:
    """Every solution (x_0, ..., x_3) of one system at the resultant's real roots x_3 in [0, 1]: x_2 a root of
    P (at most quadratic in x_2) where Q vanishes too, then _four_binary_at; None where the elimination is
    degenerate (a double root in x_2, a continuum at an eliminated denominator)."""
    P = np.polynomial.polynomial
    if _clustered(roots):
        return None                            # a multiple root (found only to the root of rounding): degenerate
    points = []
    for x3 in roots:
        if abs(x3.imag) > 1e-6 or not -1e-6 <= x3.real <= 1 + 1e-6:
            continue
        x3 = x3.real
        x2s = _quadratic_roots(np.array([P.polyval(x3, row) for row in p]), size_p)
        if x2s is None:
            return None
        for x2 in x2s:
            if abs(P.polyval2d(x2, x3, q)) > PAIRED * size_q:
                continue              # a root of P alone (nearer pairs go on to _near_roots, which drops spurious ones)
            point = _four_binary_at(x2, x3, c0, c1, c2)
            if point is None:
                return None
            points.extend(point)
    return np.array(points).reshape(-1, 4)


def _clustered(roots: np.ndarray) -> bool:
    """Whether the roots in or near [0, 1] look like a perturbed multiple root: a complex one within CLUSTER of
    the real line (a double root split into a conjugate pair), two real ones within 1e-4 (one split along the
    line), or three within CLUSTER of each other (a higher multiplicity). Two distinct real roots a few
    thousandths apart, as generic payoffs give, are not."""
    near = roots[(np.abs(roots.imag) <= CLUSTER) & (roots.real >= -CLUSTER) & (roots.real <= 1 + CLUSTER)]
    if (np.abs(near.imag) > 1e-6).any():
        return True
    gaps = np.abs(near[:, None] - near[None, :]) + np.eye(len(near))
    return bool(len(near) > 1 and (gaps.min() <= 1e-4 or ((gaps <= CLUSTER).sum(axis=1) >= 2).any()))


def _four_binary_at(x2: float, x3: float, c0: np.ndarray, c1: np.ndarray, c2: np.ndarray) -> list | None:
    """The solutions with these x_2, x_3: x_1 from f_0 and x_0 from f_1, or, where one of them vanishes for every
    value of its unknown here, that unknown from f_2 given the other (no solution where the other leaves its
    simplex); None where the solutions here are not isolated points."""
    P = np.polynomial.polynomial
    tiny = SINGULAR * max(np.abs(c0).max(), np.abs(c1).max(), np.abs(c2).max(), 1e-300)
    n1, d1 = -P.polyval2d(x2, x3, c0[0]), P.polyval2d(x2, x3, c0[1])        # x_1 = n1 / d1 (f_0)
    n0, d0 = -P.polyval2d(x2, x3, c1[0]), P.polyval2d(x2, x3, c1[1])        # x_0 = n0 / d0 (f_1)
    free1, free0 = abs(d1) <= tiny, abs(d0) <= tiny
    if (free1 and abs(n1) > tiny) or (free0 and abs(n0) > tiny):
        return []                                                             # a nonzero constant: no solution
    if free1 and free0:
        return None
    if not (free1 or free0):
        return [(n0 / d0, n1 / d1, x2, x3)]
    g = P.polyval(x3, np.moveaxis(c2, 2, 0))                                  # f_2 over (x_0, x_1) at this x_3
    if free1:                                                                 # f_2 = (g00 + g10 x0) + (g01 + g11 x0) x1
        x0 = n0 / d0
        slope = g[0, 1] + g[1, 1] * x0
        if not -SLACK <= x0 <= 1 + SLACK:
            return []
        return None if abs(slope) <= tiny else [(x0, -(g[0, 0] + g[1, 0] * x0) / slope, x2, x3)]
    x1 = n1 / d1
    slope = g[1, 0] + g[1, 1] * x1
    if not -SLACK <= x1 <= 1 + SLACK:
        return []
    return None if abs(slope) <= tiny else [(-(g[0, 0] + g[0, 1] * x1) / slope, x1, x2, x3)]


def _inside(system: SupportSystem, points: np.ndarray) -> np.ndarray:
    """Which points lie in the players' simplices, up to SLACK."""
    inside = np.ones(len(points), bool)
    for b in system.blocks:
        free = points[:, b]
        inside &= (free >= -SLACK).all(axis=1) & (free.sum(axis=1) <= 1 + SLACK)
    return inside


def _kept(system: SupportSystem, points: np.ndarray) -> Roots:
    """The points inside the simplices (a linear system's exact solution: no polishing)."""
    return Roots(points[_inside(system, points)].reshape(-1, system.unknowns), 0)


def _stacked(candidates: list[np.ndarray | None], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Every system's candidate points in one array, with the system each belongs to (None: none)."""
    owners = np.concatenate([np.full(len(c), w) for w, c in enumerate(candidates) if c is not None]
                            or [np.zeros(0, int)])
    return owners, np.concatenate([c for c in candidates if c is not None] or [np.zeros((0, k))]).reshape(-1, k)


def _settled(system: SupportSystem, candidates: list[np.ndarray | None]) -> list[Roots | None]:
    """Each system's closed-form solutions as roots, the stack's at once: None where there are none to give
    (None in) or one is singular (its Jacobian, at the point, not safely invertible: not certified isolated);
    else those inside the simplices, polished by Newton's method."""
    k = system.unknowns
    owners, points = _stacked(candidates, k)
    out: list[Roots | None] = [None if c is None else Roots(np.zeros((0, k)), 0) for c in candidates]
    if not len(points):
        return out
    singular = set(owners[~_invertible(system.jacobian(points, owners))].tolist())
    keep = _inside(system, points) & ~np.isin(owners, list(singular))
    polished = _newton(system, points[keep], owners[keep]) if keep.any() else points[keep]
    polished = np.where(np.isfinite(polished).all(axis=1, keepdims=True), polished, points[keep])
    for w in singular:
        out[w] = None
    for w in set(owners[keep].tolist()):
        out[w] = Roots(_unique(list(polished[owners[keep] == w]), k), 0)      # two candidates onto one root: once
    return out
