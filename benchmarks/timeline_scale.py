"""pg.timeline at scale beside a numpy loop that only draws the same randomness, as ratios in one run.

StakeVRF with 100 provers, 10 units of work per epoch, 10 seeds, steady gas (each epoch's equilibrium
is reused once solved), rule "equilibrium". The floor loops over seeds and epochs and draws, per
epoch, what the timeline's rules draw: one categorical assignee per unit, its delivery and its
proving time. Issue 15's target is 10,000 epochs x 100 provers x 10 seeds in under 10 s on 2 cores.
Run: python benchmarks/timeline_scale.py [--epochs 1000] [--out benchmarks/timeline_scale.md]
"""
from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np

import provergame as pg
from provergame.timeline import Economy, Environment, timeline

N, DEMAND, SEEDS = 100, 10, list(range(10))


def floor(epochs: int, weights: np.ndarray) -> None:
    p = weights / weights.sum()
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        balance = np.zeros(N)
        for _ in range(epochs):
            who = rng.choice(N, size=DEMAND, p=p)
            ok = rng.random(DEMAND) < 0.99
            rng.standard_exponential(DEMAND)
            np.add.at(balance, who[ok], 1.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    pop = pg.Population.from_arrays(cost=rng.uniform(0.001, 0.004, N), stake=rng.lognormal(3, 1, N), reliability=0.99)
    env = Environment.steady(args.epochs, gas=50.0, token_price=4.0, demand=DEMAND)
    eco = Economy(gas_per_submission=781_000, bond=16.0, fallback="prune")
    make = lambda p: pg.games.StakeVRF(0.0161, p)                  # noqa: E731
    t = time.perf_counter()
    floor(args.epochs, pop.stake)
    a = time.perf_counter() - t
    t = time.perf_counter()
    timeline(make, pop, env, seeds=SEEDS, economy=eco)
    b = time.perf_counter() - t
    per_epoch = b / (args.epochs * len(SEEDS))
    lines = [f"pg.timeline (StakeVRF, {N} provers, {DEMAND} units per epoch, {len(SEEDS)} seeds, rule equilibrium) "
             f"beside a numpy loop drawing the same randomness; {platform.machine()}, Python {platform.python_version()}.",
             "", "| epochs | numpy loop (s) | pg.timeline (s) | ratio | per epoch and seed (ms) | 10,000 epochs x 10 seeds, "
             "extrapolated (s) |", "|---|---|---|---|---|---|",
             f"| {args.epochs} | {a:.3g} | {b:.3g} | {b / a:.1f} | {1e3 * per_epoch:.3g} | {per_epoch * 1e5:.0f} |"]
    print("\n".join(lines))
    if args.out:
        Path(args.out).write_text("# Timeline at scale\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
