"""Livepeer-style delegated stake: token holders delegate to provers; the `active_set` largest by
total stake are eligible, and each block's prover is drawn among them in proportion to stake.

Seed: "we can require that token holders stake for specific provers, similar to transcoders in
Livepeer or indexers in TheGraph. This will lead to a smaller number of provers."
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from provergame.lazy import pandas as pd
from provergame.lazy import sympy as sp

from provergame.errors import InvalidParameter, check_int, check_real
from provergame.model import Population
from provergame.params import Array, Int, Real, param

from . import failover
from .base import PROVERS, Game, Outcomes, Stats, example_provers
from .failover import deadline_field, failover_field
from .registry import register
from .rules import assigned, categorical, elected_on_time, failover_attempts, first_assignment_times
from .traits import ByChoice, GameTraits, TimingFamily, StrategyKind, StallForm


@register("delegated_stake")
@dataclass(frozen=True)
class DelegatedStake(Game):
    """Provers choose a reward cut kappa_i (the share of each reward they keep; the rest goes to the
    delegators pro rata, the prover's own stake included). Delegators hold `delegators` tokens;
    `delegation` is the current delegated stake per prover (default: in proportion to own stake).
    The active set is the `active_set` largest by own + current delegation. Delegators re-allocate
    D in proportion to exp(sensitivity * r_i) over the active set, r_i = rho_i (1 - kappa_i): the
    return per token rho_i (1 - kappa_i) R / T_active is the same at any prover size, so delegation
    follows the cut alone (sensitivity -> inf: all to the best cut). Failover "none": a failed block is
    not re-drawn; "next_draw": each drawn prover holds the block for `failover_deadline`, then the next
    draw by stake within the active set takes over (games.failover), and rho_i reads its chance to
    deliver in a turn, rho_i (1 - e^{-r_i d}), in payoffs and in the delegators' rule alike.
    """
    traits: ClassVar[GameTraits] = GameTraits(
        limitations=("delegators respond by a logit rule to returns, not as strategic players; stake is fixed within the "
            "analysed round (its growth is the separate dynamics)."),
        max_provers=100,
        timing=TimingFamily.ELECTED,
        strategy=StrategyKind.CONTINUOUS,
        strategy_label="reward cut",
        elected_by_protocol=True,
        stall_form=ByChoice("failover", (("none", StallForm.LINEAR), ("next_draw", StallForm.LOGLINEAR))),
        budget_field="reward",
        seat_fields=("active_set",),
        sybil_reason="selection follows total stake, which splitting does not change; cuts are not prices to users",
    )

    reward: float = param(Real(lo=0, unit="token per block", doc="paid to the block's prover, shared by cut"))
    provers: Population = param(PROVERS)
    delegators: Any = param(Array(lo=0, scalar=True, unit="token", doc="stake each delegator holds"))
    active_set: int = param(Int(lo=1, hi=100_000, unit="provers", doc="largest by total stake that are eligible"))
    sensitivity: float = param(Real(lo=0, hi=1e6, doc="how strongly delegators chase yield"), 20.0)
    delegation: Any = param(Array(lo=0, length="provers", optional=True, unit="token",
                                  doc="initial delegation per prover (default: in proportion to own stake)"), None)
    failover: str = failover_field("a failed block is not re-drawn")
    failover_deadline: float = deadline_field()

    def _validate(self) -> None:
        total = float(np.sum(self.delegators))
        object.__setattr__(self, "_total_delegated", total)
        if self.active_set > self.n:
            raise InvalidParameter("active_set", self.active_set, f"at most the number of provers ({self.n})")
        if self.delegation is None:
            own = self.provers.stake
            d = total * own / own.sum() if own.sum() > 0 else np.full(self.n, total / self.n)
            d = np.array(d, dtype=float)
            d.flags.writeable = False
            object.__setattr__(self, "delegation", d)
        elif not np.isclose(self.delegation.sum(), total, rtol=1e-9, atol=1e-12):
            raise InvalidParameter("delegation", float(self.delegation.sum()), f"amounts summing to the delegators' {total}")

    def with_provers(self, index: Any, **changes: Any) -> "DelegatedStake":
        """Delegation of the provers that leave goes back to the delegators, who spread it over the
        rest in proportion to their current delegation (the total stays the delegators' stake)."""
        idx = np.atleast_1d(np.asarray(index))
        kept = self.delegation[idx]
        total = self.total_delegated
        changes.setdefault("delegation", kept * total / kept.sum() if kept.sum() > 0 else np.full(len(idx), total / len(idx)))
        return super().with_provers(idx, **changes)

    @classmethod
    def example(cls, n: int | None = None) -> "DelegatedStake":
        n = n or 6
        return cls(10.0, example_provers(n), (100.0, 50.0, 25.0), max(1, min(4, n - 1)))

    @property
    def total_delegated(self) -> float:
        return float(self.__dict__["_total_delegated"])

    @cached_property
    def success(self) -> np.ndarray:
        """P(a drawn prover delivers within its turn): rho_i, times 1 - e^{-r_i d} under failover."""
        return failover.success(self.provers.reliability, self.provers.rate, self.failover, self.failover_deadline)

    @cached_property
    def active(self) -> np.ndarray:
        """The active set: the `active_set` largest stakes with delegation (ties to the lower index)."""
        total = self.provers.stake + self.delegation
        order = np.lexsort((np.arange(self.n), -total))
        mask = np.zeros(self.n, dtype=bool)
        mask[order[:self.active_set]] = True
        return mask & (total > 0)

    def delegation_response(self, cuts: np.ndarray) -> np.ndarray:
        """Delegated stake per prover after delegators respond to the cuts (logit over the active set)."""
        score = self.sensitivity * self.success * (1 - cuts)
        score = np.where(self.active, score, -np.inf)
        score = score - score.max(axis=-1, keepdims=True)
        w = np.exp(score)
        return self.total_delegated * w / w.sum(axis=-1, keepdims=True)

    def _shares(self, cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        deleg = self.delegation_response(cuts)
        total = (self.provers.stake + deleg) * self.active
        if self.failover == "none":
            chosen = total / total.sum(axis=-1, keepdims=True)
        else:                                    # drawn at some turn: every earlier draw missed
            chosen = failover.reach(self.active, self.success, total)
        own_frac = np.divide(self.provers.stake, total, out=np.zeros_like(total), where=total > 0)
        keep = cuts + (1 - cuts) * own_frac
        return chosen, keep, deleg

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        cuts = self.check_profile(profile)
        chosen, keep, _ = self._shares(cuts)
        return chosen * (self.success * keep * self.reward - self.provers.cost)

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        """Prover i alone changes its cut: delegators' logit moves only i's weight against the others'
        fixed log-sum-exp a_i, so its delegation is D / (1 + e^(a_i - s_i(x))), and the active set's total
        stake stays own + D. (n, m) payoffs without re-solving the n-prover response per candidate
        (under failover, i's chance to be drawn at some turn depends on every prover's stake: the others'
        delegations all scale by D / (e^{s_i(x)} + e^{a_i}), games.failover.shifted_deviation_reach)."""
        cuts = self.check_profile(profile)
        x = self.check_candidates(candidates)
        act, rho, stake = self.active, self.success, self.provers.stake
        log_rest = self.kept_for("_rivals_log_sum_exp", cuts, lambda: self._rivals_log_sum_exp(cuts))
        own = self.sensitivity * rho[:, None] * (1 - x)
        deleg = self.total_delegated * np.exp(own - np.logaddexp(own, log_rest[:, None]))
        total = np.where(act[:, None], stake[:, None] + deleg, 0.0)
        if self.failover == "none":
            chosen = total / float((stake * act).sum() + self.total_delegated)
        else:
            score = np.where(act, self.sensitivity * rho * (1 - cuts), -np.inf)
            top = float(score.max())
            others = self.total_delegated * np.exp(top - np.logaddexp(own, log_rest[:, None]))
            chosen = failover.shifted_deviation_reach(act, rho, stake * act, np.exp(score - top), total, others)
        with np.errstate(divide="ignore", invalid="ignore"):
            own_frac = np.where(total > 0, stake[:, None] / total, 0.0)
        keep = x + (1 - x) * own_frac
        return chosen * (rho[:, None] * keep * self.reward - self.provers.cost[:, None])

    def _rivals_log_sum_exp(self, cuts: np.ndarray) -> np.ndarray:
        """a_i = log sum_{j != i, active} e^(s_j): the others' part of the delegators' logit, (n,)."""
        score = np.where(self.active, self.sensitivity * self.success * (1 - cuts), -np.inf)
        rivals = np.where(np.eye(self.n, dtype=bool), -np.inf, score[None, :])
        top = rivals.max(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return top + np.log(np.exp(rivals - np.where(np.isfinite(top), top, 0.0)[:, None]).sum(axis=1))

    def stats(self, profile: Any) -> Stats:
        cuts = self.check_profile(profile)
        chosen, keep, _ = self._shares(cuts)
        rho = self.success
        live = float((chosen * rho).sum())
        return Stats(reward=chosen * rho * keep * self.reward, cost=chosen * self.provers.cost, participation=chosen,
                     eventual_liveness=live, user_payment=live * self.reward, useful_cost=float((chosen * rho * self.provers.cost).sum()))

    def first_assignment(self, profile: Any) -> np.ndarray:
        total = self._draw_law(self.check_profile(profile))[0]
        return total / total.sum(axis=-1, keepdims=True)

    def seats(self, profile: Any) -> int:
        return int(self.active.sum())

    def solo_form(self, i: int) -> tuple[Any, dict[str, float]]:
        """Alone, it proves every block and keeps it all (cut 1): rho R - c (rho: its chance to deliver in a turn)."""
        R, rho, c = sp.symbols("R rho c", positive=True)
        return rho * R - c, {"R": self.reward, "rho": self.success[i], "c": self.provers.cost[i]}

    def on_time(self, profile: Any, window: float) -> float:
        """Without failover, the first assignee's chance to deliver by the window; with it, every turn that
        ends inside the window counts (games.failover.on_time)."""
        if self.failover == "none":
            return elected_on_time(self.first_assignment(profile), self.provers.reliability, self.provers.rate, window)
        total = self._draw_law(self.check_profile(profile))[0]
        return failover.on_time(self.active, self.success, total, self.provers.reliability, self.provers.rate, window,
                                self.failover_deadline)

    def _draw_law(self, cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(total stake each prover is drawn by, what it keeps of a paid reward) given the delegators'
        response to these cuts."""
        total = (self.provers.stake + self.delegation_response(cuts)) * self.active
        with np.errstate(divide="ignore", invalid="ignore"):   # a prover nobody can draw keeps nothing
            share = np.where(total > 0, cuts + (1 - cuts) * self.provers.stake / total, 0.0)
        return total, share * self.reward

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        cuts = self.check_profile(profile)
        total, prover_pay = self.kept_for("_draw_law", cuts, lambda: self._draw_law(cuts))
        if self.failover != "none":           # no slash; users pay the reward, the prover keeps its cut of it
            pop = self.provers
            return failover.play(total, pop.reliability, pop.rate, pop.cost, self.failover_deadline, rng, rounds,
                                 prover_pay, np.full(self.n, self.reward), 0.0)
        who, _ = categorical(total, rng, rounds)
        ok = rng.random(rounds) < self.provers.reliability[who]
        cost = self.provers.cost[who]
        events = assigned(rounds, self.n, who, np.where(ok, prover_pay[who], 0.0), cost)
        return Outcomes(None, None, None, ok, ok * self.reward, np.where(ok, cost, 0.0),
                        first_assignment_times(who, ok, self.provers.rate, rng), assignments=events)


    def _delivered(self, total: np.ndarray, rng: np.random.Generator, rounds: int) -> tuple[np.ndarray, np.ndarray]:
        """(prover, delivered) of each block drawn by stake `total`: the first draw's delivery without
        failover; under it the prover whose turn delivered (games.rules.failover_attempts)."""
        if self.failover == "none":
            who, _ = categorical(total, rng, rounds)
            return who, rng.random(rounds) < self.provers.reliability[who]
        _, _, _, winner, ok, _ = failover_attempts(total, self.provers.reliability, self.provers.rate,
                                                   self.failover_deadline, rng, rounds)
        return winner, ok

    def stall_weights(self, profile: Any) -> np.ndarray:
        """Without failover, linear: P(delivery) = sum_i chosen_i rho_i; under "next_draw", log-linear:
        P(no delivery) = prod over the active provers that still deliver of (1 - s_i)."""
        if self.failover != "none":
            return -np.log1p(-np.minimum(self.success, 1 - 1e-15)) * self.active
        chosen, _, _ = self._shares(self.check_profile(profile))
        return chosen * self.provers.reliability

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        from provergame.solvers.dynamics import best_response_iteration
        p, ok = best_response_iteration(self, np.full(self.n, 0.5))
        return p, "damped best-response iteration over reward cuts", ok

    def dynamics(self, cuts: Any, epochs: int = 200, rounds_per_epoch: int = 100, mobility: float = 0.2,
                 seed: int = 0) -> pd.DataFrame:
        """Multi-epoch rollout: each epoch the active set is recomputed, blocks are drawn by stake
        (VRF), rewards are reinvested as stake (the prover's kept share on its own stake, the
        delegators' share on their delegation), and a `mobility` fraction of delegation moves to the
        logit response. Returns stake shares, HHI and Nakamoto coefficient per epoch."""
        from provergame.solvers.metrics import hhi, nakamoto
        epochs = check_int("epochs", epochs, lo=1)
        rounds_per_epoch = check_int("rounds_per_epoch", rounds_per_epoch, lo=1)
        mobility = check_real("mobility", mobility, lo=0, hi=1)
        cuts = self.check_profile(cuts)
        rng = np.random.default_rng(seed)
        own, deleg = self.provers.stake.astype(float).copy(), self.delegation.astype(float).copy()
        rows = []
        for e in range(epochs):  # epochs are the state updates; each epoch's blocks are vectorised
            game = DelegatedStake(self.reward, self.provers.replace(stake=own), deleg.sum(), self.active_set,
                                  self.sensitivity, deleg, failover=self.failover, failover_deadline=self.failover_deadline)
            who, ok = game._delivered((own + deleg) * game.active, rng, rounds_per_epoch)
            wins = np.bincount(who[ok], minlength=self.n).astype(float)
            paid = wins * self.reward
            frac = np.divide(own, own + deleg, out=np.zeros(self.n), where=own + deleg > 0)
            own = own + paid * (cuts + (1 - cuts) * frac)
            deleg = deleg + paid * (1 - cuts) * (1 - frac)
            target = game.delegation_response(cuts) * deleg.sum() / max(game.total_delegated, 1e-300)
            deleg = (1 - mobility) * deleg + mobility * target
            stake = own + deleg
            rows.append({"epoch": e + 1, "hhi": hhi(stake), "nakamoto": nakamoto(stake),
                         "top_share": float(stake.max() / stake.sum()), "active": int(game.active.sum()),
                         **{f"share[{nm}]": float(s / stake.sum()) for nm, s in zip(self.provers.names, stake)}})
        return pd.DataFrame(rows)

    def symbolic(self) -> dict[str, Any]:
        rho, k, R, T_i, T_A = sp.symbols("rho kappa R T_i T_A", positive=True)
        return {"return_per_token": rho * (1 - k) * R / T_A, "prover_income": (T_i / T_A) * rho * k * R,
                "delegator_income": (T_i / T_A) * rho * (1 - k) * R}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        if self.failover != "none":          # under failover a draw's chance is no longer stake / T_A
            return []
        cuts = np.full(self.n, 0.2)
        chosen, keep, deleg = self._shares(cuts)
        i = int(np.argmax(np.where(self.active, deleg, -np.inf)))
        if not self.active[i] or deleg[i] <= 0:
            return []
        total = float(((self.provers.stake + deleg) * self.active).sum())
        rho = float(self.provers.reliability[i])
        per_token = float(chosen[i] * rho * self.reward * (1 - keep[i]) / deleg[i])
        return [("return_per_token", self.symbolic()["return_per_token"],
                 {"rho": rho, "kappa": 0.2, "R": self.reward, "T_A": total}, per_token)]

    def theorems(self) -> list:
        """Under failover the failover law's theorems replace the elected timing family's."""
        return super().theorems() if self.failover == "none" else self.mechanism_theorems()

    def mechanism_theorems(self) -> list:
        from provergame.proofs import vrf
        from .forms import failover_on_time_form
        turns = vrf.failover(failover_on_time_form()) if self.failover != "none" else []
        return vrf.delegated_stake(self.symbolic()) + turns
