"""pg.timeline at scale beside a numpy loop that only draws the same randomness, as ratios in one run.

StakeVRF with 100 provers, 10 units of work per epoch, 10 seeds, steady gas (each epoch's decisions
are reused once made), rule "equilibrium", in one process and with the seeds on 2 worker processes.
The floor loops over seeds and epochs and draws, per epoch, what the timeline's rules draw: one
categorical assignee per unit, its delivery and its proving time. Issue 15's target is 10,000 epochs
x 100 provers x 10 seeds in under 10 s on 2 cores.
Run: python benchmarks/timeline_scale.py [--epochs 10000] [--out benchmarks/timeline_scale.md]
"""
from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np

import provergame as pg
from provergame.timeline import Economy, Environment, Rebuild, timeline

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
    parser.add_argument("--epochs", type=int, default=10_000)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    pop = pg.Population.from_arrays(cost=rng.uniform(0.001, 0.004, N), stake=rng.lognormal(3, 1, N), reliability=0.99)
    env = Environment.steady(args.epochs, gas=50.0, token_price=4.0, demand=DEMAND)
    eco = Economy(gas_per_submission=781_000, bond=16.0, fallback="prune")
    make = Rebuild(pg.games.StakeVRF(0.0161, pop))
    t = time.perf_counter()
    floor(args.epochs, pop.stake)
    a = time.perf_counter() - t
    t = time.perf_counter()
    one = timeline(make, pop, env, seeds=SEEDS, economy=eco)
    b = time.perf_counter() - t
    t = time.perf_counter()
    two = timeline(make, pop, env, seeds=SEEDS, economy=eco, executor="processes", workers=2)
    c = time.perf_counter() - t
    same = one.kpis.equals(two.kpis) and one.balances.equals(two.balances) and one.ledger.equals(two.ledger)
    lines = [f"pg.timeline (StakeVRF, {N} provers, {DEMAND} units per epoch, {len(SEEDS)} seeds, rule equilibrium) "
             f"beside a numpy loop drawing the same randomness; {platform.machine()}, Python {platform.python_version()}, "
             f"{os.cpu_count()} cores.", "",
             "| epochs | numpy loop, 1 process (s) | pg.timeline, 1 process (s) | ratio | pg.timeline, 2 processes (s) "
             "| per epoch and seed, 1 process (ms) | same frames on 2 processes |", "|---|---|---|---|---|---|---|",
             f"| {args.epochs} | {a:.3g} | {b:.3g} | {b / a:.1f} | {c:.3g} | {1e3 * b / (args.epochs * len(SEEDS)):.3g} "
             f"| {'yes' if same else 'NO'} |"]
    print("\n".join(lines))
    if args.out:
        Path(args.out).write_text("# Timeline at scale\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
