"""The lottery rule: the reward goes to one participant drawn uniformly among those who proved.

Symmetric mixed participation p solves R r (1 - (1 - q)^n) / (n q) = c with q = p r (each valid proof
equally likely to be drawn; E[1/(1+K)] for a binomial K). The protocol pays R when someone proves and
bears `fault_cost` when nobody does; at the equilibrium R (1 - (1-q)^n) = n q c / r, so its expected
cost n q c / r + F (1 - q)^n is minimised at (1 - q)^(n-1) = c / (r F), and in the Poisson limit
(lambda = n q) at lambda* = ln(r F / c), R* = c ln(r F / c) / (r - c / F).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
from provergame.lazy import pandas as pd
from provergame.lazy import sympy as sp

from provergame.errors import InvalidParameter
from provergame.model import Population
from provergame.params import Real, param
from provergame.solvers import exponential_race as er

from .base import PROVERS, BroadcastFace, EntryGame, Outcomes, Stats, example_provers
from .race import FirstValidProof, entry_race_checks, entry_race_forms
from .registry import register
from .rules import entries as _entries, first_valid_time, scalar_or_rows
from .rules import valid_draws as _valid
from .traits import GameTraits


@register("lottery_reward")
@dataclass(frozen=True)
class LotteryReward(BroadcastFace, FirstValidProof, EntryGame):
    """Participants pay `cost` to prove; one valid proof, drawn uniformly, earns `reward`."""
    traits: ClassVar[GameTraits] = GameTraits(
        entry_substitutes=True,
        limitations="the draw is uniform among valid proofs; proving time plays no role in who is paid.",
        max_provers=3000,
        budget_field="reward",
        identity_weighted=True,
    )

    reward: float = param(Real(lo=0, unit="token per proof", doc="paid to one valid proof drawn uniformly"))
    provers: Population = param(PROVERS)
    fault_cost: float = param(Real(lo=0, unit="token", doc="what the protocol bears when nobody proves"), 0.0)

    @classmethod
    def example(cls, n: int | None = None) -> "LotteryReward":
        return cls(4.0, example_provers(n or 6), 20.0)

    def entry_values(self, profile: np.ndarray) -> np.ndarray:
        q = np.asarray(profile, dtype=float) * self.provers.reliability
        return self.reward * self.provers.reliability * er.expected_inverse_count(q)

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        if self.provers.is_identical and not symmetric:
            symmetric = True
        return super().equilibrium(symmetric=symmetric)

    def stats(self, profile: Any) -> Stats:
        p = self.check_profile(profile)
        values = self.entry_values(p)
        win = p * values / self.reward if self.reward > 0 else np.zeros_like(p)
        live = scalar_or_rows(1 - np.prod(1 - p * self.provers.reliability, axis=-1))
        return Stats(reward=p * values, cost=p * self.provers.cost, participation=p, eventual_liveness=live,
                     user_payment=self.reward * live, useful_cost=scalar_or_rows((win * self.provers.cost).sum(axis=-1)))

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        p = self.check_profile(profile)
        enter = _entries(p, rng, rounds)
        valid = enter & _valid(self.provers.reliability, rng, rounds)
        landed = first_valid_time(valid, self.provers.rate, rng)
        draw = np.where(valid, rng.random((rounds, self.n)), -1.0)
        winner = np.argmax(draw, axis=1)
        accepted = valid.any(axis=1)
        rows = np.flatnonzero(accepted)
        reward = np.zeros((rounds, self.n))
        reward[rows, winner[rows]] = self.reward
        useful = np.where(accepted, self.provers.cost[winner], 0.0)
        return Outcomes(reward, enter * self.provers.cost, np.asarray(enter), accepted, reward.sum(axis=1), useful,
                        landed)

    def protocol_cost(self, rewards: Any) -> pd.DataFrame:
        """Expected cost to the protocol, R P(some proof) + fault_cost P(none), at the symmetric
        equilibrium of each reward level (identical provers)."""
        self._need_identical()
        rows = []
        for R in np.atleast_1d(np.asarray(rewards, dtype=float)):
            g = LotteryReward(float(R), self.provers, self.fault_cost)
            p = g.equilibrium(symmetric=True)[0][0]
            none = float((1 - p * self.provers.reliability[0]) ** self.n)
            rows.append({"reward": float(R), "participation p": p, "P(no proof)": none,
                         "protocol cost": float(R) * (1 - none) + self.fault_cost * none})
        return pd.DataFrame(rows)

    def _need_identical(self) -> None:
        if not self.provers.is_identical:
            raise InvalidParameter("provers", "heterogeneous", "identical provers for the symmetric closed forms")

    def optimal_reward(self) -> dict[str, float]:
        """The reward minimising the protocol's expected cost: exact for n provers and its Poisson limit."""
        self._need_identical()
        n, c, r, F = self.n, float(self.provers.cost[0]), float(self.provers.reliability[0]), self.fault_cost
        if F * r <= c:
            return {"participation q*": 0.0, "reward R*": 0.0, "protocol cost": F, "Poisson lambda*": 0.0,
                    "Poisson reward R*": 0.0}
        q = r if n == 1 else min(1 - (c / (r * F)) ** (1 / (n - 1)), r)     # a lone prover: pay c / r
        some = -np.expm1(n * np.log1p(-q))                                   # 1 - (1 - q)^n, exact for tiny q
        R = n * q * c / (r * some) if some > 0 else c / r                    # q -> 0: n q / (1 - (1-q)^n) -> 1
        lam = np.log(r * F / c)
        return {"participation q*": q, "reward R*": R, "protocol cost": n * q * c / r + F * (1 - q) ** n,
                "Poisson lambda*": float(lam), "Poisson reward R*": float(c * lam / (r - c / F))}

    def symbolic(self) -> dict[str, Any]:
        R, c, p, F, r = sp.symbols("R c p F r", positive=True)
        n = sp.Symbol("n", integer=True, positive=True)
        lam = sp.log(r * F / c)
        return {**entry_race_forms(), "entry_value": R * (1 - (1 - p) ** n) / (n * p), "poisson_lambda": lam,
                "protocol_cost_poisson": sp.Symbol("lambda", positive=True) * c / r
                + F * sp.exp(-sp.Symbol("lambda", positive=True)),
                "poisson_reward": c * lam / (r - c / F)}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        same = replace(self, provers=Population.identical(self.n, float(self.provers.cost.mean())))
        p = 0.3
        return entry_race_checks(self, self.reward, self.provers.cost) + [
            ("entry_value", self.symbolic()["entry_value"], {"R": self.reward, "p": p, "n": self.n},
             float(same.entry_values(np.full(self.n, p))[0]))]

    def mechanism_theorems(self) -> list:
        from provergame.proofs import deployed
        return deployed.lottery(self.symbolic())
