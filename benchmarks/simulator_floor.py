"""pg.simulate of each game beside a plain numpy loop drawing the same law, as ratios in one run.

The floor is what a user would write for the law alone, over the same 10 seeds, keeping the whole
history: for protocol-elected games one categorical winner per round (from the game's own
first-assignment chances), its delivery and its proving time (exponential: the simulator's on-time
liveness needs it); for the turn auction every bidder's log-normal cost and
the two lowest bids; for races the exponential proving times of every entrant and the first finisher. pg.simulate does more (the protocol's rules, payments, proof times,
every metric with its standard error), so a ratio near 1-2 means the rules cost little beyond the
draws. Run: python benchmarks/simulator_floor.py [--out benchmarks/simulator_floor.md]
"""
from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np

import provergame as pg

SEEDS = range(10)


def population(n: int) -> pg.Population:
    rng = np.random.default_rng(1)
    return pg.Population.from_arrays(cost=np.full(n, 0.01), rate=rng.lognormal(0, 0.5, n),
                                     stake=rng.lognormal(3, 1, n), reliability=1.0)


def elected_floor(chances: np.ndarray, reliability: np.ndarray, rounds: int) -> list:
    p = chances / chances.sum()
    history = []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        who = rng.choice(len(p), size=rounds, p=p)
        history.append((who, rng.random(rounds) < reliability[who], rng.standard_exponential(rounds)))
    return history


def auction_floor(cost: np.ndarray, noise: float, rounds: int) -> list:
    """Lowest of the log-normal per-turn bids wins, paid the second-lowest."""
    history = []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        bids = cost * np.exp(noise * rng.standard_normal((rounds, len(cost))))
        two = np.partition(bids, 1, axis=1)
        history.append((np.argmin(bids, axis=1), two[:, 1]))
    return history


def race_floor(rate: np.ndarray, rounds: int) -> list:
    history = []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        history.append(np.argmin(rng.standard_exponential((rounds, len(rate))) / rate, axis=1))
    return history


def cases(n: int) -> dict:
    pop = population(n)
    return {
        "StakeVRF (stake)": pg.games.StakeVRF(10.0, pop),
        "IdentityVRF": pg.games.IdentityVRF(10.0, pop),
        "TaikoPool": pg.games.TaikoPool(10.0, pop, pool_size=min(32, n)),
        "TaikoProverPool": pg.games.TaikoProverPool.example(min(n, 32)),
        "DelegatedStake": pg.games.DelegatedStake.example(n),
        "StakeTurns": pg.games.StakeTurns(10.0, pop),
        "TurnAuction": pg.games.TurnAuction(10.0, pop),
        "WinnerTakesAll": pg.games.WinnerTakesAll(10.0, pop),
    }


def best_of(fns: list, repeat: int = 7) -> list[float]:
    """Each callable's best time over `repeat` rounds, the callables taking turns within each round (so a
    slow spell of the machine falls on all of them, not on one side of a ratio)."""
    for fn in fns:
        fn()
    best = [np.inf] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=None)
    parser.add_argument("--provers", type=int, default=100)
    args = parser.parse_args()
    lines = [f"pg.simulate over {len(SEEDS)} seeds beside a numpy loop drawing the same law over the same seeds "
             f"({args.provers} provers, reliability 1; {platform.machine()}, Python {platform.python_version()}).", "",
             "| game | rounds | numpy loop (s) | game.play (s) | ratio | pg.simulate (s) | ratio |",
             "|---|---|---|---|---|---|---|"]
    for name, game in cases(args.provers).items():
        profile = game.equilibrium()[0] if game.traits.strategy != "entry" else np.ones(game.n)
        profile = game.check_profile(profile)
        for rounds in (1_000, 10_000, 100_000):
            if game.traits.timing == "race":
                floor = lambda: race_floor(game.provers.rate, rounds)            # noqa: E731
            elif getattr(game, "rule", "") == "turn_auction":
                floor = lambda: auction_floor(game.provers.cost, game.cost_noise, rounds)   # noqa: E731
            else:
                chances = np.asarray(game.first_assignment(profile), dtype=float)
                floor = lambda: elected_floor(chances, game.provers.reliability, rounds)   # noqa: E731
            ours = lambda: [pg.simulate(game, profile, rounds=rounds, seed=s) for s in SEEDS]   # noqa: E731
            rules = lambda: [game.play(profile, np.random.default_rng(s), rounds) for s in SEEDS]   # noqa: E731
            a, b, c = best_of([floor, ours, rules])
            lines.append(f"| {name} | {rounds} | {a:.4g} | {c:.4g} | {c / a:.2f} | {b:.4g} | {b / a:.2f} |")
            print(lines[-1], flush=True)
    if args.out:
        Path(args.out).write_text("# Simulator against the numpy floor, per game\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
