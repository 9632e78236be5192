"""Template: adding a mechanism to provergame is this one module and its registration.

Copy this file, rename the class and its kind, and replace the rules. Once it is imported, the
game is known to scenarios (`kind = "round_robin"` in a [[mechanism]] table), sweeps, the CLI
(`provergame schema round_robin`), the report and the conformance suite (tests/test_conformance.py
runs on every registered game). Inside provergame, put the module in games/ and import it in
games/__init__.py: it imports only games' own modules (never the `provergame.games` package, which
imports it) and loads sympy lazily, so it works unchanged in either place (tests/test_template.py
copies it into the package and runs the conformance and architecture suites on it).

The mechanism here is the simplest protocol-elected design of the seed: turns go round-robin over
the registered provers; the turn-holder proves (pays its cost) with its entry probability and is
paid `reward` when its proof is valid. Payoff_i = p_i (rho_i R - c_i) / n.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from provergame.games.base import PROVERS, EntryGame, Outcomes, Stats, example_provers
from provergame.games.registry import register
from provergame.games.rules import delivery_margin, elected_on_time, first_assignment_times, valid_draws
from provergame.games.traits import GameTraits, TimingFamily
from provergame.lazy import sympy as sp
from provergame.model import Population
from provergame.params import Real, param


@register("round_robin")                        # 1. a kind: the name scenarios use
@dataclass(frozen=True)                         # 2. a frozen dataclass of parameters ...
class RoundRobin(EntryGame):
    """Turns go round-robin over the provers; the turn-holder proves with its entry probability and
    is paid `reward` for a valid proof (reliability rho_i). V_i = (rho_i R) / n, entry cost c_i / n."""

    # 3. what the game is, in one record (games.traits.GameTraits; register checks it against the fields)
    traits: ClassVar[GameTraits] = GameTraits(
        limitations="a fixed turn order known in advance; a missed turn is simply lost (no penalty, no re-assignment).",
        max_provers=100_000,                     # the size up to which solve and analyse run
        timing=TimingFamily.ELECTED,             # how its proof times arise (games.traits.TIMING_FAMILIES)
        elected_by_protocol=True,                # the protocol, not a sequencer, picks the prover
        budget_field="reward",                   # what users pay (equal-budget runs, pg.design)
    )

    # 4. ... each parameter declared once with its range and unit: the constructor and the TOML schema use it
    reward: float = param(Real(lo=0, unit="token per proof", doc="paid for the turn's valid proof"))
    provers: Population = param(PROVERS)

    @classmethod
    def example(cls, n: int | None = None) -> "RoundRobin":    # 5. a small valid instance
        return cls(3.0, example_provers(n or 4))

    # --- analytic face: V_i given the others (an entry game only needs this and entry_cost) ---
    def entry_values(self, profile: np.ndarray) -> np.ndarray:
        turn = 1.0 / self.n
        return np.broadcast_to(turn * self.provers.reliability * self.reward, np.shape(profile))

    def entry_cost(self) -> np.ndarray:
        return self.provers.cost / self.n

    def stats(self, profile: Any) -> Stats:
        p = self.check_profile(profile)
        part = p / self.n
        reward = part * self.provers.reliability * self.reward
        return Stats(reward=reward, cost=part * self.provers.cost, participation=part,
                     eventual_liveness=float((part * self.provers.reliability).sum()), user_payment=float(reward.sum()),
                     useful_cost=float((part * self.provers.reliability * self.provers.cost).sum()))

    # --- protocol face: the rules, never the formulas above ---
    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        p = self.check_profile(profile)
        rows = np.arange(rounds)
        holder = (int(rng.integers(self.n)) + rows) % self.n
        proves = rng.random(rounds) < p[holder]
        ok = proves & valid_draws(self.provers.reliability, rng, rounds)[rows, holder]
        reward, cost = np.zeros((rounds, self.n)), np.zeros((rounds, self.n))
        tried = np.zeros((rounds, self.n), dtype=bool)
        reward[rows, holder] = np.where(ok, self.reward, 0.0)
        cost[rows, holder] = np.where(proves, self.provers.cost[holder], 0.0)
        tried[rows, holder] = proves
        return Outcomes(reward, cost, tried, ok, reward.sum(axis=1), np.where(ok, self.provers.cost[holder], 0.0),
                        first_assignment_times(holder, ok, self.provers.rate, rng))

    def first_assignment(self, profile: Any) -> np.ndarray:
        """P(i holds the turn and proves it) (games.forms checks on_time against the indexed form)."""
        return self.check_profile(profile) / self.n

    def on_time(self, profile: Any, window: float) -> float:
        """The turn-holder holds the whole window and proves in Exp(rate) (games.base.TIMINGS "elected")."""
        return elected_on_time(self.first_assignment(profile), self.provers.reliability, self.provers.rate, window)

    # --- withholding capability (games.protocols.WithholdBribes): a prover's own turns ---
    def withhold_bribes(self) -> np.ndarray:
        return np.maximum(delivery_margin(self.provers.reliability, self.reward, self.provers.cost, 0.0), 0.0) / self.n

    # --- symbolic face: closed forms, checked against the numeric face by the conformance suite ---
    def symbolic(self) -> dict[str, Any]:
        R, c, rho, n = sp.symbols("R c rho n", positive=True)
        return {"entry_gain": (rho * R - c) / n}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        p = self.provers
        return [("entry_gain", self.symbolic()["entry_gain"],
                 {"R": self.reward, "c": float(p.cost[0]), "rho": float(p.reliability[0]), "n": float(self.n)},
                 float(self.entry_values(np.ones(self.n))[0] - self.entry_cost()[0]))]
