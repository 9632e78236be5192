"""Picklable game factories for sweep tests (importable by worker processes)."""
import provergame as pg

POP = pg.Population.from_arrays(cost=[0.5, 0.8, 1.0, 1.3], rate=[1.5, 1.0, 0.8, 2.0], reliability=[0.95, 1, 0.9, 0.97])


def uncle_game(uncle_share, uncles=2, reward=10.0):
    return pg.games.UncleRewards(reward, uncle_share, int(uncles), POP)
