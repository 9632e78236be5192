"""The rollout simulator: plays a game's protocol rules (game.play) for many seeded rounds.

Rounds are drawn in fixed-size chunks, each with its own child of SeedSequence(seed), so a run is
reproducible bit for bit; inside a chunk everything is vectorised over rounds and provers.
It never calls the analytic payoff formulas.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InvalidParameter, check_int
from .results import Rollout
from .timing import window_of
from provergame.games.base import Game, trusted_profiles
from provergame.solvers.metrics import from_stats

MAX_ROUNDS = 1_000_000_000


def chunk_size(n: int) -> int:
    return int(max(256, min(1 << 15, (1 << 22) // max(n, 1))))


def _profiles(p, mixed, rng: np.random.Generator, rounds: int):
    """(profile, rounds) to play: the pure profile for all rounds, or each round's draw from the
    provers' mixtures, rounds with the same draw played together."""
    if mixed is None:
        yield p, rounds
        return
    index = mixed.draw(rng, rounds)
    sizes = np.array([len(s) for s in mixed.support], dtype=np.int64)
    code = index @ np.concatenate([[1], np.cumprod(sizes[:-1])])          # one mixed-radix number per draw
    _, first, counts = np.unique(code, return_index=True, return_counts=True)
    yield from zip(mixed.at(index[first]), counts.tolist())


def _checked_mixture(game: Game, profile: Any) -> Any:
    """`profile` if it is a MixedProfile of this game's players, each support within its own bounds; else None."""
    from provergame.solvers.price_mixing import MixedProfile
    if not isinstance(profile, MixedProfile):
        return None
    if len(profile.support) != game.n:
        raise InvalidParameter("profile", f"a mixture of {len(profile.support)} players", f"{game.n} players")
    for i, s in enumerate(profile.support):
        rows = np.tile(profile.mean(), (len(s), 1))
        rows[:, i] = s
        game.check_profile(rows)
    return profile


def simulate(game: Game, profile, rounds: int = 100_000, seed: int = 0, window: float = 1.0) -> Rollout:
    """Monte Carlo means, standard errors and metrics of `game` played by its protocol rules.

    The simulator calls only `game.play` (draws, races, VRF, failures, payments), never the analytic
    payoff formulas, so its agreement with them (pg.cross_check) tests the payoffs. Rounds run in
    seeded chunks, reproducible bit for bit. Given a MixedProfile, every prover draws its strategy
    from its mixture each round.

    Parameters
    ----------
    game : Game
        The game.
    profile : array_like or MixedProfile
        One strategy per player.
    rounds : int, default 100_000
        Rounds (units of work) simulated, >= 2.
    seed : int, default 0
        Seed of the simulation.
    window : float, default 1.0
        On-time liveness: the share of demand whose proof landed within this many time units.

    Returns
    -------
    Rollout
        Mean payoffs and their standard errors, rewards, costs, participation, liveness and metrics.

    Raises
    ------
    InvalidParameter
        If the game, profile, rounds, seed or window is invalid.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> game = pg.games.WinnerTakesAll(reward=10.0, provers=pop)
    >>> roll = pg.simulate(game, [1, 1, 1], rounds=20_000, seed=0)
    >>> roll.mean_payoffs.round(2).tolist()
    [1.48, 3.83, 0.5]
    """
    if not isinstance(game, Game):
        raise InvalidParameter("game", type(game).__name__, "a provergame game (see provergame.games)")
    rounds = check_int("rounds", rounds, lo=2, hi=MAX_ROUNDS)
    seed = check_int("seed", seed, lo=0, hi=2 ** 63 - 1)
    window = window_of(window)
    mixed = _checked_mixture(game, profile)
    p = None if mixed is not None else game.check_one_profile(profile)
    n, size = game.n, chunk_size(game.n)
    children = np.random.SeedSequence(seed).spawn(-(-rounds // size))
    pay_sum, pay_sq = np.zeros(n), np.zeros(n)
    reward_sum, cost_sum, cost_sq, attempt_sum = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    smallest_reward = np.inf
    accepted = user_sum = user_sq = useful_sum = on_time_sum = on_time_sq = 0.0
    for k, child in enumerate(children):
        m = min(size, rounds - k * size)
        rng = np.random.default_rng(child)
        for prof, count in _profiles(p, mixed, rng, m):
            with trusted_profiles():         # checked above: play need not validate it again
                out = game.play(prof, rng, count)
            mom = out.moments()
            pay_sum += mom.payoff
            pay_sq += mom.payoff_sq
            reward_sum += mom.reward
            cost_sum += mom.cost
            cost_sq += mom.cost_sq
            smallest_reward = min(smallest_reward, mom.smallest_reward)
            attempt_sum += mom.attempts
            accepted += float(out.accepted.sum() if out.served is None else np.sum(out.served))
            served = out.on_time(window)
            on_time_sum += float(served.sum())
            on_time_sq += float(served @ served)
            user_sum += float(out.user_payment.sum())
            user_sq += float(out.user_payment @ out.user_payment)
            useful_sum += float(out.useful_cost.sum())
    mean = pay_sum / rounds
    var = np.maximum(pay_sq / rounds - mean ** 2, 0.0) * rounds / (rounds - 1)
    live = accepted / rounds
    user = user_sum / rounds
    user_var = max(user_sq / rounds - user ** 2, 0.0) * rounds / (rounds - 1)
    reward, cost, part = reward_sum / rounds, cost_sum / rounds, attempt_sum / rounds
    cost_var = np.maximum(cost_sq / rounds - cost ** 2, 0.0) * rounds / (rounds - 1)
    on_time = on_time_sum / rounds
    on_time_var = max(on_time_sq / rounds - on_time ** 2, 0.0) * rounds / (rounds - 1)
    metrics = from_stats(reward, cost, part, live, user, useful_sum / rounds, on_time, game.units_per_round)
    return Rollout(game=game.title, rounds=rounds, seed=seed, names=game.players.names,
                   mean_payoffs=mean, stderr=np.sqrt(var / rounds), mean_reward=reward, mean_cost=cost,
                   participation=part, eventual_liveness=live, eventual_liveness_stderr=float(np.sqrt(live * (1 - live) / rounds)),
                   user_payment=user, user_payment_stderr=float(np.sqrt(user_var / rounds)),
                   useful_cost=useful_sum / rounds, metrics=metrics, cost_stderr=np.sqrt(cost_var / rounds),
                   smallest_reward=smallest_reward, on_time=on_time,
                   on_time_stderr=float(np.sqrt(on_time_var / rounds)), window=window)
