"""B52: builders bid shares of their MEV to provers; provers vote, weighted by a VRF; the winning
builder picks provers among the eligible voters.

Seed: "B52 forces block builders to share their captured MEV with provers by putting forward bids to
be voted on by provers. The winning builder then selects provers among the set of their voters ...
choosing provers with good reputation in order not to risk liveness (or they lose their reward) ...
prover votes are weighted by a VRF to prevent a centralised actor from taking over the proving
network by spawning as many provers as work units on each block."
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from provergame.lazy import pandas as pd
from provergame.lazy import special

from provergame.errors import InvalidParameter, check_int
from provergame.model import Population
from provergame.params import Array, Choice, Int, Real, param
from provergame.solvers.exponential_race import prefix_scan, time_nodes

from .base import PROVERS, Game, Outcomes, Stats, example_provers
from .registry import register
from .traits import GameTraits, TimingFamily, StrategyKind

VOTE_WEIGHTS = ("vrf", "stake", "none")


def _best_count(value: np.ndarray, bonus: float, log_live: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Builder's choice of how many provers c to spread the block over: maximise (V + bonus c) L_c.

    `log_live[..., c-1]` is log P(the c chosen provers all deliver); ties go to the smaller c (higher
    liveness). Returns (c*, objective at c*), broadcasting `value` (...,) against log_live (..., C).
    """
    c = np.arange(1, log_live.shape[-1] + 1)
    obj = (np.asarray(value, float)[..., None] + bonus * c) * np.exp(log_live)
    obj = np.where(np.isfinite(log_live), obj, -np.inf)
    best = obj.max(axis=-1, keepdims=True)
    k = np.argmax(obj >= best - 1e-12 * np.maximum(1.0, np.abs(best)), axis=-1)
    return k + 1, np.take_along_axis(obj, k[..., None], -1)[..., 0]


def committee_count_tail(rate: float, k: int, others: np.ndarray, committee: int) -> np.ndarray:
    """P(X >= j), j = 1..min(k, committee): X = how many of k identical identities (VRF rate `rate`
    each) rank among the `committee` highest VRF scores, against independent `others` (their rates).

    The VRF order is an exponential race (score u^(1/w) <-> Exp(w) time), so X >= j iff when the j-th
    identity finishes, at most committee - j others have: integrate the j-th order statistic's density
    against the others' Poisson-binomial count (truncated generating function, prefix scan).
    """
    top = min(k, committee)
    if committee >= len(others) + k:
        return np.ones(top)
    t, w = time_nodes(np.append(others, rate))
    done = -np.expm1(-np.multiply.outer(t, others))                     # (T, n_o)
    polys = np.zeros((committee + 1,) + done.shape)
    polys[0], polys[1] = 1 - done, done
    count = prefix_scan(polys)[..., -1].T if len(others) else np.eye(1, committee + 1)[[0] * len(t)]
    cdf = np.cumsum(count, axis=-1)                                     # P(others done <= l), (T, E+1)
    j = np.arange(1, top + 1)
    with np.errstate(divide="ignore"):
        log_f = (special.gammaln(k + 1) - special.gammaln(j) - special.gammaln(k - j + 1) + np.log(rate)
                 + (j - 1) * np.log(-np.expm1(-rate * t))[:, None] - rate * np.outer(t, k - j + 1))
    dens = np.where(np.isfinite(log_f), np.exp(log_f), 0.0)
    return np.clip(np.einsum("tj,tj,t->j", dens, cdf[:, committee - j], w), 0.0, 1.0)


