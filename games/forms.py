"""Indexed n-prover closed forms every game's symbolic face shares: on-time liveness by timing family
and the stall bribe; solvers.closed_forms instantiates them at a game's own numbers.

Race:    L(w) = 1 - prod_{i=1}^n (1 - q_i (1 - e^{-r_i w}))       (first valid proof by w; q presence)
Elected: L(w) = sum_{i=1}^n f_i rho_i (1 - e^{-r_i w})             (f: law of the first assignee)
Failover (identical provers rho, r; each assignee holds the unit for d, K = floor(w / d) whole turns):
         L(w) = 1 - (1 - rho (1 - e^{-r d}))^K (1 - rho (1 - e^{-r (w - K d)}))
Served:  L = min(sum_{i=1}^n u_i, D) / D                          (a market: units bought of demand D)
Stall:   B = sum_{i=1}^n max(b_i, 0)                               (b: payoff proving alone)
"""
from __future__ import annotations

from typing import Any

import numpy as np
from provergame.lazy import sympy as sp

N = sp.Symbol("n", integer=True, positive=True)
I = sp.Symbol("i", integer=True, positive=True)
W = sp.Symbol("w", positive=True)


def race_on_time_form() -> sp.Expr:
    q, r = sp.IndexedBase("q"), sp.IndexedBase("r")
    return 1 - sp.Product(1 - q[I] * (1 - sp.exp(-r[I] * W)), (I, 1, N))


def elected_on_time_form() -> sp.Expr:
    f, rho, r = sp.IndexedBase("f"), sp.IndexedBase("rho"), sp.IndexedBase("r")
    return sp.Sum(f[I] * rho[I] * (1 - sp.exp(-r[I] * W)), (I, 1, N))


def stall_bribe_form() -> sp.Expr:
    b = sp.IndexedBase("b")
    return sp.Sum(sp.Max(b[I], 0), (I, 1, N))


def failover_on_time_form() -> sp.Expr:
    """On-time liveness under failover "next_draw" with identical provers, more registered than turns:
    every turn is an independent attempt, the last one cut short by the window."""
    rho, r, d = sp.symbols("rho r d", positive=True)
    K = sp.Symbol("K", integer=True, nonnegative=True)
    return 1 - (1 - rho * (1 - sp.exp(-r * d))) ** K * (1 - rho * (1 - sp.exp(-r * (W - K * d))))


def served_form() -> sp.Expr:
    """A market's on-time liveness: the share of demand D bought from the units u_i offered."""
    u, D = sp.IndexedBase("u"), sp.Symbol("D", positive=True)
    return sp.Min(sp.Sum(u[I], (I, 1, N)), D) / D


def forms() -> dict[str, sp.Expr]:
    return {"on_time_liveness_race": race_on_time_form(), "on_time_liveness_elected": elected_on_time_form(),
            "on_time_liveness_failover": failover_on_time_form(),
            "on_time_liveness_served": served_form(), "stall_bribe": stall_bribe_form()}


def instantiate(expr: sp.Expr, n: int, arrays: dict[str, Any],
                scalars: dict[str, float] | None = None) -> tuple[sp.Expr, dict[str, float]]:
    """The form at n provers with plain symbols name_k for its indexed entries, and their values."""
    e = expr.subs(N, n).doit()
    values = {k: float(v) for k, v in (scalars or {}).items()}
    swap = {}
    for atom in e.atoms(sp.Indexed):
        name, k = str(atom.base), int(atom.indices[0])
        plain = sp.Symbol(f"{name}_{k}")
        swap[atom] = plain
        values[plain.name] = float(np.asarray(arrays[name], dtype=float)[k - 1])
    return e.xreplace(swap), values
