"""Undercutting by identities: what an operator gains by running several identities (sybils).

Seed: "Another form of undercutting is operating an excessive number of nodes while bidding market
rates, allowing random selection to match the operator with a disproportionate amount of proof
requests."
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from provergame.lazy import pandas as pd

from provergame.errors import InvalidParameter, check_choice, check_int, check_real
from provergame.games.base import check_game
from provergame.games import protocols
from provergame.games.base import Game


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


def sybil_gain(game: Game, operator: int, identities: int, failures: str = "shared") -> SybilGain:
    """Share and profit of `operator` running `identities` identities, everyone else one.

    Stake weighting splits the operator's stake (exactly sybil-proof: the minimum of k Exp(s/k)
    times is Exp(s)); identity weighting locks min_stake per identity. failures="shared": the
    identities fail together (one machine park); "independent": each on its own.

    Parameters
    ----------
    game : Game
        A game that selects provers by identity or stake (`protocols.SybilSplit`).
    operator : int
        The prover running the identities.
    identities : int
        How many, from 1 to 10,000.
    failures : {"shared", "independent"}, default "shared"
        How the identities fail.

    Returns
    -------
    SybilGain
        share and profit before (one identity) and after.

    Raises
    ------
    InvalidParameter
        If the game does not select by identity or stake.

    Examples
    --------
    >>> import provergame as pg
    >>> game = pg.games.StakeVRF(10.0, pg.games.example_provers(4))
    >>> g = pg.sybil_gain(game, 0, 4)
    >>> g.profit_after == g.profit_before                    # stake weighting: splitting changes nothing
    True
    """
    game = check_game(game)
    operator = check_int("operator", operator, lo=0, hi=game.n - 1)
    identities = check_int("identities", identities, lo=1, hi=10_000)
    check_choice("failures", failures, ("shared", "independent"))
    before = game.sybil_profit(operator, 1, failures) if isinstance(game, protocols.SybilSplit) else None
    if before is None:
        raise InvalidParameter("game", game.title, "a game that selects provers by identity or stake "
                               "(StakeVRF, IdentityVRF, StakeTurns)")
    after = game.sybil_profit(operator, identities, failures)
    return SybilGain(identities, float(before[0]), float(after[0]), float(before[1]), float(after[1]))


def clone_sybil_gain(game: Game, operator: int, identities: int, profile: np.ndarray | None = None) -> SybilGain:
    """Sybils where the protocol selects among identities (uniform picks, lotteries, uniform VRF):
    the operator's row is registered `identities` times (the game built over the population with the
    row repeated), every identity plays the operator's equilibrium strategy and the others keep
    theirs; profit is the sum over its identities, share its share of accepted work. Identities fail
    independently (each proves on its own)."""
    operator = check_int("operator", operator, lo=0, hi=game.n - 1)
    identities = check_int("identities", identities, lo=1, hi=1000)
    eq = game.equilibrium()[0] if profile is None else game.check_profile(profile)

    def run(k: int) -> tuple[float, float]:
        index = np.concatenate([np.arange(game.n), np.full(k - 1, operator)])
        clone = game.with_provers(index)
        prof = np.concatenate([eq, np.full(k - 1, eq[operator])])
        mine = np.concatenate([[operator], np.arange(game.n, game.n + k - 1)])
        stats = clone.stats(prof)
        total = float(np.sum(stats.reward))
        share = float(np.sum(stats.reward[mine]) / total) if total > 0 else 0.0
        return share, float(np.sum(np.asarray(clone.expected_payoffs(prof))[mine]))

    before, after = run(1), run(identities)
    return SybilGain(identities, before[0], after[0], before[1], after[1])


def sybil_curve(game: Game, operator: int, max_identities: int = 32, failures: str = "shared") -> pd.DataFrame:
    """sybil_gain for 1 to `max_identities` identities, one row each.

    Parameters
    ----------
    game : Game
        A game that selects provers by identity or stake.
    operator : int
        The prover running the identities.
    max_identities : int, default 32
        The largest number of identities.
    failures : {"shared", "independent"}, default "shared"
        How the identities fail.

    Returns
    -------
    pandas.DataFrame
        identities, share, profit, profitable.

    Examples
    --------
    >>> import provergame as pg
    >>> game = pg.games.IdentityVRF(10.0, pg.games.example_provers(4), min_stake=1.0, stake_cost=0.01)
    >>> curve = pg.sybil_curve(game, 0, max_identities=3)
    >>> bool(curve["share"].is_monotonic_increasing)          # every identity buys more draws
    True
    """
    game = check_game(game)
    max_identities = check_int("max_identities", max_identities, lo=1, hi=10_000)
    rows = []
    for k in range(1, max_identities + 1):
        g = sybil_gain(game, operator, k, failures)
        rows.append({"identities": k, "share": g.share_after, "profit": g.profit_after, "profitable": g.profitable})
    return pd.DataFrame(rows)


def sybil_breakeven(game: Game, operator: int, max_identities: int = 64, failures: str = "shared") -> int | None:
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


def undercut(game: Game, prover: int, price: float, periods: int = 1) -> Undercut:
    """Profit of `prover` pricing at `price` for `periods` rounds, against accommodating.

    Parameters
    ----------
    game : Game
        A priced game (traits.priced).
    prover : int
        The undercutting prover.
    price : float
        Its price during the cut.
    periods : int, default 1
        Rounds of undercutting before the others respond.

    Returns
    -------
    Undercut
        gain over accommodation and whether it is profitable.

    Examples
    --------
    >>> import provergame as pg
    >>> game = pg.games.Snarketplace.example(3)
    >>> eq = pg.solve(game)
    >>> u = pg.undercut(game, 0, 0.9 * float(eq.profile[0]), periods=10)
    >>> isinstance(u.profitable, bool)
    True
    """
    game = check_game(game)
    from provergame.solvers.regret import best_responses
    if not game.traits.priced:
        raise InvalidParameter("game", game.title, "a game whose strategy is a price (Snarketplace, NilMarket, "
                               "TaikoPool)")
    prover = check_int("prover", prover, lo=0, hi=game.n - 1)
    periods = check_int("periods", periods, lo=1, hi=1_000_000)
    lo, hi = game.strategy_bounds()
    price = check_real("price", price, lo=float(lo[prover]), hi=float(hi[prover]))
    eq = game.equilibrium()[0]
    cand = np.tile(eq[:, None], (1, 1))
    cand[prover, 0] = price
    cut = float(game.deviation_payoffs(eq, cand)[prover, 0])
    best, _ = best_responses(game, eq)
    return Undercut(prover, float(price), periods, cut, float(max(best[prover], game.expected_payoffs(eq)[prover])))
