"""pg.timeline at scale beside a numpy loop that only draws the same randomness, as ratios in one run.

StakeVRF with 100 provers, 10 units of work per epoch, 10 seeds, steady gas (each epoch's decisions
are reused once made), rule "equilibrium", in one process and with the seeds on 2 worker processes.
The floor loops over seeds and epochs and draws, per epoch, what the timeline's rules draw: one
categorical assignee per unit, its delivery and its proving time. Issue 15's target is 10,000 epochs
x 100 provers x 10 seeds in under 10 s on 2 cores; issue 28's, under 3 s, at most 2x the floor, and at least
5x faster than radCAD without deepcopy (pip install radcad; beside it in the same run). Three rows: the
steady run; the same with 1% of commitments censored and 1% of proposed units failed by the sequencer
(slashed 1 token each, up to its balance; per-unit draws indexed by epoch, so pg.timeline still books
stretches of epochs at once); and 3 sequencers with 1% failures, which makes pg.timeline step epoch by
epoch (a fifth of the epochs). The floor and the radCAD model draw the units' sequencers and the censored
and failed units too and book the sequencers.
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
ROUNDS = 3


def floor(epochs: int, weights: np.ndarray, censorship: float = 0.0, failure: float = 0.0, sequencers: int = 1) -> None:
    p, share = weights / weights.sum(), np.full(sequencers, 1.0 / sequencers)
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        balance, sequencer = np.zeros(N), np.full(sequencers, 100.0)
        for _ in range(epochs):
            slots = rng.multinomial(DEMAND, share) if sequencers > 1 else np.array([DEMAND])
            failed = rng.binomial(slots, failure) if failure else np.zeros(sequencers, int)
            units = DEMAND - int(failed.sum())
            units -= rng.binomial(units, censorship) if censorship else 0
            who = rng.choice(N, size=units, p=p)
            ok = rng.random(units) < 0.99
            rng.standard_exponential(units)
            np.add.at(balance, who[ok], 1.0)
            landed = rng.multivariate_hypergeometric(slots, int(ok.sum())) if sequencers > 1 else int(ok.sum())
            sequencer += 0.037 * landed - np.minimum(failed * 1.0, np.maximum(sequencer, 0.0))


def radcad_run(epochs: int, weights: np.ndarray, cost: np.ndarray, censorship: float = 0.0,
               failure: float = 0.0, sequencers: int = 1) -> float | None:
    """The same model in radCAD (deepcopy off, one process, substeps dropped): per epoch a policy draws
    each unit's sequencer, the units the sequencers fail and the censored ones, each unit's prover by
    stake, its delivery and proving time, and the sequencers of the units landed; state updates book the
    rewards, compute and gas into the balances and the block rewards and slashes into the sequencers'.
    None where radCAD is not installed."""
    try:
        from radcad import Experiment, Model, Simulation
        from radcad.engine import Backend, Engine
    except ImportError:
        return None
    p, spend = weights / weights.sum(), cost + 50e-9 * 781_000 / 4.0

    share = np.full(sequencers, 1.0 / sequencers)

    def work(params, substep, history, state):
        rng = state["rng"]
        slots = rng.multinomial(DEMAND, share) if sequencers > 1 else np.array([DEMAND])
        failed = rng.binomial(slots, failure) if failure else np.zeros(sequencers, int)
        units = DEMAND - int(failed.sum())
        units -= rng.binomial(units, censorship) if censorship else 0
        who = rng.choice(N, size=units, p=p)
        ok = rng.random(units) < 0.99
        rng.standard_exponential(units)
        paid = np.bincount(who[ok], minlength=N) * 0.0161
        landed = rng.multivariate_hypergeometric(slots, int(ok.sum())) if sequencers > 1 else int(ok.sum())
        return {"delta": paid - np.bincount(who, minlength=N) * spend[np.arange(N)], "failed": failed,
                "landed": landed}

    def book(params, substep, history, state, policy):
        return "balance", state["balance"] + policy["delta"]

    def slash(params, substep, history, state, policy):
        held = state["sequencer"]
        return "sequencer", held + 0.037 * policy["landed"] - np.minimum(policy["failed"] * 1.0, np.maximum(held, 0.0))

    total = 0.0
    for seed in SEEDS:                  # one run per seed, each with its own generator
        model = Model(initial_state={"balance": np.full(N, 100.0), "sequencer": np.full(sequencers, 100.0),
                                     "rng": np.random.default_rng(seed)},
                      state_update_blocks=[{"policies": {"work": work},
                                            "variables": {"balance": book, "sequencer": slash}}], params={})
        experiment = Experiment(Simulation(model=model, timesteps=epochs, runs=1))
        experiment.engine = Engine(backend=Backend.SINGLE_PROCESS, deepcopy=False, drop_substeps=True)
        t = time.perf_counter()
        experiment.run()
        total += time.perf_counter() - t
    return total


RUNS = (("steady stretch (booked at once)", 0.0, 0.0, 1, 1.0),
        ("1% of commitments censored and 1% of units failed by the sequencer (booked in stretches)", 0.01, 0.01, 1, 1.0),
        ("3 sequencers, 1% of units failed (stepped epoch by epoch)", 0.0, 0.01, 3, 0.2))
# (run, censorship, sequencer failures, sequencers, share of the epochs)


def measure(epochs: int, censorship: float, failure: float, sequencers: int) -> str:
    """One table row: the floor, pg.timeline in one and two processes and radCAD, best of ROUNDS, taking turns."""
    rng = np.random.default_rng(1)
    pop = pg.Population.from_arrays(cost=rng.uniform(0.001, 0.004, N), stake=rng.lognormal(3, 1, N), reliability=0.99)
    env = Environment.steady(epochs, gas=50.0, token_price=4.0, demand=DEMAND)
    eco = Economy(gas_per_submission=781_000, bond=16.0, fallback="prune", censorship=censorship,
                  sequencer_failure=failure, sequencer_slash=1.0, sequencer_funds=100.0, sequencers=sequencers,
                  sequencer_reward=0.037)
    make = Rebuild(pg.games.StakeVRF(0.0161, pop))
    a = b = r = float("inf")
    for _ in range(ROUNDS):             # taking turns, best of each: a slow spell of the machine falls on every side
        t = time.perf_counter()
        floor(epochs, pop.stake, censorship, failure, sequencers)
        a = min(a, time.perf_counter() - t)
        t = time.perf_counter()
        one = timeline(make, pop, env, seeds=SEEDS, economy=eco)
        b = min(b, time.perf_counter() - t)
        rad = radcad_run(epochs, pop.stake, pop.cost, censorship, failure, sequencers)
        r = None if rad is None else min(r, rad)
    t = time.perf_counter()
    two = timeline(make, pop, env, seeds=SEEDS, economy=eco, executor="processes", workers=2)
    c = time.perf_counter() - t
    same = one.kpis.equals(two.kpis) and one.balances.equals(two.balances) and one.ledger.equals(two.ledger)
    return (f"| {epochs} | {a:.3g} | {b:.3g} | {b / a:.1f} | {c:.3g} | {1e3 * b / (epochs * len(SEEDS)):.3g} "
            f"| {'yes' if same else 'NO'} | {'not installed' if r is None else f'{r:.3g}'} "
            f"| {'-' if r is None else f'{r / b:.1f}'} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10_000)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    import pandas  # noqa: F401  (loaded before any timing, as in a notebook: radCAD and pg.timeline both use it)
    rows = [f"| {run} " + measure(max(1, int(args.epochs * share)), censorship, failure, sequencers)
            for run, censorship, failure, sequencers, share in RUNS]
    lines = [f"pg.timeline (StakeVRF, {N} provers, {DEMAND} units per epoch, {len(SEEDS)} seeds, rule equilibrium) "
             f"beside a numpy loop drawing the same randomness (best of {ROUNDS} runs each, taking turns); "
             f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores.", "",
             "| run | epochs | numpy loop, 1 process (s) | pg.timeline, 1 process (s) | ratio | pg.timeline, 2 processes "
             "(s) | per epoch and seed, 1 process (ms) | same frames on 2 processes | radCAD 0.14, no deepcopy, 1 "
             "process (s) | radCAD / pg.timeline |", "|---|---|---|---|---|---|---|---|---|---|", *rows,
             "", "pg.timeline books a steady stretch of epochs at once where only balances move (self-committed, one "
             "sequencer, no entry, hardware, reinvestment or boosters: timeline._Run.stretch), the same rows as "
             "epoch by epoch; offline slots, failed units and censored commitments come from per-unit draws indexed "
             "by epoch, and a stretch ends where a balance crosses the bond or the sequencer's balance would cap a "
             "slash, so the second row is booked in stretches too. Other runs step epoch by epoch (the third row: "
             "3 sequencers, each unit's drawn at random, are enough). The numpy loop and the radCAD model draw the "
             "same randomness (the units' sequencers, the failed and censored units, the landed units' sequencers) "
             "and book the provers' and the sequencers' balances, and nothing else (no KPIs, ledger, exits or plan)."]
    print("\n".join(lines))
    if args.out:
        Path(args.out).write_text("# Timeline at scale\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
