import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from provergame import games
from provergame.proofs import race
from provergame.proofs.engine import Theorem, prove, prove_all

x, y, z = sp.symbols("x y z", positive=True)


def test_true_false_and_undecidable():
    assert prove(Theorem("amgm", (x + y) / 2 >= sp.sqrt(x * y))).status == "proved"
    res = prove(Theorem("wrong", x >= y))
    assert res.status == "refuted" and sp.Rational(res.counterexample["x"]) < sp.Rational(res.counterexample["y"])
    assert prove(Theorem("exp", sp.exp(x) > 1)).status in ("unknown", "proved")
    m = sp.Symbol("m", integer=True, positive=True)
    assert prove(Theorem("int", m ** 2 >= m)).status == "proved"
    assert prove(Theorem("needs_assumption", x * y >= 1, (x >= 1, y >= 1))).status == "proved"


@given(a=st.integers(-5, 5), b=st.integers(-5, 5), c=st.integers(-5, 5), d=st.integers(-5, 5))
def test_never_proves_a_false_claim(a, b, c, d):
    """a x^2 + b x y + c y >= d over positive reals: a sampled violation forbids 'proved'."""
    claim = a * x ** 2 + b * x * y + c * y ** 2 >= d
    res = prove(Theorem("poly", claim))
    grid = np.linspace(0.01, 5, 40)
    X, Y = np.meshgrid(grid, grid)
    violated = np.any(a * X ** 2 + b * X * Y + c * Y ** 2 < d - 1e-9)
    if violated:
        assert res.status != "proved"
    if res.status == "refuted":
        vals = {sp.Symbol(k, positive=True): sp.Rational(v) for k, v in res.counterexample.items()}
        assert claim.subs(vals) == sp.false


@pytest.mark.parametrize("family", [race.winner_takes_all, race.speed_race, race.uncle_rewards,
                                    race.minimum_proving_time, race.sequencer_chosen])
def test_race_family_theorems_are_proved(family):
    table = prove_all(family())
    assert (table["status"] == "proved").all(), table


def test_games_expose_their_theorems_and_symbolic_forms():
    from provergame import Population
    P = Population.identical(3)
    for g in (games.WinnerTakesAll(1.0, P), games.SpeedRace(1.0, P), games.UncleRewards(1.0, .2, 1, P),
              games.MinimumProvingTime(1.0, .5, P), games.SequencerChosen(1.0, 1.0, .9, P)):
        assert g.theorems() and g.symbolic()
    sym = games.SpeedRace(1.0, P).symbolic()
    n = sp.Symbol("n", integer=True, positive=True)
    assert sp.simplify(sym["dissipation"] - (n - 1) / n) == 0
