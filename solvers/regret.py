"""The regret certificate: each player's best unilateral gain, searched independently of any solver.

Finite (entry) strategies: exact, over the pure strategies {0, 1} (payoffs are linear in the own
mixing probability). Continuous strategies: a grid (linear and geometric points plus the played
value) over the player's strategy interval, then vectorised golden-section refinement around the
best grid point, for every player at once.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from provergame.games import protocols
from provergame.games.base import trusted_profiles

if TYPE_CHECKING:                      # annotations only: games import these kernels
    from provergame.games.base import Game

_GOLDEN = (np.sqrt(5) - 1) / 2
REFINE = 48      # golden-section steps: the bracket (two grid cells) shrinks by 0.618^48 ~ 1e-10


def _grid(lo: np.ndarray, hi: np.ndarray, current: np.ndarray, points: int) -> np.ndarray:
    u = np.linspace(0, 1, points)
    geo = np.geomspace(1e-9, 1, points)
    span = (hi - lo)[:, None]
    g = np.concatenate([lo[:, None] + span * u, lo[:, None] + span * geo, current[:, None]], axis=1)
    return np.sort(g, axis=1)


def best_responses(game: Game, profile, points: int = 129, iterations: int = REFINE) -> tuple[np.ndarray, np.ndarray]:
    """(best deviation payoff, a strategy attaining it) for every player, searched independently.

    Games may add their own breakpoints (e.g. rivals' bids, where payoffs jump) through an
    optional `critical_strategies(profile) -> (n, m)` method; they join the grid.
    """
    p = game.check_profile(profile)
    n = game.n
    if game.finite:
        pay = game.deviation_payoffs(p, np.tile([0.0, 1.0], (n, 1)))
        k = np.argmax(pay, axis=1)
        return pay[np.arange(n), k], k.astype(float)
    lo, hi = game.strategy_bounds()
    lattice = game.price_lattice() if isinstance(game, protocols.PriceLattice) else None
    if lattice is not None:        # prices are multiples of a coarse tick: every one of them is tried
        grid = np.broadcast_to(lattice, (n, len(lattice)))
        with trusted_profiles():
            pay = game.deviation_payoffs(p, grid)
        k = np.argmax(pay, axis=1)
        return pay[np.arange(n), k], grid[np.arange(n), k]
    grid = _grid(lo, hi, p, points)
    if isinstance(game, protocols.CriticalStrategies):
        grid = np.sort(np.concatenate([grid, np.clip(game.critical_strategies(p), lo[:, None], hi[:, None])], 1), 1)
    with trusted_profiles():             # every candidate below lies in [lo, hi], the others keep p
        pay = game.deviation_payoffs(p, grid)
        k = np.argmax(pay, axis=1)
        best, arg = pay[np.arange(n), k], grid[np.arange(n), k]
        a = grid[np.arange(n), np.maximum(k - 1, 0)]
        b = grid[np.arange(n), np.minimum(k + 1, grid.shape[1] - 1)]
        for _ in range(iterations):
            c = b - _GOLDEN * (b - a)
            d = a + _GOLDEN * (b - a)
            fc, fd = game.deviation_payoffs(p, np.stack([c, d], axis=1)).T
            better_c, better_d = fc > best, fd > best
            arg = np.where(better_c & (fc >= fd), c, np.where(better_d, d, arg))
            best = np.maximum(best, np.maximum(fc, fd))
            left = fc >= fd
            b = np.where(left, d, b)
            a = np.where(left, a, c)
    return best, arg


def regret_and_best(game: Game, profile, points: int = 129, iterations: int = REFINE) -> tuple[np.ndarray, np.ndarray]:
    """(regret per player, a best-responding strategy per player) from one independent search."""
    p = game.check_profile(profile)
    current = np.asarray(game.expected_payoffs(p), dtype=float)
    best, arg = best_responses(game, p, points, iterations)
    if isinstance(game, protocols.FunctionStrategies):   # strategies that are functions (auctions)
        best = np.maximum(best, game.best_deviation_payoffs(p))
    return np.maximum(best - current, 0.0), arg


def regret_by_player(game: Game, profile, points: int = 129, iterations: int = REFINE) -> np.ndarray:
    """max over own strategies of the deviation payoff minus the current payoff, per player (>= 0)."""
    return regret_and_best(game, profile, points, iterations)[0]


def regret(game: Game, profile) -> float:
    """The largest gain any single player can get by deviating."""
    return float(np.max(regret_by_player(game, profile)))
