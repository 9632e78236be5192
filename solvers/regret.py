"""The regret certificate: each player's best unilateral gain, searched independently of any solver.

Finite (entry) strategies: exact, over the pure strategies {0, 1} (payoffs are linear in the own
mixing probability). Continuous strategies: a grid (linear and geometric points plus the played
value) over the player's strategy interval, then vectorised golden-section refinement around the
best grid point, for every player at once.
"""
from __future__ import annotations

import numpy as np

_GOLDEN = (np.sqrt(5) - 1) / 2


def _grid(lo: np.ndarray, hi: np.ndarray, current: np.ndarray, points: int) -> np.ndarray:
    u = np.linspace(0, 1, points)
    geo = np.geomspace(1e-9, 1, points)
    span = (hi - lo)[:, None]
    g = np.concatenate([lo[:, None] + span * u, lo[:, None] + span * geo, current[:, None]], axis=1)
    return np.sort(g, axis=1)


def regret_by_player(game, profile, points: int = 129, iterations: int = 80) -> np.ndarray:
    """max over own strategies of the deviation payoff minus the current payoff, per player (>= 0)."""
    p = game.check_profile(profile)
    current = np.asarray(game.expected_payoffs(p), dtype=float)
    n = game.n
    if game.finite:
        best = game.deviation_payoffs(p, np.tile([0.0, 1.0], (n, 1))).max(axis=1)
        return np.maximum(best - current, 0.0)
    lo, hi = game.strategy_bounds()
    grid = _grid(lo, hi, p, points)
    pay = game.deviation_payoffs(p, grid)
    k = np.argmax(pay, axis=1)
    best = pay[np.arange(n), k]
    a = grid[np.arange(n), np.maximum(k - 1, 0)]
    b = grid[np.arange(n), np.minimum(k + 1, grid.shape[1] - 1)]
    for _ in range(iterations):
        c = b - _GOLDEN * (b - a)
        d = a + _GOLDEN * (b - a)
        fc, fd = game.deviation_payoffs(p, np.stack([c, d], axis=1)).T
        best = np.maximum(best, np.maximum(fc, fd))
        left = fc >= fd
        b = np.where(left, d, b)
        a = np.where(left, a, c)
    return np.maximum(best - current, 0.0)


def regret(game, profile) -> float:
    """The largest gain any single player can get by deviating."""
    return float(np.max(regret_by_player(game, profile)))
