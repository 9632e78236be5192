"""Picklable game factories for sweep tests (importable by worker processes)."""
import provergame as pg

POP = pg.Population.from_arrays(cost=[0.5, 0.8, 1.0, 1.3], rate=[1.5, 1.0, 0.8, 2.0], reliability=[0.95, 1, 0.9, 0.97])


def uncle_game(uncle_share, uncles=2, reward=10.0):
    return pg.games.UncleRewards(reward, uncle_share, int(uncles), POP)


OTHER = pg.Population.from_arrays(cost=[0.5, 0.8, 1.0, 2.3], rate=[1.5, 1.0, 0.8, 2.0], reliability=[0.95, 1, 0.9, 0.97])


def uncle_game_other_costs(uncle_share, uncles=2, reward=10.0):
    return pg.games.UncleRewards(reward, uncle_share, int(uncles), OTHER)


def dying_game(uncle_share, uncles=2):
    """A factory whose worker process dies at one grid point (as a killed worker would)."""
    import os
    if uncle_share > 0.45 and os.environ.get("PROVERGAME_TEST_PARENT") != str(os.getpid()):
        os._exit(3)
    return uncle_game(uncle_share, uncles)


def slow_game(uncle_share, uncles=2):
    """A factory that stalls in worker threads (the sweep also builds each game once up front)."""
    import threading
    import time
    if uncle_share > 0.45 and threading.current_thread() is not threading.main_thread():
        time.sleep(3.0)
    return uncle_game(uncle_share, uncles)


def vrf_at(pop, reward):
    """A timeline grid's factory: StakeVRF at `reward` over the epoch's provers."""
    return pg.games.StakeVRF(reward, pop)


def turn_game(reward):
    """A game whose payoffs go through BLAS (the turn auction's batched matrix products)."""
    return pg.games.TurnAuction(reward, POP)
