"""Aztec as deployed: multi-proof epochs with the prover reward booster, Sidecar and epoch proof quotes.

Multi-proofs: anyone may submit the epoch proof within the submission window; the epoch's rewards
are split among submitters pro rata to booster shares (AztecProtocol/engineering-designs,
docs/prover-reward-boost/dd.md: y(x) = max(k - a (h - x)^2, m) below h, k above). Sidecar and epoch
quotes: the sequencer (or the next epoch's proposer) picks a prover out of protocol; the prover
posts a slashable deposit (bond).
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
from provergame.params import Array, Instance, Real, param
from provergame.solvers import exponential_race as er

from .base import PROVERS, BroadcastFace, EntryGame, Game, Outcomes, Stats, example_provers, validate_fields
from .race import FirstValidProof, WinnerTakesAll, entry_race_checks, entry_race_forms
from .registry import register
from .rules import elected_on_time, entries as _entries, first_assignment_times, first_valid_time
from .rules import valid_draws as _valid
from .traits import GameTraits, TimingFamily, StrategyKind, StallForm


@dataclass(frozen=True)
class Booster:
    """Activity score and shares; defaults are the deployed constants."""

    decay: float = param(Real(lo=0, unit="score per epoch", doc="score lost each epoch"), 100_000.0)
    increment: float = param(Real(lo=0, unit="score", doc="score gained for a valid proof"), 125_000.0)
    max_score: float = param(Real(lo=0, lo_open=True, unit="score", doc="score cap"), 15_000_000.0)
    a: float = param(Real(lo=0, lo_open=True, doc="curvature of the shares curve"), 1_000.0)
    minimum: float = param(Real(lo=0, unit="shares", doc="floor of shares"), 100_000.0)
    k: float = param(Real(lo=0, lo_open=True, unit="shares", doc="shares at the cap"), 1_000_000.0)

    def __post_init__(self) -> None:
        validate_fields(self)
        if self.minimum > self.k:
            raise InvalidParameter("minimum", self.minimum, f"at most k = {self.k:g}")

    def step(self, score: Any, proved: Any) -> np.ndarray:
        """One epoch: decay (floored at 0), + increment if the prover proved, clamped to max_score."""
        s = np.maximum(np.asarray(score, dtype=float) - self.decay, 0.0)
        return np.minimum(s + self.increment * np.asarray(proved, dtype=float), self.max_score)

    def shares(self, score: Any) -> np.ndarray:
        s = np.asarray(score, dtype=float)
        t = self.max_score - s
        return np.where(s >= self.max_score, self.k, np.maximum(self.k - self.a * t ** 2 / 1e10, self.minimum))

    def path(self, start: float, epochs: int) -> np.ndarray:
        """Scores after 1..epochs epochs of proving every epoch, in closed form: s_1 = step(start), then
        s_t = s_1 + (t-1)(increment - decay), capped at max_score, and floored at increment when decay
        exceeds increment (from there max(s - decay, 0) + increment = increment)."""
        s1 = float(self.step(start, 1.0))
        t = np.arange(epochs, dtype=float)
        s = s1 + t * (self.increment - self.decay)
        if self.increment < self.decay:
            s = np.maximum(s, self.increment)
        return np.minimum(s, self.max_score)

    @property
    def floor_score(self) -> float:
        """Shares exceed `minimum` exactly when the score exceeds this."""
        return max(self.max_score - float(np.sqrt((self.k - self.minimum) * 1e10 / self.a)), 0.0)

    def epochs_to_reach(self, start: float, target: float, strict: bool = False) -> float:
        """Epochs of proving every epoch until the score reaches `target` (> target if strict), exactly:
        s_1 = min(max(s_0 - decay, 0) + increment, max), then + (increment - decay) per epoch."""
        check_real("start", start, lo=0, hi=self.max_score)
        done = (lambda s: s > target) if strict else (lambda s: s >= target)
        if done(start):
            return 0.0
        s1 = float(self.step(start, 1.0))
        if done(s1):
            return 1.0
        net = self.increment - self.decay
        if net <= 0 or (strict and target >= self.max_score) or target > self.max_score:
            return float("inf")
        gap = (target - s1) / net
        extra = np.floor(gap) + 1 if strict else np.ceil(gap - 1e-12)
        return 1.0 + float(max(extra, 1.0))


@register("aztec_multi_proof")
@dataclass(frozen=True)
class AztecMultiProof(BroadcastFace, FirstValidProof, EntryGame):
    """Each prover submits the epoch proof (entry, cost `proving_cost`) with some probability; the
    `epoch_rewards` are split pro rata to booster shares among valid submissions.

    E[share_i / (share_i + sum of the other valid submitters' shares)] equals the chance that i wins an
    exponential race with rates = shares (Laplace: 1/x = int e^{-x t} dt), so the analytic side is the
    `WinnerTakesAll` entry game on those rates: reused, not re-derived. With equal shares (veterans, or
    no booster) it is the equal split among submitters, pay-all.
    """
    traits: ClassVar[GameTraits] = GameTraits(
        entry_substitutes=True,
        limitations=("booster shares are fixed within the epoch (their growth is the separate newcomer ramp); one epoch "
            "proof, no partial proofs, no L1 gas per submission."),
        max_provers=1000,
        budget_field="epoch_rewards",
        sybil_reason="rewards follow each identity's booster score; a new identity starts at the floor",
    )

    epoch_rewards: float = param(Real(lo=0, unit="token per epoch", doc="split pro rata among valid submitters"))
    proving_cost: Any = param(Array(lo=0, length="provers", scalar=True, optional=True, unit="token per epoch",
                                    doc="cost of proving an epoch (default: the provers' cost)"))
    provers: Population = param(PROVERS)
    booster: Booster = param(Instance(cls=Booster, doc="the reward booster (a table of its constants)"), Booster())
    scores: Any = param(Array(lo=0, length="provers", scalar=True, optional=True, unit="score",
                              doc="activity scores (default: every prover at max_score)"), None)

    def _validate(self) -> None:
        if self.proving_cost is None:
            object.__setattr__(self, "proving_cost", self.provers.cost)
        if self.scores is None:
            object.__setattr__(self, "scores", np.full(self.n, self.booster.max_score))
        elif np.any(self.scores > self.booster.max_score):
            raise InvalidParameter("scores", float(self.scores.max()), f"activity scores in [0, {self.booster.max_score:g}]")

    @classmethod
    def example(cls, n: int | None = None) -> "AztecMultiProof":
        n = n or 6
        return cls(10.0, None, example_provers(n), scores=np.linspace(0.0, 15e6, n))

    @cached_property
    def shares(self) -> np.ndarray:
        return self.booster.shares(self.scores)

    @cached_property
    def as_race(self) -> WinnerTakesAll:
        return WinnerTakesAll(self.epoch_rewards, self.provers.replace(rate=self.shares, cost=self.proving_cost))

    def entry_values(self, profile: np.ndarray) -> np.ndarray:
        return self.as_race.entry_values(profile)

    def entry_cost(self) -> np.ndarray:
        return self.proving_cost

    def stats(self, profile: Any) -> Stats:
        return self.as_race.stats(self.check_profile(profile))

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        """Submissions are drawn, each valid with its reliability; rewards split pro rata to shares;
        the useful cost is the share-weighted cost of the valid proofs."""
        p = self.check_profile(profile)
        enter = _entries(p, rng, rounds)
        valid = enter & _valid(self.provers.reliability, rng, rounds)
        weight = valid * self.shares
        total = weight.sum(axis=1, keepdims=True)
        frac = np.divide(weight, total, out=np.zeros_like(weight), where=total > 0)
        reward = self.epoch_rewards * frac
        cost = enter * self.proving_cost
        accepted = total[:, 0] > 0
        landed = first_valid_time(valid, self.provers.rate, rng)       # times are Exp(rate), not the shares
        return Outcomes(reward, cost, np.asarray(enter), accepted, reward.sum(axis=1), frac @ self.proving_cost,
                        landed)

    # --- the booster's barrier to entry -------------------------------------------------------
    def ramp(self, profile: Any = None, start: float = 0.0, newcomer_cost: float | None = None,
             epochs: int | None = None) -> pd.DataFrame:
        """A newcomer proving every epoch against the equilibrium's submitters, exactly: its score by
        the recursion, its shares, its expected pro-rata reward and cumulative profit per epoch."""
        p = self.equilibrium()[0] if profile is None else self.check_profile(profile)
        b = self.booster
        cost = float(np.median(self.proving_cost)) if newcomer_cost is None else check_real(
            "newcomer_cost", newcomer_cost, lo=0)
        horizon = int(epochs) if epochs is not None else int(min(b.epochs_to_reach(start, b.max_score), 5000) + 20)
        scores = b.path(start, horizon)
        share = b.shares(scores)
        rates = np.concatenate([np.broadcast_to(self.shares, (horizon, self.n)), share[:, None]], axis=1)
        presence = np.append(p * self.provers.reliability, 1.0)
        win = er.first_finish(np.broadcast_to(presence, rates.shape), rates)[:, -1]
        income = self.epoch_rewards * win
        profit = np.cumsum(income - cost)
        return pd.DataFrame({"epoch": np.arange(1, horizon + 1), "score": scores, "shares": share,
                             "expected reward": income, "cumulative profit": profit})

    def barrier(self, profile: Any = None, start: float = 0.0, newcomer_cost: float | None = None) -> dict[str, float]:
        """Epochs to leave the floor and to reach parity (exact), the capital a newcomer sinks before its
        cumulative profit turns up, and the same newcomer's profit per epoch without the booster."""
        p = self.equilibrium()[0] if profile is None else self.check_profile(profile)
        r = self.ramp(p, start, newcomer_cost)
        b = self.booster
        cost = float(np.median(self.proving_cost)) if newcomer_cost is None else float(newcomer_cost)
        flat = WinnerTakesAll(self.epoch_rewards, Population.from_arrays(
            cost=np.append(self.proving_cost, cost), rate=np.ones(self.n + 1),
            reliability=np.append(self.provers.reliability, 1.0)))
        equal = float(flat.entry_values(np.append(p, 1.0))[-1]) - cost
        low = r["cumulative profit"].to_numpy()
        turn = np.flatnonzero(low >= 0)
        at_parity = float(r["expected reward"].iloc[-1] - cost)
        if turn.size:
            even = float(turn[0] + 1)
        elif at_parity > 0:      # past the ramp the newcomer earns the parity profit every epoch
            even = float(len(low) + np.ceil(-low[-1] / at_parity))
        else:
            even = float("inf")
        return {"epochs to leave the floor": b.epochs_to_reach(start, b.floor_score, strict=True),
                "epochs to parity": b.epochs_to_reach(start, b.max_score),
                "capital sunk (max cumulative loss)": float(max(0.0, -low.min())),
                "epoch profit turns positive": float(np.argmax(np.diff(low, prepend=0) > 0) + 1)
                if np.any(np.diff(low, prepend=0) > 0) else float("inf"),
                "break-even epoch": even,
                "profit per epoch at parity": at_parity,
                "profit per epoch without booster": equal}

    def ramp_rollout(self, rng: np.random.Generator, replications: int = 200, start: float = 0.0,
                     epochs: int | None = None, newcomer_reliability: float = 1.0) -> pd.DataFrame:
        """Multi-epoch protocol play: every submitter's score evolves by the booster rules (decay,
        increment on a valid proof, clamp) and rewards split pro rata; one row per epoch with the
        newcomer's mean score, shares and reward over `replications` independent runs."""
        check_int("replications", replications, lo=1)
        check_real("newcomer_reliability", newcomer_reliability, lo=0, hi=1)
        b = self.booster
        p = self.equilibrium()[0]
        horizon = int(epochs) if epochs is not None else int(min(b.epochs_to_reach(start, b.max_score), 5000) + 20)
        enter_p = np.append(p, 1.0)
        rel = np.append(self.provers.reliability, newcomer_reliability)
        score = np.tile(np.append(self.scores, start), (replications, 1))
        rows = np.zeros((horizon, 3))
        for t in range(horizon):                       # epochs are sequential: state carries over
            valid = (rng.random(score.shape) < enter_p) & (rng.random(score.shape) < rel)
            score = b.step(score, valid)
            sh = b.shares(score) * valid
            total = sh.sum(axis=1)
            reward = self.epoch_rewards * np.divide(sh[:, -1], total, out=np.zeros(replications), where=total > 0)
            rows[t] = score[:, -1].mean(), b.shares(score[:, -1]).mean(), reward.mean()
        return pd.DataFrame({"epoch": np.arange(1, horizon + 1), "score": rows[:, 0], "shares": rows[:, 1],
                             "reward": rows[:, 2]})

    def symbolic(self) -> dict[str, Any]:
        x, h, k, a, m, R = sp.symbols("x h k a m R", positive=True)
        above = k - a * (h - x) ** 2 / 10 ** 10
        return {**entry_race_forms(), "shares": sp.Max(above, m), "shares_above_floor": above,
                "floor_score": h - sp.sqrt((k - m) * 10 ** 10 / a), "pro_rata": R * sp.Symbol("s_i") / sp.Symbol("S")}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        b = self.booster
        score = float(self.scores[0])
        return entry_race_checks(self, self.epoch_rewards, self.proving_cost) + [("shares", self.symbolic()["shares"],
                 {"x": score, "h": b.max_score, "k": b.k, "a": b.a, "m": b.minimum}, float(b.shares(score)))]

    def mechanism_theorems(self) -> list:
        from provergame.proofs import deployed
        return deployed.aztec_booster(self.symbolic())


@register("sidecar")
@dataclass(frozen=True)
class Sidecar(EntryGame):
    """Out-of-protocol prover choice (Sidecar): provers offer proving to sequencers; a sequencer picks
    one offer uniformly and pays `prover_tip` plus `reward_share` of `block_reward`; the prover posts a
    slashable `deposit` (and optionally `stake` in protocol, slashed by `stake_slash`) lost if it fails.

    Offering costs nothing; a picked prover's margin is r_i (tip + share R) - (1 - r_i)(deposit +
    stake_slash) - cost_i and V_i = margin_i E[1 / (1 + K_i)], K_i the other offerers.
    """
    traits: ClassVar[GameTraits] = GameTraits(
        limitations=("the sequencer picks an offer uniformly (no bribes, no reputation); deposits are posted without "
            "capital cost."),
        max_provers=300,
        timing=TimingFamily.ELECTED,
        stall_form=StallForm.LINEAR,
        budget_field="prover_tip",
        identity_weighted=True,
    )

    prover_tip: float = param(Real(lo=0, unit="token per block", doc="tip the sequencer pays its prover"))
    reward_share: float = param(Real(lo=0, hi=1, unit="share", doc="share of the block reward to the prover"))
    block_reward: float = param(Real(lo=0, unit="token per block", doc="the block's reward"))
    deposit: float = param(Real(lo=0, unit="token", doc="slashable deposit the prover posts"))
    provers: Population = param(PROVERS)
    stake_slash: float = param(Real(lo=0, unit="token", doc="in-protocol stake slashed on failure"), 0.0)

    @classmethod
    def example(cls, n: int | None = None) -> "Sidecar":
        return cls(0.5, 0.3, 8.0, 2.0, example_provers(n or 6))

    @property
    def pay(self) -> float:
        return self.prover_tip + self.reward_share * self.block_reward

    def margin(self) -> np.ndarray:
        r = self.provers.reliability
        return r * self.pay - (1 - r) * (self.deposit + self.stake_slash) - self.provers.cost

    def entry_values(self, profile: np.ndarray) -> np.ndarray:
        return self.margin() * er.expected_inverse_count(np.asarray(profile, dtype=float))

    def entry_cost(self) -> np.ndarray:
        return np.zeros(self.n)

    def stats(self, profile: Any) -> Stats:
        p = self.check_profile(profile)
        picked = p * er.expected_inverse_count(p)
        r = self.provers.reliability
        return Stats(reward=picked * r * self.pay, cost=picked * (self.provers.cost + (1 - r) * (self.deposit + self.stake_slash)),
                     participation=picked, eventual_liveness=float((picked * r).sum()), user_payment=float((picked * r).sum() * self.pay),
                     useful_cost=float((picked * r * self.provers.cost).sum()))

    def first_assignment(self, profile: Any) -> np.ndarray:
        """P(i's offer is the one picked)."""
        p = self.check_profile(profile)
        return p * er.expected_inverse_count(p)

    def solo_form(self, i: int) -> tuple[Any, dict[str, float]]:
        """Alone, the prover's offer is always picked: rho (tip + s R) - (1 - rho)(D + S) - c."""
        tip, s, R, D, S, c, rho = sp.symbols("tip s R D S c rho", positive=True)
        return rho * (tip + s * R) - (1 - rho) * (D + S) - c, {
            "tip": self.prover_tip, "s": self.reward_share, "R": self.block_reward, "D": self.deposit,
            "S": self.stake_slash, "c": self.provers.cost[i], "rho": self.provers.reliability[i]}

    def on_time(self, profile: Any, window: float) -> float:
        return elected_on_time(self.first_assignment(profile), self.provers.reliability, self.provers.rate, window)

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        p = self.check_profile(profile)
        offer = _entries(p, rng, rounds)
        key = np.where(offer, rng.random((rounds, self.n)), -1.0)
        pick = np.argmax(key, axis=1)
        rows = np.arange(rounds)
        any_offer = offer.any(axis=1)
        ok = any_offer & (rng.random(rounds) < self.provers.reliability[pick])
        reward = np.zeros((rounds, self.n))
        cost = np.zeros((rounds, self.n))
        reward[rows, pick] = ok * self.pay
        cost[rows, pick] = any_offer * (self.provers.cost[pick] + (~ok) * (self.deposit + self.stake_slash))
        attempted = np.zeros((rounds, self.n), dtype=bool)
        attempted[rows[any_offer], pick[any_offer]] = True       # the picked offer proves
        return Outcomes(reward, cost, attempted, ok, reward.sum(axis=1), ok * self.provers.cost[pick],
                        first_assignment_times(pick, ok, self.provers.rate, rng))

    def withhold_bribes(self) -> np.ndarray:
        """A picked prover withholds for: its forgone profit plus the deposit and stake it loses."""
        return self.pay - self.provers.cost + self.deposit + self.stake_slash

    def stall_weights(self, profile: np.ndarray) -> np.ndarray:
        picked = profile * er.expected_inverse_count(profile)
        return picked * self.provers.reliability


    def bribe_table(self, stake_slash: float | None = None) -> pd.DataFrame:
        """Withholding bribe per prover without and with an in-protocol stake slashed on failure."""
        with_stake = self.stake_slash if stake_slash is None else check_real("stake_slash", stake_slash, lo=0)
        base = self.pay - self.provers.cost + self.deposit
        return pd.DataFrame({"prover": list(self.provers.names), "bribe, deposit only": base,
                             "bribe, deposit + stake": base + with_stake})

    def mechanism_theorems(self) -> list:
        from provergame.proofs import deployed
        return deployed.sidecar(self.symbolic())

    def symbolic(self) -> dict[str, Any]:
        from provergame.games.forms import I, N, elected_on_time_form
        tip, s, R, D, S, c, rho = sp.symbols("tip s R D S c rho", positive=True)
        r1, r2, r3 = sp.symbols("rho_1:4", positive=True)
        k, N_ids = sp.symbols("k N", integer=True, positive=True)
        return {"withhold_bribe": tip + s * R - c + D + S,
                "offer_margin": self.solo_form(0)[0],
                "break_even_tip": (c + (1 - rho) * (D + S)) / rho - s * R,
                "reward_share_of_three": r1 / (r1 + r2 + r3),
                "on_time_uniform_pick": elected_on_time_form().xreplace({sp.IndexedBase("f")[I]: 1 / N}),
                "share_identity_k_of_N": k / (N_ids + k - 1)}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        sym = self.symbolic()
        margin, values = self.solo_form(0)
        checks = [("withhold_bribe", sym["withhold_bribe"],
                 {"tip": self.prover_tip, "s": self.reward_share, "R": self.block_reward, "c": self.provers.cost[0],
                  "D": self.deposit, "S": self.stake_slash}, float(self.withhold_bribes()[0])),
                ("offer_margin", margin, values, float(self.margin()[0]))]
        if self.n < 3:
            return checks
        three = self.with_provers(np.arange(3))
        everyone = three.stats(np.ones(3))
        return checks + [("reward_share_of_three", sym["reward_share_of_three"],
                          {f"rho_{k + 1}": three.provers.reliability[k] for k in range(3)},
                          float(everyone.reward[0] / everyone.reward.sum()))]


@register("epoch_quotes")
@dataclass(frozen=True)
class EpochQuotes(Game):
    """Epoch proof quotes: provers quote a basis-point share q_i of `epoch_rewards` (with a bond); the
    next epoch's proposer, who does not earn the proven epoch's rewards, accepts one quote. An honest
    proposer takes the lowest quote, so quotes compete a la Bertrand (the cheapest prover wins at the
    second-lowest cost); a proposer paid a kickback takes the colluding prover's quote at `max_bps`.

    A profile is each prover's quote in basis points; payoffs are q_i R / 10^4 - cost_i if accepted.
    """
    traits: ClassVar[GameTraits] = GameTraits(
        limitations=("the proposer is honest or bribed, nothing in between; quotes are one-shot per epoch with bonds that "
            "are not capital-costed."),
        max_provers=300,
        timing=TimingFamily.ELECTED,
        strategy=StrategyKind.CONTINUOUS,
        strategy_label="quote (basis points)",
        priced=True,
        stall_form=StallForm.LINEAR,
        budget_field="epoch_rewards",
    )

    epoch_rewards: float = param(Real(lo=0, lo_open=True, unit="token per epoch", doc="rewards of the epoch"))
    provers: Population = param(PROVERS)
    max_bps: float = param(Real(lo=0, lo_open=True, hi=10_000, unit="basis points", doc="highest quote accepted"),
                           10_000.0)
    proposer_share: float = param(Real(lo=0, hi=1, unit="share", doc="share the proposer keeps"), 0.0)
    bond: float = param(Real(lo=0, unit="token", doc="prover's bond"), 0.0)

    @classmethod
    def example(cls, n: int | None = None) -> "EpochQuotes":
        return cls(10.0, example_provers(n or 6))

    def strategy_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n), np.full(self.n, float(self.max_bps))

    def _accepted(self, q: np.ndarray) -> np.ndarray:
        """Lowest quote wins; ties to the lower cost, then uniform."""
        low = q <= q.min(axis=-1, keepdims=True) + 1e-9
        c = np.where(low, self.provers.cost, np.inf)
        best = low & (self.provers.cost <= c.min(axis=-1, keepdims=True) + 1e-12)
        return best / best.sum(axis=-1, keepdims=True)

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        q = self.check_profile(profile)
        return self._accepted(q) * (q * self.epoch_rewards / 1e4 - self.provers.cost)

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        """Prover i alone changes its quote x: the lowest quote is min(x, m_i), m_i the rivals' lowest,
        so the only rivals that can tie with it are those within 1e-9 of the second-lowest quote of
        the profile. Each candidate is ranked against them (the same comparisons as _accepted): (n, m)
        payoffs in O(n m r), r the near-lowest rivals, instead of a full profile per candidate."""
        q = self.check_profile(profile)
        x = self.check_candidates(candidates)
        if self.n == 1:
            return super().deviation_payoffs(q, x)
        cost = self.provers.cost
        order = np.argsort(q, kind="stable")
        near = np.flatnonzero(q <= q[order[1]] + 1e-9)                   # every rival a deviation can tie with
        rival_q = np.where(near[None, :] == np.arange(self.n)[:, None], np.inf, q[near][None, :])   # (n, r)
        lowest_rival = np.where(np.arange(self.n) == order[0], q[order[1]], q[order[0]])
        top = np.minimum(x, lowest_rival[:, None]) + 1e-9                 # (n, m): the low threshold
        own_low = x <= top
        rival_low = rival_q[:, None, :] <= top[..., None]                 # (n, m, r)
        cheapest = np.minimum(np.where(own_low, cost[:, None], np.inf),
                              np.where(rival_low, cost[near], np.inf).min(axis=-1))
        own_best = own_low & (cost[:, None] <= cheapest + 1e-12)
        count = own_best + (rival_low & (cost[near] <= cheapest[..., None] + 1e-12)).sum(axis=-1)
        return own_best / count * (x * self.epoch_rewards / 1e4 - cost[:, None])

    def critical_strategies(self, profile: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.concatenate([profile, profile - 1e-6]), (self.n, 2 * self.n))

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        bps = np.minimum(self.provers.cost / self.epoch_rewards * 1e4, self.max_bps)
        order = np.argsort(self.provers.cost, kind="stable")
        q = bps.copy()
        if self.n == 1:
            q[0] = self.max_bps
            return q, "monopoly: the only prover quotes max_bps", True
        q[order[0]] = bps[order[1]]
        return q, "Bertrand: the cheapest prover quotes the second-lowest cost, the others their cost", True

    def stats(self, profile: Any) -> Stats:
        q = self.check_profile(profile)
        acc = self._accepted(q)
        pay = acc * q * self.epoch_rewards / 1e4
        return Stats(reward=pay, cost=acc * self.provers.cost, participation=acc,
                     eventual_liveness=float((acc * self.provers.reliability).sum()), user_payment=float(pay.sum()),
                     useful_cost=float((acc * self.provers.cost).sum()))

    def first_assignment(self, profile: Any) -> np.ndarray:
        return self._accepted(self.check_profile(profile))

    def solo_form(self, i: int) -> tuple[Any, dict[str, float]]:
        """Alone, the prover quotes max_bps: R q_max / 10^4 - c (paid on acceptance)."""
        R, q, c = sp.symbols("R q_max c", positive=True)
        return R * q / 10 ** 4 - c, {"R": self.epoch_rewards, "q_max": self.max_bps, "c": self.provers.cost[i]}

    def on_time(self, profile: Any, window: float) -> float:
        return elected_on_time(self.first_assignment(profile), self.provers.reliability, self.provers.rate, window)

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        q = self.check_profile(profile)
        low = np.flatnonzero(q <= q.min() + 1e-9)
        low = low[self.provers.cost[low] <= self.provers.cost[low].min() + 1e-12]
        win = low[rng.integers(len(low), size=rounds)]
        rows = np.arange(rounds)
        reward = np.zeros((rounds, self.n))
        cost = np.zeros((rounds, self.n))
        reward[rows, win] = q[win] * self.epoch_rewards / 1e4
        cost[rows, win] = self.provers.cost[win]
        ok = rng.random(rounds) < self.provers.reliability[win]
        attempted = np.zeros((rounds, self.n), dtype=bool)
        attempted[rows, win] = True
        return Outcomes(reward, cost, attempted, ok, reward.sum(axis=1), self.provers.cost[win],
                        first_assignment_times(win, ok, self.provers.rate, rng))

    def withhold_bribes(self) -> np.ndarray:
        """The accepted prover withholds for its forgone margin plus its bond."""
        q = self.equilibrium()[0]
        return np.maximum(q * self.epoch_rewards / 1e4 - self.provers.cost, 0.0) + self.bond

    def stall_weights(self, profile: np.ndarray) -> np.ndarray:
        return self._accepted(np.asarray(profile, dtype=float)) * self.provers.reliability

    def kickback(self, prover: int | None = None, profile: Any = None) -> dict[str, float]:
        """Collusion between the accepting proposer and a prover: the prover quotes max_bps and kicks
        back part of the extra; the proposer needs at least its own share of the loss, the prover gives
        at most the extra. Collusion is profitable whenever proposer_share < 1."""
        q = self.equilibrium()[0] if profile is None else self.check_profile(profile)
        acc = self._accepted(q)
        honest = float((acc * q).sum()) * self.epoch_rewards / 1e4
        j = int(np.argmin(self.provers.cost)) if prover is None else check_int("prover", prover, lo=0, hi=self.n - 1)
        extra = self.max_bps * self.epoch_rewards / 1e4 - honest
        return {"honest payment to the prover": honest, "colluding payment": honest + extra,
                "extra taken from the epoch's sequencers": extra,
                "minimum kickback": self.proposer_share * extra, "maximum kickback": extra,
                "colluding prover's gain at the minimum kickback": (1 - self.proposer_share) * extra,
                "colluding prover's margin over its cost": honest + extra - float(self.provers.cost[j])}

    def sequencer_attack(self, attack: str, prover: int, profile: Any) -> tuple[np.ndarray, np.ndarray, str]:
        """The proposer's loss from accepting `prover`'s quote instead of the lowest: its share of
        the extra payment (collude); censoring a quote costs it the same share of the difference."""
        check_int("prover", prover, lo=0, hi=self.n - 1)
        q = self.check_profile(profile)
        acc = self._accepted(q)
        low = float((acc * q).sum())
        if attack == "collude":
            diff = max(float(self.max_bps) - low, 0.0)
        else:
            rest = np.delete(q, prover)
            diff = max(float(rest.min()) - low, 0.0) if acc[prover] > 0 else 0.0
        return (np.array([self.proposer_share * diff * self.epoch_rewards / 1e4]), np.ones(1),
                "proposer's own share of the extra it lets the prover take")

    def mechanism_theorems(self) -> list:
        from provergame.proofs import deployed
        return deployed.epoch_quotes(self.symbolic())

    def symbolic(self) -> dict[str, Any]:
        sigma, D = sp.symbols("sigma Delta", positive=True)
        q, x, c1, c2, R = sp.symbols("q x c_1 c_2 R", positive=True)
        return {"kickback_range": (sigma * D, D),
                "quote_payoff_cheapest": sp.Piecewise((q * R / 10_000 - c1, q <= x), (0, True)),
                "quote_payoff_rival": sp.Piecewise((q * R / 10_000 - c2, q < x), (0, True))}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        kb = self.kickback()
        lo, hi = self.symbolic()["kickback_range"]
        vals = {"sigma": self.proposer_share, "Delta": kb["maximum kickback"]}
        two = self.with_provers(np.argsort(self.provers.cost, kind="stable")[:2])
        c1, c2 = two.provers.cost
        star = 1e4 * c2 / self.epoch_rewards
        paid = two.expected_payoffs(np.array([star, star]))
        at = {"q": star, "x": star, "R": self.epoch_rewards, "c_1": c1, "c_2": c2}
        checks = [("kickback_range low", lo, vals, kb["minimum kickback"]),
                  ("kickback_range high", hi, vals, kb["maximum kickback"])]
        if c1 < c2 and star <= self.max_bps:
            checks.append(("quote_payoff_cheapest", self.symbolic()["quote_payoff_cheapest"], at, float(paid[0])))
        return checks
