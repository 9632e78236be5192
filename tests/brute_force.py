"""Independent recomputations the tests compare the library with (never its own solvers)."""
import itertools

import numpy as np


def pure_entry_equilibria(game) -> np.ndarray:
    """Every pure equilibrium of an entry game: each of the 2^n profiles against each prover's flip,
    from the game's payoffs alone. Rows are profiles (prover 0 first), as an (k, n) array."""
    prof = np.array(list(itertools.product((0.0, 1.0), repeat=game.n))).reshape(-1, game.n)
    pay = np.asarray(game.expected_payoffs(prof), dtype=float)
    index = {tuple(p): k for k, p in enumerate(prof)}
    tol = 1e-9 * max(1.0, float(np.abs(pay).max()))
    stable = [p for k, p in enumerate(prof)
              if all(pay[k, i] >= pay[index[tuple(np.where(np.arange(game.n) == i, 1 - p, p))], i] - tol
                     for i in range(game.n))]
    return np.array(stable).reshape(-1, game.n)
