"""Coalitions: joint deviations beyond the unilateral regret certificate, and cartels under grim trigger.

coalition_regret: the largest joint gain of any coalition of at most k players deviating together,
searched over every coalition and every joint choice from each member's candidate strategies (its
pure strategies in an entry game; in a continuous game its played value, its unilateral best
response, its bounds and its midpoint), vectorised over profiles. Beyond `budget` payoff entries
the coalitions are sampled (seeded) and the result says it is a heuristic.

cartel: the members' jointly best profile against the others' equilibrium strategies, its gain, and
the grim-trigger threshold delta* = g / (g + l) (Friedman 1971): g the best one-shot deviation gain
of a member from the cartel, l its per-period loss once everyone reverts to the equilibrium.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, product
from math import comb
from typing import Any

import numpy as np
from provergame.lazy import pandas as pd

from provergame.errors import InvalidParameter, check_members, check_int
from provergame.games import protocols
from provergame.games.base import check_game
from provergame.progress import expect, reports_progress, tick
from provergame.games.base import Game
from provergame.solvers.regret import best_responses

CHUNK = 256               # joint profiles per payoff call (games may expand each over a numerical grid)
CHUNK_ENTRIES = 16_000    # rows x players per call: a race at 1,000 provers expands each row over its quadrature (11 MB a row)
BLOCK_CHUNKS = 16         # joint profiles gathered per block (in chunks) before repeated ones are merged
GAIN_FLOOR = 1e-5         # joint gains below this share of the payoff scale are price-tick noise, not a cartel


def candidate_strategies(game: Game, profile: np.ndarray, points: int = 3,
                         best: np.ndarray | None = None) -> np.ndarray:
    """(n, m) strategies each player may switch to in a joint deviation (within its bounds); `best`:
    the players' unilateral best responses when already known (the regret certificate's)."""
    lo, hi = game.strategy_bounds()
    if game.finite:
        return np.clip(np.tile([0.0, 1.0], (game.n, 1)), lo[:, None], hi[:, None])
    if best is None:
        _, best = best_responses(game, profile)
    grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0, 1, points)[None, :]
    return np.concatenate([profile[:, None], best[:, None], grid], axis=1)


@dataclass(frozen=True)
class CoalitionRegret:
    """The best joint deviation of at most `size` players from `profile`."""

    size: int
    gain: float                      # largest total gain of the members
    members: tuple[int, ...]
    deviation: np.ndarray            # the profile after that deviation
    pareto_gain: float               # largest total gain where every member gains
    pareto_members: tuple[int, ...]
    exhaustive: bool
    profiles: int                    # joint profiles evaluated
    method: str
    exact: bool = False              # every coalition and every joint deviation: the gain is the maximum

    @property
    def search(self) -> str:
        """What the gain is: the exact maximum, or a lower bound and why."""
        if self.exact:
            return "exact"
        if not self.exhaustive:
            return "lower bound (sampled coalitions)"
        return "lower bound (candidate strategies)"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"size": self.size, "gain": self.gain, "members": self.members,
                              "pareto gain": self.pareto_gain, "pareto members": self.pareto_members,
                              "search": self.search, "profiles": self.profiles}])


def _coalitions(n: int, size: int, options: int, budget: int, rng: np.random.Generator,
                symmetric: bool = False) -> tuple[dict[int, np.ndarray], bool]:
    """size -> (c, size) array of coalitions: every coalition of 2..size players (one per size when the
    players are exchangeable at a symmetric profile), or a seeded sample when the joint profiles of
    all of them (times the players in each) exceed the budget."""
    sizes = range(2, size + 1)
    if symmetric:
        return {s: np.arange(s)[None, :] for s in sizes}, True
    total = sum(comb(n, s) * options ** s for s in sizes)
    if total * n <= budget:
        return {s: np.array(list(combinations(range(n), s))) for s in sizes}, True
    out = {}
    for s in sizes:
        per = max(1, budget // (len(sizes) * options ** s * n))
        picks = np.argsort(rng.random((per, n)), axis=1)[:, :s]
        out[s] = np.unique(np.sort(picks, axis=1), axis=0)
    return out, False


@reports_progress("coalition_regret: joint deviations")
def coalition_regret(game: Game, profile: Any, size: int = 2, budget: int | None = None, seed: int = 0,
                     best_response: np.ndarray | None = None, progress: bool | None = None) -> CoalitionRegret:
    """Largest joint gain of any coalition of at most `size` players deviating together.

    Exhaustive and vectorised over every coalition and joint candidate profile up to `budget` payoff
    evaluations; beyond it a seeded sample, flagged in `method`.

    Parameters
    ----------
    game : Game
        The game.
    profile : array_like
        The profile (an equilibrium) deviated from.
    size : int, default 2
        Largest coalition.
    budget : int, optional
        Payoff entries (joint profiles x players) the exhaustive search may evaluate; default the game's
        declared `traits.coalition_budget` (what its analysis spends), so a game whose payoffs are
        costly (turn_auction integrates a grid per profile) stays bounded at any size.
    seed : int, default 0
        Seed of the sampled search beyond the budget.
    best_response : array_like, optional
        Each player's best responses (added to the candidates).
    progress : bool, optional
        A progress bar on stderr (default: when stderr is a terminal or a notebook; False: never).

    Returns
    -------
    CoalitionRegret
        gain (total), members, deviation, method.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> game = pg.games.WinnerTakesAll(reward=10.0, provers=pop)
    >>> c = pg.coalition_regret(game, [1, 1, 1], size=2)
    >>> round(c.gain, 4), c.members
    (1.1667, (1, 2))
    """
    game = check_game(game)
    seed = check_int("seed", seed, lo=0)
    p = game.check_one_profile(profile)
    if game.n < 2:
        raise InvalidParameter("game", game.title, "a game with at least 2 players for coalitions")
    size = min(check_int("size", size, lo=2, hi=1000), game.n)
    budget = check_int("budget", game.traits.coalition_budget if budget is None else budget, lo=1, hi=10 ** 10)
    cand = candidate_strategies(game, p, best=best_response)
    m = cand.shape[1]
    base = np.asarray(game.expected_payoffs(p), dtype=float)
    scale = max(1.0, float(np.abs(base).max()))
    floor = GAIN_FLOOR * scale
    symmetric = bool(game.traits.exchangeable and np.all(p == p[0]))
    groups, exhaustive = _coalitions(game.n, size, m, budget, np.random.default_rng(seed), symmetric)
    best, best_members, best_profile = 0.0, (), p.copy()
    pareto, pareto_members = 0.0, ()
    count, chunk = 0, max(1, min(CHUNK, CHUNK_ENTRIES // game.n))
    block = chunk * BLOCK_CHUNKS
    expect("coalition_regret", sum(len(c) * m ** s for s, c in groups.items()))
    for s, coalitions in groups.items():
        choices = np.array(list(product(range(m), repeat=s)))                    # (M, s)
        pairs = np.array(list(product(range(len(coalitions)), range(len(choices)))))  # every coalition x choice
        for start in range(0, len(pairs), block):
            c_idx, ch_idx = pairs[start:start + block].T
            members = coalitions[c_idx]                                          # (B, s)
            batch = np.broadcast_to(p, (len(c_idx), game.n)).copy()
            rows = np.arange(len(c_idx))[:, None]
            batch[rows, members] = cand[members, choices[ch_idx]]
            if isinstance(game, protocols.MemberPayoffs):       # the members' payoffs alone, each joint move once
                moves = np.concatenate([members, batch[rows, members]], axis=1)
                distinct, where = np.unique(moves, axis=0, return_inverse=True)
                pay = game.member_payoffs(p, distinct[:, :s].astype(int), distinct[:, s:])
                gains = pay[where.reshape(-1)] - base[members]
            else:
                pay = _distinct_payoffs(game, batch, chunk)
                gains = pay[rows, members] - base[members]
            total = gains.sum(axis=1)
            count += len(c_idx)
            tick("coalition_regret", f"coalitions of {s}", steps=len(c_idx))
            k = int(np.argmax(total))
            if total[k] > max(best, floor):
                best, best_members, best_profile = float(total[k]), tuple(int(i) for i in members[k]), batch[k].copy()
            everyone = np.all(gains > 1e-12 * scale, axis=1)
            if everyone.any():
                j = int(np.argmax(np.where(everyone, total, -np.inf)))
                if total[j] > max(pareto, floor):
                    pareto, pareto_members = float(total[j]), tuple(int(i) for i in members[j])
    sampled = sum(len(c) for c in groups.values())
    method = ("exhaustive over every coalition and joint candidate profile" if exhaustive else
              f"heuristic: {sampled} sampled coalitions (the search budget is {budget} payoff entries)")
    if symmetric:
        method = "exchangeable players at a symmetric profile: one coalition of each size, every joint candidate"
    exact = exhaustive and game.finite          # entry games: joint payoffs are multilinear, a pure vertex is best
    if not game.finite:
        method += " (continuous strategies: each member's played, best-response and 3 grid strategies; a lower bound)"
    return CoalitionRegret(size, best, best_members, best_profile, pareto, pareto_members, exhaustive, count, method,
                           exact)


def _distinct_payoffs(game: Game, batch: np.ndarray, chunk: int) -> np.ndarray:
    """expected_payoffs of every row, each distinct joint profile evaluated once (in calls of at most
    `chunk` profiles): members that keep their strategy make the same profile recur across coalitions
    (the equilibrium itself once per coalition, each unilateral deviation once per coalition holding it)."""
    distinct, where = np.unique(batch, axis=0, return_inverse=True)
    pay = np.concatenate([np.asarray(game.expected_payoffs(distinct[k:k + chunk]), dtype=float)
                          for k in range(0, len(distinct), chunk)])
    return pay[where.reshape(-1)]


@dataclass(frozen=True)
class Cartel:
    """A collusive profile of `members` and whether grim trigger sustains it."""

    members: tuple[int, ...]
    profile: np.ndarray              # the cartel's profile (others at the equilibrium)
    equilibrium: np.ndarray
    gain: float                      # members' joint profit at the cartel minus at the equilibrium
    deviation_gain: np.ndarray       # g_i: best one-shot gain of member i from the cartel
    punishment_loss: np.ndarray      # l_i: per-period loss of member i once punished
    delta_star: float                # sustainable for delta >= delta_star (inf: never)
    method: str

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"member": list(self.members), "cartel strategy": self.profile[list(self.members)],
                             "equilibrium strategy": self.equilibrium[list(self.members)],
                             "deviation gain g": self.deviation_gain, "punishment loss l": self.punishment_loss})


def _joint_search(game: Game, members: np.ndarray, start: np.ndarray, points: int, zooms: int) -> np.ndarray:
    """Maximise the members' joint payoff over their strategies (grid, then zoomed grids)."""
    lo, hi = game.strategy_bounds()
    if game.finite:
        grids = np.clip(np.tile([0.0, 1.0], (len(members), 1)), lo[members, None], hi[members, None])
        zooms = 0
    else:
        grids = lo[members, None] + (hi - lo)[members, None] * np.linspace(0, 1, points)[None, :]
        grids = np.concatenate([grids, start[members, None]], axis=1)
    best = start.copy()
    best_val = float(np.asarray(game.expected_payoffs(start))[members].sum())
    for z in range(zooms + 1):
        choices = np.array(list(product(range(grids.shape[1]), repeat=len(members))))
        for s in range(0, len(choices), CHUNK):
            ch = choices[s:s + CHUNK]
            batch = np.broadcast_to(best, (len(ch), game.n)).copy()
            batch[:, members] = grids[np.arange(len(members))[None, :], ch]
            val = np.asarray(game.expected_payoffs(batch), dtype=float)[:, members].sum(axis=1)
            k = int(np.argmax(val))
            if val[k] > best_val + 1e-12 * max(1.0, abs(best_val)):
                best_val, best = float(val[k]), batch[k].copy()
            tick("cartel", f"grid {z + 1} of {zooms + 1}", steps=len(ch))
        if game.finite:
            break
        width = (hi - lo)[members] / (points - 1) / (2 ** z)
        grids = np.clip(best[members, None] + width[:, None] * np.linspace(-1, 1, points)[None, :],
                        lo[members, None], hi[members, None])
    return best


