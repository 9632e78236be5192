"""Numerical equilibria of continuous games by best-response iteration, certified by regret.

Sequential (Gauss-Seidel) best responses for up to 50 players: one player moves at a time to its
independently searched best response, which settles games where simultaneous moves oscillate.
For more players, damped simultaneous best responses (the damping halves when gains stop falling).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .regret import REFINE, best_responses

if TYPE_CHECKING:                      # annotations only: games import these kernels
    from provergame.games.base import Game


def best_response_iteration(game: Game, start: np.ndarray, damping: float = 0.5, tol: float = 1e-9,
                            max_iter: int = 400, points: int = 65) -> tuple[np.ndarray, bool]:
    """Returns (profile, converged): converged means no player gains more than tol * payoff scale."""
    p = game.check_profile(start).copy()
    scale = max(1.0, float(np.max(np.abs(game.expected_payoffs(p)))))

    resolution = {"points": points, "iterations": 40}

    def gains(profile):
        best, arg = best_responses(game, profile, **resolution)
        return best - game.expected_payoffs(profile), arg

    if game.n <= 50:
        # coarse sweeps first, then sweeps at the certificate's own resolution until nobody moves
        for phase in ({"points": points, "iterations": 40}, {"points": 129, "iterations": REFINE}):
            resolution.update(phase)
            settled = False
            for _ in range(max(1, max_iter // max(game.n, 1))):
                moved = False
                gain, arg = gains(p)
                for i in range(game.n):  # sequential sweep; each search is vectorised over candidates
                    if gain[i] > tol * scale:
                        p[i] = arg[i]
                        moved = True
                        gain, arg = gains(p)        # searched again only after someone moved
                if not moved:
                    settled = True
                    break
        return p, settled
    eta, last = damping, np.inf
    for _ in range(max_iter):
        gain, arg = gains(p)
        worst = float(np.max(gain))
        if worst <= tol * scale:
            return p, True
        if worst > 0.9 * last:
            eta = max(eta * 0.5, 1e-3)
        last = worst
        p = game.check_profile(p + eta * (arg - p))
    return p, False
