"""Proof markets: Mina's snarketplace, predatory pricing against entry barriers, nil's proof market.

Seed: block producers "purchase SNARK proofs from workers ... the market favours the worker that
offers the lowest fees"; predation "is effective only in markets where there are high barriers to
entry"; nil matches orders "with a given maximum price and time to fulfill" to proposals.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
from provergame.lazy import is_frame
from provergame.lazy import pandas as pd
from provergame.lazy import sympy as sp

from provergame.errors import InvalidParameter, check_int, check_real
from provergame.model import Population
from provergame.params import Array, Choice, Custom, Instance, Int, Real, param

from provergame.solvers.price_mixing import tick_lattice

from .base import PROVERS, Game, Outcomes, Stats, example_provers
from .registry import register
from .traits import GameTraits, TimingFamily, StrategyKind, StallForm


def allocate(bids: np.ndarray, capacity: np.ndarray, demand: float, reserve: float) -> np.ndarray:
    """Units bought from each offer: cheapest first, never above `reserve`, tied offers pro rata to
    capacity (broadcasts over leading dimensions of `bids`). One sort per profile: the capacity
    strictly cheaper than a bid and its tie group's capacity are cumulative sums at the group's ends."""
    bids = np.asarray(bids, dtype=float)
    joins = bids <= reserve
    cap = np.broadcast_to(np.where(joins, capacity, 0.0), bids.shape)
    n = bids.shape[-1]
    order = np.argsort(bids, axis=-1, kind="stable")              # O(n log n) per profile
    sb = np.take_along_axis(bids, order, axis=-1)
    total = np.cumsum(np.take_along_axis(cap, order, axis=-1), axis=-1)
    idx = np.broadcast_to(np.arange(n), sb.shape)
    starts = np.concatenate([np.ones(sb.shape[:-1] + (1,), bool), sb[..., 1:] != sb[..., :-1]], axis=-1)
    ends = np.concatenate([sb[..., 1:] != sb[..., :-1], np.ones(sb.shape[:-1] + (1,), bool)], axis=-1)
    first = np.maximum.accumulate(np.where(starts, idx, 0), axis=-1)            # first index of each tie group
    last = np.flip(np.minimum.accumulate(np.flip(np.where(ends, idx, n - 1), -1), axis=-1), -1)
    upto = np.take_along_axis(total, last, axis=-1)                              # capacity up to the group's end
    before_sorted = np.where(first > 0, np.take_along_axis(total, np.maximum(first - 1, 0), axis=-1), 0.0)
    group_sorted = upto - before_sorted
    before, group = np.empty_like(before_sorted), np.empty_like(group_sorted)
    np.put_along_axis(before, order, before_sorted, axis=-1)
    np.put_along_axis(group, order, group_sorted, axis=-1)
    with np.errstate(over="ignore"):          # a tiny tie group fills completely: inf, clipped to 1
        fill = np.clip(np.divide(demand - before, group, out=np.zeros_like(before), where=group > 0), 0.0, 1.0)
    return cap * fill


def bertrand_bids(c: np.ndarray, k: np.ndarray, demand: float, r: float,
                  tick: float) -> tuple[np.ndarray, str, np.ndarray | None]:
    """The Bertrand candidate of a capacity market: (bids, method, winners or None when no price
    competition is left): winners just below the first excluded cost, the excluded at cost."""
    n = len(c)
    order = np.lexsort((np.arange(n), c))
    able = order[c[order] <= r]
    bids = np.full(n, 2 * r)
    cum = np.cumsum(k[able])
    if len(able) == 0:
        return bids, "nobody can sell at or below the reserve price", None
    if cum[-1] <= demand:
        bids[able] = r
        return bids, "supply short of demand: every able prover sells its capacity at the reserve price", None
    m = int(np.searchsorted(cum, demand - 1e-12)) + 1          # winners needed to cover demand
    excluded = able[m:]
    pin = min(r, float(c[excluded[0]])) if len(excluded) else r
    winners = able[:m]
    # inframarginal winners one tick below the marginal one, so none sells less than its capacity
    bids[winners[:-1]] = np.maximum(pin - 2 * tick, c[winners[:-1]])
    bids[winners[-1]] = max(pin - tick, float(c[winners[-1]]))
    bids[excluded] = c[excluded]
    return bids, "Bertrand: winners bid just below the first excluded cost (capacity-aware)", winners


@register("snarketplace")
@dataclass(frozen=True)
class Snarketplace(Game):
    """Each block needs `demand` units; prover i offers its `capacity` at a per-unit bid; the
    producer buys the cheapest offers up to demand, paying each its bid, never above
    `reserve_price` (a bid above it means staying out). Profit = (bid - cost) x units sold.

    Equilibrium (Bertrand with asymmetric costs): winners bid the first excluded prover's cost
    (unit demand: the lowest cost wins at the second-lowest cost), or the reserve price if supply
    is short of demand or nobody is excluded; ties at the margin sell at cost.
    """
    traits: ClassVar[GameTraits] = GameTraits(
        limitations=("one block's demand cleared by a static merit order; capacities and costs fixed within the period "
            "(their change over time is the separate dynamics)."),
        max_provers=100,
        timing=TimingFamily.SERVED,
        strategy=StrategyKind.CONTINUOUS,
        strategy_label="unit price",
        priced=True,
        stall_form=StallForm.LINEAR,
        budget_field="reserve_price",
    )

    demand: float = param(Real(lo=0, lo_open=True, unit="units of work per block", doc="work block producers buy"))
    reserve_price: float = param(Real(lo=0, lo_open=True, unit="token per unit", doc="most a producer pays"))
    provers: Population = param(PROVERS)
    tick: float = param(Real(lo=0, lo_open=True, unit="token per unit", doc="smallest price step"), 1e-6)

    def _validate(self) -> None:
        if self.tick > self.reserve_price:
            raise InvalidParameter("tick", self.tick, f"at most reserve_price ({self.reserve_price:g})")

    @classmethod
    def example(cls, n: int | None = None) -> "Snarketplace":
        return cls(3.0, 3.0, example_provers(n or 6))

    @property
    def units_per_round(self) -> float:
        return float(self.demand)

    @property
    def supply(self) -> float:
        return float(self.provers.capacity[self.provers.cost <= self.reserve_price].sum())

    @property
    def short(self) -> bool:
        """Supply at or below the reserve price falls short of demand."""
        return self.supply < self.demand

    def strategy_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n), np.full(self.n, 2 * self.reserve_price)

    def units(self, bids: Any) -> np.ndarray:
        return allocate(bids, self.provers.capacity, self.demand, self.reserve_price)

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        b = self.check_profile(profile)
        return (b - self.provers.cost) * self.units(b)

    def critical_strategies(self, profile: np.ndarray) -> np.ndarray:
        others = np.broadcast_to(profile, (self.n, self.n))
        costs = np.broadcast_to(self.provers.cost, (self.n, self.n))
        return np.concatenate([others - self.tick, others, costs, np.full((self.n, 1), self.reserve_price)], axis=1)

    def stats(self, profile: Any) -> Stats:
        b = self.check_profile(profile)
        q = self.units(b)
        sold = q.sum()
        return Stats(reward=b * q, cost=self.provers.cost * q, participation=(q > 0).astype(float),
                     eventual_liveness=float(min(sold / self.demand, 1.0)), user_payment=float((b * q).sum()),
                     useful_cost=float((self.provers.cost * q).sum()))

    def on_time(self, profile: Any, window: float) -> float:
        """The share of the block's demand bought (offers are proofs delivered within the slot)."""
        return float(min(self.units(self.check_profile(profile)).sum() / self.demand, 1.0))

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        """The producer's purchase, offer by offer: sort the offers, walk down the price ladder
        buying whole offers, and split the last price level pro rata (identical every block)."""
        b = self.check_profile(profile)
        order = np.argsort(b, kind="stable")
        sold = np.zeros(self.n)
        left = self.demand
        levels = np.unique(b[order][b[order] <= self.reserve_price])
        for price in levels:  # price levels of one block's order book, not rounds
            tied = np.flatnonzero(b == price)
            cap = self.provers.capacity[tied]
            take = min(left, cap.sum())
            sold[tied] = cap * (take / cap.sum()) if cap.sum() > 0 else 0.0
            left -= take
            if left <= 0:
                break
        rew = np.broadcast_to(b * sold, (rounds, self.n))
        cost = np.broadcast_to(self.provers.cost * sold, (rounds, self.n))
        accepted = np.full(rounds, left <= 1e-12)
        return Outcomes(rew, cost, np.broadcast_to(sold > 0, (rounds, self.n)), accepted,
                        np.full(rounds, float((b * sold).sum())), np.full(rounds, float((self.provers.cost * sold).sum())),
                        np.zeros(rounds), np.full(rounds, min(float(sold.sum()) / self.demand, 1.0)))

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        bids, method, winners = self.bertrand_bids()
        if winners is None:
            return bids, method, True
        # With capacities a pure equilibrium may not exist (Bertrand-Edgeworth: a winner may prefer the
        # reserve price on the residual demand its rivals leave); the independent regret search decides.
        from provergame.solvers.regret import regret
        # continuous prices: within ten ticks of sales; on a coarse tick lattice the search is exhaustive
        slack = 10 * self.tick * max(self.demand, 1.0) if self.price_lattice() is None else \
            1e-9 * max(self.reserve_price * self.demand, 1.0)
        if regret(self, bids) <= slack:
            return bids, method, True
        return bids, ("no pure equilibrium found (Bertrand-Edgeworth: a winner prefers a higher price on its "
                      "residual demand); the Bertrand candidate is shown with its regret"), False

    def price_lattice(self) -> np.ndarray | None:
        return tick_lattice(self.tick, 0.0, 2 * self.reserve_price)

    def sell_range(self) -> tuple[np.ndarray, np.ndarray]:
        """Each prover's cost and the reserve price: the bids a mixed strategy on the tick lattice draws
        from (solvers.price_mixing)."""
        return self.provers.cost.copy(), np.full(self.n, self.reserve_price)

    def bertrand_bids(self) -> tuple[np.ndarray, str, np.ndarray | None]:
        """The Bertrand candidate: (bids, method, winners or None when no price competition is left)."""
        return bertrand_bids(self.provers.cost, self.provers.capacity, self.demand, self.reserve_price, self.tick)


    def stall_weights(self, profile: Any) -> np.ndarray:
        """Share of demand each able prover could still supply: liveness = min(1, sum over non-withholders)."""
        return np.where(self.provers.cost <= self.reserve_price, self.provers.capacity / self.demand, 0.0)

    def withhold_bribes(self) -> np.ndarray:
        """Selling alone at the reserve price, min(capacity, demand) units, against withholding (0)."""
        return np.maximum(self.reserve_price - self.provers.cost, 0.0) * np.minimum(self.provers.capacity, self.demand)

    def symbolic(self) -> dict[str, Any]:
        c1, c2, r, q = sp.symbols("c_1 c_2 r q", positive=True)
        return {"price_unit_demand": c2, "winner_profit_unit_demand": c2 - c1,
                "withhold_bribe": (r - c1) * q}    # selling q = min(capacity, demand) alone at the reserve r

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        if self.n < 2:
            return []
        unit = replace(self, demand=1.0, reserve_price=1e9, provers=self.provers.replace(capacity=1.0))
        c = np.sort(self.provers.cost)
        bids, _, winners = unit.bertrand_bids()
        price = float(bids[winners[-1]]) + unit.tick if winners is not None else float("nan")
        i = int(np.argmin(self.provers.cost))
        q = float(min(self.provers.capacity[i], self.demand))
        return [("price_unit_demand", self.symbolic()["price_unit_demand"], {"c_2": c[1]}, price),
                ("withhold_bribe", self.symbolic()["withhold_bribe"],
                 {"r": self.reserve_price, "c_1": self.provers.cost[i], "q": q}, float(self.withhold_bribes()[i]))]

    def mechanism_theorems(self) -> list:
        from provergame.proofs import market
        return market.snarketplace(self.symbolic())


