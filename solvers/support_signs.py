"""Support systems settled by the signs of their equations at the pure profiles, and the ends of continua.

Each equation of a support system (solvers/subdivision.py) is multilinear in the players' probabilities, so
its value anywhere on the product of simplices is a convex combination of its values at the pure profiles
of the supports, with weights (products of probabilities) all positive inside. An equation whose values
there are all >= 0 and not all 0 (or all <= 0) has no root inside: the system has none, and its roots on a
face are the roots of the smaller support profile that face is (solved there). An equation whose values
are all 0 holds everywhere: the system's solutions inside, if any, are not isolated (a continuum along which
a player's mixture is free), and the system is counted as not isolated at once, never subdivided.

Where a continuum ends inside the simplices, an action outside the supports has turned tight (it ends on a
face otherwise, at a smaller support's solution); where two dimensions of solutions meet at a corner, two
have. So each zero equation is replaced by an outside action's indifference, and also the zero equations
with any one other by two (a choice of outside actions per replaced equation, at most MAX_END_SYSTEMS
choices per system). The roots inside of those square systems, solved the same way (signs, then
subdivision), that also solve the system's own equations are the continuum's candidate ends, returned as
its extreme points once certified by their regret (solvers/normal_form.py). These are the points a larger
support's subdivision used to meet on its face (where that outside action has probability 0), which the
signs now skip. (Replacing each equation of every system the subdivision leaves not isolated as well found
nothing more on 800 integer games and took 7.5 of 11.2 s on a 3^4 one: not done.)
"""
from __future__ import annotations

import itertools
from math import comb

import numpy as np

from .subdivision import Roots, SupportSystem, solve_all

MAX_END_SYSTEMS = 2_000     # choices of tight outside actions tried for one flat system's ends
SOLVES = 1e-9               # an end's equations (payoffs scaled to [0, 1]) are this close to zero
INSIDE = 1e-9               # an end with a support probability at most this is on a face: a smaller support's root


def corner_signs(system: SupportSystem) -> tuple[np.ndarray, np.ndarray]:
    """(one-signed: some equation keeps one sign at every pure profile, not all zero; zero: each equation's
    values all exactly zero, shape (systems, equations)) for every system of the stack."""
    count, k = system.count, system.unknowns
    signed, zero = np.zeros(count, bool), np.zeros((count, k), bool)
    for i, (t, supp) in enumerate(zip(system._own_first, system.supports)):
        rows, actions = system.equations[i]
        if not len(rows):
            continue
        values = (t[:, actions] - t[:, [supp[0]]]).reshape(t.shape[0], len(rows), -1)
        up, down = (values >= 0).all(axis=2), (values <= 0).all(axis=2)
        zero[:, rows] = up & down
        signed |= ((up | down) & ~(up & down)).any(axis=1)
    return signed, zero


def solve_with_signs(system: SupportSystem) -> list[Roots]:
    """Every system's roots: none inside where an equation is one-signed; none isolated where one is zero (a
    flat system, counted as not isolated, with its continuum's candidate ends); the rest subdivided
    (solvers/subdivision.py)."""
    signed, zero = corner_signs(system)
    flat = [w for w in range(system.count) if not signed[w] and zero[w].any()]
    out = [Roots(np.empty((0, system.unknowns)), 0)] * system.count
    for w, ends in zip(flat, _continuum_ends(system, {w: _zero_and_one_more(zero[w]) for w in flat})):
        out[w] = Roots(np.empty((0, system.unknowns)), 1, ends)
    open_ = np.flatnonzero(~signed & ~zero.any(axis=1))
    if len(open_):
        sub = SupportSystem(tuple(t[open_] for t in system.tensors), system.supports, batched=True,
                            rows=system.rows)
        for w, roots in zip(open_, solve_all(sub)):
            out[w] = roots
    return out


def _zero_and_one_more(zero: np.ndarray) -> list[np.ndarray]:
    """A flat system's row sets to replace: its zero equations, and those with any one other (a solution set
    of one more dimension, whose vertices have one more outside action tight)."""
    gone = np.flatnonzero(zero)
    return [gone] + [np.sort(np.append(gone, r)) for r in np.flatnonzero(~zero)]


def _continuum_ends(system: SupportSystem, replace: dict[int, list[np.ndarray]]) -> list[np.ndarray]:
    """For each system w of `replace`, the roots inside its simplices of its square systems with the
    equations of each row set in replace[w] replaced by as many outside actions' indifferences: candidate
    ends of its continuum (certified by their regret)."""
    rows = list(system.equation_rows)
    tight = [(i, int(a)) for i, out in enumerate(system.outside) for a in out]
    stacks: dict[tuple, list[int]] = {}
    for w, row_sets in replace.items():
        if sum(comb(len(tight), len(gone)) for gone in row_sets) > MAX_END_SYSTEMS:
            continue
        for gone in row_sets:
            for choice in itertools.combinations(tight, len(gone)):
                replaced = list(rows)
                for r, row in zip(gone, choice):
                    replaced[r] = row
                stacks.setdefault(tuple(replaced), []).append(w)
    ends: dict[int, list[np.ndarray]] = {w: [] for w in replace}
    for replaced, members in stacks.items():
        sub = SupportSystem(tuple(t[members] for t in system.tensors), system.supports, batched=True,
                            rows=replaced)
        signed, zero_sub = corner_signs(sub)
        open_ = [m for m in range(len(members)) if not signed[m] and not zero_sub[m].any()]
        if not open_:
            continue
        solved = solve_all(SupportSystem(tuple(t[open_] for t in sub.tensors), sub.supports, batched=True,
                                         rows=replaced))
        for m, roots in zip(open_, solved):
            ends[members[m]].extend(x for x in roots.points if _inside(system, x))
    return [_solving(system, w, np.array(ends[w]).reshape(-1, system.unknowns)) for w in replace]


def _solving(system: SupportSystem, w: int, points: np.ndarray) -> np.ndarray:
    """The points that solve system w's own equations (within SOLVES: a replaced equation that was not zero
    need not hold at its replacement's roots)."""
    if not len(points):
        return points
    f, _ = system.conditions(points, np.full(len(points), w))
    return points[np.abs(f).max(axis=1) <= SOLVES]


def _inside(system: SupportSystem, x: np.ndarray) -> bool:
    """Every support action's probability above INSIDE at the free probabilities x (a point on a face of
    the simplices belongs to a smaller support, solved there)."""
    return all(x[b].min(initial=1.0) > INSIDE and 1.0 - x[b].sum() > INSIDE for b in system.blocks)
