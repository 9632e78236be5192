"""Undercutting by identities: what an operator gains by running several identities (sybils).

Seed: "Another form of undercutting is operating an excessive number of nodes while bidding market
rates, allowing random selection to match the operator with a disproportionate amount of proof
requests."
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from provergame.errors import InvalidParameter, check_choice, check_int
from provergame.solvers import exponential_race as er


@dataclass(frozen=True)
class SybilGain:
    """The operator's expected share of accepted work and profit per round, before and after
    splitting into `identities` identities."""

    identities: int
    share_before: float
    share_after: float
    profit_before: float
    profit_after: float

    @property
    def profitable(self) -> bool:
        return self.profit_after > self.profit_before + 1e-12 * max(1.0, abs(self.profit_before))


def _stake_vrf_gain(game, operator: int, k: int, failures: str) -> tuple[float, float]:
    """Operator's (share, profit) with k identities in a StakeVRF game where everyone registers."""
    pop, n = game.provers, game.n
    eligible = game.eligible.copy()
    s = pop.stake[operator]
    if game.weighting == "stake":
        ident_weight, locked = np.full(k, s / k), s
    else:
        ident_weight, locked = np.ones(k), max(s, k * game.min_stake)
        eligible[operator] = True
    base = (pop.stake if game.weighting == "stake" else np.ones(n)) * eligible
    others = np.delete(np.arange(n), operator)
    rho = pop.reliability
    if failures == "shared":
        # the operator's identities share its infrastructure: one draw of its reliability per round,
        # so its identities act as one group whose weight is the sum of theirs
        w = np.concatenate([[ident_weight.sum()], base[others]])
        q = np.concatenate([[rho[operator]], rho[others]])
        reach = er.first_finish(q, w)
        op_deliver, expected_attempts = reach[0] * rho[operator], reach[0]
    else:
        w = np.concatenate([ident_weight, base[others]])
        q = np.concatenate([np.full(k, rho[operator]), rho[others]])
        reach = er.first_finish(q, w)
        op_deliver = float((reach[:k] * rho[operator]).sum())
        expected_attempts = float(reach[:k].sum())
    live = float((reach * q).sum())
    profit = op_deliver * game.reward - expected_attempts * (pop.cost[operator] + (1 - rho[operator]) * game.slash) \
        - game.stake_cost * locked
    return op_deliver / live if live > 0 else 0.0, float(profit)


def sybil_gain(game, operator: int, identities: int, failures: str = "shared") -> SybilGain:
    """Share and profit of `operator` when it splits its stake (stake weighting) or registers extra
    identities at min_stake each (identity weighting); everyone else runs one identity.

    failures="shared": the identities fail together (one machine park), the setting in which stake
    weighting is exactly sybil-proof (the minimum of Exp(s/k) times is Exp(s)); "independent": each
    identity fails on its own, which adds redundancy, not sybil power.
    """
    from provergame.games.vrf import StakeVRF, TurnBased
    operator = check_int("operator", operator, lo=0, hi=game.n - 1)
    identities = check_int("identities", identities, lo=1)
    check_choice("failures", failures, ("shared", "independent"))
    if isinstance(game, StakeVRF):
        before = _stake_vrf_gain(game, operator, 1, failures)
        after = _stake_vrf_gain(game, operator, identities, failures)
        return SybilGain(identities, float(before[0]), float(after[0]), float(before[1]), float(after[1]))
    if isinstance(game, TurnBased) and game.rule == "stake_turns":
        share = float(game.turn_share[operator])
        profit = share * (game.provers.reliability[operator] * game.reward - game.provers.cost[operator])
        return SybilGain(identities, share, share, profit, profit)
    raise InvalidParameter("game", type(game).__name__, "a StakeVRF or TurnBased(stake_turns) game")


def sybil_curve(game, operator: int, max_identities: int = 32, failures: str = "shared") -> pd.DataFrame:
    """Share and profit against the number of identities, with the first count that pays for itself."""
    max_identities = check_int("max_identities", max_identities, lo=1, hi=10_000)
    rows = []
    for k in range(1, max_identities + 1):
        g = sybil_gain(game, operator, k, failures)
        rows.append({"identities": k, "share": g.share_after, "profit": g.profit_after, "profitable": g.profitable})
    return pd.DataFrame(rows)


def sybil_breakeven(game, operator: int, max_identities: int = 64, failures: str = "shared") -> int | None:
    """Smallest number of identities > 1 whose profit beats a single identity (None: never)."""
    curve = sybil_curve(game, operator, max_identities, failures)
    hit = curve.loc[curve["profitable"], "identities"]
    return int(hit.iloc[0]) if len(hit) else None


@dataclass(frozen=True)
class Undercut:
    """A price cut by one prover for `periods` rounds against its best accommodating response
    (rivals keep their equilibrium prices): gain = periods x (profit cutting - best profit)."""

    prover: int
    price: float
    periods: int
    profit_cut: float
    profit_accommodate: float

    @property
    def gain(self) -> float:
        return self.periods * (self.profit_cut - self.profit_accommodate)

    @property
    def profitable(self) -> bool:
        return self.gain > 1e-12


def undercut(game, prover: int, price: float, periods: int = 1) -> Undercut:
    """Profitability of `prover` cutting its price to `price` for `periods` rounds (market games)."""
    from provergame.api import solve
    from provergame.solvers.regret import best_responses
    if game.finite or not hasattr(game, "critical_strategies"):
        raise InvalidParameter("game", type(game).__name__, "a priced market game (Snarketplace, NilMarket, TaikoPool)")
    prover = check_int("prover", prover, lo=0, hi=game.n - 1)
    periods = check_int("periods", periods, lo=1)
    lo, hi = game.strategy_bounds()
    if not (lo[prover] <= price <= hi[prover]) or not np.isfinite(price):
        raise InvalidParameter("price", price, f"in [{lo[prover]}, {hi[prover]}]")
    eq = solve(game).profile
    cand = np.tile(eq[:, None], (1, 1))
    cand[prover, 0] = price
    cut = float(game.deviation_payoffs(eq, cand)[prover, 0])
    best, _ = best_responses(game, eq)
    return Undercut(prover, float(price), periods, cut, float(max(best[prover], game.expected_payoffs(eq)[prover])))
