"""Procurement auctions for a proof: Succinct's reverse auction and Boundless's reverse-Dutch auction.

K provers with private costs iid from `cost_distribution` compete for one request. A winner that fails
(probability 1 - reliability) is paid nothing and loses `slash` (reverse auction) or its locked
`collateral` (reverse Dutch), so it bids on the effective cost e = (c + (1 - r) slash) / r.
First-price procurement equilibrium with reserve (maximum price) P (Krishna, Auction Theory, ch. 2,
mirrored): b(e) = e + int_e^P (1 - G(x))^{K-1} dx / (1 - G(e))^{K-1}; uniform costs without a binding
reserve: b(e) = e + (hi - e) / K. Expected payment = E[min(e_(2), P); e_(1) <= P] (revenue equivalence).
The Dutch auction's price ramps from min_price to max_price, so the first lock at price b(e) is the
same first-price auction with reserve max_price; its lock time is ramp (b - min) / (max - min).
"""
from __future__ import annotations

import warnings
from abc import abstractmethod
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from provergame.lazy import sympy as sp
from provergame.lazy import integrate

from provergame.errors import InvalidParameter
from provergame.model import Population
from provergame.params import Custom, Int, Real, param

from .base import Game, Outcomes, Stats
from .laws import LogNormal, Uniform
from .registry import register
from .traits import GameTraits, TimingFamily, StrategyKind


_COST_LAWS = "('uniform', lo, hi) or ('lognormal', sigma, scale)"


def _cost_law_params(spec: Any, name: str = "cost_distribution") -> tuple[str, float, float]:
    """("uniform", lo, hi) or ("lognormal", sigma, scale), checked (without building the distribution)."""
    if not isinstance(spec, (list, tuple)) or len(spec) != 3 or spec[0] not in ("uniform", "lognormal"):
        raise InvalidParameter(name, spec, _COST_LAWS)
    if spec[0] == "uniform":
        lo = Real(lo=0).check(f"{name}.lo", spec[1])
        hi = Real(lo=0).check(f"{name}.hi", spec[2])
        if hi <= lo:
            raise InvalidParameter(f"{name}.hi", hi, f"> lo ({lo:g})")
        return ("uniform", float(lo), float(hi))
    sigma = Real(lo=0, lo_open=True, hi=10).check(f"{name}.sigma", spec[1])
    scale = Real(lo=0, lo_open=True).check(f"{name}.scale", spec[2])
    return ("lognormal", float(sigma), float(scale))


def _cost_law(spec: Any, name: str = "cost_distribution") -> Uniform | LogNormal:
    """The cost law, with scipy.stats.uniform(lo, hi - lo) / lognorm(sigma, scale=scale)'s interface."""
    kind, p1, p2 = _cost_law_params(spec, name)
    return Uniform(p1, p2 - p1) if kind == "uniform" else LogNormal(p1, p2)


def _cost_law_checked(name: str, spec: Any) -> tuple:
    return _cost_law_params(spec, name)


def _uniform_bid_check(game: Any) -> list[tuple[str, Any, dict[str, float], float]]:
    """The closed-form uniform bid e + (hi - e) / K against the numeric `bid`, where it applies
    (uniform costs, a reserve that does not bind)."""
    if game.cost_distribution[0] != "uniform":
        return []
    d = game._cost()
    hi = float(game.effective(d.ppf(1.0)))
    if game.reserve < hi:
        return []
    c = float(d.ppf(0.3))
    e = float(game.effective(c))
    return [("bid_uniform", game.symbolic()["bid_uniform"], {"e": e, "hi": hi, "K": game.provers_count},
             float(game.bid(c)))]


COST_LAW = Custom(checker=_cost_law_checked, allowed=_COST_LAWS, doc="law of each prover's private cost",
                  bad=(("uniform", 1.0, 0.5), ("lognormal", -1.0, 1.0), ("normal", 0.0, 1.0), ("uniform", 0.0),
                       ("uniform", float("nan"), 1.0), "uniform"))


