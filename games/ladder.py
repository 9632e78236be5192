"""Failover for the turn auction (issue 25, item 2): the runner-up ladder and its laws.

Under failover "runner_up" the lowest bid holds the turn for `failover_deadline`; on a miss the next-lowest
bid takes over, and so on up the bids. Whoever delivers is paid min(the next bid above its own, R), R when
no bid is above; every bidder reached pays its realised cost. With rival j's log-bid CDF F_j, survival S_j
and turn success s_j, bidder i with log bid x is reached when every rival below it missed (Q = 1), and

    A_i(x, y)     = prod_{j != i} ((1 - s_j) F_j(x) + S_j(y))  = E[Q 1{lowest rival bid above x > e^y}],
    reach_i(x)    = A_i(x, x),
    E[Q P | x]    = min(e^x, R) A_i(x, x) + int_x^{log R} e^y A_i(x, y) dy     (P the price, tail integral).

With every s_j = 1 and R above the bids these are Vickrey's second-price terms. The law of who takes the
k-th turn, every earlier one missed, is the z^k coefficient of prod_{j != i} (S_j(x) + (1 - s_j) F_j(x) z).
The simulator (TurnAuction.play) plays the ladder itself and never calls these laws.
"""
from __future__ import annotations

import numpy as np

from provergame.solvers import exponential_race as er

LADDER_BLOCK = 4_000_000     # (x, y, provers) elements of one block of the ladder's rival products (32 MB)
GREGORY = (-109 / 720, 59 / 240, -29 / 240, 19 / 720)   # Gregory's weights less the trapezoid's at a lower end (h^5)


def _leave_one_out(factors: np.ndarray) -> np.ndarray:
    """prod_{j != i} factors[..., j] for every i, exact where factors vanish (counted, not divided by)."""
    zero = factors <= 0
    logs = np.log(np.where(zero, 1.0, factors))
    total, zeros = logs.sum(-1, keepdims=True), zero.sum(-1, keepdims=True)
    return np.where(zeros - zero > 0, 0.0, np.exp(total - logs))


def terms(log_surv: np.ndarray, success: np.ndarray, x: np.ndarray, reward: float,
          log_surv_cap: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(reach_i(x), E[Q P | x]) on the uniform log grid x, (X, n) each, from every bidder's log-bid survival
    log S_j(x) (X, n) and, where log R falls inside the grid, at log R (`log_surv_cap`, (n,)). The part of
    A_i that stays as y grows, A_i(x, inf) = prod (1 - s_j) F_j(x), integrates exactly; the rest, which
    vanishes above the bids, by the trapezoid rule over the grid nodes from x up to log R (the last piece
    ending at log R) with Gregory's end correction at its lower end, y = x (fifth order)."""
    X, n = log_surv.shape
    S = np.exp(log_surv)
    below = -np.expm1(log_surv) * (1 - success)                      # (1 - s_j) F_j(x)
    reach = _leave_one_out(below + S)
    last = _leave_one_out(below)                                      # A_i(x, inf): every rival below x, missed
    log_r = np.log(reward) if reward > 0 else -np.inf
    ex = np.exp(x)
    price = np.minimum(ex, reward)[:, None] * reach + np.maximum(reward - ex, 0.0)[:, None] * last
    top = int(np.searchsorted(x, log_r, side="right"))               # grid nodes y_k <= log R: k < top
    inside = 0 < top < X and log_r > x[top - 1]
    y = np.append(x[:top], log_r) if inside else x[:top]             # the integral's nodes, log R last
    if inside:
        S = np.concatenate([S[:top], np.exp(np.asarray(log_surv_cap, dtype=float))[None, :]])
    top = y.size
    if top < 2:
        return reach, price
    h = np.diff(y)
    ey = np.exp(y)
    step = max(1, LADDER_BLOCK // (X * top))
    blocks = [slice(lo, lo + step) for lo in range(0, n, step)]
    logs, zeros = np.zeros((X, top)), np.zeros((X, top))
    for block in blocks:                                              # the product over every rival j, in blocks
        fac = below[:, None, block] + S[None, :, block]               # (x, y, block) for y <= log R
        zeros += (fac <= 0).sum(-1)
        logs += np.log(np.where(fac <= 0, 1.0, fac)).sum(-1)
    above = (np.arange(top - 1)[None, :] >= np.arange(X)[:, None]).astype(float)   # segments from x on
    start = np.flatnonzero(np.arange(X) + len(GREGORY) <= top)       # x with the correction's nodes above it
    for block in blocks:                                              # then each bidder's own factor left out
        fac = below[:, None, block] + S[None, :, block]
        own = fac <= 0
        A = np.where(zeros[..., None] - own > 0, 0.0, np.exp(logs[..., None] - np.log(np.where(own, 1.0, fac))))
        f = ey[None, :, None] * (A - last[:, None, block])           # e^y (A_i(x, y) - A_i(x, inf)): vanishes above
        seg = 0.5 * (f[:, 1:, :] + f[:, :-1, :]) * h[None, :, None]   # segment [y_k, y_k+1]
        price[:, block] += np.einsum("xkb,xk->xb", seg, above)
        for k, weight in enumerate(GREGORY):                          # Gregory's end correction at y = x
            price[start, block] += weight * h[start, None] * f[start, start + k, :]
    return reach, price


def positions(log_surv: np.ndarray, success: np.ndarray, turns: int) -> np.ndarray:
    """P(i takes turn k + 1 with every earlier turn missed | i's log bid x), (X, n, turns): the z^k
    coefficient of prod_{j != i} (S_j(x) + (1 - s_j) F_j(x) z) (solvers.exponential_race's truncated
    prefix and suffix products)."""
    below = -np.expm1(log_surv) * (1 - success)
    return np.moveaxis(er.leave_one_out_products(np.exp(log_surv), below, turns), 0, -1)
