"""Equilibria of entry games (each prover enters or not; payoff p_i (V_i - cost_i)).

`solve` selects the equilibrium reached by sequential entry (best-response dynamics from the empty
profile: the prover with the largest gain moves first; for one game, the last game's path is checked in
batches of profiles first and kept as far as each step is the clear decision, which gives the same path);
`pure_equilibria` lists them all by
vectorised enumeration of the 2^n profiles (n <= 20); the symmetric mixed equilibrium of identical provers
by the root of V(p) = cost (V is strictly decreasing in the others' entry probability).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from provergame.lazy import optimize

from provergame.errors import InvalidParameter
from provergame.games.protocols import PureEntryValues

if TYPE_CHECKING:                      # annotations only: games import these kernels
    from provergame.games.base import Game

MAX_ENUMERATION = 20


def _tolerance(values: np.ndarray, cost: np.ndarray) -> float:
    return 1e-9 * max(1.0, float(np.max(np.abs(values))), float(np.max(cost)))


def all_profiles(n: int) -> np.ndarray:
    """Every pure profile as rows of 0/1 floats, in binary order (prover 0 is the lowest bit)."""
    idx = np.arange(2 ** n)[:, None]
    return ((idx >> np.arange(n)[None, :]) & 1).astype(float)


def pure_equilibria(game: Game, chunk: int = 512) -> np.ndarray:
    """All pure Nash equilibria (rows of 0/1) of a two-action game with n <= 20.

    Entry games (`protocols.EntryValues`): one evaluation of V per profile decides both staying and
    entering. Other two-action games: every profile's payoffs against its n one-flip neighbours."""
    from provergame.games.protocols import EntryValues
    n = game.n
    if n > MAX_ENUMERATION:
        raise InvalidParameter("provers", n, f"at most {MAX_ENUMERATION} provers for exhaustive enumeration")
    if not isinstance(game, EntryValues):
        return _pure_by_payoffs(game)
    if game.traits.entry_substitutes:
        return _pure_by_bounds(game)
    cost = game.entry_cost()
    found = []
    for start in range(0, 2 ** n, chunk):
        idx = np.arange(start, min(start + chunk, 2 ** n))[:, None]
        prof = ((idx >> np.arange(n)[None, :]) & 1).astype(float)
        values = game.entry_values(prof)
        tol = _tolerance(values, cost)
        gain = values - cost
        stable = np.where(prof == 1.0, gain >= -tol, gain <= tol).all(axis=1)
        found.append(prof[stable])
    return np.concatenate(found, axis=0)


def _pure_by_bounds(game: Game) -> np.ndarray:
    """Branch and bound over provers in order (strategic substitutes: V_i never rises when another
    enters). A node fixes the first k provers in or out. A decided entrant's value is highest with the
    undecided all out: if it does not cover its cost there, no completion keeps it in. A decided
    outsider's value is lowest with the undecided all in: if entering still pays there, no completion
    keeps it out. Both bounds prune whole subtrees; at depth n the two profiles coincide and the checks
    are the equilibrium conditions. Rows come in binary order (prover 0 the lowest bit)."""
    n, cost = game.n, game.entry_cost()
    nodes = np.zeros((1, 0))
    for k in range(n):
        m = len(nodes)
        nodes = np.concatenate([np.hstack([nodes, np.zeros((m, 1))]), np.hstack([nodes, np.ones((m, 1))])])
        fewest = np.hstack([nodes, np.zeros((len(nodes), n - k - 1))])
        most = np.hstack([nodes, np.ones((len(nodes), n - k - 1))])
        both = game.entry_values(np.concatenate([fewest, most]))[:, :k + 1]
        v_fewest, v_most = both[:len(nodes)], both[len(nodes):]
        tol = _tolerance(np.concatenate([v_fewest, v_most]), cost)
        entrants_gain = np.where(nodes == 1.0, v_fewest >= cost[:k + 1] - tol, True).all(axis=1)
        outsiders_stay = np.where(nodes == 0.0, v_most <= cost[:k + 1] + tol, True).all(axis=1)
        nodes = nodes[entrants_gain & outsiders_stay]
        if not len(nodes):
            break
    if len(nodes) < 2:
        return nodes
    return nodes[np.argsort(nodes @ (2.0 ** np.arange(n)), kind="stable")]


def _pure_by_payoffs(game: Game) -> np.ndarray:
    prof = all_profiles(game.n)
    pay = np.asarray(game.expected_payoffs(prof), dtype=float)              # (2^n, n)
    idx = np.arange(len(prof))[:, None]
    flipped = pay[idx ^ (1 << np.arange(game.n))[None, :], np.arange(game.n)[None, :]]
    tol = 1e-9 * max(1.0, float(np.max(np.abs(pay))))
    return prof[(pay >= flipped - tol).all(axis=1)]