@register("predation")
@dataclass(frozen=True)
class Predation(Game):
    """A deep-pocketed prover (`predator`) prices at `predation_price` for `periods` rounds; rivals,
    unable to cover their per-round `fixed_cost`, exit; the predator then charges the reserve price
    until entrants return `entry_delay` rounds later (having paid `entry_cost`; they return only if
    their discounted competitive profit covers it); then the market is competitive again.

    One player, the predator: profile [x] = probability of predating. Payoff = x * Delta, the
    discounted gain over accommodation (competing at the market equilibrium throughout):
    Delta = (pi_p - pi_c)(1 - d^P)/(1 - d) + (pi_m - pi_c) d^P (1 - d^E)/(1 - d)  (d -> 1: sums).
    """
    traits: ClassVar[GameTraits] = GameTraits(
        limitations=("one predator with deep pockets against identical rivals; the phases are fixed in length, and "
            "entrants' return rule is exogenous."),
        max_provers=100,  # the market's limit
        players_field="predator",
        timing=TimingFamily.SERVED,
        strategy=StrategyKind.ENTRY,
        strategy_label="probability of predating",
        proving=False,  # a pricing decision: no withholding attack is modelled
        sybil_reason="this game is the predatory-pricing test itself (see its page)",
    )

    market: Snarketplace = param(Instance(cls=Snarketplace, doc="the market (a table: demand, reserve_price)"))
    predator: int = param(Int(lo=0, hi=1_000_000, doc="index of the deep-pocketed prover"))
    predation_price: float = param(Real(lo=0, unit="token per unit", doc="price while predating"))
    periods: int = param(Int(lo=1, hi=1_000_000, unit="rounds", doc="length of the predation phase"))
    entry_delay: int = param(Int(lo=0, hi=1_000_000, unit="rounds", doc="rounds until entrants return"))
    entry_cost: float = param(Real(lo=0, unit="token", doc="what an entrant pays to return"))
    discount: float = param(Real(lo=0, lo_open=True, hi=1, unit="per round", doc="discount factor"))
    fixed_cost: float = param(Real(lo=0, unit="token per round", doc="rivals' cost of staying in"), 0.0)

    def _validate(self) -> None:
        if self.predator >= self.market.n:
            raise InvalidParameter("predator", self.predator, f"a prover index in [0, {self.market.n - 1}]")

    @classmethod
    def example(cls, n: int | None = None) -> "Predation":
        return cls(Snarketplace.example(n), 0, 0.5, 5, 3, 1.0, 0.95, 0.1)

    @property
    def provers(self) -> Population:
        return Population.of([self.market.provers[self.predator]])

    def phase_bids(self) -> dict[str, np.ndarray]:
        """Market bids in each phase: competitive equilibrium; the predator alone at the predation
        price (rivals out); the predator alone at the reserve price."""
        m, i = self.market, self.predator
        out = np.full(m.n, 2 * m.reserve_price)
        prey, mono = out.copy(), out.copy()
        prey[i], mono[i] = self.predation_price, m.reserve_price
        return {"competitive": m.bertrand_bids()[0], "predation": prey, "monopoly": mono}

    def phase_profits(self) -> dict[str, float]:
        """Per-round profits of the predator (by the market's allocation rule) and of an entrant."""
        m, i = self.market, self.predator
        bids = self.phase_bids()
        out = {k: float(m.expected_payoffs(b)[i]) - self.fixed_cost for k, b in bids.items()}
        rivals = np.delete(np.arange(m.n), i)
        comp = m.expected_payoffs(bids["competitive"])
        out["entrant"] = float(np.max(comp[rivals]) - self.fixed_cost) if len(rivals) else 0.0
        return out

    def entrants_return(self) -> bool:
        e = self.phase_profits()["entrant"]
        if self.discount == 1.0:
            return e > 0 or self.entry_cost == 0
        return e / (1 - self.discount) >= self.entry_cost

    def _sum(self, start: int, length: float) -> float:
        d = self.discount
        if length == np.inf:
            return d ** start / (1 - d) if d < 1 else np.inf
        if d == 1.0:
            return float(length)
        return d ** start * (1 - d ** length) / (1 - d)

    def gain(self) -> float:
        """Delta: discounted profit of predating minus accommodating (closed form)."""
        pi = self.phase_profits()
        E = self.entry_delay if self.entrants_return() else np.inf
        out = (pi["predation"] - pi["competitive"]) * self._sum(0, self.periods)
        mono = pi["monopoly"] - pi["competitive"]
        if mono != 0:
            out += mono * self._sum(self.periods, E)
        return float(out)

    def threshold_delay(self) -> float:
        """Smallest entry delay E at which predation pays (inf: never, 0: always). If entrants never
        come back (their discounted profit does not cover the entry cost) the delay is moot."""
        if not self.entrants_return():
            return 0.0 if self.gain() > 0 else float("inf")
        pi = self.phase_profits()
        loss = (pi["competitive"] - pi["predation"]) * self._sum(0, self.periods)
        mono = pi["monopoly"] - pi["competitive"]
        if loss <= 0:
            return 0.0
        if mono <= 0:
            return float("inf")
        d, P = self.discount, self.periods
        if d == 1.0:
            return loss / mono
        x = loss * (1 - d) / (d ** P * mono)
        return float("inf") if x >= 1 else float(np.log1p(-x) / np.log(d))

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        x = self.check_profile(profile)
        return x * self.gain()

    def path(self, predate: bool, horizon: int | None = None) -> np.ndarray:
        """Per-round profit of the predator along the path, from the market's allocation rule."""
        m, i = self.market, self.predator
        E = self.entry_delay if self.entrants_return() else None
        if horizon is None:
            tail = self.periods + (E if E is not None else 0)
            horizon = tail + 1 if E is not None else int(np.ceil(40 / -np.log(self.discount))) + tail
        t = np.arange(horizon)
        book = {k: float(m.units(b)[i] * (b[i] - m.provers.cost[i])) - self.fixed_cost
                for k, b in self.phase_bids().items()}
        if not predate:
            return np.full(horizon, book["competitive"])
        end = self.periods + (E if E is not None else horizon)
        return np.select([t < self.periods, t < end], [book["predation"], book["monopoly"]], book["competitive"])

    def served_path(self, predate: bool) -> np.ndarray:
        """Share of the market's demand bought in each round of the path (the monopoly phase may
        serve less than is demanded: the predator's capacity)."""
        m = self.market
        share = {k: min(float(m.units(b).sum()) / m.demand, 1.0) for k, b in self.phase_bids().items()}
        horizon = len(self.path(predate))
        t = np.arange(horizon)
        if not predate:
            return np.full(horizon, share["competitive"])
        E = self.entry_delay if self.entrants_return() else None
        end = self.periods + (E if E is not None else horizon)
        return np.select([t < self.periods, t < end], [share["predation"], share["monopoly"]], share["competitive"])

    def _served(self, predate: bool) -> float:
        """Discounted average share of demand served along the path."""
        path = self.served_path(predate)
        disc = self.discount ** np.arange(len(path))
        return float(path @ disc / disc.sum())

    def stats(self, profile: Any) -> Stats:
        x = self.check_profile(profile)
        g = self.gain()
        live = float(x[0] * self._served(True) + (1 - x[0]) * self._served(False))
        return Stats(reward=np.maximum(x * g, 0), cost=np.maximum(-x * g, 0), participation=x, eventual_liveness=live,
                     user_payment=0.0, useful_cost=0.0)

    def on_time(self, profile: Any, window: float) -> float:
        return self.stats(profile).eventual_liveness

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        """Each simulated round is one whole market history: the predator predates with its
        probability; the path's discounted gain over accommodation is computed from the rules."""
        x = self.check_profile(profile)
        pred, acc = self.path(True), self.path(False)
        disc = self.discount ** np.arange(len(pred))
        delta = float(((pred - acc) * disc).sum())
        choose = rng.random(rounds) < x[0] if 0 < x[0] < 1 else np.full(rounds, x[0] == 1)
        gain = np.where(choose, delta, 0.0)[:, None]
        pred_share, acc_share = (float(self.served_path(k) @ disc[:len(self.served_path(k))] / disc.sum())
                                 for k in (True, False))
        served = np.where(choose, pred_share, acc_share)
        return Outcomes(np.maximum(gain, 0), np.maximum(-gain, 0), choose[:, None], served > 0,
                        np.zeros(rounds), np.zeros(rounds), np.zeros(rounds), served)

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        return np.array([1.0 if self.gain() > 0 else 0.0]), "predate iff the discounted gain is positive", True

    def boundary(self, entry_costs: Any, discounts: Any) -> pd.DataFrame:
        """Threshold entry delay over a grid of entry costs and discounts (closed form)."""
        rows = []
        for ec in np.atleast_1d(entry_costs):
            for d in np.atleast_1d(discounts):
                g = Predation(self.market, self.predator, self.predation_price, self.periods, self.entry_delay,
                              float(ec), float(d), self.fixed_cost)
                rows.append({"entry_cost": float(ec), "discount": float(d), "entrants_return": g.entrants_return(),
                             "threshold_delay": g.threshold_delay() if g.entrants_return() else float("inf"),
                             "profitable_at_delay": g.gain() > 0})
        return pd.DataFrame(rows)

    def symbolic(self) -> dict[str, Any]:
        pp, pc, pm, d = sp.symbols("pi_p pi_c pi_m delta", positive=True)
        P, E = sp.symbols("P E", positive=True)
        gain = (pp - pc) * (1 - d ** P) / (1 - d) + (pm - pc) * d ** P * (1 - d ** E) / (1 - d)
        x, y = sp.symbols("x y", positive=True)          # x = delta^P, y = delta^E: the gain times (1 - delta)
        # the root of gain = 0 in E, as sp.solve writes it (tests/test_proofs.py checks it is that root)
        threshold = sp.log((-d ** P * pm + d ** P * pp + pc - pp) / (d ** P * (pc - pm))) / sp.log(d)
        return {"gain": gain, "threshold_delay": [threshold],
                "gain_in_discounts": (pp - pc) * (1 - x) + (pm - pc) * x * (1 - y),
                "threshold_discount": 1 - (pc - pp) * (1 - x) / (x * (pm - pc))}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        if self.discount >= 1.0 or not self.entrants_return():
            return []
        pi = self.phase_profits()
        return [("gain", self.symbolic()["gain"],
                 {"pi_p": pi["predation"], "pi_c": pi["competitive"], "pi_m": pi["monopoly"], "delta": self.discount,
                  "P": self.periods, "E": self.entry_delay}, self.gain())]

    def mechanism_theorems(self) -> list:
        from provergame.proofs import market
        return market.predation(self.symbolic())


