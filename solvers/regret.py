"""The regret certificate: each player's best unilateral gain, searched independently of any solver.

Finite (entry) strategies: exact, over the pure strategies {0, 1} (payoffs are linear in the own
mixing probability). Continuous strategies: a grid (linear and geometric points plus the played
value) over the player's strategy interval, then a vectorised zoom around the best grid point (a few
rounds of evenly spaced points, as far as 48 golden-section steps would narrow it), every player at once.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from provergame.games import protocols
from provergame.games.base import trusted_profiles

if TYPE_CHECKING:                      # annotations only: games import these kernels
    from provergame.games.base import Game

_GOLDEN = (np.sqrt(5) - 1) / 2
REFINE = 48      # refinement, in golden-section steps: the bracket (two grid cells) shrinks by 0.618^48 ~ 1e-10
ZOOM_POINTS = 32  # points per zoom round: 9 rounds of 32 reach 0.618^48, where 16 rounds of 8 would (most payoffs cost per call, not per point)


def _grid(lo: np.ndarray, hi: np.ndarray, current: np.ndarray, points: int) -> np.ndarray:
    u = np.linspace(0, 1, points)
    geo = np.geomspace(1e-9, 1, points)
    span = (hi - lo)[:, None]
    g = np.concatenate([lo[:, None] + span * u, lo[:, None] + span * geo, current[:, None]], axis=1)
    return np.sort(g, axis=1)


def best_responses(game: Game, profile, points: int = 129, iterations: int = REFINE) -> tuple[np.ndarray, np.ndarray]:
    """(best deviation payoff, a strategy attaining it) for every player, searched independently.

    Games may add their own breakpoints (e.g. rivals' bids, where payoffs jump) through an
    optional `critical_strategies(profile) -> (n, m)` method; they join the grid. The search is a pure
    function of the (immutable) game, the profile and the resolution: asked again at the same profile,
    as the certificate asks where best-response iteration stopped, it returns the result it kept.
    """
    p = game.check_profile(profile)
    best, arg = game.kept_for(f"best_responses/{points}/{iterations}", p,
                              lambda: _best_responses(game, p, points, iterations))
    return best.copy(), arg.copy()


def _best_responses(game: Game, p: np.ndarray, points: int, iterations: int) -> tuple[np.ndarray, np.ndarray]:
    n = game.n
    lo, hi = game.strategy_bounds()
    if game.finite:                     # pure strategies {0, 1}, within each player's bounds (ineligible: 0)
        pure = np.clip(np.tile([0.0, 1.0], (n, 1)), lo[:, None], hi[:, None])
        pay = game.deviation_payoffs(p, pure)
        k = np.argmax(pay, axis=1)
        return pay[np.arange(n), k], pure[np.arange(n), k]
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
        best, arg = _zoom(game, p, best, arg, a, b, iterations)
    return best, arg


def _zoom(game: Game, p: np.ndarray, best: np.ndarray, arg: np.ndarray, a: np.ndarray, b: np.ndarray,
          iterations: int) -> tuple[np.ndarray, np.ndarray]:
    """Refine each player's best strategy inside its bracket [a, b] (two grid cells) by zooming: m
    evenly spaced points per round, then the bracket two spacings wide around the best point so far,
    until it has shrunk as far as `iterations` golden-section steps would take it (0.618^iterations);
    a few batched rounds instead of one round trip per golden step."""
    if iterations <= 0:
        return best, arg
    n = len(best)
    m = ZOOM_POINTS
    rounds = int(np.ceil(iterations * np.log(_GOLDEN) / np.log(2.0 / (m + 1))))
    steps = np.arange(1, m + 1) / (m + 1)
    rows = np.arange(n)
    for _ in range(rounds):
        xs = a[:, None] + (b - a)[:, None] * steps
        pay = game.deviation_payoffs(p, xs)
        k = np.argmax(pay, axis=1)
        top = pay[rows, k]
        better = top > best
        arg = np.where(better, xs[rows, k], arg)
        best = np.maximum(best, top)
        width = (b - a) / (m + 1)
        a, b = np.maximum(a, arg - width), np.minimum(b, arg + width)
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
