"""Concentration, cost and waste metrics of a prover network, from per-round expectations.

The same formulas serve the analytic side (game.stats) and the simulator (means over rounds),
so that their agreement tests the payoffs, not the bookkeeping.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import astuple, dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from provergame.registries import add_once

if TYPE_CHECKING:                      # annotations only: games import these kernels
    from provergame.games.base import Game


@dataclass(frozen=True)
class Metric:
    """One registered metric: its name (the key everywhere: pg.metrics, targets, tables), its unit,
    which direction is better, and what it means. `source`: "metrics" (pg.metrics computes it) or
    "attack" (an attack analysis does, e.g. the stall bribe)."""

    name: str
    unit: str
    better: Literal["lower", "higher"] | None
    meaning: str
    source: Literal["metrics", "attack"] = "metrics"

    @property
    def direction(self) -> str:
        """The target comparison a designer asks for: ">=" (a floor) when higher is better, "<=" otherwise."""
        return ">=" if self.better == "higher" else "<="


METRICS: dict[str, Metric] = {}


def register_metric(metric: Metric) -> Metric:
    """Add a metric to the registry (one meaning per name: a second, different definition is an error)."""
    return add_once(METRICS, metric.name, metric, "metric")


for _m in (
    Metric("hhi", "index in [1/n, 1]", "lower", "Herfindahl-Hirschman index of reward shares"),
    Metric("nakamoto", "provers", "higher", "fewest provers holding more than half of the rewards"),
    Metric("gini", "index in [0, 1)", "lower", "Gini coefficient of rewards over all provers"),
    Metric("participants", "provers per unit of work", None, "expected provers attempting each unit of work"),
    Metric("redundancy", "attempts per proof", "lower", "attempts per proof landed"),
    Metric("user_cost", "token per proof", "lower", "paid by users per proof landed"),
    Metric("wasted", "token per proof", "lower", "proving cost beyond the accepted proof, per proof landed"),
    Metric("surplus", "token per unit of work", None, "provers' rewards minus their costs, per unit of work"),
    Metric("dissipation", "share of user payment", "lower", "provers' total spending over what users pay"),
    Metric("liveness", "probability", "higher", "on-time liveness within the window"),
    Metric("eventual_liveness", "probability", "higher", "a proof lands (or demand is served), whenever it lands"),
    Metric("stall_bribe_per_hour", "token per hour", "higher", "cheapest bribe stalling on-time proving, per hour",
           source="attack"),
):
    register_metric(_m)


@dataclass(frozen=True)
class Metrics(Mapping[str, Any]):
    """The registered metrics of one profile (pg.metrics): attributes, and a read-only mapping by name
    (m["hhi"], dict(m)) in registry order."""

    hhi: float
    nakamoto: int
    gini: float
    participants: float
    redundancy: float
    user_cost: float
    wasted: float
    surplus: float
    dissipation: float
    liveness: float
    eventual_liveness: float

    def __getitem__(self, name: str) -> Any:
        if name not in self.__dataclass_fields__:
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dataclass_fields__)

    def __len__(self) -> int:
        return len(self.__dataclass_fields__)

    def to_dict(self) -> dict[str, Any]:
        return dict(zip(self.__dataclass_fields__, astuple(self)))


METRIC_KEYS = tuple(f.name for f in fields(Metrics))


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
    """hhi of each row of `rewards` (epochs x provers), sum of squares over the total squared; NaN where
    nobody is paid."""
    total = rewards.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.einsum("ij,ij->i", rewards, rewards) / total ** 2, np.nan)


def nakamoto_rows(rewards: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """nakamoto of each row of `rewards` (epochs x provers); 0 where nobody is paid. Rewards are sorted
    once; where no reward is negative and the threshold is below 1, only the widest row's paid provers
    enter the running sums (the rest add nothing before the sum passes the threshold)."""
    total = rewards.sum(axis=1)
    scale = np.where(total > 0, total, 1.0)[:, None]
    width = int(np.count_nonzero(rewards, axis=1).max(initial=0))
    if threshold < 1 - 1e-9 and rewards.size and rewards.min() >= 0:
        s = np.sort(rewards, axis=1)[:, ::-1][:, :width] / scale
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            s = -np.sort(-rewards / scale, axis=1)
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


def from_stats(reward: np.ndarray, cost: np.ndarray, participation: np.ndarray, eventual_liveness: float,
               user_payment: float, useful_cost: float, on_time: float | None = None, units: float = 1.0) -> Metrics:
    """All metrics from expected per-round quantities (see games.base.Stats).

    Per round: participants (expected provers attempting it), surplus. Per proof landed (eventually):
    redundancy, user_cost, wasted, where a round asks for `units` proofs (a market's block demand; the
    game's units_per_round) and `eventual_liveness` is the share of them that land. `on_time` is the
    on-time liveness (within the window; the eventual one where not given).
    """
    spend, landed = float(np.sum(cost)), eventual_liveness * units       # proofs landed per round
    return Metrics(
        hhi=hhi(reward),
        nakamoto=nakamoto(reward),
        gini=gini(reward),
        participants=float(np.sum(participation)),
        redundancy=_per_proof(float(np.sum(participation)), landed),
        user_cost=_per_proof(user_payment, landed),
        wasted=_per_proof(max(spend - useful_cost, 0.0), landed),
        surplus=float(np.sum(reward) - spend),
        dissipation=spend / user_payment if user_payment > 0 else 0.0,
        liveness=float(eventual_liveness if on_time is None else on_time),
        eventual_liveness=float(eventual_liveness),
    )


def metrics(game: Game, profile, window: float = 1.0) -> Metrics:
    """Analytic metrics of `game` at `profile` (a pure profile or a MixedProfile); liveness on time
    within `window` time units."""
    from .price_mixing import MixedProfile, expected_on_time, expected_stats
    if isinstance(profile, MixedProfile):          # expectations over the provers' independent mixtures
        s, on_time = expected_stats(game, profile), expected_on_time(game, profile, window)
    else:
        s, on_time = game.stats(profile), game.on_time(profile, window)
    return from_stats(s.reward, s.cost, s.participation, s.eventual_liveness, s.user_payment, s.useful_cost, on_time,
                      game.units_per_round)