_REQUESTS = Array(lo=0, lo_open=True, columns=2)


def _requests_checked(name: str, requests: Any) -> np.ndarray:
    if is_frame(requests):
        requests = requests[["deadline", "max_price"]].to_numpy()
    return _REQUESTS.check(name, requests)


@register("nil_market")
@dataclass(frozen=True)
class NilMarket(Game):
    """nil's proof market. Each request has a deadline t_r and a maximum price c_r; prover i
    proposes time t_p = 1/rate and a price (its strategy) and carries a rating (default: its
    reliability). Matching per request: keep t_p <= t_r and c_p <= c_r; sort by price then time
    (priority="price") or time then price ("time"), each primary key divided by the rating; pick
    the top (exact ties split evenly). The winner pays its cost and is paid on delivery.
    """
    traits: ClassVar[GameTraits] = GameTraits(
        limitations=("one price per prover for every request; proposals are fixed proving times 1/rate; where best "
            "responses cycle, a mixed equilibrium with prices on the tick lattice (at most 250,000 lattice "
            "profiles of the active provers; past that, or with a tick too fine for a lattice, a labelled "
            "least-regret pure profile)."),
        max_provers=30,
        timing=TimingFamily.SERVED,
        strategy=StrategyKind.CONTINUOUS,
        strategy_label="price",
        priced=True,
    )

    requests: Any = param(Custom(checker=_requests_checked, allowed="rows of (deadline t_r > 0, max_price c_r > 0)",
                                 bad=([[1.0, -1.0]], [[float("nan"), 1.0]], [[1.0]], [], "x", 1.0),
                                 unit="(time unit, token)", doc="each request's deadline and maximum price"))
    provers: Population = param(PROVERS)
    priority: str = param(Choice(options=("price", "time"), doc="what the request ranks first"), "price")
    ratings: Any = param(Array(lo=0, lo_open=True, hi=1, length="provers", optional=True,
                               doc="ratings in (0, 1] (default: reliabilities)"), None)
    tick: float = param(Real(lo=0, lo_open=True, unit="token", doc="smallest price step"), 1e-6)

    @property
    def units_per_round(self) -> float:
        return float(len(self.requests))

    def _validate(self) -> None:
        if self.ratings is None:
            object.__setattr__(self, "ratings", self.provers.reliability)

    @classmethod
    def example(cls, n: int | None = None) -> "NilMarket":
        return cls(((2.0, 3.0), (1.0, 2.5), (3.0, 2.0)), example_provers(n or 6))

    @property
    def times(self) -> np.ndarray:
        return 1.0 / self.provers.rate

    def strategy_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n), np.full(self.n, 2 * float(self.requests[:, 1].max()))

    def wins(self, prices: Any) -> np.ndarray:
        """Expected number of requests won by each prover: (..., n)."""
        return self.request_shares(prices).sum(axis=-2)

    def request_shares(self, prices: Any) -> np.ndarray:
        """Share of each request won by each prover: (..., R, n)."""
        p = np.asarray(prices, dtype=float)
        t_r, c_r = self.requests[:, 0], self.requests[:, 1]
        ok = (self.times[None, :] <= t_r[:, None]) & (p[..., None, :] <= c_r[:, None])    # (..., R, n)
        if self.priority == "price":
            first, second = p / self.ratings, np.broadcast_to(self.times, p.shape)
        else:
            first, second = np.broadcast_to(self.times / self.ratings, p.shape), p
        big = np.inf
        f = np.where(ok, first[..., None, :], big)
        fmin = f.min(axis=-1, keepdims=True)
        s = np.where(ok & (f == fmin), second[..., None, :], big)
        smin = s.min(axis=-1, keepdims=True)
        top = ok & (f == fmin) & (s == smin) & np.isfinite(fmin)
        return top / np.maximum(top.sum(axis=-1, keepdims=True), 1)

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        p = self.check_profile(profile)
        return self.wins(p) * (self.provers.reliability * p - self.provers.cost)

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        """Prover i alone changes its price: per request, the best rival proposal (primary key, then
        secondary, and how many rivals tie on both) does not move, so each candidate is ranked against
        it once: (n, m) payoffs in O(n m R) rather than a full matching per candidate."""
        p = self.check_profile(profile)
        x = self.check_candidates(candidates)
        n = self.n
        t_r, c_r = self.requests[:, 0], self.requests[:, 1]
        fits = self.times[None, :] <= t_r[:, None]                                    # (R, n)
        if self.priority == "price":
            first, second = p / self.ratings, self.times
            own_first, own_second = x / self.ratings[:, None], np.broadcast_to(self.times[:, None], x.shape)
        else:
            first, second = self.times / self.ratings, p
            own_first, own_second = np.broadcast_to((self.times / self.ratings)[:, None], x.shape), x
        rivals = (fits & (p[None, :] <= c_r[:, None]))[None, :, :] & ~np.eye(n, dtype=bool)[:, None, :]  # (i, R, j)
        f = np.where(rivals, first[None, None, :], np.inf)
        lead = f.min(axis=-1)                                                         # (i, R)
        at_lead = rivals & (f == lead[..., None])
        s = np.where(at_lead, second[None, None, :], np.inf)
        lead2 = s.min(axis=-1)
        tied = (at_lead & (s == lead2[..., None])).sum(axis=-1)
        fo, so = own_first[:, :, None], own_second[:, :, None]                        # (i, m, 1)
        L, L2, N = lead[:, None, :], lead2[:, None, :], tied[:, None, :]             # (i, 1, R)
        share = np.where(fo < L, 1.0, np.where(fo == L, np.where(so < L2, 1.0, np.where(so == L2, 1.0 / (N + 1), 0.0)), 0.0))
        own_ok = fits.T[:, None, :] & (x[:, :, None] <= c_r[None, None, :])
        wins = (share * own_ok).sum(axis=-1)
        return wins * (self.provers.reliability[:, None] * x - self.provers.cost[:, None])

    def critical_strategies(self, profile: np.ndarray) -> np.ndarray:
        """Where the own payoff, linear in the own price between them, can peak: just below or at each
        rival's price (rated, for price priority; raw, the tie-breaker under time priority), each cap."""
        if self.priority == "price":
            rival = profile[None, :] * self.ratings[:, None] / self.ratings[None, :]
        else:
            rival = np.broadcast_to(profile, (self.n, self.n))
        caps = np.broadcast_to(self.requests[:, 1], (self.n, len(self.requests)))
        return np.concatenate([rival - self.tick, rival, caps, self.break_even()[:, None]], axis=1)

    def break_even(self) -> np.ndarray:
        """The price at which a matched proposal breaks even: cost / reliability (paid on delivery)."""
        return self.provers.cost / np.maximum(self.provers.reliability, 1e-12)

    def price_lattice(self) -> np.ndarray | None:
        return tick_lattice(self.tick, 0.0, 2 * float(self.requests[:, 1].max()))

    def sell_range(self) -> tuple[np.ndarray, np.ndarray]:
        """Each prover's break-even price and the highest cap among the requests it can meet in time:
        the prices a mixed strategy on the tick lattice draws from (solvers.price_mixing)."""
        fits = self.times[None, :] <= self.requests[:, 0][:, None]
        top = np.where(fits, self.requests[:, 1][:, None], 0.0).max(axis=0)
        return self.break_even(), top

    def stats(self, profile: Any) -> Stats:
        p = self.check_profile(profile)
        shares = self.request_shares(p)
        w = shares.sum(axis=0)
        rho = self.provers.reliability
        every = float(np.mean(shares @ rho))        # share of requests matched and delivered
        return Stats(reward=w * rho * p, cost=w * self.provers.cost, participation=np.minimum(w, 1.0),
                     eventual_liveness=every, user_payment=float((w * rho * p).sum()),
                     useful_cost=float((w * rho * self.provers.cost).sum()))

    def on_time(self, profile: Any, window: float) -> float:
        """Expected share of requests matched and delivered within their own deadlines."""
        shares = self.request_shares(self.check_profile(profile))
        return float(np.mean(shares @ self.provers.reliability))

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        """Match every request by nil's rules each round; winners deliver with their reliability."""
        p = self.check_profile(profile)
        R = len(self.requests)
        t_r, c_r = self.requests[:, 0], self.requests[:, 1]
        ok = (self.times[None, :] <= t_r[:, None]) & (p[None, :] <= c_r[:, None])
        key1 = p / self.ratings if self.priority == "price" else self.times / self.ratings
        key2 = self.times if self.priority == "price" else p
        order = np.lexsort((key2, key1))                   # rank of proposals by nil's sort
        rank = np.empty(self.n, dtype=int)
        rank[order] = np.arange(self.n)
        tie_break = rng.random((rounds, R, self.n))
        same = (key1[:, None] == key1[None, :]) & (key2[:, None] == key2[None, :])
        level = np.where(same, rank[None, :], self.n).min(axis=1)             # tie classes share a level
        score = np.where(ok[None], level[None, None, :] + 0.5 * tie_break, np.inf)
        winner = np.argmin(score, axis=-1)                                     # (rounds, R)
        matched = np.isfinite(np.min(score, axis=-1))
        delivered = matched & (rng.random((rounds, R)) < self.provers.reliability[winner])
        reward = np.zeros((rounds, self.n))
        cost = np.zeros((rounds, self.n))
        rows = np.broadcast_to(np.arange(rounds)[:, None], winner.shape)
        np.add.at(reward, (rows, winner), np.where(delivered, p[winner], 0.0))
        np.add.at(cost, (rows, winner), np.where(matched, self.provers.cost[winner], 0.0))
        tried = np.zeros((rounds, self.n), dtype=bool)
        tried[rows[matched], winner[matched]] = True
        return Outcomes(reward, cost, tried, delivered.all(axis=1), reward.sum(1),
                        np.where(delivered, self.provers.cost[winner], 0.0).sum(1), np.zeros(rounds),
                        delivered.mean(axis=1))

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        """Sequential best responses on the price grid spanned by rivals' rated prices, the price caps
        and break-even prices. One price serves every request, so a pure equilibrium need not exist
        (best responses can cycle, as in Bertrand-Edgeworth); then the profile with the least regret
        met on the way is returned, marked inexact, with its regret. The own payoff is linear in the
        own price between critical prices, so the grid needs no refinement (exact to one tick)."""
        from provergame.solvers.regret import best_responses
        # Start at break-even prices (the Bertrand construction): losers are then already at a best
        # response and only winners move, up to just below their rivals' rated prices.
        p = np.minimum(self.provers.cost / np.maximum(self.provers.reliability, 1e-12),
                       2 * float(self.requests[:, 1].max()))
        if self.price_lattice() is not None:          # prices are multiples of the tick
            p = np.minimum(np.ceil(p / self.tick - 1e-9) * self.tick, 2 * float(self.requests[:, 1].max()))
        best_p, best_r = p.copy(), np.inf
        def search(profile):
            gain_to, arg = best_responses(self, profile, points=33, iterations=0)
            return gain_to - self.expected_payoffs(profile), arg

        for _ in range(60):
            moved = False
            gain, arg = search(p)
            for i in range(self.n):  # one prover at a time; each search is vectorised over candidates
                regret = float(np.max(gain))
                if regret < best_r:
                    best_p, best_r = p.copy(), regret
                if gain[i] > 1e-12:
                    p[i] = arg[i]
                    moved = True
                    gain, arg = search(p)           # searched again only after someone moved
            if not moved:
                return p, "sequential best responses on prices (converged)", True
        return best_p, "sequential best responses cycled (no pure equilibrium found): least-regret profile", False

    def stall_liveness(self, masks: np.ndarray, profile: Any) -> np.ndarray:
        """Share of requests matched and delivered when the provers in each mask withhold."""
        p = np.where(np.asarray(masks, dtype=bool), np.inf, self.check_profile(profile))
        shares = self.request_shares(p)
        return np.mean(shares @ self.provers.reliability, axis=-1)

    def withhold_bribes(self) -> np.ndarray:
        """Best payoff of serving alone (rivals withhold) against withholding (0)."""
        from provergame.solvers.regret import best_responses
        out = self.strategy_bounds()[1]
        best = np.zeros(self.n)
        for i in range(self.n):  # one market per prover, each searched over its price grid
            prof = out.copy()
            best[i] = best_responses(self, prof, points=65, iterations=0)[0][i]
        return np.maximum(best, 0.0)

    def symbolic(self) -> dict[str, Any]:
        p, rating, c, rho = sp.symbols("p rating c rho", positive=True)
        return {"rated_price": p / rating, "break_even_price": c / rho}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        return [("break_even_price", self.symbolic()["break_even_price"],
                 {"c": self.provers.cost[0], "rho": self.provers.reliability[0]}, float(self.break_even()[0]))]

    def mechanism_theorems(self) -> list:
        from provergame.proofs import market
        return market.nil_market(self.symbolic())


