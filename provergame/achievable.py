"""What any recommender could achieve, and how far each design's equilibria fall short of it.

Protocol-elected selection is a correlation device: the protocol recommends who proves, and provers
obey when no one gains by ignoring the recommendation. So the best correlated equilibrium for an
objective is the best any mechanism that recommends provers could do with the same rewards and costs;
the price of anarchy and of stability compare the worst and the best Nash equilibrium with it
(Koutsoupias and Papadimitriou 1999; Anshelevich et al. 2004), on the same objective.

The Nash set: every pure equilibrium (enumerated) and, up to `MAX_MIXED_PROVERS` provers, every isolated
mixed one (support enumeration, solvers/normal_form.py); beyond, the pure ones and the symmetric mixed one
of identical provers, and the result says so.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from provergame.errors import InvalidParameter, check_bool, check_choice
from provergame.games.base import check_game
from provergame.timing import window_of
from provergame.games import Game, protocols
from provergame.solvers.correlated import BACKENDS, MAX_CELLS, CellTable, CorrelatedEquilibrium, best_correlated, evaluate

OBJECTIVES = {"welfare": "max", "liveness": "max", "user_cost": "min", "min_share": "max"}
MAX_MIXED_PROVERS = 5        # provers up to which every isolated mixed equilibrium is enumerated


def cell_table(game: Any, window: float = 1.0) -> CellTable:
    """A finite game over its pure profiles: a prover game's entry decisions (with each cell's user
    payment, liveness and rewards, from the game's analytic face), or a normal-form payoff tensor."""
    if not isinstance(game, Game):
        from provergame.solvers.normal_form import NormalFormGame
        payoffs = game.payoffs if isinstance(game, NormalFormGame) else NormalFormGame(game).payoffs
        return CellTable.from_tensor(payoffs)
    if not game.finite:
        raise InvalidParameter("game", game.title, "a game with a finite action space (entry strategies)")
    if 2 ** game.n > MAX_CELLS:
        raise InvalidParameter("provers", game.n, f"at most {int(np.log2(MAX_CELLS))} (2^n pure profiles <= {MAX_CELLS})")
    lo, hi = game.strategy_bounds()
    allowed = [[a for a in (0, 1) if lo[j] <= a <= hi[j]] for j in range(game.n)]   # ineligible provers: 0 only
    shape = tuple(len(a) for a in allowed)
    entries = np.array(list(itertools.product(*allowed)), float)                    # C order over `shape`
    v = game.profile_values(entries, window)
    values = {"user_payment": v.user_payment, "eventual_liveness": v.eventual_liveness, "on_time": v.on_time,
              "reward": v.reward, "entries": entries}
    return CellTable.from_tensor(v.payoffs.reshape(shape + (game.n,)), values)


def correlated_equilibrium(game: Any, objective: str = "welfare", coarse: bool = False,
                           window: float = 1.0, backend: str = "highs") -> CorrelatedEquilibrium:
    """The best correlated (or, with `coarse=True`, coarse correlated) equilibrium of a finite game.

    Parameters
    ----------
    game : Game, NormalFormGame or array_like
        A prover game with entry strategies (at most 14 provers), or payoffs[a_1, ..., a_n, i].
    objective : str, default 'welfare'
        'welfare' (sum of payoffs), and for prover games 'user_cost' (paid per proof landed, minimised),
        'liveness' (on time within `window`) or 'min_share' (the smallest prover's share of rewards).
    coarse : bool, default False
        Coarse correlated equilibrium: obedience only before the recommendation is seen.
    window : float, default 1.0
        On-time window for 'liveness'.
    backend : {"highs", "cvxpy"}, default "highs"
        The LP handed to HiGHS as matrices (scipy.optimize.linprog), or stated in cvxpy and solved by
        the same HiGHS (cvxpy is imported on first use; it costs about 2 s to import).

    Returns
    -------
    CorrelatedEquilibrium
        The distribution over pure profiles, its objective value, the dual bound (no correlated
        equilibrium does better) and the largest obedience violation.

    Examples
    --------
    >>> import numpy as np, provergame as pg
    >>> chicken = np.array([[[6, 6], [2, 7]], [[7, 2], [0, 0]]], float)
    >>> ce = pg.correlated_equilibrium(chicken, "welfare")
    >>> round(ce.value, 6)
    10.5
    """
    check_choice("objective", objective, sorted(OBJECTIVES))
    check_bool("coarse", coarse)
    check_choice("backend", backend, list(BACKENDS))
    window = window_of(window)
    if not isinstance(game, Game) and objective != "welfare":
        raise InvalidParameter("objective", objective, "'welfare' for a normal-form game")
    return best_correlated(cell_table(game, window), objective, coarse, backend)


@dataclass(frozen=True)
class Achievable:
    """A design's Nash equilibria against the best correlated equilibrium, on one objective.

    Attributes
    ----------
    objective, direction : str
        The objective and whether more ('max') or less ('min') is better.
    nash_worst, nash_best : float
        The objective at the worst and the best Nash equilibrium found (`nash_count` of them, found as
        `nash_set` says).
    correlated_best, coarse_best : float
        The best correlated and coarse correlated equilibrium's value; `correlated` holds the first with
        its distribution and certificates.
    price_of_anarchy, price_of_stability : float
        Best correlated over worst (resp. best) Nash, oriented so that both are >= 1.

    Examples
    --------
    >>> import provergame as pg
    >>> game = pg.games.WinnerTakesAll(3.0, pg.Population.from_arrays(cost=[1.0] * 4))
    >>> a = pg.achievable(game, "liveness")
    >>> a.nash_count, round(a.price_of_anarchy, 4), round(a.price_of_stability, 4)
    (15, 1.0989, 1.0)
    """

    objective: str
    direction: str                # 'max' or 'min'
    nash_worst: float
    nash_best: float
    nash_count: int
    nash_set: str                 # how the Nash set was found (complete, or pure and symmetric only)
    correlated_best: float
    coarse_best: float
    correlated: CorrelatedEquilibrium

    @property
    def price_of_anarchy(self) -> float:
        """Best correlated over worst Nash (>= 1): the loss from letting provers pick the equilibrium."""
        return _ratio(self.correlated_best, self.nash_worst, self.direction)

    @property
    def price_of_stability(self) -> float:
        """Best correlated over best Nash (>= 1): the loss even at the best equilibrium."""
        return _ratio(self.correlated_best, self.nash_best, self.direction)


