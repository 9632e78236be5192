"""Concentration, cost and waste metrics of a prover network, from per-round expectations.

The same formulas serve the analytic side (game.stats) and the simulator (means over rounds),
so that their agreement tests the payoffs, not the bookkeeping.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:                      # annotations only: games import these kernels
    from provergame.games.base import Game

METRIC_KEYS = ("hhi", "nakamoto", "gini", "participants", "redundancy", "user_cost", "wasted",
               "surplus", "dissipation", "liveness", "eventual_liveness")


def shares(reward: np.ndarray) -> np.ndarray:
    total = float(np.sum(reward))
    return np.asarray(reward, dtype=float) / total if total > 0 else np.zeros(len(reward))


def hhi(reward: np.ndarray) -> float:
    """Herfindahl-Hirschman index of reward shares, in [1/n, 1] (0 if nobody is paid)."""
    s = shares(reward)
    return float(np.sum(s ** 2))


def nakamoto(reward: np.ndarray, threshold: float = 0.5) -> int:
    """Fewest provers whose reward shares sum to more than `threshold` (0 if nobody is paid); a sum
    within 1e-12 of the threshold counts as reaching it, not exceeding it, whatever the rounding."""
    s = np.sort(shares(reward))[::-1]
    if s.sum() == 0:
        return 0
    return int(np.searchsorted(np.cumsum(s), threshold * (1 + 1e-12), side="right") + 1)


def hhi_rows(rewards: np.ndarray) -> np.ndarray:
    """hhi of each row of `rewards` (epochs x provers); NaN where nobody is paid."""
    total = rewards.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = rewards / total[:, None]
    return np.where(total > 0, np.sum(s ** 2, axis=1), np.nan)


def nakamoto_rows(rewards: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """nakamoto of each row of `rewards` (epochs x provers); 0 where nobody is paid."""
    total = rewards.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = -np.sort(-rewards / np.where(total > 0, total, 1.0)[:, None], axis=1)
    count = np.sum(np.cumsum(s, axis=1) <= threshold * (1 + 1e-12), axis=1) + 1
    return np.where(total > 0, count, 0).astype(np.int64)


def gini(reward: np.ndarray) -> float:
    """Gini coefficient of rewards over all provers (0 = equal, (n-1)/n = one takes all)."""
    x = np.sort(np.asarray(reward, dtype=float))
    n, total = len(x), x.sum()
    if total <= 0 or n == 0:
        return 0.0
    spread = x - x[0]
    if spread[-1] <= 1e-12 * abs(x[-1]):
        return 0.0
    return max(0.0, float((2 * np.arange(1, n + 1) - n - 1) @ spread / (n * total)))


def _per_proof(value: float, liveness: float) -> float:
    return float(value / liveness) if liveness > 0 else (0.0 if value == 0 else float("inf"))


def from_stats(reward: np.ndarray, cost: np.ndarray, participation: np.ndarray, liveness: float,
               user_payment: float, useful_cost: float, on_time: float | None = None) -> dict[str, Any]:
    """All metrics from expected per-round quantities (see games.base.Stats).

    Per unit of work (one round): participants (expected provers attempting it), surplus. Per proof
    landed (eventually): redundancy, user_cost, wasted. `liveness` is on time (within the window),
    `eventual_liveness` whenever the proof lands.
    """
    spend = float(np.sum(cost))
    return {
        "hhi": hhi(reward),
        "nakamoto": nakamoto(reward),
        "gini": gini(reward),
        "participants": float(np.sum(participation)),
        "redundancy": _per_proof(float(np.sum(participation)), liveness),
        "user_cost": _per_proof(user_payment, liveness),
        "wasted": _per_proof(max(spend - useful_cost, 0.0), liveness),
        "surplus": float(np.sum(reward) - spend),
        "dissipation": spend / user_payment if user_payment > 0 else 0.0,
        "liveness": float(liveness if on_time is None else on_time),
        "eventual_liveness": float(liveness),
    }


def metrics(game: Game, profile, window: float = 1.0) -> dict[str, Any]:
    """Analytic metrics of `game` at `profile` (a pure profile or a MixedProfile); liveness on time
    within `window` time units."""
    from .price_mixing import MixedProfile, expected_on_time, expected_stats
    if isinstance(profile, MixedProfile):          # expectations over the provers' independent mixtures
        s, on_time = expected_stats(game, profile), expected_on_time(game, profile, window)
    else:
        s, on_time = game.stats(profile), game.on_time(profile, window)
    return from_stats(s.reward, s.cost, s.participation, s.liveness, s.user_payment, s.useful_cost, on_time)
