"""Independent recomputations the tests compare the library with (never its own solvers)."""
import itertools

import numpy as np


def _entries(game) -> list[list[float]]:
    """Each prover's pure entries: 0 and 1, or the single 0 of a prover that cannot enter."""
    lo, hi = game.strategy_bounds()
    return [sorted({float(a), float(b)}) for a, b in zip(lo, hi)]


def pure_entry_equilibria(game) -> np.ndarray:
    """Every pure equilibrium of an entry game: each of its pure profiles against each prover's flip,
    from the game's payoffs alone. Rows are profiles (prover 0 first), as an (k, n) array."""
    choices = _entries(game)
    prof = np.array(list(itertools.product(*choices)), dtype=float).reshape(-1, game.n)
    pay = np.asarray(game.expected_payoffs(prof), dtype=float)
    index = {tuple(p): k for k, p in enumerate(prof)}
    tol = 1e-9 * max(1.0, float(np.abs(pay).max()))
    stable = []
    for k, p in enumerate(prof):
        flips = [(i, np.where(np.arange(game.n) == i, choices[i][1] if p[i] == choices[i][0] else choices[i][0], p))
                 for i in range(game.n) if len(choices[i]) == 2]
        if all(pay[index[tuple(q)], i] <= pay[k, i] + tol for i, q in flips):
            stable.append(p)
    return np.array(stable).reshape(-1, game.n)


def best_joint_gain(game, profile: np.ndarray, sizes=(2, 3), choices=None) -> float:
    """The largest joint gain of any coalition of the given sizes moving together to any of its
    members' `choices` (default: pure entries), one coalition's joint moves per payoff call, from the
    game's payoffs (0 when none gains)."""
    choices = _entries(game) if choices is None else choices
    base = np.asarray(game.expected_payoffs(profile), dtype=float)
    best = 0.0
    for k in sizes:
        for members in itertools.combinations(range(game.n), k):
            m = list(members)
            trials = np.tile(np.asarray(profile, dtype=float), (int(np.prod([len(choices[i]) for i in m])), 1))
            trials[:, m] = list(itertools.product(*[choices[i] for i in m]))
            gains = (np.asarray(game.expected_payoffs(trials), dtype=float)[:, m] - base[m]).sum(axis=1)
            best = max(best, float(gains.max()))
    return best
