"""The game factory of the sweep benchmark (importable by worker processes)."""
import provergame as pg

POP = pg.Population.from_arrays(cost=[0.5, 0.8, 1.0, 1.3, 0.9, 1.1], rate=[1.5, 1.0, 0.8, 2.0, 1.2, 0.7],
                                reliability=[0.95, 1, 0.9, 0.97, 0.99, 0.93])


def uncle_game(uncle_share, uncles):
    return pg.games.UncleRewards(10.0, float(uncle_share), int(uncles), POP)