def quantile_grid(dist, points: int, head: float = 1e-3, tail: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """(u, F^{-1}(u)) for u in [0, 1 - 1e-9]: log-spaced in u up to `head`, uniform up to 1 - `tail`,
    log-spaced in 1 - u beyond, so heavy tails and the lowest or highest of K draws (near 1/K or 1 - 1/K:
    pass ~30/K) are resolved. E[g(X)] = int_0^1 g(F^{-1}(u)) du needs no density (finite for every law)."""
    ends = points // 6
    head, tail = float(np.clip(head, 1e-3, 0.4)), float(np.clip(tail, 1e-3, 0.4))
    u = np.unique(np.concatenate([np.linspace(0.0, 1.0 - 1e-3, points - 2 * ends), np.logspace(-9, np.log10(head), ends),
                                  1.0 - np.logspace(np.log10(tail), -9, ends)]))
    with warnings.catch_warnings():     # scipy's inverse may give up (beta near 0: boost's root finding); refined below
        warnings.simplefilter("ignore", RuntimeWarning)
        x = np.asarray(dist.ppf(u), dtype=float)
    return u, _polished_quantiles(dist, u, x)


QUANTILE_TOLERANCE = 1e-7      # F(x) must equal u to this, relative to the nearer tail mass min(u, 1 - u)


def _polished_quantiles(dist, u: np.ndarray, x: np.ndarray, steps: int = 200) -> np.ndarray:
    """Quantiles x = F^{-1}(u) whose F(x) misses u (scipy's beta inverse returns F(x) = 2e-12 for u = 1e-9
    at a = 0.5) bisected on F between the neighbouring quantiles that hold (u sorted), all at once."""
    mass = np.minimum(u, 1.0 - u)
    good = np.abs(dist.cdf(x) - u) <= QUANTILE_TOLERANCE * mass + 8 * np.finfo(float).eps
    bad = np.flatnonzero(~good & (mass > 0))
    if not len(bad):
        return x
    lo_end, hi_end = (float(v) for v in dist.support())
    below = np.maximum.accumulate(np.where(good, x, lo_end))           # the largest good quantile at or below
    above = np.minimum.accumulate(np.where(good, x, hi_end)[::-1])[::-1]
    lo, hi = below[bad], above[bad]
    hi = np.where(np.isfinite(hi), hi, np.maximum(2.0 * np.abs(lo), 1.0))
    for _ in range(2100):                                                # an unbounded tail: widen until it holds
        short = dist.cdf(hi) < u[bad]
        if not short.any():
            break
        hi = np.where(short, 2.0 * hi, hi)
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        left = dist.cdf(mid) < u[bad]
        lo, hi = np.where(left, mid, lo), np.where(left, hi, mid)
    out = x.copy()
    out[bad] = 0.5 * (lo + hi)
    return out


class _Procurement(Game):
    """Shared first-price procurement machinery; a profile entry scales each bidder's markup
    b(e) - e (the equilibrium is 1), and the regret certificate searches every bid function."""

    provers_count: int
    cost_distribution: Any
    reliability: float
    traits: ClassVar[GameTraits] = GameTraits(
        timing=TimingFamily.ELECTED,
        strategy=StrategyKind.CONTINUOUS,
        strategy_label="markup scale",
        proving=False,
        sybil_reason="the lowest bid wins; an extra identity with the same cost bids the same",
        exchangeable=True,
        proof_family="procurement",
    )
    grid: ClassVar[int] = 1201

    @property
    def players(self) -> Population:
        return Population.from_arrays(cost=np.zeros(self.provers_count),
                                      names=[f"p{i}" for i in range(self.provers_count)])

    def strategy_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n), np.full(self.n, 3.0)

    @abstractmethod
    def _fail_loss(self) -> float:
        """What a prover that wins and misses loses (slash or collateral)."""

    @property
    @abstractmethod
    def reserve(self) -> float:
        """The highest price the requester pays."""

    @cached_property
    def _law(self):
        return _cost_law(self.cost_distribution)

    def _cost(self):
        return self._law

    def _cost_support(self) -> tuple[float, float]:
        """The cost law's support (lowest, highest cost), read from its parameters."""
        kind, p1, p2 = _cost_law_params(self.cost_distribution)
        return (p1, p2) if kind == "uniform" else (0.0, np.inf)

    @cached_property
    def _grid_bids(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(u, cost, effective cost, equilibrium bid) on the quantile grid, computed once."""
        u, c = self._quantiles()
        return u, c, self.effective(c), self.bid(c)

    def effective(self, cost: Any) -> np.ndarray:
        r = self.reliability
        return (np.asarray(cost, dtype=float) + (1 - r) * self._fail_loss()) / r

    def _eff_cdf(self, e: np.ndarray) -> np.ndarray:
        r = self.reliability
        return self._cost().cdf(r * np.asarray(e, dtype=float) - (1 - r) * self._fail_loss())

    def _quantiles(self, points: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(u, cost at quantile u) on the shared quantile grid."""
        return quantile_grid(self._cost(), self.grid if points is None else points, head=30.0 / self.provers_count)

    def _eff_grid(self, points: int = 4001) -> np.ndarray:
        """Effective costs on the quantile grid (dense where the costs are)."""
        return self.effective(self._quantiles(points)[1])

    def bid(self, cost: Any) -> np.ndarray:
        """Equilibrium price asked by a prover of cost c (on its effective cost); inf above the reserve."""
        e = self.effective(cost)
        K, P = self.provers_count, self.reserve
        hi = float(self.effective(self._cost_support()[1]))
        if self.cost_distribution[0] == "uniform" and P >= hi:
            return np.where(e <= P, e + (hi - e) / K, np.inf)
        grid = self._eff_grid()
        top = min(P, float(grid[-1]))
        x = np.unique(np.concatenate([grid, np.linspace(float(grid[0]), top, 2001)]))
        x = x[x <= top]
        surv = (1 - self._eff_cdf(x)) ** (K - 1)
        tail = integrate.cumulative_trapezoid(surv[::-1], -x[::-1], initial=0.0)[::-1]   # int_x^top
        den = (1 - self._eff_cdf(e)) ** (K - 1)
        num = np.interp(e, x, tail)
        mark = np.divide(num, den, out=np.zeros_like(np.asarray(e, float)), where=den > 1e-300)
        return np.where(e <= P, np.minimum(e + mark, P), np.inf)

    @property
    def payment(self) -> float:
        """E[min(e_(2), P) 1{e_(1) <= P}] = int_0^P [P(e_(2) > y) - P(e_(1) > P)] dy: the second-price
        payment, equal to the first-price one by revenue equivalence."""
        K, P = self.provers_count, self.reserve
        grid = self._eff_grid(20001)
        top = min(P, float(grid[-1]))
        y = np.unique(np.concatenate([[0.0], grid, [top]]))
        y = y[y <= top]
        G = self._eff_cdf(y)
        none = (1 - float(self._eff_cdf(np.array([P]))[0])) ** K if np.isfinite(P) else 0.0
        return float(integrate.trapezoid((1 - G) ** K + K * G * (1 - G) ** (K - 1) - none, y))

    @property
    def sold(self) -> float:
        """P(some prover's effective cost is within the reserve)."""
        P = self.reserve
        return 1.0 if not np.isfinite(P) else float(1 - (1 - self._eff_cdf(np.array([P]))[0]) ** self.provers_count)

    def first_price_payment(self) -> float:
        """E[b(e_(1))] = int_0^1 b(F^{-1}(u)) K (1 - u)^{K-1} du over the lowest cost's quantile."""
        u, c = self._quantiles(20001)
        b = self.bid(c)
        K = self.provers_count
        return float(integrate.trapezoid(np.where(np.isfinite(b), b, 0.0) * K * (1 - u) ** (K - 1), u))

    def _bids(self, costs: np.ndarray | None, scale: np.ndarray) -> np.ndarray:
        """Bids of provers with costs `costs` (None: the quantile grid) scaling the equilibrium markup."""
        if costs is None:
            _, _, e, b = self._grid_bids
        else:
            e, b = self.effective(costs), self.bid(costs)
        finite = np.isfinite(b)
        x = np.where(finite, e + scale * np.where(finite, b - e, 0.0), np.inf)
        return np.where(x <= self.reserve, x, np.inf)          # a price above the reserve is never paid

    def _price(self, x: np.ndarray) -> np.ndarray:
        """What a winning bid x is paid (the Dutch auction pays at least its starting price)."""
        return x

    def _below(self, scale: float, x: np.ndarray) -> np.ndarray:
        """P(a rival scaling its markup by `scale` bids at most x) = F_c(the cost at which its bid is x)."""
        u = self._grid_bids[0]
        bj = self._bids(None, np.asarray(scale))
        finite = np.isfinite(bj)
        if not finite.any():
            return np.zeros_like(x)
        return np.interp(x, bj[finite], u[finite], left=0.0, right=float(u[finite][-1]))

    def _win_prob_against(self, rivals: np.ndarray, x: np.ndarray) -> np.ndarray:
        """P(every rival's bid exceeds x), rivals' markup scales `rivals` (..., K-1), x (..., G).

        Rivals with the same scale bid by the same law, so each distinct scale costs one inversion of
        the bid function, raised to the number of rivals using it."""
        lead = np.broadcast_shapes(rivals.shape[:-1], x.shape[:-1])
        R = np.broadcast_to(rivals, lead + rivals.shape[-1:]).reshape(-1, rivals.shape[-1])
        X = np.broadcast_to(x, lead + x.shape[-1:]).reshape(-1, x.shape[-1])
        out = np.ones_like(X, dtype=float)
        same_rivals = len(R) > 1 and bool(np.all(R == R[0]))
        groups = [np.unique(R[0], return_counts=True)] * len(R) if same_rivals else \
            [np.unique(r, return_counts=True) for r in R]
        for row, (scales, counts) in enumerate(groups):
            for s, c in zip(scales, counts):
                out[row] *= (1.0 - self._below(float(s), X[row])) ** int(c)
        return out.reshape(lead + x.shape[-1:])

    def _wins(self, own: np.ndarray, rivals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(own bid at each cost quantile, P(it is the lowest bid)), each (..., G)."""
        x = self._bids(None, own[..., None])
        win = self._win_prob_against(rivals, np.where(np.isfinite(x), x, 1e300))
        return x, np.where(np.isfinite(x), win, 0.0)

    def _payoff(self, own: np.ndarray, rivals: np.ndarray) -> np.ndarray:
        u, _, e, _ = self._grid_bids
        x, win = self._wins(own, rivals)
        gain = np.where(win > 0, self.reliability * (self._price(np.where(win > 0, x, 0.0)) - e) * win, 0.0)
        return integrate.trapezoid(gain, u, axis=-1)

    def _paid_and_sold(self, m: np.ndarray) -> tuple[float, float]:
        """(expected price paid on delivery, P(some bid is within the reserve)) at markup scales m."""
        u = self._grid_bids[0]
        paid, none = 0.0, 1.0
        scales, first, counts = np.unique(m, return_index=True, return_counts=True)
        for k, c in zip(first, counts):   # bidders with equal scales contribute equally
            x, win = self._wins(m[k], np.delete(m, k))
            paid += c * float(integrate.trapezoid(np.where(win > 0, self._price(np.where(win > 0, x, 0.0)) * win, 0.0), u))
            none *= (1.0 - float(integrate.trapezoid(np.isfinite(x).astype(float), u))) ** int(c)
        return self.reliability * paid, 1.0 - none

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        m = self.check_profile(profile)
        if m.ndim == 1:       # bidders with equal scales face the same rivals: one evaluation each
            scales, first, inverse = np.unique(m, return_index=True, return_inverse=True)
            pay = np.array([self._payoff(m[k], np.delete(m, k)) for k in first])
            return pay[inverse]
        return np.stack([self._payoff(m[..., k], np.delete(m, k, axis=-1)) for k in range(self.n)], axis=-1)

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        m = self.check_profile(profile)
        cand = self.check_candidates(candidates)
        out = np.empty_like(cand)
        done: dict[tuple, np.ndarray] = {}
        for k in range(self.n):   # players with the same own scale and candidates share the answer
            key = (float(m[k]), cand[k].tobytes())
            if key not in done:
                done[key] = self._payoff(cand[k], np.broadcast_to(np.delete(m, k), (cand.shape[1], self.n - 1)))
            out[k] = done[key]
        return out

    def best_deviation_payoffs(self, profile: Any) -> np.ndarray:
        """For each cost the best price x against the rivals' bids, max_x r (x - e) P(rivals > x)."""
        m = self.check_profile(profile)
        u, _, e, _ = self._grid_bids
        out = np.zeros(self.n)
        done: dict[float, float] = {}
        for k in range(self.n):   # equal own scales face equal rivals: one search per distinct scale
            if float(m[k]) in done:
                out[k] = done[float(m[k])]
                continue
            rivals = np.delete(m, k)
            bids = np.concatenate([self._bids(None, r) for r in np.unique(rivals)])
            xs = np.unique(np.concatenate([e, bids[np.isfinite(bids)], np.linspace(float(e[0]), float(e[-1]), 1501)]))
            xs = xs[xs <= self.reserve]
            win = self._win_prob_against(rivals[None, :], xs[None, :])[0]
            best = np.max(self.reliability * (xs[None, :] - e[:, None]) * win[None, :], axis=1)
            out[k] = done[float(m[k])] = float(integrate.trapezoid(np.maximum(best, 0.0), u))
        return out

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        how = "uniform closed form e + (hi - e)/K" if self.cost_distribution[0] == "uniform" else \
            "b(e) = e + int_e^P (1-G)^(K-1) / (1-G(e))^(K-1)"
        return np.ones(self.n), f"first-price procurement equilibrium, {how}", True

    def equilibrium_extra(self, profile: np.ndarray) -> dict[str, Any]:
        return {"bid": self.bid, "payment": self.payment}

    def _draw(self, m: np.ndarray, rng: np.random.Generator, rounds: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        costs = self._cost().rvs(size=(rounds, self.n), random_state=rng)
        bids = self._bids(costs, m)
        return costs, bids, np.argmin(bids, axis=1)

    def stats(self, profile: Any) -> Stats:
        m = self.check_profile(profile)
        pay = self.expected_payoffs(m)
        paid, sold = self._paid_and_sold(m)
        u = self._grid_bids[0]
        win = np.array([float(integrate.trapezoid(self._wins(m[k], np.delete(m, k))[1], u)) for k in range(self.n)])
        return Stats(reward=pay, cost=np.zeros(self.n), participation=win,
                     eventual_liveness=sold * self.liveness_given_sale(), user_payment=paid + self.rescue_payment(sold),
                     useful_cost=0.0)

    def liveness_given_sale(self) -> float:
        return self.reliability

    def _lock_delay(self, price: np.ndarray) -> np.ndarray:
        """When the winner starts proving after the auction opens (0: a sealed-bid auction)."""
        return np.zeros_like(price)

    def _rescue_chance(self) -> float:
        """P(an outside prover fulfils after a failed winner's lock expires)."""
        return 0.0

    def on_time(self, profile: Any, window: float) -> float:
        """The winning bidder proves in Exp(1) (the unit of time is a mean proving time) from its lock:
        integrated over the law of the lowest bid, H(x) = 1 - prod_j P(bid_j > x), on a fine price grid;
        a rescue by an outside prover starts once the lock has timed out."""
        m = self.check_profile(profile)
        bids = np.concatenate([self._bids(None, np.asarray(s)) for s in np.unique(m)])
        x = np.unique(bids[np.isfinite(bids)])
        if x.size == 0:
            return 0.0
        x = np.unique(np.concatenate([x, np.linspace(x[0], x[-1], 4001)]))
        lowest = 1 - self._win_prob_against(m[None, :], x[None, :])[0]          # P(lowest bid <= x)
        mass = np.diff(np.concatenate([[0.0], lowest]))
        start = self._lock_delay(self._price(x))
        r = self.reliability
        own = r * -np.expm1(-np.maximum(window - start, 0.0))
        rescue = (1 - r) * self._rescue_chance() * -np.expm1(-np.maximum(window - start - getattr(self, "lock_timeout", np.inf), 0.0))
        return float(np.sum(mass * (own + rescue)))

    def rescue_payment(self, sold: float) -> float:
        """Expected payment to an outside prover that fulfils after a failed winner (none by default)."""
        return 0.0


def _procurement_forms() -> dict[str, Any]:
    """The symmetric equilibrium bid with K bidders of uniform costs on [0, hi]: e + (hi - e) / K."""
    e, hi = sp.symbols("e hi", positive=True)
    K = sp.Symbol("K", integer=True, positive=True)
    return {"bid_uniform": e + (hi - e) / K}


@register("reverse_auction")
@dataclass(frozen=True)
class ReverseAuction(_Procurement):
    """Succinct's reverse auction: staked provers bid; the lowest bid wins and is paid on delivery; a
    missed deadline (probability 1 - reliability) slashes `slash` of the winner's stake."""
    traits: ClassVar[GameTraits] = replace(_Procurement.traits,
        limitations=("bidders' costs are private draws from one known law (symmetric Bayesian equilibrium); no repeated-"
            "auction reputation, no collusion among bidders beyond the cartel check, no L1 gas."),
        max_provers=10_000,
        players_field="provers_count",
    )

    provers_count: int = param(Int(lo=2, hi=10_000, unit="provers", doc="bidders"), 4)
    cost_distribution: Any = param(COST_LAW, ("uniform", 0.0, 1.0))
    reliability: float = param(Real(lo=0, lo_open=True, hi=1, unit="probability", doc="chance the winner delivers"), 1.0)
    slash: float = param(Real(lo=0, unit="token", doc="taken from a winner that misses the deadline"), 0.0)
    max_price: float | None = param(Real(lo=0, lo_open=True, optional=True, unit="token",
                                         doc="reserve (highest price paid); None for no reserve"), None)

    @classmethod
    def example(cls, n: int | None = None) -> "ReverseAuction":
        return cls(n or 4, ("uniform", 0.5, 1.5), 0.95, 0.2)

    def _fail_loss(self) -> float:
        return self.slash

    @property
    def reserve(self) -> float:
        return float("inf") if self.max_price is None else float(self.max_price)

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        m = self.check_profile(profile)
        costs, bids, win = self._draw(m, rng, rounds)
        rows = np.arange(rounds)
        price = bids[rows, win]
        sold = np.isfinite(price)
        ok = sold & (rng.random(rounds) < self.reliability)
        reward = np.zeros((rounds, self.n))
        cost = np.zeros((rounds, self.n))
        reward[rows, win] = np.where(ok, price, 0.0)
        cost[rows, win] = np.where(sold, costs[rows, win] + (~ok) * self.slash, 0.0)
        landed = np.where(ok, rng.standard_exponential(rounds), np.inf)
        tried = np.zeros((rounds, self.n), dtype=bool)
        tried[rows[sold], win[sold]] = True        # the lowest bidder proves
        return Outcomes(reward - cost, np.zeros((rounds, self.n)), tried, ok,
                        np.where(ok, price, 0.0), np.zeros(rounds), landed)

    def symbolic(self) -> dict[str, Any]:
        return _procurement_forms()

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        return _uniform_bid_check(self)

    def mechanism_theorems(self) -> list:
        from provergame.proofs import deployed
        return deployed.procurement(self.symbolic())


@register("reverse_dutch_auction")
@dataclass(frozen=True)
class ReverseDutchAuction(_Procurement):
    """Boundless: the offered price ramps linearly from `min_price` to `max_price` over `ramp`; the
    first prover to lock posts `collateral` and is exclusive until `lock_timeout`; after it anyone may
    fulfil. On failure the collateral is slashed: `burn_share` burned, the rest paid to whoever fulfils
    (plus `after_timeout_price` if the request still pays after the lock expires)."""
    traits: ClassVar[GameTraits] = replace(_Procurement.traits,
        limitations=("one request at a time; the price ramp and lock are played against a known cost law; no request "
            "queue, no gas cost of locking, no reputation across requests."),
        max_provers=10_000,
        players_field="provers_count",
    )

    min_price: float = param(Real(lo=0, unit="token", doc="price at the start of the ramp"), 0.0)
    max_price: float = param(Real(lo=0, lo_open=True, unit="token", doc="price at the end of the ramp"), 1.0)
    ramp: float = param(Real(lo=0, lo_open=True, unit="time unit", doc="time the price takes to ramp"), 1.0)
    lock_timeout: float = param(Real(lo=0, lo_open=True, unit="time unit", doc="exclusivity after a lock"), 1.0)
    collateral: float = param(Real(lo=0, unit="token", doc="posted by the locker, slashed on failure"), 0.0)
    burn_share: float = param(Real(lo=0, hi=1, unit="share", doc="share of slashed collateral burned"), 0.5)
    provers_count: int = param(Int(lo=2, hi=10_000, unit="provers", doc="bidders"), 4)
    cost_distribution: Any = param(COST_LAW, ("uniform", 0.0, 1.0))
    reliability: float = param(Real(lo=0, lo_open=True, hi=1, unit="probability", doc="chance the locker delivers"), 1.0)
    after_timeout_price: float = param(Real(lo=0, unit="token", doc="still paid after the lock expires"), 0.0)

    def _validate(self) -> None:
        if self.max_price <= self.min_price:
            raise InvalidParameter("max_price", self.max_price, f"> min_price ({self.min_price:g})")
        lowest = float(self.bid(self._cost_support()[0]))
        if self.min_price > lowest + 1e-12:
            raise InvalidParameter("min_price", self.min_price, f"at most the lowest equilibrium lock price {lowest:.6g} "
                                   "(a floor that binds makes provers bunch at t = 0, which is not modelled)")

    @classmethod
    def example(cls, n: int | None = None) -> "ReverseDutchAuction":
        return cls(0.0, 2.0, 1.0, 1.0, 0.5, 0.5, n or 4, ("uniform", 0.5, 1.5), 0.95)

    @property
    def backup_pay(self) -> float:
        return (1 - self.burn_share) * self.collateral + self.after_timeout_price

    def liveness_given_sale(self) -> float:
        """The locker delivers, or after the timeout an outside prover (a fresh cost draw) fulfils for
        the backup pay when that covers its cost."""
        r = self.reliability
        return r + (1 - r) * float(self._cost().cdf(self.backup_pay))

    def _rescue_chance(self) -> float:
        return float(self._cost().cdf(self.backup_pay))

    def _lock_delay(self, price: np.ndarray) -> np.ndarray:
        return self.ramp * (np.clip(price, self.min_price, self.max_price) - self.min_price) / (self.max_price - self.min_price)

    def rescue_payment(self, sold: float) -> float:
        r = self.reliability
        return sold * (1 - r) * float(self._cost().cdf(self.backup_pay)) * self.after_timeout_price

    def _price(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, self.min_price)

    def _fail_loss(self) -> float:
        return self.collateral

    @property
    def reserve(self) -> float:
        return float("inf") if self.max_price is None else float(self.max_price)

    def lock_price(self, cost: Any) -> np.ndarray:
        """Price at which a prover of cost c locks: b(e) within [min_price, max_price]; inf = never."""
        b = self.bid(cost)
        return np.where(np.isfinite(b), np.clip(b, self.min_price, self.max_price), np.inf)

    def lock_time(self, cost: Any) -> np.ndarray:
        p = self.lock_price(cost)
        return np.where(np.isfinite(p), self.ramp * (p - self.min_price) / (self.max_price - self.min_price), np.inf)

    def min_collateral(self) -> dict[str, float]:
        """Collateral making lock-fail-refulfil unprofitable (burn X >= after-timeout price - lowest lock
        price) and paying a secondary fulfiller its cost ((1 - burn) X >= cost at the cost law's median)."""
        d = self._cost()
        low = float(self.lock_price(d.ppf(0.0)))
        grief = max(self.after_timeout_price - low, 0.0) / self.burn_share if self.burn_share > 0 else \
            (0.0 if self.after_timeout_price <= low else float("inf"))
        cover = float(d.ppf(0.5)) / (1 - self.burn_share) if self.burn_share < 1 else float("inf")
        return {"lowest lock price": low, "collateral against lock-fail-refulfil": grief,
                "collateral paying a secondary fulfiller (median cost)": cover}

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        """Each prover locks when the ramping price reaches its planned lock price and the first lock
        wins; a failed locker loses its collateral, and after the lock timeout an outside prover (a fresh
        cost draw) fulfils if the backup pay covers its cost."""
        m = self.check_profile(profile)
        costs = self._cost().rvs(size=(rounds, self.n), random_state=rng)
        planned = self._bids(costs, m)
        # the price ramps up from min_price: a prover planning below it locks at once, and among those
        # the one asking least is first (the race at t = 0 goes to the most eager)
        win = np.argmin(planned, axis=1)
        rows = np.arange(rounds)
        price = self._price(planned[rows, win])
        sold = np.isfinite(price)
        ok = sold & (rng.random(rounds) < self.reliability)
        reward = np.zeros((rounds, self.n))
        reward[rows, win] = np.where(ok, price - costs[rows, win], np.where(sold, -costs[rows, win] - self.collateral, 0.0))
        outside = self._cost().rvs(size=rounds, random_state=rng)
        rescue = sold & ~ok & (outside <= self.backup_pay)
        lock = self._lock_delay(np.where(sold, price, self.min_price))
        landed = np.where(ok, lock + rng.standard_exponential(rounds),
                          np.where(rescue, lock + self.lock_timeout + rng.standard_exponential(rounds), np.inf))
        tried = np.zeros((rounds, self.n), dtype=bool)
        tried[rows[sold], win[sold]] = True        # the first locker proves
        return Outcomes(reward, np.zeros((rounds, self.n)), tried, ok | rescue,
                        np.where(ok, price, 0.0) + rescue * self.after_timeout_price, np.zeros(rounds), landed)

    def symbolic(self) -> dict[str, Any]:
        p, lo, hi, T = sp.symbols("p p_min p_max T", positive=True)
        return {"lock_time": T * (p - lo) / (hi - lo), **_procurement_forms()}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        c = float(self._cost().ppf(0.3))
        price = float(self.lock_price(c))
        return _uniform_bid_check(self) + [
            ("lock_time", self.symbolic()["lock_time"],
             {"p": price, "p_min": self.min_price, "p_max": self.max_price, "T": self.ramp}, float(self.lock_time(c)))]

    def mechanism_theorems(self) -> list:
        from provergame.proofs import deployed
        return deployed.procurement(self.symbolic()) + deployed.dutch(self.symbolic())