@register("b52")
@dataclass(frozen=True)
class B52(Game):
    """Builders with MEV `builders` (one value each) bid a share s_b in [0, 1] of it; the bid amount
    x_b = s_b m_b is paid to the selected provers if the block's proof lands. Provers vote for the bid
    they prefer: a voter's expected pay is proportional to the amount (selection does not depend on
    which bid it voted for), so all vote for the largest amount; ties go to the larger MEV.

    Each block, `committee` voters are eligible: the highest VRF-weighted votes (vote_weight "vrf":
    score u per identity; "stake": u^(1/stake), stake-weighted; "none": every voter). The winner
    splits the block's `units` over c unique provers, the c most reliable eligible voters, choosing c
    to maximise (m - x + unique_bonus c) prod r_i: more provers earn the protocol's per-prover bonus,
    but the block and its reward are lost unless all of them deliver.

    Equilibrium (complete information, Bertrand): the top builder wins at x = m_(2), the others bid
    their whole MEV; provers receive the second-highest MEV whenever the proof lands.
    """
    traits: ClassVar[GameTraits] = GameTraits(
        limitations=("builders know each other's MEV (complete information among builders); provers do not prove here: "
            "proving cost and time are outside the game."),
        max_provers=200,
        players_field="builders",
        timing=TimingFamily.NONE,
        strategy=StrategyKind.CONTINUOUS,
        strategy_label="share of MEV bid to provers",
        proving=False,
        sybil_reason="builders bid their MEV; provers are chosen by reliability, not identity count",
    )

    builders: Any = param(Array(lo=0, min_len=2, max_len=1000, unit="token per block", doc="each builder's MEV"))
    provers: Population = param(PROVERS)
    vote_weight: str = param(Choice(options=VOTE_WEIGHTS, doc="how votes are weighted for the committee"), "vrf")
    committee: int | None = param(Int(lo=1, hi=100_000, optional=True, doc="eligible voters per block (None: all)"),
                                  None)
    units: int = param(Int(lo=1, hi=10_000, unit="units of work", doc="proving units per block"), 8)
    unique_bonus: float = param(Real(lo=0, unit="token per prover", doc="builder's bonus per unique prover"), 0.0)

    def _validate(self) -> None:
        if self.committee is not None:
            if self.committee > len(self.provers):
                raise InvalidParameter("committee", self.committee, f"at most the number of provers ({len(self.provers)})")
            if self.committee < len(self.provers) and not np.allclose(self.provers.reliability,
                                                                         self.provers.reliability[0]):
                raise InvalidParameter("committee", self.committee,
                                       f"None (all {len(self.provers)} voters eligible) unless every prover has the "
                                       "same reliability (the analytic side is exact in those two cases)")
        if self.vote_weight == "stake" and np.any(self.provers.stake <= 0):
            raise InvalidParameter("provers.stake", self.provers.stake.min(), "> 0 for stake-weighted votes")

    @classmethod
    def example(cls, n: int | None = None) -> "B52":
        return cls((5.0, 4.0, 3.0), example_provers(n or 6), units=4, unique_bonus=0.25)

    @property
    def players(self) -> Population:
        return Population.from_arrays(cost=np.zeros(len(self.builders)),
                                      names=[f"b{i}" for i in range(len(self.builders))])

    @property
    def eligible(self) -> int:
        if self.committee is None or self.vote_weight == "none":
            return len(self.provers)
        return int(self.committee)

    @cached_property
    def _log_live(self) -> np.ndarray:
        """log P(all of the c most reliable eligible provers deliver), c = 1..min(eligible, units)."""
        r = np.sort(self.provers.reliability)[::-1][: min(self.eligible, self.units)]
        with np.errstate(divide="ignore"):
            return np.cumsum(np.log(r))

    def selection(self, value: Any) -> tuple[np.ndarray, np.ndarray]:
        """(c*, liveness) of the winner's selection when it keeps `value` = m - x of its MEV."""
        c, _ = _best_count(np.asarray(value, float), self.unique_bonus, self._log_live)
        return c, np.exp(self._log_live[c - 1])

    def _winner(self, x: np.ndarray) -> np.ndarray:
        """P(builder b wins): largest amount, ties to the larger MEV, then uniform."""
        m = self.builders
        top = x >= x.max(axis=-1, keepdims=True) - 1e-12
        mtop = np.where(top, m, -np.inf)
        best = top & (m >= mtop.max(axis=-1, keepdims=True) - 1e-12)
        return best / best.sum(axis=-1, keepdims=True)

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        s = self.check_profile(profile)
        x = s * self.builders
        keep = self.builders - x
        c, live = self.selection(keep)
        return self._winner(x) * live * (keep + self.unique_bonus * c)

    def critical_strategies(self, profile: np.ndarray) -> np.ndarray:
        """Shares matching each rival's amount, where the winner changes."""
        x = profile * self.builders
        m = np.where(self.builders > 0, self.builders, 1.0)
        with np.errstate(over="ignore"):
            ratio = np.concatenate([x[None, :] / m[:, None], (x[None, :] * (1 + 1e-9) + 1e-12) / m[:, None]], 1)
        return np.clip(ratio, 0, 1)

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        m = self.builders
        order = np.argsort(-m, kind="stable")
        s = np.ones(len(m))
        if m[order[0]] > 0:
            s[order[0]] = m[order[1]] / m[order[0]]
        return s, "Bertrand: the top builder matches the second-highest MEV, the others bid it all", True

    def prover_selection(self, profile: Any) -> np.ndarray:
        """P(prover i is selected) for the winning bid (committee drawn by VRF, then the most reliable)."""
        s = self.check_profile(profile)
        x = s * self.builders
        keep = float((self._winner(x) * (self.builders - x)).sum())
        c = int(self.selection(keep)[0])
        r = self.provers.reliability
        if self.eligible == len(self.provers):
            rr = np.round(r, 12)                      # reliabilities equal to 12 digits are ties
            above = (rr[None, :] > rr[:, None]).sum(axis=1)
            tied = (rr[None, :] == rr[:, None]).sum(axis=1)
            return np.clip((c - above) / tied, 0.0, 1.0)
        return self.committee_inclusion() * c / self.eligible

    def committee_inclusion(self) -> np.ndarray:
        """P(prover i is among the `committee` highest VRF-weighted votes)."""
        weights = np.ones(len(self.provers)) if self.vote_weight != "stake" else self.provers.stake
        if self.vote_weight == "none" or self.eligible == len(self.provers):
            return np.ones(len(self.provers))
        from provergame.solvers.exponential_race import finish_position
        return finish_position(np.ones(len(weights)), weights / weights.sum(), self.eligible).sum(axis=-1)

    def stats(self, profile: Any) -> Stats:
        s = self.check_profile(profile)
        x = s * self.builders
        win = self._winner(x)
        keep = self.builders - x
        c, live = self.selection(keep)
        pay = win * live * (keep + self.unique_bonus * c)
        return Stats(reward=pay, cost=np.zeros(self.n), participation=win * c, eventual_liveness=float((win * live).sum()),
                     user_payment=float((win * live * x).sum()), useful_cost=0.0)

    def value_to_provers(self, profile: Any) -> dict[str, float]:
        """The winning bid to the chosen provers when the proof lands; the top builder's MEV; HHI over
        builders' winning chances and provers' expected income."""
        s = self.check_profile(profile)
        income = self.prover_income(s)["expected income"].to_numpy()
        win = self._winner(s * self.builders)
        share = income / income.sum() if income.sum() > 0 else income
        return {"to provers": float(income.sum()), "winner's value": float(self.builders.max()),
                "sequencer hhi": float(np.sum(win ** 2)), "prover hhi": float(np.sum(share ** 2))}

    def prover_income(self, profile: Any) -> pd.DataFrame:
        """Expected pay and proving cost per prover: x / c if selected and the proof lands."""
        s = self.check_profile(profile)
        x = s * self.builders
        win = self._winner(x)
        keep = float((win * (self.builders - x)).sum())
        amount = float((win * x).sum())
        c, live = (float(v) for v in self.selection(keep))
        sel = self.prover_selection(s)
        return pd.DataFrame({"prover": list(self.provers.names), "P(selected)": sel,
                             "expected income": sel * live * amount / c,
                             "expected cost": sel * self.provers.cost / c})

    def sequencer_attack(self, attack: str, prover: int, profile: Any) -> tuple[np.ndarray, np.ndarray, str]:
        """Winner's loss from dropping `prover` (censor) or forcing it into the selection (collude)."""
        check_int("prover", prover, lo=0, hi=len(self.provers) - 1)
        s = self.check_profile(profile)
        x = s * self.builders
        keep = self.builders - x
        _, best = _best_count(keep, self.unique_bonus, self._log_live)
        r = self.provers.reliability
        cap = min(self.eligible, self.units)
        with np.errstate(divide="ignore"):
            if attack == "censor":
                if self.eligible < len(self.provers):   # common reliability: one fewer eligible voter
                    reduced = self._log_live[: min(self.eligible - 1, self.units)]
                    weight = float(self.committee_inclusion()[prover])
                else:
                    reduced = np.cumsum(np.log(np.sort(np.delete(r, prover))[::-1][:cap]))
                    weight = 1.0
                alt = _best_count(keep, self.unique_bonus, reduced)[1] if reduced.size else np.zeros_like(keep)
                how = "builder's best selection without the prover (eligible voters only)"
            else:
                rest = np.sort(np.delete(r, prover))[::-1][: cap - 1]
                forced = np.log(r[prover]) + np.concatenate([[0.0], np.cumsum(np.log(rest))])
                alt = _best_count(keep, self.unique_bonus, forced)[1]
                weight = 1.0
                how = "builder's best selection that includes the prover (when it is an eligible voter)"
        loss = weight * np.maximum(best - alt, 0.0)
        return loss, self._winner(x), f"{how}: forgone (m - x + bonus c) P(all deliver)"

    def sybil_capture(self, operator: int, identities: Any, profile: Any = None) -> pd.DataFrame:
        """Share of a block's work units captured by `operator` when it runs k identities (stake split
        evenly), with every prover equally reliable so an honest builder picks uniformly among the
        eligible voters, and a colluding builder picks the operator's eligible identities first.

        Honest share = E[X] / E and colluding share = E[min(X, c*)] / c*, X the operator's identities
        in the committee of E: exact, from P(X >= j) = int f_j(t) P(others done by t <= E - j) dt over
        the exponential race that realises the VRF order (stake-weighted: rates = stakes).
        """
        check_int("operator", operator, lo=0, hi=len(self.provers) - 1)
        ks = np.atleast_1d(np.asarray(identities))
        if ks.size == 0 or np.any(ks < 1) or np.any(ks != np.round(ks)):
            raise InvalidParameter("identities", identities, "integers >= 1")
        if not np.allclose(self.provers.reliability, self.provers.reliability[0]):
            raise InvalidParameter("provers.reliability", "heterogeneous", "one common reliability for this analysis")
        s = self.equilibrium()[0] if profile is None else self.check_profile(profile)
        x = s * self.builders
        keep = float((self._winner(x) * (self.builders - x)).sum())
        r = float(self.provers.reliability[0])
        others = np.delete(self.provers.stake if self.vote_weight == "stake" else np.ones(len(self.provers)), operator)
        own = float(self.provers.stake[operator]) if self.vote_weight == "stake" else None
        rows = []
        for k in ks.astype(int):
            voters = len(others) + k
            E = voters if (self.committee is None or self.vote_weight == "none") else min(self.eligible, voters)
            with np.errstate(divide="ignore"):
                log_live = np.arange(1, min(E, self.units) + 1) * np.log(r)
            c = int(_best_count(np.array(keep), self.unique_bonus, log_live)[0])
            tail = committee_count_tail(own / k if own is not None else 1.0, k, others, E)
            rows.append({"identities": k, "committee": E, "provers per block c*": c,
                         "expected identities eligible": float(tail.sum()),
                         "share, honest builder": float(tail.sum()) / E,
                         "share, colluding builder": float(tail[:c].sum()) / c})
        return pd.DataFrame(rows)

    def sybil_comparison(self, operator: int = 0, identities: Any = (1, 2, 4, 8, 16)) -> pd.DataFrame:
        """sybil_capture under each vote weighting, same committee and selection rule."""
        frames = []
        for vw in VOTE_WEIGHTS:
            g = B52(self.builders, self.provers, vw, self.committee, self.units, self.unique_bonus)
            frames.append(g.sybil_capture(operator, identities).assign(**{"vote weight": vw}))
        return pd.concat(frames, ignore_index=True)

    def symbolic(self) -> dict[str, Any]:
        import sympy as sp
        m1, m2, V, beta, c = sp.symbols("m1 m2 V beta c", positive=True)
        return {"amount_to_provers": m2, "winner_keeps": m1 - m2,
                "builder_objective": V + beta * c,                 # kept per landed block with c provers
                "reliability_to_add_a_prover": (V + beta * c) / (V + beta * (c + 1))}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        s = self.equilibrium()[0]
        x = s * self.builders
        paid = float((self._winner(x) * x).sum())
        return [("amount_to_provers", self.symbolic()["amount_to_provers"],
                 {"m2": float(np.sort(self.builders)[-2])}, paid)]

    def mechanism_theorems(self) -> list:
        from provergame.proofs import sequencer
        return sequencer.b52(self.symbolic())

    # --- protocol face ------------------------------------------------------------------
    def select(self, rng: np.random.Generator, rounds: int, value: float,
               collude: tuple[int, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
        """Play one selection per round: VRF committee, then the builder's choice (colluding provers
        first, then by reliability, random among ties). Returns (selected mask, delivered mask)."""
        n = len(self.provers)
        u = rng.random((rounds, n))
        if self.vote_weight == "stake":
            score = np.log(u) / self.provers.stake
        elif self.vote_weight == "vrf":
            score = u
        else:
            score = np.zeros((rounds, n))
        order = np.argsort(-score, axis=1, kind="stable")
        if self.vote_weight == "none":
            order = np.tile(np.arange(n), (rounds, 1))
        eligible = np.zeros((rounds, n), dtype=bool)
        np.put_along_axis(eligible, order[:, : self.eligible], True, axis=1)
        r = self.provers.reliability
        favour = np.zeros(n)
        favour[list(collude)] = 1.0
        key = np.where(eligible, np.round(favour * 2 + r, 12), -np.inf)
        pick = np.lexsort((rng.random((rounds, n)), -key), axis=-1)[:, : min(self.eligible, self.units)]
        rel = np.take_along_axis(np.broadcast_to(r, (rounds, n)), pick, 1)
        with np.errstate(divide="ignore"):
            log_live = np.cumsum(np.log(rel), axis=1)
        c, _ = _best_count(np.full(rounds, value), self.unique_bonus, log_live)
        chosen = np.arange(pick.shape[1])[None, :] < c[:, None]
        selected = np.zeros((rounds, n), dtype=bool)
        rows = np.broadcast_to(np.arange(rounds)[:, None], pick.shape)
        selected[rows[chosen], pick[chosen]] = True
        delivered = selected & (rng.random((rounds, n)) < r)
        return selected, delivered

    def on_time(self, profile: Any, window: float) -> float:
        """The builder's chosen provers' timing is outside this model: whether the block lands."""
        return self.stats(profile).eventual_liveness

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        s = self.check_profile(profile)
        x = s * self.builders
        m = self.builders
        top = np.flatnonzero(x >= x.max() - 1e-12)
        top = top[m[top] >= m[top].max() - 1e-12]
        winner = top[rng.integers(len(top), size=rounds)]
        keep = m[winner] - x[winner]
        values = np.unique(keep)
        selected = np.zeros((rounds, len(self.provers)), dtype=bool)
        delivered = np.zeros_like(selected)
        for v in values:                                  # at most a few distinct winners' values
            rows = np.flatnonzero(keep == v)
            selected[rows], delivered[rows] = self.select(rng, len(rows), float(v))
        landed = (selected == delivered).all(axis=1)
        count = selected.sum(axis=1)
        reward = np.zeros((rounds, self.n))
        reward[np.arange(rounds), winner] = landed * (keep + self.unique_bonus * count)
        attempted = np.zeros((rounds, self.n), dtype=int)
        attempted[np.arange(rounds), winner] = count         # provers the winning builder's block employs
        return Outcomes(reward, np.zeros((rounds, self.n)), attempted, landed,
                        landed * x[winner], np.zeros(rounds))