def _ratio(best: float, nash: float, direction: str) -> float:
    """num / den, with the loss unbounded when the denominator is not positive (e.g. a Nash equilibrium
    that dissipates all welfare) and none when both are zero."""
    num, den = (best, nash) if direction == "max" else (nash, best)
    if den <= 1e-12 * max(1.0, abs(num)):
        return 1.0 if abs(num) <= 1e-12 else float("inf")
    return float(num / den)


def nash_distributions(game: Game, table: CellTable) -> tuple[list[np.ndarray], str]:
    """Each Nash equilibrium as a (product) distribution over the table's cells, and how the set was found."""
    from provergame.api import equilibria
    if game.n <= MAX_MIXED_PROVERS:
        from provergame.solvers.normal_form import NormalFormGame, mixed_equilibria
        shape = tuple(int(a) + 1 for a in table.actions.max(axis=0))
        res = mixed_equilibria(NormalFormGame(table.payoffs.reshape(shape + (game.n,))))
        entries = table.values["entries"]
        how = "every isolated equilibrium (support enumeration)"
        if res.skipped:
            how += f"; {res.skipped} support profiles hold a continuum of equilibria, not included"
        strategies = [np.array([s[-1] if entries[:, j].max() == 1 else 0.0 for j, s in enumerate(e)]) for e in res]
    else:
        strategies = [np.asarray(e.profile, float) for e in equilibria(game)]
        how = "pure equilibria and the symmetric mixed one (no n-player enumeration above 5 provers)"
    entries = table.values["entries"]
    dists = [np.prod(np.where(entries == 1, p, 1 - p), axis=1) for p in strategies]
    return dists, how


def achievable(game: Game, objective: str = "user_cost", window: float = 1.0) -> Achievable:
    """Price of anarchy and of stability of `game` on `objective` against the best correlated equilibrium.

    Parameters
    ----------
    game : Game
        A prover game with entry strategies (at most 14 provers).
    objective : str, default 'user_cost'
        'user_cost', 'liveness', 'welfare' or 'min_share' (see `correlated_equilibrium`).
    window : float, default 1.0
        On-time window for 'liveness'.

    Returns
    -------
    Achievable
        The worst and best Nash value, the best correlated and coarse correlated value, and the two prices.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> a = pg.achievable(pg.games.WinnerTakesAll(10.0, pop), "user_cost")
    >>> round(a.correlated_best, 9), round(a.price_of_anarchy, 9)
    (10.0, 1.0)
    """
    check_choice("objective", objective, sorted(OBJECTIVES))
    return achievable_all(check_game(game), (objective,), window_of(window))[objective]


def achievable_all(game: Game, objectives: tuple[str, ...] = ("user_cost", "liveness"), window: float = 1.0
                   ) -> dict[str, Achievable]:
    """`achievable` for several objectives over one cell table and one Nash set."""
    for objective in objectives:
        if objective not in OBJECTIVES:
            raise InvalidParameter("objective", objective, f"one of {sorted(OBJECTIVES)}")
    table = cell_table(game, window)
    dists, how = nash_distributions(game, table)
    if not dists:
        raise InvalidParameter("game", game.title, "a game with at least one Nash equilibrium found")
    out = {}
    for objective in objectives:
        values = [evaluate(table, objective, d) for d in dists]
        ce = best_correlated(table, objective)
        cce = best_correlated(table, objective, coarse=True)
        direction = OBJECTIVES[objective]
        worst, best = (min(values), max(values)) if direction == "max" else (max(values), min(values))
        out[objective] = Achievable(objective, direction, worst, best, len(values), how, ce.value, cce.value, ce)
    return out


def why_not(game: Game) -> str | None:
    """Why the best correlated equilibrium is not computed for `game` (None when it is)."""
    if not game.finite:
        lattice = game.price_lattice() if isinstance(game, protocols.PriceLattice) else None
        if lattice is None:
            return "continuous strategies: no finite action space to recommend over"
        ticks, cells = len(lattice), len(lattice) ** game.n
        shown = f"{cells:,}" if cells < 1e12 else f"{float(cells):.3g}"
        size = f"prices on a lattice of {ticks} ticks: {ticks}^{game.n} = {shown} pure profiles"
        if cells > MAX_CELLS:
            return f"too large: {size} (limit {MAX_CELLS:,})"
        rows = game.n * ticks * (ticks - 1)
        return (f"{size}, within the limit of {MAX_CELLS:,}, but the obedience LP's {rows:,} rows over "
                f"them, built dense, would take {rows * cells * 8 / 2 ** 30:.1f} GiB (a sparse build is not written yet)")
    if 2 ** game.n > MAX_CELLS:
        return f"too large: 2^{game.n} = {2 ** game.n:,} pure profiles (limit {MAX_CELLS:,})"
    return None
