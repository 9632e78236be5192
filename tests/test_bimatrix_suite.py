"""The two-player games of nashpy's, QuantEcon.py's and Gambit's test suites (tests/data/
bimatrix_suite.json, built once by tests/data/make_bimatrix_suite.py) with their extreme equilibria
computed by cddlib in exact rational arithmetic: `bimatrix` must return exactly that set (nothing
missed, nothing extra) at the payoffs' own scale and at x1e-6 and x1e6."""
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from provergame.solvers.nash import bimatrix, relative_regret

SUITE = json.loads((Path(__file__).parent / "data" / "bimatrix_suite.json").read_text())["games"]


def _floats(rows):
    return np.array([[float(Fraction(v)) for v in row] for row in rows])


def _matches(found, reference) -> tuple[int, int]:
    """(missed, extra): reference equilibria with no found point within 1e-9, and the converse."""
    def near(a, b):
        return np.allclose(a[0], b[0], atol=1e-9) and np.allclose(a[1], b[1], atol=1e-9)
    missed = sum(not any(near(r, f) for f in found) for r in reference)
    extra = sum(not any(near(f, r) for r in reference) for f in found)
    return missed, extra


def test_suite_is_the_one_described():
    assert len(SUITE) == 85
    sources = {g["name"].split(":")[0] for g in SUITE}
    assert sources == {"nashpy", "quantecon", "gambit"}
    counts = {g["name"]: len(g["equilibria"]) for g in SUITE}
    assert counts["gambit:catalog/journals/dcg/vonstengel1999/6x6_game_with_75_eq.nfg"] == 75
    assert counts["gambit:contrib/games/winkels.nfg"] == 12          # Winkels 1979: 12 extreme equilibria


@pytest.mark.parametrize("game", SUITE, ids=[g["name"] for g in SUITE])
@pytest.mark.parametrize("factor", [1.0, 1e-6, 1e6])
def test_suite_game_gives_exactly_its_extreme_equilibria(game, factor):
    A, B = _floats(game["A"]), _floats(game["B"])
    reference = [(_floats([x])[0], _floats([y])[0]) for x, y in game["equilibria"]]
    found = bimatrix(A * factor, B * factor).equilibria
    assert _matches(found, reference) == (0, 0)
    for x, y in found:
        assert relative_regret(A, B, x, y) <= 1e-9