def market_dynamics(market: Snarketplace, periods: int = 400, entry_rate: float = 0.5, learning: float = 0.15,
                    reinvest: float = 0.5, capacity_price: float = 1.0, exit_after: int = 20,
                    entrant_cost_sigma: float = 0.3, cost_noise: float = 0.3,
                    seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Snarketplace over many periods with entry, exit and reinvestment (costs falling with scale).

    Each period the market clears at its Bertrand equilibrium; a prover's cost follows a learning
    curve c0 (1 + cumulative units)^-learning, times a per-period shock exp(cost_noise Z) (spare compute
    comes and goes); a `reinvest` share of its profit buys capacity at
    `capacity_price` per unit; a prover that sells nothing for `exit_after` periods exits; new provers
    arrive Poisson(entry_rate) per period with log-normal costs around the initial median and unit
    capacity. Returns (per-period HHI, Nakamoto coefficient and active count; final work per prover).
    """
    periods = check_int("periods", periods, lo=1)
    for name, v in (("entry_rate", entry_rate), ("learning", learning), ("reinvest", reinvest),
                    ("entrant_cost_sigma", entrant_cost_sigma), ("cost_noise", cost_noise)):
        check_real(name, v, lo=0)
    check_real("capacity_price", capacity_price, lo=0, lo_open=True)
    check_int("exit_after", exit_after, lo=1)
    from provergame.solvers.metrics import hhi, nakamoto
    rng = np.random.default_rng(seed)
    pop = market.provers
    c0, cap = list(pop.cost), list(pop.capacity)
    work, idle, alive, born = [0.0] * len(c0), [0] * len(c0), [True] * len(c0), [0] * len(c0)
    median = float(np.median(pop.cost))
    rows = []
    for t in range(periods):  # periods are state updates; each clears a vectorised market
        for _ in range(rng.poisson(entry_rate)):
            c0.append(median * float(rng.lognormal(0, entrant_cost_sigma)))
            cap.append(1.0)
            work.append(0.0)
            idle.append(0)
            alive.append(True)
            born.append(t)
        idx = np.flatnonzero(alive)
        cost = np.array(c0)[idx] * (1 + np.array(work)[idx]) ** (-learning) * np.exp(
            cost_noise * rng.standard_normal(len(idx)))
        capacity = np.array(cap)[idx]
        bids = bertrand_bids(cost, capacity, market.demand, market.reserve_price, market.tick)[0]
        q = allocate(bids, capacity, market.demand, market.reserve_price)
        profit = (bids - cost) * q
        for k, i in enumerate(idx):
            work[i] += q[k]
            cap[i] += reinvest * max(profit[k], 0.0) / capacity_price
            idle[i] = 0 if q[k] > 0 else idle[i] + 1
            if idle[i] >= exit_after:
                alive[i] = False
        rows.append({"period": t + 1, "hhi": hhi(q), "nakamoto": nakamoto(q), "active": int(len(idx)),
                     "price": float(bids[q > 0].max()) if (q > 0).any() else float("nan")})
    final = pd.DataFrame({"prover": np.arange(len(work)), "work": work, "capacity": cap, "alive": alive,
                          "entered": born})
    return pd.DataFrame(rows), final
