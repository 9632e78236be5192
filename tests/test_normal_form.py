"""General finite games (issue 16): n-player mixed equilibria and the bimatrix reference games, each
checked against payoffs summed here cell by cell and against published counts."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

import provergame as pg
from provergame.solvers.nash import bimatrix, relative_regret

DATA = Path(__file__).parent / "data"


def nfg_tensor(outcomes, actions):
    """Gambit's NFG outcome order (player 1's action fastest) into payoffs[a_1, ..., a_n, i]."""
    out = np.zeros(tuple(actions) + (len(actions),))
    for k, u in enumerate(outcomes):
        idx, rest = [], k
        for a in actions:
            idx.append(rest % a)
            rest //= a
        out[tuple(idx)] = u
    return out


# McKelvey and McLennan's 2x2x2 example (Gambit contrib/games/2x2x2.nfg): 9 equilibria, 2 totally mixed
MCKELVEY_MCLENNAN = nfg_tensor([(9, 8, 12), (0, 0, 0), (0, 0, 0), (9, 8, 2), (0, 0, 0), (3, 4, 6), (3, 4, 6),
                                (0, 0, 0)], (2, 2, 2))


def by_hand_gains(payoffs, strategies):
    """Each player's best deviation gain, summing every cell's probability explicitly."""
    n = payoffs.ndim - 1
    gains = []
    for i in range(n):
        values = np.zeros(payoffs.shape[i])
        for cell in itertools.product(*(range(k) for k in payoffs.shape[:-1])):
            p = np.prod([strategies[j][cell[j]] for j in range(n) if j != i])
            values[cell[i]] += p * payoffs[cell + (i,)]
        gains.append(values.max() - values @ strategies[i])
    return gains


def test_mckelvey_mclennan_has_nine_equilibria_two_totally_mixed():
    res = pg.equilibria(pg.NormalFormGame(MCKELVEY_MCLENNAN))
    assert len(res) == 9 and res.skipped == 0
    pure = [e for e in res if all(np.isin(s, (0.0, 1.0)).all() for s in e)]
    totally_mixed = [e for e in res if all((s > 0).all() for s in e)]
    assert len(pure) == 4 and len(totally_mixed) == 2
    for e in res:
        assert max(by_hand_gains(MCKELVEY_MCLENNAN, e)) <= 1e-9
    mixed = sorted(tuple(np.round(np.concatenate(e), 9)) for e in totally_mixed)
    np.testing.assert_allclose(mixed, [(0.4, 0.6, 0.5, 0.5, 1 / 3, 2 / 3), (0.5, 0.5, 0.4, 0.6, 0.25, 0.75)],
                               atol=1e-9)


def test_a_game_whose_only_equilibrium_is_mixed():
    """Jordan's three-player matching pennies: 1 matches 2, 2 matches 3, 3 mismatches 1: only (1/2)^3."""
    P = np.zeros((2, 2, 2, 3))
    for a, b, c in itertools.product(range(2), repeat=3):
        P[a, b, c] = [1 if a == b else -1, 1 if b == c else -1, 1 if c != a else -1]
    res = pg.equilibria(P)
    assert len(res) == 1
    np.testing.assert_allclose(np.concatenate(res.equilibria[0]), 0.5, atol=1e-12)


@pytest.mark.parametrize("factor", [1e-6, 1.0, 1e6])
def test_scaled_n_player_games_keep_their_equilibria(factor):
    base = pg.equilibria(MCKELVEY_MCLENNAN)
    scaled = pg.equilibria(MCKELVEY_MCLENNAN * factor)
    key = lambda r: sorted(tuple(np.round(np.concatenate(e), 9)) for e in r)   # noqa: E731
    assert key(base) == key(scaled)


def test_bad_normal_form_games_are_refused():
    with pytest.raises(pg.InvalidParameter):
        pg.NormalFormGame(np.full((2, 2, 2, 3), np.nan))
    with pytest.raises(pg.InvalidParameter):
        pg.NormalFormGame(np.zeros((2, 2, 2, 2)))          # 3 players need 3 payoffs per cell
    with pytest.raises(pg.InvalidParameter):
        pg.NormalFormGame(np.zeros((0, 2, 2)))
    with pytest.raises(pg.InvalidParameter):
        bimatrix(np.array([[1.0, np.inf]]), np.zeros((1, 2)))


def _von_stengel():
    vals = [float(v) for line in (DATA / "vonstengel1999_6x6.txt").read_text().splitlines()
            if not line.startswith("#") for v in line.split()]
    P = nfg_tensor(list(zip(vals[::2], vals[1::2])), (6, 6))
    return P[..., 0], P[..., 1]


@pytest.mark.parametrize("factor", [1e-6, 1.0, 1e6])
def test_von_stengel_6x6_has_75_equilibria_at_any_scale(factor):
    """von Stengel (1999): 75 equilibria; found 72 before, 46 after multiplying the payoffs by 1000."""
    A, B = _von_stengel()
    res = bimatrix(A * factor, B * factor)
    assert len(res) == 75
    for x, y in res:
        assert relative_regret(A, B, x, y) <= 1e-9
