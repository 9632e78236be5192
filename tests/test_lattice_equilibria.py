"""Every mixed equilibrium of a price game's lattice from the n-player machinery (issue 29 item 4),
cross-checked against the lattice solver's (logit) equilibrium and by a brute-force deviation search."""
from __future__ import annotations

import numpy as np

import provergame as pg
from provergame.solvers.price_mixing import every_lattice_equilibrium, expected_payoffs, lattice_equilibrium


def brute_force_gain(game, mixed) -> float:
    """Each prover's best gain from any multiple of the tick against the others' mixtures, price by price."""
    prof, w = mixed.profiles()
    own = expected_payoffs(game, mixed)
    worst = -np.inf
    for i in range(game.n):
        for price in game.price_lattice():
            dev = prof.copy()
            dev[:, i] = price
            worst = max(worst, float(w @ game.expected_payoffs(dev)[:, i]) - own[i])
    return worst


def same(a, b) -> bool:
    return all(len(x) == len(y) and np.allclose(x, y) and np.allclose(p, q, atol=1e-7)
               for x, y, p, q in zip(a.support, b.support, a.probs, b.probs))


def test_three_provers_capacity_market_has_three_lattice_equilibria_one_of_them_the_solvers():
    """Three provers of capacity 2 facing demand 3 at reserve 5, tick 0.5: the subdivision finds three
    lattice equilibria, each with no profitable price on the lattice (checked price by price), and the
    logit branch's mixture is one of them."""
    pop = pg.Population.from_arrays(cost=[1.0, 1.2, 1.4], capacity=[2.0, 2.0, 2.0])
    game = pg.games.Snarketplace(5.0, 3.0, pop, tick=0.5)
    found = lattice_equilibrium(game, game.equilibrium()[0], game.sell_range())
    every, skipped = every_lattice_equilibrium(game, found)
    assert len(every) == 3 and skipped == 0
    for mixed in every:
        assert brute_force_gain(game, mixed) <= 1e-9
    assert any(same(found.mixed, m) for m in every)
    assert sum(any(len(s) > 1 for s in m.support) for m in every) >= 1


def test_two_provers_edgeworth_lattice_equilibrium_is_unique():
    pop = pg.Population.from_arrays(cost=[1.0, 1.2], capacity=[2.0, 2.0])
    game = pg.games.Snarketplace(3.0, 3.0, pop, tick=0.1)
    found = lattice_equilibrium(game, game.equilibrium()[0], game.sell_range())
    every, _ = every_lattice_equilibrium(game, found)
    assert len(every) == 1 and same(found.mixed, every[0])
    assert brute_force_gain(game, every[0]) <= 1e-9


def test_a_lattice_too_large_for_enumeration_says_so():
    pop = pg.Population.from_arrays(cost=[1.0, 1.2, 1.4], capacity=[2.0, 2.0, 2.0])
    game = pg.games.Snarketplace(5.0, 3.0, pop, tick=0.25)
    found = lattice_equilibrium(game, game.equilibrium()[0], game.sell_range())
    assert "support profiles" in every_lattice_equilibrium(game, found)