def symmetric_mixed(game: Game) -> float:
    """Entry probability p with V(p, ..., p) = cost for identical provers (0 or 1 at the corners)."""
    if not game.provers.is_identical:
        raise InvalidParameter("symmetric", True, "only for games whose provers are identical")
    n, c = game.n, float(game.entry_cost()[0])

    def gain(p: float) -> float:
        return float(game.entry_values(np.full(n, p))[0]) - c

    if gain(1.0) >= 0:
        return 1.0
    if gain(0.0) <= 0:
        return 0.0
    return optimize.brentq(gain, 0.0, 1.0, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200)


def best_response_dynamics(game: Game, start: np.ndarray | None = None, max_steps: int | None = None) -> np.ndarray | None:
    """Pure best-response dynamics: flip the prover with the largest gain until none gains.

    Returns None if it does not settle within `max_steps` (a cycle).
    """
    start = np.zeros((1, game.n)) if start is None else np.asarray(start, dtype=float)[None, :]
    prof = sequential_entry(game, np.zeros((1, game.n), dtype=bool), start, max_steps)[0]
    return None if np.isnan(prof).any() else prof


def sequential_entry(game: Game, frozen: np.ndarray, start: np.ndarray | None = None,
                     max_steps: int | None = None) -> np.ndarray:
    """Best-response dynamics in many games at once: row r starts from `start[r]` (the empty profile
    by default) with the provers of `frozen[r]` kept where they start, and flips the prover with the
    largest gain until none gains; rows that do not settle within `max_steps` come back NaN."""
    cost = game.entry_cost()
    prof = np.zeros(frozen.shape) if start is None else start.copy()
    active = np.ones(len(frozen), dtype=bool)
    pure = game.pure_entry_values() if isinstance(game, PureEntryValues) else None   # the same values, set up once
    if pure is not None and not np.all((prof == 0.0) | (prof == 1.0)):
        pure = None                                                  # (flips keep a pure start pure)
    top_cost = float(np.max(cost))
    if pure is not None and len(frozen) == 1:
        steps = max_steps or 20 * game.n + 20
        if frozen.any() or prof.any():
            return _one_pure_path(pure, cost, frozen, prof, top_cost, steps)
        return _path_from_empty(pure, cost, frozen, prof, top_cost, steps, type(game).__name__, game.provers.names)
    for _ in range(max_steps or 20 * game.n + 20):
        idx = np.flatnonzero(active)
        if not len(idx):
            return prof
        p = prof[idx]
        on = p == 1.0
        gain, scale = _flip_gains(game.entry_values(p) if pure is None else pure(on), on, cost, frozen[idx], top_cost)
        who = np.argmax(gain, axis=1)
        settled = gain[np.arange(len(idx)), who] <= 1e-9 * scale
        active[idx[settled]] = False
        move = idx[~settled], who[~settled]
        prof[move] = 1.0 - prof[move]
    prof[active] = np.nan
    return prof


