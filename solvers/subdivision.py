"""Every isolated solution of one support profile's indifference system, by exclusion and subdivision.

A support profile's equilibrium conditions (each action in a player's support earns the same, no action
outside earns more, probabilities on a simplex) are multi-affine in the players' free probabilities:
affine in each player's block. This is the system Gambit's `enumpoly` solves by subdivision (McKelvey and
McLennan 1996, "Computation of equilibria in finite games", section 4). Over a box a multi-affine
function takes its extremes at the box's corners, so the exclusion test here is exact (not an interval
over-estimate), and so are the ranges of the Jacobian's entries (each partial derivative is multi-affine
in the other variables: a difference of corner values along its own axis). A box is dropped when an
equation cannot vanish or an outside action must earn more anywhere in it (in systems of 6+ unknowns, a wide
box also when a combination of the equations keeps one sign at all its corners: `SupportSystem.separated`);
it is settled when the
Krawczyk test shows a unique root in it (Moore, Kearfott and Cloud 2009, "Introduction to interval
analysis", 8.2), which Newton's method then finds (or, where it meets a singular Jacobian, the Krawczyk
operator iterated on the box), and narrowed to the operator's image otherwise;
boxes neither dropped nor settled are bisected along their widest side, all boxes of a generation at
once (tested slightly inflated, so no root hides on a shared face). A settled root whose own Jacobian is
singular (the ranges of a constant singular Jacobian over a narrow box can carry rounding noise that makes
them look invertible) is counted as not isolated. Boxes still open at `MIN_WIDTH`, or
beyond `MAX_BOXES`, hold a non-isolated (or singular) solution set: they are counted, never reported as
equilibria. Every root found is then certified as an equilibrium by its regret (solvers/normal_form.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

TOL = 1e-11            # payoffs are scaled to [0, 1] per player: exclusion and residual tolerances
MIN_WIDTH = 1e-7       # a box this narrow that neither the exclusion nor the Krawczyk test settles is a continuum
MAX_BOXES = 20_000     # live boxes of one support profile beyond which its solution set is declared not isolated
KRAWCZYK_WIDTH = 0.0625  # boxes wider than this are only screened for exclusion (the Krawczyk test rarely
                       # settles them, and its Jacobian ranges cost most of a generation)
NARROW_WIDTH = 1 / 128   # boxes this narrow cover isolated roots a few at a time (at most 2^k around a root on a
NARROW_PER_CORNER = 64   # shared corner): more than 64 x 2^k of them hold a non-isolated set, declared at once
BOX_BLOCK = 4_096      # boxes screened in one numpy pass (bounds the corner arrays' memory)
INFLATE = 0.05         # boxes are tested 5% wider on each side, so a root on a face shared by two boxes
                       # (a bisection point such as 1/2) lies inside one tested box
SEPARATE_UNKNOWNS = 6  # systems of this many unknowns or more also screen boxes wider than KRAWCZYK_WIDTH by
                       # combinations of their equations (SupportSystem.separated): in 9 unknowns the sign test on
                       # each equation alone kept ~70 generations of boxes a quarter wide


@dataclass(frozen=True)
class SupportSystem:
    """The equilibrium conditions of one support profile of a finite game, or of a stack of support
    profiles of the same sizes (`batched`: each tensor has a leading axis of systems, every system's own
    actions ordered support first, so `supports` is the same for all).

    `tensors[i]` is player i's payoffs over its own actions (all of them) and the others' support
    actions; player i's free unknowns are the probabilities of its support actions but the first (whose
    probability is one minus their sum). Every method takes `which`, the system each box or point belongs
    to (None: system 0 of an unbatched one). `rows` replaces the equations: row r is player p's payoff
    from action a minus its first support action's, for (p, a) = rows[r] (solvers/support_signs.py puts an
    outside action's indifference in place of a zero equation to find where a continuum ends); a row
    depends on every player's unknowns but p's, as each player's own equations do.
    """

    tensors: tuple[np.ndarray, ...]
    supports: tuple[tuple[int, ...], ...]
    batched: bool = False
    rows: tuple[tuple[int, int], ...] | None = None   # the equations, as (player, action): that action's payoff
                                                      # minus the first support action's; None: each player's
                                                      # support actions but the first, player by player

    @cached_property
    def equation_rows(self) -> tuple[tuple[int, int], ...]:
        """The equations as (player, action), `rows` or the default: each player's support actions but the
        first, player by player."""
        return self.rows if self.rows is not None else tuple(
            (i, a) for i, s in enumerate(self.supports) for a in s[1:])

    @cached_property
    def equations(self) -> tuple[tuple[np.ndarray, list[int]], ...]:
        """Each player's equations: (their rows in the system, their actions)."""
        rows = self.equation_rows
        return tuple((np.array([r for r, (p, _) in enumerate(rows) if p == i], int),
                      [a for p, a in rows if p == i]) for i in range(len(self.supports)))

    @property
    def count(self) -> int:
        """Systems in the stack."""
        return self.tensors[0].shape[0] if self.batched else 1

    @cached_property
    def _own_first(self) -> tuple[np.ndarray, ...]:
        """Each player's payoffs with its own actions first: (systems or 1, actions, m_others...)."""
        if not self.batched:
            return tuple(np.moveaxis(t, i, 0)[None] for i, t in enumerate(self.tensors))
        return tuple(np.ascontiguousarray(np.moveaxis(t, i + 1, 1)) for i, t in enumerate(self.tensors))

    def _tensor(self, i: int, which: np.ndarray | None, boxes: int) -> np.ndarray:
        """Player i's payoffs with its own actions first, per box: (boxes or 1, actions, m_others...)."""
        t = self._own_first[i]
        if not self.batched:
            return t
        return t[np.zeros(boxes, int) if which is None else which]

    @property
    def blocks(self) -> list[slice]:
        out, start = [], 0
        for s in self.supports:
            out.append(slice(start, start + len(s) - 1))
            start += len(s) - 1
        return out

    @cached_property
    def outside(self) -> tuple[np.ndarray, ...]:
        """Each player's actions outside its support."""
        return tuple(np.array([a for a in range(t.shape[i + self.batched]) if a not in supp], int)
                     for i, (t, supp) in enumerate(zip(self.tensors, self.supports)))

    @property
    def unknowns(self) -> int:
        return sum(len(s) - 1 for s in self.supports)

    def corner_values(self, lo: np.ndarray, hi: np.ndarray | None = None, which: np.ndarray | None = None
                      ) -> list[np.ndarray]:
        """Each player's payoff from each of its actions at every corner of every box [lo, hi]: player i's
        array has shape (boxes, actions_i, 2, ..., 2), one axis of two per unknown of the other players
        (player i's payoffs do not depend on its own unknowns), the lower end first. Without `hi`: at the
        points lo only, shape (points, actions_i, 1, ..., 1)."""
        n, blocks = len(self.tensors), self.blocks
        corners = []
        for b, supp in zip(blocks, self.supports):
            k = len(supp) - 1
            if hi is None:
                free = lo[:, None, b]
                corners.append(np.concatenate([1.0 - free.sum(axis=2, keepdims=True), free], axis=2))
                continue
            bits = ((np.arange(1 << k)[:, None] >> np.arange(k)[::-1]) & 1).astype(float)
            free = lo[:, None, b] + bits[None] * (hi - lo)[:, None, b]            # (boxes, 2^k, k)
            corners.append(np.concatenate([1.0 - free.sum(axis=2, keepdims=True), free], axis=2))
        out = []
        boxes = len(lo)
        for i in range(n):
            others = [j for j in range(n) if j != i]
            v = self._tensor(i, which, boxes)[:, None]               # (1 or boxes, corners so far, actions, m...)
            actions = v.shape[2]
            for j in others[::-1]:                                    # contract the last support axis: one GEMM
                c = corners[j]                                        # (boxes, 2^k_j, m_j)
                m = v.shape[-1]
                rest = v.shape[1:-1]
                flat = v.transpose((0, v.ndim - 1) + tuple(range(1, v.ndim - 1))).reshape(v.shape[0], m, -1)
                prod = c.reshape(-1, m) @ flat[0] if v.shape[0] == 1 else c @ flat   # shared tensor: one GEMM
                v = prod.reshape((boxes, c.shape[1] * rest[0]) + rest[1:])        # player j's corners major
            side = 1 if hi is None else 2
            shape = (boxes, actions) + tuple(side for j in others for _ in range(len(self.supports[j]) - 1))
            out.append(v.swapaxes(1, 2).reshape(shape))
        return out

    def conditions(self, x: np.ndarray, which: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(equations, inequalities) at points x: support actions' payoffs minus the first's (must be 0);
        outside actions' payoffs minus the first's (must be <= 0)."""
        eqs, ineqs = np.empty((len(x), self.unknowns)), []
        for i, (v, supp) in enumerate(zip(self.corner_values(x, which=which), self.supports)):
            v = v.reshape(len(x), v.shape[1], -1)[:, :, 0]
            rows, actions = self.equations[i]
            eqs[:, rows] = v[:, actions] - v[:, [supp[0]]]
            ineqs.append(v[:, self.outside[i]] - v[:, [supp[0]]])
        return eqs, np.concatenate(ineqs, axis=1)

    def jacobian(self, x: np.ndarray, which: np.ndarray | None = None) -> np.ndarray:
        """The equations' Jacobian at points x, exact from unit steps (each equation is affine in each
        unknown)."""
        points, k = x.shape
        jac = np.zeros((points, k, k))
        blocks = self.blocks
        for i, (v, supp) in enumerate(zip(self.corner_values(x, x + 1.0, which), self.supports)):
            rows, actions = self.equations[i]
            if not len(rows):
                continue
            eq = v[:, actions] - v[:, [supp[0]]]
            base = eq.reshape(points, eq.shape[1], -1)[:, :, 0]
            cols = [c for j, b in enumerate(blocks) if j != i for c in range(b.start, b.stop)]
            for axis, c in enumerate(cols):
                step = np.take(eq, 1, axis=2 + axis).reshape(points, eq.shape[1], -1)[:, :, 0]
                jac[:, rows, c] = step - base
        return jac

    def ranges(self, lo: np.ndarray, hi: np.ndarray, jacobian: bool = True, which: np.ndarray | None = None,
               values: list[np.ndarray] | None = None) -> "Ranges":
        """Exact ranges over each box of every equation, inequality and (if asked) Jacobian entry (`values`:
        the boxes' corner values, where already computed)."""
        boxes, k = lo.shape
        blocks, width = self.blocks, hi - lo
        f_lo, f_hi = np.empty((boxes, k)), np.empty((boxes, k))
        j_lo, j_hi = np.zeros((boxes, k, k)), np.zeros((boxes, k, k))
        ineq_min = np.full(boxes, -np.inf)
        values = self.corner_values(lo, hi, which) if values is None else values
        for i, (v, supp) in enumerate(zip(values, self.supports)):
            rows, actions = self.equations[i]
            outside = self.outside[i]
            if len(outside):
                g = (v[:, outside] - v[:, [supp[0]]]).reshape(boxes, len(outside), -1).min(axis=2)
                ineq_min = np.maximum(ineq_min, g.max(axis=1))
            if not len(rows):
                continue
            eq = v[:, actions] - v[:, [supp[0]]]
            flat = eq.reshape(boxes, eq.shape[1], -1)
            f_lo[:, rows], f_hi[:, rows] = flat.min(axis=2), flat.max(axis=2)
            cols = [c for j, b in enumerate(blocks) if j != i for c in range(b.start, b.stop)]
            if cols and jacobian:
                d = _axis_differences(eq) / width[:, None, cols, None]
                j_lo[:, rows[:, None], cols], j_hi[:, rows[:, None], cols] = d.min(axis=3), d.max(axis=3)
        return Ranges(f_lo, f_hi, ineq_min, j_lo, j_hi)

    def separated(self, lo: np.ndarray, hi: np.ndarray, values: list[np.ndarray], which: np.ndarray | None = None
                  ) -> np.ndarray:
        """Boxes no root can lie in because some combination d . F of the equations has one sign at every
        corner: F is multilinear, so its value anywhere in a box is a convex combination of its corner values
        (multilinear interpolation) and d . F keeps that sign throughout. The directions d come from the
        linearisation at the box's centre m, Newton's step s = J(m)^-1 F(m): e_j J^-1 for the component j
        where |s_j| most exceeds the box's half-width (there d . F ~ s_j - (x_j - m_j)), sign(s) J^-1, and
        F(m) itself, each scaled to unit sum of magnitudes (so the tolerance is the sign test's). A
        preconditioned exclusion test (as in interval Newton methods: Kearfott 1996, "Rigorous Global Search"),
        exact here as the sign test on each equation is; `values` are the boxes' corner values."""
        boxes, k = lo.shape
        out = np.zeros(boxes, bool)
        mid, radius = (lo + hi) / 2, (hi - lo) / 2
        f, _ = self.conditions(mid, which)
        jac = self.jacobian(mid, which)
        rows = np.flatnonzero(np.abs(np.linalg.det(jac)) > 1e-300)
        if not len(rows):
            return out
        inv = np.linalg.inv(jac[rows])
        step = np.einsum("bij,bj->bi", inv, f[rows])
        at = np.arange(len(rows))
        j = np.argmax(np.abs(step) / np.maximum(radius[rows], 1e-300), axis=1)
        unit = np.zeros((len(rows), k))
        unit[at, j] = np.sign(step[at, j])
        blocks = self.blocks
        equations = [None if not len(eq_rows) else (v[rows][:, actions] - v[rows][:, [supp[0]]])
                      for v, supp, (eq_rows, actions) in zip(values, self.supports, self.equations)]
        for d in (np.einsum("bi,bij->bj", unit, inv), np.einsum("bi,bij->bj", np.sign(step), inv), f[rows]):
            d = d / np.maximum(np.abs(d).sum(axis=1, keepdims=True), 1e-300)
            total = np.zeros((len(rows),) + (1,) * k)
            for i, eq in enumerate(equations):
                if eq is None:
                    continue
                g = np.einsum("bm,bm...->b...", d[:, self.equations[i][0]], eq)   # over the other players' corners
                shape = [len(rows)] + [1 if h == i else 2 for h, b in enumerate(blocks) for _ in range(b.stop - b.start)]
                total = total + g.reshape(shape)
            flat = total.reshape(len(rows), -1)
            out[rows] |= (flat.min(axis=1) > TOL) | (flat.max(axis=1) < -TOL)
        return out


def _axis_differences(eq: np.ndarray) -> np.ndarray:
    """Differences across each two-point corner axis of eq (boxes, rows, 2, ..., 2): shape
    (boxes, rows, axes, 2^(axes-1))."""
    boxes, rows, axes = eq.shape[0], eq.shape[1], eq.ndim - 2
    out = np.empty((boxes, rows, axes, 1 << (axes - 1)))
    for a in range(axes):
        view = eq.reshape(boxes, rows, 1 << a, 2, -1)
        np.subtract(view[:, :, :, 1], view[:, :, :, 0], out=out[:, :, a].reshape(boxes, rows, 1 << a, -1))
    return out


@dataclass(frozen=True)
class Ranges:
    f_lo: np.ndarray          # (boxes, equations)
    f_hi: np.ndarray
    ineq_min: np.ndarray      # (boxes,): the largest, over outside actions, of its least advantage in the box
    j_lo: np.ndarray          # (boxes, equations, unknowns)
    j_hi: np.ndarray


@dataclass(frozen=True)
class Roots:
    points: np.ndarray          # (roots, unknowns): isolated solutions, each unique in a Krawczyk box
    unresolved: int             # boxes left open: a continuum or a singular solution (never reported as a root)
    extreme: np.ndarray | None = None   # a continuum's extreme points, where known (support_direct.py, support_signs.py)


def solve(system: SupportSystem) -> Roots:
    """Every isolated solution of `system` in the product of simplices, each certified unique in its box."""
    return solve_all(system)[0]


def solve_all(system: SupportSystem) -> list[Roots]:
    """`solve` for every system of a stack at once: each generation screens the live boxes of all of them
    together (in blocks of BOX_BLOCK), so a game's many small support systems share each numpy call. A
    system with more than MAX_BOXES live boxes, more than NARROW_PER_CORNER x 2^k of them narrower than
    NARROW_WIDTH (k unknowns: a continuum or a surface of solutions), or whose live boxes are all narrower
    than MIN_WIDTH, stops there with those boxes unresolved."""
    count, k = system.count, system.unknowns
    lo, hi, which = np.zeros((count, k)), np.ones((count, k)), np.arange(count)
    roots: list[list[np.ndarray]] = [[] for _ in range(count)]
    unresolved = np.zeros(count, int)
    crowd = min(MAX_BOXES, NARROW_PER_CORNER << k)
    while len(lo):
        live = np.bincount(which, minlength=count)
        narrow_live = np.bincount(which, (hi - lo).max(axis=1) <= NARROW_WIDTH, minlength=count)
        crowded = (live > MAX_BOXES) | (narrow_live > crowd)
        if crowded.any():
            unresolved[crowded] = live[crowded]
            lo, hi, which = _drop(crowded[which], lo, hi, which)
        keep, settled = np.zeros(len(lo), bool), np.zeros(len(lo), bool)
        for start in range(0, len(lo), BOX_BLOCK):
            part = slice(start, start + BOX_BLOCK)
            keep[part], settled[part], lo[part], hi[part] = _screen(system, lo[part], hi[part], which[part])
        if settled.any():
            owners = which[settled]
            found = _roots_in(system, lo[settled], hi[settled], owners)
            # a root whose own Jacobian is singular was settled on rounding noise: not isolated
            singular = np.zeros(len(found), bool)
            finite = np.isfinite(found).all(axis=1)
            if finite.any():
                singular[finite] = ~_invertible(system.jacobian(found[finite], owners[finite]))
            for w, x, bad in zip(owners, found, singular):
                if bad:
                    unresolved[w] += 1
                else:
                    roots[w].append(x)
        open_ = keep & ~settled
        lo, hi, which = lo[open_], np.maximum(hi[open_], lo[open_] + MIN_WIDTH / 4), which[open_]
        if len(lo):
            widest = np.zeros(count)
            np.maximum.at(widest, which, (hi - lo).max(axis=1))
            narrow = (widest < MIN_WIDTH) & (np.bincount(which, minlength=count) > 0)
            if narrow.any():
                unresolved[narrow] = np.bincount(which, minlength=count)[narrow]
                lo, hi, which = _drop(narrow[which], lo, hi, which)
        lo, hi, which = _bisect(lo, hi, which)
        lo, hi, which = _on_simplices(system, lo, hi, which)
    return [Roots(_unique(r, k), int(u)) for r, u in zip(roots, unresolved)]


def _on_simplices(system: SupportSystem, lo: np.ndarray, hi: np.ndarray, which: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boxes cut to each player's simplex: x_k <= 1 - sum of the block's other lower ends (every point of
    a block sums to at most 1), never narrower than MIN_WIDTH / 4 (a box of zero width on an axis has no
    corner differences to bound its Jacobian by: they were 0 / 0); boxes left empty are dropped."""
    for b in system.blocks:
        if b.stop - b.start < 2:
            continue
        room = 1.0 - (lo[:, b].sum(axis=1, keepdims=True) - lo[:, b])
        hi[:, b] = np.minimum(hi[:, b], np.maximum(room, lo[:, b] + MIN_WIDTH / 4))
    return lo, hi, which


def _drop(gone: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(a[~gone] for a in arrays)


def _screen(system: SupportSystem, box_lo: np.ndarray, box_hi: np.ndarray, which: np.ndarray | None = None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(may hold a root, holds exactly one root by the Krawczyk test, the boxes narrowed to the part the
    Krawczyk operator keeps) for every box, each tested slightly inflated."""
    pad = INFLATE * (box_hi - box_lo)
    lo, hi = box_lo - pad, box_hi + pad
    values = system.corner_values(lo, hi, which)
    r = system.ranges(lo, hi, jacobian=False, which=which, values=values)
    keep = ~((r.f_lo > TOL) | (r.f_hi < -TOL)).any(axis=1) & (r.ineq_min <= TOL)
    for b in system.blocks:
        keep &= box_lo[:, b].sum(axis=1) <= 1 + TOL
    wide = keep & ((box_hi - box_lo).max(axis=1) > KRAWCZYK_WIDTH)
    if system.unknowns >= SEPARATE_UNKNOWNS and wide.any():
        keep[wide] = ~system.separated(lo[wide], hi[wide], [v[wide] for v in values],
                                       None if which is None else which[wide])
    settled = np.zeros(len(lo), bool)
    new_lo, new_hi = box_lo.copy(), box_hi.copy()
    narrow = keep & ((box_hi - box_lo).max(axis=1) <= KRAWCZYK_WIDTH)
    if narrow.any():
        sub = None if which is None else which[narrow]
        r = system.ranges(lo[narrow], hi[narrow], which=sub)
        inside, k_lo, k_hi = _krawczyk(system, lo[narrow], hi[narrow], r.j_lo, r.j_hi, sub)
        settled[narrow] = inside
        new_lo[narrow] = np.maximum(box_lo[narrow], k_lo)
        new_hi[narrow] = np.minimum(box_hi[narrow], k_hi)
        keep &= (new_lo <= new_hi + TOL).all(axis=1)     # a root on a face of the simplices: the image may
        new_hi = np.maximum(new_hi, new_lo)               # miss the face by a rounding error
    return keep, settled & keep, new_lo, new_hi


def _krawczyk(system: SupportSystem, lo: np.ndarray, hi: np.ndarray, j_lo: np.ndarray, j_hi: np.ndarray,
              which: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the Krawczyk operator maps the box strictly inside itself, so it holds exactly one root; the
    operator's image, which holds every root in the box) for every box; the image is the whole space
    where the centre Jacobian is singular."""
    boxes, k = lo.shape
    centre_j, radius_j = (j_lo + j_hi) / 2, (j_hi - j_lo) / 2
    ok = _invertible(centre_j)
    out = np.zeros(boxes, bool)
    k_lo, k_hi = np.full((boxes, k), -np.inf), np.full((boxes, k), np.inf)
    if not ok.any():
        return out, k_lo, k_hi
    c = np.linalg.inv(centre_j[ok])
    mid, rad = (lo[ok] + hi[ok]) / 2, (hi[ok] - lo[ok]) / 2
    f_mid, _ = system.conditions(mid, None if which is None else which[ok])
    k_mid = mid - np.einsum("bij,bj->bi", c, f_mid)
    spread = np.abs(np.eye(k) - c @ centre_j[ok]) + np.abs(c) @ radius_j[ok]
    k_rad = np.einsum("bij,bj->bi", spread, rad)
    out[ok] = (np.abs(k_mid - mid) + k_rad < rad).all(axis=1)
    k_lo[ok], k_hi[ok] = k_mid - k_rad, k_mid + k_rad
    return out, k_lo, k_hi


def _invertible(m: np.ndarray) -> np.ndarray:
    """Which matrices of the batch are safely invertible (condition below 1e12)."""
    try:
        inv = np.linalg.inv(m)
    except np.linalg.LinAlgError:
        s = np.linalg.svd(m, compute_uv=False)
        return s[:, -1] > 1e-12 * np.maximum(s[:, 0], 1e-300)
    norm = np.abs(m).sum(axis=2).max(axis=1) * np.abs(inv).sum(axis=2).max(axis=1)
    return np.isfinite(norm) & (norm < 1e12)


def _roots_in(system: SupportSystem, lo: np.ndarray, hi: np.ndarray, which: np.ndarray) -> np.ndarray:
    """The unique root of each box the Krawczyk test settled: Newton's method from the box's centre, and
    where it fails (a singular Jacobian on the way: NaN) the Krawczyk operator applied until the box has
    shrunk onto the root (each image holds the box's root). Every point is then certified by its regret."""
    x = _newton(system, (lo + hi) / 2, which)
    lost = ~np.isfinite(x).all(axis=1)
    if lost.any():
        pad = INFLATE * (hi[lost] - lo[lost])             # as the box was tested
        x[lost] = _contracted(system, lo[lost] - pad, hi[lost] + pad, which[lost])
    return x


def _contracted(system: SupportSystem, lo: np.ndarray, hi: np.ndarray, which: np.ndarray, steps: int = 60
                ) -> np.ndarray:
    """Each box intersected with its Krawczyk image while it shrinks and is wider than 1e-13; its centre
    (NaN where an image misses the box, as rounding can make it on a box of zero width: such a point is
    dropped, never reported)."""
    lo, hi = lo.copy(), np.maximum(hi, lo + 1e-12)       # corner differences need a width on every axis
    active = np.ones(len(lo), bool)
    for _ in range(steps):
        rows = np.flatnonzero(active)
        if not len(rows):
            break
        r = system.ranges(lo[rows], hi[rows], which=which[rows])
        _, k_lo, k_hi = _krawczyk(system, lo[rows], hi[rows], r.j_lo, r.j_hi, which[rows])
        new_lo, new_hi = np.maximum(lo[rows], k_lo), np.minimum(hi[rows], k_hi)
        empty = (new_lo > new_hi).any(axis=1)
        new_hi = np.maximum(new_hi, new_lo + 1e-14)
        width, new_width = (hi[rows] - lo[rows]).max(axis=1), (new_hi - new_lo).max(axis=1)
        lo[rows], hi[rows] = np.where(empty[:, None], np.nan, new_lo), np.where(empty[:, None], np.nan, new_hi)
        active[rows] = ~empty & (new_width < width) & (new_width > 1e-13)
    return (lo + hi) / 2


def _newton(system: SupportSystem, x: np.ndarray, which: np.ndarray | None = None, steps: int = 30) -> np.ndarray:
    """Newton's method from each point; the Jacobian is exact from unit steps (the system is affine in
    each unknown). Points where the Jacobian is singular become NaN. It stops once every step is below
    1e-15, or below 1e-12 and no longer halving (the points are at their rounding noise)."""
    x = x.copy()
    last = np.inf
    for _ in range(steps):
        f, _ = system.conditions(x, which)
        jac = system.jacobian(x, which)
        good = np.abs(np.linalg.det(jac)) > 1e-300
        step = np.full_like(x, np.nan)
        if good.any():
            step[good] = np.linalg.solve(jac[good], f[good][..., None])[..., 0]
        x = x - step
        if not np.isfinite(step).any():
            break
        largest = np.nanmax(np.abs(step))
        if largest < 1e-15 or (largest < 1e-12 and largest > last / 2):
            break
        last = largest
    return x


def _bisect(lo: np.ndarray, hi: np.ndarray, which: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not len(lo):
        return lo, hi, which
    axis = np.argmax(hi - lo, axis=1)
    rows = np.arange(len(lo))
    mid = (lo[rows, axis] + hi[rows, axis]) / 2
    lo2, hi1 = lo.copy(), hi.copy()
    lo2[rows, axis] = mid
    hi1[rows, axis] = mid
    return np.concatenate([lo, lo2]), np.concatenate([hi1, hi]), np.concatenate([which, which])


def _unique(roots: list[np.ndarray], k: int) -> np.ndarray:
    out: list[np.ndarray] = []
    for r in roots:
        if not any(np.abs(r - o).max() < 1e-9 for o in out):
            out.append(r)
    return np.array(out).reshape(-1, k)
