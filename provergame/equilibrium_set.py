"""A game's equilibrium set and every headline metric over it: the selected value, the worst, the best.

A game's solver selects one equilibrium (entry games: sequential entry from the empty profile). Where a
game has several, a design that meets its targets at the selected one may miss them at another, so
`equilibrium_set(game)` lists what can be listed, each member certified by its own regret:

- games with two actions per player and at most MAX_SET_PROVERS players: every pure equilibrium (an
  exhaustive enumeration, `complete` True), plus the mixed ones `pg.equilibria` computes (two
  players: all, by bimatrix enumeration; identical provers: the symmetric one);
- games with continuous strategies: the selected equilibrium only (`complete` False, and `how` says
  the set was not searched).

`EquilibriumSet.ranges(window)` gives, for every registered metric with a better direction, the
selected value, the worst and the best over the set and the count (Nash 1951; the worst/best
split is the price of anarchy / stability question of Koutsoupias-Papadimitriou 1999).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import check_choice
from .lazy import pandas as pd
from .results import Equilibrium
from .solvers.metrics import METRICS

MAX_SET_PROVERS = 16          # 2^16 profiles: the enumeration's limit for an equilibrium set
SELECTIONS = ("worst", "best", "dynamics")
HEADLINE = ("liveness", "hhi", "nakamoto", "user_cost")


@dataclass(frozen=True)
class EquilibriumSet:
    """The certified equilibria found, which one the game's solver selects, and how the set was found.

    Attributes
    ----------
    game : Game
        The game.
    equilibria : tuple of Equilibrium
        Each certified by its own regret; `equilibria[selected]` is the one `pg.solve` returns.
    selected : int
        The index of the solver's equilibrium.
    complete : bool
        True when every pure equilibrium is listed (exhaustive enumeration).
    how : str
        How the set was found, for the page.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.identical(4, cost=3.0)
    >>> s = pg.equilibrium_set(pg.games.WinnerTakesAll(10.0, pop))
    >>> len(s), s.complete          # any 3 of the 4 provers enter (4 ways), plus the symmetric mixture
    (5, True)
    """

    game: Any
    equilibria: tuple[Equilibrium, ...]
    selected: int
    complete: bool
    how: str

    def __len__(self) -> int:
        return len(self.equilibria)

    def metrics(self, window: float = 1.0) -> pd.DataFrame:
        """One row per equilibrium: its metrics at `window`, its regret and whether it is the selected one."""
        from .api import metrics
        rows = []
        for i, eq in enumerate(self.equilibria):
            played = eq.extra.get("mixed", eq.profile)
            rows.append({"equilibrium": i, "selected": i == self.selected, **dict(metrics(self.game, played, window)),
                         "regret": eq.regret, "method": eq.method})
        return pd.DataFrame(rows)

    def outcomes(self, window: float = 1.0) -> int:
        """Distinct outcomes: equilibria that differ only in what indifferent players do (a prover never
        asked, entering or not) give the same payoffs and metrics and count once."""
        table = self.metrics(window)[list(HEADLINE)].to_numpy(float)
        pay = np.array([eq.payoffs for eq in self.equilibria])
        key = np.round(np.hstack([table, pay]), 9)
        return int(len(np.unique(key, axis=0)))

    def ranges(self, window: float = 1.0, names: tuple[str, ...] = HEADLINE) -> pd.DataFrame:
        """Each metric's selected value, worst and best over the set, and the count of equilibria."""
        table = self.metrics(window)
        rows = []
        for name in names:
            values = table[name].to_numpy(float)
            higher = METRICS[name].better == "higher"
            rows.append({"metric": name, "selected": float(values[self.selected]),
                         "worst": float(values.min() if higher else values.max()),
                         "best": float(values.max() if higher else values.min()), "equilibria": len(values)})
        return pd.DataFrame(rows)


def check_selection(selection: Any) -> str:
    return check_choice("selection", selection, SELECTIONS)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, atol=1e-9))


def equilibrium_set(game: Any) -> EquilibriumSet:
    """The game's equilibria: all pure ones where enumerable, else the selected one (labelled).

    Parameters
    ----------
    game : Game
        Any registered game.

    Returns
    -------
    EquilibriumSet
        The certified equilibria, the solver's pick among them, and how they were found.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> s = pg.equilibrium_set(pg.games.WinnerTakesAll(10.0, pop))
    >>> len(s), s.how
    (1, 'every pure equilibrium (branch and bound, strategic substitutes: 2^3 profiles)')
    """
    from .api import solve
    from provergame.games.base import check_game
    return set_around(check_game(game), solve(game))


def set_around(game: Any, chosen: Equilibrium) -> EquilibriumSet:
    """The equilibrium set of `game` given the solver's certified equilibrium `chosen`."""
    from .api import equilibria
    if not game.finite:
        return EquilibriumSet(game, (chosen,), 0, False, f"the selected equilibrium only ({chosen.method}): "
                              "continuous strategies, the set is not searched")
    if game.n > MAX_SET_PROVERS:
        return EquilibriumSet(game, (chosen,), 0, False, f"the selected equilibrium only: {game.n} players is "
                              f"beyond the enumeration limit of {MAX_SET_PROVERS}")
    found = list(equilibria(game))
    at = next((i for i, eq in enumerate(found) if _same(eq.profile, chosen.profile)), None)
    if at is None:                       # the solver's pick is a mixture the enumeration does not list
        found.append(chosen)
        at = len(found) - 1
    found[at] = chosen                   # the solver's own record: its method and certificate
    mixed = sum(1 for eq in found if not np.all(np.isin(eq.profile, (0.0, 1.0))))
    route = "branch and bound, strategic substitutes" if game.traits.entry_substitutes else "exhaustive"
    how = f"every pure equilibrium ({route}: 2^{game.n} profiles)"
    if mixed:
        how += f", and {mixed} mixed"
    return EquilibriumSet(game, tuple(found), at, True, how)


def cheapest_stall(game: Any, timing: Any, chosen: Equilibrium | None = None) -> Any:
    """The stall bribe (solvers.bribe, withhold after everyone responds) at every equilibrium of the
    game's set, the cheapest one: the designer's worst case, since nothing says which equilibrium the
    network sits in. `chosen`: the solver's certified equilibrium where the caller already has it."""
    from .solvers.bribe import bribe_threshold
    members = (equilibrium_set(game) if chosen is None else set_around(game, chosen)).equilibria
    found = [bribe_threshold(game, "withhold", profile=eq.profile, window=timing.window) for eq in members]
    return min(found, key=lambda b: b.total)
