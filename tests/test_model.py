import math

import pytest
from hypothesis import given, strategies as st

import provergame as pg
from provergame import games


@pytest.mark.parametrize("field,value,needle", [
    ("cost", -1.0, "cost[0]"), ("rate", 0.0, "rate[0]"), ("rate", -2.0, "rate[0]"),
    ("reliability", 1.5, "reliability[0]"), ("reliability", -0.1, "reliability[0]"),
    ("cost", math.nan, "cost[0]"), ("stake", math.inf, "stake[0]"), ("capacity", -1, "capacity[0]"),
])
def test_population_rejects_bad_columns(field, value, needle):
    kwargs = {"cost": [value if field == "cost" else 1.0, 1.0]}
    if field != "cost":
        kwargs[field] = [value, 1.0]
    with pytest.raises(pg.InvalidParameter) as err:
        pg.Population.from_arrays(**kwargs)
    assert needle in str(err.value) and isinstance(err.value, ValueError)


@given(st.one_of(st.floats(max_value=-1e-9), st.just(math.nan), st.just(math.inf)))
def test_any_invalid_cost_names_field_and_range(value):
    with pytest.raises(pg.InvalidParameter, match=r"cost\[1\].*in \[0, "):
        pg.Population.from_arrays(cost=[1.0, value])


def test_population_length_mismatch_and_identical():
    with pytest.raises(pg.InvalidParameter, match="rate"):
        pg.Population.from_arrays(cost=[1, 2], rate=[1, 2, 3])
    pop = pg.Population.identical(5, cost=2.0, rate=3.0)
    assert len(pop) == 5 and pop.is_identical and pop[2].rate == 3.0
    assert pop == pg.Population.identical(5, cost=2.0, rate=3.0) and hash(pop)
    with pytest.raises(pg.InvalidParameter):
        pg.Population.identical(0)


def test_prover_validates():
    with pytest.raises(pg.InvalidParameter, match="reliability"):
        pg.Prover(reliability=2.0)
    pop = pg.Population.of([pg.Prover(cost=1, name="a"), pg.Prover(cost=2, name="b")])
    assert pop.names == ("a", "b")


@pytest.mark.parametrize("make,needle", [
    (lambda P: games.WinnerTakesAll(-1.0, P), "reward"),
    (lambda P: games.WinnerTakesAll(math.nan, P), "reward"),
    (lambda P: games.UncleRewards(10.0, 1.5, 1, P), "uncle_share"),
    (lambda P: games.UncleRewards(10.0, 0.5, -1, P), "uncles"),
    (lambda P: games.UncleRewards(10.0, 0.5, 1.5, P), "uncles"),
    (lambda P: games.MinimumProvingTime(10.0, -1.0, P), "t_min"),
    (lambda P: games.MinimumProvingTime(10.0, 1.0, P, proving_time="gamma"), "proving_time"),
    (lambda P: games.SpeedRace(0.0, P), "reward"),
    (lambda P: games.SequencerChosen(1.0, 0.0, 0.9, P), "deadline"),
    (lambda P: games.SequencerChosen(1.0, 1.0, 1.0, P), "target"),
    (lambda P: games.SequencerChosen(1.0, 1.0, 0.9, P, pay="some"), "pay"),
    (lambda P: games.SequencerChosen(1.0, 1.0, 0.9, P, bond=-1), "bond"),
    (lambda P: games.WinnerTakesAll(1.0, [1, 2]), "provers"),
])
def test_game_parameters_validated(make, needle):
    P = pg.Population.from_arrays(cost=[1.0, 2.0])
    with pytest.raises(pg.InvalidParameter, match=needle):
        make(P)


def test_speed_race_needs_positive_costs_and_profiles_are_checked():
    with pytest.raises(pg.InvalidParameter, match=r"cost\[0\]"):
        games.SpeedRace(1.0, pg.Population.from_arrays(cost=[0.0, 1.0]))
    g = games.WinnerTakesAll(1.0, pg.Population.from_arrays(cost=[1.0, 2.0]))
    with pytest.raises(pg.InvalidParameter, match=r"profile\[1\]"):
        g.expected_payoffs([0.5, 1.5])
    with pytest.raises(pg.InvalidParameter, match="profile"):
        g.expected_payoffs([0.5])
    with pytest.raises(pg.InvalidParameter, match="rounds"):
        pg.simulate(g, [1, 1], rounds=0)
