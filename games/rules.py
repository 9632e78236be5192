"""Protocol building blocks shared by the games' `play` and payoff faces: who enters, whose proof is
valid, who finishes first, VRF draw orders, and the margin of a delivered assignment.

Each function is vectorised over rounds (rows) and provers (columns) and draws only from the
generator it is given, so a game's `play` stays a handful of array operations.
"""
from __future__ import annotations

import numpy as np


def entries(profile: np.ndarray, rng: np.random.Generator, rounds: int) -> np.ndarray:
    """(rounds, n) who enters each round: deterministic for pure profiles, Bernoulli(p_i) otherwise."""
    if np.all((profile == 0) | (profile == 1)):
        return np.broadcast_to(profile == 1, (rounds, profile.shape[0]))
    return rng.random((rounds, profile.shape[0])) < profile


def valid_draws(reliability: np.ndarray, rng: np.random.Generator, rounds: int) -> np.ndarray:
    """(rounds, n) whose proof is valid and delivered, each with its reliability."""
    if np.all(reliability == 1):
        return np.ones((rounds, reliability.shape[0]), dtype=bool)
    return rng.random((rounds, reliability.shape[0])) < reliability


def first_finisher(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(winner, accepted): the column of each row's smallest finite time, and whether there is one."""
    winner = np.argmin(times, axis=1)
    accepted = np.isfinite(times[np.arange(times.shape[0]), winner])
    return winner, accepted


def one_hot(index: np.ndarray, mask: np.ndarray, n: int, value: float) -> np.ndarray:
    """(rounds, n) with `value` at column index[r] of every row r where mask[r], 0 elsewhere."""
    out = np.zeros((index.shape[0], n))
    rows = np.flatnonzero(mask)
    out[rows, index[rows]] = value
    return out


def weighted_draw_order(weights: np.ndarray, rng: np.random.Generator, rounds: int) -> np.ndarray:
    """VRF draws without replacement in proportion to weight (Efraimidis-Spirakis keys, as
    exponential clocks -log(u) / w): the ascending order of the keys is the draw order; weight-0
    provers get +inf (never drawn)."""
    u = rng.random((rounds, weights.shape[-1]))
    with np.errstate(divide="ignore"):
        return np.where(weights > 0, -np.log(u) / np.where(weights > 0, weights, 1.0), np.inf)


def delivery_margin(reliability: np.ndarray, pay: np.ndarray | float, cost: np.ndarray | float,
                    slash: np.ndarray | float) -> np.ndarray:
    """Expected profit of taking one assignment: paid `pay` on delivery (chance `reliability`), pays
    its proving `cost` either way, slashed `slash` on failure: rho pay - cost - (1 - rho) slash."""
    rho = np.asarray(reliability, dtype=float)
    return rho * pay - cost - (1 - rho) * slash