def _flip_gains(values: np.ndarray, on: np.ndarray, cost: np.ndarray, frozen: np.ndarray, top_cost: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """(each prover's gain from flipping its entry, -inf where frozen; each row's scale, max(1, its largest
    |value|, the largest cost), 1e-9 of which a gain must exceed) for rows of pure profiles `on`: what every
    sequential-entry loop decides a step by."""
    scale = np.maximum(np.maximum(1.0, np.abs(values).max(axis=1)), top_cost)
    return np.where(frozen, -np.inf, np.where(on, cost - values, values - cost)), scale


def _one_pure_path(pure, cost: np.ndarray, frozen: np.ndarray, prof: np.ndarray, top_cost: float,
                   steps: int, flips: list[int] | None = None) -> np.ndarray:
    """`sequential_entry` for one row of pure profiles: the same values, tolerance, gains and flips as the
    rows loop, without its bookkeeping (a timeline solves one entry game at each arrival); the provers
    flipped are appended to `flips`."""
    for _ in range(steps):
        on = prof == 1.0
        gain, scale = _flip_gains(pure(on), on, cost, frozen, top_cost)
        who = int(np.argmax(gain))
        if gain[0, who] <= 1e-9 * scale[0]:
            return prof
        prof[0, who] = 1.0 - prof[0, who]
        if flips is not None:
            flips.append(who)
    prof[:] = np.nan
    return prof


_LAST_PATH: dict[str, tuple[str, ...]] = {}   # game class -> its last path from the empty profile, by prover
CLEAR = 1e-11        # a step is taken from a batch of profiles only where its decision clears every other by
REPAIRS = 4          # this (relative to the step's tolerance scale): rounding cannot reverse it one row at a time


def _path_from_empty(pure, cost: np.ndarray, frozen: np.ndarray, prof: np.ndarray, top_cost: float, steps: int,
                     kind: str, names: tuple[str, ...]) -> np.ndarray:
    """`_one_pure_path` from the empty profile, its first steps checked in batches against a candidate: the last
    path of a game of this class, by prover name (a timeline's next entry game differs by an arrival or a
    departure, so most of its path is the last one's). The dynamics are Markov, so from the first step where
    the candidate is not the clear decision, the loop goes on one profile at a time: the same path and
    equilibrium as without the candidate."""
    at = {name: i for i, name in enumerate(names)}
    candidate = [at[name] for name in _LAST_PATH.get(kind, ()) if name in at]
    flips: list[int] = []
    for _ in range(REPAIRS):
        if not candidate:
            break
        taken, nxt = _checked_steps(pure, cost, frozen, prof, top_cost, candidate)
        for who in candidate[:taken]:
            prof[0, who] = 1.0 - prof[0, who]
        flips += candidate[:taken]
        if nxt is None or len(flips) >= steps:
            break
        rest = candidate[taken:]
        if nxt in rest:
            rest.remove(nxt)
        candidate = [nxt] + rest
    out = _one_pure_path(pure, cost, frozen, prof, top_cost, steps - len(flips), flips)
    if not np.isnan(out).any():
        _LAST_PATH[kind] = tuple(names[i] for i in flips)
    return out


def _checked_steps(pure, cost: np.ndarray, frozen: np.ndarray, prof: np.ndarray, top_cost: float,
                   candidate: list[int]) -> tuple[int, int | None]:
    """(how many of the candidate's flips from `prof` are each step's clear decision, the prover clearly
    flipped where the candidate goes another way: None where that step is not clear, or settles), every
    profile along the candidate evaluated in one batch."""
    steps = len(candidate)
    toggles = np.zeros((steps + 1, prof.shape[1]), dtype=bool)
    toggles[0] = prof[0] == 1.0
    toggles[np.arange(1, steps + 1), candidate] = True
    on = np.logical_xor.accumulate(toggles, axis=0)                      # prof with the first t flips applied
    gain, scale = _flip_gains(pure(on), on, cost, frozen, top_cost)
    best = np.argmax(gain, axis=1)
    top2 = -np.partition(-gain, 1, axis=1)[:, :2] if gain.shape[1] > 1 else np.c_[gain, np.full(len(gain), -np.inf)]
    clear = (top2[:, 0] - top2[:, 1] > CLEAR * scale) & (top2[:, 0] - 1e-9 * scale > CLEAR * scale)
    agree = clear[:steps] & (best[:steps] == np.asarray(candidate))
    taken = int(np.argmin(agree)) if not agree.all() else steps
    return taken, (int(best[taken]) if clear[taken] else None)


def logit_dynamics(game: Game, steps: int = 4000) -> np.ndarray:
    """Mixed profile by annealed logit (smoothed) best responses; the caller certifies its regret."""
    n = game.n
    cost = game.entry_cost()
    p = np.full(n, 0.5)
    scale = max(1e-12, float(np.max(cost)))
    for k in range(steps):
        temp = scale * 0.5 * (1 - k / steps) ** 3 + 1e-9 * scale
        gain = game.entry_values(p) - cost
        target = 0.5 * (1 + np.tanh(np.clip(gain / (2 * temp), -350, 350)))
        p = p + (target - p) / (1 + k) ** 0.6
    return p


def solve_entry_game(game: Game, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
    n = game.n
    if symmetric:
        p = symmetric_mixed(game)
        return np.full(n, p), "symmetric mixed: root of V(p) = cost (brentq)", True
    prof = best_response_dynamics(game)
    if prof is not None:
        return prof, "sequential entry: best-response dynamics from the empty profile", True
    if n <= 16:
        eqs = pure_equilibria(game)
        if len(eqs):
            pay = (eqs * (game.entry_values(eqs) - game.entry_cost())).sum(axis=1)
            best = eqs[int(np.argmax(pay - 1e-12 * eqs.sum(axis=1)))]
            return best, f"pure enumeration ({len(eqs)} pure equilibria; highest total surplus)", True
    return logit_dynamics(game), "annealed logit dynamics (mixed; see regret)", False