@reports_progress("cartel: joint profiles")
def cartel(game: Game, members: Any, profile: Any = None, points: int = 17, zooms: int = 3,
           progress: bool | None = None) -> Cartel:
    """The members' jointly best profile against the others' equilibrium, its gain, and delta*.

    A cartel is sustainable under grim trigger when the discount factor is at least
    delta* = max_i g_i / (g_i + l_i) (Friedman 1971), g_i the member's one-shot gain from cheating
    on the cartel and l_i its per-round loss from reversion; side payments split the gain where a
    member would lose.

    Parameters
    ----------
    game : Game
        The game.
    members : sequence of int
        The cartel's players (distinct indices).
    profile : array_like, optional
        The others' profile (default: the equilibrium).
    points, zooms : int
        Grid resolution of the joint search over continuous strategies.
    progress : bool, optional
        A progress bar on stderr (default: when stderr is a terminal or a notebook; False: never).

    Returns
    -------
    Cartel
        members, profile, gain, delta_star, method.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> game = pg.games.WinnerTakesAll(reward=10.0, provers=pop)
    >>> k = pg.cartel(game, [0, 1])
    >>> round(k.gain, 4), round(k.delta_star, 4)
    (0.1667, 0.95)
    """
    game = check_game(game)
    eq = game.equilibrium()[0] if profile is None else game.check_one_profile(profile)
    idx = np.array(check_members("members", members, game.n))
    points = check_int("points", points, lo=3, hi=257)
    zooms = check_int("zooms", zooms, lo=0, hi=20)
    collusive = _joint_search(game, idx, eq, points, zooms)
    pay_c = np.asarray(game.expected_payoffs(collusive), dtype=float)
    pay_n = np.asarray(game.expected_payoffs(eq), dtype=float)
    best, _ = best_responses(game, collusive)
    g = np.maximum(best[idx] - pay_c[idx], 0.0)
    loss = pay_c[idx] - pay_n[idx]
    gain = float(loss.sum())
    scale = max(1.0, float(np.abs(pay_n).max()))
    members_t = tuple(int(i) for i in idx)
    if gain <= GAIN_FLOOR * scale:
        return Cartel(members_t, collusive, eq, max(gain, 0.0), g, loss, float("nan"),
                      "no cartel: the members cannot jointly gain over the equilibrium")
    method = "grim trigger: delta* = max_i g_i / (g_i + l_i) (Friedman 1971)"
    if np.any(loss <= 0):
        # a member that loses in the cartel profile is paid to stay: the gain is split equally
        share = pay_n[idx] + gain / len(idx)
        g = np.maximum(best[idx] - share, 0.0)
        loss = np.full(len(idx), gain / len(idx))
        method += "; with side payments splitting the joint gain equally (a member loses without them)"
    delta = float(np.max(g / (g + loss)))
    return Cartel(members_t, collusive, eq, gain, g, loss, delta, method)


def grim_trigger_values(game: Game, result: Cartel, member: int, delta: float, periods: int = 400,
                        rounds: int = 2000, seed: int = 0) -> tuple[float, float]:
    """The repeated game played by the protocol rules (game.play), one block of `rounds` rounds per
    period: (discounted payoff of `member` staying in the cartel, of deviating once and being punished
    with the equilibrium forever after). The simulator never calls the payoff formulas."""
    i = check_int("member", member, lo=0, hi=game.n - 1)
    best_value, best_strategy = best_responses(game, result.profile)
    deviate = result.profile.copy()
    deviate[i] = best_strategy[i]
    rng = np.random.default_rng(seed)

    def stage(prof: np.ndarray) -> float:
        return float(game.play(prof, rng, rounds).moments().payoff[i] / rounds)

    disc = delta ** np.arange(periods)
    coop, punished, once = stage(result.profile), stage(result.equilibrium), stage(deviate)
    return float(coop * disc.sum()), float(once + punished * disc[1:].sum())
