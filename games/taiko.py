"""Taiko's ProverPool as the alpha-4 contract codes it.

The pool is the top `pool_size` (32) provers by stake: a newcomer must out-stake the smallest seated
prover, who is evicted. Each block's prover is drawn with weight stake / erpg^2, erpg its expected
reward per gas, clamped to [75%, 125%] of the protocol fee per gas; it is paid erpg * gas on delivery,
and a missed proof slashes min(max(stake * slash_points / 10000 / max_capacity, reward_multiple *
proof_reward, min_slash), stake). The defaults are the issue's alpha-4 rule (4 x the proof reward); the
ProverPool.sol versions in taiko-mono read here slash max(stake * 500 / 10000, 1 TKO) capped at the stake:
max_capacity = 1, reward_multiple = 0, min_slash = 1 (in TKO).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from provergame.lazy import sympy as sp

from provergame.errors import InvalidParameter
from provergame.model import Population
from provergame.params import Int, Real, param

from . import failover
from .base import PROVERS, Game, Outcomes, Stats, example_provers
from .failover import deadline_field, failover_field
from .registry import register
from .rules import assigned, categorical, elected_on_time, first_assignment_times
from .traits import ByChoice, GameTraits, TimingFamily, StrategyKind, StallForm


@register("taiko_prover_pool")
@dataclass(frozen=True)
class TaikoProverPool(Game):
    """Seated provers choose erpg e_i in [0.75 F, 1.25 F]; P(i proves a block) = w_i / sum w, w = stake /
    e^2; payoff per block P_i (r_i e_i gas - cost_i - (1 - r_i) slash_i(e_i)). A prover losing money even
    at 125% of the fee unstakes, so the pool is the top pool_size by stake of the others. Equilibrium by sequential
    best responses with the regret certificate (no closed form: the weight law couples fee and stake).
    Failover "none": a missed block is not re-assigned; "next_draw": each drawn prover holds the block
    for `failover_deadline`, then the next draw by the same weights within the pool takes over
    (games.failover; r_i then reads r_i (1 - e^{-rate_i d}), its chance to deliver in a turn)."""
    traits: ClassVar[GameTraits] = GameTraits(
        limitations=("the pool's seats are decided by stake among provers that would stay; fee changes are within the "
            "protocol clamp only; no L1 gas beyond the fee per gas."),
        max_provers=100,
        timing=TimingFamily.ELECTED,
        strategy=StrategyKind.CONTINUOUS,
        strategy_label="reward per gas (erpg)",
        elected_by_protocol=True,
        stall_form=ByChoice("failover", (("none", StallForm.LINEAR), ("next_draw", StallForm.LOGLINEAR))),
        budget_field="fee_per_gas",
        sybil_reason="selection weight stake / erpg^2 is linear in stake: splitting it changes nothing",
    )

    fee_per_gas: float = param(Real(lo=0, lo_open=True, unit="token per gas", doc="the block's fee per gas"))
    gas: float = param(Real(lo=0, lo_open=True, unit="gas per block", doc="gas of a block"))
    provers: Population = param(PROVERS)
    pool_size: int = param(Int(lo=1, hi=10_000, unit="seats", doc="top provers by stake seated"), 32)
    slash_points: float = param(Real(lo=0, hi=10_000, unit="basis points of stake", doc="slash on a missed proof"),
                                500.0)
    max_capacity: int = param(Int(lo=1, hi=10_000, unit="blocks", doc="blocks a prover may hold at once"), 10)
    reward_multiple: float = param(Real(lo=0, doc="slash floor as a multiple of the block reward"), 4.0)
    min_slash: float = param(Real(lo=0, unit="token", doc="smallest slash"), 0.0)
    failover: str = failover_field("a missed block is not re-assigned")
    failover_deadline: float = deadline_field()

    def _validate(self) -> None:
        if np.any(self.provers.stake <= 0):
            raise InvalidParameter("provers.stake", float(self.provers.stake.min()), "> 0 (weights are stake / erpg^2)")

    @classmethod
    def example(cls, n: int | None = None) -> "TaikoProverPool":
        return cls(1.0, 1.0, example_provers(n or 6), pool_size=4)

    @cached_property
    def success(self) -> np.ndarray:
        """P(a drawn prover delivers within its turn): its reliability, times 1 - e^{-r_i d} under failover."""
        return failover.success(self.provers.reliability, self.provers.rate, self.failover, self.failover_deadline)

    def staying(self) -> np.ndarray:
        """Provers who would stay staked: a positive margin somewhere in the clamp (others unstake).
        The margin is piecewise linear in erpg (the slash floor grows with the reward), so it is
        checked on a grid that includes both ends of the clamp."""
        grid = np.linspace(0.75, 1.25, 101)[:, None] * self.fee_per_gas
        return np.any(self.margin(np.broadcast_to(grid, (101, self.n))) > 0, axis=0)

    def seated(self, stake: Any = None) -> np.ndarray:
        """The top pool_size by stake among the provers who stay (ties: lower index); the game's own
        pool (no `stake` given) is computed once per game."""
        if stake is None:
            return self._own_pool
        s = np.asarray(stake, dtype=float)
        order = np.lexsort((np.arange(len(s)), -s))
        mask = np.zeros(len(s), dtype=bool)
        mask[order[: self.pool_size]] = True
        return mask & np.isfinite(s)

    @cached_property
    def _own_pool(self) -> np.ndarray:
        pool = self.seated(np.where(self.staying(), self.provers.stake, -np.inf))
        pool.flags.writeable = False
        return pool

    def entry_stake(self) -> float:
        """Stake a newcomer must exceed to be seated: the smallest seated stake when the pool is full."""
        seated = self.seated()
        return float(self.provers.stake[seated].min()) if seated.sum() >= self.pool_size else 0.0

    def _check_pool(self) -> None:
        if not self.seated().any():
            raise InvalidParameter("fee_per_gas", self.fee_per_gas,
                                   "high enough that some prover has a positive margin at 125% of it")

    def strategy_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.full(self.n, 0.75 * self.fee_per_gas), np.full(self.n, 1.25 * self.fee_per_gas)

    def slash(self, erpg: Any) -> np.ndarray:
        proof_reward = np.asarray(erpg, dtype=float) * self.gas
        s = self.provers.stake
        floor = np.maximum(self.reward_multiple * proof_reward, self.min_slash)
        return np.minimum(np.maximum(s * self.slash_points / 10_000 / self.max_capacity, floor), s)

    def _weights(self, erpg: Any) -> np.ndarray:
        return np.where(self.seated(), self.provers.stake / np.asarray(erpg, dtype=float) ** 2, 0.0)

    def selection(self, erpg: Any) -> np.ndarray:
        """P(i is the block's first draw): weight stake / erpg^2 over the pool's."""
        w = self._weights(erpg)
        total = w.sum(axis=-1, keepdims=True)
        return np.divide(w, total, out=np.zeros_like(w), where=total > 0)

    def reach(self, erpg: Any) -> np.ndarray:
        """P(i is drawn for a block at all): its selection without failover; under "next_draw", P(every
        earlier draw missed) over the same weights (games.failover.reach)."""
        if self.failover == "none":
            return self.selection(erpg)
        return failover.reach(self.seated(), self.success, self._weights(erpg))

    def margin(self, erpg: Any) -> np.ndarray:
        e = np.asarray(erpg, dtype=float)
        r = self.success
        return r * e * self.gas - self.provers.cost - (1 - r) * self.slash(e)

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        e = self.check_profile(profile)
        return self.reach(e) * self.margin(e)

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        """Under failover, reach at each candidate erpg from the others' fixed draw law
        (games.failover.deviation_reach) times the margin there; without it, by deviated profiles."""
        if self.failover == "none":
            return super().deviation_payoffs(profile, candidates)
        e, cand = self.check_profile(profile), self.check_candidates(candidates)
        seated = self.seated()
        moved = np.where(seated[:, None], self.provers.stake[:, None] / cand ** 2, 0.0)
        reach = failover.deviation_reach(seated, self.success, self._weights(e), moved)
        return reach * self.margin(cand.T).T

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        from provergame.solvers.dynamics import best_response_iteration
        self._check_pool()
        p, ok = best_response_iteration(self, np.full(self.n, self.fee_per_gas))
        return p, "sequential best responses on erpg within the clamp", ok

    def stats(self, profile: Any) -> Stats:
        e = self.check_profile(profile)
        sel = self.reach(e)
        r = self.success
        return Stats(reward=sel * r * e * self.gas, cost=sel * (self.provers.cost + (1 - r) * self.slash(e)),
                     participation=sel, eventual_liveness=float((sel * r).sum()),
                     user_payment=float((sel * r * e).sum() * self.gas), useful_cost=float((sel * r * self.provers.cost).sum()))

    def first_assignment(self, profile: Any) -> np.ndarray:
        return self.selection(self.check_profile(profile))

    def seats(self, profile: Any) -> int:
        return int(self.seated().sum())

    def on_time(self, profile: Any, window: float) -> float:
        """Without failover, the first assignee's chance to deliver by the window; with it, every turn that
        ends inside the window counts (games.failover.on_time)."""
        if self.failover == "none":
            return elected_on_time(self.first_assignment(profile), self.provers.reliability, self.provers.rate, window)
        return failover.on_time(self.seated(), self.success, self._weights(self.check_profile(profile)),
                                self.provers.reliability, self.provers.rate, window, self.failover_deadline)

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        """Each block: draw the prover by stake / erpg^2 among the seated, then its delivery."""
        e = self.check_profile(profile)
        weights, pay, slash = self.kept_for("_draw_law", e, lambda: (self._weights(e), e * self.gas, self.slash(e)))
        if self.failover != "none":
            pop = self.provers
            return failover.play(weights, pop.reliability, pop.rate, pop.cost, self.failover_deadline, rng, rounds,
                                 pay, pay, slash)
        who, _ = categorical(weights, rng, rounds)
        ok = rng.random(rounds) < self.provers.reliability[who]
        paid = ok * pay[who]
        cost = self.provers.cost[who]
        events = assigned(rounds, self.n, who, paid, cost + (~ok) * slash[who])
        return Outcomes(None, None, None, ok, paid, ok * cost,
                        first_assignment_times(who, ok, self.provers.rate, rng), assignments=events)

    def withhold_bribes(self) -> np.ndarray:
        e = self.equilibrium()[0]
        return np.maximum(self.success * e * self.gas - self.provers.cost, 0.0) + self.slash(e)

    def stall_weights(self, profile: np.ndarray) -> np.ndarray:
        """Without failover, linear: P(delivery) = sum_i selection_i r_i; under "next_draw", log-linear:
        P(no delivery) = prod over the seated that still deliver of (1 - s_i)."""
        if self.failover != "none":
            return -np.log1p(-np.minimum(self.success, 1 - 1e-15)) * self.seated()
        return self.selection(profile) * self.provers.reliability

    def symbolic(self) -> dict[str, Any]:
        s, e, W, r, G, c, S = sp.symbols("s e W r G c S", positive=True)
        pts, cap, R, mult, floor = sp.symbols("points cap R multiple floor", positive=True)
        return {"payoff": s / e ** 2 / (s / e ** 2 + W) * (r * e * G - c - (1 - r) * S),
                "selection": (s / e ** 2) / (s / e ** 2 + W),
                "slash": sp.Min(sp.Max(s * pts / 10000 / cap, mult * R, floor), s)}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        seated = self.seated()
        if not seated.any() or self.failover != "none":     # under failover a draw's chance is not the selection
            return []
        e = self.fee_per_gas * np.linspace(0.8, 1.2, self.n)
        i = int(np.flatnonzero(seated)[0])
        w = np.where(seated, self.provers.stake / e ** 2, 0.0)
        vals = {"s": self.provers.stake[i], "e": e[i], "W": float(w.sum() - w[i]), "r": self.provers.reliability[i],
                "G": self.gas, "c": self.provers.cost[i], "S": float(self.slash(e)[i])}
        return [("payoff", self.symbolic()["payoff"], vals, float(self.expected_payoffs(e)[i]))]

    def theorems(self) -> list:
        """Under failover the failover law's theorems replace the elected timing family's."""
        return super().theorems() if self.failover == "none" else self.mechanism_theorems()

    def mechanism_theorems(self) -> list:
        from provergame.proofs import deployed, vrf
        from .forms import failover_on_time_form
        turns = vrf.failover(failover_on_time_form()) if self.failover != "none" else []
        return deployed.taiko_alpha4(self.symbolic()) + turns
