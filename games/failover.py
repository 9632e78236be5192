"""Failover for protocol-elected provers (issue 25, item 2): the declared rule, its fields and its laws.

Under failover "next_draw" each assignee holds the unit for `failover_deadline`; a later proof is
refused and the assignee slashed, and the next draw (Plackett-Luce over the same weights, without
replacement) takes over. A drawn prover then delivers with s_i = rho_i (1 - e^{-r_i d}); the chance it
is drawn at all is the exponential-race identity over the registered provers' successes, and on-time
liveness counts the floor(w / d) turns that end inside the window, the next with the rest of it.
The simulators play the turns themselves (games.rules.failover_attempts), never these laws.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from provergame.params import Choice, Real, param
from provergame.solvers import exponential_race as er

from .base import Assignments, Outcomes
from .rules import FAILOVERS, failover_attempts, failover_on_time, failover_slots


def failover_field(without: str) -> Any:
    """The `failover` parameter; `without` says what happens to a failed unit under "none"."""
    return param(Choice(options=FAILOVERS, doc=f"what happens when the assignee misses: \"none\", {without}; "
                                               "\"next_draw\", it holds the unit for failover_deadline, then the next "
                                               "draw takes over"), "none")


def deadline_field() -> Any:
    return param(Real(lo=0, lo_open=True, unit="time unit", doc="how long each assignee holds the unit under failover "
                      "\"next_draw\"; a proof after it is not accepted and the assignee is slashed"), 0.5)


def success(reliability: np.ndarray, rate: np.ndarray, failover: str, deadline: float) -> np.ndarray:
    """P(a drawn prover delivers within its turn): its reliability rho_i, times 1 - e^{-r_i d} under a
    failover deadline d (a later proof is not accepted)."""
    return reliability if failover == "none" else reliability * -np.expm1(-rate * deadline)


def reach(registered: np.ndarray, turn_success: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """P(i is drawn for a unit at some turn) under "next_draw": registered and no earlier draw delivered,
    int w_i e^{-w_i t} prod_{j != i} (1 - p_j s_j (1 - e^{-w_j t})) dt (exponential-race identity)."""
    registered = np.asarray(registered, dtype=float)
    return registered * er.first_finish(registered * turn_success, weights)


def deviation_reach(registered: np.ndarray, turn_success: np.ndarray, weights: np.ndarray,
                    candidates: np.ndarray) -> np.ndarray:
    """`reach` of each prover i when it alone moves its draw weight to candidates[i, k], the others fixed:
    int w' e^{-w' t} prod_{j != i} (1 - p_j s_j (1 - e^{-w_j t})) dt, the others' product on one time grid
    that resolves every weight and candidate (solvers.exponential_race.time_nodes), (n, m) in
    O(n m T) rather than a race per deviated profile."""
    registered = np.asarray(registered, dtype=float)
    weights = np.where(registered > 0, np.asarray(weights, dtype=float), 0.0)
    cand = np.where(registered[:, None] > 0, np.asarray(candidates, dtype=float), 0.0)
    scale = float(np.concatenate([weights, cand.ravel()]).max(initial=0.0))
    out = np.zeros(cand.shape)
    if scale <= 0:
        return out
    w, c = weights / scale, cand / scale
    t, dt = er.time_nodes(np.concatenate([w[w > 0], c[c > 0]]))
    logs = _log_missed(registered * turn_success, np.multiply.outer(t, w))          # (T, n)
    others = np.exp(logs.sum(axis=1, keepdims=True) - logs) * dt[:, None]        # prod_{j != i}, weighted
    step = max(1, DEVIATION_BLOCK // (c.shape[1] * len(t)))
    for lo in range(0, c.shape[0], step):
        block = slice(lo, lo + step)
        dens = c[block, :, None] * np.exp(-c[block, :, None] * t)                  # (block, m, T)
        out[block] = np.einsum("bmt,tb->bm", dens, others[:, block])
    return registered[:, None] * out


DEVIATION_BLOCK = 4_000_000     # (provers, candidates, time nodes) elements of one block of deviation_reach


def _log_missed(q: np.ndarray, wt: np.ndarray) -> np.ndarray:
    """log P(j was not drawn and delivering by race time t): log(1 - q_j (1 - e^{-w_j t})), wt = w_j t;
    -w_j t exactly where q_j = 1 (as solvers.exponential_race's races do), never -inf: a leave-one-out
    product taken as a difference of log sums would otherwise give -inf - -inf = NaN."""
    with np.errstate(divide="ignore"):
        return np.where(q == 1.0, -wt, np.log1p(-q * -np.expm1(-wt)))


def shifted_deviation_reach(registered: np.ndarray, turn_success: np.ndarray, base: np.ndarray, shift: np.ndarray,
                            own: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """`reach` of each prover i when its deviation to candidate k gives it draw weight own[i, k] and
    every other prover j weight base[j] + scale[i, k] shift[j] (delegators re-splitting a common pool,
    games.delegation): int c e^{-c t} prod_{j != i} (1 - p_j s_j (1 - e^{-w_j t})) dt, (n, m), the
    product over the others per (i, k) in blocks of provers: O(n^2 m T) elementwise, no race per profile.
    With scale 0 it is `deviation_reach` (the others fixed), which shares their product in O(n m T)."""
    registered = np.asarray(registered, dtype=float)
    base, shift = (np.where(registered > 0, np.asarray(x, dtype=float), 0.0) for x in (base, shift))
    own = np.where(registered[:, None] > 0, np.asarray(own, dtype=float), 0.0)
    scale = np.asarray(scale, dtype=float)
    lo, hi = base + scale.min(initial=0.0) * shift, base + scale.max(initial=0.0) * shift
    top = float(np.concatenate([hi, own.ravel()]).max(initial=0.0))
    out = np.zeros(own.shape)
    if top <= 0:
        return out
    rates = np.concatenate([lo, hi, own.ravel()]) / top
    t, dt = er.time_nodes(rates[rates > 0])
    q = registered * turn_success
    n, m = own.shape
    step = max(1, DEVIATION_BLOCK // (m * len(t) * n))
    for start in range(0, n, step):
        rows = np.arange(start, min(start + step, n))
        w = (base + scale[rows, :, None] * shift) / top                                # (b, m, n)
        logs = _log_missed(q, w[:, :, None, :] * t[:, None])                           # (b, m, T, n)
        logs[np.arange(len(rows)), :, :, rows] = 0.0                                   # j != i
        c = own[rows, :, None] / top
        out[rows] = np.einsum("bmt,bmt,t->bm", c * np.exp(-c * t), np.exp(logs.sum(axis=-1)), dt)
    return registered[:, None] * out


def on_time(registered: np.ndarray, turn_success: np.ndarray, weights: np.ndarray, reliability: np.ndarray,
            rate: np.ndarray, window: float, deadline: float) -> float:
    """P(a valid proof lands by `window`) under "next_draw" (games.rules.failover_on_time over the
    attempt-position law of solvers.exponential_race.attempt_positions)."""
    n = np.shape(registered)[-1]
    k, _ = failover_slots(window, deadline)
    positions = er.attempt_positions(registered, turn_success, weights, min(k, n - 1) + 1)
    return failover_on_time(positions, registered, turn_success, reliability, rate, window, deadline)


def play(weights: np.ndarray, reliability: np.ndarray, rate: np.ndarray, cost: np.ndarray, deadline: float,
         rng: np.random.Generator, rounds: int, prover_pay: np.ndarray, user_pay: np.ndarray, slash: Any) -> Outcomes:
    """Units played under "next_draw" among the provers with weight > 0 (games.rules.failover_attempts):
    every drawn prover pays its cost; the one that delivers is paid prover_pay[i] and users pay
    user_pay[i] for its proof; each drawn prover that missed is slashed slash[i]."""
    row, col, won, winner, ok, landed = failover_attempts(weights, reliability, rate, deadline, rng, rounds)
    slash = np.broadcast_to(np.asarray(slash, dtype=float), np.shape(cost))
    events = Assignments(rounds, len(cost), row, col, np.where(won, prover_pay[col], 0.0),
                         cost[col] + np.where(won, 0.0, slash[col]), np.ones(row.size, dtype=bool), np.zeros(len(cost)))
    return Outcomes(None, None, None, ok, np.where(ok, user_pay[winner], 0.0), np.where(ok, cost[winner], 0.0), landed,
                    assignments=events)
