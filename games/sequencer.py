"""The sequencer side: Fernet's fee-sharing score and Scroll's slot auction to the proving network.

Seed: "We could patch the sequencer scoring function (currently only a VRF) to factor in the
percentage of fees the sequencer pushes to the provers ... sequencers would eventually share 100% of
fees"; Scroll: "Multiple sequencers are elected per round, and they post bids to the proving network.
The proving network chooses the best bid"; provers are elected by VRF and staked.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from provergame.lazy import pandas as pd
from provergame.lazy import sympy as sp
from provergame.lazy import integrate, stats

from provergame.errors import InvalidParameter
from provergame.model import Population
from provergame.params import Array, Choice, Custom, Int, Real, param

from .auctions import quantile_grid
from .base import OPTIONAL_PROVERS, Game, Outcomes, Stats, example_provers
from .laws import LogNormal, Uniform
from .registry import register
from .traits import GameTraits, TimingFamily, StrategyKind


def multiplicative_win(w: Any) -> np.ndarray:
    """P(k has the highest score u_k w_k), u iid uniform on [0, 1] (Aztec's VRF_OUTPUT * (1 + FEE_SPLIT),
    and provers' per-section VRF_OUTPUT * (1 + FEE_BURN)); exact, broadcasting over (..., n).

    P_k = int_0^1 prod_{j != k} min(1, u / b_j) du with b_j = w_j / w_k: on each interval between sorted
    breakpoints the integrand is u^m / prod_{active} b_j, integrated in closed form (in logs).
    """
    w = np.asarray(w, dtype=float)
    n = w.shape[-1]
    b = w[..., None, :] / w[..., :, None]                         # (..., k, j) = w_j / w_k
    off = ~np.eye(n, dtype=bool)
    b = b[..., off].reshape(w.shape[:-1] + (n, n - 1))
    b = np.sort(b, axis=-1)
    logb = np.log(b)
    suffix = np.flip(np.cumsum(np.flip(logb, -1), -1), -1)         # sum_{j >= i} log b_j
    logC = np.concatenate([suffix, np.zeros(suffix.shape[:-1] + (1,))], -1)   # (..., k, n): interval i
    edges = np.minimum(b, 1.0)
    lo = np.concatenate([np.zeros(edges.shape[:-1] + (1,)), edges], -1)
    hi = np.concatenate([edges, np.ones(edges.shape[:-1] + (1,))], -1)
    power = (n - np.arange(n)).astype(float)                       # m + 1 with m = n - 1 - i active factors
    with np.errstate(divide="ignore"):
        top = np.exp(power * np.log(hi) - logC)
        bottom = np.exp(power * np.log(lo) - logC)
    return np.sum(np.where(hi > lo, (top - bottom) / power, 0.0), axis=-1)


def _sequencers(k: int, prefix: str = "s") -> Population:
    return Population.from_arrays(cost=np.zeros(k), names=[f"{prefix}{i}" for i in range(k)])


@register("fee_sharing")
@dataclass(frozen=True)
class FeeSharing(Game):
    """Each of `sequencers` sequencers passes a share a in [0, 1] of `fees` to provers; it wins the
    slot with probability w(a_k) / sum_j w(a_j), w(a) = 1 + gamma a ("linear") or exp(gamma a)
    ("exponential"); the winner earns mev_k + (1 - a_k) fees. `play` draws each sequencer's VRF
    score u^(1/w) (u uniform) and the highest wins, which realises exactly that law.

    Symmetric equilibrium (identical MEV m, K sequencers), from (K-1) w'(a)/w(a) (m + (1-a) F) = K F:
    linear a* = [(K-1) gamma (m + F) - K F] / [gamma F (2K - 1)], exponential a* = 1 + m/F - K/((K-1) gamma),
    clipped to [0, 1]: the share rises with the MEV/fee ratio and reaches the corner a = 1.

    weight="multiplicative" (Aztec's cooperative-proving proposal): the score is u (1 + gamma a) with u
    uniform, so winning chances follow `multiplicative_win`, not w / sum w; at a symmetric profile
    dP/d(log w) = (K-1)/K, which gives a* = [(K-1) gamma (m + F) - F] / (gamma K F).
    """
    traits: ClassVar[GameTraits] = GameTraits(
        limitations=("sequencers with identical MEV; the winner's proving is not modelled (timing 'none'); the prover side"
            " is a pass-through."),
        max_provers=300,
        players_field="sequencers",
        timing=TimingFamily.NONE,
        strategy=StrategyKind.CONTINUOUS,
        strategy_label="fee share to provers",
        proving=False,
        exchangeable=True,
    )

    fees: float = param(Real(lo=0, lo_open=True, unit="token per slot", doc="fees of a slot"))
    mev: Any = param(Array(lo=0, scalar=True, length="sequencers", unit="token per slot",
                           doc="each sequencer's MEV (one number for all)"))
    sequencers: int = param(Int(lo=2, hi=10_000, unit="sequencers", doc="competing sequencers"))
    weight: str = param(Choice(options=("linear", "exponential", "multiplicative"), doc="score's weight on the share"),
                        "linear")
    gamma: float = param(Real(lo=0, lo_open=True, hi=1e6, doc="strength of the share in the score"), 1.0)

    @classmethod
    def example(cls, n: int | None = None) -> "FeeSharing":
        return cls(1.0, 4.0, n or 4)

    @property
    def players(self) -> Population:
        return _sequencers(self.sequencers)

    @property
    def provers(self) -> Population:
        return self.players

    def w(self, a: np.ndarray) -> np.ndarray:
        return np.exp(self.gamma * a) if self.weight == "exponential" else 1 + self.gamma * a

    def with_sequencers(self, sequencers: int) -> "FeeSharing":
        """The same game with another number of sequencers, keeping one MEV for all where it was one.

        Parameters
        ----------
        sequencers : int
            The new number of competing sequencers.

        Returns
        -------
        FeeSharing
            The game rebuilt (an MEV that differs among sequencers must be given again: refused).

        Examples
        --------
        >>> import provergame as pg
        >>> pg.games.FeeSharing(fees=1.0, mev=4.0, sequencers=4).with_sequencers(6).mev.tolist()
        [4.0, 4.0, 4.0, 4.0, 4.0, 4.0]
        """
        from dataclasses import replace
        if not np.all(self.mev == self.mev[0]):
            raise InvalidParameter("sequencers", sequencers, f"{self.sequencers} while the MEV differs among "
                                   "sequencers (give one MEV per new sequencer with dataclasses.replace)")
        return replace(self, sequencers=sequencers, mev=float(self.mev[0]))

    def corner_mev(self) -> float:
        """The identical MEV per sequencer from which the symmetric equilibrium passes every fee on (a = 1).

        Setting the symmetric a* of the class docstring to 1: linear K F (1 + gamma) / ((K - 1) gamma),
        exponential K F / ((K - 1) gamma), multiplicative F (1 + gamma) / ((K - 1) gamma).

        Returns
        -------
        float
            The MEV threshold, in tokens per slot.

        Examples
        --------
        >>> import provergame as pg
        >>> pg.games.FeeSharing(fees=1.0, mev=0.0, sequencers=4).corner_mev()   # 4 (1 + 1) / 3
        2.6666666666666665
        """
        k, f, g = self.sequencers, self.fees, self.gamma
        top = {"linear": k * f * (1 + g), "exponential": k * f, "multiplicative": f * (1 + g)}[self.weight]
        return top / ((k - 1) * g)

    def win(self, a: Any) -> np.ndarray:
        w = self.w(np.asarray(a, dtype=float))
        if self.weight == "multiplicative":
            return multiplicative_win(w)
        return w / w.sum(axis=-1, keepdims=True)

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        a = self.check_profile(profile)
        return self.win(a) * (self.mev + (1 - a) * self.fees)

    def stats(self, profile: Any) -> Stats:
        a = self.check_profile(profile)
        p = self.win(a)
        return Stats(reward=p * (self.mev + (1 - a) * self.fees), cost=np.zeros(self.n), participation=p,
                     eventual_liveness=1.0, user_payment=float(self.fees), useful_cost=0.0)

    def prover_income(self, profile: Any) -> float:
        """Expected fees reaching provers per slot: sum_k P(k wins) a_k F."""
        a = self.check_profile(profile)
        return float((self.win(a) * a).sum() * self.fees)

    def value_to_provers(self, profile: Any) -> dict[str, float]:
        """Fees passed to provers, the winner's expected value, HHI over winning chances (no provers
        of its own: prover HHI is the caller's)."""
        a = self.check_profile(profile)
        win = self.win(a)
        return {"to provers": self.prover_income(a), "winner's value": float(win @ (self.mev + self.fees)),
                "sequencer hhi": float(np.sum(win ** 2)), "prover hhi": float("nan")}

    def on_time(self, profile: Any, window: float) -> float:
        return self.stats(profile).eventual_liveness

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        a = self.check_profile(profile)
        u = rng.random((rounds, self.n))
        score = u * self.w(a) if self.weight == "multiplicative" else u ** (1.0 / self.w(a))
        winner = np.argmax(score, axis=1)
        reward = np.zeros((rounds, self.n))
        rows = np.arange(rounds)
        reward[rows, winner] = self.mev[winner] + (1 - a[winner]) * self.fees
        tried = np.zeros((rounds, self.n), dtype=bool)
        tried[rows, winner] = True                 # the slot's winner has its block proved
        return Outcomes(reward, np.zeros((rounds, self.n)), tried, np.ones(rounds, bool),
                        np.full(rounds, float(self.fees)), np.zeros(rounds))

    def symmetric_share(self) -> float:
        K, F, g = self.sequencers, self.fees, self.gamma
        m = float(self.mev[0])
        if self.weight == "linear":
            a = ((K - 1) * g * (m + F) - K * F) / (g * F * (2 * K - 1))
        elif self.weight == "multiplicative":
            a = ((K - 1) * g * (m + F) - F) / (g * K * F)
        else:
            a = 1 + m / F - K / ((K - 1) * g)
        return float(np.clip(a, 0.0, 1.0))

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        if np.all(self.mev == self.mev[0]):
            return np.full(self.n, self.symmetric_share()), "symmetric closed form (first-order condition, clipped)", True
        if symmetric:
            raise InvalidParameter("symmetric", True, "only when every sequencer has the same MEV")
        from provergame.solvers.dynamics import best_response_iteration
        p, ok = best_response_iteration(self, np.full(self.n, 0.5))
        return p, "asymmetric MEV: sequential best responses", ok

    def sequencer_attack(self, attack: str, prover: int, profile: Any) -> tuple[np.ndarray, np.ndarray, str]:
        """Provers are VRF-elected: the sequencer cannot pick one; censoring the elected prover's
        proof forfeits the slot, mev_k + (1 - a_k) fees."""
        a = self.check_profile(profile)
        if attack == "collude":
            return np.full(self.n, np.inf), self.win(a), "impossible: the protocol's VRF elects the prover"
        return self.mev + (1 - a) * self.fees, self.win(a), "the winner forfeits its slot, mev + (1 - a) fees"

    def share_curve(self, ratios: Any) -> pd.DataFrame:
        """Equilibrium share against the MEV / fee ratio (identical sequencers)."""
        rows = []
        for r in np.atleast_1d(ratios):
            g = FeeSharing(self.fees, float(r) * self.fees, self.sequencers, self.weight, self.gamma)
            a = g.symmetric_share()
            rows.append({"mev/fees": float(r), "share a*": a, "prover income": a * self.fees})
        return pd.DataFrame(rows)

    def symbolic(self) -> dict[str, Any]:
        a, b, m, F, g = sp.symbols("a b m F gamma", positive=True)
        K = sp.Symbol("K", integer=True, positive=True)
        foc = (K - 1) * g / (1 + g * a) * (m + (1 - a) * F) - K * F
        # the roots in a of foc = 0 and of (K - 1) gamma (m + (1 - a) F) = K F, as sp.solve writes them
        # (tests/test_proofs.py checks them against sp.solve)
        lin = (F * K * g - F * K - F * g + K * g * m - g * m) / (F * g * (2 * K - 1))
        exp = (F * K * g - F * K - F * g + K * g * m - g * m) / (F * g * (K - 1))
        return {"share_linear": lin, "share_exponential": exp, "foc_linear": foc,
                "payoff_linear": (1 + g * a) / (1 + g * a + (K - 1) * (1 + g * b)) * (m + (1 - a) * F),
                "share_multiplicative": ((K - 1) * g * (m + F) - F) / (g * K * F),
                # P(win) of a score u (1 + a) against K-1 equal scores, at weight ratio t below / above 1
                "win_below_multiplicative": sp.Symbol("t", positive=True) ** (K - 1) / K,
                "win_above_multiplicative": 1 - 1 / sp.Symbol("t", positive=True)
                + 1 / (K * sp.Symbol("t", positive=True))}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        if self.weight == "multiplicative":
            return []
        expr = self.symbolic()["share_linear" if self.weight == "linear" else "share_exponential"]
        for m in (float(self.mev[0]), 0.5 * self.fees, self.fees, 2 * self.fees, 4 * self.fees):
            vals = {"m": m, "F": self.fees, "gamma": self.gamma, "K": self.sequencers}
            if 0 < float(expr.subs({s: vals[s.name] for s in expr.free_symbols})) < 1:   # interior, not a corner
                return [("symmetric share", expr, vals, replace(self, mev=m).symmetric_share())]
        return []

    def mechanism_theorems(self) -> list:
        from provergame.proofs import deployed, sequencer
        sym = self.symbolic()
        return sequencer.fee_sharing(sym) + (deployed.fee_sharing_multiplicative(sym) if self.weight == "multiplicative"
                                             else [])


_VALUE_LAWS = "'uniform', ('lognormal', sigma), ('beta', a, b) or a frozen scipy.stats distribution"


def _value_law_checked(name: str, vd: Any) -> Any:
    if isinstance(vd, (list, tuple)):
        if len(vd) == 2 and vd[0] == "lognormal":
            Real(lo=0, lo_open=True, hi=10).check(f"{name}.sigma", vd[1])
        elif len(vd) == 3 and vd[0] == "beta":
            Real(lo=0, lo_open=True, hi=1e3).check(f"{name}.a", vd[1])
            Real(lo=0, lo_open=True, hi=1e3).check(f"{name}.b", vd[2])
        else:
            raise InvalidParameter(name, vd, _VALUE_LAWS)
        return tuple(vd)
    if isinstance(vd, str):
        return Choice(options=("uniform",)).check(name, vd)
    if isinstance(getattr(vd, "dist", None), stats.rv_continuous):
        lo, hi = vd.support()
        if not lo >= 0:
            raise InvalidParameter(name, f"{vd.dist.name} on [{lo:g}, {hi:g}]",
                                   "a support within [0, inf) (values are nonnegative)")
        return vd
    raise InvalidParameter(name, vd, _VALUE_LAWS)


@register("scroll_auction")
@dataclass(frozen=True)
class ScrollAuction(Game):
    """`sequencers` bidders with private values drawn iid from `value_distribution` ("uniform" on
    [0, value_max]; ("lognormal", sigma) with mean value_max; ("beta", a, b) on [0, value_max]; or
    any frozen continuous scipy.stats distribution with support in [0, inf), used as given) bid for the slot; the
    highest bid wins and pays its bid, which goes to provers elected by stake-weighted VRF.

    First-price Bayesian equilibrium: b(v) = v - int_0^v F(x)^{K-1} dx / F(v)^{K-1} (uniform:
    (K-1)/K v); expected revenue = E[second-highest value] (revenue equivalence). A profile entry
    m_k scales that bid function (the equilibrium is m = 1); the regret certificate searches every
    bid function pointwise.
    """
    traits: ClassVar[GameTraits] = GameTraits(
        limitations="sequencers' values are iid private draws; provers are elected by stake-weighted VRF and do not play.",
        max_provers=32,  # numerical bid grid: revenue within 1e-4 up to 32 bidders
        players_field="sequencers",
        timing=TimingFamily.NONE,
        strategy=StrategyKind.CONTINUOUS,
        strategy_label="bid scale",
        proving=False,
        exchangeable=True,
        payoffs_use_provers=False,  # the VRF-elected provers receive the winning bid
    )

    sequencers: int = param(Int(lo=2, hi=10_000, unit="sequencers", doc="bidders for the proving network"))
    value_distribution: Any = param(Custom(checker=_value_law_checked, allowed=_VALUE_LAWS,
                                           bad=("normal", ("lognormal", -1.0), ("beta", 1.0), ("beta", 0.0, 1.0), 3.0),
                                           doc="law of each sequencer's private value"), "uniform")
    value_max: float = param(Real(lo=0, lo_open=True, unit="token", doc="scale (mean for lognormal) of values"), 1.0)
    provers: Population | None = param(OPTIONAL_PROVERS, None)
    grid: int = param(Int(lo=11, hi=100_001, doc="points of the numerical bid grid"), 801)

    @classmethod
    def example(cls, n: int | None = None) -> "ScrollAuction":
        return cls(n or 4, "uniform", 2.0, example_provers(6))

    def parameters(self) -> dict[str, Any]:
        out = super().parameters()
        vd = self.value_distribution
        if isinstance(vd, (list, tuple)):
            out["value_distribution"] = f"{vd[0]}({', '.join(f'{x:g}' for x in vd[1:])})"
        elif not isinstance(vd, str):
            out["value_distribution"] = f"scipy {vd.dist.name}{tuple(vd.args)}{vd.kwds or ''}"
        return out

    @property
    def players(self) -> Population:
        return _sequencers(self.sequencers)

    def strategy_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n), np.full(self.n, 2.0)

    def _dist(self):
        return self._law

    @cached_property
    def _law(self):
        vd = self.value_distribution
        if isinstance(vd, str):
            return Uniform(0.0, self.value_max)
        if not isinstance(vd, (list, tuple)):
            return vd
        if vd[0] == "beta":
            return stats.beta(float(vd[1]), float(vd[2]), scale=self.value_max)
        sigma = float(vd[1])
        return LogNormal(sigma, self.value_max * np.exp(-sigma ** 2 / 2))

    def _quantiles(self, points: int = 1201) -> tuple[np.ndarray, np.ndarray]:
        return quantile_grid(self._dist(), points, tail=30.0 / self.sequencers)

    @cached_property
    def _bid_nodes(self) -> np.ndarray:
        return np.concatenate([[0.0], self._quantiles(4001)[1]])

    @cached_property
    def _grid_bids(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(u, value at quantile u, equilibrium bid) on the quantile grid, computed once."""
        u, v = self._quantiles()
        return u, v, self.bid(v)

    def values(self) -> np.ndarray:
        return self._quantiles(self.grid)[1]

    def bid(self, v: Any) -> np.ndarray:
        """Equilibrium bid b(v) = v - int_0^v F^{K-1} / F(v)^{K-1} (Krishna, Auction Theory, prop. 2.2)."""
        v = np.asarray(v, dtype=float)
        d, K = self._dist(), self.sequencers
        if isinstance(self.value_distribution, str):
            return (K - 1) / K * np.clip(v, 0, self.value_max)
        top = max(float(np.max(v, initial=0.0)), 1e-12)
        x = np.unique(np.concatenate([self._bid_nodes, np.linspace(0, top, 2001)]))
        x = x[x <= top]
        cum = integrate.cumulative_trapezoid(d.cdf(x) ** (K - 1), x, initial=0.0)
        num = np.interp(v, x, cum)
        den = d.cdf(v) ** (K - 1)
        return np.where(den > 0, v - np.divide(num, den, out=np.zeros_like(v), where=den > 0), 0.0)

    @property
    def revenue(self) -> float:
        """E[second-highest value] = int_0^1 F^{-1}(u) K (K-1) u^{K-2} (1-u) du (revenue equivalence: first
        and second price give the same)."""
        d, K = self._dist(), self.sequencers
        return float(integrate.quad(lambda u: d.ppf(u) * K * (K - 1) * u ** (K - 2) * (1 - u), 0, 1, limit=400)[0])

    def value_to_provers(self, profile: Any) -> dict[str, float]:
        """The expected winning bid (revenue) to stake-weighted VRF-elected provers; symmetric bidders."""
        income = self.prover_income()["expected income"].to_numpy()
        share = income / income.sum() if income.sum() > 0 else income
        return {"to provers": self.revenue, "winner's value": self.winner_value(),
                "sequencer hhi": 1.0 / self.sequencers,
                "prover hhi": float(np.sum(share ** 2)) if self.provers is not None else float("nan")}

    def winner_value(self) -> float:
        """E[highest value] = int_0^1 F^{-1}(u) K u^{K-1} du."""
        d, K = self._dist(), self.sequencers
        return float(integrate.quad(lambda u: d.ppf(u) * K * u ** (K - 1), 0, 1, limit=400)[0])

    def sequencer_attack(self, attack: str, prover: int, profile: Any) -> tuple[np.ndarray, np.ndarray, str]:
        """Provers are elected by stake-weighted VRF; censoring forfeits the winner's surplus v - b(v)."""
        win = np.full(self.n, 1.0 / self.n)
        if attack == "collude":
            return np.full(self.n, np.inf), win, "impossible: the proving network elects provers by VRF"
        return np.full(self.n, self.winner_value() - self.revenue), win, \
            "the winner forfeits its surplus E[v(1) - b(v(1))]"

    def first_price_revenue(self) -> float:
        """E[winning bid] in the first-price equilibrium, by direct integration."""
        u, v = self._quantiles(20001)
        return float(integrate.trapezoid(self.bid(v) * self.sequencers * u ** (self.sequencers - 1), u))

    def _win_grid(self, scales: np.ndarray, rivals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(own bid s b(v), P(all rival bids lower)) at each value quantile, for a bidder scaling the bid
        function by `scales` (..., S) against rivals' scales `rivals` (..., K-1)."""
        u, v, b = self._grid_bids
        x = scales[..., None] * b                                           # own bid at each value
        prob = np.ones_like(x)
        for j in range(rivals.shape[-1]):                                    # K - 1 rivals
            r = rivals[..., j][..., None]
            ratio = np.divide(x, r, out=np.full_like(x, np.inf), where=r > 0)
            prob = prob * np.where(r > 0, self._bid_cdf(ratio), 1.0)
        return x, prob

    def _bid_cdf(self, y: np.ndarray) -> np.ndarray:
        """P(b(V) < y) = F(b^{-1}(y)), read off the quantile grid (u = F(v) at each node)."""
        u, _, b = self._grid_bids
        return np.interp(y, b, u, right=1.0)

    def _payoff_grid(self, scales: np.ndarray, rivals: np.ndarray) -> np.ndarray:
        """Expected payoff: integral over the bidder's value of (v - s b(v)) P(all rival bids lower)."""
        u, v, _ = self._grid_bids
        x, prob = self._win_grid(scales, rivals)
        return integrate.trapezoid((v - x) * prob, u, axis=-1)

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        m = self.check_profile(profile)
        out = []
        for k in range(self.n):  # K bidders, each against the other K - 1
            rivals = np.delete(m, k, axis=-1)
            out.append(self._payoff_grid(m[..., k], rivals))
        return np.stack(out, axis=-1)

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        m = self.check_profile(profile)
        candidates = self.check_candidates(candidates)
        return np.stack([self._payoff_grid(np.asarray(candidates[k], float), np.broadcast_to(
            np.delete(m, k), (candidates.shape[1], self.n - 1))) for k in range(self.n)])

    def best_deviation_payoffs(self, profile: Any) -> np.ndarray:
        """Regret search over every bid function: for each value v the best bid x against the rivals'
        bid distribution, max_x (v - x) G(x), integrated over v."""
        m = self.check_profile(profile)
        u, v, b = self._grid_bids
        xs = np.unique(np.concatenate([v, b]))
        out = np.zeros(self.n)
        for k in range(self.n):
            G = np.ones_like(xs)
            for r in np.delete(m, k):
                G = G * (self._bid_cdf(xs / r) if r > 0 else 1.0)
            best = np.max((v[:, None] - xs[None, :]) * G[None, :], axis=1)
            out[k] = integrate.trapezoid(np.maximum(best, 0), u)
        return out

    def stats(self, profile: Any) -> Stats:
        m = self.check_profile(profile)
        pay = self.expected_payoffs(m)
        u = self._grid_bids[0]
        grids = [self._win_grid(m[k], np.delete(m, k)) for k in range(self.n)]
        paid = sum(float(integrate.trapezoid(x * prob, u)) for x, prob in grids)
        win = np.array([float(integrate.trapezoid(prob, u)) for _, prob in grids])
        return Stats(reward=np.maximum(pay, 0), cost=np.zeros(self.n), participation=win, eventual_liveness=1.0,
                     user_payment=paid, useful_cost=0.0)

    def on_time(self, profile: Any, window: float) -> float:
        return self.stats(profile).eventual_liveness

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        m = self.check_profile(profile)
        vals = self._dist().rvs(size=(rounds, self.n), random_state=rng)
        bids = m * self.bid(vals)
        winner = np.argmax(bids, axis=1)
        rows = np.arange(rounds)
        reward = np.zeros((rounds, self.n))
        reward[rows, winner] = vals[rows, winner] - bids[rows, winner]
        tried = np.zeros((rounds, self.n), dtype=bool)
        tried[rows, winner] = True                 # the winner's block is proved by its elected prover
        return Outcomes(reward, np.zeros((rounds, self.n)), tried, np.ones(rounds, bool),
                        bids[rows, winner], np.zeros(rounds))

    def prover_income(self, stake: Any = None) -> pd.DataFrame:
        """Expected winning bid reaching each prover elected by stake-weighted VRF."""
        pop = self.provers if self.provers is not None else Population.identical(4, stake=1.0)
        share = pop.stake / pop.stake.sum() if pop.stake.sum() > 0 else np.full(len(pop), 1 / len(pop))
        return pd.DataFrame({"prover": list(pop.names), "stake share": share, "expected income": share * self.revenue})

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        how = "closed form (K-1)/K v" if isinstance(self.value_distribution, str) else "b(v) = v - int F^(K-1) / F(v)^(K-1)"
        return np.ones(self.n), f"first-price Bayesian equilibrium, {how}", True

    def equilibrium_extra(self, profile: np.ndarray) -> dict[str, Any]:
        return {"bid": self.bid, "revenue": self.revenue}

    def symbolic(self) -> dict[str, Any]:
        v = sp.Symbol("v", positive=True)
        K = sp.Symbol("K", integer=True, positive=True)
        return {"bid_uniform": (K - 1) / K * v, "revenue_uniform": (K - 1) / (K + 1)}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        uniform = replace(self, value_distribution="uniform")
        v = 0.7 * self.value_max
        return [("bid_uniform", self.symbolic()["bid_uniform"], {"v": v, "K": self.sequencers},
                 float(uniform.bid(v)))]

    def mechanism_theorems(self) -> list:
        from provergame.proofs import sequencer
        return sequencer.scroll_auction(self.symbolic())
