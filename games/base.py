"""What every game offers: analytic payoffs, protocol rules (play), symbolic form, metric statistics."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np

from provergame.errors import InvalidParameter
from provergame.model import Population


@dataclass(frozen=True)
class Outcomes:
    """What `play` observed, one row per round: the simulator's raw material.

    reward, cost: (rounds, n) paid to / spent by each prover; attempted: (rounds, n) bool;
    accepted: (rounds,) a proof was accepted; user_payment: (rounds,) total paid by users;
    useful_cost: (rounds,) proving cost of the accepted proof(s).
    """

    reward: np.ndarray
    cost: np.ndarray
    attempted: np.ndarray
    accepted: np.ndarray
    user_payment: np.ndarray
    useful_cost: np.ndarray


@dataclass(frozen=True)
class Stats:
    """Expected per-round quantities from the analytic side (same meaning as Outcomes' means)."""

    reward: np.ndarray
    cost: np.ndarray
    participation: np.ndarray
    liveness: float
    user_payment: float
    useful_cost: float


class Game(ABC):
    """Base of every mechanism. Subclasses are frozen dataclasses of their parameters.

    A profile is a float array with one entry per player (`strategy` says what it means).
    `expected_payoffs` broadcasts over leading dimensions: profile (..., n) -> payoffs (..., n).
    """

    strategy: ClassVar[str] = "entry"          # "entry" (probability of entering) or "continuous"
    strategy_label: ClassVar[str] = "entry probability"
    provers: Population

    @property
    def players(self) -> Population:
        """Who chooses strategies: the provers, except in sequencer games."""
        return self.provers

    @property
    def n(self) -> int:
        return len(self.players)

    @property
    def finite(self) -> bool:
        return self.strategy == "entry"

    @property
    def title(self) -> str:
        return type(self).__name__

    def strategy_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n), np.ones(self.n)

    def check_profile(self, profile: Any) -> np.ndarray:
        p = np.asarray(profile, dtype=float)
        if p.shape[-1:] != (self.n,):
            raise InvalidParameter("profile", profile, f"an array whose last axis has length {self.n}")
        lo, hi = self.strategy_bounds()
        bad = ~np.isfinite(p) | (p < lo - 1e-12) | (p > hi + 1e-12)
        if bad.any():
            idx = np.argwhere(bad)[0]
            i = int(idx[-1])
            raise InvalidParameter(f"profile[{i}]", float(p[tuple(idx)]),
                                   f"a {self.strategy_label} in [{lo[i]}, {hi[i]}]")
        return np.clip(p, lo, hi)

    # --- analytic face -------------------------------------------------------------
    @abstractmethod
    def expected_payoffs(self, profile: Any) -> np.ndarray:
        """Closed-form expected payoff of every player, broadcasting over leading profile axes."""

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        """Payoff of player i playing candidates[i, k] while the others keep `profile`: (n, m)."""
        p = self.check_profile(profile)
        cand = np.asarray(candidates, dtype=float)
        n, m = cand.shape
        batch = np.broadcast_to(p, (n, m, n)).copy()
        batch[np.arange(n), :, np.arange(n)] = cand
        pay = self.expected_payoffs(batch)
        return pay[np.arange(n), :, np.arange(n)]

    @abstractmethod
    def stats(self, profile: Any) -> Stats:
        """Expected per-round rewards, costs, participation, liveness and payments (metrics face)."""

    # --- protocol face ---------------------------------------------------------------
    @abstractmethod
    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        """The mechanism's rules played for `rounds` rounds (the simulator's only entry point)."""

    # --- symbolic face ---------------------------------------------------------------
    def symbolic(self) -> dict[str, Any]:
        return {}

    def theorems(self) -> list:
        return []

    # --- solver hook: (profile, method, exact) -----------------------------------------
    @abstractmethod
    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        """The game's own solver: (profile, method, exact); pg.solve adds the regret certificate."""

    def parameters(self) -> dict[str, Any]:
        """Scalar parameters for tables (the population is summarised separately)."""
        out = {}
        for f in fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            if isinstance(v, (int, float, str, bool)):
                out[f.name] = v
        if getattr(self, "proving", True):
            out["provers"] = self.n
        else:
            out["players"] = self.n
            if isinstance(getattr(self, "provers", None), Population) and self.provers is not None:
                out["provers"] = len(self.provers)
        return out


class EntryGame(Game):
    """Each prover enters (pays `cost`) with some probability; entering earns `entry_values`.

    Payoff of i = p_i (V_i(p_-i) - cost_i), linear in its own p_i, so pure deviations certify regret.
    """

    @abstractmethod
    def entry_values(self, profile: np.ndarray) -> np.ndarray:
        """V_i: expected reward of i if it enters, given the others' entry probabilities."""

    def entry_cost(self) -> np.ndarray:
        return self.provers.cost

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        p = self.check_profile(profile)
        return p * (self.entry_values(p) - self.entry_cost())

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        p = self.check_profile(profile)
        gain = self.entry_values(p) - self.entry_cost()
        return np.asarray(candidates, dtype=float) * gain[:, None]

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        from provergame.solvers.entry import solve_entry_game
        return solve_entry_game(self, symmetric=symmetric)


def validate_provers(provers: Any) -> Population:
    if not isinstance(provers, Population):
        raise InvalidParameter("provers", type(provers).__name__, "a provergame.Population")
    return provers
