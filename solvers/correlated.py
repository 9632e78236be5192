"""Correlated and coarse correlated equilibria by linear programming, each with its own certificates.

A correlated equilibrium (Aumann 1974) is a distribution mu over pure profiles such that no player,
told its own recommended action, gains by playing another: for every player i and actions a != b,
sum over profiles s with s_i = a of mu(s) [u_i(b, s_-i) - u_i(s)] <= 0. A coarse correlated equilibrium
(Hannan 1957; Moulin and Vial 1978) asks this only before the recommendation is seen: for every i and b,
sum over s of mu(s) [u_i(b, s_-i) - u_i(s)] <= 0. Both sets are polytopes; the best point for a linear
objective is a linear program (Papadimitriou and Roughgarden 2008), solved here by HiGHS through
scipy.optimize.linprog, or stated in cvxpy (imported only when asked) and solved by the same HiGHS.
Ratio objectives (user cost per proof landed, a prover's share of all rewards) become linear programs
by the Charnes-Cooper change of variables.

Two certificates, computed here from the solution and not taken from the solver: the largest
obedience violation, summed cell by cell; and an upper bound on the best achievable objective from
the LP's dual multipliers by weak duality (any nonnegative multipliers give one), so the reported
optimality gap is proved, not asserted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from provergame.errors import InvalidParameter

MAX_CELLS = 1 << 14          # pure profiles an LP may range over (a declared size limit)


@dataclass(frozen=True)
class CellTable:
    """A finite game tabulated over its pure profiles: `payoffs[c, i]` and `deviation[c, i, b]`, player i's
    payoff in cell c and if it alone switched to action b; `actions[c, i]` is its action in cell c.
    `values` holds per-cell quantities objectives are built from (e.g. 'user_payment', 'on_time')."""

    payoffs: np.ndarray
    deviation: np.ndarray
    actions: np.ndarray
    values: dict = field(default_factory=dict)

    @classmethod
    def from_tensor(cls, payoffs: np.ndarray, values: dict | None = None) -> "CellTable":
        """From payoffs[a_1, ..., a_n, i] (cells in C order of the action indices)."""
        shape, n = payoffs.shape[:-1], payoffs.ndim - 1
        cells = int(np.prod(shape))
        if cells > MAX_CELLS:
            raise InvalidParameter("game", f"{cells} pure profiles", f"at most {MAX_CELLS} for a correlated equilibrium")
        actions = np.array(np.unravel_index(np.arange(cells), shape)).T
        flat = payoffs.reshape(cells, n)
        width = max(shape)
        deviation = np.full((cells, n, width), -np.inf)
        for i in range(n):
            for b in range(shape[i]):
                moved = actions.copy()
                moved[:, i] = b
                deviation[:, i, b] = flat[np.ravel_multi_index(moved.T, shape), i]
        return cls(flat, deviation, actions, dict(values or {}))

    @property
    def players(self) -> int:
        return self.payoffs.shape[1]

    def obedience(self, coarse: bool) -> np.ndarray:
        """Rows g with g @ mu <= 0 the (coarse) correlated equilibrium conditions."""
        rows = []
        for i in range(self.players):
            for b in range(self.deviation.shape[2]):
                gain = self.deviation[:, i, b] - self.payoffs[:, i]
                if not np.isfinite(gain).any():
                    continue
                gain = np.where(np.isfinite(gain), gain, 0.0)
                if coarse:
                    rows.append(gain)
                else:
                    for a in np.unique(self.actions[:, i]):
                        if a != b:
                            rows.append(np.where(self.actions[:, i] == a, gain, 0.0))
        return np.array(rows).reshape(-1, len(self.payoffs))


@dataclass(frozen=True)
class CorrelatedEquilibrium:
    """The best (coarse) correlated equilibrium for an objective, with its certificates."""

    distribution: np.ndarray        # mu over cells (sums to 1)
    actions: np.ndarray             # (cells, players)
    objective: str
    value: float                    # the objective at mu
    bound: float                    # the dual bound: no (coarse) correlated equilibrium does better
    violation: float                # the largest obedience gain at mu (<= 0 up to rounding)
    coarse: bool

    @property
    def gap(self) -> float:
        return abs(self.bound - self.value)

    def support(self, tol: float = 1e-9) -> list[tuple[tuple[int, ...], float]]:
        """The recommended pure profiles and their probabilities."""
        keep = np.flatnonzero(self.distribution > tol)
        return [(tuple(int(a) for a in self.actions[c]), float(self.distribution[c])) for c in keep]


BACKENDS = ("highs", "cvxpy")


def best_correlated(table: CellTable, objective: str, coarse: bool = False,
                    backend: str = "highs") -> CorrelatedEquilibrium:
    """The (coarse) correlated equilibrium of `table` best for `objective`: 'welfare' (sum of payoffs,
    max), 'liveness' (values['on_time'], max), 'user_cost' (values['user_payment'] per unit of
    values['eventual_liveness'], min), 'min_share' (the smallest player's share of values['reward'], max).

    `backend`: "highs" hands the LP's matrices to HiGHS through scipy.optimize.linprog; "cvxpy" states it
    in cvxpy (imported on first use) and solves it with the same HiGHS. The certificates are computed
    here from the distribution and the obedience multipliers either way."""
    g = table.obedience(coarse)
    if backend == "cvxpy":
        raw, y, z = _by_cvxpy(table, objective, g)
    elif backend == "highs":
        raw, y, z = _by_highs(table, objective, g)
    else:
        raise InvalidParameter("backend", backend, f"one of {BACKENDS}")
    raw = np.clip(np.asarray(raw, float), 0.0, None)
    if raw.sum() <= 0:
        raise InvalidParameter("objective", objective, "an objective with a positive denominator at some equilibrium")
    mu = raw / raw.sum()
    value = _evaluate(table, objective, mu)
    bound = _dual_bound(table, objective, g, y, z)
    return CorrelatedEquilibrium(mu, table.actions, objective, value, bound, float((g @ mu).max(initial=0.0)), coarse)


def _by_highs(table: CellTable, objective: str, g: np.ndarray) -> tuple[np.ndarray, np.ndarray, Any]:
    """The LP over nu (the cell weights; Charnes-Cooper: nu = mu / denominator for a ratio), and for
    'min_share' a last variable t: (nu, obedience multipliers y >= 0, share multipliers z >= 0)."""
    from scipy.optimize import linprog
    cells = len(table.payoffs)
    if objective == "min_share":
        reward = _values(table, "reward")                        # t - reward_i . nu <= 0 for every i
        a_ub = np.block([[g, np.zeros((len(g), 1))], [-reward.T, np.ones((reward.shape[1], 1))]])
        a_eq = np.append(_values(table, "reward_total"), 0.0)[None, :]
        c = np.append(np.zeros(cells), -1.0)
        bounds = [(0, None)] * cells + [(None, None)]
    else:
        a_ub, bounds = g, (0, None)
        ratio = objective == "user_cost"
        a_eq = (_values(table, "eventual_liveness") if ratio else np.ones(cells))[None, :]
        c = _linear_objective(table, objective) * (1.0 if ratio else -1.0)
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(len(a_ub)), A_eq=a_eq, b_eq=[1.0], bounds=bounds, method="highs")
    if res.status != 0:
        raise InvalidParameter("objective", objective, f"a bounded linear program (solver status: {res.message})")
    duals = -np.asarray(res.ineqlin.marginals, float)         # multipliers of the <= rows in the min form
    return res.x[:cells], duals[:len(g)], duals[len(g):] if objective == "min_share" else None


def _by_cvxpy(table: CellTable, objective: str, g: np.ndarray) -> tuple[np.ndarray, Any, Any]:
    import cvxpy as cp
    cells = len(table.payoffs)
    nu = cp.Variable(cells)
    scale = cp.Variable()
    obey = g @ nu <= 0
    positive = nu >= 0
    ratio = objective in ("user_cost", "min_share")
    constraints = [obey, positive]
    if ratio:                                  # nu = mu / denominator, sum(nu) = 1 / denominator = scale
        denominator = _values(table, "eventual_liveness" if objective == "user_cost" else "reward_total")
        constraints += [denominator @ nu == 1, cp.sum(nu) == scale, scale >= 0]
    else:
        constraints += [cp.sum(nu) == 1]
    if objective == "min_share":
        t = cp.Variable()
        share = _values(table, "reward").T @ nu
        constraints.append(share >= t)
        problem = cp.Problem(cp.Maximize(t), constraints)
    else:
        c = _linear_objective(table, objective)
        problem = cp.Problem(cp.Minimize(c @ nu) if objective == "user_cost" else cp.Maximize(c @ nu), constraints)
    problem.solve(solver=cp.SCIPY, scipy_options={"method": "highs"})     # scipy's HiGHS: quiet, with duals
    if problem.status not in ("optimal", "optimal_inaccurate"):
        raise InvalidParameter("objective", objective, f"a bounded linear program (solver status: {problem.status})")
    return nu.value, obey.dual_value, constraints[-1].dual_value if objective == "min_share" else None


def _values(table: CellTable, name: str) -> np.ndarray:
    if name == "reward_total":
        return _values(table, "reward").sum(axis=1)
    if name not in table.values:
        raise InvalidParameter("objective", name, f"one of the table's values {sorted(table.values)}")
    return np.asarray(table.values[name], float)


def _linear_objective(table: CellTable, objective: str) -> np.ndarray:
    if objective == "welfare":
        return table.payoffs.sum(axis=1)
    if objective == "liveness":
        return _values(table, "on_time")
    if objective == "user_cost":
        return _values(table, "user_payment")
    raise InvalidParameter("objective", objective, "'welfare', 'liveness', 'user_cost' or 'min_share'")


def evaluate(table: CellTable, objective: str, mu: np.ndarray) -> float:
    """The objective at a distribution mu over cells (also used for product distributions: Nash)."""
    return _evaluate(table, objective, np.asarray(mu, float))


def _evaluate(table: CellTable, objective: str, mu: np.ndarray) -> float:
    if objective == "user_cost":
        live = float(_values(table, "eventual_liveness") @ mu)
        return float(_values(table, "user_payment") @ mu) / live if live > 0 else float("inf")
    if objective == "min_share":
        reward = _values(table, "reward").T @ mu
        return float(reward.min() / reward.sum()) if reward.sum() > 0 else 0.0
    return float(_linear_objective(table, objective) @ mu)


def _dual_bound(table: CellTable, objective: str, g: np.ndarray, y: Any, z: Any) -> float:
    """Weak duality from the solver's obedience multipliers y >= 0 (and the share multipliers z): a bound
    no (coarse) correlated equilibrium can beat, whatever the multipliers' accuracy."""
    y = np.clip(np.asarray(y, float).ravel(), 0.0, None)
    penalty = g.T @ y
    if objective == "min_share":
        z = np.clip(np.asarray(z, float).ravel(), 0.0, None)
        z = z / z.sum() if z.sum() > 0 else np.full(len(z), 1.0 / len(z))
        reward = _values(table, "reward")
        total = reward.sum(axis=1)
        # for any CE mu with R = reward.T @ mu: min_i R_i / sum R <= (z @ R) / sum R; maximise the ratio
        # of (z @ reward - penalty) to total over cells where total > 0 (Charnes-Cooper dual)
        ok, fair = total > 0, 1.0 / reward.shape[1]
        if not ok.any() or (reward[~ok] @ z - penalty[~ok] > 0).any():
            return fair                           # the bound every distribution meets
        return float(min(fair, np.max((reward[ok] @ z - penalty[ok]) / total[ok])))
    if objective == "user_cost":                  # payments are nonnegative: 0 is the bound of last resort
        live = _values(table, "eventual_liveness")
        pay = _values(table, "user_payment")
        ok = live > 0
        if not ok.any() or (pay[~ok] + penalty[~ok] < 0).any():
            return 0.0
        return float(max(0.0, np.min((pay[ok] + penalty[ok]) / live[ok])))
    c = _linear_objective(table, objective)
    return float(np.max(c - penalty))
