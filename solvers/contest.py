"""The Tullock lottery contest: payoff R x_i / sum x - c_i x_i.

Unique equilibrium for heterogeneous marginal costs (Hillman & Riley 1989; Stein 2002):
with costs sorted ascending, the active set is the largest m with (m - 1) c_m < sum_{j<=m} c_j;
total effort X = R (m - 1) / C_m, x_i = X (1 - (m - 1) c_i / C_m), profit_i = R (1 - (m - 1) c_i / C_m)^2.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from provergame.lazy import sympy as sp

from provergame.errors import InvalidParameter, check_array, check_real


def active_set_size(sorted_costs: np.ndarray) -> int:
    """Largest m with (m - 1) c_(m) < sum of the m smallest costs (at least 2 when n >= 2)."""
    csum = np.cumsum(sorted_costs)
    m = np.arange(1, len(sorted_costs) + 1)
    ok = (m - 1) * sorted_costs < csum * (1 - 1e-12)
    return int(np.flatnonzero(ok)[-1]) + 1


def tullock_equilibrium(reward: float, costs: Any) -> np.ndarray:
    """Equilibrium efforts of the Tullock contest, O(n log n). A single contestant spends nothing."""
    reward = check_real("reward", reward, lo=0, lo_open=True)
    c = check_array("cost", costs, lo=0, lo_open=True)
    if len(c) < 2:
        return np.zeros(len(c))
    order = np.argsort(c, kind="stable")
    m = active_set_size(c[order])
    active = order[:m]
    c_sum = c[active].sum()
    total = reward * (m - 1) / c_sum
    x = np.zeros(len(c))
    x[active] = np.maximum(total * (1 - (m - 1) * c[active] / c_sum), 0.0)
    return x


def tullock_profits(reward: float, costs: Any) -> np.ndarray:
    c = np.asarray(costs, dtype=float)
    x = tullock_equilibrium(reward, c)
    total = x.sum()
    return reward * np.divide(x, total, out=np.zeros_like(x), where=total > 0) - c * x


def best_response(reward: float, cost: np.ndarray, others: np.ndarray) -> np.ndarray:
    """argmax_x R x / (x + X_-i) - c x = max(0, sqrt(R X_-i / c) - X_-i)."""
    return np.maximum(np.sqrt(reward * others / cost) - others, 0.0)


def iterated_best_response(reward: float, costs: Any, tol: float = 1e-12, max_iter: int = 200_000) -> tuple[np.ndarray, int]:
    """Damped simultaneous best responses, the numeric baseline the closed form is checked against.

    Safeguarded: the damping halves whenever the residual |BR(x) - x| has not halved over 50 steps
    (strong asymmetry gives the best-response map complex eigenvalues of large modulus).
    """
    c = np.asarray(costs, dtype=float)
    if len(c) < 2:
        raise InvalidParameter("costs", list(c), "at least 2 contestants")
    x = np.full(len(c), reward / (len(c) * c.mean()) / 2)
    eta, checkpoint = 0.5, np.inf
    for it in range(max_iter):
        step = best_response(reward, c, x.sum() - x) - x
        residual = float(np.max(np.abs(step)))
        if residual <= tol * max(1.0, float(np.max(x))):
            return x, it
        if it % 50 == 0:
            if residual > 0.5 * checkpoint:
                eta *= 0.5
            checkpoint = residual
        x = x + eta * step
    return x, max_iter


def symbolic_tullock() -> dict[str, Any]:
    """Symmetric Tullock contest with n players: effort, profit and dissipation in closed form."""
    R, c, x, y = sp.symbols("R c x y", positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    payoff = R * x / (x + (n - 1) * y) - c * x
    effort = R * (n - 1) / (n ** 2 * c)
    return {"payoff": payoff, "effort": effort,
            "profit": R / n ** 2,                   # payoff at x = y = effort, simplified (tests/test_proofs.py)
            "dissipation": (n - 1) / n}             # n c effort / R
